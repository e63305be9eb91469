"""The ``itilkit`` command, run as users run it: in a subprocess, from another folder."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert "189 h of agreed service time" in result.stdout
    assert "due Tue 03 Mar 12:00" in result.stdout
    assert "7h 00m" in result.stdout and "9h 00m" in result.stdout
    # Availability: 60 + 50 + 3.4 min of the bundled outages fall inside agreed hours.
    assert "downtime inside agreed hours: 113.4 min of 189 h agreed" in result.stdout
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
    assert "business time: 18h 00m" in out
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
            "'end' must be within 1000 years",
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
        assert document["anomalies"] == 0
        # The export is read in the SLA's zone (UTC here); its last update is 17/4/2016 15:07.
        assert document["as_of"] == "2016-04-17T15:07:00+00:00"
        by_metric = document["compliance"]["by_metric"]
        assert (by_metric["response"]["met"], by_metric["response"]["breached"]) == (12, 20)
        assert (by_metric["resolution"]["met"], by_metric["resolution"]["breached"]) == (14, 18)
        assert document["compliance"]["met"] == 26
        assert document["compliance"]["rate"] == "0.40625"  # 26 / 64
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
            (["--preset", "jira2"], "'preset' must be one of"),
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
        assert f"SLA file {bad}:" in err and "$.targets[0].metric" in err
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
