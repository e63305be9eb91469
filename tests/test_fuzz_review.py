"""Fuzz the service review with valid and hostile input, under tests/test_fuzz.py's oracle.

Every call returns normally (and its result renders: str, repr, to_dict), or
raises an :class:`itilkit.ItilkitError`, or raises a ``TypeError`` while an
argument has a Python type its parameter does not take; anything else, or a
call past the time bound, fails with the input in the message. The entry
points: ``ServiceReview.build`` (every parameter), its renderings
(``to_markdown``, ``to_dict``, ``to_frame``, ``tables``, ``to_html`` once the
page exists), ``ReviewPeriod.parse`` and ``previous``, ``overload_sentence``
and ``demo_review``. The result types ``Action``, ``BiggestOutage``,
``BudgetFigures``, ``ChangeEntry``, ``RecurringIncidents``, ``ReviewTable``
and ``TrendRow`` are fuzzed through the review that holds them.

Valid input is always reviewed, and the review obeys what any review does:
one trend row per period, back to back, the last one the review's own; the
availability and compliance figures equal the library's own calls; rates in
[0, 1]; actions of known kinds, most severe first; the JSON validates against
the published schema.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime, time, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import itilkit
from itilkit import (
    SLA,
    Agreement,
    ChangeCalendar,
    ChangeRequest,
    CreditSchedule,
    Incident,
    Outage,
    RecoveryObjective,
    RecurringOverload,
    ServiceWindow,
    Target,
)
from itilkit._demo import demo_review
from itilkit._review import (
    ACTION_KINDS,
    SEVERITIES,
    Action,
    BiggestOutage,
    BudgetFigures,
    ChangeEntry,
    RecurringIncidents,
    ReviewPeriod,
    ReviewTable,
    ServiceReview,
    TrendRow,
    overload_sentence,
)

from .strategies import ZONES, instants, legal_walks, minute_outages, sla_windows
from .test_fuzz import (
    FUZZ,
    HOSTILE,
    RAISED,
    RATIO_TYPES,
    A,
    aware,
    every,
    instant_values,
    p,
    ratio_values,
    run,
    sample_values,
    window_values,
)
from .test_fuzz_delivery import change_lists

HAS_PAGE = importlib.util.find_spec("itilkit._review_page") is not None

#: Entry points through the package, once exported (else the private module's).
Review = getattr(itilkit, "ServiceReview", ServiceReview)
Period = getattr(itilkit, "ReviewPeriod", ReviewPeriod)
demo = getattr(itilkit, "demo_review", demo_review)

period_values = st.one_of(
    st.sampled_from(["2026-03", "2026-02", "2026-Q1", "2025-Q4", " 2026-q2 ", "2027-01"]),
    st.tuples(st.integers(2, 9998), st.integers(1, 12)).map(lambda ym: f"{ym[0]:04d}-{ym[1]:02d}"),
    st.tuples(st.integers(2, 9998), st.integers(1, 4)).map(lambda yq: f"{yq[0]:04d}-Q{yq[1]}"),
    st.tuples(instant_values, instant_values),
    st.sampled_from(["2026-13", "2026-Q5", "0001-01", "9999-12", "2026", "2026-3", "", "9997-12"]),
)
PERIOD_TYPES = (str, tuple, list, ReviewPeriod)


def _sla(window: ServiceWindow, availability: object = "99%") -> SLA:
    return SLA(
        "Gold",
        window=window,
        targets=[
            Target("response", "PT1H"),
            Target("resolution", "PT8H"),
            Target("resolution", "PT4H", priority="P1"),
        ],
        availability=availability,  # type: ignore[arg-type]
    )


sla_values = st.one_of(
    st.builds(_sla, window_values, st.sampled_from(["97%", "99.9%", "100%", "0%", None])),
    st.just(_sla(ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC"))),
)

FIELD_VALUES = ["db", "web", "network", "shop", " db ", "\x00", "<b>"]


@st.composite
def review_incidents(draw: st.DrawFn) -> Incident:
    """An incident with a legal walk, in 2025-2027, on a drawn CI, category and service."""
    opened, steps = draw(legal_walks())
    inc = Incident.replay(
        draw(st.sampled_from(["INC1", "INC2", "INC3", "INC4", "<b>"])),
        [(opened, "new"), *steps],
        impact=draw(st.integers(1, 3)),
        urgency=draw(st.integers(1, 3)),
    )
    fields = {
        name: draw(st.sampled_from([*FIELD_VALUES, None]))
        for name in draw(st.sets(st.sampled_from(["ci", "category", "service", "problem"])))
    }
    if fields:
        inc = inc.set_fields(at=opened, **fields)
    return inc


#: Incidents with distinct ids (a review refuses two incidents with one id, as
#: find_recurring does).
incident_lists = st.lists(review_incidents(), max_size=6, unique_by=lambda inc: inc.id)
outage_lists = st.lists(
    st.one_of(
        minute_outages(),
        st.builds(
            Outage,
            st.just("2026-03-10T10:00Z"),
            st.just("2026-03-10T12:00Z"),
            service=st.sampled_from([None, "shop", "billing"]),
            id=st.sampled_from([None, "OUT-1", "<b>"]),
        ),
    ),
    max_size=6,
)
schedule_values = st.sampled_from(
    [None, CreditSchedule.of({"99.9%": "10%", "99%": "25%"}), CreditSchedule.of({"50%": "1"})]
)
recovery_values = st.sampled_from(
    [
        None,
        RecoveryObjective("shop", rto="PT1H", rpo="PT4H"),
        [RecoveryObjective("shop", rto="PT0S", rpo="PT0S")],
        RecoveryObjective("billing", rto="PT1H", rpo="PT1H"),
    ]
)


def _rate_ok(value: object) -> bool:
    return value is None or (isinstance(value, Fraction) and 0 <= value <= 1)


def _validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(itilkit.schema("review"))


VALIDATOR: Any = None


def _check(review: ServiceReview, previous: int) -> None:
    """What any review obeys."""
    global VALIDATOR
    assert isinstance(review, ServiceReview)
    assert len(review.trend) == previous + 1
    assert all(isinstance(row, TrendRow) for row in review.trend)
    assert review.trend[-1].period == review.period
    for before, after in zip(review.trend, review.trend[1:], strict=False):
        assert before.period.end_us == after.period.start_us, "a gap in the trend"
    assert review.trend[-1].availability == review.availability.ratio
    assert review.trend[-1].compliance == review.compliance.rate
    for row in review.trend:
        assert _rate_ok(row.availability) and _rate_ok(row.compliance)
    assert all(isinstance(b, BiggestOutage) and b.downtime_us > 0 for b in review.biggest_outages)
    for b in review.biggest_outages:  # alone, an outage counts no more than all of them together
        assert b.downtime_us <= review.availability.downtime_us
    if review.error_budget is not None:
        assert isinstance(review.error_budget, BudgetFigures)
        assert review.error_budget.consumed >= 0
    assert all(isinstance(g, RecurringIncidents) and g.count >= 3 for g in review.problems)
    assert all(isinstance(e, ChangeEntry) for e in review.changes)
    assert all(isinstance(a, Action) and a.kind in ACTION_KINDS for a in review.actions)
    ranks = [SEVERITIES.index(a.severity) for a in review.actions]
    assert ranks == sorted(ranks), "actions out of order"
    assert review.summary_sentences[0].startswith("Is IT doing well?")
    text = str(review)
    for sentence in review.summary_sentences:
        assert sentence in text
    assert all(isinstance(t, ReviewTable) for t in review.tables())
    review.to_markdown()
    document = json.loads(json.dumps(review.to_dict()))
    if VALIDATOR is None:
        VALIDATOR = _validator()
    VALIDATOR.validate(document)


def _render(review: ServiceReview) -> None:
    run(review.to_markdown)
    run(review.tables)
    run(lambda: review.summary_sentences)
    run(review.to_frame)
    if HAS_PAGE:
        run(review.to_html)


@FUZZ
@given(
    service=p(st.sampled_from(["shop", "billing", "<b>", " shop"]), str),
    period=p(period_values, PERIOD_TYPES),
    sla=p(sla_values, Agreement),
    incidents=p(incident_lists, every(Incident)),
    outages=p(outage_lists, every(Outage)),
    samples=p(sample_values, every(tuple)),
    changes=p(change_lists, every(ChangeRequest)),
    previous=p(st.integers(0, 3), int),
    threshold=p(ratio_values, RATIO_TYPES),
    margin=p(ratio_values, RATIO_TYPES),
    min_recurring=p(st.integers(2, 4), int),
)
def test_build(
    service: A,
    period: A,
    sla: A,
    incidents: A,
    outages: A,
    samples: A,
    changes: A,
    previous: A,
    threshold: A,
    margin: A,
    min_recurring: A,
) -> None:
    review = run(
        Review.build,
        service,
        period=period,
        sla=sla,
        incidents=incidents,
        outages=outages,
        samples=samples,
        changes=changes,
        previous=previous,
        overload_threshold=threshold,
        margin_threshold=margin,
        min_recurring=min_recurring,
    )
    if review is not RAISED:
        _render(review)


@FUZZ
@given(
    recovery=p(recovery_values, lambda v: v is None or isinstance(v, RecoveryObjective | list)),
    points=p(
        st.sampled_from([(), {"shop": "2026-03-10T08:00Z"}, {"shop": ["2026-03-10T11:00Z"]}]),
        (tuple, dict),
    ),
    schedule=p(schedule_values, (CreditSchedule, type(None))),
    policy=p(
        st.sampled_from(
            [None, itilkit.ApprovalPolicy.default(change_managers=["a"], cab=["b"], ecab=["c"])]
        ),
        (itilkit.ApprovalPolicy, type(None)),
    ),
    calendar=p(
        st.sampled_from([None, ChangeCalendar(), ChangeCalendar(lead_time="PT8H")]),
        (ChangeCalendar, type(None)),
    ),
    failed=p(st.sampled_from([(), ["CHG1"], "CHG2", ["CHG404"]]), (str, tuple, list)),
    changes=change_lists,
)
def test_build_options(
    recovery: A,
    points: A,
    schedule: A,
    policy: A,
    calendar: A,
    failed: A,
    changes: list[ChangeRequest],
) -> None:
    outage = Outage("2026-03-10T10:00Z", "2026-03-10T12:00Z", id="OUT-1")
    review = run(
        Review.build,
        "shop",
        period="2026-03",
        sla=_sla(ServiceWindow.always(tz="UTC")),
        outages=[outage],
        changes=changes,
        recovery=recovery,
        recovery_points=points,
        credit_schedule=schedule,
        policy=policy,
        calendar=calendar,
        failed=failed,
    )
    if review is not RAISED:
        _render(review)


@FUZZ
@given(
    window=sla_windows(),
    availability=st.sampled_from(["97%", "99.9%", "100%", "0%", None, Fraction(2, 3)]),
    period=st.one_of(
        st.sampled_from(["2026-03", "2026-Q1", "2026-04", "2025-12"]),
        st.tuples(instants(), instants()),  # within the engine's 400 years
    ),
    previous=st.integers(0, 3),
    incidents=incident_lists,
    outages=outage_lists,
    samples=sample_values,
    changes=change_lists,
    service=st.sampled_from(["shop", "billing"]),
)
def test_valid_input_is_reviewed(
    window: ServiceWindow,
    availability: object,
    period: object,
    previous: int,
    incidents: list[Incident],
    outages: list[Outage],
    samples: list[tuple[str, Any]],
    changes: list[ChangeRequest],
    service: str,
) -> None:
    """Any SLA, period in order, incidents, outages, samples and distinct changes: a review,
    never an error, whose figures are the library's own."""
    if isinstance(period, tuple):
        start, end = sorted(period, key=aware)
        if aware(start) == aware(end):
            return
        period = (start, end)
    sla = _sla(window, availability)
    samples = list({at: (at, value) for at, value in samples}.values())  # one per instant
    options: dict[str, Any] = {
        "period": period,
        "sla": sla,
        "incidents": incidents,
        "outages": outages,
        "samples": samples,
        "changes": changes,
        "previous": previous,
    }
    review = run(Review.build, service, **options)
    if review is RAISED:  # refused valid input: raise again, for the message
        Review.build(service, **options)
    _check(review, previous)
    mine = [o for o in outages if o.service in (None, service)]
    lo, hi = review.period.start, review.period.end
    assert review.availability == sla.availability_report(mine, start=lo, end=hi)
    opened = [
        inc
        for inc in incidents
        if inc.attributes.get("service") in (None, service)
        and aware(lo) <= aware(inc.opened_at) < aware(hi)
    ]
    assert review.compliance == sla.compliance(opened, as_of=hi)
    assert review.left_out["outages"] == len(outages) - len(mine)


@FUZZ
@given(value=p(period_values, PERIOD_TYPES), tz=p(st.sampled_from(ZONES), str), n=HOSTILE)
def test_review_period(value: A, tz: A, n: Any) -> None:
    period = run(Period.parse, value, tz=tz)
    if period is RAISED:
        return
    assert aware(period.start) < aware(period.end)
    before = run(period.previous, A(n, isinstance(n, int)))
    if before is not RAISED:
        assert len(before) == n
    for k in (0, 1, 3):
        before = run(period.previous, k)
        if before is not RAISED and before:
            assert before[-1].end_us == period.start_us
    run(period.to_dict)


@FUZZ
@given(
    days=st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True).map(
        lambda d: tuple(sorted(d))
    ),
    start=st.integers(0, 23 * 60 + 59),
    end=st.integers(0, 23 * 60 + 59),
    peak=st.fractions(0, 1),
)
def test_overload_sentence(days: tuple[int, ...], start: int, end: int, peak: Fraction) -> None:
    pattern = RecurringOverload(
        days, time(start // 60, start % 60), time(end // 60, end % 60), 2, peak, "UTC"
    )
    sentence = run(overload_sentence, pattern)
    assert sentence is RAISED or (sentence.startswith("For ") and sentence.endswith("capacity."))


def test_demo_review() -> None:
    review = run(demo)
    assert review is not RAISED
    _check(review, 0)


def test_hostile_reviews_are_refused_by_name() -> None:
    """Regression cases: each hostile argument is refused as an ItilkitError."""
    sla = _sla(ServiceWindow.always(tz="UTC"))
    cases: list[dict[str, Any]] = [
        {"period": ["2026-03-01T00:00Z", None]},
        {"period": ("9997-12-31T00:00Z", "9998-01-01T00:00Z"), "previous": 3},
        {"period": "9997-12"},
        {"period": ("0002-01-02T00:00Z", "0002-01-03T00:00Z"), "previous": 3},
        {"period": "2026-03", "previous": 2**63},
        {"samples": iter([1, 2])},
        {"samples": [("2026-03-02T09:00Z", float("nan"))]},
        {"samples": [("2026-03-02T09:00Z", 0.5), ("2026-03-02T08:00Z", 0.5)]},
        {"outages": [Outage("2026-03-02T09:00Z", "2026-03-02T10:00Z")] * 2, "changes": [None]},
        {"overload_threshold": "NaN%"},
        {"margin_threshold": 1.5},
        {"recovery": "shop"},
        {
            "recovery_points": {"shop": "yesterday"},
            "recovery": RecoveryObjective("shop", rto="PT1H", rpo="PT1H"),
        },
        {"failed": [None]},
        {"period": ("0002-01-01T00:00Z", "9998-12-31T00:00Z")},  # past the engine's 400 years
    ]
    for case in cases:
        options: dict[str, Any] = {"period": "2026-03", "sla": sla, **case}
        assert run(Review.build, "shop", **{k: A(v, False) for k, v in options.items()}) is RAISED


def test_far_periods_are_reviewed() -> None:
    """The first and last months allowed, on a 24x7 window in a zone far from UTC."""
    sla = _sla(ServiceWindow.always(tz="Pacific/Kiritimati"))
    for period in ("0002-02", "9997-11", ("9000-01-01T00:00Z", "9300-01-01T00:00Z")):
        review = run(Review.build, "shop", period=period, sla=sla, previous=0)
        if review is RAISED:  # raise again, for the message
            Review.build("shop", period=period, sla=sla, previous=0)
        _check(review, 0)
    huge = datetime(9997, 12, 30, tzinfo=UTC)
    review = run(
        Review.build,
        "shop",
        period=(huge, huge + timedelta(hours=1)),
        sla=sla,
        previous=3,
        outages=[Outage(huge - timedelta(hours=2), huge + timedelta(minutes=30))],
    )
    assert review is not RAISED
    assert [row.availability for row in review.trend] == [1, 0, 0, Fraction(1, 2)]
