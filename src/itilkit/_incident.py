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
import struct
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta, tzinfo
from types import MappingProxyType
from typing import Any, ClassVar, Final, cast

import attrs
import pendulum

from ._errors import ChronologyError, InvalidTransitionError, InvalidValueError
from ._priority import ITIL_PRIORITIES, Impact, Priority, PriorityMatrix, Urgency
from ._report import html_table
from ._time import (
    PENDULUM_ZONES,
    InstantLike,
    from_us,
    moment,
    pendulum_zone,
    to_timedelta,
    to_us,
    us_field,
)
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
    "Life",
    "PriorityChange",
    "State",
    "StepBuilder",
    "Transition",
    "carried_changes",
    "lifeline",
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


# --------------------------------------------------------------------------- storage
#
# An incident keeps its life in one ``bytes`` value rather than in tuples of Transition
# and PriorityChange objects, each with a pendulum DateTime: about 9 bytes a step instead
# of about 250, which is what lets a million incidents and their compliance fit in under
# 500 MB. The public attributes (``history``, ``priority_history``, ``opened_at``,
# ``carried``) build the same values as before when asked; the engine reads the bytes.
#
# Layout, little-endian:
#
#   header   q opened_us, H steps, H priority changes, H instants of carried changes,
#            B the last step's code (255: no step), B the current priority's value
#   times    q each step's instant, then each priority change's, then each carried
#            change's (once for changes at the same instant as the change before)
#   codes    B a code per step (state index * 8 + reason index, reason 0 for None),
#            3B per priority change (impact code, urgency code, priority value),
#            B per carried change (its field's index in CARRIED_FIELDS, + 128 when it
#            is at the instant of the change before: an update that sets several fields)
#
# A level code is 0 for None, the member's value for an Impact (Urgency), or 128 + n for
# a plain level number n (matrices of other than three levels). The carried values are a
# tuple beside the bytes. Whatever the layout cannot say exactly (more than 65,535 steps,
# a value of another type given to the constructor, a DateTime that is not the one the
# incident's zone gives for its instant) is kept as given instead (_Verbatim), so every
# attribute still reads back exactly what was given.

_HEAD: Final = struct.Struct("<qHHHBB")
_OPENED: Final = struct.Struct("<q")
_HEAD_SIZE: Final = _HEAD.size
_LAST_STEP: Final = 14
_PRIORITY_NOW: Final = 15
_MAX_COUNT: Final = 0xFFFF
_NO_STEP: Final = 255
_SAME_INSTANT: Final = 128
_STATES: Final = tuple(State)
_REASONS: Final = (None, *HoldReason)
_STEP_CODE: Final = {
    (state, reason): 8 * i + j
    for i, state in enumerate(_STATES)
    for j, reason in enumerate(_REASONS)
}
_STATE_OF: Final = tuple(
    _STATES[code // 8] if code < 8 * len(_STATES) and code % 8 < len(_REASONS) else State.NEW
    for code in range(256)
)
"""The state a step code moves to (255, no step: NEW)."""
_REASON_OF: Final = tuple(
    _REASONS[code % 8] if code < 8 * len(_STATES) and code % 8 < len(_REASONS) else None
    for code in range(256)
)
_FIELD_CODE: Final = {name: i for i, name in enumerate(CARRIED_FIELDS)}
_PRIORITY_OF: Final = {p.value: p for p in Priority}
_IMPACT_OF: Final[dict[int, Impact | int | None]] = {
    0: None,
    **{m.value: m for m in Impact},
    **{128 + n: n for n in range(128)},
}
_URGENCY_OF: Final[dict[int, Urgency | int | None]] = {
    0: None,
    **{m.value: m for m in Urgency},
    **{128 + n: n for n in range(128)},
}
_TIMES: dict[int, struct.Struct] = {}


def _times(count: int) -> struct.Struct:
    """The layout of ``count`` instants (made once per count)."""
    found = _TIMES.get(count)
    if found is None:
        found = _TIMES[count] = struct.Struct(f"<{count}q")
    return found


def _level_code(value: object, kind: type[Impact] | type[Urgency]) -> int | None:
    """The byte of an impact or urgency level, or None when it has none."""
    if value is None:
        return 0
    if isinstance(value, kind):  # an enum with members: no subclasses
        return int(value)
    if type(value) is int and 0 <= value < 128:
        return 128 + value
    return None


Step = tuple[int, State, "HoldReason | None"]
"""A move as the engine reads it: ``(at_us, to_state, reason)``."""
Level = tuple[int, "Impact | int | None", "Urgency | int | None", Priority]
"""A priority change as the engine reads it: ``(at_us, impact, urgency, priority)``."""
Life = tuple[int, list[Step], list[tuple[int, Priority]]]
"""What the clocks read of an incident (:func:`lifeline`)."""


def _pack(
    opened: int, steps: Sequence[Step], levels: Sequence[Level], carried: Sequence[object]
) -> tuple[bytes, tuple[str | None, ...]] | None:
    """The bytes and carried values of a life, or None when the layout cannot hold it.

    ``carried`` is flat, ``(field, at_us, value, ...)``.
    """
    n, m, k = len(steps), len(levels), len(carried) // 3
    instants = 0  # of carried changes
    if n > _MAX_COUNT or not 0 < m <= _MAX_COUNT or k > _MAX_COUNT or len(carried) % 3:
        return None
    times: list[object] = []
    codes = bytearray()
    for at, state, reason in steps:
        if type(state) is not State or (reason is not None and type(reason) is not HoldReason):
            return None
        times.append(at)
        codes.append(_STEP_CODE[state, reason])
    for at, impact, urgency, priority in levels:
        i, u = _level_code(impact, Impact), _level_code(urgency, Urgency)
        if i is None or u is None or type(priority) is not Priority:
            return None
        times.append(at)
        codes.extend((i, u, priority.value))
    values: list[str | None] = []
    previous: object = None
    for x in range(0, len(carried), 3):
        field, when, value = carried[x], carried[x + 1], carried[x + 2]
        if type(field) is not str or field not in _FIELD_CODE:
            return None
        if value is not None and type(value) is not str:
            return None
        if x and when == previous and type(when) is int:
            codes.append(_SAME_INSTANT | _FIELD_CODE[field])
        else:
            times.append(when)
            codes.append(_FIELD_CODE[field])
            previous = when
            instants += 1
        values.append(value)
    if any(type(when) is not int for when in times):
        return None
    last = codes[n - 1] if n else _NO_STEP
    try:
        head = _HEAD.pack(opened, n, m, instants, last, levels[-1][3].value)
        blob = head + _times(len(times)).pack(*times) + codes
    except struct.error:  # an instant outside 64 bits
        return None
    return blob, tuple(values)


def _is_at(value: object, us: object, tz: tzinfo) -> bool:
    """Whether ``value`` is exactly the DateTime the incident's zone gives for ``us``."""
    if type(value) is not pendulum.DateTime or type(us) is not int:
        return False
    if value.tzinfo is not tz or vars(value):
        return False
    try:
        made = from_us(us, tz)
    except (OverflowError, ValueError):  # not an instant a DateTime can show
        return False
    return (
        made.year == value.year
        and made.month == value.month
        and made.day == value.day
        and made.hour == value.hour
        and made.minute == value.minute
        and made.second == value.second
        and made.microsecond == value.microsecond
        and made.fold == value.fold
    )


def _pack_objects(
    opened_at: object,
    history: object,
    priority_history: object,
    opened_at_us: object,
    carried: object,
) -> tuple[bytes, tuple[str | None, ...]] | None:
    """The bytes of a life given as objects, or None when they would not read back
    exactly (then the incident keeps them as given)."""
    if type(history) is not tuple or type(priority_history) is not tuple:
        return None
    if type(carried) is not tuple or type(opened_at_us) is not int:
        return None
    tz = getattr(opened_at, "tzinfo", None)
    if not isinstance(tz, PENDULUM_ZONES) or not _is_at(opened_at, opened_at_us, tz):
        return None
    steps: list[Step] = []
    before = State.NEW
    for step in history:
        if type(step) is not Transition or step.from_state is not before:
            return None
        if not _is_at(step.at, step.at_us, tz):
            return None
        steps.append((step.at_us, step.to_state, step.reason))
        before = step.to_state
    levels: list[Level] = []
    for change in priority_history:
        if type(change) is not PriorityChange or not _is_at(change.at, change.at_us, tz):
            return None
        levels.append((change.at_us, change.impact, change.urgency, change.priority))
    return _pack(opened_at_us, steps, levels, carried)


@attrs.frozen
class _Extra:
    """What a compact incident keeps beside its bytes when it has anomalies."""

    matrix: PriorityMatrix
    anomalies: tuple[Anomaly, ...]


@attrs.frozen
class _Verbatim:
    """An incident's fields kept exactly as given, where the bytes could not hold them."""

    opened_at: Any
    history: Any
    priority_history: Any
    matrix: Any
    anomalies: Any
    opened_at_us: Any
    carried: Any


@attrs.frozen
class _Fields:
    """The fields of :class:`Incident` as its constructor takes them (for ``attrs.evolve``,
    ``attrs.fields`` and ``attrs.asdict``, which read them through the attributes)."""

    id: str
    opened_at: pendulum.DateTime
    history: tuple[Transition, ...]
    priority_history: tuple[PriorityChange, ...]
    matrix: PriorityMatrix
    anomalies: tuple[Anomaly, ...] = ()
    opened_at_us: int | None = attrs.field(default=None, kw_only=True, repr=False, eq=False)
    carried: tuple[str | int | None, ...] = attrs.field(default=(), kw_only=True, repr=False)


class Incident:
    """An incident and its whole life so far; every step returns a new incident.

    Build one with :meth:`open` or :meth:`replay`. Times are pendulum
    ``DateTime``\\ s in the zone the incident was opened in.

    An incident holds its life compactly, as integers (a few hundred bytes
    an incident, so a million fit in a few hundred megabytes);
    :attr:`history`, :attr:`priority_history`, :attr:`opened_at` and
    :attr:`carried` are made from them when read: equal values each time,
    new objects each time.

    >>> inc = Incident.open("INC7", at="2026-03-02T09:00+00:00", impact=1, urgency=1)
    >>> later = inc.hold(at="2026-03-02T09:05+00:00", reason=HoldReason.AWAITING_CALLER)
    >>> inc.state, later.state, later.hold_reason
    (<State.NEW: 'new'>, <State.ON_HOLD: 'on_hold'>, <HoldReason.AWAITING_CALLER: ...>)
    """

    # Frozen and slotted, as an attrs class would be, with the same constructor, equality,
    # hash, repr and pickling; the life is held compact (see "storage" above) and the
    # attributes below are read from it.
    __slots__ = ("__weakref__", "_blob", "_more", "_values", "_zone", "id")
    __match_args__ = ("id", "opened_at", "history", "priority_history", "matrix", "anomalies")
    __attrs_attrs__: ClassVar[tuple[attrs.Attribute[Any], ...]] = _Fields.__attrs_attrs__

    id: str
    _blob: bytes | None
    _values: tuple[str | None, ...]
    _zone: tzinfo
    _more: PriorityMatrix | _Extra | _Verbatim

    def __init__(
        self,
        id: str,
        opened_at: pendulum.DateTime,
        history: tuple[Transition, ...],
        priority_history: tuple[PriorityChange, ...],
        matrix: PriorityMatrix,
        anomalies: tuple[Anomaly, ...] = (),
        *,
        opened_at_us: int | None = None,
        carried: tuple[str | int | None, ...] = (),
    ) -> None:
        """The fields as given; ``opened_at_us`` is computed from ``opened_at`` when left
        out. Build incidents with :meth:`open` or :meth:`replay`."""
        if opened_at_us is None:
            opened_at_us = to_us(opened_at, "opened_at")
        packed = _pack_objects(opened_at, history, priority_history, opened_at_us, carried)
        if packed is None:
            more: PriorityMatrix | _Extra | _Verbatim = _Verbatim(
                opened_at, history, priority_history, matrix, anomalies, opened_at_us, carried
            )
            _fill(self, id, None, (), getattr(opened_at, "tzinfo", None), more)
        else:
            _fill(self, id, packed[0], packed[1], opened_at.tzinfo, _beside(matrix, anomalies))

    def __setattr__(self, name: str, value: object) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Incident)
        if not self.id == other.id:
            return False
        blob = self._blob
        if (
            blob is not None
            and blob == other._blob
            and self._zone is other._zone
            and self._values == other._values
            and (self._more is other._more or self._more == other._more)
        ):
            return True  # the same bytes read back as the same values
        return (
            self.opened_at == other.opened_at
            and self.history == other.history
            and self.priority_history == other.priority_history
            and self.matrix == other.matrix
            and self.anomalies == other.anomalies
            and self.carried == other.carried
        )

    def __hash__(self) -> int:
        # Equal incidents have equal ids and as many steps, changes and carried values.
        blob = self._blob
        if blob is None:
            v = cast(_Verbatim, self._more)
            counts = (len(v.history), len(v.priority_history), len(v.carried))
        else:
            _, n, m, _, _, _ = _HEAD.unpack_from(blob)
            counts = (n, m, 3 * len(self._values))
        return hash((self.id, *counts))

    def __repr__(self) -> str:
        return (
            f"{type(self).__qualname__}(id={self.id!r}, opened_at={self.opened_at!r},"
            f" history={self.history!r}, priority_history={self.priority_history!r},"
            f" matrix={self.matrix!r}, anomalies={self.anomalies!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return _revive, (type(self), self.id, self._blob, self._values, self._zone, self._more)

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        """Read an incident pickled by an earlier itilkit (its fields by name)."""
        Incident.__init__(self, **state)

    # ---------------------------------------------------------------- fields

    @property
    def opened_at(self) -> pendulum.DateTime:
        """When the incident was logged (in the zone it was opened in)."""
        blob = self._blob
        if blob is None:
            return cast(_Verbatim, self._more).opened_at  # type: ignore[no-any-return]
        return from_us(_OPENED.unpack_from(blob)[0], self._zone)

    @property
    def opened_at_us(self) -> int:
        """``opened_at`` as integer microseconds since the epoch (UTC)."""
        blob = self._blob
        if blob is None:
            return cast(_Verbatim, self._more).opened_at_us  # type: ignore[no-any-return]
        found: int = _OPENED.unpack_from(blob)[0]
        return found

    @property
    def history(self) -> tuple[Transition, ...]:
        """Every move between states, in recorded order."""
        blob = self._blob
        if blob is None:
            return cast(_Verbatim, self._more).history  # type: ignore[no-any-return]
        _, n, m, t, _, _ = _HEAD.unpack_from(blob)
        if not n:
            return ()
        times = _times(n).unpack_from(blob, _HEAD_SIZE)
        codes = _HEAD_SIZE + 8 * (n + m + t)
        tz = self._zone
        out = []
        before = State.NEW
        when: tuple[int, pendulum.DateTime] | None = None
        for i in range(n):
            us, code = times[i], blob[codes + i]
            if when is None or when[0] != us:
                when = (us, from_us(us, tz))
            state = _STATE_OF[code]
            out.append(Transition(when[1], before, state, _REASON_OF[code], at_us=us))
            before = state
        return tuple(out)

    @property
    def priority_history(self) -> tuple[PriorityChange, ...]:
        """The impact, urgency and priority from the opening on, one change at a time."""
        blob = self._blob
        if blob is None:
            return cast(_Verbatim, self._more).priority_history  # type: ignore[no-any-return]
        tz = self._zone
        out = []
        when: tuple[int, pendulum.DateTime] | None = None
        for us, impact, urgency, priority in self._levels():
            if when is None or when[0] != us:
                when = (us, from_us(us, tz))
            out.append(PriorityChange(when[1], impact, urgency, priority, at_us=us))
        return tuple(out)

    @property
    def matrix(self) -> PriorityMatrix:
        """The priority matrix that computes the incident's priority."""
        more = self._more
        if isinstance(more, (_Extra, _Verbatim)):
            return more.matrix
        return more

    @property
    def anomalies(self) -> tuple[Anomaly, ...]:
        """What a non-strict replay or an import kept as recorded (empty otherwise)."""
        more = self._more
        return more.anomalies if isinstance(more, (_Extra, _Verbatim)) else ()

    @property
    def carried(self) -> tuple[str | int | None, ...]:
        """The changes of the carried fields, flat and compact: ``(field, at_us, new, ...)`` in
        order; read them through :attr:`attributes` and :meth:`changes`."""
        blob = self._blob
        if blob is None:
            return cast(_Verbatim, self._more).carried  # type: ignore[no-any-return]
        out: list[str | int | None] = []
        for us, field, value in self._carried():
            out += (field, us, value)
        return tuple(out)

    # ---------------------------------------------------------------- compact reading

    def _steps(self) -> tuple[int, list[Step]]:
        """The opening and every move as ``(at_us, to_state, reason)``, as recorded."""
        blob = self._blob
        if blob is None:
            v = cast(_Verbatim, self._more)
            return v.opened_at_us, [(s.at_us, s.to_state, s.reason) for s in v.history]
        opened, n, m, t, _, _ = _HEAD.unpack_from(blob)
        times = _times(n).unpack_from(blob, _HEAD_SIZE)
        first = _HEAD_SIZE + 8 * (n + m + t)
        codes = blob[first : first + n]
        return opened, list(
            zip(times, [_STATE_OF[c] for c in codes], [_REASON_OF[c] for c in codes], strict=True)
        )

    def _levels(self) -> list[Level]:
        """Every priority change as ``(at_us, impact, urgency, priority)``, as recorded."""
        blob = self._blob
        if blob is None:
            v = cast(_Verbatim, self._more)
            return [(c.at_us, c.impact, c.urgency, c.priority) for c in v.priority_history]
        _, n, m, t, _, _ = _HEAD.unpack_from(blob)
        times = _times(m).unpack_from(blob, _HEAD_SIZE + 8 * n)
        at = _HEAD_SIZE + 8 * (n + m + t) + n
        return [
            (
                times[j],
                _IMPACT_OF[blob[at + 3 * j]],
                _URGENCY_OF[blob[at + 3 * j + 1]],
                _PRIORITY_OF[blob[at + 3 * j + 2]],
            )
            for j in range(m)
        ]

    def _carried(self) -> list[tuple[int, str, str | None]]:
        """Every change of a carried field as ``(at_us, field, value)``, as recorded."""
        blob = self._blob
        if blob is None:
            data = cast(_Verbatim, self._more).carried
            return [(data[i + 1], data[i], data[i + 2]) for i in range(0, len(data), 3)]
        values = self._values
        if not values:
            return []
        _, n, m, t, _, _ = _HEAD.unpack_from(blob)
        times = _times(t).unpack_from(blob, _HEAD_SIZE + 8 * (n + m))
        out = []
        i = -1
        for code, value in zip(
            blob[_HEAD_SIZE + 8 * (n + m + t) + n + 3 * m :], values, strict=True
        ):
            if code < _SAME_INSTANT:
                i += 1
            out.append((times[i], CARRIED_FIELDS[code & 127], value))
        return out

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
        packed = None if opened is at else _pack(us, (), ((us, i, u, p),), ())
        if packed is None:  # the caller's own DateTime: the constructor checks it reads back
            first = PriorityChange(opened, i, u, p, at_us=us)
            return cls(id, opened, (), (first,), matrix, (), opened_at_us=us)
        zone = opened.tzinfo
        assert zone is not None
        return _new(cls, id, packed[0], (), zone, matrix)

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
        if not added:
            return self
        builder = StepBuilder(self, strict=True)
        for i in range(0, len(added), 3):
            builder.carry(us, cast(str, added[i]), cast("str | None", added[i + 2]))
        return builder.build()

    # ---------------------------------------------------------------- queries

    @property
    def tz(self) -> tzinfo:
        """The zone the incident's times are shown in (the zone it was opened in)."""
        zone = self._zone
        assert zone is not None
        return zone

    @property
    def state(self) -> State:
        """The current state."""
        blob = self._blob
        if blob is None:
            history = self.history
            return history[-1].to_state if history else State.NEW
        return _STATE_OF[blob[_LAST_STEP]]

    @property
    def hold_reason(self) -> HoldReason | None:
        """The reason of the current hold, or None when not ON_HOLD."""
        blob = self._blob
        if blob is None:
            history = self.history
            return history[-1].reason if history else None
        return _REASON_OF[blob[_LAST_STEP]]

    @property
    def is_final(self) -> bool:
        """True once CLOSED or CANCELED."""
        return self.state in FINAL_STATES

    @property
    def impact(self) -> Impact | int | None:
        """The current impact level (None when only a recorded priority is known)."""
        return self._levels()[-1][1]

    @property
    def urgency(self) -> Urgency | int | None:
        """The current urgency level (None when only a recorded priority is known)."""
        return self._levels()[-1][2]

    @property
    def priority(self) -> Priority:
        """The current priority."""
        blob = self._blob
        if blob is None:
            return self.priority_history[-1].priority
        return _PRIORITY_OF[blob[_PRIORITY_NOW]]

    @property
    def attributes(self) -> Mapping[str, str]:
        """The final value of each carried field that has one (read-only).

        Fields come from an import (:func:`itilkit.io.read_event_log`) under
        the neutral names of :data:`CARRIED_FIELDS`; a field whose last value
        was cleared is absent.
        """
        final: dict[str, str] = {}
        for _, field, value in self._carried():
            if value is None:
                final.pop(field, None)
            else:
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
        tz = self.tz
        for us, name, new in self._carried():
            if name == field:
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
        levels = self._levels()
        current = levels[0][3]
        for change_us, _, _, priority in levels:
            if change_us <= us:
                current = priority
        return current

    @property
    def resolved_at(self) -> pendulum.DateTime | None:
        """When it was last resolved; None if never, or if it was reopened since."""
        _, steps = self._steps()
        for i in range(len(steps) - 1, -1, -1):
            state = steps[i][1]
            if state is State.RESOLVED:
                return self._step_at(i, steps[i][0])
            if state in _ACTIVE:
                return None
        return None

    @property
    def closed_at(self) -> pendulum.DateTime | None:
        """When it was closed, or None while it is not CLOSED."""
        return self._last_at() if self.state is State.CLOSED else None

    @property
    def canceled_at(self) -> pendulum.DateTime | None:
        """When it was canceled, or None while it is not CANCELED."""
        return self._last_at() if self.state is State.CANCELED else None

    def _step_at(self, i: int, us: int) -> pendulum.DateTime:
        """The ``at`` of step ``i`` (at ``us``), as :attr:`history` gives it."""
        if self._blob is None:
            return self.history[i].at
        return from_us(us, self._zone)

    def _last_at(self) -> pendulum.DateTime:
        """The ``at`` of the last step (there is one)."""
        _, steps = self._steps()
        return self._step_at(len(steps) - 1, steps[-1][0])

    def segments_us(self) -> list[tuple[State, int, int | None]]:
        """Each stay in a state as ``(state, start_us, end_us)``; the current stay ends in None.

        Segments follow the recorded order; after an anomaly an end may be
        earlier than its start (count such a segment as zero).

        >>> inc = Incident.open("INC1", at="1970-01-01T00:00+00:00", impact=1, urgency=1)
        >>> inc.start_work(at="1970-01-01T00:00:01+00:00").segments_us()
        [(<State.NEW: 'new'>, 0, 1000000), (<State.IN_PROGRESS: 'in_progress'>, 1000000, None)]
        """
        out: list[tuple[State, int, int | None]] = []
        start, steps = self._steps()
        state = State.NEW
        for at, to_state, _ in steps:
            out.append((state, start, at))
            state, start = to_state, at
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


_set = object.__setattr__


def _fill(
    inc: Incident,
    id: str,
    blob: bytes | None,
    values: tuple[str | None, ...],
    zone: tzinfo | None,
    more: PriorityMatrix | _Extra | _Verbatim,
) -> None:
    _set(inc, "id", id)
    _set(inc, "_blob", blob)
    _set(inc, "_values", values)
    _set(inc, "_zone", zone)
    _set(inc, "_more", more)


def _new(
    cls: type[Incident],
    id: str,
    blob: bytes,
    values: tuple[str | None, ...],
    zone: tzinfo,
    more: PriorityMatrix | _Extra,
) -> Incident:
    """An incident from its compact parts (the builders and the unpickler)."""
    inc = object.__new__(cls)
    _fill(inc, id, blob, values, zone, more)
    return inc


def _revive(
    cls: type[Incident],
    id: str,
    blob: bytes | None,
    values: tuple[str | None, ...],
    zone: tzinfo | None,
    more: PriorityMatrix | _Extra | _Verbatim,
) -> Incident:
    """An unpickled incident."""
    inc = object.__new__(cls)
    _fill(inc, id, blob, values, zone, more)
    return inc


def _beside(matrix: PriorityMatrix, anomalies: tuple[Anomaly, ...]) -> PriorityMatrix | _Extra:
    """What a compact incident keeps beside its bytes: the matrix alone when it has no
    anomalies (the usual case, one reference less per incident)."""
    if type(anomalies) is tuple and not anomalies:
        return matrix
    return _Extra(matrix, anomalies)


def lifeline(incident: Incident, until: int) -> Life:
    """What the clocks read of an incident: its opening, its moves up to ``until`` as
    ``(at_us, to_state, reason)``, and its priority changes as ``(at_us, priority)``.

    Moves are in recorded order; a move dated before the one it follows, or before the
    opening, is moved up to it, so the instants never go back. An incident opened after
    ``until`` has nothing to read yet: its moves and priority changes are then empty.
    """
    blob = incident._blob
    if blob is None:
        opened, steps = incident._steps()
        if opened > until:
            return opened, [], []
        priorities = [(at, priority) for at, _, _, priority in incident._levels()]
        moves: list[Step] = []
        cursor = opened
        for at, state, reason in steps:
            if at < cursor:
                at = cursor
            if at > until:
                break
            moves.append((at, state, reason))
            cursor = at
        return opened, moves, priorities
    opened, n, m, t, _, _ = _HEAD.unpack_from(blob)
    if opened > until:
        return opened, [], []
    layout = _TIMES.get(n + m)
    times = (layout or _times(n + m)).unpack_from(blob, _HEAD_SIZE)
    codes = _HEAD_SIZE + 8 * (n + m + t)
    moves = []
    cursor = opened
    for i in range(n):
        at = times[i]
        if at < cursor:
            at = cursor
        if at > until:
            break
        code = blob[codes + i]
        moves.append((at, _STATE_OF[code], _REASON_OF[code]))
        cursor = at
    first = codes + n + 2
    if m == 1:
        return opened, moves, [(times[n], _PRIORITY_OF[blob[first]])]
    priorities = [(times[n + j], _PRIORITY_OF[blob[first + 3 * j]]) for j in range(m)]
    return opened, moves, priorities


def carried_changes(incident: Incident, until: int) -> list[tuple[int, str, str | None]]:
    """The changes of carried fields up to ``until`` (microseconds), as ``(at, field,
    value)`` in recorded order; a change dated before the one it follows, or before the
    opening, is moved up to it (as clocks treat steps), so the instants never go back."""
    out: list[tuple[int, str, str | None]] = []
    blob = incident._blob
    if blob is None:
        cursor = incident.opened_at_us
        for at, name, value in incident._carried():
            if at < cursor:
                at = cursor
            if at > until:
                break
            cursor = at
            out.append((at, name, value))
        return out
    values = incident._values
    if not values:
        return out
    cursor, n, m, t, _, _ = _HEAD.unpack_from(blob)
    times = _times(t).unpack_from(blob, _HEAD_SIZE + 8 * (n + m))
    i = -1
    for code, value in zip(blob[_HEAD_SIZE + 8 * (n + m + t) + n + 3 * m :], values, strict=True):
        if code < _SAME_INSTANT:
            i += 1
        at = times[i]
        if at < cursor:
            at = cursor
        if at > until:
            break
        cursor = at
        out.append((at, CARRIED_FIELDS[code & 127], value))
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

    Shared by the single steps, :meth:`Incident.replay` and the importers, so
    every path checks the same rules. ``steps`` and ``priorities`` hold the
    moves as ``(at_us, to_state, reason)`` and the priority changes as
    ``(at_us, impact, urgency, priority)``; for an incident whose fields are kept
    as given (see "storage"), they hold its :class:`Transition` and
    :class:`PriorityChange` objects, and new ones are made as before.
    """

    __slots__ = (
        "anomalies",
        "carried",
        "id",
        "impact",
        "kept",
        "last_at",
        "last_us",
        "matrix",
        "opened",
        "priorities",
        "priority",
        "reason",
        "state",
        "steps",
        "strict",
        "tz",
        "urgency",
    )

    def __init__(self, inc: Incident, *, strict: bool) -> None:
        self.id = inc.id
        self.matrix = inc.matrix
        self.strict = strict
        self.tz = inc.tz
        self.anomalies = list(inc.anomalies)
        self.carried: list[str | int | None] = list(inc.carried)
        self.state = inc.state
        self.reason = inc.hold_reason
        self.impact: object = inc.impact
        self.urgency: object = inc.urgency
        self.priority = inc.priority
        self.opened = opened = inc.opened_at_us
        self.last_at: tuple[int, pendulum.DateTime] | None = None
        self.steps: list[Any]
        self.priorities: list[Any]
        if inc._blob is None:
            self.kept: Incident | None = inc
            self.steps, self.priorities = list(inc.history), list(inc.priority_history)
            self.last_at = (opened, inc.opened_at)
            last_step = self.steps[-1].at_us if self.steps else opened
            last_change = self.priorities[-1].at_us
        else:
            self.kept = None
            self.steps, self.priorities = inc._steps()[1], inc._levels()
            last_step = self.steps[-1][0] if self.steps else opened
            last_change = self.priorities[-1][0]
        self.last_us = last_step if len(self.priorities) < 2 else max(last_step, last_change)

    @classmethod
    def opening(
        cls,
        id: str,
        opened_us: int,
        tz: tzinfo,
        matrix: PriorityMatrix,
        impact: object,
        urgency: object,
        priority: Priority,
        *,
        strict: bool,
    ) -> StepBuilder:
        """A builder for a NEW incident logged at ``opened_us`` with these levels and
        priority, taken as given (what the importers read), without an incident first."""
        builder = cls.__new__(cls)
        builder.id = id
        builder.matrix = matrix
        builder.strict = strict
        builder.tz = pendulum_zone(tz)  # as every DateTime of it will be
        builder.anomalies = []
        builder.carried = []
        builder.state = State.NEW
        builder.reason = None
        builder.impact = impact
        builder.urgency = urgency
        builder.priority = priority
        builder.opened = builder.last_us = opened_us
        builder.last_at = None
        builder.kept = None
        builder.steps = []
        builder.priorities = [(opened_us, impact, urgency, priority)]
        return builder

    def _at(self, us: int) -> pendulum.DateTime:
        """The DateTime of ``us``, shared with the step before when it is the same instant."""
        if self.last_at is None or self.last_at[0] != us:
            self.last_at = (us, from_us(us, self.tz))
        return self.last_at[1]

    def note(self, kind: str, message: str, us: int | None, row: int | None) -> None:
        at = None if us is None else self._at(us)
        self.anomalies.append(Anomaly(self.id, row, kind, message, at))

    def carry(self, us: int, field: str, value: str | None) -> None:
        """Record that the carried ``field`` holds ``value`` from ``us`` on (the caller
        passes only real changes, in order). A value is interned: the same group or
        assignee on many incidents is one string."""
        if type(value) is str:
            value = sys.intern(value)
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
                f"{self.id}: a step at {from_us(us, self.tz)} is earlier than the step"
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
                f"{self.id}: {self.state.name} -> {to_state.name} is not an allowed move"
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
                f"{self.id}: put ON_HOLD without a hold reason; kept as recorded",
                us,
                row,
            )
        if reason is not None and to_state is not State.ON_HOLD:
            raise InvalidValueError("reason", f"None for a move to {to_state.name}", reason)
        self._check_time(us, row, where)
        if self.kept is None:
            self.steps.append((us, to_state, reason))
        else:
            self.steps.append(Transition(self._at(us), self.state, to_state, reason, at_us=us))
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
        matrix = self.matrix
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
        if new_impact == self.impact and new_urgency == self.urgency and priority is self.priority:
            return
        self._check_time(us, row, where)
        if self.kept is None:
            self.priorities.append((us, new_impact, new_urgency, priority))
        else:
            self.priorities.append(
                PriorityChange(self._at(us), new_impact, new_urgency, priority, at_us=us)  # type: ignore[arg-type]
            )
        self.impact, self.urgency, self.priority = new_impact, new_urgency, priority

    def build(self) -> Incident:
        anomalies = tuple(self.anomalies)
        carried = tuple(self.carried)
        kept = self.kept
        if kept is not None:
            return Incident(
                self.id,
                kept.opened_at,
                tuple(self.steps),
                tuple(self.priorities),
                self.matrix,
                anomalies,
                opened_at_us=kept.opened_at_us,
                carried=carried,
            )
        packed = _pack(self.opened, self.steps, self.priorities, carried)
        if packed is not None:
            return _new(
                Incident, self.id, packed[0], packed[1], self.tz, _beside(self.matrix, anomalies)
            )
        # More than the bytes hold: the objects, which the incident then keeps as given.
        tz = self.tz
        history = []
        before = State.NEW
        for us, state, reason in self.steps:
            history.append(Transition(from_us(us, tz), before, state, reason, at_us=us))
            before = state
        changes = tuple(
            PriorityChange(from_us(us, tz), impact, urgency, priority, at_us=us)
            for us, impact, urgency, priority in self.priorities
        )
        return Incident(
            self.id,
            from_us(self.opened, tz),
            tuple(history),
            changes,
            self.matrix,
            anomalies,
            opened_at_us=self.opened,
            carried=carried,
        )
