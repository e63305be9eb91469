"""Service windows: the agreed service time of an SLA, a maintenance window, a freeze.

ITIL calls the hours during which a service is agreed to be available the
*agreed service time*; ticket systems call the same thing a schedule,
business hours or a calendar. A :class:`ServiceWindow` is that set of time:
weekly wall-clock hours in an IANA zone, with public holidays, per-date
overrides (half days, closed days, extra openings), RFC 5545 recurrences
(maintenance), one-off periods, and the set algebra of all of these.

Every window is compiled once into sorted half-open integer intervals with a
prefix sum of open time (see :mod:`itilkit._index`), so business-time
questions are binary searches and exact to the microsecond, across DST.
"""

from __future__ import annotations

import html
import numbers
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from typing import Any, TypeAlias

import attrs
import pendulum
from dateutil import rrule as rrule_lib

from ._calendar import HolidayCalendar, parse_date
from ._document import Problems
from ._errors import InvalidValueError, NaiveDatetimeError
from ._index import Index, Node
from ._intervals import Intervals, intersect, merge, subtract
from ._spec import (
    DAY,
    DAY_NAMES,
    DayHours,
    WeekHours,
    format_ranges,
    format_week,
    is_always,
    parse_ranges,
    parse_week,
)
from ._time import (
    EPOCH,
    US_PER_SECOND,
    DurationLike,
    InstantLike,
    Zone,
    boundary_to_us,
    from_us,
    iso_duration,
    local_date,
    td_us,
    to_duration_us,
    to_timedelta,
    to_us,
    zone,
    zone_name,
    zone_of,
)

__all__ = ["ServiceWindow", "Span", "as_window"]

_DAY_US = 86_400 * US_PER_SECOND
#: The C subtraction, for any datetime (pendulum's own ``-`` builds an Interval); a
#: string, a date or a naive datetime makes it raise TypeError.
_dt_sub: Callable[[object, datetime], timedelta] = datetime.__sub__  # type: ignore[assignment]


def _clip(intervals: Iterable[tuple[int, int]], lo: int, hi: int) -> Intervals:
    return merge((max(s, lo), min(e, hi)) for s, e in intervals if e > lo and s < hi)


# -- definitions (nodes) -------------------------------------------------------------


@attrs.frozen
class _Always:
    tz: str

    #: The index answers "never closes" at once for a window open all the time.
    always_open = True

    def intervals(self, lo: int, hi: int) -> Intervals:
        return [(lo, hi)] if hi > lo else []

    def extent(self) -> tuple[int, int] | None:
        return None

    def text(self) -> str:
        return f"ServiceWindow.always(tz={self.tz!r})"

    def config(self) -> dict[str, Any]:
        return {"hours": "24x7", "tz": self.tz}


@attrs.frozen
class _Weekly:
    week: WeekHours
    tz: str
    holidays: HolidayCalendar | None
    overrides: tuple[tuple[date, DayHours], ...]

    def intervals(self, lo: int, hi: int) -> Intervals:
        tz = zone(self.tz)
        first = local_date(lo, tz) - timedelta(days=1)  # an overnight shift from the day before
        last = local_date(hi, tz)
        closed = self.holidays.dates_in(first, last) if self.holidays is not None else frozenset()
        overrides = dict(self.overrides)
        out: Intervals = []
        day = first
        one = timedelta(days=1)
        while day <= last:
            ranges = overrides.get(day)
            if ranges is None:
                ranges = () if day in closed else self.week[day.weekday()]
            if ranges:
                midnight = datetime(day.year, day.month, day.day)
                for start, end in ranges:
                    s = boundary_to_us(midnight + timedelta(seconds=start), tz)
                    e = boundary_to_us(midnight + timedelta(seconds=end), tz)
                    if e > lo and s < hi:
                        out.append((max(s, lo), min(e, hi)))
            day += one
        return merge(out)

    def extent(self) -> tuple[int, int] | None:
        return None

    def text(self) -> str:
        parts = [repr(format_week(self.week)), f"tz={self.tz!r}"]
        if self.holidays is not None:
            parts.append(f"holidays={self.holidays.text()}")
        if self.overrides:
            items = ", ".join(
                f"{d.isoformat()!r}: {format_ranges(r)!r}" for d, r in self.overrides
            )
            parts.append(f"overrides={{{items}}}")
        return f"ServiceWindow.weekly({', '.join(parts)})"

    def config(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hours": format_week(self.week), "tz": self.tz}
        calendar = self.holidays
        if calendar is not None:
            if calendar.code is not None:
                out["holidays"] = calendar.code
            elif calendar.base is None:
                out["holidays"] = [d.isoformat() for d in sorted(calendar.dates)]
            else:
                raise InvalidValueError(
                    "window",
                    "holidays given as a country code or dates to write them",
                    self.text(),
                )
        if self.overrides:
            out["overrides"] = {d.isoformat(): format_ranges(r) for d, r in self.overrides}
        return out


_RRULE_ANCHOR = datetime(2000, 1, 1)
#: The most occurrences a recurrence may open per year of compiled time (one
#: every two minutes is 262 800), so that no query walks an endless stream of them.
MAX_OCCURRENCES_PER_YEAR = 300_000
_YEAR_US = 36_525 * _DAY_US // 100


@attrs.frozen
class _Recurring:
    rule: str
    duration: int
    tz: str

    def intervals(self, lo: int, hi: int) -> Intervals:
        tz = zone(self.tz)
        parsed = _parse_rrule(self.rule, self.tz)
        pad = timedelta(microseconds=self.duration) + timedelta(days=2)
        lo_wall = datetime.combine(local_date(lo, tz), time()) - pad
        hi_wall = datetime.combine(local_date(hi, tz), time()) + timedelta(days=2)
        out: Intervals = []
        budget = MAX_OCCURRENCES_PER_YEAR * max(1, -(-(hi - lo) // _YEAR_US))
        for n, occurrence in enumerate(_near(parsed, lo_wall)):
            if occurrence > hi_wall:
                break
            if n >= budget:
                raise InvalidValueError(
                    "rrule",
                    f"a rule with at most {MAX_OCCURRENCES_PER_YEAR} occurrences a year (about"
                    " one every two minutes); a denser one is better written as"
                    " ServiceWindow.always()",
                    self.rule,
                )
            if occurrence < lo_wall:
                continue
            start = boundary_to_us(occurrence, tz)
            end = start + self.duration
            if end > lo and start < hi:
                out.append((max(start, lo), min(end, hi)))
        return merge(out)

    def extent(self) -> tuple[int, int] | None:
        return None

    def text(self) -> str:
        return (
            f"ServiceWindow.recurring({self.rule!r}, duration={iso_duration(self.duration)!r}, "
            f"tz={self.tz!r})"
        )


#: The values RFC 5545 allows in each numeric rule part: (least, most, may be negative).
_RULE_PART_RANGES = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYHOUR": (0, 23, False),
    "BYMINUTE": (0, 59, False),
    "BYSECOND": (0, 59, False),
    "BYSETPOS": (1, 366, True),
    "INTERVAL": (1, 10**6, False),
    "COUNT": (1, 10**6, False),
}


def _check_rule_parts(rule: str) -> None:
    """Refuse numeric rule parts outside RFC 5545's ranges, naming the part."""
    for line in rule.splitlines():
        text = line.strip()
        head, colon, rest = text.partition(":")
        if colon and head.upper().startswith("RRULE"):
            text = rest
        elif colon or "FREQ=" not in text.upper():
            continue  # DTSTART, EXDATE and the like: dateutil reads them
        for part in text.split(";"):
            key, _, value = part.strip().partition("=")
            bounds = _RULE_PART_RANGES.get(key.strip().upper())
            if bounds is None:
                continue
            least, most, signed = bounds
            for item in value.split(","):
                item = item.strip()
                number = int(item) if item.lstrip("+-").isdigit() and len(item) < 12 else None
                ok = number is not None and (
                    least <= abs(number) <= most
                    if signed and number != 0
                    else least <= number <= most
                )
                if not ok:
                    span = f"{least} to {most}" + (" (or -{most} to -{least})" if signed else "")
                    raise InvalidValueError(
                        "rrule",
                        f"an RFC 5545 recurrence rule whose {key.strip().upper()} is from {span}"
                        f"; bad part {part.strip()!r}",
                        rule,
                    )


@lru_cache(maxsize=256)
def _parse_rrule(rule: object, tz_name: str) -> Any:
    """The dateutil rule of an RFC 5545 text, anchored and read in local wall time.

    Occurrences are never cached (a dense rule would fill memory); queries
    start their search near their range instead (:func:`_near`).
    """
    tz = zone(tz_name)
    if not isinstance(rule, str) or not rule.strip():
        raise InvalidValueError("rrule", "an RFC 5545 recurrence rule such as 'FREQ=WEEKLY'", rule)
    _check_rule_parts(rule)
    text = rule.strip()
    # RFC 5545: an UNTIL in UTC ("...Z") goes with an aware start. The anchor is the
    # same local midnight either way; every instant is made local wall time below.
    aware_until = re.search(r"UNTIL=[0-9T]+Z", text.upper()) is not None
    anchor = _RRULE_ANCHOR.replace(tzinfo=tz) if aware_until else _RRULE_ANCHOR
    try:
        parsed = rrule_lib.rrulestr(text, dtstart=anchor, cache=False)
        return _local_rules(parsed, tz)
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        raise InvalidValueError("rrule", f"an RFC 5545 recurrence rule ({exc})", rule) from None


def _local_rules(parsed: Any, tz: Zone) -> Any:
    """A parsed rule (or set) with every instant in local wall time (naive), as windows read it."""

    def local(moment: datetime) -> datetime:
        return moment.astimezone(tz).replace(tzinfo=None) if moment.tzinfo else moment

    def one(item: Any) -> Any:
        changes: dict[str, Any] = {}
        start = getattr(item, "_dtstart", None)
        if isinstance(start, datetime) and start.tzinfo is not None:
            changes["dtstart"] = local(start)
        until = getattr(item, "_until", None)
        if isinstance(until, datetime) and until.tzinfo is not None:
            changes["until"] = local(until)
        return item.replace(**changes) if changes else item

    if not isinstance(parsed, rrule_lib.rruleset):
        return one(parsed)
    out = rrule_lib.rruleset(cache=False)
    for item in parsed._rrule:
        out.rrule(one(item))
    for item in parsed._exrule:
        out.exrule(one(item))
    for moment in parsed._rdate:
        out.rdate(local(moment))
    for moment in parsed._exdate:
        out.exdate(local(moment))
    return out


_FIXED_PERIODS = {
    rrule_lib.DAILY: timedelta(days=1),
    rrule_lib.WEEKLY: timedelta(days=7),
    rrule_lib.HOURLY: timedelta(hours=1),
    rrule_lib.MINUTELY: timedelta(minutes=1),
    rrule_lib.SECONDLY: timedelta(seconds=1),
}


def _near(parsed: Any, lo_wall: datetime) -> Any:
    """The same rule, re-anchored a whole number of periods after its start, before ``lo_wall``.

    dateutil walks every period from ``DTSTART``; a 5-minute rule anchored in
    2000 walks millions of them before 2026. Moving ``DTSTART`` forward by a
    whole number of ``INTERVAL`` periods keeps every period boundary and every
    default taken from ``DTSTART`` (its weekday, day, month and time), so the
    occurrences from the new start on are exactly the original ones. One
    period of margin keeps a partial first period (``BYSETPOS``) out of the
    range. Rules with ``COUNT`` count from their real start and are not moved.
    """
    if not isinstance(parsed, rrule_lib.rrule) or parsed._count is not None:
        return parsed
    start: datetime = parsed._dtstart
    if start.tzinfo is not None or lo_wall <= start:
        return parsed
    interval: int = parsed._interval
    freq = parsed._freq
    fixed = _FIXED_PERIODS.get(freq)
    if fixed is not None:
        step = fixed * interval
        k = (lo_wall - start) // step - 1
        return parsed.replace(dtstart=start + step * k) if k > 0 else parsed
    if freq == rrule_lib.MONTHLY:
        months = (lo_wall.year - start.year) * 12 + lo_wall.month - start.month
        k = months // interval - 1
        for _ in range(12):  # a start on the 31st needs a month that has one
            if k <= 0:
                return parsed
            year, month = divmod(start.month - 1 + k * interval, 12)
            try:
                return parsed.replace(
                    dtstart=start.replace(year=start.year + year, month=month + 1)
                )
            except ValueError:
                k -= 1
        return parsed
    if freq == rrule_lib.YEARLY:
        k = (lo_wall.year - start.year) // interval - 1
        for _ in range(8):  # a start on 29 February needs a leap year
            if k <= 0:
                return parsed
            try:
                return parsed.replace(dtstart=start.replace(year=start.year + k * interval))
            except ValueError:
                k -= 1
    return parsed


@attrs.frozen
class _Spans:
    spans: tuple[tuple[int, int], ...]
    tz: str

    def intervals(self, lo: int, hi: int) -> Intervals:
        ends = [e for _, e in self.spans]
        i = bisect_right(ends, lo)
        out: Intervals = []
        while i < len(self.spans) and self.spans[i][0] < hi:
            s, e = self.spans[i]
            out.append((max(s, lo), min(e, hi)))
            i += 1
        return out

    def extent(self) -> tuple[int, int] | None:
        if not self.spans:
            return (0, 0)
        return (self.spans[0][0], self.spans[-1][1])

    def text(self) -> str:
        tz = zone(self.tz)
        items = ", ".join(
            f"({from_us(s, tz).isoformat()!r}, {from_us(e, tz).isoformat()!r})"
            for s, e in self.spans
        )
        return f"ServiceWindow.from_spans([{items}], tz={self.tz!r})"


@attrs.frozen
class _Union:
    left: Node
    right: Node

    @property
    def always_open(self) -> bool:
        return bool(
            getattr(self.left, "always_open", False) or getattr(self.right, "always_open", False)
        )

    def intervals(self, lo: int, hi: int) -> Intervals:
        return merge([*self.left.intervals(lo, hi), *self.right.intervals(lo, hi)])

    def extent(self) -> tuple[int, int] | None:
        a, b = self.left.extent(), self.right.extent()
        if a is None or b is None:
            return None
        return (min(a[0], b[0]), max(a[1], b[1]))

    def text(self) -> str:
        return f"({self.left.text()} | {self.right.text()})"


@attrs.frozen
class _Intersection:
    left: Node
    right: Node

    def intervals(self, lo: int, hi: int) -> Intervals:
        a = self.left.intervals(lo, hi)
        return intersect(a, self.right.intervals(lo, hi)) if a else []

    def extent(self) -> tuple[int, int] | None:
        a, b = self.left.extent(), self.right.extent()
        if a is None:
            return b
        if b is None:
            return a
        return (max(a[0], b[0]), max(max(a[0], b[0]), min(a[1], b[1])))

    def text(self) -> str:
        return f"({self.left.text()} & {self.right.text()})"


@attrs.frozen
class _Difference:
    left: Node
    right: Node

    def intervals(self, lo: int, hi: int) -> Intervals:
        a = self.left.intervals(lo, hi)
        return subtract(a, self.right.intervals(lo, hi)) if a else []

    def extent(self) -> tuple[int, int] | None:
        return self.left.extent()

    def text(self) -> str:
        return f"({self.left.text()} - {self.right.text()})"


# -- public values ---------------------------------------------------------------------


def _span_instant(value: object, field: str) -> pendulum.DateTime:
    """An aware instant (datetime or ISO string) as a pendulum DateTime in its own zone."""
    if isinstance(value, pendulum.DateTime) and value.tzinfo is not None:
        to_us(value, field)  # validates the range
        return value
    return from_us(to_us(value, field), zone_of(value, field))


def _span_start(value: object) -> pendulum.DateTime:
    return _span_instant(value, "start")


def _span_end(value: object) -> pendulum.DateTime:
    return _span_instant(value, "end")


@attrs.frozen
class Span:
    """A half-open period ``[start, end)`` of open time.

    >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Europe/Berlin")
    >>> span = w.spans("2026-03-02T10:00+01:00", "2026-03-02T20:00+01:00")[0]
    >>> span.start.isoformat(), span.end.isoformat(), span.duration
    ('2026-03-02T10:00:00+01:00', '2026-03-02T18:00:00+01:00', datetime.timedelta(seconds=28800))
    """

    start: pendulum.DateTime = attrs.field(converter=_span_start)
    end: pendulum.DateTime = attrs.field(converter=_span_end)

    def __attrs_post_init__(self) -> None:
        if to_us(self.end, "end") < to_us(self.start, "start"):
            raise InvalidValueError("end", f"at or after the start {self.start}", self.end)

    @property
    def duration(self) -> timedelta:
        """Real elapsed time from start to end."""
        return to_timedelta(to_us(self.end, "end") - to_us(self.start, "start"))


_instant = to_us


def _span_pair(item: object, tz: Zone) -> tuple[int, int]:
    if isinstance(item, Span):
        start, end = to_us(item.start, "spans[].start"), to_us(item.end, "spans[].end")
    elif isinstance(item, tuple | list) and len(item) == 2:
        start, end = to_us(item[0], "spans[].start"), to_us(item[1], "spans[].end")
    else:
        raise InvalidValueError("spans", "pairs of (start, end) instants or Span objects", item)
    if end < start:
        raise InvalidValueError(
            "spans[].end",
            f"at or after its start {from_us(start, tz)}",
            item[1] if not isinstance(item, Span) else item.end,
        )
    return start, end


HoursLike: TypeAlias = str | Mapping[str, Any]


@attrs.frozen(repr=False)
class ServiceWindow:
    """A set of time in a zone: agreed service hours, a maintenance window, a freeze.

    Build one with a named constructor (:meth:`weekly`, :meth:`always`,
    :meth:`recurring`, :meth:`from_spans`) and combine with ``|``, ``&``
    and ``-``. Equality compares definitions; the repr is the code that
    builds the window.

    >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
    >>> w
    ServiceWindow.weekly('Mon-Fri 09:00-18:00', tz='Asia/Seoul', holidays='KR')
    >>> w.business_time("2026-03-06T17:00+09:00", "2026-03-09T10:00+09:00")
    datetime.timedelta(seconds=7200)
    >>> w.add("2026-02-27T17:00+09:00", "PT2H")   # Sun 1 Mar and Mon 2 Mar are holidays
    DateTime(2026, 3, 3, 10, 0, 0, tzinfo=Timezone('Asia/Seoul'))
    """

    _node: Node
    _tz: str
    _index: Index = attrs.field(eq=False, repr=False, hash=False)
    _zone: Zone = attrs.field(  # ``zone(_tz)``, looked up once: every result is built in it
        eq=False,
        repr=False,
        hash=False,
        default=attrs.Factory(lambda self: zone(self._tz), takes_self=True),
    )

    # -- construction -------------------------------------------------------------

    @classmethod
    def _of(cls, node: Any, tz: str) -> ServiceWindow:
        return cls(node, tz, Index(node))

    @classmethod
    def weekly(
        cls,
        hours: HoursLike,
        *,
        tz: str | Zone,
        holidays: object = None,
        overrides: Mapping[date | str, object] | None = None,
    ) -> ServiceWindow:
        """Weekly wall-clock hours, closed on ``holidays``, with per-date ``overrides``.

        ``hours`` is a spec (``"Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00"``)
        or a mapping of days to ranges. ``holidays`` is a country code
        (``"KR"``), a country and subdivision (``"US-CA"``), a
        ``holidays.HolidayBase`` or dates; a holiday closes its whole local
        day (for an overnight shift: the shift that starts on it).
        ``overrides`` maps dates to other hours for that date, or ``"closed"``.
        ``"24x7"`` (or ``"24/7"``) is every hour of every day: without
        holidays or overrides it is :meth:`always` in ``tz``.

        >>> w = ServiceWindow.weekly(
        ...     {"Mon-Fri": "09:00-18:00"}, tz="Europe/Berlin",
        ...     overrides={"2026-12-24": "09:00-13:00", "2026-12-31": "closed"})
        >>> w.business_time("2026-12-24T00:00+01:00", "2026-12-25T00:00+01:00")
        datetime.timedelta(seconds=14400)
        """
        name = zone_name(zone(tz))
        if is_always(hours) and holidays is None and not overrides:
            return cls.always(tz=name)
        week = parse_week(hours)
        calendar = HolidayCalendar.parse(holidays)
        items: list[tuple[date, DayHours]] = []
        if overrides is not None:
            if not isinstance(overrides, Mapping):
                raise InvalidValueError("overrides", "a mapping of dates to hours", overrides)
            for key, value in overrides.items():
                items.append((parse_date(key, "overrides"), parse_ranges(value)))
        node = _Weekly(week, name, calendar, tuple(sorted(items)))
        return cls._of(node, name)

    @classmethod
    def always(cls, *, tz: str | Zone = "UTC") -> ServiceWindow:
        """Open all the time (24x7).

        >>> ServiceWindow.always().business_time("2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00")
        datetime.timedelta(seconds=82800)
        """
        name = zone_name(zone(tz))
        return cls._of(_Always(name), name)

    @classmethod
    def recurring(cls, rrule: str, *, duration: DurationLike, tz: str | Zone) -> ServiceWindow:
        """Periods of ``duration`` opening at each occurrence of an RFC 5545 rule.

        Occurrences are local wall times in ``tz``. Without a ``DTSTART`` in
        the rule the anchor is 2000-01-01 00:00 local (a Saturday), so
        unspecified ``BYMINUTE``/``BYSECOND`` mean 0 and the result never
        depends on when the code runs. Numeric rule parts outside RFC 5545's
        ranges (``BYMONTH=13``, ``INTERVAL=0``) are refused by name, and a rule
        may open at most 300 000 times a year (about every two minutes).

        >>> sunday_maintenance = ServiceWindow.recurring(
        ...     "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration="PT4H", tz="Europe/London")
        >>> [str(s.start) for s in sunday_maintenance.spans(
        ...     "2026-03-01T00:00Z", "2026-03-15T00:00Z")]
        ['2026-03-01 02:00:00+00:00', '2026-03-08 02:00:00+00:00']
        """
        zone_obj = zone(tz)
        name = zone_name(zone_obj)
        length = to_duration_us(duration, "duration")
        if length <= 0:
            raise InvalidValueError("duration", "positive", duration)
        _parse_rrule(rrule, name)  # validates
        return cls._of(_Recurring(rrule.strip(), length, name), name)

    @classmethod
    def from_spans(cls, spans: Iterable[object], *, tz: str | Zone) -> ServiceWindow:
        """One-off periods, each a ``(start, end)`` pair of instants or a :class:`Span`.

        >>> freeze = ServiceWindow.from_spans(
        ...     [("2026-12-20T00:00+01:00", "2027-01-04T00:00+01:00")], tz="Europe/Berlin")
        >>> "2026-12-31T12:00+01:00" in freeze
        True
        """
        zone_obj = zone(tz)
        name = zone_name(zone_obj)
        if isinstance(spans, str) or not isinstance(spans, Iterable):
            raise InvalidValueError("spans", "an iterable of (start, end) pairs", spans)
        pairs = merge(_span_pair(item, zone_obj) for item in spans)
        return cls._of(_Spans(tuple(pairs), name), name)

    # -- identity -----------------------------------------------------------------

    @property
    def tz(self) -> Zone:
        """The zone results are given in (and that weekly hours are read in)."""
        return self._zone

    def __repr__(self) -> str:
        text: str = self._node.text()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
        if _natural_tz(self._node) != self._tz:
            text = f"({text}).in_zone({self._tz!r})"
        return text

    def _repr_html_(self) -> str:
        """A week view for Jupyter: each day's hours as text and as a bar over 24 hours."""
        node = self._node
        title = html.escape(repr(self))
        if not isinstance(node, _Weekly):
            return f'<div class="itilkit"><code>{title}</code></div>'
        rows = []
        for day, ranges in zip(DAY_NAMES, node.week, strict=True):
            bars = "".join(
                f'<div style="position:absolute;left:{start / 864:.2f}%;'
                f"width:{(min(end, DAY) - start) / 864:.2f}%;height:100%;"
                'background:#4c9be8"></div>'
                + (
                    '<div style="position:absolute;left:0;'
                    f'width:{(end - DAY) / 864:.2f}%;height:100%;background:#9cc5ef"></div>'
                    if end > DAY
                    else ""
                )
                for start, end in ranges
            )
            rows.append(
                f"<tr><th>{day}</th><td>{html.escape(format_ranges(ranges))}</td>"
                '<td style="width:24em"><div style="position:relative;height:1em;'
                f'background:#eee">{bars}</div></td></tr>'
            )
        notes = []
        if node.holidays is not None:
            notes.append(f"closed on holidays: {html.escape(node.holidays.text())}")
        for day_date, ranges in node.overrides:
            notes.append(f"{day_date.isoformat()}: {html.escape(format_ranges(ranges))}")
        caption = "".join(f"<li>{note}</li>" for note in notes)
        return (
            f'<div class="itilkit"><code>{title}</code>'
            f"<table><tbody>{''.join(rows)}</tbody></table>"
            + (f"<ul>{caption}</ul>" if caption else "")
            + f"<small>hours are wall-clock hours in {html.escape(node.tz)}; "
            "lighter bars continue the previous evening's shift</small></div>"
        )

    def to_dict(self) -> dict[str, Any]:
        """The configuration table of a weekly or 24x7 window (what SLA documents hold).

        >>> ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE").to_dict()
        {'hours': 'Mon-Fri 08:00-17:00', 'tz': 'Europe/Berlin', 'holidays': 'DE'}
        >>> ServiceWindow.from_dict({"hours": "24x7", "tz": "UTC"}) == ServiceWindow.always()
        True
        """
        config = getattr(self._node, "config", None)
        if config is None or _natural_tz(self._node) != self._tz:
            raise InvalidValueError(
                "window", "a weekly or 24x7 window (others have no configuration form)", self
            )
        table: dict[str, Any] = config()
        return table

    @classmethod
    def from_dict(cls, table: Mapping[str, Any]) -> ServiceWindow:
        """A window from its configuration table; :class:`~itilkit.ConfigError` lists problems.

        >>> ServiceWindow.from_dict({"hours": "Mon-Fry 08:00-17:00", "tz": "Mars/Olympus"})
        Traceback (most recent call last):
        ...
        itilkit.ConfigError: 2 problems in the configuration:
          $.tz: must be an IANA time zone name such as 'Europe/Berlin' (got 'Mars/Olympus')
          $.hours: must be ... (got 'Mon-Fry 08:00-17:00')
        """
        problems = Problems()
        window = read_window(table, "$", problems)
        problems.raise_if_any()
        assert window is not None  # no problem noted: it was built
        return window

    def to_ics(
        self,
        start: InstantLike,
        end: InstantLike,
        *,
        summary: str = "Open",
        name: str | None = None,
        stamp: InstantLike | None = None,
    ) -> str:
        """An iCalendar (RFC 5545) text with one event per open period in ``[start, end)``.

        ``stamp`` is the ``DTSTAMP`` (default: ``start``; itilkit never reads the clock).
        See :mod:`itilkit._ics` and the calendars guide.
        """
        from ._ics import window_to_ics

        return window_to_ics(self, start, end, summary=summary, name=name, stamp=stamp)

    @classmethod
    def from_ics(cls, text: str | bytes, *, tz: str | Zone | None = None) -> ServiceWindow:
        """The window open during the events of an iCalendar text (RRULE, EXDATE read).

        Floating times are read in ``tz`` (refused without it); results are
        given in ``tz``, else in the first event's zone, else UTC.
        """
        from ._ics import window_from_ics

        window: ServiceWindow = window_from_ics(cls, text, tz=tz)
        return window

    def in_zone(self, tz: str | Zone) -> ServiceWindow:
        """The same set of time, with results given in another zone.

        >>> ServiceWindow.always().in_zone("Asia/Seoul").next_open("2026-01-01T00:00Z")
        DateTime(2026, 1, 1, 9, 0, 0, tzinfo=Timezone('Asia/Seoul'))
        """
        return ServiceWindow(self._node, zone_name(zone(tz)), self._index)

    # -- algebra ------------------------------------------------------------------

    def _combine(
        self, other: ServiceWindow, node_type: Callable[[Node, Node], Node]
    ) -> ServiceWindow:
        return ServiceWindow._of(node_type(self._node, other._node), self._tz)

    def __or__(self, other: object) -> ServiceWindow:
        """Open when either window is open."""
        if not isinstance(other, ServiceWindow):
            return NotImplemented
        return self._combine(other, _Union)

    def __and__(self, other: object) -> ServiceWindow:
        """Open when both windows are open."""
        if not isinstance(other, ServiceWindow):
            return NotImplemented
        return self._combine(other, _Intersection)

    def __sub__(self, other: object) -> ServiceWindow:
        """Open when this window is open and the other is not."""
        if not isinstance(other, ServiceWindow):
            return NotImplemented
        return self._combine(other, _Difference)

    # -- queries ------------------------------------------------------------------

    def __contains__(self, instant: object) -> bool:
        return self._index.contains(_instant(instant, "instant"))

    def business_time(self, start: InstantLike, end: InstantLike) -> timedelta:
        """Open time between two instants; negative when ``end`` is before ``start``.

        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="America/New_York")
        >>> w.business_time("2026-03-06T17:00-05:00", "2026-03-09T10:00-04:00")
        datetime.timedelta(seconds=7200)
        """
        st = self._index.hot
        if st is not None:  # the hot path: two aware datetimes inside the compiled years
            try:
                d = _dt_sub(start, EPOCH)
                a = (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
                d = _dt_sub(end, EPOCH)
                b = (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
            except TypeError:  # naive, a string or not an instant: the full path reads it
                pass
            else:
                lo = st.lo
                hi = st.hi
                if lo <= a < hi and lo <= b < hi:
                    # Measure.before(b) - Measure.before(a), inlined (one frame; proven
                    # equal to the full path in tests/test_fast_paths.py).
                    starts = st.starts
                    ends = st.ends
                    cum = st.cum
                    i = bisect_right(starts, a) - 1
                    if i < 0:
                        before_a = 0
                    else:
                        e = ends[i]
                        before_a = cum[i] + (a if a < e else e) - starts[i]
                    i = bisect_right(starts, b) - 1
                    if i < 0:
                        return timedelta(0, 0, -before_a)
                    e = ends[i]
                    return timedelta(0, 0, cum[i] + (b if b < e else e) - starts[i] - before_a)
        return to_timedelta(
            self._index.business_time(_instant(start, "start"), _instant(end, "end"))
        )

    def add(self, start: InstantLike, duration: DurationLike) -> pendulum.DateTime:
        """The earliest instant at which ``duration`` of open time has passed since ``start``.

        9 hours from Monday 09:00 in 09:00-18:00 is Monday 18:00, not Tuesday 09:00.

        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        >>> w.add("2026-03-02T09:00Z", "PT9H")
        DateTime(2026, 3, 2, 18, 0, 0, tzinfo=Timezone('UTC'))
        """
        st = self._index.hot
        if st is not None:  # the hot path: an aware datetime and a timedelta, in one frame
            if duration.__class__ is timedelta:
                span = (duration.days * 86_400 + duration.seconds) * 1_000_000 + (
                    duration.microseconds
                )
            else:  # pendulum's durations; 0 sends anything else to the full path
                span = td_us(duration) if isinstance(duration, timedelta) else 0
            try:
                d = _dt_sub(start, EPOCH)
            except TypeError:  # naive, a string or not an instant: the full path reads it
                pass
            else:
                a = (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
                if st.lo <= a < st.hi and span > 0:
                    # Index.add's hot path with Measure.before inlined (proven equal to
                    # the full path in tests/test_fast_paths.py).
                    starts = st.starts
                    cum = st.cum
                    i = bisect_right(starts, a) - 1
                    if i < 0:
                        target = span
                    else:
                        e = st.ends[i]
                        target = cum[i] + (a if a < e else e) - starts[i] + span
                    if target <= st.total:
                        i = bisect_left(st.cum_end, target)
                        return from_us(starts[i] + target - cum[i], self._zone)
        return from_us(
            self._index.add(_instant(start, "start"), to_duration_us(duration, "duration")),
            self._zone,
        )

    def subtract(self, end: InstantLike, duration: DurationLike) -> pendulum.DateTime:
        """The latest instant from which ``duration`` of open time reaches ``end``.

        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        >>> w.subtract("2026-03-03T10:00Z", "PT2H")
        DateTime(2026, 3, 2, 17, 0, 0, tzinfo=Timezone('UTC'))
        """
        return from_us(
            self._index.subtract(_instant(end, "end"), to_duration_us(duration, "duration")),
            self.tz,
        )

    def next_open(self, instant: InstantLike) -> pendulum.DateTime:
        """The earliest instant at or after ``instant`` at which the window is open.

        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        >>> w.next_open("2026-03-07T12:00Z"), w.next_open("2026-03-09T12:00Z")
        (DateTime(2026, 3, 9, 9, 0, 0, tzinfo=Timezone('UTC')), DateTime(2026, 3, 9, 12, 0, 0, tzinfo=Timezone('UTC')))
        """
        return from_us(self._index.next_open(_instant(instant, "instant")), self.tz)

    def next_close(self, instant: InstantLike) -> pendulum.DateTime:
        """The end of the open period containing ``instant``, or of the next one.

        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        >>> w.next_close("2026-03-09T12:00Z"), w.next_close("2026-03-07T12:00Z")
        (DateTime(2026, 3, 9, 18, 0, 0, tzinfo=Timezone('UTC')), DateTime(2026, 3, 9, 18, 0, 0, tzinfo=Timezone('UTC')))
        """
        return from_us(self._index.next_close(_instant(instant, "instant")), self.tz)

    def spans(self, start: InstantLike, end: InstantLike) -> tuple[Span, ...]:
        """The open periods clipped to ``[start, end)``.

        >>> w = ServiceWindow.weekly("Sat,Sun 22:00-06:00", tz="Europe/Berlin")
        >>> spans = w.spans("2026-03-28T12:00+01:00", "2026-03-30T12:00+02:00")
        >>> [(str(s.start), str(s.end), s.duration) for s in spans]  # clocks spring forward
        [('2026-03-28 22:00:00+01:00', '2026-03-29 06:00:00+02:00', datetime.timedelta(seconds=25200)), ('2026-03-29 22:00:00+02:00', '2026-03-30 06:00:00+02:00', datetime.timedelta(seconds=28800))]
        """
        tz = self.tz
        return tuple(
            Span(from_us(s, tz), from_us(e, tz))
            for s, e in self._index.spans(_instant(start, "start"), _instant(end, "end"))
        )

    def add_days(self, start: InstantLike, days: int) -> pendulum.DateTime:
        """``days`` business days later (or earlier), as ticket systems mean "n days".

        The same local time on the ``days``-th following day that has open
        time, moved forward into open time if it falls outside it; ``0``
        moves ``start`` itself into open time. A negative ``days`` counts
        days back, to the same local time on the ``-days``-th preceding day
        with open time, moved back into open time (to the end of the last
        open period when that time is closed). The result is never before
        ``start`` for ``days >= 0``, never after it for ``days < 0``. This is
        not ``add(start, timedelta(days=n))``, which means ``n`` x 24 hours
        of open time (about 2.7 working days per "day" on 09:00-18:00). At
        most 146,400 days (400 years) either way.

        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        >>> w.add_days("2026-03-06T15:00Z", 1)     # Friday -> Monday, same time
        DateTime(2026, 3, 9, 15, 0, 0, tzinfo=Timezone('UTC'))
        >>> w.add_days("2026-03-09T15:00Z", -1)    # Monday -> Friday
        DateTime(2026, 3, 6, 15, 0, 0, tzinfo=Timezone('UTC'))
        >>> w.add("2026-03-06T15:00Z", "P1D")      # 24 h of open time
        DateTime(2026, 3, 11, 12, 0, 0, tzinfo=Timezone('UTC'))
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise InvalidValueError("days", "a whole number of days", days)
        tz = self.tz
        return from_us(self._index.add_days(_instant(start, "start"), days, tz), tz)

    # -- integer API (microseconds since the epoch, UTC) -------------------------

    def business_time_us(self, start: int, end: int) -> int:
        """:meth:`business_time` on integer microseconds."""
        if type(start) is not int or type(end) is not int:
            start, end = _int_us(start, "start"), _int_us(end, "end")
        return self._index.business_time(start, end)

    @property
    def unchecked_business_time_us(self) -> Callable[[int, int], int]:
        """:meth:`business_time_us` without its argument checks, for engines that hold
        checked integer microseconds already (a clock run calls it per segment)."""
        return self._index.business_time

    def add_us(self, start: int, duration: int) -> int:
        """:meth:`add` on integer microseconds."""
        if type(start) is not int or type(duration) is not int:
            start, duration = _int_us(start, "start"), _int_us(duration, "duration")
        return self._index.add(start, duration)

    def add_days_us(self, start: int, days: int) -> int:
        """:meth:`add_days` on integer microseconds."""
        if isinstance(days, bool) or not isinstance(days, int):
            raise InvalidValueError("days", "a whole number of days", days)
        return self._index.add_days(_int_us(start, "start"), days, self.tz)

    def subtract_us(self, end: int, duration: int) -> int:
        """:meth:`subtract` on integer microseconds."""
        if type(end) is not int or type(duration) is not int:
            end, duration = _int_us(end, "end"), _int_us(duration, "duration")
        return self._index.subtract(end, duration)

    def contains_us(self, instant: int) -> bool:
        """``instant in window`` on integer microseconds."""
        return self._index.contains(_int_us(instant, "instant"))

    def next_open_us(self, instant: int) -> int:
        """:meth:`next_open` on integer microseconds."""
        return self._index.next_open(_int_us(instant, "instant"))

    def next_close_us(self, instant: int) -> int:
        """:meth:`next_close` on integer microseconds."""
        return self._index.next_close(_int_us(instant, "instant"))

    def spans_us(self, start: int, end: int) -> list[tuple[int, int]]:
        """:meth:`spans` on integer microseconds, as ``(start, end)`` pairs."""
        return self._index.spans(_int_us(start, "start"), _int_us(end, "end"))

    # -- many at once -------------------------------------------------------------

    def business_time_many(self, starts: Any, ends: Any) -> Any:
        """:meth:`business_time` for each pair; exactly what the scalar call returns.

        Sequences of instants give a list of ``timedelta``. numpy
        ``datetime64`` arrays (UTC by numpy's convention) and pandas Series
        (aware) give a numpy ``timedelta64[us]`` array, NaT where an input is
        NaT; this path needs numpy.

        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        >>> w.business_time_many(["2026-03-02T08:00Z"], ["2026-03-02T10:00Z"])
        [datetime.timedelta(seconds=3600)]
        """
        if _is_array_like(starts) or _is_array_like(ends):
            return self._business_time_array(starts, ends)
        starts_list = list(starts)
        ends_list = list(ends)
        if len(starts_list) != len(ends_list):
            raise InvalidValueError(
                "ends", f"as many as the starts ({len(starts_list)})", len(ends_list)
            )
        bt = self._index.business_time
        return [
            to_timedelta(bt(_instant(a, "starts[]"), _instant(b, "ends[]")))
            for a, b in zip(starts_list, ends_list, strict=True)
        ]

    def _business_time_array(self, starts: Any, ends: Any) -> Any:
        import numpy as np

        a = _to_us_array(starts, "starts")
        b = _to_us_array(ends, "ends")
        if a.shape != b.shape:
            raise InvalidValueError("ends", f"the same shape as the starts {a.shape}", b.shape)
        nat = np.iinfo(np.int64).min
        missing = (a == nat) | (b == nat)
        if missing.any():
            result = np.full(a.shape, nat, dtype=np.int64)
            keep = ~missing
            result[keep] = self._index.business_time_array(a[keep], b[keep])
        else:
            result = self._index.business_time_array(a, b)
        return result.view("timedelta64[us]")


def _int_us(value: object, field: str) -> int:
    """A microsecond count of the integer API: an ``int`` (numpy integers too), nothing else."""
    if type(value) is int:
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise InvalidValueError(field, "an int of microseconds", value)


def as_window(value: object, field: str = "window") -> ServiceWindow:
    """``value`` if it is a :class:`ServiceWindow`; else ``InvalidValueError`` naming ``field``.

    >>> as_window(ServiceWindow.always()) == ServiceWindow.always()
    True
    >>> as_window("Mon-Fri 09:00-18:00", "sla.window")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'sla.window' must be a ServiceWindow (build one with ServiceWindow.weekly(...) or ServiceWindow.always()) (got 'Mon-Fri 09:00-18:00')
    """
    if isinstance(value, ServiceWindow):
        return value
    raise InvalidValueError(
        field,
        "a ServiceWindow (build one with ServiceWindow.weekly(...) or ServiceWindow.always())",
        value,
    )


def _natural_tz(node: Any) -> str:
    """The zone a definition is written in: its own, or its leftmost part's."""
    while not hasattr(node, "tz"):
        node = node.left
    tz: str = node.tz
    return tz


def _is_array_like(value: object) -> bool:
    module = type(value).__module__.split(".")[0]
    return module in {"numpy", "pandas"}


def _to_us_array(values: Any, field: str) -> Any:
    import numpy as np

    module = type(values).__module__.split(".")[0]
    if module == "pandas":
        import pandas as pd

        series = pd.Series(values)
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif pd.api.types.is_datetime64_dtype(series.dtype):
            raise NaiveDatetimeError(
                field,
                f"Series of dtype {series.dtype}",
                "an aware Series (dtype datetime64[..., tz]) or a numpy datetime64 array in UTC",
            )
        elif series.dtype == object:
            return np.asarray([_instant(v, f"{field}[]") for v in series], dtype=np.int64)
        else:
            raise InvalidValueError(field, "a Series of aware datetimes", str(series.dtype))
        array = series.to_numpy(dtype="datetime64[us]")
        return array.astype(np.int64)
    array = np.asarray(values)
    if array.dtype.kind == "M":
        return array.astype("datetime64[us]").astype(np.int64)
    if array.dtype == object:
        return np.asarray([_instant(v, f"{field}[]") for v in array.ravel()], dtype=np.int64)
    raise InvalidValueError(field, "an array of datetime64", str(array.dtype))


# -- the document form ---------------------------------------------------------------

WINDOW_KEYS = ("hours", "tz", "holidays", "overrides")
ALWAYS = "24x7"


def read_window(document: object, path: str, problems: Problems) -> ServiceWindow | None:
    """The window a ``window`` table describes, reading each field with the converters
    :meth:`ServiceWindow.weekly` uses; problems are noted at their paths (None then).

    ``hours`` may be absent or ``"24x7"`` (always open); ``tz`` is required.
    """
    doc = problems.mapping(path, document)
    if doc is None:
        return None
    before = len(problems.items)
    problems.unknown(path, doc, WINDOW_KEYS)
    tz = None
    if "tz" not in doc:
        problems.add(f"{path}.tz", "is required")
    else:
        tz = problems.check(f"{path}.tz", lambda: zone_name(zone(doc["tz"])))
    hours = doc.get("hours", ALWAYS)
    if hours != ALWAYS:
        problems.check(f"{path}.hours", lambda: parse_week(hours))
    holidays = doc.get("holidays")
    if isinstance(holidays, list):
        holidays = tuple(holidays)
    calendar = problems.check(f"{path}.holidays", lambda: HolidayCalendar.parse(holidays))
    overrides = doc.get("overrides")
    if overrides is not None:
        table = problems.mapping(f"{path}.overrides", overrides)
        for key, value in (table or {}).items():
            where = f"{path}.overrides.{key}"
            problems.check(where, partial(parse_date, key, "overrides"))
            problems.check(where, partial(parse_ranges, value))
    if len(problems.items) > before or tz is None:
        return None
    if hours == ALWAYS and calendar is None and overrides is None:
        return ServiceWindow.always(tz=tz)
    return problems.check(
        path,
        lambda: ServiceWindow.weekly(
            "Mon-Sun 00:00-24:00" if hours == ALWAYS else hours,
            tz=tz,
            holidays=calendar,
            overrides=overrides,
        ),
    )
