"""Service level agreements: targets per priority, clocks, breaches and compliance.

ITIL's service level management agrees *targets* with the customer in a
service level agreement (SLA): respond to a P1 within 1 hour, resolve it
within 4, counted in the agreed service hours. Internally the same shape is
an operational level agreement (OLA) between teams, and an underpinning
contract (UC) with a supplier; all three are an :class:`Agreement` here and
differ only in whom they bind.

The contract:

- A :class:`Target` with ``priority=None`` applies to every priority; a
  specific one wins over it. An incident with no applicable target has no
  clock for that metric (counted as ``no_target`` in compliance).
- The target that applies is the one for the priority in force when the
  clock is read (or when it stopped). With ``on_priority_change="keep"``
  (the default) the elapsed time is kept and the new target applies; with
  ``"restart"`` the clock starts again from the last change of priority.
- A clock is breached iff its elapsed business time exceeds the target;
  stopping exactly at the target is met. See :mod:`itilkit._clock`.
- Compliance rate is ``met / (met + breached)`` over decided clocks (stopped,
  or already past their target); None when no clock is decided. Cancelled
  incidents are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from fractions import Fraction
from os import PathLike
from typing import Any, Literal, Self

import attrs

from ._clock import END_STATES, ClockStatus, Metric, Run, Timeline, run, status
from ._compliance import Breach, ComplianceReport, Tally
from ._errors import InvalidValueError
from ._incident import Incident, State
from ._priority import Priority
from ._ratio import parse_ratio
from ._time import from_us, to_duration_us, to_timedelta, to_us
from ._window import ServiceWindow

__all__ = [
    "OLA",
    "SLA",
    "Agreement",
    "Condition",
    "NoTargetError",
    "Target",
    "UnderpinningContract",
    "select_slas",
]

PriorityChangeRule = Literal["keep", "restart"]
PRIORITY_CHANGE_RULES: tuple[PriorityChangeRule, ...] = ("keep", "restart")


class NoTargetError(InvalidValueError):
    """The agreement has no target for this metric and priority, so there is no clock."""


def _metric(value: object) -> Metric:
    return Metric.parse(value)


def _within(value: object) -> timedelta:
    us = to_duration_us(value, "within")
    if us <= 0:
        raise InvalidValueError("within", "a positive duration", value)
    return to_timedelta(us)


def _priority_or_none(value: object) -> Priority | None:
    return None if value is None else Priority.parse(value)


@attrs.frozen
class Target:
    """A time within which a metric must be met, for one priority or (``None``) for all.

    >>> Target("resolution", "PT4H", priority="P1")
    Target(metric=<Metric.RESOLUTION: 'resolution'>, within=datetime.timedelta(seconds=14400), priority=<Priority.P1: 1>)
    >>> Target("response", "PT0S")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'within' must be a positive duration (got 'PT0S')
    """

    metric: Metric = attrs.field(converter=_metric)
    within: timedelta = attrs.field(converter=_within)
    priority: Priority | None = attrs.field(
        default=None, kw_only=True, converter=_priority_or_none
    )


def _strings(value: object, field: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, Iterable) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise InvalidValueError(field, "a string or an iterable of strings", value)


def _services(value: object) -> frozenset[str]:
    return _strings(value, "service")


def _categories(value: object) -> frozenset[str]:
    return _strings(value, "category")


def _priorities(value: object) -> frozenset[Priority]:
    if value is None:
        return frozenset()
    if isinstance(value, str | int):
        return frozenset({Priority.parse(value)})
    if isinstance(value, Iterable):
        return frozenset(Priority.parse(v) for v in value)
    raise InvalidValueError("priority", "a priority or an iterable of priorities", value)


@attrs.frozen
class Condition:
    """When an agreement applies: each field given must match (an empty field matches all).

    ``service`` and ``category`` are read from the mapping of attributes the
    caller passes for the incident (the incident model holds neither);
    ``priority`` is the incident's priority.

    >>> c = Condition(priority=["P1", "P2"], service="Email")
    >>> inc = Incident.open("INC1", at="2026-03-02T09:00Z", impact="high", urgency="high")
    >>> c.matches(inc, {"service": "Email"}), c.matches(inc, {"service": "ERP"}), c.matches(inc)
    (True, False, False)
    """

    priority: frozenset[Priority] = attrs.field(
        default=frozenset(), kw_only=True, converter=_priorities
    )
    service: frozenset[str] = attrs.field(default=frozenset(), kw_only=True, converter=_services)
    category: frozenset[str] = attrs.field(
        default=frozenset(), kw_only=True, converter=_categories
    )

    def matches(
        self,
        incident: Incident,
        attributes: Mapping[str, object] | None = None,
        *,
        priority: Priority | None = None,
    ) -> bool:
        """Whether the incident (with its ``service``/``category`` attributes) meets every field."""
        attributes = attributes or {}
        if self.priority and (priority or incident.priority) not in self.priority:
            return False
        if self.service and attributes.get("service") not in self.service:
            return False
        return not (self.category and attributes.get("category") not in self.category)

    def to_dict(self) -> dict[str, list[str]]:
        """JSON-ready form (sorted lists; empty fields left out)."""
        out: dict[str, list[str]] = {}
        if self.priority:
            out["priority"] = [p.name for p in sorted(self.priority)]
        if self.service:
            out["service"] = sorted(self.service)
        if self.category:
            out["category"] = sorted(self.category)
        return out


def _targets(value: object) -> tuple[Target, ...]:
    if isinstance(value, Target):
        value = (value,)
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidValueError("targets", "an iterable of Target", value)
    items = tuple(value)
    for item in items:
        if not isinstance(item, Target):
            raise InvalidValueError("targets", "an iterable of Target", item)
    if not items:
        raise InvalidValueError("targets", "at least one Target", value)
    seen: set[tuple[Metric, Priority | None]] = set()
    for item in items:
        key = (item.metric, item.priority)
        if key in seen:
            raise InvalidValueError("targets", "at most one target per metric and priority", item)
        seen.add(key)
    return items


def _states(value: object) -> frozenset[State]:
    if isinstance(value, str | State):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InvalidValueError("pause_on", "an iterable of states", value)
    states = frozenset(State.parse(v) for v in value)
    stops = states & {State.NEW, State.IN_PROGRESS}
    if stops:
        raise InvalidValueError(
            "pause_on", "states other than NEW and IN_PROGRESS", sorted(s.name for s in stops)
        )
    return states


def _warn_at(value: object) -> tuple[Fraction, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidValueError("warn_at", "an iterable of ratios such as '50%'", value)
    out = []
    for item in value:
        ratio = parse_ratio(item, "warn_at")
        if ratio == 0:
            raise InvalidValueError("warn_at", "above 0%", item)
        out.append(ratio)
    return tuple(sorted(set(out)))


def _availability(value: object) -> Fraction | None:
    return None if value is None else parse_ratio(value, "availability")


def _rule(value: object) -> PriorityChangeRule:
    if value == "keep":
        return "keep"
    if value == "restart":
        return "restart"
    raise InvalidValueError("on_priority_change", "one of 'keep', 'restart'", value)


def _window(instance: object, attribute: attrs.Attribute[ServiceWindow], value: object) -> None:
    if not isinstance(value, ServiceWindow):
        raise InvalidValueError("window", "a ServiceWindow", value)


def _name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError("name", "a non-empty string", value)


def _condition(
    instance: object, attribute: attrs.Attribute[Condition | None], value: object
) -> None:
    if value is not None and not isinstance(value, Condition):
        raise InvalidValueError("applies_to", "a Condition or None", value)


Lookup = dict[Metric, dict[Priority | None, int]]


@attrs.frozen
class Agreement:
    """What SLAs, OLAs and underpinning contracts share: targets on a service window.

    ``pause_on`` lists the states in which a RESOLUTION clock stands still;
    ``warn_at`` the fractions of a target at which a clock warns;
    ``availability`` the agreed availability (for availability reports);
    ``on_priority_change`` what a change of priority does to a running clock;
    ``applies_to`` a :class:`Condition` choosing the incidents it covers.
    """

    name: str = attrs.field(validator=_name)
    window: ServiceWindow = attrs.field(kw_only=True, validator=_window)
    targets: tuple[Target, ...] = attrs.field(kw_only=True, converter=_targets)
    pause_on: frozenset[State] = attrs.field(
        kw_only=True, default=frozenset({State.ON_HOLD}), converter=_states
    )
    warn_at: tuple[Fraction, ...] = attrs.field(
        kw_only=True, default=(Fraction(1, 2), Fraction(3, 4)), converter=_warn_at
    )
    availability: Fraction | None = attrs.field(
        kw_only=True, default=None, converter=_availability
    )
    on_priority_change: PriorityChangeRule = attrs.field(
        kw_only=True, default="keep", converter=_rule
    )
    applies_to: Condition | None = attrs.field(kw_only=True, default=None, validator=_condition)
    _lookup: Lookup = attrs.field(init=False, repr=False, eq=False, hash=False)
    _halted: tuple[State, ...] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        table: Lookup = {metric: {} for metric in Metric}
        for t in self.targets:
            table[t.metric][t.priority] = to_duration_us(t.within)
        object.__setattr__(self, "_lookup", table)
        object.__setattr__(self, "_halted", tuple(self.pause_on | END_STATES))

    # -- configuration ----------------------------------------------------------

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Self:
        """Build from the configuration schema; every problem is reported with its path.

        >>> sla = SLA.from_dict({
        ...     "name": "Gold",
        ...     "window": {"hours": "Mon-Fri 08:00-17:00", "tz": "Europe/Berlin"},
        ...     "targets": [{"metric": "response", "priority": "P1", "within": "PT1H"}],
        ... })
        >>> sla.targets[0].within
        datetime.timedelta(seconds=3600)
        >>> SLA.from_dict({"name": "Gold", "targets": [{"metric": "answer", "within": "soon"}]})
        Traceback (most recent call last):
        ...
        itilkit.ConfigError: 3 problems in the configuration:
          $.window: is required
          $.targets[0].metric: must be one of 'response', 'resolution' (got 'answer')
          $.targets[0].within: must be an ISO 8601 duration in weeks, days, hours, minutes and seconds such as 'PT4H' (got 'soon')
        """
        from ._config import agreement_from_dict

        return agreement_from_dict(cls, document)

    def to_dict(self) -> dict[str, Any]:
        """The configuration document (``from_dict`` of it gives back an equal agreement)."""
        from ._config import agreement_to_dict

        return agreement_to_dict(self)

    @classmethod
    def from_toml(cls, path: str | PathLike[str]) -> Self:
        """Read a TOML file in the :meth:`from_dict` schema (top-level keys)."""
        from ._config import load_toml

        return cls.from_dict(load_toml(path))

    @classmethod
    def from_json(cls, path: str | PathLike[str]) -> Self:
        """Read a JSON file in the :meth:`from_dict` schema."""
        from ._config import load_json

        return cls.from_dict(load_json(path))

    @classmethod
    def from_file(cls, path: str | PathLike[str]) -> Self:
        """Read a ``.json`` file as JSON and anything else as TOML."""
        if str(path).lower().endswith(".json"):
            return cls.from_json(path)
        return cls.from_toml(path)

    # -- targets ----------------------------------------------------------------

    def target_for(self, metric: Metric | str, priority: Priority | str | int) -> Target | None:
        """The target that applies to a metric at a priority (specific over general), or None.

        >>> w = ServiceWindow.always()
        >>> sla = SLA("S", window=w, targets=[Target("response", "PT8H"),
        ...                                   Target("response", "PT1H", priority="P1")])
        >>> sla.target_for("response", "P1").within, sla.target_for("response", "P3").within
        (datetime.timedelta(seconds=3600), datetime.timedelta(seconds=28800))
        >>> sla.target_for("resolution", "P1") is None
        True
        """
        m = Metric.parse(metric)
        p = Priority.parse(priority)
        found = None
        for target in self.targets:
            if target.metric is m:
                if target.priority is p:
                    return target
                if target.priority is None:
                    found = target
        return found

    def applies(self, incident: Incident, attributes: Mapping[str, object] | None = None) -> bool:
        """Whether ``applies_to`` (if any) selects the incident."""
        return self.applies_to is None or self.applies_to.matches(incident, attributes)

    # -- clocks -----------------------------------------------------------------

    def _run(self, timeline: Timeline, metric: Metric) -> Run | None:
        return run(
            self.window,
            self._halted,
            self._lookup[metric],
            self.on_priority_change == "restart",
            timeline,
            metric,
        )

    def clock(self, incident: Incident, metric: Metric | str, *, as_of: object) -> ClockStatus:
        """Where the incident's clock for ``metric`` stands as of ``as_of``.

        Raises :class:`NoTargetError` when no target applies to the incident's
        priority, and :class:`~itilkit.InvalidValueError` when ``as_of`` is
        before the incident opened.

        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC")
        >>> sla = SLA("Std", window=w, targets=[Target("resolution", "PT8H")])
        >>> inc = Incident.open("INC2", at="2026-03-02T13:00Z", impact="low", urgency="low")
        >>> inc = inc.start_work(at="2026-03-02T13:30Z").hold(
        ...     at="2026-03-02T15:00Z", reason="awaiting_caller")
        >>> c = sla.clock(inc, "resolution", as_of="2026-03-03T10:00Z")
        >>> c.stage, c.elapsed, c.due      # 2 h used; resumed now, 6 h left: due 16:00
        ('paused', datetime.timedelta(seconds=7200), DateTime(2026, 3, 3, 16, 0, 0, tzinfo=Timezone('UTC')))
        >>> c.pauses[0].business, c.pauses[0].end is None
        (datetime.timedelta(seconds=10800), True)
        """
        m = Metric.parse(metric)
        timeline = Timeline(incident, to_us(as_of, "as_of"))
        r = self._run(timeline, m)
        if r is None:
            priority, _ = timeline.priority_at(timeline.as_of)
            names = ", ".join(
                "all" if t.priority is None else t.priority.name
                for t in self.targets
                if t.metric is m
            )
            raise NoTargetError(
                "priority",
                f"a priority with a {m.value} target in {self.name!r} ({names or 'none'})",
                priority,
            )
        return status(self.window, self.warn_at, incident.id, m, r, timeline)

    def compliance(
        self,
        incidents: Iterable[Incident],
        *,
        as_of: object,
        attributes: Mapping[str, Mapping[str, object]] | None = None,
        metrics: Iterable[Metric | str] = (Metric.RESPONSE, Metric.RESOLUTION),
    ) -> ComplianceReport:
        """Met, breached and in-progress clocks of ``incidents`` as of ``as_of``.

        ``attributes`` maps incident ids to their ``service``/``category``
        for ``applies_to``. Incidents that ``applies_to`` does not select are
        counted as ``not_applicable``; cancelled ones as ``cancelled``;
        clocks with no target for the priority as ``no_target``. An incident
        opened after ``as_of`` is counted as ``not_yet_open``.

        >>> w = ServiceWindow.always(tz="UTC")
        >>> sla = SLA("Std", window=w, targets=[Target("resolution", "PT4H")])
        >>> a = Incident.open("A", at="2026-03-02T09:00Z", impact="low", urgency="low")
        >>> b = a.start_work(at="2026-03-02T09:10Z").resolve(at="2026-03-02T12:00Z")
        >>> c = Incident.open("C", at="2026-03-02T08:00Z", impact="low", urgency="low")
        >>> report = sla.compliance([b, c], as_of="2026-03-02T13:00Z")
        >>> report.met, report.breached, report.rate
        (1, 1, Fraction(1, 2))
        """
        as_of_us = to_us(as_of, "as_of")
        chosen = tuple(Metric.parse(m) for m in metrics)
        attributes = attributes or {}
        window = self.window
        tables = [(m, self._lookup[m]) for m in chosen]
        restart = self.on_priority_change == "restart"
        halted = self._halted
        tallies: dict[tuple[Metric, Priority], list[int]] = {}
        breaches: list[Breach] = []
        counts = {"incidents": 0, "anomalies": 0, "cancelled": 0, "no_target": 0}
        counts.update(not_applicable=0, not_yet_open=0)
        no_target_ids: list[str] = []
        for incident in incidents:
            counts["incidents"] += 1
            counts["anomalies"] += len(incident.anomalies)
            if incident.opened_at_us > as_of_us:
                counts["not_yet_open"] += 1
                continue
            if self.applies_to is not None and not self.applies_to.matches(
                incident, attributes.get(incident.id)
            ):
                counts["not_applicable"] += 1
                continue
            timeline = Timeline(incident, as_of_us)
            runs = []
            cancelled = False
            for m, table in tables:
                r = run(window, halted, table, restart, timeline, m)
                if r is not None and r.stage == "cancelled":
                    cancelled = True
                runs.append((m, r))
            if cancelled or _cancelled_at(timeline):
                counts["cancelled"] += 1
                continue
            for m, r in runs:
                if r is None:
                    counts["no_target"] += 1
                    no_target_ids.append(incident.id)
                    continue
                cell = tallies.setdefault((m, r.priority), [0, 0, 0])
                if r.elapsed > r.target:
                    cell[1] += 1
                    breaches.append(_breach(self, incident, m, r, timeline))
                elif r.stop is not None:
                    cell[0] += 1
                else:
                    cell[2] += 1
        return ComplianceReport(
            sla=self.name,
            as_of=from_us(as_of_us, window.tz),
            incidents=counts["incidents"],
            anomalies=counts["anomalies"],
            cells=tuple(
                (m, p, Tally(*cell))
                for (m, p), cell in sorted(
                    tallies.items(), key=lambda kv: (_order(kv[0][0]), kv[0][1])
                )
            ),
            breaches=tuple(breaches),
            cancelled=counts["cancelled"],
            no_target=counts["no_target"],
            no_target_ids=tuple(dict.fromkeys(no_target_ids)),
            not_applicable=counts["not_applicable"],
            not_yet_open=counts["not_yet_open"],
        )


def _order(metric: Metric) -> int:
    return 0 if metric is Metric.RESPONSE else 1


def _cancelled_at(timeline: Timeline) -> bool:
    """Whether the incident stands CANCELED at ``as_of``."""
    return bool(timeline.moves) and timeline.moves[-1][1] is State.CANCELED


def _breach(
    agreement: Agreement, incident: Incident, metric: Metric, r: Run, timeline: Timeline
) -> Breach:
    from ._clock import breached_at_us, due_us

    window = agreement.window
    due = due_us(window, r)
    assert due is not None  # a breached clock reached its target in the past
    return Breach(
        incident_id=incident.id,
        metric=metric,
        priority=r.priority,
        target_us=r.target,
        elapsed_us=r.elapsed,
        due_us=due,
        breached_at_us=breached_at_us(window, r, due),
        stopped_at_us=r.stop,
        tz=window.tz,
    )


@attrs.frozen
class SLA(Agreement):
    """A service level agreement: the targets agreed with the customer.

    >>> w = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
    >>> gold = SLA("Gold", window=w, targets=[
    ...     Target("response", "PT1H", priority="P1"), Target("resolution", "PT4H", priority="P1"),
    ...     Target("response", "PT4H"), Target("resolution", "P2D")])
    >>> gold.target_for("resolution", "P3").within
    datetime.timedelta(days=2)
    """


@attrs.frozen
class OLA(Agreement):
    """An operational level agreement: targets one internal team promises another.

    >>> ola = OLA("Network team", window=ServiceWindow.always(), targets=[Target("resolution", "PT2H")])
    >>> isinstance(ola, SLA), isinstance(ola, Agreement)
    (False, True)
    """


@attrs.frozen
class UnderpinningContract(Agreement):
    """An underpinning contract: targets an external supplier promises.

    >>> UnderpinningContract("Carrier", window=ServiceWindow.always(),
    ...                      targets=[Target("resolution", "PT4H")]).name
    'Carrier'
    """


def select_slas(
    agreements: Iterable[Agreement],
    incident: Incident,
    *,
    mode: Literal["first", "all"] = "first",
    attributes: Mapping[str, object] | None = None,
) -> tuple[Agreement, ...]:
    """The agreements whose ``applies_to`` selects the incident: the first one, or all.

    An agreement without ``applies_to`` selects every incident (put it last
    as the fallback in ``"first"`` mode), as ticket systems match SLA
    definitions in order.

    >>> w = ServiceWindow.always()
    >>> vip = SLA("VIP", window=w, targets=[Target("response", "PT15M")],
    ...           applies_to=Condition(service="Payroll"))
    >>> std = SLA("Standard", window=w, targets=[Target("response", "PT4H")])
    >>> inc = Incident.open("INC9", at="2026-03-02T09:00Z", impact="low", urgency="low")
    >>> [s.name for s in select_slas([vip, std], inc, attributes={"service": "Payroll"})]
    ['VIP']
    >>> [s.name for s in select_slas([vip, std], inc, mode="all", attributes={"service": "ERP"})]
    ['Standard']
    """
    if mode not in ("first", "all"):
        raise InvalidValueError("mode", "one of 'first', 'all'", mode)
    out = []
    for agreement in agreements:
        if agreement.applies(incident, attributes):
            out.append(agreement)
            if mode == "first":
                break
    return tuple(out)
