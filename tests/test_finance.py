"""Financial measures: service credits from a schedule and a report, the cost of downtime."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itilkit import (
    SLA,
    AvailabilityReport,
    CreditSchedule,
    Incident,
    InvalidValueError,
    Outage,
    ServiceWindow,
    Target,
    measure_availability,
)
from itilkit._finance import credits, downtime_cost

from .strategies import minute_outages

#: The AWS Compute Optimizer SLA's tiers (last updated 4 May 2022), as in the availability guide.
AWS = CreditSchedule.of({"99.9%": "10%", "99.0%": "25%", "95.0%": "100%"})
ALWAYS = ServiceWindow.always(tz="UTC")
MARCH = {"start": "2026-03-01T00:00Z", "end": "2026-03-31T00:00Z"}  # 30 days, 720 h


def march(*outages: Outage) -> AvailabilityReport:
    return measure_availability(list(outages), window=ALWAYS, **MARCH)


class TestCredits:
    def test_availability_report(self) -> None:
        """30 days = 43 200 min. 43.2 min down is exactly 99.9%: no credit (the tier is
        strictly below). One minute more: 10%. 7 h 12 min (432 min) is exactly 99%: still
        10%; 8 h: 25%."""
        start = datetime(2026, 3, 10, tzinfo=UTC)

        def down(seconds: int) -> AvailabilityReport:
            return march(Outage(start, start + timedelta(seconds=seconds)))

        assert credits(AWS, down(2592)) == 0  # 43.2 min
        assert credits(AWS, down(2592 + 60)) == Fraction(1, 10)
        assert credits(AWS, down(432 * 60)) == Fraction(1, 10)
        assert credits(AWS, down(480 * 60)) == Fraction(1, 4)

    def test_the_schedules_own_lookup(self) -> None:
        """credits() applies the schedule exactly as CreditSchedule.credit does."""
        report = march(Outage("2026-03-10T00:00Z", "2026-03-10T08:00Z"))
        assert credits(AWS, report) == AWS.credit(report) == Fraction(1, 4)

    def test_compliance_report(self) -> None:
        """Four P3 incidents, resolution target 4 h: three resolved in 2 h, one in 6 h. Rate
        3/4 = 75%, below a 95% tier: 5% credit; below the 80% tier too: 15%."""
        sla = SLA("Desk", window=ALWAYS, targets=[Target("resolution", "PT4H")])
        t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
        incidents = [
            Incident.open(f"INC{i}", at=t0, impact="low", urgency="low").resolve(
                at=t0 + timedelta(hours=6 if i == 3 else 2)
            )
            for i in range(4)
        ]
        report = sla.compliance(incidents, as_of=t0 + timedelta(days=1))
        assert report.rate == Fraction(3, 4)
        schedule = CreditSchedule.of({"95%": "5%", "80%": "15%"})
        assert credits(schedule, report) == Fraction(15, 100)
        assert credits(CreditSchedule.of({"95%": "5%"}), report) == Fraction(5, 100)

    def test_nothing_measured_owes_nothing(self) -> None:
        """No agreed service time (a closed window), no decided clock: 0, as the schedule's
        own lookup says for an availability report."""
        closed = ServiceWindow.weekly("Mon 09:00-10:00", tz="UTC")
        weekend = measure_availability(
            [], window=closed, start="2026-03-07T00:00Z", end="2026-03-09T00:00Z"
        )
        assert weekend.ratio is None
        assert credits(AWS, weekend) == 0
        sla = SLA("Desk", window=ALWAYS, targets=[Target("resolution", "PT4H")])
        none_decided = sla.compliance([], as_of="2026-03-02T09:00Z")
        assert none_decided.rate is None
        assert credits(AWS, none_decided) == 0
        assert credits(AWS, none_decided, fee=1000) == 0

    def test_ratio_directly(self) -> None:
        assert credits(AWS, "99.5%") == Fraction(1, 10)
        assert credits(AWS, Fraction(949, 1000)) == 1
        assert credits(AWS, 1) == 0

    @pytest.mark.parametrize(
        ("fee", "owed"),
        [
            (1200, Fraction(300)),
            ("1200.00", Fraction(300)),
            (Decimal("999.99"), Fraction(99999, 400)),  # 25% of 999.99 = 249.9975
            (Fraction(1, 3), Fraction(1, 12)),
            (0.1, Fraction(1, 40)),  # 0.1 by its shortest repr, exactly 1/10
            (0, Fraction(0)),
        ],
    )
    def test_fee(self, fee: object, owed: Fraction) -> None:
        """With a fee, the money owed: 25% x fee, exact."""
        assert credits(AWS, "98%", fee=fee) == owed  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"schedule": {"99%": "10%"}, "report": "98%"}, "schedule"),
            ({"schedule": AWS, "report": "97"}, "report"),
            ({"schedule": AWS, "report": None}, "report"),
            ({"schedule": AWS, "report": [Fraction(1, 2)]}, "report"),
            ({"schedule": AWS, "report": "98%", "fee": -1}, "fee"),
            ({"schedule": AWS, "report": "98%", "fee": "12,00"}, "fee"),
            ({"schedule": AWS, "report": "98%", "fee": math.nan}, "fee"),
            ({"schedule": AWS, "report": "98%", "fee": Decimal("Infinity")}, "fee"),
            ({"schedule": AWS, "report": "98%", "fee": True}, "fee"),
            ({"schedule": AWS, "report": "98%", "fee": 10**50}, "fee"),
        ],
    )
    def test_bad_input_is_named(self, kwargs: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidValueError) as caught:
            credits(**kwargs)  # type: ignore[arg-type]
        assert caught.value.field == field


class TestDowntimeCost:
    def test_by_hand(self) -> None:
        """Weekday hours 09:00-18:00. 10:00-11:30 full, 12:00-14:00 at 25% (30 min counted),
        20:00-22:00 after hours (not counted), maintenance 15:00-16:00 (not counted): 2 h of
        downtime at 5 000 an hour = 10 000."""
        hours = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        report = measure_availability(
            [
                Outage("2026-03-02T10:00Z", "2026-03-02T11:30Z"),
                Outage("2026-03-02T12:00Z", "2026-03-02T14:00Z", impact="25%"),
                Outage("2026-03-02T20:00Z", "2026-03-02T22:00Z"),
                Outage("2026-03-02T15:00Z", "2026-03-02T16:00Z", planned=True),
            ],
            window=hours,
            start="2026-03-02T00:00Z",
            end="2026-03-03T00:00Z",
        )
        assert report.downtime == timedelta(hours=2)
        assert downtime_cost(report, rate_per_hour=5000) == 10_000
        assert downtime_cost(report, rate_per_hour="5000.50") == 10_001

    def test_exact_thirds(self) -> None:
        """20 minutes at 100 an hour is 100/3, not 33.33."""
        assert downtime_cost("PT20M", rate_per_hour=100) == Fraction(100, 3)
        assert downtime_cost(timedelta(minutes=20), rate_per_hour=Decimal("100")) == Fraction(
            100, 3
        )
        assert round(downtime_cost("PT20M", rate_per_hour=100), 2) == Fraction(3333, 100)

    def test_microseconds_count(self) -> None:
        assert downtime_cost(timedelta(microseconds=1), rate_per_hour=3600) == Fraction(1, 10**6)

    def test_no_downtime_costs_nothing(self) -> None:
        assert downtime_cost(march(), rate_per_hour=10**6) == 0
        assert downtime_cost("PT0S", rate_per_hour=5) == 0

    @pytest.mark.parametrize(
        ("report", "rate", "field"),
        [
            ("PT1H", -1, "rate_per_hour"),
            ("PT1H", Decimal("-0.01"), "rate_per_hour"),
            ("PT1H", "-5", "rate_per_hour"),
            ("PT1H", "five", "rate_per_hour"),
            ("PT1H", math.inf, "rate_per_hour"),
            ("PT1H", None, "rate_per_hour"),
            ("PT1H", "1E+99999999", "rate_per_hour"),
            ("-PT1H", 5, "report"),
            ("P1M", 5, "report"),
            (3600, 5, "report"),
            (None, 5, "report"),
        ],
    )
    def test_bad_input_is_named(self, report: object, rate: object, field: str) -> None:
        with pytest.raises(InvalidValueError) as caught:
            downtime_cost(report, rate_per_hour=rate)  # type: ignore[arg-type]
        assert caught.value.field == field
        assert caught.value.value in (report, rate)

    def test_compliance_report_has_no_downtime(self) -> None:
        sla = SLA("Desk", window=ALWAYS, targets=[Target("resolution", "PT4H")])
        with pytest.raises(InvalidValueError, match="'report' must be an AvailabilityReport"):
            downtime_cost(sla.compliance([], as_of="2026-03-02T09:00Z"), rate_per_hour=1)  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------------

rates = st.one_of(
    st.integers(0, 10**9),
    st.fractions(min_value=0, max_value=10**6, max_denominator=10**6),
    st.decimals(min_value=0, max_value=10**6, places=2),
)


@given(outages=st.lists(minute_outages(), max_size=4), a=rates, b=rates, k=st.integers(0, 100))
def test_cost_is_linear_in_the_rate(
    outages: list[Outage], a: int | Fraction | Decimal, b: int | Fraction | Decimal, k: int
) -> None:
    """cost(a + b) = cost(a) + cost(b), cost(k a) = k cost(a), and cost(1) is the downtime in
    hours: the definition, with no rounding anywhere."""
    report = measure_availability(
        outages, window=ALWAYS, start="2026-03-02T00:00Z", end="2026-03-20T00:00Z"
    )
    fa, fb = Fraction(a), Fraction(b)
    cost_a = downtime_cost(report, rate_per_hour=a)
    cost_b = downtime_cost(report, rate_per_hour=b)
    assert downtime_cost(report, rate_per_hour=fa + fb) == cost_a + cost_b
    assert downtime_cost(report, rate_per_hour=k * fa) == k * cost_a
    assert downtime_cost(report, rate_per_hour=1) == report.downtime_us / Fraction(3_600_000_000)
    assert cost_a >= 0


@given(
    outages=st.lists(minute_outages(), max_size=4),
    fee=rates,
    tiers=st.dictionaries(
        st.integers(1, 1000).map(lambda n: Fraction(n, 1000)),
        st.integers(0, 100).map(lambda n: Fraction(n, 100)),
        min_size=1,
        max_size=4,
    ),
)
def test_credit_is_the_schedules_and_scales_the_fee(
    outages: list[Outage], fee: int | Fraction | Decimal, tiers: dict[Fraction, Fraction]
) -> None:
    """The credit is the largest credit of the tiers strictly above the ratio, written out
    here independently; with a fee it is that ratio of the fee."""
    # a valid schedule: a lower threshold never earns less
    ordered = sorted(tiers)
    credits_down = sorted(tiers.values(), reverse=True)
    schedule = CreditSchedule.of(dict(zip(ordered, credits_down, strict=True)))
    report = measure_availability(
        outages, window=ALWAYS, start="2026-03-02T00:00Z", end="2026-03-20T00:00Z"
    )
    ratio = report.ratio
    assert ratio is not None
    expected = max(
        (c for t, c in zip(ordered, credits_down, strict=True) if ratio < t), default=Fraction(0)
    )
    assert credits(schedule, report) == expected
    assert credits(schedule, report, fee=fee) == expected * Fraction(fee)
