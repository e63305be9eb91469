"""The service review: is IT doing well, measured the same way by both sides, and what to improve.

ITIL's service level management ends each period with a **service review**:
the agreed measures of one service over one period, compared with the
agreement, and the improvements they call for. :meth:`ServiceReview.build`
assembles it from the library's own calculations, never computing a figure
a second way, so each number in the review is the exact value the library
returns elsewhere:

* **availability**: :meth:`SLA.availability_report <itilkit.Agreement.availability_report>`
  over the period, against the SLA's ``availability`` objective (with MTBF,
  MTRS, MTBSI), and the biggest outages, each measured alone the same way;
* **compliance**: :meth:`SLA.compliance <itilkit.Agreement.compliance>` of
  the incidents *opened in the period*, as of its end (a clock still running
  within its target is in progress, not judged), as a metric x priority
  table with the worst breaches;
* **error budget**: an :class:`~itilkit.ErrorBudget` of the SLA's objective
  over the period and window: allowed, spent, remaining, the share consumed;
* **overloads**: :func:`~itilkit.recurring_overloads` of the load samples in
  the period, in the SLA window's zone, above ``overload_threshold``;
* **problems**: incidents opened in the period that share a configuration
  item or a category (their final carried ``ci`` / ``category``), at least
  ``min_recurring`` of them;
* **changes**: the changes planned or deployed in the period, which of them
  were approved, the conflicts a :class:`~itilkit.ChangeCalendar` finds among
  them, and :func:`delivery_metrics <itilkit._delivery.delivery_metrics>`
  (what was deployed, what failed: backed out, recorded as failed, or named
  by an incident's ``caused_by`` / ``change``);
* **recovery** (with ``recovery=``): :func:`~itilkit.check_recovery` of the
  period's outages; **credit** (with ``credit_schedule=``):
  :func:`~itilkit.credits` for the period's availability;
* **trend**: the same availability and compliance for the ``previous``
  periods before, oldest first, the current period last;
* **actions**: the improvement findings, each with its evidence, by the
  rules of :data:`ACTION_KINDS`.

Periods are a month (``"2026-03"``), a quarter (``"2026-Q1"``), both in the
SLA window's zone, or a pair of instants ``(start, end)``; half-open,
``[start, end)``. The review is a frozen value: ``str()`` reads like the
founding dialogue, :meth:`~ServiceReview.to_markdown`,
:meth:`~ServiceReview.to_dict` (the published ``review`` JSON Schema) and
:meth:`~ServiceReview.to_frame` give it to documents and data tools.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Literal

import attrs
import pendulum

from ._approval import ApprovalPolicy
from ._availability import AvailabilityReport, CreditSchedule, Outage, outages_of
from ._budget import ErrorBudget
from ._capacity import RecurringOverload, load_grid, recurring_overloads, threshold_of
from ._change import ChangeRequest, ChangeState
from ._change_calendar import ChangeCalendar, Conflict
from ._clock import metric_name
from ._compliance import Breach, ComplianceReport
from ._continuity import RecoveryObjective, RecoveryReport, check_recovery
from ._delivery import DeliveryReport, Deployment, delivery_metrics
from ._errors import InvalidValueError, ItilkitError, MissingDependencyError, items_of
from ._finance import credits
from ._incident import Incident
from ._index import MAX_YEAR, MIN_YEAR, year_start_us
from ._problem import find_recurring
from ._ratio import (
    RatioLike,
    format_decimal,
    format_percent,
    parse_ratio,
    percent_text,
    ratio_text,
)
from ._report import format_duration, iso, markdown_table, text_table
from ._sla import Agreement
from ._time import Zone, boundary_to_us, from_us, iso_duration, moment, to_us, zone, zone_name
from ._window import ServiceWindow

__all__ = [
    "ACTION_KINDS",
    "MAX_PREVIOUS",
    "RECURRING_FIELDS",
    "SEVERITIES",
    "TOP",
    "Action",
    "BiggestOutage",
    "BudgetFigures",
    "ChangeEntry",
    "RecurringIncidents",
    "ReviewPeriod",
    "ReviewTable",
    "ServiceReview",
    "TrendRow",
]

#: How many of the biggest outages and worst breaches a review shows.
TOP = 5
#: The most previous periods a trend may ask for (ten years of months).
MAX_PREVIOUS = 120
#: The carried incident fields on which recurring incidents are looked for, in order.
RECURRING_FIELDS: tuple[str, ...] = ("ci", "category")
#: Action severities, most urgent first.
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")

ACTION_KINDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "target_missed": (
            "high",
            "availability below the SLA's objective, or SLA clocks that breached their targets",
        ),
        "credit_owed": ("high", "the credit schedule owes a service credit for the period"),
        "recovery_missed": ("high", "a failure restored later than its RTO, or lost past its RPO"),
        "error_budget": (
            "high",
            "the error budget burnt faster than the period allows (more than all of it spent)",
        ),
        "change_failed": (
            "medium",
            "a change deployed in the period failed: backed out, recorded as failed, or named"
            " by an incident (caused_by / change)",
        ),
        "capacity": ("medium", "a time of day that runs above the load threshold week after week"),
        "problem": (
            "medium",
            "recurring incidents on one configuration item or category not yet linked to one problem",
        ),
        "thin_margin": ("low", "availability met its objective by less than the margin threshold"),
        "change_conflict": ("low", "a change planned in the period conflicts with the schedule"),
    }
)
"""The kinds of improvement finding a review raises: ``kind -> (severity, when)``.

Source: ITIL 4's service level management practice (the service review
identifies improvement opportunities and feeds continual improvement),
with the findings named in the contract (docs/design.md, "The service
review"): a target missed or met with a thin margin, a recurring overload
(add capacity), recurring incidents (open a problem), an error budget burnt
faster than the period, changes that failed or caused incidents; and, when
their objectives are given, recovery objectives and service credits.
Actions are listed by severity (:data:`SEVERITIES`), then in this order.
"""

_ORDER = {kind: i for i, kind in enumerate(ACTION_KINDS)}
_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})-[Qq]([1-4])\s*$")
_FIRST_YEAR, _LAST_YEAR = MIN_YEAR, MAX_YEAR  # the engine's range, in UTC
_LOWEST_US = year_start_us(MIN_YEAR)
_HIGHEST_US = year_start_us(MAX_YEAR + 1)
_PERIOD = (
    "a month 'YYYY-MM', a quarter 'YYYY-Qn' or a (start, end) pair of instants,"
    f" between the years {_FIRST_YEAR} and {_LAST_YEAR}"
)
_NUMBER_WORDS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WEEKDAYS = (0, 1, 2, 3, 4)


# --------------------------------------------------------------------------- the period


@attrs.frozen
class ReviewPeriod:
    """One period of a review: ``[start, end)``, in the SLA window's zone, with its label.

    ``kind`` is ``"month"``, ``"quarter"`` or ``"span"`` (a pair of instants);
    ``label`` is ``"2026-03"``, ``"2026-Q1"`` or the ISO 8601 interval
    ``"start/end"``. Build one with :meth:`parse`.

    >>> p = ReviewPeriod.parse("2026-Q1", tz="Asia/Seoul")
    >>> p.label, p.start.isoformat(), p.end.isoformat()
    ('2026-Q1', '2026-01-01T00:00:00+09:00', '2026-04-01T00:00:00+09:00')
    >>> [q.label for q in p.previous(2)]
    ['2025-Q3', '2025-Q4']
    """

    label: str
    kind: Literal["month", "quarter", "span"]
    start: pendulum.DateTime
    end: pendulum.DateTime
    start_us: int = attrs.field(repr=False, eq=False, hash=False, kw_only=True)
    end_us: int = attrs.field(repr=False, eq=False, hash=False, kw_only=True)

    @classmethod
    def parse(cls, value: object, *, tz: str | Zone) -> ReviewPeriod:
        """The period ``value`` writes: ``"2026-03"``, ``"2026-Q1"`` (in ``tz``) or ``(start, end)``.

        >>> ReviewPeriod.parse(("2026-03-02T00:00Z", "2026-03-09T00:00Z"), tz="UTC").label
        '2026-03-02T00:00:00+00:00/2026-03-09T00:00:00+00:00'
        >>> ReviewPeriod.parse("2026-13", tz="UTC")
        Traceback (most recent call last):
        ...
        itilkit.InvalidValueError: 'period' must be a month 'YYYY-MM', ... (got '2026-13')
        """
        zone_ = zone(tz, "tz")
        if isinstance(value, ReviewPeriod):
            return _in_zone(value, zone_)
        if isinstance(value, str):
            found = _month_index(value)
            if found is None:
                raise InvalidValueError("period", _PERIOD, value)
            index, step = found
            return _calendar_period(index, step, zone_, "period", value)
        if isinstance(value, tuple | list) and len(value) == 2:
            start, start_us = moment(value[0], "period[0]")
            _, end_us = moment(value[1], "period[1]")
            if end_us <= start_us:
                raise InvalidValueError(
                    "period[1]", f"after the start ({start.isoformat()})", value[1]
                )
            if start_us < _LOWEST_US or end_us >= _HIGHEST_US:
                raise InvalidValueError("period", _PERIOD, value)
            return _span(start_us, end_us, zone_)
        raise InvalidValueError("period", _PERIOD, value)

    @property
    def tz(self) -> Zone:
        """The zone the period is shown in (the SLA window's)."""
        tz = self.start.tzinfo
        assert tz is not None
        return tz

    @property
    def duration(self) -> timedelta:
        """The period's elapsed length, ``end - start``."""
        return timedelta(microseconds=self.end_us - self.start_us)

    def previous(self, n: int) -> tuple[ReviewPeriod, ...]:
        """The ``n`` periods before this one, oldest first: months, quarters, or equal spans."""
        n = _previous(n)
        zone_ = self.tz
        if self.kind == "span":
            length = self.end_us - self.start_us
            first = self.start_us - n * length
            if first < _LOWEST_US:
                raise InvalidValueError(
                    "previous",
                    f"few enough periods to start in the year {_FIRST_YEAR} or later",
                    n,
                )
            return tuple(
                _span(first + k * length, first + (k + 1) * length, zone_) for k in range(n)
            )
        found = _month_index(self.label)
        assert found is not None
        index, step = found
        return tuple(
            _calendar_period(index - k * step, step, zone_, "previous", n) for k in range(n, 0, -1)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: label, kind, ISO instants and the zone."""
        return {
            "label": self.label,
            "kind": self.kind,
            "start": iso(self.start),
            "end": iso(self.end),
            "tz": zone_name(self.tz),
        }


def _previous(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PREVIOUS:
        raise InvalidValueError("previous", f"a whole number from 0 to {MAX_PREVIOUS}", value)
    return value


def _month_index(text: str) -> tuple[int, int] | None:
    """``(year * 12 + month - 1, months per period)`` of a month or quarter label."""
    match = _MONTH.match(text)
    if match is not None:
        month = int(match.group(2))
        if not 1 <= month <= 12:
            return None
        return int(match.group(1)) * 12 + month - 1, 1
    match = _QUARTER.match(text)
    if match is not None:
        return int(match.group(1)) * 12 + (int(match.group(2)) - 1) * 3, 3
    return None


def _calendar_period(
    index: int, step: int, zone_: Zone, field: str, given: object
) -> ReviewPeriod:
    year, month0 = divmod(index, 12)
    end_year, end_month0 = divmod(index + step, 12)
    refused = InvalidValueError(
        field,
        _PERIOD
        if field == "period"
        else f"few enough periods to start in the year {_FIRST_YEAR} or later",
        given,
    )
    if year < 1 or end_year > 9999:
        raise refused
    start_us = boundary_to_us(datetime(year, month0 + 1, 1), zone_)
    end_us = boundary_to_us(datetime(end_year, end_month0 + 1, 1), zone_)
    if start_us < _LOWEST_US or end_us >= _HIGHEST_US:
        raise refused
    if step == 1:
        label = f"{year:04d}-{month0 + 1:02d}"
        kind: Literal["month", "quarter"] = "month"
    else:
        label = f"{year:04d}-Q{month0 // 3 + 1}"
        kind = "quarter"
    return ReviewPeriod(
        label,
        kind,
        from_us(start_us, zone_),
        from_us(end_us, zone_),
        start_us=start_us,
        end_us=end_us,
    )


def _span(start_us: int, end_us: int, zone_: Zone) -> ReviewPeriod:
    start, end = from_us(start_us, zone_), from_us(end_us, zone_)
    return ReviewPeriod(
        f"{start.isoformat()}/{end.isoformat()}",
        "span",
        start,
        end,
        start_us=start_us,
        end_us=end_us,
    )


def _in_zone(period: ReviewPeriod, zone_: Zone) -> ReviewPeriod:
    if period.kind == "span":
        return _span(period.start_us, period.end_us, zone_)
    found = _month_index(period.label)
    assert found is not None
    return _calendar_period(found[0], found[1], zone_, "period", period)


# --------------------------------------------------------------------------- sections


@attrs.frozen
class BiggestOutage:
    """One outage and the downtime it counted alone in the period (exact microseconds)."""

    outage: Outage
    downtime_us: Fraction

    @property
    def downtime(self) -> timedelta:
        """The counted downtime, rounded to the microsecond."""
        return timedelta(microseconds=round(self.downtime_us))


@attrs.frozen
class BudgetFigures:
    """The error budget of the SLA's availability objective over the period.

    ``budget`` is the :class:`~itilkit.ErrorBudget` (objective, period and
    window: the SLA's); ``spent``, ``remaining`` and ``consumed`` are its own
    answers for the period's outages. ``consumed`` above 1 means the budget
    burnt faster than the period allows.
    """

    budget: ErrorBudget
    spent: timedelta
    remaining: timedelta
    consumed: Fraction

    @property
    def allowed(self) -> timedelta:
        """The downtime the objective allows in the period."""
        return self.budget.allowed

    @property
    def overspent(self) -> bool:
        """Whether more than the whole budget was spent (``consumed > 1``)."""
        return self.consumed > 1


@attrs.frozen
class RecurringIncidents:
    """Incidents opened in the period that share a configuration item or a category.

    ``field`` is ``"ci"`` or ``"category"``, ``value`` its final value on each
    incident, ``incidents`` their ids in order of opening. ``problem`` is the
    problem they are all linked to (their carried ``problem``), if one.
    """

    field: str
    value: str
    incidents: tuple[str, ...]
    first: pendulum.DateTime
    last: pendulum.DateTime
    problem: str | None = None

    @property
    def count(self) -> int:
        """How many incidents recur."""
        return len(self.incidents)

    def __str__(self) -> str:
        fmt = "YYYY-MM-DD HH:mm"
        link = f"linked to problem {self.problem}" if self.problem else "no problem linked"
        return (
            f"{_count(self.count, 'incident')} on {_field_words(self.field)} {self.value!r}"
            f" from {self.first.format(fmt)} to {self.last.format(fmt)}"
            f" ({', '.join(self.incidents)}): {link}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "field": self.field,
            "value": self.value,
            "count": self.count,
            "incidents": list(self.incidents),
            "first": iso(self.first),
            "last": iso(self.last),
            "problem": self.problem,
        }


@attrs.frozen
class ChangeEntry:
    """One change of the period: planned in it or deployed in it, and how it went.

    ``approved``: approved by ``policy=`` when the review was given one, else
    authorised (moved to SCHEDULED at some step). ``deployment``: its
    :class:`~itilkit._delivery.Deployment` when it was deployed in the period
    (None otherwise). ``conflicts``: what the change calendar finds for it
    against the other changes of the period.
    """

    change: ChangeRequest
    approved: bool
    deployment: Deployment | None = None
    conflicts: tuple[Conflict, ...] = ()

    @property
    def id(self) -> str:
        """The change's id."""
        return self.change.id

    @property
    def deployed(self) -> bool:
        """Whether it was deployed in the period."""
        return self.deployment is not None

    @property
    def failed(self) -> bool:
        """Whether its deployment in the period failed."""
        return self.deployment is not None and self.deployment.failed

    def __str__(self) -> str:
        cr = self.change
        fmt = "YYYY-MM-DD HH:mm"
        facts = ["approved" if self.approved else "not approved"]
        if self.deployment is not None:
            facts.append(
                f"failed ({self.deployment.failure})" if self.deployment.failed else "deployed"
            )
        if self.conflicts:
            facts.append(_count(len(self.conflicts), "conflict"))
        return (
            f"{cr.id} ({cr.type.value}, {cr.risk.label} risk), planned "
            f"{cr.start.format(fmt)} to {cr.end.format(fmt)}: {', '.join(facts)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the change, its verdicts, and its conflicts' messages."""
        cr = self.change
        d = self.deployment
        return {
            "id": cr.id,
            "type": cr.type.value,
            "risk": cr.risk.name.lower(),
            "state": cr.state.value,
            "start": iso(cr.start),
            "end": iso(cr.end),
            "approved": self.approved,
            "deployed_at": None if d is None else iso(d.at),
            "failed": self.failed,
            "failure": None if d is None or not d.failed else d.failure,
            "conflicts": [
                {
                    "kind": c.kind.value,
                    "other": None if c.other is None else c.other.id,
                    "message": c.message,
                }
                for c in self.conflicts
            ],
        }


@attrs.frozen
class TrendRow:
    """One period of the trend: its availability ratio and compliance rate, exact.

    ``availability_report`` and ``compliance_report`` are the library's
    reports they come from.
    """

    period: ReviewPeriod
    availability_report: AvailabilityReport
    compliance_report: ComplianceReport

    @property
    def label(self) -> str:
        """The period's label (``"2026-03"``)."""
        return self.period.label

    @property
    def availability(self) -> Fraction | None:
        """Availability of the period (None without agreed service time)."""
        return self.availability_report.ratio

    @property
    def compliance(self) -> Fraction | None:
        """Compliance rate of the incidents opened in the period (None without a decided clock)."""
        return self.compliance_report.rate

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the period, both rates (exact and float), agreed and downtime."""
        report = self.availability_report
        return {
            "period": self.period.label,
            "start": iso(self.period.start),
            "end": iso(self.period.end),
            "availability": _number(self.availability),
            "agreed": iso_duration(report.agreed_us),
            "downtime": iso_duration(round(report.downtime_us)),
            "failures": report.failures,
            "compliance": _number(self.compliance),
            "met": self.compliance_report.met,
            "breached": self.compliance_report.breached,
        }


@attrs.frozen
class Action:
    """An improvement finding: its ``kind`` (see :data:`ACTION_KINDS`), what to do, and why.

    ``title`` is one sentence; ``evidence`` the figures it rests on, one line
    each; ``severity`` ``"high"``, ``"medium"`` or ``"low"``.
    """

    kind: str
    title: str
    evidence: tuple[str, ...]
    severity: str

    def __str__(self) -> str:
        lines = [f"[{self.severity}] {self.title}"]
        lines.extend(f"    - {line}" for line in self.evidence)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "title": self.title,
            "evidence": list(self.evidence),
        }


def _action(kind: str, title: str, evidence: Iterable[str]) -> Action:
    return Action(kind, title, tuple(evidence), ACTION_KINDS[kind][0])


@attrs.frozen
class ReviewTable:
    """One table of the review as text cells: ``key`` names the section."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


# --------------------------------------------------------------------------- the review


def _number(value: Fraction | None) -> dict[str, Any] | None:
    """An exact number for JSON: ``{"exact": "0.99", "float": 0.99}`` (None stays None)."""
    if value is None:
        return None
    return {"exact": ratio_text(value), "float": float(value)}


def _pct(value: Fraction | None, places: int = 3) -> str:
    return "n/a" if value is None else format_percent(value, places)


def _points(value: Fraction) -> str:
    text = format_decimal(abs(value), 3)
    return f"{text} point" if text == "1" else f"{text} points"


def _hours_text(window: ServiceWindow) -> str:
    """The agreed hours as people say them: ``'Mon-Fri 09:00-18:00 Asia/Seoul'``."""
    try:
        config = window.to_dict()
    except ItilkitError:
        return repr(window)
    hours = config.get("hours")
    if isinstance(hours, str):
        return f"{hours} {config.get('tz', zone_name(window.tz))}"
    return repr(window)


def _duration_words(delta: timedelta) -> str:
    hours, rest = divmod(delta, timedelta(hours=1))
    if not rest and 1 <= hours < len(_NUMBER_WORDS):
        return "one hour" if hours == 1 else f"{_NUMBER_WORDS[hours]} hours"
    return format_duration(delta)


def _days_words(days: tuple[int, ...], spec: str) -> str:
    if days == _WEEKDAYS:
        return "on weekdays"
    if days == tuple(range(7)):
        return "every day"
    return "on " + spec.split(" ", 1)[0]


def overload_sentence(pattern: RecurringOverload) -> str:
    """The founding dialogue's capacity finding for one recurring overload.

    >>> from datetime import time
    >>> from fractions import Fraction
    >>> p = RecurringOverload((0, 1, 2, 3, 4), time(18), time(22), 22, Fraction(99, 100), "UTC")
    >>> overload_sentence(p)
    'For four hours after 18:00 on weekdays the servers ran at up to 99%: add capacity.'
    """
    start = datetime.combine(datetime.min, pattern.start)
    end = datetime.combine(datetime.min, pattern.end)
    if end <= start:
        end += timedelta(days=1)
    return (
        f"For {_duration_words(end - start)} after {pattern.start:%H:%M} "
        f"{_days_words(pattern.days, pattern.spec)} the servers ran at up to "
        f"{format_percent(pattern.peak, 1)}: add capacity."
    )


@attrs.frozen(eq=False)
class ServiceReview:
    """The review of one service over one period: every section, the trend and the actions.

    Build it with :meth:`build`; see the module's text for what each
    section holds and how it is computed. The fields are the sections
    themselves (the library's own report objects where it has one):

    ``availability`` (:class:`~itilkit.AvailabilityReport`, against the
    SLA's objective), ``biggest_outages``, ``compliance``
    (:class:`~itilkit.ComplianceReport` of the incidents opened in the
    period), ``error_budget`` (:class:`BudgetFigures`, None without an
    availability objective below 100%), ``overloads``
    (:class:`~itilkit.RecurringOverload` patterns), ``problems``
    (:class:`RecurringIncidents`), ``changes`` (:class:`ChangeEntry` per change
    planned or deployed in the period), ``delivery`` (the
    :class:`~itilkit._delivery.DeliveryReport` of the period),
    ``recovery`` (:class:`~itilkit.RecoveryReport`, with ``recovery=``),
    ``credit`` (a ratio of the charge, with ``credit_schedule=``),
    ``trend`` (:class:`TrendRow` per period, oldest first, this one last) and
    ``actions`` (:class:`Action`, most severe first).
    """

    service: str
    sla: Agreement = attrs.field(repr=False)
    period: ReviewPeriod
    availability: AvailabilityReport = attrs.field(repr=False)
    biggest_outages: tuple[BiggestOutage, ...] = attrs.field(repr=False)
    compliance: ComplianceReport = attrs.field(repr=False)
    error_budget: BudgetFigures | None = attrs.field(repr=False)
    overloads: tuple[RecurringOverload, ...] = attrs.field(repr=False)
    overload_threshold: Fraction = attrs.field(repr=False)
    problems: tuple[RecurringIncidents, ...] = attrs.field(repr=False)
    changes: tuple[ChangeEntry, ...] = attrs.field(repr=False)
    delivery: DeliveryReport = attrs.field(repr=False)
    recovery: RecoveryReport | None = attrs.field(repr=False)
    credit: Fraction | None = attrs.field(repr=False)
    trend: tuple[TrendRow, ...] = attrs.field(repr=False)
    actions: tuple[Action, ...]
    margin_threshold: Fraction = attrs.field(repr=False)
    left_out_outages: int = attrs.field(repr=False)
    """Outages left out because they name another service."""
    left_out_incidents: int = attrs.field(repr=False)
    """Incidents left out because their carried ``service`` names another service."""
    samples: tuple[tuple[Any, Any], ...] = attrs.field(repr=False, default=())
    """The load samples of the period, as given (what ``overloads`` and ``load`` read)."""

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        service: str,
        *,
        period: object,
        sla: Agreement,
        incidents: Iterable[Incident] = (),
        outages: Iterable[Outage] = (),
        samples: Iterable[tuple[datetime | str, Any]] = (),
        changes: Iterable[ChangeRequest] = (),
        previous: int = 2,
        overload_threshold: RatioLike = "90%",
        margin_threshold: RatioLike = "1%",
        min_recurring: int = 3,
        recovery: RecoveryObjective | Iterable[RecoveryObjective] | None = None,
        recovery_points: Any = (),
        credit_schedule: CreditSchedule | None = None,
        policy: ApprovalPolicy | None = None,
        calendar: ChangeCalendar | None = None,
        failed: Iterable[str] | str = (),
    ) -> ServiceReview:
        """The review of ``service`` over ``period`` against ``sla``.

        ``period``: ``"2026-03"``, ``"2026-Q1"`` (in the SLA window's zone) or
        a ``(start, end)`` pair of instants; ``previous`` adds that many
        periods before it to the trend (months, quarters, or spans of the same
        length). Outages and incidents that name another service (an outage's
        ``service``, an incident's carried ``service``) are left out and
        counted in ``left_out``; those that name none are taken as this
        service's. ``samples`` are load ratios (``(instant, value)`` pairs);
        ``overload_threshold`` is the load above which they count.
        ``margin_threshold`` is the margin (as a ratio: ``"1%"`` is one
        percentage point) under which a met availability objective is called
        thin; ``min_recurring`` how many incidents on one CI or category make
        a problem worth opening. ``recovery`` / ``recovery_points`` and
        ``credit_schedule`` add the continuity and credit sections;
        ``policy`` decides which changes are approved, ``calendar`` finds
        their conflicts (default: a calendar with no rules, which finds
        overlapping changes on a shared item), ``failed`` names changes a
        ticket system recorded as failed.

        A bad argument raises :class:`~itilkit.InvalidValueError` naming it.
        """
        if not isinstance(service, str) or not service.strip():
            raise InvalidValueError("service", "a service name (a non-empty string)", service)
        if not isinstance(sla, Agreement):
            raise InvalidValueError("sla", "an SLA (an itilkit Agreement)", sla)
        window = sla.window
        current = ReviewPeriod.parse(period, tz=window.tz)
        before = current.previous(previous)
        threshold = threshold_of(overload_threshold)
        thin = parse_ratio(margin_threshold, "margin_threshold")
        if (
            isinstance(min_recurring, bool)
            or not isinstance(min_recurring, int)
            or min_recurring < 2
        ):
            raise InvalidValueError("min_recurring", "a whole number of 2 or more", min_recurring)
        if credit_schedule is not None and not isinstance(credit_schedule, CreditSchedule):
            raise InvalidValueError("credit_schedule", "a CreditSchedule or None", credit_schedule)
        if policy is not None and not isinstance(policy, ApprovalPolicy):
            raise InvalidValueError("policy", "an ApprovalPolicy or None", policy)
        if calendar is not None and not isinstance(calendar, ChangeCalendar):
            raise InvalidValueError("calendar", "a ChangeCalendar or None", calendar)

        all_outages = outages_of(outages)
        all_incidents = items_of(
            incidents, Incident, "incidents", "an iterable of Incident", "an Incident"
        )
        all_changes = items_of(
            changes, ChangeRequest, "changes", "an iterable of ChangeRequest", "a ChangeRequest"
        )
        mine_outages = tuple(o for o in all_outages if o.service in (None, service))
        mine_incidents = tuple(
            inc for inc in all_incidents if inc.attributes.get("service") in (None, service)
        )
        period_samples = _samples_in(samples, current)

        rows = tuple(_trend_row(sla, p, mine_outages, mine_incidents) for p in (*before, current))
        availability = rows[-1].availability_report
        compliance = rows[-1].compliance_report
        biggest = _biggest(sla, current, mine_outages)
        budget = _budget(sla, current, mine_outages)
        overloads = recurring_overloads(
            period_samples, threshold=threshold, tz=window.tz, end=current.end
        )
        opened = [inc for inc in mine_incidents if _opened_in(inc, current)]
        problems = _recurring(opened, min_recurring, current, window.tz)
        change_entries, delivery = _changes(
            all_changes, mine_incidents, current, policy=policy, calendar=calendar, failed=failed
        )
        in_period = tuple(
            o for o in mine_outages if o.end_us > current.start_us and o.start_us < current.end_us
        )
        recovery_report = None
        if recovery is not None:
            objectives = (recovery,) if isinstance(recovery, RecoveryObjective) else recovery
            objectives = items_of(
                objectives,
                RecoveryObjective,
                "recovery",
                "recovery objectives of the service reviewed",
                "a RecoveryObjective",
            )
            for objective in objectives:
                if objective.service != service:
                    raise InvalidValueError(
                        "recovery",
                        f"objectives for the service reviewed ({service!r})",
                        objective.service,
                    )
            recovery_report = check_recovery(
                objectives, {service: in_period}, recovery_points=recovery_points
            )
        credit = None if credit_schedule is None else credits(credit_schedule, availability)

        review = cls(
            service=service,
            sla=sla,
            period=current,
            availability=availability,
            biggest_outages=biggest,
            compliance=compliance,
            error_budget=budget,
            overloads=overloads,
            overload_threshold=threshold,
            problems=problems,
            changes=change_entries,
            delivery=delivery,
            recovery=recovery_report,
            credit=credit,
            trend=rows,
            actions=(),
            margin_threshold=thin,
            left_out_outages=len(all_outages) - len(mine_outages),
            left_out_incidents=len(all_incidents) - len(mine_incidents),
            samples=tuple(period_samples),
        )
        return attrs.evolve(review, actions=_actions(review))

    # ------------------------------------------------------------------ derived

    @property
    def start(self) -> pendulum.DateTime:
        """The period's start (in the SLA window's zone)."""
        return self.period.start

    @property
    def end(self) -> pendulum.DateTime:
        """The period's end, excluded."""
        return self.period.end

    @property
    def left_out(self) -> dict[str, int]:
        """Inputs left out because they name another service: ``{"outages": n, "incidents": n}``."""
        return {"outages": self.left_out_outages, "incidents": self.left_out_incidents}

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        """Every conflict of the period's changes, change by change."""
        return tuple(c for entry in self.changes for c in entry.conflicts)

    @property
    def load(self) -> list[list[Fraction | None]]:
        """Mean load per weekday (7 rows, Monday first) and hour (24 columns), in the SLA
        window's zone, over the period's samples; empty without samples.

        Computed by :func:`itilkit._capacity.load_grid` (time-weighted, exact).
        """
        if not self.samples:
            return []

        grid: list[list[Fraction | None]] = load_grid(
            self.samples, tz=self.sla.window.tz, end=self.period.end
        )
        return grid

    @property
    def worst_breaches(self) -> tuple[Breach, ...]:
        """The :data:`TOP` breaches that ran furthest past their targets, worst first."""
        ordered = sorted(
            self.compliance.breaches,
            key=lambda b: (-b.late_by, b.incident_id, metric_name(b.metric)),
        )
        return tuple(ordered[:TOP])

    @property
    def hours(self) -> str:
        """The agreed service hours as the review says them: ``'Mon-Fri 09:00-18:00 Asia/Seoul'``."""
        return _hours_text(self.sla.window)

    @property
    def title(self) -> str:
        """The review's heading: ``'Service review: <service>, <period>'``."""
        return f"Service review: {self.service}, {self.period.label}"

    @property
    def summary_sentences(self) -> tuple[str, ...]:
        """The review in a few stable sentences, the founding dialogue first.

        The first answers "Is IT doing well?"; then availability against the
        SLA, downtime, compliance, the error budget, one sentence per
        recurring overload (the capacity advice), per recurring incident
        group, the changes, and, when given, recovery and credit.
        """
        out = [self._verdict(), self._availability_sentence()]
        report = self.availability
        if report.ratio is not None:
            mtrs = report.mtrs
            out.append(
                f"Downtime in agreed hours was {format_duration(report.downtime)} of "
                f"{format_duration(report.agreed)} agreed, over {_count(report.failures, 'failure')}"
                + ("." if mtrs is None else f" (MTRS {format_duration(mtrs)}).")
            )
        out.append(self._compliance_sentence())
        budget = self.error_budget
        if budget is not None:
            out.append(
                f"The error budget of {format_duration(budget.allowed)} "
                f"({percent_text(1 - budget.budget.objective)} of agreed time) is "
                f"{format_percent(budget.consumed, 1)} spent ({format_duration(budget.spent)})."
            )
        out.extend(overload_sentence(p) for p in self.overloads)
        for group in self.problems:
            out.append(
                f"{_count(group.count, 'incident')} on {_field_words(group.field)} "
                f"{group.value!r}"
                + (
                    f" are linked to problem {group.problem}."
                    if group.problem
                    else ": open a problem."
                )
            )
        out.append(self._changes_sentence())
        if self.recovery is not None:
            rec = self.recovery
            out.append(
                "Recovery objectives were met."
                if rec.met
                else f"Recovery objectives were missed for {_count(len(rec.breaches), 'failure')}."
            )
        if self.credit is not None:
            out.append(
                "No service credit is owed."
                if self.credit == 0
                else f"A service credit of {format_percent(self.credit)} of the charge is owed."
            )
        return tuple(out)

    def _verdict(self) -> str:
        # Targets are the agreed objectives and SLA targets; a credit owed or a budget
        # overspent follows from a missed target and is not a second one.
        missed = [a for a in self.actions if a.kind in ("target_missed", "recovery_missed")]
        others = len(self.actions) - len(missed)
        if missed:
            return f"Is IT doing well? Not entirely: {_count(len(missed), 'target')} missed" + (
                f" and {_count(others, 'other finding')} to act on." if others else "."
            )
        if self.availability.ratio is None and not self.compliance.breached + self.compliance.met:
            return (
                "Is IT doing well? Nothing was measured: the period holds no agreed service"
                " time and no decided SLA clock."
            )
        if self.actions:
            return (
                "Is IT doing well? Yes: every target was met, with "
                f"{_count(len(self.actions), 'improvement')} to make."
            )
        return "Is IT doing well? Yes: every target was met and nothing needs action."

    def _availability_sentence(self) -> str:
        report = self.availability
        ratio = report.ratio
        if ratio is None:
            return (
                f"There was no agreed service time ({self.hours}) in {self.period.label}: "
                "availability is undefined."
            )
        head = f"Availability in agreed hours ({self.hours}) was {format_percent(ratio)}"
        if report.target is None:
            return head + " (the SLA sets no availability objective)."
        margin = report.margin()
        verdict = "met" if report.meets() else "missed"
        return (
            f"{head} against an SLA of {percent_text(report.target)}: "
            f"{verdict} by {_points(margin)}."
        )

    def _compliance_sentence(self) -> str:
        report = self.compliance
        rate = report.rate
        if rate is None:
            waiting = (
                f" ({_count(report.in_progress, 'clock')} still running)"
                if report.in_progress
                else ""
            )
            return (
                f"No SLA clock of an incident opened in {self.period.label} was decided{waiting}."
            )
        return (
            f"SLA compliance was {format_percent(rate, 1)}: {report.met} of "
            f"{report.met + report.breached} clocks met their targets."
        )

    def _changes_sentence(self) -> str:
        ch = self.changes
        if not ch:
            return f"No change was planned or deployed in {self.period.label}."
        approved = sum(e.approved for e in ch)
        deployed = len(self.delivery.deployments)
        failed = len(self.delivery.failures)
        return (
            f"{_count(len(ch), 'change')} in the period: {approved} approved, "
            f"{deployed} deployed, {failed} failed, "
            f"{_count(len(self.conflicts), 'conflict')}."
        )

    # ------------------------------------------------------------------ rendering

    def tables(self) -> tuple[ReviewTable, ...]:
        """The review's tables as text cells, in reading order (what every rendering shows).

        Keys: ``actions``, ``availability``, ``outages``, ``compliance``,
        ``breaches``, ``error_budget``, ``overloads``, ``problems``,
        ``changes``, ``recovery``, ``trend``; a section with nothing to show
        is left out.
        """
        out: list[ReviewTable] = []

        def add(
            key: str, title: str, headers: Iterable[str], rows: Iterable[Iterable[object]]
        ) -> None:
            body = tuple(tuple(str(c) for c in row) for row in rows)
            out.append(ReviewTable(key, title, tuple(headers), body))

        if self.actions:
            add(
                "actions",
                "Actions",
                ("severity", "kind", "action", "evidence"),
                ([a.severity, a.kind, a.title, "; ".join(a.evidence)] for a in self.actions),
            )
        add(
            "availability",
            f"Availability ({self.hours})",
            ("figure", "value"),
            self._availability_rows(),
        )
        if self.biggest_outages:
            add(
                "outages",
                "Biggest outages",
                ("outage", "start", "end", "downtime", "impact"),
                (
                    [
                        b.outage.id or "-",
                        b.outage.start.format("YYYY-MM-DD HH:mm"),
                        b.outage.end.format("YYYY-MM-DD HH:mm"),
                        format_duration(b.downtime),
                        format_percent(b.outage.impact),
                    ]
                    for b in self.biggest_outages
                ),
            )
        headers, rows = self._compliance_grid()
        add("compliance", f"SLA compliance ({self.sla.name})", headers, rows)
        if self.compliance.breaches:
            add(
                "breaches",
                "Worst breaches",
                ("incident", "metric", "priority", "target", "late by", "breached at"),
                (
                    [
                        b.incident_id,
                        metric_name(b.metric),
                        b.priority.name,
                        format_duration(b.target),
                        format_duration(b.late_by),
                        b.breached_at.format("YYYY-MM-DD HH:mm"),
                    ]
                    for b in self.worst_breaches
                ),
            )
        budget = self.error_budget
        if budget is not None:
            add(
                "error_budget",
                "Error budget",
                ("figure", "value"),
                [
                    ["objective", percent_text(budget.budget.objective)],
                    ["allowed", format_duration(budget.allowed)],
                    ["spent", format_duration(budget.spent)],
                    ["remaining", format_duration(budget.remaining)],
                    ["consumed", format_percent(budget.consumed)],
                ],
            )
        if self.overloads:
            add(
                "overloads",
                f"Recurring overloads (load above {format_percent(self.overload_threshold)})",
                ("when", "zone", "occurrences", "peak"),
                ([p.spec, p.tz, p.occurrences, format_percent(p.peak, 1)] for p in self.overloads),
            )
        if self.problems:
            add(
                "problems",
                "Recurring incidents",
                ("field", "value", "incidents", "first", "last", "problem"),
                (
                    [
                        g.field,
                        g.value,
                        f"{g.count}: {', '.join(g.incidents)}",
                        g.first.format("YYYY-MM-DD HH:mm"),
                        g.last.format("YYYY-MM-DD HH:mm"),
                        g.problem or "-",
                    ]
                    for g in self.problems
                ),
            )
        if self.changes:
            rate = self.delivery.change_failure_rate
            add(
                "changes",
                f"Changes (change failure rate {_pct(rate)})",
                (
                    "change",
                    "type",
                    "risk",
                    "planned",
                    "approved",
                    "deployed",
                    "failed",
                    "conflicts",
                ),
                (
                    [
                        e.id,
                        e.change.type.value,
                        e.change.risk.label,
                        e.change.start.format("YYYY-MM-DD HH:mm"),
                        "yes" if e.approved else "no",
                        "-"
                        if e.deployment is None
                        else e.deployment.at.format("YYYY-MM-DD HH:mm"),
                        e.deployment.failure if e.failed and e.deployment is not None else "-",
                        "; ".join(c.message.replace("\n", " ") for c in e.conflicts) or "-",
                    ]
                    for e in self.changes
                ),
            )
        if self.recovery is not None:
            add(
                "recovery",
                self.recovery.title,
                ("service", "outage", "restore time", "RTO", "data lost", "RPO", "met"),
                (
                    [
                        row.service,
                        row.outage_id or "-",
                        format_duration(row.rto_achieved),
                        format_duration(row.objective.rto),
                        "no recovery point"
                        if row.rpo_achieved is None
                        else format_duration(row.rpo_achieved),
                        format_duration(row.objective.rpo),
                        "yes" if row.met else "no",
                    ]
                    for row in self.recovery.rows
                ),
            )
        add(
            "trend",
            "Trend",
            ("period", "availability", "downtime", "compliance", "met", "breached"),
            (
                [
                    row.period.label,
                    _pct(row.availability),
                    format_duration(row.availability_report.downtime),
                    _pct(row.compliance, 1),
                    row.compliance_report.met,
                    row.compliance_report.breached,
                ]
                for row in self.trend
            ),
        )
        return tuple(out)

    def _availability_rows(self) -> list[list[str]]:
        report = self.availability

        def dur(value: timedelta | None) -> str:
            return "n/a" if value is None else format_duration(value)

        rows = [
            ["agreed service time", format_duration(report.agreed)],
            ["downtime", format_duration(report.downtime)],
            ["availability", _pct(report.ratio)],
            ["objective", "none" if report.target is None else percent_text(report.target)],
        ]
        if report.target is not None and report.ratio is not None:
            rows.append(
                ["margin", f"{'+' if report.margin() >= 0 else '-'}{_points(report.margin())}"]
            )
        rows += [
            ["failures", str(report.failures)],
            ["MTBSI", dur(report.mtbsi)],
            ["MTBF", dur(report.mtbf)],
            ["MTRS", dur(report.mtrs)],
        ]
        if self.credit is not None:
            rows.append(["service credit", format_percent(self.credit)])
        return rows

    def _compliance_grid(self) -> tuple[list[str], list[list[str]]]:
        report = self.compliance
        priorities = list(report.by_priority)
        headers = ["metric", *(p.name for p in priorities), "all"]

        def cell(tally: Any) -> str:
            if tally is None or (tally.decided == 0 and tally.in_progress == 0):
                return "-"
            rate = tally.rate
            shown = "n/a" if rate is None else format_percent(rate, 1)
            return f"{shown} ({tally.met}/{tally.decided})"

        grid = {(m, p): t for m, p, t in report.cells}
        rows = [
            [metric_name(m), *(cell(grid.get((m, p))) for p in priorities), cell(total)]
            for m, total in report.by_metric.items()
        ]
        rows.append(
            ["all", *(cell(report.by_priority[p]) for p in priorities), cell(report.total)]
        )
        return headers, rows

    def __str__(self) -> str:
        head = f"{self.title}\n{'=' * len(self.title)}"
        span = (
            f"{self.period.start.format('YYYY-MM-DD HH:mm')} to "
            f"{self.period.end.format('YYYY-MM-DD HH:mm')} ({zone_name(self.period.tz)}); "
            f"SLA {self.sla.name!r}"
        )
        summary = "\n".join(self.summary_sentences)
        parts = [head, span, summary]
        parts.extend(
            text_table(t.headers, t.rows, title=t.title)
            for t in self.tables()
            if t.key != "actions"
        )
        if self.actions:
            parts.insert(3, "Actions\n" + "\n".join(str(a) for a in self.actions))
        return "\n\n".join(parts)

    def to_markdown(self) -> str:
        """The review as Markdown: the summary, the actions with evidence, and every table."""
        lines = [f"# {self.title}", "", *(f"{s}  " for s in self.summary_sentences)]
        if self.actions:
            lines += ["", "## Actions", ""]
            for a in self.actions:
                lines.append(f"- **{a.severity}** {a.title}")
                lines.extend(f"  - {e}" for e in a.evidence)
        for t in self.tables():
            if t.key != "actions":
                lines += ["", markdown_table(t.headers, t.rows, title=t.title)]
        return "\n".join(lines)

    def to_html(self) -> str:
        """The review as one self-contained HTML page (rendered by ``itilkit._review_page``)."""
        from ._review_page import review_page  # type: ignore[import-not-found,unused-ignore]

        page: str = review_page(self)
        return page

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that validates against ``itilkit.schema("review")``.

        Rates and ratios are ``{"exact": "0.99", "float": 0.99}``: the exact
        decimal when one holds the value, else ``"n/d"``, and a float beside
        it; durations are ISO 8601, instants ISO 8601 with their offsets.
        """
        report = self.availability
        ratio = report.ratio
        budget = self.error_budget
        return {
            "service": self.service,
            "sla": self.sla.name,
            "period": self.period.to_dict(),
            "hours": self.hours,
            "summary": list(self.summary_sentences),
            "availability": {
                "agreed": iso_duration(report.agreed_us),
                "downtime": iso_duration(round(report.downtime_us)),
                "ratio": _number(ratio),
                "target": _number(report.target),
                "meets": None if ratio is None or report.target is None else report.meets(),
                "margin": None
                if ratio is None or report.target is None
                else _number(report.margin()),
                "failures": report.failures,
                "mtbsi": _iso(report.mtbsi),
                "mtbf": _iso(report.mtbf),
                "mtrs": _iso(report.mtrs),
                "biggest_outages": [
                    {
                        "id": b.outage.id,
                        "start": iso(b.outage.start),
                        "end": iso(b.outage.end),
                        "impact": _number(b.outage.impact),
                        "downtime": iso_duration(round(b.downtime_us)),
                    }
                    for b in self.biggest_outages
                ],
                "credit": _number(self.credit),
            },
            "compliance": {
                "met": self.compliance.met,
                "breached": self.compliance.breached,
                "in_progress": self.compliance.in_progress,
                "rate": _number(self.compliance.rate),
                "cells": [
                    {
                        "metric": metric_name(m),
                        "priority": p.name,
                        "met": t.met,
                        "breached": t.breached,
                        "in_progress": t.in_progress,
                        "rate": _number(t.rate),
                    }
                    for m, p, t in self.compliance.cells
                ],
                "worst_breaches": [b.to_dict() for b in self.worst_breaches],
            },
            "error_budget": None
            if budget is None
            else {
                "objective": _number(budget.budget.objective),
                "allowed": _iso(budget.allowed),
                "spent": _iso(budget.spent),
                "remaining": _iso(budget.remaining),
                "consumed": _number(budget.consumed),
            },
            "overloads": [
                {
                    "spec": p.spec,
                    "tz": p.tz,
                    "days": list(p.days),
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "occurrences": p.occurrences,
                    "peak": _number(p.peak),
                }
                for p in self.overloads
            ],
            "overload_threshold": _number(self.overload_threshold),
            "problems": [g.to_dict() for g in self.problems],
            "changes": [e.to_dict() for e in self.changes],
            "delivery": {
                "deployed": [d.id for d in self.delivery.deployments],
                "failed": [d.id for d in self.delivery.failures],
                "change_failure_rate": _number(self.delivery.change_failure_rate),
            },
            "recovery": None if self.recovery is None else self.recovery.to_dict(),
            "trend": [row.to_dict() for row in self.trend],
            "actions": [a.to_dict() for a in self.actions],
            "left_out": dict(self.left_out),
        }

    def to_frame(self) -> Any:
        """The review's figures as a long pandas DataFrame: one row per figure and period.

        Columns: ``section``, ``period``, ``figure``, ``exact`` (the exact
        value as text: ``"0.99"``, ``"1/3"``, ``"PT1H53M24S"``, or None),
        ``value`` (a float: ratios as ratios, durations in hours) and
        ``text`` (as the review shows it); an undefined figure (no agreed
        time, no decided clock) is missing: ``exact`` NA, ``value`` NaN. Every column has
        one type, so the frame writes to Parquet and reads into Polars.
        Needs pandas (``pip install 'itilkit[pandas]'``).
        """
        try:
            import pandas as pd
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        rows: list[tuple[str, str, str, str | None, float, str]] = []

        def ratio_row(section: str, period: str, figure: str, value: Fraction | None) -> None:
            rows.append(
                (
                    section,
                    period,
                    figure,
                    None if value is None else ratio_text(value),
                    float("nan") if value is None else float(value),
                    _pct(value),
                )
            )

        def duration_row(
            section: str, period: str, figure: str, us: Fraction | int | None
        ) -> None:
            if us is None:
                rows.append((section, period, figure, None, float("nan"), "n/a"))
                return
            exact = round(us)
            rows.append(
                (
                    section,
                    period,
                    figure,
                    iso_duration(exact),
                    exact / 3_600_000_000,
                    format_duration(exact),
                )
            )

        def count_row(section: str, period: str, figure: str, n: int) -> None:
            rows.append((section, period, figure, str(n), float(n), str(n)))

        label = self.period.label
        report = self.availability
        ratio_row("availability", label, "ratio", report.ratio)
        ratio_row("availability", label, "target", report.target)
        duration_row("availability", label, "agreed", report.agreed_us)
        duration_row("availability", label, "downtime", report.downtime_us)
        count_row("availability", label, "failures", report.failures)
        for name in ("mtbsi", "mtbf", "mtrs"):
            value = getattr(report, name)
            duration_row("availability", label, name, None if value is None else _us(value))
        ratio_row("compliance", label, "rate", self.compliance.rate)
        count_row("compliance", label, "met", self.compliance.met)
        count_row("compliance", label, "breached", self.compliance.breached)
        count_row("compliance", label, "in_progress", self.compliance.in_progress)
        if self.error_budget is not None:
            b = self.error_budget
            duration_row("error_budget", label, "allowed", _us(b.allowed))
            duration_row("error_budget", label, "spent", _us(b.spent))
            duration_row("error_budget", label, "remaining", _us(b.remaining))
            ratio_row("error_budget", label, "consumed", b.consumed)
        if self.credit is not None:
            ratio_row("credit", label, "credit", self.credit)
        count_row("overloads", label, "patterns", len(self.overloads))
        count_row("problems", label, "groups", len(self.problems))
        count_row("changes", label, "changes", len(self.changes))
        count_row("changes", label, "approved", sum(e.approved for e in self.changes))
        count_row("changes", label, "deployed", len(self.delivery.deployments))
        count_row("changes", label, "failed", len(self.delivery.failures))
        count_row("changes", label, "conflicts", len(self.conflicts))
        ratio_row("changes", label, "change_failure_rate", self.delivery.change_failure_rate)
        count_row("actions", label, "actions", len(self.actions))
        for row in self.trend:
            ratio_row("trend", row.label, "availability", row.availability)
            ratio_row("trend", row.label, "compliance", row.compliance)
            duration_row("trend", row.label, "downtime", row.availability_report.downtime_us)
        columns = ("section", "period", "figure", "exact", "value", "text")
        frame = pd.DataFrame.from_records(rows, columns=columns)
        return frame.astype({"value": "float64"})


def _us(value: timedelta) -> int:
    return value // timedelta(microseconds=1)


def _iso(value: timedelta | None) -> str | None:
    return None if value is None else iso_duration(_us(value))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _field_words(field: str) -> str:
    return {"ci": "configuration item", "category": "category"}.get(field, field)


# --------------------------------------------------------------------------- computing


def _samples_in(samples: object, period: ReviewPeriod) -> list[tuple[Any, Any]]:
    """The load samples of the period (checked pairs; instants checked by name)."""
    if isinstance(samples, str | bytes) or not isinstance(samples, Iterable):
        raise InvalidValueError("samples", "an iterable of (instant, value) pairs", samples)
    out: list[tuple[Any, Any]] = []
    for i, pair in enumerate(samples):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise InvalidValueError(f"samples[{i}]", "an (instant, value) pair", pair)
        us = to_us(pair[0], f"samples[{i}]")
        if period.start_us <= us < period.end_us:
            out.append((pair[0], pair[1]))
    return out


def _opened_in(incident: Incident, period: ReviewPeriod) -> bool:
    return period.start_us <= incident.opened_at_us < period.end_us


def _trend_row(
    sla: Agreement,
    period: ReviewPeriod,
    outages: tuple[Outage, ...],
    incidents: tuple[Incident, ...],
) -> TrendRow:
    availability = sla.availability_report(outages, start=period.start, end=period.end)
    opened = [inc for inc in incidents if _opened_in(inc, period)]
    compliance = sla.compliance(opened, as_of=period.end)
    return TrendRow(period, availability, compliance)


def _biggest(
    sla: Agreement, period: ReviewPeriod, outages: tuple[Outage, ...]
) -> tuple[BiggestOutage, ...]:
    """The unplanned outages that counted the most downtime, each measured alone (with the
    planned maintenance around it, which takes time out of agreed service time)."""
    a, b = period.start_us, period.end_us
    planned = [o for o in outages if o.planned and o.end_us > a and o.start_us < b]
    found: list[BiggestOutage] = []
    for o in outages:
        if o.planned or o.end_us <= a or o.start_us >= b:
            continue
        lo, hi = max(o.start_us, a), min(o.end_us, b)
        around = [p for p in planned if p.end_us > lo and p.start_us < hi]
        alone = sla.availability_report(
            [o, *around], start=from_us(lo, period.tz), end=from_us(hi, period.tz)
        )
        if alone.downtime_us > 0:
            found.append(BiggestOutage(o, alone.downtime_us))
    found.sort(key=lambda x: (-x.downtime_us, x.outage.start_us, x.outage.id or ""))
    return tuple(found[:TOP])


def _budget(
    sla: Agreement, period: ReviewPeriod, outages: tuple[Outage, ...]
) -> BudgetFigures | None:
    objective = sla.availability
    if objective is None or objective == 1:
        return None
    budget = ErrorBudget(objective, start=period.start, end=period.end, window=sla.window)
    return BudgetFigures(
        budget, budget.spent(outages), budget.remaining(outages), budget.consumed(outages)
    )


def _recurring(
    incidents: list[Incident], min_count: int, period: ReviewPeriod, tz: Zone
) -> tuple[RecurringIncidents, ...]:
    """Groups of at least ``min_count`` incidents (not canceled) sharing a final CI or
    category in the period: :func:`~itilkit.find_recurring` with the period's length."""
    within = timedelta(microseconds=to_us(period.end, "end") - to_us(period.start, "start"))
    out: list[RecurringIncidents] = []
    for field in RECURRING_FIELDS:
        found = find_recurring(incidents, by=field, within=within, min_count=min_count)
        for recurrence in sorted(found, key=lambda r: (-len(r.incidents), r.key)):
            links = {(inc.attributes.get("problem") or "").strip() for inc in recurrence.incidents}
            problem = links.pop() if len(links) == 1 else None
            out.append(
                RecurringIncidents(
                    field,
                    recurrence.key[0],
                    tuple(inc.id for inc in recurrence.incidents),
                    from_us(recurrence.incidents[0].opened_at_us, tz),
                    from_us(recurrence.incidents[-1].opened_at_us, tz),
                    problem or None,
                )
            )
    return tuple(out)


def _changes(
    changes: tuple[ChangeRequest, ...],
    incidents: tuple[Incident, ...],
    period: ReviewPeriod,
    *,
    policy: ApprovalPolicy | None,
    calendar: ChangeCalendar | None,
    failed: Iterable[str] | str,
) -> tuple[tuple[ChangeEntry, ...], DeliveryReport]:
    delivery = delivery_metrics(
        changes, incidents, start=period.start, end=period.end, failed=failed
    )
    deployed = {d.id: d for d in delivery.deployments}
    chosen = [
        c
        for c in changes
        if (c.start_us < period.end_us and c.end_us > period.start_us) or c.id in deployed
    ]
    chosen.sort(key=lambda c: (c.start_us, c.id))
    schedule = ChangeCalendar() if calendar is None else calendar
    live = [c for c in chosen if c.state is not ChangeState.CANCELED]
    entries = []
    for c in chosen:
        if policy is None:
            approved = any(s.to_state is ChangeState.SCHEDULED for s in c.history)
        else:
            approved = policy.decide(c).approved
        found = schedule.conflicts(c, live) if c.state is not ChangeState.CANCELED else ()
        entries.append(ChangeEntry(c, approved, deployed.get(c.id), found))
    return tuple(entries), delivery


def _actions(review: ServiceReview) -> tuple[Action, ...]:
    out: list[Action] = []
    report = review.availability
    ratio = report.ratio
    downtime = (
        f"downtime {format_duration(report.downtime)} of {format_duration(report.agreed)} agreed"
        f" over {_count(report.failures, 'failure')}"
    )
    biggest = [
        f"{b.outage.id or 'an outage'} from {b.outage.start.format('YYYY-MM-DD HH:mm')}: "
        f"{format_duration(b.downtime)}"
        for b in review.biggest_outages
    ]
    if ratio is not None and report.target is not None:
        margin = report.margin()
        if not report.meets():
            out.append(
                _action(
                    "target_missed",
                    f"Availability {format_percent(ratio)} missed the SLA's "
                    f"{percent_text(report.target)} by {_points(margin)}: find and remove "
                    "the causes of the biggest outages.",
                    [downtime, *biggest],
                )
            )
        elif margin < review.margin_threshold * 100:
            out.append(
                _action(
                    "thin_margin",
                    f"Availability {format_percent(ratio)} met the SLA's "
                    f"{percent_text(report.target)} by only {_points(margin)}.",
                    [
                        downtime,
                        f"margin threshold {_points(review.margin_threshold * 100)}",
                        *biggest,
                    ],
                )
            )
    compliance = review.compliance
    if compliance.breached:
        out.append(
            _action(
                "target_missed",
                f"{compliance.breached} of {compliance.met + compliance.breached} SLA clocks "
                "missed their targets.",
                [
                    f"{b.incident_id} {metric_name(b.metric)} ({b.priority.name}): "
                    f"{format_duration(b.late_by)} past its {format_duration(b.target)} target"
                    for b in review.worst_breaches
                ],
            )
        )
    if review.credit:
        out.append(
            _action(
                "credit_owed",
                f"A service credit of {format_percent(review.credit)} of the charge is owed.",
                [f"availability {_pct(ratio)}"],
            )
        )
    if review.recovery is not None and not review.recovery.met:
        out.append(
            _action(
                "recovery_missed",
                f"Recovery objectives were missed for "
                f"{_count(len(review.recovery.breaches), 'failure')}: test and improve recovery.",
                [_recovery_line(row) for row in review.recovery.breaches],
            )
        )
    budget = review.error_budget
    if budget is not None and budget.overspent:
        out.append(
            _action(
                "error_budget",
                f"The error budget burnt faster than the period allows: "
                f"{format_percent(budget.consumed, 1)} of it spent.",
                [
                    f"spent {format_duration(budget.spent)} of {format_duration(budget.allowed)}"
                    f" allowed ({percent_text(1 - budget.budget.objective)} of agreed time)",
                    f"remaining {format_duration(budget.remaining)}",
                ],
            )
        )
    for d in review.delivery.failures:
        out.append(
            _action(
                "change_failed",
                f"Change {d.id} failed ({d.failure}): review it before the next change.",
                [
                    f"{d.id} ({d.change.type.value}, {d.change.risk.label} risk) deployed "
                    f"{d.at.format('YYYY-MM-DD HH:mm')}",
                    *(
                        []
                        if d.time_to_restore is None
                        else [f"restored in {format_duration(d.time_to_restore)}"]
                    ),
                ],
            )
        )
    for p in review.overloads:
        out.append(
            _action(
                "capacity",
                overload_sentence(p),
                [
                    f"{p.spec} ({p.tz}): {p.occurrences} occurrences above "
                    f"{format_percent(review.overload_threshold)}, peak {format_percent(p.peak, 1)}"
                ],
            )
        )
    for g in review.problems:
        if g.problem:
            continue
        out.append(
            _action(
                "problem",
                f"Open a problem for {_field_words(g.field)} {g.value!r}: "
                f"{_count(g.count, 'incident')} in {review.period.label}.",
                [
                    f"{', '.join(g.incidents)}",
                    f"first {g.first.format('YYYY-MM-DD HH:mm')}, last "
                    f"{g.last.format('YYYY-MM-DD HH:mm')}",
                ],
            )
        )
    for c in review.conflicts:
        out.append(
            _action(
                "change_conflict",
                f"Change {c.change.id}: resolve its {c.kind.value.replace('_', ' ')} conflict.",
                [c.message.replace("\n", " ")],
            )
        )
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(out, key=lambda a: (rank[a.severity], _ORDER[a.kind])))


def _recovery_line(row: Any) -> str:
    parts = [f"{row.service} {row.outage_id or 'outage'}"]
    if not row.rto_met:
        parts.append(
            f"restored in {format_duration(row.rto_achieved)} (RTO {format_duration(row.objective.rto)})"
        )
    if not row.rpo_met:
        lost = (
            "no recovery point"
            if row.rpo_achieved is None
            else f"{format_duration(row.rpo_achieved)} of data lost"
        )
        parts.append(f"{lost} (RPO {format_duration(row.objective.rpo)})")
    return ": ".join([parts[0], ", ".join(parts[1:])])
