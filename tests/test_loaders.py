"""read_outages and read_samples: outage lists and load samples in, nothing lost.

The expectations are worked out by hand from the fixtures in tests/data:

* ``outages.csv``: four outages in the week of Monday 2 March 2026, Seoul;
* ``load_percent.csv``: load written in percent, ``;``-separated;
* ``prometheus_range.json``: the example response of the Prometheus
  documentation (Prometheus HTTP API, /api/v1/query_range, result type
  matrix: ``up`` over 30 s at a 15 s step, two series);
* ``prometheus_load.json``: one series of load ratios in the same format.
"""

from __future__ import annotations

import io
import itertools
import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import (
    ErrorBudget,
    EventLogError,
    InvalidValueError,
    ItilkitError,
    Outage,
    ServiceWindow,
    find_overloads,
    measure_availability,
    recurring_overloads,
)
from itilkit._time import to_us
from itilkit.io import Outages, read_outages, read_samples

DATA = Path(__file__).parent / "data"
SEOUL_DAYS = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul")
WEEK = {"start": "2026-03-02T00:00+09:00", "end": "2026-03-07T00:00+09:00"}


def text(content: str) -> io.StringIO:
    return io.StringIO(content, newline="")


def outage_error(content: str | bytes, **kwargs: Any) -> EventLogError:
    source = io.BytesIO(content) if isinstance(content, bytes) else text(content)
    with pytest.raises(EventLogError) as info:
        read_outages(source, **kwargs)
    return info.value


def sample_error(content: str, **kwargs: Any) -> EventLogError:
    with pytest.raises(EventLogError) as info:
        read_samples(text(content), **kwargs)
    return info.value


# ============================================================================ outages


class TestOutageFile:
    def test_every_field_is_read(self) -> None:
        outages = read_outages(DATA / "outages.csv")
        assert [o.id for o in outages] == ["OUT-1", "OUT-2", "OUT-3", "OUT-4"]
        assert [o.impact for o in outages] == [1, Fraction(1, 2), 1, Fraction(1, 2)]
        assert [o.planned for o in outages] == [False, False, True, False]
        assert outages[1].duration == timedelta(minutes=90)
        assert outages[0].start == pendulum.datetime(2026, 3, 2, 1, tz="UTC")
        assert outages[0].start.utcoffset() == timedelta(hours=9)  # kept as written

    def test_service_ci_and_other_columns_are_kept(self) -> None:
        outages = read_outages(DATA / "outages.csv")
        assert isinstance(outages, tuple) and isinstance(outages, Outages)
        assert outages.rows == (2, 3, 4, 5)
        assert dict(outages.attributes[0]) == {
            "service": "db",
            "ci": "db-01",
            "note": "database failover",
        }
        assert dict(outages.attributes[1]) == {
            "service": "web",
            "note": "slow pages for half the users",
        }  # an empty cell is not a value
        assert dict(outages.attributes[3]) == {"service": "db", "ci": "sw-3"}
        db = outages.select(service="db")
        assert [o.id for o in db] == ["OUT-1", "OUT-3", "OUT-4"]
        assert db.rows == (2, 4, 5)
        assert outages.select(service="db", ci="sw-3").rows == (5,)

    def test_availability_worked_out_by_hand(self) -> None:
        """Mon-Fri 09:00-18:00 in Seoul, Monday 2 to Saturday 7 March 2026: 5 x 9 h = 2700 min.

        OUT-1 (Mon 10:00-11:00, full): 60 min down.
        OUT-2 (Tue 17:30-19:00, 50%): 30 min inside the hours x 1/2 = 15 min.
        OUT-3 (Wed 08:00-10:00, planned): 60 min inside the hours leave agreed time.
        OUT-4 (Thu 12:00-12:30, 0.5): 15 min.
        Agreed 2700 - 60 = 2640 min, down 90 min: (2640 - 90) / 2640 = 85/88.
        """
        outages = read_outages(DATA / "outages.csv")
        report = measure_availability(outages, window=SEOUL_DAYS, **WEEK)
        assert report.agreed == timedelta(minutes=2640)
        assert report.downtime == timedelta(minutes=90)
        assert report.ratio == Fraction(85, 88)
        assert report.failures == 3
        budget = ErrorBudget("99%", window=SEOUL_DAYS, **WEEK)
        assert budget.spent(outages) == timedelta(minutes=90)

    def test_a_dataframe_reads_as_its_csv(self) -> None:
        pd = pytest.importorskip("pandas")
        frame = pd.read_csv(DATA / "outages.csv", dtype=str, keep_default_na=False)
        assert read_outages(frame) == read_outages(DATA / "outages.csv")

    def test_a_dataframe_of_typed_cells(self) -> None:
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(
            {
                "start": pd.to_datetime(["2026-03-02T10:00Z", "2026-03-03T10:00Z"]),
                "end": pd.to_datetime(["2026-03-02T11:00Z", "2026-03-03T10:30Z"]),
                "impact": [1.0, 0.25],
                "planned": [False, True],
                "id": [101, 102],
            }
        )
        outages = read_outages(frame)
        assert [(o.id, o.impact, o.planned) for o in outages] == [
            ("101", 1, False),
            ("102", Fraction(1, 4), True),
        ]
        assert outages[0].start == datetime(2026, 3, 2, 10, tzinfo=UTC)
        assert outages.rows == (2, 3)

    def test_a_dataframe_of_naive_times_needs_tz(self) -> None:
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(
            {
                "start": pd.to_datetime(["2026-03-02 10:00"]),
                "end": pd.to_datetime(["2026-03-02 11:00"]),
            }
        )
        with pytest.raises(EventLogError, match="pass tz="):
            read_outages(frame)
        (outage,) = read_outages(frame, tz="Asia/Seoul")
        assert outage.start == pendulum.datetime(2026, 3, 2, 10, tz="Asia/Seoul")

    def test_nanoseconds_are_refused_not_truncated(self) -> None:
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(
            {
                "start": [pd.Timestamp("2026-03-02T10:00:00.000000001Z")],
                "end": [pd.Timestamp("2026-03-02T11:00Z")],
            }
        )
        error = outage_error_of(frame)
        assert error.row == 2 and error.column == "start"

    def test_columns_map_neutral_names_to_headers(self) -> None:
        content = "Begin|Finish|Share\n2026-03-02T10:00Z|2026-03-02T12:00Z|25%\n"
        (outage,) = read_outages(
            text(content), columns={"start": "Begin", "end": "Finish", "impact": "Share"}
        )
        assert outage.impact == Fraction(1, 4)
        assert outage.duration == timedelta(hours=2)

    def test_empty_optional_cells_take_the_defaults(self) -> None:
        content = "start,end,impact,planned,id\n2026-03-02T10:00Z,2026-03-02T12:00Z,,,\n"
        (outage,) = read_outages(text(content))
        assert (outage.impact, outage.planned, outage.id) == (1, False, None)

    @pytest.mark.parametrize(
        ("cell", "planned"),
        [
            ("true", True),
            ("TRUE", True),
            ("Yes", True),
            ("1", True),
            ("false", False),
            ("no", False),
            ("0", False),
            ("No", False),
        ],
    )
    def test_planned_forms(self, cell: str, planned: bool) -> None:
        content = f"start,end,planned\n2026-03-02T10:00Z,2026-03-02T12:00Z,{cell}\n"
        assert read_outages(text(content))[0].planned is planned

    @pytest.mark.parametrize(
        ("cell", "impact"),
        [("1", 1), ("50%", Fraction(1, 2)), ("0.5", Fraction(1, 2)), ("2/3", Fraction(2, 3))],
    )
    def test_impact_by_the_one_convention(self, cell: str, impact: Fraction) -> None:
        content = f"start,end,impact\n2026-03-02T10:00Z,2026-03-02T12:00Z,{cell}\n"
        assert read_outages(text(content))[0].impact == impact


def outage_error_of(frame: Any) -> EventLogError:
    with pytest.raises(EventLogError) as info:
        read_outages(frame)
    return info.value


class TestLocalTimes:
    def test_local_times_need_tz(self) -> None:
        error = outage_error("start,end\n2026-03-02 10:00,2026-03-02 11:00\n")
        assert (error.row, error.column) == (2, "start")
        assert "pass tz=" in str(error) and "'2026-03-02 10:00'" in str(error)

    def test_local_times_in_tz(self) -> None:
        content = "start,end\n2026-03-02 10:00,2026-03-02 11:00\n"
        (outage,) = read_outages(text(content), tz="Asia/Seoul")
        assert outage.start == pendulum.datetime(2026, 3, 2, 10, tz="Asia/Seoul")
        assert str(outage.start.tzinfo) == "Asia/Seoul"

    def test_with_tz_instants_written_with_an_offset_keep_their_instant(self) -> None:
        content = "start,end\n2026-03-02T01:00Z,2026-03-02 11:00\n"
        (outage,) = read_outages(text(content), tz="Asia/Seoul")
        assert outage.start == pendulum.datetime(2026, 3, 2, 10, tz="Asia/Seoul")
        assert outage.duration == timedelta(hours=1)

    def test_a_time_that_never_happened_is_refused(self) -> None:
        """02:30 on 8 March 2026 does not exist in New York: clocks jump from 02:00 to 03:00."""
        error = outage_error(
            "start,end\n2026-03-08 02:30,2026-03-08 04:00\n", tz="America/New_York"
        )
        assert (error.row, error.column) == (2, "start")
        assert "2026-03-08T03:30:00-04:00" in str(error)  # what the rule would have read
        assert "UTC offset" in str(error)

    def test_an_ambiguous_time_is_its_first_occurrence(self) -> None:
        """01:30 on 1 November 2026 happens twice in New York; the first is 01:30 EDT (-04:00)."""
        content = "start,end\n2026-11-01 01:30,2026-11-01 03:00\n"
        (outage,) = read_outages(text(content), tz="America/New_York")
        assert outage.start.isoformat() == "2026-11-01T01:30:00-04:00"
        assert outage.duration == timedelta(hours=2, minutes=30)  # 01:30 EDT to 03:00 EST

    def test_microseconds_beyond_six_digits_are_refused(self) -> None:
        error = outage_error("start,end\n2026-03-02T10:00:00.1234567Z,2026-03-02T11:00Z\n")
        assert (error.row, error.column) == (2, "start")
        assert "microseconds" in str(error)
        (outage,) = read_outages(
            text("start,end\n2026-03-02T10:00:00.1234560Z,2026-03-02T11:00Z\n")
        )
        assert outage.start.microsecond == 123456


class TestOutageErrorsNameRowColumnValue:
    def test_a_missing_column_shows_the_header(self) -> None:
        error = outage_error("begin,end\n2026-03-02T10:00Z,2026-03-02T11:00Z\n")
        assert (error.row, error.column) == (1, "start")
        assert "begin, end" in str(error)

    def test_a_column_given_in_columns_must_exist(self) -> None:
        error = outage_error(
            "start,end\n2026-03-02T10:00Z,2026-03-02T11:00Z\n", columns={"impact": "Share"}
        )
        assert (error.row, error.column) == (1, "Share") and "columns" in str(error)

    def test_a_ratio_above_one_suggests_the_percent_form(self) -> None:
        error = outage_error("start,end,impact\n2026-03-02T10:00Z,2026-03-02T11:00Z,50\n")
        assert (error.row, error.column) == (2, "impact")
        assert "'50%'" in str(error) and "(got '50')" in str(error)

    def test_an_impact_of_zero_is_refused(self) -> None:
        error = outage_error("start,end,impact\n2026-03-02T10:00Z,2026-03-02T11:00Z,0%\n")
        assert (error.row, error.column) == (2, "impact") and "above 0" in str(error)

    def test_a_bad_planned(self) -> None:
        error = outage_error("start,end,planned\n2026-03-02T10:00Z,2026-03-02T11:00Z,maybe\n")
        assert (error.row, error.column) == (2, "planned") and "'maybe'" in str(error)

    def test_an_end_before_its_start(self) -> None:
        content = (
            "start,end\n2026-03-02T10:00Z,2026-03-02T11:00Z\n2026-03-02T10:00Z,2026-03-02T09:00Z\n"
        )
        error = outage_error(content)
        assert (error.row, error.column) == (3, "end") and "2026-03-02T09:00Z" in str(error)

    def test_a_missing_start(self) -> None:
        error = outage_error("start,end\n,2026-03-02T11:00Z\n")
        assert (error.row, error.column) == (2, "start")

    def test_a_row_of_the_wrong_width(self) -> None:
        error = outage_error("start,end\n2026-03-02T10:00Z,2026-03-02T11:00Z,x\n")
        assert error.row == 2 and "3 fields" in str(error)

    def test_a_header_naming_a_column_twice(self) -> None:
        error = outage_error("start,end,start\n2026-03-02T10:00Z,2026-03-02T11:00Z,x\n")
        assert (error.row, error.column) == (1, "start")

    def test_an_unread_column_named_like_a_field(self) -> None:
        error = outage_error(
            "start,end,svc,service\n2026-03-02T10:00Z,2026-03-02T11:00Z,a,b\n",
            columns={"service": "svc"},
        )
        assert (error.row, error.column) == (1, "service")

    def test_rows_are_records_not_lines(self) -> None:
        content = 'start,end,note\n2026-03-02T10:00Z,2026-03-02T11:00Z,"two\nlines"\nx,2026-03-02T11:00Z,\n'
        assert outage_error(content).row == 3

    def test_an_unclosed_quote(self) -> None:
        content = 'start,end,note\n2026-03-02T10:00Z,2026-03-02T11:00Z,"open\n2026-03-02T10:00Z,2026-03-02T11:00Z,x\n'
        error = outage_error(content)
        assert error.row == 2 and "quote" in str(error)

    @pytest.mark.parametrize(
        "bad",
        [
            "9" * 5000,
            "0." + "9" * 5000,
            "NaN",
            "inf",
            "-inf",
            "1E+99999999",
            "1e-99999999%",
            "-0.5",
            "half",
        ],
    )
    def test_hostile_impacts(self, bad: str) -> None:
        error = outage_error(f"start,end,impact\n2026-03-02T10:00Z,2026-03-02T11:00Z,{bad}\n")
        assert (error.row, error.column) == (2, "impact")

    @pytest.mark.parametrize(
        "bad",
        ["9" * 5000, "nan", "2026-13-01T00:00Z", "0000-01-01T00:00Z", "9999-12-31T23:00-12:00"],
    )
    def test_hostile_instants(self, bad: str) -> None:
        error = outage_error(f"start,end\n{bad},2026-03-02T11:00Z\n")
        assert (error.row, error.column) == (2, "start")


class TestSources:
    def test_an_empty_file(self) -> None:
        assert outage_error("").row == 1
        assert "empty" in str(outage_error("\n\n"))

    def test_bytes_that_are_not_utf8(self) -> None:
        error = outage_error(b"start,end,note\n2026-03-02T10:00Z,2026-03-02T11:00Z,G\xf6ld\n")
        assert "utf-8" in str(error) and "line 2" in str(error) and "encoding=" in str(error)

    def test_another_encoding(self) -> None:
        content = "start,end,note\n2026-03-02T10:00Z,2026-03-02T11:00Z,Göld\n".encode("cp1252")
        (outage,) = read_outages(io.BytesIO(content), encoding="cp1252")
        assert read_outages(io.BytesIO(content), encoding="cp1252").attributes[0]["note"] == "Göld"
        assert outage.duration == timedelta(hours=1)

    def test_a_byte_order_mark_is_skipped(self, tmp_path: Path) -> None:
        path = tmp_path / "bom.csv"
        path.write_bytes(b"\xef\xbb\xbfstart,end\n2026-03-02T10:00Z,2026-03-02T11:00Z\n")
        assert len(read_outages(path)) == 1
        assert len(read_outages(str(path))) == 1

    def test_nul_bytes(self) -> None:
        error = outage_error("start,end\n2026-03-02T10:00Z,2026-03-02T11:00Z\x00\n")
        assert "NUL" in str(error) and "line 2" in str(error)
        utf16 = "start,end\n2026-03-02T10:00Z,2026-03-02T11:00Z\n".encode("utf-16-le")
        assert "UTF-16" in str(outage_error(utf16))

    def test_a_directory_a_missing_file_a_nul_in_the_path(self, tmp_path: Path) -> None:
        for source, words in [
            (tmp_path, "folder"),
            (tmp_path / "missing.csv", "no such file"),
            ("a\x00b.csv", "valid file path"),
        ]:
            with pytest.raises(EventLogError, match=words):
                read_outages(source)

    def test_not_a_source(self) -> None:
        for source in (None, 42, b"start,end", ["start,end"]):
            with pytest.raises(InvalidValueError, match="'source'"):
                read_outages(source)

    def test_bad_arguments(self) -> None:
        ok = text("start,end\n2026-03-02T10:00Z,2026-03-02T11:00Z\n")
        with pytest.raises(InvalidValueError, match="'encoding'"):
            read_outages(ok, encoding="no-such-codec")
        with pytest.raises(InvalidValueError, match="'encoding'"):
            read_outages(io.BytesIO(b"start,end\n"), encoding="rot13")  # not a text encoding
        with pytest.raises(EventLogError, match="StringIO"):
            read_outages("start,end\n2026-03-02T10:00Z,2026-03-02T11:00Z\n")  # text, not a path
        with pytest.raises(InvalidValueError, match="'delimiter'"):
            read_outages(ok, delimiter=";;")
        with pytest.raises(InvalidValueError, match="'tz'"):
            read_outages(ok, tz="Mars/Olympus")
        with pytest.raises(InvalidValueError, match="'columns'"):
            read_outages(ok, columns={"begin": "start"})
        with pytest.raises(InvalidValueError, match="'columns'"):
            read_outages(ok, columns={"start": "x", "end": "x"})
        with pytest.raises(InvalidValueError, match="'columns'"):
            read_outages(ok, columns=["start"])  # type: ignore[arg-type]


class TestDelimiters:
    @pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
    def test_sniffed(self, sep: str) -> None:
        content = sep.join(["start", "end", "impact"]) + "\n"
        content += sep.join(["2026-03-02T10:00Z", "2026-03-02T11:00Z", "50%"]) + "\n"
        (outage,) = read_outages(text(content))
        assert outage.impact == Fraction(1, 2)

    def test_decimal_commas_under_semicolons(self) -> None:
        """The header holds only ';', so ';' it is, though the cells hold commas."""
        content = "start;end;note\n2026-03-02T10:00Z;2026-03-02T11:00Z;a,b,c\n"
        outages = read_outages(text(content))
        assert outages.attributes[0]["note"] == "a,b,c"

    def test_sniffing_several_candidates(self) -> None:
        content = 'start;end;"a,b"\n2026-03-02T10:00Z;2026-03-02T11:00Z;x\n'
        assert read_outages(text(content)).attributes[0]["a,b"] == "x"

    def test_undecidable(self) -> None:
        content = "start,end;x\n1;2\n1,2,3;4;5\n"
        error = outage_error(content)
        assert error.row == 1 and "delimiter=" in str(error)

    def test_given(self) -> None:
        content = "start;end\n2026-03-02T10:00Z;2026-03-02T11:00Z\n"
        assert len(read_outages(text(content), delimiter=";")) == 1
        error = outage_error(content, delimiter=",")
        assert (error.row, error.column) == (1, "start")


class TestOutagesValue:
    def test_pickles_and_stays_immutable(self) -> None:
        outages = read_outages(DATA / "outages.csv")
        again = pickle.loads(pickle.dumps(outages))
        assert again == outages and again.attributes == outages.attributes
        assert again.rows == outages.rows
        with pytest.raises(AttributeError):
            outages.rows = ()  # type: ignore[misc]
        with pytest.raises(TypeError):
            outages.attributes[0]["service"] = "x"  # type: ignore[index]

    def test_lengths_must_agree(self) -> None:
        with pytest.raises(InvalidValueError):
            Outages([], rows=[2], attributes=[])


# ============================================================================ samples


class TestSamplesCsv:
    def test_percent_file(self) -> None:
        samples = read_samples(DATA / "load_percent.csv", unit="%")
        assert [v for _, v in samples] == [
            Fraction(62, 100),
            Fraction(99, 100),
            Fraction(975, 1000),
            Fraction(55, 100),
        ]
        assert samples[0][0] == pendulum.datetime(2026, 3, 2, 17, tz="Asia/Seoul")

    def test_feeds_find_overloads_with_the_default_unit(self) -> None:
        """Above 90% from 18:00 to 22:00 (99, then 97.5): one period of four hours."""
        samples = read_samples(DATA / "load_percent.csv", unit="%")
        (span,) = find_overloads(samples, threshold="90%")
        assert span.start == pendulum.datetime(2026, 3, 2, 18, tz="Asia/Seoul")
        assert span.duration == timedelta(hours=4)
        (hot,) = recurring_overloads(samples, threshold="90%", tz="Asia/Seoul", min_occurrences=1)
        assert hot.spec == "Mon 18:00-22:00"

    def test_ratio_values_and_sorting(self) -> None:
        content = "time,value\n2026-03-02T10:00Z,0.5\n2026-03-02T09:00Z,97%\n2026-03-02T11:00Z,1\n"
        samples = read_samples(text(content))
        assert [(t.hour, v) for t, v in samples] == [
            (9, Fraction(97, 100)),
            (10, Fraction(1, 2)),
            (11, Fraction(1)),
        ]

    def test_a_float_is_read_by_its_shortest_repr(self) -> None:
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(
            {
                "time": pd.to_datetime(["2026-03-02T09:00Z", "2026-03-02T09:01Z"]),
                "value": [0.9, 0.1],
            }
        )
        samples = read_samples(frame)
        assert [v for _, v in samples] == [Fraction(9, 10), Fraction(1, 10)]
        assert read_samples(frame.assign(value=[90.0, 10.0]), unit="%") == samples

    def test_percent_beyond_100(self) -> None:
        content = "time,value\n2026-03-02T10:00Z,250\n"
        assert read_samples(text(content), unit="%")[0][1] == Fraction(5, 2)

    def test_a_ratio_above_one_suggests_unit_percent(self) -> None:
        error = sample_error("time,value\n2026-03-02T10:00Z,0.5\n2026-03-02T10:01Z,95\n")
        assert (error.row, error.column) == (3, "value")
        assert "unit='%'" in str(error) and "(got '95')" in str(error)

    def test_duplicate_instants_name_both_rows(self) -> None:
        content = "time,value\n2026-03-02T10:00Z,0.5\n2026-03-02T11:00Z,0.5\n2026-03-02T19:00+09:00,0.6\n"
        error = sample_error(content)
        assert "row 2" in str(error) and "row 4" in str(error)

    def test_columns_and_extra_columns(self) -> None:
        samples = read_samples(
            "src/itilkit/data/demo_load_2026-03.csv", columns={"time": "at", "value": "load"}
        )
        assert len(samples) > 1000 and samples[0][1] == Fraction(21, 100)
        content = "host,at,load\ndb1,2026-03-02T10:00Z,0.5\n"
        assert read_samples(text(content), columns={"time": "at", "value": "load"})[0][
            1
        ] == Fraction(1, 2)

    def test_local_times(self) -> None:
        content = "time,value\n2026-03-02 18:00,0.5\n"
        ((at, _),) = read_samples(text(content), tz="Asia/Seoul")
        assert at == pendulum.datetime(2026, 3, 2, 18, tz="Asia/Seoul")
        assert sample_error(content).column == "time"

    @pytest.mark.parametrize(
        "bad", ["", "NaN", "inf", "-0.1", "9" * 5000, "1E+99999999", "1e3", "abc", "0x10", "1/0"]
    )
    @pytest.mark.parametrize("unit", ["ratio", "%"])
    def test_hostile_values(self, bad: str, unit: str) -> None:
        error = sample_error(f"time,value\n2026-03-02T10:00Z,{bad}\n", unit=unit)
        assert (error.row, error.column) == (2, "value")

    def test_series_is_for_prometheus(self) -> None:
        with pytest.raises(InvalidValueError, match="'series'"):
            read_samples(text("time,value\n2026-03-02T10:00Z,0.5\n"), series={"a": "b"})

    def test_bad_unit(self) -> None:
        with pytest.raises(InvalidValueError, match="'unit'"):
            read_samples(text("time,value\n"), unit="percent")

    def test_a_header_alone_is_no_samples(self) -> None:
        assert read_samples(text("time,value\n")) == ()


# Prometheus HTTP API, /api/v1/query_range, result type matrix: a response is
# {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {labels},
# "values": [[<unix time in seconds>, "<sample value>"], ...]}, ...]}}.


class TestPrometheus:
    def test_the_documented_example_needs_a_series(self) -> None:
        with pytest.raises(EventLogError, match="2 series") as info:
            read_samples(DATA / "prometheus_range.json")
        assert "localhost:9091" in str(info.value) and "series=" in str(info.value)

    def test_a_chosen_series_with_exact_timestamps(self) -> None:
        samples = read_samples(DATA / "prometheus_range.json", series={"job": "node"})
        assert [v for _, v in samples] == [0, 0, 1]
        first = samples[0][0]
        # 1435781430.781 s: exactly 781 ms past the second (a float sum would be 780999...)
        assert first == datetime(2015, 7, 1, 20, 10, 30, 781000, tzinfo=UTC)
        assert first.microsecond == 781000
        assert [b[0] - a[0] for a, b in itertools.pairwise(samples)] == [timedelta(seconds=15)] * 2

    def test_no_series_matches(self) -> None:
        with pytest.raises(EventLogError, match="'series'"):
            read_samples(DATA / "prometheus_range.json", series={"job": "nope"})

    def test_load_series_feeds_find_overloads(self) -> None:
        """18:00 0.62, 19:00 0.99, 20:00 0.97, 23:00 0.55 (Seoul): above 90% 19:00-23:00."""
        samples = read_samples(DATA / "prometheus_load.json", tz="Asia/Seoul")
        assert samples[0][0] == pendulum.datetime(2026, 3, 2, 18, tz="Asia/Seoul")
        assert str(samples[0][0].tzinfo) == "Asia/Seoul"
        assert samples[-1][0] == pendulum.datetime(2026, 3, 3, 0, 0, 0, 500_000, tz="Asia/Seoul")
        (span,) = find_overloads(samples, threshold="90%")
        assert span.start == pendulum.datetime(2026, 3, 2, 19, tz="Asia/Seoul")
        assert span.duration == timedelta(hours=4)

    def test_utc_without_tz_and_a_parsed_document(self) -> None:
        document = json.loads((DATA / "prometheus_load.json").read_text(encoding="utf-8"))
        samples = read_samples(document)
        assert samples == read_samples(DATA / "prometheus_load.json")
        assert samples[0][0].tzinfo is not None and samples[0][0].utcoffset() == timedelta(0)
        assert samples[-1][0].microsecond == 500_000

    def test_an_open_file(self) -> None:
        with open(DATA / "prometheus_load.json", encoding="utf-8") as handle:
            assert len(read_samples(handle)) == 5

    def test_percent_values(self) -> None:
        document = response([[1772442000, "95.5"]])
        assert read_samples(document, unit="%")[0][1] == Fraction(955, 1000)
        with pytest.raises(EventLogError, match="unit='%'"):
            read_samples(document)

    @pytest.mark.parametrize(
        ("values", "where"),
        [
            ([[1772442000, "NaN"]], "values[0][1]"),
            ([[1772442000, "+Inf"]], "values[0][1]"),
            ([[1772442000, "0.5"], [1772442001, "-1"]], "values[1][1]"),
            ([[Decimal("1772442000.0000001"), "0.5"]], "values[0][0]"),
            ([["1772442000.0000001", "0.5"]], "values[0][0]"),
            ([["soon", "0.5"]], "values[0][0]"),
            ([[Decimal("1E+99999999"), "0.5"]], "values[0][0]"),
            ([[10**5000, "0.5"]], "values[0][0]"),
            ([[1772442000, "9" * 5000]], "values[0][1]"),
            ([[1772442000]], "values[0]"),
            ([[True, "0.5"]], "values[0][0]"),
        ],
    )
    def test_bad_samples_are_named_by_their_path(self, values: list[Any], where: str) -> None:
        with pytest.raises(EventLogError) as info:
            read_samples(response(values))
        assert f"$.data.result[0].{where}" in str(info.value)

    def test_duplicate_timestamps(self) -> None:
        with pytest.raises(EventLogError, match=r"values\[0\] and .*values\[1\]"):
            read_samples(response([[1772442000, "0.5"], [1772442000.0, "0.6"]]))

    def test_other_responses_are_refused(self) -> None:
        instant = {"status": "success", "data": {"resultType": "vector", "result": []}}
        with pytest.raises(EventLogError, match="query_range"):
            read_samples(instant)
        failed = {"status": "error", "errorType": "bad_data", "error": "parse error"}
        with pytest.raises(EventLogError, match="bad_data: parse error"):
            read_samples(failed)
        with pytest.raises(EventLogError, match="histograms"):
            read_samples(
                {
                    "status": "success",
                    "data": {"resultType": "matrix", "result": [{"metric": {}, "histograms": []}]},
                }
            )

    def test_an_empty_result_is_no_samples(self) -> None:
        empty = {"status": "success", "data": {"resultType": "matrix", "result": []}}
        assert read_samples(empty) == ()

    @pytest.mark.parametrize(
        "content",
        [
            '{"status": "success", "status": "success"}',
            '{"status": "success", "data": NaN}',
            "{" * 100_000,
            '{"status": ',
            "[1, 2]",
            '{"status": "success", "data": {"resultType": "matrix", "result": {}}}',
        ],
    )
    def test_bad_json(self, content: str) -> None:
        with pytest.raises(EventLogError):
            read_samples(text(content))


def response(values: list[Any]) -> dict[str, Any]:
    return {
        "status": "success",
        "data": {"resultType": "matrix", "result": [{"metric": {"job": "x"}, "values": values}]},
    }


# ============================================================================ round trips

instants_us = st.integers(
    min_value=-(10**15), max_value=4 * 10**15
)  # about 1938 to 2096, in microseconds
offsets = st.sampled_from(["Z", "+09:00", "-05:00", "+05:45"])


def iso(us: int, offset: str) -> str:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    if offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        moment = moment.astimezone(timezone(sign * timedelta(hours=hours, minutes=minutes)))
    return moment.isoformat()


@st.composite
def outage_rows(draw: st.DrawFn) -> tuple[Outage, dict[str, str]]:
    start = draw(instants_us)
    end = start + draw(st.integers(0, 10**11))
    impact = draw(st.fractions(min_value=Fraction(1, 1000), max_value=1, max_denominator=1000))
    outage = Outage(
        iso(start, draw(offsets)),
        iso(end, draw(offsets)),
        impact=impact,
        planned=draw(st.booleans()),
        id=draw(
            st.none() | st.text("ABC-123 ,;\"'é\n", min_size=1).filter(lambda s: s.strip() == s)
        ),
    )
    fields = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "service": st.text('abc ,;|"é', min_size=1).filter(lambda s: s.strip() == s),
                "ci": st.text("xyz-0", min_size=1),
            },
        )
    )
    outage = Outage(
        outage.start,
        outage.end,
        impact=outage.impact,
        planned=outage.planned,
        id=outage.id,
        service=fields.get("service"),
        ci=fields.get("ci"),
    )
    return outage, fields


def impact_text(impact: Fraction, form: int) -> str:
    if form == 0:
        return f"{impact.numerator}/{impact.denominator}"
    if impact.denominator in (1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 125, 200, 250, 500, 1000):
        exact = Decimal(impact.numerator) / Decimal(impact.denominator)
        return f"{exact * 100:f}%" if form == 1 else f"{exact:f}"
    return f"{impact.numerator}/{impact.denominator}"


@settings(max_examples=60)
@given(
    rows=st.lists(outage_rows(), max_size=6),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    form=st.integers(0, 2),
)
def test_outages_round_trip(
    rows: list[tuple[Outage, dict[str, str]]], sep: str, form: int
) -> None:
    import csv

    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(["start", "end", "impact", "planned", "id", "service", "ci"])
    for outage, fields in rows:
        writer.writerow(
            [
                outage.start.isoformat(),
                outage.end.isoformat(),
                impact_text(outage.impact, form),
                "yes" if outage.planned else "no",
                outage.id or "",
                fields.get("service", ""),
                fields.get("ci", ""),
            ]
        )
    back = read_outages(text(out.getvalue()), delimiter=sep if rows else None)
    assert back == tuple(o for o, _ in rows)
    assert [dict(a) for a in back.attributes] == [f for _, f in rows]
    assert [o.start.utcoffset() for o in back] == [o.start.utcoffset() for o, _ in rows]


@settings(max_examples=60)
@given(
    points=st.dictionaries(
        instants_us,
        st.fractions(min_value=0, max_value=1, max_denominator=10**6).filter(
            lambda f: all(p in (2, 5) for p in _primes(f.denominator))
        ),
        max_size=8,
    ),
    percent=st.booleans(),
    offset=offsets,
)
def test_samples_round_trip(points: dict[int, Fraction], percent: bool, offset: str) -> None:
    lines = ["time,value"]
    for us, value in points.items():
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        lines.append(f"{iso(us, offset)},{exact * 100 if percent else exact:f}")
    back = read_samples(text("\n".join(lines) + "\n"), unit="%" if percent else "ratio")
    want = sorted(points.items())
    assert [(to_us(t), v) for t, v in back] == want


def _primes(n: int) -> list[int]:
    out, p = [], 2
    while n > 1 and p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return [*out, n] if n > 1 else out


def test_every_error_is_an_itilkit_error() -> None:
    for call in (
        lambda: read_outages(text("")),
        lambda: read_samples(text("time,value\nx,y\n")),
        lambda: read_samples({"status": "nope"}),
    ):
        with pytest.raises(ItilkitError):
            call()


def test_outages_carry_service_and_ci() -> None:
    """The service and CI columns reach the Outage values themselves."""
    import io as text_io

    from itilkit.io import read_outages

    text = "start,end,service,ci\n2026-03-02T09:00Z,2026-03-02T10:00Z,ERP,db1\n"
    (outage,) = read_outages(text_io.StringIO(text))
    assert (outage.service, outage.ci) == ("ERP", "db1")
