"""The service review as one self-contained HTML page, for the screen and for print.

The review answers the founding question, "Is IT doing well?", measured the
same way by IT and by the business: availability against the agreed target,
SLA compliance by metric and priority with the worst breaches, the load that
recurs above capacity, changes, recurring incidents, and the actions that
follow, each with its evidence.

The page stands alone: inline CSS, inline SVG charts (:mod:`itilkit._svg`),
no script, no font, image or stylesheet to fetch, so it opens the same way
from an e-mail, a file share or a printer. Figures stay exact until they
are written for people (:func:`~itilkit._ratio.percent_label`,
:func:`~itilkit._report.format_duration`); every text is escaped.

:func:`review_page` reads the review through :class:`ReviewView`, a
Protocol of exactly the names it uses, so this edge imports no domain
module for the review itself (``ServiceReview.to_html()`` calls it).
"""

from __future__ import annotations

import calendar
import enum
import html
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from fractions import Fraction
from typing import Protocol

from ._ratio import format_percent, percent_label
from ._report import format_duration
from ._svg import BELOW, bar_chart, grouped_bars, heat_map

__all__ = [
    "ActionView",
    "AvailabilityView",
    "BreachView",
    "ComplianceView",
    "OutageView",
    "OverloadView",
    "ReviewView",
    "TallyView",
    "TrendView",
    "WindowView",
    "review_page",
]

# What the page reads of a review: public names only. Each Protocol lists
# exactly the attributes used below; itilkit's own values (AvailabilityReport,
# ComplianceReport, Tally, Breach, Outage, RecurringOverload, ServiceWindow)
# satisfy the nested ones as they are.


class WindowView(Protocol):
    """The agreed service hours (:class:`~itilkit.ServiceWindow`)."""

    def business_time(self, start: datetime, end: datetime) -> timedelta: ...


class OutageView(Protocol):
    """A recorded outage (:class:`~itilkit.Outage`)."""

    @property
    def id(self) -> str | None: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def impact(self) -> Fraction: ...
    @property
    def planned(self) -> bool: ...


class AvailabilityView(Protocol):
    """Availability over the period (:class:`~itilkit.AvailabilityReport`)."""

    @property
    def ratio(self) -> Fraction | None: ...
    @property
    def target(self) -> Fraction | None: ...
    @property
    def agreed(self) -> timedelta: ...
    @property
    def downtime(self) -> timedelta: ...
    @property
    def failures(self) -> int: ...
    @property
    def mtbf(self) -> timedelta | None: ...
    @property
    def mtrs(self) -> timedelta | None: ...
    @property
    def mtbsi(self) -> timedelta | None: ...
    @property
    def outages(self) -> Sequence[OutageView]: ...
    @property
    def window(self) -> WindowView: ...


class TallyView(Protocol):
    """Clocks met, breached and in progress (:class:`~itilkit.Tally`)."""

    @property
    def met(self) -> int: ...
    @property
    def breached(self) -> int: ...
    @property
    def in_progress(self) -> int: ...
    @property
    def rate(self) -> Fraction | None: ...


class BreachView(Protocol):
    """One breached clock (:class:`~itilkit.Breach`)."""

    @property
    def incident_id(self) -> str: ...
    @property
    def metric(self) -> enum.Enum | str: ...
    @property
    def priority(self) -> enum.Enum: ...
    @property
    def target(self) -> timedelta: ...
    @property
    def elapsed(self) -> timedelta: ...
    @property
    def late_by(self) -> timedelta: ...
    @property
    def due(self) -> datetime: ...


class ComplianceView(Protocol):
    """SLA compliance over the period (:class:`~itilkit.ComplianceReport`)."""

    @property
    def sla(self) -> str: ...
    @property
    def rate(self) -> Fraction | None: ...
    @property
    def met(self) -> int: ...
    @property
    def breached(self) -> int: ...
    @property
    def in_progress(self) -> int: ...
    @property
    def cells(self) -> Sequence[tuple[enum.Enum | str, enum.Enum, TallyView]]: ...
    @property
    def breaches(self) -> Sequence[BreachView]: ...


class OverloadView(Protocol):
    """A recurring overload (:class:`~itilkit.RecurringOverload`)."""

    @property
    def days(self) -> tuple[int, ...]: ...
    @property
    def start(self) -> time: ...
    @property
    def end(self) -> time: ...
    @property
    def occurrences(self) -> int: ...
    @property
    def peak(self) -> Fraction: ...
    @property
    def tz(self) -> str: ...
    @property
    def spec(self) -> str: ...


class ActionView(Protocol):
    """An improvement action and the evidence for it."""

    @property
    def kind(self) -> enum.Enum | str: ...
    @property
    def title(self) -> str: ...
    @property
    def evidence(self) -> str | Sequence[str]: ...
    @property
    def severity(self) -> enum.Enum | str: ...


class TrendView(Protocol):
    """One period of the trend (the review's period last)."""

    @property
    def label(self) -> str: ...
    @property
    def availability(self) -> Fraction | None: ...
    @property
    def compliance(self) -> Fraction | None: ...


class BiggestView(Protocol):
    """One of the period's biggest outages (:class:`~itilkit.BiggestOutage`)."""

    @property
    def outage(self) -> OutageView: ...
    @property
    def downtime(self) -> timedelta: ...


class ReviewView(Protocol):
    """Everything :func:`review_page` reads of a service review.

    ``start``/``end``: the period, half-open. ``availability`` and
    ``compliance``: None when there was nothing to measure. ``load``: the
    time-weighted mean load per weekday (7 rows, Monday first) and hour of
    day (24 columns) in the load's zone, as :func:`itilkit._capacity.load_grid` computes it
    (empty when there were no samples); ``overloads`` are the recurring
    patterns above ``overload_threshold``. ``changes`` and ``problems`` are
    shown one line each, by their ``str()``. ``summary_sentences``: the
    answer to "Is IT doing well?" in a few sentences.
    """

    @property
    def service(self) -> str: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def summary_sentences(self) -> Sequence[str]: ...
    @property
    def availability(self) -> AvailabilityView | None: ...
    @property
    def compliance(self) -> ComplianceView | None: ...
    @property
    def load(self) -> Sequence[Sequence[Fraction | None]]: ...
    @property
    def overloads(self) -> Sequence[OverloadView]: ...
    @property
    def overload_threshold(self) -> Fraction: ...
    @property
    def changes(self) -> Sequence[object]: ...
    @property
    def problems(self) -> Sequence[object]: ...
    @property
    def actions(self) -> Sequence[ActionView]: ...
    @property
    def trend(self) -> Sequence[TrendView]: ...
    @property
    def biggest_outages(self) -> Sequence[BiggestView]: ...


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS = tuple(f"{h:02d}" for h in range(24))
_HOUR_US = 3_600_000_000
#: How many outages and breaches the page lists (the rest are counted).
TOP = 5
WORST = 10


# ---------------------------------------------------------------- formatting


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _name(value: enum.Enum | str) -> str:
    """An enum member or a name, for people: ``Metric.RESPONSE`` -> ``response``."""
    if isinstance(value, enum.Enum):
        return value.name if isinstance(value.value, int) else str(value.value)
    return value


def _pct(ratio: Fraction | None) -> str:
    return "n/a" if ratio is None else percent_label(ratio)


def _short_pct(ratio: Fraction | None) -> str:
    return "n/a" if ratio is None else format_percent(ratio, 2)


def _dur(value: timedelta | None) -> str:
    return "n/a" if value is None else format_duration(value)


def _when(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M}"


def _offset(value: datetime) -> str:
    """A UTC offset as ``+09:00`` (empty for UTC itself)."""
    delta = value.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds()) // 60
    if minutes == 0:
        return ""
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def period_label(start: datetime, end: datetime) -> str:
    """The period for people: a month, a quarter, or the dates it covers.

    >>> from datetime import UTC
    >>> period_label(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    'March 2026'
    >>> period_label(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    '2026-Q1 (January to March 2026)'
    >>> period_label(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
    '2026-03-02 to 2026-03-08'
    """
    midnight = start.time() == end.time() == time(0)
    months = (end.year - start.year) * 12 + end.month - start.month
    if midnight and start.day == end.day == 1 and months in {1, 3}:
        if months == 1:
            return f"{calendar.month_name[start.month]} {start.year}"
        if start.month % 3 == 1:
            last = calendar.month_name[start.month + 2]
            return (
                f"{start.year}-Q{start.month // 3 + 1} "
                f"({calendar.month_name[start.month]} to {last} {start.year})"
            )
    last_day = end - timedelta(days=1) if end.time() == time(0) else end
    return f"{start:%Y-%m-%d} to {last_day:%Y-%m-%d}"


class _Table:
    """An HTML table whose figure columns are right-aligned (``class="num"``)."""

    def __init__(self, headers: Sequence[str], numeric: Sequence[bool], caption: str) -> None:
        self.headers = headers
        self.numeric = numeric
        self.caption = caption
        self.rows: list[tuple[str, Sequence[object]]] = []

    def add(self, row: Sequence[object], css: str = "") -> None:
        self.rows.append((css, row))

    def html(self) -> str:
        def cls(i: int) -> str:
            return ' class="num"' if self.numeric[i] else ""

        head = "".join(
            f'<th scope="col"{cls(i)}>{_esc(h)}</th>' for i, h in enumerate(self.headers)
        )
        body = "".join(
            (f'<tr class="{css}">' if css else "<tr>")
            + "".join(f"<td{cls(i)}>{_esc(c)}</td>" for i, c in enumerate(row))
            + "</tr>"
            for css, row in self.rows
        )
        return (
            f"<table><caption>{_esc(self.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )


def _facts(items: Sequence[tuple[str, str]]) -> str:
    """Key figures as a definition list (label, value)."""
    cells = "".join(
        f'<div class="fact"><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>' for k, v in items
    )
    return f'<dl class="facts">{cells}</dl>'


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_esc(caption)}</figcaption></figure>"


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}" aria-labelledby="{key}-h"><h2 id="{key}-h">{_esc(title)}</h2>{body}</section>'


def _none(text: str) -> str:
    return f'<p class="none">{_esc(text)}</p>'


# ---------------------------------------------------------------- sections


def _summary(review: ReviewView) -> str:
    sentences = "".join(f"<li>{_esc(s)}</li>" for s in review.summary_sentences)
    body = (
        f'<ul class="summary">{sentences}</ul>'
        if sentences
        else _none("Nothing was measured in this period.")
    )
    return _section("summary", "Is IT doing well?", body)


def _zoom(values: Iterable[Fraction | None]) -> Fraction:
    """An axis start for availability: the 5% step below the lowest figure, so 97% and 99%
    differ visibly; never below 0."""
    figures = [v for v in values if v is not None]
    if not figures:
        return Fraction(0)
    lowest = min(figures)
    step = Fraction(5, 100)
    base = (lowest // step) * step
    if base == lowest:
        base -= step
    return max(Fraction(0), base)


def _availability(review: ReviewView) -> str:
    report = review.availability
    if report is None:
        return _section("availability", "Availability", _none("No availability was measured."))
    ratio, target = report.ratio, report.target
    parts: list[str] = []
    if ratio is not None and target is not None:
        met = ratio >= target
        verdict = "met" if met else "missed"
        sign = "✓" if met else "✗"
        margin = format_percent(abs(ratio - target), 3).removesuffix("%")
        parts.append(
            f'<p class="verdict {verdict}"><span class="badge">{sign} Target {verdict}</span> '
            f"Availability {_esc(_pct(ratio))} against a target of {_esc(_pct(target))}, "
            f"{_esc(margin)} points {'above' if met else 'below'} it.</p>"
        )
    elif ratio is not None:
        parts.append(f'<p class="verdict">Availability {_esc(_pct(ratio))} (no target set).</p>')
    else:
        parts.append(_none("No agreed service time in this period: availability is undefined."))
    parts.append(
        _facts(
            [
                ("Availability", _short_pct(ratio)),
                ("Target", _short_pct(target)),
                ("Agreed service time", _dur(report.agreed)),
                ("Downtime in agreed hours", _dur(report.downtime)),
                ("Failures", str(report.failures)),
                ("MTBF (mean uptime)", _dur(report.mtbf)),
                ("MTRS (mean restore)", _dur(report.mtrs)),
                ("MTBSI", _dur(report.mtbsi)),
            ]
        )
    )
    labels = [row.label for row in review.trend] or [period_label(review.start, review.end)]
    values = [row.availability for row in review.trend] or [ratio]
    parts.append(
        _figure(
            bar_chart(
                labels,
                values,
                target=target,
                title="Availability by period",
                baseline=_zoom([*values, target]),
            ),
            "Availability in agreed hours by period; dashed line: the target; "
            f"{BELOW}: below target. The axis starts above 0 to show the difference.",
        )
    )
    biggest = review.biggest_outages  # the review's own figures, measured in the period
    if biggest:
        table = _Table(
            ["Outage", "Start", "End", "Length", "Impact", "In agreed hours"],
            [False, False, False, True, True, True],
            f"Biggest outages in the period ({len(biggest)} of {report.failures} failures)",
        )
        for b in biggest:
            o = b.outage
            table.add(
                [
                    o.id or "(no id)",
                    _when(o.start),
                    _when(o.end),
                    format_duration(o.end - o.start),
                    format_percent(o.impact, 1),
                    format_duration(b.downtime),
                ]
            )
        parts.append(table.html())
        parts.append(
            '<p class="note">"In agreed hours" is the downtime the outage counted alone in '
            "the period's agreed service time, weighted by its impact; overlapping outages "
            "count once in the total.</p>"
        )
    else:
        parts.append(_none("No unplanned outage was recorded."))
    return _section("availability", "Availability against the target", "".join(parts))


def _compliance(review: ReviewView) -> str:
    report = review.compliance
    if report is None:
        return _section("compliance", "SLA compliance", _none("No SLA compliance was measured."))
    if report.rate is None:
        running = f" ({report.in_progress} still running)" if report.in_progress else ""
        verdict = f"{report.sla}: no SLA clock was decided in this period{running}."
    else:
        verdict = (
            f"{report.sla}: {_pct(report.rate)} of decided clocks met their target "
            f"({report.met} met, {report.breached} breached, {report.in_progress} still running)."
        )
    parts = [f'<p class="verdict">{_esc(verdict)}</p>']
    metrics: list[str] = []
    priorities: list[tuple[enum.Enum, str]] = []
    tallies: dict[tuple[str, str], TallyView] = {}
    for metric, priority, tally in report.cells:
        m, p = _name(metric), _name(priority)
        if m not in metrics:
            metrics.append(m)
        if p not in [name for _, name in priorities]:
            priorities.append((priority, p))
        tallies[m, p] = tally
    priorities.sort(key=lambda item: (str(type(item[0])), item[0].value, item[1]))
    names = [name for _, name in priorities]
    if tallies:
        table = _Table(
            ["Priority", *metrics],
            [False, *[True] * len(metrics)],
            "Compliance by metric and priority (met of decided; running clocks not counted)",
        )
        for p in names:
            cells: list[str] = []
            for m in metrics:
                t = tallies.get((m, p))
                if t is None:
                    cells.append("—")
                elif t.rate is None:
                    cells.append(f"n/a ({t.in_progress} running)")
                else:
                    cells.append(f"{_short_pct(t.rate)} ({t.met}/{t.met + t.breached})")
            table.add([p, *cells])
        parts.append(table.html())
        parts.append(
            _figure(
                grouped_bars(
                    names,
                    metrics,
                    [
                        [None if (m, p) not in tallies else tallies[m, p].rate for m in metrics]
                        for p in names
                    ],
                    title="Compliance by priority",
                ),
                "Share of decided clocks that met their target, by priority and metric.",
            )
        )
    worst = sorted(report.breaches, key=lambda b: (-b.late_by, b.incident_id))
    if worst:
        table = _Table(
            ["Incident", "Metric", "Priority", "Target", "Took", "Late by", "Due"],
            [False, False, False, True, True, True, False],
            f"Worst breaches ({min(WORST, len(worst))} of {len(worst)}, business time)",
        )
        for b in worst[:WORST]:
            table.add(
                [
                    b.incident_id,
                    _name(b.metric),
                    _name(b.priority),
                    format_duration(b.target),
                    format_duration(b.elapsed),
                    format_duration(b.late_by),
                    _when(b.due),
                ]
            )
        parts.append(table.html())
    else:
        parts.append(_none("No target was breached."))
    return _section("compliance", "SLA compliance", "".join(parts))


def _hours(start: time, end: time) -> range:
    first = start.hour
    end_s = end.hour * 3600 + end.minute * 60 + end.second or 86_400
    return range(first, -(-end_s // 3600))


def _capacity(review: ReviewView) -> str:
    threshold = format_percent(review.overload_threshold, 2)
    parts: list[str] = []
    marked = {
        (day, hour)
        for pattern in review.overloads
        for day in pattern.days
        for hour in _hours(pattern.start, pattern.end)
    }
    if review.load:
        where = f" ({review.overloads[0].tz})" if review.overloads else ""
        parts.append(
            _figure(
                heat_map(
                    DAYS,
                    HOURS,
                    review.load,
                    marked=marked,
                    title=f"Mean load by weekday and hour{where}",
                    marked_label=f"recurring overload above {threshold}",
                ),
                "Time-weighted mean load in each hour of the week; cells outlined in black: "
                f"where the load ran above {threshold} week after week.",
            )
        )
    else:
        parts.append(_none("No load samples were given."))
    if review.overloads:
        table = _Table(
            ["When", "Zone", "Days it happened", "Peak load"],
            [False, False, True, True],
            f"Recurring overloads above {threshold}",
        )
        for p in review.overloads:
            table.add([p.spec, p.tz, str(p.occurrences), format_percent(p.peak, 1)])
        parts.append(table.html())
        advice = "".join(f"<li>{_esc(_overload_advice(p))}</li>" for p in review.overloads)
        parts.append(f'<ul class="advice">{advice}</ul>')
    elif review.load:
        parts.append(_none(f"No load above {threshold} recurred on the same weekdays."))
    return _section("capacity", "Capacity", "".join(parts))


def _zone_text(start: datetime, end: datetime) -> str:
    """The period's zone: its name when it has one, and the UTC offset at each end."""
    name = getattr(start.tzinfo, "name", None) or getattr(start.tzinfo, "key", None)
    offsets = [f"UTC{_offset(start)}"]
    if _offset(end) != _offset(start):
        offsets.append(f"UTC{_offset(end)} at the end")
    return ", ".join([*([str(name)] if name else []), *offsets])


def _overload_advice(p: OverloadView) -> str:
    seconds = (p.end.hour * 3600 + p.end.minute * 60 + p.end.second or 86_400) - (
        p.start.hour * 3600 + p.start.minute * 60 + p.start.second
    )
    span = format_duration(timedelta(seconds=seconds % 86_400 or 86_400))
    return (
        f"For {span} from {p.start:%H:%M} ({p.spec}) the load reached "
        f"{format_percent(p.peak, 1)}, on {p.occurrences} days: add capacity or move work "
        "out of these hours."
    )


def _listing(key: str, title: str, items: Sequence[object], empty: str) -> str:
    if not items:
        return _section(key, title, _none(empty))
    lines = "".join(f"<li>{_esc(item)}</li>" for item in items)
    return _section(key, title, f'<ul class="items">{lines}</ul>')


def _actions(review: ReviewView) -> str:
    if not review.actions:
        return _section("actions", "Actions", _none("No action is needed."))
    items = []
    for action in review.actions:
        evidence = [action.evidence] if isinstance(action.evidence, str) else list(action.evidence)
        severity = _name(action.severity)
        proof = "".join(f"<li>{_esc(e)}</li>" for e in evidence)
        items.append(
            f'<li class="action severity-{_esc(severity.lower())}">'
            f'<span class="severity">{_esc(severity)}</span> '
            f'<span class="kind">{_esc(_name(action.kind))}</span> '
            f"<strong>{_esc(action.title)}</strong>"
            + (f'<ul class="evidence" aria-label="evidence">{proof}</ul>' if proof else "")
            + "</li>"
        )
    return _section("actions", "Actions", f'<ol class="actions">{"".join(items)}</ol>')


def _trend(review: ReviewView) -> str:
    rows = list(review.trend)
    if not rows:
        return _section("trend", "Trend", _none("No earlier period was measured."))
    table = _Table(
        ["Period", "Availability", "SLA compliance"], [False, True, True], "Trend by period"
    )
    for row in rows:
        table.add([row.label, _short_pct(row.availability), _short_pct(row.compliance)])
    if all(row.compliance is None for row in rows):
        body = _none("No SLA clock was decided in these periods.")
    else:
        chart = bar_chart(
            [row.label for row in rows],
            [row.compliance for row in rows],
            title="SLA compliance by period",
        )
        body = _figure(chart, "Share of decided clocks that met their target, by period.")
    return _section("trend", "Trend", body + table.html())


STYLE = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --accent: #2f6db5;
  --good: #1a7f37; --bad: #b42318; --paper: #ffffff; --tint: #f6f8fa; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: var(--tint); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 2.5rem 3rem; background: var(--paper); }
header { border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; padding-bottom: .75rem; }
header p { margin: .2rem 0; color: var(--muted); }
h1 { font-size: 1.9rem; margin: 0 0 .25rem; line-height: 1.2; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .8rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line); }
section:first-of-type h2 { margin-top: 0; }
ul.summary { font-size: 1.1rem; padding-left: 1.2rem; }
ul.summary li { margin: .35rem 0; }
.verdict { font-size: 1.05rem; }
.badge { display: inline-block; padding: .05rem .6rem; border-radius: 1rem; font-weight: 700;
  border: 2px solid currentColor; margin-right: .4rem; }
.verdict.met .badge { color: var(--good); }
.verdict.missed .badge { color: var(--bad); }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
  gap: .6rem; margin: 1rem 0; }
.fact { border: 1px solid var(--line); border-radius: .4rem; padding: .45rem .7rem;
  background: var(--tint); }
.fact dt { font-size: .8rem; color: var(--muted); }
.fact dd { margin: 0; font-size: 1.15rem; font-weight: 600; font-variant-numeric: tabular-nums; }
figure { margin: 1.2rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; max-width: 100%; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .3rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .92rem;
  break-inside: auto; }
caption { text-align: left; font-weight: 600; padding-bottom: .4rem; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); background: var(--tint); }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
.none, .note { color: var(--muted); }
.note { font-size: .85rem; }
ol.actions { padding-left: 1.4rem; }
ol.actions > li { margin: .7rem 0; }
.severity { display: inline-block; min-width: 4.5rem; text-align: center; font-size: .75rem;
  font-weight: 700; text-transform: uppercase; border: 1px solid currentColor;
  border-radius: .3rem; padding: 0 .3rem; }
.severity-high .severity, .severity-critical .severity { color: var(--bad); }
.kind { color: var(--muted); font-size: .85rem; }
ul.evidence { margin: .25rem 0 0; color: var(--muted); font-size: .9rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem;
  border-top: 1px solid var(--line); padding-top: .5rem; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { background: var(--paper); font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  /* Each main part starts a page; the short ones (changes, problems, trend) follow on. */
  #availability, #compliance, #capacity, #actions {
    break-before: page; page-break-before: always; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, figure, dl.facts { break-inside: avoid; page-break-inside: avoid; }
}
"""


def review_page(review: ReviewView) -> str:
    """The review as one self-contained HTML5 page: inline CSS and SVG, no script.

    Sections: the answer to "Is IT doing well?", availability against the
    target (chart, MTBF/MTRS/MTBSI, biggest outages), SLA compliance
    (metric by priority, worst breaches), capacity (the load heat map with
    the recurring overload marked, and advice), changes, problems and
    recurring incidents, actions with their evidence, and the trend.
    """
    period = period_label(review.start, review.end)
    title = f"Service review: {review.service}, {period}"
    body = "".join(
        [
            _summary(review),
            _availability(review),
            _compliance(review),
            _capacity(review),
            _listing("changes", "Changes", review.changes, "No change in this period."),
            _listing(
                "problems",
                "Problems and recurring incidents",
                review.problems,
                "No incidents recurred.",
            ),
            _actions(review),
            _trend(review),
        ]
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{STYLE}</style></head><body><main>"
        f"<header><h1>Service review: {_esc(review.service)}</h1>"
        f"<p>{_esc(period)}: from {_esc(_when(review.start))} to {_esc(_when(review.end))} "
        f"({_esc(_zone_text(review.start, review.end))}, the end excluded)</p>"
        "</header>"
        f"{body}"
        "<footer>Computed exactly by itilkit; percentages are rounded for display only, "
        "and both sides measure the same way.</footer></main></body></html>\n"
    )
