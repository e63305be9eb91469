"""Tests for reading event logs (audit exports) into incidents."""

from __future__ import annotations

import csv
import io
import pickle
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from itilkit import (
    EventLogError,
    HoldReason,
    Impact,
    InvalidValueError,
    ItilkitError,
    Priority,
    State,
    UnknownZoneError,
    Urgency,
)
from itilkit.io import PRESETS, EventLog, read_event_log

SAMPLE = Path(__file__).parent / "data" / "servicenow_event_log_sample.csv"
HEADER = "number,incident_state,sys_mod_count,opened_at,sys_updated_at,impact,urgency"


def utc(day: int, month: int, hour: int, minute: int, year: int = 2016) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def read_text(text: str, **kwargs: object) -> EventLog:
    kwargs.setdefault("tz", "UTC")
    return read_event_log(io.StringIO(text), **kwargs)  # type: ignore[arg-type]


def moves(inc: object) -> list[tuple[datetime, str, str, HoldReason | None]]:
    return [(t.at, t.from_state.name, t.to_state.name, t.reason) for t in inc.history]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def sample() -> EventLog:
    return read_event_log(SAMPLE, tz="UTC")


class TestServiceNowSample:
    def test_reads_completely(self, sample: EventLog) -> None:
        """All 198 rows and 32 incidents of the real export are read; the only anomalies are
        the three tickets the export records "4 - Low" where the ITIL matrix says P5."""
        assert sample.rows == 198
        assert len(sample.incidents) == 32
        assert len({inc.id for inc in sample.incidents}) == 32
        assert [(a.incident_id, a.row, a.kind) for a in sample.anomalies] == [
            ("INC0000083", 129, "priority_mismatch"),
            ("INC0000084", 134, "priority_mismatch"),
            ("INC0000094", 177, "priority_mismatch"),
        ]
        assert sample.incidents[0].id == "INC0000045"  # order of first appearance
        assert sum(inc.state is State.CLOSED for inc in sample.incidents) == 31

    def test_inc47_hold_and_repeats(self, sample: EventLog) -> None:
        """INC0000047 (rows 6-14): repeated Active rows are no steps; Awaiting User Info holds."""
        inc = sample.incident("INC0000047")
        assert inc.opened_at == utc(29, 2, 4, 40)
        assert moves(inc) == [
            (utc(29, 2, 5, 30), "NEW", "IN_PROGRESS", None),  # row 7
            (utc(1, 3, 9, 14), "IN_PROGRESS", "ON_HOLD", HoldReason.AWAITING_CALLER),  # row 12
            (utc(1, 3, 9, 52), "ON_HOLD", "RESOLVED", None),  # row 13
            (utc(6, 3, 10, 0), "RESOLVED", "CLOSED", None),  # row 14
        ]
        assert inc.resolved_at == utc(1, 3, 9, 52)
        assert inc.closed_at == utc(6, 3, 10, 0)
        # NEW 04:40-05:30; IN_PROGRESS 29/2 05:30 - 1/3 09:14 (leap day!) = 27 h 44 min.
        assert inc.time_in(State.NEW) == timedelta(minutes=50)
        assert inc.time_in(State.IN_PROGRESS) == timedelta(hours=27, minutes=44)
        assert inc.time_in(State.ON_HOLD) == timedelta(minutes=38)
        assert inc.time_in(State.RESOLVED) == timedelta(days=5, minutes=8)
        assert inc.priority is Priority.P3  # 2 - Medium x 2 - Medium

    def test_inc62_reprioritized(self, sample: EventLog) -> None:
        """INC0000062: impact goes to 1 - High at row 27 (29/2 07:29): P3 then P2."""
        inc = sample.incident("INC0000062")
        assert [(c.at, c.impact, c.urgency, c.priority) for c in inc.priority_history] == [
            (utc(29, 2, 6, 58), Impact.MEDIUM, Urgency.MEDIUM, Priority.P3),
            (utc(29, 2, 7, 29), Impact.HIGH, Urgency.MEDIUM, Priority.P2),
        ]
        assert moves(inc) == [
            (utc(29, 2, 15, 51), "NEW", "RESOLVED", None),  # row 32
            (utc(5, 3, 16, 0), "RESOLVED", "CLOSED", None),  # row 33
        ]

    def test_inc73_log_starts_active(self, sample: EventLog) -> None:
        """INC0000073's first row is Active: NEW from opened_at 08:22 until that row at 08:30."""
        inc = sample.incident("INC0000073")
        assert inc.opened_at == utc(29, 2, 8, 22)
        assert moves(inc)[0] == (utc(29, 2, 8, 30), "NEW", "IN_PROGRESS", None)
        assert inc.time_in(State.NEW) == timedelta(minutes=8)

    def test_inc89_awaiting_problem(self, sample: EventLog) -> None:
        """INC0000089: Awaiting Problem at row 165 (2/3 14:20) until Resolved 3/3 14:35."""
        inc = sample.incident("INC0000089")
        assert moves(inc)[1] == (
            utc(2, 3, 14, 20),
            "IN_PROGRESS",
            "ON_HOLD",
            HoldReason.AWAITING_PROBLEM,
        )
        assert inc.time_in(State.ON_HOLD) == timedelta(days=1, minutes=15)
        assert inc.priority is Priority.P4  # 2 - Medium x 3 - Low

    def test_inc93_first_row_resolved(self, sample: EventLog) -> None:
        """INC0000093 is first seen Resolved at its opening minute: NEW -> RESOLVED at once."""
        inc = sample.incident("INC0000093")
        assert moves(inc) == [
            (utc(29, 2, 8, 56), "NEW", "RESOLVED", None),
            (utc(5, 3, 10, 0), "RESOLVED", "CLOSED", None),
        ]
        assert inc.time_in(State.NEW) == timedelta(0)

    def test_inc101_still_open(self, sample: EventLog) -> None:
        """INC0000101 ends Active (row 199): open, so its current state needs as_of."""
        inc = sample.incident("INC0000101")
        assert inc.state is State.IN_PROGRESS
        assert inc.resolved_at is None
        assert inc.closed_at is None
        with pytest.raises(InvalidValueError, match="'as_of' must be given"):
            inc.time_in(State.IN_PROGRESS)
        # Active from row 198 (10:28) until as_of 11:00: 32 minutes.
        assert inc.time_in(State.IN_PROGRESS, as_of=utc(29, 2, 11, 0)) == timedelta(minutes=32)

    def test_zone(self) -> None:
        """Local times are read in tz: 08:22 in Seoul is 23:22 UTC the day before."""
        inc = read_event_log(SAMPLE, tz="Asia/Seoul").incident("INC0000073")
        assert inc.opened_at == utc(28, 2, 23, 22)
        assert inc.opened_at.hour == 8  # shown in the log's zone

    def test_same_log_with_dashes_and_padding(self, sample: EventLog, tmp_path: Path) -> None:
        """The same export written DD-MM-YYYY HH:MM reads to the same incidents."""

        def dashed(value: str) -> str:
            match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{2}:\d{2})", value)
            if not match:
                return value
            day, month, year, clock = match.groups()
            return f"{int(day):02d}-{int(month):02d}-{year} {clock}"

        with SAMPLE.open(newline="") as handle:
            rows = [[dashed(cell) for cell in row] for row in csv.reader(handle)]
        assert rows[1][9] == "29-02-2016 01:16"
        path = tmp_path / "dashed.csv"
        with path.open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        assert read_event_log(str(path), tz="UTC") == sample

    def test_open_text_file(self, sample: EventLog) -> None:
        """An open text file is read as well as a path."""
        with SAMPLE.open(newline="") as handle:
            assert read_event_log(handle, tz="UTC") == sample

    def test_pickles(self, sample: EventLog) -> None:
        """The result is a plain value that pickles."""
        assert pickle.loads(pickle.dumps(sample)) == sample


class TestRules:
    def test_anomalies_name_incident_row_and_what(self) -> None:
        """Forbidden steps, backwards clocks and holds without reason are kept and reported."""
        text = f"""{HEADER}
A,Resolved,0,1/3/2016 09:00,1/3/2016 10:00,3 - Low,3 - Low
A,Closed,1,1/3/2016 09:00,1/3/2016 11:00,3 - Low,3 - Low
A,Active,2,1/3/2016 09:00,1/3/2016 12:00,3 - Low,3 - Low
B,Active,0,1/3/2016 09:00,1/3/2016 10:00,3 - Low,3 - Low
B,Resolved,1,1/3/2016 09:00,1/3/2016 09:30,3 - Low,3 - Low
C,On Hold,0,1/3/2016 09:00,1/3/2016 09:30,3 - Low,3 - Low
D,Closed,0,1/3/2016 09:00,1/3/2016 08:00,3 - Low,3 - Low
"""
        log = read_text(text)
        found = [(a.incident_id, a.row, a.kind) for a in log.anomalies]
        assert found == [
            ("A", 4, "forbidden_transition"),
            ("B", 6, "clock_backwards"),
            ("C", 7, "hold_without_reason"),
            ("D", 8, "forbidden_transition"),  # log starts mid-life, NEW -> CLOSED
            ("D", 8, "clock_backwards"),  # an update before opened_at
        ]
        assert "CLOSED -> IN_PROGRESS" in log.anomalies[0].message
        assert log.anomalies[0].at == utc(1, 3, 12, 0)
        a = log.incident("A")
        assert [t.to_state for t in a.history] == [State.RESOLVED, State.CLOSED, State.IN_PROGRESS]

    def test_order_by_counter_not_file_order(self) -> None:
        """Rows are ordered by the update counter, whatever the file order."""
        text = f"""{HEADER}
A,Resolved,2,1/3/2016 09:00,1/3/2016 11:00,3 - Low,3 - Low
A,New,0,1/3/2016 09:00,1/3/2016 09:05,3 - Low,3 - Low
A,Active,1,1/3/2016 09:00,1/3/2016 10:00,3 - Low,3 - Low
"""
        inc = read_text(text).incident("A")
        assert moves(inc) == [
            (utc(1, 3, 10, 0), "NEW", "IN_PROGRESS", None),
            (utc(1, 3, 11, 0), "IN_PROGRESS", "RESOLVED", None),
        ]

    def test_order_by_time_without_counter(self) -> None:
        """Without a counter column, rows of a ticket are ordered by their time."""
        text = f"""{HEADER}
A,Resolved,x,1/3/2016 09:00,1/3/2016 11:00,3 - Low,3 - Low
A,Active,x,1/3/2016 09:00,1/3/2016 10:00,3 - Low,3 - Low
"""
        inc = read_text(text, columns={"counter": None}).incident("A")
        assert [t.to_state for t in inc.history] == [State.IN_PROGRESS, State.RESOLVED]

    def test_missing_values_keep_previous_levels(self) -> None:
        """'?' for impact keeps the previous impact; a real change reprioritizes at that row."""
        text = f"""{HEADER}
A,New,0,1/3/2016 09:00,1/3/2016 09:00,3 - Low,3 - Low
A,Active,1,1/3/2016 09:00,1/3/2016 09:10,?,3 - Low
A,Active,2,1/3/2016 09:00,1/3/2016 09:20,?,1 - High
"""
        inc = read_text(text).incident("A")
        assert [(c.at, c.priority) for c in inc.priority_history] == [
            (utc(1, 3, 9, 0), Priority.P5),
            (utc(1, 3, 9, 20), Priority.P3),  # Low x High
        ]

    def test_dayfirst_false_and_iso(self) -> None:
        """Month-first dates with dayfirst=False; ISO dates (with or without offset) always."""
        text = f"""{HEADER}
A,New,0,3/1/2016 09:00,3/1/2016 09:00,3 - Low,3 - Low
A,Active,1,3/1/2016 09:00,2016-03-01T10:00:30.5+01:00,3 - Low,3 - Low
A,Resolved,2,3/1/2016 09:00,2016-03-01 11:00:00,3 - Low,3 - Low
"""
        inc = read_text(text, dayfirst=False).incident("A")
        assert inc.opened_at == utc(1, 3, 9, 0)
        assert inc.history[0].at == datetime(2016, 3, 1, 9, 0, 30, 500000, tzinfo=UTC)
        assert inc.history[1].at == utc(1, 3, 11, 0)

    def test_dst(self) -> None:
        """An ambiguous local time reads as its first occurrence; one in a gap, the old offset."""
        text = f"""{HEADER}
A,New,0,27/3/2016 01:30,27/3/2016 01:30,3 - Low,3 - Low
A,Active,1,27/3/2016 01:30,30/10/2016 01:30,3 - Low,3 - Low
"""
        inc = read_text(text, tz="Europe/Lisbon").incident("A")
        # Lisbon springs 01:00 WET -> 02:00 WEST on 27/3; 01:30 is in the gap, read at +00:00.
        assert inc.opened_at == utc(27, 3, 1, 30)
        # It falls back 02:00 WEST -> 01:00 WET on 30/10: 01:30 first happens at +01:00.
        # (Python never calls an ambiguous local time == an instant in another zone, PEP 495,
        # so compare in UTC.)
        assert inc.history[0].at.astimezone(UTC) == utc(30, 10, 0, 30)
        assert inc.history[0].at_us == int(utc(30, 10, 0, 30).timestamp()) * 10**6

    def test_offset_change_inside_an_hour(self) -> None:
        """Lord Howe Island moves its clocks by 30 minutes at 02:00: each minute is exact."""
        text = f"""{HEADER}
A,New,0,2/10/2016 01:59,2/10/2016 01:59,3 - Low,3 - Low
A,Active,1,2/10/2016 01:59,2/10/2016 02:45,3 - Low,3 - Low
A,Resolved,2,2/10/2016 01:59,2/10/2016 03:00,3 - Low,3 - Low
"""
        inc = read_text(text, tz="Australia/Lord_Howe").incident("A")
        # 01:59 at +10:30 is 15:29 UTC; from 02:30 the offset is +11: 02:45 is 15:45 UTC.
        assert inc.opened_at == utc(1, 10, 15, 29)
        assert inc.history[0].at == utc(1, 10, 15, 45)
        assert inc.history[1].at == utc(1, 10, 16, 0)

    def test_generic_mapping_jira_like(self) -> None:
        """Another system's export is read by mapping its columns and states (no code change)."""
        text = """Issue key;Status;Created;Updated;Impact;Urgency;Waiting reason
OPS-1;To Do;2024-05-06 09:00;2024-05-06 09:00;Medium;High;
OPS-1;In Progress;2024-05-06 09:00;2024-05-06 09:45;Medium;High;
OPS-1;Waiting;2024-05-06 09:00;2024-05-06 10:00;Medium;High;Awaiting Vendor
OPS-1;Done;2024-05-06 09:00;2024-05-06 12:30;Medium;High;
OPS-2;To Do;2024-05-07 08:00;2024-05-07 08:00;Low;Low;
"""
        log = read_text(
            text,
            tz="Europe/Berlin",
            preset="generic",
            delimiter=";",
            columns={
                "id": "Issue key",
                "state": "Status",
                "opened_at": "Created",
                "at": "Updated",
                "impact": "Impact",
                "urgency": "Urgency",
                "reason": "Waiting reason",
            },
            states={"To Do": "new", "Waiting": State.ON_HOLD, "Done": ("resolved", None)},
        )
        one = log.incident("OPS-1")
        # Berlin is UTC+2 in May (CEST).
        assert moves(one) == [
            (datetime(2024, 5, 6, 7, 45, tzinfo=UTC), "NEW", "IN_PROGRESS", None),
            (
                datetime(2024, 5, 6, 8, 0, tzinfo=UTC),
                "IN_PROGRESS",
                "ON_HOLD",
                HoldReason.AWAITING_VENDOR,
            ),
            (datetime(2024, 5, 6, 10, 30, tzinfo=UTC), "ON_HOLD", "RESOLVED", None),
        ]
        assert one.priority is Priority.P2  # Medium x High
        assert log.incident("OPS-2").priority is Priority.P5
        assert log.anomalies == ()

    def test_defaults_when_no_impact_column(self) -> None:
        """Without impact/urgency columns, the impact= and urgency= arguments are used."""
        text = "id,state,at\nX,new,2024-01-01 10:00\nX,resolved,2024-01-01 11:00\n"
        log = read_text(
            text,
            preset="generic",
            columns={"id": "id", "state": "state", "at": "at"},
            impact="2 - Medium",
            urgency=Urgency.HIGH,
        )
        assert log.incident("X").priority is Priority.P2
        assert log.incident("X").opened_at == datetime(2024, 1, 1, 10, tzinfo=UTC)

    def test_hold_reason_column(self) -> None:
        """A generic 'On Hold' takes its reason from the reason column; '?' leaves none."""
        text = """id,state,at,why
X,On Hold,2024-01-01 10:00,Awaiting Caller
X,In Progress,2024-01-01 11:00,?
X,On Hold,2024-01-01 12:00,awaiting_change
X,In Progress,2024-01-01 13:00,
X,On Hold,2024-01-01 14:00,?
"""
        columns = {"id": "id", "state": "state", "at": "at", "reason": "why"}
        log = read_text(text, preset="generic", columns=columns, impact=2, urgency=2)
        holds = [t.reason for t in log.incident("X").history if t.to_state is State.ON_HOLD]
        assert holds == [HoldReason.AWAITING_CALLER, HoldReason.AWAITING_CHANGE, None]
        assert [(a.row, a.kind) for a in log.anomalies] == [(6, "hold_without_reason")]
        bad = text.replace("awaiting_change", "awaiting godot")
        with pytest.raises(EventLogError, match=r"^row 4, column 'why': 'why' must be a hold"):
            read_text(bad, preset="generic", columns=columns, impact=2, urgency=2, strict=True)
        # Without strict, the unreadable reason is ignored and said: the hold has no reason.
        loose = read_text(bad, preset="generic", columns=columns, impact=2, urgency=2)
        assert [(a.row, a.kind) for a in loose.anomalies] == [
            (4, "bad_value"),
            (4, "hold_without_reason"),
            (6, "hold_without_reason"),
        ]

    def test_preset_column_absent_uses_defaults(self) -> None:
        """A preset's optional column missing from the header is not needed if defaults exist."""
        text = "number,incident_state,sys_updated_at\nA,Active,1/3/2016 09:00\n"
        inc = read_text(text, impact="1 - High", urgency="3 - Low").incident("A")
        assert inc.priority is Priority.P3
        assert inc.opened_at == utc(1, 3, 9, 0)
        assert inc.history[0].to_state is State.IN_PROGRESS

    def test_blank_lines_are_skipped(self) -> None:
        """Empty lines carry no row and are not counted."""
        text = f"{HEADER}\n\nA,New,0,1/3/2016 09:00,1/3/2016 09:00,3 - Low,3 - Low\n\n"
        assert read_text(text).rows == 1

    def test_exported_names(self) -> None:
        """itilkit.io exports exactly its public names."""
        import itilkit.io

        assert {
            "CARRIED_FIELDS",
            "EventLog",
            "EventLogSummary",
            "FieldChange",
            "PRESETS",
            "Preset",
            "read_event_log",
        } <= set(itilkit.io.__all__)
        assert "servicenow" in PRESETS


def row(state: str = "New", when: str = "1/3/2016 09:00", impact: str = "3 - Low") -> str:
    return f"A,{state},0,1/3/2016 09:00,{when},{impact},3 - Low"


class TestBadInput:
    @pytest.mark.parametrize(
        ("text", "line", "column", "match", "kind"),
        [
            (
                f"{HEADER}\n{row(state='Parked')}\n",
                2,
                "incident_state",
                r"'Parked'",
                "unknown_state",
            ),
            (
                f"{HEADER}\n{row(when='31/2/2016 09:00')}\n",
                2,
                "sys_updated_at",
                "a date",
                "bad_date",
            ),
            (
                f"{HEADER}\n{row(when='yesterday')}\n",
                2,
                "sys_updated_at",
                "'yesterday'",
                "bad_date",
            ),
            (
                f"{HEADER}\n{row(when='1/3/16 09:00')}\n",
                2,
                "sys_updated_at",
                "D/M/YYYY",
                "bad_date",
            ),
            (
                f"{HEADER}\n{row(when='1/3/2016 09:00:00:00')}\n",
                2,
                "sys_updated_at",
                "date",
                "bad_date",
            ),
            (
                f"{HEADER}\n{row(when='1/3/2016 25:00')}\n",
                2,
                "sys_updated_at",
                "25:00",
                "bad_date",
            ),
            (
                f"{HEADER}\n{row(when='1/3/2016 09:00:00.1234567')}\n",
                2,
                "sys_updated_at",
                "date",
                "bad_date",
            ),
            (
                f"{HEADER}\n{row(when='1/3/2016 09:00+01:00')}\n",
                2,
                "sys_updated_at",
                "date",
                "bad_date",
            ),
            (
                f"{HEADER}\n{row(impact='9 - Huge')}\n",
                2,
                "impact",
                r"'9 - Huge'",
                "bad_value,no_priority",  # ignored, so the ticket has no impact at all
            ),
            (
                f"{HEADER}\n{row(impact='?')}\n",
                2,
                "impact",
                "no priority for ticket 'A'",
                "no_priority",
            ),
            (
                f"{HEADER}\n{row()}\n{row().replace(',0,', ',x,')}\n",
                3,
                "sys_mod_count",
                "'x'",
                "bad_counter",
            ),
            (f"{HEADER}\n,New,0,a,b,c,d\n", 2, "number", "a ticket id", "missing_id"),
        ],
    )
    def test_errors_name_row_and_column(
        self, text: str, line: int, column: str, match: str, kind: str
    ) -> None:
        """Each unreadable value is an anomaly naming the row; strict=True raises it instead."""
        with pytest.raises(EventLogError, match=match) as info:
            read_text(text, strict=True)
        assert (info.value.row, info.value.column) == (line, column)
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, ItilkitError)
        assert str(info.value).startswith(f"row {line}, column {column!r}: ")
        log = read_text(text)
        named = [a for a in log.anomalies if a.row == line]
        assert ",".join(a.kind for a in named) == kind
        assert named[0].message == str(info.value)

    def test_missing_column_is_a_file_problem(self) -> None:
        """A required column missing raises even without strict, naming it and the header."""
        with pytest.raises(EventLogError) as info:
            read_text("number,incident_state\nA,New\n")
        assert (info.value.row, info.value.column) == (1, "sys_updated_at")
        assert "no such column" in str(info.value)
        assert "the header has: number, incident_state" in str(info.value)

    def test_short_row(self) -> None:
        """A row with too few fields names the row: an anomaly, or the error with strict=True."""
        text = f"{HEADER}\n{row()}\nA,New\n"
        with pytest.raises(EventLogError, match=r"^row 3: has 2 fields where the header has 7"):
            read_text(text, strict=True)
        log = read_text(text)
        assert [(a.incident_id, a.row, a.kind) for a in log.anomalies] == [("A", 3, "short_row")]
        assert (log.rows, log.dropped, len(log.incidents)) == (2, 1, 1)

    def test_empty_file(self) -> None:
        """An empty file has no header."""
        with pytest.raises(EventLogError, match="the file is empty"):
            read_text("")

    def test_missing_mapped_optional_column(self) -> None:
        """A column named in columns= that the header lacks is an error, not ignored."""
        with pytest.raises(EventLogError, match=r"column 'Prio': no such column"):
            read_text(f"{HEADER}\n{row()}\n", columns={"impact": "Prio"})

    def test_missing_file(self, tmp_path: Path) -> None:
        """A path that cannot be opened is an EventLogError naming it."""
        with pytest.raises(EventLogError, match=r"^'source' must be a readable event-log file"):
            read_event_log(tmp_path / "nope.csv", tz="UTC")

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"source": 42}, InvalidValueError, r"^'source' must be a path"),
            ({"tz": "Mars/Base"}, UnknownZoneError, r"^'tz' must be an IANA"),
            ({"preset": "remedy"}, InvalidValueError, r"^'preset' must be one of generic"),
            ({"columns": {"owner": "x"}}, InvalidValueError, r"^'columns' must be keyed"),
            ({"columns": {"id": None}}, InvalidValueError, r"names the 'id' column"),
            ({"states": {"Parked": "parked"}}, InvalidValueError, r"^'state' must be one of"),
            ({"priority": "both"}, InvalidValueError, r"^'priority' must be 'recorded' or"),
            ({"strict": "yes"}, InvalidValueError, r"^'strict' must be True or False"),
            ({"dayfirst": "yes"}, InvalidValueError, r"^'dayfirst' must be True, False or"),
            ({"matrix": "ITIL"}, InvalidValueError, r"^'matrix' must be a PriorityMatrix"),
            ({"columns": 42}, InvalidValueError, r"^'columns' must be a mapping"),
            ({"columns": {"id": ""}}, InvalidValueError, r"^'columns.id' must be a column"),
            ({"priorities": {"Top": "P0"}}, InvalidValueError, r"^'priority' must be P1 to P5"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, object], error: type, match: str) -> None:
        """Bad arguments raise before any reading, naming the argument."""
        args: dict[str, object] = {"source": io.StringIO(f"{HEADER}\n{row()}\n"), "tz": "UTC"}
        args.update(kwargs)
        with pytest.raises(error, match=match):
            read_event_log(**args)  # type: ignore[arg-type]


class TestDayFirst:
    TEXT = "id,state,at\nX,new,2/3/2016 10:00\n"
    COLUMNS = {"id": "id", "state": "state", "at": "at"}  # noqa: RUF012

    def test_the_preset_decides_by_default(self) -> None:
        """ServiceNow writes day first (2 March); the generic preset reads month first."""
        generic = read_text(self.TEXT, preset="generic", columns=self.COLUMNS, impact=1, urgency=1)
        assert generic.incident("X").opened_at == utc(3, 2, 10, 0)
        text = "number,incident_state,sys_updated_at\nX,New,2/3/2016 10:00\n"
        assert read_text(text, impact=1, urgency=1).incident("X").opened_at == utc(2, 3, 10, 0)

    def test_given_explicitly(self) -> None:
        log = read_text(
            self.TEXT, preset="generic", columns=self.COLUMNS, impact=1, urgency=1, dayfirst=True
        )
        assert log.incident("X").opened_at == utc(2, 3, 10, 0)


class TestEncodings:
    TEXT = f"{HEADER}\nA,New,0,1/3/2016 09:00,1/3/2016 09:00,3 - Low,3 - Low\n"

    def test_not_utf8_names_the_row_and_the_fix(self, tmp_path: Path) -> None:
        """A cp1252 export read as UTF-8 is an EventLogError, not a UnicodeDecodeError."""
        path = tmp_path / "export.csv"
        path.write_bytes(
            (self.TEXT + "B,New,0,1/3/2016 09:00,1/3/2016 09:00,3 - Low,3 - Low\n")
            .replace("B,New", "\u00c9,New")
            .encode("cp1252")
        )
        with pytest.raises(EventLogError, match=r"is not utf-8-sig text.*pass encoding="):
            read_event_log(path, tz="UTC")
        log = read_event_log(path, tz="UTC", encoding="cp1252")
        assert [inc.id for inc in log.incidents] == ["A", "\u00c9"]

    def test_unknown_encoding(self, tmp_path: Path) -> None:
        path = tmp_path / "export.csv"
        path.write_text(self.TEXT)
        with pytest.raises(InvalidValueError, match="'encoding' must be a text encoding"):
            read_event_log(path, tz="UTC", encoding="klingon")

    def test_utf8_with_byte_order_mark(self, tmp_path: Path) -> None:
        path = tmp_path / "export.csv"
        path.write_text(self.TEXT, encoding="utf-8-sig")
        assert read_event_log(path, tz="UTC").rows == 1
