"""Ticket data in, nothing lost or changed: recorded priorities and carried fields.

Expected values are read off the rows of ``tests/data/servicenow_event_log_sample.csv``
(row numbers as a spreadsheet shows them, header = row 1) or off the small
exports written in each test, never off the code's output.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import (
    EventLogError,
    Impact,
    Incident,
    InvalidValueError,
    Priority,
    State,
    Urgency,
)
from itilkit.io import CARRIED_FIELDS, EventLog, FieldChange, read_event_log

SAMPLE = Path(__file__).parent / "data" / "servicenow_event_log_sample.csv"


def utc(day: int, month: int, hour: int, minute: int, year: int = 2016) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def read_text(text: str, **kwargs: object) -> EventLog:
    kwargs.setdefault("tz", "UTC")
    return read_event_log(io.StringIO(text), **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sample() -> EventLog:
    return read_event_log(SAMPLE, tz="UTC")


def recorded_final_priorities() -> dict[str, int]:
    """The priority column of each ticket's last update, straight from the CSV."""
    with SAMPLE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    last: dict[str, tuple[int, str]] = {}
    for row in rows:
        counter = int(row["sys_mod_count"])
        if row["number"] not in last or counter >= last[row["number"]][0]:
            last[row["number"]] = (counter, row["priority"])
    return {number: int(text.split(" - ")[0]) for number, (_, text) in last.items()}


class TestRecordedPriorityWins:
    def test_sample_priorities_equal_the_export(self, sample: EventLog) -> None:
        """Every incident's priority is the one the export recorded: 5 P4 and no P5."""
        expected = recorded_final_priorities()
        assert {inc.id: int(inc.priority) for inc in sample.incidents} == expected
        counts = Counter(inc.priority for inc in sample.incidents)
        assert counts[Priority.P4] == 5
        assert counts[Priority.P5] == 0
        for number in ("INC0000083", "INC0000084", "INC0000094"):
            assert sample.incident(number).priority is Priority.P4
        assert sample.priority == "recorded"

    def test_impact_and_urgency_are_kept_beside_it(self, sample: EventLog) -> None:
        """INC0000083 (row 129): impact 3 - Low, urgency 3 - Low, priority 4 - Low."""
        inc = sample.incident("INC0000083")
        assert (inc.impact, inc.urgency, inc.priority) == (Impact.LOW, Urgency.LOW, Priority.P4)

    def test_one_mismatch_per_incident_naming_the_first_row(self, sample: EventLog) -> None:
        """INC0000084 has six rows (134-139), all Low x Low recorded 4 - Low: one anomaly."""
        found = [a for a in sample.anomalies if a.incident_id == "INC0000084"]
        assert [(a.row, a.kind) for a in found] == [(134, "priority_mismatch")]
        assert "P4" in found[0].message and "P5" in found[0].message
        assert found[0].at == utc(29, 2, 8, 39)  # row 134's sys_updated_at

    def test_matrix_recomputes(self) -> None:
        """priority='matrix': Low x Low is P5 for INC0000083, and nothing is a mismatch."""
        log = read_event_log(SAMPLE, tz="UTC", priority="matrix")
        assert log.incident("INC0000083").priority is Priority.P5
        assert log.incident("INC0000047").priority is Priority.P3  # Medium x Medium
        assert [a.kind for a in log.anomalies] == []
        assert log.priority == "matrix"

    @pytest.mark.parametrize("mode", ["Recorded", "both", "", None, 1])
    def test_other_modes_are_refused(self, mode: object) -> None:
        with pytest.raises(InvalidValueError) as info:
            read_event_log(SAMPLE, tz="UTC", priority=mode)  # type: ignore[arg-type]
        assert info.value.field == "priority"
        assert str(info.value).startswith("'priority' must be 'recorded' or 'matrix'")

    def test_priority_column_without_impact_or_urgency(self) -> None:
        """With a priority column, impact and urgency columns are optional."""
        text = """id,state,at,priority
A,new,2024-01-01 10:00,P2
A,in_progress,2024-01-01 10:30,2
A,resolved,2024-01-01 11:00,1 - Critical
B,new,2024-01-01 12:00,5
"""
        columns = {"id": "id", "state": "state", "at": "at", "priority": "priority"}
        log = read_text(text, preset="generic", columns=columns)
        a = log.incident("A")
        assert [(c.at, c.priority, c.impact, c.urgency) for c in a.priority_history] == [
            (utc(1, 1, 10, 0, 2024), Priority.P2, None, None),
            (utc(1, 1, 11, 0, 2024), Priority.P1, None, None),  # row 3 keeps P2: no change
        ]
        assert log.incident("B").priority is Priority.P5
        assert log.anomalies == ()
        assert log.summary().steps == 4  # A opens, starts work, resolves (and reprioritizes)

    def test_recorded_reprioritization_and_a_later_mismatch(self) -> None:
        """The mismatch is reported at the first row where the matrix disagrees, and once."""
        text = """number,incident_state,sys_mod_count,opened_at,sys_updated_at,impact,urgency,priority
A,New,0,1/3/2016 09:00,1/3/2016 09:00,2 - Medium,2 - Medium,3 - Moderate
A,Active,1,1/3/2016 09:00,1/3/2016 09:10,1 - High,2 - Medium,1 - Critical
A,Active,2,1/3/2016 09:00,1/3/2016 09:20,1 - High,1 - High,1 - Critical
A,Resolved,3,1/3/2016 09:00,1/3/2016 09:30,3 - Low,3 - Low,4 - Low
"""
        log = read_text(text)
        inc = log.incident("A")
        # Row 2: Medium x Medium = P3, as recorded. Row 3: High x Medium is P2 in the matrix,
        # recorded P1: the first mismatch. Row 5: Low x Low is P5, recorded P4: not reported again.
        assert [(c.at.minute, c.priority) for c in inc.priority_history] == [
            (0, Priority.P3),
            (10, Priority.P1),
            (20, Priority.P1),  # urgency changed, the recorded priority did not
            (30, Priority.P4),
        ]
        assert [(a.row, a.kind) for a in log.anomalies] == [(3, "priority_mismatch")]
        matrix = read_text(text, priority="matrix").incident("A")
        assert [c.priority for c in matrix.priority_history] == [
            Priority.P3,
            Priority.P2,
            Priority.P1,
            Priority.P5,
        ]

    def test_priorities_mapping_for_other_tools(self, tmp_path: Path) -> None:
        """A tool's own priority names are read through a priorities mapping or file."""
        text = "Key;Status;Updated;Priority\nOPS-1;To Do;2024-05-06 09:00;Highest\n"
        text += "OPS-2;To Do;2024-05-06 09:00;Lowest\n"
        columns = {"id": "Key", "state": "Status", "at": "Updated", "priority": "Priority"}
        states = {"To Do": "new"}
        log = read_text(
            text,
            preset="generic",
            columns=columns,
            states=states,
            priorities={"Highest": "P1", "Lowest": 5},
        )
        assert [inc.priority for inc in log.incidents] == [Priority.P1, Priority.P5]
        path = tmp_path / "priorities.json"
        path.write_text('{"Highest": "P1", "Lowest": "P5"}')
        again = read_text(text, preset="generic", columns=columns, states=states, priorities=path)
        assert again == log
        unmapped = read_text(text, preset="generic", columns=columns, states=states)
        assert [(a.row, a.kind) for a in unmapped.anomalies] == [
            (2, "bad_value"),
            (2, "no_priority"),
            (3, "bad_value"),
            (3, "no_priority"),
        ]
        assert unmapped.incidents == ()


class TestIncidentPriorities:
    def test_open_with_a_recorded_priority(self) -> None:
        inc = Incident.open("A", at="2026-03-02T09:00+00:00", impact=3, urgency=3, priority="P4")
        assert (inc.priority, inc.impact, inc.urgency) == (Priority.P4, Impact.LOW, Urgency.LOW)

    def test_reprioritize_with_a_recorded_priority(self) -> None:
        inc = Incident.open("A", at="2026-03-02T09:00+00:00", impact=3, urgency=3)
        later = inc.reprioritize(at="2026-03-02T10:00+00:00", priority="2 - High")
        assert [c.priority for c in later.priority_history] == [Priority.P5, Priority.P2]
        assert later.impact is Impact.LOW  # kept beside it
        # Impact alone is still computed through the matrix: High x Low is P3.
        again = later.reprioritize(at="2026-03-02T11:00+00:00", impact=1)
        assert again.priority is Priority.P3

    def test_reprioritize_without_a_level_to_compute_from(self) -> None:
        inc = Incident.open("A", at="2026-03-02T09:00+00:00", priority="P3")
        with pytest.raises(InvalidValueError, match=r"^'urgency' must be given, or 'priority'"):
            inc.reprioritize(at="2026-03-02T10:00+00:00", impact=1)
        with pytest.raises(InvalidValueError, match=r"^'impact' must be given"):
            inc.reprioritize(at="2026-03-02T10:00+00:00")

    def test_open_needs_levels_or_a_priority(self) -> None:
        with pytest.raises(InvalidValueError):
            Incident.open("A", at="2026-03-02T09:00+00:00", impact=1)


class TestCarriedFields:
    def test_inc83_attributes(self, sample: EventLog) -> None:
        """INC0000083's last row (133) as the export wrote it; '?' cells carry nothing."""
        assert dict(sample.incident("INC0000083").attributes) == {
            "category": "Category 24",
            "subcategory": "Subcategory 164",
            "symptom": "Symptom 583",
            "group": "Group 23",
            "contact_type": "Phone",
            "location": "Location 93",
            "caller": "Caller 4866",
            "problem": "Problem ID  2",  # two spaces, as recorded
            "made_sla": "true",
            "reassignment_count": "1",
            "reopen_count": "0",
            "knowledge": "true",
        }

    def test_inc83_group_history(self, sample: EventLog) -> None:
        """Group 70 from the opening (29/2 08:39), Group 23 from row 130 (09:19)."""
        inc = sample.incident("INC0000083")
        assert inc.changes("group") == (
            FieldChange(utc(29, 2, 8, 39), None, "Group 70"),
            FieldChange(utc(29, 2, 9, 19), "Group 70", "Group 23"),
        )
        assert [(c.old, c.new) for c in inc.changes("reassignment_count")] == [
            (None, "0"),
            ("0", "1"),
        ]
        assert inc.changes("ci") == ()
        assert inc.changes("group")[1].at_us == int(utc(29, 2, 9, 19).timestamp()) * 10**6

    def test_the_log_names_the_fields_it_carries(self, sample: EventLog) -> None:
        """The sample has every carried column but business_service and the resolve times."""
        absent = {"service", "business_resolve_time", "resolve_time"}
        assert sample.fields == tuple(f for f in CARRIED_FIELDS if f not in absent)

    def test_attributes_are_read_only(self, sample: EventLog) -> None:
        attributes = sample.incident("INC0000083").attributes
        with pytest.raises(TypeError):
            attributes["group"] = "Group 1"  # type: ignore[index]

    def test_unknown_field_is_named(self, sample: EventLog) -> None:
        with pytest.raises(InvalidValueError, match=r"^'field' must be one of service, ci"):
            sample.incident("INC0000083").changes("owner")

    def test_values_are_shared_not_copied(self, sample: EventLog) -> None:
        """Repeated values are one string object, however many rows hold them."""
        a = sample.incident("INC0000084").attributes["group"]
        b = sample.incident("INC0000094").attributes["group"]
        assert a == b == "Group 66"
        assert a is b

    def test_clearing_a_value_and_booleans(self) -> None:
        text = """id,state,at,group,made_sla
A,new,2024-01-01 10:00,Network,TRUE
A,in_progress,2024-01-01 10:30,?,FALSE
A,resolved,2024-01-01 11:00,?,False
"""
        columns = {"id": "id", "state": "state", "at": "at", "group": "group"}
        columns["made_sla"] = "made_sla"
        inc = read_text(text, preset="generic", columns=columns, impact=2, urgency=2).incident("A")
        assert [(c.at.minute, c.old, c.new) for c in inc.changes("group")] == [
            (0, None, "Network"),
            (30, "Network", None),
        ]
        assert [(c.old, c.new) for c in inc.changes("made_sla")] == [
            (None, "true"),
            ("true", "false"),
        ]
        assert dict(inc.attributes) == {"made_sla": "false"}

    def test_a_field_change_alone_is_a_step_not_a_repeat(self) -> None:
        """INC0000083 (rows 129-133): row 130 only changes the group: kept; row 131 is a repeat."""
        with SAMPLE.open(newline="") as handle:
            lines = handle.read().splitlines()
        text = "\n".join([lines[0], *lines[128:133]]) + "\n"
        log = read_text(text)
        summary = log.summary()
        assert (summary.rows, summary.steps, summary.repeats, summary.dropped) == (5, 4, 1, 0)


# A small alphabet so that generated rows repeat values (and states) often.
_STATES = st.sampled_from(["New", "Active", "Awaiting User Info", "Resolved", "Closed", "Parked"])
_VALUES = st.sampled_from(["?", "Group 1", "Group 2", " Group 1 ", "TRUE", "true"])
_TIMES = st.sampled_from(["1/3/2016 09:00", "1/3/2016 10:00", "2/3/2016 08:30", "31/2/2016 09:00"])


@st.composite
def event_logs(draw: st.DrawFn) -> str:
    """A ServiceNow-like export: a few tickets, each row possibly bad."""
    lines = [
        "number,incident_state,sys_mod_count,sys_updated_at,impact,urgency,priority,"
        "assignment_group,made_sla"
    ]
    for _ in range(draw(st.integers(0, 12))):
        ticket = draw(st.sampled_from(["A", "B", "C", ""]))
        counter = draw(st.sampled_from(["0", "1", "2", "3", "x"]))
        level = draw(st.sampled_from(["1 - High", "3 - Low", "?", "9 - Huge"]))
        priority = draw(st.sampled_from(["2 - High", "4 - Low", "?", "P9"]))
        cells = [
            ticket,
            draw(_STATES),
            counter,
            draw(_TIMES),
            level,
            level,
            priority,
            draw(_VALUES),
            draw(_VALUES),
        ]
        if draw(st.integers(0, 9)) == 0:
            cells = cells[:3]  # a short row
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


class TestLaws:
    @settings(max_examples=150, deadline=None)
    @given(text=event_logs(), mode=st.sampled_from(["recorded", "matrix"]))
    def test_every_row_is_accounted_for(self, text: str, mode: str) -> None:
        """rows == steps + repeats + dropped; each dropped row is named by exactly one anomaly."""
        log = read_text(text, priority=mode)
        summary = log.summary()
        assert summary.rows == text.count("\n") - 1
        assert summary.rows == summary.steps + summary.repeats + summary.dropped
        assert summary.steps >= len(log.incidents)
        dropped_rows = [
            a.row
            for a in log.anomalies
            if a.kind
            in {"short_row", "long_row", "missing_id", "bad_counter", "bad_date", "unknown_state"}
            | {"no_priority"}
        ]
        assert len(dropped_rows) == len(set(dropped_rows)) == summary.dropped
        assert sum(summary.anomalies.values()) == len(log.anomalies)
        rows = [a.row or 0 for a in log.anomalies]
        assert rows == sorted(rows)

    @settings(max_examples=150, deadline=None)
    @given(text=event_logs())
    def test_changes_replay_to_the_attributes(self, text: str) -> None:
        """Each field's changes chain (old is the previous new), never repeat a value, and end
        in its attribute."""
        log = read_text(text)
        for inc in log.incidents:
            for field in CARRIED_FIELDS:
                value: str | None = None
                for change in inc.changes(field):
                    assert change.old == value
                    assert change.new != change.old
                    value = change.new
                assert inc.attributes.get(field) == value

    @settings(max_examples=100, deadline=None)
    @given(text=event_logs())
    def test_strict_raises_the_first_problem_by_row(self, text: str) -> None:
        log = read_text(text)
        problems = [
            a
            for a in log.anomalies
            if a.kind not in {"priority_mismatch"}
            and a.kind not in {"forbidden_transition", "clock_backwards", "hold_without_reason"}
        ]
        if not problems:
            assert read_text(text, strict=True) == log
            return
        with pytest.raises(EventLogError) as info:
            read_text(text, strict=True)
        assert getattr(info.value, "row", None) == problems[0].row
        assert str(info.value) == problems[0].message


def test_state_of_a_generated_row_replays() -> None:
    """A hold from the preset keeps its reason (a spot check the laws above rely on)."""
    text = "number,incident_state,sys_mod_count,sys_updated_at,impact,urgency\n"
    text += "A,Awaiting User Info,0,1/3/2016 09:00,1 - High,1 - High\n"
    inc = read_text(text).incident("A")
    assert inc.state is State.ON_HOLD


def test_sample_rows_accounted_for(sample: EventLog) -> None:
    """Each of the 198 rows is a step or a repeat; a repeat is a row whose state, priority,
    impact, urgency and carried cells all equal the ticket's previous row (by update counter).
    Counted straight from the CSV: no row of the sample is dropped."""
    carried = [
        "cmdb_ci", "category", "subcategory", "u_symptom", "assignment_group", "assigned_to",
        "contact_type", "location", "caller_id", "problem_id", "rfc", "caused_by", "made_sla",
        "reassignment_count", "reopen_count", "knowledge",
    ]  # fmt: skip
    watched = ["incident_state", "priority", "impact", "urgency", *carried]
    with SAMPLE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    tickets: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        tickets.setdefault(row["number"], []).append(row)
    repeats = 0
    for ticket in tickets.values():
        ticket.sort(key=lambda row: int(row["sys_mod_count"]))
        for before, after in itertools.pairwise(ticket):
            repeats += all(before[name] == after[name] for name in watched)
    summary = sample.summary()
    assert (summary.rows, summary.repeats, summary.dropped) == (198, repeats, 0)
    assert summary.steps == 198 - repeats
    assert dict(summary.anomalies) == {"priority_mismatch": 3}
