"""The service review: hand-worked figures, each the same exact value as the library's own call.

Two stories. The founding one (bundled data): Seoul, weekdays 09:00-18:00
with Korean holidays, 97% availability; March 2026 has 21 working days x 9 h
= 189 h of agreed service time and 1 h 53 min 24 s of downtime in it, so
availability is (189 h - 113.4 min) / 189 h = 99% exactly. A synthetic one
(UTC, weekdays 09:00-17:00, 99% availability), small enough to work by hand,
for compliance, changes, the trend and every kind of action.
"""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, time, timedelta
from fractions import Fraction
from typing import Any

import pytest

import itilkit
from itilkit import (
    SLA,
    ChangeCalendar,
    ChangeRequest,
    CreditSchedule,
    ErrorBudget,
    Incident,
    InvalidValueError,
    NaiveDatetimeError,
    Outage,
    RecoveryObjective,
    ServiceWindow,
    Target,
    check_recovery,
    credits,
    recurring_overloads,
)
from itilkit._delivery import delivery_metrics
from itilkit._demo import demo_review
from itilkit._review import (
    ACTION_KINDS,
    MAX_PREVIOUS,
    SEVERITIES,
    Action,
    ChangeEntry,
    RecurringIncidents,
    ReviewPeriod,
    ServiceReview,
    TrendRow,
    overload_sentence,
)

H = timedelta(hours=1)
M = timedelta(minutes=1)

# --------------------------------------------------------------------------- the founding story


@pytest.fixture(scope="module")
def founding() -> ServiceReview:
    return demo_review()


def test_founding_availability_is_99_percent_of_189_hours(founding: ServiceReview) -> None:
    report = founding.availability
    assert report.agreed == 189 * H  # 21 working days x 9 h (1 and 2 March are holidays)
    assert report.downtime == H + 50 * M + timedelta(minutes=3, seconds=24)  # OUT-1, 2, 3
    assert report.ratio == Fraction(99, 100)
    assert report.target == Fraction(97, 100)
    assert report.meets() and report.margin() == 2
    assert report.failures == 3  # OUT-5 is after hours, OUT-4 planned
    assert report.mtrs == timedelta(minutes=37, seconds=48)
    assert [b.outage.id for b in founding.biggest_outages] == ["OUT-1", "OUT-2", "OUT-3"]
    assert [b.downtime for b in founding.biggest_outages] == [
        H,
        50 * M,
        timedelta(minutes=3, seconds=24),
    ]


def test_founding_figures_are_the_librarys_own(founding: ServiceReview) -> None:
    sla = founding.sla
    start, end = "2026-03-01T00:00+09:00", "2026-04-01T00:00+09:00"
    outages = founding.availability.outages
    assert founding.availability == sla.availability_report(outages, start=start, end=end)
    assert (
        founding.availability.ratio == sla.availability_report(outages, start=start, end=end).ratio
    )
    budget = ErrorBudget(sla.availability, start=start, end=end, window=sla.window)
    figures = founding.error_budget
    assert figures is not None
    assert figures.allowed == budget.allowed == timedelta(hours=5, minutes=40, seconds=12)
    assert figures.spent == budget.spent(outages) == founding.availability.downtime
    assert figures.remaining == budget.remaining(outages)
    assert figures.consumed == budget.consumed(outages) == Fraction(1, 3)
    assert founding.overloads == recurring_overloads(
        founding.samples, threshold="90%", tz="Asia/Seoul", end=end
    )


def test_founding_overload_is_four_hours_after_six_pm(founding: ServiceReview) -> None:
    (pattern,) = founding.overloads
    assert pattern.spec == "Mon-Fri 18:00-22:00"
    assert pattern.occurrences == 22  # every weekday of March 2026, holidays included
    assert pattern.peak == Fraction(995, 1000)
    assert len(founding.samples) == 31 * 24 * 6  # every 10 minutes, all in March


def test_founding_summary_reads_like_the_dialogue(founding: ServiceReview) -> None:
    sentences = founding.summary_sentences
    assert sentences[0] == (
        "Is IT doing well? Yes: every target was met, with 1 improvement to make."
    )
    assert sentences[1] == (
        "Availability in agreed hours (Mon-Fri 09:00-18:00 Asia/Seoul) was 99% "
        "against an SLA of 97%: met by 2 points."
    )
    assert (
        "For four hours after 18:00 on weekdays the servers ran at up to 99.5%: add capacity."
        in sentences
    )
    text = str(founding)
    for sentence in sentences:
        assert sentence in text
        assert sentence in founding.to_markdown()
    assert [a.kind for a in founding.actions] == ["capacity"]


def test_founding_trend_has_only_march(founding: ServiceReview) -> None:
    assert [row.label for row in founding.trend] == ["2026-03"]
    assert founding.trend[-1].availability == Fraction(99, 100)
    assert founding.trend[-1].compliance is None  # no incident is bundled for this service


# --------------------------------------------------------------------------- a synthetic month

UTC_HOURS = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC")  # 8 h a day
MARCH = ("2026-03-01T00:00Z", "2026-04-01T00:00Z")
AGREED_MARCH = 22 * 8 * H  # 22 weekdays


def _sla(availability: str | None = "99%") -> SLA:
    return SLA(
        "Std",
        window=UTC_HOURS,
        targets=[
            Target("response", "PT1H"),
            Target("resolution", "PT8H"),
            Target("resolution", "PT4H", priority="P1"),
        ],
        availability=availability,
    )


def _incident(
    id: str,
    opened: str,
    worked: str,
    resolved: str,
    *,
    priority: str = "P3",
    **fields: str,
) -> Incident:
    inc = Incident.open(id, at=opened, priority=priority)
    if fields:
        inc = inc.set_fields(at=opened, **fields)
    return inc.start_work(at=worked).resolve(at=resolved)


def _incidents() -> list[Incident]:
    return [
        # February: both clocks met
        _incident("INC0", "2026-02-02T09:00Z", "2026-02-02T09:05Z", "2026-02-02T09:30Z"),
        # P1: response 30 min met, resolution 6 h against 4 h: 2 h late
        _incident(
            "INC1",
            "2026-03-02T09:00Z",
            "2026-03-02T09:30Z",
            "2026-03-02T15:00Z",
            priority="P1",
            ci="db",
        ),
        _incident("INC2", "2026-03-03T10:00Z", "2026-03-03T10:10Z", "2026-03-03T11:00Z", ci="db"),
        # response: 30 min on Wednesday + 40 min on Thursday = 70 min against 1 h: 10 min late
        _incident(
            "INC3",
            "2026-03-04T16:30Z",
            "2026-03-05T09:40Z",
            "2026-03-05T10:00Z",
            ci="db",
            caused_by="CHG1",
        ),
    ]


def _changes() -> list[ChangeRequest]:
    one = ChangeRequest.new(
        "CHG1",
        type="normal",
        requested_at="2026-02-20T09:00Z",
        start="2026-03-04T14:00Z",
        end="2026-03-04T16:00Z",
        items=["db"],
    )
    for at in ("2026-02-20T10:00Z", "2026-02-21T10:00Z", "2026-02-22T10:00Z", "2026-03-04T14:00Z"):
        one = one.advance(at=at)  # ASSESS, AUTHORISE, SCHEDULED, IMPLEMENT
    one = one.advance(at="2026-03-04T16:00Z")  # REVIEW: deployed
    two = ChangeRequest.new(
        "CHG2",
        type="standard",
        requested_at="2026-03-01T09:00Z",
        start="2026-03-04T15:00Z",
        end="2026-03-04T17:00Z",
        items=["db"],
    ).advance(at="2026-03-01T10:00Z")  # SCHEDULED: pre-authorised
    later = ChangeRequest.new(
        "CHG9",
        type="normal",
        requested_at="2026-03-01T09:00Z",
        start="2026-05-04T15:00Z",
        end="2026-05-04T17:00Z",
    )
    return [one, two, later]


OUTAGE_2H = Outage("2026-03-10T10:00Z", "2026-03-10T12:00Z", id="OUT-A")
OUTAGE_1H = Outage("2026-03-10T10:00Z", "2026-03-10T11:00Z", id="OUT-B")


def _build(**kwargs: Any) -> ServiceReview:
    options: dict[str, Any] = {"period": "2026-03", "sla": _sla(), "previous": 2}
    options.update(kwargs)
    return ServiceReview.build("shop", **options)


@pytest.fixture(scope="module")
def month() -> ServiceReview:
    return _build(incidents=_incidents(), outages=[OUTAGE_2H], changes=_changes())


def test_availability_missed_by_hand(month: ServiceReview) -> None:
    report = month.availability
    assert report.agreed == AGREED_MARCH == 176 * H
    assert report.ratio == Fraction(174, 176) == Fraction(87, 88)
    assert not report.meets()
    assert report.margin() == (Fraction(87, 88) - Fraction(99, 100)) * 100 == Fraction(-3, 22)
    assert report == _sla().availability_report([OUTAGE_2H], start=MARCH[0], end=MARCH[1])


def test_compliance_counts_march_incidents_only(month: ServiceReview) -> None:
    report = month.compliance
    assert (report.met, report.breached, report.in_progress) == (4, 2, 0)
    assert report.rate == Fraction(2, 3)
    march = [inc for inc in _incidents() if inc.id != "INC0"]
    assert report == _sla().compliance(march, as_of=MARCH[1])
    assert [(b.incident_id, b.late_by) for b in month.worst_breaches] == [
        ("INC1", 2 * H),
        ("INC3", 10 * M),
    ]


def test_compliance_grid_is_metric_by_priority(month: ServiceReview) -> None:
    (table,) = [t for t in month.tables() if t.key == "compliance"]
    assert table.headers == ("metric", "P1", "P3", "all")
    assert table.rows == (
        ("response", "100% (1/1)", "50% (1/2)", "66.7% (2/3)"),
        ("resolution", "0% (0/1)", "100% (2/2)", "66.7% (2/3)"),
        ("all", "50% (1/2)", "75% (3/4)", "66.7% (4/6)"),
    )


def test_trend_is_oldest_first_with_exact_figures(month: ServiceReview) -> None:
    assert [row.label for row in month.trend] == ["2026-01", "2026-02", "2026-03"]
    assert all(isinstance(row, TrendRow) for row in month.trend)
    january, february, march = month.trend
    assert january.availability_report.agreed == 22 * 8 * H
    assert february.availability_report.agreed == 20 * 8 * H
    assert (january.availability, february.availability) == (1, 1)
    assert (january.compliance, february.compliance) == (None, 1)
    assert march.availability == month.availability.ratio == Fraction(87, 88)
    assert march.compliance == month.compliance.rate == Fraction(2, 3)
    assert march.availability_report is month.availability


@pytest.mark.parametrize("previous", [0, 1, 5, 13])
def test_trend_length_follows_previous(previous: int) -> None:
    review = _build(previous=previous)
    assert len(review.trend) == previous + 1
    assert review.trend[-1].period == review.period
    ends = [row.period.end_us for row in review.trend[:-1]]
    starts = [row.period.start_us for row in review.trend[1:]]
    assert ends == starts  # back to back, no gap


def test_error_budget_overspent(month: ServiceReview) -> None:
    figures = month.error_budget
    assert figures is not None
    assert figures.allowed == AGREED_MARCH / 100 == timedelta(hours=1, minutes=45, seconds=36)
    assert figures.spent == 2 * H
    assert figures.consumed == Fraction(2 * 100, 176) == Fraction(25, 22)
    assert figures.overspent
    budget = ErrorBudget("99%", start=MARCH[0], end=MARCH[1], window=UTC_HOURS)
    assert figures.consumed == budget.consumed([OUTAGE_2H])


def test_no_budget_without_an_objective() -> None:
    review = _build(sla=_sla(None), outages=[OUTAGE_2H])
    assert review.error_budget is None
    assert review.availability.target is None
    assert "the SLA sets no availability objective" in review.summary_sentences[1]
    assert {a.kind for a in review.actions} == set()


def test_changes_of_the_period(month: ServiceReview) -> None:
    entries = month.changes
    assert all(isinstance(e, ChangeEntry) for e in entries)
    assert [e.id for e in entries] == ["CHG1", "CHG2"]  # CHG9 is planned for May
    one, two = entries
    assert one.approved and two.approved  # both reached SCHEDULED
    assert one.deployed and one.failed and not two.deployed
    assert one.deployment is not None and one.deployment.incidents == ("INC3",)
    assert [c.kind.value for c in month.conflicts] == ["overlap", "overlap"]
    assert month.delivery == delivery_metrics(
        _changes(), _incidents(), start=MARCH[0], end=MARCH[1]
    )
    assert month.delivery.change_failure_rate == 1
    assert "CHG1 (normal, low risk), planned 2026-03-04 14:00 to 2026-03-04 16:00" in str(one)


def test_approval_by_policy() -> None:
    policy = itilkit.ApprovalPolicy.default(change_managers=["kim"], cab=["lee"], ecab=["han"])
    review = _build(changes=_changes(), policy=policy)
    # CHG1 (normal, low risk) has no change manager's vote; CHG2 is standard: pre-authorised
    assert [(e.id, e.approved) for e in review.changes] == [("CHG1", False), ("CHG2", True)]


def test_recurring_incidents_open_a_problem(month: ServiceReview) -> None:
    (group,) = month.problems
    assert isinstance(group, RecurringIncidents)
    assert (group.field, group.value, group.incidents) == ("ci", "db", ("INC1", "INC2", "INC3"))
    assert group.first == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert group.last == datetime(2026, 3, 4, 16, 30, tzinfo=UTC)
    assert group.problem is None
    assert "3 incidents on configuration item 'db'" in str(group)


def test_linked_incidents_need_no_new_problem() -> None:
    linked = [
        _incident(
            f"INC{i}",
            f"2026-03-0{i}T10:00Z",
            f"2026-03-0{i}T10:05Z",
            f"2026-03-0{i}T11:00Z",
            category="network",
            problem="PRB1",
        )
        for i in (2, 3, 4)
    ]
    review = _build(incidents=linked)
    (group,) = review.problems
    assert (group.field, group.value, group.problem) == ("category", "network", "PRB1")
    assert "problem" not in {a.kind for a in review.actions}
    assert _build(incidents=linked[:2]).problems == ()  # two are not a pattern


# --------------------------------------------------------------------------- actions, kind by kind


def _kinds(review: ServiceReview) -> list[str]:
    return [a.kind for a in review.actions]


def test_target_missed_for_availability_and_for_breaches(month: ServiceReview) -> None:
    missed = [a for a in month.actions if a.kind == "target_missed"]
    assert [a.title for a in missed] == [
        "Availability 98.864% missed the SLA's 99% by 0.136 points: find and remove "
        "the causes of the biggest outages.",
        "2 of 6 SLA clocks missed their targets.",
    ]
    assert "OUT-A from 2026-03-10 10:00: 2h 00m" in missed[0].evidence
    assert missed[1].evidence[0] == "INC1 resolution (P1): 2h 00m past its 4h 00m target"


def test_thin_margin() -> None:
    review = _build(outages=[OUTAGE_1H])  # 175 / 176 = 99.432%: 0.432 points over 99%
    assert review.availability.ratio == Fraction(175, 176)
    assert _kinds(review) == ["thin_margin"]
    assert _kinds(_build(outages=[OUTAGE_1H], margin_threshold="0.4%")) == []
    assert _kinds(_build()) == []  # 100% is a full point over 99%: not thin


def test_error_budget_action(month: ServiceReview) -> None:
    (action,) = [a for a in month.actions if a.kind == "error_budget"]
    assert action.title == (
        "The error budget burnt faster than the period allows: 113.6% of it spent."
    )
    assert action.evidence[0] == "spent 2h 00m of 1h 45m 36s allowed (1% of agreed time)"


def test_change_failed_and_conflict(month: ServiceReview) -> None:
    (failed,) = [a for a in month.actions if a.kind == "change_failed"]
    assert failed.title == "Change CHG1 failed (INC3): review it before the next change."
    conflicts = [a for a in month.actions if a.kind == "change_conflict"]
    assert [a.title for a in conflicts] == [
        "Change CHG1: resolve its overlap conflict.",
        "Change CHG2: resolve its overlap conflict.",
    ]


def test_conflicts_with_a_calendar() -> None:
    freeze = ServiceWindow.from_spans([("2026-03-04T00:00Z", "2026-03-05T00:00Z")], tz="UTC")
    review = _build(changes=_changes(), calendar=ChangeCalendar(freeze=freeze))
    assert sorted(c.kind.value for c in review.conflicts) == [
        "freeze",
        "freeze",
        "overlap",
        "overlap",
    ]


def test_capacity() -> None:
    start = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
    samples = [
        (start + k * H, Fraction(99, 100) if 18 <= k % 24 < 22 and k // 24 % 7 < 5 else 0.4)
        for k in range(28 * 24)
    ]
    review = _build(samples=samples)
    assert _kinds(review) == ["capacity"]
    (action,) = review.actions
    assert action.title == (
        "For four hours after 18:00 on weekdays the servers ran at up to 99%: add capacity."
    )
    assert action.evidence == ("Mon-Fri 18:00-22:00 (UTC): 20 occurrences above 90%, peak 99%",)
    assert _build(samples=samples, overload_threshold="99%").overloads == ()
    outside = [(t - timedelta(days=60), v) for t, v in samples]
    assert _build(samples=outside).overloads == ()  # samples of another period are left out


def test_problem_action(month: ServiceReview) -> None:
    (action,) = [a for a in month.actions if a.kind == "problem"]
    assert action.title == "Open a problem for configuration item 'db': 3 incidents in 2026-03."
    assert action.evidence[0] == "INC1, INC2, INC3"


def test_recovery_missed() -> None:
    objective = RecoveryObjective("shop", rto="PT1H", rpo="PT4H")
    points = {"shop": ["2026-03-10T08:00Z"]}
    review = _build(outages=[OUTAGE_2H], recovery=objective, recovery_points=points)
    assert review.recovery == check_recovery(
        objective, {"shop": [OUTAGE_2H]}, recovery_points=points
    )
    assert review.recovery is not None and not review.recovery.met
    (action,) = [a for a in review.actions if a.kind == "recovery_missed"]
    assert action.evidence == ("shop OUT-A: restored in 2h 00m (RTO 1h 00m)",)
    met = _build(
        outages=[OUTAGE_1H],
        recovery=RecoveryObjective("shop", rto="PT1H", rpo="PT4H"),
        recovery_points=points,
    )
    assert met.recovery is not None and met.recovery.met
    assert "Recovery objectives were met." in met.summary_sentences


def test_credit_owed() -> None:
    schedule = CreditSchedule.of({"99%": "10%", "95%": "25%"})
    review = _build(outages=[OUTAGE_2H], credit_schedule=schedule)
    assert review.credit == credits(schedule, review.availability) == Fraction(1, 10)
    assert "credit_owed" in _kinds(review)
    assert "A service credit of 10% of the charge is owed." in review.summary_sentences
    none = _build(credit_schedule=schedule)
    assert none.credit == 0 and "No service credit is owed." in none.summary_sentences


def test_every_kind_is_raised_somewhere(month: ServiceReview) -> None:
    schedule = CreditSchedule.of({"99%": "10%"})
    start = datetime(2026, 3, 2, tzinfo=UTC)
    samples = [(start + k * H, 1 if 18 <= k % 24 < 22 else 0) for k in range(28 * 24)]
    everything = _build(
        incidents=_incidents(),
        outages=[OUTAGE_2H],
        changes=_changes(),
        samples=samples,
        credit_schedule=schedule,
        recovery=RecoveryObjective("shop", rto="PT1H", rpo="PT1H"),
    )
    kinds = set(_kinds(everything)) | set(_kinds(_build(outages=[OUTAGE_1H])))
    assert kinds == set(ACTION_KINDS)
    ranks = [SEVERITIES.index(a.severity) for a in everything.actions]
    assert ranks == sorted(ranks)
    assert all(a.severity == ACTION_KINDS[a.kind][0] for a in everything.actions)
    assert everything.summary_sentences[0].startswith("Is IT doing well? Not entirely: ")


# --------------------------------------------------------------------------- the service's own inputs


def test_inputs_of_other_services_are_left_out() -> None:
    other_outage = Outage("2026-03-11T10:00Z", "2026-03-11T12:00Z", service="billing")
    mine = Outage("2026-03-12T10:00Z", "2026-03-12T11:00Z", service="shop")
    other_incident = _incident(
        "INC7", "2026-03-02T09:00Z", "2026-03-02T09:10Z", "2026-03-02T10:00Z", service="billing"
    )
    review = _build(outages=[other_outage, mine, OUTAGE_1H], incidents=[other_incident])
    assert review.left_out == {"outages": 1, "incidents": 1}
    assert review.availability.downtime == 2 * H  # OUT-B and the shop's own
    assert review.compliance.incidents == 0


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("value", "label", "start", "end"),
    [
        ("2026-03", "2026-03", "2026-03-01T00:00:00+09:00", "2026-04-01T00:00:00+09:00"),
        (" 2026-12 ", "2026-12", "2026-12-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00"),
        ("2026-Q1", "2026-Q1", "2026-01-01T00:00:00+09:00", "2026-04-01T00:00:00+09:00"),
        ("2026-q4", "2026-Q4", "2026-10-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00"),
        (
            ("2026-03-02T00:00Z", datetime(2026, 3, 9, tzinfo=UTC)),
            "2026-03-02T09:00:00+09:00/2026-03-09T09:00:00+09:00",
            "2026-03-02T09:00:00+09:00",
            "2026-03-09T09:00:00+09:00",
        ),
    ],
)
def test_period_parser(value: object, label: str, start: str, end: str) -> None:
    period = ReviewPeriod.parse(value, tz="Asia/Seoul")
    assert (period.label, period.start.isoformat(), period.end.isoformat()) == (label, start, end)
    assert ReviewPeriod.parse(period, tz="Asia/Seoul") == period


def test_period_in_a_zone_with_dst() -> None:
    period = ReviewPeriod.parse("2026-03", tz="America/New_York")
    assert period.start.isoformat() == "2026-03-01T00:00:00-05:00"
    assert period.end.isoformat() == "2026-04-01T00:00:00-04:00"
    assert period.duration == timedelta(days=31) - H


def test_previous_periods() -> None:
    assert [p.label for p in ReviewPeriod.parse("2026-01", tz="UTC").previous(2)] == [
        "2025-11",
        "2025-12",
    ]
    assert [p.label for p in ReviewPeriod.parse("2026-Q1", tz="UTC").previous(3)] == [
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
    ]
    span = ReviewPeriod.parse(("2026-03-09T00:00Z", "2026-03-16T00:00Z"), tz="UTC")
    assert [(p.start.day, p.end.day) for p in span.previous(2)] == [(23, 2), (2, 9)]
    assert all(p.kind == "span" and p.duration == 7 * 24 * H for p in span.previous(2))
    assert span.previous(0) == ()


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("2026-13", "period"),
        ("2026-00", "period"),
        ("2026-Q5", "period"),
        ("2026-Q0", "period"),
        ("26-03", "period"),
        ("2026-3", "period"),
        ("2026", "period"),
        ("", "period"),
        ("0001-06", "period"),
        ("9999-12", "period"),
        ("9997-12", "period"),
        (None, "period"),
        (2026, "period"),
        (("2026-03-01T00:00Z",), "period"),
        (("2026-03-01T00:00Z", "2026-03-01T00:00Z"), "period[1]"),
        (("2026-04-01T00:00Z", "2026-03-01T00:00Z"), "period[1]"),
        (("nope", "2026-03-01T00:00Z"), "period[0]"),
    ],
)
def test_bad_periods_are_refused_by_name(value: object, field: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        _build(period=value)
    assert caught.value.field == field
    assert repr(value) in str(caught.value) or field != "period"


def test_naive_pair_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        _build(period=(datetime(2026, 3, 1), datetime(2026, 4, 1)))


@pytest.mark.parametrize("previous", [-1, MAX_PREVIOUS + 1, True, 1.0, "2", None])
def test_bad_previous_is_refused(previous: object) -> None:
    with pytest.raises(InvalidValueError, match="'previous'"):
        _build(previous=previous)


def test_previous_cannot_reach_before_year_two() -> None:
    with pytest.raises(InvalidValueError, match="'previous'"):
        _build(period="0002-02", previous=2)
    assert len(_build(period="0002-03", previous=2).trend) == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sla": "Std"}, "sla"),
        ({"overload_threshold": 90}, "threshold"),
        ({"margin_threshold": "2"}, "margin_threshold"),
        ({"min_recurring": 1}, "min_recurring"),
        ({"min_recurring": True}, "min_recurring"),
        ({"credit_schedule": {"99%": "10%"}}, "credit_schedule"),
        ({"policy": "default"}, "policy"),
        ({"calendar": object()}, "calendar"),
        ({"outages": "OUT-1"}, "outages"),
        ({"outages": [OUTAGE_1H, None]}, "outages[1]"),
        ({"incidents": [None]}, "incidents[0]"),
        ({"changes": [OUTAGE_1H]}, "changes[0]"),
        ({"samples": [("2026-03-02T09:00Z",)]}, "samples[0]"),
        ({"samples": [("2026-03-02T09:00", 0.5)]}, "samples[0]"),
        ({"samples": [("2026-03-02T09:00Z", 97)]}, "samples[0]"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        _build(**kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize("service", ["", "  ", None, 3])
def test_bad_service_is_refused(service: object) -> None:
    with pytest.raises(InvalidValueError, match="'service'"):
        ServiceReview.build(service, period="2026-03", sla=_sla())  # type: ignore[arg-type]


# --------------------------------------------------------------------------- renderings


def test_to_dict_validates_against_the_published_schema(month: ServiceReview) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = itilkit.schema("review")
    assert schema["$id"] == "https://itilkit.invalid/schemas/review.schema.json"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    schedule = CreditSchedule.of({"99%": "10%"})
    for review in (
        month,
        demo_review(),
        _build(),
        _build(sla=_sla(None), period=("2026-03-07T00:00Z", "2026-03-08T00:00Z")),
        _build(
            outages=[OUTAGE_2H],
            credit_schedule=schedule,
            recovery=RecoveryObjective("shop", rto="PT1H", rpo="PT1H"),
        ),
    ):
        document = json.loads(json.dumps(review.to_dict()))
        validator.validate(document)


def test_to_dict_rates_are_exact_and_float(month: ServiceReview) -> None:
    d = month.to_dict()
    assert d["availability"]["ratio"] == {"exact": "87/88", "float": 87 / 88}
    assert d["availability"]["target"] == {"exact": "0.99", "float": 0.99}
    assert d["compliance"]["rate"] == {"exact": "2/3", "float": 2 / 3}
    assert d["trend"][1]["compliance"] == {"exact": "1", "float": 1.0}
    assert d["trend"][0]["compliance"] is None
    assert d["error_budget"]["consumed"] == {"exact": "25/22", "float": 25 / 22}
    assert d["availability"]["downtime"] == "PT2H"
    assert d["summary"] == list(month.summary_sentences)
    assert [a["kind"] for a in d["actions"]] == [a.kind for a in month.actions]


def test_undefined_availability() -> None:
    weekend = _build(period=("2026-03-07T00:00Z", "2026-03-09T00:00Z"), previous=1)
    assert weekend.availability.ratio is None
    assert weekend.summary_sentences[1] == (
        "There was no agreed service time (Mon-Fri 09:00-17:00 UTC) in "
        "2026-03-07T00:00:00+00:00/2026-03-09T00:00:00+00:00: availability is undefined."
    )
    assert weekend.to_dict()["availability"]["ratio"] is None
    str(weekend)


def test_str_and_markdown(month: ServiceReview) -> None:
    text = str(month)
    assert text.startswith("Service review: shop, 2026-03\n")
    for sentence in month.summary_sentences:
        assert sentence in text
    for action in month.actions:
        assert action.title in text
    markdown = month.to_markdown()
    assert markdown.startswith("# Service review: shop, 2026-03")
    assert "## Actions" in markdown and "| metric | P1 | P3 | all |" in markdown
    keys = [t.key for t in month.tables()]
    assert keys == [
        "actions",
        "availability",
        "outages",
        "compliance",
        "breaches",
        "error_budget",
        "problems",
        "changes",
        "trend",
    ]


def test_action_renders() -> None:
    action = Action("capacity", "Add capacity.", ("a", "b"), "medium")
    assert str(action) == "[medium] Add capacity.\n    - a\n    - b"
    assert action.to_dict() == {
        "kind": "capacity",
        "severity": "medium",
        "title": "Add capacity.",
        "evidence": ["a", "b"],
    }


def test_overload_sentence_for_other_days_and_lengths() -> None:
    pattern = itilkit.RecurringOverload((5,), time(22), time(0), 4, Fraction(1), "UTC")
    assert overload_sentence(pattern) == (
        "For two hours after 22:00 on Sat the servers ran at up to 100%: add capacity."
    )
    pattern = itilkit.RecurringOverload(
        tuple(range(7)), time(9), time(9, 30), 4, Fraction(1), "UTC"
    )
    assert overload_sentence(pattern).startswith("For 30m after 09:00 every day")


def test_to_frame(month: ServiceReview, tmp_path: Any) -> None:
    pd = pytest.importorskip("pandas")
    frame = month.to_frame()
    assert list(frame.columns) == ["section", "period", "figure", "exact", "value", "text"]
    row = frame[(frame.section == "availability") & (frame.figure == "ratio")].iloc[0]
    assert (row.exact, row.value, row.text) == ("87/88", 87 / 88, "98.864%")
    trend = frame[frame.section == "trend"]
    assert list(trend[trend.figure == "availability"].period) == ["2026-01", "2026-02", "2026-03"]
    assert Fraction(trend[trend.figure == "compliance"].iloc[-1].exact) == Fraction(2, 3)
    assert pd.isna(trend[trend.figure == "compliance"].iloc[0].value)
    pytest.importorskip("pyarrow")
    path = tmp_path / "review.parquet"
    frame.to_parquet(path)
    back = pd.read_parquet(path)
    assert list(back.exact) == list(frame.exact)


def test_to_html_and_jupyter(month: ServiceReview) -> None:
    pytest.importorskip("itilkit._review_page")
    page = month.to_html()
    assert page.startswith("<!doctype html>")
    assert "Is IT doing well?" in page
    assert month._repr_html_() == page


def test_load_grid_of_the_period(founding: ServiceReview) -> None:
    pytest.importorskip("itilkit._review_page")
    grid = founding.load
    assert len(grid) == 7 and all(len(row) == 24 for row in grid)
    assert _build().load == []


def test_review_pickles(month: ServiceReview) -> None:
    again = pickle.loads(pickle.dumps(month))
    assert again.to_dict() == month.to_dict()
    assert str(again) == str(month)
