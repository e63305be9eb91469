"""The ``itilkit`` command: the demo, business time of a window, and SLA reports.

Every failure a user can cause (a missing file, a bad spec, an unknown zone)
ends with one line on stderr naming the problem and a non-zero exit status,
never a traceback. Text meant for a terminal (the text report, every error)
shows control characters from the user's data escaped (``\\x1b``), so an id
or a name in an export cannot drive the terminal; so does an HTML page, where
they have no place either. JSON escapes them by its own rules.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from . import __version__
from ._errors import ConfigError, EventLogError, InvalidValueError, ItilkitError

# Each command imports what it needs when it runs: ``itilkit --version`` and a
# mistyped option load no domain module, ``itilkit window`` only the engine.
if TYPE_CHECKING:
    from ._incident import Incident
    from ._sla import SLA
    from ._time import InstantLike
    from .io import EventLog

__all__ = ["main"]

_EXAMPLES_REPORT = """examples:
  itilkit report export.csv --sla gold.toml --tz Europe/Berlin
  itilkit report export.csv --sla gold.json --as-of 2026-03-31T23:59+02:00 --format json
  itilkit report export.csv --sla gold.toml --format html -o compliance.html

The SLA file is TOML or JSON (see the SLAs guide for the schema). Without
--as-of the report is as of the latest instant recorded in the export.
"""

_EXAMPLES_REVIEW = """examples:
  itilkit review --demo --format html -o review.html
  itilkit review --service ERP --period 2026-03 --sla gold.toml --outages outages.csv \\
      --load load.csv --events export.csv --format html -o review.html
  itilkit review --service ERP --period 2026-Q1 --sla gold.toml --outages outages.csv \\
      --format json"""
_EXAMPLES_EXPORT = """examples:
  itilkit export openslo --sla gold.toml --between 2026-03-01T00:00+01:00 2026-04-01T00:00+02:00
  itilkit export prometheus --sla gold.toml --between 2026-03-01T00:00Z 2026-04-01T00:00Z \\
      --good 'sum(rate(http_requests_total{code!~"5.."}[{{window}}]))' \\
      --total 'sum(rate(http_requests_total[{{window}}]))' -o rules.yml
  itilkit export alertmanager --sla gold.toml --between 2026-01-01T00:00Z 2027-01-01T00:00Z
  itilkit export ics --sla gold.toml --between 2026-03-01T00:00Z 2026-04-01T00:00Z -o hours.ics"""
_EXAMPLES_RECONCILE = """examples:
  itilkit reconcile export.csv --sla gold.toml --tz America/Sao_Paulo
  itilkit reconcile export.csv --sla gold.toml --field made_sla --format json
"""

_EXAMPLES_WINDOW = """examples:
  itilkit window "Mon-Fri 09:00-18:00" --tz Asia/Seoul --holidays KR \\
      --between 2026-03-01T00:00+09:00 2026-04-01T00:00+09:00
  itilkit window "Sun-Thu 22:00-06:00" --tz America/New_York \\
      --between 2026-03-06T00:00-05:00 2026-03-10T00:00-04:00
"""

# Characters that must not reach a terminal raw: C0 and C1 controls (ESC starts
# the escape sequences that recolour, retitle or rewrite a terminal), lone
# surrogates (undecodable bytes of a file name), the line and paragraph
# separators, and the bidirectional overrides that make text read other than
# it is stored. The newline is matched too; text output keeps its own.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
_CONTROL_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
# A line break of a multi-line message, with the indentation around it.
_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")

_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
_BROKEN_PIPE = 141  # 128 + SIGPIPE


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())  # _CONTROL matches only characters below U+10000
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _printable(text: str) -> str:
    """``text`` with control characters escaped, its own line breaks kept."""
    return _CONTROL_BUT_NEWLINE.sub(_escape, text)


def _one_line(text: str) -> str:
    """``text`` as one line: line breaks joined with a space, control characters escaped."""
    return _CONTROL.sub(_escape, _BREAK.sub(" ", text.strip()))


def _write(stream: TextIO, text: str) -> None:
    """Write ``text``; characters the stream's encoding cannot hold are escaped, not fatal."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def _error(message: str) -> int:
    """Print ``itilkit: error: <message>`` as one line on stderr; the exit status 1."""
    _write(sys.stderr, f"itilkit: error: {_one_line(message)}\n")
    return 1


class _UserError(Exception):
    """A failure the user caused and can fix, with the one-line message that says how."""


def _quoted(path: object) -> str:
    return f"'{os.fspath(path)}'" if isinstance(path, str | os.PathLike) else repr(path)


_REASONS = {
    errno.ENOENT: "no such file",
    errno.EISDIR: "is a directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ELOOP: "too many symbolic links",
}


def _os_reason(error: OSError) -> str:
    return _REASONS.get(error.errno or 0) or (error.strerror or str(error)).lower()


def _file_problem(
    what: str, path: object, error: BaseException, *, writing: bool = False
) -> _UserError:
    """The user-facing failure of reading or writing the file ``path`` given for ``what``."""
    if isinstance(error, OSError):
        if writing and error.errno == errno.ENOENT:
            reason = "no such folder to write it in"
        else:
            reason = _os_reason(error)
    elif isinstance(error, UnicodeDecodeError):
        reason = (
            f"is not {error.encoding} text ({error.reason} at byte {error.start}); "
            "re-save it as UTF-8"
        )
    elif isinstance(error, RecursionError):
        reason = "is nested too deeply to read"
    elif isinstance(error, ValueError):  # a NUL in the name, or a name the system cannot encode
        reason = "not a valid file name"
    else:
        reason = str(error)
    return _UserError(f"{what} {_quoted(path)}: {reason}")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"itilkit: error: {_one_line(message)} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="itilkit",
        description="Exact service level management: windows, SLAs, availability, change.",
        epilog="examples:\n  itilkit demo\n  itilkit window --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"itilkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.add_parser(
        "demo",
        help="the founding story on bundled data",
        description="Tell the founding story of service level management on bundled data.",
        epilog="example:\n  itilkit demo",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report = commands.add_parser(
        "report",
        help="SLA compliance of a ticket-system event log",
        description="Read an event log (an audit export) and an SLA file; print compliance.",
        epilog=_EXAMPLES_REPORT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _event_options(report, ["text", "json", "html", "csv", "markdown"])
    reconcile = commands.add_parser(
        "reconcile",
        help="our SLA verdicts against the export's own (made_sla)",
        description=(
            "Read an event log and an SLA file; compare, incident by incident, whether any"
            " clock breached with the export's recorded verdict, and say why they differ."
        ),
        epilog=_EXAMPLES_RECONCILE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _event_options(reconcile, ["text", "json"])
    reconcile.add_argument(
        "--field",
        help="the carried field to compare (default: made_sla; with --times:"
        " business_resolve_time)",
    )
    reconcile.add_argument(
        "--times",
        action="store_true",
        help="compare resolve times in the SLA's window with the export's own (business_stc)",
    )
    review = commands.add_parser(
        "review",
        help="the service review of one service and period (text, HTML, Markdown, JSON)",
        description=(
            "Build the service review of one service for one period: availability against"
            " the SLA's objective, SLA compliance, recurring overloads, and what to improve."
        ),
        epilog=_EXAMPLES_REVIEW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    review.add_argument(
        "--demo", action="store_true", help="the founding story's service on the bundled data"
    )
    review.add_argument("--service", help="the service reviewed")
    review.add_argument("--period", help="2026-03 (a month) or 2026-Q1 (a quarter)")
    review.add_argument("--sla", help="the SLA document, TOML or JSON")
    review.add_argument("--events", metavar="FILE", help="an event log (audit export), CSV")
    review.add_argument("--outages", metavar="FILE", help="an outage list, CSV")
    review.add_argument(
        "--load", metavar="FILE", help="load samples, CSV (time,value or at,load), ratios"
    )
    review.add_argument(
        "--previous", type=int, default=2, help="periods before for the trend (default: 2)"
    )
    review.add_argument(
        "--threshold", default="90%", help="load above which a period is an overload (90%%)"
    )
    review.add_argument("--tz", help="zone of the files' local times (default: the SLA's)")
    review.add_argument(
        "--preset", default="servicenow", help="event log format (default: servicenow)"
    )
    review.add_argument("--encoding", default="utf-8-sig", help="text encoding of the files")
    review.add_argument("--format", choices=["text", "html", "markdown", "json"], default="text")
    review.add_argument("-o", "--output", help="write to this file instead of stdout")
    export = commands.add_parser(
        "export",
        help="an SLA as OpenSLO, Prometheus rules, Alertmanager intervals or iCalendar",
        description=(
            "Write an SLA's availability objective and service hours in the formats SRE and"
            " operations tools read: an OpenSLO v1 SLO, Prometheus burn-rate rules, Alertmanager"
            " time intervals, or the open periods as an iCalendar file."
        ),
        epilog=_EXAMPLES_EXPORT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("format", choices=["openslo", "prometheus", "alertmanager", "ics"])
    export.add_argument("--sla", required=True, help="the SLA document, TOML or JSON")
    export.add_argument(
        "--between",
        nargs=2,
        required=True,
        metavar=("START", "END"),
        help="the period (the error budget's, or the calendar's): ISO 8601 with offsets",
    )
    export.add_argument("--name", help="the SLO's or rule group's name (default: from the SLA)")
    export.add_argument("--service", help="the service (OpenSLO; default: the SLA's name)")
    export.add_argument(
        "--objective", help="availability objective if the SLA has none, e.g. 99.9%%"
    )
    export.add_argument("--good", help="PromQL of good events, {{window}} for the range")
    export.add_argument("--total", help="PromQL of all events, {{window}} for the range")
    export.add_argument("-o", "--output", help="write to this file instead of stdout")
    window = commands.add_parser(
        "window",
        help="business time and open spans of a service window",
        description="Print the business time and the open periods of a window between two instants.",
        epilog=_EXAMPLES_WINDOW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    window.add_argument("spec", help='service hours, e.g. "Mon-Fri 09:00-18:00"')
    window.add_argument("--tz", required=True, help="IANA time zone, e.g. Europe/Berlin")
    window.add_argument("--holidays", help="country code such as KR or US-CA")
    window.add_argument(
        "--between",
        nargs=2,
        required=True,
        metavar=("START", "END"),
        help="ISO 8601 instants with offsets; END at or after START",
    )
    return parser


def _event_options(command: argparse.ArgumentParser, formats: list[str]) -> None:
    """The arguments of the commands that read an event log against SLA files."""
    command.add_argument("events", help="the event log: a CSV audit export")
    command.add_argument(
        "--sla",
        required=True,
        action="append",
        help="the SLA document, TOML or JSON; repeat for several agreements: each measures"
        " the incidents its applies_to selects, reported per SLA and overall",
    )
    command.add_argument("--tz", help="zone of the export's local times (default: the SLA's)")
    command.add_argument(
        "--preset", default="servicenow", help="export format (default: servicenow)"
    )
    command.add_argument(
        "--dayfirst",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "read 2/3/2016 as 2 March (--no-dayfirst: 3 February); default: the preset's"
            " (day first for ServiceNow)"
        ),
    )
    command.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first row that cannot be read (default: report it and go on)",
    )
    command.add_argument("--encoding", default="utf-8-sig", help="text encoding of the export")
    command.add_argument(
        "--columns",
        metavar="FILE",
        help="TOML or JSON file mapping itilkit's field names to the export's column names",
    )
    command.add_argument(
        "--states",
        metavar="FILE",
        help="TOML or JSON file mapping the export's state names to 'state' or 'state:reason'",
    )
    command.add_argument(
        "--delimiter", metavar="C", help="the CSV delimiter (default: guessed among , ; tab |)"
    )
    command.add_argument(
        "--priority",
        choices=["recorded", "matrix"],
        default="recorded",
        help="the export's recorded priority (default) or one recomputed from impact x urgency",
    )
    command.add_argument("--as-of", help="ISO 8601 instant with an offset")
    command.add_argument("--format", choices=formats, default="text")
    command.add_argument("-o", "--output", help="write to this file instead of stdout")


def _window(args: argparse.Namespace) -> str:
    from ._ratio import ratio_text
    from ._report import format_duration, text_table
    from ._time import td_us, to_us
    from ._window import ServiceWindow

    window = ServiceWindow.weekly(args.spec, tz=args.tz, holidays=args.holidays)
    start, end = args.between
    start_us = to_us(start, "start")
    if to_us(end, "end") < start_us:
        raise InvalidValueError("end", f"at or after 'start' ({start})", end)
    total = window.business_time(start, end)
    spans = window.spans(start, end)
    rows = [[s.start.isoformat(), s.end.isoformat(), format_duration(s.duration)] for s in spans]
    table = text_table(["open from", "until", "duration"], rows)
    seconds = ratio_text(Fraction(td_us(total), 1_000_000))
    return f"{window!r}\nbusiness time: {format_duration(total)} ({seconds} s)\n\n{table}"


def _progress(incidents: Sequence[Incident], stream: TextIO) -> Iterator[Incident]:
    """Yield the incidents, drawing a progress bar on ``stream`` (a terminal)."""
    total = len(incidents)
    step = max(1, total // 100)
    for done, incident in enumerate(incidents, 1):
        if done % step == 0 or done == total:
            filled = 30 * done // total
            stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} incidents")
            stream.flush()
        yield incident
    stream.write("\n")


def _load_sla(path: str) -> SLA:
    """The SLA in the file ``path``; every way of failing names the file."""
    from ._sla import SLA

    what = "SLA file"
    try:
        return SLA.from_file(path)
    except ConfigError as error:
        problems = "; ".join(f"{where}: {message}" for where, message in error.problems)
        raise _UserError(f"{what} {_quoted(path)}: {problems}") from None
    except ItilkitError as error:
        raise _UserError(f"{what} {_quoted(path)}: {error}") from None
    except (OSError, UnicodeError, RecursionError) as error:
        raise _file_problem(what, path, error) from None
    except ValueError as error:  # a NUL in the name; a document the parser refused outright
        raise _UserError(f"{what} {_quoted(path)}: cannot be read ({error})") from None


def _mapping_file(what: str, path: str) -> dict[str, Any]:
    """A flat table of names from a TOML or JSON file; every way of failing names the file."""
    from ._document import load_document

    try:
        document = load_document(path)
    except ConfigError as error:
        problems = "; ".join(f"{where}: {message}" for where, message in error.problems)
        raise _UserError(f"{what} {_quoted(path)}: {problems}") from None
    if not isinstance(document, dict):
        raise _UserError(f"{what} {_quoted(path)}: must be a table of names")
    for key, value in document.items():
        if value is not None and not isinstance(value, str):
            raise _UserError(f"{what} {_quoted(path)}: {key!r} must name a text (got {value!r})")
    return document


def _reading(stream: TextIO) -> Callable[[int], None]:
    """A progress line for the read of a large export, on ``stream`` (a terminal)."""

    def show(rows: int) -> None:
        stream.write(f"\rreading the export: {rows:,} rows")
        stream.flush()

    return show


def _presets() -> list[str]:
    from .io import FIELD_CHANGE_PRESETS, PRESETS, SNAPSHOT_PRESETS

    return sorted([*PRESETS, *SNAPSHOT_PRESETS, *FIELD_CHANGE_PRESETS])


def _reader(preset: str, options: dict[str, Any]) -> Any:
    """The reader a preset belongs to, with only the options that reader takes.

    Audit logs (one row per update), list-view snapshots (one row per
    incident) and field-change tables (one row per change) share the command.
    """
    from .io import (
        FIELD_CHANGE_PRESETS,
        PRESETS,
        SNAPSHOT_PRESETS,
        read_event_log,
        read_field_changes,
        read_incidents,
    )

    if preset in SNAPSHOT_PRESETS:
        for name in ("states", "priority", "progress"):
            options.pop(name, None)
        return read_incidents
    if preset in FIELD_CHANGE_PRESETS:
        for name in ("priority", "delimiter", "progress"):
            options.pop(name, None)
        return read_field_changes
    if preset not in PRESETS:
        raise InvalidValueError("--preset", f"one of {', '.join(_presets())}", preset)
    if preset == "generic" and "columns" not in options:
        raise _UserError(
            "--preset generic needs --columns FILE naming the export's columns"
            " (id, state, at at least; see the importing guide)"
        )
    return read_event_log


def _read_events(args: argparse.Namespace, tz: str) -> EventLog:
    """The event log in the file the user named; every way of failing names the file."""
    what = "event log"
    path = args.events
    options: dict[str, Any] = {}
    if args.columns is not None:
        options["columns"] = _mapping_file("columns file", args.columns)
    if args.states is not None:
        options["states"] = _mapping_file("states file", args.states)
    if args.delimiter is not None:
        options["delimiter"] = args.delimiter
    options["priority"] = args.priority
    options["strict"] = args.strict
    if args.dayfirst is not None:
        options["dayfirst"] = args.dayfirst
    if sys.stderr.isatty():
        options["progress"] = _reading(sys.stderr)
    try:
        handle = open(path, newline="", encoding=args.encoding)  # noqa: SIM115 - closed below
    except LookupError:
        raise InvalidValueError(
            "--encoding",
            "a text encoding Python knows, such as 'utf-8' or 'cp1252'",
            args.encoding,
        ) from None
    except (OSError, ValueError) as error:
        raise _file_problem(what, path, error) from None
    try:
        log: EventLog = _reader(args.preset, options)(
            handle, tz=tz, preset=args.preset, encoding=args.encoding, **options
        )
        return log
    except EventLogError as error:
        raise _UserError(f"{what} {_quoted(path)}: {error}") from None
    except OSError as error:  # a read that failed half way (a device, a network share)
        raise _file_problem(what, path, error) from None
    finally:
        handle.close()


def _report(args: argparse.Namespace) -> str:
    from ._report import html_page
    from ._sla import compliance
    from ._time import zone_name

    slas = [_load_sla(path) for path in args.sla]
    sla = slas[0]
    tz = args.tz or zone_name(sla.window.tz)
    log = _read_events(args, tz)
    as_of = _as_of(args, log)
    note = (
        "Priorities recomputed from impact x urgency (--priority matrix), not as recorded."
        if log.priority == "matrix"
        else ""
    )
    incidents: Iterable[Incident] = log.incidents
    if sys.stderr.isatty() and len(log.incidents) >= 1000:
        incidents = _progress(log.incidents, sys.stderr)
    if len(slas) == 1:
        report = slas[0].compliance(incidents, as_of=as_of)
    else:  # each agreement measures the incidents its applies_to selects; one report
        report = compliance(incidents, slas, as_of=as_of)
    if args.format == "json":
        return json.dumps({**report.to_dict(), "priority": log.priority}, indent=2)
    if args.format == "csv":
        return _printable(report.to_csv().rstrip("\n"))
    if args.format == "markdown":
        return _printable("\n\n".join([report.to_markdown(), note]).strip())
    if args.format == "html":
        # HTML escaping leaves control characters alone, and no page needs them raw.
        names = ", ".join(a.name for a in slas)
        body = report._repr_html_() + (f"<p>{note}</p>" if note else "")
        return _printable(html_page(f"SLA compliance: {names}", body, heading=False))
    return _printable("\n\n".join([str(report), note]).strip())


def _export(args: argparse.Namespace) -> str:
    """``itilkit export``: the SLA's objective and hours in another tool's format."""
    from . import export as export_formats
    from ._budget import ErrorBudget
    from ._time import to_us

    sla = _load_sla(args.sla)
    start, end = args.between
    if to_us(end, "end") <= to_us(start, "start"):
        raise InvalidValueError("end", f"after 'start' ({start})", end)
    name = args.name or _label(sla.name)
    if args.format == "ics":
        return sla.window.to_ics(start, end, name=name)
    if args.format == "alertmanager":
        return export_formats.alertmanager_time_intervals(
            sla.window, name=name, start=start, end=end
        )
    objective = args.objective if args.objective is not None else sla.availability
    if objective is None:
        raise _UserError(
            f"SLA file {_quoted(args.sla)}: has no availability objective; give --objective"
        )
    budget = ErrorBudget(objective, start=start, end=end, window=sla.window)
    if args.format == "openslo":
        return export_formats.to_openslo(budget, name=name, service=args.service or sla.name)
    if args.good is None or args.total is None:
        raise _UserError("export prometheus: --good and --total (PromQL) are required")
    return export_formats.prometheus_rules(budget, good=args.good, total=args.total, name=name)


def _label(text: str) -> str:
    """A name as a DNS label (what OpenSLO and rule groups expect): 'Gold SLA' -> 'gold-sla'."""
    label = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return label[:63].strip("-") or "itilkit"


def _review(args: argparse.Namespace) -> str:
    """``itilkit review``: the review of one service and period, in the format asked."""
    from ._demo import demo_review
    from ._review import ServiceReview
    from ._time import zone_name

    if args.demo:
        review = demo_review()
    else:
        missing = [f"--{n}" for n in ("service", "period", "sla") if getattr(args, n) is None]
        if missing:
            raise _UserError(f"review: {', '.join(missing)} required (or --demo)")
        sla = _load_sla(args.sla)
        tz = args.tz or zone_name(sla.window.tz)
        incidents: tuple[Incident, ...] = ()
        if args.events is not None:
            for name, default in (
                ("columns", None),
                ("states", None),
                ("delimiter", None),
                ("priority", "recorded"),
                ("strict", False),
                ("dayfirst", None),
            ):
                setattr(args, name, default)
            incidents = _read_events(args, tz).incidents
        outages = () if args.outages is None else _table_file("outage list", args, tz, "outages")
        samples = () if args.load is None else _table_file("load samples", args, tz, "load")
        review = ServiceReview.build(
            args.service,
            period=args.period,
            sla=sla,
            incidents=incidents,
            outages=outages,
            samples=samples,
            previous=args.previous,
            overload_threshold=args.threshold,
        )
    if args.format == "json":
        return json.dumps(review.to_dict(), indent=2, ensure_ascii=False)
    if args.format == "html":
        return _printable(review.to_html())
    if args.format == "markdown":
        return _printable(review.to_markdown())
    return _printable(str(review))


def _table_file(what: str, args: argparse.Namespace, tz: str, option: str) -> tuple[Any, ...]:
    """Outages or load samples from the CSV file an option names; failures name the file."""
    from .io import read_outages, read_samples

    path = getattr(args, option)
    try:
        with open(path, newline="", encoding=args.encoding) as handle:
            if option == "outages":
                return tuple(read_outages(handle, tz=tz))
            header = {h.strip().lower() for h in handle.readline().split(",")}
            handle.seek(0)
            return tuple(read_samples(handle, tz=tz, columns=_sample_columns(header)))
    except LookupError:
        raise InvalidValueError(
            "--encoding", "a text encoding Python knows, such as 'utf-8'", args.encoding
        ) from None
    except (OSError, ValueError) as error:
        if isinstance(error, ItilkitError):
            raise _UserError(f"{what} {_quoted(path)}: {error}") from None
        raise _file_problem(what, path, error) from None


def _sample_columns(header: set[str]) -> dict[str, str] | None:
    """Load files name their columns ``time,value`` or, as the bundled one, ``at,load``."""
    columns = {}
    if "time" not in header and "at" in header:
        columns["time"] = "at"
    if "value" not in header and "load" in header:
        columns["value"] = "load"
    return columns or None


def _as_of(args: argparse.Namespace, log: EventLog) -> InstantLike:
    """``--as-of``, or the latest instant the export recorded."""
    from ._demo import last_instant

    if args.as_of is not None:
        as_of: InstantLike = args.as_of
        return as_of
    if log.incidents:
        return last_instant(log.incidents)
    raise _UserError(
        f"event log {_quoted(args.events)}: has no incidents, so there is nothing to report"
    )


def _reconcile(args: argparse.Namespace) -> str:
    from ._time import zone_name

    slas = [_load_sla(path) for path in args.sla]
    log = _read_events(args, args.tz or zone_name(slas[0].window.tz))
    as_of = _as_of(args, log)
    results: list[Any]
    if args.times:
        field = args.field or "business_resolve_time"
        results = [sla.reconcile_times(log.incidents, field=field) for sla in slas]
    else:
        field = args.field or "made_sla"
        results = [sla.reconcile(log.incidents, as_of=as_of, field=field) for sla in slas]
    if args.format == "json":
        documents = [r.to_dict() for r in results]
        return json.dumps(documents[0] if len(documents) == 1 else documents, indent=2)
    return _printable("\n\n".join(str(r) for r in results))


def _print(text: str) -> None:
    """Write ``text`` and a line break to stdout; a full disk is the user's one-line error."""
    try:
        _write(sys.stdout, text + "\n")
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _UserError(f"cannot write to standard output: {_os_reason(error)}") from None


def demo_text() -> str:
    """``itilkit demo``: the founding story told on the bundled data (its modules load here)."""
    from ._demo import demo_text as text

    return text()


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "demo":
        _print(_printable(demo_text()))
    elif args.command == "window":
        _print(_printable(_window(args)))
    elif args.command in ("report", "reconcile", "review", "export"):
        if args.command == "review":
            text = _review(args)
        elif args.command == "export":
            text = _export(args)
        else:
            text = _report(args) if args.command == "report" else _reconcile(args)
        if args.output:
            try:
                Path(args.output).write_text(text + "\n", encoding="utf-8")
            except (OSError, ValueError) as error:
                raise _file_problem("output file", args.output, error, writing=True) from None
        else:
            _print(text)
    else:
        parser.print_help()
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    try:
        parser = _parser()
        args = parser.parse_args(argv)
        return _run(args, parser)
    except KeyboardInterrupt:
        _write(sys.stderr, "itilkit: interrupted\n")
        return _INTERRUPTED
    except (_UserError, ItilkitError) as error:
        return _error(str(error))
    except BrokenPipeError:  # the reader went away (| head): not an error worth a message
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return _BROKEN_PIPE
    except OSError as error:
        return _error(str(error))
    except Exception as error:  # a bug in itilkit: still one line, and how to report it
        return _error(
            f"internal error: {type(error).__name__}: {error} "
            "(this is a bug in itilkit; please report it with the command that caused it)"
        )
