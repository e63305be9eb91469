"""Inline SVG charts: valid XML, the right number of marks, exact figures, escaped text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from itilkit._ratio import format_percent
from itilkit._svg import BELOW, bar_chart, grouped_bars, heat_map

HOSTILE = '<script>alert("x")</script> & "quoted"'


def parse(svg: str) -> ET.Element:
    """The chart as an XML tree (it must be well-formed XML, not only HTML)."""
    return ET.fromstring(svg)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter() if e.tag == "text"]


class TestBarChart:
    def test_one_bar_per_value_and_a_viewbox(self) -> None:
        """Each period with data is a bar; the chart scales by its viewBox."""
        root = parse(
            bar_chart(
                ["Jan", "Feb", "Mar"],
                [Fraction(99, 100), Fraction(24, 25), Fraction(1)],
                title="Availability",
            )
        )
        assert root.tag == "svg"
        assert root.get("viewBox") == "0 0 720 300"
        assert len(by_class(root, "bar")) == 3
        assert [e.text for e in by_class(root, "label")] == ["Jan", "Feb", "Mar"]

    def test_accessible(self) -> None:
        """An image with a name: role, aria-label, <title> and a <desc> listing the figures."""
        root = parse(
            bar_chart(["Jan"], [Fraction(99, 100)], target=Fraction(97, 100), title="Avail")
        )
        assert root.get("role") == "img"
        assert root.get("aria-label") == "Avail"
        assert root.find("title") is not None and root.find("title").text == "Avail"  # type: ignore[union-attr]
        desc = root.find("desc")
        assert desc is not None and desc.text == "Jan: 99%; target 97%"

    def test_target_line_at_the_right_height(self) -> None:
        """97% on a 0-100% axis: 3% of the 196-unit plot below its top at y=40, so y=45.88."""
        root = parse(bar_chart(["Jan"], [Fraction(1)], target=Fraction(97, 100), title="A"))
        (line,) = by_class(root, "target")
        assert line.get("y1") == line.get("y2") == "45.88"
        assert line.get("stroke-dasharray")  # dashed

    def test_target_line_on_a_zoomed_axis(self) -> None:
        """From 95% to 100%, 97% sits 3/5 of 196 below y=40: y=157.6."""
        root = parse(
            bar_chart(
                ["Jan"],
                [Fraction(99, 100)],
                target=Fraction(97, 100),
                baseline=Fraction(95, 100),
                title="A",
            )
        )
        (line,) = by_class(root, "target")
        assert line.get("y1") == "157.6"
        (bar,) = by_class(root, "bar")
        # 99% is 1/5 of 196 below the top (y=79.2) and stands 4/5 of 196 tall
        assert (bar.get("y"), bar.get("height")) == ("79.2", "156.8")

    def test_below_target_is_marked_in_text(self) -> None:
        """A bar under the target carries ▼ beside its figure, not only another colour."""
        root = parse(
            bar_chart(
                ["Jan", "Feb"],
                [Fraction(99, 100), Fraction(24, 25)],
                target=Fraction(97, 100),
                title="A",
            )
        )
        assert len(by_class(root, "below")) == 1
        values = [e.text for e in by_class(root, "value")]
        assert values == ["99%", f"{BELOW} 96%"]
        assert f"{BELOW} below target" in texts(root)

    def test_no_data(self) -> None:
        """A period without a figure has no bar and says so."""
        root = parse(bar_chart(["Jan", "Feb"], [None, Fraction(1, 2)], title="A"))
        assert len(by_class(root, "bar")) == 1
        assert [e.text for e in by_class(root, "missing")] == ["no data"]

    def test_figures_are_exact_percents_not_floats(self) -> None:
        """1/3 is written by format_percent, never as 0.3333333333333333 or 33.33333333333333."""
        value = Fraction(1, 3)
        svg = bar_chart(["Q1"], [value], target=Fraction(2, 3), title="A", places=3)
        assert format_percent(value, 3) in svg
        assert "33.333%" in svg
        root = parse(svg)
        for text in [*texts(root), root.findtext("desc") or ""]:
            assert not re.search(r"\d\.\d{4,}", text), text

    def test_hostile_labels_are_escaped(self) -> None:
        """A label or title with markup is shown as text: no element is injected."""
        svg = bar_chart([HOSTILE], [Fraction(1, 2)], title=HOSTILE)
        assert "<script>" not in svg
        root = parse(svg)
        assert not [e for e in root.iter() if e.tag == "script"]
        assert root.get("aria-label") == HOSTILE
        assert [e.text for e in by_class(root, "label")] == [HOSTILE]

    def test_plain_numbers(self) -> None:
        """Without the percent unit, figures are decimals and the axis reaches the largest one."""
        root = parse(bar_chart(["a", "b"], [Fraction(3), Fraction(5, 2)], unit="", title="n"))
        assert [e.text for e in by_class(root, "value")] == ["3", "2.5"]
        ticks = [e.text for e in by_class(root, "tick")]
        assert ticks[0] == "0" and ticks[-1] == "3"


class TestGroupedBars:
    def test_bars_per_group_and_series_with_a_legend(self) -> None:
        """Compliance by priority: one bar per (priority, metric) with data, series named."""
        root = parse(
            grouped_bars(
                ["P1", "P2", "P3"],
                ["response", "resolution"],
                [
                    [Fraction(1), Fraction(3, 4)],
                    [Fraction(1, 2), None],
                    [Fraction(9, 10), Fraction(7, 8)],
                ],
                target=Fraction(9, 10),
                title="Compliance",
            )
        )
        assert len(by_class(root, "bar")) == 5
        assert len(by_class(root, "missing")) == 1
        assert len(by_class(root, "below")) == 3  # 75%, 50%, 87.5%
        legend = texts(root)
        assert "response" in legend and "resolution" in legend
        # the second series is striped, so it differs in grey print too
        assert len(by_class(root, "stripes")) >= 2

    def test_shape_is_checked(self) -> None:
        with pytest.raises(ValueError, match="one row per group"):
            grouped_bars(["P1"], ["a"], [], title="x")
        with pytest.raises(ValueError, match="one figure per series"):
            grouped_bars(["P1"], ["a", "b"], [[Fraction(1)]], title="x")


class TestHeatMap:
    def grid(self) -> list[list[Fraction | None]]:
        return [[Fraction(h, 24) for h in range(24)] for _ in range(7)]

    def test_one_cell_per_value_and_marked_cells(self) -> None:
        """7 x 24 cells; the overload cells have a class and a thick black outline."""
        days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        hours = [f"{h:02d}" for h in range(24)]
        marked = {(d, h) for d in range(5) for h in range(18, 22)}
        root = parse(heat_map(days, hours, self.grid(), marked=marked, title="Load"))
        assert len(by_class(root, "cell")) == 7 * 24
        assert len(by_class(root, "marked")) == 20
        outlines = by_class(root, "outline")
        assert len(outlines) == 20
        assert all(float(o.get("stroke-width", "0")) >= 2 for o in outlines)
        assert "overload" in texts(root)  # the legend names the outline
        assert root.get("viewBox") == f"0 0 {48 + 34 * 24 + 16} {40 + 26 * 7 + 30 + 34}"

    def test_every_cell_shows_its_figure(self) -> None:
        """Colour is not the only reading: each cell with data carries its percent."""
        root = parse(heat_map(["Mon"], ["00", "01"], [[Fraction(1, 3), None]], title="L"))
        figures = [e.text for e in by_class(root, "figure")]
        assert figures == ["33%"]
        tips = [e.findtext("title") for e in by_class(root, "cell")]
        assert tips == ["Mon 00: 33%", "Mon 01: no data"]

    def test_hostile_labels_are_escaped(self) -> None:
        svg = heat_map([HOSTILE], [HOSTILE], [[Fraction(1)]], marked={(0, 0)}, title=HOSTILE)
        assert "<script>" not in svg
        root = parse(svg)
        assert [e.text for e in by_class(root, "row")] == [HOSTILE]
        assert [e.text for e in by_class(root, "column")] == [HOSTILE]

    def test_marked_cells_must_be_in_the_grid(self) -> None:
        with pytest.raises(ValueError, match="'marked' must hold cells"):
            heat_map(["Mon"], ["00"], [[Fraction(1)]], marked={(1, 0)}, title="L")
        with pytest.raises(ValueError, match="one row per row label"):
            heat_map(["Mon", "Tue"], ["00"], [[Fraction(1)]], title="L")
