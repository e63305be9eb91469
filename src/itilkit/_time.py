"""The time boundary: every instant, duration, zone and ratio enters itilkit here.

Inside itilkit an instant is an ``int``: microseconds since the Unix epoch,
UTC. A duration is an ``int`` of microseconds. This module turns what users
pass (aware ``datetime``, pendulum ``DateTime``, ISO 8601 strings with an
offset, ``timedelta``, ISO 8601 durations, IANA zones in any of the common
zone libraries) into those integers and back, and refuses what would force a
guess: a naive datetime never silently becomes UTC. :func:`td_us` is the one
place a ``timedelta`` becomes microseconds. Durations are bounded by
:data:`MAX_DURATION_DAYS` (10 000 years), so nothing overflows downstream.

Local wall-clock time becomes an instant by one of two named DST rules, and
nowhere else in the package:

* the **window-boundary rule** (:func:`boundary_to_us`), for the edges of
  service hours: a wall time inside a DST gap (it never happens locally)
  moves to the first instant after the gap, so 02:30 on a spring-forward
  night in New York is 03:00 EDT; an ambiguous wall time (it happens twice
  when clocks go back) takes its first occurrence;
* the **recorded-timestamp rule** (:func:`recorded_to_us`), for times a
  system wrote down (event-log cells, load samples): RFC 5545's and
  whenever's "compatible" disambiguation. A wall time in a gap is shifted
  forward by the length of the gap (02:30 becomes 03:30 EDT, the instant the
  offset before the gap names) and the caller is told how far it moved, so
  it can report the time as an anomaly; an ambiguous one takes its first
  occurrence.

Values keep the instants they hold as a ``DateTime`` (taken through
:func:`moment`) and its microseconds (cached by :func:`us_field`); the public
``DateTime`` is built in one place, :func:`from_us`. Ratios have a kernel
module of their own, :mod:`itilkit._ratio`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any, TypeAlias

import attrs
import pendulum

from ._errors import InvalidValueError, NaiveDatetimeError, UnknownZoneError

__all__ = [
    "MAX_DURATION_DAYS",
    "PENDULUM_ZONES",
    "DurationLike",
    "InstantLike",
    "Zone",
    "boundary_to_us",
    "from_us",
    "local_date",
    "moment",
    "pendulum_zone",
    "recorded_to_us",
    "td_us",
    "to_duration_us",
    "to_timedelta",
    "to_us",
    "us_field",
    "zone",
    "zone_of",
]

InstantLike: TypeAlias = datetime | str
DurationLike: TypeAlias = timedelta | str
Zone: TypeAlias = tzinfo

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST_US = -719_161 * 86_400 * US_PER_SECOND  # 0001-01-02T00:00Z
_LAST_US = 2_932_896 * 86_400 * US_PER_SECOND  # 9999-12-31T00:00Z
#: The zone types pendulum keeps aware; any other zone is converted with :func:`pendulum_zone`.
PENDULUM_ZONES = (pendulum.Timezone, pendulum.FixedTimezone)
_dt_sub = datetime.__sub__
_dt_add = datetime.__add__
_ONE_US = timedelta(microseconds=1)
_td_floordiv = timedelta.__floordiv__  # the C method: exact for pendulum's subclasses too
_NAIVE_EPOCH = datetime(1970, 1, 1)

#: The longest duration itilkit reads (10 000 Gregorian years, in days): longer
#: ones cannot fit between two supported instants.
MAX_DURATION_DAYS = 3_652_425
_MAX_DURATION_US = MAX_DURATION_DAYS * 86_400 * US_PER_SECOND
_MAX_DURATION_DIGITS = 18


def td_us(delta: timedelta) -> int:
    """Exact microseconds of a ``timedelta``: the one place this conversion is written.

    Subclasses (pendulum's ``Duration`` redefines ``seconds`` for negative
    durations) go through the C division, which reads the stored fields.

    >>> td_us(timedelta(days=-1, seconds=1, microseconds=2))
    -86398999998
    >>> td_us(-pendulum.duration(hours=5))
    -18000000000
    """
    if delta.__class__ is timedelta:  # the hot path: plain arithmetic beats any call
        return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds
    return _td_floordiv(delta, _ONE_US)


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
        us = td_us(delta)
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
    us = td_us(delta)
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
    if not isinstance(tz, PENDULUM_ZONES):  # pendulum needs its own zones to stay aware
        tz = pendulum_zone(tz)
    local = (EPOCH + timedelta(0, 0, us)).astimezone(tz)
    if local.fold:  # the second of a repeated hour: only the keyword form takes it
        return pendulum.DateTime(
            local.year,
            local.month,
            local.day,
            local.hour,
            local.minute,
            local.second,
            local.microsecond,
            tzinfo=tz,
            fold=1,
        )
    return pendulum.DateTime(  # positional: half the cost of the keyword call
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
        tz,
    )


def local_date(us: int, tz: Zone) -> date:
    """The local calendar date of an instant in ``tz``."""
    return local_datetime(us, tz).date()


def local_datetime(us: int, tz: Zone) -> datetime:
    """The instant as a standard-library datetime in ``tz`` (cheaper than :func:`from_us`,
    for arithmetic that never reaches a caller)."""
    return _dt_add(EPOCH, timedelta(microseconds=us)).astimezone(tz)


def _wall_offsets(naive: datetime, tz: Zone) -> tuple[int, int]:
    """The UTC offsets (microseconds) of a wall time's first and second reading (PEP 495)."""
    off0 = naive.replace(tzinfo=tz, fold=0).utcoffset()
    off1 = naive.replace(tzinfo=tz, fold=1).utcoffset()
    assert off0 is not None and off1 is not None
    return td_us(off0), td_us(off1)


def boundary_to_us(naive: datetime, tz: Zone) -> int:
    """The window-boundary rule: the instant of a local wall time that bounds open hours.

    A wall time in a DST gap moves to the first instant after the gap; an
    ambiguous one takes its first occurrence.

    >>> ny = zone("America/New_York")
    >>> from_us(boundary_to_us(datetime(2026, 3, 8, 2, 30), ny), ny)   # 02:30 never happens
    DateTime(2026, 3, 8, 3, 0, 0, tzinfo=Timezone('America/New_York'))
    >>> from_us(boundary_to_us(datetime(2026, 11, 1, 1, 30), ny), ny).isoformat()  # the first
    '2026-11-01T01:30:00-04:00'
    """
    local = td_us(naive - _NAIVE_EPOCH)
    off0, off1 = _wall_offsets(naive, tz)
    first = local - off0
    if off0 == off1:
        return first
    second = local - off1
    if first < second:  # ambiguous: the first occurrence
        return first
    # A gap: the transition lies in (second, first]; find it to the second.
    lo, hi = second // US_PER_SECOND, -(-first // US_PER_SECOND)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        moment = _dt_add(EPOCH, timedelta(seconds=mid)).astimezone(tz)
        offset = moment.utcoffset()
        assert offset is not None
        if td_us(offset) == off1:
            hi = mid
        else:
            lo = mid
    return hi * US_PER_SECOND


def recorded_to_us(naive: datetime, tz: Zone) -> tuple[int, int]:
    """The recorded-timestamp rule: ``(instant, shift)`` of a wall time a system wrote down.

    RFC 5545's and whenever's "compatible" rule: a wall time in a DST gap is
    shifted forward by the length of the gap, and ``shift`` is that length
    (0 when the time exists), so the caller can report it; an ambiguous one
    takes its first occurrence.

    >>> ny = zone("America/New_York")
    >>> us, shift = recorded_to_us(datetime(2026, 3, 8, 2, 30), ny)   # in the gap
    >>> from_us(us, ny).isoformat(), to_timedelta(shift)
    ('2026-03-08T03:30:00-04:00', datetime.timedelta(seconds=3600))
    >>> us, shift = recorded_to_us(datetime(2026, 11, 1, 1, 30), ny)  # twice: the first
    >>> from_us(us, ny).isoformat(), shift
    ('2026-11-01T01:30:00-04:00', 0)
    """
    local = td_us(naive - _NAIVE_EPOCH)
    off0, off1 = _wall_offsets(naive, tz)
    first = local - off0
    if off0 == off1:
        return first, 0
    second = local - off1
    if first < second:  # ambiguous: the first occurrence
        return first, 0
    return first, first - second


def pendulum_zone(tz: tzinfo) -> Zone:
    """``tz`` as the pendulum zone every ``DateTime`` built in it carries."""
    if isinstance(tz, PENDULUM_ZONES):
        return tz
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
    return pendulum_zone(moment.tzinfo)


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
    as they have no fixed length. A duration longer than
    :data:`MAX_DURATION_DAYS` either way is refused.

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
        us = td_us(value)
    elif isinstance(value, str):
        us = _iso_duration_us(value, field)
    else:
        raise InvalidValueError(field, "a timedelta or an ISO 8601 duration such as 'PT4H'", value)
    if not -_MAX_DURATION_US <= us <= _MAX_DURATION_US:
        raise InvalidValueError(
            field, f"at most {MAX_DURATION_DAYS} days (10000 years) either way", value
        )
    return us


def _iso_duration_us(value: str, field: str) -> int:
    match = _ISO_DURATION.match(value.strip().upper())
    if match is None:
        raise InvalidValueError(
            field,
            "an ISO 8601 duration in weeks, days, hours, minutes and seconds such as 'PT4H'",
            value,
        )
    groups = match.groupdict()
    if any(len(v) > _MAX_DURATION_DIGITS for v in groups.values() if v):
        raise InvalidValueError(
            field, f"at most {MAX_DURATION_DAYS} days (10000 years) either way", value
        )
    parts = {k: int(v) for k, v in groups.items() if v and k not in {"sign", "fraction"}}
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
    """A time zone with DST rules, validated, as a pendulum zone.

    Accepts an IANA name, or a zone object of the common libraries that names
    an IANA zone: ``zoneinfo.ZoneInfo``, pendulum, pytz (``pytz.timezone``)
    and dateutil (``tz.gettz``). A fixed offset is refused: it has no rules,
    so service hours read in it would drift by an hour twice a year.

    >>> zone("Asia/Seoul")
    Timezone('Asia/Seoul')
    >>> from datetime import timezone
    >>> zone(timezone(timedelta(hours=9)))
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'tz' must be an IANA time zone such as 'Europe/Berlin', not a fixed offset (it has no DST rules) (got datetime.timezone(datetime.timedelta(seconds=32400)))
    >>> zone("Mars/Olympus")
    Traceback (most recent call last):
    ...
    itilkit.UnknownZoneError: 'tz' must be an IANA time zone name such as 'Europe/Berlin' (got 'Mars/Olympus')
    """
    if value.__class__ is str:  # the hot path: a name already checked
        known = _KNOWN_ZONES.get(value)
        if known is not None:
            return known
    if isinstance(value, tzinfo):
        return _zone_of_tzinfo(value, field)
    if not isinstance(value, str) or not value.strip():
        raise UnknownZoneError(field, value)
    found = _named_zone(value.strip())
    if found is None:
        raise UnknownZoneError(field, value)
    if len(_KNOWN_ZONES) < 4096:
        _KNOWN_ZONES[value] = found
    return found


#: Names that :func:`zone` has accepted, and their zones (only valid names get in).
_KNOWN_ZONES: dict[str, Zone] = {}


def _named_zone(name: str) -> Zone | None:
    """The pendulum zone of an IANA name, or None (fixed offsets such as '+09:00' are None)."""
    try:
        found = _zone(name)
    except Exception:
        return None
    return found if isinstance(found, pendulum.Timezone) else None


def _zone_of_tzinfo(value: tzinfo, field: str) -> Zone:
    if isinstance(value, pendulum.Timezone):
        return value
    fixed = "an IANA time zone such as 'Europe/Berlin', not a fixed offset (it has no DST rules)"
    if isinstance(value, pendulum.FixedTimezone):
        if value.offset == 0:
            return _zone("UTC")
        raise InvalidValueError(field, fixed, value)
    names: list[str] = []
    for attribute in ("key", "zone"):  # zoneinfo / pytz
        name = getattr(value, attribute, None)
        if isinstance(name, str) and name:
            names.append(name)
    filename = getattr(value, "_filename", None)  # dateutil's tzfile
    if isinstance(filename, str) and filename:
        path = filename.replace("\\", "/")
        if "zoneinfo/" in path:
            names.append(path.rsplit("zoneinfo/", 1)[1])
        parts = [p for p in path.split("/") if p]
        names.extend("/".join(parts[-k:]) for k in (3, 2, 1) if len(parts) >= k)
    for name in names:
        found = _named_zone(name)
        if found is not None:
            return found
    if filename is not None or names:
        raise InvalidValueError(
            field, "a zone that names an IANA time zone such as 'Europe/Berlin'", value
        )
    try:
        offset = value.utcoffset(None)
    except Exception:  # a zone that needs an instant to say anything
        offset = None
    if offset is not None:
        if offset == timedelta(0) and _utc_like(value):
            return _zone("UTC")
        raise InvalidValueError(field, fixed, value)
    raise InvalidValueError(
        field, "a zone that names an IANA time zone such as 'Europe/Berlin'", value
    )


def _utc_like(value: tzinfo) -> bool:
    """A zero-offset zone that calls itself UTC (datetime.UTC, dateutil's tzutc)."""
    try:
        name = value.tzname(None)
    except Exception:
        return False
    return name in {"UTC", "Z", "GMT", None} and value.dst(None) in {None, timedelta(0)}


def zone_name(tz: Zone) -> str:
    """The IANA name of a zone made by :func:`zone`."""
    return str(getattr(tz, "name", None) or getattr(tz, "key", None) or tz)


def moment(value: object, field: str = "instant") -> tuple[pendulum.DateTime, int]:
    """An instant a value keeps: the pendulum ``DateTime`` in the zone it was written in,
    and its microseconds. Every domain value takes the instants it holds through here.

    >>> moment("2026-03-02T09:00+09:00")
    (DateTime(2026, 3, 2, 9, 0, 0, tzinfo=FixedTimezone(32400, name="+09:00")), 1772409600000000)
    """
    us = to_us(value, field)
    if isinstance(value, pendulum.DateTime) and value.tzinfo is not None:
        return value, us
    return from_us(us, zone_of(value, field)), us


def us_field(source: str) -> Any:
    """The attrs field that keeps the instant of field ``source`` as integer microseconds.

    Computed from ``source`` unless the builder, which usually knows it
    already, passes it; never compared, hashed or shown, since ``source``
    is. The one way a value caches an instant beside its ``DateTime``.
    """

    def compute(self: Any) -> int:
        return to_us(getattr(self, source), source)

    return attrs.field(
        default=attrs.Factory(compute, takes_self=True),
        repr=False,
        eq=False,
        hash=False,
        kw_only=True,
    )
