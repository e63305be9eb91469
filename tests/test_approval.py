"""Change authorisation: approval rules, quorums, policies and decisions."""

from __future__ import annotations

import math
import pickle
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itilkit import (
    ApprovalPolicy,
    ApprovalRule,
    ChangeRequest,
    ChangeState,
    ChangeType,
    Decision,
    InvalidTransitionError,
    InvalidValueError,
    ItilkitError,
    NotAuthorisedError,
    Outcome,
    Risk,
)
from itilkit._approval import IgnoredBecause, RuleStatus, render_reasons

REQ = "2026-03-02T09:00Z"
T0 = datetime(2026, 3, 3, 9, tzinfo=UTC)

FIVE = ["m1", "m2", "m3", "m4", "m5"]


def change(type: str = "normal", risk: str = "low", cid: str = "CHG1") -> ChangeRequest:
    return ChangeRequest.new(
        cid,
        type=type,
        risk=risk,
        requested_at=REQ,
        start="2026-03-09T22:00Z",
        end="2026-03-09T23:00Z",
    )


def cast(cr: ChangeRequest, votes: list[tuple[str, str, str]]) -> ChangeRequest:
    """Cast ``(by, role, "+" | "-")`` votes one minute apart."""
    for minute, (by, role, verdict) in enumerate(votes):
        at = T0 + timedelta(minutes=minute)
        if verdict == "+":
            cr = cr.approve(by, role=role, at=at)
        else:
            cr = cr.reject(by, role=role, at=at, reason=f"{by} objects")
    return cr


DEFAULT = ApprovalPolicy.default(
    change_managers=["alice", "amir"],
    cab=["ann", "bo", "cy", "di", "ed"],
    ecab=["erin", "femi", "gus"],
)


class TestApprovalRule:
    @pytest.mark.parametrize(
        ("quorum", "needed"),
        [
            (Fraction(2, 3), 4),  # ceil(2/3 x 5) = ceil(3.33...) = 4
            ("2/3", 4),
            (0.6, 3),  # ceil(0.6 x 5) = 3, the float read as exactly 3/5
            ("60%", 3),
            (Decimal("0.6"), 3),
            ("61%", 4),  # ceil(3.05) = 4
        ],
    )
    def test_share_quorums_read_the_one_way(self, quorum: object, needed: int) -> None:
        """A share of the members is written as every ratio is; the count needed is its ceiling."""
        rule = ApprovalRule("cab", members=["a", "b", "c", "d", "e"], quorum=quorum)  # type: ignore[arg-type]
        assert rule.needed == needed

    # needed approvals, worked by hand
    @pytest.mark.parametrize(
        ("members", "quorum", "needed"),
        [
            (5, "any", 1),
            (5, "all", 5),
            (5, "majority", 3),  # more than 2.5
            (4, "majority", 3),  # strictly more than 2
            (2, "majority", 2),
            (1, "majority", 1),
            (5, 2, 2),
            (5, 5, 5),
            (4, Fraction(2, 3), 3),  # 8/3 = 2.67, rounded up
            (4, Fraction(1, 2), 2),  # exactly 2
            (5, Fraction(1, 2), 3),  # 2.5, rounded up
            (3, Fraction(1, 3), 1),
            (5, Fraction(1), 5),
        ],
    )
    def test_needed_approvals_per_quorum_kind(
        self, members: int, quorum: object, needed: int
    ) -> None:
        """Each quorum kind asks for the number of approvals worked out by hand."""
        rule = ApprovalRule("cab", members=FIVE[:members], quorum=quorum)  # type: ignore[arg-type]
        assert rule.needed == needed

    def test_default_quorum_is_a_strict_majority(self) -> None:
        """Without a quorum a rule needs a strict majority (the contract default)."""
        assert ApprovalRule("cab", members=FIVE[:4]).needed == 3

    def test_members_are_a_frozenset(self) -> None:
        """Members are kept as a set of names; duplicates collapse."""
        rule = ApprovalRule("cab", members=["ann", "bo", "ann"], quorum="all")
        assert rule.members == frozenset({"ann", "bo"})
        assert rule.needed == 2
        assert pickle.loads(pickle.dumps(rule)) == rule

    @pytest.mark.parametrize(
        ("role", "members", "quorum", "message"),
        [
            ("cab", [], "any", r"'members' must be a non-empty collection"),
            ("cab", "ann", "any", r"'members' must be a non-empty collection of names"),
            ("cab", ["ann", ""], "any", r"'members' must be a non-empty collection"),
            (
                "cab",
                ["ann", "bo"],
                3,
                r"'quorum' must be at most the 2 members of 'cab' \(got 3\)",
            ),
            ("cab", ["ann"], 0, r"'quorum' must be at least 1 \(got 0\)"),
            ("cab", ["ann"], -1, r"'quorum' must be at least 1"),
            ("cab", ["ann"], Fraction(0), r"'quorum' must be above 0"),
            ("cab", ["ann"], Fraction(3, 2), r"'quorum' must be a ratio from 0 to 1"),
            ("cab", ["ann"], 1.5, r"'quorum' must be a ratio from 0 to 1"),
            ("cab", ["ann"], True, r"'quorum' must be 'any', 'all', 'majority'"),
            ("cab", ["ann"], "most", r"'quorum' must be a ratio from 0 to 1"),
            ("", ["ann"], "any", r"'role' must be a non-empty role name"),
        ],
    )
    def test_impossible_rules_are_refused(
        self, role: str, members: object, quorum: object, message: str
    ) -> None:
        """No members, a quorum beyond the members, or a float quorum raise ItilkitErrors."""
        with pytest.raises(InvalidValueError, match=message) as info:
            ApprovalRule(role, members=members, quorum=quorum)  # type: ignore[arg-type]
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, ItilkitError)

    @pytest.mark.parametrize(
        ("quorum", "text"),
        [
            ("any", "any one of cab (5 members)"),
            ("all", "all 5 of cab"),
            ("majority", "a strict majority (3 of 5) of cab"),
            (2, "2 of 5 of cab"),
            (Fraction(2, 3), "4 of 5 of cab"),  # 10/3 rounded up
        ],
    )
    def test_describe(self, quorum: object, text: str) -> None:
        """A rule reads as a sentence."""
        assert ApprovalRule("cab", members=FIVE, quorum=quorum).describe() == text  # type: ignore[arg-type]


def one_rule(quorum: object, members: list[str] = FIVE) -> ApprovalPolicy:
    return ApprovalPolicy(
        {ChangeType.NORMAL: [ApprovalRule("cab", members=members, quorum=quorum)]}
    )  # type: ignore[arg-type]


class TestQuorumDecisions:
    # (quorum, votes as "m1+ m2-" ..., outcome); five members m1..m5.
    CASES = (
        ("any", "", Outcome.PENDING),
        ("any", "m1+", Outcome.APPROVED),
        ("any", "m1- m2- m3- m4-", Outcome.PENDING),  # m5 could still approve
        ("any", "m1- m2- m3- m4- m5-", Outcome.REJECTED),
        ("all", "m1+ m2+ m3+ m4+", Outcome.PENDING),
        ("all", "m1+ m2+ m3+ m4+ m5+", Outcome.APPROVED),
        ("all", "m1-", Outcome.REJECTED),  # veto reached at the first rejection
        ("majority", "m1+ m2+", Outcome.PENDING),
        ("majority", "m1+ m2+ m3+", Outcome.APPROVED),
        ("majority", "m1- m2-", Outcome.PENDING),  # 3 left, 3 needed
        ("majority", "m1- m2- m3-", Outcome.REJECTED),  # 2 left, 3 needed: early veto
        ("majority", "m1+ m2+ m3- m4- m5-", Outcome.REJECTED),
        (2, "m1+ m2+", Outcome.APPROVED),
        (2, "m1- m2- m3-", Outcome.PENDING),
        (2, "m1- m2- m3- m4-", Outcome.REJECTED),
        (Fraction(3, 5), "m1+ m2+ m3+", Outcome.APPROVED),
        (Fraction(1, 2), "m1+ m2+", Outcome.PENDING),  # 5/2 rounds up to 3
        (Fraction(1, 2), "m1- m2- m3-", Outcome.REJECTED),
        # re-votes: the later vote replaces the earlier one
        ("all", "m1- m1+ m2+ m3+ m4+ m5+", Outcome.APPROVED),
        ("any", "m1+ m1-", Outcome.PENDING),
        # outsiders do not count
        ("any", "zed+", Outcome.PENDING),
        ("majority", "m1+ m2+ zed+ yan+", Outcome.PENDING),
        ("all", "zed-", Outcome.PENDING),
    )

    @pytest.mark.parametrize(("quorum", "votes", "outcome"), CASES)
    def test_outcome(self, quorum: object, votes: str, outcome: Outcome) -> None:
        """The decision follows the quorum, the latest votes and membership."""
        ballots = [(v[:-1], "cab", v[-1]) for v in votes.split()]
        assert one_rule(quorum).decide(cast(change(), ballots)).outcome is outcome


class TestDefaultPolicy:
    # (type, risk, votes, outcome, missing)
    CASES = (
        ("standard", "low", [], Outcome.APPROVED, ()),
        ("standard", "very_high", [], Outcome.APPROVED, ()),
        ("normal", "low", [], Outcome.PENDING, (("change_manager", 1),)),
        ("normal", "medium", [("amir", "change_manager", "+")], Outcome.APPROVED, ()),
        (
            "normal",
            "low",
            [("alice", "change_manager", "-")],
            Outcome.PENDING,  # amir can still approve
            (("change_manager", 1),),
        ),
        (
            "normal",
            "low",
            [("alice", "change_manager", "-"), ("amir", "change_manager", "-")],
            Outcome.REJECTED,
            (),
        ),
        (
            "normal",
            "high",
            [("alice", "change_manager", "+")],
            Outcome.PENDING,
            (("cab", 3),),
        ),
        (
            "normal",
            "high",
            [("alice", "change_manager", "+"), ("ann", "cab", "+"), ("bo", "cab", "+")],
            Outcome.PENDING,
            (("cab", 1),),
        ),
        (
            "normal",
            "very_high",
            [("alice", "change_manager", "+")] + [(m, "cab", "+") for m in ("ann", "bo", "cy")],
            Outcome.APPROVED,
            (),
        ),
        (
            "normal",
            "high",
            [(m, "cab", "-") for m in ("ann", "bo", "cy")],
            Outcome.REJECTED,  # 2 of 5 left, 3 needed: rejected before the change manager votes
            (("change_manager", 1),),
        ),
        ("emergency", "high", [], Outcome.PENDING, (("ecab", 1),)),
        ("emergency", "low", [("femi", "ecab", "+")], Outcome.APPROVED, ()),
        # a CAB approval does not authorise an emergency change
        ("emergency", "low", [("ann", "cab", "+")], Outcome.PENDING, (("ecab", 1),)),
    )

    @pytest.mark.parametrize(("type", "risk", "votes", "outcome", "missing"), CASES)
    def test_default_policy(
        self,
        type: str,
        risk: str,
        votes: list[tuple[str, str, str]],
        outcome: Outcome,
        missing: tuple[tuple[str, int], ...],
    ) -> None:
        """The default policy follows DESIGN.md's change authorities."""
        decision = DEFAULT.decide(cast(change(type, risk), votes))
        assert decision.outcome is outcome
        assert decision.missing == missing
        assert decision.approved is (outcome is Outcome.APPROVED)

    def test_standard_change_is_pre_authorised(self) -> None:
        """A standard change is approved with no votes, and the reason says so."""
        decision = DEFAULT.decide(change("standard"))
        assert decision.reasons == (
            "pre-authorised: a STANDARD change of LOW risk needs no approval",
        )

    def test_default_roles_and_rules(self) -> None:
        """The default policy's roles are change_manager, cab and ecab."""
        assert DEFAULT.roles == frozenset({"change_manager", "cab", "ecab"})
        assert [r.role for r in DEFAULT.rules_for("normal", "very_high")] == [
            "change_manager",
            "cab",
        ]
        assert DEFAULT.rules_for(ChangeType.STANDARD, Risk.HIGH) == ()

    def test_default_refuses_empty_roles(self) -> None:
        """Every default role needs members."""
        with pytest.raises(InvalidValueError, match="'members' must be a non-empty"):
            ApprovalPolicy.default(change_managers=[], cab=["ann"], ecab=["erin"])


class TestReasons:
    def test_pending_names_the_missing_approvals(self) -> None:
        """A pending decision says how many approvals each role lacks and from whom."""
        cr = cast(
            change("normal", "high"),
            [("alice", "change_manager", "+"), ("ann", "cab", "+"), ("bo", "cab", "-")],
        )
        decision = DEFAULT.decide(cr)
        assert decision.reasons == (
            "change_manager: met, 1 of 1 needed approved (alice)",
            "cab: 2 more approvals needed, 3 of 5 must approve; approved: ann; "
            "rejected: bo; not voted: cy, di, ed",
        )
        assert str(decision) == "CHG1: PENDING\n  - " + "\n  - ".join(decision.reasons)

    def test_rejection_quotes_the_reasons(self) -> None:
        """A rejected decision names who rejected and why."""
        cr = cast(change("emergency"), [(m, "ecab", "-") for m in ("erin", "femi", "gus")])
        decision = DEFAULT.decide(cr)
        assert decision.outcome is Outcome.REJECTED
        assert decision.reasons == (
            "ecab: can no longer be met, 1 of 3 must approve but 3 rejected "
            "(erin: erin objects; femi: femi objects; gus: gus objects)",
        )

    def test_votes_that_do_not_count_are_named_with_why(self) -> None:
        """Outsiders, replaced votes and votes in a role not needed are each explained."""
        cr = cast(
            change("normal", "low"),
            [
                ("mallory", "change_manager", "+"),  # not a member
                ("alice", "change_manager", "-"),  # replaced below
                ("ann", "cab", "+"),  # CAB not needed for a low-risk change
                ("alice", "change_manager", "+"),
            ],
        )
        decision = DEFAULT.decide(cr)
        assert decision.outcome is Outcome.APPROVED
        assert decision.reasons[1:] == (
            "not counted: mallory's approve as change_manager at 2026-03-03T09:00:00+00:00: "
            "mallory is not a member of change_manager",
            "not counted: alice's reject as change_manager at 2026-03-03T09:01:00+00:00: "
            "replaced by alice's later vote at 2026-03-03T09:03:00+00:00",
            "not counted: ann's approve as cab at 2026-03-03T09:02:00+00:00: "
            "a NORMAL change of LOW risk needs no cab approval",
        )
        assert [(v.by, why.split(" ")[0]) for v, why in decision.uncounted] == [
            ("mallory", "mallory"),
            ("alice", "replaced"),
            ("ann", "a"),
        ]

    def test_unknown_role_in_a_vote_is_an_error(self) -> None:
        """A vote in a role no rule of the policy names (a typo) is refused, not ignored."""
        cr = cast(change(), [("ann", "cabb", "+")])
        with pytest.raises(
            InvalidValueError,
            match=r"'role' must be a role of the policy \(cab, change_manager, ecab\) "
            r"\(got 'cabb'\)",
        ):
            DEFAULT.decide(cr)


class TestPolicy:
    def test_type_and_risk_entry_wins_over_type_entry(self) -> None:
        """A (type, risk) entry is more specific than a type entry."""
        cm = ApprovalRule("change_manager", members=["alice"], quorum="any")
        cab = ApprovalRule("cab", members=["ann", "bo"], quorum="all")
        policy = ApprovalPolicy({"normal": cm, ("normal", "high"): [cm, cab]})
        assert policy.rules_for("normal", "medium") == (cm,)
        assert policy.rules_for("normal", "high") == (cm, cab)

    def test_uncovered_change_type_is_an_error(self) -> None:
        """Deciding a change the policy has no rule for is refused, naming what it covers."""
        policy = ApprovalPolicy({"normal": []})
        with pytest.raises(
            InvalidValueError,
            match=r"'type' must be a change type \(and risk\) the policy covers \(NORMAL\) "
            r"\(got 'EMERGENCY LOW'\)",
        ):
            policy.decide(change("emergency"))

    @pytest.mark.parametrize(
        ("rules", "message"),
        [
            ([], r"'rules' must be a mapping"),
            ({"urgent": []}, r"'rules' must be one of 'standard'"),
            ({42: []}, r"'rules' must be keyed by a ChangeType"),
            ({"normal": ["cab"]}, r"'rules\[NORMAL\]' must be ApprovalRules"),
            (
                {
                    ("normal", "high"): [
                        ApprovalRule("cab", members=["a"]),
                        ApprovalRule("cab", members=["b"]),
                    ]
                },
                r"'rules\[NORMAL HIGH\]' must be at most one rule per role",
            ),
            ({"normal": [], ChangeType.NORMAL: []}, r"'rules' must be one entry per change type"),
        ],
    )
    def test_bad_policies_are_refused(self, rules: object, message: str) -> None:
        """A policy that is not a mapping of types to rules is refused by path."""
        with pytest.raises(InvalidValueError, match=message):
            ApprovalPolicy(rules)  # type: ignore[arg-type]

    def test_decision_is_a_value(self) -> None:
        """Decisions compare by value and pickle."""
        one = DEFAULT.decide(change())
        assert one == DEFAULT.decide(change())
        assert isinstance(one, Decision)
        assert pickle.loads(pickle.dumps(one)) == one
        assert pickle.loads(pickle.dumps(DEFAULT)).decide(change()) == one


def reference_needed(quorum: object, n: int) -> int:
    """The quorum worked out independently of the code under test."""
    if quorum == "any":
        return 1
    if quorum == "all":
        return n
    if quorum == "majority":
        return min(k for k in range(1, n + 1) if 2 * k > n)
    if isinstance(quorum, Fraction):
        return min(k for k in range(1, n + 1) if Fraction(k, n) >= quorum)
    assert isinstance(quorum, int)
    return quorum


quorums = st.one_of(
    st.sampled_from(["any", "all", "majority"]),
    st.integers(1, 5),
    st.fractions(min_value=Fraction(1, 12), max_value=1, max_denominator=12).filter(
        lambda f: f > 0
    ),
)
ballots = st.lists(st.tuples(st.sampled_from([*FIVE, "zed"]), st.booleans()), max_size=12)


class TestDecisionProperties:
    @given(quorum=quorums, size=st.integers(1, 5), votes=ballots)
    def test_outcome_matches_a_reference_count(
        self, quorum: object, size: int, votes: list[tuple[str, bool]]
    ) -> None:
        """The outcome equals a count of each member's last vote against the quorum."""
        if isinstance(quorum, int) and quorum > size:
            quorum = size
        members = FIVE[:size]
        policy = one_rule(quorum, members)
        cr = cast(change(), [(by, "cab", "+" if yes else "-") for by, yes in votes])
        last = {by: yes for by, yes in votes if by in members}
        needed = reference_needed(quorum, size)
        assert needed == math.ceil(quorum * size) if isinstance(quorum, Fraction) else True
        yes = sum(last.values())
        no = len(last) - yes
        expected = (
            Outcome.APPROVED
            if yes >= needed
            else Outcome.REJECTED
            if size - no < needed
            else Outcome.PENDING
        )
        assert policy.decide(cr).outcome is expected

    @given(quorum=quorums, votes=ballots)
    def test_rejected_means_no_rescue_and_pending_means_rescue(
        self, quorum: object, votes: list[tuple[str, bool]]
    ) -> None:
        """REJECTED: every silent member approving still fails; PENDING: it succeeds."""
        policy = one_rule(quorum)
        cr = cast(change(), [(by, "cab", "+" if yes else "-") for by, yes in votes])
        decision = policy.decide(cr)
        voted = {by for by, _ in votes}
        silent = [m for m in FIVE if m not in voted]
        later = cr
        for i, member in enumerate(silent):
            later = later.approve(member, role="cab", at=T0 + timedelta(hours=1, minutes=i))
        after = policy.decide(later).outcome
        if decision.outcome is Outcome.REJECTED:
            assert after is Outcome.REJECTED
        elif decision.outcome is Outcome.PENDING:
            assert after is Outcome.APPROVED
        else:
            assert after is Outcome.APPROVED


def test_policy_survives_evolve() -> None:
    """The canonical form of a policy's rules is accepted back (attrs.evolve)."""
    import attrs

    assert attrs.evolve(DEFAULT) == DEFAULT


class TestAuthorise:
    """The approval gate between AUTHORISE and SCHEDULED."""

    POLICY = ApprovalPolicy.default(
        change_managers=["alice"], cab=["ann", "bo", "cy"], ecab=["erin"]
    )

    def waiting(self, risk: str = "high") -> ChangeRequest:
        cr = ChangeRequest.new(
            "CHG9",
            type="normal",
            risk=risk,
            requested_at="2026-03-02T09:00Z",
            start="2026-03-09T22:00Z",
            end="2026-03-09T23:00Z",
        )
        return cr.advance(at="2026-03-02T09:05Z").advance(at="2026-03-02T09:10Z")

    def test_pending_and_rejected_are_not_scheduled(self) -> None:
        cr = self.waiting().approve("alice", role="change_manager", at="2026-03-02T10:00Z")
        with pytest.raises(
            NotAuthorisedError, match=r"'CHG9' must be APPROVED .*\(got 'PENDING'\)"
        ) as info:
            self.POLICY.authorise(cr, at="2026-03-02T11:00Z")
        assert info.value.decision.outcome is Outcome.PENDING
        vetoed = cr.reject("ann", role="cab", at="2026-03-02T10:05Z", reason="no tests").reject(
            "bo", role="cab", at="2026-03-02T10:06Z", reason="no tests"
        )
        with pytest.raises(NotAuthorisedError, match="got 'REJECTED'"):
            self.POLICY.authorise(vetoed, at="2026-03-02T11:00Z")

    def test_approved_is_scheduled(self) -> None:
        cr = (
            self.waiting()
            .approve("alice", role="change_manager", at="2026-03-02T10:00Z")
            .approve("ann", role="cab", at="2026-03-02T10:01Z")
            .approve("bo", role="cab", at="2026-03-02T10:02Z")
        )
        scheduled = self.POLICY.authorise(cr, at="2026-03-02T11:00Z")
        assert scheduled.state is ChangeState.SCHEDULED
        assert scheduled.history[-1].at.isoformat() == "2026-03-02T11:00:00+00:00"

    def test_only_from_authorise(self) -> None:
        draft = ChangeRequest.new(
            "CHG10",
            type="normal",
            requested_at="2026-03-02T09:00Z",
            start="2026-03-09T22:00Z",
            end="2026-03-09T23:00Z",
        )
        with pytest.raises(InvalidTransitionError, match="'authorise' must start from AUTHORISE"):
            self.POLICY.authorise(draft, at="2026-03-02T11:00Z")


class TestDecisionData:
    """A decision holds per-rule results as data; the sentences are rendered from them."""

    def test_rule_results_count_the_standing_votes(self) -> None:
        """Each rule's result names who approved, who rejected (and why) and who is silent."""
        cr = cast(
            change("normal", "high"),
            [("alice", "change_manager", "+"), ("ann", "cab", "+"), ("bo", "cab", "-")],
        )
        decision = DEFAULT.decide(cr)
        manager, cab = decision.results
        assert (manager.role, manager.status, manager.approved) == (
            "change_manager",
            RuleStatus.MET,
            ("alice",),
        )
        assert manager.silent == ("amir",)  # any one of two managers suffices
        assert manager.short == 0
        # a strict majority of five is three: one approval, two short
        assert (cab.quorum, cab.needed, cab.members) == ("majority", 3, 5)
        assert cab.approved == ("ann",)
        assert cab.rejected == ("bo",)
        assert [v.reason for v in cab.rejections] == ["bo objects"]
        assert cab.silent == ("cy", "di", "ed")
        assert (cab.status, cab.short) == (RuleStatus.PENDING, 2)
        assert decision.missing == (("cab", 2),)
        assert decision.outcome is Outcome.PENDING

    def test_out_of_reach_wins_over_pending(self) -> None:
        """Three rejections of five leave two: a majority of three is out of reach."""
        cr = cast(change("normal", "high"), [(m, "cab", "-") for m in ("ann", "bo", "cy")])
        decision = DEFAULT.decide(cr)
        assert [r.status for r in decision.results] == [
            RuleStatus.PENDING,
            RuleStatus.OUT_OF_REACH,
        ]
        assert decision.outcome is Outcome.REJECTED

    def test_ignored_votes_say_why_as_data(self) -> None:
        """Replaced, unneeded and outsider votes are kept with the reason as an enum."""
        cr = cast(
            change("normal", "low"),
            [
                ("mallory", "change_manager", "+"),
                ("alice", "change_manager", "-"),
                ("ann", "cab", "+"),
                ("alice", "change_manager", "+"),
            ],
        )
        decision = DEFAULT.decide(cr)
        assert [(i.vote.by, i.because) for i in decision.ignored] == [
            ("mallory", IgnoredBecause.NOT_A_MEMBER),
            ("alice", IgnoredBecause.REPLACED),
            ("ann", IgnoredBecause.ROLE_NOT_NEEDED),
        ]
        replaced = decision.ignored[1]
        assert replaced.replaced_by is not None
        assert replaced.replaced_by.approves
        assert replaced.replaced_by.at == T0 + timedelta(minutes=3)

    def test_a_standard_change_has_no_rule_results(self) -> None:
        """A pre-authorised change has no results, is approved, and says why in one line."""
        decision = DEFAULT.decide(change("standard", "high"))
        assert decision.results == ()
        assert decision.pre_authorised
        assert decision.approved
        assert decision.reasons == (
            "pre-authorised: a STANDARD change of HIGH risk needs no approval",
        )

    def test_reasons_are_rendered_by_one_function(self) -> None:
        """``reasons`` is exactly what render_reasons writes, and str() lists those lines."""
        cr = cast(change("emergency"), [("erin", "ecab", "+"), ("zed", "ecab", "+")])
        decision = DEFAULT.decide(cr)
        assert decision.reasons == render_reasons(decision)
        assert str(decision).splitlines()[1:] == [f"  - {r}" for r in decision.reasons]

    def test_decision_pickles(self) -> None:
        """A decision is a frozen value that travels to other processes."""
        cr = cast(change("normal", "high"), [("ann", "cab", "-")])
        decision = DEFAULT.decide(cr)
        assert pickle.loads(pickle.dumps(decision)) == decision

    def test_decide_refuses_what_is_not_a_change(self) -> None:
        """A clear error names the argument instead of an AttributeError."""
        with pytest.raises(InvalidValueError, match=r"^'cr' must be a ChangeRequest"):
            DEFAULT.decide("CHG1")  # type: ignore[arg-type]


@pytest.mark.parametrize("group", [5, "cab", None, {"role": "cab"}])
def test_a_policy_entry_must_hold_rules(group: object) -> None:
    """An entry that is neither a rule nor an iterable of rules is named in the error."""
    with pytest.raises(InvalidValueError, match=r"^'rules\[NORMAL\]' must be an ApprovalRule"):
        ApprovalPolicy({"normal": group})


def test_a_rule_met_beyond_its_quorum_says_so() -> None:
    """Four approvals where a majority of five (three) is needed read '4 approved, 3 needed'."""
    cr = cast(change("normal", "high"), [(m, "cab", "+") for m in ("ann", "bo", "cy", "di")])
    assert DEFAULT.decide(cr).reasons[1] == "cab: met, 4 approved, 3 needed (ann, bo, cy, di)"


@given(quorum=quorums, size=st.integers(1, 5), votes=ballots)
def test_rule_result_matches_a_reference_tally(
    quorum: object, size: int, votes: list[tuple[str, bool]]
) -> None:
    """Who approved, rejected and stayed silent is each member's last vote, counted by hand."""
    if isinstance(quorum, int) and quorum > size:
        quorum = size
    members = FIVE[:size]
    cr = cast(change(), [(by, "cab", "+" if yes else "-") for by, yes in votes])
    (result,) = one_rule(quorum, members).decide(cr).results
    last = {by: yes for by, yes in votes if by in members}
    assert result.approved == tuple(sorted(m for m, yes in last.items() if yes))
    assert result.rejected == tuple(sorted(m for m, yes in last.items() if not yes))
    assert result.silent == tuple(sorted(set(members) - set(last)))
    needed = reference_needed(quorum, size)
    assert (result.needed, result.members) == (needed, size)
    assert result.short == max(0, needed - len(result.approved))
    if len(result.approved) >= needed:
        assert result.status is RuleStatus.MET
    elif size - len(result.rejected) < needed:
        assert result.status is RuleStatus.OUT_OF_REACH
    else:
        assert result.status is RuleStatus.PENDING
