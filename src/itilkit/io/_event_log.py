"""Reading ticket-system audit exports (event logs) into incidents, every row accounted for.

An *event log* is what ticket systems export for process mining and audits:
one row per update of a ticket, carrying the ticket's id, its state after
the update, when the update happened, and usually an update counter, the
opening time, the priority, impact and urgency, and the ticket's other
fields (service, CI, category, assignment group, ...). :func:`read_event_log`
groups the rows by ticket, orders them (by the counter when there is one,
else by time), and replays each ticket with ``strict=False``, so what the
system recorded is kept even where the lifecycle forbids it, and every oddity
is reported as an :class:`~itilkit.Anomaly` naming the incident and the row.

Rules for every export:

- The incident opens at the ``opened_at`` column of its first row (else at
  the first row's time), in NEW. Each row's state is the state *after* that
  update, at that row's time. When the first row is not NEW (the log starts
  mid-life), that first recorded state is a transition at the row's time (an
  anomaly if the table forbids it).
- **Recorded priority wins** (``priority="recorded"``, the default): the
  priority at each row is the export's priority column; impact and urgency
  are kept beside it. Where the matrix would give another priority, the
  incident gets one ``"priority_mismatch"`` anomaly naming the first such
  row. ``priority="matrix"`` recomputes every priority from impact and
  urgency instead. A change of priority, impact or urgency between rows is a
  reprioritization at that row's time; a missing value (empty or ``?``)
  keeps the previous one.
- **Fields travel**: the carried fields (:data:`~itilkit._incident.CARRIED_FIELDS`)
  are kept under neutral names with every change (``inc.attributes``,
  ``inc.changes("group")``); a first row's values hold from the opening, a
  missing value (``?``) is no value.
- **Every row is accounted for**: a row is *used* (it opens the incident or
  changes its state, priority or a carried field), a *repeat* (it changes
  nothing), or *dropped* with one anomaly naming it. ``log.rows ==
  steps + repeats + dropped``; see :meth:`EventLog.summary`.

Anomaly kinds of a dropped row: ``"short_row"`` / ``"long_row"`` (a field
count other than the header's), ``"missing_id"``, ``"bad_counter"``,
``"bad_date"`` (the update time does not read as a date), ``"unknown_state"``,
``"no_priority"`` (no priority, and no impact and urgency to compute one,
yet for this ticket). Anomalies of a row that is kept: ``"bad_value"`` (a
cell that does not read, such as an impact ``"9 - Huge"``, is ignored and
the previous value kept), ``"priority_mismatch"``, ``"nonexistent_time"``
(a local time inside a DST gap, read shifted forward by the gap), and the
lifecycle's own ``"forbidden_transition"``, ``"clock_backwards"`` and
``"hold_without_reason"``. With ``strict=True`` a row-level problem (any
dropped row, or a ``"bad_value"``) raises :class:`~itilkit.EventLogError`
for the first such row instead. File-level problems always raise: no
header, a required column missing, a header naming a column twice, a file
that is not CSV or not in the encoding.

Dates are local wall-clock times in ``tz``, read by the recorded-timestamp
rule of :mod:`itilkit._time`: an ambiguous time (the repeated hour when clocks
go back) is read as its first occurrence, and a time in a gap (clocks go
forward, so it never happened) is shifted forward by the gap and reported as
a ``"nonexistent_time"`` anomaly naming the row.
"""

from __future__ import annotations

import csv
import operator
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from types import MappingProxyType
from typing import IO, Any, ClassVar, Final, TextIO, cast
from zoneinfo import ZoneInfo

import attrs

from .._document import load_document
from .._errors import (
    ConfigError,
    EventLogError,
    InvalidValueError,
    MissingDependencyError,
    must,
    show,
)
from .._incident import (
    CARRIED_FIELDS,
    Anomaly,
    HoldReason,
    Incident,
    State,
    StepBuilder,
)
from .._priority import ITIL_PRIORITIES, Priority, PriorityMatrix
from .._report import html_table
from .._time import from_us, recorded_to_us, td_us, zone, zone_name
from .._vocabulary import normalise
from ._sources import (
    MISSING,
    check_header,
    csv_header,
    csv_problem,
    frame_cell,
    is_frame,
    missing_column,
    note_priority_mismatch,
    open_text,
    state_spec,
    swallows,
    width_problem,
)

__all__ = ["PRESETS", "EventLog", "EventLogSummary", "Preset", "read_event_log"]

_KEYS: Final = (
    "id",
    "state",
    "at",
    "opened_at",
    "counter",
    "priority",
    "impact",
    "urgency",
    "reason",
)
_FIELDS: Final = _KEYS + CARRIED_FIELDS
_REQUIRED: Final = ("id", "state", "at")
_BOOLEAN_FIELDS: Final = frozenset({"made_sla", "knowledge"})
_PRIORITY_MODES: Final = ("recorded", "matrix")
#: How many rows pass between two calls of ``read_event_log``'s ``progress`` callback.
PROGRESS_EVERY: Final = 10_000
#: Kinds of anomaly that name a row left out of the incidents.
DROPPED_KINDS: Final = frozenset(
    {
        "short_row",
        "long_row",
        "missing_id",
        "bad_counter",
        "bad_date",
        "unknown_state",
        "no_priority",
        "duplicate_id",
        "swallowed_rows",
    }
)
_BAD: Final = object()  # a cell that does not read

StateSpec = State | str | tuple[State | str, HoldReason | str | None]


@attrs.frozen
class Preset:
    """How one ticket system writes its audit export: which column holds what, and its state names.

    ``columns`` maps the fields ``id``, ``state``, ``at`` (time of the
    update; required), ``opened_at``, ``counter`` (update counter),
    ``priority``, ``impact``, ``urgency``, ``reason`` (hold reason) and the
    carried fields (:data:`~itilkit._incident.CARRIED_FIELDS`) to column
    names. ``states`` maps a state name as exported to a
    :class:`~itilkit.State`, or to ``(State.ON_HOLD, HoldReason)``;
    ``priorities`` a priority name to a :class:`~itilkit.Priority`;
    ``dayfirst`` says how the system writes ``1/3/2016``.

    >>> PRESETS["servicenow"].columns["counter"], PRESETS["servicenow"].columns["group"]
    ('sys_mod_count', 'assignment_group')
    """

    columns: Mapping[str, str]
    states: Mapping[str, tuple[State, HoldReason | None]]
    priorities: Mapping[str, Priority] = MappingProxyType({})
    dayfirst: bool = False


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

_SN_COLUMNS: Final = {
    "id": "number",
    "state": "incident_state",
    "at": "sys_updated_at",
    "opened_at": "opened_at",
    "counter": "sys_mod_count",
    "priority": "priority",
    "impact": "impact",
    "urgency": "urgency",
    "service": "business_service",
    "ci": "cmdb_ci",
    "category": "category",
    "subcategory": "subcategory",
    "symptom": "u_symptom",
    "group": "assignment_group",
    "assignee": "assigned_to",
    "contact_type": "contact_type",
    "location": "location",
    "caller": "caller_id",
    "problem": "problem_id",
    "change": "rfc",
    "caused_by": "caused_by",
    "made_sla": "made_sla",
    "reassignment_count": "reassignment_count",
    "reopen_count": "reopen_count",
    "knowledge": "knowledge",
}

PRESETS: Final[Mapping[str, Preset]] = MappingProxyType(
    {
        "servicenow": Preset(
            MappingProxyType(_SN_COLUMNS),
            MappingProxyType({normalise(k): v for k, v in _SN_STATES.items()}),
            MappingProxyType({}),
            dayfirst=True,
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
``sys_mod_count``, ``priority``, ``impact`` and ``urgency`` written
``"2 - Medium"``, day-first dates, and the carried fields ``business_service``
(service), ``cmdb_ci`` (ci), ``category``, ``subcategory``, ``u_symptom``
(symptom), ``assignment_group`` (group), ``assigned_to`` (assignee),
``contact_type``, ``location``, ``caller_id`` (caller), ``problem_id``
(problem), ``rfc`` (change), ``caused_by``, ``made_sla``,
``reassignment_count``, ``reopen_count`` and ``knowledge``; a carried column
the export lacks is simply not carried.
``"generic"``: nothing preset; give ``columns=`` (and ``states=`` where the
names are not itilkit's own, such as ``"In Progress"``), month-first dates
unless ``dayfirst=True``.
"""


@attrs.frozen
class EventLogSummary:
    """Where every row of an event log went: ``rows == steps + repeats + dropped``.

    ``steps``: rows kept (each opened an incident or changed its state,
    priority or a carried field); ``repeats``: rows that changed nothing;
    ``dropped``: rows left out, each named by an anomaly; ``anomalies``: how
    many anomalies of each kind.

    >>> print(EventLogSummary(5, 3, 1, 1, {"bad_date": 1}))
    5 rows read: 3 kept as steps, 1 repeat of the current state, 1 dropped
    anomalies: 1 bad_date
    """

    rows: int
    steps: int
    repeats: int
    dropped: int
    anomalies: Mapping[str, int]

    def __str__(self) -> str:
        repeats = "repeat" if self.repeats == 1 else "repeats"
        lines = [
            f"{self.rows} row{'' if self.rows == 1 else 's'} read: {self.steps} kept as steps, "
            f"{self.repeats} {repeats} of the current state, {self.dropped} dropped"
        ]
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.anomalies.items())
        lines.append(f"anomalies: {kinds or 'none'}")
        return "\n".join(lines)


@attrs.frozen
class EventLog:
    """What :func:`read_event_log` read: the incidents, their anomalies and where each row went.

    ``rows`` counts the data rows read (blank lines are no rows); ``repeats``
    the rows that changed nothing; ``dropped`` the rows left out, each named
    by an anomaly. ``fields`` are the carried fields the export has, and
    ``priority`` says where the priorities come from: ``"recorded"`` (the
    export's priority column) or ``"matrix"`` (computed from impact and
    urgency).

    >>> log = EventLog((), (), 0)
    >>> log.rows, len(log.incidents)
    (0, 0)
    """

    incidents: tuple[Incident, ...]
    anomalies: tuple[Anomaly, ...]
    rows: int
    repeats: int = 0
    dropped: int = 0
    fields: tuple[str, ...] = ()
    priority: str = "matrix"

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

    def summary(self) -> EventLogSummary:
        """Rows read, kept as steps, repeated and dropped, and the anomalies by kind.

        >>> EventLog((), (), 0).summary().steps
        0
        """
        kinds: dict[str, int] = {}
        for anomaly in self.anomalies:
            kinds[anomaly.kind] = kinds.get(anomaly.kind, 0) + 1
        steps = self.rows - self.repeats - self.dropped
        return EventLogSummary(
            self.rows,
            steps,
            self.repeats,
            self.dropped,
            MappingProxyType(dict(sorted(kinds.items()))),
        )

    #: How many incidents the notebook view lists before it says how many more there are.
    SHOWN: ClassVar[int] = 20

    def _repr_html_(self) -> str:
        """The notebook view: where every row went, the anomalies by kind, and the first
        incidents (id, opened, state, priority, steps, carried fields)."""
        summary = self.summary()
        counts: list[list[object]] = [
            ["rows read", summary.rows],
            ["kept as steps", summary.steps],
            ["repeats of the current state", summary.repeats],
            ["dropped (each named by an anomaly)", summary.dropped],
            ["incidents", len(self.incidents)],
            ["priorities", self.priority],
            ["carried fields", ", ".join(self.fields) or "none"],
        ]
        parts = [html_table(["", "value"], counts, title="Event log")]
        if summary.anomalies:
            kinds: list[list[object]] = [[kind, n] for kind, n in summary.anomalies.items()]
            parts.append(html_table(["anomaly", "count"], kinds, title="Anomalies"))
        shown = self.incidents[: self.SHOWN]
        rows = [
            [
                inc.id,
                inc.opened_at.format("YYYY-MM-DD HH:mm Z"),
                inc.state.value,
                inc.priority.name,
                len(inc.history),
                ", ".join(f"{k}={v}" for k, v in inc.attributes.items()),
            ]
            for inc in shown
        ]
        more = len(self.incidents) - len(shown)
        caption = f"and {more} more" if more > 0 else None
        parts.append(
            html_table(
                ["incident", "opened", "state", "priority", "steps", "carried"],
                rows,
                title="Incidents",
                caption=caption,
            )
        )
        return "".join(parts)

    def to_frame(self) -> Any:
        """One row per incident: id, state, priority, the opened/resolved/closed instants
        (UTC, exact to the microsecond) and the carried fields' final values (pandas).

        Needs pandas (``pip install 'itilkit[pandas]'``).
        """
        try:
            import numpy as np
            import pandas as pd
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        nat = np.iinfo(np.int64).min

        def instants(values: list[int | None]) -> Any:
            raw = np.array([nat if v is None else v for v in values], dtype=np.int64)
            return pd.Series(raw.view("datetime64[us]")).dt.tz_localize("UTC")

        incidents = self.incidents
        data: dict[str, Any] = {
            "id": pd.Series([inc.id for inc in incidents], dtype=object),
            "state": pd.Series([inc.state.value for inc in incidents], dtype=object),
            "priority": pd.Series([inc.priority.name for inc in incidents], dtype=object),
            "opened_at": instants([inc.opened_at_us for inc in incidents]),
            "resolved_at": instants([_resolved_us(inc) for inc in incidents]),
            "closed_at": instants([_closed_us(inc) for inc in incidents]),
        }
        finals = [inc.attributes for inc in incidents]
        for field in self.fields:
            data[field] = pd.Series([final.get(field) for final in finals], dtype=object)
        return pd.DataFrame(data)


def _resolved_us(inc: Incident) -> int | None:
    """``inc.resolved_at`` in microseconds (read from the stays, not the history's objects)."""
    stays = inc.segments_us()
    for i in range(len(stays) - 1, 0, -1):  # each stay after the opening began with a step
        state, start, _ = stays[i]
        if state is State.RESOLVED:
            return start
        if state in (State.NEW, State.IN_PROGRESS, State.ON_HOLD):
            return None
    return None


def _closed_us(inc: Incident) -> int | None:
    """``inc.closed_at`` in microseconds."""
    state, start, _ = inc.segments_us()[-1]
    return start if state is State.CLOSED else None


class _Dates:
    """Parses the known day/month formats fast.

    Each distinct text is parsed once; a date's day number and a local hour's
    UTC offset are computed once (for the exact time instead where an offset
    change falls inside the hour, as on Lord Howe Island), so the conversion
    is exact and costs a few dictionary look-ups per row. Local times follow
    the recorded-timestamp rule (:func:`itilkit._time.recorded_to_us`); a text
    that fell in a DST gap is kept in ``gaps`` with the shift applied.
    """

    __slots__ = ("bad", "cache", "dayfirst", "days", "gaps", "offsets", "zone")

    def __init__(self, zone_info: ZoneInfo, dayfirst: bool) -> None:
        self.zone = zone_info
        self.dayfirst = dayfirst
        self.cache: dict[str, int] = {}
        self.days: dict[str, int] = {}
        self.offsets: dict[tuple[int, int], tuple[int, int] | None] = {}
        self.gaps: dict[str, int] = {}
        self.bad: set[str] = set()

    def get(self, text: str) -> int | None:
        """The instant of ``text``, or None when it does not read as a date."""
        us = self.cache.get(text)
        if us is None:
            if text in self.bad:
                return None
            try:
                us = self._fast(text)
            except (ValueError, IndexError, OverflowError):
                us = None
            if us is None or not _FIRST_US <= us <= _LAST_US:
                self.bad.add(text)
                return None
            self.cache[text] = us
        return us

    def gap_message(self, text: str, column: str) -> str:
        """Why a text in ``gaps`` was read as a later instant."""
        return (
            f"{column} {text.strip()!r} never happened in {self.zone.key} (clocks went forward); "
            f"read {self.gaps[text] // 60_000_000} minutes later, as the offset before the "
            "gap names it"
        )

    def expectation(self) -> str:
        """What a date cell must look like."""
        order = "D/M/YYYY" if self.dayfirst else "M/D/YYYY"
        return (
            f"a date and time such as {order} HH:MM or YYYY-MM-DD HH:MM "
            "(from 2 January of year 1 to 30 December 9999)"
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
# The instants every zone can show (no UTC offset reaches a day): a day inside Python's range.
_FIRST_US: Final = (date(1, 1, 2).toordinal() - _EPOCH_ORDINAL) * 86_400_000_000
_LAST_US: Final = (date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL) * 86_400_000_000 - 1


def _utc_us(value: datetime) -> int:
    return td_us(value - _EPOCH)


def _check_delimiter(delimiter: object) -> str | None:
    if delimiter is None:
        return None
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise InvalidValueError(
            "delimiter", "one character other than a quote or a line break, or None", delimiter
        )
    return delimiter


def _document(value: object, name: str, what: str) -> tuple[Mapping[str, Any], bool]:
    """A user's table: ``(mapping, from_file)``; a path is read as a TOML or JSON document."""
    if value is None:
        return {}, False
    if isinstance(value, Mapping):
        return value, False
    if isinstance(value, str | os.PathLike):
        document = load_document(value)
        if not isinstance(document, Mapping):
            raise ConfigError([("$", f"must be a table of {what} (got {show(document)})")])
        return document, True
    raise InvalidValueError(
        name, f"a mapping of {what}, or the path of a TOML or JSON file holding one", value
    )


class _TableProblems:
    """A file's problems become one ConfigError with their paths; a mapping's first, an
    InvalidValueError naming the argument."""

    def __init__(self, name: str, from_file: bool) -> None:
        self.name = name
        self.from_file = from_file
        self.items: list[tuple[str, str]] = []

    def add(self, key: object, expectation: str, value: object, field: str | None = None) -> None:
        if not self.from_file:
            raise InvalidValueError(field or self.name, expectation, value)
        self.items.append((f"$.{key}", f"must be {expectation} (got {show(value)})"))

    def check(self, key: object, parse: Any) -> Any:
        try:
            return parse()
        except InvalidValueError as error:
            if not self.from_file:
                raise
            self.add(key, error.expectation, error.value)
            return None

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(self.items)


def _column_names(preset: Preset, columns: object) -> tuple[dict[str, str], dict[str, str]]:
    """The column of each field (the preset's, adjusted), and those the user named."""
    names = dict(preset.columns)
    table, from_file = _document(columns, "columns", "fields to column names")
    problems = _TableProblems("columns", from_file)
    given: dict[str, str] = {}
    for field, column in table.items():
        if field not in _FIELDS:
            problems.add(field, f"keyed by the fields {', '.join(_FIELDS)}", field)
            continue
        if column is None:
            names.pop(field, None)
            continue
        if not isinstance(column, str) or not column.strip():
            problems.add(field, "a column name, or None", column, f"columns.{field}")
            continue
        names[field] = given[field] = column.strip()
    problems.raise_if_any()
    for field in _REQUIRED:
        if field not in names:
            raise InvalidValueError(
                "columns", f"a mapping that names the {field!r} column", dict(table)
            )
    return names, given


def _state_table(preset: Preset, states: object) -> dict[str, tuple[State, HoldReason | None]]:
    table = dict(preset.states)
    given, from_file = _document(states, "states", "state labels to states")
    problems = _TableProblems("states", from_file)
    for label, spec in given.items():
        if not isinstance(label, str) or not label.strip():
            problems.add(label, "a state label (non-empty text)", label)
            continue
        found = problems.check(label, lambda spec=spec: state_spec(spec))
        if found is not None:
            table[normalise(label)] = found
    problems.raise_if_any()
    return table


def _priority_table(preset: Preset, priorities: object) -> dict[str, Priority]:
    table = dict(preset.priorities)
    given, from_file = _document(priorities, "priorities", "priority names to priorities")
    problems = _TableProblems("priorities", from_file)
    for label, value in given.items():
        if not isinstance(label, str) or not label.strip():
            problems.add(label, "a priority name (non-empty text)", label)
            continue
        found = problems.check(label, lambda value=value: Priority.parse(value))
        if found is not None:
            table[normalise(label)] = found
    problems.raise_if_any()
    return table


class _Collector:
    """Row problems: anomalies for rows that belong to no incident, the count of dropped
    rows, and (for ``strict``) the first problem by row."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.loose: list[Anomaly] = []
        self.dropped = 0
        self.first: EventLogError | None = None

    def problem(self, error: EventLogError) -> None:
        if self.strict and (self.first is None or (error.row or 0) < (self.first.row or 0)):
            self.first = error


def read_event_log(
    source: str | os.PathLike[str] | IO[str] | Any,
    *,
    tz: object,
    preset: str = "servicenow",
    columns: Mapping[str, str | None] | str | os.PathLike[str] | None = None,
    states: Mapping[str, StateSpec] | str | os.PathLike[str] | None = None,
    priorities: Mapping[str, object] | str | os.PathLike[str] | None = None,
    dayfirst: bool | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
    priority: str = "recorded",
    matrix: PriorityMatrix = ITIL_PRIORITIES,
    impact: object = None,
    urgency: object = None,
    strict: bool = False,
    progress: Callable[[int], object] | None = None,
) -> EventLog:
    """Read an audit export (one row per update of a ticket) into replayed incidents.

    ``source`` is a path, an open text file, or a pandas DataFrame (its
    columns as the header; row numbers as if the header were row 1). ``tz``
    is the IANA zone of the export's local times. ``preset`` names a known
    format (:data:`PRESETS`); ``columns`` (neutral field -> column header),
    ``states`` (the tool's state label -> ``"state"`` or ``"state:reason"``)
    and ``priorities`` (the tool's priority name -> ``"P1"`` ...) adjust it
    or describe another system's export (``preset="generic"``); each may be a
    mapping or the path of a TOML or JSON file whose top-level keys are those
    names. ``delimiter=None`` sniffs ``,`` ``;`` tab or ``|`` from the header.

    ``priority="recorded"`` (default) keeps the export's priority column;
    ``"matrix"`` computes each priority from impact and urgency through
    ``matrix``. ``impact`` and ``urgency`` stand in when the export has no
    such column, or a ticket's first row leaves them empty. Dates such as
    ``29/2/2016 01:16`` or ``29-02-2016 01:16`` (``dayfirst=True``, the
    ServiceNow preset's default), ``2/29/2016 01:16`` (``dayfirst=False``,
    the generic default) and ISO ``2016-02-29 01:16[:00]`` are read. A path
    is read as ``encoding``.

    A row that cannot be used is dropped with an anomaly naming it, and the
    import goes on; ``strict=True`` raises :class:`~itilkit.EventLogError`
    for the first such row instead. See the module documentation for the
    rules and the anomaly kinds. ``progress``, if given, is called with the
    number of rows read so far every :data:`PROGRESS_EVERY` rows (a progress
    bar for a large export).

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
    if not isinstance(preset, str) or preset not in PRESETS:
        raise InvalidValueError("preset", f"one of {', '.join(sorted(PRESETS))}", preset)
    if not isinstance(priority, str) or priority not in _PRIORITY_MODES:
        raise InvalidValueError("priority", "'recorded' or 'matrix'", priority)
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise InvalidValueError("dayfirst", "True, False or None (the preset's)", dayfirst)
    if not isinstance(strict, bool):
        raise InvalidValueError("strict", "True or False", strict)
    if not isinstance(matrix, PriorityMatrix):
        raise InvalidValueError("matrix", "a PriorityMatrix", matrix)
    chosen_delimiter = _check_delimiter(delimiter)
    chosen = PRESETS[preset]
    names, given = _column_names(chosen, columns)
    if priority == "matrix":
        names.pop("priority", None)
    state_table = _state_table(chosen, states)
    priority_table = _priority_table(chosen, priorities)
    dates = _Dates(zone_info, chosen.dayfirst if dayfirst is None else dayfirst)
    default_impact = None if impact is None else matrix.impact_level(impact)
    default_urgency = None if urgency is None else matrix.urgency_level(urgency)
    collector = _Collector(strict)

    handle: TextIO | None = None
    owned = False
    records: Iterable[list[str]]
    header: list[str] | None
    if is_frame(source):
        frame: Any = source
        header = [str(name) for name in frame.columns]
        records = (
            [frame_cell(v) for v in values] for values in frame.itertuples(index=False, name=None)
        )
        chosen_delimiter = chosen_delimiter or ","
    else:
        handle, owned = open_text(source, encoding, "event-log file")
    line = 0  # the last row read whole (the header is row 1)
    try:
        if handle is not None:
            records, header, chosen_delimiter = csv_header(handle, chosen_delimiter)
        assert chosen_delimiter is not None and header is not None
        line = 1
        header = [name.strip().lstrip("\ufeff") for name in header]
        check_header(header)
        position = {name: i for i, name in enumerate(header)}
        core: list[str] = []
        carried: list[str] = []
        for field, column in names.items():
            if column not in position:
                if field in _REQUIRED or field in given:
                    raise missing_column(field, column, header, chosen_delimiter, field in given)
                continue
            (carried if field in CARRIED_FIELDS else core).append(field)
        carried.sort(key=CARRIED_FIELDS.index)
        width = len(header)
        # Keep only the needed cells of each row, as tuples: less memory, faster.
        core_pick = operator.itemgetter(*(position[names[f]] for f in core))
        carried_cols = [position[names[f]] for f in carried]
        carried_pick: Any = (
            operator.itemgetter(*carried_cols)
            if len(carried_cols) > 1
            else (lambda record, i=carried_cols[0]: (record[i],))
            if carried_cols
            else (lambda record: ())
        )
        id_col = position[names["id"]]
        id_name = names["id"]
        tickets: dict[str, list[tuple[int, tuple[str, ...], tuple[str, ...]]]] = {}
        count = 0
        physical = getattr(records, "line_num", None) is not None  # a csv reader: lines known
        before = 1
        for line, record in enumerate(records, start=2):
            if not record:
                continue
            count += 1
            if progress is not None and not count % PROGRESS_EVERY:
                progress(count)
            if physical:
                now = records.line_num  # type: ignore[attr-defined]
                spanned, before = now - before, now
                if spanned > 1 and swallows(record, chosen_delimiter, width):
                    key = record[id_col].strip() if len(record) > id_col else ""
                    error = EventLogError(
                        f"a quote opened in this row closes {spanned - 1} lines later, so the"
                        " lines between, which look like rows, were read into one field: close"
                        " the quote (or double it) and read again",
                        row=line,
                    )
                    collector.loose.append(Anomaly(key, line, "swallowed_rows", str(error), None))
                    collector.dropped += 1
                    collector.problem(error)
                    continue
            if len(record) != width:
                key, kind, error = width_problem(record, width, id_col, line)
                collector.loose.append(Anomaly(key, line, kind, str(error), None))
                collector.dropped += 1
                collector.problem(error)
                continue
            key = record[id_col].strip()
            if key in MISSING:
                error = EventLogError(
                    must(id_name, "a ticket id", record[id_col]), row=line, column=id_name
                )
                collector.loose.append(Anomaly("", line, "missing_id", str(error), None))
                collector.dropped += 1
                collector.problem(error)
                continue
            values = carried_pick(record)
            group = tickets.get(key)
            if group is None:
                tickets[key] = [(line, core_pick(record), values)]
            else:
                last = group[-1][2]
                group.append((line, core_pick(record), last if values == last else values))
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
        raise EventLogError(csv_problem(exc), row=line + 1) from None
    finally:
        if owned and handle is not None:
            handle.close()

    reader_state = _Reader(
        {field: i for i, field in enumerate(core)},
        tuple(carried),
        names,
        state_table,
        priority_table,
        dates,
        matrix,
        tz_value,
        default_impact,
        default_urgency,
        collector,
    )
    built = []
    for key in list(tickets):
        inc = reader_state.ticket(key, tickets.pop(key))
        if inc is not None:
            built.append(inc)
    if collector.first is not None:
        raise collector.first
    incidents = tuple(built)
    anomalies = collector.loose + [a for inc in incidents for a in inc.anomalies]
    anomalies.sort(key=_anomaly_row)
    return EventLog(
        incidents,
        tuple(anomalies),
        count,
        reader_state.repeats,
        collector.dropped,
        tuple(carried),
        "recorded" if "priority" in core else "matrix",
    )


def _anomaly_row(anomaly: Anomaly) -> int:
    return anomaly.row or 0


def _first(item: tuple[int, Any]) -> int:
    return item[0]


class _Reader:
    """Turns the rows of one ticket into an incident."""

    def __init__(
        self,
        index: dict[str, int],
        carried: tuple[str, ...],
        names: dict[str, str],
        state_table: dict[str, tuple[State, HoldReason | None]],
        priority_table: dict[str, Priority],
        dates: _Dates,
        matrix: PriorityMatrix,
        tz: tzinfo,
        impact: object,
        urgency: object,
        collector: _Collector,
    ) -> None:
        self.index = index
        self.carried = carried
        self.names = names
        self.state_table = state_table
        self.priority_table = priority_table
        self.state_cache: dict[str, object] = {}
        self.impact_cache: dict[str, object] = {}
        self.urgency_cache: dict[str, object] = {}
        self.priority_cache: dict[str, object] = {}
        self.plain: dict[str, str | None] = {}
        self.boolean: dict[str, str | None] = {}
        self.interned: dict[str, str] = {}
        self.caches = [self.boolean if f in _BOOLEAN_FIELDS else self.plain for f in carried]
        self.dates = dates
        self.matrix = matrix
        self.tz = tz
        self.default_impact = impact
        self.default_urgency = urgency
        self.collector = collector
        self.repeats = 0
        self.check_mismatch = "priority" in index and "impact" in index and "urgency" in index

    # ------------------------------------------------------------ cells

    def _state(self, text: str) -> object:
        found = self.state_cache.get(text)
        if found is None:
            found = self.state_table.get(normalise(text))
            if found is None:
                try:
                    found = (State.parse(text), None)
                except InvalidValueError:
                    found = _BAD
            self.state_cache[text] = found
        return found

    def _unknown_state(self, text: str, row: int) -> EventLogError:
        column = self.names["state"]
        known = ", ".join(sorted(self.state_table)) or "itilkit's names"
        return EventLogError(
            must(column, f"a known state ({known}); map others with states=", text),
            row=row,
            column=column,
        )

    def _level(self, field: str, cache: dict[str, object], text: str) -> object:
        found = cache.get(text, _BAD)
        if found is _BAD:
            if text.strip() in MISSING:
                found = None
            else:
                try:
                    found = (
                        self.matrix.impact_level(text)
                        if field == "impact"
                        else self.matrix.urgency_level(text)
                    )
                except InvalidValueError:
                    found = _BAD
            cache[text] = found
        return found

    def _priority(self, text: str) -> object:
        found = self.priority_cache.get(text, _BAD)
        if found is _BAD:
            stripped = text.strip()
            if stripped in MISSING:
                found = None
            else:
                found = self.priority_table.get(normalise(stripped))
                if found is None:
                    try:
                        found = Priority.parse(stripped)
                    except InvalidValueError:
                        found = _BAD
            self.priority_cache[text] = found
        return found

    def _bad_value(self, field: str, text: str, row: int) -> EventLogError:
        column = self.names[field]
        if field == "priority":
            expectation = (
                "a priority (P1 to P5, 1 to 5, '1 - Critical' ...), or a name mapped with "
                "priorities="
            )
        elif field in ("impact", "urgency"):
            levels = self.matrix.impacts if field == "impact" else self.matrix.urgencies
            expectation = "one of " + ", ".join(
                f"'{n} - {label}'" for n, label in enumerate(levels, start=1)
            )
        elif field == "reason":
            expectation = "a hold reason (awaiting_caller, ...), or a label mapped with states="
        else:
            expectation = self.dates.expectation()
        return EventLogError(
            must(column, expectation, text) + "; ignored, the previous value kept",
            row=row,
            column=column,
        )

    def _reason(self, text: str) -> object:
        if text.strip() in MISSING:
            return None
        mapped = self.state_table.get(normalise(text))
        if mapped is not None and mapped[1] is not None:
            return mapped[1]
        try:
            return HoldReason.parse(text)
        except InvalidValueError:
            return _BAD

    def _value(self, j: int, raw: str) -> str | None:
        cache = self.caches[j]
        found = cache.get(raw, _BAD)
        if found is _BAD:
            text = raw.strip()
            if text in MISSING:
                found = None
            else:
                if cache is self.boolean and text.lower() in ("true", "false"):
                    text = text.lower()
                found = self.interned.setdefault(text, text)
            cache[raw] = found
        return found  # type: ignore[return-value]

    # ------------------------------------------------------------ one ticket

    def ticket(
        self, key: str, rows: list[tuple[int, tuple[str, ...], tuple[str, ...]]]
    ) -> Incident | None:
        index = self.index
        dates = self.dates
        get = dates.get
        collector = self.collector
        pending: list[Anomaly] = []
        builder: StepBuilder | None = None

        def problem(kind: str, error: EventLogError, us: int | None, dropped: bool) -> None:
            at = None if us is None else from_us(us, self.tz)
            anomaly = Anomaly(key, error.row, kind, str(error), at)
            (pending if builder is None else builder.anomalies).append(anomaly)
            collector.problem(error)
            if dropped:
                collector.dropped += 1

        at_i, at_name = index["at"], self.names["at"]
        state_i = index["state"]
        counter_i = index.get("counter")
        ordered: list[tuple[int, tuple[str, ...], tuple[str, ...]]]
        if counter_i is not None:
            counter_name = self.names["counter"]
            keyed = []
            for item in rows:
                text = item[1][counter_i].strip()
                try:
                    number = int(text)
                except ValueError:
                    error = EventLogError(
                        must(counter_name, "an integer update counter", text),
                        row=item[0],
                        column=counter_name,
                    )
                    problem("bad_counter", error, None, True)
                    continue
                keyed.append((number, item))
            keyed.sort(key=_first)
            ordered = [item for _, item in keyed]
        else:
            timed = []
            for item in rows:
                us = get(item[1][at_i])
                if us is None:
                    timed.append((0, item))  # dropped below, where the date is read again
                else:
                    timed.append((us, item))
            timed.sort(key=_first)
            ordered = [item for _, item in timed]

        matrix = self.matrix
        impact_i = index.get("impact")
        urgency_i = index.get("urgency")
        priority_i = index.get("priority")
        reason_i = index.get("reason")
        opened_i = index.get("opened_at")
        fields = self.carried
        check_mismatch = self.check_mismatch
        gaps = dates.gaps
        where = "the event log"
        cur_impact: object = None
        cur_urgency: object = None
        cur_recorded: object = None
        mismatched = False
        prev_carried: tuple[str, ...] = ()
        prev_values: list[str | None] = []
        for line, core, carried in ordered:
            at_text = core[at_i]
            us = get(at_text)
            if us is None:
                error = EventLogError(
                    must(at_name, dates.expectation(), at_text), row=line, column=at_name
                )
                problem("bad_date", error, None, True)
                continue
            found = self._state(core[state_i])
            if found is _BAD:
                problem("unknown_state", self._unknown_state(core[state_i], line), us, True)
                continue
            state, reason = cast(tuple[State, HoldReason | None], found)
            if state is State.ON_HOLD and reason is None and reason_i is not None:
                read = self._reason(core[reason_i])
                if isinstance(read, HoldReason):
                    reason = read
                elif read is _BAD:
                    problem(
                        "bad_value", self._bad_value("reason", core[reason_i], line), us, False
                    )
            new_impact, new_urgency, new_recorded = cur_impact, cur_urgency, cur_recorded
            if impact_i is not None:
                level = self._level("impact", self.impact_cache, core[impact_i])
                if level is _BAD:
                    problem(
                        "bad_value", self._bad_value("impact", core[impact_i], line), us, False
                    )
                elif level is not None:
                    new_impact = level
            if urgency_i is not None:
                level = self._level("urgency", self.urgency_cache, core[urgency_i])
                if level is _BAD:
                    problem(
                        "bad_value", self._bad_value("urgency", core[urgency_i], line), us, False
                    )
                elif level is not None:
                    new_urgency = level
            if priority_i is not None:
                level = self._priority(core[priority_i])
                if level is _BAD:
                    problem(
                        "bad_value", self._bad_value("priority", core[priority_i], line), us, False
                    )
                elif level is not None:
                    new_recorded = level
            if builder is None:
                # The opening: the first row that can be read, with a priority.
                first_impact = self.default_impact if new_impact is None else new_impact
                first_urgency = self.default_urgency if new_urgency is None else new_urgency
                if new_recorded is None and (first_impact is None or first_urgency is None):
                    lacking = "impact" if first_impact is None else "urgency"
                    error = EventLogError(
                        f"no priority for ticket {key!r} yet: the row has no "
                        f"{'priority or ' if priority_i is not None else ''}{lacking}; pass "
                        f"{lacking}= to read_event_log for a default",
                        row=line,
                        column=self.names.get(lacking, self.names.get("priority")),
                    )
                    problem("no_priority", error, us, True)
                    continue
                opened_us = us
                opened_text = None
                if opened_i is not None and core[opened_i].strip() not in MISSING:
                    opened_text = core[opened_i]
                    found_us = get(opened_text)
                    if found_us is None:
                        problem(
                            "bad_value", self._bad_value("opened_at", opened_text, line), us, False
                        )
                        opened_text = None
                    else:
                        opened_us = found_us
                first_priority = (
                    new_recorded
                    if new_recorded is not None
                    else matrix.priority(first_impact, first_urgency)
                )
                builder = StepBuilder.opening(
                    key,
                    opened_us,
                    self.tz,
                    matrix,
                    first_impact,
                    first_urgency,
                    first_priority,  # type: ignore[arg-type]
                    strict=False,
                )
                builder.anomalies.extend(pending)
                if opened_text is not None and gaps and opened_text in gaps:
                    message = dates.gap_message(opened_text, self.names["opened_at"])
                    builder.note("nonexistent_time", message, opened_us, line)
                cur_impact, cur_urgency = first_impact, first_urgency
                cur_recorded = new_recorded
                prev_carried = carried
                prev_values = [self._value(j, raw) for j, raw in enumerate(carried)]
                for j, value in enumerate(prev_values):
                    if value is not None:
                        builder.carry(opened_us, fields[j], value)
                if gaps and at_text in gaps:
                    builder.note("nonexistent_time", dates.gap_message(at_text, at_name), us, line)
                if check_mismatch and new_recorded is not None:
                    mismatched = self._mismatch(
                        builder, key, line, us, new_recorded, new_impact, new_urgency
                    )
                if state is not State.NEW or reason is not None:
                    builder.step(us, state, reason, line, where)
                continue
            if gaps and at_text in gaps:
                builder.note("nonexistent_time", dates.gap_message(at_text, at_name), us, line)
            changed = False
            if (
                new_impact != cur_impact
                or new_urgency != cur_urgency
                or new_recorded is not cur_recorded
            ):
                before = len(builder.priorities)
                builder.reprioritize(
                    us,
                    new_impact,
                    new_urgency,
                    line,
                    where,
                    new_recorded,  # type: ignore[arg-type]
                )
                changed = len(builder.priorities) != before
                cur_impact, cur_urgency, cur_recorded = new_impact, new_urgency, new_recorded
                if check_mismatch and not mismatched and new_recorded is not None:
                    mismatched = self._mismatch(
                        builder, key, line, us, new_recorded, new_impact, new_urgency
                    )
            if carried is not prev_carried:
                for j, raw in enumerate(carried):
                    if raw != prev_carried[j]:
                        value = self._value(j, raw)
                        if value != prev_values[j]:
                            builder.carry(us, fields[j], value)
                            prev_values[j] = value
                            changed = True
                prev_carried = carried
            if state is builder.state and reason == builder.reason:
                if not changed:
                    self.repeats += 1  # a row that changes nothing
                continue
            builder.step(us, state, reason, line, where)
        if builder is None:
            collector.loose.extend(pending)
            return None
        return builder.build()

    def _mismatch(
        self,
        builder: StepBuilder,
        key: str,
        line: int,
        us: int,
        recorded: object,
        impact: object,
        urgency: object,
    ) -> bool:
        """Note a recorded priority the matrix would not give; True once noted."""
        assert recorded is None or isinstance(recorded, Priority)
        if recorded is None:
            return False
        return note_priority_mismatch(
            builder, self.matrix, key, us, line, recorded, impact, urgency
        )
