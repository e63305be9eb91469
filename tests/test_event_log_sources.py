"""Where an event log comes from and how it is described: mapping files, delimiters,
DataFrames, header problems, and where every row went (``summary``, ``to_frame``)."""

from __future__ import annotations

import csv
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from itilkit import (
    ConfigError,
    EventLogError,
    HoldReason,
    InvalidValueError,
    MissingDependencyError,
    Priority,
    State,
)
from itilkit.io import EventLog, EventLogSummary, read_event_log

SAMPLE = Path(__file__).parent / "data" / "servicenow_event_log_sample.csv"
SEMICOLON = Path(__file__).parent / "data" / "generic_semicolon_export.csv"

pd = pytest.importorskip("pandas")


def read_text(text: str, **kwargs: object) -> EventLog:
    kwargs.setdefault("tz", "UTC")
    return read_event_log(io.StringIO(text), **kwargs)  # type: ignore[arg-type]


JIRA_COLUMNS = """id = "Key"
state = "Status"
at = "Updated"
opened_at = "Created"
priority = "Priority"
group = "Team"
"""
JIRA_STATES = """"To Do" = "new"
"In Progress" = "in_progress"
"Waiting for customer" = "on_hold:awaiting_caller"
Done = "resolved"
"""


class TestMappingFiles:
    def test_semicolon_export_with_toml_columns_and_states(self, tmp_path: Path) -> None:
        """The fixture (semicolon-separated, month-first dates) read without delimiter=."""
        (tmp_path / "columns.toml").write_text(JIRA_COLUMNS)
        (tmp_path / "states.toml").write_text(JIRA_STATES)
        log = read_event_log(
            SEMICOLON,
            tz="Europe/Berlin",
            preset="generic",
            columns=tmp_path / "columns.toml",
            states=str(tmp_path / "states.toml"),
            priorities={"Highest": "P1", "High": "P2", "Medium": "P3"},
        )
        one = log.incident("OPS-1")
        # Berlin is UTC+2 in May: 09:45 local is 07:45 UTC.
        assert [(t.at, t.to_state, t.reason) for t in one.history] == [
            (datetime(2024, 5, 6, 7, 45, tzinfo=UTC), State.IN_PROGRESS, None),
            (
                datetime(2024, 5, 6, 8, 0, tzinfo=UTC),
                State.ON_HOLD,
                HoldReason.AWAITING_CALLER,
            ),
            (datetime(2024, 5, 6, 10, 30, tzinfo=UTC), State.RESOLVED, None),
        ]
        assert [c.priority for c in one.priority_history] == [Priority.P3, Priority.P1]
        assert one.attributes["group"] == "Network"
        assert [(c.old, c.new) for c in one.changes("group")] == [
            (None, "Service Desk"),
            ("Service Desk", "Network"),
        ]
        assert log.incident("OPS-2").priority is Priority.P2
        # 6 rows: OPS-1 opens, starts, holds, repeats the hold, resolves; OPS-2 opens.
        assert (log.rows, log.summary().steps, log.repeats, log.dropped) == (6, 5, 1, 0)

    def test_json_columns_with_null_drop_a_preset_column(self, tmp_path: Path) -> None:
        path = tmp_path / "columns.json"
        path.write_text('{"counter": null}')
        text = (
            "number,incident_state,sys_mod_count,sys_updated_at,impact,urgency\n"
            "A,Resolved,x,1/3/2016 11:00,3 - Low,3 - Low\n"
            "A,Active,x,1/3/2016 10:00,3 - Low,3 - Low\n"
        )
        inc = read_text(text, columns=path).incident("A")
        assert [t.to_state for t in inc.history] == [State.IN_PROGRESS, State.RESOLVED]

    def test_file_problems_are_a_config_error_with_paths(self, tmp_path: Path) -> None:
        path = tmp_path / "columns.toml"
        path.write_text('owner = "Assignee"\nstate = 3\nid = "Key"\n')
        with pytest.raises(ConfigError) as info:
            read_text("Key\n", preset="generic", columns=path)
        assert [p for p, _ in info.value.problems] == ["$.owner", "$.state"]
        assert "must be keyed by the fields id, state" in info.value.problems[0][1]

    def test_state_file_problems(self, tmp_path: Path) -> None:
        path = tmp_path / "states.toml"
        path.write_text('Parked = "parked"\n"Waiting" = "on_hold:awaiting_godot"\nOk = "new"\n')
        with pytest.raises(ConfigError) as info:
            read_text("number\n", states=path)
        assert [p for p, _ in info.value.problems] == ["$.Parked", "$.Waiting"]

    def test_a_file_that_is_not_there(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="no such file"):
            read_text("number\n", states=tmp_path / "missing.toml")

    def test_a_column_name_is_not_a_mapping(self) -> None:
        """columns='number' is read as a file name, and the missing file is said."""
        with pytest.raises(ConfigError, match=r"got 'number': no such file"):
            read_text("number\n", columns="number")

    def test_a_list_is_no_mapping(self, tmp_path: Path) -> None:
        path = tmp_path / "states.json"
        path.write_text('["new"]')
        with pytest.raises(ConfigError, match=r"must be a table of state labels"):
            read_text("number\n", states=path)
        with pytest.raises(InvalidValueError, match=r"^'priorities' must be a mapping"):
            read_text("number\n", priorities=["P1"])

    def test_a_reason_only_with_on_hold(self) -> None:
        with pytest.raises(InvalidValueError, match=r"^'states' must be a hold reason only"):
            read_text("number\n", states={"Done": "resolved:awaiting_caller"})


class TestDelimiter:
    TEXT = (
        "number,incident_state,sys_mod_count,sys_updated_at,impact,urgency\n"
        "A,New,0,1/3/2016 09:00,3 - Low,3 - Low\n"
        "A,Active,1,1/3/2016 10:00,3 - Low,3 - Low\n"
    )

    @pytest.mark.parametrize("delimiter", [";", "\t", "|"])
    def test_sniffed(self, delimiter: str) -> None:
        expected = read_text(self.TEXT)
        assert read_text(self.TEXT.replace(",", delimiter)) == expected

    def test_a_comma_inside_quotes_does_not_fool_the_sniffer(self) -> None:
        text = self.TEXT.replace(",", ";").replace("number;", '"num,ber";', 1)
        log = read_text(text, columns={"id": "num,ber"})
        assert [inc.id for inc in log.incidents] == ["A"]

    def test_the_wrong_delimiter_is_hinted(self) -> None:
        with pytest.raises(EventLogError) as info:
            read_text(self.TEXT.replace(",", ";"), delimiter=",")
        message = str(info.value)
        assert info.value.row == 1 and info.value.column == "number"
        assert "the header has: number;incident_state;" in message
        assert "delimiter=';'" in message

    def test_no_hint_when_the_header_has_several_fields(self) -> None:
        with pytest.raises(EventLogError) as info:
            read_text("a,b\n1,2\n")
        assert "delimiter" not in str(info.value)
        assert "the header has: a, b" in str(info.value)


class TestHeader:
    def test_duplicate_names_are_refused(self) -> None:
        """A second 'number' column would merge tickets: refused, naming both places."""
        text = "number,incident_state,number,sys_updated_at\nA,New,B,1/3/2016 09:00\n"
        with pytest.raises(EventLogError) as info:
            read_text(text, impact=1, urgency=1)
        assert info.value.row == 1 and info.value.column == "number"
        assert "'number' in columns 1, 3" in str(info.value)

    def test_blank_first_row(self) -> None:
        with pytest.raises(EventLogError, match="the first row is blank"):
            read_text("\nnumber\n")

    def test_binary_file(self) -> None:
        with pytest.raises(InvalidValueError, match="text mode"):
            read_event_log(io.BytesIO(b"number\n"), tz="UTC")  # type: ignore[arg-type]


class TestAccounting:
    TEXT = (
        "number,incident_state,sys_mod_count,sys_updated_at,impact,urgency\n"
        "A,New,0,1/3/2016 09:00,3 - Low,3 - Low\n"  # row 2: opens A
        "A,New,1,1/3/2016 09:10,3 - Low,3 - Low\n"  # row 3: a repeat
        "A,Parked,2,1/3/2016 09:20,3 - Low,3 - Low\n"  # row 4: unknown state, dropped
        "B,New,0,1/3/2016 09:00\n"  # row 5: short, dropped
        "A,Active,3,1/3/2016 09:30,3 - Low,1 - High\n"  # row 6: step (and a new urgency)
        "B,Active,0,someday,3 - Low,3 - Low\n"  # row 7: bad date, dropped
        ",Active,0,1/3/2016 09:00,3 - Low,3 - Low\n"  # row 8: no id, dropped
        "A,Active,4,1/3/2016 09:40,3 - Low,1 - High\n"  # row 9: a repeat
    )

    def test_every_row_has_a_fate(self) -> None:
        log = read_text(self.TEXT)
        assert [(a.row, a.incident_id, a.kind) for a in log.anomalies] == [
            (4, "A", "unknown_state"),
            (5, "B", "short_row"),
            (7, "B", "bad_date"),
            (8, "", "missing_id"),
        ]
        assert [inc.id for inc in log.incidents] == ["A"]  # B has no readable row
        summary = log.summary()
        assert summary == EventLogSummary(
            8, 2, 2, 4, {"bad_date": 1, "missing_id": 1, "short_row": 1, "unknown_state": 1}
        )
        assert str(summary) == (
            "8 rows read: 2 kept as steps, 2 repeats of the current state, 4 dropped\n"
            "anomalies: 1 bad_date, 1 missing_id, 1 short_row, 1 unknown_state"
        )

    def test_unknown_state_lists_the_mapping(self) -> None:
        message = read_text(self.TEXT).anomalies[0].message
        assert message.startswith("row 4, column 'incident_state': 'incident_state' must be")
        assert "awaiting_user_info" in message and "(got 'Parked')" in message

    def test_strict_raises_the_first_row_whatever_the_ticket(self) -> None:
        with pytest.raises(EventLogError) as info:
            read_text(self.TEXT, strict=True)
        assert info.value.row == 4

    def test_one_bad_row_does_not_lose_the_rest(self) -> None:
        """An unknown state in the last-but-one row: the other tickets are all read."""
        rows = ["number,incident_state,sys_mod_count,sys_updated_at,impact,urgency"]
        rows += [f"T{n},New,0,1/3/2016 09:00,3 - Low,3 - Low" for n in range(200)]
        rows[-2] = rows[-2].replace("New", "Frozen")
        log = read_text("\n".join(rows) + "\n")
        assert len(log.incidents) == 199
        assert [(a.row, a.kind) for a in log.anomalies] == [(200, "unknown_state")]


class TestDataFrame:
    def test_a_frame_reads_like_its_csv(self) -> None:
        frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
        assert read_event_log(frame, tz="UTC") == read_event_log(SAMPLE, tz="UTC")

    def test_typed_cells_and_row_numbers(self) -> None:
        """Parsed timestamps, numbers and NaN read as the CSV would; row = index + 2."""
        frame = pd.DataFrame(
            {
                "number": ["A", "A", "A"],
                "incident_state": ["New", "Bogus", "Active"],
                "sys_mod_count": [0.0, 1.0, 2.0],
                "sys_updated_at": pd.to_datetime(
                    ["2016-03-01 09:00", "2016-03-01 09:30", "2016-03-01 10:00"]
                ),
                "impact": ["3 - Low", None, float("nan")],
                "urgency": ["3 - Low", "3 - Low", "3 - Low"],
                "made_sla": [True, True, False],
            }
        )
        log = read_event_log(frame, tz="UTC")
        assert [(a.row, a.kind) for a in log.anomalies] == [(3, "unknown_state")]
        inc = log.incident("A")
        assert inc.history[0].at == datetime(2016, 3, 1, 10, tzinfo=UTC)
        assert [(c.old, c.new) for c in inc.changes("made_sla")] == [
            (None, "true"),
            ("true", "false"),
        ]


class TestToFrame:
    def test_one_row_per_incident(self) -> None:
        log = read_event_log(SAMPLE, tz="UTC")
        frame = log.to_frame()
        assert len(frame) == 32
        assert list(frame.columns[:6]) == [
            "id",
            "state",
            "priority",
            "opened_at",
            "resolved_at",
            "closed_at",
        ]
        row = frame.set_index("id").loc["INC0000083"]
        assert (row["state"], row["priority"], row["group"]) == ("closed", "P4", "Group 23")
        assert row["opened_at"] == pd.Timestamp("2016-02-29 08:39", tz="UTC")
        assert row["resolved_at"] == pd.Timestamp("2016-02-29 16:05", tz="UTC")
        assert row["closed_at"] == pd.Timestamp("2016-03-05 17:00", tz="UTC")
        assert row["ci"] is None
        still_open = frame.set_index("id").loc["INC0000101"]
        assert pd.isna(still_open["resolved_at"]) and pd.isna(still_open["closed_at"])

    def test_needs_pandas(self, monkeypatch: pytest.MonkeyPatch) -> None:
        log = EventLog((), (), 0)
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(MissingDependencyError, match="pandas"):
            log.to_frame()


def test_the_semicolon_fixture_is_what_the_tests_say() -> None:
    """Guard: the fixture has 6 data rows, separated by semicolons."""
    with SEMICOLON.open(newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert len(rows) == 7 and len(rows[0]) == 7


class TestFarDates:
    HEADER = "number,incident_state,sys_mod_count,opened_at,sys_updated_at,impact,urgency\n"

    @pytest.mark.parametrize(
        ("tz", "when"),
        [
            ("Asia/Tokyo", "1/1/0001 00:00"),  # 31 December of year 0 in UTC
            ("America/New_York", "31/12/9999 23:59"),  # year 10000 in UTC
            ("UTC", "31/12/9999 23:59"),  # a zone east of UTC could not show it
            ("UTC", "9999-12-31T20:00-05:00"),
        ],
    )
    def test_out_of_range_is_a_bad_date_not_an_overflow(self, tz: str, when: str) -> None:
        text = self.HEADER + f"A,New,0,{when},{when},3 - Low,3 - Low\n"
        log = read_text(text, tz=tz)
        assert [(a.row, a.kind) for a in log.anomalies] == [(2, "bad_date")]
        with pytest.raises(EventLogError, match="from 2 January of year 1 to 30 December 9999"):
            read_text(text, tz=tz, strict=True)

    def test_the_range_itself_reads(self) -> None:
        text = self.HEADER + "A,New,0,2/1/0001 00:00,2/1/0001 00:00,3 - Low,3 - Low\n"
        text += "A,Active,1,2/1/0001 00:00,30/12/9999 23:59,3 - Low,3 - Low\n"
        inc = read_text(text, tz="Pacific/Kiritimati").incident("A")  # +14 today
        assert inc.opened_at.year == 1
        assert inc.history[0].at.year == 9999

    def test_utf16_asked_of_a_utf8_file(self, tmp_path: Path) -> None:
        path = tmp_path / "events.csv"
        path.write_text(self.HEADER + "A,New,0,1/1/2016 00:00,1/1/2016 00:00,3 - Low,3 - Low\n")
        with pytest.raises(EventLogError, match="is not utf-16 text"):
            read_event_log(path, tz="UTC", encoding="utf-16")
