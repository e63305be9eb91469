"""Fuzz ``desk_metrics`` and every method of the ``DeskReport`` it returns, hostile values mixed in.

The oracle is tests/test_fuzz.py's (:func:`~tests.test_fuzz.run`): a call returns
and its result renders, or it raises an ``ItilkitError``, or a ``TypeError``
while some argument has a type its parameter does not take; within the time
bound. Beside it, a few results are checked against what any desk report obeys:
rates in [0, 1], the backlog a part of the incidents given, ages never negative.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import itilkit
from itilkit import Incident, ServiceWindow
from itilkit._desk import (
    Aging,
    AgingRow,
    Backlog,
    CounterCheck,
    CounterRow,
    DeskReport,
    DeskRow,
    desk_metrics,
)

from .strategies import legal_walks
from .test_fuzz import (
    DURATION_TYPES,
    FUZZ,
    INSTANT_TYPES,
    RAISED,
    RATIO_TYPES,
    A,
    duration_values,
    every,
    instant_values,
    p,
    ratio_values,
    run,
    window_values,
)

GROUP_VALUES = st.sampled_from(["Service desk", "Network", "DB", None, "\x00", "(none)", "<b>"])
COUNTER_VALUES = st.sampled_from(["0", "1", "3", " 2 ", "-1", "x", "\u0663", "9" * 40, None])


@st.composite
def desk_incidents(draw: st.DrawFn) -> Incident:
    """An incident with a legal lifecycle, group and counter changes, and a drawn id
    (ids repeat sometimes: desk_metrics refuses that by name)."""
    opened, steps = draw(legal_walks())
    inc = Incident.replay(
        draw(st.sampled_from(["INC1", "INC2", "INC3", "INC4", "<b>"])),
        [(opened, "new"), *steps],
        impact=draw(st.sampled_from([1, 2, 3])),
        urgency=2,
        strict=True,
    )
    at = opened
    for _ in range(draw(st.integers(0, 5))):
        at = at + timedelta(seconds=draw(st.integers(0, 3 * 24 * 3600)))
        fields = {"group": draw(GROUP_VALUES)}
        if draw(st.booleans()):
            fields["reassignment_count"] = draw(COUNTER_VALUES)
        if draw(st.booleans()):
            fields["assignee"] = draw(st.sampled_from(["kim", None]))
        inc = inc.set_fields(at=at, **fields)
    return inc


def replayed() -> st.SearchStrategy[Incident]:
    """An incident replayed from an unordered, forbidden record (anomalies kept)."""
    events = st.lists(
        st.tuples(
            instant_values,
            st.sampled_from(["in_progress", "resolved", "closed", "new", "canceled"]),
        ),
        min_size=1,
        max_size=5,
    )
    return events.map(
        lambda e: Incident.replay(
            "INC9", [(e[0][0], "new"), *e], impact=1, urgency=1, strict=False
        )
    )


incident_lists = st.lists(st.one_of(desk_incidents(), replayed()), max_size=5)
by_values = st.sampled_from(["group", "assignee", "priority", "state", "service", "caused_by"])
edge_values = st.none() | st.lists(duration_values, max_size=3)


def _rate_ok(value: object) -> bool:
    return value is None or (isinstance(value, Fraction) and 0 <= value <= 1)


def _check_report(report: DeskReport, count: int) -> None:
    assert isinstance(report, DeskReport)
    assert len(report.rows) + report.not_yet_open == count
    for rate in (
        report.first_contact_resolution,
        report.reopen_rate,
        report.ping_pong_rate,
    ):
        assert _rate_ok(rate), f"a rate outside [0, 1]: {rate!r}"
    assert sum(report.reassignments.values()) == len(report.measured)
    assert all(isinstance(row, DeskRow) for row in report.rows)
    json.dumps(report.to_dict())
    str(report)
    report._repr_html_()
    report.to_markdown()


@FUZZ
@given(
    incidents=p(incident_lists, every(Incident)),
    window=p(st.none() | window_values, (ServiceWindow, type(None))),
    as_of=p(instant_values, INSTANT_TYPES),
)
def test_desk_metrics(incidents: A, window: A, as_of: A) -> None:
    report = run(desk_metrics, incidents, window=window, as_of=as_of)
    if report is RAISED:
        return
    _check_report(report, len(incidents.value))
    run(report.to_frame)
    for check in (run(report.reassignment_check), run(report.reopen_check)):
        if check is not RAISED:
            assert isinstance(check, CounterCheck)
            assert all(isinstance(row, CounterRow) for row in check.rows)
            assert len(check.agree) + len(check.disagree) + len(check.missing) + len(
                check.unreadable
            ) == len(check.rows)
            json.dumps(check.to_dict())
            check._repr_html_()


@FUZZ
@given(
    incidents=incident_lists,
    window=st.none() | window_values,
    as_of=instant_values,
    at=p(st.none() | instant_values, (datetime, str, type(None))),
    by=p(by_values, str),
    edges=p(edge_values, lambda v: v is None or every(DURATION_TYPES)(v)),
    q=p(ratio_values, RATIO_TYPES),
)
def test_report_methods(
    incidents: list[Incident], window: Any, as_of: Any, at: A, by: A, edges: A, q: A
) -> None:
    ids = [inc.id for inc in incidents]
    report = run(desk_metrics, incidents, window=window, as_of=as_of)
    if report is RAISED:
        assert len(set(ids)) < len(ids), "refused incidents with distinct ids"
        return
    backlog = run(report.backlog, at)
    if backlog is not RAISED:
        assert isinstance(backlog, Backlog)
        assert set(backlog.ids) <= set(ids) and backlog.count == sum(backlog.by_state.values())
    aging = run(report.aging, at, by, edges=edges)
    if aging is not RAISED:
        assert isinstance(aging, Aging)
        assert all(isinstance(row, AgingRow) for row in (*aging.rows, aging.total))
        assert aging.total.count == sum(row.count for row in aging.rows)
        assert all(age >= 0 for age in aging.total.ages_us), "a negative age"
        if backlog is not RAISED:
            assert sorted(aging.total.ids) == sorted(backlog.ids)
        run(aging.total.percentile, q)
        aging._repr_html_()
        aging.to_markdown()
        json.dumps(aging.to_dict())


@FUZZ
@given(
    incidents=p(incident_lists, every(Incident)),
    as_of=p(instant_values, INSTANT_TYPES),
)
def test_desk_metrics_through_the_package(incidents: A, as_of: A) -> None:
    """Once exported, ``itilkit.desk_metrics`` is this function (and is fuzzed here)."""
    entry = getattr(itilkit, "desk_metrics", desk_metrics)
    assert entry is desk_metrics
    run(entry, incidents, as_of=as_of)


def test_hostile_edges_and_keys_are_refused_by_name() -> None:
    """Regression cases: each is refused as an ItilkitError, never another exception."""
    inc = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
    report = desk_metrics([inc], as_of="2026-03-02T10:00Z")
    hostile: list[Mapping[str, Any]] = [
        {"edges": {"a": None}},
        {"edges": [[[]]]},
        {"edges": iter([1, 2])},
        {"edges": bytearray(b"x")},
        {"edges": ["PT" + "9" * 5000 + "H"]},
        {"by": "x" * 10_000},
        {"at": 10**5000},
    ]
    for kwargs in hostile:
        assert run(report.aging, **kwargs) is RAISED
