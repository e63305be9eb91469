"""Parsing and printing of service-hours specs such as ``"Mon-Fri 09:00-18:00"``.

A spec is a list of clauses separated by ``;``. Each clause names days and
the time ranges open on them::

    Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00
    Sun-Thu 22:00-06:00          (an end at or before its start runs into the next day)
    Mon-Sun 00:00-24:00          (24:00 is allowed as an end)
    09:00-17:00                  (no days: every day)
    24x7                         (every hour of every day; also "24/7")

Days are ``Mon`` ... ``Sun`` (or full names, any case), ranges of days wrap
(``Fri-Mon``), lists use commas (``Mon,Wed,Fri``). A range is
``HH:MM-HH:MM`` (seconds allowed: ``HH:MM:SS``).

Internally a day's hours are a sorted tuple of ``(start, end)`` seconds from
local midnight of that day, with ``end`` above 86 400 for an overnight range.
Overlapping ranges of the same day are merged, so two specs that open the same
hours compare equal and print alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import time

from ._errors import WindowSpecError, show
from ._intervals import merge

__all__ = [
    "ALWAYS_WORDS",
    "DAY_NAMES",
    "DayHours",
    "WeekHours",
    "format_ranges",
    "format_week",
    "is_always",
    "parse_ranges",
    "parse_week",
]

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_LOOKUP = {
    **{name.lower(): i for i, name in enumerate(DAY_NAMES)},
    **{
        full: i
        for i, full in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{name.lower(): i for i, name in enumerate(("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"))},
}
_EVERY_DAY_WORDS = {"daily", "everyday", "every day"}
#: Specs that mean every hour of every day.
ALWAYS_WORDS = frozenset({"24x7", "24/7", "24 x 7"})
DAY = 86_400

DayHours = tuple[tuple[int, int], ...]
WeekHours = tuple[DayHours, DayHours, DayHours, DayHours, DayHours, DayHours, DayHours]

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _parse_time(token: str, spec: object, *, is_end: bool) -> int:
    match = _TIME.match(token)
    if match is None:
        raise WindowSpecError(spec, token, "a time written HH:MM or HH:MM:SS")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if hours == 24 and minutes == 0 and seconds == 0 and is_end:
        return DAY
    if hours > 23 or minutes > 59 or seconds > 59:
        raise WindowSpecError(
            spec, token, "a time of day from 00:00 to 23:59:59 (24:00 only as an end)"
        )
    return hours * 3600 + minutes * 60 + seconds


def _parse_range(token: str, spec: object) -> tuple[int, int]:
    parts = token.split("-")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise WindowSpecError(spec, token, "a time range written HH:MM-HH:MM")
    start = _parse_time(parts[0].strip(), spec, is_end=False)
    end = _parse_time(parts[1].strip(), spec, is_end=True)
    if end <= start:  # runs into the next day
        end += DAY
    return start, end


def _merge(ranges: Iterable[tuple[int, int]]) -> DayHours:
    return tuple(merge(ranges))


def parse_ranges(value: object, spec: object | None = None) -> DayHours:
    """The ranges of one day from ``"09:00-12:00,13:00-18:00"``, a list of such, or time pairs.

    ``"closed"`` and an empty list give no ranges.

    >>> parse_ranges("13:00-18:00, 09:00-12:00")
    ((32400, 43200), (46800, 64800))
    >>> parse_ranges("22:00-06:00")
    ((79200, 108000),)
    """
    spec = value if spec is None else spec
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "closed" or not text:
            return ()
        return _merge(_parse_range(token.strip(), spec) for token in text.split(","))
    if isinstance(value, Iterable):
        ranges: list[tuple[int, int]] = []
        for item in value:
            if isinstance(item, str):
                ranges.extend(parse_ranges(item, spec))
            elif (
                isinstance(item, tuple | list)
                and len(item) == 2
                and all(isinstance(t, time) for t in item)
            ):
                start = item[0].hour * 3600 + item[0].minute * 60 + item[0].second
                end = item[1].hour * 3600 + item[1].minute * 60 + item[1].second
                ranges.append((start, end + DAY if end <= start else end))
            else:
                raise WindowSpecError(
                    spec, show(item), "a range 'HH:MM-HH:MM' or a (time, time) pair"
                )
        return _merge(ranges)
    raise WindowSpecError(
        spec, show(value), "a range string such as '09:00-18:00' or a list of them"
    )


def _parse_days(token: str, spec: object) -> list[int]:
    text = token.strip().lower()
    if text in _EVERY_DAY_WORDS:
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = _DAY_LOOKUP.get(first.strip()), _DAY_LOOKUP.get(last.strip())
            if a is None or b is None:
                raise WindowSpecError(spec, part, "a day range such as 'Mon-Fri'")
            days.extend((a + i) % 7 for i in range((b - a) % 7 + 1))
        else:
            day = _DAY_LOOKUP.get(part)
            if day is None:
                raise WindowSpecError(spec, part, "a day name such as 'Mon'")
            days.append(day)
    return days


def parse_week(value: object) -> WeekHours:
    """The hours of each weekday (Monday first) from a spec string or a day mapping.

    >>> week = parse_week("Mon-Fri 09:00-18:00; Sat 10:00-14:00")
    >>> week[0], week[5], week[6]
    (((32400, 64800),), ((36000, 50400),), ())
    >>> parse_week({"Sun-Thu": "22:00-06:00"})[6]
    ((79200, 108000),)
    >>> parse_week("Mon-Fry 09:00-18:00")
    Traceback (most recent call last):
    ...
    itilkit.WindowSpecError: 'hours' must be a day range such as 'Mon-Fri'; bad token 'mon-fry' (got 'Mon-Fry 09:00-18:00')
    """
    per_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    if isinstance(value, str):
        if value.strip().lower() == "closed":
            return ((),) * 7
        if is_always(value):
            return (((0, DAY),),) * 7
        clauses = [clause.strip() for clause in value.split(";")]
        if not any(clauses):
            raise WindowSpecError(value, value, "a non-empty spec such as 'Mon-Fri 09:00-18:00'")
        for clause in clauses:
            if not clause:
                continue
            head = clause.partition(" ")[0]
            if _TIME.match(head.split("-")[0].strip()) is not None:
                days, ranges = list(range(7)), clause
            else:
                days_text, ranges = _split_days(clause)
                days = _parse_days(days_text, value)
                if not ranges.strip():
                    raise WindowSpecError(value, clause, "days followed by time ranges")
            for day in days:
                per_day[day].extend(parse_ranges(ranges, value))
    elif isinstance(value, Mapping):
        if not value:
            raise WindowSpecError(
                value, "{}", "a mapping of days to ranges such as {'Mon-Fri': ...}"
            )
        for key, ranges_value in value.items():
            if not isinstance(key, str):
                raise WindowSpecError(value, show(key), "a day name such as 'Mon' or 'Mon-Fri'")
            for day in _parse_days(key, value):
                per_day[day].extend(parse_ranges(ranges_value, value))
    else:
        raise WindowSpecError(value, show(value), "a spec string or a mapping of days to ranges")
    return tuple(_merge(ranges) for ranges in per_day)  # type: ignore[return-value]


def is_always(value: object) -> bool:
    """Whether a spec means every hour of every day (``"24x7"``).

    >>> is_always(" 24X7 "), is_always("Mon-Sun 00:00-24:00")
    (True, False)
    """
    return isinstance(value, str) and value.strip().lower() in ALWAYS_WORDS


def _split_days(clause: str) -> tuple[str, str]:
    """Split ``"Mon, Wed 09:00-12:00"`` into its days and its ranges."""
    match = re.search(r"\d", clause)
    if match is None:
        return clause, ""
    return clause[: match.start()].strip(), clause[match.start() :]


def _format_time(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def format_ranges(ranges: DayHours) -> str:
    """The text of one day's ranges (``"closed"`` for none).

    >>> format_ranges(((79200, 108000), (0, 86400)))
    '22:00-06:00,00:00-24:00'
    """
    if not ranges:
        return "closed"
    parts = []
    for start, end in ranges:
        shown_end = end - DAY if end > DAY else end
        parts.append(f"{_format_time(start)}-{_format_time(shown_end)}")
    return ",".join(parts)


def format_week(week: WeekHours) -> str:
    """The canonical spec text of a week: identical days grouped, runs of days joined.

    >>> format_week(parse_week("Sat 10:00-14:00; Mon-Fri 09:00-12:00,12:00-18:00"))
    'Mon-Fri 09:00-18:00; Sat 10:00-14:00'
    >>> format_week(parse_week("Mon,Wed,Fri 08:00-10:00"))
    'Mon,Wed,Fri 08:00-10:00'
    >>> format_week(parse_week("Sun-Thu 22:00-06:00"))
    'Sun-Thu 22:00-06:00'
    """
    groups: dict[DayHours, list[int]] = {}
    for day, ranges in enumerate(week):
        if ranges:
            groups.setdefault(ranges, []).append(day)
    clauses = []
    for ranges, days in groups.items():
        clauses.append(f"{_format_days(days)} {format_ranges(ranges)}")
    return "; ".join(clauses) if clauses else "closed"


def _format_days(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:  # a run across Sunday
        runs = [runs[-1] + runs[0], *runs[1:-1]]
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return ",".join(parts)
