"""Change authorisation: who must approve a change, and whether they have.

ITIL 4 calls the person or group that authorises a change its *change
authority*; it should match the change's type and risk. Standard changes
are pre-authorised; normal changes go to a change manager, and the riskier
ones also to a change advisory board (CAB); emergency changes go to the
emergency CAB (ECAB), which can meet at short notice.

An :class:`ApprovalRule` says how many members of one role must approve (its
quorum); an :class:`ApprovalPolicy` maps a change type (and risk) to the rules
that must all be met; :meth:`ApprovalPolicy.decide` reads the votes on a
:class:`~itilkit.ChangeRequest` and returns a :class:`Decision`:

* APPROVED when every rule is met;
* REJECTED as soon as any rule can no longer be met (a rejection under
  ``"all"``, or so many rejections that too few members are left to reach
  the quorum), even while other votes are still outstanding;
* PENDING otherwise, with reasons naming the approvals still missing.

Only a member's latest vote in a role counts; votes from non-members, votes
in a role this change does not need, and replaced votes do not count, and
the decision says so.
"""

from __future__ import annotations

import enum
import fractions
import math
import types
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Literal, TypeAlias

import attrs

from ._change import ChangeRequest, ChangeState, ChangeType, Risk, Vote
from ._errors import InvalidTransitionError, InvalidValueError, NotAuthorisedError
from ._time import InstantLike

__all__ = ["DEFAULT_APPROVALS", "ApprovalPolicy", "ApprovalRule", "Decision", "Outcome"]

Quorum: TypeAlias = Literal["any", "all", "majority"] | int | Fraction
PolicyKey: TypeAlias = ChangeType | tuple[ChangeType, Risk]

_WORDS = ("any", "all", "majority")


def _members(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidValueError("members", "a non-empty collection of names", value)
    names = tuple(value)
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise InvalidValueError("members", "a non-empty collection of non-empty names", value)
    return frozenset(n.strip() for n in names)


def _role(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError("role", "a non-empty role name", value)
    return value.strip()


@attrs.frozen
class ApprovalRule:
    """``quorum`` of the ``members`` of ``role`` must approve.

    ``quorum`` is ``"any"`` (one), ``"all"``, ``"majority"`` (strictly more
    than half), a count, or a :class:`~fractions.Fraction` of the members
    (rounded up: 2/3 of 4 members is 3).

    >>> rule = ApprovalRule("cab", members={"ann", "bo", "cy", "di"}, quorum=Fraction(2, 3))
    >>> rule.needed
    3
    >>> ApprovalRule("cab", members={"ann", "bo"}, quorum=3)
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'quorum' must be at most the 2 members of 'cab' (got 3)
    """

    role: str = attrs.field(converter=_role)
    members: frozenset[str] = attrs.field(kw_only=True, converter=_members)
    quorum: str | int | fractions.Fraction = attrs.field(kw_only=True, default="majority")
    needed: int = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "needed", self._needed())

    def _needed(self) -> int:
        size = len(self.members)
        quorum = self.quorum
        if quorum == "any":
            return 1
        if quorum == "all":
            return size
        if quorum == "majority":
            return size // 2 + 1
        if isinstance(quorum, bool) or not isinstance(quorum, int | Fraction):
            raise InvalidValueError(
                "quorum", "'any', 'all', 'majority', a count or a Fraction", quorum
            )
        if isinstance(quorum, Fraction):
            if not 0 < quorum <= 1:
                raise InvalidValueError("quorum", "a Fraction in (0, 1]", quorum)
            return math.ceil(quorum * size)
        if quorum < 1:
            raise InvalidValueError("quorum", "at least 1", quorum)
        if quorum > size:
            raise InvalidValueError(
                "quorum", f"at most the {size} members of {self.role!r}", quorum
            )
        return quorum

    def describe(self) -> str:
        """The rule in words: ``'a strict majority (3 of 5) of cab'``."""
        size = len(self.members)
        if self.quorum == "any":
            return f"any one of {self.role} ({size} member{'s' if size != 1 else ''})"
        if self.quorum == "all" or self.needed == size:
            return f"all {size} of {self.role}"
        if self.quorum == "majority":
            return f"a strict majority ({self.needed} of {size}) of {self.role}"
        return f"{self.needed} of {size} of {self.role}"


class Outcome(enum.Enum):
    """The outcome of an approval decision."""

    APPROVED = "approved"
    """Every rule is met: the change is authorised."""
    REJECTED = "rejected"
    """Some rule can no longer be met."""
    PENDING = "pending"
    """No rule is out of reach yet, but some approvals are missing."""


@attrs.frozen
class Decision:
    """What a policy decided for a change, and why.

    ``reasons`` has one line per rule (met, missing approvals, or out of
    reach) and one per vote that did not count. ``missing`` maps each role
    still short of its quorum to how many more approvals it needs;
    ``uncounted`` pairs each vote that did not count with why.
    """

    change_id: str
    outcome: Outcome
    reasons: tuple[str, ...]
    missing: tuple[tuple[str, int], ...] = ()
    uncounted: tuple[tuple[Vote, str], ...] = ()

    @property
    def approved(self) -> bool:
        """Whether the outcome is APPROVED."""
        return self.outcome is Outcome.APPROVED

    def __str__(self) -> str:
        lines = [f"{self.change_id}: {self.outcome.name}"]
        lines += [f"  - {reason}" for reason in self.reasons]
        return "\n".join(lines)


DEFAULT_APPROVALS: Mapping[PolicyKey, tuple[tuple[str, Quorum], ...]] = types.MappingProxyType(
    {
        ChangeType.STANDARD: (),
        (ChangeType.NORMAL, Risk.LOW): (("change_manager", "any"),),
        (ChangeType.NORMAL, Risk.MEDIUM): (("change_manager", "any"),),
        (ChangeType.NORMAL, Risk.HIGH): (("change_manager", "any"), ("cab", "majority")),
        (ChangeType.NORMAL, Risk.VERY_HIGH): (("change_manager", "any"), ("cab", "majority")),
        ChangeType.EMERGENCY: (("ecab", "any"),),
    }
)
"""The default change authorities: ``(role, quorum)`` pairs per change type and risk.

Source: the ITIL 4 *Change Enablement* practice guide (Axelos, 2020): a
standard change is pre-authorised, a normal change is authorised by a change
authority matching its type and risk, an emergency change by an emergency
change authority. The concrete mapping is itilkit's design contract: NORMAL
changes of LOW or MEDIUM risk need any one change manager, of HIGH or
VERY_HIGH risk a change manager and a strict majority of the CAB, and
EMERGENCY changes any one ECAB member. :meth:`ApprovalPolicy.default` fills
the roles with people.
"""


def _key(key: object) -> PolicyKey:
    if isinstance(key, tuple) and len(key) == 2:
        return (ChangeType.parse(key[0], "rules"), Risk.parse(key[1], "rules"))
    if isinstance(key, ChangeType | str):
        return ChangeType.parse(key, "rules")
    raise InvalidValueError("rules", "keyed by a ChangeType or a (ChangeType, Risk) pair", key)


def _key_text(key: PolicyKey) -> str:
    if isinstance(key, tuple):
        return f"{key[0].name} {key[1].name}"
    return key.name


def _rules(value: object) -> tuple[tuple[PolicyKey, tuple[ApprovalRule, ...]], ...]:
    if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        value = dict(value)  # the canonical form, as attrs.evolve passes it back
    if not isinstance(value, Mapping):
        raise InvalidValueError("rules", "a mapping of change type (and risk) to rules", value)
    entries: dict[PolicyKey, tuple[ApprovalRule, ...]] = {}
    for raw_key, raw_rules in value.items():
        key = _key(raw_key)
        group = (raw_rules,) if isinstance(raw_rules, ApprovalRule) else tuple(raw_rules)
        for rule in group:
            if not isinstance(rule, ApprovalRule):
                raise InvalidValueError(f"rules[{_key_text(key)}]", "ApprovalRules", rule)
        roles = [rule.role for rule in group]
        if len(set(roles)) != len(roles):
            raise InvalidValueError(
                f"rules[{_key_text(key)}]", "at most one rule per role", tuple(roles)
            )
        if key in entries:
            raise InvalidValueError("rules", "one entry per change type (and risk)", raw_key)
        entries[key] = group
    return tuple(entries.items())


@attrs.frozen
class ApprovalPolicy:
    """Which rules must be met to authorise a change, by change type (and risk).

    ``rules`` maps a :class:`~itilkit.ChangeType` or a ``(ChangeType, Risk)``
    pair to the :class:`ApprovalRule` (or rules) that must all be met; an
    empty list means pre-authorised. A ``(type, risk)`` entry wins over a
    ``type`` entry.

    >>> policy = ApprovalPolicy({
    ...     "standard": [],
    ...     "normal": ApprovalRule("change_manager", members={"alice"}, quorum="any"),
    ...     ("normal", "very_high"): [
    ...         ApprovalRule("cab", members={"ann", "bo", "cy"}, quorum="all")],
    ... })
    >>> cr = ChangeRequest.new("CHG1", type="normal", requested_at="2026-03-02T09:00Z",
    ...                        start="2026-03-09T22:00Z", end="2026-03-09T23:00Z")
    >>> print(policy.decide(cr.approve("alice", role="change_manager", at="2026-03-03T09:00Z")))
    CHG1: APPROVED
      - change_manager: met, 1 of 1 needed approved (alice)
    """

    rules: tuple[tuple[PolicyKey, tuple[ApprovalRule, ...]], ...] = attrs.field(converter=_rules)

    @classmethod
    def default(
        cls, *, change_managers: Iterable[str], cab: Iterable[str], ecab: Iterable[str]
    ) -> ApprovalPolicy:
        """The default policy of ``DEFAULT_APPROVALS``, with these people in its roles.

        >>> policy = ApprovalPolicy.default(change_managers=["alice"], cab=["ann", "bo", "cy"],
        ...                                 ecab=["erin", "femi"])
        >>> [rule.describe() for rule in policy.rules_for("normal", "high")]
        ['any one of change_manager (1 member)', 'a strict majority (2 of 3) of cab']
        """
        people = {
            "change_manager": _members(change_managers),
            "cab": _members(cab),
            "ecab": _members(ecab),
        }
        return cls(
            {
                key: [
                    ApprovalRule(role, members=people[role], quorum=quorum)
                    for role, quorum in pairs
                ]
                for key, pairs in DEFAULT_APPROVALS.items()
            }
        )

    @property
    def roles(self) -> frozenset[str]:
        """Every role that some rule of the policy names."""
        return frozenset(rule.role for _, group in self.rules for rule in group)

    def rules_for(
        self, type: ChangeType | str, risk: Risk | str = Risk.LOW
    ) -> tuple[ApprovalRule, ...]:
        """The rules a change of this type and risk must meet (``()`` when pre-authorised)."""
        change_type = ChangeType.parse(type)
        level = Risk.parse(risk)
        lookup = dict(self.rules)
        found = lookup.get((change_type, level))
        if found is None:
            found = lookup.get(change_type)
        if found is None:
            covered = ", ".join(_key_text(key) for key, _ in self.rules) or "nothing"
            raise InvalidValueError(
                "type",
                f"a change type (and risk) the policy covers ({covered})",
                f"{change_type.name} {level.name}",
            )
        return found

    def authorise(self, cr: ChangeRequest, *, at: InstantLike) -> ChangeRequest:
        """Move ``cr`` from AUTHORISE to SCHEDULED, if and only if its votes approve it.

        The lifecycle table alone lets any change move on; this is the gate
        that a change authority applies. A change that is not APPROVED raises
        :class:`~itilkit.NotAuthorisedError` carrying the decision.

        >>> policy = ApprovalPolicy.default(change_managers=["alice"], cab=["ann"], ecab=["erin"])
        >>> cr = ChangeRequest.new("CHG3", type="normal", requested_at="2026-03-02T09:00Z",
        ...                        start="2026-03-09T22:00Z", end="2026-03-09T23:00Z")
        >>> cr = cr.advance(at="2026-03-02T09:05Z").advance(at="2026-03-02T09:10Z")
        >>> policy.authorise(cr, at="2026-03-02T09:15Z")
        Traceback (most recent call last):
        ...
        itilkit.NotAuthorisedError: 'CHG3' must be APPROVED by the approval policy to be scheduled (got 'PENDING'): change_manager: 1 more approval needed, 1 of 1 must approve; not voted: alice
        >>> cr = cr.approve("alice", role="change_manager", at="2026-03-02T09:20Z")
        >>> policy.authorise(cr, at="2026-03-02T09:25Z").state
        <ChangeState.SCHEDULED: 'scheduled'>
        """
        if cr.state is not ChangeState.AUTHORISE:
            raise InvalidTransitionError(
                cr.state, ChangeState.SCHEDULED, {ChangeState.AUTHORISE}, step="authorise"
            )
        decision = self.decide(cr)
        if not decision.approved:
            raise NotAuthorisedError(cr.id, decision)
        return cr.transition(ChangeState.SCHEDULED, at=at)

    def decide(self, cr: ChangeRequest) -> Decision:
        """Whether the votes on ``cr`` authorise it: APPROVED, REJECTED or PENDING, with reasons.

        >>> policy = ApprovalPolicy.default(change_managers=["alice"], cab=["ann", "bo", "cy"],
        ...                                 ecab=["erin"])
        >>> cr = ChangeRequest.new("CHG2", type="normal", risk="high",
        ...                        requested_at="2026-03-02T09:00Z",
        ...                        start="2026-03-09T22:00Z", end="2026-03-09T23:00Z")
        >>> cr = cr.approve("alice", role="change_manager", at="2026-03-03T09:00Z")
        >>> cr = cr.approve("ann", role="cab", at="2026-03-03T10:00Z")
        >>> print(policy.decide(cr))
        CHG2: PENDING
          - change_manager: met, 1 of 1 needed approved (alice)
          - cab: 1 more approval needed, 2 of 3 must approve; approved: ann; not voted: bo, cy
        """
        known = self.roles
        for vote in cr.votes:
            if vote.role not in known:
                raise InvalidValueError(
                    "role",
                    "a role of the policy (" + ", ".join(sorted(known)) + ")",
                    vote.role,
                )
        rules = self.rules_for(cr.type, cr.risk)
        by_role = {rule.role: rule for rule in rules}
        current = cr.current_votes
        reasons: list[str] = []
        missing: list[tuple[str, int]] = []
        uncounted: list[tuple[Vote, str]] = []
        out_of_reach = False

        if not rules:
            reasons.append(
                f"pre-authorised: a {cr.type.name} change of {cr.risk.name} risk needs no approval"
            )
        for rule in rules:
            votes = [v for v in current if v.role == rule.role and v.by in rule.members]
            yes = sorted(v.by for v in votes if v.approves)
            no = sorted((v for v in votes if not v.approves), key=lambda v: v.by)
            voted = {v.by for v in votes}
            silent = sorted(rule.members - voted)
            size = len(rule.members)
            reach = size - len(no)
            if len(yes) >= rule.needed:
                reasons.append(
                    f"{rule.role}: met, {len(yes)} of {rule.needed} needed approved "
                    f"({', '.join(yes)})"
                )
            elif reach < rule.needed:
                out_of_reach = True
                refusals = "; ".join(f"{v.by}: {v.reason}" for v in no)
                reasons.append(
                    f"{rule.role}: can no longer be met, {rule.needed} of {size} must approve "
                    f"but {len(no)} rejected ({refusals})"
                )
            else:
                short = rule.needed - len(yes)
                missing.append((rule.role, short))
                parts = [
                    f"{rule.role}: {short} more approval{'s' if short != 1 else ''} needed, "
                    f"{rule.needed} of {size} must approve"
                ]
                if yes:
                    parts.append("approved: " + ", ".join(yes))
                if no:
                    parts.append("rejected: " + ", ".join(v.by for v in no))
                if silent:
                    parts.append("not voted: " + ", ".join(silent))
                reasons.append("; ".join(parts))

        for earlier, later in cr.replaced_votes:
            uncounted.append(
                (earlier, f"replaced by {later.by}'s later vote at {later.at.isoformat()}")
            )
        for vote in current:
            owner = by_role.get(vote.role)
            if owner is None:
                uncounted.append(
                    (
                        vote,
                        f"a {cr.type.name} change of {cr.risk.name} risk needs no "
                        f"{vote.role} approval",
                    )
                )
            elif vote.by not in owner.members:
                uncounted.append((vote, f"{vote.by} is not a member of {vote.role}"))
        order = {id(vote): i for i, vote in enumerate(cr.votes)}
        uncounted.sort(key=lambda pair: order[id(pair[0])])
        reasons += [
            f"not counted: {vote.by}'s {vote.verdict} as {vote.role} at "
            f"{vote.at.isoformat()}: {why}"
            for vote, why in uncounted
        ]

        if out_of_reach:
            outcome = Outcome.REJECTED
        elif missing:
            outcome = Outcome.PENDING
        else:
            outcome = Outcome.APPROVED
        return Decision(cr.id, outcome, tuple(reasons), tuple(missing), tuple(uncounted))
