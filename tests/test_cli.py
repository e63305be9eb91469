"""The ``itilkit`` command, run as users run it: in a subprocess, from another folder."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

import itilkit
from itilkit.cli import _progress, main


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "itilkit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_from_another_folder(tmp_path: Path) -> None:
    """The demo needs no arguments and no files of the caller's."""
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # March 2026 in Seoul: 21 working days x 9 h, shown in hours and minutes (DESIGN 1).
    assert "189h 00m of agreed service time" in result.stdout
    assert "due Tue 03 Mar 12:00" in result.stdout
    assert "7h 00m" in result.stdout and "9h 00m" in result.stdout
    # Availability: 60 + 50 + 3.4 min of the bundled outages fall inside agreed hours,
    # 113.4 min = 1 h 53 min 24 s.
    assert "downtime inside agreed hours: 1h 53m 24s of 189h 00m agreed" in result.stdout
    assert "meets the 97% target by 2 points" in result.stdout
    assert "Mon-Fri 18:00-22:00: 22 occurrences" in result.stdout


def test_window_command(capsys: pytest.CaptureFixture[str]) -> None:
    """Business time and spans of a window; 27 Feb and 3 March are the only open days."""
    status = main(
        [
            "window",
            "Mon-Fri 09:00-18:00",
            "--tz",
            "Asia/Seoul",
            "--holidays",
            "KR",
            "--between",
            "2026-02-27T00:00+09:00",
            "2026-03-04T00:00+09:00",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "business time: 18h 00m (64800 s)" in out  # two days of 9 h, never "0:00:00"
    assert "2026-03-03T09:00:00+09:00  2026-03-03T18:00:00+09:00" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "window",
                "Mon-Fri 09:00-18:00",
                "--tz",
                "Mars/X",
                "--between",
                "2026-01-01T00:00Z",
                "2026-01-02T00:00Z",
            ],
            "'tz' must be an IANA time zone",
        ),
        (
            [
                "window",
                "Mon-Fry 09:00-18:00",
                "--tz",
                "UTC",
                "--between",
                "2026-01-01T00:00Z",
                "2026-01-02T00:00Z",
            ],
            "bad token 'mon-fry'",
        ),
        (
            [
                "window",
                "Mon 09:00-18:00",
                "--tz",
                "UTC",
                "--between",
                "2026-01-01T00:00",
                "2026-01-02T00:00Z",
            ],
            "'start' must be an aware datetime",
        ),
        (
            [
                "window",
                "Mon 09:00-18:00",
                "--tz",
                "UTC",
                "--holidays",
                "XX",
                "--between",
                "2026-01-01T00:00Z",
                "2026-01-02T00:00Z",
            ],
            "'holidays' must be a country code",
        ),
        (
            [
                "window",
                "Mon 09:00-18:00",
                "--tz",
                "UTC",
                "--between",
                "0001-01-01T00:00+09:00",
                "9999-12-31T00:00+09:00",
            ],
            "'start' must be an instant from",
        ),
        (
            [
                "window",
                "Mon 09:00-18:00",
                "--tz",
                "UTC",
                "--between",
                "2026-01-01T00:00Z",
                "9000-01-01T00:00Z",
            ],
            "'end' must be within",
        ),
    ],
)
def test_errors_are_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input exits non-zero with one line naming the problem, never a traceback."""
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_usage_errors(tmp_path: Path) -> None:
    result = run("window", cwd=tmp_path)
    assert result.returncode == 2
    assert "the following arguments are required" in result.stderr
    assert "Traceback" not in result.stderr
    assert run(cwd=tmp_path).returncode == 2


@pytest.mark.parametrize("command", [[], ["demo"], ["window"]])
def test_help_has_examples(command: list[str], tmp_path: Path) -> None:
    result = run(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "example" in result.stdout


DATA = Path(__file__).parent / "data"
EVENTS = DATA / "servicenow_event_log_sample.csv"
SLA_TOML = """
name = "Round the clock"
[window]
tz = "UTC"
[[targets]]
metric = "response"
within = "PT1H"
[[targets]]
metric = "resolution"
within = "P1D"
"""


@pytest.fixture
def sla_file(tmp_path: Path) -> Path:
    path = tmp_path / "sla.toml"
    path.write_text(SLA_TOML)
    return path


class TestReport:
    """``itilkit report``: the bundled sample against a 24x7 SLA (1 h response, 1 day resolution).

    The expected counts are the ones tests/test_sla.py derives by hand from the
    CSV: response 12 met / 20 breached, resolution 14 met / 18 breached.
    """

    def test_json_schema(self, sla_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["report", str(EVENTS), "--sla", str(sla_file), "--format", "json"]) == 0
        document = json.loads(capsys.readouterr().out)
        assert document["sla"] == "Round the clock"
        assert document["incidents"] == 32
        # INC0000083, 84 and 94 are recorded "4 - Low" where the ITIL matrix gives P5:
        # the recorded priority wins and each is reported once as a priority mismatch.
        assert document["anomalies"] == 3
        # The export is read in the SLA's zone (UTC here); its last update is 17/4/2016 15:07.
        assert document["as_of"] == "2016-04-17T15:07:00+00:00"
        by_metric = document["compliance"]["by_metric"]
        assert (by_metric["response"]["met"], by_metric["response"]["breached"]) == (12, 20)
        assert (by_metric["resolution"]["met"], by_metric["resolution"]["breached"]) == (14, 18)
        assert document["compliance"]["met"] == 26
        assert document["compliance"]["rate"] == {"exact": "0.40625", "float": 0.40625}  # 26/64
        assert len(document["breaches"]) == 38

    def test_text_and_html(self, sla_file: Path, tmp_path: Path) -> None:
        result = run("report", str(EVENTS), "--sla", str(sla_file), "--tz", "UTC", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "SLA Round the clock: compliance as of 2016-04-17 15:07" in result.stdout
        assert "Breaches" in result.stdout
        page = tmp_path / "report.html"
        result = run(
            "report",
            str(EVENTS),
            "--sla",
            str(sla_file),
            "--format",
            "html",
            "-o",
            str(page),
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        text = page.read_text()
        assert text.startswith("<!DOCTYPE html>")
        assert "<title>SLA compliance: Round the clock</title>" in text

    def test_as_of_in_the_past(self, sla_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--as-of moves the report to a past instant; every incident of the export is counted."""
        args = ["report", str(EVENTS), "--sla", str(sla_file), "--format", "json"]
        assert main([*args, "--as-of", "2016-02-29T00:00Z"]) == 0
        document = json.loads(capsys.readouterr().out)
        assert document["as_of"] == "2016-02-29T00:00:00+00:00"
        assert document["incidents"] == 32

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            (["--as-of", "2016-03-01T00:00"], "'as_of' must be an aware datetime"),
            (["--tz", "Mars/X"], "'tz' must be an IANA time zone"),
            (["--preset", "jira2"], "'--preset' must be one of"),
        ],
    )
    def test_bad_options(
        self,
        sla_file: Path,
        extra: list[str],
        message: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert main(["report", str(EVENTS), "--sla", str(sla_file), *extra]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err

    def test_bad_files(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        bad = tmp_path / "bad.toml"
        bad.write_text('name = "X"\n[window]\ntz = "UTC"\n[[targets]]\nmetric = "speed"\n')
        assert main(["report", str(EVENTS), "--sla", str(bad)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert f"SLA file '{bad}':" in err and "$.targets[0].metric" in err
        assert main(["report", str(tmp_path / "none.csv"), "--sla", str(bad)]) == 1
        assert main(["report", str(EVENTS), "--sla", str(tmp_path / "none.toml")]) == 1
        err = capsys.readouterr().err
        assert "none.toml" in err and "Traceback" not in err

    def test_progress_bar(self) -> None:
        """The bar counts incidents as the report consumes them."""
        from itilkit.io import read_event_log

        log = read_event_log(EVENTS, tz="UTC")
        stream = io.StringIO()
        assert list(_progress(log.incidents, stream)) == list(log.incidents)
        assert stream.getvalue().rstrip().endswith("[" + "#" * 30 + "] 32/32 incidents")


class TestInProcess:
    """The same paths as above, in this process (so they count for coverage)."""

    def test_demo_and_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["demo"]) == 0
        assert "8. A change to add that capacity" in capsys.readouterr().out
        assert main([]) == 2
        assert "COMMAND" in capsys.readouterr().out

    def test_usage_error_is_one_line(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as info:
            main(["window", "Mon 09:00-10:00"])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.endswith("(see --help)\n")

    def test_report_to_a_file(self, sla_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "report.json"
        args = ["report", str(EVENTS), "--sla", str(sla_file), "--format", "json", "-o", str(out)]
        assert main(args) == 0
        assert json.loads(out.read_text())["incidents"] == 32
        html_out = tmp_path / "report.html"
        assert main([*args[:4], "--format", "html", "-o", str(html_out)]) == 0
        assert "<table>" in html_out.read_text()

    def test_missing_sla_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["report", str(EVENTS), "--sla", str(tmp_path / "gold.toml")]) == 1
        err = capsys.readouterr().err
        assert err.startswith("itilkit: error: ") and "gold.toml" in err


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    """`itilkit demo | head -1`: no traceback and no message when the reader leaves."""
    result = subprocess.run(
        f"{sys.executable} -m itilkit demo | head -1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.startswith("itilkit demo")
    assert result.stderr == ""


# -- the issue "One way to write a number": CLI and input robustness --------------------


def one_line_error(err: str) -> str:
    """The message of a failure's stderr, after checking it is one clean line."""
    assert err.startswith("itilkit: error: "), err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    return err[len("itilkit: error: ") : -1]


def test_version(tmp_path: Path) -> None:
    import itilkit

    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"itilkit {itilkit.__version__}\n"
    assert result.stdout.split()[1].count(".") >= 1  # a version number, not an empty string


def test_version_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    import itilkit

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"itilkit {itilkit.__version__}\n"


WINDOW = ["window", "Mon-Fri 09:00-18:00", "--tz", "UTC", "--between"]


class TestBetween:
    def test_end_before_start(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A backwards interval is refused, naming 'end' and both instants, with no table."""
        assert main([*WINDOW, "2026-03-10T00:00Z", "2026-03-01T00:00Z"]) == 1
        out, err = capsys.readouterr()
        message = one_line_error(err)
        assert out == ""
        assert message.startswith("'end' must be ")
        assert "2026-03-10T00:00Z" in message and "2026-03-01T00:00Z" in message

    def test_one_microsecond_backwards(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main([*WINDOW, "2026-03-02T10:00:00.000001Z", "2026-03-02T10:00Z"]) == 1
        assert one_line_error(capsys.readouterr().err).startswith("'end' must be ")

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            ("2026-03-02T10:00Z", "2026-03-02T10:00Z"),
            # The same instant written in two offsets is not backwards.
            ("2026-03-02T10:00Z", "2026-03-02T11:00+01:00"),
        ],
    )
    def test_an_empty_interval_is_zero(
        self, start: str, end: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Monday 10:00 UTC is open time, so only an empty interval gives zero."""
        assert main([*WINDOW, start, end]) == 0
        out = capsys.readouterr().out
        assert "business time: 0s (0 s)" in out  # the exact business time is zero
        assert "open from" in out and "T" not in out.split("--\n")[-1]  # no span listed

    def test_forwards_still_counts(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Mon 2 March 2026 09:00-18:00 is 9 h; a day after start gives exactly that."""
        assert main([*WINDOW, "2026-03-02T00:00Z", "2026-03-03T00:00Z"]) == 0
        assert "business time: 9h 00m (32400 s)" in capsys.readouterr().out


class TestFilesAreNamed:
    """A file the user gave that cannot be read is named as the user wrote it."""

    def test_missing_event_log(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        missing = tmp_path / "x.csv"
        assert main(["report", str(missing), "--sla", str(sla_file)]) == 1
        message = one_line_error(capsys.readouterr().err)
        assert message == f"event log '{missing}': no such file"
        assert "source" not in message

    def test_event_log_is_a_directory(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["report", str(tmp_path), "--sla", str(sla_file)]) == 1
        assert one_line_error(capsys.readouterr().err) == f"event log '{tmp_path}': is a directory"

    def test_unreadable_files(
        self,
        sla_file: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Permission denied (faked: the suite may run as root, who can read anything)."""
        import builtins

        locked = {str(tmp_path / "locked.csv"), str(tmp_path / "locked.toml")}
        for name in locked:
            Path(name).write_text("")
        real_open = builtins.open

        def guarded(file: object, *args: object, **kwargs: object) -> object:
            if str(file) in locked:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
            return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(builtins, "open", guarded)
        events = str(tmp_path / "locked.csv")
        assert main(["report", events, "--sla", str(sla_file)]) == 1
        assert (
            one_line_error(capsys.readouterr().err) == f"event log '{events}': permission denied"
        )
        sla = str(tmp_path / "locked.toml")
        assert main(["report", str(EVENTS), "--sla", sla]) == 1
        message = one_line_error(capsys.readouterr().err)
        assert message.startswith(f"SLA file '{sla}': ") and "permission denied" in message

    @pytest.mark.parametrize("suffix", [".toml", ".json"])
    def test_sla_file_problems(
        self, suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        missing = tmp_path / f"gold{suffix}"
        undecodable = tmp_path / f"latin{suffix}"
        undecodable.write_bytes('name = "Caf\xe9"\n'.encode("latin-1"))
        nested = tmp_path / f"deep{suffix}"
        depth = 100_000
        if suffix == ".json":
            nested.write_text("[" * depth + "]" * depth)
        else:
            nested.write_text("a = " + "[" * depth + "]" * depth + "\n")
        folder = tmp_path / f"folder{suffix}"
        folder.mkdir()
        digits = tmp_path / f"digits{suffix}"
        digits.write_text(
            '{"name": ' + "9" * 5000 + "}" if suffix == ".json" else "name = " + "9" * 5000 + "\n"
        )
        for path in (missing, undecodable, nested, folder, digits):
            assert main(["report", str(EVENTS), "--sla", str(path)]) == 1
            message = one_line_error(capsys.readouterr().err)
            assert message.startswith(f"SLA file '{path}': "), message

    def test_unknown_encoding(self, sla_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["report", str(EVENTS), "--sla", str(sla_file), "--encoding", "nope"]) == 1
        assert one_line_error(capsys.readouterr().err).startswith("'--encoding' must be ")

    @pytest.mark.parametrize("where", ["folder", "no-such-folder/report.txt"])
    def test_output_cannot_be_written(
        self, where: str, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (tmp_path / "folder").mkdir()
        target = tmp_path / where
        assert main(["report", str(EVENTS), "--sla", str(sla_file), "-o", str(target)]) == 1
        assert one_line_error(capsys.readouterr().err).startswith(f"output file '{target}': ")

    def test_standard_output_full(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        class FullDisk(io.StringIO):
            def write(self, text: str) -> int:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(sys, "stdout", FullDisk())
        assert main([*WINDOW, "2026-03-02T00:00Z", "2026-03-03T00:00Z"]) == 1
        message = one_line_error(capsys.readouterr().err)
        assert message == "cannot write to standard output: no space left on device"

    def test_a_field_over_the_csv_limit(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        events = tmp_path / "huge.csv"
        lines = EVENTS.read_text(encoding="utf-8").splitlines()
        cells = lines[2].split(",")
        cells[16] = "x" * 200_000  # the category of the second data row (row 3)
        events.write_text("\n".join([lines[0], lines[1], ",".join(cells)]) + "\n")
        assert main(["report", str(events), "--sla", str(sla_file)]) == 1
        message = one_line_error(capsys.readouterr().err)
        assert message.startswith(f"event log '{events}': row 3: "), message[:200]
        assert len(message) < 500  # the field itself is not echoed

    def test_an_export_without_incidents(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        events = tmp_path / "header-only.csv"
        events.write_text(EVENTS.read_text(encoding="utf-8").splitlines()[0] + "\n")
        assert main(["report", str(events), "--sla", str(sla_file)]) == 1
        assert one_line_error(capsys.readouterr().err).startswith(f"event log '{events}': ")


ESC = "\x1b[31m"  # "red from here on", as a terminal reads it
RLO = "\u202e"  # right-to-left override: text shown other than it is stored
HOSTILE_ID = f"INC{ESC}7{RLO}"


def hostile_export(path: Path) -> Path:
    path.write_text(
        "number,incident_state,sys_mod_count,opened_at,sys_updated_at,impact,urgency\n"
        f"{HOSTILE_ID},New,0,2/3/2016 09:00,2/3/2016 09:00,2 - Medium,2 - Medium\n"
        f"{HOSTILE_ID},Resolved,1,2/3/2016 09:00,5/3/2016 09:00,2 - Medium,2 - Medium\n",
        encoding="utf-8",
    )
    return path


def raw_controls(text: str) -> set[str]:
    return {c for c in text if (c < " " and c != "\n") or "\x7f" <= c <= "\x9f" or c == RLO}


class TestControlCharacters:
    def test_text_report_escapes_ids(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The incident (breached: resolved after 3 days, 1 day allowed) is listed escaped."""
        events = hostile_export(tmp_path / "events.csv")
        assert main(["report", str(events), "--sla", str(sla_file)]) == 0
        out = capsys.readouterr().out
        assert raw_controls(out) == set()
        assert "INC\\x1b[31m7\\u202e" in out
        assert out.count("\n") > 3  # the report's own lines are kept

    def test_html_page_escapes_them_too(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """HTML escaping leaves control characters alone; printed, the page would act on the terminal."""
        events = hostile_export(tmp_path / "events.csv")
        assert main(["report", str(events), "--sla", str(sla_file), "--format", "html"]) == 0
        out = capsys.readouterr().out
        assert raw_controls(out) == set()
        assert "INC\\x1b[31m7\\u202e" in out

    def test_json_keeps_the_data(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        events = hostile_export(tmp_path / "events.csv")
        assert main(["report", str(events), "--sla", str(sla_file), "--format", "json"]) == 0
        out = capsys.readouterr().out
        assert raw_controls(out) == set()  # JSON escapes them its own way
        document = json.loads(out)
        assert {b["incident"] for b in document["breaches"]} == {HOSTILE_ID}

    @pytest.mark.parametrize(
        "args",
        [
            [*WINDOW[:1], f"Mon{ESC} 09:00-18:00", "--tz", "UTC", "--between", "a", "b"],
            [*WINDOW[:2], "--tz", f"{ESC}]0;owned\x07", "--between", "a", "b"],
            [*WINDOW, "2026-03-02T00:00Z", f"2026{ESC}"],
        ],
    )
    def test_errors_escape_what_the_user_gave(
        self, args: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(args) == 1
        err = capsys.readouterr().err
        message = one_line_error(err)
        assert raw_controls(err) == set()
        assert "\\x1b" in message

    def test_usage_errors_escape_too(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as info:
            main(["demo", f"--colour{ESC}\nsecond line"])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert raw_controls(err) == set() and err.count("\n") == 1
        assert "--colour\\x1b[31m" in err

    def test_a_header_with_controls(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        events = tmp_path / "events.csv"
        events.write_text(f"num{ESC}ber,state\nINC1,New\n", encoding="utf-8")
        assert main(["report", str(events), "--sla", str(sla_file)]) == 1
        err = capsys.readouterr().err
        assert raw_controls(err) == set()
        assert "num\\x1b[31mber" in one_line_error(err)


def test_interrupt_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted() -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("itilkit.cli.demo_text", interrupted)
    assert main(["demo"]) == 130
    out, err = capsys.readouterr()
    assert err == "itilkit: interrupted\n" and out == ""


def test_interrupt_of_a_real_process(tmp_path: Path) -> None:
    """SIGINT while the command runs: status 130, one line, no traceback."""
    script = tmp_path / "slow.py"
    script.write_text(
        "import signal, sys, time\n"
        "import itilkit.cli as cli\n"
        "def slow():\n"
        "    signal.raise_signal(signal.SIGINT)\n"
        "    time.sleep(30)\n"
        "cli.demo_text = slow\n"
        "sys.exit(cli.main(['demo']))\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 130
    assert result.stderr == "itilkit: interrupted\n"


HOSTILE = [
    ["window", ";", "--tz", "Nowhere/Atlantis", "--between", "x", "y"],
    ["window", "Mon 09:00-18:00", "--tz", "", "--between", "", ""],
    ["window", "", "--tz", "UTC", "--between", "2026-01-01T00:00Z", "2026-01-02T00:00Z"],
    ["window", "Mon 09:00-18:00", "--tz", "UTC", "--between", "garbage", "2026-01-02T00:00Z"],
    ["window", "Mon 09:00-18:00", "--tz", "UTC", "--between", "2026-01-01T00:00Z"],
    ["window", "Mon 09:00-18:00", "--tz", "UTC", "--between", "1e999", "-1e999"],
    ["window", "Mon 9" * 10_000, "--tz", "UTC", "--between", "a", "b"],
    ["window", "Mon 99999999999999999999:00-18:00", "--tz", "UTC", "--between", "a", "b"],
    ["window", "Mon 09:00-18:00", "--tz", "UTC", "--holidays", "", "--between", "a", "b"],
    ["window", "Mon 09:00-18:00", "--tz", "UTC", "--holidays", "ZZ-99", "--between", "a", "b"],
    ["window", "Mon 09:00-18:00", "--tz", "../../etc/passwd", "--between", "a", "b"],
    ["window", "Mon 09:00-18:00", "--tz", "UTC", "--between", "+99999-01-01T00:00Z", "b"],
    [
        "window",
        "Mon 09:00-18:00",
        "--tz",
        "UTC",
        "--between",
        "2026-01-01T00:00+23:59",
        "2026-01-01T00:00+24:00",
    ],
    ["report", "", "--sla", ""],
    ["report", "x.csv"],
    ["report", "x.csv", "--sla", "y.toml", "--format", "pdf"],
    ["report", "x.csv", "--sla", "y.toml", "--as-of"],
    ["demo", "extra"],
    ["nope"],
    ["--between"],
]


@pytest.mark.parametrize("args", HOSTILE, ids=lambda a: " ".join(a)[:40])
def test_hostile_arguments(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Every failure: one line on stderr, status 1 (our check) or 2 (usage), no traceback."""
    try:
        status = main(args)
    except SystemExit as exit_:
        status = exit_.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert status in (1, 2), (status, out[-300:])
    assert err.count("\n") == 1 and err.startswith("itilkit: error: "), err
    assert "internal error" not in err


@pytest.mark.parametrize(
    "document",
    [
        '{"name": "A", "name": 1}',
        "{}",
        "[]",
        "null",
        '"just a string"',
        '{"name": "X", "window": {"tz": "UTC"}, "targets": [{"metric": "response",'
        ' "within": "P99999999999999999999D"}]}',
        '{"name": NaN, "window": {"tz": "UTC", "hours": 1e999}, "targets": []}',
        '{"name": "X", "window": {"tz": "UTC"}, "targets": [{"metric": "response",'
        ' "within": "PT1H"}], "warn_at": [1e400, -0.0]}',
        '{"name": "\\u001b[31m", "window": {"tz": "UTC\\u0000"}, "targets": 7}',
        '{"a": ' * 5000 + "1" + "}" * 5000,
        '{"name": ' + "9" * 5000 + "}",  # past Python's limit of digits for an int
    ],
)
def test_hostile_sla_json(
    document: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sla = tmp_path / "sla.json"
    sla.write_text(document)
    assert main(["report", str(EVENTS), "--sla", str(sla)]) == 1
    err = capsys.readouterr().err
    assert raw_controls(err) == set()
    assert one_line_error(err).startswith(f"SLA file '{sla}': ")


class TestReportOptions:
    """Several agreements, other formats, and exports laid out another way (same sample)."""

    def test_several_slas_csv(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each agreement reports; CSV rows of both under one header (24x7 counts as above)."""
        second = tmp_path / "second.toml"
        second.write_text(SLA_TOML.replace("Round the clock", "Copy"))
        argv = ["report", str(EVENTS), "--sla", str(sla_file), "--sla", str(second)]
        assert main([*argv, "--format", "csv"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == "sla,metric,priority,met,breached,in_progress,rate,percent"
        assert {line.split(",")[0] for line in lines[1:]} == {"Round the clock", "Copy"}
        # Met plus breached per SLA and metric add up to the 32 incidents of the sample.
        for name in ("Round the clock", "Copy"):
            for metric in ("response", "resolution"):
                cells = [r.split(",") for r in lines[1:] if r.startswith(f"{name},{metric},")]
                assert sum(int(c[3]) + int(c[4]) + int(c[5]) for c in cells) == 32

    def test_several_slas_split_by_applies_to(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Two agreements that split the priorities between them: one report whose parts
        add up to the single 24x7 agreement's counts (12 + 20 response, 14 + 18 resolution)."""
        high = tmp_path / "high.toml"
        high.write_text(
            SLA_TOML.replace("Round the clock", "High")
            + '[applies_to]\npriority = ["P1", "P2", "P3"]\n'
        )
        low = tmp_path / "low.toml"
        low.write_text(
            SLA_TOML.replace("Round the clock", "Low") + '[applies_to]\npriority = ["P4", "P5"]\n'
        )
        argv = ["report", str(EVENTS), "--sla", str(high), "--sla", str(low), "--format", "json"]
        assert main(argv) == 0
        document = json.loads(capsys.readouterr().out)
        assert document["sla"] == "High + Low"
        parts = document["compliance"]["by_sla"]
        assert set(parts) == {"High", "Low"}
        assert sum(p["met"] for p in parts.values()) == 12 + 14
        assert sum(p["breached"] for p in parts.values()) == 20 + 18
        assert document["compliance"]["not_applicable"] == 0
        by_metric = document["compliance"]["by_metric"]
        assert (by_metric["response"]["met"], by_metric["response"]["breached"]) == (12, 20)

    def test_markdown(self, sla_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["report", str(EVENTS), "--sla", str(sla_file), "--format", "markdown"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("**SLA Round the clock: compliance as of 2016-04-17 15:07")
        assert "| response | 12 | 20 | 0 | 37.5% |" in out  # 12 / 32, as derived above

    def test_columns_states_and_delimiter(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A semicolon export with another id header and another state name reads the same."""
        text = EVENTS.read_text(encoding="utf-8")
        header, rest = text.split("\n", 1)
        header = header.replace("number", "ticket", 1)
        rest = rest.replace(",Active,", ",Working,")
        moved = tmp_path / "moved.csv"
        moved.write_text((header + "\n" + rest).replace(",", ";"), encoding="utf-8")
        columns = tmp_path / "columns.toml"
        columns.write_text('id = "ticket"\n')
        states = tmp_path / "states.json"
        states.write_text('{"Working": "in_progress"}')
        argv = ["report", str(moved), "--sla", str(sla_file), "--format", "json"]
        argv += ["--columns", str(columns), "--states", str(states), "--delimiter", ";"]
        assert main(argv) == 0
        by_metric = json.loads(capsys.readouterr().out)["compliance"]["by_metric"]
        assert (by_metric["response"]["met"], by_metric["response"]["breached"]) == (12, 20)

    def test_a_bad_mapping_file(
        self, sla_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = tmp_path / "columns.toml"
        bad.write_text("id = 5\n")
        argv = ["report", str(EVENTS), "--sla", str(sla_file), "--columns", str(bad)]
        assert main(argv) == 1
        assert "columns file" in capsys.readouterr().err


def test_applies_to_a_carried_field_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An SLA for one assignment group selects, from the command line, exactly the incidents
    whose last recorded group is that one (counted here straight from the CSV)."""
    import csv

    with EVENTS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    last: dict[str, dict[str, str]] = {}
    for row in rows:
        seen = last.get(row["number"])
        if seen is None or int(row["sys_mod_count"]) >= int(seen["sys_mod_count"]):
            last[row["number"]] = row
    chosen = sorted(n for n, row in last.items() if row["assignment_group"] == "Group 70")
    assert chosen  # the sample has incidents of that group
    sla = tmp_path / "group.toml"
    sla.write_text(SLA_TOML + '[applies_to]\ngroup = ["Group 70"]\n')
    assert main(["report", str(EVENTS), "--sla", str(sla), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["incidents"] == len(last)
    assert document["compliance"]["not_applicable"] == len(last) - len(chosen)
    response = document["compliance"]["by_metric"]["response"]
    assert response["met"] + response["breached"] + response["in_progress"] == len(chosen)


def test_priority_recorded_or_matrix(sla_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The export's priorities by default (5 P4, no P5 in the sample); --priority matrix
    recomputes them from impact x urgency, which puts INC0000083, 84 and 94 at P5."""
    argv = ["report", str(EVENTS), "--sla", str(sla_file), "--format", "json"]
    assert main(argv) == 0
    recorded = json.loads(capsys.readouterr().out)["compliance"]["by_priority"]
    assert "P5" not in recorded
    assert sum(recorded["P4"][k] for k in ("met", "breached", "in_progress")) == 2 * 5
    assert main([*argv, "--priority", "matrix"]) == 0
    document = json.loads(capsys.readouterr().out)
    matrix = document["compliance"]["by_priority"]
    assert sum(matrix["P5"][k] for k in ("met", "breached", "in_progress")) == 2 * 3
    assert document["priority"] == "matrix"
    assert main(["report", str(EVENTS), "--sla", str(sla_file), "--priority", "matrix"]) == 0
    assert "Priorities recomputed from impact x urgency" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("export", "preset", "incidents"),
    [
        ("servicenow_incident_rest_export.csv", "servicenow-incident", 67),  # one row each
        ("servicenow_sys_audit.csv", "servicenow-sys_audit", 2),  # 2 incidents; 1 change row
    ],
)
def test_other_export_layouts(
    sla_file: Path, export: str, preset: str, incidents: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Snapshots and field-change tables report through the same command, by preset.

    The counts are the fixtures' distinct incidents: 67 numbers in the REST export; in the
    sys_audit table two incident document keys (a third key belongs to a change_request)."""
    argv = ["report", str(DATA / export), "--sla", str(sla_file), "--preset", preset]
    assert main([*argv, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["incidents"] == incidents


def test_applies_to_service_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's case: an SLA for one service, from the command line, on an export with a
    business_service column (the sample with one added: INC0000045 and INC0000047 are 'ERP',
    every other incident 'Mail'). Only those two are applicable."""
    import csv

    with EVENTS.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [*(reader.fieldnames or []), "business_service"]
        rows = list(reader)
    for row in rows:
        row["business_service"] = (
            "ERP" if row["number"] in ("INC0000045", "INC0000047") else "Mail"
        )
    export = tmp_path / "with_service.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    sla = tmp_path / "erp.toml"
    sla.write_text(SLA_TOML + '[applies_to]\nservice = ["ERP"]\n')
    assert main(["report", str(export), "--sla", str(sla), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["compliance"]["not_applicable"] == 32 - 2
    response = document["compliance"]["by_metric"]["response"]
    assert response["met"] + response["breached"] + response["in_progress"] == 2


def test_presets_and_their_needs(sla_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown preset lists every reader's presets; generic without --columns says so;
    reconciling a field the export lacks says nothing was compared."""
    argv = ["report", str(EVENTS), "--sla", str(sla_file)]
    assert main([*argv, "--preset", "nope"]) == 1
    error = capsys.readouterr().err
    assert "servicenow-incident" in error and "jira" in error and "generic" in error
    assert main([*argv, "--preset", "generic"]) == 1
    assert "--preset generic needs --columns FILE" in capsys.readouterr().err
    assert main(["reconcile", str(EVENTS), "--sla", str(sla_file), "--times"]) == 0
    assert "Nothing was compared: no incident records 'business_resolve_time'" in (
        capsys.readouterr().out
    )


class TestReview:
    """``itilkit review``: the founding story's service on the bundled data."""

    def test_demo_text(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["review", "--demo"]) == 0
        out = capsys.readouterr().out
        # 189 h agreed (21 weekdays x 9 h), 1h 53m 24s down: 99% exactly, 2 points over 97%.
        assert "Is IT doing well? Yes" in out
        assert "was 99% against an SLA of 97%: met by 2 points" in out
        assert "1h 53m 24s of 189h 00m agreed" in out

    def test_demo_json_validates(self, capsys: pytest.CaptureFixture[str]) -> None:
        jsonschema = pytest.importorskip("jsonschema")
        assert main(["review", "--demo", "--format", "json"]) == 0
        document = json.loads(capsys.readouterr().out)
        jsonschema.Draft202012Validator(itilkit.schema("review")).validate(document)

    def test_demo_html_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        page = tmp_path / "review.html"
        assert main(["review", "--demo", "--format", "html", "-o", str(page)]) == 0
        text = page.read_text(encoding="utf-8")
        assert text.lower().startswith("<!doctype html>")
        assert "<script" not in text.lower() and "http" not in text
        assert "99% against an SLA of 97%" in text

    def test_from_files_equals_the_demo(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The bundled files given as files: the same review as --demo."""
        data = resources.files("itilkit").joinpath("data")
        paths = {}
        for name in ("founding_sla.toml", "demo_outages_2026-03.csv", "demo_load_2026-03.csv"):
            paths[name] = tmp_path / name
            paths[name].write_text(data.joinpath(name).read_text("utf-8"), encoding="utf-8")
        assert main(["review", "--demo"]) == 0
        demo = capsys.readouterr().out
        argv = ["review", "--service", "Seoul business service", "--period", "2026-03"]
        argv += ["--sla", str(paths["founding_sla.toml"]), "--previous", "0"]
        argv += ["--outages", str(paths["demo_outages_2026-03.csv"])]
        argv += ["--load", str(paths["demo_load_2026-03.csv"])]
        assert main(argv) == 0
        assert capsys.readouterr().out == demo

    def test_missing_options(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["review", "--service", "ERP"]) == 1
        err = capsys.readouterr().err
        assert err == "itilkit: error: review: --period, --sla required (or --demo)\n"


GOLD_TOML = """
name = "Gold SLA"
availability = "99.5%"
[window]
hours = "Mon-Fri 09:00-18:00"
tz = "Asia/Seoul"
holidays = "KR"
[[targets]]
metric = "resolution"
within = "PT8H"
"""
MARCH_SEOUL = ["2026-03-01T00:00+09:00", "2026-04-01T00:00+09:00"]


class TestExport:
    """``itilkit export``: each format read back by its own reader or checker."""

    @pytest.fixture
    def gold(self, tmp_path: Path) -> Path:
        path = tmp_path / "gold.toml"
        path.write_text(GOLD_TOML, encoding="utf-8")
        return path

    def test_openslo_reads_back_as_the_budget(
        self, gold: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        pytest.importorskip("yaml")
        assert main(["export", "openslo", "--sla", str(gold), "--between", *MARCH_SEOUL]) == 0
        budget = itilkit.ErrorBudget.from_openslo(capsys.readouterr().out)
        sla = itilkit.SLA.from_file(gold)
        assert budget == itilkit.ErrorBudget("99.5%", start=MARCH_SEOUL[0], end=MARCH_SEOUL[1],
                                             window=sla.window)  # fmt: skip

    def test_prometheus_rules_pass_promtool(self, gold: Path, tmp_path: Path) -> None:
        rules = tmp_path / "rules.yml"
        argv = ["export", "prometheus", "--sla", str(gold), "--between", *MARCH_SEOUL]
        argv += ["--good", 'sum(rate(x{code!~"5.."}[{{window}}]))']
        argv += ["--total", "sum(rate(x[{{window}}]))", "-o", str(rules)]
        assert main(argv) == 0
        # The fastest alert spends 2% of March's budget in 1 h: 0.02 x 744 h = 14.88 times
        # the budget's rate; 14.88 x the 0.5% budget = an error ratio of 0.0744.
        assert "> 0.0744" in rules.read_text(encoding="utf-8")
        promtool = shutil.which("promtool")
        if promtool is None:
            pytest.skip("Debian's prometheus (promtool) is not installed")
        checked = subprocess.run(
            [promtool, "check", "rules", str(rules)], capture_output=True, text=True, timeout=60
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr

    def test_ics_reads_back_as_the_open_periods(
        self, gold: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """2 and 3 March 2026 in Seoul: 2 March is the substitute holiday, so one period,
        Tue 3 March 09:00-18:00."""
        between = ["2026-03-02T00:00+09:00", "2026-03-04T00:00+09:00"]
        assert main(["export", "ics", "--sla", str(gold), "--between", *between]) == 0
        window = itilkit.ServiceWindow.from_ics(capsys.readouterr().out, tz="Asia/Seoul")
        spans = [(s.start.isoformat(), s.end.isoformat()) for s in window.spans(*between)]
        assert spans == [("2026-03-03T09:00:00+09:00", "2026-03-03T18:00:00+09:00")]

    def test_without_an_objective(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "plain.toml"
        path.write_text(GOLD_TOML.replace('availability = "99.5%"\n', ""), encoding="utf-8")
        assert main(["export", "openslo", "--sla", str(path), "--between", *MARCH_SEOUL]) == 1
        assert "has no availability objective; give --objective" in capsys.readouterr().err
