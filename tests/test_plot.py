"""Pictures: a clock's timeline, availability by month, the weekday-by-hour load heatmap.

Each figure is drawn with the Agg backend, rendered to PNG, and checked on its
structure: which bars, lines and cells it holds and where, against figures
worked out by hand.
"""

from __future__ import annotations

import pickle
import sys
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pendulum
import pytest
from matplotlib import dates
from matplotlib.colors import to_rgba

import itilkit
from itilkit import (
    InvalidValueError,
    ItilkitError,
    MissingDependencyError,
    Outage,
    ServiceWindow,
    measure_availability,
    plot_load,
)

BERLIN = "Europe/Berlin"
GREEN = to_rgba("#2ca02c")  # tab10 green: a month that meets the target
RED = to_rgba("#d62728")  # tab10 red: a month below it


def x_of(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    """matplotlib's date number of a UTC instant."""
    return float(dates.date2num(datetime(year, month, day, hour, minute, tzinfo=UTC)))


def render(fig: Any, path: Path) -> None:
    """Render to PNG (every artist drawn for real) and check a PNG came out."""
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def by_gid(artists: Any, gid: str) -> list[Any]:
    return [a for a in artists if a.get_gid() == gid]


def line_x(ax: Any, gid: str) -> float:
    (line,) = by_gid(ax.lines, gid)
    x0, x1 = line.get_xdata()
    assert x0 == x1  # a vertical marker
    return float(x0)


def stretches(ax: Any, gid: str) -> list[float]:
    """Start and end x of each bar of a broken_barh collection, in order, flat."""
    (collection,) = by_gid(ax.collections, gid)
    pairs = sorted(
        (float(p.vertices[:, 0].min()), float(p.vertices[:, 0].max()))
        for p in collection.get_paths()
    )
    return [x for pair in pairs for x in pair]


def at(day: int, hour: int, minute: int = 0) -> pendulum.DateTime:
    """An instant in March 2026, Berlin wall time (CET, UTC+1, before 29 March)."""
    return pendulum.datetime(2026, 3, day, hour, minute, tz=BERLIN)


@pytest.fixture
def window() -> ServiceWindow:
    return ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz=BERLIN)


@pytest.fixture
def held(window: ServiceWindow) -> itilkit.ClockStatus:
    """A P2 resolution clock: opened Tue 3 March 14:00, on hold Wed 10:00-15:00, as of Thu 11:00.

    By hand (Mon-Fri 09:00-18:00 Berlin, target 8h): counted Tue 14-18 (4h),
    Wed 09-10 (1h), Wed 15-18 (3h): 8h reached Wed 18:00, the due instant;
    Thu 09-11 (2h) runs past it, breached from Thu 09:00; 10h elapsed. The
    50% warning (4h) is reached Tue 18:00, the 75% one (6h) Wed 16:00.
    """
    sla = itilkit.SLA("Gold", window=window, targets=[itilkit.Target("resolution", "PT8H")])
    incident = (
        itilkit.Incident.open("INC1", at=at(3, 14), impact="high", urgency="medium")
        .start_work(at=at(3, 14, 20))
        .hold(at=at(4, 10), reason="awaiting caller")
        .resume(at=at(4, 15))
    )
    return sla.clock(incident, "resolution", as_of=at(5, 11))


class TestClockTimeline:
    def test_markers_at_the_instants_worked_out_by_hand(
        self, held: itilkit.ClockStatus, window: ServiceWindow, tmp_path: Path
    ) -> None:
        """Due, breach, as_of and the warning thresholds sit at their instants (UTC = CET - 1h)."""
        fig = held.plot(window=window)
        render(fig, tmp_path / "clock.png")
        ax = fig.axes[0]
        assert line_x(ax, "due") == pytest.approx(x_of(2026, 3, 4, 17))
        assert line_x(ax, "breached") == pytest.approx(x_of(2026, 3, 5, 8))
        assert line_x(ax, "as_of") == pytest.approx(x_of(2026, 3, 5, 10))
        assert line_x(ax, "warning-50%") == pytest.approx(x_of(2026, 3, 3, 17))
        assert line_x(ax, "warning-75%") == pytest.approx(x_of(2026, 3, 4, 15))

    def test_running_paused_and_closed_stretches(
        self, held: itilkit.ClockStatus, window: ServiceWindow
    ) -> None:
        """Running time splits into counted (service hours) and not counted; the hold is paused."""
        ax = held.plot(window=window).axes[0]
        assert stretches(ax, "running") == pytest.approx(
            [
                x_of(2026, 3, 3, 13),
                x_of(2026, 3, 3, 17),
                x_of(2026, 3, 4, 8),
                x_of(2026, 3, 4, 9),
                x_of(2026, 3, 4, 14),
                x_of(2026, 3, 4, 17),
                x_of(2026, 3, 5, 8),
                x_of(2026, 3, 5, 10),
            ]
        )
        assert stretches(ax, "running-closed") == pytest.approx(
            [
                x_of(2026, 3, 3, 17),
                x_of(2026, 3, 4, 8),
                x_of(2026, 3, 4, 17),
                x_of(2026, 3, 5, 8),
            ]
        )
        assert stretches(ax, "paused") == pytest.approx(
            [x_of(2026, 3, 4, 9), x_of(2026, 3, 4, 14)]
        )
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "paused (on hold: awaiting caller)" in labels
        assert "due Wed 04 Mar 18:00" in labels  # in the clock's zone, Berlin

    def test_titles_labels_and_zone(
        self, held: itilkit.ClockStatus, window: ServiceWindow
    ) -> None:
        """The title names the clock and its figures; the x axis names the zone."""
        ax = held.plot(window=window).axes[0]
        title = ax.get_title(loc="left")
        assert title.startswith("INC1 resolution (P2): breached as of 2026-03-05 11:00 +01:00")
        assert "target 8h 00m, elapsed 10h 00m (125%), paused 5h 00m" in title
        assert "warnings crossed: 50%, 75%" in title
        assert ax.get_xlabel() == "time (Europe/Berlin)"
        assert [t.get_text() for t in ax.get_yticklabels()] == [
            "resolution clock",
            "service hours",
        ]

    def test_without_window_one_row_and_no_warning_instants(
        self, held: itilkit.ClockStatus
    ) -> None:
        """Without the window the running time is not split and warnings are named in the title."""
        ax = held.plot().axes[0]
        assert stretches(ax, "running") == pytest.approx(
            [
                x_of(2026, 3, 3, 13),
                x_of(2026, 3, 4, 9),
                x_of(2026, 3, 4, 14),
                x_of(2026, 3, 5, 10),
            ]
        )
        assert not by_gid(ax.collections, "open")
        assert not [line for line in ax.lines if str(line.get_gid()).startswith("warning")]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["resolution clock"]

    def test_met_clock_reaches_on_to_its_due(self, window: ServiceWindow) -> None:
        """A clock resolved early stops there; the axis still reaches the due instant."""
        sla = itilkit.SLA("Gold", window=window, targets=[itilkit.Target("resolution", "PT8H")])
        incident = (
            itilkit.Incident.open("INC2", at=at(3, 9), impact="high", urgency="medium")
            .start_work(at=at(3, 9, 30))
            .resolve(at=at(3, 11))
        )
        status = sla.clock(incident, "resolution", as_of=at(3, 12))
        assert status.stage == "met"
        ax = status.plot(window=window).axes[0]
        # 2h elapsed by 11:00; 6h more from 11:00 runs to 17:00 Berlin, 16:00 UTC.
        assert line_x(ax, "due") == pytest.approx(x_of(2026, 3, 3, 16))
        assert ax.get_xlim()[1] > x_of(2026, 3, 3, 16)
        assert stretches(ax, "running") == pytest.approx(
            [x_of(2026, 3, 3, 8), x_of(2026, 3, 3, 10)]
        )
        assert not by_gid(ax.lines, "breached")
        assert not by_gid(ax.collections, "paused")

    def test_open_pause_runs_to_as_of(self, window: ServiceWindow) -> None:
        """A clock paused at as_of shows the pause up to as_of."""
        sla = itilkit.SLA("Gold", window=window, targets=[itilkit.Target("resolution", "PT8H")])
        incident = (
            itilkit.Incident.open("INC3", at=at(3, 9), impact="high", urgency="medium")
            .start_work(at=at(3, 9, 30))
            .hold(at=at(3, 10), reason="awaiting vendor")
        )
        status = sla.clock(incident, "resolution", as_of=at(3, 15))
        assert status.stage == "paused"
        ax = status.plot(window=window).axes[0]
        assert stretches(ax, "paused") == pytest.approx(
            [x_of(2026, 3, 3, 9), x_of(2026, 3, 3, 14)]
        )

    def test_clock_running_into_the_evening(self, window: ServiceWindow) -> None:
        """As of 20:00 the clock still runs, but the last two hours are outside service hours."""
        sla = itilkit.SLA("Gold", window=window, targets=[itilkit.Target("resolution", "PT8H")])
        incident = itilkit.Incident.open("INC4", at=at(3, 14), impact="high", urgency="medium")
        ax = sla.clock(incident, "resolution", as_of=at(3, 20)).plot(window=window).axes[0]
        assert stretches(ax, "running") == pytest.approx(
            [x_of(2026, 3, 3, 13), x_of(2026, 3, 3, 17)]
        )
        assert stretches(ax, "running-closed") == pytest.approx(
            [x_of(2026, 3, 3, 17), x_of(2026, 3, 3, 19)]
        )
        assert not by_gid(ax.lines, "breached")

    def test_clock_that_can_never_be_due(self) -> None:
        """A window whose open time runs out before the target has no due marker."""
        window = ServiceWindow.from_spans([(at(3, 9), at(3, 12))], tz=BERLIN)
        sla = itilkit.SLA("Gold", window=window, targets=[itilkit.Target("resolution", "PT8H")])
        incident = itilkit.Incident.open("INC5", at=at(3, 9), impact="high", urgency="medium")
        status = sla.clock(incident, "resolution", as_of=at(3, 13))
        assert status.due is None
        ax = status.plot(window=window).axes[0]
        assert not by_gid(ax.lines, "due")
        assert line_x(ax, "as_of") == pytest.approx(x_of(2026, 3, 3, 12))

    def test_warning_at_a_third(self, window: ServiceWindow) -> None:
        """A threshold whose percentage is no decimal is rounded in the label, exact in place.

        A third of 3h is 1h: reached at 10:00 Berlin for a clock opened at 09:00.
        """
        sla = itilkit.SLA(
            "Gold",
            window=window,
            targets=[itilkit.Target("resolution", "PT3H")],
            warn_at=[Fraction(1, 3)],
        )
        incident = itilkit.Incident.open("INC6", at=at(3, 9), impact="high", urgency="medium")
        ax = sla.clock(incident, "resolution", as_of=at(3, 11)).plot(window=window).axes[0]
        assert line_x(ax, "warning-33.333%") == pytest.approx(x_of(2026, 3, 3, 9))
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "33.333% of target at Tue 03 Mar 10:00" in labels

    def test_held_from_the_start(self, window: ServiceWindow) -> None:
        """An incident put on hold the moment it is opened runs only after the hold."""
        sla = itilkit.SLA("Gold", window=window, targets=[itilkit.Target("resolution", "PT8H")])
        incident = (
            itilkit.Incident.open("INC7", at=at(3, 9), impact="high", urgency="medium")
            .start_work(at=at(3, 9))
            .hold(at=at(3, 9), reason="awaiting caller")
            .resume(at=at(3, 10))
        )
        ax = sla.clock(incident, "resolution", as_of=at(3, 12)).plot().axes[0]
        assert stretches(ax, "paused") == pytest.approx([x_of(2026, 3, 3, 8), x_of(2026, 3, 3, 9)])
        assert stretches(ax, "running") == pytest.approx(
            [x_of(2026, 3, 3, 9), x_of(2026, 3, 3, 11)]
        )

    def test_another_window_is_refused(self, held: itilkit.ClockStatus) -> None:
        """A window that does not count the clock's elapsed time cannot place its warnings."""
        other = ServiceWindow.weekly("Mon-Fri 08:00-12:00", tz=BERLIN)
        with pytest.raises(InvalidValueError, match="'window' must be the window the clock"):
            held.plot(window=other)

    def test_draws_into_a_given_axes(self, held: itilkit.ClockStatus) -> None:
        """With ``ax`` the clock is drawn there and that axes' figure is returned."""
        fig, (left, right) = plt.subplots(1, 2)
        try:
            assert held.plot(ax=right) is fig
            assert by_gid(right.lines, "due") and not left.lines
        finally:
            plt.close(fig)

    def test_new_figures_are_detached_from_pyplot(self, held: itilkit.ClockStatus) -> None:
        """A new figure is not left open in pyplot (a notebook shows it once, as the result)."""
        before = plt.get_fignums()
        held.plot()
        assert plt.get_fignums() == before


def weekdays(year: int, month: int) -> int:
    """Brute force: the Mon-Fri dates of a month."""
    day = datetime(year, month, 1)
    count = 0
    while day.month == month:
        count += day.weekday() < 5
        day += timedelta(days=1)
    return count


class TestAvailabilityByMonth:
    @pytest.fixture
    def report(self) -> itilkit.AvailabilityReport:
        w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        outages = [
            Outage("2026-01-12T09:00Z", "2026-01-12T10:00Z"),  # 1h in January
            Outage("2026-02-10T09:00Z", "2026-02-10T18:00Z"),  # a whole 9h day in February
        ]
        return measure_availability(
            outages, window=w, start="2026-01-01T00:00Z", end="2026-04-01T00:00Z"
        )

    def test_one_bar_per_month_at_its_availability(
        self, report: itilkit.AvailabilityReport, tmp_path: Path
    ) -> None:
        """Bars: 1 - downtime / (weekdays x 9h), per month."""
        fig = report.plot("99.5%")
        render(fig, tmp_path / "availability.png")
        ax = fig.axes[0]
        bars = by_gid(ax.patches, "month")
        assert len(bars) == 3
        jan = 1 - Fraction(1, weekdays(2026, 1) * 9)  # 1 - 1/198
        feb = 1 - Fraction(9, weekdays(2026, 2) * 9)  # 1 - 9/180 = 95%
        assert [b.get_height() for b in bars] == pytest.approx(
            [float(jan * 100), float(feb * 100), 100.0]
        )
        assert feb == Fraction(95, 100)
        assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 2026", "Feb 2026", "Mar 2026"]

    def test_target_line_and_colours(self, report: itilkit.AvailabilityReport) -> None:
        """The target is a line at 99.5; January (99.49...%) and February miss it, March meets it."""
        ax = report.plot("99.5%").axes[0]
        (target,) = by_gid(ax.lines, "target")
        assert list(target.get_ydata()) == [99.5, 99.5]
        assert target.get_label() == "target 99.5%"
        colours = [b.get_facecolor() for b in by_gid(ax.patches, "month")]
        assert colours == [RED, RED, GREEN]

    def test_legend_names_only_the_colours_drawn(self) -> None:
        """January and February alone both miss 99.5%: no "met" in the legend; at 90% both meet."""
        w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        outages = [
            Outage("2026-01-12T09:00Z", "2026-01-12T10:00Z"),
            Outage("2026-02-10T09:00Z", "2026-02-10T18:00Z"),
        ]
        r = measure_availability(
            outages, window=w, start="2026-01-01T00:00Z", end="2026-03-01T00:00Z"
        )

        def legend(target: str) -> list[str]:
            return [t.get_text() for t in r.plot(target).axes[0].get_legend().get_texts()]

        assert legend("99.5%") == ["target 99.5%", "below target"]
        assert legend("90%") == ["target 90%", "met"]

    def test_without_target(self, report: itilkit.AvailabilityReport) -> None:
        """No target: no line, no legend, one colour."""
        ax = report.plot().axes[0]
        assert not by_gid(ax.lines, "target")
        assert ax.get_legend() is None
        assert len({b.get_facecolor() for b in by_gid(ax.patches, "month")}) == 1
        assert ax.get_title(loc="left").startswith("Availability: 2026-01-01 00:00 to 2026-04-01")

    def test_month_without_agreed_time_has_no_bar(self) -> None:
        """A month with no agreed service time has no availability: no bar, a note."""
        w = ServiceWindow.from_spans(
            [
                ("2026-01-05T09:00Z", "2026-01-05T17:00Z"),
                ("2026-03-02T09:00Z", "2026-03-02T17:00Z"),
            ],
            tz="UTC",
        )
        r = measure_availability([], window=w, start="2026-01-01T00:00Z", end="2026-04-01T00:00Z")
        ax = r.plot("99%").axes[0]
        assert len(by_gid(ax.patches, "month")) == 2
        assert "no agreed\nservice time" in [t.get_text() for t in ax.texts]

    def test_target_is_parsed_exactly(self, report: itilkit.AvailabilityReport) -> None:
        """The target is a ratio like everywhere else: a percentage needs its '%'."""
        with pytest.raises(InvalidValueError, match=r"did you mean '99\.5%'"):
            report.plot(99.5)  # type: ignore[arg-type]


def hourly(start: pendulum.DateTime, values: list[float]) -> list[tuple[pendulum.DateTime, float]]:
    return [(start.add(hours=i), v) for i, v in enumerate(values)]


class TestLoadHeatmap:
    def grid(self, fig: Any) -> np.ndarray:
        (image,) = fig.axes[0].images
        return np.ma.filled(image.get_array().astype(float), np.nan)

    def test_time_weighted_means_by_hand(self, tmp_path: Path) -> None:
        """Each sample holds until the next; a cell is the mean weighted by time."""
        samples = [
            ("2026-03-02T10:00Z", 10),  # Monday 10:00-10:20: 10
            ("2026-03-02T10:20Z", 40),  # 10:20-11:00: 40 -> (10x20 + 40x40) / 60 = 30
            ("2026-03-02T11:00Z", 20),  # 11:00-11:15: 20
            ("2026-03-02T11:15Z", 0),  # 11:15-12:00: 0 -> (20x15) / 60 = 5
            ("2026-03-03T23:30Z", 60),  # Tuesday 23:30 to Wednesday 00:30: 60
            ("2026-03-04T00:30Z", 0),  # Wednesday 00:30-01:00: 0
        ]
        fig = plot_load(samples, tz="UTC", threshold="90%", unit="%", end="2026-03-04T01:00Z")
        render(fig, tmp_path / "load.png")
        grid = self.grid(fig)
        assert grid.shape == (7, 24)
        assert grid[0, 10] == 30
        assert grid[0, 11] == 5
        assert grid[1, 23] == 30  # 23:00-23:30 still 0 (since Monday 11:15), then 60
        assert grid[2, 0] == 30  # 60 until 00:30, then 0
        # Monday 12:00 to Tuesday 23:30 holds the value 0 of 11:15.
        assert grid[0, 12] == 0 and grid[1, 22] == 0
        assert np.isnan(grid[0, 9]) and np.isnan(grid[2, 1]) and np.isnan(grid[6, 0])

    def test_cells_in_the_zone(self) -> None:
        """Rows and columns are weekday and hour in ``tz``: Monday 10:00 UTC is 19:00 in Seoul."""
        samples = [("2026-03-02T10:00Z", 50), ("2026-03-02T11:00Z", 70)]
        grid = self.grid(
            plot_load(samples, tz="Asia/Seoul", threshold="90%", unit="%", end="2026-03-02T12:00Z")
        )
        assert grid[0, 19] == 50 and grid[0, 20] == 70
        assert np.count_nonzero(~np.isnan(grid)) == 2

    def test_daylight_saving_gap_has_no_cell(self) -> None:
        """Berlin skips 02:00-03:00 on 29 March 2026: 01:00 CET to 04:00 CEST fills two cells."""
        samples = [("2026-03-29T00:00Z", 10), ("2026-03-29T01:00Z", 30)]
        grid = self.grid(
            plot_load(samples, tz=BERLIN, threshold="90%", unit="%", end="2026-03-29T02:00Z")
        )
        assert grid[6, 1] == 10 and grid[6, 3] == 30
        assert np.isnan(grid[6, 2])

    def test_recurring_overloads_outlined(self) -> None:
        """Mon-Fri 18:00-22:00 hot for four weeks: one outline over those 4 x 5 cells."""
        start = pendulum.datetime(2026, 3, 2, tz="Asia/Seoul")
        values = [99 if 18 <= h % 24 < 22 and h // 24 % 7 < 5 else 40 for h in range(28 * 24)]
        fig = plot_load(hourly(start, values), tz="Asia/Seoul", threshold="90%", unit="%")
        ax = fig.axes[0]
        (box,) = by_gid(ax.patches, "overload")
        assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (
            17.5,
            -0.5,
            4,
            5,
        )
        grid = self.grid(fig)
        assert grid[0, 18] == 99 and grid[4, 21] == 99 and grid[5, 18] == 40
        (label,) = [t.get_text() for t in ax.get_legend().get_texts()]
        assert label == "recurring overload above 90%: Mon-Fri 18:00-22:00"
        # The threshold is marked on the colour bar.
        (mark,) = fig.axes[1].lines
        assert list(mark.get_ydata()) == [90, 90]

    def test_partial_hours_outline_whole_cells(self) -> None:
        """An overload 18:30-20:15 on Mon and Wed outlines hours 18, 19 and 20 of each, apart."""
        start = pendulum.datetime(2026, 3, 2, tz="UTC")
        samples = []
        for q in range(21 * 24 * 4):  # three weeks of quarter hours
            t = start.add(minutes=15 * q)
            minutes = t.hour * 60 + t.minute
            hot = t.weekday() in (0, 2) and 18 * 60 + 30 <= minutes < 20 * 60 + 15
            samples.append((t, 95 if hot else 10))
        ax = plot_load(samples, tz="UTC", threshold="90%", unit="%").axes[0]
        boxes = sorted(
            (b.get_x(), b.get_y(), b.get_width(), b.get_height())
            for b in by_gid(ax.patches, "overload")
        )
        assert boxes == [(17.5, -0.5, 3, 1), (17.5, 1.5, 3, 1)]

    def test_no_overload(self) -> None:
        """Nothing above the threshold: no outline, and the legend says so."""
        samples = [("2026-03-02T10:00Z", 50), ("2026-03-02T11:00Z", 70)]
        ax = plot_load(samples, tz="UTC", threshold="90%", unit="%", end="2026-03-02T12:00Z").axes[
            0
        ]
        assert not by_gid(ax.patches, "overload")
        (label,) = [t.get_text() for t in ax.get_legend().get_texts()]
        assert label == "no recurring overload above 90%"

    @pytest.mark.parametrize(
        ("samples", "threshold", "match"),
        [
            ([], "90%", "'samples' must be samples that cover some time"),
            ([("2026-03-02T10:00Z", 50)], "90%", "'samples' must be samples that cover some time"),
            (
                [("2026-03-02T10:00Z", float("inf")), ("2026-03-02T11:00Z", 1)],
                "90%",
                r"'samples\[0\]' must be a load of 0 or more \(a finite number\)",
            ),
            ([("2026-03-02T10:00", 50)], "90%", "'samples\\[0\\]' must be an aware datetime"),
            ([("2026-03-02T10:00Z", 50)], 90, "did you mean '90%'"),
        ],
    )
    def test_bad_input(self, samples: list[Any], threshold: Any, match: str) -> None:
        """Bad samples or thresholds raise with the field named."""
        with pytest.raises(InvalidValueError, match=match):
            plot_load(samples, tz="UTC", threshold=threshold, unit="%")

    def test_draws_into_a_given_axes(self) -> None:
        """With ``ax`` the heatmap goes there (its colour bar beside it)."""
        fig, ax = plt.subplots()
        try:
            samples = [("2026-03-02T10:00Z", 50), ("2026-03-02T11:00Z", 70)]
            assert plot_load(samples, tz="UTC", threshold="90%", unit="%", ax=ax) is fig
            assert ax.images
        finally:
            plt.close(fig)


class TestWithoutMatplotlib:
    @pytest.fixture(autouse=True)
    def no_matplotlib(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)

    def test_clock(self, held: itilkit.ClockStatus) -> None:
        """Plotting without matplotlib says which extra to install."""
        with pytest.raises(MissingDependencyError, match=r"pip install 'itilkit\[plot\]'"):
            held.plot()

    def test_availability(self) -> None:
        w = ServiceWindow.always()
        r = measure_availability([], window=w, start="2026-03-01T00:00Z", end="2026-03-02T00:00Z")
        with pytest.raises(MissingDependencyError, match="'matplotlib'"):
            r.plot("99%")

    def test_load(self) -> None:
        samples = [("2026-03-02T10:00Z", 50), ("2026-03-02T11:00Z", 70)]
        with pytest.raises(ImportError, match="not installed"):
            plot_load(samples, tz="UTC", threshold="90%", unit="%")


class TestMissingDependencyError:
    def test_is_an_itilkit_error_and_an_import_error(self) -> None:
        """Caught as ItilkitError or as the ImportError any code already expects."""
        error = MissingDependencyError("matplotlib", "plot")
        assert isinstance(error, ItilkitError) and isinstance(error, ImportError)
        assert (error.package, error.extra, error.name) == ("matplotlib", "plot", "matplotlib")
        assert str(error) == (
            "this needs 'matplotlib', which is not installed: pip install 'itilkit[plot]'"
        )

    def test_pickles(self) -> None:
        back = pickle.loads(pickle.dumps(MissingDependencyError("matplotlib", "plot")))
        assert type(back) is MissingDependencyError
        assert (back.package, back.extra, str(back)) == (
            "matplotlib",
            "plot",
            str(MissingDependencyError("matplotlib", "plot")),
        )


class TestBadDrawingArguments:
    @pytest.mark.parametrize("ax", ["axes", 5, object()])
    def test_ax_must_be_axes(self, held: itilkit.ClockStatus, ax: object) -> None:
        """Something that is not a matplotlib Axes is named, not an AttributeError."""
        with pytest.raises(InvalidValueError, match="'ax' must be a matplotlib Axes"):
            held.plot(ax=ax)

    @pytest.mark.parametrize("bad", [{"hours": "24x7"}, "Mon-Fri 09:00-18:00"])
    def test_window_must_be_a_window(self, held: itilkit.ClockStatus, bad: object) -> None:
        """A window's document or spec is not a window."""
        with pytest.raises(InvalidValueError, match="'window' must be a ServiceWindow"):
            held.plot(window=bad)  # type: ignore[arg-type]
