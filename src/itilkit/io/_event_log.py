"""Reading ticket-system audit exports (event logs) into incidents.

An *event log* is what ticket systems export for process mining and audits:
one row per update of a ticket, carrying the ticket's id, its state after
the update, when the update happened, and usually an update counter, the
opening time, and the impact and urgency. :func:`read_event_log` groups the
rows by ticket, orders them (by the counter when there is one, else by time),
and replays each ticket with ``strict=False``, so what the system recorded is
kept even where the lifecycle forbids it, and every oddity is reported as an
:class:`~itilkit.Anomaly` naming the incident and the row.

Rules for every export:

- The incident opens at the ``opened_at`` column of its first row (else at
  the first row's time), in NEW. Each row's state is the state *after* that
  update, at that row's time. A row that repeats the current state changes
  nothing. When the first row is not NEW (the log starts mid-life), that
  first recorded state is a transition at the row's time (an anomaly if the
  table forbids it).
- A change of impact or urgency between rows is a reprioritization at that
  row's time; a missing value (empty or ``?``) keeps the previous one.
- Unknown states, unparseable dates, bad counters, missing columns and values
  that are needed raise :class:`~itilkit.EventLogError` naming the row (the
  header is row 1) and the column. Nothing is dropped silently.

Dates are local wall-clock times in ``tz``, read by the recorded-timestamp
rule of :mod:`itilkit._time`: an ambiguous time (the repeated hour when clocks
go back) is read as its first occurrence, and a time in a gap (clocks go
forward, so it never happened) is shifted forward by the gap and reported as
a ``"nonexistent_time"`` anomaly naming the row.
"""

from __future__ import annotations

import csv
import io
import operator
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import IO, Final, NoReturn, TextIO
from zoneinfo import ZoneInfo

import attrs

from .._errors import EventLogError, InvalidValueError, must
from .._incident import (
    Anomaly,
    HoldReason,
    Incident,
    PriorityChange,
    State,
    StepBuilder,
)
from .._priority import ITIL_PRIORITIES, PriorityMatrix
from .._time import from_us, recorded_to_us, td_us, zone, zone_name
from .._vocabulary import normalise

__all__ = ["PRESETS", "EventLog", "Preset", "read_event_log"]

_FIELDS: Final = ("id", "state", "at", "opened_at", "counter", "impact", "urgency", "reason")
_REQUIRED: Final = ("id", "state", "at")
_MISSING: Final = frozenset({"", "?", "null", "NULL", "None", "NaN", "nan", "N/A"})

StateSpec = State | str | tuple[State | str, HoldReason | str | None]


@attrs.frozen
class Preset:
    """How one ticket system writes its audit export: which column holds what, and its state names.

    ``columns`` maps the logical fields ``id``, ``state``, ``at`` (time of the
    update; required), ``opened_at``, ``counter`` (update counter),
    ``impact``, ``urgency`` and ``reason`` (hold reason) to column names.
    ``states`` maps a state name as exported to a :class:`~itilkit.State`, or
    to ``(State.ON_HOLD, HoldReason)``.

    >>> PRESETS["servicenow"].columns["counter"]
    'sys_mod_count'
    """

    columns: Mapping[str, str]
    states: Mapping[str, tuple[State, HoldReason | None]]


_SN_STATES: Final = {
    "New": (State.NEW, None),
    "Active": (State.IN_PROGRESS, None),
    "In Progress": (State.IN_PROGRESS, None),
    "On Hold": (State.ON_HOLD, None),
    "Awaiting User Info": (State.ON_HOLD, HoldReason.AWAITING_CALLER),
    "Awaiting Caller": (State.ON_HOLD, HoldReason.AWAITING_CALLER),
    "Awaiting Change": (State.ON_HOLD, HoldReason.AWAITING_CHANGE),
    "Awaiting Problem": (State.ON_HOLD, HoldReason.AWAITING_PROBLEM),
    "Awaiting Vendor": (State.ON_HOLD, HoldReason.AWAITING_VENDOR),
    "Awaiting Evidence": (State.ON_HOLD, HoldReason.AWAITING_EVIDENCE),
    "Resolved": (State.RESOLVED, None),
    "Closed": (State.CLOSED, None),
    "Canceled": (State.CANCELED, None),
    "Cancelled": (State.CANCELED, None),
}

PRESETS: Final[Mapping[str, Preset]] = MappingProxyType(
    {
        "servicenow": Preset(
            MappingProxyType(
                {
                    "id": "number",
                    "state": "incident_state",
                    "at": "sys_updated_at",
                    "opened_at": "opened_at",
                    "counter": "sys_mod_count",
                    "impact": "impact",
                    "urgency": "urgency",
                }
            ),
            MappingProxyType({normalise(k): v for k, v in _SN_STATES.items()}),
        ),
        "generic": Preset(MappingProxyType({}), MappingProxyType({})),
    }
)
"""Known export formats.

``"servicenow"``: ServiceNow's incident audit export as published in the
"Incident management process enriched event log" (UCI Machine Learning
Repository; Amaral, Fantinato and Peres, 2018): ``number``,
``incident_state`` (New, Active, Awaiting User Info / Problem / Vendor /
Evidence, Resolved, Closed), ``sys_updated_at``, ``opened_at``,
``sys_mod_count``, and ``impact``/``urgency`` written ``"2 - Medium"``.
``"generic"``: nothing preset; give ``columns=`` (and ``states=`` where the
names are not itilkit's own, such as ``"In Progress"``).
"""


@attrs.frozen
class EventLog:
    """What :func:`read_event_log` read: the incidents, their anomalies and the row count.

    >>> log = EventLog((), (), 0)
    >>> log.rows, len(log.incidents)
    (0, 0)
    """

    incidents: tuple[Incident, ...]
    anomalies: tuple[Anomaly, ...]
    rows: int

    def incident(self, id: str) -> Incident:
        """The incident with this id (``KeyError`` if the log has none).

        >>> EventLog((), (), 0).incident("INC1")
        Traceback (most recent call last):
        ...
        KeyError: "'id' must be an incident in the log (got 'INC1')"
        """
        for inc in self.incidents:
            if inc.id == id:
                return inc
        raise KeyError(must("id", "an incident in the log", id))


class _Dates:
    """Parses the known day/month formats fast.

    Each distinct text is parsed once; a date's day number and a local hour's
    UTC offset are computed once (for the exact time instead where an offset
    change falls inside the hour, as on Lord Howe Island), so the conversion
    is exact and costs a few dictionary look-ups per row. Local times follow
    the recorded-timestamp rule (:func:`itilkit._time.recorded_to_us`); a text
    that fell in a DST gap is kept in ``gaps`` with the shift applied.
    """

    __slots__ = ("cache", "dayfirst", "days", "gaps", "offsets", "zone")

    def __init__(self, zone_info: ZoneInfo, dayfirst: bool) -> None:
        self.zone = zone_info
        self.dayfirst = dayfirst
        self.cache: dict[str, int] = {}
        self.days: dict[str, int] = {}
        self.offsets: dict[tuple[int, int], tuple[int, int] | None] = {}
        self.gaps: dict[str, int] = {}

    def __call__(self, text: str, row: int, column: str) -> int:
        us = self.cache.get(text)
        if us is None:
            try:
                us = self.cache[text] = self._fast(text)
            except (ValueError, IndexError, OverflowError):
                self._fail(text, row, column)
        return us

    def gap_message(self, text: str, column: str) -> str:
        """Why a text in ``gaps`` was read as a later instant."""
        return (
            f"{column} {text.strip()!r} never happened in {self.zone.key} (clocks went forward); "
            f"read {self.gaps[text] // 60_000_000} minutes later, as the offset before the "
            "gap names it"
        )

    def _fail(self, text: str, row: int, column: str) -> NoReturn:
        order = "D/M/YYYY" if self.dayfirst else "M/D/YYYY"
        raise EventLogError(
            must(column, f"a date and time such as {order} HH:MM or YYYY-MM-DD HH:MM", text),
            row=row,
            column=column,
        )

    def _day(self, date_part: str) -> int:
        """The days since the epoch of a date text."""
        sep = "/" if "/" in date_part else "-" if "-" in date_part else "."
        a, b, c = date_part.split(sep)
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        elif len(c) == 4:
            year = int(c)
            day, month = (int(a), int(b)) if self.dayfirst else (int(b), int(a))
        else:
            raise ValueError(date_part)
        return date(year, month, day).toordinal() - _EPOCH_ORDINAL

    def _offset_us(
        self, days: int, hour: int, minute: int, second: int = 0, micro: int = 0
    ) -> tuple[int, int]:
        """``(UTC offset, gap shift)`` of a local wall time by the recorded-timestamp rule."""
        naive = datetime.fromordinal(days + _EPOCH_ORDINAL).replace(
            hour=hour, minute=minute, second=second, microsecond=micro
        )
        us, shift = recorded_to_us(naive, self.zone)
        local = (((days * 24 + hour) * 60 + minute) * 60 + second) * 1_000_000 + micro
        return local - us, shift

    def _fast(self, raw: str) -> int:
        text = raw.strip()
        date_part, _, time_part = text.partition(" ")
        if not time_part and "T" in date_part:
            date_part, _, time_part = date_part.partition("T")
        days = self.days.get(date_part)
        if days is None:
            days = self.days[date_part] = self._day(date_part)
        if time_part.endswith("Z") or "+" in time_part or "-" in time_part:
            if "-" in date_part[:5]:  # ISO date with an offset: it names the instant
                return _utc_us(datetime.fromisoformat(f"{date_part}T{time_part}"))
            raise ValueError(text)
        hour = minute = second = micro = 0
        if time_part:
            parts = time_part.split(":")
            hour, minute = int(parts[0]), int(parts[1])
            if len(parts) == 3:
                whole, _, fraction = parts[2].partition(".")
                second = int(whole)
                if fraction:
                    micro = int(fraction.ljust(6, "0"))
                    if len(fraction) > 6 or micro < 0:
                        raise ValueError(text)
            elif len(parts) != 2:
                raise ValueError(text)
            if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
                raise ValueError(text)
        key = (days, hour)
        if key in self.offsets:
            found = self.offsets[key]
        else:
            first = self._offset_us(days, hour, 0)
            last = self._offset_us(days, hour, 59, 59, 999_999)
            found = self.offsets[key] = first if first == last else None
        if found is None:  # an offset change inside this hour: look at the time itself
            found = self._offset_us(days, hour, minute, second, micro)
        offset, shift = found
        if shift:
            self.gaps[raw] = shift
        local = (((days * 24 + hour) * 60 + minute) * 60 + second) * 1_000_000 + micro
        return local - offset


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


def _utc_us(value: datetime) -> int:
    return td_us(value - _EPOCH)


def _open(source: object, encoding: str) -> tuple[TextIO, bool]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return open(path, newline="", encoding=encoding), True
        except LookupError:
            raise InvalidValueError("encoding", "a text encoding Python knows", encoding) from None
        except OSError as exc:
            raise EventLogError(
                must("source", "a readable event-log file", str(path)) + f": {exc.strerror or exc}"
            ) from None
        except ValueError:  # a path holding a NUL, or not encodable for the file system
            raise EventLogError(must("source", "a valid file path", str(path))) from None
    if isinstance(source, io.TextIOBase) or (
        hasattr(source, "read") and hasattr(source, "__iter__")
    ):
        return source, False  # type: ignore[return-value]
    raise InvalidValueError("source", "a path (str or Path) or an open text file", source)


def _csv_reader(handle: TextIO, delimiter: str) -> Iterator[list[str]]:
    """A strict CSV reader: a stray or unclosed quote is an error, not a silently merged row."""
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise InvalidValueError(
            "delimiter", "one character other than a quote or a line break", delimiter
        )
    return csv.reader(handle, delimiter=delimiter, strict=True)


def _csv_problem(exc: csv.Error) -> str:
    """What a ``csv.Error`` means, for someone looking at the export."""
    text = str(exc)
    if text.startswith("field larger than field limit"):
        limit = csv.field_size_limit()
        return (
            f"a field is longer than {limit} characters, the most one CSV field may hold "
            "(a quote left open can swallow the rest of the file into one field)"
        )
    if text == "unexpected end of data":
        return "the file ends inside a quoted field: a quote opened in this row is never closed"
    if "expected after" in text:
        return f"a quoted field must end at a delimiter: a stray quote ({text})"
    if "new-line character seen in unquoted field" in text:
        return "a line break inside a field: open the file with newline=''"
    return f"is not valid CSV ({text})"


def _state_table(
    preset: Preset, states: Mapping[str, StateSpec] | None
) -> dict[str, tuple[State, HoldReason | None]]:
    table = dict(preset.states)
    for label, spec in (states or {}).items():
        if isinstance(spec, tuple):
            state = State.parse(spec[0])
            reason = None if spec[1] is None else HoldReason.parse(spec[1])
        else:
            state, reason = State.parse(spec), None
        table[normalise(label)] = (state, reason)
    return table


def read_event_log(
    source: str | os.PathLike[str] | IO[str],
    *,
    tz: object,
    preset: str = "servicenow",
    dayfirst: bool = True,
    columns: Mapping[str, str | None] | None = None,
    states: Mapping[str, StateSpec] | None = None,
    matrix: PriorityMatrix = ITIL_PRIORITIES,
    impact: object = None,
    urgency: object = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
) -> EventLog:
    """Read an audit export (one row per update of a ticket) into replayed incidents.

    ``source`` is a path or an open text file; ``tz`` the IANA zone the
    export's local times are in. ``preset`` names a known format
    (:data:`PRESETS`); ``columns`` and ``states`` adjust it, or describe
    another system's export entirely (``preset="generic"``). Dates such as
    ``29/2/2016 01:16``, ``29-02-2016 01:16`` (``dayfirst=True``, the
    default), ``2/29/2016 01:16`` (``dayfirst=False``) and ISO
    ``2016-02-29 01:16[:00]`` are read. ``impact`` and ``urgency`` stand in
    when the export has no such column, or a ticket's first row leaves them
    empty. A path is read as ``encoding`` (UTF-8, with or without a byte-order
    mark, by default; exports from Windows tools may need ``"cp1252"``).
    Incidents are replayed with ``strict=False``: see
    :meth:`itilkit.Incident.replay`.

    >>> import io
    >>> text = '''number,incident_state,sys_mod_count,opened_at,sys_updated_at,impact,urgency
    ... INC1,New,0,2/3/2016 09:00,2/3/2016 09:05,2 - Medium,2 - Medium
    ... INC1,Active,1,2/3/2016 09:00,2/3/2016 09:30,2 - Medium,1 - High
    ... INC1,Resolved,2,2/3/2016 09:00,2/3/2016 11:00,2 - Medium,1 - High
    ... '''
    >>> log = read_event_log(io.StringIO(text), tz="Europe/Lisbon")
    >>> inc = log.incidents[0]
    >>> inc.state, inc.priority, inc.time_in("new"), log.rows
    (<State.RESOLVED: 'resolved'>, <Priority.P2: 2>, datetime.timedelta(seconds=1800), 3)
    """
    tz_value = zone(tz, "tz")
    zone_info = ZoneInfo(zone_name(tz_value))
    if preset not in PRESETS:
        raise InvalidValueError("preset", f"one of {', '.join(sorted(PRESETS))}", preset)
    chosen = PRESETS[preset]
    names: dict[str, str] = dict(chosen.columns)
    if columns is not None and not isinstance(columns, Mapping):
        raise InvalidValueError("columns", "a mapping of fields to column names", columns)
    if states is not None and not isinstance(states, Mapping):
        raise InvalidValueError("states", "a mapping of state labels to states", states)
    for field, column in (columns or {}).items():
        if field not in _FIELDS:
            raise InvalidValueError("columns", f"keyed by the fields {', '.join(_FIELDS)}", field)
        if column is None:
            names.pop(field, None)
        else:
            names[field] = column
    for field in _REQUIRED:
        if field not in names:
            raise InvalidValueError(
                "columns", f"a mapping that names the {field!r} column", dict(columns or {})
            )
    state_table = _state_table(chosen, states)

    dates = _Dates(zone_info, dayfirst)

    handle, owned = _open(source, encoding)
    line = 0  # the last row read whole (the header is row 1)
    try:
        reader = _csv_reader(handle, delimiter)
        header = next(reader, None)
        if header is None:
            raise EventLogError("the file is empty: a header row is needed", row=1)
        line = 1
        header = [name.strip().lstrip("\ufeff") for name in header]
        position = {name: i for i, name in enumerate(header)}
        index: dict[str, int] = {}
        for field, column in names.items():
            if column not in position:
                if field in _REQUIRED:
                    raise EventLogError(
                        f"no such column (needed for {field!r}); the header has: "
                        + ", ".join(header),
                        row=1,
                        column=column,
                    )
                if columns and columns.get(field) == column:
                    raise EventLogError(
                        f"no such column (given for {field!r} in 'columns')",
                        row=1,
                        column=column,
                    )
                continue
            index[field] = position[column]
        width = len(header)
        # Keep only the needed cells of each row, as a tuple: less memory, faster.
        pick = operator.itemgetter(*index.values())
        id_col = index["id"]
        index = {field: i for i, field in enumerate(index)}
        tickets: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        count = 0
        for line, record in enumerate(reader, start=2):
            if not record:
                continue
            count += 1
            if len(record) != width:
                raise EventLogError(
                    f"has {len(record)} fields where the header has {width}", row=line
                )
            key = record[id_col].strip()
            if key in _MISSING:
                raise EventLogError(
                    must(names["id"], "a ticket id", record[id_col]),
                    row=line,
                    column=names["id"],
                )
            group = tickets.get(key)
            if group is None:
                tickets[key] = [(line, pick(record))]
            else:
                group.append((line, pick(record)))
    except UnicodeDecodeError as exc:
        raise EventLogError(
            f"is not {encoding} text ({exc.reason} at byte {exc.start} of a read block): "
            "pass encoding= (the CLI's --encoding), or re-save the export as UTF-8",
            row=line + 1,
        ) from None
    except UnicodeError as exc:  # a decoder's own complaint, such as UTF-16 without a BOM
        raise EventLogError(
            f"is not {encoding} text ({exc}): pass encoding= (the CLI's --encoding), "
            "or re-save the export as UTF-8",
            row=line + 1,
        ) from None
    except csv.Error as exc:
        raise EventLogError(_csv_problem(exc), row=line + 1) from None
    finally:
        if owned:
            handle.close()

    reader_state = _Reader(index, names, state_table, dates, matrix, tz_value, impact, urgency)
    incidents = tuple(reader_state.ticket(key, rows) for key, rows in tickets.items())
    anomalies = tuple(a for inc in incidents for a in inc.anomalies)
    return EventLog(incidents, anomalies, count)


class _Reader:
    """Turns the rows of one ticket into an incident."""

    def __init__(
        self,
        index: dict[str, int],
        names: dict[str, str],
        state_table: dict[str, tuple[State, HoldReason | None]],
        dates: _Dates,
        matrix: PriorityMatrix,
        tz: tzinfo,
        impact: object,
        urgency: object,
    ) -> None:
        self.index = index
        self.names = names
        self.state_table = state_table
        self.state_cache: dict[str, tuple[State, HoldReason | None]] = {}
        self.level_cache: dict[tuple[str, str], object] = {}
        self.dates = dates
        self.matrix = matrix
        self.tz = tz
        self.default_impact = None if impact is None else matrix.impact_level(impact)
        self.default_urgency = None if urgency is None else matrix.urgency_level(urgency)

    def _state(self, text: str, row: int) -> tuple[State, HoldReason | None]:
        found = self.state_cache.get(text)
        if found is None:
            found = self.state_table.get(normalise(text))
            if found is None:
                try:
                    found = (State.parse(text), None)
                except InvalidValueError:
                    column = self.names["state"]
                    known = ", ".join(sorted(self.state_table)) or "itilkit's names"
                    raise EventLogError(
                        must(column, f"a known state ({known}); map others with states=", text),
                        row=row,
                        column=column,
                    ) from None
            self.state_cache[text] = found
        return found

    def _level(self, field: str, text: str, row: int) -> object:
        key = (field, text)
        if key in self.level_cache:
            return self.level_cache[key]
        column = self.names[field]
        if text.strip() in _MISSING:
            level = None
        else:
            try:
                level = (
                    self.matrix.impact_level(text)
                    if field == "impact"
                    else self.matrix.urgency_level(text)
                )
            except InvalidValueError as exc:
                raise EventLogError(
                    must(column, exc.expectation, text), row=row, column=column
                ) from None
        self.level_cache[key] = level
        return level

    def _reason(self, text: str, row: int) -> HoldReason | None:
        if text.strip() in _MISSING:
            return None
        mapped = self.state_table.get(normalise(text))
        if mapped is not None and mapped[1] is not None:
            return mapped[1]
        try:
            return HoldReason.parse(text)
        except InvalidValueError as exc:
            column = self.names["reason"]
            raise EventLogError(
                must(column, exc.expectation, text), row=row, column=column
            ) from None

    def ticket(self, key: str, rows: list[tuple[int, tuple[str, ...]]]) -> Incident:
        index = self.index
        dates = self.dates
        at_col, at_name = index["at"], self.names["at"]
        state_col = index["state"]
        counter_col = index.get("counter")
        if counter_col is not None:
            counter_name = self.names["counter"]
            keyed = []
            for line, record in rows:
                text = record[counter_col].strip()
                try:
                    number = int(text)
                except ValueError:
                    raise EventLogError(
                        must(counter_name, "an integer update counter", text),
                        row=line,
                        column=counter_name,
                    ) from None
                keyed.append((number, line, record))
            keyed.sort(key=lambda item: item[0])
            ordered = [(line, record) for _, line, record in keyed]
        else:
            timed = [(dates(r[at_col], line, at_name), line, r) for line, r in rows]
            timed.sort(key=lambda item: item[0])
            ordered = [(line, record) for _, line, record in timed]

        first_line, first = ordered[0]
        opened_col = index.get("opened_at")
        if opened_col is not None and first[opened_col].strip() not in _MISSING:
            opened_us = dates(first[opened_col], first_line, self.names["opened_at"])
        else:
            opened_us = dates(first[at_col], first_line, at_name)
        impact = self._first_level("impact", first, first_line, self.default_impact)
        urgency = self._first_level("urgency", first, first_line, self.default_urgency)
        opened = from_us(opened_us, self.tz)
        matrix = self.matrix
        change = PriorityChange(
            opened,
            impact,  # type: ignore[arg-type]
            urgency,  # type: ignore[arg-type]
            matrix.priority(impact, urgency),
            at_us=opened_us,
        )
        inc = Incident(key, opened, (), (change,), matrix, (), opened_at_us=opened_us)
        builder = StepBuilder(inc, strict=False)
        if dates.gaps and opened_col is not None and first[opened_col] in dates.gaps:
            text = first[opened_col]
            message = dates.gap_message(text, self.names["opened_at"])
            builder.note("nonexistent_time", message, opened_us, first_line)
        impact_col = index.get("impact")
        urgency_col = index.get("urgency")
        reason_col = index.get("reason")
        current_impact, current_urgency = impact, urgency
        where = "the event log"
        for line, record in ordered:
            us = dates(record[at_col], line, at_name)
            if dates.gaps and record[at_col] in dates.gaps:
                message = dates.gap_message(record[at_col], at_name)
                builder.note("nonexistent_time", message, us, line)
            new_impact = current_impact
            if impact_col is not None:
                new_impact = self._level("impact", record[impact_col], line) or current_impact
            new_urgency = current_urgency
            if urgency_col is not None:
                new_urgency = self._level("urgency", record[urgency_col], line) or current_urgency
            if new_impact != current_impact or new_urgency != current_urgency:
                builder.reprioritize(us, new_impact, new_urgency, line, where)
                current_impact, current_urgency = new_impact, new_urgency
            state, reason = self._state(record[state_col], line)
            if state is State.ON_HOLD and reason is None and reason_col is not None:
                reason = self._reason(record[reason_col], line)
            if state is builder.state and reason == builder.reason:
                continue  # a row that repeats the current state changes nothing
            builder.step(us, state, reason, line, where)
        return builder.build()

    def _first_level(
        self, field: str, record: tuple[str, ...], row: int, default: object
    ) -> object:
        col = self.index.get(field)
        level = None if col is None else self._level(field, record[col], row)
        if level is None:
            level = default
        if level is None:
            column = self.names.get(field, field)
            raise EventLogError(
                f"no {field} for this ticket: the export has none here; pass {field}= to"
                " read_event_log",
                row=row,
                column=column,
            )
        return level
