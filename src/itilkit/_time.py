"""The time boundary: every instant, duration, zone and ratio enters itilkit here.

Inside itilkit an instant is an ``int``: microseconds since the Unix epoch,
UTC. A duration is an ``int`` of microseconds. This module turns what users
pass (aware ``datetime``, pendulum ``DateTime``, ISO 8601 strings with an
offset, ``timedelta``, ISO 8601 durations) into those integers and back, and
refuses what would force a guess: a naive datetime never silently becomes UTC.

Ratios (availability, percent of a target) are :class:`fractions.Fraction`,
parsed from ``"99.9%"``, ``"99.9"`` or ``Decimal("99.9")`` exactly, never via
``float``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import TypeAlias

import pendulum

from ._errors import InvalidValueError, NaiveDatetimeError, UnknownZoneError

__all__ = [
    "DurationLike",
    "InstantLike",
    "RatioLike",
    "Zone",
    "from_us",
    "parse_ratio",
    "to_duration_us",
    "to_timedelta",
    "to_us",
    "zone",
    "zone_of",
]

InstantLike: TypeAlias = datetime | str
DurationLike: TypeAlias = timedelta | str
RatioLike: TypeAlias = Fraction | Decimal | int | str
Zone: TypeAlias = tzinfo

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST_US = -719_161 * 86_400 * US_PER_SECOND  # 0001-01-02T00:00Z
_LAST_US = 2_932_896 * 86_400 * US_PER_SECOND  # 9999-12-31T00:00Z
_PENDULUM_ZONES = (pendulum.Timezone, pendulum.FixedTimezone)
_dt_sub = datetime.__sub__
_dt_add = datetime.__add__


def to_us(value: object, field: str = "instant") -> int:
    """Microseconds since the epoch (UTC) of an aware instant.

    >>> to_us("1970-01-01T09:00:01+09:00")
    1000000
    >>> to_us(datetime(2026, 3, 1))
    Traceback (most recent call last):
    ...
    itilkit.NaiveDatetimeError: 'instant' must be an aware datetime or an ISO 8601 string with an offset (got datetime.datetime(2026, 3, 1, 0, 0))
    """
    if isinstance(value, datetime):  # the hot path, inlined
        try:
            delta: timedelta = _dt_sub(value, EPOCH)
        except TypeError:  # naive, or a tzinfo that gives no offset
            raise NaiveDatetimeError(field, value) from None
        us = (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds
        if _FIRST_US <= us < _LAST_US:
            return us
        return _datetime_us(value, field, value)  # raises
    if isinstance(value, str):
        return _datetime_us(_parse_iso_instant(value, field), field, value)
    if isinstance(value, date):
        raise InvalidValueError(field, "an aware datetime, not a date", value)
    raise InvalidValueError(field, "an aware datetime or an ISO 8601 string with an offset", value)


def _datetime_us(moment: datetime, field: str, given: object) -> int:
    try:
        delta: timedelta = _dt_sub(moment, EPOCH)
    except TypeError:  # naive, or a tzinfo that gives no offset
        raise NaiveDatetimeError(field, given) from None
    us = (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds
    if not _FIRST_US <= us < _LAST_US:  # a day of margin, so every zone can show it
        raise InvalidValueError(field, "an instant from 0001-01-02 to 9999-12-30 (UTC)", given)
    return us


def _parse_iso_instant(text: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValueError(field, "an ISO 8601 instant with an offset", text) from None
    if parsed.tzinfo is None:
        raise NaiveDatetimeError(field, text)
    return parsed


def from_us(us: int, tz: Zone) -> pendulum.DateTime:
    """The pendulum ``DateTime`` in ``tz`` of an instant held as microseconds.

    >>> from_us(1_000_000, zone("Asia/Seoul"))
    DateTime(1970, 1, 1, 9, 0, 1, tzinfo=Timezone('Asia/Seoul'))
    """
    if not isinstance(tz, _PENDULUM_ZONES):  # pendulum needs its own zones to stay aware
        tz = _as_pendulum_zone(tz)
    utc = _dt_add(EPOCH, timedelta(microseconds=us))
    local = utc.astimezone(tz)
    return pendulum.DateTime(
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
        tzinfo=tz,
        fold=local.fold,
    )


def _as_pendulum_zone(tz: tzinfo) -> Zone:
    zone_obj = pendulum.instance(datetime(2000, 1, 1, tzinfo=tz)).tzinfo
    assert zone_obj is not None
    return zone_obj


def zone_of(value: object, field: str = "instant") -> Zone:
    """The zone an aware instant was written in, as a pendulum zone (or fixed offset).

    >>> zone_of("2026-03-02T09:00+09:00"), zone_of(pendulum.datetime(2026, 3, 2, tz="Asia/Seoul"))
    (FixedTimezone(32400, name="+09:00"), Timezone('Asia/Seoul'))
    """
    to_us(value, field)  # refuses naive and malformed input by name
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    assert moment.tzinfo is not None
    return _as_pendulum_zone(moment.tzinfo)


def to_timedelta(us: int) -> timedelta:
    """A ``timedelta`` of a duration held as microseconds (exact)."""
    return timedelta(microseconds=us)


_ISO_DURATION = re.compile(
    r"^(?P<sign>[-+])?P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+)(?:[.,](?P<fraction>\d{1,6}))?S)?)?$"
)


def to_duration_us(value: object, field: str = "duration") -> int:
    """Microseconds of a ``timedelta`` or an ISO 8601 duration such as ``"PT4H"``.

    Days (``P1D``) are 24 hours of elapsed time; years and months are refused,
    as they have no fixed length.

    >>> to_duration_us("PT1H30M")
    5400000000
    >>> to_duration_us("-P1DT0.5S")
    -86400500000
    >>> to_duration_us("P1M")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'duration' must be an ISO 8601 duration in weeks, days, hours, minutes and seconds such as 'PT4H' (got 'P1M')
    """
    if isinstance(value, timedelta):
        return (value.days * 86_400 + value.seconds) * US_PER_SECOND + value.microseconds
    if isinstance(value, str):
        match = _ISO_DURATION.match(value.strip().upper())
        if match is None:
            raise InvalidValueError(
                field,
                "an ISO 8601 duration in weeks, days, hours, minutes and seconds such as 'PT4H'",
                value,
            )
        parts = {
            k: int(v) for k, v in match.groupdict().items() if v and k not in {"sign", "fraction"}
        }
        seconds = (
            parts.get("weeks", 0) * 7 * 86_400
            + parts.get("days", 0) * 86_400
            + parts.get("hours", 0) * 3_600
            + parts.get("minutes", 0) * 60
            + parts.get("seconds", 0)
        )
        fraction = match.group("fraction") or ""
        us = seconds * US_PER_SECOND + int(fraction.ljust(6, "0") or 0)
        return -us if match.group("sign") == "-" else us
    raise InvalidValueError(field, "a timedelta or an ISO 8601 duration such as 'PT4H'", value)


def iso_duration(us: int) -> str:
    """The ISO 8601 text of a duration (the inverse of :func:`to_duration_us`).

    >>> iso_duration(5_400_000_000), iso_duration(-86_400_500_000), iso_duration(0)
    ('PT1H30M', '-P1DT0.5S', 'PT0S')
    """
    sign = "-" if us < 0 else ""
    us = abs(us)
    days, rest = divmod(us, US_PER_DAY)
    hours, rest = divmod(rest, 3_600 * US_PER_SECOND)
    minutes, rest = divmod(rest, 60 * US_PER_SECOND)
    seconds, micro = divmod(rest, US_PER_SECOND)
    text = f"{sign}P{days}D" if days else f"{sign}P"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or micro:
        clock += f"{seconds}.{micro:06d}".rstrip("0").rstrip(".") + "S"
    if clock:
        text += "T" + clock
    return text if text not in {"P", "-P"} else "PT0S"


@lru_cache(maxsize=512)
def _zone(name: str) -> Zone:
    return pendulum.timezone(name)


def zone(value: object, field: str = "tz") -> Zone:
    """A time zone from an IANA name (or a ``tzinfo`` with a ``key``), validated.

    >>> zone("Asia/Seoul")
    Timezone('Asia/Seoul')
    >>> zone("Mars/Olympus")
    Traceback (most recent call last):
    ...
    itilkit.UnknownZoneError: 'tz' must be an IANA time zone name such as 'Europe/Berlin' (got 'Mars/Olympus')
    """
    if isinstance(value, tzinfo):
        key = getattr(value, "key", None) or getattr(value, "name", None)
        if key is None and value.utcoffset(None) == timedelta(0):
            key = "UTC"
        if not isinstance(key, str):
            raise InvalidValueError(
                field, "an IANA time zone (a fixed offset has no rules)", value
            )
        value = key
    if not isinstance(value, str) or not value:
        raise UnknownZoneError(field, value)
    try:
        return _zone(value)
    except Exception:
        raise UnknownZoneError(field, value) from None


def zone_name(tz: Zone) -> str:
    """The IANA name of a zone made by :func:`zone`."""
    return str(getattr(tz, "name", None) or getattr(tz, "key", None) or tz)


_PERCENT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(%?)\s*$")


def parse_ratio(value: object, field: str = "target") -> Fraction:
    """An exact ratio in [0, 1] from ``"99.9%"``, ``"99.9"``, ``Decimal("99.9")`` or a Fraction.

    Strings, ``Decimal`` and ``int`` are percentages; a ``Fraction`` is the
    ratio itself. Floats are refused: they cannot hold 99.9% exactly.

    >>> parse_ratio("99.95%"), parse_ratio(Decimal("97")), parse_ratio(Fraction(1, 2))
    (Fraction(1999, 2000), Fraction(97, 100), Fraction(1, 2))
    >>> parse_ratio(0.999)
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'target' must be a percentage as a string ('99.9%'), Decimal or int, or a Fraction (got 0.999)
    """
    ratio: Fraction
    if isinstance(value, Fraction):
        ratio = value
    elif isinstance(value, bool | float):
        raise InvalidValueError(
            field, "a percentage as a string ('99.9%'), Decimal or int, or a Fraction", value
        )
    elif isinstance(value, int):
        ratio = Fraction(value, 100)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValueError(field, "a finite percentage", value)
        ratio = Fraction(value) / 100
    elif isinstance(value, str):
        match = _PERCENT.match(value)
        if match is None:
            raise InvalidValueError(field, "a percentage such as '99.9%'", value)
        try:
            ratio = Fraction(Decimal(match.group(1))) / 100
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise InvalidValueError(field, "a percentage such as '99.9%'", value) from None
    else:
        raise InvalidValueError(
            field, "a percentage as a string ('99.9%'), Decimal or int, or a Fraction", value
        )
    if not 0 <= ratio <= 1:
        raise InvalidValueError(field, "between 0% and 100%", value)
    return ratio


def format_percent(ratio: Fraction, places: int = 3) -> str:
    """Display text of a ratio as a percentage, rounded half-even for display only.

    >>> format_percent(Fraction(41, 42)), format_percent(Fraction(1999, 2000), 2)
    ('97.619%', '99.95%')
    """
    scaled = ratio * 100
    quantum = Decimal(1).scaleb(-places)
    number = (Decimal(scaled.numerator) / Decimal(scaled.denominator)).quantize(quantum)
    return f"{number}%"
