"""read_incidents: list-view snapshots (one row per incident, current values, no history).

Expected values are worked out by hand from the rows of
``tests/data/servicenow_incident_rest_export.csv`` (or counted from it here
with the csv module), never from the reader itself.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import (
    ConfigError,
    EventLogError,
    HoldReason,
    InvalidValueError,
    Priority,
    State,
    UnknownZoneError,
)
from itilkit.io import SNAPSHOT_PRESETS, EventLog, SnapshotPreset, read_incidents

EXPORT = Path(__file__).parent / "data" / "servicenow_incident_rest_export.csv"
HEADER = (
    "number,incident_state,hold_reason,opened_at,resolved_at,closed_at,sys_updated_on,"
    "impact,urgency,priority,reopen_count,assignment_group,made_sla"
)
# The export's codes, written out here from ServiceNow's choice lists, independently of the reader.
STATE_CODES = {
    "1": State.NEW,
    "2": State.IN_PROGRESS,
    "3": State.ON_HOLD,
    "6": State.RESOLVED,
    "7": State.CLOSED,
    "8": State.CANCELED,
}


def read_text(text: str, **kwargs: object) -> EventLog:
    kwargs.setdefault("tz", "UTC")
    return read_incidents(io.StringIO(text), **kwargs)  # type: ignore[arg-type]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def export_rows() -> list[dict[str, str]]:
    with EXPORT.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def export() -> EventLog:
    return read_incidents(EXPORT, tz="UTC")


# ---------------------------------------------------------------- the bundled export


class TestBundledExport:
    def test_every_row_is_one_incident(self, export: EventLog) -> None:
        rows = export_rows()
        assert export.rows == len(rows) == 67
        assert [inc.id for inc in export.incidents] == [row["number"] for row in rows]
        summary = export.summary()
        assert (summary.rows, summary.steps, summary.repeats, summary.dropped) == (67, 67, 0, 0)

    def test_states_counted_from_the_csv(self, export: EventLog) -> None:
        expected = Counter(STATE_CODES[row["incident_state"]] for row in export_rows())
        assert Counter(inc.state for inc in export.incidents) == expected
        # ... and by hand: 27 closed, 20 in progress, 13 new, 7 on hold.
        assert expected == {
            State.CLOSED: 27,
            State.IN_PROGRESS: 20,
            State.NEW: 13,
            State.ON_HOLD: 7,
        }

    def test_priorities_as_recorded(self, export: EventLog) -> None:
        expected = Counter(Priority(int(row["priority"])) for row in export_rows())
        assert Counter(inc.priority for inc in export.incidents) == expected
        assert expected[Priority.P1] == 27 and expected[Priority.P5] == 19
        assert export.priority == "recorded"

    def test_a_closed_incident_row_2(self, export: EventLog) -> None:
        """INC0000060: opened 2016-12-12 15:19:57, resolved 2016-12-13 21:43:14, closed
        2016-12-14 02:46:44, priority 3 (impact 2, urgency 2), group 287ebd7d..."""
        inc = export.incident("INC0000060")
        assert inc.opened_at == utc("2016-12-12 15:19:57")
        assert inc.resolved_at == utc("2016-12-13 21:43:14")
        assert inc.closed_at == utc("2016-12-14 02:46:44")
        assert [(s.from_state, s.to_state) for s in inc.history] == [
            (State.NEW, State.RESOLVED),
            (State.RESOLVED, State.CLOSED),
        ]
        assert (inc.priority, int(inc.impact or 0), int(inc.urgency or 0)) == (Priority.P3, 2, 2)
        assert dict(inc.attributes) == {
            "category": "inquiry",
            "subcategory": "email",
            "group": "287ebd7da9fe198100f92cc8d1d2154e",
            "contact_type": "self-service",
            "made_sla": "true",
            "reassignment_count": "2",
            "reopen_count": "0",
            "business_resolve_time": "28800",  # business_stc
            "resolve_time": "102197",  # calendar_stc
        }
        # Its response (when it left New) is not recorded: said, not invented.
        assert [(a.kind, a.row) for a in inc.anomalies] == [("no_history", 2)]
        assert "response is not known" in inc.anomalies[0].message
        assert inc.time_in(State.NEW) == timedelta(days=1, hours=6, minutes=23, seconds=17)

    def test_the_export_is_read_in_the_zone_given(self) -> None:
        """The same wall times in Los Angeles (UTC-8 in December) are eight hours later in UTC."""
        inc = read_incidents(EXPORT, tz="America/Los_Angeles").incident("INC0000060")
        assert inc.opened_at == utc("2016-12-12 23:19:57")
        assert inc.closed_at == utc("2016-12-14 10:46:44")

    def test_closed_before_resolved_is_kept_as_recorded(self, export: EventLog) -> None:
        """INC0000009 (row 4): resolved 2023-01-10 19:56:12 but closed 2022-10-18 22:55:16."""
        inc = export.incident("INC0000009")
        assert inc.state is State.CLOSED
        assert inc.resolved_at == utc("2023-01-10 19:56:12")
        assert inc.closed_at == utc("2022-10-18 22:55:16")
        assert [(a.kind, a.row) for a in inc.anomalies] == [
            ("clock_backwards", 4),
            ("no_history", 4),  # it left New at an unrecorded time
        ]

    def test_on_hold_with_coded_reasons(self, export: EventLog) -> None:
        """hold_reason 1 (INC0000017, row 32), 4 (INC0000002, row 51), 3 (INC0001990, row 52)."""
        expected = {
            "INC0000017": (HoldReason.AWAITING_CALLER, "2015-11-24 15:47:36"),
            "INC0000002": (HoldReason.AWAITING_VENDOR, "2023-01-10 19:51:11"),
            "INC0001990": (HoldReason.AWAITING_PROBLEM, "2020-06-07 16:04:34"),
        }
        for number, (reason, updated) in expected.items():
            inc = export.incident(number)
            assert (inc.state, inc.hold_reason) == (State.ON_HOLD, reason)
            assert inc.history[-1].at == utc(updated)  # placed at sys_updated_on
            assert len(inc.history) == 1

    def test_an_undocumented_hold_reason_code_is_not_guessed(self, export: EventLog) -> None:
        """INC0000048 (row 57) has hold_reason 2, which ServiceNow's choice list lacks."""
        inc = export.incident("INC0000048")
        assert (inc.state, inc.hold_reason) == (State.ON_HOLD, None)
        kinds = [a.kind for a in inc.anomalies]
        assert kinds == ["bad_value", "hold_without_reason", "no_history"]
        bad = inc.anomalies[0]
        assert bad.row == 57 and "column 'hold_reason'" in bad.message and "'2'" in bad.message

    def test_a_new_incident_has_no_steps(self, export: EventLog) -> None:
        inc = export.incident("INC0008001")  # row 29: state 1, opened 2021-01-15 21:04:14
        assert (inc.state, inc.history, inc.anomalies) == (State.NEW, (), ())
        assert inc.opened_at == utc("2021-01-15 21:04:14")

    def test_in_progress_after_a_recorded_close(self, export: EventLog) -> None:
        """INC0000015 (row 30): state 2 with closed_at 2022-10-01 23:39:10 and no resolved_at."""
        inc = export.incident("INC0000015")
        assert [(s.to_state, s.at) for s in inc.history] == [
            (State.CLOSED, utc("2022-10-01 23:39:10")),
            (State.IN_PROGRESS, utc("2023-01-10 19:50:33")),
        ]
        assert [a.kind for a in inc.anomalies] == [
            "forbidden_transition",
            "forbidden_transition",
            "no_history",
        ]
        assert all(a.row == 30 for a in inc.anomalies)

    def test_no_history_rule_on_every_row(self, export: EventLog) -> None:
        """The rule, applied here to the CSV: reopened, held, a state placed at the update, or
        left NEW at an unrecorded time (its response is not known)."""
        expected = set()
        for row in export_rows():
            state = STATE_CODES[row["incident_state"]]
            recorded = {
                State.RESOLVED: bool(row["resolved_at"]),
                State.CLOSED: bool(row["closed_at"]),
            }
            done = row["resolved_at"] or row["closed_at"]
            reopened = (row["reopen_count"] or "0") != "0" or row["reopened_time"]
            open_again = state in (State.NEW, State.IN_PROGRESS, State.ON_HOLD) and done
            held = state is State.ON_HOLD or row["hold_reason"]
            placed = state not in (State.NEW,) and not recorded.get(state, False)
            left_new = state is not State.NEW
            if reopened or open_again or held or placed or left_new:
                expected.add(row["number"])
        found = {a.incident_id for a in export.anomalies if a.kind == "no_history"}
        assert found == expected
        assert len(found) == 67 - 13  # every incident but the 13 still NEW
        marked = [a for a in export.anomalies if a.kind == "no_history"]
        assert all(a.row is not None for a in marked)

    def test_to_frame(self, export: EventLog) -> None:
        pytest.importorskip("pandas")
        frame = export.to_frame()
        assert len(frame) == 67
        closed = frame[frame["id"] == "INC0000060"].iloc[0]
        assert (closed["state"], closed["priority"], closed["group"]) == (
            "closed",
            "P3",
            "287ebd7da9fe198100f92cc8d1d2154e",
        )
        assert closed["resolved_at"].isoformat() == "2016-12-13T21:43:14+00:00"
        assert int(frame["resolved_at"].notna().sum()) == sum(
            1 for row in export_rows() if row["resolved_at"] and row["incident_state"] == "7"
        )

    def test_every_anomaly_names_its_row(self, export: EventLog) -> None:
        assert all(a.row is not None and 2 <= a.row <= 68 for a in export.anomalies)
        assert export.fields == (
            "category",
            "subcategory",
            "group",
            "contact_type",
            "made_sla",
            "reassignment_count",
            "reopen_count",
            "business_resolve_time",
            "resolve_time",
        )


# ---------------------------------------------------------------- rules, row by row


class TestRules:
    def test_resolved_then_reopened_counts(self) -> None:
        text = (
            HEADER
            + "\nINC1,6,,2026-03-02 09:00:00,2026-03-02 10:00:00,,2026-03-02 10:00:00,2,2,3,2,g,true\n"
        )
        log = read_text(text)
        inc = log.incidents[0]
        assert (inc.state, inc.resolved_at) == (State.RESOLVED, utc("2026-03-02 10:00:00"))
        [anomaly] = log.anomalies
        assert (anomaly.kind, anomaly.row) == ("no_history", 2)
        assert "reopened 2 times" in anomaly.message

    def test_resolved_without_other_signs_only_lacks_its_response(self) -> None:
        """Resolved at a recorded instant, no hold, no reopen: only its response is unknown."""
        text = (
            HEADER
            + "\nINC1,6,,2026-03-02 09:00:00,2026-03-02 10:00:00,,2026-03-03 10:00:00,2,2,3,0,g,true\n"
        )
        (anomaly,) = read_text(text).anomalies
        assert anomaly.kind == "no_history" and "response is not known" in anomaly.message
        signs = anomaly.message.split("(")[1].split(")")[0]
        assert signs == "it left NEW at an unrecorded time, so its response is not known"

    def test_still_new_has_no_anomaly(self) -> None:
        text = HEADER + "\nINC1,1,,2026-03-02 09:00:00,,,2026-03-02 09:00:00,2,2,3,0,g,true\n"
        assert read_text(text).anomalies == ()

    def test_a_hold_reason_left_on_a_resolved_incident(self) -> None:
        text = (
            HEADER
            + "\nINC1,6,1,2026-03-02 09:00:00,2026-03-02 10:00:00,,2026-03-02 10:00:00,2,2,3,0,g,true\n"
        )
        [anomaly] = read_text(text).anomalies
        assert anomaly.kind == "no_history" and "hold reason '1'" in anomaly.message

    def test_canceled_is_placed_at_the_last_update(self) -> None:
        text = HEADER + "\nINC1,8,,2026-03-02 09:00:00,,,2026-03-02 09:30:00,3,3,5,0,,\n"
        log = read_text(text)
        inc = log.incidents[0]
        assert (inc.state, inc.canceled_at) == (State.CANCELED, utc("2026-03-02 09:30:00"))
        assert [a.kind for a in log.anomalies] == ["no_history"]

    def test_labels_as_a_list_export_writes_them(self) -> None:
        text = (
            HEADER
            + "\nINC1,On Hold,Awaiting Change,2026-03-02 09:00:00,,,2026-03-02 09:30:00,1 - High,2 - Medium,2 - High,,,\n"
        )
        inc = read_text(text).incidents[0]
        assert (inc.state, inc.hold_reason, inc.priority) == (
            State.ON_HOLD,
            HoldReason.AWAITING_CHANGE,
            Priority.P2,
        )

    def test_recorded_priority_wins_and_a_mismatch_is_said(self) -> None:
        # Impact 1, urgency 1 is P1 in the ITIL matrix; the export records 4.
        text = HEADER + "\nINC1,1,,2026-03-02 09:00:00,,,2026-03-02 09:00:00,1,1,4,0,,\n"
        log = read_text(text)
        assert log.incidents[0].priority is Priority.P4
        [anomaly] = log.anomalies
        assert (anomaly.kind, anomaly.row) == ("priority_mismatch", 2)
        assert "P4" in anomaly.message and "P1" in anomaly.message

    def test_without_a_priority_column_the_matrix_computes_it(self) -> None:
        text = "number,incident_state,opened_at,sys_updated_on,impact,urgency\nINC1,1,2026-03-02 09:00:00,,2,1\n"
        log = read_text(text)
        assert (log.incidents[0].priority, log.priority) == (Priority.P2, "matrix")

    def test_an_unreadable_priority_falls_back_to_the_matrix(self) -> None:
        text = HEADER + "\nINC1,1,,2026-03-02 09:00:00,,,,1,2,urgent,0,,\n"
        log = read_text(text)
        assert log.incidents[0].priority is Priority.P2
        [anomaly] = log.anomalies
        assert (anomaly.kind, anomaly.row) == ("bad_value", 2)
        assert "column 'priority'" in anomaly.message and "'urgent'" in anomaly.message

    def test_a_time_in_a_dst_gap(self) -> None:
        text = (
            HEADER
            + "\nINC1,6,,2026-03-08 01:00:00,2026-03-08 02:30:00,,2026-03-08 04:00:00,2,2,3,0,,\n"
        )
        log = read_text(text, tz="America/New_York")
        inc = log.incidents[0]
        assert inc.resolved_at == datetime.fromisoformat("2026-03-08T03:30:00-04:00")
        assert [(a.kind, a.row) for a in log.anomalies] == [
            ("nonexistent_time", 2),
            ("no_history", 2),  # resolved: when it left New is not recorded
        ]

    def test_an_offset_names_the_instant(self) -> None:
        text = HEADER + "\nINC1,1,,2026-03-02T09:00:00.25+09:00,,,,2,2,3,0,,\n"
        inc = read_text(text, tz="Europe/Lisbon").incidents[0]
        assert inc.opened_at == datetime(2026, 3, 2, 0, 0, 0, 250_000, tzinfo=UTC)

    def test_a_semicolon_file_is_sniffed(self) -> None:
        text = "number;incident_state;opened_at;sys_updated_on;priority\nINC1;2;2026-03-02 09:00;2026-03-02 09:05;3\n"
        inc = read_text(text).incidents[0]
        assert (inc.state, inc.history[-1].at) == (State.IN_PROGRESS, utc("2026-03-02 09:05:00"))

    def test_columns_from_a_mapping_and_a_file(self, tmp_path: Path) -> None:
        text = "Key,Status,Created,Updated,Prio,Team\nT-1,Closed,2026-03-02 09:00,2026-03-04 09:00,2,Ops\n"
        mapping = {
            "id": "Key",
            "state": "Status",
            "opened_at": "Created",
            "at": "Updated",
            "priority": "Prio",
            "group": "Team",
        }
        log = read_text(text, columns=mapping)
        inc = log.incidents[0]
        assert (inc.state, inc.closed_at, inc.attributes["group"]) == (
            State.CLOSED,
            utc("2026-03-04 09:00:00"),
            "Ops",
        )
        # Closed with no resolution recorded: kept, and said.
        assert [a.kind for a in log.anomalies] == ["forbidden_transition", "no_history"]
        path = tmp_path / "columns.toml"
        path.write_text("".join(f'{k} = "{v}"\n' for k, v in mapping.items()))
        assert read_text(text, columns=path).incidents == log.incidents

    def test_dataframe_source(self) -> None:
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(
            {
                "number": ["INC1", "INC2"],
                "incident_state": [7, 3],
                "hold_reason": [float("nan"), 1.0],
                "opened_at": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 10:00"]),
                "resolved_at": pd.to_datetime(["2026-03-02 11:00", None]),
                "closed_at": pd.to_datetime(["2026-03-03 11:00", None]),
                "sys_updated_on": pd.to_datetime(["2026-03-03 11:00", "2026-03-02 12:00"]),
                "priority": [3, 1],
                "made_sla": [True, False],
            }
        )
        log = read_incidents(frame, tz="UTC")
        first, second = log.incidents
        assert (first.state, first.closed_at) == (State.CLOSED, utc("2026-03-03 11:00:00"))
        assert (second.state, second.hold_reason) == (State.ON_HOLD, HoldReason.AWAITING_CALLER)
        assert second.history[-1].at == utc("2026-03-02 12:00:00")
        assert (first.attributes["made_sla"], second.attributes["made_sla"]) == ("true", "false")

    def test_the_preset_table(self) -> None:
        preset = SNAPSHOT_PRESETS["servicenow-incident"]
        assert isinstance(preset, SnapshotPreset)
        assert {code: preset.states[code] for code in STATE_CODES} == STATE_CODES
        assert dict(preset.reasons) == {
            "1": HoldReason.AWAITING_CALLER,
            "3": HoldReason.AWAITING_PROBLEM,
            "4": HoldReason.AWAITING_VENDOR,
            "5": HoldReason.AWAITING_CHANGE,
        }


# ---------------------------------------------------------------- row-level problems


ROW_PROBLEMS = [
    ("INC1,1,,2026-03-02 09:00:00,,,,2,2,3,0,,,extra", "long_row", None),
    ("INC1,1,,2026-03-02 09:00:00", "short_row", None),
    (",1,,2026-03-02 09:00:00,,,,2,2,3,0,,", "missing_id", "number"),
    ("INC1,4,,2026-03-02 09:00:00,,,,2,2,3,0,,", "unknown_state", "incident_state"),
    ("INC1,1,,2/3/2026 09:00,,,,2,2,3,0,,", "bad_date", "opened_at"),
    ("INC1,2,,2026-03-02 09:00:00,,,soon,2,2,3,0,,", "bad_date", "sys_updated_on"),
    ("INC1,1,,2026-03-02 09:00:00,,,,,2,,0,,", "no_priority", "priority"),
]


class TestRowProblems:
    @pytest.mark.parametrize(("row", "kind", "column"), ROW_PROBLEMS)
    def test_a_dropped_row_is_named_and_the_rest_read(
        self, row: str, kind: str, column: str | None
    ) -> None:
        good = "INC9,1,,2026-03-02 09:00:00,,,,2,2,3,0,,"
        log = read_text(f"{HEADER}\n{row}\n{good}\n")
        assert [inc.id for inc in log.incidents] == ["INC9"]
        kinds = [(a.kind, a.row) for a in log.anomalies]
        assert (kind, 2) in kinds
        assert (log.rows, log.dropped, log.summary().steps) == (2, 1, 1)
        with pytest.raises(EventLogError) as raised:
            read_text(f"{HEADER}\n{row}\n{good}\n", strict=True)
        assert (raised.value.row, raised.value.column) == (2, column)

    def test_a_duplicate_id_keeps_the_first(self) -> None:
        rows = (
            "INC1,1,,2026-03-02 09:00:00,,,,2,2,3,0,,\nINC1,7,,2026-03-01 09:00:00,,,,2,2,3,0,,\n"
        )
        log = read_text(HEADER + "\n" + rows)
        assert [inc.state for inc in log.incidents] == [State.NEW]
        [anomaly] = log.anomalies
        assert (anomaly.kind, anomaly.row) == ("duplicate_id", 3) and "row 2" in anomaly.message
        assert log.dropped == 1

    @pytest.mark.parametrize(
        ("cells", "column"),
        [
            (
                "INC1,6,,2026-03-02 09:00:00,yesterday,,2026-03-02 10:00:00,2,2,3,0,,",
                "resolved_at",
            ),
            ("INC1,1,,2026-03-02 09:00:00,,,never,2,2,3,0,,", "sys_updated_on"),
            ("INC1,1,,2026-03-02 09:00:00,,,,Huge,2,3,0,,", "impact"),
            ("INC1,3,9,2026-03-02 09:00:00,,,2026-03-02 09:10:00,2,2,3,0,,", "hold_reason"),
        ],
    )
    def test_a_bad_value_is_ignored_and_named(self, cells: str, column: str) -> None:
        log = read_text(f"{HEADER}\n{cells}\n")
        assert len(log.incidents) == 1 and log.dropped == 0
        bad = [a for a in log.anomalies if a.kind == "bad_value"]
        assert len(bad) == 1 and bad[0].row == 2 and f"column {column!r}" in bad[0].message
        with pytest.raises(EventLogError) as raised:
            read_text(f"{HEADER}\n{cells}\n", strict=True)
        assert (raised.value.row, raised.value.column) == (2, column)

    def test_an_unreadable_resolution_leaves_the_state_placed(self) -> None:
        cells = "INC1,6,,2026-03-02 09:00:00,yesterday,,2026-03-02 10:00:00,2,2,3,0,,"
        inc = read_text(f"{HEADER}\n{cells}\n").incidents[0]
        assert (inc.state, inc.resolved_at) == (State.RESOLVED, utc("2026-03-02 10:00:00"))
        assert [a.kind for a in inc.anomalies] == ["bad_value", "no_history"]

    def test_dates_too_near_the_ends_of_time(self) -> None:
        for text in ("0001-01-01 00:00:00", "9999-12-31 23:59:59", "0001-01-01 00:00:00+01:00"):
            log = read_text(f"{HEADER}\nINC1,1,,{text},,,,2,2,3,0,,\n", tz="Pacific/Kiritimati")
            assert [a.kind for a in log.anomalies] == ["bad_date"]

    def test_blank_lines_are_no_rows(self) -> None:
        log = read_text(f"{HEADER}\n\nINC1,1,,2026-03-02 09:00:00,,,,2,2,3,0,,\n\n")
        assert (log.rows, [a.row for a in log.incidents[0].anomalies]) == (1, [])


# ---------------------------------------------------------------- file-level problems


class TestFileProblems:
    def test_unknown_preset_lists_the_choices(self) -> None:
        with pytest.raises(InvalidValueError, match="servicenow-incident"):
            read_text(HEADER, preset="servicenow")

    def test_missing_column_shows_the_header(self) -> None:
        with pytest.raises(EventLogError) as raised:
            read_text("number,state,opened_at,sys_updated_on\nINC1,1,2026-03-02 09:00,\n")
        assert raised.value.column == "incident_state" and raised.value.row == 1
        assert "the header has: number, state, opened_at, sys_updated_on" in str(raised.value)

    def test_missing_given_column(self) -> None:
        with pytest.raises(EventLogError, match="given for 'group' in 'columns'"):
            read_text(HEADER + "\n", columns={"group": "Team"})

    def test_wrong_delimiter_gets_a_hint(self) -> None:
        with pytest.raises(EventLogError, match="delimiter=';'"):
            read_text("number;incident_state;opened_at;sys_updated_on\n", delimiter=",")

    def test_duplicate_header(self) -> None:
        with pytest.raises(EventLogError, match="more than once") as raised:
            read_text(HEADER + ",number\n")
        assert raised.value.column == "number"

    @pytest.mark.parametrize("text", ["", "\n", "\n\nINC1"])
    def test_empty(self, text: str) -> None:
        with pytest.raises(EventLogError) as raised:
            read_text(text)
        assert raised.value.row == 1

    def test_unclosed_quote_names_the_row(self) -> None:
        text = f'{HEADER}\nINC1,1,,2026-03-02 09:00:00,,,,2,2,3,0,"g,\nINC2,1,,2026-03-02 09:00:00,,,,2,2,3,0,,\n'
        with pytest.raises(EventLogError, match="quote") as raised:
            read_text(text)
        assert raised.value.row == 2

    def test_not_in_the_encoding(self, tmp_path: Path) -> None:
        path = tmp_path / "export.csv"
        path.write_text(HEADER + "\nINC1,1,,2026-03-02 09:00:00,,,,2,2,3,0,,\n", encoding="utf-8")
        with pytest.raises(EventLogError, match="utf-16"):
            read_incidents(path, tz="UTC", encoding="utf-16")
        with pytest.raises(InvalidValueError, match="encoding"):
            read_incidents(path, tz="UTC", encoding="klingon")
        path.write_bytes(b"\xff\xfe" + HEADER.encode("utf-8"))
        with pytest.raises(EventLogError, match="utf-8"):
            read_incidents(path, tz="UTC")

    def test_bad_sources(self, tmp_path: Path) -> None:
        with pytest.raises(InvalidValueError, match="text mode"):
            read_incidents(io.BytesIO(HEADER.encode()), tz="UTC")  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match="source"):
            read_incidents(42, tz="UTC")
        with pytest.raises(EventLogError, match="readable"):
            read_incidents(tmp_path / "missing.csv", tz="UTC")
        with pytest.raises(EventLogError, match="valid file path"):
            read_incidents("a\x00b", tz="UTC")

    def test_bad_arguments(self) -> None:
        with pytest.raises(UnknownZoneError):
            read_text(HEADER, tz="Mars/Olympus")
        with pytest.raises(InvalidValueError, match="delimiter"):
            read_text(HEADER, delimiter=",,")
        with pytest.raises(InvalidValueError, match="strict"):
            read_text(HEADER, strict="yes")
        with pytest.raises(InvalidValueError, match="columns"):
            read_text(HEADER, columns={"colour": "c"})
        with pytest.raises(InvalidValueError, match="'id' column"):
            read_text(HEADER, columns={"id": None})
        with pytest.raises(InvalidValueError, match="columns"):
            read_text(HEADER, columns=["number"])  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match=r"columns\['group'\]"):
            read_text(HEADER, columns={"group": 3})  # type: ignore[dict-item]

    def test_bad_columns_file(self, tmp_path: Path) -> None:
        path = tmp_path / "columns.json"
        path.write_text('{"colour": "c", "group": 3}')
        with pytest.raises(ConfigError) as raised:
            read_text(HEADER, columns=path)
        assert [where for where, _ in raised.value.problems] == ["$.colour", "$.group"]
        path.write_text("[1]")
        with pytest.raises(ConfigError):
            read_text(HEADER, columns=path)


# ---------------------------------------------------------------- round trip

_CODES = {
    State.NEW: "1",
    State.IN_PROGRESS: "2",
    State.ON_HOLD: "3",
    State.RESOLVED: "6",
    State.CLOSED: "7",
    State.CANCELED: "8",
}
_REASONS = {
    HoldReason.AWAITING_CALLER: "1",
    HoldReason.AWAITING_PROBLEM: "3",
    HoldReason.AWAITING_VENDOR: "4",
    HoldReason.AWAITING_CHANGE: "5",
}
_OFFSETS = {"UTC": 0, "Asia/Tokyo": 9}  # no DST in these zones since 2000


@st.composite
def snapshot_rows(draw: st.DrawFn) -> dict[str, object]:
    opened = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)))
    opened = opened.replace(microsecond=0)
    state = draw(st.sampled_from(list(_CODES)))
    gaps = draw(st.lists(st.integers(0, 10**7), min_size=3, max_size=3))
    resolved = (
        opened + timedelta(seconds=gaps[0]) if state in (State.RESOLVED, State.CLOSED) else None
    )
    closed = resolved + timedelta(seconds=gaps[1]) if state is State.CLOSED and resolved else None
    updated = max(t for t in (opened, resolved, closed) if t) + timedelta(seconds=gaps[2])
    reason = draw(st.sampled_from(list(_REASONS))) if state is State.ON_HOLD else None
    return {
        "state": state,
        "reason": reason,
        "opened": opened,
        "resolved": resolved,
        "closed": closed,
        "updated": updated,
        "priority": draw(st.integers(1, 5)),
        "reopens": draw(st.integers(0, 2)),
    }


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(snapshot_rows(), max_size=8), tz=st.sampled_from(sorted(_OFFSETS)))
def test_round_trip(rows: list[dict[str, object]], tz: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "number",
            "incident_state",
            "hold_reason",
            "opened_at",
            "resolved_at",
            "closed_at",
            "sys_updated_on",
            "priority",
            "reopen_count",
        ]
    )

    def cell(value: object) -> str:
        return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[attr-defined]

    for n, row in enumerate(rows):
        reason = row["reason"]
        writer.writerow(
            [
                f"INC{n:07d}",
                _CODES[row["state"]],  # type: ignore[index]
                "" if reason is None else _REASONS[reason],  # type: ignore[index]
                cell(row["opened"]),
                cell(row["resolved"]),
                cell(row["closed"]),
                cell(row["updated"]),
                row["priority"],
                row["reopens"],
            ]
        )
    log = read_incidents(io.StringIO(out.getvalue()), tz=tz)
    shift = timedelta(hours=_OFFSETS[tz])

    def instant(value: object) -> datetime | None:
        return None if value is None else (value - shift).replace(tzinfo=UTC)  # type: ignore[operator]

    assert (log.rows, log.dropped, len(log.incidents)) == (len(rows), 0, len(rows))
    for row, inc in zip(rows, log.incidents, strict=True):
        state = row["state"]
        assert (inc.state, inc.hold_reason) == (state, row["reason"])
        assert inc.opened_at == instant(row["opened"])
        assert inc.resolved_at == instant(row["resolved"])
        assert inc.closed_at == instant(row["closed"])
        assert inc.priority is Priority(row["priority"])
        if state in (State.IN_PROGRESS, State.ON_HOLD, State.CANCELED):
            assert [s.at for s in inc.history] == [instant(row["updated"])]
        if state is State.NEW:
            assert inc.history == ()
        no_history = any(a.kind == "no_history" for a in inc.anomalies)
        placed = state in (State.IN_PROGRESS, State.ON_HOLD, State.CANCELED)
        assert no_history == (placed or row["reopens"] != 0 or state is not State.NEW)
        assert all(a.kind == "no_history" for a in inc.anomalies)
