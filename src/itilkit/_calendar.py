"""Public-holiday calendars of service windows.

A window's holidays come from a country code (``"KR"``, ``"US-CA"``), a
``holidays.HolidayBase`` or plain dates. Turning local wall times into
instants is the time kernel's job (:mod:`itilkit._time`, which names the
DST rules).

The ``holidays`` package is imported when a window first names a country, and
it imports that country's module alone: nothing here lists every supported
country or market, which would import them all.
"""

from __future__ import annotations

import copy
import functools
import sys
import threading
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import attrs

from ._errors import InvalidValueError, UnknownHolidaysError

__all__ = ["HolidayCalendar"]

#: A ``HolidayBase`` fills its dictionary lazily, one year at a time, as it is
#: asked; windows combined by ``|``, ``&`` and ``-`` share one calendar, and may
#: compile on several threads at once. Filling and reading a base hold this lock.
_BASE_LOCK = threading.Lock()


def parse_date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        raise InvalidValueError(field, "a date, not a datetime", value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidValueError(field, "a date or an ISO date string such as '2026-12-24'", value)


@attrs.frozen
class HolidayCalendar:
    """Where a window's public holidays come from: a country code, a HolidayBase, or dates.

    Equality compares the source (the same country and subdivision, or the
    same dates), never the lazily filled holiday dictionary.
    """

    code: str | None = None
    dates: frozenset[date] = frozenset()
    base: Any = attrs.field(default=None, eq=False, repr=False)
    base_key: tuple[Any, ...] | None = None

    @classmethod
    def parse(cls, value: object) -> HolidayCalendar | None:
        """A calendar from what ``ServiceWindow.weekly(holidays=...)`` accepts."""
        if value is None:
            return None
        if isinstance(value, HolidayCalendar):
            return value
        if isinstance(value, str):
            _make_country(value)  # validates
            return cls(code=value.strip().upper())
        lib = sys.modules.get("holidays")  # no HolidayBase exists before the package loads
        if lib is not None and isinstance(value, lib.HolidayBase):
            base = copy.deepcopy(value)
            key = (
                type(value).__module__,
                type(value).__qualname__,
                getattr(value, "subdiv", None),
                getattr(value, "observed", None),
                tuple(sorted(getattr(value, "categories", None) or ())),
                tuple(sorted(dict(value).items())),
            )
            return cls(base=base, base_key=key)
        if isinstance(value, Iterable):
            return cls(dates=frozenset(parse_date(item, "holidays") for item in value))
        raise UnknownHolidaysError("holidays", value)

    def dates_in(self, first: date, last: date) -> frozenset[date]:
        """The holiday dates from ``first`` to ``last`` inclusive (thread-safe)."""
        years = range(first.year, last.year + 1)
        if self.code is not None:
            return frozenset(
                d for year in years for d in _country_year(self.code, year) if first <= d <= last
            )
        if self.base is not None:
            with _BASE_LOCK:  # the base fills itself in as it is read
                source = self.base
                for year in years:
                    _ = date(year, 1, 1) in source  # fills the year in, where expand=True
                return frozenset(d for d in list(source) if first <= d <= last)
        return frozenset(d for d in self.dates if first <= d <= last)

    def text(self) -> str:
        """How the calendar is written in a window's repr."""
        if self.code is not None:
            return repr(self.code)
        if self.base is not None:
            return f"<{type(self.base).__qualname__} holidays>"
        return repr(tuple(d.isoformat() for d in sorted(self.dates)))


@functools.lru_cache(maxsize=4096)
def _country_year(code: str, year: int) -> frozenset[date]:
    """The holidays of a country (or market) code in one year, computed once per process.

    Windows that name the same code share them (an SLA document per team, each with
    ``holidays = "DE"``); a query compiles only the years it reaches.
    """
    return frozenset(_make_country(code, (year,)))


@functools.cache
def _market_codes() -> frozenset[str]:
    """The financial market codes ``holidays`` knows (``XNYS``, ``NYSE``...), from its
    registry: listing them with ``list_supported_financial()`` would import every market
    and, through them, every country (about 50 ms)."""
    import holidays

    try:
        from holidays.registry import EntityLoader

        return frozenset(EntityLoader.get_financial_codes())
    except (ImportError, AttributeError):  # an older holidays: the listing is the only way
        return frozenset(holidays.list_supported_financial())


def _make_country(code: str, years: Iterable[int] = ()) -> Any:
    import holidays

    text = code.strip().upper()
    country, _, subdiv = text.partition("-")
    try:
        if country in _market_codes():
            return holidays.financial_holidays(country, years=list(years))
        return holidays.country_holidays(country, subdiv=subdiv or None, years=list(years))
    except (NotImplementedError, KeyError, ValueError):
        raise UnknownHolidaysError("holidays", code) from None
