"""Tests for the incident lifecycle: states, the transition table, steps, replay, time in state."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import (
    ChronologyError,
    HoldReason,
    Impact,
    Incident,
    InvalidTransitionError,
    InvalidValueError,
    ItilkitError,
    NaiveDatetimeError,
    Priority,
    PriorityChange,
    PriorityMatrix,
    ServiceWindow,
    State,
    Transition,
    Urgency,
)
from itilkit._incident import INCIDENT_TRANSITIONS

from .strategies import LEGAL_MOVES, legal_walks

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def at(minutes: float) -> datetime:
    """T0 plus some minutes."""
    return T0 + timedelta(minutes=minutes)


def new_incident(id: str = "INC1") -> Incident:
    return Incident.open(id, at=T0, impact=Impact.MEDIUM, urgency=Urgency.MEDIUM)


#: How to reach each state from NEW (one legal path each), with a reason for holds.
PATHS: dict[State, list[State]] = {
    State.NEW: [],
    State.IN_PROGRESS: [State.IN_PROGRESS],
    State.ON_HOLD: [State.ON_HOLD],
    State.RESOLVED: [State.IN_PROGRESS, State.RESOLVED],
    State.CLOSED: [State.IN_PROGRESS, State.RESOLVED, State.CLOSED],
    State.CANCELED: [State.CANCELED],
}


def in_state(state: State) -> Incident:
    inc = new_incident()
    for minute, step in enumerate(PATHS[state], start=1):
        reason = HoldReason.AWAITING_CALLER if step is State.ON_HOLD else None
        inc = inc.transition(step, at=at(minute), reason=reason)
    return inc


ALL_PAIRS = [(a, b) for a in State for b in State]


def is_legal(a: State, b: State) -> bool:
    return b.name in LEGAL_MOVES[a.name]


class TestVocabulary:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("on_hold", State.ON_HOLD),
            ("ON_HOLD", State.ON_HOLD),
            ("On Hold", State.ON_HOLD),
            ("in-progress", State.IN_PROGRESS),
            ("Cancelled", State.CANCELED),
            (State.NEW, State.NEW),
        ],
    )
    def test_state_parse(self, text: object, expected: State) -> None:
        """State names are read in any case and spacing (and British 'cancelled')."""
        assert State.parse(text) is expected

    @pytest.mark.parametrize("bad", ["open", "", 3, None])
    def test_state_parse_rejects(self, bad: object) -> None:
        """An unknown state names the field and lists the choices."""
        with pytest.raises(
            InvalidValueError, match=r"^'state' must be one of 'new', 'in_progress'"
        ):
            State.parse(bad)

    def test_hold_reason_parse(self) -> None:
        """Hold reasons are read like states."""
        assert HoldReason.parse("Awaiting Vendor") is HoldReason.AWAITING_VENDOR
        with pytest.raises(InvalidValueError, match=r"^'holdreason' must be one of"):
            HoldReason.parse("awaiting godot")


class TestTransitionTable:
    def test_table_matches_the_documented_moves(self) -> None:
        """The frozen table is exactly the hand-written list of moves."""
        assert {s.name: sorted(t.name for t in INCIDENT_TRANSITIONS[s]) for s in State} == {
            k: sorted(v) for k, v in LEGAL_MOVES.items()
        }

    def test_table_is_read_only(self) -> None:
        """Rules are data that nobody can change at run time."""
        with pytest.raises(TypeError):
            INCIDENT_TRANSITIONS[State.CLOSED] = frozenset({State.NEW})  # type: ignore[index]

    @pytest.mark.parametrize(("source", "target"), [p for p in ALL_PAIRS if is_legal(*p)], ids=str)
    def test_allowed_move(self, source: State, target: State) -> None:
        """Each allowed move succeeds and is recorded as a Transition."""
        inc = in_state(source)
        reason = None
        if target is State.ON_HOLD:
            reason = (
                HoldReason.AWAITING_VENDOR
                if source is State.ON_HOLD
                else HoldReason.AWAITING_CALLER
            )
        moved = inc.transition(target, at=at(30), reason=reason)
        assert moved.state is target
        assert moved.history[-1] == Transition(pendulum.instance(at(30)), source, target, reason)
        assert len(moved.history) == len(inc.history) + 1

    @pytest.mark.parametrize(
        ("source", "target"), [p for p in ALL_PAIRS if not is_legal(*p)], ids=str
    )
    def test_forbidden_move(self, source: State, target: State) -> None:
        """Each forbidden move raises InvalidTransitionError carrying from, to and allowed."""
        inc = in_state(source)
        reason = HoldReason.AWAITING_CALLER if target is State.ON_HOLD else None
        with pytest.raises(InvalidTransitionError) as info:
            inc.transition(target, at=at(30), reason=reason)
        error = info.value
        assert (error.from_state, error.to_state) == (source, target)
        assert {s.name for s in error.allowed} == set(LEGAL_MOVES[source.name])
        assert isinstance(error, ValueError)
        assert isinstance(error, ItilkitError)
        assert f"allowed from {source.name}" in str(error)

    def test_hold_again_with_the_same_reason_is_forbidden(self) -> None:
        """ON_HOLD -> ON_HOLD is a change of reason; the same reason again is no move."""
        inc = in_state(State.ON_HOLD)
        with pytest.raises(InvalidTransitionError):
            inc.hold(at=at(5), reason=HoldReason.AWAITING_CALLER)

    def test_final_states_allow_nothing(self) -> None:
        """CLOSED and CANCELED list no moves in the error."""
        with pytest.raises(InvalidTransitionError, match=r"from CLOSED \(nothing\)"):
            in_state(State.CLOSED).transition(State.IN_PROGRESS, at=at(10))

    @pytest.mark.parametrize(
        ("state", "step", "source"),
        [
            (State.NEW, "reopen", "RESOLVED"),
            (State.CLOSED, "reopen", "RESOLVED"),
            (State.NEW, "resume", "ON_HOLD"),
            (State.RESOLVED, "resume", "ON_HOLD"),
        ],
    )
    def test_named_steps_check_where_they_start(
        self, state: State, step: str, source: str
    ) -> None:
        """reopen only from RESOLVED, resume only from ON_HOLD, though IN_PROGRESS is the target."""
        with pytest.raises(
            InvalidTransitionError, match=rf"'{step}' must start from {source}"
        ) as info:
            getattr(in_state(state), step)(at=at(10))
        assert info.value.step == step
        assert info.value.from_state is state

    def test_final_incidents_are_not_reprioritized(self) -> None:
        with pytest.raises(InvalidValueError, match="'state' must be not final"):
            in_state(State.CLOSED).reprioritize(at=at(10), impact="high")


class TestSteps:
    def test_open(self) -> None:
        """A new incident is NEW with no history and one priority entry at opened_at."""
        inc = Incident.open("INC1", at="2026-03-02T18:00+09:00", impact="1 - High", urgency=2)
        assert inc.state is State.NEW
        assert inc.history == ()
        assert inc.priority is Priority.P2  # High x Medium
        assert inc.priority_history == (
            PriorityChange(inc.opened_at, Impact.HIGH, Urgency.MEDIUM, Priority.P2),
        )
        assert inc.opened_at == T0  # 18:00+09:00 is 09:00 UTC
        assert inc.opened_at.utcoffset() == timedelta(hours=9)  # shown in the caller's zone
        assert inc.anomalies == ()

    def test_zone_is_kept(self) -> None:
        """Steps are shown in the zone the incident was opened in."""
        opened = pendulum.datetime(2026, 3, 2, 10, tz="Europe/Berlin")
        inc = Incident.open("INC1", at=opened, impact=1, urgency=1)
        inc = inc.start_work(at="2026-03-02T12:00+00:00")
        assert inc.history[0].at.hour == 13  # 12:00 UTC is 13:00 in Berlin (CET)
        assert inc.tz.utcoffset(opened) == timedelta(hours=1)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"id": ""}, InvalidValueError, r"^'id' must be a non-empty string"),
            ({"at": datetime(2026, 3, 2)}, NaiveDatetimeError, r"^'at' must be an aware"),
            ({"at": "2026-03-02T09:00"}, NaiveDatetimeError, r"^'at' must be"),
            ({"impact": "4 - Huge"}, InvalidValueError, r"^'impact' must be one of"),
            ({"urgency": None}, InvalidValueError, r"^'urgency' must be one of"),
            ({"matrix": "itil"}, InvalidValueError, r"^'matrix' must be a PriorityMatrix"),
        ],
    )
    def test_open_rejects(self, kwargs: dict[str, object], error: type, match: str) -> None:
        """Bad arguments to open name the field and the value."""
        args: dict[str, object] = {"id": "INC1", "at": T0, "impact": 1, "urgency": 1}
        args.update(kwargs)
        with pytest.raises(error, match=match):
            Incident.open(**args)  # type: ignore[arg-type]

    def test_named_steps(self) -> None:
        """The named steps move along the table: a full life with a hold and a reopen."""
        inc = (
            new_incident()
            .start_work(at=at(10))
            .hold(at=at(20), reason="awaiting_vendor")
            .resume(at=at(50))
            .resolve(at=at(60))
            .reopen(at=at(70))
            .resolve(at=at(80))
            .close(at=at(200))
        )
        assert [(t.from_state.name, t.to_state.name) for t in inc.history] == [
            ("NEW", "IN_PROGRESS"),
            ("IN_PROGRESS", "ON_HOLD"),
            ("ON_HOLD", "IN_PROGRESS"),
            ("IN_PROGRESS", "RESOLVED"),
            ("RESOLVED", "IN_PROGRESS"),
            ("IN_PROGRESS", "RESOLVED"),
            ("RESOLVED", "CLOSED"),
        ]
        assert inc.history[1].reason is HoldReason.AWAITING_VENDOR
        assert inc.resolved_at == at(80)
        assert inc.closed_at == at(200)
        assert inc.canceled_at is None
        assert inc.is_final

    def test_cancel(self) -> None:
        """Cancel is final and sets canceled_at, not closed_at."""
        inc = new_incident().cancel(at=at(5))
        assert inc.state is State.CANCELED
        assert (inc.canceled_at, inc.closed_at, inc.resolved_at) == (at(5), None, None)

    def test_resolved_at_is_cleared_by_a_reopen(self) -> None:
        """A reopen after the last resolution means the incident is not resolved."""
        inc = new_incident().resolve(at=at(1))
        assert inc.resolved_at == at(1)
        assert inc.reopen(at=at(2)).resolved_at is None
        assert new_incident().resolved_at is None

    def test_hold_needs_a_reason(self) -> None:
        """ON_HOLD without a reason is refused."""
        with pytest.raises(InvalidValueError, match=r"^'reason' must be a HoldReason"):
            new_incident().transition(State.ON_HOLD, at=at(1))

    def test_reason_only_for_holds(self) -> None:
        """A reason on any other move is refused."""
        with pytest.raises(InvalidValueError, match=r"^'reason' must be None for a move to"):
            new_incident().transition("resolved", at=at(1), reason="awaiting_caller")

    def test_time_going_backwards(self) -> None:
        """A step before the previous one raises ChronologyError naming both times."""
        inc = new_incident().start_work(at=at(10))
        with pytest.raises(ChronologyError, match=r"^'at' must be at or after 2026-03-02 09:10"):
            inc.resolve(at=at(5))
        with pytest.raises(ChronologyError):
            new_incident().start_work(at=at(-1))  # before opened_at

    def test_same_instant_is_allowed(self) -> None:
        """Steps may share an instant (zero time in the state between)."""
        inc = new_incident().start_work(at=at(0)).resolve(at=at(0))
        assert inc.state is State.RESOLVED
        assert inc.time_in(State.IN_PROGRESS) == timedelta(0)


class TestReprioritize:
    def test_history_is_kept(self) -> None:
        """Each change is kept with its time, and the priority follows the matrix."""
        inc = new_incident()  # Medium x Medium = P3
        inc = inc.reprioritize(at=at(10), impact=Impact.HIGH)  # High x Medium = P2
        inc = inc.reprioritize(at=at(20), urgency="1 - High")  # High x High = P1
        assert [(c.at, c.priority) for c in inc.priority_history] == [
            (T0, Priority.P3),
            (at(10), Priority.P2),
            (at(20), Priority.P1),
        ]
        assert (inc.impact, inc.urgency, inc.priority) == (Impact.HIGH, Urgency.HIGH, Priority.P1)
        assert inc.priority_at(at(15)) is Priority.P2
        assert inc.priority_at(at(-5)) is Priority.P3

    def test_no_change_returns_same_value(self) -> None:
        """Setting the current levels again records nothing."""
        inc = new_incident()
        assert inc.reprioritize(at=at(1), impact=Impact.MEDIUM) == inc

    def test_needs_something(self) -> None:
        """Neither impact nor urgency: refused."""
        with pytest.raises(InvalidValueError, match=r"^'impact' must be given"):
            new_incident().reprioritize(at=at(1))

    def test_chronology(self) -> None:
        """A change before the last step is refused."""
        inc = new_incident().start_work(at=at(10))
        with pytest.raises(ChronologyError):
            inc.reprioritize(at=at(5), impact=1)

    def test_custom_matrix(self) -> None:
        """Incidents use the matrix they were opened with (here 4 levels, numbers)."""
        rows = [["P1"] * 4, ["P2"] * 4, ["P3"] * 4, ["P4", "P4", "P4", "P5"]]
        matrix = PriorityMatrix.from_table(rows)
        inc = Incident.open("X", at=T0, impact=4, urgency="4", matrix=matrix)
        assert (inc.impact, inc.priority) == (4, Priority.P5)
        assert inc.reprioritize(at=at(1), impact=2).priority is Priority.P2


class TestTimeIn:
    def life(self) -> Incident:
        # NEW 10 min, IN_PROGRESS 20, ON_HOLD 30, IN_PROGRESS 40, RESOLVED 50, then CLOSED.
        return (
            new_incident()
            .start_work(at=at(10))
            .hold(at=at(30), reason=HoldReason.AWAITING_CALLER)
            .resume(at=at(60))
            .resolve(at=at(100))
            .close(at=at(150))
        )

    @pytest.mark.parametrize(
        ("state", "minutes"),
        [
            (State.NEW, 10),
            (State.IN_PROGRESS, 60),
            (State.ON_HOLD, 30),
            (State.RESOLVED, 50),
            (State.CLOSED, 0),
            (State.CANCELED, 0),
        ],
    )
    def test_closed_incident(self, state: State, minutes: int) -> None:
        """Time per state over a finished life, worked out by hand."""
        assert self.life().time_in(state) == timedelta(minutes=minutes)

    def test_as_of_clips(self) -> None:
        """With as_of only the time before it counts."""
        inc = self.life()
        assert inc.time_in(State.IN_PROGRESS, as_of=at(70)) == timedelta(minutes=30)
        assert inc.time_in("on_hold", as_of=at(5)) == timedelta(0)

    def test_open_incident_needs_as_of_for_its_current_state(self) -> None:
        """The current state of an open incident has no end without as_of."""
        inc = new_incident().start_work(at=at(10))
        assert inc.time_in(State.NEW) == timedelta(minutes=10)  # no as_of needed
        with pytest.raises(InvalidValueError, match=r"^'as_of' must be given: .* IN_PROGRESS"):
            inc.time_in(State.IN_PROGRESS)
        assert inc.time_in(State.IN_PROGRESS, as_of=at(25)) == timedelta(minutes=15)

    def test_window(self) -> None:
        """Inside a service window only open time counts (Mon 09:00-10:00 here)."""
        window = ServiceWindow.weekly("Mon 09:00-10:00", tz="UTC")
        inc = self.life()  # NEW 09:00-09:10, IN_PROGRESS 09:10-09:30 and 10:00-10:40
        assert inc.time_in(State.IN_PROGRESS, window=window) == timedelta(minutes=20)
        assert inc.time_in(State.ON_HOLD, window=window) == timedelta(minutes=30)
        assert inc.time_in(State.RESOLVED, window=window) == timedelta(0)

    def test_segments(self) -> None:
        """Segments list each stay, the last one open-ended."""
        inc = new_incident().start_work(at=at(1))
        us = int(T0.timestamp()) * 10**6
        assert inc.segments_us() == [
            (State.NEW, us, us + 60 * 10**6),
            (State.IN_PROGRESS, us + 60 * 10**6, None),
        ]


class TestReplay:
    def test_replay_equals_steps(self) -> None:
        """Replaying the recorded events builds the same incident as the steps."""
        stepped = new_incident().start_work(at=at(1)).hold(at=at(2), reason="awaiting_problem")
        replayed = Incident.replay(
            "INC1",
            [(T0, State.NEW), (at(1), "in_progress"), (at(2), State.ON_HOLD, "awaiting_problem")],
            impact=2,
            urgency=2,
        )
        assert replayed == stepped

    def test_opened_at_and_first_event_not_new(self) -> None:
        """With opened_at given, a first event that is not NEW is a transition."""
        inc = Incident.replay("I", [(at(5), State.RESOLVED)], impact=2, urgency=2, opened_at=T0)
        assert inc.opened_at == T0
        assert inc.history == (Transition(pendulum.instance(at(5)), State.NEW, State.RESOLVED),)
        inc2 = Incident.replay("I", [(at(5), State.IN_PROGRESS)], impact=2, urgency=2)
        assert inc2.opened_at == at(5)
        assert inc2.time_in(State.NEW) == timedelta(0)

    def test_repeats_change_nothing(self) -> None:
        """An event repeating the current state (and reason) is no step."""
        inc = Incident.replay(
            "I",
            [(at(1), State.IN_PROGRESS), (at(2), State.IN_PROGRESS), (at(3), State.RESOLVED)],
            impact=2,
            urgency=2,
            opened_at=T0,
        )
        assert [t.to_state for t in inc.history] == [State.IN_PROGRESS, State.RESOLVED]

    def test_priority_changes_in_replay(self) -> None:
        """A PriorityChange among the events is a reprioritization at its time."""
        change = PriorityChange(pendulum.instance(at(2)), Impact.HIGH, Urgency.HIGH, Priority.P1)
        inc = Incident.replay(
            "I", [change, (at(3), State.IN_PROGRESS)], impact=3, urgency=3, opened_at=T0
        )
        assert [c.priority for c in inc.priority_history] == [Priority.P5, Priority.P1]
        only = Incident.replay("I", [change], impact=3, urgency=3)
        assert only.opened_at == at(2)

    def test_strict_replay_raises(self) -> None:
        """strict=True raises like the single steps, with a note naming the event."""
        with pytest.raises(InvalidTransitionError) as info:
            Incident.replay("I", [(T0, "new"), (at(1), "closed")], impact=1, urgency=1)
        assert "while replaying event 0 of 'I'" in info.value.__notes__
        with pytest.raises(ChronologyError) as info2:
            Incident.replay(
                "I",
                [(at(1), "in_progress"), (at(0), "resolved")],
                impact=1,
                urgency=1,
                opened_at=T0,
            )
        assert "while replaying event 1 of 'I'" in info2.value.__notes__

    def test_lenient_replay_keeps_what_was_recorded(self) -> None:
        """strict=False keeps forbidden and backwards steps as recorded, as anomalies."""
        events = [
            (at(10), State.RESOLVED),
            (at(5), State.CLOSED),  # clock backwards
            (at(20), State.IN_PROGRESS),  # out of CLOSED: forbidden
            (at(30), State.ON_HOLD),  # no reason
        ]
        inc = Incident.replay("I", events, impact=1, urgency=1, opened_at=T0, strict=False)
        assert [t.to_state for t in inc.history] == [e[1] for e in events]
        assert [(a.kind, a.incident_id, a.row) for a in inc.anomalies] == [
            ("clock_backwards", "I", None),
            ("forbidden_transition", "I", None),
            ("hold_without_reason", "I", None),
        ]
        assert inc.anomalies[0].at == at(5)
        assert "CLOSED -> IN_PROGRESS is not an allowed move" in inc.anomalies[1].message
        # RESOLVED 09:10 -> 09:05 runs backwards: counted as zero, never negative.
        assert inc.time_in(State.RESOLVED) == timedelta(0)
        assert inc.time_in(State.CLOSED) == timedelta(minutes=15)  # 09:05 -> 09:20

    @pytest.mark.parametrize(
        ("events", "match"),
        [
            ([], r"^'events' must be non-empty"),
            (["new"], r"^'events\[0\]' must be \(at, state\)"),
            ([(T0,)], r"^'events\[0\]' must be"),
            ([(T0, "open")], r"^'state' must be one of"),
        ],
    )
    def test_bad_events(self, events: list[object], match: str) -> None:
        """Malformed events are named by position."""
        with pytest.raises(InvalidValueError, match=match):
            Incident.replay("I", events, impact=1, urgency=1)


class TestValues:
    def test_immutable(self) -> None:
        """Incidents are frozen; a step leaves the earlier incident as it was."""
        inc = new_incident()
        before = (inc.history, inc.priority_history, inc.state)
        inc.start_work(at=at(1)).reprioritize(at=at(2), impact=1)
        assert (inc.history, inc.priority_history, inc.state) == before
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            inc.id = "other"  # type: ignore[misc]

    def test_pickle_and_hash(self) -> None:
        """Incidents pickle to equal values and can be hashed."""
        inc = new_incident().hold(at=at(1), reason="awaiting_caller")
        assert pickle.loads(pickle.dumps(inc)) == inc
        assert hash(inc) == hash(pickle.loads(pickle.dumps(inc)))


def build(opened: datetime, steps: list[tuple[datetime, State, HoldReason | None]]) -> Incident:
    inc = Incident.open("P", at=opened, impact=2, urgency=2)
    for when, state, reason in steps:
        inc = inc.transition(state, at=when, reason=reason)
    return inc


class TestProperties:
    @settings(max_examples=150, deadline=None)
    @given(legal_walks())
    def test_legal_steps_replay_to_the_same_incident(
        self, walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]]
    ) -> None:
        """Any walk of legal steps replays (strictly, with no anomaly) to the same incident."""
        opened, steps = walk
        stepped = build(opened, steps)
        replayed = Incident.replay("P", steps, impact=2, urgency=2, opened_at=opened)
        assert replayed == stepped
        assert replayed.anomalies == ()
        lenient = Incident.replay("P", steps, impact=2, urgency=2, opened_at=opened, strict=False)
        assert lenient == stepped

    @settings(max_examples=150, deadline=None)
    @given(legal_walks(), st.integers(0, 10**10))
    def test_time_in_sums_to_lifetime(
        self,
        walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]],
        extra_us: int,
    ) -> None:
        """Time in all states adds up to the life: opening to close, or to as_of."""
        opened, steps = walk
        inc = build(opened, steps)
        last = steps[-1][0] if steps else opened
        if inc.is_final:
            end, as_of = last, None
        else:
            end = as_of = last + timedelta(microseconds=extra_us)
        total = sum((inc.time_in(s, as_of=as_of) for s in State), timedelta(0))
        assert total == end - opened

    @settings(max_examples=50, deadline=None)
    @given(legal_walks())
    def test_time_in_window_sums_to_business_time(
        self, walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]]
    ) -> None:
        """Inside a window the states share exactly the window's business time."""
        opened, steps = walk
        inc = build(opened, steps)
        end = steps[-1][0] + timedelta(hours=1) if steps else opened + timedelta(hours=1)
        window = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="Europe/Berlin")
        total = sum((inc.time_in(s, window=window, as_of=end) for s in State), timedelta(0))
        stop = steps[-1][0] if inc.is_final else end
        assert total == window.business_time(opened, stop)

    @settings(max_examples=100, deadline=None)
    @given(legal_walks())
    def test_earlier_values_never_change(
        self, walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]]
    ) -> None:
        """Every intermediate incident is unchanged by the steps taken after it."""
        opened, steps = walk
        snapshots = []
        inc = Incident.open("P", at=opened, impact=2, urgency=2)
        for when, state, reason in steps:
            snapshots.append((inc, pickle.dumps(inc)))
            inc = inc.transition(state, at=when, reason=reason)
        for value, frozen in snapshots:
            assert pickle.loads(frozen) == value
            assert len(value.history) <= len(inc.history)
