"""The ``itilkit`` command, run as users run it: in a subprocess, from another folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from itilkit.cli import main


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
