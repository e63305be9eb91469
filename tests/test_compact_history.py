"""Incidents keep their life compact, and every public reading gives what the objects gave.

An :class:`~itilkit.Incident` holds its history, priority history, opening and
carried fields as integers in one ``bytes`` value; ``history``,
``priority_history``, ``opened_at`` and ``carried`` build the
:class:`~itilkit.Transition`, :class:`~itilkit.PriorityChange` and pendulum
values when asked. These properties build random incidents through the public
API and check every reading against an independent reference written from the
event list (the objects the incident held before it was compact), and the
engine's answers (clocks, compliance, the clock log) against the same
incident kept as objects (the full path the constructor takes for values the
bytes cannot hold). Equality, hashing, repr, pickling, ``attrs.evolve`` and
the constructor round-trip.
"""

from __future__ import annotations

import copy
import pickle
import sys
import tracemalloc
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import (
    SLA,
    BusinessDays,
    Clock,
    HoldReason,
    Incident,
    PriorityChange,
    PriorityMatrix,
    ServiceWindow,
    State,
    Target,
    Transition,
    compliance,
)
from itilkit._incident import ITIL_PRIORITIES, StepBuilder, _fill, _Verbatim
from itilkit._time import to_us
from itilkit.io import read_event_log, read_field_changes, read_incidents
from itilkit.io._event_log import _closed_us, _resolved_us

from .strategies import LEGAL_MOVES, ZONES, instants, sla_windows

# --- strategies (what the public API is given) -------------------------------------------

#: A 3x4 matrix: its urgency levels are plain numbers (1..4), not Urgency members.
WIDE = PriorityMatrix.from_table(
    [["P1", "P1", "P2", "P4"], ["P1", "P2", "P3", "P4"], ["P2", "P3", "P3", "P4"]],
    impacts=["A department", "A service", "A person"],
    urgencies=["Critical", "High", "Medium", "Low"],
    name="wide",
)
FIELDS = ("group", "assignee", "service", "made_sla")
VALUES = (None, "Network", "Service Desk", "kim", "ERP", "true")


def written(moment: datetime, form: str, zone: str) -> object:
    """The same instant as a caller may write it."""
    local = moment.astimezone(ZoneInfo(zone))
    if form == "text":
        return local.isoformat()
    if form == "stdlib":
        return local
    if form == "utc":
        return moment
    return pendulum.instance(moment).in_timezone(zone)


@dataclass
class Life:
    """What a caller did to one incident, in order: the reference is read from this."""

    matrix: PriorityMatrix
    opened: object
    levels: tuple[object, object]
    events: list[tuple[str, object, object]] = field(default_factory=list)


@st.composite
def lives(draw: st.DrawFn) -> Life:
    """An opening and legal, time-ordered steps, reprioritisations and field changes
    (gaps may be zero, instants crowd DST transitions and carry microseconds)."""
    zone = draw(st.sampled_from((*ZONES, "UTC")))
    form = draw(st.sampled_from(("text", "stdlib", "utc", "pendulum")))
    matrix = draw(st.sampled_from((ITIL_PRIORITIES, WIDE)))
    urgencies = (1, 2, 3) if matrix is ITIL_PRIORITIES else (1, 2, 3, 4)
    moment = draw(instants())
    life = Life(matrix, written(moment, form, zone), (draw(st.sampled_from((1, 2, 3))), 1))
    state, reason = "NEW", None
    for _ in range(draw(st.integers(0, 10))):
        gap = draw(st.sampled_from((0, 1, 59_999_999, 3_600_000_000, 3 * 86_400_000_000)))
        moment += timedelta(microseconds=gap)
        at = written(moment, draw(st.sampled_from(("text", "stdlib", "utc", "pendulum"))), zone)
        kind = draw(st.sampled_from(("step", "step", "levels", "fields")))
        if kind == "step" and LEGAL_MOVES[state]:
            target = draw(st.sampled_from(LEGAL_MOVES[state]))
            new_reason = None
            if target == "ON_HOLD":
                new_reason = draw(st.sampled_from([r for r in HoldReason if r is not reason]))
            life.events.append(("step", at, (State[target], new_reason)))
            state, reason = target, new_reason
        elif kind == "levels" and state not in ("CLOSED", "CANCELED"):
            levels = (draw(st.sampled_from((1, 2, 3))), draw(st.sampled_from(urgencies)))
            life.events.append(("levels", at, levels))
        elif kind == "fields":
            names = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True))
            life.events.append(("fields", at, {n: draw(st.sampled_from(VALUES)) for n in names}))
    return life


def build(life: Life, id: str = "INC1") -> Incident:
    """The incident, through the public steps."""
    impact, urgency = life.levels
    inc = Incident.open(id, at=life.opened, impact=impact, urgency=urgency, matrix=life.matrix)  # type: ignore[arg-type]
    for kind, at, what in life.events:
        if kind == "step":
            state, reason = what  # type: ignore[misc]
            inc = inc.transition(state, at=at, reason=reason)  # type: ignore[arg-type]
        elif kind == "levels":
            i, u = what  # type: ignore[misc]
            inc = inc.reprioritize(at=at, impact=i, urgency=u)  # type: ignore[arg-type]
        else:
            current = dict(inc.attributes)
            wanted = dict(what)  # type: ignore[call-overload]
            if all(current.get(k) == v for k, v in wanted.items()):
                continue  # set_fields keeps only real changes; none here
            inc = inc.set_fields(at=at, **wanted)  # type: ignore[arg-type]
    return inc


# --- the reference: the objects, written from the event list ---------------------------


def local(at: object, tz: object) -> pendulum.DateTime:
    """An instant as the incident shows it: in the zone it was opened in."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    assert isinstance(at, datetime)
    return pendulum.instance(at).in_timezone(tz)  # type: ignore[arg-type]


def us(at: object) -> int:
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    assert isinstance(at, datetime)
    since = datetime.__sub__(at, datetime(1970, 1, 1, tzinfo=UTC))  # stdlib, not pendulum's
    return since // timedelta(microseconds=1)


@dataclass
class Reference:
    opened_at: pendulum.DateTime
    history: tuple[Transition, ...]
    priority_history: tuple[PriorityChange, ...]
    carried: tuple[str | int | None, ...]


def reference(life: Life, tz: object) -> Reference:
    """What the incident held as objects, read from the caller's events alone."""
    matrix = life.matrix
    impact, urgency = (matrix.impact_level(life.levels[0]), matrix.urgency_level(life.levels[1]))
    opened = life.opened if isinstance(life.opened, pendulum.DateTime) else local(life.opened, tz)
    changes = [PriorityChange(opened, impact, urgency, matrix.priority(impact, urgency))]
    history: list[Transition] = []
    carried: list[str | int | None] = []
    values: dict[str, str] = {}
    state = State.NEW
    for kind, at, what in life.events:
        if kind == "step":
            target, reason = what  # type: ignore[misc]
            history.append(Transition(local(at, tz), state, target, reason))
            state = target
        elif kind == "levels":
            i, u = matrix.impact_level(what[0]), matrix.urgency_level(what[1])  # type: ignore[index]
            if (i, u) != (impact, urgency):
                changes.append(PriorityChange(local(at, tz), i, u, matrix.priority(i, u)))
                impact, urgency = i, u
        else:
            for name in sorted(what):  # type: ignore[call-overload]
                value = what[name]  # type: ignore[index]
                if values.get(name) != value:
                    carried += (name, us(at), value)
                    if value is None:
                        values.pop(name, None)
                    else:
                        values[name] = value
    return Reference(opened, tuple(history), tuple(changes), tuple(carried))


def same_instant(a: pendulum.DateTime, b: pendulum.DateTime) -> bool:
    """The same DateTime in every respect a caller sees: instant, wall time, fold, zone."""
    return (
        type(a) is type(b)
        and a == b
        and a.utcoffset() == b.utcoffset()
        and a.isoformat() == b.isoformat()
        and a.fold == b.fold
        and repr(a) == repr(b)
    )


def as_objects(inc: Incident) -> Incident:
    """The same incident kept as objects: the full path every reading falls back to."""
    kept = Incident.__new__(Incident)
    fields = _Verbatim(
        inc.opened_at,
        inc.history,
        inc.priority_history,
        inc.matrix,
        inc.anomalies,
        inc.opened_at_us,
        inc.carried,
    )
    _fill(kept, inc.id, None, (), inc.tz, fields)
    return kept


def instant(at_us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=at_us)


def readings(inc: Incident, as_of: int) -> dict[str, object]:
    """Everything a caller reads from an incident, in plain values."""
    out: dict[str, object] = {
        "id": inc.id,
        "opened_at": repr(inc.opened_at),
        "opened_at_us": inc.opened_at_us,
        "history": repr(inc.history),
        "priority_history": repr(inc.priority_history),
        "carried": inc.carried,
        "anomalies": repr(inc.anomalies),
        "matrix": inc.matrix,
        "tz": repr(inc.tz),
        "state": inc.state,
        "hold_reason": inc.hold_reason,
        "is_final": inc.is_final,
        "impact": repr(inc.impact),
        "urgency": repr(inc.urgency),
        "priority": inc.priority,
        "attributes": dict(inc.attributes),
        "changes": {f: repr(inc.changes(f)) for f in FIELDS},
        "resolved_at": repr(inc.resolved_at),
        "closed_at": repr(inc.closed_at),
        "canceled_at": repr(inc.canceled_at),
        "segments_us": inc.segments_us(),
        "priority_at": [inc.priority_at(c.at) for c in inc.priority_history],
        "time_in": [inc.time_in(s, as_of=instant(as_of)) for s in State],
        "repr": repr(inc),
        "html": inc._repr_html_(),
    }
    return out


# --- properties --------------------------------------------------------------------------


class TestReadings:
    @settings(max_examples=200)
    @given(life=lives())
    def test_objects_are_those_of_the_event_list(self, life: Life) -> None:
        """history, priority_history, opened_at and carried read back the objects the
        reference writes from the event list: equal, same repr, same instants and zones."""
        inc = build(life)
        ref = reference(life, inc.tz)
        assert same_instant(inc.opened_at, ref.opened_at)
        assert inc.opened_at_us == to_us(ref.opened_at)
        assert inc.history == ref.history
        assert repr(inc.history) == repr(ref.history)
        assert inc.priority_history == ref.priority_history
        assert repr(inc.priority_history) == repr(ref.priority_history)
        for got, want in zip(inc.history, ref.history, strict=True):
            assert same_instant(got.at, want.at) and got.at_us == to_us(want.at)
        for change, wanted in zip(inc.priority_history, ref.priority_history, strict=True):
            assert same_instant(change.at, wanted.at) and change.at_us == to_us(wanted.at)
        assert inc.carried == ref.carried
        last = ref.history[-1] if ref.history else None
        assert inc.state is (last.to_state if last else State.NEW)
        assert inc.hold_reason is (last.reason if last else None)
        assert inc.priority is ref.priority_history[-1].priority
        assert repr((inc.impact, inc.urgency)) == repr(
            (ref.priority_history[-1].impact, ref.priority_history[-1].urgency)
        )
        if inc.state is State.CLOSED:
            assert last is not None and inc.closed_at is not None
            assert same_instant(inc.closed_at, last.at)

    @settings(max_examples=150)
    @given(life=lives(), data=st.data())
    def test_every_reading_equals_the_object_path(self, life: Life, data: st.DataObject) -> None:
        """Every public reading (states, times, fields, segments, repr, HTML) is the same
        on the compact incident and on the incident kept as objects."""
        inc = build(life)
        as_of = inc.opened_at_us + data.draw(st.integers(0, 40 * 86_400_000_000))
        assert readings(inc, as_of) == readings(as_objects(inc), as_of)

    @settings(max_examples=150)
    @given(
        events=st.lists(
            st.tuples(
                st.integers(-3 * 3_600, 5 * 86_400),
                st.sampled_from(list(State)),
                st.sampled_from([None, *HoldReason]),
            ),
            min_size=1,
            max_size=12,
        ),
        zone=st.sampled_from(ZONES),
        start=instants(),
    )
    def test_recorded_replay_keeps_what_was_recorded(
        self, events: list[tuple[int, State, HoldReason | None]], zone: str, start: datetime
    ) -> None:
        """A non-strict replay (steps the table forbids, clocks that go back, holds without
        a reason) keeps each recorded step that changes the state, in recorded order, and
        reads the same as the object path."""
        opened = pendulum.instance(start).in_timezone(zone)
        recorded = [
            (opened + timedelta(seconds=s), state, reason if state is State.ON_HOLD else None)
            for s, state, reason in events
        ]
        inc = Incident.replay("INC", recorded, impact=2, urgency=2, opened_at=opened, strict=False)
        expected: list[Transition] = []
        state, reason = State.NEW, None
        for at, new_state, new_reason in recorded:
            if new_state is state and new_reason == reason:
                continue
            expected.append(Transition(at, state, new_state, new_reason))
            state, reason = new_state, new_reason
        assert repr(inc.history) == repr(tuple(expected))
        as_of = inc.opened_at_us + 10 * 86_400_000_000
        assert readings(inc, as_of) == readings(as_objects(inc), as_of)


DATA = Path(__file__).parent / "data"


class TestReaders:
    @pytest.mark.parametrize(
        "read",
        [
            lambda: read_event_log(DATA / "servicenow_event_log_sample.csv", tz="Europe/Berlin"),
            lambda: read_field_changes(
                DATA / "servicenow_sys_audit.csv", tz="UTC", preset="servicenow-sys_audit"
            ),
            lambda: read_field_changes(
                DATA / "jira_changelog.csv", tz="Europe/Paris", preset="jira"
            ),
            lambda: read_incidents(DATA / "servicenow_incident_rest_export.csv", tz="UTC"),
        ],
        ids=["event log", "sys_audit", "jira", "snapshot"],
    )
    def test_read_incidents_are_compact(self, read: Any) -> None:
        """The readers build compact incidents, equal to the same incidents kept as objects
        in every reading, and to what the constructor makes of their fields."""
        log = read()
        assert log.incidents
        for inc in log.incidents:
            assert inc._blob is not None
            as_of = inc.opened_at_us + 400 * 86_400_000_000
            assert readings(inc, as_of) == readings(as_objects(inc), as_of)
            again = Incident(
                inc.id,
                inc.opened_at,
                inc.history,
                inc.priority_history,
                inc.matrix,
                inc.anomalies,
                carried=inc.carried,
            )
            assert again == inc and again._blob == inc._blob

    @settings(max_examples=150)
    @given(
        events=st.lists(
            st.tuples(st.integers(-3 * 3_600, 5 * 86_400), st.sampled_from(list(State))),
            max_size=10,
        ),
        start=instants(),
    )
    def test_frame_instants_are_the_incidents(
        self, events: list[tuple[int, State]], start: datetime
    ) -> None:
        """The event log's frame reads resolved and closed instants from the incident's
        stays: the microseconds of ``resolved_at`` and ``closed_at``."""
        recorded = [(start + timedelta(seconds=s), state) for s, state in events]
        inc = Incident.replay("INC", recorded, impact=2, urgency=2, opened_at=start, strict=False)
        resolved, closed = inc.resolved_at, inc.closed_at
        assert _resolved_us(inc) == (None if resolved is None else to_us(resolved))
        assert _closed_us(inc) == (None if closed is None else to_us(closed))


class TestValue:
    @settings(max_examples=120)
    @given(life=lives())
    def test_round_trips(self, life: Life) -> None:
        """The constructor, pickle, copy, deepcopy and attrs.evolve give back an equal
        incident with the same repr and hash, kept compact."""
        inc = build(life)
        again = Incident(
            inc.id,
            inc.opened_at,
            inc.history,
            inc.priority_history,
            inc.matrix,
            inc.anomalies,
            opened_at_us=inc.opened_at_us,
            carried=inc.carried,
        )
        for other in (
            again,
            pickle.loads(pickle.dumps(inc)),
            copy.copy(inc),
            copy.deepcopy(inc),
            attrs.evolve(inc),
            as_objects(inc),
        ):
            assert other == inc and inc == other
            assert hash(other) == hash(inc)
            assert repr(other) == repr(inc)
        assert again._blob == inc._blob  # the constructor's objects read back: kept compact
        assert attrs.asdict(again) == attrs.asdict(inc)

    @settings(max_examples=120)
    @given(a=lives(), b=lives())
    def test_equality_is_the_fields(self, a: Life, b: Life) -> None:
        """Two incidents are equal exactly when their fields are (as attrs compared them),
        and equal incidents hash alike."""
        x, y = build(a), build(b)
        for left, right in ((x, y), (x, as_objects(y)), (x, x), (x, as_objects(x))):
            fields = attrs.fields(Incident)
            by_fields = all(
                getattr(left, f.name) == getattr(right, f.name) for f in fields if f.eq
            )
            assert (left == right) is by_fields
            assert (left != right) is not by_fields
            if by_fields:
                assert hash(left) == hash(right)

    def test_folded_openings_compare_as_datetimes_do(self) -> None:
        """The two instants of a repeated wall time (clocks go back in Berlin) are equal as
        DateTimes of one zone, so incidents opened at them are equal, as before; they
        still read back their own instants."""
        berlin = pendulum.timezone("Europe/Berlin")
        first = pendulum.datetime(2026, 10, 25, 2, 30, tz=berlin, fold=0)
        second = pendulum.datetime(2026, 10, 25, 2, 30, tz=berlin, fold=1)
        assert first == second and first.utcoffset() != second.utcoffset()
        a = Incident.open("INC1", at=first, impact=2, urgency=2)
        b = Incident.open("INC1", at=second, impact=2, urgency=2)
        assert a == b and hash(a) == hash(b)
        assert b.opened_at_us - a.opened_at_us == 3_600_000_000
        assert (a.opened_at.fold, b.opened_at.fold) == (0, 1)

    def test_old_pickles_load(self) -> None:
        """An incident pickled as attrs did (its fields by name) loads as the same incident."""
        inc = build(
            Life(
                ITIL_PRIORITIES,
                "2026-03-02T09:00+01:00",
                (1, 2),
                [("step", "2026-03-02T09:30+01:00", (State.ON_HOLD, HoldReason.AWAITING_CALLER))],
            )
        )
        state = {f.name: getattr(inc, f.name) for f in attrs.fields(Incident)}
        loaded = Incident.__new__(Incident)
        loaded.__setstate__(state)
        assert loaded == inc and repr(loaded) == repr(inc)

    def test_frozen_and_weak_referenceable(self) -> None:
        """Fields cannot be set or deleted; an incident can be weakly referenced."""
        import weakref

        inc = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            inc.id = "INC2"  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            del inc.id
        assert weakref.ref(inc)() is inc
        assert attrs.has(Incident)
        assert [f.name for f in attrs.fields(Incident)] == [
            "id",
            "opened_at",
            "history",
            "priority_history",
            "matrix",
            "anomalies",
            "opened_at_us",
            "carried",
        ]


class TestKeptAsGiven:
    """Values the bytes cannot hold exactly are kept as given, and read back as given."""

    def test_objects_of_another_zone(self) -> None:
        """Steps written in another zone than the opening's read back in their own zone."""
        opened = pendulum.datetime(2026, 3, 2, 9, tz="Europe/Berlin")
        step = Transition(
            pendulum.datetime(2026, 3, 2, 9, 30, tz="UTC"), State.NEW, State.RESOLVED
        )
        change = PriorityChange(opened, 2, 2, ITIL_PRIORITIES.priority(2, 2))
        inc = Incident("INC1", opened, (step,), (change,), ITIL_PRIORITIES)
        assert inc.history[0] is step and inc.priority_history[0] is change
        assert inc.state is State.RESOLVED and repr(inc.resolved_at) == repr(step.at)
        assert inc == Incident("INC1", opened, (step,), (change,), ITIL_PRIORITIES)

    def test_lists_and_foreign_zones(self) -> None:
        """A list for a tuple, or a DateTime of a zone pendulum did not make, is kept."""
        opened = pendulum.DateTime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/Berlin"))
        change = PriorityChange(opened, 2, 2, ITIL_PRIORITIES.priority(2, 2))
        inc = Incident("INC1", opened, [], [change], ITIL_PRIORITIES)  # type: ignore[arg-type]
        assert inc.opened_at is opened and inc.history == [] and inc.priority_history == [change]
        later = inc.start_work(at="2026-03-02T10:00+01:00")
        assert later.opened_at is opened and later.state is State.IN_PROGRESS
        assert later.history[0].at == pendulum.datetime(2026, 3, 2, 10, tz="Europe/Berlin")

    def test_inconsistent_microseconds_are_kept(self) -> None:
        """An ``opened_at_us`` that is not ``opened_at`` is kept as given, as before."""
        opened = pendulum.datetime(2026, 3, 2, 9, tz="UTC")
        change = PriorityChange(opened, 2, 2, ITIL_PRIORITIES.priority(2, 2))
        inc = Incident("INC1", opened, (), (change,), ITIL_PRIORITIES, opened_at_us=5)
        assert (inc.opened_at, inc.opened_at_us) == (opened, 5)

    def test_levels_beyond_a_byte(self) -> None:
        """A matrix of 130 urgency levels: levels above 127 are kept as objects."""
        matrix = PriorityMatrix.from_table([["P3"] * 130])
        inc = Incident.open("INC1", at="2026-03-02T09:00Z", impact=1, urgency=130, matrix=matrix)
        assert inc._blob is None and inc.urgency == 130
        inc = inc.reprioritize(at="2026-03-02T10:00Z", urgency=2)
        assert [c.urgency for c in inc.priority_history] == [130, 2]

    def test_more_steps_than_the_bytes_count(self) -> None:
        """More than 65,535 steps: the incident keeps its objects and reads the same."""
        opened = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
        builder = StepBuilder(opened, strict=True)
        reasons = (HoldReason.AWAITING_CALLER, HoldReason.AWAITING_VENDOR)
        start = opened.opened_at_us
        for i in range(70_000):
            builder.step(start + i, State.ON_HOLD, reasons[i % 2], None, None)
        inc = builder.build()
        assert inc._blob is None and len(inc.history) == 70_000
        assert inc.hold_reason is HoldReason.AWAITING_VENDOR
        assert inc.history[-1].at_us == start + 69_999
        assert inc.segments_us()[-1] == (State.ON_HOLD, start + 69_999, None)


# --- the engine ----------------------------------------------------------------------------


def agreements(window: ServiceWindow, restart: bool) -> list[SLA]:
    group_time = Clock(
        "network_time",
        start={"field": "group", "equals": "Network"},
        stop={"state": ["resolved", "closed"]},
        pause={"not": {"field": "group", "equals": "Network"}},
    )
    return [
        SLA(
            "Gold",
            window=window,
            targets=[
                Target("response", "PT1H", priority="P1"),
                Target("response", "PT4H"),
                Target("resolution", BusinessDays(2), pause_on=["on_hold:awaiting_caller"]),
                Target("network_time", "PT8H"),
            ],
            clocks=[group_time],
            on_reopen="restart" if restart else "resume",
        ),
        SLA(
            "Always",
            window=ServiceWindow.always(tz="UTC"),
            targets=[Target("resolution", "PT30H")],
        ),
    ]


class TestEngine:
    @settings(max_examples=60)
    @given(
        fleet=st.lists(lives(), min_size=1, max_size=6),
        window=sla_windows(),
        restart=st.booleans(),
        data=st.data(),
    )
    def test_compliance_equals_the_object_path(
        self, fleet: list[Life], window: ServiceWindow, restart: bool, data: st.DataObject
    ) -> None:
        """Clocks, compliance over several agreements and the clock log are the same on
        compact incidents and on the same incidents kept as objects."""
        compact = [build(life, f"INC{i}") for i, life in enumerate(fleet)]
        objects = [as_objects(inc) for inc in compact]
        latest = max(inc.opened_at_us for inc in compact)
        as_of = instant(latest + data.draw(st.integers(0, 20 * 86_400_000_000)))
        slas = agreements(window, restart)
        for inc, twin in zip(compact, objects, strict=True):
            for metric in ("response", "resolution", "network_time"):
                assert slas[0].clocks_of(inc, metric, as_of=as_of) == slas[0].clocks_of(
                    twin, metric, as_of=as_of
                )
        a = compliance(compact, slas, as_of=as_of)
        z = compliance(objects, slas, as_of=as_of)
        assert a.to_dict() == z.to_dict()
        for part, other in zip(a.parts, z.parts, strict=True):
            log, other_log = part.clock_log, other.clock_log
            assert log is not None and other_log is not None
            for column in ("ids", "metrics", "priorities", "stages", "target", "elapsed"):
                assert list(getattr(log, column)) == list(getattr(other_log, column))
            assert list(log.start) == list(other_log.start)
            assert list(log.stop) == list(other_log.stop)
        one = slas[0].compliance(compact, as_of=as_of)
        assert one.to_dict() == slas[0].compliance(objects, as_of=as_of).to_dict()


# --- the point of it -----------------------------------------------------------------------


def test_an_incident_holds_few_bytes() -> None:
    """Incidents built step by step hold a few hundred bytes each (they held over a
    kilobyte as objects): 2,000 of them, measured with tracemalloc."""
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fleet = []
        for i in range(2_000):
            at = start + timedelta(minutes=i)
            inc = Incident.open(f"INC{i:07d}", at=at, impact=2, urgency=2)
            inc = inc.start_work(at=at + timedelta(minutes=5))
            inc = inc.hold(at=at + timedelta(hours=1), reason="awaiting_caller")
            inc = inc.resume(at=at + timedelta(hours=3)).resolve(at=at + timedelta(hours=5))
            fleet.append(inc.close(at=at + timedelta(days=3)))
        held = (tracemalloc.get_traced_memory()[0] - before) / len(fleet)
    finally:
        tracemalloc.stop()
    assert held < 320, f"{held:.0f} bytes per incident"
    # The life itself: a 16-byte header, 9 bytes a step and 11 a priority change.
    assert sys.getsizeof(fleet[0]._blob) == sys.getsizeof(b"") + 16 + 9 * 5 + 11
