"""Fuzz ``delivery_metrics`` and every method of the ``DeliveryReport`` it returns.

The oracle is tests/test_fuzz.py's (:func:`~tests.test_fuzz.run`): a call returns
and its result renders, or it raises an ``ItilkitError``, or a ``TypeError``
while some argument has a type its parameter does not take; within the time
bound. Hostile values are mixed into every parameter, and the changes and
incidents themselves are drawn from far-away instants, every lifecycle fate,
anomalous replays and odd carried values. Beside the oracle, each report is
checked against what any delivery report obeys: rates in [0, 1], every
deployment inside the period, median <= p90, durations never negative.
(``Deployment`` and ``DurationStats`` are result types, fuzzed through the
calls that build them, and ``DurationStats.of`` directly.)
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import itilkit
from itilkit import ChangeRequest, ChangeState, Incident, ItilkitError
from itilkit._delivery import (
    DeliveryReport,
    Deployment,
    DurationStats,
    delivery_metrics,
    nearest_rank,
)

from .strategies import legal_walks
from .test_fuzz import (
    FUZZ,
    HOSTILE,
    INSTANT_TYPES,
    RAISED,
    A,
    aware,
    every,
    instant_values,
    p,
    run,
)

NAMES = ["CHG1", "CHG2", "CHG3", " CHG1 ", "chg1", "", "\x00", "<b>", "CHG404"]


def _built(thunk: Any) -> Any:
    """What ``thunk`` builds, or None when the library refuses the drawn values."""
    try:
        return thunk()
    except ItilkitError:
        return None


def _after(moment: datetime) -> st.SearchStrategy[datetime]:
    """Instants from ``moment`` to ten days after it (most lifecycle steps move forward)."""
    return st.integers(0, 10 * 24 * 3600).map(lambda s: moment + timedelta(seconds=s))


FATES = ("draft", "scheduled", "implement", "review", "closed", "backed out", "canceled")


@st.composite
def fuzz_changes(draw: st.DrawFn) -> ChangeRequest | None:
    """A change requested and planned at drawn (often far-away) instants, walked towards a
    drawn fate by steps at drawn instants (a step the change refuses is skipped); None when
    the drawn values make no change."""
    requested, start = draw(instant_values), draw(instant_values)
    end = draw(st.one_of(_after(aware(start)), _after(aware(start)), instant_values))
    cr = _built(
        lambda: ChangeRequest.new(
            draw(st.sampled_from(["CHG1", "CHG2", "CHG3", "<b>", "CHG\x00"])),
            type=draw(st.sampled_from(itilkit.ChangeType)),
            risk=draw(st.sampled_from(itilkit.Risk)),
            requested_at=requested,
            start=start,
            end=end,
        )
    )
    if cr is None:
        return None
    fate = draw(st.sampled_from(FATES))
    for _ in range(8):
        state = cr.state
        if state.value == fate or state in (ChangeState.CLOSED, ChangeState.CANCELED):
            break
        last = cr.history[-1].at if cr.history else cr.requested_at
        at = draw(st.one_of(_after(last), _after(last), _after(last), instant_values))
        if fate == "canceled" or (fate == "backed out" and state is ChangeState.IMPLEMENT):
            step = "cancel"
        else:
            step = draw(st.sampled_from(["advance"] * 6 + ["revert"]))
        moved = _built(lambda cr=cr, step=step, at=at: getattr(cr, step)(at=at))
        if moved is not None:
            cr = moved
    return cr


@st.composite
def fuzz_incidents(draw: st.DrawFn, names: tuple[str, ...] = ()) -> Incident:
    """An incident with a legal (or, replayed, anomalous) lifecycle blaming drawn names."""
    if draw(st.booleans()):
        opened, steps = draw(legal_walks())
        inc = Incident.replay(
            draw(st.sampled_from(["INC1", "INC2", "<b>"])),
            [(opened, "new"), *steps],
            impact=2,
            urgency=2,
        )
    else:
        events = draw(
            st.lists(
                st.tuples(
                    instant_values,
                    st.sampled_from(["in_progress", "resolved", "closed", "canceled", "new"]),
                ),
                min_size=1,
                max_size=5,
            )
        )
        inc = Incident.replay("INC9", events, impact=1, urgency=1, strict=False)
    for _ in range(draw(st.integers(0, 3))):
        field = draw(st.sampled_from(["caused_by", "change", "problem"]))
        value = draw(st.sampled_from([*names, *names, *NAMES, None]))
        later = draw(st.one_of(_after(inc.opened_at), _after(inc.opened_at), instant_values))
        moved = _built(
            lambda inc=inc, at=later, fields={field: value}: inc.set_fields(at=at, **fields)
        )
        if moved is not None:
            inc = moved
    return inc


change_lists = st.lists(fuzz_changes(), max_size=6).map(
    lambda items: list({c.id: c for c in items if c is not None}.values())
)
incident_lists = st.lists(fuzz_incidents(), max_size=5)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[ChangeRequest], list[Incident]]:
    """Changes, and incidents that blame them (or others) by id more often than not."""
    changes = draw(change_lists)
    names = tuple(c.id for c in changes)
    return changes, draw(st.lists(fuzz_incidents(names), max_size=5))


failed_values = st.sampled_from([(), ["CHG1"], "CHG1", ["CHG404"], [" CHG2 "], frozenset()])


def _rate_ok(value: object) -> bool:
    return value is None or (isinstance(value, Fraction) and 0 <= value <= 1)


def _check(report: DeliveryReport, start: object, end: object) -> None:
    """What any delivery report obeys."""
    assert isinstance(report, DeliveryReport)
    lo, hi = aware(start), aware(end)
    for d in report.deployments:
        assert isinstance(d, Deployment)
        assert lo <= aware(d.at) < hi, "a deployment outside the period"
        assert d.lead_time >= timedelta(0), "a negative lead time"
        restore = d.time_to_restore
        assert restore is None or restore >= timedelta(0), "a negative time to restore"
        assert d.failed == (d.backed_out or d.marked_failed or bool(d.incidents))
        str(d)
    for rate in (
        report.change_failure_rate,
        report.change_success_rate,
        *report.success_rate_by_type.values(),
        *report.success_rate_by_risk.values(),
    ):
        assert _rate_ok(rate), f"a rate outside [0, 1]: {rate!r}"
    assert report.deployment_frequency >= 0
    lead = report.lead_time
    assert isinstance(lead, DurationStats)
    if report.deployments:
        assert lead.median is not None and lead.p90 is not None and lead.median <= lead.p90
    else:
        assert lead == (None, None) and report.change_failure_rate is None
    if report.time_to_restore is not None:
        assert report.time_to_restore_p90 is not None
        assert report.time_to_restore <= report.time_to_restore_p90
    assert set(report.unrestored) <= set(report.failures) <= set(report.deployments)
    json.dumps(report.to_dict())
    str(report)
    report._repr_html_()
    report.to_markdown()


@FUZZ
@given(
    changes=p(change_lists, every(ChangeRequest)),
    incidents=p(incident_lists, every(Incident)),
    start=p(instant_values, INSTANT_TYPES),
    end=p(instant_values, INSTANT_TYPES),
    failed=p(failed_values, lambda v: isinstance(v, str) or every(str)(v)),
)
def test_delivery_metrics(changes: A, incidents: A, start: A, end: A, failed: A) -> None:
    report = run(delivery_metrics, changes, incidents, start=start, end=end, failed=failed)
    if report is RAISED:
        return
    _check(report, start.value, end.value)
    frame = run(report.to_frame)
    if frame is not RAISED:
        assert len(frame) == len(report.deployments)


@FUZZ
@given(
    scenario=scenarios(),
    start=instant_values | st.just("0001-01-03T00:00Z"),
    end=instant_values | st.just("9999-12-30T00:00Z"),
)
def test_valid_input_is_measured(
    scenario: tuple[list[ChangeRequest], list[Incident]], start: Any, end: Any
) -> None:
    """Distinct changes, any incidents, a period in order: always a report, never an error."""
    changes, incidents = scenario
    if aware(end) <= aware(start):
        start, end = end, start
    if aware(end) == aware(start):
        return
    report = run(delivery_metrics, changes, incidents, start=start, end=end)
    assert report is not RAISED, "refused valid input"
    _check(report, start, end)
    deployed = {
        c.id
        for c in changes
        if any(
            s.from_state is ChangeState.IMPLEMENT
            and s.to_state in (ChangeState.REVIEW, ChangeState.CANCELED)
            and aware(start) <= aware(s.at) < aware(end)
            for s in c.history
        )
    }
    assert {d.id for d in report.deployments} == deployed


@FUZZ
@given(
    values=p(st.lists(st.integers(-(10**12), 10**12), max_size=6), every(int)),
    percent=p(st.integers(0, 100), int),
    hostile=HOSTILE,
)
def test_duration_stats_and_percentiles(values: A, percent: A, hostile: Any) -> None:
    stats = run(DurationStats.of, values)
    if stats is not RAISED and stats.median is not None:
        assert stats.median <= stats.p90  # type: ignore[operator]
    ordered = sorted(values.value) if values.typed else values.value
    run(nearest_rank, A(ordered, values.typed), percent)
    run(DurationStats.of, A(hostile, every(int)(hostile)))
    run(nearest_rank, [1, 2, 3], A(hostile, isinstance(hostile, int)))


@FUZZ
@given(
    changes=change_lists,
    incidents=incident_lists,
    start=p(instant_values, INSTANT_TYPES),
)
def test_delivery_metrics_through_the_package(
    changes: list[ChangeRequest], incidents: list[Incident], start: A
) -> None:
    """Once exported, ``itilkit.delivery_metrics`` is this function (and is fuzzed here)."""
    entry = getattr(itilkit, "delivery_metrics", delivery_metrics)
    assert entry is delivery_metrics
    end = A(datetime.max.isoformat()[:16] + "Z", True)
    run(entry, changes, incidents, start=start, end=end)


def test_hostile_changes_are_refused_by_name() -> None:
    """Regression cases: each hostile argument is refused as an ItilkitError."""
    cr = ChangeRequest.new(
        "CHG1",
        type="normal",
        requested_at="2026-03-02T09:00Z",
        start="2026-03-09T22:00Z",
        end="2026-03-09T23:00Z",
    )
    period = {"start": "2026-03-01T00:00Z", "end": "2026-04-01T00:00Z"}
    for changes, incidents, failed in [
        ([cr, cr], [], ()),
        ([cr], [cr], ()),
        ([cr], [], [cr]),
        ([cr], [], iter([1, 2])),
        ([[cr]], [], ()),
        (iter([cr]), {"INC1": None}, ()),
        ([cr], [], ["CHG1", None]),
    ]:
        assert (
            run(
                delivery_metrics,
                A(changes, False),
                A(incidents, False),
                failed=A(failed, False),
                **period,
            )
            is RAISED
        )
