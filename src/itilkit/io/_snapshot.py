"""Reading list-view snapshots (one row per incident, current values, no history) into incidents.

The export ticket systems produce most readily is a list view: one row per
incident with its *current* values (ServiceNow's REST ``incident`` table, a
list exported to CSV). It records a few instants exactly (opened, resolved,
closed, last updated) and nothing of what happened in between.
:func:`read_incidents` builds each incident from those instants only, and
says where history is missing instead of inventing it.

How an incident is built from its row:

- It opens at ``opened_at``, NEW, with the recorded priority (impact and
  urgency kept beside it); the carried fields
  (:data:`~itilkit.CARRIED_FIELDS`) hold their current values from the
  opening, since the snapshot does not show when they were set.
- Then, as recorded and in this order: a step to RESOLVED at ``resolved_at``
  and a step to CLOSED at ``closed_at``, where the row has them.
- If the incident is not then in its current state (the ``state`` column,
  and for ON_HOLD the ``reason`` column), a step to that state at ``at``
  (the last update, ``sys_updated_on``): the latest instant the row shows it
  in that state. An incident still NEW needs no step.
- Steps are kept as recorded, in that order (``strict=False`` lifecycle): a
  move the transition table forbids (closed without a resolution; in
  progress after a recorded close) or an instant earlier than the one before
  is kept and reported as ``"forbidden_transition"`` or ``"clock_backwards"``.

**Unknown history is said** (the ``"no_history"`` rule). An incident gets
one ``"no_history"`` anomaly, naming its row, when the row itself shows
that something happened which its instants cannot place, so a clock that
pauses on hold or restarts on reopening may have done so unseen:

1. it was reopened: ``reopen_count`` above 0, a ``reopened_at`` recorded,
   or it is open (NEW, IN_PROGRESS or ON_HOLD) although a resolution or a
   close is recorded;
2. it was put on hold: it is ON_HOLD now, or a hold reason is recorded
   while it is in another state;
3. its current state had to be placed at the last update, because no
   column records when it was entered (IN_PROGRESS, ON_HOLD, CANCELED, or
   RESOLVED/CLOSED without the instant): when it got there and what came
   before are unseen;
4. it left NEW: no column records when, so its response (the first move
   out of NEW) is not known, and a response clock computed on it runs to
   the first recorded instant instead.

Only an incident still NEW goes without. That is not proof that it was never
on hold: a hold that ended before the resolution may leave no trace in a
snapshot (the hold reason is the current one), so a resolution clock on
snapshot data runs unpaused from opening to resolution; an event log
(:func:`~itilkit.io.read_event_log`) or an audit table has the history.

**Every row is accounted for**: it becomes one incident, or it is dropped
with one anomaly naming it, so ``log.rows == len(log.incidents) +
log.dropped`` (``log.repeats`` is 0; see :meth:`~itilkit.io.EventLog.summary`).
Kinds of a dropped row: ``"short_row"`` / ``"long_row"`` (a field count
other than the header's), ``"missing_id"``, ``"duplicate_id"`` (the id of an
incident an earlier row made: that one is kept), ``"unknown_state"``, ``"bad_date"``
(``opened_at`` does not read, or ``at`` does not and the current state needs
it), ``"no_priority"`` (no readable priority, nor impact and urgency).
Anomalies of a kept row: ``"bad_value"`` (a cell that does not read, such
as a hold reason code ServiceNow does not document, is ignored, naming the
row, column and value), ``"priority_mismatch"`` (the recorded priority is
kept where the ITIL matrix gives another for the recorded impact and
urgency), ``"nonexistent_time"`` (a local time in a DST gap, read shifted
forward by the gap), ``"no_history"`` and the lifecycle's own kinds.
``strict=True`` raises :class:`~itilkit.EventLogError` for the first
dropped row or ``"bad_value"`` instead. File-level problems always raise: no
header, a needed column missing (the message shows the header), a column
named twice, bytes that are not text in the encoding, a quote left open.

Dates are ``YYYY-MM-DD HH:MM[:SS[.ffffff]]`` (or with ``T``), local times in
``tz`` read by the recorded-timestamp rule of :mod:`itilkit._time`; a time
with a UTC offset (``Z``, ``+02:00``) names its instant.

>>> import io
>>> text = '''number,incident_state,hold_reason,opened_at,resolved_at,closed_at,sys_updated_on,impact,urgency,priority,reopen_count
... INC1,7,,2026-03-02 09:00:00,2026-03-02 11:30:00,2026-03-04 09:00:00,2026-03-04 09:00:00,2,2,3,0
... INC2,3,1,2026-03-02 10:00:00,,,2026-03-03 08:00:00,1,1,1,0
... '''
>>> log = read_incidents(io.StringIO(text), tz="Europe/Lisbon")
>>> [(inc.id, inc.state.value, inc.priority.name) for inc in log.incidents]
[('INC1', 'closed', 'P3'), ('INC2', 'on_hold', 'P1')]
>>> log.incident("INC1").resolved_at.isoformat()
'2026-03-02T11:30:00+00:00'
>>> [(a.incident_id, a.row, a.kind) for a in log.anomalies]  # neither response is recorded
[('INC1', 2, 'no_history'), ('INC2', 3, 'no_history')]
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import IO, Any, Final, TextIO
from zoneinfo import ZoneInfo

import attrs

from .._document import load_document
from .._errors import ConfigError, EventLogError, InvalidValueError, must, show
from .._incident import (
    CARRIED_FIELDS,
    Anomaly,
    HoldReason,
    Incident,
    State,
    StepBuilder,
)
from .._priority import ITIL_PRIORITIES, Impact, Priority, Urgency
from .._time import from_us, recorded_to_us, td_us, zone, zone_name
from .._vocabulary import normalise
from ._event_log import PRESETS, EventLog
from ._sources import (
    MISSING,
    SERVICENOW_HOLD_REASON_CODES,
    SERVICENOW_STATE_CODES,
    check_header,
    csv_header,
    csv_problem,
    frame_cell,
    is_frame,
    missing_column,
    note_priority_mismatch,
    open_text,
    width_problem,
)

__all__ = ["SNAPSHOT_PRESETS", "SnapshotPreset", "read_incidents"]

_KEYS: Final = (
    "id",
    "state",
    "opened_at",
    "at",
    "resolved_at",
    "closed_at",
    "priority",
    "impact",
    "urgency",
    "reason",
    "reopened_at",
)
_FIELDS: Final = _KEYS + CARRIED_FIELDS
_REQUIRED: Final = ("id", "state", "opened_at", "at")
_DATE_FIELDS: Final = ("opened_at", "at", "resolved_at", "closed_at")
# Cells that hold no value, as the event-log reader reads them.
_BOOLEAN_FIELDS: Final = frozenset({"made_sla", "knowledge"})
_OPEN: Final = frozenset({State.NEW, State.IN_PROGRESS, State.ON_HOLD})
_WHERE: Final = "the snapshot"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH: Final = datetime(1970, 1, 1)
# The instants every zone can show, as the event-log reader bounds them.
_FIRST_US: Final = td_us(datetime(1, 1, 2) - _NAIVE_EPOCH)
_LAST_US: Final = td_us(datetime(9999, 12, 31) - _NAIVE_EPOCH) - 1
_DATE: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)


@attrs.frozen
class SnapshotPreset:
    """How one ticket system writes a list-view snapshot: its columns, state and hold-reason codes.

    ``columns`` maps the fields ``id``, ``state``, ``opened_at``, ``at``
    (last update; these four required), ``resolved_at``, ``closed_at``,
    ``priority``, ``impact``, ``urgency``, ``reason`` (hold reason),
    ``reopened_at`` and the carried fields (:data:`~itilkit.CARRIED_FIELDS`)
    to column names. ``states`` maps a state as exported (a code or a label,
    normalised) to a :class:`~itilkit.State`, ``reasons`` a hold reason as
    exported to a :class:`~itilkit.HoldReason`.

    >>> preset = SNAPSHOT_PRESETS["servicenow-incident"]
    >>> preset.columns["at"], preset.states["7"], preset.reasons["4"]
    ('sys_updated_on', <State.CLOSED: 'closed'>, <HoldReason.AWAITING_VENDOR: 'awaiting_vendor'>)
    """

    columns: Mapping[str, str]
    states: Mapping[str, State]
    reasons: Mapping[str, HoldReason]


_SN_COLUMNS: Final = {
    "id": "number",
    "state": "incident_state",
    "opened_at": "opened_at",
    "at": "sys_updated_on",
    "resolved_at": "resolved_at",
    "closed_at": "closed_at",
    "priority": "priority",
    "impact": "impact",
    "urgency": "urgency",
    "reason": "hold_reason",
    "reopened_at": "reopened_time",
    # The carried fields under the same ServiceNow names as the event-log preset.
    **{f: c for f, c in PRESETS["servicenow"].columns.items() if f in CARRIED_FIELDS},
    # ServiceNow's own resolve times, in seconds: inside its schedule, and 24x7.
    "business_resolve_time": "business_stc",
    "resolve_time": "calendar_stc",
}
# Display values ("In Progress", "Awaiting Caller"), as a list exported from the UI writes them.
_SN_STATE_LABELS: Final = {
    label: state for label, (state, _) in PRESETS["servicenow"].states.items()
}

SNAPSHOT_PRESETS: Final[Mapping[str, SnapshotPreset]] = MappingProxyType(
    {
        "servicenow-incident": SnapshotPreset(
            MappingProxyType(_SN_COLUMNS),
            MappingProxyType({**_SN_STATE_LABELS, **SERVICENOW_STATE_CODES}),
            MappingProxyType(SERVICENOW_HOLD_REASON_CODES),
        ),
    }
)
"""Known snapshot layouts.

``"servicenow-incident"``: ServiceNow's ``incident`` table as its REST API
(or a list export) returns it: ``number``, ``incident_state`` coded (1 New,
2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled) or as labels,
``hold_reason`` coded (1 Awaiting Caller, 3 Awaiting Problem, 4 Awaiting
Vendor, 5 Awaiting Change) or as labels, ``opened_at``, ``resolved_at``,
``closed_at``, ``sys_updated_on``, ``reopened_time``, ``priority``,
``impact`` and ``urgency`` (``1`` or ``"1 - High"``), and the carried fields
under the names of the event-log preset (``assignment_group`` as ``group``,
``made_sla``, ``reassignment_count``, ``reopen_count``, ``category``, ...).
"""


def _column_names(preset: SnapshotPreset, columns: object) -> tuple[dict[str, str], set[str]]:
    """The column of each field (the preset's, adjusted), and the fields the user named."""
    names = dict(preset.columns)
    if columns is None:
        return names, set()
    from_file = isinstance(columns, str | os.PathLike)
    if from_file:
        table = load_document(columns)  # type: ignore[arg-type]
        if not isinstance(table, Mapping):
            raise ConfigError(
                [("$", f"must be a table of fields to column names (got {show(table)})")]
            )
    elif isinstance(columns, Mapping):
        table = columns
    else:
        raise InvalidValueError(
            "columns",
            "a mapping of fields to column names, or the path of a TOML or JSON file holding one",
            columns,
        )
    problems: list[tuple[str, str]] = []

    def problem(key: object, expectation: str, value: object, field: str) -> None:
        if not from_file:
            raise InvalidValueError(field, expectation, value)
        problems.append((f"$.{key}", f"must be {expectation} (got {show(value)})"))

    given: set[str] = set()
    for field, column in table.items():
        if field not in _FIELDS:
            problem(field, f"keyed by the fields {', '.join(_FIELDS)}", field, "columns")
        elif column is None:
            names.pop(field, None)
        elif not isinstance(column, str) or not column.strip():
            problem(field, "a column name, or None", column, f"columns[{field!r}]")
        else:
            names[field] = column.strip()
            given.add(field)
    if problems:
        raise ConfigError(problems)
    for field in _REQUIRED:
        if field not in names:
            raise InvalidValueError(
                "columns", f"a mapping that names the {field!r} column", dict(table)
            )
    return names, given


class _Dates:
    """Reads date cells in one zone; each distinct text once."""

    def __init__(self, zone_info: ZoneInfo) -> None:
        self.zone = zone_info
        self.cache: dict[str, tuple[int, int] | None] = {}

    def get(self, text: str) -> tuple[int, int] | None:
        """``(instant, DST-gap shift)`` of a date cell, or None when it does not read."""
        if text in self.cache:
            return self.cache[text]
        found: tuple[int, int] | None
        try:
            found = self._read(text.strip())
        except (ValueError, OverflowError):
            found = None
        if found is not None and not _FIRST_US <= found[0] <= _LAST_US:
            found = None
        if len(self.cache) < 1 << 16:
            self.cache[text] = found
        return found

    def _read(self, text: str) -> tuple[int, int] | None:
        match = _DATE.fullmatch(text)
        if match is None:
            return None
        y, mo, d, h, mi, s, frac, offset = match.groups()
        naive = datetime(
            int(y), int(mo), int(d), int(h), int(mi), int(s or 0), int((frac or "").ljust(6, "0"))
        )
        if offset is not None:
            aware = datetime.fromisoformat(
                naive.isoformat() + ("+00:00" if offset == "Z" else offset)
            )
            return td_us(aware - _EPOCH), 0
        return recorded_to_us(naive, self.zone)

    @staticmethod
    def expectation() -> str:
        return (
            "a date and time such as YYYY-MM-DD HH:MM:SS (from 2 January of year 1 to "
            "30 December 9999)"
        )


@attrs.define
class _Row:
    """What one row says, read cell by cell."""

    line: int
    key: str
    state: State
    reason: HoldReason | None
    problems: list[tuple[str, EventLogError, int | None]]  # (kind, error, instant)
    instants: dict[str, int]
    gaps: dict[str, str]  # field -> why its local time was shifted (a DST gap)
    unread: dict[str, str]  # opened_at / at -> the text that does not read as a date
    priority: Priority | None
    impact: Impact | int | None
    urgency: Urgency | int | None
    reason_text: str | None
    reopened: str | None
    values: list[tuple[str, str]]


class _Reader:
    """Turns rows into incidents, one at a time."""

    def __init__(
        self,
        names: dict[str, str],
        position: dict[str, int],
        preset: SnapshotPreset,
        dates: _Dates,
        tz: Any,
        strict: bool,
    ) -> None:
        self.names = names
        self.index = {f: position[c] for f, c in names.items() if c in position}
        self.carried = [f for f in CARRIED_FIELDS if f in self.index]
        self.preset = preset
        self.dates = dates
        self.tz = tz
        self.strict = strict
        self.matrix = ITIL_PRIORITIES
        self.seen: dict[str, int] = {}
        # Each distinct cell text is read once (successes only: failures are rare and named).
        self.state_cache: dict[str, State] = {}
        self.level_cache: dict[tuple[str, str], Impact | Urgency | int] = {}
        self.priority_cache: dict[str, Priority] = {}
        self.incidents: list[Incident] = []
        self.loose: list[Anomaly] = []
        self.dropped = 0

    # ------------------------------------------------------------ dropping

    def drop(self, key: str, kind: str, error: EventLogError, us: int | None = None) -> None:
        if self.strict:
            raise error
        at = None if us is None else from_us(us, self.tz)
        self.loose.append(Anomaly(key, error.row, kind, str(error), at))
        self.dropped += 1

    def cell(self, record: list[str], field: str) -> str | None:
        i = self.index.get(field)
        if i is None:
            return None
        text = record[i].strip()
        return None if text in MISSING else text

    def bad_value(self, line: int, field: str, text: str, expectation: str) -> EventLogError:
        column = self.names[field]
        error = EventLogError(
            must(column, expectation, text) + "; ignored", row=line, column=column
        )
        if self.strict:
            raise error
        return error

    # ------------------------------------------------------------ one row

    def row(self, line: int, record: list[str], width: int) -> None:
        if len(record) != width:
            key, kind, error = width_problem(record, width, self.index["id"], line)
            self.drop(key, kind, error)
            return
        id_name = self.names["id"]
        key = record[self.index["id"]].strip()
        if key in MISSING:
            error = EventLogError(
                must(id_name, "an incident id", record[self.index["id"]]), row=line, column=id_name
            )
            self.drop("", "missing_id", error)
            return
        if key in self.seen:
            error = EventLogError(
                f"{key!r} is the incident of row {self.seen[key]} already: a snapshot has one row "
                "per incident, so the first is kept",
                row=line,
                column=id_name,
            )
            self.drop(key, "duplicate_id", error)
            return
        read = self.read(line, key, record)
        if read is None:
            return
        self.seen[key] = line
        self.build(read)

    def read(self, line: int, key: str, record: list[str]) -> _Row | None:
        state_name = self.names["state"]
        state_text = record[self.index["state"]].strip()
        state = self.state_cache.get(state_text)
        if state is None:
            state = self.preset.states.get(normalise(state_text))
        if state is None:
            try:
                state = State.parse(state_text)
            except InvalidValueError:
                known = ", ".join(sorted(self.preset.states))
                error = EventLogError(
                    must(state_name, f"a known state ({known})", state_text),
                    row=line,
                    column=state_name,
                )
                self.drop(key, "unknown_state", error)
                return None
        if len(self.state_cache) < 4096:
            self.state_cache[state_text] = state
        problems: list[tuple[str, EventLogError, int | None]] = []
        instants: dict[str, int] = {}
        gaps: dict[str, str] = {}
        unread: dict[str, str] = {}
        for field in _DATE_FIELDS:
            text = self.cell(record, field)
            if text is None:
                continue
            found = self.dates.get(text)
            if found is None:
                if field in ("opened_at", "at"):
                    unread[field] = text  # decided below: drop the row, or a bad_value
                    continue
                error = self.bad_value(line, field, text, self.dates.expectation())
                problems.append(("bad_value", error, None))
                continue
            instants[field], shift = found
            if shift:
                gaps[field] = (
                    f"{self.names[field]} {text!r} never happened in {self.dates.zone.key} (clocks "
                    f"went forward); read {shift // 60_000_000} minutes later, as the offset "
                    "before the gap names it"
                )
        opened_name = self.names["opened_at"]
        if "opened_at" not in instants:
            text = unread.get("opened_at", "")
            error = EventLogError(
                must(opened_name, self.dates.expectation(), text), row=line, column=opened_name
            )
            self.drop(key, "bad_date", error)
            return None
        # Priority: the recorded one wins; impact and urgency are kept beside it.
        impact: Impact | int | None = None
        urgency: Urgency | int | None = None
        for field in ("impact", "urgency"):
            text = self.cell(record, field)
            if text is None:
                continue
            level = self.level_cache.get((field, text))
            try:
                if level is None:
                    level = (
                        self.matrix.impact_level(text)
                        if field == "impact"
                        else self.matrix.urgency_level(text)
                    )
                    self.level_cache[field, text] = level
                if field == "impact":
                    impact = level
                else:
                    urgency = level
            except InvalidValueError as exc:
                problems.append(
                    ("bad_value", self.bad_value(line, field, text, exc.expectation), None)
                )
        priority: Priority | None = None
        text = self.cell(record, "priority")
        if text is not None:
            try:
                priority = self.priority_cache.get(text) or Priority.parse(text)
                self.priority_cache[text] = priority
            except InvalidValueError:
                expectation = "a priority (P1 to P5, 1 to 5, '1 - Critical' ...)"
                problems.append(
                    ("bad_value", self.bad_value(line, "priority", text, expectation), None)
                )
        if priority is None and (impact is None or urgency is None):
            lacking = "impact" if impact is None else "urgency"
            column = self.names.get("priority", self.names.get(lacking))
            error = EventLogError(
                f"no priority for incident {key!r}: the row has no readable priority, nor an "
                f"{lacking} to compute one from",
                row=line,
                column=column,
            )
            self.drop(key, "no_priority", error)
            return None
        # The hold reason: of the current hold, or a trace of an earlier one.
        reason: HoldReason | None = None
        reason_text = self.cell(record, "reason")
        if state is State.ON_HOLD and reason_text is not None:
            reason = self.preset.reasons.get(normalise(reason_text))
            if reason is None:
                try:
                    reason = HoldReason.parse(reason_text)
                except InvalidValueError:
                    codes = ", ".join(
                        f"{code} {r.name.replace('_', ' ').title()}"
                        for code, r in self.preset.reasons.items()
                    )
                    expectation = f"a hold reason ({codes}, or a label such as 'Awaiting Caller')"
                    error = self.bad_value(line, "reason", reason_text, expectation)
                    problems.append(("bad_value", error, None))
        values: list[tuple[str, str]] = []
        for field in self.carried:
            value = self.cell(record, field)
            if value is not None:
                if field in _BOOLEAN_FIELDS and value.lower() in ("true", "false"):
                    value = value.lower()
                values.append((field, value))
        return _Row(
            line,
            key,
            state,
            reason,
            problems,
            instants,
            gaps,
            unread,
            priority,
            impact,
            urgency,
            reason_text,
            self.cell(record, "reopened_at"),
            values,
        )

    # ------------------------------------------------------------ one incident

    def build(self, row: _Row) -> None:
        line, key, instants = row.line, row.key, row.instants
        opened_us = instants["opened_at"]
        resolved_us = instants.get("resolved_at")
        closed_us = instants.get("closed_at")
        updated_us = instants.get("at")
        # Which steps the recorded instants give, and whether the current state needs placing.
        reached = State.NEW
        if resolved_us is not None:
            reached = State.RESOLVED
        if closed_us is not None:
            reached = State.CLOSED
        place = reached is not row.state
        at_name = self.names["at"]
        if place and updated_us is None:
            text = row.unread.get("at", "")
            error = EventLogError(
                must(at_name, self.dates.expectation(), text)
                + f"; it is the only instant of the current state ({row.state.name})",
                row=line,
                column=at_name,
            )
            self.drop(key, "bad_date", error, opened_us)
            return
        builder = StepBuilder.opening(
            key,
            opened_us,
            self.tz,
            self.matrix,
            row.impact,
            row.urgency,
            row.priority
            if row.priority is not None
            else self.matrix.priority(row.impact, row.urgency),
            strict=False,
        )
        if "at" in row.unread:  # not needed to place the current state: ignored
            error = self.bad_value(line, "at", row.unread["at"], self.dates.expectation())
            row.problems.append(("bad_value", error, None))
        for kind, error, us in row.problems:
            builder.note(kind, str(error), us, line)
        for field, message in row.gaps.items():
            builder.note("nonexistent_time", message, instants[field], line)
        for field, value in row.values:
            builder.carry(opened_us, field, value)
        if row.priority is not None:
            note_priority_mismatch(
                builder, self.matrix, key, opened_us, line, row.priority, row.impact, row.urgency
            )
        if resolved_us is not None:
            builder.step(resolved_us, State.RESOLVED, None, line, _WHERE)
        if closed_us is not None:
            builder.step(closed_us, State.CLOSED, None, line, _WHERE)
        if place and (builder.state is not row.state or builder.reason != row.reason):
            assert updated_us is not None
            builder.step(updated_us, row.state, row.reason, line, _WHERE)
        placed = place and row.state is not State.NEW
        signs = self.signs(row, resolved_us, closed_us, placed)
        if signs:
            builder.note(
                "no_history",
                f"{key}: a snapshot holds no history, and this row shows some is missing "
                f"({'; '.join(signs)}): its response, and a clock that pauses on hold or "
                "restarts on reopening, may have run unseen",
                updated_us,
                line,
            )
        self.incidents.append(builder.build())

    def signs(
        self, row: _Row, resolved_us: int | None, closed_us: int | None, placed: bool
    ) -> list[str]:
        """The row's evidence of history the snapshot does not hold (the no_history rule)."""
        signs: list[str] = []
        reopens = dict(row.values).get("reopen_count")
        if reopens is not None and reopens.isdigit() and int(reopens) > 0:
            signs.append(f"reopened {int(reopens)} time{'s' if int(reopens) > 1 else ''}")
        if row.reopened is not None:
            signs.append(f"reopened at {row.reopened}")
        if row.state in _OPEN and (resolved_us is not None or closed_us is not None):
            done = "resolved" if resolved_us is not None else "closed"
            signs.append(f"{row.state.name} although {done} before")
        if row.state is State.ON_HOLD:
            signs.append("on hold since an unrecorded time")
        elif row.reason_text is not None:
            signs.append(f"a hold reason {row.reason_text!r} recorded while {row.state.name}")
        if placed and row.state is not State.ON_HOLD:
            signs.append(f"{row.state.name} since an unrecorded time, placed at the last update")
        if row.state is not State.NEW:
            signs.append("it left NEW at an unrecorded time, so its response is not known")
        return signs


def read_incidents(
    source: str | os.PathLike[str] | IO[str] | Any,
    *,
    tz: object,
    preset: str = "servicenow-incident",
    columns: Mapping[str, str | None] | str | os.PathLike[str] | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8-sig",
    strict: bool = False,
) -> EventLog:
    """Read a list-view snapshot (one row per incident, current values) into incidents.

    ``source`` is a path, an open text file, or a pandas DataFrame (its
    columns as the header; rows numbered as if the header were row 1). ``tz``
    is the IANA zone of the export's local times. ``preset`` names a layout
    (:data:`SNAPSHOT_PRESETS`); ``columns`` (neutral field -> column header,
    None to leave an optional field out) adjusts it, as a mapping or the path
    of a TOML or JSON file. ``delimiter=None`` sniffs ``,`` ``;`` tab or ``|``
    from the header. A path is read as ``encoding``.

    Each incident holds the instants the row records, exactly (opened,
    resolved, closed, and its current state at the last update where no
    column says when it was entered); the carried fields hold their current
    values from the opening. An incident gets one ``"no_history"`` anomaly,
    naming its row, when the row shows history it cannot place: it was
    reopened (``reopen_count`` above 0, a ``reopened_at``, or open again
    after a recorded resolution or close), it was put on hold (ON_HOLD now,
    or a hold reason left on another state), or its current state had to be
    placed at the last update. Without these signs (NEW, or resolved and
    closed at recorded instants) a snapshot still cannot show a hold that
    ended before the resolution.

    A row that cannot be used is dropped with an anomaly naming it
    (``log.rows == len(log.incidents) + log.dropped``); a cell that does not
    read is a ``"bad_value"`` anomaly naming the row, column and value;
    ``strict=True`` raises :class:`~itilkit.EventLogError` for the first of
    either instead. A missing column, a column named twice, an empty file or
    bytes that are not text raise :class:`~itilkit.EventLogError` (a missing
    column's message shows the header).

    >>> import io
    >>> text = "number,incident_state,opened_at,sys_updated_on,priority\\n"
    >>> text += "INC9,2,2026-03-02 09:00:00,2026-03-02 09:45:00,4\\n"
    >>> inc = read_incidents(io.StringIO(text), tz="UTC").incidents[0]
    >>> inc.state, inc.priority, inc.history[-1].at.isoformat()
    (<State.IN_PROGRESS: 'in_progress'>, <Priority.P4: 4>, '2026-03-02T09:45:00+00:00')
    """
    tz_value = zone(tz, "tz")
    zone_info = ZoneInfo(zone_name(tz_value))
    if not isinstance(preset, str) or preset not in SNAPSHOT_PRESETS:
        raise InvalidValueError("preset", f"one of {', '.join(sorted(SNAPSHOT_PRESETS))}", preset)
    if not isinstance(strict, bool):
        raise InvalidValueError("strict", "True or False", strict)
    if delimiter is not None and (
        not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n'
    ):
        raise InvalidValueError(
            "delimiter", "one character other than a quote or a line break, or None", delimiter
        )
    if not isinstance(encoding, str):
        raise InvalidValueError("encoding", "a text encoding Python knows", encoding)
    chosen = SNAPSHOT_PRESETS[preset]
    names, given = _column_names(chosen, columns)
    dates = _Dates(zone_info)

    handle: TextIO | None = None
    owned = False
    records: Iterable[list[str]]
    header: list[str] | None
    chosen_delimiter = delimiter
    if is_frame(source):
        frame: Any = source
        header = [str(name) for name in frame.columns]
        records = (
            [frame_cell(v) for v in values] for values in frame.itertuples(index=False, name=None)
        )
        chosen_delimiter = chosen_delimiter or ","
    else:
        handle, owned = open_text(source, encoding, "snapshot file")
    line = 0
    count = 0
    try:
        if handle is not None:
            records, header, chosen_delimiter = csv_header(handle, chosen_delimiter)
        assert chosen_delimiter is not None and header is not None
        line = 1
        header = [name.strip().lstrip("\ufeff") for name in header]
        check_header(header)
        position = {name: i for i, name in enumerate(header)}
        for field, column in names.items():
            if column not in position and (field in _REQUIRED or field in given):
                raise missing_column(field, column, header, chosen_delimiter, field in given)
        state = _Reader(names, position, chosen, dates, tz_value, strict)
        width = len(header)
        for line, record in enumerate(records, start=2):
            if not record:
                continue
            count += 1
            state.row(line, record, width)
    except UnicodeDecodeError as exc:
        raise EventLogError(
            f"is not {encoding} text ({exc.reason} at byte {exc.start} of a read block): "
            "pass encoding=, or re-save the export as UTF-8",
            row=line + 1,
        ) from None
    except UnicodeError as exc:
        raise EventLogError(
            f"is not {encoding} text ({exc}): pass encoding=, or re-save the export as UTF-8",
            row=line + 1,
        ) from None
    except csv.Error as exc:
        raise EventLogError(csv_problem(exc), row=line + 1) from None
    finally:
        if owned and handle is not None:
            handle.close()
    incidents = tuple(state.incidents)
    anomalies = state.loose + [a for inc in incidents for a in inc.anomalies]
    anomalies.sort(key=lambda a: a.row or 0)
    return EventLog(
        incidents,
        tuple(anomalies),
        count,
        0,
        state.dropped,
        tuple(state.carried),
        "recorded" if "priority" in state.index else "matrix",
    )
