"""Reading an event log's bytes: files that cannot be opened, CSV that cannot be read.

Every way a file can fail to be CSV becomes an :class:`~itilkit.EventLogError`
naming the row (the header is row 1, each record one row, however many lines
a quoted field spans), and nothing is changed in the interpreter's global
state (``csv.field_size_limit`` stays what it was).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from itilkit import EventLogError, InvalidValueError
from itilkit.io import read_event_log

HEADER = "number,incident_state,sys_mod_count,opened_at,sys_updated_at,impact,urgency"
ROW = "INC{n},New,0,2/3/2016 09:00,2/3/2016 09:05,2 - Medium,2 - Medium"


def rows(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def read(text: str, **kwargs: object) -> object:
    kwargs.setdefault("tz", "UTC")
    return read_event_log(io.StringIO(text, newline=""), **kwargs)  # type: ignore[arg-type]


def failure(text: str, **kwargs: object) -> EventLogError:
    with pytest.raises(EventLogError) as info:
        read(text, **kwargs)
    return info.value


class TestCsvProblemsNameTheRow:
    def test_a_field_over_the_csv_limit(self) -> None:
        """A field longer than the CSV module's limit is an EventLogError on its row."""
        limit = csv.field_size_limit()
        huge = "x" * (limit + 1)
        text = rows(ROW.format(n=1), f"INC2,New,0,2/3/2016 09:00,2/3/2016 09:05,{huge},Low")
        error = failure(text)
        assert error.row == 3
        assert str(limit) in str(error) and "longer than" in str(error)
        assert isinstance(error, ValueError)  # what callers that know nothing of itilkit catch

    def test_the_limit_is_not_raised_behind_the_callers_back(self) -> None:
        before = csv.field_size_limit()
        failure(rows("INC1," + "y" * (before + 10) + ",0,a,b,c,d"))
        read(rows(ROW.format(n=1)))
        assert csv.field_size_limit() == before

    def test_a_quote_never_closed(self) -> None:
        """A lenient reader would swallow the rest of the file into one field: rows lost."""
        text = rows(
            ROW.format(n=1),
            'INC2,New,0,2/3/2016 09:00,2/3/2016 09:05,2 - Medium,"2 - Medium',
            ROW.format(n=3),
            ROW.format(n=4),
        )
        error = failure(text)
        assert error.row == 3
        assert "quote" in str(error)

    def test_a_stray_quote_after_a_quoted_field(self) -> None:
        text = rows(ROW.format(n=1), ROW.format(n=2), '"INC3"x,New,0,a,b,c,d')
        error = failure(text)
        assert error.row == 4
        assert "quote" in str(error)

    def test_the_first_data_row_is_row_2(self) -> None:
        error = failure(rows('"INC1"x,New,0,a,b,c,d'))
        assert error.row == 2

    def test_rows_are_records_not_lines(self) -> None:
        """A quoted field spanning three lines is still one row."""
        multi = 'INC1,New,0,2/3/2016 09:00,2/3/2016 09:05,"2 - Medium\n\nmore",2 - Medium'
        error = failure(rows(multi, '"INC2"x,New,0,a,b,c,d'))
        assert error.row == 3

    def test_a_broken_header(self) -> None:
        error = failure('"number"x,incident_state\nINC1,New\n')
        assert error.row == 1

    def test_a_line_break_in_an_unquoted_field_of_a_file_opened_without_newline(
        self, tmp_path: Path
    ) -> None:
        """A handle opened without newline='' can hand the reader a bare CR: still a row error."""
        path = tmp_path / "events.csv"
        path.write_bytes((HEADER + "\r\n" + "INC1,New\r,0,a,b,c,d\r\n").encode())
        with (
            open(path, encoding="utf-8", newline="\n") as handle,
            pytest.raises(EventLogError) as info,
        ):
            read_event_log(handle, tz="UTC")
        assert info.value.row == 2

    def test_nul_bytes_of_utf16_without_a_bom(self, tmp_path: Path) -> None:
        """UTF-16 without a byte-order mark decodes as UTF-8 with a NUL after each letter."""
        path = tmp_path / "events.csv"
        path.write_bytes(rows(ROW.format(n=1)).encode("utf-16-le"))
        with pytest.raises(EventLogError) as info:
            read_event_log(path, tz="UTC")
        assert info.value.row == 1

    def test_nul_in_a_cell_is_read_and_reported_like_any_other_text(self) -> None:
        text = rows("INC1,N\x00ew,0,2/3/2016 09:00,2/3/2016 09:05,2 - Medium,Low")
        error = failure(text, strict=True)
        assert error.row == 2 and error.column == "incident_state"
        log = read(text)
        assert [(a.row, a.kind) for a in log.anomalies] == [(2, "unknown_state")]  # type: ignore[attr-defined]

    def test_utf16_read_as_utf8_is_a_clear_error(self, tmp_path: Path) -> None:
        path = tmp_path / "events.csv"
        path.write_bytes(rows(ROW.format(n=1)).encode("utf-16"))
        with pytest.raises(EventLogError) as info:
            read_event_log(path, tz="UTC")
        assert info.value.row == 1


class TestDelimiter:
    @pytest.mark.parametrize("delimiter", ["", ";;", '"', "\n", "\r"])
    def test_not_one_usable_character(self, delimiter: str) -> None:
        with pytest.raises(InvalidValueError) as info:
            read(rows(ROW.format(n=1)), delimiter=delimiter)
        assert info.value.field == "delimiter"
        assert str(info.value).startswith("'delimiter' must be ")

    def test_a_semicolon_export(self) -> None:
        log = read(rows(ROW.format(n=1)).replace(",", ";"), delimiter=";")
        assert [inc.id for inc in log.incidents] == ["INC1"]  # type: ignore[attr-defined]


class TestOpening:
    def test_a_missing_file_names_it(self, tmp_path: Path) -> None:
        missing = tmp_path / "nowhere.csv"
        with pytest.raises(EventLogError) as info:
            read_event_log(missing, tz="UTC")
        assert str(missing) in str(info.value)

    def test_a_directory(self, tmp_path: Path) -> None:
        with pytest.raises(EventLogError) as info:
            read_event_log(tmp_path, tz="UTC")
        assert str(tmp_path) in str(info.value)

    def test_a_path_holding_a_nul(self) -> None:
        with pytest.raises(EventLogError) as info:
            read_event_log("events\x00.csv", tz="UTC")
        assert "'events\\x00.csv'" in str(info.value)

    def test_an_unknown_encoding(self, tmp_path: Path) -> None:
        path = tmp_path / "events.csv"
        path.write_text(rows(ROW.format(n=1)))
        with pytest.raises(InvalidValueError) as info:
            read_event_log(path, tz="UTC", encoding="no-such-codec")
        assert info.value.field == "encoding"


def test_progress_is_reported_while_reading() -> None:
    """A progress callback hears the rows read every 10,000 rows (25,000 rows: twice)."""
    import io

    from itilkit.io import read_event_log

    lines = ["number,incident_state,sys_mod_count,opened_at,sys_updated_at,priority"]
    lines += [
        f"INC{i // 5},New,{i % 5},2/3/2016 09:00,2/3/2016 09:{i % 5:02d},3 - Moderate"
        for i in range(25_000)
    ]
    heard: list[int] = []
    log = read_event_log(io.StringIO("\n".join(lines)), tz="UTC", progress=heard.append)
    assert heard == [10_000, 20_000]
    assert log.rows == 25_000 and len(log.incidents) == 5_000


def test_a_quote_left_open_does_not_swallow_rows_silently(tmp_path: Path) -> None:
    """The bundled sample with a quote opened in row 6's vendor cell and closed in row 51's
    caller cell: the 45 lines between read as one field. That record is dropped and named
    (swallowed_rows), so no incident silently loses its rows; a description with ordinary
    line breaks still reads."""
    import csv as csv_module

    from itilkit.io import read_event_log

    sample = Path(__file__).parent / "data" / "servicenow_event_log_sample.csv"
    lines = sample.read_text(encoding="utf-8").splitlines()
    header = next(csv_module.reader([lines[0]]))
    vendor, caller = header.index("vendor"), header.index("caller_id")
    rows = [next(csv_module.reader([line])) for line in lines[1:]]
    cells6 = rows[4]  # file line 6 is data row index 4
    cells6[vendor] = '"Urgent - call back'
    cells51 = rows[49]
    cells51[caller] = 'Monitor 24"'
    out = [lines[0]] + [",".join(r) for r in rows]
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(out) + "\n", encoding="utf-8")
    log = read_event_log(broken, tz="UTC")
    (swallowed,) = [a for a in log.anomalies if a.kind == "swallowed_rows"]
    assert swallowed.row == 6 and "closes 45 lines later" in swallowed.message
    summary = log.summary()
    assert summary.rows == summary.steps + summary.repeats + summary.dropped
