"""Charts as inline SVG, for pages that must stand alone: bars against a target, a heat map.

The service review's HTML page carries its pictures inside itself, with no
script, no font and no image to fetch, so that it opens the same way from an
e-mail, a file share or a printer. These functions return an ``<svg>``
element as text, to be placed in an HTML5 page (the HTML parser puts it in
the SVG namespace; a standalone ``.svg`` file would add
``xmlns="http://www.w3.org/2000/svg"``).

Rules every chart keeps:

* figures stay exact until they are drawn: a value is a
  :class:`~fractions.Fraction` (or ``None`` for no data), turned into a float
  only for a coordinate; every figure a reader sees is written by
  :func:`~itilkit._ratio.format_percent` (or ``format_decimal``), never by
  ``repr(float)``;
* every text is escaped (``html.escape``), so a service called
  ``<script>`` is shown, not run;
* each chart is an accessible image: ``role="img"``, an ``aria-label``, a
  ``<title>`` and a ``<desc>`` that lists the figures;
* a ``viewBox`` lets it scale to the page; ``width``/``height`` give its
  natural size;
* no meaning rests on colour alone, so a grey print reads the same: a bar
  below the target carries a ``▼`` beside its figure, series differ by
  stripes as well as colour, an overloaded heat-map cell has a thick black
  border (a shape, named in the legend), and every cell shows its figure.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from fractions import Fraction
from typing import Literal

from ._ratio import format_decimal, format_percent

__all__ = ["BELOW", "bar_chart", "grouped_bars", "heat_map"]

#: The sign beside a figure below its target (text, so it survives a grey print).
BELOW = "▼"

Unit = Literal["%", ""]

# Bar charts: the geometry, in viewBox units (tests compute positions from these).
BAR_WIDTH = 720
BAR_HEIGHT = 300
PLOT_LEFT = 64
PLOT_RIGHT = 16
PLOT_TOP = 40
PLOT_BOTTOM = 64
PLOT_HEIGHT = BAR_HEIGHT - PLOT_TOP - PLOT_BOTTOM

# Heat maps.
CELL_W = 34
CELL_H = 26
MAP_LEFT = 48
MAP_TOP = 40

_INK = "#222222"
_GRID = "#d0d0d0"
_SERIES = ("#2f6db5", "#8fb8e3", "#5a5a5a", "#b0b0b0")
_BELOW_FILL = "#d9822b"
_TARGET = "#b22222"
_OVERLOAD = "#000000"
# Light yellow to dark red (ColorBrewer YlOrRd, five classes): dark enough apart in grey.
_HEAT = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
_EMPTY = "#eeeeee"
_FONT = "font-family:system-ui,sans-serif"
_BOLD = ' font-weight="700"'


def _num(x: float) -> str:
    """A drawing coordinate: two decimals at most, no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _figure(value: Fraction, unit: Unit, places: int) -> str:
    """A figure for people (exact input, rounded for display only)."""
    return format_percent(value, places) if unit == "%" else format_decimal(value, places)


def _open(width: int, height: int, title: str, desc: str, kind: str) -> list[str]:
    return [
        f'<svg class="chart {kind}" role="img" aria-label="{_esc(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMidYMid meet" style="{_FONT}">',
        f"<title>{_esc(title)}</title>",
        f"<desc>{_esc(desc)}</desc>",
        f'<rect class="background" x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{PLOT_LEFT}" y="22" font-size="15" font-weight="600" fill="{_INK}">'
        f"{_esc(title)}</text>",
    ]


def _stripes(x: float, y: float, w: float, h: float, vertical: bool) -> str:
    """White stripes across a bar: a pattern drawn as lines (no ``url(#...)`` reference)."""
    step = 5.0
    lines = []
    if vertical:
        pos = x + step / 2
        while pos < x + w:
            lines.append(f"M{_num(pos)} {_num(y)}V{_num(y + h)}")
            pos += step
    else:
        pos = y + h - step / 2
        while pos > y:
            lines.append(f"M{_num(x)} {_num(pos)}H{_num(x + w)}")
            pos -= step
    if not lines:
        return ""
    return f'<path class="stripes" d="{"".join(lines)}" stroke="#ffffff" stroke-width="1.6"/>'


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Fraction | None],
    *,
    target: Fraction | None = None,
    unit: Unit = "%",
    title: str,
    baseline: Fraction = Fraction(0),
    maximum: Fraction | None = None,
    places: int = 2,
) -> str:
    """Bars, one per label, with a dashed target line: availability by period.

    ``values`` are exact (a ratio when ``unit="%"``); ``None`` is a period
    without data, shown as "no data". The axis runs from ``baseline`` (0
    unless given: a review zooms in on 95-100%) to ``maximum`` (100% for
    percentages, else the largest figure). A bar below ``target`` is drawn
    in another colour and its figure carries a ``▼``.

    >>> svg = bar_chart(["Jan", "Feb"], [Fraction(99, 100), Fraction(24, 25)],
    ...                 target=Fraction(97, 100), title="Availability")
    >>> svg.count('class="bar'), "▼ 96%" in svg, 'class="target"' in svg
    (2, True, True)
    """
    return grouped_bars(
        labels,
        [""],
        [[value] for value in values],
        target=target,
        unit=unit,
        title=title,
        baseline=baseline,
        maximum=maximum,
        places=places,
    )


def grouped_bars(
    groups: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[Fraction | None]],
    *,
    target: Fraction | None = None,
    unit: Unit = "%",
    title: str,
    baseline: Fraction = Fraction(0),
    maximum: Fraction | None = None,
    places: int = 2,
) -> str:
    """Bars in groups, one per series in each group: compliance by priority and metric.

    ``values[i][j]`` is group ``i``'s figure for series ``j``. Series differ
    by colour and by stripes (none, horizontal, vertical), named in a legend;
    a single unnamed series (``series == [""]``) has no legend. Figures,
    target line and the ``▼`` mark as in :func:`bar_chart`.

    >>> svg = grouped_bars(["P1", "P2"], ["response", "resolution"],
    ...                    [[Fraction(1), Fraction(3, 4)], [Fraction(1, 2), None]], title="SLA")
    >>> svg.count('class="bar'), svg.count('class="missing"'), "75%" in svg
    (3, 1, True)
    """
    if len(values) != len(groups):
        raise ValueError(f"'values' must have one row per group (got {len(values)} rows)")
    if any(len(row) != len(series) for row in values):
        raise ValueError("'values' must have one figure per series in every row")
    figures = [v for row in values for v in row if v is not None]
    top = maximum
    if top is None:
        top = Fraction(1) if unit == "%" else max([*figures, target or Fraction(0), Fraction(1)])
        top = max([top, *figures])
    if top <= baseline:
        top = baseline + 1
    span = top - baseline

    def y_of(value: Fraction) -> float:
        clipped = min(max(value, baseline), top)
        return PLOT_TOP + PLOT_HEIGHT * float((top - clipped) / span)

    desc_parts = []
    for g, row in zip(groups, values, strict=True):
        shown = [
            ("no data" if v is None else _figure(v, unit, places))
            + ("" if not name else f" {name}")
            for name, v in zip(series, row, strict=True)
        ]
        desc_parts.append(f"{g}: {', '.join(shown)}")
    if target is not None:
        desc_parts.append(f"target {_figure(target, unit, places)}")
    out = _open(BAR_WIDTH, BAR_HEIGHT, title, "; ".join(desc_parts), "bars")

    # Axis, gridlines and their figures: the baseline, the top and three between.
    plot_w = BAR_WIDTH - PLOT_LEFT - PLOT_RIGHT
    for k in range(5):
        tick = baseline + span * Fraction(k, 4)
        y = y_of(tick)
        out.append(
            f'<line class="grid" x1="{PLOT_LEFT}" x2="{PLOT_LEFT + plot_w}" '
            f'y1="{_num(y)}" y2="{_num(y)}" stroke="{_GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text class="tick" x="{PLOT_LEFT - 6}" y="{_num(y + 4)}" font-size="11" '
            f'text-anchor="end" fill="{_INK}">{_esc(_figure(tick, unit, places))}</text>'
        )

    n_groups = max(len(groups), 1)
    slot = plot_w / n_groups
    bar_w = min(64.0, slot * 0.7 / max(len(series), 1))
    for i, (group, row) in enumerate(zip(groups, values, strict=True)):
        start = PLOT_LEFT + slot * i + (slot - bar_w * len(series)) / 2
        for j, value in enumerate(row):
            x = start + bar_w * j
            centre = x + bar_w / 2
            if value is None:
                out.append(
                    f'<text class="missing" x="{_num(centre)}" y="{_num(y_of(baseline) - 6)}" '
                    f'font-size="10" text-anchor="middle" fill="{_INK}">no data</text>'
                )
                continue
            below = target is not None and value < target
            y = y_of(value)
            height = y_of(baseline) - y
            fill = _BELOW_FILL if below and len(series) == 1 else _SERIES[j % len(_SERIES)]
            name = f"{group} {series[j]}".strip()
            label = _figure(value, unit, places)
            out.append(
                f'<rect class="bar{" below" if below else ""}" x="{_num(x + 1)}" y="{_num(y)}" '
                f'width="{_num(bar_w - 2)}" height="{_num(height)}" fill="{fill}">'
                f"<title>{_esc(name)}: {_esc(label)}</title></rect>"
            )
            if j % 3:
                out.append(_stripes(x + 1, y, bar_w - 2, height, vertical=j % 3 == 2))
            text = f"{BELOW} {label}" if below else label
            out.append(
                f'<text class="value" x="{_num(centre)}" y="{_num(y - 5)}" font-size="11" '
                f'text-anchor="middle" fill="{_INK}"{_BOLD if below else ""}>{_esc(text)}</text>'
            )
        out.append(
            f'<text class="label" x="{_num(PLOT_LEFT + slot * (i + 0.5))}" '
            f'y="{BAR_HEIGHT - PLOT_BOTTOM + 18}" font-size="12" text-anchor="middle" '
            f'fill="{_INK}">{_esc(group)}</text>'
        )

    out.append(
        f'<line class="axis" x1="{PLOT_LEFT}" x2="{PLOT_LEFT + plot_w}" '
        f'y1="{_num(y_of(baseline))}" y2="{_num(y_of(baseline))}" stroke="{_INK}"/>'
    )
    legend: list[str] = []
    if target is not None:
        y = y_of(target)
        text = f"target {_figure(target, unit, places)}"
        out.append(
            f'<line class="target" x1="{PLOT_LEFT}" x2="{PLOT_LEFT + plot_w}" '
            f'y1="{_num(y)}" y2="{_num(y)}" stroke="{_TARGET}" stroke-width="2" '
            f'stroke-dasharray="8 5"/>'
        )
        legend.append(
            f'<line x1="0" x2="24" y1="-4" y2="-4" stroke="{_TARGET}" stroke-width="2" '
            f'stroke-dasharray="8 5"/><text x="30" y="0" font-size="11" fill="{_INK}">'
            f"{_esc(text)}</text>"
        )
        legend.append(
            f'<text x="0" y="0" font-size="11" fill="{_INK}">{BELOW} below target</text>'
        )
    if list(series) != [""]:
        for j, name in enumerate(series):
            swatch = (
                f'<rect x="0" y="-11" width="16" height="12" fill="{_SERIES[j % len(_SERIES)]}"/>'
            )
            if j % 3:
                swatch += _stripes(0, -11, 16, 12, vertical=j % 3 == 2)
            legend.append(
                f'{swatch}<text x="22" y="0" font-size="11" fill="{_INK}">{_esc(name)}</text>'
            )
    x = float(PLOT_LEFT)
    for item in legend:
        out.append(f'<g class="legend" transform="translate({_num(x)} {BAR_HEIGHT - 14})">')
        out.append(item)
        out.append("</g>")
        x += 150
    out.append("</svg>")
    return "".join(out)


def _heat_colour(value: Fraction, low: Fraction, high: Fraction) -> tuple[str, str]:
    """A cell's fill and the ink that reads on it."""
    if high <= low:
        k = len(_HEAT) - 1
    else:
        position = (value - low) / (high - low)
        k = min(int(position * len(_HEAT)), len(_HEAT) - 1)
    return _HEAT[k], ("#ffffff" if k >= 3 else _INK)


def _cell_text(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Fraction | None]],
    r: int,
    c: int,
    unit: Unit,
    places: int,
) -> str:
    value = values[r][c]
    return f"{rows[r]} {columns[c]}" + (
        "" if value is None else f" {_figure(value, unit, places)}"
    )


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Fraction | None]],
    *,
    marked: Collection[tuple[int, int]] = frozenset(),
    title: str,
    unit: Unit = "%",
    marked_label: str = "overload",
    places: int = 0,
) -> str:
    """A grid of figures coloured by size, marked cells outlined: load by weekday and hour.

    ``values[r][c]`` is the figure of row ``r`` and column ``c`` (``None``:
    no data, drawn grey and empty). ``marked`` holds ``(row, column)``
    pairs drawn with a thick black border (the recurring overload);
    a legend explains the colour steps and the mark. Every cell also shows
    its figure, so colour is never the only way to read it.

    >>> svg = heat_map(["Mon"], ["09", "10"], [[Fraction(1, 2), Fraction(99, 100)]],
    ...                marked={(0, 1)}, title="Load")
    >>> svg.count('class="cell'), svg.count('class="cell marked"'), "99%" in svg
    (2, 1, True)
    """
    if len(values) != len(rows) or any(len(row) != len(columns) for row in values):
        raise ValueError("'values' must have one row per row label and one figure per column")
    for r, c in marked:
        if not (0 <= r < len(rows) and 0 <= c < len(columns)):
            raise ValueError(f"'marked' must hold cells of the grid (got {(r, c)!r})")
    figures = [v for row in values for v in row if v is not None]
    low = min(figures, default=Fraction(0))
    high = max(figures, default=Fraction(1))
    width = MAP_LEFT + CELL_W * len(columns) + 16
    legend_y = MAP_TOP + CELL_H * len(rows) + 30
    height = legend_y + 34
    marked_text = "; ".join(
        _cell_text(rows, columns, values, r, c, unit, places) for r, c in sorted(marked)
    )
    desc = (
        f"{len(rows)} rows by {len(columns)} columns; figures from "
        f"{_figure(low, unit, places)} to {_figure(high, unit, places)}"
        + (f"; {marked_label}: {marked_text}" if marked else "")
    )
    out = _open(width, height, title, desc, "heat")
    for c, name in enumerate(columns):
        out.append(
            f'<text class="column" x="{_num(MAP_LEFT + CELL_W * (c + 0.5))}" '
            f'y="{MAP_TOP - 6}" font-size="10" text-anchor="middle" fill="{_INK}">'
            f"{_esc(name)}</text>"
        )
    outlines = []
    for r, (name, row) in enumerate(zip(rows, values, strict=True)):
        y = MAP_TOP + CELL_H * r
        out.append(
            f'<text class="row" x="{MAP_LEFT - 6}" y="{_num(y + CELL_H / 2 + 4)}" font-size="11" '
            f'text-anchor="end" fill="{_INK}">{_esc(name)}</text>'
        )
        for c, value in enumerate(row):
            x = MAP_LEFT + CELL_W * c
            is_marked = (r, c) in marked
            if value is None:
                fill, ink, text = _EMPTY, _INK, ""
                tip = f"{name} {columns[c]}: no data"
            else:
                fill, ink = _heat_colour(value, low, high)
                text = _figure(value, unit, places)
                tip = f"{name} {columns[c]}: {text}"
            if is_marked:
                tip += f" ({marked_label})"
            out.append(
                f'<rect class="cell{" marked" if is_marked else ""}" x="{x}" y="{y}" '
                f'width="{CELL_W}" height="{CELL_H}" fill="{fill}" stroke="#ffffff" '
                f'stroke-width="1"><title>{_esc(tip)}</title></rect>'
            )
            if text:
                out.append(
                    f'<text class="figure" x="{_num(x + CELL_W / 2)}" '
                    f'y="{_num(y + CELL_H / 2 + 3.5)}" font-size="9" text-anchor="middle" '
                    f'fill="{ink}"{_BOLD if is_marked else ""}>'
                    f"{_esc(text)}</text>"
                )
            if is_marked:
                outlines.append(
                    f'<rect class="outline" x="{x + 1.5}" y="{y + 1.5}" width="{CELL_W - 3}" '
                    f'height="{CELL_H - 3}" fill="none" stroke="{_OVERLOAD}" stroke-width="3"/>'
                )
    out.extend(outlines)  # drawn last, so no neighbour's edge covers a border

    # Legend: the colour steps with the figures they start at, then the mark.
    out.append(f'<g class="legend" transform="translate({MAP_LEFT} {legend_y})">')
    for k, colour in enumerate(_HEAT):
        start = low + (high - low) * Fraction(k, len(_HEAT))
        out.append(
            f'<rect x="{k * 56}" y="-12" width="56" height="14" fill="{colour}" '
            f'stroke="{_GRID}"/><text x="{k * 56 + 2}" y="16" font-size="10" fill="{_INK}">'
            f"{_esc(_figure(start, unit, places))}</text>"
        )
    x = len(_HEAT) * 56 + 24
    out.append(
        f'<rect x="{x}" y="-12" width="22" height="14" fill="none" stroke="{_OVERLOAD}" '
        f'stroke-width="3"/><text x="{x + 30}" y="0" font-size="11" fill="{_INK}">'
        f"{_esc(marked_label)}</text>"
    )
    out.append("</g></svg>")
    return "".join(out)
