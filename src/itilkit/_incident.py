"""Incidents: the ITIL lifecycle of an unplanned interruption, as an immutable value.

ITIL's incident management practice moves an incident through states: it is
logged (**NEW**), worked on (**IN_PROGRESS**), parked while someone else acts
(**ON_HOLD**, always with a :class:`HoldReason`), fixed (**RESOLVED**), and
finally **CLOSED** once the fix is confirmed, or **CANCELED** when it was no
incident at all. The allowed moves are one frozen table,
:data:`INCIDENT_TRANSITIONS`; a resolved incident that comes back is *reopened* into
IN_PROGRESS.

An :class:`Incident` is a value: each step returns a new incident and the old
one never changes. It keeps its whole ``history`` of :class:`Transition`\\ s
and its ``priority_history`` of :class:`PriorityChange`\\ s, because SLA
targets depend on the state and the priority *at each moment*. The opening is
not a transition: the incident is NEW from ``opened_at`` until the first
transition.

Real ticket systems record impossible things (a step the table forbids, a
clock that went backwards). :meth:`Incident.replay` with ``strict=False``
keeps such steps as recorded, in recorded order, and notes each as an
:class:`Anomaly`; consumers then count a segment whose end is before its start
as zero, never negative.

>>> inc = Incident.open(
...     "INC1", at="2026-03-02T09:00+01:00", impact="2 - Medium", urgency="1 - High"
... )
>>> inc = inc.start_work(at="2026-03-02T09:20+01:00").resolve(at="2026-03-02T11:00+01:00")
>>> inc.state, inc.priority, inc.time_in(State.IN_PROGRESS)
(<State.RESOLVED: 'resolved'>, <Priority.P2: 2>, datetime.timedelta(seconds=6000))
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta, tzinfo
from types import MappingProxyType
from typing import Any, Final, cast

import attrs
import pendulum

from ._errors import ChronologyError, InvalidTransitionError, InvalidValueError
from ._priority import ITIL_PRIORITIES, Impact, Priority, PriorityMatrix, Urgency
from ._report import html_table
from ._time import InstantLike, from_us, moment, to_timedelta, to_us, us_field
from ._vocabulary import parse_member
from ._window import ServiceWindow, as_window

__all__ = [
    "CARRIED_FIELDS",
    "FINAL_STATES",
    "INCIDENT_TRANSITIONS",
    "Anomaly",
    "FieldChange",
    "HoldReason",
    "Incident",
    "PriorityChange",
    "State",
    "Transition",
    "carried_changes",
]


class _Vocabulary(enum.Enum):
    @classmethod
    def parse(cls, value: object) -> Any:
        """The member named ``value`` in any case (``'on_hold'``, ``'On Hold'``, ``'ON-HOLD'``)."""
        aliases = {k: v for k, v in _ALIASES.items() if isinstance(v, cls)}
        return parse_member(cls, value, cls.__name__.lower(), aliases)


class State(_Vocabulary):
    """Where an incident is in its lifecycle.

    >>> State.parse("on_hold"), State.parse("In Progress")
    (<State.ON_HOLD: 'on_hold'>, <State.IN_PROGRESS: 'in_progress'>)
    """

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELED = "canceled"

    @classmethod
    def parse(cls, value: object) -> State:
        """The state named ``value`` in any case or spacing."""
        found: State = super().parse(value)
        return found


class HoldReason(_Vocabulary):
    """Why an incident is ON_HOLD (ServiceNow's *On hold reason*).

    >>> HoldReason.parse("awaiting caller")
    <HoldReason.AWAITING_CALLER: 'awaiting_caller'>
    """

    AWAITING_CALLER = "awaiting_caller"
    AWAITING_CHANGE = "awaiting_change"
    AWAITING_PROBLEM = "awaiting_problem"
    AWAITING_VENDOR = "awaiting_vendor"
    AWAITING_EVIDENCE = "awaiting_evidence"

    @classmethod
    def parse(cls, value: object) -> HoldReason:
        """The hold reason named ``value`` in any case or spacing."""
        found: HoldReason = super().parse(value)
        return found


_ALIASES: Final[Mapping[str, State]] = MappingProxyType(
    {"cancelled": State.CANCELED, "active": State.IN_PROGRESS}
)

_S = State
INCIDENT_TRANSITIONS: Final[Mapping[State, frozenset[State]]] = MappingProxyType(
    {
        _S.NEW: frozenset({_S.IN_PROGRESS, _S.ON_HOLD, _S.RESOLVED, _S.CANCELED}),
        _S.IN_PROGRESS: frozenset({_S.ON_HOLD, _S.RESOLVED, _S.CANCELED}),
        _S.ON_HOLD: frozenset({_S.ON_HOLD, _S.IN_PROGRESS, _S.RESOLVED, _S.CANCELED}),
        _S.RESOLVED: frozenset({_S.IN_PROGRESS, _S.CLOSED}),
        _S.CLOSED: frozenset(),
        _S.CANCELED: frozenset(),
    }
)
"""The allowed moves: ``INCIDENT_TRANSITIONS[from_state]`` is the set of states it may move to.

Source: ServiceNow Incident Management, "Life cycle of an Incident" (the
incident state model: New, In Progress, On Hold with an On hold reason,
Resolved, Closed, Canceled), which implements ITIL 4's incident management
practice. Read as:

- NEW may be worked on, put on hold, resolved at once, or canceled;
- IN_PROGRESS may be put on hold, resolved or canceled;
- ON_HOLD may resume, be resolved or canceled, or stay on hold with another
  reason (ServiceNow lets the *On hold reason* change while on hold);
- RESOLVED may be **reopened** (back to IN_PROGRESS) or closed;
- CLOSED and CANCELED are final: nothing leaves them.
"""

FINAL_STATES: Final = frozenset({State.CLOSED, State.CANCELED})
"""States nothing leaves (their row in :data:`INCIDENT_TRANSITIONS` is empty)."""

_ACTIVE: Final = frozenset({State.NEW, State.IN_PROGRESS, State.ON_HOLD})


@attrs.frozen
class Transition:
    """One move between states: at ``at`` the incident went ``from_state`` -> ``to_state``.

    ``reason`` is the :class:`HoldReason` of a move into ON_HOLD, else None.

    >>> import pendulum
    >>> step = Transition(pendulum.datetime(2026, 3, 2, 9), State.NEW, State.IN_PROGRESS)
    >>> step.to_state, step.reason
    (<State.IN_PROGRESS: 'in_progress'>, None)
    """

    at: pendulum.DateTime
    from_state: State
    to_state: State
    reason: HoldReason | None = None
    at_us: int = us_field("at")
    """The same instant, as integer microseconds since the epoch (UTC)."""


@attrs.frozen
class PriorityChange:
    """From ``at`` on, the incident has this impact, urgency and priority.

    The priority is the matrix's for the impact and urgency, unless a ticket
    system recorded its own (an export's priority column, which follows that
    system's matrix): then it is the recorded one, and the impact and urgency
    are kept beside it as recorded (None where the export has none).

    >>> import pendulum
    >>> at = pendulum.datetime(2026, 3, 2, 9)
    >>> PriorityChange(at, Impact.HIGH, Urgency.HIGH, Priority.P1).priority
    <Priority.P1: 1>
    """

    at: pendulum.DateTime
    impact: Impact | int | None
    urgency: Urgency | int | None
    priority: Priority
    at_us: int = us_field("at")
    """The same instant, as integer microseconds since the epoch (UTC)."""


CARRIED_FIELDS: Final = (
    "service",
    "ci",
    "category",
    "subcategory",
    "symptom",
    "group",
    "assignee",
    "contact_type",
    "location",
    "caller",
    "problem",
    "change",
    "caused_by",
    "made_sla",
    "reassignment_count",
    "reopen_count",
    "knowledge",
    "business_resolve_time",
    "resolve_time",
)
"""The neutral names of the fields an incident carries from a ticket system, beside its lifecycle.

The service and configuration item it touches, how it is classified
(category, subcategory, symptom), who holds it (assignment group, assignee),
how it came in (contact type, location, caller), what it is linked to
(problem, change, the change that caused it), and the system's own counters
and verdicts (``made_sla``, reassignment and reopen counts, knowledge, and
its own resolve times in seconds: ``business_resolve_time`` inside its
schedule, ``resolve_time`` in calendar time; ServiceNow's ``business_stc``
and ``calendar_stc``).
"""


@attrs.frozen
class FieldChange:
    """At ``at`` a carried field went from ``old`` to ``new`` (None: no value).

    The first value a field takes is a change from None.

    >>> import pendulum
    >>> FieldChange(pendulum.datetime(2026, 3, 2, 9), None, "Network").new
    'Network'
    """

    at: pendulum.DateTime
    old: str | None
    new: str | None
    at_us: int = us_field("at")
    """The same instant, as integer microseconds since the epoch (UTC)."""


@attrs.frozen
class Anomaly:
    """Something a ticket system recorded that the lifecycle forbids, kept as recorded.

    ``kind`` is one of ``"forbidden_transition"``, ``"clock_backwards"``,
    ``"hold_without_reason"`` or, from an export, one of the kinds the readers
    of ``itilkit.io`` document (``"nonexistent_time"``,
    ``"priority_mismatch"``, ``"unknown_state"``, ``"no_history"``,
    ``"duplicate_id"``, ...; the importing guide lists them all). ``row`` is the
    event-log row (header = row 1) when the step came from a file, else None;
    ``at`` is None when the row's time could not be read.

    >>> Anomaly("INC1", None, "clock_backwards", "a step before the one it follows", None).kind
    'clock_backwards'
    """

    incident_id: str
    row: int | None
    kind: str
    message: str
    at: pendulum.DateTime | None


@attrs.frozen
class Incident:
    """An incident and its whole life so far; every step returns a new incident.

    Build one with :meth:`open` or :meth:`replay`. Times are pendulum
    ``DateTime``\\ s in the zone the incident was opened in.

    >>> inc = Incident.open("INC7", at="2026-03-02T09:00+00:00", impact=1, urgency=1)
    >>> later = inc.hold(at="2026-03-02T09:05+00:00", reason=HoldReason.AWAITING_CALLER)
    >>> inc.state, later.state, later.hold_reason
    (<State.NEW: 'new'>, <State.ON_HOLD: 'on_hold'>, <HoldReason.AWAITING_CALLER: ...>)
    """

    id: str
    opened_at: pendulum.DateTime
    history: tuple[Transition, ...]
    priority_history: tuple[PriorityChange, ...]
    matrix: PriorityMatrix
    anomalies: tuple[Anomaly, ...] = ()
    opened_at_us: int = us_field("opened_at")
    """``opened_at`` as integer microseconds since the epoch (UTC)."""
    carried: tuple[str | int | None, ...] = attrs.field(default=(), kw_only=True, repr=False)
    """The changes of the carried fields, flat and compact: ``(field, at_us, new, ...)`` in
    order; read them through :attr:`attributes` and :meth:`changes`."""

    # ---------------------------------------------------------------- building

    @classmethod
    def open(
        cls,
        id: str,
        *,
        at: InstantLike,
        impact: object = None,
        urgency: object = None,
        matrix: PriorityMatrix = ITIL_PRIORITIES,
        priority: object = None,
    ) -> Incident:
        """A NEW incident logged at ``at`` with its impact and urgency.

        ``priority`` is a priority recorded elsewhere (a ticket system's own
        matrix): it is kept as given, and impact and urgency may then be
        left out. Without it, the matrix computes the priority from both.

        >>> inc = Incident.open("INC1", at="2026-03-02T09:00+09:00", impact="high", urgency="low")
        >>> inc.state, inc.priority
        (<State.NEW: 'new'>, <Priority.P3: 3>)
        >>> Incident.open("INC2", at="2026-03-02T09:00+09:00", priority="4 - Low").priority
        <Priority.P4: 4>
        """
        if not isinstance(id, str) or not id:
            raise InvalidValueError("id", "a non-empty string", id)
        if not isinstance(matrix, PriorityMatrix):
            raise InvalidValueError("matrix", "a PriorityMatrix", matrix)
        opened, us = moment(at, "at")
        i = None if impact is None and priority is not None else matrix.impact_level(impact)
        u = None if urgency is None and priority is not None else matrix.urgency_level(urgency)
        p = matrix.priority(i, u) if priority is None else Priority.parse(priority)
        first = PriorityChange(opened, i, u, p, at_us=us)
        return cls(id, opened, (), (first,), matrix, (), opened_at_us=us)

    @classmethod
    def replay(
        cls,
        id: str,
        events: Iterable[object],
        *,
        impact: object,
        urgency: object,
        strict: bool = True,
        opened_at: object = None,
        matrix: PriorityMatrix = ITIL_PRIORITIES,
    ) -> Incident:
        """The incident that the recorded ``events`` describe, step by step.

        Each event is ``(at, state)`` or ``(at, state, reason)`` (a state
        change; a state may be given by name), or a :class:`PriorityChange`
        (a reprioritization at its ``at``; its priority is recomputed from the
        matrix). The incident opens at ``opened_at``; without one, at the
        first event's time, and a first event to NEW is then the opening
        itself. An event that repeats the current state (and hold reason)
        changes nothing.

        With ``strict=True`` (the default) a forbidden step raises
        :class:`~itilkit.InvalidTransitionError` and a step earlier than the
        one before raises :class:`~itilkit.ChronologyError`, exactly as the
        single steps do. With ``strict=False`` such steps, and a hold without
        a reason, are kept as recorded and noted in ``inc.anomalies``.

        >>> events = [("2026-03-02T09:00+00:00", State.NEW),
        ...           ("2026-03-02T09:30+00:00", "in_progress"),
        ...           ("2026-03-02T09:10+00:00", State.RESOLVED)]
        >>> inc = Incident.replay("INC9", events, impact=2, urgency=2, strict=False)
        >>> [a.kind for a in inc.anomalies], inc.time_in(State.IN_PROGRESS)
        (['clock_backwards'], datetime.timedelta(0))
        """
        items = list(events)
        if opened_at is None:
            if not items:
                raise InvalidValueError("events", "non-empty when 'opened_at' is not given", items)
            first_at = (
                items[0].at if isinstance(items[0], PriorityChange) else _event(items[0], 0)[0]
            )
            opened_at = first_at
            if not isinstance(items[0], PriorityChange) and _event(items[0], 0)[1] is State.NEW:
                items = items[1:]
        inc = cls.open(
            id, at=cast(InstantLike, opened_at), impact=impact, urgency=urgency, matrix=matrix
        )
        builder = StepBuilder(inc, strict=strict)
        for index, item in enumerate(items):
            where = f"event {index} of {id!r}"
            if isinstance(item, PriorityChange):
                builder.reprioritize(to_us(item.at, "at"), item.impact, item.urgency, None, where)
                continue
            at, state, reason = _event(item, index)
            builder.step(to_us(at, "at"), state, reason, None, where)
        return builder.build()

    # ---------------------------------------------------------------- steps

    def transition(self, to_state: object, *, at: InstantLike, reason: object = None) -> Incident:
        """The incident after moving to ``to_state`` at ``at``, as :data:`INCIDENT_TRANSITIONS` allows.

        >>> inc = Incident.open("INC1", at="2026-03-02T09:00+00:00", impact=1, urgency=1)
        >>> inc.transition(State.CLOSED, at="2026-03-02T10:00+00:00")
        Traceback (most recent call last):
        ...
        itilkit.InvalidTransitionError: 'to_state' must be one of the moves allowed from NEW ...
        """
        builder = StepBuilder(self, strict=True)
        reason_value = None if reason is None else HoldReason.parse(reason)
        builder.step(to_us(at, "at"), State.parse(to_state), reason_value, None, None)
        return builder.build()

    def start_work(self, *, at: InstantLike) -> Incident:
        """Move to IN_PROGRESS (someone picks the incident up)."""
        return self.transition(State.IN_PROGRESS, at=at)

    def hold(self, *, at: InstantLike, reason: object) -> Incident:
        """Put the incident ON_HOLD for a :class:`HoldReason` (required)."""
        return self.transition(State.ON_HOLD, at=at, reason=reason)

    def resume(self, *, at: InstantLike) -> Incident:
        """Move from ON_HOLD back to IN_PROGRESS (only from ON_HOLD)."""
        return self._step_from("resume", State.ON_HOLD, State.IN_PROGRESS, at)

    def resolve(self, *, at: InstantLike) -> Incident:
        """Move to RESOLVED (a fix is in place)."""
        return self.transition(State.RESOLVED, at=at)

    def reopen(self, *, at: InstantLike) -> Incident:
        """Move a RESOLVED incident back to IN_PROGRESS (the fix did not hold; only from RESOLVED).

        >>> inc = Incident.open("INC1", at="2026-03-02T09:00+00:00", impact=2, urgency=2)
        >>> inc.reopen(at="2026-03-02T10:00+00:00")
        Traceback (most recent call last):
        ...
        itilkit.InvalidTransitionError: 'reopen' must start from RESOLVED (got NEW)
        """
        return self._step_from("reopen", State.RESOLVED, State.IN_PROGRESS, at)

    def _step_from(self, step: str, source: State, target: State, at: InstantLike) -> Incident:
        """A named step that means something only from ``source`` (reopen, resume)."""
        if self.state is not source:
            raise InvalidTransitionError(self.state, target, {source}, step=step)
        return self.transition(target, at=at)

    def close(self, *, at: InstantLike) -> Incident:
        """Move a RESOLVED incident to CLOSED (final)."""
        return self.transition(State.CLOSED, at=at)

    def cancel(self, *, at: InstantLike) -> Incident:
        """Move to CANCELED (final): a duplicate, or not an incident at all."""
        return self.transition(State.CANCELED, at=at)

    def reprioritize(
        self,
        *,
        at: InstantLike,
        impact: object = None,
        urgency: object = None,
        priority: object = None,
    ) -> Incident:
        """The incident with a new impact and/or urgency from ``at`` on (the history is kept).

        The matrix computes the new priority, unless ``priority`` gives the
        one a ticket system recorded. A change that leaves everything as it
        was returns the incident unchanged.

        >>> inc = Incident.open("INC1", at="2026-03-02T09:00+00:00", impact=3, urgency=3)
        >>> inc = inc.reprioritize(at="2026-03-02T09:30+00:00", impact=Impact.HIGH)
        >>> [(c.at.minute, c.priority) for c in inc.priority_history]
        [(0, <Priority.P5: 5>), (30, <Priority.P3: 3>)]
        >>> inc.reprioritize(at="2026-03-02T10:00+00:00", priority="P4").priority
        <Priority.P4: 4>
        """
        if impact is None and urgency is None and priority is None:
            raise InvalidValueError(
                "impact", "given, or 'urgency' or 'priority' given, to reprioritize", None
            )
        if self.state in FINAL_STATES:
            raise InvalidValueError(
                "state", "not final (CLOSED or CANCELED) to reprioritize", self.state
            )
        builder = StepBuilder(self, strict=True)
        recorded = None if priority is None else Priority.parse(priority)
        builder.reprioritize(to_us(at, "at"), impact, urgency, None, None, recorded)
        return builder.build()

    def set_fields(self, *, at: InstantLike, **fields: str | None) -> Incident:
        """The incident with carried fields set from ``at`` on (None clears one).

        What an import does for each update of a ticket (its assignment
        group, assignee, service, ...), for incidents built in Python. The
        names are those of :data:`CARRIED_FIELDS`; each change is kept in
        :meth:`changes`, so clocks on fields (:class:`~itilkit.Clock`) see
        when it happened. ``at`` may not be before the opening or before the
        last change of a field.

        >>> inc = Incident.open("INC1", at="2026-03-02T09:00+00:00", priority="P3")
        >>> inc = inc.set_fields(at="2026-03-02T09:00+00:00", group="Service desk")
        >>> inc = inc.set_fields(at="2026-03-02T10:00+00:00", group="Network", assignee="kim")
        >>> dict(inc.attributes), [c.new for c in inc.changes("group")]
        ({'group': 'Network', 'assignee': 'kim'}, ['Service desk', 'Network'])
        """
        if not fields:
            raise InvalidValueError("fields", f"at least one of {', '.join(CARRIED_FIELDS)}", {})
        us = to_us(at, "at")
        last = max([self.opened_at_us, *(v for v in self.carried[1::3] if isinstance(v, int))])
        if us < last:
            raise ChronologyError(
                "at", from_us(us, self.tz).isoformat(), from_us(last, self.tz).isoformat()
            )
        current = self.attributes
        added: list[str | int | None] = []
        for name in sorted(fields):
            value = fields[name]
            if name not in CARRIED_FIELDS:
                raise InvalidValueError("field", f"one of {', '.join(CARRIED_FIELDS)}", name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise InvalidValueError(name, "a non-empty string, or None to clear it", value)
            if current.get(name) != value:  # only real changes, as an import records them
                added += (name, us, value)
        return attrs.evolve(self, carried=(*self.carried, *added)) if added else self

    # ---------------------------------------------------------------- queries

    @property
    def tz(self) -> tzinfo:
        """The zone the incident's times are shown in (the zone it was opened in)."""
        zone = self.opened_at.tzinfo
        assert zone is not None
        return zone

    @property
    def state(self) -> State:
        """The current state."""
        return self.history[-1].to_state if self.history else State.NEW

    @property
    def hold_reason(self) -> HoldReason | None:
        """The reason of the current hold, or None when not ON_HOLD."""
        return self.history[-1].reason if self.history else None

    @property
    def is_final(self) -> bool:
        """True once CLOSED or CANCELED."""
        return self.state in FINAL_STATES

    @property
    def impact(self) -> Impact | int | None:
        """The current impact level (None when only a recorded priority is known)."""
        return self.priority_history[-1].impact

    @property
    def urgency(self) -> Urgency | int | None:
        """The current urgency level (None when only a recorded priority is known)."""
        return self.priority_history[-1].urgency

    @property
    def priority(self) -> Priority:
        """The current priority."""
        return self.priority_history[-1].priority

    @property
    def attributes(self) -> Mapping[str, str]:
        """The final value of each carried field that has one (read-only).

        Fields come from an import (:func:`itilkit.io.read_event_log`) under
        the neutral names of :data:`CARRIED_FIELDS`; a field whose last value
        was cleared is absent.
        """
        final: dict[str, str] = {}
        data = self.carried
        for i in range(0, len(data), 3):
            field, value = data[i], data[i + 2]
            assert isinstance(field, str)
            if value is None:
                final.pop(field, None)
            else:
                assert isinstance(value, str)
                final[field] = value
        return MappingProxyType(final)

    def changes(self, field: str) -> tuple[FieldChange, ...]:
        """Every change of the carried ``field``, in order; the first is from None.

        ``field`` is one of :data:`CARRIED_FIELDS`; a field the incident never
        carried has no changes.

        >>> Incident.open("INC1", at="2026-03-02T09:00+00:00", priority="P3").changes("group")
        ()
        """
        if field not in CARRIED_FIELDS:
            raise InvalidValueError("field", f"one of {', '.join(CARRIED_FIELDS)}", field)
        out: list[FieldChange] = []
        old: str | None = None
        data = self.carried
        tz = self.tz
        for i in range(0, len(data), 3):
            if data[i] == field:
                us, new = data[i + 1], data[i + 2]
                assert isinstance(us, int) and not isinstance(new, int)
                out.append(FieldChange(from_us(us, tz), old, new, at_us=us))
                old = new
        return tuple(out)

    def priority_at(self, at: object) -> Priority:
        """The priority in force at ``at`` (the opening priority before ``opened_at``).

        >>> inc = Incident.open("INC1", at="2026-03-02T09:00+00:00", impact=3, urgency=3)
        >>> inc = inc.reprioritize(at="2026-03-02T10:00+00:00", impact=1, urgency=1)
        >>> inc.priority_at("2026-03-02T09:59+00:00"), inc.priority_at("2026-03-02T10:00+00:00")
        (<Priority.P5: 5>, <Priority.P1: 1>)
        """
        us = to_us(at, "at")
        current = self.priority_history[0].priority
        for change in self.priority_history:
            if change.at_us <= us:
                current = change.priority
        return current

    @property
    def resolved_at(self) -> pendulum.DateTime | None:
        """When it was last resolved; None if never, or if it was reopened since."""
        for step in reversed(self.history):
            if step.to_state is State.RESOLVED:
                return step.at
            if step.to_state in _ACTIVE:
                return None
        return None

    @property
    def closed_at(self) -> pendulum.DateTime | None:
        """When it was closed, or None while it is not CLOSED."""
        return self.history[-1].at if self.state is State.CLOSED else None

    @property
    def canceled_at(self) -> pendulum.DateTime | None:
        """When it was canceled, or None while it is not CANCELED."""
        return self.history[-1].at if self.state is State.CANCELED else None

    def segments_us(self) -> list[tuple[State, int, int | None]]:
        """Each stay in a state as ``(state, start_us, end_us)``; the current stay ends in None.

        Segments follow the recorded order; after an anomaly an end may be
        earlier than its start (count such a segment as zero).

        >>> inc = Incident.open("INC1", at="1970-01-01T00:00+00:00", impact=1, urgency=1)
        >>> inc.start_work(at="1970-01-01T00:00:01+00:00").segments_us()
        [(<State.NEW: 'new'>, 0, 1000000), (<State.IN_PROGRESS: 'in_progress'>, 1000000, None)]
        """
        out: list[tuple[State, int, int | None]] = []
        state, start = State.NEW, self.opened_at_us
        for step in self.history:
            out.append((state, start, step.at_us))
            state, start = step.to_state, step.at_us
        out.append((state, start, None))
        return out

    def time_in(
        self, state: object, *, window: ServiceWindow | None = None, as_of: object = None
    ) -> timedelta:
        """Total time spent in ``state`` over the incident's life (inside ``window`` if given).

        A final incident's life ends when it was closed or canceled, so the
        time in CLOSED or CANCELED is zero. An incident still open is in its
        current state *now*, and itilkit has no hidden clock: asking for the
        current state then needs ``as_of`` (an :class:`~itilkit.InvalidValueError`
        otherwise). With ``as_of``, only time before it counts. Segments that
        run backwards (a recorded clock anomaly) count as zero.

        >>> inc = Incident.open("INC1", at="2026-03-02T09:00+00:00", impact=1, urgency=1)
        >>> inc = inc.hold(at="2026-03-02T10:00+00:00", reason="awaiting_caller")
        >>> inc.time_in(State.NEW)
        datetime.timedelta(seconds=3600)
        >>> inc.time_in(State.ON_HOLD, as_of="2026-03-02T10:30+00:00")
        datetime.timedelta(seconds=1800)
        >>> inc.time_in(State.ON_HOLD)
        Traceback (most recent call last):
        ...
        itilkit.InvalidValueError: 'as_of' must be given: the incident is still ON_HOLD, ...
        """
        hours = None if window is None else as_window(window)
        wanted = State.parse(state)
        limit = None if as_of is None else to_us(as_of, "as_of")
        if limit is None and wanted is self.state and not self.is_final:
            raise InvalidValueError(
                "as_of",
                f"given: the incident is still {wanted.name}, so its time there has no end yet",
                None,
            )
        total = 0
        for seg_state, start, end in self.segments_us():
            if seg_state is not wanted:
                continue
            if end is None:
                if self.is_final or limit is None:
                    continue
                end = limit
            elif limit is not None and end > limit:
                end = limit
            if end <= start:
                continue
            total += end - start if hours is None else hours.business_time_us(start, end)
        return to_timedelta(total)

    def _repr_html_(self) -> str:
        """The incident for Jupyter: where it stands, its history, and what it carries.

        Everything shown is escaped; ids and fields come from ticket systems.

        >>> inc = Incident.open("INC<1>", at="2026-03-02T09:00+00:00", impact=2, urgency=2)
        >>> "INC&lt;1&gt;" in inc._repr_html_(), "<script" in inc._repr_html_()
        (True, False)
        """

        def level(value: Impact | Urgency | int | None) -> str:
            if value is None:
                return "not recorded"
            if isinstance(value, Impact | Urgency):
                return f"{value.value} - {value.label}"
            return str(value)

        def ranked(priority: Priority) -> str:
            return f"{priority.name} ({priority.label})"

        state = self.state.name
        if self.hold_reason is not None:
            state += f" ({self.hold_reason.name})"
        summary = [
            ["state", state],
            ["priority", ranked(self.priority)],
            ["impact", level(self.impact)],
            ["urgency", level(self.urgency)],
            ["opened", self.opened_at.isoformat()],
        ]
        if self.resolved_at is not None:
            summary.append(["resolved", self.resolved_at.isoformat()])
        if self.closed_at is not None:
            summary.append(["closed", self.closed_at.isoformat()])
        if self.canceled_at is not None:
            summary.append(["canceled", self.canceled_at.isoformat()])
        out = html_table(["field", "value"], summary, title=f"Incident {self.id}")

        # The opening, then every move and every reprioritization merged by time;
        # each kind keeps its recorded order, so a clock that ran backwards shows.
        first, *changes = self.priority_history
        moves = [
            (
                step.at_us,
                step.at,
                f"{step.from_state.name} -> {step.to_state.name}",
                "" if step.reason is None else step.reason.name,
            )
            for step in self.history
        ]
        befores = [first.priority, *(change.priority for change in changes)]
        priorities = [
            (
                change.at_us,
                change.at,
                f"priority {before.name} -> {change.priority.name}",
                f"impact {level(change.impact)}, urgency {level(change.urgency)}",
            )
            for before, change in zip(befores, changes, strict=False)
        ]
        opening = f"NEW, {ranked(first.priority)}; impact {level(first.impact)}, "
        opening += f"urgency {level(first.urgency)}"
        history = [[self.opened_at.isoformat(), "opened", opening]]
        history += [
            [at.isoformat(), what, detail]
            for _, at, what, detail in heapq.merge(moves, priorities, key=lambda e: e[0])
        ]
        out += html_table(["at", "event", "detail"], history, title="History")

        carried = [[name, value] for name, value in self.attributes.items()]
        if carried:
            out += html_table(["field", "value"], carried, title="Carried fields")
        if self.anomalies:
            rows = [
                ["" if a.at is None else a.at.isoformat(), a.kind, a.message]
                for a in self.anomalies
            ]
            out += html_table(["at", "anomaly", "message"], rows, title="Anomalies")
        return out


def carried_changes(incident: Incident, until: int) -> list[tuple[int, str, str | None]]:
    """The changes of carried fields up to ``until`` (microseconds), as ``(at, field,
    value)`` in recorded order; a change dated before the one it follows, or before the
    opening, is moved up to it (as clocks treat steps), so the instants never go back."""
    out: list[tuple[int, str, str | None]] = []
    cursor, data = incident.opened_at_us, incident.carried
    for i in range(0, len(data), 3):
        at = data[i + 1]
        assert isinstance(at, int)
        if at < cursor:
            at = cursor
        if at > until:
            break
        cursor = at
        name, value = data[i], data[i + 2]
        assert isinstance(name, str) and not isinstance(value, int)
        out.append((at, name, value))
    return out


def _event(item: object, index: int) -> tuple[object, State, HoldReason | None]:
    if not isinstance(item, Sequence) or isinstance(item, str) or len(item) not in (2, 3):
        raise InvalidValueError(
            f"events[{index}]", "(at, state) or (at, state, reason), or a PriorityChange", item
        )
    state = State.parse(item[1])
    reason = HoldReason.parse(item[2]) if len(item) == 3 and item[2] is not None else None
    return item[0], state, reason


class StepBuilder:
    """Applies steps to an incident on plain integers, then builds the value once.

    Shared by the single steps, :meth:`Incident.replay` and the event-log
    importer, so every path checks the same rules.
    """

    __slots__ = (
        "anomalies",
        "carried",
        "history",
        "impact",
        "inc",
        "last_at",
        "last_us",
        "priorities",
        "reason",
        "state",
        "strict",
        "tz",
        "urgency",
    )

    def __init__(self, inc: Incident, *, strict: bool) -> None:
        self.inc = inc
        self.strict = strict
        self.tz = inc.tz
        self.history = list(inc.history)
        self.priorities = list(inc.priority_history)
        self.anomalies = list(inc.anomalies)
        self.carried = list(inc.carried)
        self.state = inc.state
        self.reason = inc.hold_reason
        self.impact: object = inc.impact
        self.urgency: object = inc.urgency
        last = inc.opened_at_us
        if inc.history:
            last = inc.history[-1].at_us
        if len(inc.priority_history) > 1:
            last = max(last, inc.priority_history[-1].at_us)
        self.last_us = last
        self.last_at = (inc.opened_at_us, inc.opened_at)

    def _at(self, us: int) -> pendulum.DateTime:
        """The DateTime of ``us``, shared with the step before when it is the same instant."""
        if self.last_at[0] != us:
            self.last_at = (us, from_us(us, self.tz))
        return self.last_at[1]

    def note(self, kind: str, message: str, us: int | None, row: int | None) -> None:
        at = None if us is None else self._at(us)
        self.anomalies.append(Anomaly(self.inc.id, row, kind, message, at))

    def carry(self, us: int, field: str, value: str | None) -> None:
        """Record that the carried ``field`` holds ``value`` from ``us`` on (the caller
        passes only real changes, in order)."""
        self.carried += (field, us, value)

    def _check_time(self, us: int, row: int | None, where: str | None) -> None:
        if us < self.last_us:
            if self.strict:
                error = ChronologyError("at", from_us(us, self.tz), from_us(self.last_us, self.tz))
                if where:
                    error.add_note(f"while replaying {where}")
                raise error
            self.note(
                "clock_backwards",
                f"{self.inc.id}: a step at {from_us(us, self.tz)} is earlier than the step"
                f" before it at {from_us(self.last_us, self.tz)}; kept as recorded",
                us,
                row,
            )
        self.last_us = us

    def step(
        self,
        us: int,
        to_state: State,
        reason: HoldReason | None,
        row: int | None,
        where: str | None,
    ) -> None:
        """Move to ``to_state`` at ``us``; a repeat of the current state in a replay is skipped."""
        if where is not None and to_state is self.state and reason == self.reason:
            return  # replay: a record that repeats the current state changes nothing
        allowed = INCIDENT_TRANSITIONS[self.state]
        if to_state not in allowed or (
            to_state is State.ON_HOLD and self.state is State.ON_HOLD and reason == self.reason
        ):
            if self.strict:
                error = InvalidTransitionError(self.state, to_state, allowed)
                if where:
                    error.add_note(f"while replaying {where}")
                raise error
            self.note(
                "forbidden_transition",
                f"{self.inc.id}: {self.state.name} -> {to_state.name} is not an allowed move"
                f" (allowed: {', '.join(sorted(s.name for s in allowed)) or 'nothing'});"
                " kept as recorded",
                us,
                row,
            )
        if to_state is State.ON_HOLD and reason is None:
            if self.strict:
                raise InvalidValueError(
                    "reason", "a HoldReason when the incident goes ON_HOLD", reason
                )
            self.note(
                "hold_without_reason",
                f"{self.inc.id}: put ON_HOLD without a hold reason; kept as recorded",
                us,
                row,
            )
        if reason is not None and to_state is not State.ON_HOLD:
            raise InvalidValueError("reason", f"None for a move to {to_state.name}", reason)
        self._check_time(us, row, where)
        self.history.append(Transition(self._at(us), self.state, to_state, reason, at_us=us))
        self.state = to_state
        self.reason = reason

    def reprioritize(
        self,
        us: int,
        impact: object,
        urgency: object,
        row: int | None,
        where: str | None,
        priority: Priority | None = None,
    ) -> None:
        """Record a new impact/urgency at ``us`` (None keeps the current one).

        The matrix computes the priority, unless ``priority`` is the one a
        ticket system recorded: then it is kept as given.
        """
        matrix = self.inc.matrix
        new_impact = self.impact if impact is None else matrix.impact_level(impact)
        new_urgency = self.urgency if urgency is None else matrix.urgency_level(urgency)
        if priority is None:
            if new_impact is None or new_urgency is None:
                missing = "impact" if new_impact is None else "urgency"
                raise InvalidValueError(
                    missing,
                    "given, or 'priority' given: the incident has no recorded "
                    f"{missing} to compute a priority from",
                    None,
                )
            priority = matrix.priority(new_impact, new_urgency)
        current = self.priorities[-1].priority
        if new_impact == self.impact and new_urgency == self.urgency and priority is current:
            return
        self._check_time(us, row, where)
        self.priorities.append(
            PriorityChange(
                self._at(us),
                new_impact,  # type: ignore[arg-type]
                new_urgency,  # type: ignore[arg-type]
                priority,
                at_us=us,
            )
        )
        self.impact, self.urgency = new_impact, new_urgency

    def build(self) -> Incident:
        inc = self.inc
        return Incident(
            inc.id,
            inc.opened_at,
            tuple(self.history),
            tuple(self.priorities),
            inc.matrix,
            tuple(self.anomalies),
            opened_at_us=inc.opened_at_us,
            carried=tuple(self.carried),
        )
