"""The ``itilkit`` command: the demo, business time of a window, and SLA reports.

Every failure a user can cause (a missing file, a bad spec, an unknown zone)
ends with one line on stderr naming the problem and a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from ._demo import demo_text, last_instant
from ._errors import ConfigError, ItilkitError
from ._incident import Incident
from ._report import format_duration, html_page, text_table
from ._sla import SLA
from ._time import zone_name
from ._window import ServiceWindow
from .io import read_event_log

__all__ = ["main"]

_EXAMPLES_REPORT = """examples:
  itilkit report export.csv --sla gold.toml --tz Europe/Berlin
  itilkit report export.csv --sla gold.json --as-of 2026-03-31T23:59+02:00 --format json
  itilkit report export.csv --sla gold.toml --format html -o compliance.html

The SLA file is TOML or JSON (see the SLAs guide for the schema). Without
--as-of the report is as of the latest instant recorded in the export.
"""

_EXAMPLES_WINDOW = """examples:
  itilkit window "Mon-Fri 09:00-18:00" --tz Asia/Seoul --holidays KR \\
      --between 2026-03-01T00:00+09:00 2026-04-01T00:00+09:00
  itilkit window "Sun-Thu 22:00-06:00" --tz America/New_York \\
      --between 2026-03-06T00:00-05:00 2026-03-10T00:00-04:00
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"itilkit: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="itilkit",
        description="Exact service level management: windows, SLAs, availability, change.",
        epilog="examples:\n  itilkit demo\n  itilkit window --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    report.add_argument("events", help="the event log: a CSV audit export")
    report.add_argument("--sla", required=True, help="the SLA document, TOML or JSON")
    report.add_argument("--tz", help="zone of the export's local times (default: the SLA's)")
    report.add_argument(
        "--preset", default="servicenow", help="export format (default: servicenow)"
    )
    report.add_argument(
        "--dayfirst",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="read 2/3/2016 as 2 March (default; --no-dayfirst for 3 February)",
    )
    report.add_argument("--encoding", default="utf-8-sig", help="text encoding of the export")
    report.add_argument("--as-of", help="ISO 8601 instant with an offset")
    report.add_argument("--format", choices=["text", "json", "html"], default="text")
    report.add_argument("-o", "--output", help="write to this file instead of stdout")
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
        help="ISO 8601 instants with offsets",
    )
    return parser


def _window(args: argparse.Namespace) -> str:
    window = ServiceWindow.weekly(args.spec, tz=args.tz, holidays=args.holidays)
    start, end = args.between
    total = window.business_time(start, end)
    spans = window.spans(start, end)
    rows = [[s.start.isoformat(), s.end.isoformat(), format_duration(s.duration)] for s in spans]
    table = text_table(["open from", "until", "duration"], rows)
    return f"{window!r}\nbusiness time: {format_duration(total)} ({total})\n\n{table}"


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


def _report(args: argparse.Namespace) -> str:
    sla = SLA.from_file(args.sla)
    tz = args.tz or zone_name(sla.window.tz)
    log = read_event_log(
        args.events, tz=tz, preset=args.preset, dayfirst=args.dayfirst, encoding=args.encoding
    )
    as_of = args.as_of if args.as_of is not None else last_instant(log.incidents)
    incidents: Iterable[Incident] = log.incidents
    if sys.stderr.isatty() and len(log.incidents) >= 1000:
        incidents = _progress(log.incidents, sys.stderr)
    report = sla.compliance(incidents, as_of=as_of)
    if args.format == "json":
        return json.dumps(report.to_dict(), indent=2)
    if args.format == "html":
        return html_page(f"SLA compliance: {sla.name}", report._repr_html_())
    return str(report)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            print(demo_text())
        elif args.command == "window":
            print(_window(args))
        elif args.command == "report":
            text = _report(args)
            if args.output:
                Path(args.output).write_text(text + "\n", encoding="utf-8")
            else:
                print(text)
        else:
            parser.print_help()
            return 2
    except ConfigError as error:
        problems = "; ".join(f"{path}: {message}" for path, message in error.problems)
        print(f"itilkit: error: SLA file {args.sla}: {problems}", file=sys.stderr)
        return 1
    except ItilkitError as error:
        print(f"itilkit: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (| head): not an error worth a message
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as error:
        print(f"itilkit: error: {error}", file=sys.stderr)
        return 1
    return 0
