"""Rendering shared by every report: plain-text tables, HTML tables, JSON-ready values.

Reports (compliance, availability, clocks) build rows of already formatted
cells and hand them here, so every report looks alike in a terminal and in
Jupyter.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta

from ._time import iso_duration, td_us

__all__ = [
    "format_duration",
    "html_page",
    "html_table",
    "iso",
    "iso_duration",
    "markdown_table",
    "text_table",
]


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, title: str | None = None
) -> str:
    """A plain-text table with aligned columns (numbers right-aligned).

    >>> print(text_table(["metric", "met"], [["response", 12], ["resolution", 9]], title="Gold"))
    Gold
    metric      met
    ----------  ---
    response     12
    resolution    9
    """
    cells = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    numeric = [
        all(_looks_numeric(row[i]) for row in cells) and bool(cells) for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    out = [] if title is None else [title]
    out.append(line(list(headers)))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def _looks_numeric(text: str) -> bool:
    stripped = text.rstrip("%").replace(".", "", 1).replace("-", "", 1).replace("/", "", 1)
    return stripped.isdigit()


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, title: str | None = None
) -> str:
    """A Markdown (GitHub) table; pipes and line breaks in cells are escaped.

    >>> print(markdown_table(["metric", "met"], [["response", 12], ["a|b", 9]], title="Gold"))
    **Gold**
    <BLANKLINE>
    | metric | met |
    | --- | ---: |
    | response | 12 |
    | a\\|b | 9 |
    """
    cells = [[_markdown_cell(c) for c in row] for row in rows]
    numeric = [
        bool(cells) and all(_looks_numeric(row[i]) for row in cells) for i in range(len(headers))
    ]
    out = [] if title is None else [f"**{_markdown_cell(title)}**", ""]
    out.append("| " + " | ".join(_markdown_cell(h) for h in headers) + " |")
    out.append("| " + " | ".join("---:" if n else "---" for n in numeric) + " |")
    out.extend("| " + " | ".join(row) + " |" for row in cells)
    return "\n".join(out)


def _markdown_cell(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = None,
    caption: str | None = None,
) -> str:
    """An HTML table (escaped), as Jupyter shows it.

    >>> html_table(["a"], [["<b>"]], title="T")
    '<div class="itilkit"><strong>T</strong><table><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;b&gt;</td></tr></tbody></table></div>'
    """
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    parts = ['<div class="itilkit">']
    if title is not None:
        parts.append(f"<strong>{html.escape(title)}</strong>")
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if caption is not None:
        parts.append(f"<p>{html.escape(caption)}</p>")
    parts.append("</div>")
    return "".join(parts)


_PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.8em; text-align: left; }
td:not(:first-child) { font-variant-numeric: tabular-nums; }
thead th { border-bottom: 2px solid #888; }
strong { display: block; margin-top: 1.5em; font-size: 1.1em; }
"""


def html_page(title: str, body: str) -> str:
    """A standalone HTML page around report HTML, for a manager to open in a browser.

    >>> html_page("SLA <Gold>", "<p>ok</p>").count("<title>SLA &lt;Gold&gt;</title>")
    1
    """
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_PAGE_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}"
        "<footer><small>Computed exactly by itilkit.</small></footer></body></html>"
    )


def format_duration(value: timedelta | int) -> str:
    """A duration for people, in hours and minutes: ``'189h 00m'``, never ``'7d 21h'``.

    Business time is counted in open hours, so a day-count would read as
    calendar days; hours and minutes are unambiguous. Seconds show only when
    there are some; under a minute the exact seconds show.

    >>> format_duration(timedelta(days=7, hours=21)), format_duration(timedelta(hours=2, minutes=5))
    ('189h 00m', '2h 05m')
    >>> format_duration(timedelta(minutes=-15)), format_duration(timedelta(minutes=113, seconds=24))
    ('-15m', '1h 53m 24s')
    >>> format_duration(timedelta(seconds=42)), format_duration(timedelta(milliseconds=1500))
    ('42s', '1.5s')
    """
    us = value if isinstance(value, int) else td_us(value)
    sign = "-" if us < 0 else ""
    seconds, micro = divmod(abs(us), 1_000_000)
    hours, rest = divmod(seconds, 3_600)
    minutes, secs = divmod(rest, 60)
    tail = f" {secs:02d}s" if secs else ""
    if hours:
        return f"{sign}{hours}h {minutes:02d}m{tail}"
    if minutes:
        return f"{sign}{minutes}m{tail}"
    if micro:
        return f"{sign}{secs}.{micro:06d}".rstrip("0") + "s"
    return f"{sign}{secs}s"


def iso(value: datetime) -> str:
    """ISO 8601 text of an instant, with its offset."""
    return value.isoformat()
