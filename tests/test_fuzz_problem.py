"""Fuzz ``find_recurring``, ``problems_of`` and ``Problem``, hostile values mixed in.

The oracle is tests/test_fuzz.py's (:func:`~tests.test_fuzz.run`): a call returns
and its result renders, or it raises an ``ItilkitError``, or a ``TypeError``
while some argument has a type its parameter does not take; within the time
bound. Beside it, what any result obeys: a ``Recurrence`` holds at least
``min_count`` incidents of one key in order of opening, time lost is never
negative, an MTTR is never negative.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import itilkit
from itilkit import Incident, ServiceWindow
from itilkit._problem import Problem, Recurrence, find_recurring, problems_of

from .strategies import legal_walks
from .test_fuzz import (
    DURATION_TYPES,
    FUZZ,
    INSTANT_TYPES,
    RAISED,
    A,
    duration_values,
    every,
    instant_values,
    p,
    run,
    window_values,
)

VALUES = st.sampled_from(["db", "app", "PRB1", "Network", None, "\x00", "<b>", "?"])
FIELDS = st.sampled_from(["ci", "category", "symptom", "problem"])


@st.composite
def carried_incidents(draw: st.DrawFn) -> Incident:
    """An incident with a legal lifecycle and changes of the fields recurrences look at
    (ids repeat sometimes: both entry points refuse that by name)."""
    opened, steps = draw(legal_walks())
    inc = Incident.replay(
        draw(st.sampled_from(["INC1", "INC2", "INC3", "INC4", "INC5", "<b>"])),
        [(opened, "new"), *steps],
        impact=2,
        urgency=2,
    )
    at = opened
    for _ in range(draw(st.integers(0, 3))):
        at = at + timedelta(seconds=draw(st.integers(0, 3 * 24 * 3600)))
        inc = inc.set_fields(at=at, **{draw(FIELDS): draw(VALUES)})
    return inc


incident_lists = st.lists(carried_incidents(), max_size=6)
by_values = st.one_of(FIELDS, st.lists(FIELDS, min_size=1, max_size=2).map(tuple))
count_values = st.integers(2, 4)


def _check_recurrences(found: Any, min_count: int) -> None:
    assert isinstance(found, tuple)
    for r in found:
        assert isinstance(r, Recurrence)
        assert r.count >= min_count and r.business_time_lost_us >= 0
        openings = [inc.opened_at_us for inc in r.incidents]
        assert openings == sorted(openings)
        assert set(r.unresolved) <= set(r.ids)
        json.dumps(r.to_dict())
        str(r)
        r._repr_html_()


@FUZZ
@given(
    incidents=p(incident_lists, every(Incident)),
    by=p(by_values, (str, tuple)),
    within=p(duration_values, DURATION_TYPES),
    min_count=p(count_values, int),
    window=p(st.none() | window_values, (ServiceWindow, type(None))),
    as_of=p(st.none() | instant_values, (*INSTANT_TYPES, type(None))),
)
def test_find_recurring(incidents: A, by: A, within: A, min_count: A, window: A, as_of: A) -> None:
    found = run(
        find_recurring,
        incidents,
        by=by,
        within=within,
        min_count=min_count,
        window=window,
        as_of=as_of,
    )
    if found is not RAISED:
        _check_recurrences(found, min_count.value)


def _check_problem(prb: Any) -> None:
    assert isinstance(prb, Problem)
    assert prb.business_time_lost_us >= 0
    for mean in (prb.mttr_before_workaround_us, prb.mttr_after_workaround_us):
        assert mean is None or mean >= 0
    assert set(prb.unresolved) <= set(prb.measured) <= set(prb.ids)
    json.dumps(prb.to_dict())
    str(prb)
    prb._repr_html_()


@FUZZ
@given(
    id=p(st.sampled_from(["PRB1", "db", "<b>"]), str),
    opened_at=p(instant_values, INSTANT_TYPES),
    incidents=p(incident_lists, every(Incident)),
    workaround_at=p(st.none() | instant_values, (*INSTANT_TYPES, type(None))),
    link=p(st.none() | FIELDS, (str, type(None))),
    window=p(st.none() | window_values, (ServiceWindow, type(None))),
    as_of=p(st.none() | instant_values, (*INSTANT_TYPES, type(None))),
)
def test_problem(
    id: A, opened_at: A, incidents: A, workaround_at: A, link: A, window: A, as_of: A
) -> None:
    prb = run(
        Problem,
        id,
        opened_at=opened_at,
        incidents=incidents,
        known_error_at=workaround_at,
        workaround_at=workaround_at,
        resolved_at=workaround_at,
        link=link,
        window=window,
        as_of=as_of,
    )
    if prb is not RAISED:
        _check_problem(prb)


@FUZZ
@given(
    incidents=p(incident_lists, every(Incident)),
    field=p(FIELDS, str),
    window=p(st.none() | window_values, (ServiceWindow, type(None))),
    as_of=p(st.none() | instant_values, (*INSTANT_TYPES, type(None))),
)
def test_problems_of(incidents: A, field: A, window: A, as_of: A) -> None:
    found = run(problems_of, incidents, field=field, window=window, as_of=as_of)
    if found is not RAISED:
        for prb in found:
            _check_problem(prb)


@FUZZ
@given(incidents=p(incident_lists, every(Incident)), within=p(duration_values, DURATION_TYPES))
def test_through_the_package(incidents: A, within: A) -> None:
    """Once exported, ``itilkit.find_recurring`` and friends are these (and fuzzed here)."""
    for name, entry in (
        ("find_recurring", find_recurring),
        ("problems_of", problems_of),
        ("Problem", Problem),
        ("Recurrence", Recurrence),
    ):
        assert getattr(itilkit, name, entry) is entry
    run(getattr(itilkit, "find_recurring", find_recurring), incidents, within=within)


def test_hostile_values_are_refused_by_name() -> None:
    """Regression cases: each is refused as an ItilkitError, never another exception."""
    inc = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
    for kwargs in (
        {"within": "PT" + "9" * 5000 + "H"},
        {"within": "P1D", "by": [["ci"]]},
        {"within": "P1D", "by": {"ci": 1}},
        {"within": "P1D", "by": b"ci"},
        {"within": "P1D", "as_of": 10**5000},
    ):
        assert run(find_recurring, [inc], **kwargs) is RAISED
    assert run(find_recurring, [inc], within="P1D", by=iter(["ci"]), min_count=10**5000) == ()
    for kwargs in (
        {"opened_at": "2026-03-02T09:00Z", "link": ["problem"]},
        {"opened_at": "2026-03-02T09:00Z", "incidents": iter([inc, 1])},
        {"opened_at": "9999-12-31T23:59-12:00", "workaround_at": "0001-01-01T00:00+14:00"},
    ):
        assert run(Problem, "PRB1", **kwargs) is RAISED
