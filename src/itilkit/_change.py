"""Change requests: what ITIL 4 calls *change enablement*.

ITIL 4's change enablement practice exists "to maximize the number of
successful service and product changes by ensuring that risks have been
properly assessed, authorizing changes to proceed, and managing the change
schedule". It knows three types of change:

* a **standard** change is low-risk, well understood and *pre-authorised*: it
  runs without asking anyone;
* a **normal** change is scheduled, assessed and authorised by a change
  authority that matches its risk (a change manager, a change advisory
  board);
* an **emergency** change must be implemented as soon as possible (to resolve
  an incident, say) and is authorised by an emergency change authority.

A :class:`ChangeRequest` is an immutable record of one request: its type, its
risk, its planned period ``[start, end)``, the configuration items it touches,
the votes cast on it, and its lifecycle. Every step returns a new request.
Who must approve is decided by an :class:`~itilkit.ApprovalPolicy`; when it may
run by a :class:`~itilkit.ChangeCalendar`.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Iterable, Mapping
from datetime import timedelta

import attrs
import pendulum

from ._errors import ChronologyError, InvalidTransitionError, InvalidValueError
from ._time import InstantLike, from_us, to_us, zone_of
from ._vocabulary import parse_member

__all__ = [
    "CHANGE_MAIN_PATH",
    "CHANGE_TRANSITIONS",
    "DEFAULT_RISK_MATRIX",
    "IMPACT_LABELS",
    "LIKELIHOOD_LABELS",
    "ChangeRequest",
    "ChangeState",
    "ChangeTransition",
    "ChangeType",
    "Risk",
    "RiskMatrix",
    "Vote",
]


class ChangeType(enum.Enum):
    """The ITIL 4 type of a change: how it is authorised.

    >>> ChangeType.parse("emergency")
    <ChangeType.EMERGENCY: 'emergency'>
    """

    STANDARD = "standard"
    """Low risk, well understood, pre-authorised: runs without approval."""
    NORMAL = "normal"
    """Assessed and authorised by a change authority matching its risk."""
    EMERGENCY = "emergency"
    """Must run as soon as possible; authorised by the emergency change authority."""

    @classmethod
    def parse(cls, value: object, field: str = "type") -> ChangeType:
        """The change type from itself or its name in any case."""
        member: ChangeType = parse_member(cls, value, field)
        return member


class Risk(enum.IntEnum):
    """The assessed risk of a change, ordered: ``Risk.LOW < Risk.VERY_HIGH``.

    >>> Risk.parse("very high") > Risk.MEDIUM
    True
    """

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    VERY_HIGH = 4

    @classmethod
    def parse(cls, value: object, field: str = "risk") -> Risk:
        """The risk from itself or its name in any case (``"very_high"``, ``"Very High"``)."""
        member: Risk = parse_member(cls, value, field)
        return member

    @property
    def label(self) -> str:
        """The risk as people write it, such as ``'very high'``."""
        return self.name.lower().replace("_", " ")


# --------------------------------------------------------------------------- risk matrix

IMPACT_LABELS = ("negligible", "minor", "moderate", "major", "catastrophic")
"""The default impact (consequence) scale, 1 to 5.

Source: National Patient Safety Agency (NPSA), *A risk matrix for risk
managers* (2008), its consequence scores 1 (negligible) to 5 (catastrophic).
"""

LIKELIHOOD_LABELS = ("rare", "unlikely", "possible", "likely", "almost certain")
"""The default likelihood scale, 1 to 5.

Source: National Patient Safety Agency (NPSA), *A risk matrix for risk
managers* (2008), its likelihood scores 1 (rare) to 5 (almost certain).
"""


_L, _M, _H, _V = Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.VERY_HIGH
DEFAULT_RISK_MATRIX: tuple[tuple[Risk, ...], ...] = (
    # likelihood: rare  unlikely  possible  likely  almost certain
    (_L, _L, _L, _M, _M),  # impact 1, negligible: scores 1 2 3 4 5
    (_L, _M, _M, _H, _H),  # impact 2, minor: scores 2 4 6 8 10
    (_L, _M, _H, _H, _V),  # impact 3, moderate: scores 3 6 9 12 15
    (_M, _H, _H, _V, _V),  # impact 4, major: scores 4 8 12 16 20
    (_M, _H, _V, _V, _V),  # impact 5, catastrophic: scores 5 10 15 20 25
)
"""The default 5x5 risk matrix: ``DEFAULT_RISK_MATRIX[impact - 1][likelihood - 1]``.

Source: National Patient Safety Agency (NPSA), *A risk matrix for risk
managers* (2008): a consequence (impact) score of 1 to 5 times a likelihood
score of 1 to 5, banded 1-3 low, 4-6 moderate, 8-12 high and 15-25 extreme,
here LOW, MEDIUM, HIGH and VERY_HIGH; each cell above is its band, written
out. It is a widely used, illustrative default; an organisation's own
matrix replaces it with :meth:`RiskMatrix.from_rows`.
"""
del _L, _M, _H, _V


@attrs.frozen
class RiskMatrix:
    """Impact x likelihood -> :class:`Risk`, as data.

    ``rows[i][j]`` is the risk of impact level ``i + 1`` and likelihood level
    ``j + 1``; levels are given as 1-based integers or by their labels.

    >>> m = RiskMatrix.default()
    >>> m.risk(impact="major", likelihood="possible")
    <Risk.HIGH: 3>
    >>> m.risk(impact=1, likelihood=5)
    <Risk.MEDIUM: 2>
    """

    rows: tuple[tuple[Risk, ...], ...]
    impact_labels: tuple[str, ...]
    likelihood_labels: tuple[str, ...]

    @classmethod
    def default(cls) -> RiskMatrix:
        """The illustrative 5x5 matrix of ``DEFAULT_RISK_MATRIX`` (NPSA 2008)."""
        return cls(DEFAULT_RISK_MATRIX, IMPACT_LABELS, LIKELIHOOD_LABELS)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Iterable[Risk | str]],
        *,
        impact_labels: Iterable[str] | None = None,
        likelihood_labels: Iterable[str] | None = None,
    ) -> RiskMatrix:
        """A matrix from rows of risks, one row per impact level (lowest first).

        >>> m = RiskMatrix.from_rows([["low", "medium"], ["medium", "high"]],
        ...                          impact_labels=["minor", "major"],
        ...                          likelihood_labels=["unlikely", "likely"])
        >>> m.risk(impact="major", likelihood="unlikely")
        <Risk.MEDIUM: 2>
        """
        if isinstance(rows, str | Mapping) or not isinstance(rows, Iterable):
            raise InvalidValueError("rows", "rows of risks, one row per impact level", rows)
        table = tuple(
            tuple(Risk.parse(cell, f"rows[{i}][{j}]") for j, cell in enumerate(_row(row, i)))
            for i, row in enumerate(rows)
        )
        if not table or not table[0]:
            raise InvalidValueError("rows", "at least one row of at least one risk", rows)
        width = len(table[0])
        for i, row in enumerate(table):
            if len(row) != width:
                raise InvalidValueError(f"rows[{i}]", f"{width} risks long like rows[0]", row)
        impacts = _labels(impact_labels, len(table), "impact_labels")
        likelihoods = _labels(likelihood_labels, width, "likelihood_labels")
        return cls(table, impacts, likelihoods)

    def risk(self, *, impact: int | str, likelihood: int | str) -> Risk:
        """The risk of a change with this impact and likelihood (1-based levels or labels)."""
        i = _level(impact, self.impact_labels, "impact")
        j = _level(likelihood, self.likelihood_labels, "likelihood")
        return self.rows[i][j]


def _row(row: object, index: int) -> Iterable[object]:
    if isinstance(row, str | Mapping) or not isinstance(row, Iterable):
        raise InvalidValueError(f"rows[{index}]", "a row of risks, one per likelihood level", row)
    return row


def _labels(labels: Iterable[str] | None, count: int, field: str) -> tuple[str, ...]:
    if labels is None:
        return tuple(str(n) for n in range(1, count + 1))
    if isinstance(labels, str) or not isinstance(labels, Iterable):
        raise InvalidValueError(field, f"{count} distinct labels, one per level", labels)
    given = tuple(labels)
    if not all(isinstance(label, str) and label.strip() for label in given):
        raise InvalidValueError(field, "non-empty label strings", given)
    result = tuple(label.strip().lower() for label in given)
    if len(result) != count or len(set(result)) != count:
        raise InvalidValueError(field, f"{count} distinct labels, one per level", labels)
    return result


def _level(value: object, labels: tuple[str, ...], field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(labels):
        return value - 1
    if isinstance(value, str) and value.strip().lower() in labels:
        return labels.index(value.strip().lower())
    choices = ", ".join(repr(label) for label in labels)
    raise InvalidValueError(field, f"a level from 1 to {len(labels)} or one of {choices}", value)


# --------------------------------------------------------------------------- lifecycle


class ChangeState(enum.Enum):
    """Where a change request is in its lifecycle (ServiceNow's change states).

    >>> ChangeState.parse("authorise")
    <ChangeState.AUTHORISE: 'authorise'>
    """

    DRAFT = "draft"
    """Being written; not yet submitted (ServiceNow *New*)."""
    ASSESS = "assess"
    """Peer review and technical assessment of a normal change."""
    AUTHORISE = "authorise"
    """Waiting for the change authority to authorise it."""
    SCHEDULED = "scheduled"
    """Authorised and waiting for its planned start."""
    IMPLEMENT = "implement"
    """Being carried out."""
    REVIEW = "review"
    """Done; the post-implementation review is under way."""
    CLOSED = "closed"
    """Reviewed and closed: final."""
    CANCELED = "canceled"
    """No longer wanted: final."""

    @classmethod
    def parse(cls, value: object, field: str = "to_state") -> ChangeState:
        """The state from itself or its name in any case."""
        member: ChangeState = parse_member(cls, value, field)
        return member


def _table(
    rows: Mapping[ChangeState, Iterable[ChangeState]],
) -> Mapping[ChangeState, frozenset[ChangeState]]:
    full = {state: frozenset(rows.get(state, ())) for state in ChangeState}
    return types.MappingProxyType(full)


_S = ChangeState
CHANGE_TRANSITIONS: Mapping[ChangeType, Mapping[ChangeState, frozenset[ChangeState]]] = (
    types.MappingProxyType(
        {
            ChangeType.NORMAL: _table(
                {
                    _S.DRAFT: {_S.ASSESS, _S.CANCELED},
                    _S.ASSESS: {_S.AUTHORISE, _S.DRAFT, _S.CANCELED},
                    _S.AUTHORISE: {_S.SCHEDULED, _S.DRAFT, _S.CANCELED},
                    _S.SCHEDULED: {_S.IMPLEMENT, _S.DRAFT, _S.CANCELED},
                    _S.IMPLEMENT: {_S.REVIEW, _S.CANCELED},
                    _S.REVIEW: {_S.CLOSED},
                }
            ),
            ChangeType.STANDARD: _table(
                {
                    _S.DRAFT: {_S.SCHEDULED, _S.CANCELED},
                    _S.SCHEDULED: {_S.IMPLEMENT, _S.DRAFT, _S.CANCELED},
                    _S.IMPLEMENT: {_S.REVIEW, _S.CANCELED},
                    _S.REVIEW: {_S.CLOSED},
                }
            ),
            ChangeType.EMERGENCY: _table(
                {
                    _S.DRAFT: {_S.AUTHORISE, _S.CANCELED},
                    _S.AUTHORISE: {_S.SCHEDULED, _S.DRAFT, _S.CANCELED},
                    _S.SCHEDULED: {_S.IMPLEMENT, _S.DRAFT, _S.CANCELED},
                    _S.IMPLEMENT: {_S.REVIEW, _S.CANCELED},
                    _S.REVIEW: {_S.CLOSED},
                }
            ),
        }
    )
)
"""The change lifecycle: ``CHANGE_TRANSITIONS[type][from_state]`` is the set of allowed next states.

Source: ServiceNow Change Management, *State progression for normal,
standard, and emergency changes* and *State model and transitions*
(servicenow.com/docs, it-service-management/change-management). Normal
changes go New, Assess, Authorize, Scheduled, Implement, Review, Closed;
standard changes are pre-authorised and go from New straight to Scheduled;
emergency changes skip Assess but must pass Authorize. A change can be
canceled in every state but Review and Closed. "Revert to New" returns an
assessed or authorising change to New (here DRAFT), which is also where a
rejected change goes; itilkit also lets a scheduled change return to DRAFT
to be re-planned. ServiceNow's *New* is called DRAFT here.
"""
del _S

CHANGE_MAIN_PATH: Mapping[ChangeType, tuple[ChangeState, ...]] = types.MappingProxyType(
    {
        ChangeType.NORMAL: (
            ChangeState.DRAFT,
            ChangeState.ASSESS,
            ChangeState.AUTHORISE,
            ChangeState.SCHEDULED,
            ChangeState.IMPLEMENT,
            ChangeState.REVIEW,
            ChangeState.CLOSED,
        ),
        ChangeType.STANDARD: (
            ChangeState.DRAFT,
            ChangeState.SCHEDULED,
            ChangeState.IMPLEMENT,
            ChangeState.REVIEW,
            ChangeState.CLOSED,
        ),
        ChangeType.EMERGENCY: (
            ChangeState.DRAFT,
            ChangeState.AUTHORISE,
            ChangeState.SCHEDULED,
            ChangeState.IMPLEMENT,
            ChangeState.REVIEW,
            ChangeState.CLOSED,
        ),
    }
)
"""The happy path of each change type, which :meth:`ChangeRequest.advance` follows.

Source: the same ServiceNow *State progression for normal, standard, and
emergency changes* as :data:`CHANGE_TRANSITIONS`: each path is that page's
progression from New (here DRAFT) to Closed, and every step of it is a move
the transition table allows.
"""

_FINAL = frozenset({ChangeState.CLOSED, ChangeState.CANCELED})


# --------------------------------------------------------------------------- values


def _instant(value: object, field: str) -> pendulum.DateTime:
    """An aware instant as a pendulum ``DateTime`` in the zone (or offset) it was given in."""
    return from_us(to_us(value, field), zone_of(value, field))


def _name(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(field, "a non-empty string", value)
    return value.strip()


@attrs.frozen
class Vote:
    """One vote cast on a change: ``by`` approves (or rejects) it as a member of ``role``.

    >>> cr = ChangeRequest.new("CHG1", type="normal", requested_at="2026-03-02T09:00+01:00",
    ...                        start="2026-03-09T22:00+01:00", end="2026-03-09T23:00+01:00")
    >>> cr = cr.reject("dana", role="cab", at="2026-03-03T10:00+01:00", reason="no rollback plan")
    >>> print(cr.votes[0])
    dana (cab) rejects at 2026-03-03T10:00:00+01:00: no rollback plan
    """

    by: str
    role: str
    approves: bool
    at: pendulum.DateTime
    reason: str | None = None
    at_us: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "at_us", to_us(self.at, "at"))

    @property
    def verdict(self) -> str:
        """``'approve'`` or ``'reject'``."""
        return "approve" if self.approves else "reject"

    def __str__(self) -> str:
        text = f"{self.by} ({self.role}) {self.verdict}s at {self.at.isoformat()}"
        return f"{text}: {self.reason}" if self.reason else text


@attrs.frozen
class ChangeTransition:
    """One lifecycle step of a change request."""

    at: pendulum.DateTime
    from_state: ChangeState
    to_state: ChangeState
    at_us: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "at_us", to_us(self.at, "at"))


def parse_items(value: object, field: str = "items") -> frozenset[str]:
    """Configuration item names: one name, or an iterable of non-empty names (stripped)."""
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise InvalidValueError(field, "a configuration item name or an iterable of names", value)
    return frozenset(_name(item, field) for item in value)


@attrs.frozen
class ChangeRequest:
    """An immutable request for change (RFC): type, risk, planned period, items, votes, lifecycle.

    Build one with :meth:`new`; every step (a vote, a transition) returns a
    new request. ``requested_at``, ``start`` and ``end`` keep the zone they
    were given in; the change's own timeline (votes and steps) is shown in
    the zone it was requested in, as an incident's steps are shown in the
    zone it was opened in.

    >>> cr = ChangeRequest.new("CHG42", type="normal", risk="high",
    ...                        requested_at="2026-03-02T09:00+01:00",
    ...                        start="2026-03-09T22:00+01:00", end="2026-03-10T01:00+01:00",
    ...                        items=["db-primary"])
    >>> cr.state, cr.duration
    (<ChangeState.DRAFT: 'draft'>, datetime.timedelta(seconds=10800))
    >>> cr = cr.advance(at="2026-03-02T10:00+01:00").approve(
    ...     "alice", role="change_manager", at="2026-03-02T11:00+01:00")
    >>> cr.state, [v.by for v in cr.votes]
    (<ChangeState.ASSESS: 'assess'>, ['alice'])
    """

    id: str
    type: ChangeType
    requested_at: pendulum.DateTime
    start: pendulum.DateTime
    end: pendulum.DateTime
    items: frozenset[str] = frozenset()
    risk: Risk = Risk.LOW
    votes: tuple[Vote, ...] = ()
    history: tuple[ChangeTransition, ...] = ()
    requested_at_us: int = attrs.field(init=False, eq=False, repr=False)
    start_us: int = attrs.field(init=False, eq=False, repr=False)
    end_us: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "requested_at_us", to_us(self.requested_at, "requested_at"))
        object.__setattr__(self, "start_us", to_us(self.start, "start"))
        object.__setattr__(self, "end_us", to_us(self.end, "end"))

    @classmethod
    def new(
        cls,
        id: str,
        *,
        type: ChangeType | str,
        requested_at: InstantLike,
        start: InstantLike,
        end: InstantLike,
        items: Iterable[str] | str = (),
        risk: Risk | str = Risk.LOW,
    ) -> ChangeRequest:
        """A new change request, in DRAFT, planned to run in ``[start, end)``.

        >>> ChangeRequest.new("CHG1", type="standard", requested_at="2026-03-02T09:00Z",
        ...                   start="2026-03-02T10:00Z", end="2026-03-02T09:30Z")
        Traceback (most recent call last):
        ...
        itilkit.InvalidValueError: 'end' must be after 'start' (...) (got '2026-03-02T09:30Z')
        """
        begin = _instant(start, "start")
        finish = _instant(end, "end")
        if to_us(finish) <= to_us(begin):
            raise InvalidValueError("end", f"after 'start' ({begin.isoformat()})", end)
        return cls(
            _name(id, "id"),
            ChangeType.parse(type),
            _instant(requested_at, "requested_at"),
            begin,
            finish,
            parse_items(items),
            Risk.parse(risk),
        )

    # ------------------------------------------------------------------ derived

    @property
    def state(self) -> ChangeState:
        """The current lifecycle state (DRAFT until the first step)."""
        return self.history[-1].to_state if self.history else ChangeState.DRAFT

    @property
    def duration(self) -> timedelta:
        """The planned duration, ``end - start``."""
        return timedelta(microseconds=self.end_us - self.start_us)

    @property
    def allowed(self) -> frozenset[ChangeState]:
        """The states this request may move to next."""
        return CHANGE_TRANSITIONS[self.type][self.state]

    @property
    def current_votes(self) -> tuple[Vote, ...]:
        """The votes that stand (each person's latest vote per role), in casting order."""
        latest: dict[tuple[str, str], Vote] = {}
        for vote in self.votes:
            latest.pop((vote.by, vote.role), None)
            latest[(vote.by, vote.role)] = vote
        return tuple(latest.values())

    @property
    def replaced_votes(self) -> tuple[tuple[Vote, Vote], ...]:
        """Each vote a later one (same person, same role) replaced, as ``(earlier, later)``."""
        latest: dict[tuple[str, str], Vote] = {}
        for vote in self.votes:
            latest[(vote.by, vote.role)] = vote
        return tuple(
            (vote, latest[(vote.by, vote.role)])
            for vote in self.votes
            if latest[(vote.by, vote.role)] is not vote
        )

    # ------------------------------------------------------------------ votes

    def approve(self, by: str, *, role: str, at: InstantLike) -> ChangeRequest:
        """A new request with ``by``'s approval, as a member of ``role``, recorded."""
        return self._vote(by, role, at, approves=True, reason=None)

    def reject(self, by: str, *, role: str, at: InstantLike, reason: str) -> ChangeRequest:
        """A new request with ``by``'s rejection, as a member of ``role``, and why."""
        return self._vote(by, role, at, approves=False, reason=_name(reason, "reason"))

    def _vote(
        self, by: str, role: str, at: InstantLike, *, approves: bool, reason: str | None
    ) -> ChangeRequest:
        if self.state in _FINAL:
            raise InvalidValueError(
                "state", "an open change (not CLOSED or CANCELED) to take a vote", self.state
            )
        voter = _name(by, "by")
        role = _name(role, "role")
        when_us = to_us(at, "at")
        if when_us < self.requested_at_us:
            raise ChronologyError("at", self._local(when_us), self.requested_at)
        for earlier in reversed(self.votes):
            if earlier.by == voter and earlier.role == role:
                if when_us < earlier.at_us:
                    raise ChronologyError("at", self._local(when_us), self._local(earlier.at_us))
                break
        vote = Vote(voter, role, approves, self._local(when_us), reason)
        return attrs.evolve(self, votes=(*self.votes, vote))

    # ------------------------------------------------------------------ lifecycle

    def transition(self, to_state: ChangeState | str, *, at: InstantLike) -> ChangeRequest:
        """A new request moved to ``to_state`` at ``at``, as :data:`CHANGE_TRANSITIONS` allows.

        Like :meth:`Incident.transition <itilkit.Incident.transition>`: ``at``
        is an aware ``datetime`` or an ISO 8601 string with an offset; it is
        kept in the zone the change was requested in; a step before the one
        it follows raises :class:`~itilkit.ChronologyError` (a step at the
        same instant is fine).

        >>> cr = ChangeRequest.new("CHG7", type="standard", requested_at="2026-03-02T09:00Z",
        ...                        start="2026-03-03T02:00Z", end="2026-03-03T03:00Z")
        >>> cr.transition("implement", at="2026-03-02T09:05Z")
        Traceback (most recent call last):
        ...
        itilkit.InvalidTransitionError: 'to_state' must be one of the moves ... (got IMPLEMENT)
        >>> sorted(s.name for s in cr.allowed)
        ['CANCELED', 'SCHEDULED']
        """
        when_us = to_us(at, "at")
        target = ChangeState.parse(to_state)
        allowed = self.allowed
        if target not in allowed:
            raise InvalidTransitionError(self.state, target, allowed)
        previous_us = self.history[-1].at_us if self.history else self.requested_at_us
        if when_us < previous_us:
            raise ChronologyError("at", self._local(when_us), self._local(previous_us))
        step = ChangeTransition(self._local(when_us), self.state, target)
        return attrs.evolve(self, history=(*self.history, step))

    def _local(self, us: int) -> pendulum.DateTime:
        """An instant in the zone the change was requested in (where its history is shown)."""
        tz = self.requested_at.tzinfo
        assert tz is not None
        return from_us(us, tz)

    def advance(self, *, at: InstantLike) -> ChangeRequest:
        """A new request moved one step along its type's main path (DRAFT -> ASSESS -> ...).

        >>> cr = ChangeRequest.new("CHG8", type="emergency", requested_at="2026-03-02T09:00Z",
        ...                        start="2026-03-02T09:30Z", end="2026-03-02T10:00Z")
        >>> cr.advance(at="2026-03-02T09:01Z").state
        <ChangeState.AUTHORISE: 'authorise'>
        """
        path = CHANGE_MAIN_PATH[self.type]
        state = self.state
        if state not in path or state is ChangeState.CLOSED:
            raise InvalidTransitionError(state, None, self.allowed)
        return self.transition(path[path.index(state) + 1], at=at)

    def cancel(self, *, at: InstantLike) -> ChangeRequest:
        """A new request moved to CANCELED (not allowed once in REVIEW or CLOSED)."""
        return self.transition(ChangeState.CANCELED, at=at)

    def revert(self, *, at: InstantLike) -> ChangeRequest:
        """A new request sent back to DRAFT ("Revert to New"), as after a rejection."""
        return self.transition(ChangeState.DRAFT, at=at)

    def with_risk(self, risk: Risk | str) -> ChangeRequest:
        """A new request with its risk (re)assessed.

        >>> cr = ChangeRequest.new("CHG9", type="normal", requested_at="2026-03-02T09:00Z",
        ...                        start="2026-03-03T02:00Z", end="2026-03-03T03:00Z")
        >>> cr.with_risk(RiskMatrix.default().risk(impact="major", likelihood="likely")).risk
        <Risk.VERY_HIGH: 4>
        """
        return attrs.evolve(self, risk=Risk.parse(risk))

    def reschedule(self, *, start: InstantLike, end: InstantLike) -> ChangeRequest:
        """A new request planned for ``[start, end)`` instead (votes and history are kept)."""
        begin = _instant(start, "start")
        finish = _instant(end, "end")
        if to_us(finish) <= to_us(begin):
            raise InvalidValueError("end", f"after 'start' ({begin.isoformat()})", end)
        return attrs.evolve(self, start=begin, end=finish)
