"""Reading audit tables of one row per *field change* into incidents, every row accounted for.

Many ticket systems keep their history as one record per change of one field
of a ticket: *at this instant, field F of ticket T went from OLD to NEW*.
:func:`read_field_changes` replays those records, in time order per ticket,
into the same incidents :func:`~itilkit.io.read_event_log` builds from a
row-per-update export of the same history.

Rules:

- **Values at the opening.** A ticket opens at the earliest instant of any of
  its records (a record of a field itilkit does not read still dates the
  ticket). A field's value before its first change is that change's *old*
  value: a row-per-update export would show it on every earlier row. Records
  at one instant are applied together, as one update.
- The **state** field drives the lifecycle through the preset's state table
  (``states=`` adds to it or overrides it); a hold reason field gives the
  reason of an ON_HOLD state. The **priority**, **impact** and **urgency**
  fields drive reprioritisation; the **recorded priority wins**, exactly as
  in the row-per-update reader (one ``"priority_mismatch"`` anomaly per
  incident where the matrix disagrees). The other mapped fields become the
  carried fields (:data:`~itilkit._incident.CARRIED_FIELDS`), with every
  change (``inc.changes("group")``). A change of the state, priority,
  impact or urgency to no value keeps the previous value (a *repeat*), as a
  missing cell does in the row-per-update reader; a carried field or hold
  reason changed to no value is cleared.
- **Every record is accounted for**: ``log.rows == steps + repeats +
  dropped``. A record is a *step* (it changed a value), a *repeat* (it
  changed nothing, or names a field the preset does not read: those are
  also counted by field in ``log.ignored_fields``), or *dropped* with one
  anomaly naming it. Dropped kinds: ``"short_row"`` / ``"long_row"``,
  ``"missing_id"``, ``"bad_record"`` (a JSON audit or event that is not an
  object), ``"bad_date"``, ``"unknown_state"``, ``"bad_value"`` (a priority,
  impact, urgency or hold reason that does not read, or a structured value
  for a plain field) and ``"no_priority"`` (a record before the ticket has
  any priority; its value still holds from the opening). An *old* value
  that does not read is a ``"bad_value"`` anomaly of a kept record. With
  ``strict=True`` the first such problem (by row: a dropped record or an
  old value that does not read) raises :class:`~itilkit.EventLogError`
  instead. Rows are numbered as in a CSV file (the header is row 1); in
  Zendesk's JSON, the events (and malformed audits) are numbered from 1 in
  document order, and messages name their path (``audits[3].events[1]``).
- File-level problems raise :class:`~itilkit.EventLogError`: no header, a
  required column missing (the message shows the header), a header naming
  a column twice, text that is not CSV or JSON, or JSON without its
  ``audits`` key.

Dates: an ISO 8601 time with an offset (``2026-03-02T09:00:00Z``, Jira's
``2017-02-28T09:24:59.366-0600``) names its instant; one without
(``2026-03-02 09:00:00``) is a wall-clock time in ``tz``, read by the
recorded-timestamp rule (a time in a DST gap is shifted forward and noted as
a ``"nonexistent_time"`` anomaly).
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import IO, Any, Final
from zoneinfo import ZoneInfo

import attrs

from .._errors import EventLogError, InvalidValueError, must, show
from .._incident import (
    CARRIED_FIELDS,
    Anomaly,
    HoldReason,
    Incident,
    State,
    StepBuilder,
)
from .._priority import ITIL_PRIORITIES, Priority
from .._time import from_us, recorded_to_us, td_us, zone, zone_name
from .._vocabulary import normalise
from ._event_log import EventLog
from ._sources import (
    DELIMITERS,
    SERVICENOW_HOLD_REASON_CODES,
    SERVICENOW_STATE_CODES,
    check_header,
    frame_cell,
    is_frame,
    note_priority_mismatch,
    open_text,
    sniff_delimiter,
    state_spec,
    width_problem,
)

__all__ = ["FIELD_CHANGE_PRESETS", "FieldChangeLog", "FieldChangePreset", "read_field_changes"]

#: The parts of a field-change record and the column that holds each in a CSV layout.
_LAYOUT: Final = ("id", "at", "field", "old", "new")
#: What a ticket-system field can drive.
_ROLES: Final = ("state", "reason", "priority", "impact", "urgency", *CARRIED_FIELDS)
_MISSING: Final = frozenset({"", "null", "NULL", "None", "NaN", "nan", "N/A"})
_BOOLEAN_FIELDS: Final = frozenset({"made_sla", "knowledge"})
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_FIRST_US: Final = (date(1, 1, 2).toordinal() - _EPOCH_ORDINAL) * 86_400_000_000
_LAST_US: Final = (date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL) * 86_400_000_000 - 1
_OFFSET: Final = re.compile(r"([+-])(\d\d)(\d\d)$")
_BAD: Final = object()
#: Fields whose change to no value keeps the previous value, as a missing cell does in
#: the row-per-update reader.
_KEPT: Final = frozenset({"state", "priority", "impact", "urgency"})
_WHERE: Final = "the field changes"

StateEntry = tuple[State, HoldReason | None]


@attrs.frozen
class FieldChangePreset:
    """How one ticket system writes its field-change audit table.

    ``format`` is ``"csv"`` (one row per change; ``layout`` maps ``id``,
    ``at``, ``field``, ``old`` and ``new`` to column names) or
    ``"zendesk-json"`` (the Ticket Audits API's JSON). ``fields`` maps the
    system's field names to what they drive: ``state``, ``reason`` (hold
    reason), ``priority``, ``impact``, ``urgency`` or a carried field.
    ``states``, ``reasons`` and ``priorities`` map the values as written
    (normalised: case and separators ignored) to itilkit's. ``only`` is
    ``(column, value)``: rows whose column holds another value (another
    table, another item type) are not incidents and are ignored, counted.

    >>> FIELD_CHANGE_PRESETS["glpi"].fields["12"]
    'state'
    """

    format: str
    layout: Mapping[str, str]
    fields: Mapping[str, str]
    states: Mapping[str, StateEntry]
    reasons: Mapping[str, HoldReason] = MappingProxyType({})
    priorities: Mapping[str, Priority] = MappingProxyType({})
    only: tuple[str, str] | None = None


def _table(entries: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType({normalise(k): v for k, v in entries.items()})


_S, _H = State, HoldReason

# ServiceNow: the incident table's stored choice values, as sys_audit keeps them
# (state 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled;
# hold_reason 1 Awaiting Caller, 3 Awaiting Problem, 4 Awaiting Vendor,
# 5 Awaiting Change), and the labels, for exports that show display values.
# Source: ServiceNow product documentation, "Viewing Sys Audit and Audit
# Relationship Change tables" (sys_audit columns; https://www.servicenow.com/docs/r/
# australia/platform-security/c_UnderstandingTheSysAuditTable.html) and "Life
# cycle of an Incident" (states and On hold reasons).
_SN_STATES: Final = {
    **{code: (state, None) for code, state in SERVICENOW_STATE_CODES.items()},
    "New": (_S.NEW, None),
    "In Progress": (_S.IN_PROGRESS, None),
    "Active": (_S.IN_PROGRESS, None),
    "On Hold": (_S.ON_HOLD, None),
    "Resolved": (_S.RESOLVED, None),
    "Closed": (_S.CLOSED, None),
    "Canceled": (_S.CANCELED, None),
    "Cancelled": (_S.CANCELED, None),
}
_SN_REASONS: Final = {
    **SERVICENOW_HOLD_REASON_CODES,
    "Awaiting Caller": _H.AWAITING_CALLER,
    "Awaiting Problem": _H.AWAITING_PROBLEM,
    "Awaiting Vendor": _H.AWAITING_VENDOR,
    "Awaiting Change": _H.AWAITING_CHANGE,
}
_SN_FIELDS: Final = {
    "state": "state",
    "hold_reason": "reason",
    "priority": "priority",
    "impact": "impact",
    "urgency": "urgency",
    "business_service": "service",
    "cmdb_ci": "ci",
    "category": "category",
    "subcategory": "subcategory",
    "assignment_group": "group",
    "assigned_to": "assignee",
    "contact_type": "contact_type",
    "location": "location",
    "caller_id": "caller",
    "problem_id": "problem",
    "rfc": "change",
    "caused_by": "caused_by",
    "made_sla": "made_sla",
    "reassignment_count": "reassignment_count",
    "reopen_count": "reopen_count",
    "knowledge": "knowledge",
}

# Jira: the status names of Jira's default workflows and of Jira Service
# Management's, and the default priority scheme (Highest .. Lowest). Source:
# Jira REST API, "Get issue" with expand=changelog (histories[].created,
# items[].field, fromString, toString; https://developer.atlassian.com/server/
# jira/platform/about-the-jira-server-rest-apis).
_JIRA_STATES: Final = {
    "Open": (_S.NEW, None),
    "To Do": (_S.NEW, None),
    "In Progress": (_S.IN_PROGRESS, None),
    "Work in progress": (_S.IN_PROGRESS, None),
    "Reopened": (_S.IN_PROGRESS, None),
    "Waiting for support": (_S.IN_PROGRESS, None),
    "Escalated": (_S.IN_PROGRESS, None),
    "Waiting for customer": (_S.ON_HOLD, _H.AWAITING_CALLER),
    "Resolved": (_S.RESOLVED, None),
    "Done": (_S.RESOLVED, None),
    "Completed": (_S.RESOLVED, None),
    "Closed": (_S.CLOSED, None),
    "Canceled": (_S.CANCELED, None),
    "Cancelled": (_S.CANCELED, None),
}
_JIRA_PRIORITIES: Final = {
    "Highest": Priority.P1,
    "High": Priority.P2,
    "Medium": Priority.P3,
    "Low": Priority.P4,
    "Lowest": Priority.P5,
}

# Zendesk: ticket statuses and priorities of the Tickets API. "pending" waits
# for the requester, "hold" for a third party. Source: Zendesk Support API,
# "Ticket Audits" and the "Ticket Audit events reference" (Create and Change
# events: field_name, value, previous_value; https://developer.zendesk.com/
# documentation/ticketing/reference-guides/ticket-audit-events-reference/).
_ZENDESK_STATES: Final = {
    "new": (_S.NEW, None),
    "open": (_S.IN_PROGRESS, None),
    "pending": (_S.ON_HOLD, _H.AWAITING_CALLER),
    "hold": (_S.ON_HOLD, _H.AWAITING_VENDOR),
    "solved": (_S.RESOLVED, None),
    "closed": (_S.CLOSED, None),
}
_ZENDESK_PRIORITIES: Final = {
    "urgent": Priority.P1,
    "high": Priority.P2,
    "normal": Priority.P3,
    "low": Priority.P4,
}

# GLPI: glpi_logs keeps the ticket's own fields by search option (12 status,
# 3 priority, 7 category) with the stored codes: status 1 new, 2 processing
# (assigned), 3 processing (planned), 4 pending, 5 solved, 6 closed; priority
# 1 very low .. 5 very high, 6 major. Source: GLPI source, CommonITILObject
# (status constants INCOMING .. CLOSED) and the Ticket search options
# (listSearchOptions/Ticket of the GLPI REST API), and the glpi_logs table of
# GLPI's install/mysql/glpi-*-empty.sql (https://github.com/glpi-project/glpi).
_GLPI_STATES: Final = {
    "1": (_S.NEW, None),
    "2": (_S.IN_PROGRESS, None),
    "3": (_S.IN_PROGRESS, None),
    "4": (_S.ON_HOLD, None),
    "5": (_S.RESOLVED, None),
    "6": (_S.CLOSED, None),
    "New": (_S.NEW, None),
    "Processing (assigned)": (_S.IN_PROGRESS, None),
    "Processing (planned)": (_S.IN_PROGRESS, None),
    "Pending": (_S.ON_HOLD, None),
    "Solved": (_S.RESOLVED, None),
    "Closed": (_S.CLOSED, None),
}
_GLPI_PRIORITIES: Final = {
    "6": Priority.P1,
    "5": Priority.P1,
    "4": Priority.P2,
    "3": Priority.P3,
    "2": Priority.P4,
    "1": Priority.P5,
    "Major": Priority.P1,
    "Very high": Priority.P1,
    "High": Priority.P2,
    "Medium": Priority.P3,
    "Low": Priority.P4,
    "Very low": Priority.P5,
}

FIELD_CHANGE_PRESETS: Final[Mapping[str, FieldChangePreset]] = MappingProxyType(
    {
        "servicenow-sys_audit": FieldChangePreset(
            "csv",
            MappingProxyType(
                {
                    "id": "documentkey",
                    "at": "sys_created_on",
                    "field": "fieldname",
                    "old": "oldvalue",
                    "new": "newvalue",
                }
            ),
            MappingProxyType(_SN_FIELDS),
            _table(_SN_STATES),
            _table(_SN_REASONS),
            only=("tablename", "incident"),
        ),
        "jira": FieldChangePreset(
            "csv",
            MappingProxyType(
                {
                    "id": "key",
                    "at": "created",
                    "field": "field",
                    "old": "fromString",
                    "new": "toString",
                }
            ),
            MappingProxyType({"status": "state", "priority": "priority", "assignee": "assignee"}),
            _table(_JIRA_STATES),
            priorities=_table(_JIRA_PRIORITIES),
        ),
        "zendesk": FieldChangePreset(
            "zendesk-json",
            MappingProxyType({}),
            MappingProxyType(
                {
                    "status": "state",
                    "priority": "priority",
                    "group_id": "group",
                    "assignee_id": "assignee",
                    "problem_id": "problem",
                }
            ),
            _table(_ZENDESK_STATES),
            priorities=_table(_ZENDESK_PRIORITIES),
        ),
        "glpi": FieldChangePreset(
            "csv",
            MappingProxyType(
                {
                    "id": "items_id",
                    "at": "date_mod",
                    "field": "id_search_option",
                    "old": "old_value",
                    "new": "new_value",
                }
            ),
            MappingProxyType({"12": "state", "3": "priority", "7": "category"}),
            _table(_GLPI_STATES),
            priorities=_table(_GLPI_PRIORITIES),
            only=("itemtype", "Ticket"),
        ),
    }
)
"""Known field-change formats.

``"servicenow-sys_audit"``: the Sys Audit table (``documentkey`` the
incident's sys_id, ``fieldname``, ``oldvalue``, ``newvalue``,
``sys_created_on``; rows of a ``tablename`` other than ``incident`` are
ignored), stored values (state ``1``/``2``/``3``/``6``/``7``/``8``,
``hold_reason`` ``1``/``3``/``4``/``5``, priority ``1``..``5``, impact and
urgency ``1``..``3``) or their labels, and the carried fields of the
``"servicenow"`` event-log preset by their incident column names.
``"jira"``: the changelog of ``/rest/api/2/issue/{key}?expand=changelog``
flattened to one row per ``items[]`` entry: ``key``, ``created`` (of the
history), ``field``, ``fromString``, ``toString``; ``status``, ``priority``
(Highest .. Lowest as P1 .. P5) and ``assignee`` are read.
``"zendesk"``: the Ticket Audits API's JSON (``{"audits": [...]}``): each
audit's ``ticket_id`` and ``created_at``, and its ``Create`` and ``Change``
events (``field_name``, ``value``, ``previous_value``); other events are
ignored, counted; ``status`` (new, open, pending, hold, solved, closed),
``priority`` (urgent, high, normal, low as P1 .. P4), ``group_id``,
``assignee_id`` and ``problem_id`` are read.
``"glpi"``: the ``glpi_logs`` table (``items_id``, ``itemtype``,
``date_mod``, ``id_search_option``, ``old_value``, ``new_value``; rows of an
``itemtype`` other than ``Ticket`` are ignored): search option 12 (status
1 .. 6), 3 (priority, 6 major and 5 very high as P1 .. 1 very low as P5)
and 7 (category). GLPI's pending status has no reason: map it with
``states={"4": "on_hold:awaiting_caller"}`` or see ``"hold_without_reason"``
anomalies. GLPI logs no value at creation, so a ticket whose priority never
changed has no priority to open with (``"no_priority"``).
"""


@attrs.frozen
class FieldChangeLog(EventLog):
    """What :func:`read_field_changes` read: an :class:`~itilkit.io.EventLog` that also
    counts the records of fields itilkit does not read.

    ``ignored`` rows are among the ``repeats`` (they change nothing);
    ``ignored_fields`` counts them by field name, as sorted ``(name, count)``
    pairs (read them with ``dict(log.ignored_fields)``); ``"(other table)"``
    counts the records the preset's ``only`` rule leaves out, and
    ``"(event Comment)"`` the Zendesk events that change no field.

    >>> FieldChangeLog((), (), 0).ignored
    0
    """

    ignored: int = 0
    ignored_fields: tuple[tuple[str, int], ...] = ()


# ------------------------------------------------------------------ records


@attrs.define
class _Record:
    """One field change as read, before replay."""

    line: int
    key: str
    at: str
    field: str
    old: object
    new: object
    where: str  # how a message names the record's columns or JSON path


class _Problems:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.first: EventLogError | None = None
        self.loose: list[Anomaly] = []
        self.dropped = 0

    def problem(self, error: EventLogError) -> None:
        if self.strict and (self.first is None or (error.row or 0) < (self.first.row or 0)):
            self.first = error


def _decode_problem(exc: UnicodeError, encoding: str, row: int | None) -> EventLogError:
    reason = getattr(exc, "reason", None) or str(exc)
    return EventLogError(
        f"is not {encoding} text ({reason}): pass encoding=, or re-save the export as UTF-8",
        row=row,
    )


def _csv_records(
    source: object,
    preset: FieldChangePreset,
    layout: Mapping[str, str],
    encoding: str,
    problems: _Problems,
    ignored: dict[str, int],
) -> tuple[list[_Record], int]:
    """The records of a CSV table (or DataFrame), and how many data rows it has."""
    handle: IO[str] | None = None
    owned = False
    rows: Iterable[list[str]]
    if is_frame(source):
        frame: Any = source
        header = [str(name) for name in frame.columns]
        rows = (
            [frame_cell(v) for v in values] for values in frame.itertuples(index=False, name=None)
        )
        delimiter = ","
    else:
        handle, owned = open_text(source, encoding, "audit file")
        header = []
        delimiter = ","
    records: list[_Record] = []
    count = 0
    line = 1
    try:
        if handle is not None:
            first = handle.readline()
            delimiter = sniff_delimiter(first)
            reader = csv.reader(_chain(first, handle), delimiter=delimiter, strict=True)
            read = next(reader, None)
            if read is None or read in ([], [""]):
                raise EventLogError("the file is empty: a header row is needed", row=1)
            header = read
            rows = reader
        header = [name.strip().lstrip("\ufeff") for name in header]
        check_header(header)
        position = {name: i for i, name in enumerate(header)}
        for part in _LAYOUT:
            column = layout[part]
            if column not in position:
                raise _missing(part, column, header, delimiter)
        index = {part: position[layout[part]] for part in _LAYOUT}
        only_i = only_value = None
        if preset.only is not None and preset.only[0] in position:
            only_i, only_value = position[preset.only[0]], preset.only[1]
        width = len(header)
        names = {part: layout[part] for part in _LAYOUT}
        line = 1
        for line, row in enumerate(rows, start=2):
            if not row:
                continue
            count += 1
            if len(row) != width:
                key, kind, error = width_problem(row, width, index["id"], line)
                problems.loose.append(Anomaly(key, line, kind, str(error), None))
                problems.dropped += 1
                problems.problem(error)
                continue
            if only_i is not None and row[only_i].strip().casefold() != str(only_value).casefold():
                ignored["(other table)"] = ignored.get("(other table)", 0) + 1
                continue
            records.append(
                _Record(
                    line,
                    row[index["id"]].strip(),
                    row[index["at"]],
                    row[index["field"]].strip(),
                    row[index["old"]],
                    row[index["new"]],
                    names["new"],
                )
            )
    except UnicodeError as exc:
        raise _decode_problem(exc, encoding, line + 1) from None
    except csv.Error as exc:
        raise EventLogError(f"is not valid CSV ({exc})", row=line + 1) from None
    finally:
        if owned and handle is not None:
            handle.close()
    return records, count


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _missing(part: str, column: str, header: list[str], delimiter: str) -> EventLogError:
    shown = ", ".join(header[:60]) + (f", ... ({len(header)} columns)" if len(header) > 60 else "")
    message = f"no such column (needed for {part!r}); the header has: {shown or '(nothing)'}"
    if len(header) == 1:
        others = [d for d in DELIMITERS if d != delimiter and d in header[0]]
        if others:
            message += f"; the header reads as one field: is the file separated by {others[0]!r}?"
    return EventLogError(message, row=1, column=column)


def _json_records(
    source: object, encoding: str, problems: _Problems, ignored: dict[str, int]
) -> tuple[list[_Record], int]:
    """The Change and Create events of a Zendesk Ticket Audits document, numbered from 1."""
    if isinstance(source, Mapping):
        document: object = source
    else:
        handle, owned = open_text(source, encoding, "audit file")
        try:
            text = handle.read()
        except UnicodeError as exc:
            raise _decode_problem(exc, encoding, None) from None
        finally:
            if owned:
                handle.close()
        if not isinstance(text, str):
            raise InvalidValueError("source", "a file opened in text mode", source)
        try:
            document = json.loads(text)
        except RecursionError:
            raise EventLogError("is not JSON this reader can follow (nested too deeply)") from None
        except ValueError as exc:
            raise EventLogError(f"is not valid JSON ({exc})") from None
    if not isinstance(document, Mapping):
        raise EventLogError(
            must("$", "a JSON object with an 'audits' list (the Ticket Audits API)", document),
            column="audits",
        )
    if "audits" in document:
        audits = document["audits"]
    elif "audit" in document:
        audits = [document["audit"]]
    else:
        raise EventLogError(
            f"no 'audits' key; the document has: {', '.join(map(str, list(document)[:20]))}",
            column="audits",
        )
    if not isinstance(audits, list):
        raise EventLogError(must("audits", "a list of audits", audits), column="audits")
    records: list[_Record] = []
    count = 0

    def bad(line: int, where: str, message: str, key: str = "") -> None:
        error = EventLogError(message, row=line, column=where)
        problems.loose.append(Anomaly(key, line, "bad_record", str(error), None))
        problems.dropped += 1
        problems.problem(error)

    for i, audit in enumerate(audits):
        where = f"audits[{i}]"
        events = audit.get("events") if isinstance(audit, Mapping) else None
        if not isinstance(audit, Mapping) or not isinstance(events, list):
            count += 1
            bad(count, where, must(where, "an audit object with an 'events' list", audit))
            continue
        raw_id = audit.get("ticket_id")
        key = _text(raw_id)
        key = "" if not isinstance(key, str) else key.strip()
        at = audit.get("created_at")
        at_text = at if isinstance(at, str) else ""
        for j, event in enumerate(events):
            count += 1
            path = f"{where}.events[{j}]"
            if not isinstance(event, Mapping):
                bad(count, path, must(path, "an event object", event), key)
                continue
            kind = event.get("type")
            if kind not in ("Change", "Create"):
                name = f"(event {kind})" if isinstance(kind, str) else "(event)"
                ignored[name] = ignored.get(name, 0) + 1
                continue
            field = event.get("field_name")
            records.append(
                _Record(
                    count,
                    key if key not in _MISSING else "",
                    at_text if isinstance(at, str) else show(at),
                    field if isinstance(field, str) else "",
                    event.get("previous_value") if kind == "Change" else None,
                    event.get("value"),
                    f"{path}.value",
                )
            )
    return records, count


def _text(value: object) -> object:
    """A JSON or CSV value as text; None for no value; _BAD for a list or object."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # beyond the digit limit
            return _BAD
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    return _BAD


# ------------------------------------------------------------------ dates


class _Dates:
    """ISO 8601 times: with an offset, the instant; without, a wall time in the zone."""

    def __init__(self, zone_info: ZoneInfo) -> None:
        self.zone = zone_info
        self.cache: dict[str, tuple[int, int] | None] = {}

    def get(self, text: str) -> tuple[int, int] | None:
        """``(instant, gap shift)`` of ``text``, or None when it is no date."""
        if text in self.cache:
            return self.cache[text]
        found = self._parse(text)
        self.cache[text] = found
        return found

    def _parse(self, raw: str) -> tuple[int, int] | None:
        text = raw.strip()
        if not 8 <= len(text) <= 40:
            return None
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        text = _OFFSET.sub(r"\1\2:\3", text) if ("T" in text or " " in text) else text
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        try:
            if moment.tzinfo is not None:
                us, shift = td_us(moment - _EPOCH), 0
            else:
                us, shift = recorded_to_us(moment, self.zone)
        except (OverflowError, ValueError):
            return None
        if not _FIRST_US <= us <= _LAST_US:
            return None
        return us, shift

    @staticmethod
    def expectation() -> str:
        return (
            "an ISO 8601 date and time such as 2026-03-02 09:00:00 or 2026-03-02T09:00:00Z "
            "(from 2 January of year 1 to 30 December 9999)"
        )


# ------------------------------------------------------------------ replay


class _Ticket:
    """The changes of one ticket, replayed."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.changes: list[tuple[int, int, str, object, object, _Record]] = []
        self.first_us: int | None = None
        self.pending: list[Anomaly] = []


class _Replay:
    def __init__(
        self,
        preset: FieldChangePreset,
        fields: Mapping[str, str],
        states: Mapping[str, StateEntry],
        tz: Any,
        zone_info: ZoneInfo,
        problems: _Problems,
    ) -> None:
        self.preset = preset
        self.fields = fields
        self.states = states
        self.tz = tz
        self.dates = _Dates(zone_info)
        self.problems = problems
        self.matrix = ITIL_PRIORITIES
        self.standin: Priority | None = None
        self.repeats = 0
        self.seen_roles: set[str] = set()

    # ---------------------------------------------------------- values

    def value(self, role: str, raw: object) -> object:
        """The value of ``raw`` for ``role``: None (no value), the parsed value, or _BAD."""
        text = _text(raw)
        if text is _BAD or text is None:
            return text
        assert isinstance(text, str)
        stripped = text.strip()
        if stripped in _MISSING:
            return None
        if role == "state":
            found = self.states.get(normalise(stripped))
            if found is not None:
                return found
            try:
                return (State.parse(stripped), None)
            except InvalidValueError:
                return _BAD
        if role == "reason":
            reason = self.preset.reasons.get(normalise(stripped))
            if reason is not None:
                return reason
            try:
                return HoldReason.parse(stripped)
            except InvalidValueError:
                return _BAD
        if role == "priority":
            priority = self.preset.priorities.get(normalise(stripped))
            if priority is not None:
                return priority
            try:
                return Priority.parse(stripped)
            except InvalidValueError:
                return _BAD
        if role in ("impact", "urgency"):
            try:
                if role == "impact":
                    return self.matrix.impact_level(stripped)
                return self.matrix.urgency_level(stripped)
            except InvalidValueError:
                return _BAD
        if role in _BOOLEAN_FIELDS and stripped.lower() in ("true", "false"):
            return stripped.lower()
        return stripped

    def expectation(self, role: str) -> str:
        if role == "state":
            known = ", ".join(sorted(self.states)) or "itilkit's names"
            return f"a known state ({known}); map others with states="
        if role == "reason":
            return "a hold reason (awaiting_caller, ...), or a label mapped with states="
        if role == "priority":
            known = ", ".join(sorted(self.preset.priorities))
            return f"a priority ({known + ', ' if known else ''}P1 to P5, 1 to 5)"
        if role in ("impact", "urgency"):
            return f"an {role} level (1 to 3, or 'High', 'Medium', 'Low')"
        return "text (not a list or an object)"

    # ---------------------------------------------------------- one ticket

    def drop(self, ticket: _Ticket, kind: str, error: EventLogError, us: int | None) -> None:
        at = None if us is None else from_us(us, self.tz)
        ticket.pending.append(Anomaly(ticket.key, error.row, kind, str(error), at))
        self.problems.dropped += 1
        self.problems.problem(error)

    def build(self, ticket: _Ticket) -> Incident | None:
        changes = sorted(ticket.changes, key=lambda c: (c[0], c[1]))
        if not changes:
            self.problems.loose.extend(ticket.pending)
            return None
        # The value of each field before its first change: that change's old value.
        current: dict[str, object] = {}
        for _, _, role, old, _, _ in changes:
            if role not in current:
                current[role] = old
        opening_us = ticket.first_us if ticket.first_us is not None else changes[0][0]
        opening_us = min(opening_us, changes[0][0])
        instants = sorted({c[0] for c in changes} | {opening_us})
        by_instant: dict[int, list[tuple[int, int, str, object, object, _Record]]] = {}
        for item in changes:
            by_instant.setdefault(item[0], []).append(item)
        builder: StepBuilder | None = None
        cur_priority: object = None
        cur_impact: object = None
        cur_urgency: object = None
        carried_now: dict[str, object] = {}
        mismatched = False
        gaps: list[tuple[int, _Record]] = []
        for us in instants:
            group = by_instant.get(us, [])
            used: list[tuple[_Record, bool]] = []
            for _, _, role, _, new, record in group:
                if new is None and role in _KEPT:
                    used.append((record, False))  # no value: the previous one holds
                    continue
                changed = current.get(role) != new
                current[role] = new
                used.append((record, changed))
            recorded = current.get("priority")
            impact = current.get("impact")
            urgency = current.get("urgency")
            if recorded is None and (impact is None or urgency is None):
                recorded = self.standin  # a ticket the audit never gave a priority
            if builder is None:
                if recorded is None and (impact is None or urgency is None):
                    for record, _ in used:
                        lacking = "priority" if "priority" in self.fields.values() else "impact"
                        error = EventLogError(
                            f"no priority for ticket {ticket.key!r} yet: no {lacking} is recorded "
                            f"before this {record.field!r} change (its value holds from the opening)",
                            row=record.line,
                            column=self.preset.layout.get("field", "field_name"),
                        )
                        self.drop(ticket, "no_priority", error, us)
                    continue
                first_priority = (
                    recorded if recorded is not None else self.matrix.priority(impact, urgency)
                )
                builder = StepBuilder.opening(
                    ticket.key,
                    us,
                    self.tz,
                    self.matrix,
                    impact,
                    urgency,
                    first_priority,  # type: ignore[arg-type]
                    strict=False,
                )
                builder.anomalies.extend(ticket.pending)
                ticket.pending = []
                cur_priority, cur_impact, cur_urgency = recorded, impact, urgency
                for field in CARRIED_FIELDS:
                    value = current.get(field)
                    if value is not None:
                        builder.carry(us, field, value)  # type: ignore[arg-type]
                    carried_now[field] = value
                if recorded is not None and not mismatched:
                    mismatched = self._mismatch(
                        builder, ticket.key, used, us, recorded, impact, urgency
                    )
            else:
                if recorded != cur_priority or impact != cur_impact or urgency != cur_urgency:
                    line = next((r.line for r, c in used if c), None)
                    builder.reprioritize(
                        us,
                        impact,
                        urgency,
                        line,
                        _WHERE,
                        recorded,  # type: ignore[arg-type]
                    )
                    cur_priority, cur_impact, cur_urgency = recorded, impact, urgency
                    if recorded is not None and not mismatched:
                        mismatched = self._mismatch(
                            builder, ticket.key, used, us, recorded, impact, urgency
                        )
                for field in CARRIED_FIELDS:
                    value = current.get(field)
                    if value != carried_now.get(field):
                        builder.carry(us, field, value)  # type: ignore[arg-type]
                        carried_now[field] = value
            for record, changed in used:
                if not changed:
                    self.repeats += 1
                if record.at in self.dates.cache:
                    found = self.dates.cache[record.at]
                    if found is not None and found[1]:
                        gaps.append((found[1], record))
            state, reason = self._state(current)
            opening_new = not builder.steps and state is State.NEW and reason is None
            if (state is not builder.state or reason != builder.reason) and not opening_new:
                line = next(
                    (r.line for r, c in used if c and self.fields.get(r.field) == "state"),
                    used[0][0].line if used else None,
                )
                builder.step(us, state, reason, line, _WHERE)
        if builder is None:
            self.problems.loose.extend(ticket.pending)
            return None
        for shift, record in gaps:
            builder.note(
                "nonexistent_time",
                f"{record.at.strip()!r} never happened in {self.dates.zone.key} (clocks went "
                f"forward); read {shift // 60_000_000} minutes later, as the offset before the "
                "gap names it",
                self.dates.cache[record.at][0],  # type: ignore[index]
                record.line,
            )
        return builder.build()

    def _state(self, current: Mapping[str, object]) -> StateEntry:
        entry = current.get("state")
        if entry is None:
            return State.NEW, None
        assert isinstance(entry, tuple)
        state: State = entry[0]
        reason: HoldReason | None = entry[1]
        if state is State.ON_HOLD and reason is None:
            given = current.get("reason")
            if isinstance(given, HoldReason):
                reason = given
        if state is not State.ON_HOLD:
            reason = None
        return state, reason

    def _mismatch(
        self,
        builder: StepBuilder,
        key: str,
        used: list[tuple[_Record, bool]],
        us: int,
        recorded: object,
        impact: object,
        urgency: object,
    ) -> bool:
        if not isinstance(recorded, Priority):
            return False
        line = used[0][0].line if used else None
        return note_priority_mismatch(
            builder, self.matrix, key, us, line, recorded, impact, urgency
        )


def _roles(preset: FieldChangePreset, columns: object) -> tuple[dict[str, str], dict[str, str]]:
    """``(layout, fields)``: the preset's, adjusted by ``columns``."""
    layout = dict(preset.layout)
    fields = dict(preset.fields)
    if columns is None:
        return layout, fields
    if not isinstance(columns, Mapping):
        raise InvalidValueError(
            "columns", "a mapping of layout parts or fields to column or field names", columns
        )
    for key, name in columns.items():
        if key in _LAYOUT and preset.format == "csv":
            if not isinstance(name, str) or not name.strip():
                raise InvalidValueError(f"columns[{key!r}]", "a column name", name)
            layout[key] = name.strip()
        elif key in _ROLES:
            for vendor in [v for v, role in fields.items() if role == key]:
                del fields[vendor]
            if name is None:
                continue
            if not isinstance(name, str) or not name.strip():
                raise InvalidValueError(f"columns[{key!r}]", "a field name, or None", name)
            fields[name.strip()] = key
        else:
            parts = ", ".join(_LAYOUT) + ", " if preset.format == "csv" else ""
            raise InvalidValueError("columns", f"keyed by {parts}{', '.join(_ROLES)}", key)
    return layout, fields


def _states(preset: FieldChangePreset, states: object) -> dict[str, StateEntry]:
    table = dict(preset.states)
    if states is None:
        return table
    if not isinstance(states, Mapping):
        raise InvalidValueError("states", "a mapping of state labels to states", states)
    for label, spec in states.items():
        if not isinstance(label, str) or not label.strip():
            raise InvalidValueError("states", "keyed by state labels (non-empty text)", label)
        table[normalise(label)] = state_spec(spec, f"states[{label!r}]")
    return table


def read_field_changes(
    source: str | os.PathLike[str] | IO[str] | Any,
    *,
    tz: object,
    preset: str,
    columns: Mapping[str, str | None] | None = None,
    states: Mapping[str, Any] | None = None,
    encoding: str = "utf-8-sig",
    strict: bool = False,
    priority: object = None,
) -> FieldChangeLog:
    """Read an audit table of one record per field change into replayed incidents.

    ``source`` is a path, an open text file, a pandas DataFrame (CSV
    presets) or a parsed JSON mapping (``"zendesk"``). ``tz`` is the IANA
    zone of times written without an offset. ``preset`` is one of
    :data:`FIELD_CHANGE_PRESETS`. ``columns`` adjusts the preset: a layout
    part (``id``, ``at``, ``field``, ``old``, ``new``) to a column name, or
    ``state``, ``reason``, ``priority``, ``impact``, ``urgency`` or a carried
    field to the ticket system's *field name* whose changes drive it (None:
    not read). ``states`` maps a state as written to ``"state"`` or
    ``"state:reason"``. ``priority`` (``"P3"``) is the priority of a ticket
    the audit never gives one: Jira and GLPI log no values when a ticket is
    created, so a ticket whose priority never changed has none recorded;
    without it such a ticket's records are dropped as ``"no_priority"``.
    See the module documentation for the rules.

    >>> import io
    >>> text = '''documentkey,tablename,fieldname,oldvalue,newvalue,sys_created_on
    ... a1,incident,state,,1,2026-03-02 09:00:00
    ... a1,incident,priority,,3,2026-03-02 09:00:00
    ... a1,incident,state,1,2,2026-03-02 09:30:00
    ... a1,incident,state,2,6,2026-03-02 11:00:00
    ... '''
    >>> log = read_field_changes(io.StringIO(text), tz="UTC", preset="servicenow-sys_audit")
    >>> inc = log.incidents[0]
    >>> inc.state, inc.priority, inc.time_in("new"), log.rows
    (<State.RESOLVED: 'resolved'>, <Priority.P3: 3>, datetime.timedelta(seconds=1800), 4)
    """
    tz_value = zone(tz, "tz")
    zone_info = ZoneInfo(zone_name(tz_value))
    if not isinstance(preset, str) or preset not in FIELD_CHANGE_PRESETS:
        raise InvalidValueError(
            "preset", f"one of {', '.join(sorted(FIELD_CHANGE_PRESETS))}", preset
        )
    if not isinstance(strict, bool):
        raise InvalidValueError("strict", "True or False", strict)
    if not isinstance(encoding, str):
        raise InvalidValueError("encoding", "the name of a text encoding", encoding)
    chosen = FIELD_CHANGE_PRESETS[preset]
    layout, fields = _roles(chosen, columns)
    state_table = _states(chosen, states)
    problems = _Problems(strict)
    ignored: dict[str, int] = {}
    if chosen.format == "csv":
        records, count = _csv_records(source, chosen, layout, encoding, problems, ignored)
    else:
        if is_frame(source):
            raise InvalidValueError("source", "a JSON file or mapping for this preset", source)
        records, count = _json_records(source, encoding, problems, ignored)

    replay = _Replay(chosen, fields, state_table, tz_value, zone_info, problems)
    if priority is not None:
        replay.standin = Priority.parse(priority)
    tickets: dict[str, _Ticket] = {}
    dates = replay.dates
    for record in records:
        if not record.key or record.key in _MISSING:
            error = EventLogError(
                must(layout.get("id", "ticket_id"), "a ticket id", record.key),
                row=record.line,
                column=layout.get("id", "ticket_id"),
            )
            problems.loose.append(Anomaly("", record.line, "missing_id", str(error), None))
            problems.dropped += 1
            problems.problem(error)
            continue
        ticket = tickets.get(record.key)
        if ticket is None:
            ticket = tickets[record.key] = _Ticket(record.key)
        role = fields.get(record.field)
        found = dates.get(record.at)
        if role is None:
            ignored[record.field] = ignored.get(record.field, 0) + 1
            if found is not None and (ticket.first_us is None or found[0] < ticket.first_us):
                ticket.first_us = found[0]
            continue
        at_name = layout.get("at", "created_at")
        if found is None:
            error = EventLogError(
                must(at_name, dates.expectation(), record.at), row=record.line, column=at_name
            )
            replay.drop(ticket, "bad_date", error, None)
            continue
        us = found[0]
        new = replay.value(role, record.new)
        if new is _BAD:
            kind = "unknown_state" if role == "state" else "bad_value"
            error = EventLogError(
                f"the {record.field!r} change: "
                + must(record.where, replay.expectation(role), record.new),
                row=record.line,
                column=layout.get("new", record.where),
            )
            replay.drop(ticket, kind, error, us)
            continue
        old = replay.value(role, record.old)
        if old is _BAD:
            error = EventLogError(
                f"the {record.field!r} change: "
                + must("old value", replay.expectation(role), record.old)
                + "; read as no value",
                row=record.line,
                column=layout.get("old", record.where),
            )
            ticket.pending.append(
                Anomaly(ticket.key, record.line, "bad_value", str(error), from_us(us, tz_value))
            )
            problems.problem(error)
            old = None
        replay.seen_roles.add(role)
        ticket.changes.append((us, record.line, role, old, new, record))
        if ticket.first_us is None or us < ticket.first_us:
            ticket.first_us = us

    built = []
    for ticket in tickets.values():
        inc = replay.build(ticket)
        if inc is not None:
            built.append(inc)
    if problems.first is not None:
        raise problems.first
    anomalies = problems.loose + [a for inc in built for a in inc.anomalies]
    anomalies.sort(key=lambda a: a.row or 0)
    total_ignored = sum(ignored.values())
    carried = tuple(f for f in CARRIED_FIELDS if f in replay.seen_roles)
    return FieldChangeLog(
        tuple(built),
        tuple(anomalies),
        count,
        replay.repeats + total_ignored,
        problems.dropped,
        carried,
        "recorded" if "priority" in replay.seen_roles else "matrix",
        ignored=total_ignored,
        ignored_fields=tuple(sorted(ignored.items())),
    )
