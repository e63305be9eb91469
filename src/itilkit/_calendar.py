"""Local wall-clock time in a zone, and public-holiday calendars.

Service hours are wall-clock hours; business time is real elapsed time inside
them. Turning a local wall time into an instant follows two rules (the
DESIGN's DST rules):

* a wall time inside a DST gap (it never happens locally) moves to the
  first instant after the gap;
* an ambiguous wall time (it happens twice) takes its first occurrence.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import holidays as holidays_lib

from ._errors import InvalidValueError, UnknownHolidaysError
from ._time import US_PER_SECOND, Zone

__all__ = ["HolidayCalendar", "local_date", "wall_to_us"]

_NAIVE_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _naive_us(naive: datetime) -> int:
    delta = naive - _NAIVE_EPOCH
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def _offset_at_us(us: int, tz: Zone) -> timedelta:
    moment = _UTC_EPOCH + timedelta(microseconds=us)
    offset = moment.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


def _td_us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def wall_to_us(naive: datetime, tz: Zone) -> int:
    """The instant (microseconds, UTC) of a local wall time in ``tz``.

    >>> from itilkit._time import zone
    >>> ny = zone("America/New_York")
    >>> gap = wall_to_us(datetime(2026, 3, 8, 2, 30), ny)    # 02:30 never happens
    >>> datetime.fromtimestamp(gap // 10**6, UTC).isoformat()   # 03:00 EDT
    '2026-03-08T07:00:00+00:00'
    >>> twice = wall_to_us(datetime(2026, 11, 1, 1, 30), ny)  # happens twice
    >>> datetime.fromtimestamp(twice // 10**6, UTC).isoformat()  # the first, EDT
    '2026-11-01T05:30:00+00:00'
    """
    off0 = naive.replace(tzinfo=tz, fold=0).utcoffset()
    off1 = naive.replace(tzinfo=tz, fold=1).utcoffset()
    assert off0 is not None and off1 is not None
    local = _naive_us(naive)
    first = local - _td_us(off0)
    if off0 == off1:
        return first
    second = local - _td_us(off1)
    if first < second:  # ambiguous: the first occurrence
        return first
    # A gap: the transition lies in (second, first]; find it to the second.
    after = off1
    lo, hi = second // US_PER_SECOND, -(-first // US_PER_SECOND)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at_us(mid * US_PER_SECOND, tz) == after:
            hi = mid
        else:
            lo = mid
    return hi * US_PER_SECOND


def local_date(us: int, tz: Zone) -> date:
    """The local calendar date of an instant."""
    return (_UTC_EPOCH + timedelta(microseconds=us)).astimezone(tz).date()


def _parse_date(value: object, field: str) -> date:
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
        if isinstance(value, holidays_lib.HolidayBase):
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
            return cls(dates=frozenset(_parse_date(item, "holidays") for item in value))
        raise UnknownHolidaysError("holidays", value)

    def dates_in(self, first: date, last: date) -> frozenset[date]:
        """The holiday dates from ``first`` to ``last`` inclusive (not thread-safe for bases)."""
        years = range(first.year, last.year + 1)
        if self.code is not None:
            source: Any = _make_country(self.code, years)
        elif self.base is not None:
            source = self.base
            for year in years:
                _ = date(year, 1, 1) in source  # fills the year in, where expand=True
        else:
            return frozenset(d for d in self.dates if first <= d <= last)
        return frozenset(d for d in source if first <= d <= last)

    def text(self) -> str:
        """How the calendar is written in a window's repr."""
        if self.code is not None:
            return repr(self.code)
        if self.base is not None:
            return f"<{type(self.base).__qualname__} holidays>"
        return repr(tuple(d.isoformat() for d in sorted(self.dates)))


def _make_country(code: str, years: Iterable[int] = ()) -> Any:
    text = code.strip().upper()
    country, _, subdiv = text.partition("-")
    try:
        if country in holidays_lib.list_supported_financial():
            return holidays_lib.financial_holidays(country, years=list(years))
        return holidays_lib.country_holidays(country, subdiv=subdiv or None, years=list(years))
    except (NotImplementedError, KeyError, ValueError):
        raise UnknownHolidaysError("holidays", code) from None
