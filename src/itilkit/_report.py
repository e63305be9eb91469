"""Rendering shared by every report: plain-text tables, HTML tables, JSON-ready values.

Reports (compliance, availability, clocks) build rows of already formatted
cells and hand them here, so every report looks alike in a terminal and in
Jupyter.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta

from ._time import iso_duration, td_us

__all__ = [
    "Tables",
    "display_width",
    "format_duration",
    "html_page",
    "html_table",
    "iso",
    "iso_duration",
    "markdown_table",
    "tables_html",
    "tables_markdown",
    "tables_text",
    "text_table",
]


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, title: str | None = None
) -> str:
    """A plain-text table with aligned columns (numbers right-aligned).

    Columns are as wide as their cells *look* in a terminal
    (:func:`display_width`), so Korean, Japanese or Chinese names line up.

    >>> print(text_table(["metric", "met"], [["response", 12], ["resolution", 9]], title="Gold"))
    Gold
    metric      met
    ----------  ---
    response     12
    resolution    9
    >>> print(text_table(["owner", "open"], [["김민준", 3], ["kim", 12]]))
    owner   open
    ------  ----
    김민준     3
    kim       12
    """
    cells = [[str(c) for c in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    numeric = [
        all(_looks_numeric(row[i]) for row in cells) and bool(cells) for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [_pad(v, widths[i], right=numeric[i]) for i, v in enumerate(values)]
        return "  ".join(parts).rstrip()

    out = [] if title is None else [title]
    out.append(line(list(headers)))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in cells)
    return "\n".join(out)


# The characters the command line shows escaped (``\x1b``, ``\u202e``; see
# ``itilkit.cli._CONTROL``, which this mirrors): C0 and C1 controls, lone
# surrogates, the line and paragraph separators and the bidirectional marks and
# overrides. A table counts each as the width of its escape, so the columns
# still line up once the command line has neutralised them; a table itself
# passes them through unchanged.
_ESCAPED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
_ZERO_WIDTH_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
# Format characters that do show: the soft hyphen (as a hyphen) and the marks
# that Arabic, Syriac and Kaithi write before a number (Prepended_Concatenation_Mark).
_VISIBLE_FORMAT = frozenset(
    "\u00ad\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd"
)


@functools.lru_cache(maxsize=4096)  # a table repeats its few characters many times
def _char_width(char: str) -> int:
    """The columns one character takes in a terminal (see :func:`display_width`)."""
    if _ESCAPED.match(char):
        return 4 if ord(char) < 0x100 else 6  # "\x1b" or "\u202e"
    if char in _VISIBLE_FORMAT:
        return 1
    if unicodedata.combining(char) or unicodedata.category(char) in _ZERO_WIDTH_CATEGORIES:
        return 0
    code = ord(char)
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF or code in (0x3164, 0xFFA0):
        return 0  # Hangul vowel and final jamo join the leading consonant; fillers show nothing
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def display_width(text: str) -> int:
    """How many terminal columns ``text`` takes, as a monospaced terminal draws it.

    East Asian wide and fullwidth characters (Hangul, kana, CJK ideographs,
    fullwidth forms) take two columns; combining marks, format characters
    (zero-width space, joiners) and the conjoining Hangul jamo take none;
    everything else one. A control character counts as its escape
    (``\\x1b`` is four columns), as the command line shows it. Standard
    library only: :mod:`unicodedata`'s tables, so no extra dependency.

    >>> display_width("kim"), display_width("김민준"), display_width("서울 본사")
    (3, 6, 9)
    >>> display_width("e\\u0301"), display_width("a\\u200bb"), display_width("\\x1b")
    (1, 2, 4)
    """
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(_char_width(char) for char in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    """``text`` padded with spaces to ``width`` display columns (on the left if ``right``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


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


def html_page(title: str, body: str, *, heading: bool = True) -> str:
    """A standalone HTML page around report HTML, for a manager to open in a browser.

    ``heading=False`` leaves the page's ``<h1>`` out, for a body with its own heading.

    >>> html_page("SLA <Gold>", "<p>ok</p>").count("<title>SLA &lt;Gold&gt;</title>")
    1
    >>> "<h1>" in html_page("SLA", "<h2>SLA Gold</h2>", heading=False)
    False
    """
    top = f"<h1>{html.escape(title)}</h1>" if heading else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_PAGE_STYLE}</style></head>"
        f"<body>{top}{body}"
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


Tables = Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]]
"""A report's tables: ``(title, headers, rows)`` each."""


def tables_text(tables: Tables, notes: str) -> str:
    """A report's tables as text, one after another, then its notes.

    >>> print(tables_text([("Counts", ["", "n"], [["met", 3]])], "All clocks."))
    Counts
         n
    ---  -
    met  3
    <BLANKLINE>
    All clocks.
    """
    return "\n\n".join([*(text_table(h, rows, title=t) for t, h, rows in tables), notes])


def tables_html(tables: Tables, notes: str) -> str:
    """A report's tables as HTML, then its notes in a paragraph (escaped)."""
    out = "".join(html_table(h, rows, title=t) for t, h, rows in tables)
    return out + f"<p>{html.escape(notes)}</p>"


def tables_markdown(tables: Tables, notes: str) -> str:
    """A report's tables as Markdown, then its notes."""
    return "\n\n".join([*(markdown_table(h, rows, title=t) for t, h, rows in tables), notes])
