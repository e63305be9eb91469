"""Reconciliation: do our SLA verdicts agree with the ticket system's own?

Both sides of an SLA dispute must be able to say where their numbers differ.
A ticket system records its own verdict per incident (ServiceNow's
``made_sla``: true unless one of the incident's SLAs breached). itilkit
computes every clock of the agreement from the recorded history and compares:
an incident **agrees** when "no clock breached" equals the recorded verdict.

For each disagreement the likely cause is named by recomputing under the
assumptions ticket systems most often make differently, and keeping those that
would agree with the export:

* ``"calendar"``: the clocks counted 24x7 instead of in the agreed hours;
* ``"pause rule"``: the clocks never paused (on-hold time counted);
* ``"priority"``: the export's priority and its impact x urgency matrix
  differ for this incident (a ``priority_mismatch`` anomaly was recorded);
* ``"unexplained"`` when none of these would agree.

Incidents without a recorded verdict, or whose clocks are not all decided yet
(still running within their target), are left out and counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from fractions import Fraction
from typing import Any

import attrs
import pendulum

from ._clock import MetricKey, Rules, Timeline, metric_name, run
from ._errors import InvalidValueError
from ._incident import Incident
from ._ratio import format_percent, ratio_text
from ._report import format_duration, html_table, text_table
from ._window import ServiceWindow

__all__ = [
    "Reconciliation",
    "ReconciliationRow",
    "TimeReconciliation",
    "TimeRow",
    "reconcile",
    "reconcile_times",
]

#: How the ticket systems write a recorded verdict (lower case).
TRUE_WORDS = frozenset({"true", "yes", "1", "y", "t"})
FALSE_WORDS = frozenset({"false", "no", "0", "n", "f"})


def agreement_rate(agree: int, disagree: int) -> Fraction | None:
    """``agree / (agree + disagree)``, exactly; None when nothing was compared.

    >>> agreement_rate(1, 3), agreement_rate(0, 0)
    (Fraction(1, 4), None)
    """
    total = agree + disagree
    return Fraction(agree, total) if total else None


@attrs.frozen
class ReconciliationRow:
    """One incident: the recorded verdict, ours, and (when they differ) why they may.

    ``metric`` is the clock compared, or None when the verdict covers every
    clock of the agreement (``made_sla``: no clock breached). ``exported`` and
    ``computed`` are True for "made the SLA". ``why`` is empty when they
    agree, else the assumptions under which our computation would agree
    (``"calendar"``, ``"pause rule"``, ``"priority"``) or ``("unexplained",)``.
    """

    incident_id: str
    metric: MetricKey | None
    exported: bool
    computed: bool
    why: tuple[str, ...] = ()


@attrs.frozen
class Reconciliation:
    """Our verdicts against the export's, incident by incident, with the agreement rate.

    ``agree`` and ``disagree`` hold :class:`ReconciliationRow` objects;
    ``skipped`` maps a reason (``"no recorded value"``, ``"undecided"``,
    ``"not applicable"``, ``"no target"``) to the incident ids left out.
    """

    sla: str
    field: str
    as_of: pendulum.DateTime
    agree: tuple[ReconciliationRow, ...]
    disagree: tuple[ReconciliationRow, ...]
    skipped: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def rate(self) -> Fraction | None:
        """``agree / (agree + disagree)``; None when no incident could be compared."""
        return agreement_rate(len(self.agree), len(self.disagree))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; the rate as exact text."""
        rate = self.rate
        return {
            "sla": self.sla,
            "field": self.field,
            "as_of": self.as_of.isoformat(),
            "agree": len(self.agree),
            "disagree": len(self.disagree),
            "rate": None if rate is None else ratio_text(rate),
            "disagreements": [
                {
                    "incident": r.incident_id,
                    "metric": None if r.metric is None else metric_name(r.metric),
                    "exported": r.exported,
                    "computed": r.computed,
                    "why": list(r.why),
                }
                for r in self.disagree
            ],
            "skipped": {reason: list(ids) for reason, ids in self.skipped},
        }

    def _rows(self) -> list[list[object]]:
        return [
            [r.incident_id, _word(r.exported), _word(r.computed), ", ".join(r.why)]
            for r in self.disagree
        ]

    @property
    def title(self) -> str:
        """The heading: which agreement, which field, and the agreement rate."""
        rate = self.rate
        shown = "n/a" if rate is None else format_percent(rate)
        return (
            f"SLA {self.sla}: {len(self.agree)} of {len(self.agree) + len(self.disagree)}"
            f" incidents agree with the export's {self.field!r} ({shown})"
        )

    _HEADERS = ("incident", "export", "itilkit", "would agree with")

    def __str__(self) -> str:
        skipped = "; ".join(f"{reason}: {len(ids)}" for reason, ids in self.skipped)
        text = text_table(self._HEADERS, self._rows(), title=self.title)
        text += f"\n\nLeft out: {skipped}." if skipped else ""
        return text + (_NOTHING.format(field=self.field) if self.rate is None else "")

    def _repr_html_(self) -> str:
        return html_table(self._HEADERS, self._rows(), title=self.title)


_NOTHING = (
    "\n\nNothing was compared: no incident records {field!r} (is the column in the export,"
    " and mapped?)."
)


def _word(made: bool) -> str:
    return "made" if made else "breached"


def _verdict(text: object) -> bool | None:
    if not isinstance(text, str):
        return None
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _made(rules: Rules, timeline: Timeline, metrics: tuple[MetricKey, ...]) -> bool | None:
    """True when no clock breached and all are decided; False on a breach; None otherwise."""
    decided = True
    found = False
    for metric in metrics:
        r = run(rules, timeline, metric)
        if r is None:
            continue
        found = True
        if r.elapsed > r.target:
            return False
        if r.stop is None:
            decided = False
    if not found:
        return None
    return True if decided else None


def _matrix_timeline(incident: Incident, timeline: Timeline) -> Timeline:
    """The same timeline with each priority the matrix computes from the recorded impact
    and urgency (where both are known) instead of the recorded one."""
    matrix = incident.matrix
    other = Timeline(incident, timeline.as_of)
    other.priorities = [
        (
            at,
            priority
            if c.impact is None or c.urgency is None
            else matrix.priority(c.impact, c.urgency),
        )
        for (at, priority), c in zip(timeline.priorities, incident.priority_history, strict=True)
    ]
    return other


def reconcile(
    name: str,
    rules: Rules,
    incidents: Iterable[Incident],
    *,
    as_of_us: int,
    as_of: pendulum.DateTime,
    field: str,
    metrics: tuple[MetricKey, ...],
    alternatives: Mapping[str, Rules],
    selects: Any = None,
) -> Reconciliation:
    """Compare our verdict with the recorded ``field`` for every incident (see the module)."""
    if not isinstance(field, str) or not field:
        raise InvalidValueError("field", "the name of a carried field such as 'made_sla'", field)
    metric = metrics[0] if len(metrics) == 1 else None
    agree: list[ReconciliationRow] = []
    disagree: list[ReconciliationRow] = []
    skipped: dict[str, list[str]] = {}
    if isinstance(incidents, str | bytes) or not isinstance(incidents, Iterable):
        raise InvalidValueError("incidents", "an iterable of Incident", incidents)
    for i, incident in enumerate(incidents):
        if not isinstance(incident, Incident):
            raise InvalidValueError(f"incidents[{i}]", "an Incident", incident)
        if incident.opened_at_us > as_of_us:
            skipped.setdefault("not yet open", []).append(incident.id)
            continue
        if selects is not None and not selects(incident, None):
            skipped.setdefault("not applicable", []).append(incident.id)
            continue
        exported = _verdict(incident.attributes.get(field))
        if exported is None:
            skipped.setdefault("no recorded value", []).append(incident.id)
            continue
        timeline = Timeline(incident, as_of_us)
        computed = _made(rules, timeline, metrics)
        if computed is None:
            skipped.setdefault("undecided", []).append(incident.id)
            continue
        if computed == exported:
            agree.append(ReconciliationRow(incident.id, metric, exported, computed))
            continue
        why = [
            reason
            for reason, other in alternatives.items()
            if _made(other, timeline, metrics) == exported
        ]
        if _made(rules, _matrix_timeline(incident, timeline), metrics) == exported:
            why.append("priority")
        disagree.append(
            ReconciliationRow(
                incident.id, metric, exported, computed, tuple(why) or ("unexplained",)
            )
        )
    return Reconciliation(
        sla=name,
        field=field,
        as_of=as_of,
        agree=tuple(agree),
        disagree=tuple(disagree),
        skipped=tuple((reason, tuple(ids)) for reason, ids in sorted(skipped.items())),
    )


# --- resolve times ---------------------------------------------------------------------


@attrs.frozen
class TimeRow:
    """One incident's time to resolve: the export's own figure and ours, in business time."""

    incident_id: str
    recorded: timedelta
    computed: timedelta

    @property
    def difference(self) -> timedelta:
        """``computed - recorded``."""
        return self.computed - self.recorded


@attrs.frozen
class TimeReconciliation:
    """Our business time from opening to resolution against the export's own figure.

    The export counts whole seconds (ServiceNow's ``business_stc``), so an
    incident agrees when our exact time, cut to the second, equals it.
    ``skipped`` maps a reason to the incidents left out.
    """

    window: str
    field: str
    agree: tuple[TimeRow, ...]
    disagree: tuple[TimeRow, ...]
    skipped: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def rate(self) -> Fraction | None:
        """``agree / (agree + disagree)``; None when nothing could be compared."""
        return agreement_rate(len(self.agree), len(self.disagree))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; durations in whole seconds as recorded, ours exact in microseconds."""
        rate = self.rate
        return {
            "window": self.window,
            "field": self.field,
            "agree": len(self.agree),
            "disagree": len(self.disagree),
            "rate": None if rate is None else ratio_text(rate),
            "disagreements": [
                {
                    "incident": r.incident_id,
                    "recorded_seconds": r.recorded // timedelta(seconds=1),
                    "computed_us": r.computed // timedelta(microseconds=1),
                }
                for r in self.disagree
            ],
            "skipped": {reason: list(ids) for reason, ids in self.skipped},
        }

    def __str__(self) -> str:
        rate = self.rate
        shown = "n/a" if rate is None else format_percent(rate)
        title = (
            f"{len(self.agree)} of {len(self.agree) + len(self.disagree)} resolve times agree"
            f" with the export's {self.field!r} ({shown}), counted in {self.window}"
        )
        rows = [
            [
                r.incident_id,
                format_duration(r.recorded),
                format_duration(r.computed),
                format_duration(r.difference),
            ]
            for r in self.disagree
        ]
        text = text_table(["incident", "export", "itilkit", "difference"], rows, title=title)
        skipped = "; ".join(f"{reason}: {len(ids)}" for reason, ids in self.skipped)
        text += f"\n\nLeft out: {skipped}." if skipped else ""
        return text + (_NOTHING.format(field=self.field) if self.rate is None else "")


def reconcile_times(
    window: ServiceWindow, incidents: Iterable[Incident], *, field: str
) -> TimeReconciliation:
    """Compare the business time from opening to resolution in ``window`` with ``field``
    (whole seconds, as ServiceNow's ``business_stc`` records them) for every resolved incident.
    """
    if not isinstance(field, str) or not field:
        raise InvalidValueError("field", "the name of a carried field such as 'made_sla'", field)
    if isinstance(incidents, str | bytes) or not isinstance(incidents, Iterable):
        raise InvalidValueError("incidents", "an iterable of Incident", incidents)
    agree: list[TimeRow] = []
    disagree: list[TimeRow] = []
    skipped: dict[str, list[str]] = {}
    for i, incident in enumerate(incidents):
        if not isinstance(incident, Incident):
            raise InvalidValueError(f"incidents[{i}]", "an Incident", incident)
        text = incident.attributes.get(field)
        resolved = incident.resolved_at
        if resolved is None:
            skipped.setdefault("not resolved", []).append(incident.id)
            continue
        if text is None or not text.strip().isdigit() or len(text.strip()) > 12:
            skipped.setdefault("no recorded value", []).append(incident.id)
            continue
        recorded = timedelta(seconds=int(text.strip()))
        computed = window.business_time(incident.opened_at, resolved)
        row = TimeRow(incident.id, recorded, computed)
        seconds = computed // timedelta(seconds=1)
        (agree if seconds == int(text.strip()) else disagree).append(row)
    return TimeReconciliation(
        window=repr(window),
        field=field,
        agree=tuple(agree),
        disagree=tuple(disagree),
        skipped=tuple((reason, tuple(ids)) for reason, ids in sorted(skipped.items())),
    )
