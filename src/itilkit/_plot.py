"""Pictures for notebooks: a clock's timeline, availability by month, load by hour of the week.

A service level manager reads a report in numbers and explains it in
pictures: when the clock ran and stood still against the due instant, which
months fell short of the availability target, which hours of the week run
hot. Everything itilkit computes is exact (integer microseconds,
Fractions); a picture is the one place where figures become floats, and
only for drawing: nothing read back from a plot feeds a decision.

matplotlib is the optional extra ``plot`` (``pip install 'itilkit[plot]'``),
imported only when a picture is drawn; without it, drawing raises
:class:`~itilkit.MissingDependencyError`. Every function draws into ``ax``
when given one (a matplotlib ``Axes``) and returns its figure; without
``ax`` it makes a new figure that is detached from pyplot, so a notebook
shows it once, as the cell's result, and a script saves it with
``fig.savefig(...)``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from fractions import Fraction
from typing import Any, Protocol

import pendulum

from ._capacity import (
    ThresholdLike,
    Unit,
    Value,
    load_grid,
    recurring_overloads,
    threshold_of,
    unit_of,
)
from ._errors import InvalidValueError, MissingDependencyError
from ._intervals import merge, subtract
from ._ratio import RatioLike, format_percent, parse_ratio, ratio_text
from ._report import format_duration
from ._spec import DAY_NAMES
from ._time import from_us, to_us, zone, zone_name
from ._window import ServiceWindow, as_window

# What the pictures read of the values they draw: their public names only, so this
# edge needs no import of the domain modules that offer ``.plot()`` as a hook.


class PauseView(Protocol):
    """A stretch a clock stood still (:class:`~itilkit.Pause`)."""

    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime | None: ...
    @property
    def state(self) -> enum.Enum: ...
    @property
    def reason(self) -> enum.Enum | None: ...


class ClockView(Protocol):
    """What a clock timeline reads (:class:`~itilkit.ClockStatus`)."""

    @property
    def title(self) -> str: ...
    @property
    def metric(self) -> enum.Enum | str: ...
    @property
    def target(self) -> timedelta: ...
    @property
    def elapsed(self) -> timedelta: ...
    @property
    def paused(self) -> timedelta: ...
    @property
    def percent(self) -> Fraction | None: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def stopped_at(self) -> datetime | None: ...
    @property
    def due(self) -> datetime | None: ...
    @property
    def breached_at(self) -> datetime | None: ...
    @property
    def as_of(self) -> datetime: ...
    @property
    def warnings_crossed(self) -> tuple[Fraction, ...]: ...
    @property
    def pauses(self) -> Sequence[PauseView]: ...


class AvailabilityView(Protocol):
    """What the monthly availability chart reads (:class:`~itilkit.AvailabilityReport`)."""

    @property
    def title(self) -> str: ...
    @property
    def start(self) -> pendulum.DateTime: ...
    @property
    def ratio(self) -> Fraction | None: ...
    @property
    def agreed(self) -> timedelta: ...
    @property
    def downtime(self) -> timedelta: ...
    @property
    def failures(self) -> int: ...
    def by_month(self) -> Sequence[AvailabilityView]: ...


__all__ = ["plot_availability", "plot_clock", "plot_load"]

_HOUR_US = 3_600_000_000

# Colours (matplotlib's tab10, which reads well on screen and in print).
_RUNNING = "#1f77b4"
_CLOSED = "#aec7e8"
_PAUSED = "#c7c7c7"
_OPEN = "#2ca02c"
_DUE = "#222222"
_BREACH = "#d62728"
_WARN = ("#f4a442", "#e66101", "#b35806")  # lighter to darker, one per threshold
_MET = "#2ca02c"
_SHORT = "#d62728"
_NEUTRAL = "#1f77b4"
_OUTLINE = "#0050ff"


# --- matplotlib, lazily ------------------------------------------------------------------


def _pyplot() -> Any:
    """``matplotlib.pyplot``, or MissingDependencyError naming the extra."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise MissingDependencyError("matplotlib", "plot") from exc
    return plt


def _axes(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    """The figure and axes to draw on: ``ax``'s own, or a new detached figure."""
    plt = _pyplot()
    if ax is not None:
        if not hasattr(ax, "figure") or not hasattr(ax, "add_patch"):
            raise InvalidValueError("ax", "a matplotlib Axes", ax)
        return ax.figure, ax
    fig, new_ax = plt.subplots(figsize=size, layout="constrained")
    # Detached from pyplot: a notebook shows the returned figure once (as the
    # cell's result, not again when pyplot flushes), and figures made in a loop
    # do not pile up in pyplot's registry.
    plt.close(fig)
    return fig, new_ax


def _x(us: int) -> float:
    """matplotlib's date number of an instant (days since its epoch), for drawing only."""
    from matplotlib import dates

    date2num: Any = dates.date2num  # untyped in matplotlib's stubs
    return float(date2num(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)))


def _when(value: datetime) -> str:
    return value.strftime("%a %d %b %H:%M")


def _legend(ax: Any, handles: list[Any], anchor: tuple[float, float]) -> None:
    """The plots' one legend style: small, frameless, anchored outside the axes."""
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=anchor, frameon=False, fontsize="small"
    )


def _percent_tick(value: float, _: object = None) -> str:
    """An axis tick in percent: no trailing zeros, and none above 100% (only headroom there)."""
    if value > 100.000001:
        return ""
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def _percent_text(ratio: Fraction) -> str:
    """``99.9%``: the exact percentage when it is a decimal, else rounded to 3 places."""
    text = ratio_text(ratio * 100)
    return format_percent(ratio, 3) if "/" in text else f"{text}%"


# --- the clock timeline ------------------------------------------------------------------


def _running(status: ClockView) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int]:
    """Running and paused stretches of a clock, and the instant it ran to (stop or as_of)."""
    start = to_us(status.started_at)
    as_of = to_us(status.as_of)
    end = as_of if status.stopped_at is None else to_us(status.stopped_at)
    paused = sorted(
        (to_us(p.start), as_of if p.end is None else to_us(p.end)) for p in status.pauses
    )
    running = subtract([(start, end)], merge(paused)) if start < end else []
    return running, paused, end


def _crossings(
    status: ClockView, running: list[tuple[int, int]], window: ServiceWindow
) -> list[tuple[Fraction, int]]:
    """The instant each crossed warning threshold was reached, from the clock's running time."""
    bt = window.business_time_us
    elapsed = sum(bt(a, b) for a, b in running)
    expected = status.elapsed // timedelta(microseconds=1)
    if elapsed != expected:
        raise InvalidValueError(
            "window",
            f"the window the clock was measured in (it counts {format_duration(elapsed)}"
            f" of business time where the clock counted {format_duration(expected)})",
            window,
        )
    target = status.target // timedelta(microseconds=1)
    out: list[tuple[Fraction, int]] = []
    for w in status.warnings_crossed:
        need = math.ceil(w * target)
        cum = 0
        for a, b in running:
            part = bt(a, b)
            if cum + part >= need:
                out.append((w, window.add_us(a, need - cum)))
                break
            cum += part
        else:  # pragma: no cover
            raise AssertionError("unreachable: a crossed threshold lies within elapsed time")
    return out


def plot_clock(status: ClockView, *, ax: Any = None, window: ServiceWindow | None = None) -> Any:
    """Draw a clock's timeline; see :meth:`ClockStatus.plot <itilkit.ClockStatus.plot>`."""
    if window is not None:
        window = as_window(window)
    fig, ax = _axes(ax, (10.0, 3.4))
    from matplotlib import dates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    tz = status.as_of.tzinfo
    running, paused, end = _running(status)
    start = to_us(status.started_at)
    instants = [start, end, to_us(status.as_of)]
    if status.due is not None:
        instants.append(to_us(status.due))
    lo, hi = min(instants), max(instants)
    pad = max((hi - lo) // 25, 15 * 60 * 1_000_000)
    lo, hi = lo - pad, hi + pad

    clock_row = 1.0 if window is not None else 0.0
    bar = 0.5
    handles: list[Any] = []

    if window is not None:
        spans = window.spans_us(lo, hi)
        ranges = [(_x(a), _x(b) - _x(a)) for a, b in spans]
        ax.broken_barh(ranges, (-bar / 2, bar), color=_OPEN, alpha=0.55, gid="open")
        for x, width in ranges:
            ax.axvspan(x, x + width, color=_OPEN, alpha=0.07, lw=0)
        handles.append(Patch(color=_OPEN, alpha=0.55, label="service hours"))

    y = (clock_row - bar / 2, bar)

    def draw(stretches: list[tuple[int, int]], gid: str, label: str, **style: Any) -> None:
        if stretches:
            ax.broken_barh([(_x(a), _x(b) - _x(a)) for a, b in stretches], y, gid=gid, **style)
            handles.append(Patch(label=label, **style))

    if window is None:
        draw(running, "running", "running", color=_RUNNING)
    else:
        counted = [span for a, b in running for span in window.spans_us(a, b)]
        draw(counted, "running", "running in service hours (counted)", color=_RUNNING)
        draw(
            subtract(running, merge(counted)),
            "running-closed",
            "running outside service hours (not counted)",
            color=_CLOSED,
        )
    reasons = sorted(
        {
            p.state.name.lower().replace("_", " ")
            + ("" if p.reason is None else f": {p.reason.value.replace('_', ' ')}")
            for p in status.pauses
        }
    )
    draw(
        paused,
        "paused",
        f"paused ({'; '.join(reasons)})",
        facecolor=_PAUSED,
        edgecolor="#7f7f7f",
        hatch="//",
    )

    def mark(us: int, gid: str, label: str, **style: Any) -> None:
        ax.axvline(_x(us), gid=gid, **style)
        handles.append(Line2D([], [], label=label, **style))

    if window is not None:
        for i, (w, at) in enumerate(_crossings(status, running, window)):
            mark(
                at,
                f"warning-{_percent_text(w)}",
                f"{_percent_text(w)} of target at {_when(from_us(at, tz or UTC))}",
                color=_WARN[i % len(_WARN)],
                lw=1.6,
                ls=":",
            )
    if status.due is not None:
        mark(to_us(status.due), "due", f"due {_when(status.due)}", color=_DUE, lw=1.8, ls="--")
    if status.breached_at is not None:
        mark(
            to_us(status.breached_at),
            "breached",
            f"breached at {_when(status.breached_at)}",
            color=_BREACH,
            lw=2.2,
        )
    mark(
        to_us(status.as_of),
        "as_of",
        f"as of {_when(status.as_of)}",
        color="#7f7f7f",
        lw=1.2,
        ls="-.",
    )

    mdates: Any = dates  # its locator and formatter classes are untyped
    locator = mdates.AutoDateLocator(tz=tz, minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    ax.set_xlim(_x(lo), _x(hi))
    ax.set_xlabel(f"time ({zone_name(tz or UTC)})")
    rows = [clock_row] + ([0.0] if window is not None else [])
    ax.set_yticks(
        rows,
        [f"{getattr(status.metric, 'value', status.metric)} clock", "service hours"][: len(rows)],
    )
    ax.set_ylim(-0.6, clock_row + 0.6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    used = "-" if status.percent is None else format_percent(status.percent / 100, 1)
    detail = (
        f"target {format_duration(status.target)}, elapsed {format_duration(status.elapsed)}"
        f" ({used}), paused {format_duration(status.paused)}"
    )
    if status.warnings_crossed:
        detail += ", warnings crossed: " + ", ".join(
            _percent_text(w) for w in status.warnings_crossed
        )
    ax.set_title(f"{status.title}\n{detail}", loc="left", fontsize="medium")
    _legend(ax, handles, (1.01, 1.0))
    return fig


# --- availability by month ---------------------------------------------------------------


def plot_availability(
    report: AvailabilityView, target: RatioLike | None = None, *, ax: Any = None
) -> Any:
    """Draw monthly availability; see :meth:`AvailabilityReport.plot <itilkit.AvailabilityReport.plot>`."""
    goal = None if target is None else parse_ratio(target, "target")
    fig, ax = _axes(ax, (8.0, 4.0))
    from matplotlib import ticker
    from matplotlib.patches import Patch

    months = report.by_month()
    xs = list(range(len(months)))
    labels = [m.start.format("MMM YYYY") for m in months]
    defined = [(x, m.ratio) for x, m in zip(xs, months, strict=True) if m.ratio is not None]
    heights = [float(r * 100) for _, r in defined]
    if goal is None:
        colors = [_NEUTRAL] * len(defined)
    else:
        colors = [_MET if r >= goal else _SHORT for _, r in defined]
    ax.bar([x for x, _ in defined], heights, width=0.6, color=colors, gid="month", zorder=2)

    floor_values = [*heights, *([] if goal is None else [float(goal * 100)])]
    lowest = min(floor_values, default=100.0)
    spread = max(100.0 - lowest, 0.01)
    bottom = max(0.0, lowest - 0.6 * spread)
    top = 100.0 + 0.25 * spread
    ax.set_ylim(bottom, top)
    for (x, r), h in zip(defined, heights, strict=True):
        ax.annotate(
            format_percent(r, 3),
            (x, h),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="small",
        )
    for x, m in zip(xs, months, strict=True):
        if m.ratio is None:
            ax.annotate(
                "no agreed\nservice time",
                (x, bottom),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize="small",
                color="#7f7f7f",
            )

    handles: list[Any] = []
    if goal is not None:
        line = ax.axhline(float(goal * 100), color=_DUE, ls="--", lw=1.5, gid="target", zorder=3)
        line.set_label(f"target {_percent_text(goal)}")
        handles.append(line)
        if _MET in colors:
            handles.append(Patch(color=_MET, label="met"))
        if _SHORT in colors:
            handles.append(Patch(color=_SHORT, label="below target"))
        _legend(ax, handles, (1.01, 1.0))

    ax.set_xticks(xs, labels)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(_percent_tick))
    ax.set_ylabel("availability in agreed service time")
    ax.grid(axis="y", color="#dddddd", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    overall = report.ratio
    summary = (
        "no agreed service time"
        if overall is None
        else f"overall {format_percent(overall, 3)}, downtime {format_duration(report.downtime)}"
        f" in {format_duration(report.agreed)} agreed, {report.failures} failures"
    )
    ax.set_title(f"{report.title}\n{summary}", loc="left", fontsize="medium")
    return fig


# --- load by weekday and hour ------------------------------------------------------------


def _day_runs(days: tuple[int, ...]) -> list[tuple[int, int]]:
    """Runs of consecutive weekdays as half-open ``(first, last + 1)`` pairs."""
    runs: list[tuple[int, int]] = []
    for d in sorted(days):
        if runs and runs[-1][1] == d:
            runs[-1] = (runs[-1][0], d + 1)
        else:
            runs.append((d, d + 1))
    return runs


def plot_load(
    samples: Iterable[tuple[datetime | str, Value]],
    *,
    tz: str | tzinfo,
    threshold: ThresholdLike,
    end: datetime | str | None = None,
    unit: Unit = "ratio",
    ax: Any = None,
) -> Any:
    """A weekday-by-hour heatmap of load, with the recurring overloads outlined.

    Rows are weekdays (Mon..Sun), columns hours of the day, both in ``tz``.
    Each cell shows the **time-weighted mean** load in that hour of the week:
    each sample holds until the next one (the last until ``end``), as in
    :func:`~itilkit.find_overloads`. The mean shows how the load usually
    runs; the outlines show where it runs above ``threshold`` week after
    week: the cells of the patterns :func:`~itilkit.recurring_overloads`
    finds. The threshold is marked on the colour bar. ``threshold`` and
    ``unit`` are read as by :func:`~itilkit.find_overloads`; cells are in the
    samples' own unit. Returns the figure (matplotlib, the ``plot`` extra).

    >>> import pendulum, itilkit
    >>> start = pendulum.datetime(2026, 3, 2, tz="Asia/Seoul")
    >>> samples = [(start.add(hours=h), 99 if 18 <= h % 24 < 22 and h // 24 % 7 < 5 else 40)
    ...            for h in range(28 * 24)]
    >>> fig = itilkit.plot_load(samples, tz="Asia/Seoul", threshold="90%", unit="%")
    >>> fig.axes[0].images[0].get_array()[0, 18]  # Monday 18:00-19:00
    np.float64(99.0)
    """
    items = list(samples)
    ratio = threshold_of(threshold)
    unit = unit_of(unit)
    limit = ratio * 100 if unit == "%" else ratio  # in the samples' unit, like the cells
    grid = load_grid(items, tz=tz, end=end, unit=unit)
    zone_ = zone(tz)
    cells = [v for row in grid for v in row if v is not None]
    if not cells:
        raise InvalidValueError(
            "samples", "samples that cover some time (two or more, or one and end=)", items
        )
    patterns = recurring_overloads(items, threshold=ratio, tz=zone_, end=end, unit=unit)
    fig, ax = _axes(ax, (10.0, 4.2))
    import numpy as np
    from matplotlib import colormaps, ticker
    from matplotlib.patches import Patch, Rectangle

    data = np.array(
        [[np.nan if v is None else float(v) for v in row] for row in grid], dtype=float
    )
    vmin = min(float(min(cells)), float(limit))
    vmax = max(float(max(cells)), float(limit))
    cmap = colormaps["YlOrRd"].with_extremes(bad="#f0f0f0")
    image = ax.imshow(data, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, gid="load")

    for p in patterns:
        first = (p.start.hour * 3600 + p.start.minute * 60 + p.start.second) // 3600
        end_s = p.end.hour * 3600 + p.end.minute * 60 + p.end.second or 86_400
        last = -(-end_s // 3600)
        for d0, d1 in _day_runs(p.days):
            ax.add_patch(
                Rectangle(
                    (first - 0.5, d0 - 0.5),
                    last - first,
                    d1 - d0,
                    fill=False,
                    edgecolor=_OUTLINE,
                    lw=2.2,
                    gid="overload",
                )
            )

    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_yticks(range(7), DAY_NAMES)
    ax.set_xticks([h - 0.5 for h in range(1, 24)], minor=True)
    ax.set_yticks([d - 0.5 for d in range(1, 7)], minor=True)
    ax.grid(which="minor", color="white", lw=0.8)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(f"hour of day ({zone_name(zone_)})")
    bar = fig.colorbar(image, ax=ax, pad=0.02)
    bar.set_label("mean load (time-weighted)")
    scale = 100 if unit == "ratio" else 1  # the bar speaks percent, like the title
    bar.formatter = ticker.FuncFormatter(lambda v, _: _percent_tick(v * scale))
    bar.update_ticks()
    bar.ax.axhline(float(limit), color="black", lw=2)
    if patterns:
        specs = "; ".join(p.spec for p in patterns[:3]) + ("; ..." if len(patterns) > 3 else "")
        label = f"recurring overload above {format_percent(ratio)}: {specs}"
    else:
        label = f"no recurring overload above {format_percent(ratio)}"
    handles = [Patch(facecolor="none", edgecolor=_OUTLINE, lw=2, label=label)]
    _legend(ax, handles, (0.0, -0.16))
    since = from_us(to_us(items[0][0]), zone_).format("YYYY-MM-DD")
    until = from_us(to_us(items[-1][0] if end is None else end), zone_).format("YYYY-MM-DD")
    ax.set_title(
        f"Load by weekday and hour, {since} to {until} ({zone_name(zone_)})\n"
        f"cells: time-weighted mean; black line on the colour bar: threshold {format_percent(ratio)}",
        loc="left",
        fontsize="medium",
    )
    return fig
