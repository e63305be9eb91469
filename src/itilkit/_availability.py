"""Availability: the figure both sides of an SLA agree on.

ITIL defines **availability** as the ability of a service to perform its
agreed function when required, measured as

    availability = (agreed service time - downtime) / agreed service time

where *agreed service time* (AST) is the time the service is supposed to be
there: the open time of the SLA's service window. This module makes that
sentence exact:

* agreed service time is the window's open time in ``[start, end)``, in
  integer microseconds;
* only the part of an outage inside agreed service time is downtime;
* a **planned** outage (agreed maintenance) is taken out of both sides: it is
  not downtime, and it is not agreed service time either;
* a **partial** outage (``impact`` below 1: a degraded service, a fraction of
  users affected) counts ``impact`` x its duration;
* **overlapping** outages are never counted twice: where they overlap, the
  larger impact counts;
* the ratio is a :class:`fractions.Fraction`, compared with targets such as
  ``"97%"`` without rounding.

ITIL's reliability figures follow from the same numbers, with ``failures``
the number of unplanned outages that touch agreed service time:

* MTBSI (mean time between service incidents) = agreed / failures,
* MTBF (mean time between failures, the mean uptime) = (agreed - downtime) / failures,
* MTRS (mean time to restore service) = downtime / failures.

Because the exclusion policy changes the figure, every report carries a
:class:`DowntimeBreakdown` that shows recorded, excluded and counted outage
time side by side.

Also here: :class:`CreditSchedule` (service credits owed for a month's
uptime) and :func:`in_series` / :func:`in_parallel` (availability of composed
services).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Any

import attrs
import pendulum

from ._errors import ChronologyError, InvalidValueError, NoOpenTimeError, items_of
from ._intervals import Measure, merge, subtract
from ._ratio import (
    RatioLike,
    format_percent,
    parse_ratio,
    percent_label,
    positive_ratio,
    ratio_text,
)
from ._report import format_duration, html_table, text_table
from ._time import from_us, iso_duration, moment, to_us, us_field, zone_name
from ._window import ServiceWindow, as_window

__all__ = [
    "AvailabilityReport",
    "CreditSchedule",
    "CreditTier",
    "DowntimeBreakdown",
    "Outage",
    "in_parallel",
    "in_series",
    "measure",
    "measure_availability",
    "outages_of",
    "rounded_timedelta",
]

_ONE = Fraction(1)
_ZERO = Fraction(0)


def _impact(value: object) -> Fraction:
    """An impact in (0, 1], read by the one ratio convention (``"50%"``, ``"0.5"``, ``0.5``)."""
    return positive_ratio(value, "impact")


def rounded_timedelta(value: Fraction) -> timedelta:
    """A timedelta of an exact number of microseconds, rounded half-even for display."""
    return timedelta(microseconds=round(value))


@attrs.frozen(init=False)
class Outage:
    """A period during which the service was not (fully) available.

    ``impact`` is the share of the service lost: ``Fraction(1)`` (the
    default) is a full outage, ``Fraction(1, 4)``, ``"25%"``, ``"0.25"`` or
    ``0.25`` a partial one (the one ratio convention: a number is a ratio from
    0 to 1, a percentage carries its ``%``). ``planned=True`` marks agreed maintenance, which
    :func:`measure_availability` takes out of agreed service time instead of
    counting it as downtime. ``service`` and ``ci`` name what was down, when
    known (an outage list's columns of the same names).

    >>> o = Outage("2026-03-03T10:00+09:00", "2026-03-03T11:30+09:00", impact="50%", id="INC1")
    >>> o.duration, o.impact
    (datetime.timedelta(seconds=5400), Fraction(1, 2))
    >>> Outage("2026-03-03T11:00+09:00", "2026-03-03T10:00+09:00")
    Traceback (most recent call last):
    ...
    itilkit.ChronologyError: 'end' must be at or after ... (got '2026-03-03T10:00+09:00')
    """

    start: pendulum.DateTime
    end: pendulum.DateTime
    impact: Fraction
    planned: bool
    id: str | None
    service: str | None = attrs.field(default=None, kw_only=True)
    ci: str | None = attrs.field(default=None, kw_only=True)
    start_us: int = us_field("start")
    end_us: int = us_field("end")

    def __init__(
        self,
        start: datetime | str,
        end: datetime | str,
        *,
        impact: RatioLike = _ONE,
        planned: bool = False,
        id: str | None = None,
        service: str | None = None,
        ci: str | None = None,
    ) -> None:
        start_dt, start_us = moment(start, "start")
        end_dt, end_us = moment(end, "end")
        if end_us < start_us:
            raise ChronologyError("end", end, start)
        if not isinstance(planned, bool):
            raise InvalidValueError("planned", "True or False", planned)
        for field, value in (("id", id), ("service", service), ("ci", ci)):
            if value is not None and not isinstance(value, str):
                raise InvalidValueError(field, "a string or None", value)
        self.__attrs_init__(
            start_dt,
            end_dt,
            _impact(impact),
            planned,
            id,
            service=service,
            ci=ci,
            start_us=start_us,
            end_us=end_us,
        )

    @property
    def duration(self) -> timedelta:
        """The outage's length as recorded (elapsed time, before any exclusion)."""
        return timedelta(microseconds=self.end_us - self.start_us)


# --- the measurement ---------------------------------------------------------------------


@attrs.frozen
class DowntimeBreakdown:
    """Where recorded outage time went: excluded (and why) or counted as downtime.

    All figures are microseconds (exact; the weighted ones are Fractions) and
    add up: ``recorded = outside_hours + in_maintenance + partial + overlap +
    counted``. ``planned`` is the maintenance time taken out of agreed
    service time (the other side of the ratio).

    >>> from itilkit import ServiceWindow, Outage, measure_availability
    >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
    >>> down = [Outage("2026-03-02T08:00Z", "2026-03-02T10:00Z"),
    ...         Outage("2026-03-02T09:30Z", "2026-03-02T10:30Z", impact="50%")]
    >>> r = measure_availability(down, window=w, start="2026-03-02T00:00Z",
    ...                          end="2026-03-03T00:00Z")
    >>> print(r.breakdown)
    downtime breakdown                   time
    -----------------------------------  ------
    unplanned outage time in the period  3h 00m
    outside agreed service hours         1h 00m
    during planned maintenance           0s
    partial impact not counted           30m
    overlapping, not counted twice       15m
    counted as downtime                  1h 15m
    planned maintenance (not agreed)     0s
    """

    recorded: int
    outside_hours: int
    in_maintenance: int
    partial: Fraction
    overlap: Fraction
    counted: Fraction
    planned: int

    def rows(self) -> list[tuple[str, str, Any]]:
        """(label, key, microseconds) per figure, in the order of the identity."""
        return [
            ("unplanned outage time in the period", "recorded", self.recorded),
            ("outside agreed service hours", "outside_hours", self.outside_hours),
            ("during planned maintenance", "in_maintenance", self.in_maintenance),
            ("partial impact not counted", "partial", self.partial),
            ("overlapping, not counted twice", "overlap", self.overlap),
            ("counted as downtime", "counted", self.counted),
            ("planned maintenance (not agreed)", "planned", self.planned),
        ]

    def table(self) -> tuple[list[str], list[list[str]]]:
        """Headers and rows of the breakdown as people read it (durations in hours and minutes)."""
        rows = [
            [label, format_duration(rounded_timedelta(Fraction(v)))] for label, _, v in self.rows()
        ]
        return ["downtime breakdown", "time"], rows

    def __str__(self) -> str:
        return text_table(*self.table())

    def to_dict(self) -> dict[str, str]:
        """ISO 8601 durations (rounded to the microsecond) per figure.

        >>> from fractions import Fraction
        >>> one_minute = Fraction(60_000_000)
        >>> b = DowntimeBreakdown(60_000_000, 0, 0, Fraction(0), Fraction(0), one_minute, 0)
        >>> b.to_dict()["recorded"], b.to_dict()["counted"], b.to_dict()["overlap"]
        ('PT1M', 'PT1M', 'PT0S')
        """
        return {key: iso_duration(round(Fraction(v))) for _, key, v in self.rows()}


def _sweep(items: list[tuple[int, int, Fraction]], agreed: Measure) -> dict[Fraction, int]:
    """Agreed time under the upper envelope of impacts, grouped by impact level."""
    by_impact: dict[Fraction, int] = {}
    items.sort(key=lambda it: it[0])
    heap: list[tuple[Fraction, int]] = []  # (-impact, -end): the largest impact on top
    push, pop = heapq.heappush, heapq.heappop
    i, n = 0, len(items)
    t = 0
    while i < n or heap:
        if not heap:
            t = items[i][0]
        while i < n and items[i][0] <= t:
            _, e, v = items[i]
            push(heap, (-v, -e))
            i += 1
        while heap and -heap[0][1] <= t:
            pop(heap)
        if not heap:
            continue
        neg_v, neg_e = heap[0]
        nxt = -neg_e
        if i < n and items[i][0] < nxt:
            nxt = items[i][0]
        counted = agreed.between(t, nxt)
        if counted:
            v = -neg_v
            by_impact[v] = by_impact.get(v, 0) + counted
        t = nxt
    return by_impact


def measure(
    outages: tuple[Outage, ...], window: ServiceWindow, a: int, b: int, label: str | None
) -> AvailabilityReport:
    """The availability report of checked outages over ``[a, b)`` (microseconds)."""
    open_spans = window.spans_us(a, b)
    planned = merge(
        [
            (max(o.start_us, a), min(o.end_us, b))
            for o in outages
            if o.planned and o.end_us > a and o.start_us < b
        ]
    )
    agreed_spans = subtract(open_spans, planned)
    hours = Measure(open_spans)
    agreed = Measure(agreed_spans)
    recorded = outside = maintenance = 0
    failures = 0
    items: list[tuple[int, int, Fraction]] = []
    weighted_by_impact: dict[Fraction, int] = {}
    for o in outages:
        if o.planned:
            continue
        s = o.start_us if o.start_us > a else a
        e = o.end_us if o.end_us < b else b
        if s >= e:
            continue
        in_hours = hours.between(s, e)
        in_agreed = agreed.between(s, e)
        recorded += e - s
        outside += e - s - in_hours
        maintenance += in_hours - in_agreed
        if in_agreed:
            failures += 1
            v = o.impact
            weighted_by_impact[v] = weighted_by_impact.get(v, 0) + in_agreed
            items.append((s, e, v))
    weighted = sum((v * us for v, us in weighted_by_impact.items()), _ZERO)
    unweighted = sum(weighted_by_impact.values())
    counted = sum((v * us for v, us in _sweep(items, agreed).items()), _ZERO)
    breakdown = DowntimeBreakdown(
        recorded=recorded,
        outside_hours=outside,
        in_maintenance=maintenance,
        partial=unweighted - weighted,
        overlap=weighted - counted,
        counted=counted,
        planned=hours.total - agreed.total,
    )
    tz = window.tz
    return AvailabilityReport(
        start=from_us(a, tz),
        end=from_us(b, tz),
        agreed_us=agreed.total,
        downtime_us=counted,
        failures=failures,
        breakdown=breakdown,
        label=label,
        window=window,
        outages=outages,
    )


def measure_availability(
    outages: Iterable[Outage],
    *,
    window: ServiceWindow,
    start: datetime | str,
    end: datetime | str,
    target: RatioLike | None = None,
) -> AvailabilityReport:
    """Availability over ``[start, end)`` against the agreed service hours of ``window``.

    ``target`` is the availability objective (``"97%"``) that
    :meth:`AvailabilityReport.meets` and ``margin`` compare with when called
    without one; an SLA's :meth:`~itilkit.Agreement.availability_report` passes its own.

    The seed's story: March 2026, weekday business hours in Seoul with Korean
    holidays, 113.4 minutes of downtime inside those hours.

    >>> from itilkit import ServiceWindow
    >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
    >>> down = [Outage("2026-03-10T10:00+09:00", "2026-03-10T11:53:24+09:00")]
    >>> r = measure_availability(down, window=w, start="2026-03-01T00:00+09:00",
    ...                          end="2026-04-01T00:00+09:00")
    >>> r.agreed, r.ratio, r.meets("97%"), r.margin("97%")
    (datetime.timedelta(days=7, seconds=75600), Fraction(99, 100), True, Fraction(2, 1))

    A period without agreed service time has no availability: ``ratio`` and
    ``percent`` are ``None`` and :meth:`AvailabilityReport.meets` raises
    :class:`~itilkit.NoOpenTimeError`.
    """
    window = as_window(window)
    a = to_us(start, "start")
    b = to_us(end, "end")
    if b < a:
        raise ChronologyError("end", end, start)
    objective = None if target is None else parse_ratio(target, "target")
    return attrs.evolve(measure(outages_of(outages), window, a, b, None), target=objective)


def outages_of(outages: object) -> tuple[Outage, ...]:
    """The outages of an iterable, each checked to be an :class:`Outage` (named by position)."""
    if isinstance(outages, Outage):
        raise InvalidValueError("outages", "an iterable of Outage", outages)
    return items_of(outages, Outage, "outages", "an iterable of Outage", "an Outage")


@attrs.frozen
class AvailabilityReport:
    """Availability over a period: agreed time, downtime, the exact ratio, ITIL's means.

    Durations are exact microseconds underneath (``agreed_us``, and
    ``downtime_us``, a Fraction because partial outages weigh time); the
    ``timedelta`` properties round to the microsecond for display only.
    ``mtbf``, ``mtrs`` and ``mtbsi`` are ``None`` when there was no failure.

    >>> from itilkit import ServiceWindow
    >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
    >>> r = measure_availability([Outage("2026-03-02T09:00Z", "2026-03-02T10:00Z")],
    ...                          window=w, start="2026-03-02T00:00Z", end="2026-03-03T00:00Z")
    >>> r.percent, r.failures, r.mtrs
    (Fraction(800, 9), 1, datetime.timedelta(seconds=3600))
    """

    start: pendulum.DateTime
    end: pendulum.DateTime
    agreed_us: int
    downtime_us: Fraction
    failures: int
    breakdown: DowntimeBreakdown = attrs.field(repr=False)
    label: str | None = None
    window: ServiceWindow = attrs.field(repr=False, eq=False, kw_only=True)
    outages: tuple[Outage, ...] = attrs.field(repr=False, eq=False, kw_only=True)
    target: Fraction | None = attrs.field(default=None, kw_only=True)
    """The availability objective it is measured against (an SLA's), if any."""

    @property
    def agreed(self) -> timedelta:
        """Agreed service time (the window's open time in the period, less planned outages)."""
        return timedelta(microseconds=self.agreed_us)

    @property
    def downtime(self) -> timedelta:
        """Counted downtime (impact-weighted, overlaps once), rounded to the microsecond."""
        return rounded_timedelta(self.downtime_us)

    @property
    def uptime(self) -> timedelta:
        """Agreed service time less downtime, rounded to the microsecond."""
        return rounded_timedelta(self.agreed_us - self.downtime_us)

    @property
    def ratio(self) -> Fraction | None:
        """``(agreed - downtime) / agreed`` exactly; ``None`` without agreed service time."""
        if self.agreed_us == 0:
            return None
        return 1 - self.downtime_us / self.agreed_us

    @property
    def percent(self) -> Fraction | None:
        """The ratio in percent, exactly (``Fraction(99)`` for 99%); else ``None``."""
        ratio = self.ratio
        return None if ratio is None else ratio * 100

    def _defined_ratio(self) -> Fraction:
        ratio = self.ratio
        if ratio is None:
            raise NoOpenTimeError(
                f"no agreed service time between {self.start.isoformat()} and "
                f"{self.end.isoformat()}: availability is undefined"
            )
        return ratio

    def meets(self, target: RatioLike | None = None) -> bool:
        """Whether availability is at least ``target``: ``"97%"``, or a ratio such as ``"0.97"``.

        Without ``target``, the report's own objective (``self.target``, an
        SLA's ``availability``). The comparison is exact: 96.99999% does not
        meet 97%. A number above 1 without its ``%`` (``97``, ``"97"``) is
        refused rather than misread.
        """
        return self._defined_ratio() >= self._objective(target)

    def margin(self, target: RatioLike | None = None) -> Fraction:
        """Percentage points above (positive) or below (negative) ``target`` (default: the
        report's own objective), exactly."""
        return (self._defined_ratio() - self._objective(target)) * 100

    def _objective(self, target: RatioLike | None) -> Fraction:
        if target is not None:
            return parse_ratio(target, "target")
        if self.target is None:
            raise InvalidValueError(
                "target",
                "an availability objective such as '97%' (this report was measured without one;"
                " an SLA's availability_report carries its own)",
                None,
            )
        return self.target

    def _per_failure(self, us: Fraction | int) -> timedelta | None:
        return None if self.failures == 0 else rounded_timedelta(Fraction(us) / self.failures)

    @property
    def mtbsi(self) -> timedelta | None:
        """Mean time between service incidents, agreed time / failures (ITIL)."""
        return self._per_failure(self.agreed_us)

    @property
    def mtbf(self) -> timedelta | None:
        """Mean time between failures, or mean uptime, (agreed - downtime) / failures (ITIL)."""
        return self._per_failure(self.agreed_us - self.downtime_us)

    @property
    def mtrs(self) -> timedelta | None:
        """Mean time to restore service, downtime / failures (ITIL)."""
        return self._per_failure(self.downtime_us)

    def _split(self, step: int, fmt: str) -> tuple[AvailabilityReport, ...]:
        a, b = to_us(self.start), to_us(self.end)
        tz = self.window.tz
        out: list[AvailabilityReport] = []
        cur = a
        while cur < b:
            local = from_us(cur, tz)
            first = local.start_of("month")
            month0 = (first.month - 1) // step * step + 1
            period_start = first.set(month=month0)
            nxt = to_us(period_start.add(months=step))
            stop = min(nxt, b)
            label = (
                period_start.format("YYYY-MM")
                if fmt == "month"
                else f"{period_start.year}-Q{(month0 - 1) // 3 + 1}"
            )
            subset = tuple(o for o in self.outages if o.end_us > cur and o.start_us < stop)
            out.append(measure(subset, self.window, cur, stop, label))
            cur = stop
        return tuple(out)

    def by_month(self) -> tuple[AvailabilityReport, ...]:
        """One report per calendar month (in the window's zone), time pooled, never averaged.

        The months add up: their agreed times and downtimes sum to the whole
        period's. (An outage that crosses a month boundary is a failure in both
        months.) The first and last months are clipped to the period.
        """
        return self._split(1, "month")

    def by_quarter(self) -> tuple[AvailabilityReport, ...]:
        """One report per calendar quarter (in the window's zone), like :meth:`by_month`."""
        return self._split(3, "quarter")

    @property
    def title(self) -> str:
        """The report's heading: the period and its zone."""
        tz = self.window.tz
        fmt = "YYYY-MM-DD HH:mm"
        name = f"Availability {self.label}" if self.label else "Availability"
        return f"{name}: {self.start.format(fmt)} to {self.end.format(fmt)} ({zone_name(tz)})"

    def _rows(self) -> list[list[str]]:
        ratio = self.ratio

        def dur(value: timedelta | None) -> str:
            return "n/a" if value is None else format_duration(value)

        return [
            ["agreed service time", format_duration(self.agreed)],
            ["downtime", format_duration(self.downtime)],
            ["uptime", format_duration(self.uptime)],
            [
                "availability",
                "n/a (no agreed service time)" if ratio is None else percent_label(ratio),
            ],
            ["failures", str(self.failures)],
            ["MTBSI", dur(self.mtbsi)],
            ["MTBF", dur(self.mtbf)],
            ["MTRS", dur(self.mtrs)],
        ]

    def __str__(self) -> str:
        return (
            text_table(["figure", "value"], self._rows(), title=self.title)
            + "\n\n"
            + str(self.breakdown)
        )

    def _repr_html_(self) -> str:
        return html_table(["figure", "value"], self._rows(), title=self.title) + html_table(
            *self.breakdown.table()
        )

    def plot(self, target: RatioLike | None = None, *, ax: Any = None) -> Any:
        """Availability month by month as bars against ``target``: a matplotlib figure.

        One bar per calendar month of :meth:`by_month` (exact figures, drawn as
        floats), green where the month meets ``target`` and red where it falls
        short, with the target as a dashed line; ``target`` defaults to the
        report's own objective (an SLA's). Needs the ``plot`` extra.
        Draws into ``ax`` if given; returns the figure.

        >>> from itilkit import ServiceWindow
        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        >>> r = measure_availability([Outage("2026-03-02T09:00Z", "2026-03-02T18:00Z")],
        ...                          window=w, start="2026-02-01T00:00Z", end="2026-04-01T00:00Z")
        >>> fig = r.plot("99%")
        >>> [text.get_text() for text in fig.axes[0].texts]
        ['100%', '95.455%']
        """
        from ._plot import plot_availability

        return plot_availability(self, self.target if target is None else target, ax=ax)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ISO instants and durations, exact ratio text."""
        ratio = self.ratio

        def dur(value: timedelta | None) -> str | None:
            return None if value is None else iso_duration(value // timedelta(microseconds=1))

        return {
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tz": zone_name(self.window.tz),
            "agreed": iso_duration(self.agreed_us),
            "downtime": dur(self.downtime),
            "uptime": dur(self.uptime),
            "ratio": None if ratio is None else ratio_text(ratio),
            "percent": None if ratio is None else format_percent(ratio),
            "failures": self.failures,
            "mtbsi": dur(self.mtbsi),
            "mtbf": dur(self.mtbf),
            "mtrs": dur(self.mtrs),
            "breakdown": self.breakdown.to_dict(),
        }

    def to_frame(self, by: str | None = "month") -> Any:
        """One row per period (pandas): ``by="month"``, ``"quarter"``, or None (the whole report).

        Columns: ``label``, ``start`` and ``end`` (in the window's zone),
        ``agreed``, ``downtime`` and ``uptime`` (timedeltas, downtime rounded
        to the microsecond) with ``agreed_us`` and ``downtime_us`` exact
        (``downtime_us`` as text, a whole number or ``"p/q"``: partial
        outages weigh time), ``ratio`` (float) beside ``ratio_exact`` (text,
        ``"0.99"`` or ``"p/q"``), ``percent`` (float), ``failures``,
        ``mtbsi``/``mtbf``/``mtrs`` (NaT without a failure), and against the
        objective ``target`` (float), ``target_exact`` and ``meets`` (empty
        without one). Plain column types only, so ``to_parquet`` and
        ``polars.from_pandas`` take it. Needs pandas.

        >>> from itilkit import ServiceWindow
        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        >>> r = measure_availability([Outage("2026-03-02T09:00Z", "2026-03-02T18:00Z")],
        ...                          window=w, start="2026-02-01T00:00Z", end="2026-04-01T00:00Z")
        >>> r.to_frame()[["label", "ratio_exact", "failures"]]
             label ratio_exact  failures
        0  2026-02           1         0
        1  2026-03       21/22         1
        """
        from ._errors import MissingDependencyError

        try:
            import numpy as np
            import pandas as pd
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        if by == "month":
            periods = self.by_month()
        elif by == "quarter":
            periods = self.by_quarter()
        elif by is None:
            periods = (self,)
        else:
            raise InvalidValueError("by", "one of 'month', 'quarter' or None", by)
        tz = zone_name(self.window.tz)
        target = self.target
        ratios = [p.ratio for p in periods]

        def exact(value: Fraction | None) -> str | None:
            return None if value is None else ratio_text(value)

        def floats(values: list[Fraction | None]) -> Any:
            return pd.Series(
                [float("nan") if v is None else float(v) for v in values], dtype="float64"
            )

        def durations(values: list[timedelta | None]) -> Any:
            return pd.Series(
                [pd.NaT if v is None else pd.Timedelta(v) for v in values],
                dtype="timedelta64[us]",
            )

        def instants(values: list[pendulum.DateTime]) -> Any:
            raw = np.array([to_us(v) for v in values], dtype=np.int64).view("datetime64[us]")
            return pd.Series(raw).dt.tz_localize("UTC").dt.tz_convert(tz)

        return pd.DataFrame(
            {
                "label": pd.Series([p.label for p in periods], dtype=object),
                "start": instants([p.start for p in periods]),
                "end": instants([p.end for p in periods]),
                "agreed": durations([p.agreed for p in periods]),
                "downtime": durations([p.downtime for p in periods]),
                "uptime": durations([p.uptime for p in periods]),
                "agreed_us": pd.Series([p.agreed_us for p in periods], dtype="int64"),
                "downtime_us": pd.Series(
                    [ratio_text(Fraction(p.downtime_us)) for p in periods], dtype=object
                ),
                "ratio": floats(ratios),
                "ratio_exact": pd.Series([exact(r) for r in ratios], dtype=object),
                "percent": floats([None if r is None else r * 100 for r in ratios]),
                "failures": pd.Series([p.failures for p in periods], dtype="int64"),
                "mtbsi": durations([p.mtbsi for p in periods]),
                "mtbf": durations([p.mtbf for p in periods]),
                "mtrs": durations([p.mtrs for p in periods]),
                "target": floats([target] * len(periods)),
                "target_exact": pd.Series([exact(target)] * len(periods), dtype=object),
                "meets": pd.Series(
                    [None if target is None or r is None else r >= target for r in ratios],
                    dtype="boolean",
                ),
            }
        )


# --- service credits ---------------------------------------------------------------------


def _below(value: object) -> Fraction:
    return parse_ratio(value, "below")


def _credit(value: object) -> Fraction:
    return parse_ratio(value, "credit")


@attrs.frozen
class CreditTier:
    """Uptime strictly below ``below`` earns ``credit`` (both ratios, read the one way).

    >>> CreditTier("99.9%", "0.1")
    CreditTier(below=Fraction(999, 1000), credit=Fraction(1, 10))
    """

    below: Fraction = attrs.field(converter=_below)
    credit: Fraction = attrs.field(converter=_credit)


def _sorted_tiers(tiers: object) -> tuple[CreditTier, ...]:
    """Tiers sorted from the highest threshold down, checked as a schedule.

    Each threshold must be distinct, and a lower threshold must not earn a
    smaller credit.
    """
    items = items_of(tiers, CreditTier, "tiers", "an iterable of CreditTier", "a CreditTier")
    ordered = tuple(sorted(items, key=lambda t: t.below, reverse=True))
    for higher, lower in pairwise(ordered):
        if higher.below == lower.below:
            raise InvalidValueError("tiers", "distinct thresholds", items)
        if lower.credit < higher.credit:
            raise InvalidValueError("tiers", "credits that do not shrink as uptime falls", items)
    return ordered


@attrs.frozen
class CreditSchedule:
    """Service credits owed for a period's uptime: tiers of "below X% -> Y% credit".

    Uptime is compared with each tier's threshold unrounded, and the largest
    credit of the tiers it falls below applies. The tiers of the AWS Compute
    Optimizer SLA (last updated 4 May 2022): below 99.9% 10%, below 99.0%
    25%, below 95.0% 100%.

    >>> from fractions import Fraction
    >>> s = CreditSchedule.of({"99.9%": "10%", "99.0%": "25%", "95.0%": "100%"})
    >>> s.credit("99.9%"), s.credit(Fraction(99899, 100000)), s.credit("94.99%")
    (Fraction(0, 1), Fraction(1, 10), Fraction(1, 1))
    """

    tiers: tuple[CreditTier, ...] = attrs.field(converter=_sorted_tiers)

    @classmethod
    def of(
        cls, tiers: Mapping[RatioLike, RatioLike] | Iterable[tuple[RatioLike, RatioLike]]
    ) -> CreditSchedule:
        """A schedule from ``{below: credit}`` pairs, such as ``{"99.9%": "10%"}``.

        Each threshold must be distinct, and a lower threshold must not earn a
        smaller credit.
        """
        if isinstance(tiers, str | bytes) or not isinstance(tiers, Iterable):
            raise InvalidValueError("tiers", "a mapping or pairs of (below, credit)", tiers)
        pairs = list(tiers.items()) if isinstance(tiers, Mapping) else list(tiers)
        if not pairs:
            raise InvalidValueError("tiers", "at least one (below, credit) tier", tiers)
        parsed = []
        for i, pair in enumerate(pairs):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise InvalidValueError(f"tiers[{i}]", "a (below, credit) pair", pair)
            below, credit = pair
            parsed.append(
                CreditTier(
                    parse_ratio(below, f"tiers[{i}].below"),
                    parse_ratio(credit, f"tiers[{i}].credit"),
                )
            )
        return cls(tuple(parsed))

    def credit(self, uptime: AvailabilityReport | RatioLike) -> Fraction:
        """The credit owed (a ratio of the charge) for ``uptime``, a report or a ratio.

        A report without agreed service time owes nothing.
        """
        if isinstance(uptime, AvailabilityReport):
            ratio = uptime.ratio
            if ratio is None:
                return _ZERO
        else:
            ratio = parse_ratio(uptime, "uptime")
        owed = _ZERO
        for tier in self.tiers:
            if ratio < tier.below and tier.credit > owed:
                owed = tier.credit
        return owed


# --- composition -------------------------------------------------------------------------


def _ratios(values: tuple[RatioLike, ...]) -> list[Fraction]:
    if not values:
        raise InvalidValueError("ratios", "at least one availability", values)
    return [parse_ratio(v, f"ratios[{i}]") for i, v in enumerate(values)]


def in_series(*ratios: RatioLike) -> Fraction:
    """Availability of services that all must work: the product of their availabilities.

    >>> in_series("99.9%", "99.9%")
    Fraction(998001, 1000000)
    """
    out = _ONE
    for r in _ratios(ratios):
        out *= r
    return out


def in_parallel(*ratios: RatioLike) -> Fraction:
    """Availability of redundant services, any one of which suffices: ``1 - prod(1 - a)``.

    Assumes independent failures.

    >>> in_parallel("99%", "99%")
    Fraction(9999, 10000)
    """
    down = _ONE
    for r in _ratios(ratios):
        down *= 1 - r
    return 1 - down
