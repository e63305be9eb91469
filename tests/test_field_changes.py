"""read_field_changes: audit tables of one row per field change, replayed into incidents.

Every expected value below is worked out by hand from the fixtures in
tests/data (see tests/data/README.md for where each layout comes from).
"""

from __future__ import annotations

import io
import json
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import EventLogError, HoldReason, Incident, InvalidValueError, Priority, State
from itilkit.io import (
    FIELD_CHANGE_PRESETS,
    EventLog,
    FieldChangeLog,
    read_event_log,
    read_field_changes,
)

DATA = Path(__file__).parent / "data"
SN_A = "a9e30c7dc61122760116894de7bcc7bd"
SN_B = "46e18c0fa9fe19810066a0083f76bd56"


def utc(text: str) -> int:
    """Microseconds of an ISO time with offset."""
    moment = datetime.fromisoformat(text)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def steps(inc: Incident) -> list[tuple[State, int, HoldReason | None]]:
    return [(t.to_state, t.at_us, t.reason) for t in inc.history]


def priorities(inc: Incident) -> list[tuple[int, Priority]]:
    return [(c.at_us, c.priority) for c in inc.priority_history]


def same_incidents(a: EventLog, b: EventLog) -> None:
    """The two logs hold the same incidents: states, instants, priorities, carried changes."""
    assert sorted(i.id for i in a.incidents) == sorted(i.id for i in b.incidents)
    for inc in a.incidents:
        other = b.incident(inc.id)
        assert inc.opened_at_us == other.opened_at_us
        assert steps(inc) == steps(other)
        assert [(c.at_us, c.priority, c.impact, c.urgency) for c in inc.priority_history] == [
            (c.at_us, c.priority, c.impact, c.urgency) for c in other.priority_history
        ]
        for field in a.fields:
            assert [(c.at_us, c.old, c.new) for c in inc.changes(field)] == [
                (c.at_us, c.old, c.new) for c in other.changes(field)
            ]
        assert sorted(x.kind for x in inc.anomalies) == sorted(x.kind for x in other.anomalies)


# ---------------------------------------------------------------- ServiceNow sys_audit


@pytest.fixture(scope="module")
def sn() -> FieldChangeLog:
    return read_field_changes(
        DATA / "servicenow_sys_audit.csv", tz="UTC", preset="servicenow-sys_audit"
    )


def test_servicenow_lifecycle(sn: FieldChangeLog) -> None:
    a = sn.incident(SN_A)
    assert a.opened_at_us == utc("2026-03-02T09:00+00:00")
    assert steps(a) == [
        (State.IN_PROGRESS, utc("2026-03-02T09:20+00:00"), None),
        (State.ON_HOLD, utc("2026-03-02T10:00+00:00"), HoldReason.AWAITING_CALLER),
        (State.IN_PROGRESS, utc("2026-03-02T10:45+00:00"), None),
        (State.RESOLVED, utc("2026-03-02T12:30+00:00"), None),
        (State.CLOSED, utc("2026-03-02T14:00+00:00"), None),
    ]
    # impact 2, urgency 2, priority 3 at the insert; urgency 1 and priority 2 at 11:00
    assert priorities(a) == [
        (utc("2026-03-02T09:00+00:00"), Priority.P3),
        (utc("2026-03-02T11:00+00:00"), Priority.P2),
    ]
    assert a.time_in(State.ON_HOLD) == timedelta(minutes=45)
    assert dict(a.attributes) == {
        "category": "network",
        "group": "287ebd7da9fe198100f92cc8d1d2154e",
        "assignee": "681ccaf9c0a8016400b98a06818d57c7",
    }
    assert [(c.at_us, c.old, c.new) for c in a.changes("assignee")] == [
        (utc("2026-03-02T09:20+00:00"), None, "681ccaf9c0a8016400b98a06818d57c7")
    ]


def test_servicenow_recorded_priority_wins(sn: FieldChangeLog) -> None:
    b = sn.incident(SN_B)
    # impact 3 x urgency 3 is P5 in the ITIL matrix; ServiceNow recorded 4
    assert b.priority is Priority.P4
    assert [x.kind for x in b.anomalies] == ["priority_mismatch"]
    assert b.anomalies[0].row == 10  # the insert's first row of B with a priority known
    assert steps(b) == [
        (State.IN_PROGRESS, utc("2026-03-02T09:40+00:00"), None),
        (State.CANCELED, utc("2026-03-02T11:15+00:00"), None),
    ]
    assert [(c.old, c.new) for c in b.changes("group")] == [
        (None, "8a5055c9c61122780043563ef53438e3"),
        ("8a5055c9c61122780043563ef53438e3", "d625dccec0a8016700a222a0f7900d06"),
    ]


def test_servicenow_every_row_accounted_for(sn: FieldChangeLog) -> None:
    summary = sn.summary()
    # 28 rows: 2 "number" rows, 1 work_notes row, 1 change_request row are ignored
    assert (summary.rows, summary.steps, summary.repeats, summary.dropped) == (28, 24, 4, 0)
    assert sn.ignored == 4
    assert dict(sn.ignored_fields) == {"(other table)": 1, "number": 2, "work_notes": 1}
    assert sn.fields == ("category", "group", "assignee")
    assert sn.priority == "recorded"
    assert dict(summary.anomalies) == {"priority_mismatch": 1}


def test_servicenow_equals_the_row_per_update_export(sn: FieldChangeLog) -> None:
    """The same history written by hand as one row per update reads into the same incidents."""
    rows = read_event_log(
        DATA / "servicenow_sys_audit_as_updates.csv",
        tz="UTC",
        preset="generic",
        columns={
            "id": "number",
            "state": "state",
            "at": "updated",
            "priority": "priority",
            "impact": "impact",
            "urgency": "urgency",
            "reason": "reason",
            "group": "group",
            "assignee": "assignee",
            "category": "category",
        },
    )
    same_incidents(sn, rows)
    assert rows.fields == sn.fields


def test_servicenow_local_times_and_gap() -> None:
    text = (
        "documentkey,fieldname,oldvalue,newvalue,sys_created_on\n"
        "x,state,,1,2026-03-08 01:00:00\n"
        "x,priority,,2,2026-03-08 01:00:00\n"
        "x,state,1,2,2026-03-08 02:30:00\n"
    )
    log = read_field_changes(
        io.StringIO(text), tz="America/New_York", preset="servicenow-sys_audit"
    )
    inc = log.incidents[0]
    assert inc.opened_at_us == utc("2026-03-08T01:00-05:00")
    # 02:30 never happened: read 60 minutes later, 03:30 EDT
    assert steps(inc) == [(State.IN_PROGRESS, utc("2026-03-08T03:30-04:00"), None)]
    assert [(a.kind, a.row) for a in log.anomalies] == [("nonexistent_time", 4)]


# ---------------------------------------------------------------- Jira


@pytest.fixture(scope="module")
def jira() -> FieldChangeLog:
    return read_field_changes(DATA / "jira_changelog.csv", tz="Europe/Paris", preset="jira")


def test_jira_lifecycle(jira: FieldChangeLog) -> None:
    one = jira.incident("SUP-1")
    assert one.opened_at_us == utc("2026-03-02T08:00+00:00")
    assert steps(one) == [
        (State.IN_PROGRESS, utc("2026-03-02T08:15+00:00"), None),
        (State.ON_HOLD, utc("2026-03-02T09:00+00:00"), HoldReason.AWAITING_CALLER),
        (State.IN_PROGRESS, utc("2026-03-02T10:30+00:00"), None),
        (State.RESOLVED, utc("2026-03-02T12:00+00:00"), None),
        (State.CLOSED, utc("2026-03-03T08:00+00:00"), None),
    ]
    assert priorities(one) == [
        (utc("2026-03-02T08:00+00:00"), Priority.P2),  # High
        (utc("2026-03-02T11:00+00:00"), Priority.P1),  # Highest
    ]
    assert dict(one.attributes) == {"assignee": "Alana Grant"}
    two = jira.incident("SUP-2")
    assert [s[0] for s in steps(two)] == [
        State.IN_PROGRESS,
        State.RESOLVED,
        State.IN_PROGRESS,  # Reopened
        State.RESOLVED,
    ]
    assert two.priority is Priority.P3  # Medium
    summary = jira.summary()
    assert (summary.rows, summary.steps, summary.repeats, summary.dropped) == (17, 15, 2, 0)
    assert dict(jira.ignored_fields) == {"labels": 1, "resolution": 1}
    assert jira.anomalies == ()


def test_jira_equals_the_row_per_update_export(jira: FieldChangeLog) -> None:
    text = """key;status;updated;priority;assignee
SUP-1;Open;2026-03-02T09:00:00+01:00;High;
SUP-1;In Progress;2026-03-02T09:15:00+01:00;High;Alana Grant
SUP-1;Waiting for customer;2026-03-02T10:00:00+01:00;High;Alana Grant
SUP-1;In Progress;2026-03-02T11:30:00+01:00;High;Alana Grant
SUP-1;In Progress;2026-03-02T12:00:00+01:00;Highest;Alana Grant
SUP-1;Resolved;2026-03-02T13:00:00+01:00;Highest;Alana Grant
SUP-1;Closed;2026-03-03T09:00:00+01:00;Highest;Alana Grant
SUP-2;Open;2026-03-02T14:00:00+01:00;Medium;
SUP-2;In Progress;2026-03-02T14:30:00+01:00;Medium;
SUP-2;Resolved;2026-03-02T15:00:00+01:00;Medium;
SUP-2;In Progress;2026-03-03T08:00:00+01:00;Medium;
SUP-2;Resolved;2026-03-03T09:00:00+01:00;Medium;
"""
    rows = read_event_log(
        io.StringIO(text),
        tz="Europe/Paris",
        preset="generic",
        columns={
            "id": "key",
            "state": "status",
            "at": "updated",
            "priority": "priority",
            "assignee": "assignee",
        },
        states={"Open": "new", "Waiting for customer": "on_hold:awaiting_caller"},
        priorities={"Highest": "P1", "High": "P2", "Medium": "P3"},
    )
    same_incidents(jira, rows)


def test_jira_columns_adds_a_field_and_states_overrides() -> None:
    text = (
        "key,created,field,fromString,toString\n"
        "S-1,2026-03-02T09:00:00.000-0600,status,,Triage\n"
        "S-1,2026-03-02T09:00:00.000-0600,priority,,Low\n"
        "S-1,2026-03-02T09:30:00.000-0600,Component,,VPN\n"
        "S-1,2026-03-02T10:00:00.000-0600,status,Triage,Done\n"
    )
    log = read_field_changes(
        io.StringIO(text),
        tz="UTC",
        preset="jira",
        columns={"service": "Component"},
        states={"Triage": "in_progress", "Done": ("closed", None)},
    )
    inc = log.incidents[0]
    assert steps(inc) == [
        (State.IN_PROGRESS, utc("2026-03-02T15:00+00:00"), None),
        (State.CLOSED, utc("2026-03-02T16:00+00:00"), None),
    ]
    assert [a.kind for a in inc.anomalies] == ["forbidden_transition"]  # IN_PROGRESS -> CLOSED
    assert [(c.at_us, c.new) for c in inc.changes("service")] == [
        (utc("2026-03-02T15:30+00:00"), "VPN")
    ]
    assert inc.priority is Priority.P4


# ---------------------------------------------------------------- Zendesk


@pytest.fixture(scope="module")
def zendesk() -> FieldChangeLog:
    return read_field_changes(DATA / "zendesk_ticket_audits.json", tz="UTC", preset="zendesk")


def test_zendesk_lifecycle(zendesk: FieldChangeLog) -> None:
    t47 = zendesk.incident("47")
    assert t47.opened_at_us == utc("2026-03-02T09:00+00:00")
    assert steps(t47) == [
        (State.IN_PROGRESS, utc("2026-03-02T09:30+00:00"), None),
        (State.ON_HOLD, utc("2026-03-02T10:00+00:00"), HoldReason.AWAITING_CALLER),
        (State.IN_PROGRESS, utc("2026-03-02T11:00+00:00"), None),
        (State.RESOLVED, utc("2026-03-02T12:00+00:00"), None),
        (State.CLOSED, utc("2026-03-06T12:00+00:00"), None),
    ]
    assert priorities(t47) == [
        (utc("2026-03-02T09:00+00:00"), Priority.P3),  # normal
        (utc("2026-03-02T11:20+00:00"), Priority.P1),  # urgent
    ]
    assert dict(t47.attributes) == {"group": "360000", "assignee": "900001"}
    t48 = zendesk.incident("48")
    assert steps(t48) == [
        (State.ON_HOLD, utc("2026-03-02T09:15+00:00"), HoldReason.AWAITING_VENDOR),
        (State.RESOLVED, utc("2026-03-02T13:00+00:00"), None),
    ]
    assert t48.priority is Priority.P2  # high
    # 19 events: 3 comments, 1 notification and the tags event are ignored
    summary = zendesk.summary()
    assert (summary.rows, summary.steps, summary.repeats, summary.dropped) == (19, 14, 5, 0)
    assert dict(zendesk.ignored_fields) == {
        "(event Comment)": 3,
        "(event Notification)": 1,
        "tags": 1,
    }


def test_zendesk_equals_the_row_per_update_export(zendesk: FieldChangeLog) -> None:
    text = """id,status,at,priority,group,assignee
47,new,2026-03-02T09:00:00Z,normal,360000,
47,open,2026-03-02T09:30:00Z,normal,360000,900001
47,pending,2026-03-02T10:00:00Z,normal,360000,900001
47,open,2026-03-02T11:00:00Z,normal,360000,900001
47,open,2026-03-02T11:20:00Z,urgent,360000,900001
47,solved,2026-03-02T12:00:00Z,urgent,360000,900001
47,closed,2026-03-06T12:00:00Z,urgent,360000,900001
48,new,2026-03-02T09:10:00Z,high,,
48,hold,2026-03-02T09:15:00Z,high,,
48,solved,2026-03-02T13:00:00Z,high,,
"""
    rows = read_event_log(
        io.StringIO(text),
        tz="UTC",
        preset="generic",
        columns={
            "id": "id",
            "state": "status",
            "at": "at",
            "priority": "priority",
            "group": "group",
            "assignee": "assignee",
        },
        states={
            "open": "in_progress",
            "pending": "on_hold:awaiting_caller",
            "hold": "on_hold:awaiting_vendor",
            "solved": "resolved",
        },
        priorities={"urgent": "P1", "high": "P2", "normal": "P3"},
    )
    same_incidents(zendesk, rows)


def test_zendesk_accepts_a_parsed_document_and_one_audit() -> None:
    document = json.loads((DATA / "zendesk_ticket_audits.json").read_text(encoding="utf-8"))
    log = read_field_changes(document, tz="UTC", preset="zendesk")
    assert log.rows == 19
    single = {"audit": document["audits"][1]}
    log = read_field_changes(single, tz="UTC", preset="zendesk")
    assert [i.id for i in log.incidents] == ["48"] and log.rows == 2


# ---------------------------------------------------------------- GLPI


@pytest.fixture(scope="module")
def glpi() -> FieldChangeLog:
    return read_field_changes(DATA / "glpi_logs.csv", tz="Europe/Paris", preset="glpi")


def test_glpi_lifecycle(glpi: FieldChangeLog) -> None:
    t101 = glpi.incident("101")
    # the creation row (search option 0) dates the ticket
    assert t101.opened_at_us == utc("2026-03-02T08:00+00:00")
    assert steps(t101) == [
        (State.IN_PROGRESS, utc("2026-03-02T08:10+00:00"), None),
        (State.ON_HOLD, utc("2026-03-02T09:00+00:00"), None),
        (State.IN_PROGRESS, utc("2026-03-02T09:30+00:00"), None),
        (State.RESOLVED, utc("2026-03-02T11:00+00:00"), None),
        (State.CLOSED, utc("2026-03-03T08:00+00:00"), None),
    ]
    # priority 3 (medium) before its first change, 4 (high) from 09:40
    assert priorities(t101) == [
        (utc("2026-03-02T08:00+00:00"), Priority.P3),
        (utc("2026-03-02T08:40+00:00"), Priority.P2),
    ]
    assert dict(t101.attributes) == {"category": "Network > VPN (12)"}
    assert [(a.kind, a.row) for a in t101.anomalies] == [("hold_without_reason", 5)]


def test_glpi_ticket_without_priority_is_dropped_row_by_row(glpi: FieldChangeLog) -> None:
    assert [i.id for i in glpi.incidents] == ["101"]
    dropped = [(a.kind, a.row, a.incident_id) for a in glpi.anomalies if a.kind == "no_priority"]
    assert dropped == [("no_priority", 11, "102"), ("no_priority", 12, "102")]
    summary = glpi.summary()
    assert (summary.rows, summary.steps, summary.repeats, summary.dropped) == (12, 7, 3, 2)
    assert dict(glpi.ignored_fields) == {"(other table)": 1, "0": 2}


def test_glpi_equals_the_row_per_update_export(glpi: FieldChangeLog) -> None:
    text = """ticket,status,at,priority,category
101,1,2026-03-02 09:00:00,3,
101,2,2026-03-02 09:10:00,3,
101,2,2026-03-02 09:40:00,4,
101,4,2026-03-02 10:00:00,4,
101,2,2026-03-02 10:30:00,4,
101,2,2026-03-02 11:00:00,4,Network > VPN (12)
101,5,2026-03-02 12:00:00,4,Network > VPN (12)
101,6,2026-03-03 09:00:00,4,Network > VPN (12)
"""
    rows = read_event_log(
        io.StringIO(text),
        tz="Europe/Paris",
        preset="generic",
        columns={
            "id": "ticket",
            "state": "status",
            "at": "at",
            "priority": "priority",
            "category": "category",
        },
        states={"1": "new", "2": "in_progress", "4": "on_hold", "5": "resolved", "6": "closed"},
        priorities={"3": "P3", "4": "P2"},
    )
    same_incidents(glpi, rows)


def test_glpi_states_override_gives_the_pending_reason() -> None:
    log = read_field_changes(
        DATA / "glpi_logs.csv",
        tz="Europe/Paris",
        preset="glpi",
        states={"4": "on_hold:awaiting_caller"},
    )
    t101 = log.incident("101")
    assert steps(t101)[1][2] is HoldReason.AWAITING_CALLER
    assert t101.anomalies == ()


# ---------------------------------------------------------------- row problems

HEAD = "documentkey,fieldname,oldvalue,newvalue,sys_created_on\n"
OPEN = "x,state,,1,2026-03-02 09:00:00\nx,priority,,3,2026-03-02 09:00:00\n"


def sn_text(body: str, **kwargs: object) -> FieldChangeLog:
    return read_field_changes(
        io.StringIO(HEAD + OPEN + body), tz="UTC", preset="servicenow-sys_audit", **kwargs
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "kind", "column"),
    [
        ("x,state,1\n", "short_row", None),
        ("x,state,1,2,2026-03-02 10:00:00,extra\n", "long_row", None),
        (",state,1,2,2026-03-02 10:00:00\n", "missing_id", "documentkey"),
        ("x,state,1,2,tomorrow\n", "bad_date", "sys_created_on"),
        ("x,state,1,2,0001-01-01 00:00:00\n", "bad_date", "sys_created_on"),
        ("x,state,1,Frozen,2026-03-02 10:00:00\n", "unknown_state", "newvalue"),
        ("x,priority,3,9,2026-03-02 10:00:00\n", "bad_value", "newvalue"),
        ("x,impact,,Huge,2026-03-02 10:00:00\n", "bad_value", "newvalue"),
        ("x,hold_reason,,42,2026-03-02 10:00:00\n", "bad_value", "newvalue"),
    ],
)
def test_a_bad_row_is_dropped_with_an_anomaly_naming_it(
    body: str, kind: str, column: str | None
) -> None:
    log = sn_text(body + "x,state,1,2,2026-03-02 11:00:00\n")
    assert [(a.kind, a.row) for a in log.anomalies] == [(kind, 4)]
    assert log.dropped == 1 and log.rows == 4
    summary = log.summary()
    assert summary.rows == summary.steps + summary.repeats + summary.dropped
    assert log.incidents[0].state is State.IN_PROGRESS  # the rest still read
    with pytest.raises(EventLogError) as caught:
        sn_text(body, strict=True)
    assert caught.value.row == 4 and caught.value.column == column


def test_unknown_state_lists_the_mapping() -> None:
    with pytest.raises(
        EventLogError,
        match=r"'newvalue' must be a known state .*map others with states= \(got 'Frozen'\)",
    ):
        sn_text("x,state,1,Frozen,2026-03-02 10:00:00\n", strict=True)


def test_a_bad_old_value_is_noted_and_the_row_kept() -> None:
    log = sn_text("x,state,Frozen,2,2026-03-02 10:00:00\n")
    assert [(a.kind, a.row) for a in log.anomalies] == [("bad_value", 4)]
    assert log.dropped == 0 and log.incidents[0].state is State.IN_PROGRESS
    with pytest.raises(EventLogError, match="read as no value") as caught:
        sn_text("x,state,Frozen,2,2026-03-02 10:00:00\n", strict=True)
    assert caught.value.row == 4 and caught.value.column == "oldvalue"


def test_a_repeat_changes_nothing() -> None:
    log = sn_text("x,state,1,1,2026-03-02 10:00:00\n")
    assert (log.rows, log.repeats, log.ignored) == (3, 1, 0)
    assert log.incidents[0].history == ()


def test_a_change_to_no_value_keeps_the_priority_and_state() -> None:
    log = sn_text(
        "x,priority,3,,2026-03-02 10:00:00\n"
        "x,state,1,,2026-03-02 10:00:00\n"
        "x,hold_reason,,1,2026-03-02 10:30:00\n"
        "x,hold_reason,1,,2026-03-02 11:00:00\n"
    )
    inc = log.incidents[0]
    assert inc.priority is Priority.P3 and inc.history == ()
    # the two emptied cells are repeats; the hold reason rows changed the field's value
    assert (log.rows, log.repeats, log.dropped) == (6, 2, 0)


def test_a_change_before_any_priority_holds_from_the_opening() -> None:
    text = HEAD + "y,state,,1,2026-03-02 09:00:00\ny,priority,,2,2026-03-02 09:30:00\n"
    log = read_field_changes(io.StringIO(text), tz="UTC", preset="servicenow-sys_audit")
    assert [(a.kind, a.row) for a in log.anomalies] == [("no_priority", 2)]
    inc = log.incidents[0]
    assert inc.opened_at_us == utc("2026-03-02T09:30+00:00") and inc.priority is Priority.P2
    assert log.summary().dropped == 1


def test_semicolons_are_sniffed() -> None:
    text = (HEAD + OPEN).replace(",", ";")
    log = read_field_changes(io.StringIO(text), tz="UTC", preset="servicenow-sys_audit")
    assert log.incidents[0].priority is Priority.P3


def test_dataframe_input() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(DATA / "servicenow_sys_audit.csv", dtype=str, keep_default_na=False)
    log = read_field_changes(frame, tz="UTC", preset="servicenow-sys_audit")
    same_incidents(
        log,
        read_field_changes(
            DATA / "servicenow_sys_audit.csv", tz="UTC", preset="servicenow-sys_audit"
        ),
    )
    assert log.rows == 28


def test_a_log_pickles() -> None:
    log = read_field_changes(DATA / "glpi_logs.csv", tz="Europe/Paris", preset="glpi")
    again = pickle.loads(pickle.dumps(log))
    assert again.ignored_fields == log.ignored_fields == (("(other table)", 1), ("0", 2))
    assert again.summary() == log.summary()


# ---------------------------------------------------------------- file problems


def test_unknown_preset_lists_the_choices() -> None:
    with pytest.raises(InvalidValueError, match="glpi, jira, servicenow-sys_audit, zendesk"):
        read_field_changes(io.StringIO(HEAD), tz="UTC", preset="remedy")


def test_missing_column_names_it_and_shows_the_header() -> None:
    with pytest.raises(EventLogError) as caught:
        read_field_changes(
            io.StringIO("documentkey,fieldname,old,newvalue,sys_created_on\n"),
            tz="UTC",
            preset="servicenow-sys_audit",
        )
    assert caught.value.column == "oldvalue"
    assert "documentkey, fieldname, old, newvalue, sys_created_on" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("documentkey,fieldname,fieldname,oldvalue,newvalue,sys_created_on\n", "more than once"),
        (HEAD + 'x,state,"1,2,2026-03-02 10:00:00\n', "not valid CSV"),
    ],
)
def test_file_problems_raise(text: str, match: str) -> None:
    with pytest.raises(EventLogError, match=match):
        read_field_changes(io.StringIO(text), tz="UTC", preset="servicenow-sys_audit")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"columns": {"colour": "x"}}, "columns"),
        ({"columns": "number"}, "columns"),
        ({"columns": {"id": ""}}, "columns['id']"),
        ({"columns": {"group": 5}}, "columns['group']"),
        ({"states": {"Frozen": "melting"}}, "state"),
        ({"states": {"Done": "resolved:awaiting_caller"}}, "states['Done']"),
        ({"states": ["x"]}, "states"),
        ({"strict": "yes"}, "strict"),
        ({"encoding": 8}, "encoding"),
        ({"tz": "Mars/Olympus"}, "tz"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], field: str) -> None:
    call: dict[str, object] = {"tz": "UTC", "preset": "servicenow-sys_audit"}
    call.update(kwargs)
    with pytest.raises(InvalidValueError) as caught:
        read_field_changes(io.StringIO(HEAD + OPEN), **call)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_sources() -> None:
    with pytest.raises(InvalidValueError, match="text mode"):
        read_field_changes(io.BytesIO(b"x"), tz="UTC", preset="jira")
    with pytest.raises(InvalidValueError, match="'source'"):
        read_field_changes(42, tz="UTC", preset="jira")
    with pytest.raises(EventLogError, match="readable"):
        read_field_changes("/nonexistent/audit.csv", tz="UTC", preset="jira")
    with pytest.raises(InvalidValueError, match="encoding"):
        read_field_changes(
            DATA / "jira_changelog.csv", tz="UTC", preset="jira", encoding="no-such"
        )
    with pytest.raises(EventLogError, match="utf-16"):
        read_field_changes(DATA / "jira_changelog.csv", tz="UTC", preset="jira", encoding="utf-16")


@pytest.mark.parametrize(
    ("text", "match", "column"),
    [
        ("{", "not valid JSON", None),
        ("[1, 2]", "'audits' list", "audits"),
        ('{"tickets": []}', "no 'audits' key; the document has: tickets", "audits"),
        ('{"audits": 5}', "a list of audits", "audits"),
        ("[" * 100_000 + "]" * 100_000, "JSON", None),
    ],
)
def test_zendesk_file_problems(text: str, match: str, column: str | None) -> None:
    with pytest.raises(EventLogError, match=match) as caught:
        read_field_changes(io.StringIO(text), tz="UTC", preset="zendesk")
    assert caught.value.column == column


def test_zendesk_record_problems() -> None:
    audits = [
        "not an audit",
        {"ticket_id": 1, "created_at": "2026-03-02T09:00:00Z", "events": ["no event"]},
        {
            "ticket_id": 1,
            "created_at": "2026-03-02T09:00:00Z",
            "events": [
                {"type": "Create", "field_name": "status", "value": "new"},
                {"type": "Create", "field_name": "priority", "value": "low"},
                {"type": "Create", "field_name": "group_id", "value": {"id": 5}},
            ],
        },
        {"ticket_id": None, "created_at": "2026-03-02T09:30:00Z", "events": [{"type": "Change"}]},
        {"ticket_id": 1, "created_at": 17, "events": [{"type": "Change", "field_name": "status"}]},
        {
            "ticket_id": 1,
            "created_at": "2026-03-02T10:00:00Z",
            "events": [{"type": "Change", "field_name": "status", "value": "melted"}],
        },
    ]
    log = read_field_changes({"audits": audits}, tz="UTC", preset="zendesk")
    assert [(a.kind, a.row) for a in log.anomalies] == [
        ("bad_record", 1),
        ("bad_record", 2),
        ("bad_value", 5),
        ("missing_id", 6),
        ("bad_date", 7),
        ("unknown_state", 8),
    ]
    assert (log.rows, log.dropped) == (8, 6)
    assert log.incidents[0].priority is Priority.P4
    with pytest.raises(EventLogError) as caught:
        read_field_changes({"audits": audits}, tz="UTC", preset="zendesk", strict=True)
    assert caught.value.row == 1 and caught.value.column == "audits[0]"
    with pytest.raises(InvalidValueError, match="'columns'"):
        read_field_changes({"audits": []}, tz="UTC", preset="zendesk", columns={"id": "x"})


def test_presets_are_frozen_tables() -> None:
    assert sorted(FIELD_CHANGE_PRESETS) == ["glpi", "jira", "servicenow-sys_audit", "zendesk"]
    with pytest.raises(TypeError):
        FIELD_CHANGE_PRESETS["jira"].fields["status"] = "priority"  # type: ignore[index]


# ---------------------------------------------------------------- round trip

_SN_STATE = {
    State.NEW: "1",
    State.IN_PROGRESS: "2",
    State.ON_HOLD: "3",
    State.RESOLVED: "6",
    State.CLOSED: "7",
    State.CANCELED: "8",
}
_SN_REASON = {
    HoldReason.AWAITING_CALLER: "1",
    HoldReason.AWAITING_PROBLEM: "3",
    HoldReason.AWAITING_VENDOR: "4",
    HoldReason.AWAITING_CHANGE: "5",
    HoldReason.AWAITING_EVIDENCE: "awaiting_evidence",
}
_MOVES = {
    State.NEW: [State.IN_PROGRESS, State.ON_HOLD, State.RESOLVED, State.CANCELED],
    State.IN_PROGRESS: [State.ON_HOLD, State.RESOLVED, State.CANCELED],
    State.ON_HOLD: [State.ON_HOLD, State.IN_PROGRESS, State.RESOLVED, State.CANCELED],
    State.RESOLVED: [State.IN_PROGRESS, State.CLOSED],
    State.CLOSED: [],
    State.CANCELED: [],
}


@st.composite
def lifecycles(
    draw: st.DrawFn,
) -> tuple[int, Priority, list[tuple[int, State | Priority, HoldReason | None]]]:
    """An opening (whole seconds), a priority, and legal steps and reprioritisations
    at strictly increasing instants."""
    opened = draw(st.integers(0, 2_000_000_000)) * 1_000_000
    priority = first = draw(st.sampled_from(list(Priority)))
    state, reason = State.NEW, None
    at = opened
    events: list[tuple[int, State | Priority, HoldReason | None]] = []
    for _ in range(draw(st.integers(0, 10))):
        at += draw(st.integers(1, 3 * 86_400)) * 1_000_000
        if draw(st.booleans()) and state not in (State.CLOSED, State.CANCELED):
            new = draw(st.sampled_from([p for p in Priority if p is not priority]))
            events.append((at, new, None))
            priority = new
            continue
        moves = _MOVES[state]
        if not moves:
            break
        target = draw(st.sampled_from(moves))
        new_reason = None
        if target is State.ON_HOLD:
            new_reason = draw(st.sampled_from([r for r in HoldReason if r is not reason]))
        events.append((at, target, new_reason))
        state, reason = target, new_reason
    return opened, first, events


@settings(max_examples=60)
@given(lifecycle=lifecycles(), tz=st.sampled_from(["UTC", "Asia/Seoul"]))
def test_round_trip_through_sys_audit_rows(
    lifecycle: tuple[int, Priority, list[tuple[int, State | Priority, HoldReason | None]]],
    tz: str,
) -> None:
    """A lifecycle written as sys_audit rows (UTC offsets in the text) reads back as the
    incident Incident's own steps build."""
    opened, first_priority, events = lifecycle

    def iso(us: int) -> str:
        return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).isoformat()

    lines = [HEAD.strip()]
    lines.append(f"T1,state,,1,{iso(opened)}")
    lines.append(f"T1,priority,,{first_priority.value},{iso(opened)}")
    expected = Incident.open("T1", at=iso(opened), priority=first_priority)
    state, reason, priority = State.NEW, None, first_priority
    for at, what, why in events:
        if isinstance(what, Priority):
            lines.append(f"T1,priority,{priority.value},{what.value},{iso(at)}")
            expected = expected.reprioritize(at=iso(at), priority=what)
            priority = what
            continue
        if what is not state:
            lines.append(f"T1,state,{_SN_STATE[state]},{_SN_STATE[what]},{iso(at)}")
        if why is not None or reason is not None:
            old = "" if reason is None else _SN_REASON[reason]
            new = "" if why is None else _SN_REASON[why]
            lines.append(f"T1,hold_reason,{old},{new},{iso(at)}")
        expected = expected.transition(what, at=iso(at), reason=why)
        state, reason = what, why
    log = read_field_changes(
        io.StringIO("\n".join(lines) + "\n"), tz=tz, preset="servicenow-sys_audit", strict=True
    )
    (inc,) = log.incidents
    assert inc.opened_at_us == expected.opened_at_us
    assert steps(inc) == steps(expected)
    assert priorities(inc) == priorities(expected)
    assert inc.anomalies == ()
    assert log.rows == len(lines) - 1 and log.dropped == 0


def test_a_standin_priority_for_tickets_the_audit_never_gives_one() -> None:
    """Jira logs no values at creation: SUP-9 changed only its status (Open -> In Progress at
    09:15), so without a stand-in it has no priority and is dropped; with priority="P3" it
    opens at 09:15 as P3 and is In Progress. GLPI's ticket 102 (priority never changed)
    likewise comes back, resolved at 13:30 (status 5)."""
    import io

    from itilkit import Priority, State
    from itilkit.io import read_field_changes

    text = (
        "key,created,field,fieldtype,fromString,toString\n"
        "SUP-9,2026-03-02T09:15:00.000+0100,status,jira,Open,In Progress\n"
    )
    dropped = read_field_changes(io.StringIO(text), tz="UTC", preset="jira")
    assert dropped.incidents == () and [a.kind for a in dropped.anomalies] == ["no_priority"]
    (sup9,) = read_field_changes(
        io.StringIO(text), tz="UTC", preset="jira", priority="P3"
    ).incidents
    assert (sup9.state, sup9.priority) == (State.IN_PROGRESS, Priority.P3)
    assert sup9.opened_at.isoformat() == "2026-03-02T08:15:00+00:00"
    glpi = read_field_changes(
        DATA / "glpi_logs.csv", tz="Europe/Paris", preset="glpi", priority="P3"
    )
    ticket = glpi.incident("102")
    assert (ticket.state, ticket.priority) == (State.RESOLVED, Priority.P3)
    assert (
        ticket.resolved_at is not None
        and ticket.resolved_at.isoformat() == "2026-03-02T13:30:00+01:00"
    )
