"""SLA compliance reports: how many clocks met their targets, and who breached.

ITIL's service level management reports achievement against targets. The
figure here is exact and defined once: the **compliance rate** is
``met / (met + breached)`` over *decided* clocks, a Fraction. A clock is
decided once it stopped (met or breached) or once it ran past its target
while still running (it cannot be met any more, so it counts as breached).
Clocks still running within their target are ``in_progress`` and left out of
the rate. With no decided clock the rate is None (undefined), never 0 or 1.
"""

from __future__ import annotations

import csv
import html
import io
from array import array
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import attrs
import pendulum

from ._clock import (
    Metric,
    MetricKey,
    Rules,
    Run,
    Timeline,
    breached_at_us,
    due_us,
    metric_name,
    plan,
    runs,
    target_text,
    within_text,
)
from ._clock_rules import BusinessDays
from ._errors import InvalidValueError, MissingDependencyError
from ._incident import Incident, State, lifeline
from ._priority import Priority
from ._ratio import format_percent, parse_ratio, ratio_text
from ._report import (
    format_duration,
    iso,
    iso_duration,
    tables_markdown,
    tables_text,
)
from ._time import Zone, from_us, to_timedelta, zone_name

if TYPE_CHECKING:
    from ._window import ServiceWindow

__all__ = [
    "Breach",
    "ComplianceReport",
    "Tally",
    "combine",
    "given_attributes",
    "given_values",
    "tally",
]


@attrs.frozen
class Tally:
    """Counts of clocks: met, breached, and still in progress within target.

    >>> Tally(3, 1, 2).rate, Tally(0, 0, 2).rate is None
    (Fraction(3, 4), True)
    """

    met: int = 0
    breached: int = 0
    in_progress: int = 0

    @property
    def decided(self) -> int:
        """Clocks whose outcome is settled: ``met + breached``."""
        return self.met + self.breached

    @property
    def rate(self) -> Fraction | None:
        """``met / (met + breached)``, or None when no clock is decided."""
        return Fraction(self.met, self.decided) if self.decided else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.met + other.met,
            self.breached + other.breached,
            self.in_progress + other.in_progress,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; the rate exact and as a float (:func:`rate_dict`), or null.

        >>> Tally(2, 1).to_dict()["rate"]
        {'exact': '2/3', 'float': 0.6666666666666666}
        """
        return {
            "met": self.met,
            "breached": self.breached,
            "in_progress": self.in_progress,
            "rate": rate_dict(self.rate),
        }


def rate_dict(rate: Fraction | None) -> dict[str, Any] | None:
    """A rate in the one JSON form: exact text (``"0.75"``, ``"2/3"``) and a float; None
    when undefined.

    >>> rate_dict(Fraction(3, 4)), rate_dict(None)
    ({'exact': '0.75', 'float': 0.75}, None)
    """
    if rate is None:
        return None
    return {"exact": ratio_text(rate), "float": float(rate)}


@attrs.frozen
class Breach:
    """One breached clock: whose, which target, and how late (in business time).

    Instants are made (in the window's zone) only when read, so a report
    with many breaches stays cheap to build.
    """

    incident_id: str
    metric: MetricKey
    priority: Priority
    _target_us: int = attrs.field(alias="target_us", repr=False)
    _elapsed_us: int = attrs.field(alias="elapsed_us", repr=False)
    _due_us: int = attrs.field(alias="due_us", repr=False)
    _breached_at_us: int = attrs.field(alias="breached_at_us", repr=False)
    _stopped_at_us: int | None = attrs.field(alias="stopped_at_us", repr=False)
    _tz: Zone = attrs.field(alias="tz", repr=False)
    sla: str = ""
    """The agreement whose target was breached."""
    within: timedelta | BusinessDays | None = attrs.field(default=None, repr=False)
    """The target as the agreement writes it (``target`` is its business time)."""

    @property
    def target(self) -> timedelta:
        """The target that applied."""
        return to_timedelta(self._target_us)

    @property
    def elapsed(self) -> timedelta:
        """Business time the clock ran."""
        return to_timedelta(self._elapsed_us)

    @property
    def late_by(self) -> timedelta:
        """``elapsed - target``: how far past the target the clock ran."""
        return to_timedelta(self._elapsed_us - self._target_us)

    @property
    def due(self) -> pendulum.DateTime:
        """When the target was reached."""
        return from_us(self._due_us, self._tz)

    @property
    def breached_at(self) -> pendulum.DateTime:
        """From when elapsed exceeded the target."""
        return from_us(self._breached_at_us, self._tz)

    @property
    def stopped_at(self) -> pendulum.DateTime | None:
        """When the clock stopped (None while it still runs)."""
        return None if self._stopped_at_us is None else from_us(self._stopped_at_us, self._tz)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        stopped = self.stopped_at
        return {
            "incident": self.incident_id,
            "sla": self.sla,
            "metric": metric_name(self.metric),
            "priority": self.priority.name,
            "target": iso_duration(self._target_us),
            "within": within_text(self.within),
            "elapsed": iso_duration(self._elapsed_us),
            "late_by": iso_duration(self._elapsed_us - self._target_us),
            "due": iso(self.due),
            "breached_at": iso(self.breached_at),
            "stopped_at": None if stopped is None else iso(stopped),
        }

    def __repr__(self) -> str:
        return (
            f"Breach(incident_id={self.incident_id!r}, metric={self.metric}, priority={self.priority},"
            f" late_by={self.late_by!r}, breached_at={self.breached_at!r})"
        )


_EMPTY = Tally()

_NAT = -(2**63)
"""The int64 that stands for "no instant" in :class:`ClockLog` (numpy's NaT)."""


class Term(NamedTuple):
    """One target of the agreement as the report shows it (plain strings: JSON-ready).

    ``priority`` is ``"all"`` for a target of every priority; ``within`` is the
    target as documents write it (``"PT4H"``, ``"3 business days"``), ``target``
    for reading (``"4h 00m"``); ``hours`` the service hours it counts in
    (``"Mon-Fri 08:00-17:00"``, ``"24x7"``) and ``tz`` their zone.
    """

    sla: str
    metric: str
    priority: str
    within: str
    target: str
    hours: str
    tz: str


class ClockLog:
    """Every counted clock run of a report, kept as columns (a few bytes a clock).

    Kept by :func:`tally` for :meth:`ComplianceReport.to_frame`: the incident,
    metric, priority whose target applied, the run's stage (``"met"``,
    ``"breached"``, ``"running"``, ``"paused"``), its target and elapsed
    business time, start and stop (``_NAT`` while running) in microseconds,
    and the incident's ``group`` and ``service`` (None when it has none).
    """

    __slots__ = (
        "_elapsed",
        "_start",
        "_stop",
        "codes",
        "given",
        "incidents",
        "metric_keys",
        "targets",
        "varying",
    )

    def __init__(self, metrics: tuple[MetricKey, ...] = ()) -> None:
        #: Each clock's incident.
        self.incidents: list[Incident] = []
        #: The metrics, in the order their codes number them.
        self.metric_keys = metrics
        #: Each clock's metric, priority and stage in one number:
        #: ``metric index * 128 + priority value * 16 + stage code * 2 + varying``.
        self.codes = array("I")
        self._elapsed = self._start = self._stop = array("q")
        #: The target of each metric and priority (``code >> 4``), as first seen ...
        self.targets: dict[int, int] = {}
        #: ... and, in order, the targets of the clocks marked varying, which differ
        #: from it (business-day targets, whose length depends on the start).
        self.varying = array("q")
        self.given: Mapping[str, object] = {}

    def fill(self, rows: array[int]) -> None:
        """Take the rows the tally wrote, four numbers a clock (code, elapsed, start,
        stop), as columns."""
        self.codes = array("I", rows[0::4])
        self._elapsed, self._start, self._stop = rows[1::4], rows[2::4], rows[3::4]

    @property
    def ids(self) -> list[str]:
        return [inc.id for inc in self.incidents]

    @property
    def metrics(self) -> list[MetricKey]:
        keys = self.metric_keys
        return [keys[code >> 7] for code in self.codes]

    @property
    def priorities(self) -> list[Priority]:
        return [Priority((code >> 4) & 7) for code in self.codes]

    @property
    def stages(self) -> list[str]:
        return [_STAGES[(code >> 1) & 7] for code in self.codes]

    @property
    def target(self) -> array[int]:
        targets, varying = self.targets, iter(self.varying)
        return array(
            "q", [next(varying) if code & 1 else targets[code >> 4] for code in self.codes]
        )

    @property
    def elapsed(self) -> array[int]:
        return self._elapsed[:]

    @property
    def start(self) -> array[int]:
        return self._start[:]

    @property
    def stop(self) -> array[int]:
        return self._stop[:]

    @property
    def group(self) -> list[str | None]:
        """Each clock's incident's ``group`` (read when asked: the tally only keeps the
        incident)."""
        return [_group_and_service(inc, self.given)[0] for inc in self.incidents]

    @property
    def service(self) -> list[str | None]:
        """Each clock's incident's ``service``."""
        return [_group_and_service(inc, self.given)[1] for inc in self.incidents]

    def __len__(self) -> int:
        return len(self.incidents)


_STAGES: tuple[str, ...] = ("met", "breached", "running", "paused", "reset", "cancelled")
_STAGE_CODE = {stage: 2 * code for code, stage in enumerate(_STAGES)}
"""Each stage's part of a clock log code (its index, times two)."""


def _objective(value: object) -> Fraction | None:
    return None if value is None else parse_ratio(value, "objective")


@attrs.frozen
class ComplianceReport:
    """Compliance of a set of incidents with one agreement, as of an instant.

    ``cells`` holds a :class:`Tally` per (metric, priority); ``met``,
    ``breached``, ``in_progress`` and ``rate`` total them, ``by_metric`` and
    ``by_priority`` break them down. Incidents left out are counted:
    ``cancelled``, ``not_applicable`` (the agreement's ``applies_to`` does not
    select them), ``not_yet_open`` (opened after ``as_of``); ``no_target``
    counts clocks with no target for the incident's priority.

    ``terms`` lists the agreement's targets (metric, priority, target, hours,
    zone) and ``objective`` an optional compliance rate aimed at, which the
    HTML form marks each rate against; :meth:`to_frame` gives analysts one
    row per clock, or per month, priority, group, service, metric or SLA.
    """

    sla: str
    as_of: pendulum.DateTime
    incidents: int
    anomalies: int
    cells: tuple[tuple[MetricKey, Priority, Tally], ...]
    breaches: tuple[Breach, ...]
    cancelled: int = 0
    no_target: int = 0
    no_target_ids: tuple[str, ...] = ()
    not_applicable: int = 0
    not_yet_open: int = 0
    reset: int = 0
    """Clock runs that a custom clock's ``reset`` ended before their target (left out
    of the rate, as ticket systems cancel them)."""
    not_started: int = 0
    """Custom clocks whose ``start`` never held for an incident (no clock to judge)."""
    cancelled_ids: tuple[str, ...] = ()
    """The ids of the cancelled incidents left out."""
    parts: tuple[ComplianceReport, ...] = ()
    """One report per agreement when several were applied at once (:func:`compliance`)."""
    terms: tuple[Term, ...] = ()
    """The agreement's targets: metric, priority, target, service hours and zone."""
    objective: Fraction | None = attrs.field(default=None, converter=_objective)
    """The compliance rate aimed at (``"95%"``, ``"0.95"``), if any: the HTML form marks
    each rate against it. None: no marker."""
    clock_log: ClockLog | None = attrs.field(default=None, eq=False, repr=False)
    """Every counted clock run, for :meth:`to_frame` (None for a report built by hand)."""

    @property
    def by_sla(self) -> dict[str, ComplianceReport]:
        """The report of each agreement, by name (this report alone when it had one)."""
        if not self.parts:
            return {self.sla: self}
        return {part.sla: part for part in self.parts}

    @property
    def total(self) -> Tally:
        """All clocks together."""
        out = _EMPTY
        for _, _, tally in self.cells:
            out = out + tally
        return out

    @property
    def met(self) -> int:
        """Clocks stopped within their target."""
        return self.total.met

    @property
    def breached(self) -> int:
        """Clocks past their target (stopped or still running)."""
        return self.total.breached

    @property
    def in_progress(self) -> int:
        """Clocks still running (or paused) within their target."""
        return self.total.in_progress

    @property
    def rate(self) -> Fraction | None:
        """``met / (met + breached)``, or None when no clock is decided."""
        return self.total.rate

    @property
    def by_metric(self) -> dict[MetricKey, Tally]:
        """A :class:`Tally` per metric (only metrics with clocks)."""
        out: dict[MetricKey, Tally] = {}
        for metric, _, tally in self.cells:
            out[metric] = out.get(metric, _EMPTY) + tally
        return out

    @property
    def by_priority(self) -> dict[Priority, Tally]:
        """A :class:`Tally` per priority (the priority whose target applied), sorted."""
        out: dict[Priority, Tally] = {}
        for _, priority, tally in sorted(self.cells, key=lambda c: c[1]):
            out[priority] = out.get(priority, _EMPTY) + tally
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, the schema the ``itilkit report --format json`` command prints."""
        total = self.total.to_dict()
        return {
            "sla": self.sla,
            "as_of": iso(self.as_of),
            "incidents": self.incidents,
            "anomalies": self.anomalies,
            "compliance": {
                **total,
                "cancelled": self.cancelled,
                "no_target": self.no_target,
                "not_applicable": self.not_applicable,
                "not_yet_open": self.not_yet_open,
                "reset": self.reset,
                "not_started": self.not_started,
                "by_metric": {metric_name(m): t.to_dict() for m, t in self.by_metric.items()},
                "by_priority": {p.name: t.to_dict() for p, t in self.by_priority.items()},
                **(
                    {"by_sla": {p.sla: p.total.to_dict() for p in self.parts}}
                    if self.parts
                    else {}
                ),
            },
            "breaches": [b.to_dict() for b in self.breaches],
            "terms": [dict(t._asdict()) for t in self.terms],
            "objective": rate_dict(self.objective),
        }

    # -- tables for analysts ------------------------------------------------------

    GROUPS: ClassVar[tuple[str, ...]] = ("month", "priority", "group", "service", "metric", "sla")
    """What :meth:`to_frame` can group by."""

    def to_frame(self, group_by: str | Iterable[str] | None = None) -> Any:
        """The report as a pandas DataFrame: one row per counted clock, or grouped.

        Without ``group_by``, one row per clock run that counts in the rate
        (met, breached or in progress; reset runs and clocks without a target
        are left out, as in the counts): ``sla``, ``incident``, ``metric``,
        ``priority`` (the one whose target applied), ``stage``, ``outcome``
        (``"met"``, ``"breached"``, ``"in_progress"``), ``target`` and
        ``elapsed`` (business time, also as exact ``_us`` integers),
        ``started_at`` and ``stopped_at`` (UTC, NaT while running), ``month``
        (of the start, ``"YYYY-MM"`` in the report's zone), ``group`` and
        ``service`` (the carried fields, or the ``attributes`` given).

        ``group_by`` (one of :attr:`GROUPS` or several) gives one row per
        group: ``met``, ``breached``, ``in_progress``, ``decided``, and the
        rate exactly (``rate_exact``: ``"0.75"``, ``"2/3"``) and as a float
        (``rate``); both empty where no clock is decided. Every column is a
        plain type (strings, integers, floats, timestamps), so ``to_parquet``
        and ``polars.from_pandas`` take the frame. Needs pandas.

        >>> from itilkit import SLA, Incident, ServiceWindow, Target
        >>> sla = SLA("Std", window=ServiceWindow.always(), targets=[Target("response", "PT1H")])
        >>> a = Incident.open("A", at="2026-03-02T09:00Z", priority="P3")
        >>> b = Incident.open("B", at="2026-03-02T09:00Z", priority="P1")
        >>> report = sla.compliance([a.start_work(at="2026-03-02T09:30Z"), b],
        ...                         as_of="2026-03-02T12:00Z")
        >>> report.to_frame()[["incident", "priority", "outcome", "elapsed"]]
          incident priority  outcome         elapsed
        0        A       P3      met 0 days 00:30:00
        1        B       P1 breached 0 days 03:00:00
        >>> report.to_frame("priority")[["priority", "met", "breached", "rate_exact"]]
          priority  met  breached rate_exact
        0       P1    0         1          0
        1       P3    1         0          1
        """
        try:
            import numpy as np
            import pandas as pd
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        keys = _group_keys(group_by)
        zone = self.as_of.tzinfo
        assert zone is not None  # reports are made in their agreement's zone
        tz = zone_name(zone)
        logs = [(p.sla, p.clock_log) for p in (self.parts or (self,))]
        if any(log is None for _, log in logs):
            raise InvalidValueError(
                "report", "a report made by compliance() (it keeps its clocks)", self.sla
            )
        slas: list[str] = []
        for name, log in logs:
            assert log is not None
            slas += [name] * len(log)

        def column(attr: str) -> list[Any]:
            out: list[Any] = []
            for _, log in logs:
                out += getattr(log, attr)
            return out

        def integers(attr: str) -> Any:
            return np.concatenate(
                [np.frombuffer(getattr(log, attr), dtype=np.int64) for _, log in logs]
                or [np.zeros(0, dtype=np.int64)]
            ).astype(np.int64)

        stages = column("stages")
        target, elapsed = integers("target"), integers("elapsed")
        start, stop = integers("start"), integers("stop")
        started = pd.Series(start.view("datetime64[us]")).dt.tz_localize("UTC")
        frame = pd.DataFrame(
            {
                "sla": pd.Series(slas, dtype=object),
                "incident": pd.Series(column("ids"), dtype=object),
                "metric": pd.Series([metric_name(m) for m in column("metrics")], dtype=object),
                "priority": pd.Series([p.name for p in column("priorities")], dtype=object),
                "stage": pd.Series(stages, dtype=object),
                "outcome": pd.Series([_OUTCOME[s] for s in stages], dtype=object),
                "target": pd.Series(target.view("timedelta64[us]")),
                "elapsed": pd.Series(elapsed.view("timedelta64[us]")),
                "target_us": pd.Series(target),
                "elapsed_us": pd.Series(elapsed),
                "started_at": started,
                "stopped_at": pd.Series(stop.view("datetime64[us]")).dt.tz_localize("UTC"),
                "month": pd.Series(
                    started.dt.tz_convert(tz).dt.strftime("%Y-%m") if len(started) else [],
                    dtype=object,
                ),
                "group": pd.Series(column("group"), dtype=object),
                "service": pd.Series(column("service"), dtype=object),
            }
        )
        if not keys:
            return frame
        return _grouped(frame, keys, self)

    # -- rendering ----------------------------------------------------------------

    def _summary_rows(self) -> list[list[object]]:
        def row(label: str, tally: Tally) -> list[object]:
            rate = tally.rate
            return [
                label,
                tally.met,
                tally.breached,
                tally.in_progress,
                "-" if rate is None else format_percent(rate, 1),
            ]

        rows = [row(metric_name(m), t) for m, t in self.by_metric.items()]
        rows += [row(p.name, t) for p, t in self.by_priority.items()]
        rows += [row(part.sla, part.total) for part in self.parts]
        rows.append(row("all", self.total))
        return rows

    def _breach_rows(self) -> list[list[object]]:
        return [
            [
                b.incident_id,
                *([b.sla] if self.parts else []),
                metric_name(b.metric),
                b.priority.name,
                target_text(b.target, b.within),
                format_duration(b.late_by),
                b.breached_at.format("YYYY-MM-DD HH:mm"),
            ]
            for b in self.breaches
        ]

    @property
    def title(self) -> str:
        """The heading the text and HTML forms show."""
        return f"SLA {self.sla}: compliance as of {self.as_of.format('YYYY-MM-DD HH:mm Z')}"

    def _notes(self) -> str:
        rate = self.rate
        exact = "undefined (no decided clock)" if rate is None else ratio_text(rate)
        return (
            f"{self.incidents} incidents, {self.anomalies} anomalies; left out:"
            f" {self.cancelled} cancelled, {self.not_applicable} not applicable,"
            f" {self.not_yet_open} not yet open; {self.no_target} clocks without a target"
            + (f", {self.reset} reset" if self.reset else "")
            + (f", {self.not_started} custom clocks not started" if self.not_started else "")
            + "."
            f" Rate = met / (met + breached) = {exact}."
        )

    _SUMMARY: ClassVar[tuple[str, ...]] = ("", "met", "breached", "in progress", "rate")
    _BREACHES: ClassVar[tuple[str, ...]] = (
        "incident",
        "metric",
        "priority",
        "target",
        "late by",
        "breached at",
    )

    def _tables(self) -> list[tuple[str, tuple[str, ...], list[list[object]]]]:
        out: list[tuple[str, tuple[str, ...], list[list[object]]]] = [
            (self.title, self._SUMMARY, self._summary_rows())
        ]
        if self.breaches:
            header = self._BREACHES
            if self.parts:
                header = (header[0], "sla", *header[1:])
            out.append(("Breaches", header, self._breach_rows()))
        return out

    def __str__(self) -> str:
        return tables_text(self._tables(), self._notes())

    def _repr_html_(self) -> str:
        """One heading; the agreement's terms; compliance per priority and metric (met of
        decided, the rate right-aligned, marked against :attr:`objective` if set); the
        breaches; the notes. Inline styles only (no script, no stylesheet)."""
        out = [
            '<div class="itilkit itilkit-compliance">',
            f'<h2 style="font-size:1.2em;margin:0.6em 0">{html.escape(self.title)}</h2>',
        ]
        if self.terms:
            with_sla = bool(self.parts)
            header = [
                *(["sla"] if with_sla else []),
                "metric",
                "priority",
                "target",
                "service hours",
                "zone",
            ]
            rows = [
                [
                    *([_Cell(t.sla)] if with_sla else []),
                    _Cell(t.metric),
                    _Cell(t.priority),
                    _Cell(t.target, numeric=True, title=t.within),
                    _Cell(t.hours),
                    _Cell(t.tz),
                ]
                for t in self.terms
            ]
            out.append(_html("Targets", header, rows))
        out.append(self._crosstab_html())
        if self.breaches:
            header = list(self._BREACHES)
            if self.parts:
                header.insert(1, "sla")
            right = {header.index("target"), header.index("late by")}
            rows = [
                [_Cell(str(v), numeric=i in right) for i, v in enumerate(row)]
                for row in self._breach_rows()
            ]
            out.append(_html(f"Breaches ({len(self.breaches)})", header, rows))
        out.append(f"<p>{html.escape(self._notes())}</p></div>")
        return "".join(out)

    def _crosstab_html(self) -> str:
        metrics: dict[MetricKey, None] = dict.fromkeys(m for m, _, _ in self.cells)
        grid = {(m, p): t for m, p, t in self.cells}
        objective = self.objective

        def cell(tally: Tally | None) -> _Cell:
            if tally is None or not (tally.decided or tally.in_progress):
                return _Cell("", numeric=True)
            rate = tally.rate
            if rate is None:
                return _Cell(f"0/0 {_DASH}", numeric=True, title="no decided clock")
            text = f"{tally.met}/{tally.decided} {format_percent(rate, 1)}"
            if objective is None:
                return _Cell(text, numeric=True, title=f"exactly {ratio_text(rate)}")
            met = rate >= objective
            return _Cell(
                text,
                numeric=True,
                title=f"exactly {ratio_text(rate)}; objective {ratio_text(objective)}",
                marker=met,
            )

        rows = []
        for priority, total in [*self.by_priority.items(), (None, self.total)]:
            line = [_Cell("all" if priority is None else priority.name)]
            for m in metrics:
                if priority is None:
                    line.append(cell(self.by_metric.get(m)))
                else:
                    line.append(cell(grid.get((m, priority))))
            line.append(cell(total))
            line.append(_Cell(str(total.in_progress), numeric=True))
            rows.append(line)
        header = ["priority", *(metric_name(m) for m in metrics), "all", "in progress"]
        caption = "Met of decided clocks, by priority and metric"
        if objective is not None:
            caption += f" (objective {format_percent(objective, 3)})"
        return _html(caption, header, rows)

    def to_markdown(self) -> str:
        """The report as Markdown: the summary and breach tables and the notes."""
        return tables_markdown(self._tables(), self._notes())

    def to_csv(self) -> str:
        """One CSV row per metric and priority: the counts and the exact rate.

        The rate is written exactly (``"0.75"``, ``"2/3"``) and as a percentage
        rounded for reading; empty where no clock is decided.
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            ["sla", "metric", "priority", "met", "breached", "in_progress", "rate", "percent"]
        )
        for part in self.parts or (self,):
            part._csv_rows(writer)
        return buffer.getvalue()

    def _csv_rows(self, writer: Any) -> None:
        for metric, priority, tally in self.cells:
            rate = tally.rate
            writer.writerow(
                [
                    self.sla,
                    metric_name(metric),
                    priority.name,
                    tally.met,
                    tally.breached,
                    tally.in_progress,
                    "" if rate is None else ratio_text(rate),
                    "" if rate is None else format_percent(rate, 3),
                ]
            )


_DASH = "\u2013"
_RIGHT = "text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"
_MARKS = {
    True: ("\u2713", "itilkit-met", "color:#1a7f37"),
    False: ("\u2717", "itilkit-missed", "color:#cf222e"),
}


class _Cell:
    """One cell of the HTML form: its text, alignment, hover text and objective marker."""

    __slots__ = ("marker", "numeric", "text", "title")

    def __init__(
        self,
        text: str,
        *,
        numeric: bool = False,
        title: str | None = None,
        marker: bool | None = None,
    ) -> None:
        self.text = text
        self.numeric = numeric
        self.title = title
        self.marker = marker

    def html(self) -> str:
        attrs_ = ""
        body = html.escape(self.text)
        if self.marker is not None:
            sign, css, colour = _MARKS[self.marker]
            attrs_ += f' class="{css}"'
            body += f' <span style="{colour}">{sign}</span>'
        if self.numeric:
            attrs_ += f' style="{_RIGHT}"'
        if self.title is not None:
            attrs_ += f' title="{html.escape(self.title)}"'
        return f"<td{attrs_}>{body}</td>"


def _html(caption: str, header: list[str], rows: list[list[_Cell]]) -> str:
    """A captioned table; a header is right-aligned over a right-aligned column."""
    right = [bool(rows) and all(row[i].numeric for row in rows) for i in range(len(header))]
    head = "".join(
        f'<th style="{_RIGHT}">{html.escape(h)}</th>' if r else f"<th>{html.escape(h)}</th>"
        for h, r in zip(header, right, strict=True)
    )
    body = "".join("<tr>" + "".join(c.html() for c in row) + "</tr>" for row in rows)
    return (
        '<table><caption style="text-align:left;font-weight:bold;padding:0.3em 0">'
        f"{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


_OUTCOME = {
    "met": "met",
    "breached": "breached",
    "running": "in_progress",
    "paused": "in_progress",
}


def _group_keys(group_by: object) -> tuple[str, ...]:
    if group_by is None:
        return ()
    items = (group_by,) if isinstance(group_by, str) else group_by
    if not isinstance(items, Iterable):
        raise InvalidValueError("group_by", "one of " + ", ".join(ComplianceReport.GROUPS), items)
    keys = tuple(items)
    for key in keys:
        if key not in ComplianceReport.GROUPS:
            raise InvalidValueError(
                "group_by", "one of " + ", ".join(map(repr, ComplianceReport.GROUPS)), key
            )
    if len(set(keys)) != len(keys):
        raise InvalidValueError("group_by", "each key once", list(keys))
    return keys


def _grouped(frame: Any, keys: tuple[str, ...], report: ComplianceReport) -> Any:
    """Counts and the exact rate per group of ``keys``, in the report's order."""
    import pandas as pd

    sums: dict[tuple[Any, ...], list[int]] = {}
    slot = {"met": 0, "breached": 1, "in_progress": 2}
    columns = [frame[k].tolist() for k in keys]
    for values, outcome in zip(zip(*columns, strict=True), frame["outcome"], strict=True):
        counts = sums.get(values)
        if counts is None:
            counts = sums[values] = [0, 0, 0]
        counts[slot[outcome]] += 1
    orders = {
        "priority": {p.name: p.value for p in Priority},
        "metric": {metric_name(m): i for i, m in enumerate(report.by_metric)},
        "sla": {p.sla: i for i, p in enumerate(report.parts or (report,))},
    }

    def order(values: tuple[Any, ...]) -> tuple[Any, ...]:
        out: list[Any] = []
        for key, value in zip(keys, values, strict=True):
            rank = orders.get(key)
            if rank is not None:
                out.append((0, rank.get(value, len(rank)), ""))
            else:
                out.append((1, 0, "") if value is None else (0, 0, value))
        return tuple(out)

    rows = sorted(sums.items(), key=lambda kv: order(kv[0]))
    data: dict[str, Any] = {
        key: pd.Series([k[i] for k, _ in rows], dtype=object) for i, key in enumerate(keys)
    }
    tallies = [Tally(*counts) for _, counts in rows]
    rates = [t.rate for t in tallies]
    data["met"] = pd.Series([t.met for t in tallies], dtype="int64")
    data["breached"] = pd.Series([t.breached for t in tallies], dtype="int64")
    data["in_progress"] = pd.Series([t.in_progress for t in tallies], dtype="int64")
    data["decided"] = pd.Series([t.decided for t in tallies], dtype="int64")
    data["rate_exact"] = pd.Series(
        [None if r is None else ratio_text(r) for r in rates], dtype=object
    )
    data["rate"] = pd.Series(
        [float("nan") if r is None else float(r) for r in rates], dtype="float64"
    )
    return pd.DataFrame(data)


# --- the tally ---------------------------------------------------------------------------

Selector = Callable[[Incident, Mapping[str, object] | None], bool]


def tally(
    name: str,
    rules: Rules,
    incidents: Iterable[Incident],
    *,
    as_of_us: int,
    metrics: tuple[MetricKey, ...],
    selects: Selector | None = None,
    attributes: Mapping[str, object] | None = None,
) -> ComplianceReport:
    """Run every clock of ``incidents`` under ``rules`` and count the outcomes.

    ``selects`` (an agreement's ``applies_to``) chooses the incidents it
    covers; the others count as ``not_applicable``. Cancelled incidents and
    incidents opened after ``as_of`` are left out and counted; a clock with
    no target for the priority counts as ``no_target``. Every run of a clock
    counts (a restart on reopen gives two); a run ended by a reset before its
    target counts as ``reset``, a custom clock that never started as
    ``not_started``.
    """
    given = given_attributes(attributes)
    cells: dict[int, list[int]] = {}  # by slot: 8 * the metric's index + the priority
    breaches: list[Breach] = []
    counts = dict.fromkeys(
        (
            "cancelled",
            "no_target",
            "not_applicable",
            "not_yet_open",
            "reset",
            "not_started",
        ),
        0,
    )
    no_target_ids: list[str] = []
    cancelled_ids: list[str] = []
    log = ClockLog(metrics)
    log.given = given
    rows = array("q")  # four numbers a clock, made columns at the end (ClockLog.fill)
    add_incident, add_row = log.incidents.append, rows.extend
    targets, add_varying = log.targets, log.varying.append
    fixed: list[int | None] = [None] * (8 * len(metrics))  # log.targets, by slot
    plans = [plan(rules, m) for m in metrics]
    if isinstance(incidents, str | bytes) or not isinstance(incidents, Iterable):
        raise InvalidValueError("incidents", "an iterable of Incident", incidents)
    seen = anomalies = 0
    for i, incident in enumerate(incidents):
        if not isinstance(incident, Incident):
            raise InvalidValueError(f"incidents[{i}]", "an Incident", incident)
        seen += 1
        if incident.anomalies:
            anomalies += len(incident.anomalies)
        if selects is None:
            life = lifeline(incident, as_of_us)  # read once: the opening, then the timeline
            if life[0] > as_of_us:
                counts["not_yet_open"] += 1
                continue
            timeline = Timeline(incident, as_of_us, life)
        else:
            if incident.opened_at_us > as_of_us:
                counts["not_yet_open"] += 1
                continue
            if not selects(incident, given_values(given, incident.id)):
                counts["not_applicable"] += 1
                continue
            timeline = Timeline(incident, as_of_us)
        found = []
        cancelled = bool(timeline.moves) and timeline.moves[-1][1] is State.CANCELED
        for p in plans:
            rs = runs(rules, timeline, p)
            found.append(rs)
            for r in rs:
                if r is not None and r.stage == "cancelled":
                    cancelled = True
        if cancelled:
            counts["cancelled"] += 1
            cancelled_ids.append(incident.id)
            continue
        for index, rs in enumerate(found):
            base = 8 * index
            if not rs:
                counts["not_started"] += 1
            for r in rs:
                if r is None:
                    counts["no_target"] += 1
                    no_target_ids.append(incident.id)
                    continue
                if r.stage == "reset":
                    counts["reset"] += 1
                    continue
                slot, target = base + r.priority, r.target
                cell = cells.get(slot)
                if cell is None:
                    cell = cells[slot] = [0, 0, 0]
                if r.elapsed > target:
                    cell[1] += 1
                    breaches.append(_breach(name, incident.id, metrics[index], r))
                elif r.stop is not None:
                    cell[0] += 1
                else:
                    cell[2] += 1
                # The clock log's row (see ClockLog): its codes, and the target only
                # where it differs from the first of its metric and priority.
                code = 16 * slot + _STAGE_CODE[r.stage]
                known = fixed[slot]
                if known != target:
                    if known is None:
                        fixed[slot] = targets[slot] = target
                    else:
                        add_varying(target)
                        code += 1
                add_incident(incident)
                add_row((code, r.elapsed, r.start, _NAT if r.stop is None else r.stop))
    log.fill(rows)
    order = {m: i for i, m in enumerate(rules.clocks)}
    return ComplianceReport(
        sla=name,
        as_of=from_us(as_of_us, rules.window.tz),
        incidents=seen,
        anomalies=anomalies,
        cells=tuple(
            (metrics[slot >> 3], Priority(slot & 7), Tally(*cell))
            for slot, cell in sorted(
                cells.items(), key=lambda kv: (order[metrics[kv[0] >> 3]], kv[0])
            )
        ),
        breaches=tuple(breaches),
        cancelled=counts["cancelled"],
        cancelled_ids=tuple(cancelled_ids),
        no_target=counts["no_target"],
        no_target_ids=tuple(dict.fromkeys(no_target_ids)),
        not_applicable=counts["not_applicable"],
        not_yet_open=counts["not_yet_open"],
        reset=counts["reset"],
        not_started=counts["not_started"],
        terms=terms_of(name, rules, metrics),
        clock_log=log,
    )


def terms_of(name: str, rules: Rules, metrics: tuple[MetricKey, ...]) -> tuple[Term, ...]:
    """The targets of ``metrics`` in ``rules``, as the report shows them (specific
    priorities first, then the target of every priority)."""
    out = []
    for m in metrics:
        by_priority = rules.targets.get(m, {})
        for priority in sorted(
            by_priority, key=lambda p: (p is None, 0 if p is None else p.value)
        ):
            rule = by_priority[priority]
            within = within_text(rule.within)
            assert within is not None
            out.append(
                Term(
                    sla=name,
                    metric=metric_name(m),
                    priority="all" if priority is None else priority.name,
                    within=within,
                    target=(
                        str(rule.within)
                        if rule.us is None
                        else target_text(to_timedelta(rule.us), rule.within)
                    ),
                    hours=_hours(rule.window),
                    tz=zone_name(rule.window.tz),
                )
            )
    return tuple(out)


def _hours(window: ServiceWindow) -> str:
    """A window's hours as SLA documents write them, or its repr for other windows."""
    try:
        config = window.to_dict()
    except InvalidValueError:
        return repr(window)
    hours = str(config["hours"])
    holidays = config.get("holidays")
    if isinstance(holidays, str):
        hours += f", closed on {holidays} holidays"
    elif holidays:
        hours += f", closed on {len(holidays)} holidays"
    if config.get("overrides"):
        hours += f", {len(config['overrides'])} days with other hours"
    return hours


def _group_and_service(
    incident: Incident, given: Mapping[str, object]
) -> tuple[str | None, str | None]:
    """The incident's ``group`` and ``service``: the values given for it, else its own."""
    values: Mapping[str, object] | None = given_values(given, incident.id) if given else None
    if values is None:
        if not incident.carried:
            return None, None
        values = incident.attributes
    group, service = values.get("group"), values.get("service")
    return (
        group if isinstance(group, str) else None,
        service if isinstance(service, str) else None,
    )


def combine(
    parts: list[ComplianceReport],
    incidents: tuple[Incident, ...],
    chosen: set[int],
    as_of_us: int,
    tz: Zone,
) -> ComplianceReport:
    """One report over several agreements' reports: clocks summed by metric and priority;
    incidents counted once (``not_applicable``: selected by no agreement)."""
    cells: dict[tuple[MetricKey, Priority], Tally] = {}
    order: dict[MetricKey, int] = {Metric.RESPONSE: 0, Metric.RESOLUTION: 1}
    for part in parts:
        for metric, priority, t in part.cells:
            order.setdefault(metric, len(order))
            cells[metric, priority] = cells.get((metric, priority), _EMPTY) + t
    cancelled = dict.fromkeys(i for p in parts for i in p.cancelled_ids)
    anomalies = not_applicable = not_yet_open = 0
    for i, inc in enumerate(incidents):  # one pass, each incident read once
        found = inc.anomalies
        if found:
            anomalies += len(found)
        if inc.opened_at_us > as_of_us:
            not_yet_open += 1
        elif i not in chosen:
            not_applicable += 1
    return ComplianceReport(
        sla=" + ".join(p.sla for p in parts),
        as_of=from_us(as_of_us, tz),
        incidents=len(incidents),
        anomalies=anomalies,
        cells=tuple(
            (m, p, t)
            for (m, p), t in sorted(cells.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
        ),
        breaches=tuple(b for p in parts for b in p.breaches),
        cancelled=len(cancelled),
        cancelled_ids=tuple(cancelled),
        no_target=sum(p.no_target for p in parts),
        no_target_ids=tuple(dict.fromkeys(i for p in parts for i in p.no_target_ids)),
        not_applicable=not_applicable,
        not_yet_open=not_yet_open,
        reset=sum(p.reset for p in parts),
        not_started=sum(p.not_started for p in parts),
        parts=tuple(parts),
        terms=tuple(t for p in parts for t in p.terms),
    )


def given_attributes(attributes: object) -> Mapping[str, object]:
    """``attributes=`` of a compliance call: a mapping of incident ids to field values."""
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping):
        raise InvalidValueError(
            "attributes", "a mapping of incident ids to their field values", attributes
        )
    return attributes


def given_values(
    attributes: Mapping[str, object], incident_id: str
) -> Mapping[str, object] | None:
    """The field values given for one incident (None: read its own)."""
    found = attributes.get(incident_id)
    if found is not None and not isinstance(found, Mapping):
        raise InvalidValueError(f"attributes[{incident_id}]", "a mapping of field values", found)
    return found


def _breach(sla: str, incident_id: str, metric: MetricKey, r: Run) -> Breach:
    window = r.rule.window
    due = due_us(r)
    assert due is not None  # a breached clock reached its target in the past
    return Breach(
        incident_id=incident_id,
        metric=metric,
        priority=r.priority,
        target_us=r.target,
        elapsed_us=r.elapsed,
        due_us=due,
        breached_at_us=breached_at_us(r, due),
        stopped_at_us=r.stop,
        tz=window.tz,
        sla=sla,
        within=r.rule.within,
    )
