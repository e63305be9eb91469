"""Change requests: types, risk, the risk matrix, votes and the change lifecycle."""

from __future__ import annotations

import itertools
import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest

import itilkit
from itilkit import (
    ChangeRequest,
    ChangeState,
    ChangeType,
    ChronologyError,
    InvalidTransitionError,
    InvalidValueError,
    ItilkitError,
    NaiveDatetimeError,
    Risk,
    RiskMatrix,
)

REQ = "2026-03-02T09:00+01:00"
START = "2026-03-09T22:00+01:00"
END = "2026-03-10T01:00+01:00"


def new(type: str = "normal", **kwargs: object) -> ChangeRequest:
    fields: dict[str, object] = {"requested_at": REQ, "start": START, "end": END}
    fields.update(kwargs)
    return ChangeRequest.new("CHG1", type=type, **fields)  # type: ignore[arg-type]


class TestVocabularies:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("standard", ChangeType.STANDARD),
            ("NORMAL", ChangeType.NORMAL),
            (" Emergency ", ChangeType.EMERGENCY),
            (ChangeType.NORMAL, ChangeType.NORMAL),
        ],
    )
    def test_change_type_parses_names_in_any_case(
        self, text: object, expected: ChangeType
    ) -> None:
        """A change type is read from its name in any case, or passed through."""
        assert ChangeType.parse(text) is expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [("low", Risk.LOW), ("very high", Risk.VERY_HIGH), ("Very-High", Risk.VERY_HIGH)],
    )
    def test_risk_parses_names(self, text: str, expected: Risk) -> None:
        """A risk is read from its name with spaces, dashes or underscores."""
        assert Risk.parse(text) is expected

    def test_risk_is_ordered_and_labelled(self) -> None:
        """Risks compare by severity and read as people write them."""
        assert Risk.LOW < Risk.MEDIUM < Risk.HIGH < Risk.VERY_HIGH
        assert Risk.VERY_HIGH.label == "very high"

    @pytest.mark.parametrize("bad", ["urgent", 3, None])
    def test_unknown_type_is_refused_with_the_choices(self, bad: object) -> None:
        """An unknown change type names the field, the choices and the value."""
        with pytest.raises(
            InvalidValueError, match=r"'type' must be one of 'standard', 'normal', 'emergency'"
        ):
            ChangeType.parse(bad)

    def test_change_state_parses(self) -> None:
        """A lifecycle state is read from its name."""
        assert ChangeState.parse("Scheduled") is ChangeState.SCHEDULED


class TestRiskMatrix:
    # The NPSA 5x5 bands, worked by hand: score = impact x likelihood;
    # 1-3 low, 4-6 moderate, 8-12 high, 15-25 extreme.
    @pytest.mark.parametrize(
        ("impact", "likelihood", "expected"),
        [
            (1, 1, Risk.LOW),  # 1
            (1, 3, Risk.LOW),  # 3
            (2, 2, Risk.MEDIUM),  # 4
            (1, 5, Risk.MEDIUM),  # 5
            (3, 2, Risk.MEDIUM),  # 6
            (2, 4, Risk.HIGH),  # 8
            (3, 3, Risk.HIGH),  # 9
            (4, 3, Risk.HIGH),  # 12
            (3, 5, Risk.VERY_HIGH),  # 15
            (4, 4, Risk.VERY_HIGH),  # 16
            (5, 5, Risk.VERY_HIGH),  # 25
            ("catastrophic", "rare", Risk.MEDIUM),  # 5 x 1 = 5
            ("Major", "almost certain", Risk.VERY_HIGH),  # 4 x 5 = 20
            ("negligible", "likely", Risk.MEDIUM),  # 1 x 4 = 4
        ],
    )
    def test_default_matrix_follows_the_npsa_bands(
        self, impact: int | str, likelihood: int | str, expected: Risk
    ) -> None:
        """The default matrix gives the NPSA band of impact x likelihood."""
        assert RiskMatrix.default().risk(impact=impact, likelihood=likelihood) is expected

    def test_custom_matrix_from_rows(self) -> None:
        """A matrix is data: rows of risks, one per impact level, lowest first."""
        m = RiskMatrix.from_rows([["low", "low", "medium"], ["medium", "high", "very_high"]])
        assert m.risk(impact=2, likelihood=3) is Risk.VERY_HIGH
        assert m.risk(impact="1", likelihood="2") is Risk.LOW

    @pytest.mark.parametrize(
        ("rows", "kwargs", "message"),
        [
            ([], {}, r"'rows' must be at least one row"),
            ([["low"], ["low", "high"]], {}, r"'rows\[1\]' must be 1 risks long"),
            ([["low", "extreme"]], {}, r"'rows\[0\]\[1\]' must be one of 'low'"),
            ([["low"]], {"impact_labels": ["a", "b"]}, r"'impact_labels' must be 1 distinct"),
            ([["low", "low"]], {"likelihood_labels": ["a", "a"]}, r"'likelihood_labels'"),
        ],
    )
    def test_bad_rows_are_refused(
        self, rows: list[list[str]], kwargs: dict[str, list[str]], message: str
    ) -> None:
        """Ragged, empty or unknown cells and mismatched labels are refused by name."""
        with pytest.raises(InvalidValueError, match=message):
            RiskMatrix.from_rows(rows, **kwargs)

    @pytest.mark.parametrize(("impact", "likelihood"), [(0, 1), (6, 1), (1, "certain"), (True, 1)])
    def test_levels_out_of_range_are_refused(self, impact: object, likelihood: object) -> None:
        """A level outside the scale, or an unknown label, names the axis."""
        with pytest.raises(InvalidValueError, match=r"must be a level from 1 to 5"):
            RiskMatrix.default().risk(impact=impact, likelihood=likelihood)  # type: ignore[arg-type]


class TestChangeRequestNew:
    def test_fields_are_kept_in_the_given_zone(self) -> None:
        """Instants keep the offset they were given in; items become a frozenset."""
        cr = new(items=["db", "web", "db"], risk="high")
        assert cr.id == "CHG1"
        assert cr.type is ChangeType.NORMAL
        assert cr.risk is Risk.HIGH
        assert cr.items == frozenset({"db", "web"})
        assert cr.start == datetime(2026, 3, 9, 22, tzinfo=timezone(timedelta(hours=1)))
        assert cr.start.utcoffset() == timedelta(hours=1)
        assert cr.duration == timedelta(hours=3)
        assert cr.state is ChangeState.DRAFT
        assert cr.votes == ()
        assert cr.history == ()

    def test_a_single_item_string_is_one_item(self) -> None:
        """``items="db"`` is the item db, not the items d and b."""
        assert new(items="db").items == frozenset({"db"})

    def test_default_risk_is_low(self) -> None:
        """Without an assessment a change is LOW risk (the contract default)."""
        assert new().risk is Risk.LOW

    @pytest.mark.parametrize("end", [START, "2026-03-09T21:59+01:00"])
    def test_end_not_after_start_is_refused(self, end: str) -> None:
        """A planned end at or before the start is refused, naming both."""
        with pytest.raises(
            InvalidValueError, match=r"'end' must be after 'start' \(2026-03-09T22"
        ):
            new(end=end)

    def test_error_is_also_a_value_error(self) -> None:
        """Callers that know nothing of itilkit catch a ValueError."""
        with pytest.raises(ValueError, match="'end'"):
            new(end=START)
        assert issubclass(InvalidValueError, ItilkitError)

    def test_naive_instant_is_refused_by_name(self) -> None:
        """A naive start raises NaiveDatetimeError naming 'start'."""
        with pytest.raises(NaiveDatetimeError, match="'start' must be an aware"):
            new(start=datetime(2026, 3, 9, 22))

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"items": ["db", ""]}, r"'items' must be a non-empty string"),
            ({"risk": "extreme"}, r"'risk' must be one of 'low', 'medium', 'high', 'very_high'"),
        ],
    )
    def test_bad_fields_are_refused(self, kwargs: dict[str, object], message: str) -> None:
        """Empty item names and unknown risks are refused by field."""
        with pytest.raises(InvalidValueError, match=message):
            new(**kwargs)

    def test_empty_id_is_refused(self) -> None:
        """A change needs an id."""
        with pytest.raises(InvalidValueError, match=r"'id' must be a non-empty string"):
            ChangeRequest.new(" ", type="normal", requested_at=REQ, start=START, end=END)

    def test_datetime_inputs_are_accepted(self) -> None:
        """Stdlib aware datetimes work as well as ISO strings."""
        cr = ChangeRequest.new(
            "CHG2",
            type=ChangeType.STANDARD,
            requested_at=datetime(2026, 3, 2, 8, tzinfo=UTC),
            start=datetime(2026, 3, 9, 21, tzinfo=UTC),
            end=datetime(2026, 3, 10, tzinfo=UTC),
        )
        assert cr.start_us == new().start_us  # 21:00Z is 22:00+01:00

    def test_is_immutable_and_pickles(self) -> None:
        """A change request is a frozen value that survives pickling."""
        cr = new(items=["db"]).approve("alice", role="change_manager", at="2026-03-03T09:00Z")
        with pytest.raises(AttributeError):
            cr.risk = Risk.HIGH  # type: ignore[misc]
        again = pickle.loads(pickle.dumps(cr))
        assert again == cr
        assert again.start_us == cr.start_us

    def test_reschedule_and_with_risk_return_new_requests(self) -> None:
        """Re-planning and re-assessing return new requests; the original is unchanged."""
        cr = new()
        moved = cr.reschedule(start="2026-03-16T22:00+01:00", end="2026-03-16T23:00+01:00")
        assert moved.duration == timedelta(hours=1)
        assert cr.duration == timedelta(hours=3)
        assert cr.with_risk("very_high").risk is Risk.VERY_HIGH
        with pytest.raises(InvalidValueError, match="'end' must be after"):
            cr.reschedule(start=END, end=START)


class TestVotes:
    def test_votes_are_recorded_in_order(self) -> None:
        """approve and reject record who, in which role, when, and why."""
        cr = new().approve("alice", role="change_manager", at="2026-03-03T09:00+01:00")
        cr = cr.reject("bo", role="cab", at="2026-03-03T10:00+01:00", reason="no backout plan")
        assert [(v.by, v.role, v.approves, v.reason) for v in cr.votes] == [
            ("alice", "change_manager", True, None),
            ("bo", "cab", False, "no backout plan"),
        ]
        assert cr.votes[1].verdict == "reject"
        assert str(cr.votes[0]) == "alice (change_manager) approves at 2026-03-03T09:00:00+01:00"

    def test_a_later_vote_of_the_same_person_and_role_replaces_the_earlier(self) -> None:
        """Only the latest vote per person and role stands; the other is reported as replaced."""
        cr = new().reject("bo", role="cab", at="2026-03-03T10:00Z", reason="wait")
        cr = cr.approve("ann", role="cab", at="2026-03-03T10:30Z")
        cr = cr.approve("bo", role="cab", at="2026-03-03T11:00Z")
        cr = cr.approve("bo", role="change_manager", at="2026-03-03T11:05Z")
        standing = [(v.by, v.role, v.approves) for v in cr.current_votes]
        assert standing == [
            ("ann", "cab", True),
            ("bo", "cab", True),
            ("bo", "change_manager", True),
        ]
        assert [(a.approves, b.approves) for a, b in cr.replaced_votes] == [(False, True)]

    def test_a_rejection_needs_a_reason(self) -> None:
        """An empty reason is refused."""
        with pytest.raises(InvalidValueError, match=r"'reason' must be a non-empty string"):
            new().reject("bo", role="cab", at="2026-03-03T10:00Z", reason="  ")

    @pytest.mark.parametrize(("by", "role"), [("", "cab"), ("bo", ""), (None, "cab")])
    def test_voter_and_role_must_be_named(self, by: object, role: str) -> None:
        """A vote needs a voter and a role."""
        with pytest.raises(InvalidValueError, match=r"must be a non-empty string"):
            new().approve(by, role=role, at="2026-03-03T10:00Z")  # type: ignore[arg-type]

    def test_a_vote_before_the_request_is_a_chronology_error(self) -> None:
        """Nobody votes on a change before it is requested."""
        with pytest.raises(
            ChronologyError, match=r"^'at' must be at or after 2026-03-02 09:00:00\+01:00 "
        ):
            new().approve("ann", role="cab", at="2026-03-01T10:00Z")

    def test_a_revote_earlier_than_the_first_is_a_chronology_error(self) -> None:
        """A person's replacing vote cannot predate the vote it replaces."""
        cr = new().approve("ann", role="cab", at="2026-03-03T10:00Z")
        # both times are shown in the zone the change was requested in (+01:00)
        with pytest.raises(ChronologyError, match=r"at or after 2026-03-03 11:00:00\+01:00"):
            cr.reject("ann", role="cab", at="2026-03-03T09:00Z", reason="changed my mind")
        # another person may vote earlier than ann did
        assert len(cr.approve("bo", role="cab", at="2026-03-03T09:00Z").votes) == 2

    @pytest.mark.parametrize("final", ["close", "cancel"])
    def test_a_closed_or_canceled_change_takes_no_votes(self, final: str) -> None:
        """Votes on a finished change are refused."""
        cr = new("standard")
        if final == "cancel":
            cr = cr.cancel(at="2026-03-02T10:00Z")
        else:
            for hour in (10, 11, 12, 13):
                cr = cr.advance(at=f"2026-03-02T{hour}:00Z")
        assert cr.state in {ChangeState.CLOSED, ChangeState.CANCELED}
        with pytest.raises(InvalidValueError, match=r"'state' must be an open change"):
            cr.approve("ann", role="cab", at="2026-03-03T10:00Z")


#: A hand-written copy of the lifecycle (ServiceNow's state progression), per type.
PATHS = {
    "normal": ["ASSESS", "AUTHORISE", "SCHEDULED", "IMPLEMENT", "REVIEW", "CLOSED"],
    "standard": ["SCHEDULED", "IMPLEMENT", "REVIEW", "CLOSED"],
    "emergency": ["AUTHORISE", "SCHEDULED", "IMPLEMENT", "REVIEW", "CLOSED"],
}
CANCELABLE = {"DRAFT", "ASSESS", "AUTHORISE", "SCHEDULED", "IMPLEMENT"}


class TestLifecycle:
    @pytest.mark.parametrize("type", sorted(PATHS))
    def test_advance_follows_the_main_path_of_each_type(self, type: str) -> None:
        """advance walks New -> ... -> Closed along the type's path, then refuses."""
        cr = new(type)
        seen = []
        for hour, _ in enumerate(PATHS[type], start=10):
            cr = cr.advance(at=f"2026-03-02T{hour}:00+01:00")
            seen.append(cr.state.name)
        assert seen == PATHS[type]
        assert [t.to_state.name for t in cr.history] == PATHS[type]
        assert cr.history[0].from_state is ChangeState.DRAFT
        with pytest.raises(InvalidTransitionError) as info:
            cr.advance(at="2026-03-03T00:00+01:00")
        assert info.value.from_state is ChangeState.CLOSED
        assert info.value.allowed == frozenset()

    @pytest.mark.parametrize("type", sorted(PATHS))
    def test_cancel_is_allowed_until_review(self, type: str) -> None:
        """Every state but Review and Closed can be canceled (ServiceNow)."""
        cr = new(type)
        for hour, state in enumerate(["DRAFT", *PATHS[type]], start=10):
            at = f"2026-03-02T{hour}:00+01:00"
            if state in CANCELABLE:
                assert cr.cancel(at=at).state is ChangeState.CANCELED
            else:
                with pytest.raises(InvalidTransitionError):
                    cr.cancel(at=at)
            if state != "CLOSED":
                cr = cr.advance(at=at)

    def test_skipping_a_state_names_the_allowed_moves(self) -> None:
        """A normal change cannot jump from DRAFT to SCHEDULED; the error says what it can do."""
        with pytest.raises(
            InvalidTransitionError, match=r"from DRAFT \(ASSESS, CANCELED\)"
        ) as info:
            new().transition("scheduled", at="2026-03-02T10:00Z")
        assert info.value.to_state is ChangeState.SCHEDULED
        assert info.value.allowed == frozenset({ChangeState.ASSESS, ChangeState.CANCELED})

    def test_emergency_skips_assess(self) -> None:
        """An emergency change has no Assess state."""
        with pytest.raises(InvalidTransitionError, match=r"from DRAFT \(AUTHORISE, CANCELED\)"):
            new("emergency").transition(ChangeState.ASSESS, at="2026-03-02T10:00Z")

    def test_revert_to_draft(self) -> None:
        """An assessed, authorising or scheduled change can go back to DRAFT."""
        cr = new().advance(at="2026-03-02T10:00Z")
        assert cr.revert(at="2026-03-02T11:00Z").state is ChangeState.DRAFT
        cr = cr.advance(at="2026-03-02T11:00Z").advance(at="2026-03-02T12:00Z")
        assert cr.state is ChangeState.SCHEDULED
        assert cr.revert(at="2026-03-02T13:00Z").state is ChangeState.DRAFT
        with pytest.raises(InvalidTransitionError):
            new().revert(at="2026-03-02T10:00Z")

    def test_advance_from_canceled_is_refused(self) -> None:
        """A canceled change has nowhere to go."""
        cr = new().cancel(at="2026-03-02T10:00Z")
        with pytest.raises(InvalidTransitionError, match="from CANCELED"):
            cr.advance(at="2026-03-02T11:00Z")

    def test_a_step_before_the_previous_is_a_chronology_error(self) -> None:
        """Steps run forward in time; a step at the same instant is fine."""
        cr = new().advance(at="2026-03-02T10:00Z")
        assert cr.advance(at="2026-03-02T10:00Z").state is ChangeState.AUTHORISE
        with pytest.raises(
            ChronologyError, match=r"^'at' must be at or after 2026-03-02 11:00:00\+01:00"
        ) as e:
            cr.advance(at="2026-03-02T09:59Z")
        assert e.value.previous == datetime(2026, 3, 2, 10, tzinfo=UTC)
        assert e.value.value == datetime(2026, 3, 2, 9, 59, tzinfo=UTC)

    def test_the_first_step_cannot_predate_the_request(self) -> None:
        """The request itself is the first point in time."""
        with pytest.raises(ChronologyError):
            new().advance(at="2026-03-02T07:59Z")  # 08:00Z is 09:00+01:00

    def test_unknown_target_state_is_refused(self) -> None:
        """An unknown state name is refused with the choices."""
        with pytest.raises(InvalidValueError, match=r"'to_state' must be one of 'draft'"):
            new().transition("approved", at="2026-03-02T10:00Z")


def test_public_names_are_exported() -> None:
    """The change names are part of the flat itilkit namespace."""
    for name in [
        "ChangeType",
        "Risk",
        "RiskMatrix",
        "ChangeState",
        "ChangeRequest",
        "Vote",
        "ApprovalRule",
        "ApprovalPolicy",
        "Decision",
        "Outcome",
        "ChangeCalendar",
        "Conflict",
        "ConflictKind",
    ]:
        assert name in itilkit.__all__
        assert getattr(itilkit, name).__module__ == "itilkit"


# --- rules are data (DESIGN principle 4) ---

RULE_TABLES = [
    ("_change", "CHANGE_TRANSITIONS"),
    ("_change", "CHANGE_MAIN_PATH"),
    ("_change", "DEFAULT_RISK_MATRIX"),
    ("_approval", "DEFAULT_APPROVALS"),
    ("_priority", "ITIL_MATRIX"),
]


def _attribute_docstring(module: str, name: str) -> str | None:
    """The string literal written right after ``name = ...`` at module level."""
    import ast
    import importlib
    import inspect

    tree = ast.parse(inspect.getsource(importlib.import_module(f"itilkit.{module}")))
    body = tree.body
    for node, after in itertools.pairwise(body):
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                return str(after.value.value)
            return None
    return None


@pytest.mark.parametrize(("module", "name"), RULE_TABLES)
def test_rule_tables_are_public_frozen_and_cite_a_source(module: str, name: str) -> None:
    """Each rule table is in its module's __all__, cannot be changed, and names its source."""
    import importlib

    mod = importlib.import_module(f"itilkit.{module}")
    assert name in mod.__all__
    table = getattr(mod, name)
    with pytest.raises(TypeError):
        table[next(iter(table))] = None  # a tuple or a read-only mapping
    doc = _attribute_docstring(module, name)
    assert doc is not None and "Source:" in doc


def test_default_risk_matrix_is_the_npsa_banding() -> None:
    """Each cell is the NPSA band of impact x likelihood: 1-3, 4-6, 8-12, 15-25."""
    from itilkit._change import DEFAULT_RISK_MATRIX

    def band(score: int) -> Risk:
        if score in (1, 2, 3):
            return Risk.LOW
        if score in (4, 5, 6):
            return Risk.MEDIUM
        if score in (8, 9, 10, 12):
            return Risk.HIGH
        assert score in (15, 16, 20, 25)
        return Risk.VERY_HIGH

    expected = tuple(tuple(band(i * j) for j in range(1, 6)) for i in range(1, 6))
    assert expected == DEFAULT_RISK_MATRIX


def test_main_paths_follow_the_transition_table() -> None:
    """Every step of each type's main path is a move its transition table allows."""
    from itilkit._change import CHANGE_MAIN_PATH, CHANGE_TRANSITIONS

    for kind, path in CHANGE_MAIN_PATH.items():
        assert path[0] is ChangeState.DRAFT and path[-1] is ChangeState.CLOSED
        for here, there in itertools.pairwise(path):
            assert there in CHANGE_TRANSITIONS[kind][here], (kind, here, there)


# --- the same instant type and behaviour as Incident.transition ---


class TestTransitionLikeIncident:
    def test_times_are_kept_in_the_zone_of_the_request(self) -> None:
        """A step given in UTC is shown in the zone the change was requested in (+01:00)."""
        cr = new().advance(at="2026-03-02T10:00Z")
        assert cr.history[-1].at.isoformat() == "2026-03-02T11:00:00+01:00"
        assert cr.history[-1].at == datetime(2026, 3, 2, 10, tzinfo=UTC)
        voted = cr.approve("alice", role="change_manager", at="2026-03-02T12:00Z")
        assert voted.votes[0].at.isoformat() == "2026-03-02T13:00:00+01:00"
        assert str(voted.votes[0]).endswith("approves at 2026-03-02T13:00:00+01:00")

    @pytest.mark.parametrize(
        ("at", "error"),
        [
            (None, InvalidValueError),
            ("tomorrow", InvalidValueError),
            (datetime(2026, 3, 2, 10), NaiveDatetimeError),
            ("2026-03-02T10:00", NaiveDatetimeError),
        ],
    )
    def test_a_bad_instant_is_refused_before_the_table_is_read(
        self, at: object, error: type[Exception]
    ) -> None:
        """A bad ``at`` is named first, for a change and an incident alike (even on a bad move)."""
        incident = itilkit.Incident.open("INC1", at="2026-03-02T09:00Z", impact=1, urgency=1)
        with pytest.raises(error, match=r"^'at' must be"):
            incident.transition("closed", at=at)  # type: ignore[arg-type]
        with pytest.raises(error, match=r"^'at' must be"):
            new().transition("implement", at=at)  # type: ignore[arg-type]

    def test_chronology_errors_carry_instants_like_an_incident(self) -> None:
        """Both say which instant came too early, as datetimes, and accept an equal instant."""
        incident = itilkit.Incident.open("INC1", at="2026-03-02T09:00Z", impact=1, urgency=1)
        incident = incident.start_work(at="2026-03-02T10:00Z")
        cr = new().advance(at="2026-03-02T10:00Z")
        errors = []
        for step in (incident.resolve, cr.advance):
            with pytest.raises(ChronologyError) as info:
                step(at="2026-03-02T09:30Z")
            errors.append(info.value)
            step(at="2026-03-02T10:00Z")  # the same instant is fine
        for error in errors:
            assert error.field == "at"
            assert error.value == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
            assert error.previous == datetime(2026, 3, 2, 10, tzinfo=UTC)

    def test_annotations_match(self) -> None:
        """ChangeRequest.transition takes the instant type Incident.transition does."""
        import typing

        from itilkit._time import InstantLike

        hints = typing.get_type_hints(ChangeRequest.transition)
        assert hints["at"] == InstantLike


# --- input that is not what it should be ---


class TestHostileInput:
    @pytest.mark.parametrize("rows", [5, "low", [None], [["low"], 7], [{"a": "low"}]])
    def test_risk_rows_that_are_not_rows(self, rows: object) -> None:
        """Rows that are not iterables of risks are a clear error, not a TypeError."""
        with pytest.raises(InvalidValueError, match=r"^'rows(\[\d\])?' must be"):
            RiskMatrix.from_rows(rows)  # type: ignore[arg-type]

    @pytest.mark.parametrize("labels", [5, [None, "b"], ["a", ""], "ab"])
    def test_risk_labels_that_are_not_labels(self, labels: object) -> None:
        """Labels must be as many non-empty strings as there are levels."""
        with pytest.raises(InvalidValueError, match=r"^'impact_labels' must be"):
            RiskMatrix.from_rows([["low"], ["high"]], impact_labels=labels)  # type: ignore[arg-type]

    @pytest.mark.parametrize("items", [5, None, {"db": 1}, [None]])
    def test_items_that_are_not_names(self, items: object) -> None:
        """Configuration items are a name or an iterable of names."""
        with pytest.raises(InvalidValueError, match=r"^'items' must be"):
            new(items=items)
