"""Fuzz continuity and finance with valid and hostile input, under tests/test_fuzz.py's oracle.

Every call returns normally (and its result renders), or raises an
:class:`itilkit.ItilkitError`, or raises a ``TypeError`` while an argument has a
Python type its parameter does not take; anything else, or a call past the time
bound, fails with the input in the message. The entry points: ``RecoveryObjective``,
``check_recovery`` and its ``RecoveryReport`` (with ``RecoveryRow`` and
``WorstRecovery``: str, repr, to_dict, _repr_html_, to_frame), ``credits`` and
``downtime_cost``. A few results also have an oracle worked out here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from itilkit import (
    AvailabilityReport,
    CreditSchedule,
    Outage,
    ServiceWindow,
    measure_availability,
)
from itilkit._continuity import (
    RecoveryObjective,
    RecoveryReport,
    RecoveryRow,
    WorstRecovery,
    check_recovery,
)
from itilkit._finance import credits, downtime_cost

from .test_fuzz import (
    DURATION_TYPES,
    FUZZ,
    INSTANT_TYPES,
    RAISED,
    RATIO_TYPES,
    A,
    aware,
    duration_values,
    every,
    expected_ratio,
    instant_values,
    p,
    ratio_values,
    run,
    show,
)

SERVICES = ("db", "web", "")
service_values = st.sampled_from(SERVICES)


def _duration_us(value: object) -> int | None:
    """Microseconds of a valid duration value (timedelta or one of the sampled ISO strings)."""
    if isinstance(value, timedelta):
        return value // timedelta(microseconds=1)
    table = {
        "PT4H": 4 * 3600,
        "PT30M": 1800,
        "P2D": 2 * 86400,
        "PT0S": 0,
        "P1W": 7 * 86400,
        "PT1H30M": 5400,
        "PT8H": 8 * 3600,
    }
    seconds = table.get(value) if isinstance(value, str) else None
    return None if seconds is None else seconds * 10**6


def _render_report(report: RecoveryReport) -> None:
    run(str, report)
    run(report._repr_html_)
    run(report.to_dict)
    run(report.to_frame)
    run(lambda: (report.met, report.worst, report.breaches, report.failures, report.title))
    for row in report.rows[:5]:
        assert isinstance(row, RecoveryRow)
        run(row.to_dict)
        run(lambda row=row: (row.met, row.outage_id, row.start, row.end))
    for worst in report.worst.values():
        assert isinstance(worst, WorstRecovery)
        run(worst.to_dict)
        run(lambda worst=worst: (worst.met, worst.note))


# ============================================================================ continuity


@FUZZ
@given(
    service=p(service_values, str),
    rto=p(duration_values, DURATION_TYPES),
    rpo=p(duration_values, DURATION_TYPES),
)
def test_recovery_objective(service: A, rto: A, rpo: A) -> None:
    """Built from valid durations of zero or more, refused otherwise; never a negative one."""
    goal = run(RecoveryObjective, service, rto=rto, rpo=rpo)
    if goal is RAISED:
        return
    assert isinstance(service.value, str) and service.value.strip()
    for given_value, kept in ((rto.value, goal.rto), (rpo.value, goal.rpo)):
        assert kept >= timedelta(0), f"kept a negative objective from {show(given_value)}"
        want = _duration_us(given_value)
        if want is not None:
            assert kept == timedelta(microseconds=want)
    run(goal.to_dict)


outage_of = st.builds(
    Outage,
    st.sampled_from(["2026-03-02T09:00Z", "2026-03-02T09:00+09:00"]),
    st.sampled_from(["2026-03-02T10:00Z", "2026-03-09T10:00Z"]),
    impact=st.sampled_from(["50%", Fraction(1)]),
    planned=st.booleans(),
    service=st.sampled_from([None, "db", "web", "mail"]),
    id=st.sampled_from([None, "INC1", "<b>&"]),
)
objective_values = st.builds(
    RecoveryObjective,
    st.sampled_from(["db", "web"]),
    rto=st.sampled_from(["PT0S", "PT1H", "P1W", timedelta(microseconds=1)]),
    rpo=st.sampled_from(["PT0S", "PT1H", "PT12H"]),
)
point_lists = st.lists(instant_values, max_size=3)
points_values = st.one_of(
    st.just(()),
    st.dictionaries(st.sampled_from(["db", "web", "mail"]), point_lists | instant_values),
    st.lists(st.tuples(st.sampled_from(["db", "web"]), instant_values), max_size=3),
)


def _is_objectives(value: object) -> bool:
    return isinstance(value, RecoveryObjective) or every(RecoveryObjective)(value)


def _is_outages(value: object) -> bool:
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and every(Outage)(v) for k, v in value.items())
    return every(Outage)(value)


@FUZZ
@given(
    objectives=p(st.lists(objective_values, max_size=2), _is_objectives),
    outages=p(
        st.dictionaries(st.sampled_from(["db", "web"]), st.lists(outage_of, max_size=3))
        | st.lists(outage_of, max_size=4),
        _is_outages,
    ),
    recovery_points=p(points_values, (Mapping, list, tuple)),
)
def test_check_recovery(objectives: A, outages: A, recovery_points: A) -> None:
    """The report's verdict follows its rows, whatever came in."""
    report = run(check_recovery, objectives, outages, recovery_points=recovery_points)
    if report is RAISED:
        return
    assert isinstance(report, RecoveryReport)
    assert report.met == all(r.met for r in report.rows)
    for row in report.rows:
        assert row.rto_achieved == row.end - row.start >= timedelta(0)
        assert row.rpo_achieved is None or row.rpo_achieved >= timedelta(0)
        if row.recovery_point is not None:
            assert aware(row.recovery_point) <= aware(row.start)
        assert not row.outage.planned
    _render_report(report)


@FUZZ
@given(
    point=p(instant_values, INSTANT_TYPES),
    start=instant_values,
    rpo=p(duration_values, DURATION_TYPES),
)
def test_one_failure_one_point(point: A, start: datetime | str, rpo: A) -> None:
    """One failure of an hour and one recovery point, worked out by hand: the point covers
    the failure when it is at or before its start (data lost = start - point); after every
    failure it is refused."""
    goal = run(RecoveryObjective, "db", rto="PT1H", rpo=rpo)
    failure = Outage(start, aware(start) + timedelta(hours=1), service="db")
    if goal is RAISED:
        return
    report = run(check_recovery, goal, [failure], recovery_points={"db": point})
    if report is RAISED:
        return
    assert point.typed, f"a point of type {type(point.value).__name__} was taken"
    (row,) = report.rows
    lost = aware(start) - aware(point.value)
    assert lost >= timedelta(0), "a point after the only failure was taken"
    assert row.rpo_achieved == lost
    assert row.rpo_met == (lost <= goal.rpo)
    assert row.rto_met
    _render_report(report)


# ============================================================================ finance


SCHEDULE = CreditSchedule.of({"99.9%": "10%", "99.0%": "25%", "95.0%": "100%"})
MONEY_TYPES = (int, Fraction, Decimal, float, str)
money_values = st.one_of(
    st.integers(0, 10**12),
    st.decimals(min_value=0, max_value=10**9, places=2),
    st.fractions(min_value=0, max_value=10**6, max_denominator=1000),
    st.sampled_from(["1200", "1200.50", " 7 ", ".5", "0", 0.1, 99.99, 0.0]),
)


def _report() -> AvailabilityReport:
    return measure_availability(
        [Outage("2026-03-02T09:00Z", "2026-03-02T17:00Z")],
        window=ServiceWindow.always(),
        start="2026-03-01T00:00Z",
        end="2026-03-31T00:00Z",
    )


REPORT = _report()  # 8 h of 720: 98.888...%, a 25% credit
report_values = st.one_of(st.just(REPORT), ratio_values)


def _expected_money(value: object) -> Fraction | None:
    """The amount a valid money value writes, worked out here; None when it must be refused."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0:
            return None
        return Fraction(repr(value))
    if isinstance(value, int | Fraction):
        return Fraction(value) if value >= 0 else None
    return None  # strings and Decimals: left to the hand-written tests


@FUZZ
@given(
    schedule=p(st.just(SCHEDULE), CreditSchedule),
    report=p(report_values, (AvailabilityReport, *RATIO_TYPES)),
    fee=p(st.none() | money_values, (type(None), *MONEY_TYPES)),
)
def test_credits(schedule: A, report: A, fee: A) -> None:
    """A credit is a ratio in [0, 1] of the schedule's; with a fee, that ratio of it."""
    owed = run(credits, schedule, report)
    if owed is not RAISED:
        assert isinstance(owed, Fraction) and 0 <= owed <= 1
        if report.value is REPORT:
            assert owed == Fraction(1, 4)
        else:
            assert expected_ratio(report.value) is not None, f"read {show(report.value)}"
    money = run(credits, SCHEDULE, REPORT, fee=fee)
    if money is not RAISED:
        assert isinstance(money, Fraction) and money >= 0
        want = _expected_money(fee.value)
        if want is not None and fee.value is not None:
            assert money == want / 4
    else:
        assert _expected_money(fee.value) is None or abs(Fraction(fee.value)) >= 10**40


@FUZZ
@given(
    report=p(st.just(REPORT) | duration_values, (AvailabilityReport, *DURATION_TYPES)),
    rate=p(money_values, MONEY_TYPES),
)
def test_downtime_cost(report: A, rate: A) -> None:
    """Cost = downtime hours x rate, never negative; refused rates are the invalid ones."""
    cost = run(downtime_cost, report, rate_per_hour=rate)
    if cost is RAISED:
        want = _expected_money(rate.value)
        us = _duration_us(report.value)
        valid = isinstance(report.value, AvailabilityReport) or (us is not None and us >= 0)
        assert want is None or want >= 10**40 or not valid, "a valid downtime and rate refused"
        return
    assert isinstance(cost, Fraction) and cost >= 0
    want = _expected_money(rate.value)
    if want is not None:
        if isinstance(report.value, AvailabilityReport):
            assert cost == 8 * want
        else:
            us = _duration_us(report.value)
            if us is not None:
                assert cost == us * want / 3_600_000_000


# ============================================================================ regressions


def test_hostile_cases() -> None:
    """Inputs a careless reader would mishandle, each with its outcome worked out by hand."""
    goal = RecoveryObjective("db", rto="PT1H", rpo="PT1H")
    failure = Outage("2026-03-02T09:00Z", "2026-03-02T10:00Z", service="db")
    for points in (
        {"db": "2026-03-02T09:00"},  # naive
        {"db": datetime(2026, 3, 2, 8)},  # naive datetime
        {"db": b"2026-03-02T08:00Z"},
        {"db": [[["2026-03-02T08:00Z"]]]},
        {"db": "9" * 5000},
        {"db": 10**5000},
        [("db", "2026-03-02T08:00Z", "extra")],
        {"db": "2026-03-02T09:00:00.000001Z"},  # after the only failure
    ):
        assert run(check_recovery, goal, [failure], recovery_points=points) is RAISED, points
    for rate in (
        Decimal("1E+99999999"),
        Decimal("NaN"),
        "1" * 41,
        "1e3",
        "-0.5",
        "NaN",
        math.nan,
        -math.inf,
        10**5000,
        Fraction(10**40, 3),
        True,
        [],
    ):
        assert run(downtime_cost, "PT1H", rate_per_hour=rate) is RAISED, show(rate)
    assert run(downtime_cost, "PT1H", rate_per_hour=Decimal("-0")) == 0
    assert run(downtime_cost, "PT1H", rate_per_hour=5e-324) == Fraction(repr(5e-324))
    assert run(credits, SCHEDULE, "97") is RAISED
    assert run(credits, SCHEDULE, REPORT, fee=Decimal("sNaN")) is RAISED
