"""The ``itilkit`` command: the demo, business time of a window, and SLA reports.

Every failure a user can cause (a missing file, a bad spec, an unknown zone)
ends with one line on stderr naming the problem and a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._demo import demo_text
from ._errors import ItilkitError
from ._report import format_duration, text_table
from ._window import ServiceWindow

__all__ = ["main"]

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            print(demo_text())
        elif args.command == "window":
            print(_window(args))
        else:
            parser.print_help()
            return 2
    except ItilkitError as error:
        print(f"itilkit: error: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"itilkit: error: {error}", file=sys.stderr)
        return 1
    return 0
