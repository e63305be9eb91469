"""iCalendar (RFC 5545): service windows and the change schedule out, windows back in.

:meth:`ServiceWindow.to_ics <itilkit.ServiceWindow.to_ics>` writes one
``VEVENT`` per open period of a window in a range;
:meth:`ServiceWindow.from_ics <itilkit.ServiceWindow.from_ics>` reads a
calendar back into a window whose open time is the events' time, and
:meth:`ChangeCalendar.to_ics <itilkit.ChangeCalendar.to_ics>` publishes
freezes, maintenance windows and planned changes to the calendars people read.

Both directions are written here, on the standard library and dateutil, so
the core keeps its four dependencies. What is written:

* ``CRLF`` line endings, lines folded at 75 octets (never inside a UTF-8
  character), ``TEXT`` values escaped (``\\``, ``;``, ``,`` and newlines);
* times in the window's IANA zone (``DTSTART;TZID=Europe/Berlin:...``) with a
  ``VTIMEZONE`` that spells out that zone's offsets over the range, or in UTC
  (``...Z``) for UTC and for the second reading of a wall time that a DST
  fall-back repeats (RFC 5545 reads a repeated local time as its first);
* deterministic ``UID`` values (a change's is its id), and a ``DTSTAMP``
  that is ``stamp=`` or, since itilkit never reads the clock, the range start.

iCalendar counts in whole seconds: a boundary with a fraction of a second is
refused rather than rounded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
from dateutil import rrule as rrule_lib

from ._errors import InvalidValueError, UnknownZoneError
from ._intervals import merge
from ._time import (
    US_PER_SECOND,
    InstantLike,
    Zone,
    from_us,
    local_datetime,
    to_us,
    zone,
    zone_name,
)

if TYPE_CHECKING:
    from ._change import ChangeRequest

# The window and the calendar call in here from their methods; naming their classes
# would tie this edge back to them, so they travel as what they are to this module.
ServiceWindow: TypeAlias = Any
"""A :class:`~itilkit.ServiceWindow` (its ``spans``, ``tz`` and constructors are used)."""
ChangeCalendar: TypeAlias = Any
"""A :class:`~itilkit.ChangeCalendar` (its freezes and maintenance windows are used)."""

__all__ = ["MAX_EXPANDED_OCCURRENCES", "calendar_to_ics", "window_from_ics", "window_to_ics"]

PRODID = "-//itilkit//itilkit iCalendar//EN"
"""The ``PRODID`` of every calendar itilkit writes."""

MAX_EXPANDED_OCCURRENCES = 100_000
"""The most occurrences a finite all-day recurring event may have when it is read."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UTC_NAMES = {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "GMT", "Etc/GMT"}

# ------------------------------------------------------------------------- writing


def escape_text(value: str) -> str:
    r"""A ``TEXT`` value escaped as RFC 5545 says: ``\\``, ``\;``, ``\,`` and ``\n``.

    >>> escape_text("a,b;c\\d\r\ne")
    'a\\,b\\;c\\\\d\\ne'
    """
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded into lines of at most 75 octets, joined by ``CRLF``.

    A fold never splits a UTF-8 character; each continuation starts with a space.

    >>> fold("DESCRIPTION:" + "x" * 70).split("\\r\\n")
    ['DESCRIPTION:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', ' xxxxxxx']
    """
    out: list[str] = []
    current: list[str] = []
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [" "], 1, 75
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def _whole_seconds(us: int, field: str, given: object) -> None:
    if us % US_PER_SECOND:
        raise InvalidValueError(
            field, "a whole second (iCalendar has no fractions of a second)", given
        )


def _utc_text(us: int) -> str:
    moment = _EPOCH + timedelta(microseconds=us)
    return moment.strftime("%Y%m%dT%H%M%S").zfill(15) + "Z"


def _wall_text(wall: datetime) -> str:
    return (
        f"{wall.year:04d}{wall.month:02d}{wall.day:02d}"
        f"T{wall.hour:02d}{wall.minute:02d}{wall.second:02d}"
    )


def _iana(tz: Zone | None) -> Zone | None:
    """The IANA zone of ``tz``, or None for a fixed offset (it has no rules to write)."""
    if tz is None:
        return None
    try:
        return zone(tz)
    except InvalidValueError:
        return None


def _is_utc(name: str) -> bool:
    return name in _UTC_NAMES


@attrs.define
class _Writer:
    """Collects events and the zones they use, then writes the calendar."""

    stamp: str
    name: str | None = None
    lines: list[str] = attrs.field(factory=list)
    zones: dict[str, list[int]] = attrs.field(factory=dict)

    def when(self, prop: str, us: int, tz: Zone | None) -> str:
        """``DTSTART``/``DTEND`` of an instant: local with TZID when that reads back, else UTC."""
        tz = _iana(tz)
        name = zone_name(tz) if tz is not None else "UTC"
        if tz is None or _is_utc(name):
            return f"{prop}:{_utc_text(us)}"
        wall = local_datetime(us, tz).replace(tzinfo=None)
        if to_us(wall.replace(tzinfo=tz, fold=0)) != us:  # the repeated hour's second reading
            return f"{prop}:{_utc_text(us)}"
        self.zones.setdefault(name, []).append(us)
        return f"{prop};TZID={name}:{_wall_text(wall)}"

    def event(
        self,
        uid: str,
        start: int,
        end: int,
        tz: Zone | None,
        *,
        summary: str,
        categories: Iterable[str] = (),
        description: str | None = None,
        status: str | None = None,
    ) -> None:
        self.lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(uid)}",
            f"DTSTAMP:{self.stamp}",
            self.when("DTSTART", start, tz),
            self.when("DTEND", end, tz),
            f"SUMMARY:{escape_text(summary)}",
        ]
        names = [escape_text(c) for c in categories]
        if names:
            self.lines.append("CATEGORIES:" + ",".join(names))
        if description is not None:
            self.lines.append(f"DESCRIPTION:{escape_text(description)}")
        if status is not None:
            self.lines.append(f"STATUS:{status}")
        self.lines += ["TRANSP:OPAQUE", "END:VEVENT"]

    def text(self) -> str:
        head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
        if self.name is not None:
            head.append(f"X-WR-CALNAME:{escape_text(self.name)}")
        for name in sorted(self.zones):
            instants = self.zones[name]
            head += _vtimezone(name, min(instants), max(instants))
        return "".join(fold(line) + "\r\n" for line in [*head, *self.lines, "END:VCALENDAR"])


def _offset_text(us: int) -> str:
    sign = "-" if us < 0 else "+"
    seconds = abs(us) // US_PER_SECOND
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _observance(us: int, tz: Zone) -> tuple[int, int, str]:
    local = local_datetime(us, tz)
    offset, dst = local.utcoffset(), local.dst()
    assert offset is not None
    return (
        offset // timedelta(microseconds=1),
        0 if not dst else 1,
        local.tzname() or "",
    )


def _transitions(lo: int, hi: int, tz: Zone) -> Iterator[int]:
    """The instants in ``(lo, hi]`` at which ``tz`` changes its offset, name or DST flag."""
    step = 86_400 * US_PER_SECOND
    at = lo
    before = _observance(at, tz)
    while at < hi:
        nxt = min(at + step, hi)
        after = _observance(nxt, tz)
        if after != before:
            a, b = at, nxt  # the change lies in (a, b]
            while b - a > US_PER_SECOND:
                mid = a + max(US_PER_SECOND, (b - a) // 2 // US_PER_SECOND * US_PER_SECOND)
                if _observance(mid, tz) == before:
                    a = mid
                else:
                    b = mid
            yield b
        before, at = after, nxt


def _vtimezone(name: str, lo: int, hi: int) -> list[str]:
    """A VTIMEZONE for ``name`` that is right from a day before ``lo`` to a day after ``hi``.

    Each observance is one ``STANDARD`` or ``DAYLIGHT`` block whose
    ``DTSTART`` is the local time (before the change) at which it begins,
    so the block is exact for the range without restating the zone's rules.
    """
    tz = zone(name)
    day = 86_400 * US_PER_SECOND
    lo = (lo - day) // US_PER_SECOND * US_PER_SECOND
    hi = hi + day
    out = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    offset, dst, abbr = _observance(lo, tz)
    previous = offset
    starts = [(lo, offset, dst, abbr)]
    for at in _transitions(lo, hi, tz):
        offset, dst, abbr = _observance(at, tz)
        starts.append((at, offset, dst, abbr))
    for i, (at, offset, dst, abbr) in enumerate(starts):
        before = previous if i else offset
        wall = _EPOCH + timedelta(microseconds=at + before)
        kind = "DAYLIGHT" if dst else "STANDARD"
        out += [
            f"BEGIN:{kind}",
            f"DTSTART:{_wall_text(wall)}",
            f"TZOFFSETFROM:{_offset_text(before)}",
            f"TZOFFSETTO:{_offset_text(offset)}",
        ]
        if abbr:
            out.append(f"TZNAME:{escape_text(abbr)}")
        out.append(f"END:{kind}")
        previous = offset
    out.append("END:VTIMEZONE")
    return out


def _range(start: InstantLike, end: InstantLike) -> tuple[int, int]:
    lo, hi = to_us(start, "start"), to_us(end, "end")
    if hi < lo:
        raise InvalidValueError("end", "at or after 'start'", end)
    _whole_seconds(lo, "start", start)
    _whole_seconds(hi, "end", end)
    return lo, hi


def _stamp(stamp: InstantLike | None, lo: int) -> str:
    us = lo if stamp is None else to_us(stamp, "stamp")
    return _utc_text(us // US_PER_SECOND * US_PER_SECOND)


def _uid(kind: str, *parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:24]
    return f"{kind}-{digest}@itilkit"


def _window_events(
    writer: _Writer,
    window: ServiceWindow,
    lo: int,
    hi: int,
    *,
    summary: str,
    category: str | None,
) -> None:
    identity = repr(window)
    for start, end in window.spans_us(lo, hi):
        _whole_seconds(start, "window", window)
        _whole_seconds(end, "window", window)
        writer.event(
            _uid(category.lower() if category else "open", identity, start, end),
            start,
            end,
            window.tz,
            summary=summary,
            categories=[category] if category else [],
        )


def window_to_ics(
    window: ServiceWindow,
    start: InstantLike,
    end: InstantLike,
    *,
    summary: str = "Open",
    name: str | None = None,
    stamp: InstantLike | None = None,
) -> str:
    """The calendar of ``window``'s open periods in ``[start, end)``, one ``VEVENT`` each."""
    if not isinstance(summary, str):
        raise InvalidValueError("summary", "a string", summary)
    if name is not None and not isinstance(name, str):
        raise InvalidValueError("name", "a string or None", name)
    lo, hi = _range(start, end)
    writer = _Writer(_stamp(stamp, lo), name)
    _window_events(writer, window, lo, hi, summary=summary, category=None)
    return writer.text()


#: The calendar STATUS of a change in each lifecycle state.
_CHANGE_STATUS = {
    "draft": "TENTATIVE",
    "assess": "TENTATIVE",
    "authorise": "TENTATIVE",
    "scheduled": "CONFIRMED",
    "implement": "CONFIRMED",
    "review": "CONFIRMED",
    "closed": "CONFIRMED",
    "canceled": "CANCELLED",
}


def change_description(change: ChangeRequest) -> str:
    """The ``DESCRIPTION`` of a change's event: id, type, risk, state and items."""
    items = ", ".join(sorted(change.items)) or "(none)"
    return (
        f"Change {change.id}\n"
        f"Type: {change.type.value}\n"
        f"Risk: {change.risk.label}\n"
        f"State: {change.state.value}\n"
        f"Items: {items}"
    )


def calendar_to_ics(
    calendar: ChangeCalendar,
    changes: Iterable[ChangeRequest],
    *,
    start: InstantLike,
    end: InstantLike,
    name: str | None = "Change schedule",
    stamp: InstantLike | None = None,
) -> str:
    """The change schedule in ``[start, end)``: freezes, maintenance windows and changes."""
    from ._change import ChangeRequest  # a sibling of the domain layer, read at call time

    if isinstance(changes, str) or not isinstance(changes, Iterable):
        raise InvalidValueError("changes", "an iterable of ChangeRequests", changes)
    planned = list(changes)
    for i, item in enumerate(planned):
        if not isinstance(item, ChangeRequest):
            raise InvalidValueError(f"changes[{i}]", "a ChangeRequest", item)
    lo, hi = _range(start, end)
    writer = _Writer(_stamp(stamp, lo), name)
    if calendar.freeze is not None:
        _window_events(writer, calendar.freeze, lo, hi, summary="Change freeze", category="FREEZE")
    if calendar.maintenance is not None:
        _window_events(
            writer,
            calendar.maintenance,
            lo,
            hi,
            summary="Maintenance window",
            category="MAINTENANCE",
        )
    for change in sorted(planned, key=lambda c: (c.start_us, c.id)):
        if not (change.start_us < hi and change.end_us > lo):
            continue
        _whole_seconds(change.start_us, f"{change.id}.start", change.start)
        _whole_seconds(change.end_us, f"{change.id}.end", change.end)
        tz = change.start.tzinfo
        writer.event(
            f"{change.id}@itilkit",
            change.start_us,
            change.end_us,
            tz,
            summary=f"{change.id}: {change.type.value} change, {change.risk.label} risk",
            categories=["CHANGE"],
            description=change_description(change),
            status=_CHANGE_STATUS[change.state.value],
        )
    return writer.text()


# ------------------------------------------------------------------------- reading


@attrs.frozen
class _Line:
    number: int
    name: str
    params: dict[str, str]
    value: str


def _unfold(text: str) -> Iterator[tuple[int, str]]:
    """Logical content lines with the number of their first physical line."""
    number, current = 0, None
    for n, raw in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        if raw[:1] in (" ", "\t") and current is not None:
            current += raw[1:]
            continue
        if current is not None and current.strip():
            yield number, current
        number, current = n, raw
    if current is not None and current.strip():
        yield number, current


_NAME = re.compile(r"[A-Za-z0-9-]+")


def _content_line(number: int, raw: str) -> _Line:
    """``NAME;PARAM=VALUE;...:VALUE`` split, with quoted parameter values."""
    bad = InvalidValueError(
        f"line {number}", "an iCalendar content line such as 'NAME;PARAM=x:value'", raw
    )
    match = _NAME.match(raw)
    if match is None:
        raise bad
    name, i = match.group().upper(), match.end()
    params: dict[str, str] = {}
    while i < len(raw) and raw[i] == ";":
        key = _NAME.match(raw, i + 1)
        if key is None or raw[key.end() : key.end() + 1] != "=":
            raise bad
        i = key.end() + 1
        values: list[str] = []
        while True:
            if raw[i : i + 1] == '"':
                close = raw.find('"', i + 1)
                if close < 0:
                    raise bad
                values.append(raw[i + 1 : close])
                i = close + 1
            else:
                stop = re.compile(r"[;:,]").search(raw, i)
                if stop is None:
                    raise bad
                values.append(raw[i : stop.start()])
                i = stop.start()
            if raw[i : i + 1] != ",":
                break
            i += 1
        params[key.group().upper()] = ",".join(values)
    if raw[i : i + 1] != ":":
        raise bad
    return _Line(number, name, params, raw[i + 1 :])


_DATE_TIME = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$")


@attrs.frozen
class _When:
    """A DATE or DATE-TIME value: the wall time, and its zone (None: floating)."""

    wall: datetime
    tz: Zone | None
    is_date: bool

    def us(self) -> int:
        assert self.tz is not None
        return to_us(self.wall.replace(tzinfo=self.tz, fold=0))


@attrs.define
class _Reader:
    tz: Zone | None

    def zone_of(self, line: _Line) -> Zone | None:
        tzid = line.params.get("TZID")
        if tzid is None:
            return self.tz
        for candidate in (tzid, "/".join(tzid.strip("/").split("/")[-2:])):
            try:
                return zone(candidate)
            except UnknownZoneError:
                continue
        raise InvalidValueError(
            f"TZID (line {line.number})", "an IANA time zone name such as 'Europe/Berlin'", tzid
        )

    def values(self, line: _Line) -> list[_When]:
        out = []
        for item in line.value.split(","):
            match = _DATE_TIME.match(item.strip())
            kind = line.params.get("VALUE", "DATE-TIME").upper()
            if match is None or kind not in {"DATE", "DATE-TIME"}:
                raise InvalidValueError(
                    f"{line.name} (line {line.number})",
                    "a DATE-TIME such as '20260302T090000Z' or a DATE such as '20260302'",
                    line.value,
                )
            year, month, day, hh, mm, ss, z = match.groups()
            is_date = hh is None
            try:
                wall = datetime(
                    int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0)
                )
            except ValueError:
                raise InvalidValueError(
                    f"{line.name} (line {line.number})", "a real date and time", line.value
                ) from None
            tz = zone("UTC") if z else self.zone_of(line)
            if tz is None:
                raise InvalidValueError(
                    f"{line.name} (line {line.number})",
                    "a UTC or TZID time; a floating (local) time needs from_ics(..., tz=...)",
                    line.value,
                )
            out.append(_When(wall, tz, is_date))
        return out

    def one(self, line: _Line) -> _When:
        found = self.values(line)
        if len(found) != 1:
            raise InvalidValueError(
                f"{line.name} (line {line.number})", "a single date or date-time", line.value
            )
        return found[0]


_DURATION = re.compile(
    r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.IGNORECASE
)


def _duration(line: _Line) -> tuple[int, int]:
    """An RFC 5545 duration as (nominal days, exact microseconds)."""
    match = _DURATION.match(line.value.strip())
    if match is None or line.value.strip().upper() in {"P", "PT", "+P", "-P"}:
        raise InvalidValueError(
            f"DURATION (line {line.number})", "an RFC 5545 duration such as 'PT4H'", line.value
        )
    sign, weeks, days, hours, minutes, seconds = match.groups()
    n = int(weeks or 0) * 7 + int(days or 0)
    us = (int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)) * US_PER_SECOND
    return (-n, -us) if sign == "-" else (n, us)


def _components(lines: list[_Line]) -> list[dict[str, list[_Line]]]:
    """The VEVENTs of a calendar (their own lines; alarms and other parts skipped)."""
    stack: list[tuple[str, int]] = []
    events: list[dict[str, list[_Line]]] = []
    current: dict[str, list[_Line]] | None = None
    seen_calendar = False
    for line in lines:
        if line.name == "BEGIN":
            kind = line.value.strip().upper()
            if not stack and kind != "VCALENDAR":
                raise InvalidValueError(f"line {line.number}", "BEGIN:VCALENDAR", line.value)
            seen_calendar = True
            stack.append((kind, line.number))
            if kind == "VEVENT" and len(stack) == 2:
                current = {}
            continue
        if line.name == "END":
            kind = line.value.strip().upper()
            if not stack or stack[-1][0] != kind:
                expected = f"END:{stack[-1][0]}" if stack else "no END before BEGIN"
                raise InvalidValueError(f"line {line.number}", expected, f"END:{line.value}")
            stack.pop()
            if kind == "VEVENT" and len(stack) == 1 and current is not None:
                events.append(current)
                current = None
            continue
        if not stack:
            raise InvalidValueError(f"line {line.number}", "inside BEGIN:VCALENDAR", line.value)
        if current is not None and len(stack) == 2:
            current.setdefault(line.name, []).append(line)
    if stack:
        kind, number = stack[-1]
        raise InvalidValueError(f"line {number}", f"closed by END:{kind}", f"BEGIN:{kind}")
    if not seen_calendar:
        raise InvalidValueError(
            "text", "an iCalendar text (BEGIN:VCALENDAR ... END:VCALENDAR)", ""
        )
    return events


def _single(event: dict[str, list[_Line]], name: str) -> _Line | None:
    found = event.get(name, [])
    if len(found) > 1:
        raise InvalidValueError(
            f"{name} (line {found[1].number})",
            f"given once per VEVENT (also line {found[0].number})",
            found[1].value,
        )
    return found[0] if found else None


def _end_of(reader: _Reader, event: dict[str, list[_Line]], start: _When, first: _Line) -> int:
    """The end instant of an event (DTEND, DURATION, or RFC 5545's defaults)."""
    dtend, duration = _single(event, "DTEND"), _single(event, "DURATION")
    if dtend is not None and duration is not None:
        raise InvalidValueError(
            f"DURATION (line {duration.number})", "absent when DTEND is given", duration.value
        )
    begin = start.us()
    assert start.tz is not None
    if dtend is not None:
        end = reader.one(dtend)
        if end.is_date != start.is_date:
            raise InvalidValueError(
                f"DTEND (line {dtend.number})",
                "of the same type (DATE or DATE-TIME) as DTSTART",
                dtend.value,
            )
        stop = end.us() if end.tz is not None else begin
    elif duration is not None:
        days, exact = _duration(duration)
        try:
            wall = start.wall + timedelta(days=days)
            stop = to_us(wall.replace(tzinfo=start.tz, fold=0)) + exact
            local_datetime(stop, start.tz)  # a real instant, within the years 1 to 9999
        except (ValueError, OverflowError):
            raise InvalidValueError(
                f"DURATION (line {duration.number})",
                "a duration that ends within the years 1 to 9999",
                duration.value,
            ) from None
    elif start.is_date:
        stop = to_us((start.wall + timedelta(days=1)).replace(tzinfo=start.tz, fold=0))
    else:
        stop = begin
    if stop < begin:
        where = dtend if dtend is not None else duration
        assert where is not None
        raise InvalidValueError(
            f"{where.name} (line {where.number})",
            f"not before DTSTART (line {first.number})",
            where.value,
        )
    return stop


def _rule_text(reader: _Reader, event: dict[str, list[_Line]], start: _When) -> str:
    """DTSTART, RRULE and EXDATE lines in ``start``'s wall time, for ServiceWindow.recurring."""
    assert start.tz is not None
    tz = start.tz

    def local(when: _When) -> str:
        wall = (
            local_datetime(when.us(), tz).replace(tzinfo=None) if when.tz is not tz else when.wall
        )
        return _wall_text(wall)

    rule_line = _single(event, "RRULE")
    assert rule_line is not None
    parts = []
    for part in rule_line.value.strip().split(";"):
        key, _, value = part.partition("=")
        if key.strip().upper() == "UNTIL":
            moment = _DATE_TIME.match(value.strip())
            if moment is None:
                raise InvalidValueError(
                    f"RRULE (line {rule_line.number})",
                    "an UNTIL such as '20261231T000000Z' or '20261231'",
                    rule_line.value,
                )
            year, month, day, hh, mm, ss, z = moment.groups()
            try:
                wall = datetime(int(year), int(month), int(day), int(hh or 23), int(mm or 59))
                wall = wall.replace(second=int(ss or 59))
                if z:  # UTC, as RFC 5545 wants with a TZID start: read in the start's wall time
                    utc = to_us(wall.replace(tzinfo=UTC))
                    wall = local_datetime(utc, tz).replace(tzinfo=None)
            except (ValueError, OverflowError):
                raise InvalidValueError(
                    f"RRULE (line {rule_line.number})",
                    "an UNTIL that is a real date and time",
                    rule_line.value,
                ) from None
            part = f"UNTIL={_wall_text(wall)}"
        parts.append(part)
    lines = [f"DTSTART:{_wall_text(start.wall)}", "RRULE:" + ";".join(parts)]
    for exdate in event.get("EXDATE", []):
        for when in reader.values(exdate):
            if when.is_date:  # an all-day EXDATE removes that day's occurrence
                day = datetime.combine(when.wall.date(), start.wall.time())
                lines.append(f"EXDATE:{_wall_text(day)}")
            else:
                lines.append(f"EXDATE:{local(when)}")
    return "\n".join(lines)


def _expand_days(
    reader: _Reader, event: dict[str, list[_Line]], start: _When, days: int
) -> list[tuple[int, int]]:
    """The periods of a finite all-day recurring event, each day midnight to midnight."""
    assert start.tz is not None
    rule_line = _single(event, "RRULE")
    assert rule_line is not None
    upper = rule_line.value.upper()
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        raise InvalidValueError(
            f"RRULE (line {rule_line.number})",
            "finite (COUNT or UNTIL) on an all-day event; an endless all-day rule has no"
            " fixed duration across DST, write it as a timed event",
            rule_line.value,
        )
    text = "RRULE:" + re.sub(r"UNTIL=(\d{8})(T\d{6}Z?)?", r"UNTIL=\1", rule_line.value.strip())
    try:
        rule = rrule_lib.rrulestr(text, dtstart=start.wall, forceset=True, cache=False)
    except (ValueError, TypeError) as exc:
        raise InvalidValueError(
            f"RRULE (line {rule_line.number})",
            f"an RFC 5545 recurrence rule ({exc})",
            rule_line.value,
        ) from None
    for exdate in event.get("EXDATE", []):
        for when in reader.values(exdate):
            rule.exdate(datetime.combine(when.wall.date(), time()))
    out = []
    for n, occurrence in enumerate(rule):
        if n >= MAX_EXPANDED_OCCURRENCES:
            raise InvalidValueError(
                f"RRULE (line {rule_line.number})",
                f"at most {MAX_EXPANDED_OCCURRENCES} occurrences",
                rule_line.value,
            )
        begin = to_us(occurrence.replace(tzinfo=start.tz, fold=0))
        stop = to_us((occurrence + timedelta(days=days)).replace(tzinfo=start.tz, fold=0))
        out.append((begin, stop))
    return out


def window_from_ics(
    window_type: type[ServiceWindow], text: object, *, tz: object = None
) -> ServiceWindow:
    """The window open during the events of an iCalendar text (see ServiceWindow.from_ics).

    ``window_type`` is :class:`~itilkit.ServiceWindow` itself, handed in by its
    hook so that this edge never imports the engine back (no import cycle).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidValueError("text", "UTF-8 iCalendar text", text[:40]) from None
    if not isinstance(text, str):
        raise InvalidValueError("text", "iCalendar text (str or bytes)", text)
    reader = _Reader(None if tz is None else zone(tz))
    lines = [_content_line(n, raw) for n, raw in _unfold(text)]
    events = _components(lines)
    spans: list[tuple[int, int]] = []
    rules: list[ServiceWindow] = []
    first_zone: Zone | None = reader.tz
    overridden: dict[str, list[_Line]] = {}
    for event in events:
        recurrence = _single(event, "RECURRENCE-ID")
        uid = _single(event, "UID")
        if recurrence is not None and uid is not None:
            overridden.setdefault(uid.value, []).append(recurrence)
    for event in events:
        dtstart = _single(event, "DTSTART")
        if dtstart is None:
            raise InvalidValueError("VEVENT", "a DTSTART", "")
        status = _single(event, "STATUS")
        start = reader.one(dtstart)
        if first_zone is None and start.tz is not None and not start.is_date:
            first_zone = start.tz
        has_rule = _single(event, "RRULE") is not None
        uid = _single(event, "UID")
        if has_rule and uid is not None and _single(event, "RECURRENCE-ID") is None:
            for moved in overridden.get(uid.value, []):  # occurrences given as their own events
                event.setdefault("EXDATE", []).append(moved)
        if status is not None and status.value.strip().upper() == "CANCELLED":
            continue
        for name in ("RDATE", "EXRULE"):
            if name in event:
                where = event[name][0]
                raise InvalidValueError(
                    f"{name} (line {where.number})",
                    "absent (RDATE and EXRULE are not read; write the dates as events)",
                    where.value,
                )
        stop = _end_of(reader, event, start, dtstart)
        begin = start.us()
        if not has_rule:
            if begin < stop:
                spans.append((begin, stop))
            continue
        if begin == stop:
            continue
        if start.is_date:
            days = (stop - begin + 12 * 3600 * US_PER_SECOND) // (86_400 * US_PER_SECOND)
            spans.extend(_expand_days(reader, event, start, max(days, 1)))
            continue
        assert start.tz is not None
        rule = _rule_text(reader, event, start)
        rules.append(
            window_type.recurring(rule, duration=timedelta(microseconds=stop - begin), tz=start.tz)
        )
    out_zone = first_zone if first_zone is not None else zone("UTC")
    window = window_type.from_spans(
        [(from_us(a, out_zone), from_us(b, out_zone)) for a, b in merge(spans)], tz=out_zone
    )
    for rule_window in rules:
        window = window | rule_window
    return window.in_zone(out_zone)
