"""Delivery measures: DORA's four keys and the change success rate, from changes and incidents.

DORA (Google's DevOps Research and Assessment programme: Forsgren, Humble and
Kim, *Accelerate*, 2018, and the yearly *State of DevOps* reports) measures
software delivery with four keys. This module follows the definitions of
DORA's own reference implementation, the Four Keys project
(github.com/dora-team/fourkeys, ``METRICS.md``):

* **deployment frequency**: how often an organisation releases to production;
* **lead time for changes**: the time from a change's commit to its running
  in production (Four Keys reports the median);
* **change failure rate**: "the number of failures per the number of
  deployments";
* **time to restore service**: "for a failure, the median amount of time
  between the deployment which caused the failure and the restoration",
  restoration being measured on the incident it caused.

ITIL's change enablement practice keeps the same facts on change requests
and incidents, so :func:`delivery_metrics` reads them there, exactly:

* a **deployment** is a change whose implementation ended in the period
  ``[start, end)``: its step out of IMPLEMENT, to REVIEW (implemented) or to
  CANCELED (implementation abandoned, i.e. backed out), is the deployment
  instant. A change still in IMPLEMENT, or never implemented, is not deployed;
* its **lead time** runs from ``requested_at`` to the deployment. A change
  request has no commit; the request is the earliest instant itilkit knows
  of the change, so it stands in for DORA's commit;
* a deployment **failed** when it is *recorded* as failed (backed out, or
  named in ``failed=``: a ticket system's close code such as ServiceNow's
  *Unsuccessful*), or when an incident names it: its carried ``caused_by`` or
  ``change`` field held the change id at any time. A canceled incident (no
  incident at all) names nothing;
* a failure is **restored** when every incident naming it is resolved (ITIL:
  service restored; closure is paperwork that follows), at the last of those
  resolutions; its **time to restore** runs from the deployment to that
  instant (zero, never negative, when the incidents were resolved before the
  implementation was recorded as ended). A failure whose incidents are not
  all resolved is *not yet restored*; one recorded as failed with no incident
  has no restoration to time;
* medians and 90th percentiles are **nearest-rank** percentiles of the exact
  durations: the value at rank ``ceil(p/100 * n)`` of the ``n`` durations
  sorted ascending (so the median of an even count is the lower middle value,
  and every figure is a duration that occurred). Four Keys interpolates
  (``PERCENTILE_CONT``); nearest-rank keeps every figure exact;
* rates are :class:`~fractions.Fraction`\\ s; a rate of nothing (no deployment)
  is None.

>>> from itilkit import ChangeRequest, Incident
>>> cr = ChangeRequest.new("CHG1", type="standard", requested_at="2026-03-02T09:00Z",
...                        start="2026-03-02T14:00Z", end="2026-03-02T15:00Z")
>>> cr = cr.advance(at="2026-03-02T10:00Z").advance(at="2026-03-02T14:00Z")
>>> cr = cr.advance(at="2026-03-02T14:30Z")  # IMPLEMENT -> REVIEW: deployed
>>> inc = Incident.open("INC1", at="2026-03-02T15:00Z", priority="P2")
>>> inc = inc.set_fields(at="2026-03-02T15:00Z", caused_by="CHG1")
>>> inc = inc.resolve(at="2026-03-02T16:30Z")
>>> r = delivery_metrics([cr], [inc], start="2026-03-01T00:00Z", end="2026-04-01T00:00Z")
>>> r.deployment_frequency, r.change_failure_rate, r.lead_time.median, r.time_to_restore
(Fraction(1, 31), Fraction(1, 1), datetime.timedelta(seconds=19800), datetime.timedelta(seconds=7200))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

import attrs
import pendulum

from ._change import ChangeRequest, ChangeState, ChangeType, Risk
from ._errors import InvalidValueError, MissingDependencyError, items_of
from ._incident import Incident, State
from ._ratio import format_decimal, format_percent, ratio_text
from ._report import format_duration, html_table, markdown_table, text_table
from ._time import (
    InstantLike,
    from_us,
    iso_duration,
    moment,
    to_timedelta,
    to_us,
    us_field,
    zone_name,
)

__all__ = [
    "FAILURE_FIELDS",
    "DeliveryReport",
    "Deployment",
    "DurationStats",
    "delivery_metrics",
    "nearest_rank",
]

_DAY_US = 86_400 * 1_000_000
_MAX_US = timedelta.max // timedelta(microseconds=1)
_ACTIVE = frozenset({State.NEW, State.IN_PROGRESS, State.ON_HOLD})
FAILURE_FIELDS = ("caused_by", "change")
"""The carried incident fields that name a change as the cause of a failure.

Source: the contract (docs/design.md, "Service desk, continuity, release,
finance"): a change failed when an incident names it in ``caused_by`` or
``change``: ServiceNow's incident fields ``caused_by`` (*Caused by Change*)
and ``rfc`` (*Change Request*), under itilkit's neutral names
(:data:`~itilkit.CARRIED_FIELDS`).
"""


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """The nearest-rank ``percent``-th percentile of ``values`` sorted ascending (None if empty).

    The value at rank ``ceil(percent / 100 * n)``, counting from 1 (and at
    least rank 1): always one of the values, computed without floats.

    >>> nearest_rank([10, 20, 30, 40], 50), nearest_rank([10, 20, 30, 40], 90)
    (20, 40)
    >>> nearest_rank([10, 20, 30, 40, 50], 50), nearest_rank([], 50) is None
    (30, True)
    """
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise InvalidValueError("percent", "a whole number from 0 to 100", percent)
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidValueError("values", "a sorted sequence of ints", values)
    n = len(values)
    if n == 0:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise InvalidValueError("values", "a sorted sequence of ints", values)
    rank = max(1, -(-percent * n // 100))
    return values[rank - 1]


class DurationStats(NamedTuple):
    """The median and 90th percentile of some durations (nearest-rank; None when there are none).

    A tuple, so ``median, p90 = report.lead_time`` works too.

    >>> DurationStats.of([3_600_000_000, 7_200_000_000, 10_800_000_000])
    DurationStats(median=datetime.timedelta(seconds=7200), p90=datetime.timedelta(seconds=10800))
    """

    median: timedelta | None
    p90: timedelta | None

    @classmethod
    def of(cls, durations_us: Iterable[int]) -> DurationStats:
        """The figures of durations given in microseconds, in any order."""
        items = items_of(
            durations_us,
            int,
            "durations_us",
            "an iterable of durations in microseconds",
            "an int number of microseconds",
        )
        for i, value in enumerate(items):
            if isinstance(value, bool) or not -_MAX_US <= value <= _MAX_US:
                raise InvalidValueError(
                    f"durations_us[{i}]", "an int number of microseconds a timedelta holds", value
                )
        ordered = sorted(items)
        median, p90 = nearest_rank(ordered, 50), nearest_rank(ordered, 90)
        return cls(
            None if median is None else to_timedelta(median),
            None if p90 is None else to_timedelta(p90),
        )


def _duration_text(value: timedelta | None) -> str:
    return "n/a" if value is None else format_duration(value)


def _restore_text(d: Deployment) -> str:
    if not d.incidents:
        return "-"
    return "not yet" if d.time_to_restore is None else format_duration(d.time_to_restore)


def _iso(value: timedelta | None) -> str | None:
    return None if value is None else iso_duration(value // timedelta(microseconds=1))


def _restored_us(self: Any) -> int | None:
    restored = self.restored_at
    return None if restored is None else to_us(restored, "restored_at")


@attrs.frozen
class Deployment:
    """One change deployed in the period: when, how long after its request, and how it went.

    ``at`` is the instant its implementation ended (the step out of
    IMPLEMENT), in the zone the change was requested in. ``backed_out`` says
    the implementation was abandoned (IMPLEMENT -> CANCELED); ``marked_failed``
    that it was named in ``failed=``; ``incidents`` are the ids of the
    incidents that name it (``caused_by`` or ``change``), in order of opening.
    ``restored_at`` is the last resolution of those incidents once all are
    resolved, else None.
    """

    change: ChangeRequest
    at: pendulum.DateTime
    backed_out: bool = False
    marked_failed: bool = False
    incidents: tuple[str, ...] = ()
    restored_at: pendulum.DateTime | None = None
    at_us: int = us_field("at")
    """``at`` as integer microseconds since the epoch (UTC)."""
    restored_at_us: int | None = attrs.field(
        default=attrs.Factory(_restored_us, takes_self=True),
        repr=False,
        eq=False,
        hash=False,
        kw_only=True,
    )
    """``restored_at`` as integer microseconds since the epoch (UTC), or None."""

    @property
    def id(self) -> str:
        """The change's id."""
        return self.change.id

    @property
    def lead_time(self) -> timedelta:
        """From the request to the deployment (zero, never negative)."""
        return to_timedelta(max(0, self.at_us - self.change.requested_at_us))

    @property
    def failed(self) -> bool:
        """Recorded as failed (backed out, or named in ``failed=``) or named by an incident."""
        return self.backed_out or self.marked_failed or bool(self.incidents)

    @property
    def restored(self) -> bool:
        """Whether it caused incidents and all of them are resolved."""
        return self.restored_at is not None

    @property
    def time_to_restore(self) -> timedelta | None:
        """From the deployment to the last resolution of its incidents (None: nothing to time)."""
        if self.restored_at_us is None:
            return None
        return to_timedelta(max(0, self.restored_at_us - self.at_us))

    @property
    def failure(self) -> str:
        """Why it counts as failed, for people: ``'backed out'``, ``'INC1, INC2'``...; ``''``."""
        reasons = []
        if self.backed_out:
            reasons.append("backed out")
        if self.marked_failed:
            reasons.append("recorded as failed")
        reasons.extend(self.incidents)
        return ", ".join(reasons)

    def __str__(self) -> str:
        text = f"{self.id} deployed at {self.at.isoformat()} ({format_duration(self.lead_time)}"
        text += " after its request)"
        return f"{text}, failed: {self.failure}" if self.failed else text


@attrs.frozen
class DeliveryReport:
    """DORA's four keys and the change success rate over ``[start, end)``.

    Built by :func:`delivery_metrics`. ``deployments`` holds one
    :class:`Deployment` per change deployed in the period, in order of
    deployment; every figure is computed from them.
    """

    start: pendulum.DateTime
    end: pendulum.DateTime
    deployments: tuple[Deployment, ...] = ()
    start_us: int = us_field("start")
    """``start`` as integer microseconds since the epoch (UTC)."""
    end_us: int = us_field("end")
    """``end`` as integer microseconds since the epoch (UTC)."""

    # ------------------------------------------------------------------ figures

    @property
    def days(self) -> Fraction:
        """The length of the period in days of 24 hours of elapsed time."""
        return Fraction(self.end_us - self.start_us, _DAY_US)

    @property
    def deployment_count(self) -> int:
        """How many changes were deployed in the period."""
        return len(self.deployments)

    @property
    def deployment_frequency(self) -> Fraction:
        """Deployments per day: ``deployment_count / days``."""
        return Fraction(len(self.deployments) * _DAY_US, self.end_us - self.start_us)

    @property
    def deployments_per_week(self) -> Fraction:
        """Deployments per week of 7 days: ``7 * deployment_frequency``."""
        return 7 * self.deployment_frequency

    @property
    def lead_time(self) -> DurationStats:
        """Lead time for changes: median and 90th percentile, request to deployment."""
        return DurationStats.of(
            max(0, d.at_us - d.change.requested_at_us) for d in self.deployments
        )

    @property
    def failures(self) -> tuple[Deployment, ...]:
        """The deployments that failed."""
        return tuple(d for d in self.deployments if d.failed)

    @property
    def change_failure_rate(self) -> Fraction | None:
        """Failed deployments / deployments (None when nothing was deployed)."""
        if not self.deployments:
            return None
        return Fraction(len(self.failures), len(self.deployments))

    @property
    def change_success_rate(self) -> Fraction | None:
        """Deployments that did not fail / deployments: ``1 - change_failure_rate``."""
        rate = self.change_failure_rate
        return None if rate is None else 1 - rate

    def _restore_us(self) -> list[int]:
        out = []
        for d in self.deployments:
            restore = d.time_to_restore
            if restore is not None:
                out.append(restore // timedelta(microseconds=1))
        return out

    @property
    def time_to_restore(self) -> timedelta | None:
        """Median time to restore over the restored failures (None when none is restored)."""
        return DurationStats.of(self._restore_us()).median

    @property
    def time_to_restore_p90(self) -> timedelta | None:
        """90th percentile of the time to restore over the restored failures."""
        return DurationStats.of(self._restore_us()).p90

    @property
    def unrestored(self) -> tuple[Deployment, ...]:
        """Failed deployments whose incidents are not all resolved yet."""
        return tuple(d for d in self.deployments if d.incidents and d.restored_at is None)

    @property
    def success_rate_by_type(self) -> Mapping[ChangeType, Fraction]:
        """The change success rate per change type that has deployments (type order)."""
        return self._success_by(lambda d: d.change.type, ChangeType)

    @property
    def success_rate_by_risk(self) -> Mapping[Risk, Fraction]:
        """The change success rate per risk that has deployments (lowest risk first)."""
        return self._success_by(lambda d: d.change.risk, Risk)

    def _success_by(self, key: Any, members: Iterable[Any]) -> Mapping[Any, Fraction]:
        counts = {member: [0, 0] for member in members}  # [deployments, failed]
        for d in self.deployments:
            tally = counts[key(d)]
            tally[0] += 1
            tally[1] += d.failed
        return MappingProxyType({m: Fraction(n - bad, n) for m, (n, bad) in counts.items() if n})

    def _tallies(self) -> list[tuple[str, int, int]]:
        """(label, deployments, failed) per change type, then per risk."""
        out: list[tuple[str, int, int]] = []
        for kind in ChangeType:
            mine = [d for d in self.deployments if d.change.type is kind]
            if mine:
                out.append((f"{kind.value} changes", len(mine), sum(d.failed for d in mine)))
        for risk in Risk:
            mine = [d for d in self.deployments if d.change.risk is risk]
            if mine:
                out.append((f"{risk.label} risk", len(mine), sum(d.failed for d in mine)))
        return out

    # ------------------------------------------------------------------ rendering

    @property
    def title(self) -> str:
        """The heading the text and HTML forms show: the period and its zone."""
        fmt = "YYYY-MM-DD HH:mm"
        tz = self.start.tzinfo
        assert tz is not None
        return f"Delivery: {self.start.format(fmt)} to {self.end.format(fmt)} ({zone_name(tz)})"

    def _summary_rows(self) -> list[list[str]]:
        rate = self.change_failure_rate
        lead = self.lead_time
        failed = len(self.failures)
        return [
            ["deployments", str(len(self.deployments))],
            [
                "deployment frequency",
                f"{format_decimal(self.deployment_frequency)} per day"
                f" ({format_decimal(self.deployments_per_week)} per week)",
            ],
            ["lead time, median", _duration_text(lead.median)],
            ["lead time, p90", _duration_text(lead.p90)],
            [
                "change failure rate",
                "n/a"
                if rate is None
                else f"{format_percent(rate)} ({failed} of {len(self.deployments)})",
            ],
            ["time to restore, median", _duration_text(self.time_to_restore)],
            ["time to restore, p90", _duration_text(self.time_to_restore_p90)],
            ["failures not yet restored", str(len(self.unrestored))],
        ]

    def _success_rows(self) -> list[list[str]]:
        tallies = [*self._tallies(), ("all changes", len(self.deployments), len(self.failures))]
        return [
            [label, str(n), str(bad), format_percent(Fraction(n - bad, n), 1)]
            for label, n, bad in tallies
        ]

    def _deployment_rows(self) -> list[list[str]]:
        tz = self.start.tzinfo
        assert tz is not None
        return [
            [
                d.id,
                d.change.type.value,
                d.change.risk.label,
                from_us(d.at_us, tz).format("YYYY-MM-DD HH:mm"),
                format_duration(d.lead_time),
                d.failure or "-",
                _restore_text(d),
            ]
            for d in self.deployments
        ]

    _SUMMARY = ("measure", "value")
    _SUCCESS = ("change success", "deployed", "failed", "success rate")
    _DEPLOYMENTS = ("change", "type", "risk", "deployed", "lead time", "failed", "restored in")

    def _tables(self) -> list[tuple[str, tuple[str, ...], list[list[str]]]]:
        out: list[tuple[str, tuple[str, ...], list[list[str]]]] = [
            (self.title, self._SUMMARY, self._summary_rows())
        ]
        if self.deployments:
            out.append(("Change success rate", self._SUCCESS, self._success_rows()))
            out.append(("Deployments", self._DEPLOYMENTS, self._deployment_rows()))
        return out

    def __str__(self) -> str:
        return "\n\n".join(text_table(h, rows, title=t) for t, h, rows in self._tables())

    def _repr_html_(self) -> str:
        return "".join(html_table(h, rows, title=t) for t, h, rows in self._tables())

    def to_markdown(self) -> str:
        """The report as Markdown tables: the summary, success rates and deployments."""
        return "\n\n".join(markdown_table(h, rows, title=t) for t, h, rows in self._tables())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ISO instants and durations, exact ratios as text (``'3/7'``).

        Rates and durations of nothing are None; ``changes`` has one entry per
        deployment.
        """
        rate = self.change_failure_rate
        success = self.change_success_rate
        lead = self.lead_time
        tz = self.start.tzinfo
        assert tz is not None
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tz": zone_name(tz),
            "days": ratio_text(self.days),
            "deployments": len(self.deployments),
            "deployment_frequency": ratio_text(self.deployment_frequency),
            "deployments_per_week": ratio_text(self.deployments_per_week),
            "lead_time": {"median": _iso(lead.median), "p90": _iso(lead.p90)},
            "failed": len(self.failures),
            "change_failure_rate": None if rate is None else ratio_text(rate),
            "change_success_rate": None if success is None else ratio_text(success),
            "time_to_restore": {
                "median": _iso(self.time_to_restore),
                "p90": _iso(self.time_to_restore_p90),
            },
            "unrestored": [d.id for d in self.unrestored],
            "success_rate_by_type": {
                t.value: ratio_text(r) for t, r in self.success_rate_by_type.items()
            },
            "success_rate_by_risk": {
                k.name.lower(): ratio_text(r) for k, r in self.success_rate_by_risk.items()
            },
            "changes": [
                {
                    "id": d.id,
                    "type": d.change.type.value,
                    "risk": d.change.risk.name.lower(),
                    "requested_at": d.change.requested_at.isoformat(),
                    "deployed_at": d.at.isoformat(),
                    "lead_time": _iso(d.lead_time),
                    "failed": d.failed,
                    "backed_out": d.backed_out,
                    "marked_failed": d.marked_failed,
                    "incidents": list(d.incidents),
                    "restored_at": None if d.restored_at is None else d.restored_at.isoformat(),
                    "time_to_restore": _iso(d.time_to_restore),
                }
                for d in self.deployments
            ],
        }

    def to_frame(self) -> Any:
        """One row per deployment (pandas): the change, its instants (UTC), durations, outcome.

        Columns: ``id``, ``type``, ``risk``, ``requested_at``, ``deployed_at``,
        ``lead_time``, ``failed``, ``backed_out``, ``marked_failed``,
        ``incidents`` (ids, comma-separated), ``restored_at`` and
        ``time_to_restore`` (NaT where there is nothing to time). Instants are
        exact to the microsecond. Needs pandas (``pip install 'itilkit[pandas]'``).
        """
        try:
            import numpy as np
            import pandas as pd
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        nat = np.iinfo(np.int64).min
        rows = self.deployments

        def raw(values: list[int | None]) -> Any:
            return np.array([nat if v is None else v for v in values], dtype=np.int64)

        def instants(values: list[int | None]) -> Any:
            return pd.Series(raw(values).view("datetime64[us]")).dt.tz_localize("UTC")

        def durations(values: list[timedelta | None]) -> Any:
            us = [None if v is None else v // timedelta(microseconds=1) for v in values]
            return pd.Series(raw(us).view("timedelta64[us]"))

        def texts(values: list[str]) -> Any:
            return pd.Series(values, dtype=object)

        def flags(values: list[bool]) -> Any:
            return pd.Series(values, dtype=bool)

        return pd.DataFrame(
            {
                "id": texts([d.id for d in rows]),
                "type": texts([d.change.type.value for d in rows]),
                "risk": texts([d.change.risk.name.lower() for d in rows]),
                "requested_at": instants([d.change.requested_at_us for d in rows]),
                "deployed_at": instants([d.at_us for d in rows]),
                "lead_time": durations([d.lead_time for d in rows]),
                "failed": flags([d.failed for d in rows]),
                "backed_out": flags([d.backed_out for d in rows]),
                "marked_failed": flags([d.marked_failed for d in rows]),
                "incidents": texts([", ".join(d.incidents) for d in rows]),
                "restored_at": instants([d.restored_at_us for d in rows]),
                "time_to_restore": durations([d.time_to_restore for d in rows]),
            }
        )


# --------------------------------------------------------------------------- computing


def _deployment_step(change: ChangeRequest) -> tuple[int, pendulum.DateTime, bool] | None:
    """The step out of IMPLEMENT as ``(at_us, at, backed_out)``, or None (not deployed)."""
    for step in change.history:
        if step.from_state is ChangeState.IMPLEMENT and step.to_state in (
            ChangeState.REVIEW,
            ChangeState.CANCELED,
        ):
            return step.at_us, step.at, step.to_state is ChangeState.CANCELED
    return None


def _resolution_us(incident: Incident) -> int | None:
    """When the incident last restored service: its last resolution, or None while active.

    An incident closed with no resolution since it was last active (an
    imported anomaly) counts as restored when it was closed.
    """
    stays = incident.segments_us()  # each stay after the opening began with a step
    for i in range(len(stays) - 1, 0, -1):
        state, start, _ = stays[i]
        if state is State.RESOLVED:
            return start
        if state in _ACTIVE:
            break
    state, start, _ = stays[-1]
    return start if state is State.CLOSED else None


def _names(incident: Incident) -> set[str]:
    """The change ids the incident's ``caused_by`` or ``change`` field held at any time."""
    out: set[str] = set()
    for field in FAILURE_FIELDS:
        for change in incident.changes(field):
            if change.new is not None and change.new.strip():
                out.add(change.new.strip())
    return out


def _checked_changes(changes: object) -> tuple[ChangeRequest, ...]:
    items = items_of(
        changes, ChangeRequest, "changes", "an iterable of ChangeRequest", "a ChangeRequest"
    )
    seen: dict[str, int] = {}
    for i, change in enumerate(items):
        if not isinstance(change.id, str) or not change.id.strip():
            raise InvalidValueError(f"changes[{i}].id", "a non-empty string", change.id)
        if not isinstance(change.type, ChangeType):
            raise InvalidValueError(f"changes[{i}].type", "a ChangeType", change.type)
        if not isinstance(change.risk, Risk):
            raise InvalidValueError(f"changes[{i}].risk", "a Risk", change.risk)
        if change.end_us <= change.start_us:
            raise InvalidValueError(
                f"changes[{i}].end",
                f"after its start ({change.start.isoformat()}): a change needs a planned period",
                change.end,
            )
        if change.id in seen:
            raise InvalidValueError(
                f"changes[{i}].id",
                f"an id no other change has (changes[{seen[change.id]}] has it too)",
                change.id,
            )
        seen[change.id] = i
    return items


def _checked_failed(failed: object, ids: Mapping[str, int]) -> frozenset[str]:
    if isinstance(failed, str):
        failed = (failed,)
    items = items_of(
        failed, str, "failed", "a change id or an iterable of change ids", "a change id"
    )
    out = set()
    for i, name in enumerate(items):
        if name.strip() not in ids:
            raise InvalidValueError(f"failed[{i}]", "the id of one of the given changes", name)
        out.add(name.strip())
    return frozenset(out)


def delivery_metrics(
    changes: Iterable[ChangeRequest],
    incidents: Iterable[Incident] = (),
    *,
    start: InstantLike,
    end: InstantLike,
    failed: Iterable[str] | str = (),
) -> DeliveryReport:
    """DORA's four keys and the change success rate of the changes deployed in ``[start, end)``.

    A change is deployed when its implementation ended in the period (its
    step out of IMPLEMENT, to REVIEW or, backed out, to CANCELED). It failed
    when it was backed out, is named in ``failed`` (ids of changes a ticket
    system recorded as unsuccessful), or an incident that is not canceled
    names it in its ``caused_by`` or ``change`` field at any time. The
    module's docstring defines every figure.

    Every change must have its planned period ``[start, end)`` and an id of
    its own; ``end`` must be after ``start``. Anything else raises
    :class:`~itilkit.InvalidValueError` naming the value.

    >>> from itilkit import ChangeRequest
    >>> cr = ChangeRequest.new("CHG1", type="standard", requested_at="2026-03-02T09:00Z",
    ...                        start="2026-03-02T14:00Z", end="2026-03-02T15:00Z")
    >>> r = delivery_metrics([cr], [], start="2026-03-01T00:00Z", end="2026-04-01T00:00Z")
    >>> r.deployment_count, r.change_failure_rate, r.lead_time
    (0, None, DurationStats(median=None, p90=None))
    >>> delivery_metrics([cr], [], start="2026-04-01T00:00Z", end="2026-03-01T00:00Z")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'end' must be after 'start' (2026-04-01T00:00:00+00:00) (got '2026-03-01T00:00Z')
    """
    begin, begin_us = moment(start, "start")
    finish, finish_us = moment(end, "end")
    if finish_us <= begin_us:
        raise InvalidValueError("end", f"after 'start' ({begin.isoformat()})", end)
    items = _checked_changes(changes)
    recorded = _checked_failed(failed, {c.id: i for i, c in enumerate(items)})
    tickets = items_of(incidents, Incident, "incidents", "an iterable of Incident", "an Incident")

    deployed: list[tuple[int, ChangeRequest, pendulum.DateTime, bool]] = []
    for change in items:
        step = _deployment_step(change)
        if step is not None and begin_us <= step[0] < finish_us:
            deployed.append((step[0], change, step[1], step[2]))
    wanted = {change.id for _, change, _, _ in deployed}

    named: dict[str, list[Incident]] = {}
    for incident in tickets:
        if incident.state is State.CANCELED:
            continue
        for name in _names(incident) & wanted:
            named.setdefault(name, []).append(incident)

    rows = []
    for at_us, change, at, backed_out in sorted(deployed, key=lambda row: (row[0], row[1].id)):
        mine = sorted(named.get(change.id, ()), key=lambda inc: (inc.opened_at_us, inc.id))
        restored_at = None
        resolved = [(_resolution_us(inc), inc) for inc in mine]
        if mine and all(us is not None for us, _ in resolved):
            last_us, last = max(resolved, key=lambda pair: pair[0] or 0)
            assert last_us is not None
            restored_at = from_us(last_us, last.tz)
        rows.append(
            Deployment(
                change,
                at,
                backed_out=backed_out,
                marked_failed=change.id in recorded,
                incidents=tuple(inc.id for inc in mine),
                restored_at=restored_at,
                at_us=at_us,
            )
        )
    return DeliveryReport(begin, finish, tuple(rows), start_us=begin_us, end_us=finish_us)
