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

A decision is data: one :class:`RuleResult` per rule (who approved, who
rejected and why, who has not voted, the status) and one :class:`IgnoredVote`
per vote that did not count. Its ``reasons`` are written from that data by
:func:`render_reasons`, the one place where a decision becomes sentences.
"""

from __future__ import annotations

import enum
import math
import types
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Literal, TypeAlias

import attrs

from ._change import ChangeRequest, ChangeState, ChangeType, Risk, Vote
from ._errors import InvalidTransitionError, InvalidValueError, NotAuthorisedError
from ._ratio import positive_ratio
from ._report import html_table
from ._time import InstantLike

__all__ = [
    "DEFAULT_APPROVALS",
    "ApprovalPolicy",
    "ApprovalRule",
    "Decision",
    "IgnoredBecause",
    "IgnoredVote",
    "Outcome",
    "RuleResult",
    "RuleStatus",
    "render_reasons",
]

Quorum: TypeAlias = Literal["any", "all", "majority"] | int | Fraction
PolicyKey: TypeAlias = ChangeType | tuple[ChangeType, Risk]


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


def _quorum(value: object) -> Quorum:
    """``'any'``, ``'all'``, ``'majority'``, a count (an int), or a share of the members
    written as every ratio is (``Fraction(2, 3)``, ``"2/3"``, ``"60%"``, ``0.6``)."""
    if value == "any" or value == "all" or value == "majority":
        return value
    if isinstance(value, bool) or value is None:
        raise InvalidValueError(
            "quorum", "'any', 'all', 'majority', a count or a share such as '2/3'", value
        )
    if isinstance(value, int):
        return value
    return positive_ratio(value, "quorum")


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
    quorum: Quorum = attrs.field(kw_only=True, default="majority", converter=_quorum)
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
        if isinstance(quorum, Fraction):
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


class RuleStatus(enum.Enum):
    """Where one approval rule stands."""

    MET = "met"
    """Enough members approve."""
    PENDING = "pending"
    """Too few approve yet, but enough members are left who have not rejected."""
    OUT_OF_REACH = "out_of_reach"
    """So many members reject that the quorum can no longer be reached."""


@attrs.frozen
class RuleResult:
    """How the standing votes on a change meet one :class:`ApprovalRule`: data, no text.

    ``approved`` and ``silent`` are member names (sorted); ``rejections`` the
    members' standing rejections (sorted by member), each with its reason.
    """

    role: str
    quorum: Quorum
    needed: int
    members: int
    approved: tuple[str, ...]
    rejections: tuple[Vote, ...]
    silent: tuple[str, ...]
    status: RuleStatus

    @property
    def rejected(self) -> tuple[str, ...]:
        """The members whose standing vote rejects the change."""
        return tuple(vote.by for vote in self.rejections)

    @property
    def short(self) -> int:
        """How many more approvals the rule needs (0 once met)."""
        return max(0, self.needed - len(self.approved))


class IgnoredBecause(enum.Enum):
    """Why a vote on a change does not count."""

    REPLACED = "replaced"
    """The same person voted again in the same role; the later vote stands."""
    ROLE_NOT_NEEDED = "role_not_needed"
    """No rule for this change's type and risk names the vote's role."""
    NOT_A_MEMBER = "not_a_member"
    """The voter is not a member of the role they voted in."""


@attrs.frozen
class IgnoredVote:
    """A vote that does not count, why, and (when replaced) the vote that replaced it."""

    vote: Vote
    because: IgnoredBecause
    replaced_by: Vote | None = None


@attrs.frozen
class Decision:
    """What a policy decided for a change, and why, as data.

    ``results`` holds one :class:`RuleResult` per rule the change must meet
    (none when it is pre-authorised); ``ignored`` each vote that did not
    count, in casting order. The outcome follows from the results: REJECTED
    when some rule is out of reach, else PENDING when some rule is short of
    approvals, else APPROVED. ``reasons``, ``missing`` and ``uncounted`` are
    read from the same data; :func:`render_reasons` writes the sentences.
    """

    change_id: str
    type: ChangeType
    risk: Risk
    results: tuple[RuleResult, ...]
    ignored: tuple[IgnoredVote, ...] = ()

    @property
    def outcome(self) -> Outcome:
        """APPROVED, REJECTED or PENDING, from the rule results."""
        statuses = {result.status for result in self.results}
        if RuleStatus.OUT_OF_REACH in statuses:
            return Outcome.REJECTED
        if RuleStatus.PENDING in statuses:
            return Outcome.PENDING
        return Outcome.APPROVED

    @property
    def approved(self) -> bool:
        """Whether the outcome is APPROVED."""
        return self.outcome is Outcome.APPROVED

    @property
    def pre_authorised(self) -> bool:
        """Whether the change needs no approval at all (no rule applies to it)."""
        return not self.results

    @property
    def missing(self) -> tuple[tuple[str, int], ...]:
        """``(role, approvals still needed)`` for each rule that is PENDING."""
        return tuple(
            (result.role, result.short)
            for result in self.results
            if result.status is RuleStatus.PENDING
        )

    @property
    def reasons(self) -> tuple[str, ...]:
        """One sentence per rule (or one saying pre-authorised), then one per ignored vote."""
        return render_reasons(self)

    @property
    def uncounted(self) -> tuple[tuple[Vote, str], ...]:
        """Each vote that did not count, paired with why in words."""
        return tuple((item.vote, _ignored_text(item, self)) for item in self.ignored)

    def __str__(self) -> str:
        lines = [f"{self.change_id}: {self.outcome.name}"]
        lines += [f"  - {reason}" for reason in self.reasons]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The decision for Jupyter: its outcome, each rule's tally, and the reasons.

        The reasons are :func:`render_reasons`' sentences, as ``str()`` prints them.

        >>> policy = ApprovalPolicy.default(change_managers=["alice"], cab=["ann"], ecab=["erin"])
        >>> cr = ChangeRequest.new("CHG<1>", type="normal", requested_at="2026-03-02T09:00Z",
        ...                        start="2026-03-09T22:00Z", end="2026-03-09T23:00Z")
        >>> text = policy.decide(cr)._repr_html_()
        >>> "CHG&lt;1&gt;: PENDING" in text, "not voted: alice" in text
        (True, True)
        """
        summary = [
            ["change", self.change_id],
            ["type", self.type.name],
            ["risk", self.risk.name],
            ["outcome", self.outcome.name],
        ]
        title = f"{self.change_id}: {self.outcome.name}"
        out = html_table(["decision", "value"], summary, title=title)
        if self.results:
            rows = [
                [
                    result.role,
                    result.status.name,
                    f"{result.needed} of {result.members}",
                    ", ".join(result.approved),
                    "; ".join(f"{vote.by}: {vote.reason}" for vote in result.rejections),
                    ", ".join(result.silent),
                ]
                for result in self.results
            ]
            headers = ["role", "status", "needed", "approved", "rejected", "not voted"]
            out += html_table(headers, rows, title="Rules")
        reasons = [[reason] for reason in render_reasons(self)]
        return out + html_table(["reason"], reasons, title="Reasons")


# --------------------------------------------------------------------------- rendering


def render_reasons(decision: Decision) -> tuple[str, ...]:
    """The sentences of a decision: one per rule result, then one per vote that did not count.

    The only place where a decision becomes text.
    """
    lines: list[str] = []
    if decision.pre_authorised:
        lines.append(
            f"pre-authorised: a {decision.type.name} change of {decision.risk.name} risk "
            "needs no approval"
        )
    lines += [_result_text(result) for result in decision.results]
    lines += [
        f"not counted: {item.vote.by}'s {item.vote.verdict} as {item.vote.role} at "
        f"{item.vote.at.isoformat()}: {_ignored_text(item, decision)}"
        for item in decision.ignored
    ]
    return tuple(lines)


def _result_text(result: RuleResult) -> str:
    if result.status is RuleStatus.MET:
        count = len(result.approved)
        tally = (
            f"{count} of {result.needed} needed approved"
            if count == result.needed
            else f"{count} approved, {result.needed} needed"  # more than the quorum
        )
        return f"{result.role}: met, {tally} ({', '.join(result.approved)})"
    if result.status is RuleStatus.OUT_OF_REACH:
        refusals = "; ".join(f"{vote.by}: {vote.reason}" for vote in result.rejections)
        return (
            f"{result.role}: can no longer be met, {result.needed} of {result.members} must "
            f"approve but {len(result.rejections)} rejected ({refusals})"
        )
    short = result.short
    parts = [
        f"{result.role}: {short} more approval{'s' if short != 1 else ''} needed, "
        f"{result.needed} of {result.members} must approve"
    ]
    if result.approved:
        parts.append("approved: " + ", ".join(result.approved))
    if result.rejections:
        parts.append("rejected: " + ", ".join(result.rejected))
    if result.silent:
        parts.append("not voted: " + ", ".join(result.silent))
    return "; ".join(parts)


def _ignored_text(item: IgnoredVote, decision: Decision) -> str:
    vote = item.vote
    if item.because is IgnoredBecause.REPLACED:
        later = item.replaced_by
        assert later is not None
        return f"replaced by {later.by}'s later vote at {later.at.isoformat()}"
    if item.because is IgnoredBecause.ROLE_NOT_NEEDED:
        return (
            f"a {decision.type.name} change of {decision.risk.name} risk needs no "
            f"{vote.role} approval"
        )
    return f"{vote.by} is not a member of {vote.role}"


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
        if isinstance(raw_rules, ApprovalRule):
            group: tuple[object, ...] = (raw_rules,)
        elif isinstance(raw_rules, str | Mapping) or not isinstance(raw_rules, Iterable):
            raise InvalidValueError(
                f"rules[{_key_text(key)}]", "an ApprovalRule or an iterable of them", raw_rules
            )
        else:
            group = tuple(raw_rules)
        for rule in group:
            if not isinstance(rule, ApprovalRule):
                raise InvalidValueError(f"rules[{_key_text(key)}]", "ApprovalRules", rule)
        checked = tuple(rule for rule in group if isinstance(rule, ApprovalRule))
        roles = [rule.role for rule in checked]
        if len(set(roles)) != len(roles):
            raise InvalidValueError(
                f"rules[{_key_text(key)}]", "at most one rule per role", tuple(roles)
            )
        if key in entries:
            raise InvalidValueError("rules", "one entry per change type (and risk)", raw_key)
        entries[key] = checked
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
        if not isinstance(cr, ChangeRequest):
            raise InvalidValueError("cr", "a ChangeRequest", cr)
        known = self.roles
        for vote in cr.votes:
            if vote.role not in known:
                raise InvalidValueError(
                    "role",
                    "a role of the policy (" + ", ".join(sorted(known)) + ")",
                    vote.role,
                )
        rules = self.rules_for(cr.type, cr.risk)
        current = cr.current_votes
        results = tuple(_result(rule, current) for rule in rules)
        by_role = {rule.role: rule for rule in rules}
        ignored = [
            IgnoredVote(earlier, IgnoredBecause.REPLACED, later)
            for earlier, later in cr.replaced_votes
        ]
        for vote in current:
            owner = by_role.get(vote.role)
            if owner is None:
                ignored.append(IgnoredVote(vote, IgnoredBecause.ROLE_NOT_NEEDED))
            elif vote.by not in owner.members:
                ignored.append(IgnoredVote(vote, IgnoredBecause.NOT_A_MEMBER))
        order = {id(vote): i for i, vote in enumerate(cr.votes)}
        ignored.sort(key=lambda item: order[id(item.vote)])
        return Decision(cr.id, cr.type, cr.risk, results, tuple(ignored))


def _result(rule: ApprovalRule, current: tuple[Vote, ...]) -> RuleResult:
    """How the standing votes of the rule's members meet it."""
    votes = [v for v in current if v.role == rule.role and v.by in rule.members]
    yes = tuple(sorted(v.by for v in votes if v.approves))
    no = tuple(sorted((v for v in votes if not v.approves), key=lambda v: v.by))
    silent = tuple(sorted(rule.members - {v.by for v in votes}))
    size = len(rule.members)
    if len(yes) >= rule.needed:
        status = RuleStatus.MET
    elif size - len(no) < rule.needed:
        status = RuleStatus.OUT_OF_REACH
    else:
        status = RuleStatus.PENDING
    return RuleResult(rule.role, rule.quorum, rule.needed, size, yes, no, silent, status)
