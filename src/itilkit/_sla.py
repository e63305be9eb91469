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
from functools import partial
from os import PathLike
from typing import Any, Literal, Self, TypeVar

import attrs

from ._availability import AvailabilityReport, measure_availability
from ._clock import (
    RESOLUTION_CLOCK,
    RESPONSE_CLOCK,
    ClockRule,
    ClockStatus,
    Metric,
    MetricKey,
    Reopen,
    Rules,
    Run,
    TargetRule,
    Timeline,
    metric_name,
    runs,
    status,
    within_text,
)
from ._clock_rules import (
    CLOCK_KEYS,
    BusinessDays,
    Clock,
    PauseItem,
    clock_name,
    pause_items,
    pause_text,
    pause_trigger,
    read_clock_parts,
)
from ._compliance import ComplianceReport, combine, given_attributes, given_values, tally
from ._document import Problems, load_document
from ._errors import InvalidValueError, NoOpenTimeError, NoTargetError, items_of, show
from ._incident import CARRIED_FIELDS, HoldReason, Incident, State
from ._priority import Priority
from ._ratio import parse_ratio, percent_text, positive_ratio
from ._reconcile import Reconciliation, TimeReconciliation, reconcile, reconcile_times
from ._time import from_us, to_duration_us, to_timedelta, to_us
from ._window import ServiceWindow, as_window, read_window

__all__ = [
    "OLA",
    "SLA",
    "Agreement",
    "BusinessDays",
    "Clock",
    "Condition",
    "NoTargetError",
    "Target",
    "UnderpinningContract",
    "compliance",
    "select_slas",
]

PriorityChangeRule = Literal["keep", "restart"]


def _metric(value: object) -> MetricKey:
    """A built-in metric, or the name of one of the agreement's clocks (checked there)."""
    if isinstance(value, str) and not isinstance(value, Metric):
        try:
            return Metric.parse(value)
        except InvalidValueError:
            return clock_name(value, "metric")
    return Metric.parse(value)


def _within(value: object) -> timedelta | BusinessDays:
    if BusinessDays.matches(value):
        return BusinessDays.parse(value)
    us = to_duration_us(value, "within")
    if us <= 0:
        raise InvalidValueError("within", "a positive duration", value)
    return to_timedelta(us)


def _priority_or_none(value: object) -> Priority | None:
    return None if value is None else Priority.parse(value)


def _window_or_none(value: object) -> ServiceWindow | None:
    return None if value is None else as_window(value)


def _pause_or_none(value: object) -> frozenset[PauseItem] | None:
    return None if value is None else pause_items(value)


@attrs.frozen
class Target:
    r"""A time within which a metric must be met, for one priority or (``None``) for all.

    ``within`` is a duration of business time (``"PT4H"``) or a number of
    working days (``BusinessDays(3)``, ``"3 business days"``). ``window``
    counts this target in its own service hours (P1 around the clock, P3 in
    office hours, in one agreement); ``pause_on`` replaces the agreement's
    pause rule for this RESOLUTION target. ``metric`` may also name one of
    the agreement's custom :class:`Clock`\ s.

    >>> Target("resolution", "PT4H", priority="P1")
    Target(metric=<Metric.RESOLUTION: 'resolution'>, within=datetime.timedelta(seconds=14400), priority=<Priority.P1: 1>, window=None, pause_on=None)
    >>> Target("resolution", "3 business days", priority="P3").within
    BusinessDays(days=3)
    >>> Target("response", "PT0S")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'within' must be a positive duration (got 'PT0S')
    """

    metric: MetricKey = attrs.field(converter=_metric)
    within: timedelta | BusinessDays = attrs.field(converter=_within)
    priority: Priority | None = attrs.field(
        default=None, kw_only=True, converter=_priority_or_none
    )
    window: ServiceWindow | None = attrs.field(
        default=None, kw_only=True, converter=_window_or_none
    )
    pause_on: frozenset[PauseItem] | None = attrs.field(
        default=None, kw_only=True, converter=_pause_or_none
    )

    def __attrs_post_init__(self) -> None:
        if self.pause_on is not None and self.metric is not Metric.RESOLUTION:
            raise InvalidValueError(
                "pause_on",
                "given on resolution targets only (a response clock never pauses;"
                " a custom clock pauses on its own 'pause' conditions)",
                metric_name(self.metric),
            )


def _strings(value: object, field: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, Iterable) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise InvalidValueError(field, "a string or an iterable of strings", value)


def _priorities(value: object) -> frozenset[Priority]:
    if value is None:
        return frozenset()
    if isinstance(value, str | int):
        return frozenset({Priority.parse(value)})
    if isinstance(value, Iterable):
        return frozenset(Priority.parse(v) for v in value)
    raise InvalidValueError("priority", "a priority or an iterable of priorities", value)


@attrs.frozen(init=False)
class Condition:
    """When an agreement applies: each field given must match (an empty condition matches all).

    ``priority`` is matched against the incident's priority; any carried field
    (:data:`~itilkit.CARRIED_FIELDS`: ``service``, ``ci``, ``category``,
    ``group``, ...) against the incident's **final** value of it
    (``incident.attributes``), or against the ``attributes`` mapping a caller
    passes instead. A field names the values it accepts (one string or
    several).

    >>> c = Condition(priority=["P1", "P2"], service="Email")
    >>> inc = Incident.open("INC1", at="2026-03-02T09:00Z", impact="high", urgency="high")
    >>> c.matches(inc, {"service": "Email"}), c.matches(inc, {"service": "ERP"}), c.matches(inc)
    (True, False, False)
    >>> Condition(group="Network").to_dict()
    {'group': ['Network']}
    """

    priority: frozenset[Priority]
    fields: tuple[tuple[str, frozenset[str]], ...]

    def __init__(self, *, priority: object = None, **fields: object) -> None:
        chosen = []
        for name in sorted(fields):
            if name not in CARRIED_FIELDS:
                raise InvalidValueError(
                    "applies_to",
                    f"priority or a carried field ({', '.join(CARRIED_FIELDS)})",
                    name,
                )
            values = _strings(fields[name], name)
            if values:
                chosen.append((name, values))
        self.__attrs_init__(_priorities(priority), tuple(chosen))

    @property
    def service(self) -> frozenset[str]:
        """The services it selects (empty: any)."""
        return dict(self.fields).get("service", frozenset())

    @property
    def category(self) -> frozenset[str]:
        """The categories it selects (empty: any)."""
        return dict(self.fields).get("category", frozenset())

    def matches(
        self,
        incident: Incident,
        attributes: Mapping[str, object] | None = None,
        *,
        priority: Priority | None = None,
    ) -> bool:
        """Whether the incident meets every field (its own final field values by default)."""
        if self.priority and (priority or incident.priority) not in self.priority:
            return False
        if not self.fields:
            return True
        values = incident.attributes if attributes is None else attributes
        return all(values.get(name) in accepted for name, accepted in self.fields)

    def to_dict(self) -> dict[str, list[str]]:
        """JSON-ready form (sorted lists; empty fields left out)."""
        out: dict[str, list[str]] = {}
        if self.priority:
            out["priority"] = [p.name for p in sorted(self.priority)]
        for name, accepted in self.fields:
            out[name] = sorted(accepted)
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
    for second, _ in _repeated(items):
        raise InvalidValueError(
            "targets", "at most one target per metric and priority", items[second]
        )
    return items


def _repeated(targets: Iterable[Target]) -> list[tuple[int, int]]:
    """``(index, index of the first)`` of every target that repeats a metric and priority."""
    first: dict[tuple[MetricKey, Priority | None], int] = {}
    out = []
    for i, target in enumerate(targets):
        key = (target.metric, target.priority)
        if key in first:
            out.append((i, first[key]))
        else:
            first[key] = i
    return out


def _metric_list(value: object) -> tuple[object, ...]:
    if isinstance(value, str | Metric) or not isinstance(value, Iterable):
        value = (value,)
    return tuple(value)


def _reopen(value: object) -> Reopen:
    if value == "resume":
        return "resume"
    if value == "restart":
        return "restart"
    raise InvalidValueError("on_reopen", "one of 'resume', 'restart'", value)


def _clocks(value: object) -> tuple[Clock, ...]:
    if isinstance(value, Clock):
        value = (value,)
    if isinstance(value, Mapping):
        raise InvalidValueError("clocks", "an iterable of Clock", value)
    items = items_of(value, Clock, "clocks", "an iterable of Clock", "a Clock")
    names: set[str] = set()
    for item in items:
        if item.name in names:
            raise InvalidValueError("clocks", "clocks with different names", item.name)
        names.add(item.name)
    return items


def _warning(value: object) -> Fraction:
    """One warning threshold: a ratio above 0 (``"50%"``, ``0.5``)."""
    return positive_ratio(value, "warn_at")


def _warn_at(value: object) -> tuple[Fraction, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidValueError("warn_at", "an iterable of ratios such as '50%'", value)
    return tuple(sorted({_warning(item) for item in value}))


def _availability(value: object) -> Fraction | None:
    return None if value is None else parse_ratio(value, "availability")


def _rule(value: object) -> PriorityChangeRule:
    if value == "keep":
        return "keep"
    if value == "restart":
        return "restart"
    raise InvalidValueError("on_priority_change", "one of 'keep', 'restart'", value)


def _window(instance: object, attribute: attrs.Attribute[ServiceWindow], value: object) -> None:
    as_window(value)


def _name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError("name", "a non-empty string", value)


def _condition(
    instance: object, attribute: attrs.Attribute[Condition | None], value: object
) -> None:
    if value is not None and not isinstance(value, Condition):
        raise InvalidValueError("applies_to", "a Condition or None", value)


def _target_data(target: Target) -> dict[str, Any]:
    """A target's document form."""
    out: dict[str, Any] = {"metric": metric_name(target.metric)}
    if target.priority is not None:
        out["priority"] = target.priority.name
    out["within"] = within_text(target.within)
    if target.window is not None:
        out["window"] = target.window.to_dict()
    if target.pause_on is not None:
        out["pause_on"] = sorted(pause_text(i) for i in target.pause_on)
    return out


def _open_days(window: ServiceWindow) -> bool:
    """Whether the window has an open day to count business days on."""
    try:
        window.next_open_us(to_us("2000-01-01T00:00Z"))
    except NoOpenTimeError:
        return False
    return True


def _halted(items: frozenset[PauseItem]) -> tuple[State, ...] | None:
    """A pause rule on states only, as a tuple; None when it names hold reasons."""
    if any(isinstance(i, HoldReason) for i in items):
        return None
    return tuple(i for i in items if isinstance(i, State))


def _compile(agreement: Agreement) -> Rules:
    """The agreement's rules object: clocks and targets compiled once."""
    clocks: dict[MetricKey, ClockRule] = {
        Metric.RESPONSE: RESPONSE_CLOCK,
        Metric.RESOLUTION: RESOLUTION_CLOCK,
    }
    for clock in agreement.clocks:
        clocks[clock.name] = ClockRule.of(clock)
    pause = pause_trigger(agreement.pause_on)
    halted = _halted(agreement.pause_on)
    targets: dict[MetricKey, dict[Priority | None, TargetRule]] = {}
    for target in agreement.targets:
        if target.metric not in clocks:
            raise InvalidValueError(
                "metric",
                "'response', 'resolution' or the name of one of the agreement's clocks"
                f" ({', '.join(repr(c.name) for c in agreement.clocks) or 'none'})",
                target.metric,
            )
        window = agreement.window if target.window is None else target.window
        days = target.within.days if isinstance(target.within, BusinessDays) else None
        if days is not None and not _open_days(window):
            raise InvalidValueError(
                "window", "a window with open days for a business-day target", window
            )
        targets.setdefault(target.metric, {})[target.priority] = TargetRule(
            us=None if days is not None else to_duration_us(target.within),
            days=days,
            window=window,
            pause=pause if target.pause_on is None else pause_trigger(target.pause_on),
            halted=halted if target.pause_on is None else _halted(target.pause_on),
            within=target.within,
        )
    for clock in agreement.clocks:
        if clock.name not in targets:
            raise InvalidValueError(
                "clocks", "clocks that a target measures (a clock without a target)", clock.name
            )
    return Rules(
        window=agreement.window,
        clocks=clocks,
        targets=targets,
        restart=agreement.on_priority_change == "restart",
        reopen=agreement.on_reopen,
        warn_at=agreement.warn_at,
    )


@attrs.frozen
class Agreement:
    r"""What SLAs, OLAs and underpinning contracts share: targets on a service window.

    ``pause_on`` lists the states (and hold reasons: ``"on_hold:awaiting_caller"``)
    in which a RESOLUTION clock stands still, unless a target has its own;
    ``on_reopen`` whether a reopen resumes the RESOLUTION clock or restarts
    it (the first run keeps its outcome); ``clocks`` the custom
    :class:`Clock`\ s its targets may name; ``warn_at`` the fractions of a
    target at which a clock warns; ``availability`` the agreed availability
    (:meth:`availability_report`); ``on_priority_change`` what a change of
    priority does to a running clock; ``applies_to`` a :class:`Condition`
    choosing the incidents it covers.
    """

    name: str = attrs.field(validator=_name)
    window: ServiceWindow = attrs.field(kw_only=True, validator=_window)
    targets: tuple[Target, ...] = attrs.field(kw_only=True, converter=_targets)
    pause_on: frozenset[PauseItem] = attrs.field(
        kw_only=True, default=frozenset({State.ON_HOLD}), converter=pause_items
    )
    on_reopen: Reopen = attrs.field(kw_only=True, default="resume", converter=_reopen)
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
    clocks: tuple[Clock, ...] = attrs.field(kw_only=True, default=(), converter=_clocks)
    _rules: Rules = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_rules", _compile(self))

    @property
    def metrics(self) -> tuple[MetricKey, ...]:
        """The metrics with targets: response, resolution, then the custom clocks in order."""
        named = {t.metric for t in self.targets}
        built_in = [m for m in Metric if m in named]
        return (*built_in, *(c.name for c in self.clocks if c.name in named))

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
          $.targets[0].metric: must be one of 'response', 'resolution' or another clock named in 'clocks' (got 'answer')
          $.targets[0].within: must be an ISO 8601 duration in weeks, days, hours, minutes and seconds such as 'PT4H' (got 'soon')
        """
        return _read_agreement(cls, document)

    def to_dict(self) -> dict[str, Any]:
        """The configuration document (``from_dict`` of it gives back an equal agreement)."""
        out: dict[str, Any] = {
            "name": self.name,
            "window": self.window.to_dict(),
            "targets": [_target_data(t) for t in self.targets],
            "pause_on": sorted(pause_text(i) for i in self.pause_on),
            "warn_at": [percent_text(w) for w in self.warn_at],
        }
        if self.on_reopen != "resume":
            out["on_reopen"] = self.on_reopen
        if self.clocks:
            out["clocks"] = [c.to_dict() for c in self.clocks]
        if self.availability is not None:
            out["availability"] = percent_text(self.availability)
        if self.on_priority_change != "keep":
            out["on_priority_change"] = self.on_priority_change
        if self.applies_to is not None:
            out["applies_to"] = self.applies_to.to_dict()
        return out

    @classmethod
    def from_file(cls, path: str | PathLike[str]) -> Self:
        """Read a ``.json`` file as JSON and anything else as TOML (the :meth:`from_dict` schema).

        A missing, unreadable or malformed file is a :class:`~itilkit.ConfigError`
        naming it.
        """
        return cls.from_dict(load_document(path))

    @classmethod
    def from_toml(cls, path: str | PathLike[str]) -> Self:
        """Read a TOML file in the :meth:`from_dict` schema (top-level keys), whatever its name."""
        return cls.from_dict(load_document(path, "toml"))

    @classmethod
    def from_json(cls, path: str | PathLike[str]) -> Self:
        """Read a JSON file in the :meth:`from_dict` schema, whatever its name."""
        return cls.from_dict(load_document(path, "json"))

    # -- targets ----------------------------------------------------------------

    def target_for(self, metric: MetricKey, priority: Priority | str | int) -> Target | None:
        """The target that applies to a metric at a priority (specific over general), or None.

        >>> w = ServiceWindow.always()
        >>> sla = SLA("S", window=w, targets=[Target("response", "PT8H"),
        ...                                   Target("response", "PT1H", priority="P1")])
        >>> sla.target_for("response", "P1").within, sla.target_for("response", "P3").within
        (datetime.timedelta(seconds=3600), datetime.timedelta(seconds=28800))
        >>> sla.target_for("resolution", "P1") is None
        True
        """
        m = self._metric(metric)
        p = Priority.parse(priority)
        found = None
        for target in self.targets:
            if target.metric == m:
                if target.priority is p:
                    return target
                if target.priority is None:
                    found = target
        return found

    def _metric(self, metric: object) -> MetricKey:
        """A metric of this agreement: a built-in one, or one of its clocks by name."""
        m = _metric(metric)
        if m not in self._rules.clocks:
            raise InvalidValueError(
                "metric",
                "'response', 'resolution' or the name of one of the agreement's clocks"
                f" ({', '.join(repr(c.name) for c in self.clocks) or 'none'})",
                metric,
            )
        return m

    def applies(self, incident: Incident, attributes: Mapping[str, object] | None = None) -> bool:
        """Whether ``applies_to`` (if any) selects the incident."""
        return self.applies_to is None or self.applies_to.matches(incident, attributes)

    # -- clocks -----------------------------------------------------------------

    def clock(self, incident: Incident, metric: MetricKey, *, as_of: object) -> ClockStatus:
        """Where the incident's clock for ``metric`` stands as of ``as_of`` (its latest run).

        Raises :class:`NoTargetError` when no target applies to the incident's
        priority or the clock never started, and
        :class:`~itilkit.InvalidValueError` when ``as_of`` is before the
        incident opened. :meth:`clocks` gives every run.

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
        m, timeline, found = self._runs(incident, metric, as_of)
        if found and found[-1] is not None:
            return status(self._rules, incident.id, m, found[-1], timeline)
        name = metric_name(m)
        if not found:
            raise NoTargetError(
                "metric", f"a clock that started for {incident.id} by {as_of}", name
            )
        priority, _ = timeline.priority_at(timeline.as_of)
        names = ", ".join(
            "all" if t.priority is None else t.priority.name for t in self.targets if t.metric == m
        )
        raise NoTargetError(
            "priority",
            f"a priority with a {name} target in {self.name!r} ({names or 'none'})",
            priority,
        )

    def _runs(
        self, incident: Incident, metric: object, as_of: object
    ) -> tuple[MetricKey, Timeline, list[Run | None]]:
        if not isinstance(incident, Incident):
            raise InvalidValueError("incident", "an Incident", incident)
        m = self._metric(metric)
        timeline = Timeline(incident, to_us(as_of, "as_of"))
        return m, timeline, runs(self._rules, timeline, m)

    def clocks_of(
        self, incident: Incident, metric: MetricKey, *, as_of: object
    ) -> tuple[ClockStatus, ...]:
        """Every run of the incident's clock for ``metric``, oldest first.

        A clock runs more than once when ``on_reopen="restart"`` starts it
        again on a reopen, or a custom clock's ``reset`` fires; empty when it
        never started. A run whose priority has no target is left out.

        >>> w = ServiceWindow.always(tz="UTC")
        >>> sla = SLA("Std", window=w, targets=[Target("resolution", "PT4H")],
        ...           on_reopen="restart")
        >>> inc = Incident.open("INC3", at="2026-03-02T09:00Z", priority="P3")
        >>> inc = inc.resolve(at="2026-03-02T10:00Z").reopen(at="2026-03-02T12:00Z")
        >>> [(c.stage, c.elapsed) for c in sla.clocks_of(inc, "resolution", as_of="2026-03-02T13:00Z")]
        [('met', datetime.timedelta(seconds=3600)), ('running', datetime.timedelta(seconds=3600))]
        """
        m, timeline, found = self._runs(incident, metric, as_of)
        return tuple(
            status(self._rules, incident.id, m, r, timeline) for r in found if r is not None
        )

    def compliance(
        self,
        incidents: Iterable[Incident],
        *,
        as_of: object,
        attributes: Mapping[str, Mapping[str, object]] | None = None,
        metrics: Iterable[MetricKey] | None = None,
    ) -> ComplianceReport:
        """Met, breached and in-progress clocks of ``incidents`` as of ``as_of``.

        ``metrics`` defaults to every metric with a target (:attr:`metrics`).
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
        chosen = (
            self.metrics
            if metrics is None
            else tuple(self._metric(m) for m in _metric_list(metrics))
        )
        return tally(
            self.name,
            self._rules,
            incidents,
            as_of_us=to_us(as_of, "as_of"),
            metrics=chosen,
            selects=None if self.applies_to is None else self.applies_to.matches,
            attributes=attributes,
        )

    def availability_report(
        self,
        outages: Iterable[Any],
        *,
        start: object,
        end: object,
    ) -> AvailabilityReport:
        """Availability over ``[start, end)`` in the agreement's service hours, against its
        ``availability`` objective: ``report.meets()`` with no argument compares with it.

        >>> from itilkit import Outage
        >>> w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        >>> sla = SLA("Std", window=w, targets=[Target("resolution", "PT4H")],
        ...           availability="97%")
        >>> r = sla.availability_report([Outage("2026-03-02T09:00Z", "2026-03-02T10:00Z")],
        ...                             start="2026-03-02T00:00Z", end="2026-03-03T00:00Z")
        >>> r.target, r.percent, r.meets()        # 8 of 9 hours: 88.9%
        (Fraction(97, 100), Fraction(800, 9), False)
        """
        return measure_availability(
            outages,
            window=self.window,
            start=start,  # type: ignore[arg-type]
            end=end,  # type: ignore[arg-type]
            target=self.availability,
        )

    def reconcile(
        self,
        incidents: Iterable[Incident],
        *,
        as_of: object,
        field: str = "made_sla",
        metrics: Iterable[MetricKey] | None = None,
    ) -> Reconciliation:
        """Our verdict per incident ("no clock breached") against the export's ``field``.

        Each disagreement names the assumptions under which our clocks would
        agree (the clocks counted 24x7: ``"calendar"``; never paused:
        ``"pause rule"``; a recorded priority the matrix disputes:
        ``"priority"``), see :mod:`itilkit._reconcile`.
        """
        as_of_us = to_us(as_of, "as_of")
        always = ServiceWindow.always(tz=self.window.tz)
        return reconcile(
            self.name,
            self._rules,
            incidents,
            as_of_us=as_of_us,
            as_of=from_us(as_of_us, self.window.tz),
            field=field,
            metrics=(
                self.metrics
                if metrics is None
                else tuple(self._metric(m) for m in _metric_list(metrics))
            ),
            alternatives={
                "calendar": attrs.evolve(
                    self,
                    window=always,
                    targets=[attrs.evolve(t, window=None) for t in self.targets],
                )._rules,
                "pause rule": attrs.evolve(
                    self,
                    pause_on=frozenset(),
                    targets=[attrs.evolve(t, pause_on=None) for t in self.targets],
                )._rules,
            },
            selects=None if self.applies_to is None else self.applies_to.matches,
        )

    def reconcile_times(
        self, incidents: Iterable[Incident], *, field: str = "business_resolve_time"
    ) -> TimeReconciliation:
        """Our business time to resolve, in this agreement's window, against the export's
        own figure (``field``, whole seconds: ServiceNow's ``business_stc``).

        Agreement says the export counted in the same schedule; disagreement
        shows, incident by incident, by how much.
        """
        return reconcile_times(self.window, incidents, field=field)


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


def compliance(
    incidents: Iterable[Incident],
    slas: Iterable[Agreement],
    *,
    as_of: object,
    attributes: Mapping[str, Mapping[str, object]] | None = None,
) -> ComplianceReport:
    """Compliance with several agreements at once: each applies to the incidents its
    ``applies_to`` selects (an agreement without one, to all), reported per agreement
    (``report.by_sla``) and overall.

    An incident that no agreement selects counts as ``not_applicable``; one
    that two select is measured by both.

    >>> w = ServiceWindow.always(tz="UTC")
    >>> vip = SLA("VIP", window=w, targets=[Target("resolution", "PT1H")],
    ...           applies_to=Condition(priority="P1"))
    >>> std = SLA("Standard", window=w, targets=[Target("resolution", "PT8H")],
    ...           applies_to=Condition(priority=["P2", "P3", "P4", "P5"]))
    >>> p1 = Incident.open("A", at="2026-03-02T09:00Z", priority="P1").resolve(
    ...     at="2026-03-02T11:00Z")
    >>> p3 = Incident.open("B", at="2026-03-02T09:00Z", priority="P3").resolve(
    ...     at="2026-03-02T11:00Z")
    >>> report = compliance([p1, p3], [vip, std], as_of="2026-03-03T00:00Z")
    >>> report.met, report.breached, {n: r.rate for n, r in report.by_sla.items()}
    (1, 1, {'VIP': Fraction(0, 1), 'Standard': Fraction(1, 1)})
    """
    if isinstance(slas, Agreement):
        slas = (slas,)
    agreements = items_of(
        slas, Agreement, "slas", "an iterable of agreements", "an agreement (SLA, OLA, ...)"
    )
    if not agreements:
        raise InvalidValueError("slas", "at least one agreement", slas)
    seen: set[str] = set()
    for agreement in agreements:
        if agreement.name in seen:
            raise InvalidValueError(
                "slas",
                "agreements with different names (each is reported by name)",
                agreement.name,
            )
        seen.add(agreement.name)
    items = items_of(incidents, Incident, "incidents", "an iterable of Incident", "an Incident")
    as_of_us = to_us(as_of, "as_of")
    given = given_attributes(attributes)
    parts = []
    chosen: set[int] = set()
    for agreement in agreements:
        selected = []
        for i, incident in enumerate(items):
            if agreement.applies(incident, given_values(given, incident.id)):
                selected.append(incident)
                chosen.add(i)
        # Selected above already: the tally need not ask applies_to again.
        parts.append(
            tally(
                agreement.name,
                agreement._rules,
                selected,
                as_of_us=as_of_us,
                metrics=agreement.metrics,
                attributes=given,
            )
        )
    return combine(parts, items, chosen, as_of_us, agreements[0].window.tz)


# --- the document form -------------------------------------------------------------------

AGREEMENT_KEYS = (
    "name",
    "window",
    "targets",
    "pause_on",
    "on_reopen",
    "warn_at",
    "availability",
    "on_priority_change",
    "applies_to",
    "clocks",
)
TARGET_KEYS = ("metric", "priority", "within", "window", "pause_on")
CONDITION_KEYS = ("priority", *CARRIED_FIELDS)

A = TypeVar("A", bound=Agreement)


def _read_agreement(cls: type[A], document: object) -> A:
    """Read an agreement document field by field with the agreement's own converters.

    Every problem is noted at its path and one :class:`~itilkit.ConfigError`
    lists them all; only a clean document builds the agreement (once).
    """
    problems = Problems()
    doc = problems.mapping("$", document)
    if doc is None:
        problems.raise_if_any()
    assert doc is not None
    problems.unknown("$", doc, AGREEMENT_KEYS)
    name = doc.get("name")
    if name is None:
        problems.add("$.name", "is required")
    else:
        problems.check("$.name", lambda: _name(None, None, name))  # type: ignore[arg-type]
    window = None
    if "window" not in doc:
        problems.add("$.window", "is required")
    else:
        window = read_window(doc["window"], "$.window", problems)
    clocks, names = _read_clocks(doc, problems)
    targets = _read_targets(doc, names, problems)
    measured = {t.metric for t in targets}
    clean = {c.name for c in clocks}
    listed, declared = doc.get("targets"), doc.get("clocks")
    if (
        isinstance(listed, list | tuple)
        and isinstance(declared, list | tuple)
        and len(targets) == len(listed)  # no target dropped for a problem
    ):
        for i, item in enumerate(declared):
            called = item.get("name") if isinstance(item, Mapping) else None
            if called in clean and called not in measured:
                problems.add(
                    f"$.clocks[{i}].name",
                    f"must be measured by a target (no target names the clock {called!r})",
                )
    options: dict[str, Any] = {"clocks": clocks}
    if "pause_on" in doc:
        options["pause_on"] = _read_pause_on(doc["pause_on"], "$.pause_on", problems)
    if "on_reopen" in doc:
        options["on_reopen"] = problems.check("$.on_reopen", lambda: _reopen(doc["on_reopen"]))
    if "warn_at" in doc:
        ratios = problems.array("$.warn_at", doc["warn_at"])
        if ratios is not None:
            warnings = [
                problems.check(f"$.warn_at[{i}]", partial(_warning, v))
                for i, v in enumerate(ratios)
            ]
            options["warn_at"] = warnings
    if doc.get("availability") is not None:
        options["availability"] = problems.check(
            "$.availability", lambda: _availability(doc["availability"])
        )
    if "on_priority_change" in doc:
        options["on_priority_change"] = problems.check(
            "$.on_priority_change", lambda: _rule(doc["on_priority_change"])
        )
    if "applies_to" in doc:
        options["applies_to"] = _read_condition(doc["applies_to"], problems)
    problems.raise_if_any()
    assert isinstance(name, str) and window is not None  # else a problem was noted
    try:
        return cls(name, window=window, targets=targets, **options)
    except InvalidValueError as err:  # what only the whole agreement can check
        problems.add(f"$.{err.field}", f"must be {err.expectation} (got {show(err.value)})")
        problems.raise_if_any()
        raise  # pragma: no cover


def _read_pause_on(value: object, path: str, problems: Problems) -> frozenset[PauseItem] | None:
    items = problems.array(path, value)
    if items is None:
        return None
    parsed = [problems.check(f"{path}[{i}]", partial(pause_items, v)) for i, v in enumerate(items)]
    if any(p is None for p in parsed):
        return None
    return frozenset().union(*(p for p in parsed if p is not None))


def _read_clocks(doc: Mapping[str, Any], problems: Problems) -> tuple[list[Clock], set[str]]:
    """The clocks read cleanly, and the names of all clocks (a target may name one with
    a problem of its own without a second problem of its own)."""
    if "clocks" not in doc:
        return [], set()
    items = problems.array("$.clocks", doc["clocks"])
    out: list[Clock] = []
    first: dict[str, str] = {}
    for i, item in enumerate(items or ()):
        path = f"$.clocks[{i}]"
        entry = problems.mapping(path, item)
        if entry is None:
            continue
        problems.unknown(path, entry, CLOCK_KEYS)
        before = len(problems.items)
        for key in ("name", "start", "stop"):
            if key not in entry:
                problems.add(f"{path}.{key}", "is required")
        name = problems.check(f"{path}.name", partial(clock_name, entry.get("name")))
        if name is not None and name in first:
            problems.add(
                f"{path}.name",
                f"must differ from the other clocks' names (got {name!r} again;"
                f" the first is {first[name]})",
            )
        parts = read_clock_parts(entry, path, problems)
        if name is not None:
            first.setdefault(name, path)
        if len(problems.items) == before and name is not None:
            clock = Clock(name, start=parts[0], stop=parts[1], pause=parts[2], reset=parts[3])
            out.append(clock)
    return out, set(first)


def _read_targets(doc: Mapping[str, Any], clocks: set[str], problems: Problems) -> list[Target]:
    if "targets" not in doc:
        problems.add("$.targets", "is required")
        return []
    items = problems.array("$.targets", doc["targets"])
    if items is None:
        return []
    if not items:
        problems.add("$.targets", "must hold at least one target (got [])")
    targets: list[Target] = []
    paths: list[str] = []
    for i, item in enumerate(items):
        path = f"$.targets[{i}]"
        entry = problems.mapping(path, item)
        if entry is None:
            continue
        problems.unknown(path, entry, TARGET_KEYS)
        for required in ("metric", "within"):
            if required not in entry:
                problems.add(f"{path}.{required}", "is required")
        before = len(problems.items)
        metric = within = None
        if "metric" in entry:
            metric = problems.check(
                f"{path}.metric", partial(_document_metric, entry["metric"], clocks)
            )
        if "within" in entry:
            within = problems.check(f"{path}.within", partial(_document_within, entry))
        priority = problems.check(
            f"{path}.priority", partial(_priority_or_none, entry.get("priority"))
        )
        options: dict[str, Any] = {}
        if "window" in entry:
            options["window"] = read_window(entry["window"], f"{path}.window", problems)
        if "pause_on" in entry:
            if metric is not None and metric is not Metric.RESOLUTION:
                problems.add(
                    f"{path}.pause_on",
                    "must be given on resolution targets only (a response clock never pauses;"
                    f" a custom clock pauses on its own 'pause' conditions) (got it on"
                    f" {metric_name(metric)!r})",
                )
            options["pause_on"] = _read_pause_on(entry["pause_on"], f"{path}.pause_on", problems)
        if len(problems.items) == before and metric is not None and within is not None:
            target = problems.check(
                path, partial(Target, metric, within, priority=priority, **options)
            )
            if target is None:
                continue
            for _, first in _repeated([*targets, target]):
                which = "every priority" if priority is None else priority.name
                problems.add(
                    path,
                    f"must be the only {metric_name(metric)} target for {which}"
                    f" (got a second one; the first is {paths[first]})",
                )
                break
            else:
                targets.append(target)
                paths.append(path)
    return targets


def _document_metric(value: object, clocks: set[str]) -> MetricKey:
    """A target's metric in a document: a built-in one, or a clock the document defines."""
    if isinstance(value, str):
        try:
            return Metric.parse(value)
        except InvalidValueError:
            if value in clocks:
                return value
    names = ", ".join(repr(n) for n in ("response", "resolution", *sorted(clocks)))
    raise InvalidValueError("metric", f"one of {names} or another clock named in 'clocks'", value)


def _document_within(entry: Mapping[str, Any]) -> timedelta | BusinessDays:
    """A target's ``within`` as documents write it: an ISO 8601 duration text, or
    a number of business days (``"3 business days"``)."""
    value = entry["within"]
    if not isinstance(value, str):
        raise InvalidValueError(
            "within", "an ISO 8601 duration such as 'PT4H' or '3 business days'", value
        )
    return _within(value)


def _read_condition(value: object, problems: Problems) -> Condition | None:
    doc = problems.mapping("$.applies_to", value)
    if doc is None:
        return None
    problems.unknown("$.applies_to", doc, CONDITION_KEYS)
    before = len(problems.items)
    fields: dict[str, Any] = {}
    for key in CONDITION_KEYS:
        if key not in doc:
            continue
        items = [doc[key]] if isinstance(doc[key], str) else doc[key]
        listed = problems.array(f"$.applies_to.{key}", items)
        for i, item in enumerate(listed or ()):
            path = f"$.applies_to.{key}[{i}]"
            if key == "priority":
                problems.check(path, partial(Priority.parse, item))
            elif not isinstance(item, str):
                problems.add(path, f"must be a string (got {item!r})")
        fields[key] = listed
    if len(problems.items) > before:
        return None
    return Condition(**fields)
