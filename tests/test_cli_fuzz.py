"""Fuzz the ``itilkit`` command in process: every subcommand, valid and hostile argv.

The oracle, the same for every run of :func:`itilkit.cli.main`:

- it returns 0, 1 or 2, or argparse ends it with ``SystemExit`` 0 (``--help``,
  ``--version``) or 2 (a usage error); no other exception escapes;
- a failure writes exactly one line to stderr, ``itilkit: error: ...``, never a
  traceback and never the CLI's last-resort "internal error" (a bug that the
  CLI only contained); a success writes nothing to stderr;
- nothing printed as text holds a raw control character (other than the
  report's own line breaks), and a JSON report parses;
- each run finishes within :data:`BOUND` seconds (it runs in a worker thread
  that the test waits for, so a hang fails the example instead of the suite).

Hostile values are mixed into every argument: empty and control-character
strings, unknown zones and countries, specs of separators only, instants that
are naive, out of range or not instants at all, files that are missing,
folders, undecodable, deeply nested, or CSV that is not CSV.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from itilkit.cli import main

BOUND = 10.0  # seconds one run of the command may take
PROFILE = settings.get_profile("itilkit")  # tests/conftest.py: no deadline on shared machines

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "servicenow_event_log_sample.csv"
HEADER = "number,incident_state,sys_mod_count,opened_at,sys_updated_at,impact,urgency"

CONTROLS = ("\x1b[31m", "\x1b]0;title\x07", "\x00", "\r", "\x7f", "\x9b", "\u202e", "\u2028")
HOSTILE_TEXT = st.one_of(
    st.sampled_from(["", " ", ";", "-", "--", "-x", "?", "9" * 40, "1e999", "nan", *CONTROLS]),
    st.text(max_size=20),
)


# -- the run and its oracle -------------------------------------------------------------


@dataclass
class Outcome:
    status: int | None = None
    out: str = ""
    err: str = ""
    error: BaseException | None = None
    seconds: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)


def run(argv: list[str]) -> Outcome:
    """``main(argv)`` in a worker thread with stdout and stderr captured, bounded in time."""
    outcome = Outcome()
    out, err = io.StringIO(), io.StringIO()

    def target() -> None:
        started = time.perf_counter()
        try:
            outcome.status = main(argv)
        except SystemExit as exit_:
            outcome.error = exit_
        except BaseException as exc:
            outcome.error = exc
        finally:
            outcome.seconds = time.perf_counter() - started
            outcome.done.set()

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        worker = threading.Thread(target=target, daemon=True)
        worker.start()
        finished = outcome.done.wait(BOUND)
    assert finished, f"still running after {BOUND} s: {argv!r}"
    outcome.out, outcome.err = out.getvalue(), err.getvalue()
    return outcome


def raw_controls(text: str) -> set[str]:
    """Characters that would act on a terminal rather than be shown."""
    return {
        c
        for c in text
        if (c < " " and c != "\n")
        or "\x7f" <= c <= "\x9f"
        or c in "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        or "\ud800" <= c <= "\udfff"
    }


def check(argv: list[str], *, json_out: bool = False) -> Outcome:
    """Run ``argv`` and assert the oracle of the module docstring."""
    outcome = run(argv)
    where = f"argv={argv!r}\nstdout={outcome.out[-500:]!r}\nstderr={outcome.err[-2000:]!r}"
    if outcome.error is not None:
        assert isinstance(outcome.error, SystemExit), f"{outcome.error!r} escaped\n{where}"
        status = outcome.error.code
        assert status in (0, 2), f"SystemExit({status!r})\n{where}"
    else:
        status = outcome.status
        assert status in (0, 1, 2), f"status {status!r}\n{where}"
    if currently_in_test_context():
        event(f"status {status}")
    assert raw_controls(outcome.err) == set(), where
    if status == 0:
        assert outcome.err == "", where
        if json_out and outcome.out:
            json.loads(outcome.out)
        else:
            assert raw_controls(outcome.out) == set(), where
    elif status == 2 and outcome.err == "":
        assert "usage:" in outcome.out, where  # no command at all: the help, on stdout
    else:
        assert outcome.err.startswith("itilkit: error: "), where
        assert outcome.err.endswith("\n") and outcome.err.count("\n") == 1, where
        assert "Traceback" not in outcome.err, where
        assert "internal error" not in outcome.err, where
    assert outcome.seconds < BOUND, where
    return outcome


# -- window ------------------------------------------------------------------------------

SPECS = (
    "Mon-Fri 09:00-18:00",
    "Sun-Thu 22:00-06:00",
    "Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00",
    "Mon-Sun 00:00-24:00",
    "Mon-Sun 01:30-02:30",
    "Sat,Sun 00:00-24:00",
    "24x7",
    ";",
    "",
)
SPEC_TOKENS = (
    "Mon",
    "Fri",
    "Sun",
    "Mon-Fri",
    "Sun-Thu",
    "Fri-Mon",
    "09:00-18:00",
    "22:00-06:00",
    "00:00-24:00",
    "24:00-24:00",
    "09:00",
    "23:59:59-00:00:01",
    "99:99-00:00",
    "9" * 30 + ":00-18:00",
    ",",
    ";",
    "-",
    " ",
    *CONTROLS,
)


def mostly(
    valid: st.SearchStrategy[str], hostile: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """``valid`` three times in four, else ``hostile``: most runs get far enough to compute."""
    return st.integers(0, 3).flatmap(lambda n: hostile if n == 0 else valid)


GOOD_SPECS = SPECS[:6]
specs = mostly(
    st.sampled_from(GOOD_SPECS),
    st.one_of(
        st.sampled_from(SPECS[6:]),
        st.lists(st.sampled_from(SPEC_TOKENS), max_size=8).map(" ".join),
        st.lists(st.sampled_from(SPEC_TOKENS), max_size=8).map("".join),
        HOSTILE_TEXT,
    ),
)
ZONES = ("UTC", "Asia/Seoul", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe")
zones = mostly(
    st.sampled_from(ZONES),
    st.one_of(
        st.sampled_from(["utc", "Etc/GMT+14", "Mars/Olympus", "../../etc/passwd", "UTC\x00"]),
        HOSTILE_TEXT,
    ),
)
holidays = st.one_of(
    st.none(),
    mostly(
        st.sampled_from(["KR", "US", "US-CA", "BR", "DE"]),
        st.one_of(st.sampled_from(["kr", "XX", "US-XX", ""]), HOSTILE_TEXT),
    ),
)
OFFSETS = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=9)),
        timezone(timedelta(hours=-5)),
        timezone(-timedelta(hours=23, minutes=59)),
    ]
)
_BASE = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def between(draw: st.DrawFn) -> tuple[str, str]:
    """Two instants: mostly a few years apart near 2026 (a query finishes fast), or hostile."""
    kind = draw(st.sampled_from([0, 0, 0, 0, 0, 1, 2, 3]))
    if kind <= 1:
        start = _BASE + timedelta(minutes=draw(st.integers(-5 * 525_600, 5 * 525_600)))
        end = start + timedelta(minutes=draw(st.integers(-60 * 24 * 31, 3 * 525_600)))
        start, end = start.astimezone(draw(OFFSETS)), end.astimezone(draw(OFFSETS))
        text = (start.isoformat(), end.isoformat())
        if kind == 1:  # one of them naive, a date, or cut short
            cut = draw(st.sampled_from([lambda s: s[:16], lambda s: s[:10], lambda s: s[:-3]]))
            which = draw(st.booleans())
            text = (cut(text[0]), text[1]) if which else (text[0], cut(text[1]))
        return text
    extremes = st.sampled_from(
        [
            "0001-01-01T00:00Z",
            "0001-01-02T00:00Z",
            "9999-12-31T23:59:59.999999+14:00",
            "9999-12-30T00:00Z",
            "2026-03-08T02:30-05:00",
            "2026-01-01T00:00",
            "2026-01-01",
            "+002026-01-01T00:00Z",
            "2026-01-01T00:00+24:00",
        ]
    )
    instant = st.one_of(extremes, HOSTILE_TEXT) if kind == 3 else extremes
    return draw(instant), draw(instant)


@st.composite
def window_argv(draw: st.DrawFn) -> list[str]:
    spec, tz, days = draw(specs), draw(zones), draw(holidays)
    start, end = draw(between())
    options = [["--tz", tz], ["--between", start, end]]
    if days is not None:
        options.append(["--holidays", days])
    options = draw(st.permutations(options))
    if draw(st.integers(0, 19)) == 0:  # a required option left out
        options = options[1:]
    argv = ["window", spec, *(arg for option in options for arg in option)]
    if draw(st.integers(0, 19)) == 0:
        argv.append(draw(HOSTILE_TEXT))
    return argv


@settings(PROFILE, max_examples=200)
@given(window_argv())
def test_window(argv: list[str]) -> None:
    check(argv)


# -- report ------------------------------------------------------------------------------

SLA_TOML = """name = "Round the clock"
[window]
tz = "UTC"
[[targets]]
metric = "response"
within = "PT1H"
[[targets]]
metric = "resolution"
within = "P1D"
"""
SLA_JSON = json.dumps(
    {
        "name": "Business hours",
        "window": {"hours": "Mon-Fri 08:00-18:00", "tz": "America/Sao_Paulo", "holidays": "BR"},
        "targets": [{"metric": "response", "within": "PT2H"}],
    }
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Fixed files of every kind; ``gen.*`` are rewritten by each example."""
    folder = tmp_path_factory.mktemp("cli-fuzz")
    paths = {
        "sample": SAMPLE,
        "missing": folder / "missing.csv",
        "folder": folder / "a-folder",
        "toml": folder / "sla.toml",
        "json": folder / "sla.json",
        "deep": folder / "deep.json",
        "latin1": folder / "latin1.toml",
        "gen_csv": folder / "gen.csv",
        "gen_json": folder / "gen.json",
        "gen_toml": folder / "gen.toml",
        "out": folder / "out.txt",
        "out_missing_folder": folder / "no-such-folder" / "out.txt",
    }
    paths["folder"].mkdir()
    paths["toml"].write_text(SLA_TOML, encoding="utf-8")
    paths["json"].write_text(SLA_JSON, encoding="utf-8")
    paths["deep"].write_text("[" * 50_000 + "]" * 50_000)
    paths["latin1"].write_bytes('name = "Caf\xe9"\n'.encode("latin-1"))
    return paths


GOOD_CELLS = {
    "number": ["INC1", "INC2", "INC3"],
    "incident_state": ["New", "Active", "Awaiting User Info", "Resolved", "Closed"],
    "sys_mod_count": ["0", "1", "2", "3"],
    "opened_at": ["2/3/2016 09:00", "29/2/2016 01:16", "2016-03-02 09:00"],
    "sys_updated_at": ["2/3/2016 09:05", "5/3/2016 12:00", "13/3/2016 02:30", "2/3/2016 10:00"],
    "impact": ["1 - High", "2 - Medium", "3 - Low", "?"],
    "urgency": ["1 - High", "2 - Medium", "3 - Low"],
}
BAD_CELLS = {
    "number": ["INC1\x1b[2J", "", "?", "INC\u202e3"],
    "incident_state": ["Lost", "", "new\x00"],
    "sys_mod_count": ["-1", "x", "9" * 5000, ""],
    "opened_at": ["31/2/2016 09:00", "", "0/0/0 0:0", "2/3/99999 09:00"],
    "sys_updated_at": ["99/99/9999 99:99", "2/3/2016 24:00", "2/3/2016"],
    "impact": ["7 - Huge", "", "\x1b"],
    "urgency": ["", "high", "0 - None"],
}


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


@st.composite
def event_logs(draw: st.DrawFn) -> bytes:
    """A small export: real-looking rows, some with a bad cell, or CSV that is not CSV."""
    columns = HEADER.split(",")
    if draw(st.integers(0, 9)) == 0:
        columns = draw(st.permutations(columns))[: draw(st.integers(0, len(columns)))]
    lines = [",".join(columns)]
    for _ in range(draw(st.integers(0, 6))):
        cells = [draw(st.sampled_from(GOOD_CELLS[c])) for c in columns]
        if cells and draw(st.integers(0, 3)) == 0:
            at = draw(st.integers(0, len(cells) - 1))
            bad = st.one_of(st.sampled_from(BAD_CELLS[columns[at]]), HOSTILE_TEXT)
            cells[at] = draw(bad)
        lines.append(",".join(csv_cell(c) for c in cells))
    damage = draw(st.integers(0, 9))
    if damage == 0:
        lines.append('INC9,"never closed')
    elif damage == 1:
        lines.append('"INC9"x,New')
    elif damage == 2:
        lines.append("INC9," + "x" * 140_000)
    text = "\n".join(lines) + "\n"
    encoding = draw(st.sampled_from(["utf-8"] * 5 + ["utf-16", "latin-1"]))
    return text.encode(encoding, "replace")


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.sampled_from(["UTC", "PT1H", "P1D", "97%", "response", "Mon-Fri 09:00-18:00"]),
        HOSTILE_TEXT,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(HOSTILE_TEXT, inner, max_size=3)
    ),
    max_leaves=10,
)


@st.composite
def sla_documents(draw: st.DrawFn) -> str:
    """An SLA document near the schema, with some values replaced by hostile ones."""
    document: dict[str, object] = json.loads(SLA_JSON)
    keys = st.sampled_from(["name", "window", "targets", "warn_at", "x"])
    for key in draw(st.lists(keys, max_size=2)):
        document[key] = draw(json_values)
    text = json.dumps(document)
    if draw(st.booleans()):  # a duplicate key, which json.dumps cannot write
        text = '{"name": "First", ' + text[1:]
    return text


@st.composite
def report_argv(draw: st.DrawFn, files: dict[str, Path]) -> tuple[list[str], bool]:
    events_kind = draw(
        st.sampled_from(["sample"] * 3 + ["gen"] * 3 + ["missing", "folder", "text"])
    )
    if events_kind == "gen":
        files["gen_csv"].write_bytes(draw(event_logs()))
        events = str(files["gen_csv"])
    elif events_kind == "text":
        events = draw(HOSTILE_TEXT)
    else:
        events = str(files[events_kind])
    sla_kind = draw(
        st.sampled_from(
            ["toml", "json"] * 3
            + ["gen_json"] * 2
            + ["gen_toml", "deep", "latin1", "folder", "missing"]
        )
    )
    if sla_kind == "gen_json":
        files["gen_json"].write_text(draw(sla_documents()), encoding="utf-8")
    elif sla_kind == "gen_toml":
        files["gen_toml"].write_bytes(draw(st.binary(max_size=200)))
    argv = ["report", events, "--sla", str(files[sla_kind])]
    if draw(st.booleans()):
        argv += ["--tz", draw(zones)]
    if draw(st.integers(0, 3)) == 0:
        presets = mostly(st.sampled_from(["servicenow", "generic"]), HOSTILE_TEXT)
        argv += ["--preset", draw(presets)]
    if draw(st.booleans()):
        argv.append(draw(st.sampled_from(["--dayfirst", "--no-dayfirst"])))
    if draw(st.integers(0, 3)) == 0:
        encodings = st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "rot13", "nope", ""])
        argv += ["--encoding", draw(encodings)]
    if draw(st.booleans()):
        argv += ["--as-of", draw(between())[0]]
    fmt = draw(st.sampled_from(["text", "text", "json", "html"] * 3 + ["pdf"]))
    argv += ["--format", fmt]
    output = draw(st.sampled_from([None] * 6 + ["out"] * 3 + ["folder", "out_missing_folder"]))
    if output is not None:
        argv += ["-o", str(files[output])]
    return argv, fmt == "json" and output is None


@settings(PROFILE, max_examples=150)
@given(data=st.data())
def test_report(files: dict[str, Path], data: st.DataObject) -> None:
    argv, json_out = data.draw(report_argv(files))
    check(argv, json_out=json_out)


# -- review ------------------------------------------------------------------------------

OUTAGES_CSV = (
    "id,start,end,impact,planned\nO1,2026-03-10T10:00+09:00,2026-03-10T11:00+09:00,1,no\n"
)
LOAD_CSV = "at,load\n2026-03-02T18:00+09:00,0.95\n2026-03-02T22:00+09:00,0.5\n"


@settings(PROFILE, max_examples=60)
@given(data=st.data())
def test_review(files: dict[str, Path], data: st.DataObject) -> None:
    """``itilkit review``: the demo, or a service from files, valid or hostile."""
    folder = files["folder"]
    outages, load = folder / "outages.csv", folder / "load.csv"
    outages.write_text(data.draw(st.sampled_from([OUTAGES_CSV, "start\nnope\n", ""])))
    load.write_text(data.draw(st.sampled_from([LOAD_CSV, "at,load\nx,y\n", ""])))
    if data.draw(st.booleans()):
        argv = ["review", "--demo"]
    else:
        argv = ["review"]
        for option, value in (
            ("--service", mostly(st.just("ERP"), HOSTILE_TEXT)),
            ("--period", mostly(st.sampled_from(["2026-03", "2026-Q1"]), HOSTILE_TEXT)),
            ("--sla", st.sampled_from([str(files["toml"]), str(files["missing"])])),
            ("--outages", st.sampled_from([str(outages), str(files["folder"])])),
            ("--load", st.just(str(load))),
            ("--previous", st.sampled_from(["0", "2", "-1", "x", "100000"])),
            ("--threshold", mostly(st.sampled_from(["90%", "0.9"]), HOSTILE_TEXT)),
        ):
            if data.draw(st.integers(0, 4)) > 0:
                argv += [option, data.draw(value)]
    fmt = data.draw(st.sampled_from(["text", "html", "markdown", "json", "pdf"]))
    argv += ["--format", fmt]
    check(argv, json_out=fmt == "json")


# -- demo and the top level --------------------------------------------------------------


@settings(PROFILE, max_examples=40)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["demo", "--help", "-h", "--version", "window", "report", "--tz"]),
            HOSTILE_TEXT,
        ),
        max_size=3,
    )
)
def test_demo_and_top_level(extra: list[str]) -> None:
    check(["demo", *extra])
    check(extra)


def test_the_oracle_catches_what_it_should() -> None:
    """The oracle itself: a traceback, two lines, or a raw escape would each fail it."""
    assert raw_controls("ok\n") == set()
    assert raw_controls("a\x1bb\u202e\udcff") == {"\x1b", "\u202e", "\udcff"}
    outcome = check(["window", "Mon 09:00-10:00", "--tz", "UTC", "--between", "a", "b"])
    assert outcome.status == 1
