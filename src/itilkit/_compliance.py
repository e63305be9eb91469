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
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from fractions import Fraction
from typing import Any, ClassVar

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
from ._errors import InvalidValueError
from ._incident import Incident, State
from ._priority import Priority
from ._ratio import format_percent, ratio_text
from ._report import format_duration, html_table, iso, iso_duration, markdown_table, text_table
from ._time import Zone, from_us, to_timedelta

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
        """JSON-ready form; the rate as exact text (``"0.75"``, ``"2/3"``) or null."""
        rate = self.rate
        return {
            "met": self.met,
            "breached": self.breached,
            "in_progress": self.in_progress,
            "rate": None if rate is None else ratio_text(rate),
        }


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


@attrs.frozen
class ComplianceReport:
    """Compliance of a set of incidents with one agreement, as of an instant.

    ``cells`` holds a :class:`Tally` per (metric, priority); ``met``,
    ``breached``, ``in_progress`` and ``rate`` total them, ``by_metric`` and
    ``by_priority`` break them down. Incidents left out are counted:
    ``cancelled``, ``not_applicable`` (the agreement's ``applies_to`` does not
    select them), ``not_yet_open`` (opened after ``as_of``); ``no_target``
    counts clocks with no target for the incident's priority.
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
        }

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
        parts = [text_table(h, rows, title=t) for t, h, rows in self._tables()]
        return "\n\n".join([*parts, self._notes()])

    def _repr_html_(self) -> str:
        out = "".join(html_table(h, rows, title=t) for t, h, rows in self._tables())
        return out + f"<p>{html.escape(self._notes())}</p>"

    def to_markdown(self) -> str:
        """The report as Markdown: the summary and breach tables and the notes."""
        parts = [markdown_table(h, rows, title=t) for t, h, rows in self._tables()]
        return "\n\n".join([*parts, self._notes()])

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
    attributes: Mapping[str, Mapping[str, object]] | None = None,
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
    cells: dict[tuple[MetricKey, Priority], list[int]] = {}
    breaches: list[Breach] = []
    counts = dict.fromkeys(
        (
            "incidents",
            "anomalies",
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
    plans = [plan(rules, m) for m in metrics]
    if isinstance(incidents, str | bytes) or not isinstance(incidents, Iterable):
        raise InvalidValueError("incidents", "an iterable of Incident", incidents)
    for i, incident in enumerate(incidents):
        if not isinstance(incident, Incident):
            raise InvalidValueError(f"incidents[{i}]", "an Incident", incident)
        counts["incidents"] += 1
        counts["anomalies"] += len(incident.anomalies)
        if incident.opened_at_us > as_of_us:
            counts["not_yet_open"] += 1
            continue
        if selects is not None and not selects(incident, given_values(given, incident.id)):
            counts["not_applicable"] += 1
            continue
        timeline = Timeline(incident, as_of_us)
        found = [(p[0], runs(rules, timeline, p)) for p in plans]
        if _cancelled(timeline) or any(
            r is not None and r.stage == "cancelled" for _, rs in found for r in rs
        ):
            counts["cancelled"] += 1
            cancelled_ids.append(incident.id)
            continue
        for m, rs in found:
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
                cell = cells.setdefault((m, r.priority), [0, 0, 0])
                if r.elapsed > r.target:
                    cell[1] += 1
                    breaches.append(_breach(name, incident.id, m, r))
                elif r.stop is not None:
                    cell[0] += 1
                else:
                    cell[2] += 1
    order = {m: i for i, m in enumerate(rules.clocks)}
    return ComplianceReport(
        sla=name,
        as_of=from_us(as_of_us, rules.window.tz),
        incidents=counts["incidents"],
        anomalies=counts["anomalies"],
        cells=tuple(
            (m, p, Tally(*cell))
            for (m, p), cell in sorted(cells.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
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
    return ComplianceReport(
        sla=" + ".join(p.sla for p in parts),
        as_of=from_us(as_of_us, tz),
        incidents=len(incidents),
        anomalies=sum(len(inc.anomalies) for inc in incidents),
        cells=tuple(
            (m, p, t)
            for (m, p), t in sorted(cells.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
        ),
        breaches=tuple(b for p in parts for b in p.breaches),
        cancelled=len(cancelled),
        cancelled_ids=tuple(cancelled),
        no_target=sum(p.no_target for p in parts),
        no_target_ids=tuple(dict.fromkeys(i for p in parts for i in p.no_target_ids)),
        not_applicable=sum(
            1
            for i, inc in enumerate(incidents)
            if i not in chosen and inc.opened_at_us <= as_of_us
        ),
        not_yet_open=sum(1 for inc in incidents if inc.opened_at_us > as_of_us),
        reset=sum(p.reset for p in parts),
        not_started=sum(p.not_started for p in parts),
        parts=tuple(parts),
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


def _cancelled(timeline: Timeline) -> bool:
    """Whether the incident stands CANCELED at ``as_of``."""
    return bool(timeline.moves) and timeline.moves[-1][1] is State.CANCELED


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
