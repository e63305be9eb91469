"""Availability: agreed service time, downtime, the exact ratio, ITIL's means, credits."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import itilkit
from itilkit import (
    AvailabilityReport,
    ChronologyError,
    CreditSchedule,
    InvalidValueError,
    NaiveDatetimeError,
    NoOpenTimeError,
    Outage,
    ServiceWindow,
    in_parallel,
    in_series,
    measure_availability,
)

from .strategies import OUTAGE_BASE, OUTAGE_MINUTES, minute_outages

SEOUL = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
MARCH = {"start": "2026-03-01T00:00+09:00", "end": "2026-04-01T00:00+09:00"}
UTC_HOURS = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
HOUR = timedelta(hours=1)


def kst(text: str) -> str:
    """An instant in Seoul, from '2026-03-10 10:00'."""
    return text.replace(" ", "T") + "+09:00"


def assert_figures(report: AvailabilityReport, *, agreed: timedelta, downtime: timedelta) -> None:
    """The report's two measured quantities, and the ratio that follows from them."""
    assert report.agreed == agreed
    assert report.downtime == downtime
    assert report.uptime == agreed - downtime
    assert report.ratio == 1 - Fraction(downtime / timedelta(microseconds=1)) / Fraction(
        agreed / timedelta(microseconds=1)
    )


class TestOutage:
    def test_fields(self) -> None:
        """An outage keeps its instants, impact, planned flag and id."""
        o = Outage("2026-03-03T10:00+09:00", "2026-03-03T11:00+09:00", planned=True, id="CHG7")
        assert o.start == datetime(2026, 3, 3, 1, tzinfo=UTC)
        assert o.duration == HOUR
        assert (o.impact, o.planned, o.id) == (Fraction(1), True, "CHG7")

    def test_aware_datetimes_and_zero_length(self) -> None:
        """Aware datetimes are accepted; an outage may be empty (start == end)."""
        t = datetime(2026, 3, 3, tzinfo=UTC)
        assert Outage(t, t).duration == timedelta(0)

    @pytest.mark.parametrize(
        ("impact", "expected"),
        [
            (Fraction(1), Fraction(1)),
            (1, Fraction(1)),
            (Fraction(1, 4), Fraction(1, 4)),
            ("25%", Fraction(1, 4)),
            (Decimal("0.125"), Fraction(1, 8)),
            ("0.125", Fraction(1, 8)),
            (0.5, Fraction(1, 2)),
            (0.1, Fraction(1, 10)),  # a float by its shortest repr, not 0.1000000000000000055...
            ("1", Fraction(1)),  # a CSV cell: '1' is the whole service, never 1%
            ("100%", Fraction(1)),
            ("12.5 %", Fraction(1, 8)),
        ],
    )
    def test_impact_forms(self, impact: object, expected: Fraction) -> None:
        """One convention: a number is a ratio in [0, 1]; a percentage carries its '%'."""
        o = Outage("2026-03-03T10:00Z", "2026-03-03T11:00Z", impact=impact)  # type: ignore[arg-type]
        assert o.impact == expected

    @pytest.mark.parametrize(
        "impact", [0, Fraction(0), "0%", 2, 50, "50", Fraction(3, 2), 1.5, True, None, "-0.5"]
    )
    def test_impact_outside_range(self, impact: object) -> None:
        """An impact must lie in (0, 1]; numbers above 1 and other types are refused."""
        with pytest.raises(InvalidValueError, match=r"'impact' must be"):
            Outage("2026-03-03T10:00Z", "2026-03-03T11:00Z", impact=impact)  # type: ignore[arg-type]

    def test_end_before_start(self) -> None:
        """An outage ending before it starts is a ChronologyError naming 'end'."""
        with pytest.raises(ChronologyError, match=r"'end' must be at or after"):
            Outage("2026-03-03T11:00Z", "2026-03-03T10:00Z")

    def test_naive_instant(self) -> None:
        """A naive start is refused, naming the argument."""
        with pytest.raises(NaiveDatetimeError, match=r"'start' must be an aware"):
            Outage(datetime(2026, 3, 3, 10), "2026-03-03T11:00Z")
        with pytest.raises(NaiveDatetimeError, match=r"'end' must be"):
            Outage("2026-03-03T10:00Z", "2026-03-03T11:00")

    @pytest.mark.parametrize(("kwargs", "field"), [({"planned": 1}, "planned"), ({"id": 7}, "id")])
    def test_bad_flags(self, kwargs: dict[str, object], field: str) -> None:
        """``planned`` must be a bool and ``id`` a string."""
        with pytest.raises(InvalidValueError, match=rf"'{field}' must be"):
            Outage("2026-03-03T10:00Z", "2026-03-03T11:00Z", **kwargs)  # type: ignore[arg-type]

    def test_frozen(self) -> None:
        """Outages are immutable values."""
        o = Outage("2026-03-03T10:00Z", "2026-03-03T11:00Z")
        with pytest.raises(AttributeError):
            o.impact = Fraction(1, 2)  # type: ignore[misc]


class TestSeedScenario:
    """The founding story: "during weekday business hours we achieve 99% against an SLA of 97%"."""

    def test_agreed_time_of_march_2026(self) -> None:
        """March 2026 has 22 weekdays; 2 March is the substitute holiday for 1 March
        (Independence Movement Day, a Sunday), so 21 days x 9 h = 189 h are agreed."""
        report = measure_availability([], window=SEOUL, **MARCH)
        assert report.agreed == timedelta(hours=189)
        assert report.ratio == 1
        assert report.failures == 0
        assert report.mtbf is None
        assert report.mtrs is None
        assert report.mtbsi is None

    def test_ninety_nine_percent_meets_ninety_seven(self) -> None:
        """1% of 189 h is 1.89 h = 113.4 min: exactly 99%, 2 points above 97%."""
        down = [Outage(kst("2026-03-10 10:00"), kst("2026-03-10 11:53:24"))]
        report = measure_availability(down, window=SEOUL, **MARCH)
        assert report.downtime == timedelta(minutes=113.4)
        assert report.ratio == Fraction(99, 100)
        assert report.percent == 99
        assert report.meets("97%")
        assert report.meets(Decimal("0.99"))
        assert report.meets("0.99")
        assert report.meets(0.99)  # a float by its shortest repr: exactly 99/100
        assert not report.meets(0.9900000000000001)
        assert report.meets(Fraction(99, 100))
        assert not report.meets("99.0001%")
        assert report.margin("97%") == 2
        assert report.margin("99.5%") == Fraction(-1, 2)

    def test_outage_outside_business_hours_is_not_downtime(self) -> None:
        """A night outage, a weekend outage and one on the holiday cost nothing."""
        down = [
            Outage(kst("2026-03-10 19:00"), kst("2026-03-11 08:00")),
            Outage(kst("2026-03-07 09:00"), kst("2026-03-07 18:00")),
            Outage(kst("2026-03-02 09:00"), kst("2026-03-02 18:00")),
        ]
        report = measure_availability(down, window=SEOUL, **MARCH)
        assert report.downtime == timedelta(0)
        assert report.failures == 0
        assert report.breakdown.outside_hours == (13 + 9 + 9) * 3_600_000_000


class TestItilExample:
    """ITIL's worked example: 189 h agreed, breaks of 2 h, 1.5 h and 1 h."""

    def report(self) -> AvailabilityReport:
        down = [
            Outage(kst("2026-03-03 09:00"), kst("2026-03-03 11:00")),
            Outage(kst("2026-03-12 14:00"), kst("2026-03-12 15:30")),
            Outage(kst("2026-03-25 17:00"), kst("2026-03-25 18:00")),
        ]
        return measure_availability(down, window=SEOUL, **MARCH)

    def test_means(self) -> None:
        """MTBSI 189/3 = 63 h; MTBF (189 - 4.5)/3 = 61.5 h; MTRS 4.5/3 = 1.5 h."""
        report = self.report()
        assert report.failures == 3
        assert report.mtbsi == timedelta(hours=63)
        assert report.mtbf == timedelta(hours=61.5)
        assert report.mtrs == timedelta(hours=1.5)

    def test_availability(self) -> None:
        """(189 - 4.5) / 189 = 184.5 / 189 = 41/42."""
        report = self.report()
        assert report.ratio == Fraction(41, 42)
        assert report.percent == Fraction(4100, 42)


class TestPolicy:
    """Planned maintenance, partial impact and overlaps, each against a hand count."""

    def window_day(self, *outages: Outage) -> AvailabilityReport:
        # Monday 2 March 2026, 09:00-18:00 UTC: 9 h agreed.
        return measure_availability(
            outages, window=UTC_HOURS, start="2026-03-02T00:00Z", end="2026-03-03T00:00Z"
        )

    def test_planned_excluded_from_both_sides(self) -> None:
        """A 1 h planned outage leaves 8 h agreed and no downtime."""
        report = self.window_day(Outage("2026-03-02T12:00Z", "2026-03-02T13:00Z", planned=True))
        assert_figures(report, agreed=8 * HOUR, downtime=timedelta(0))
        assert report.breakdown.planned == 3_600_000_000

    def test_unplanned_inside_planned_not_counted(self) -> None:
        """Of an unplanned 11:00-13:00 outage, the hour inside 12-14 maintenance is excluded."""
        report = self.window_day(
            Outage("2026-03-02T12:00Z", "2026-03-02T14:00Z", planned=True),
            Outage("2026-03-02T11:00Z", "2026-03-02T13:00Z"),
        )
        # agreed 9 h - 2 h = 7 h; downtime 11:00-12:00 = 1 h.
        assert_figures(report, agreed=7 * HOUR, downtime=HOUR)
        assert report.breakdown.in_maintenance == 3_600_000_000

    def test_outage_wholly_inside_maintenance_is_no_failure(self) -> None:
        """An outage that only touches maintenance time is not a failure."""
        report = self.window_day(
            Outage("2026-03-02T12:00Z", "2026-03-02T14:00Z", planned=True),
            Outage("2026-03-02T12:30Z", "2026-03-02T13:00Z"),
        )
        assert report.failures == 0

    def test_partial_impact(self) -> None:
        """A 2 h outage at 25% impact counts 30 min."""
        report = self.window_day(Outage("2026-03-02T10:00Z", "2026-03-02T12:00Z", impact="25%"))
        assert_figures(report, agreed=9 * HOUR, downtime=timedelta(minutes=30))
        assert report.breakdown.partial == Fraction(90 * 60_000_000)

    def test_overlap_counts_once_at_the_larger_impact(self) -> None:
        """10-12 full and 11-13 half: 10-12 at 1 (2 h) + 12-13 at 1/2 (30 min) = 2 h 30 min."""
        report = self.window_day(
            Outage("2026-03-02T10:00Z", "2026-03-02T12:00Z"),
            Outage("2026-03-02T11:00Z", "2026-03-02T13:00Z", impact=Fraction(1, 2)),
        )
        assert_figures(report, agreed=9 * HOUR, downtime=timedelta(hours=2.5))
        # weighted sum 2 h + 1 h = 3 h; 30 min counted twice otherwise.
        assert report.breakdown.overlap == Fraction(30 * 60_000_000)
        assert report.failures == 2

    def test_smaller_impact_inside_larger(self) -> None:
        """A half-impact outage wholly inside a full one adds nothing."""
        report = self.window_day(
            Outage("2026-03-02T10:00Z", "2026-03-02T14:00Z"),
            Outage("2026-03-02T11:00Z", "2026-03-02T12:00Z", impact="50%"),
        )
        assert report.downtime == 4 * HOUR

    def test_identical_outages_count_once(self) -> None:
        """The same outage recorded twice is downtime once."""
        o = Outage("2026-03-02T10:00Z", "2026-03-02T11:00Z")
        assert self.window_day(o, o).downtime == HOUR

    def test_clipped_to_period(self) -> None:
        """Only the part of an outage inside [start, end) counts."""
        report = measure_availability(
            [Outage("2026-03-02T08:00Z", "2026-03-02T12:00Z")],
            window=UTC_HOURS,
            start="2026-03-02T10:00Z",
            end="2026-03-02T11:00Z",
        )
        assert_figures(report, agreed=HOUR, downtime=HOUR)
        assert report.ratio == 0

    def test_fractional_microseconds_stay_exact(self) -> None:
        """One microsecond at 1/3 impact: the ratio keeps the third, the timedelta rounds."""
        report = self.window_day(
            Outage("2026-03-02T10:00:00Z", "2026-03-02T10:00:00.000001Z", impact=Fraction(1, 3))
        )
        assert report.downtime_us == Fraction(1, 3)
        assert report.downtime == timedelta(0)
        assert report.ratio == 1 - Fraction(1, 3) / (9 * 3_600_000_000)

    def test_breakdown_adds_up(self) -> None:
        """recorded = outside + in maintenance + partial + overlap + counted."""
        report = self.window_day(
            Outage("2026-03-02T08:00Z", "2026-03-02T10:00Z"),
            Outage("2026-03-02T09:30Z", "2026-03-02T12:30Z", impact="50%"),
            Outage("2026-03-02T12:00Z", "2026-03-02T13:00Z", planned=True),
        )
        b = report.breakdown
        assert b.recorded == 5 * 3_600_000_000
        assert b.recorded == b.outside_hours + b.in_maintenance + b.partial + b.overlap + b.counted
        # 09:00-10:00 at 1 + 10:00-12:00 at 1/2 = 2 h
        assert report.downtime == 2 * HOUR


class TestUndefined:
    def test_no_agreed_time(self) -> None:
        """A weekend has no agreed time: ratio and percent are None, and meets() says why."""
        report = measure_availability(
            [], window=UTC_HOURS, start="2026-03-07T00:00Z", end="2026-03-09T00:00Z"
        )
        assert report.agreed == timedelta(0)
        assert report.ratio is None
        assert report.percent is None
        with pytest.raises(NoOpenTimeError, match="no agreed service time"):
            report.meets("97%")
        with pytest.raises(NoOpenTimeError, match="availability is undefined"):
            report.margin("97%")
        assert "n/a (no agreed service time)" in str(report)
        assert report.to_dict()["ratio"] is None

    def test_all_planned(self) -> None:
        """A period wholly under planned maintenance has no agreed time either."""
        report = measure_availability(
            [Outage("2026-03-02T00:00Z", "2026-03-03T00:00Z", planned=True)],
            window=UTC_HOURS,
            start="2026-03-02T00:00Z",
            end="2026-03-03T00:00Z",
        )
        assert report.ratio is None

    def test_empty_period(self) -> None:
        """start == end is an empty period, not an error."""
        report = measure_availability(
            [], window=UTC_HOURS, start="2026-03-02T10:00Z", end="2026-03-02T10:00Z"
        )
        assert report.ratio is None


class TestBadInput:
    def test_end_before_start(self) -> None:
        """A period ending before it starts is refused."""
        with pytest.raises(ChronologyError, match="'end' must be at or after"):
            measure_availability(
                [], window=UTC_HOURS, start="2026-03-02T10:00Z", end="2026-03-01T10:00Z"
            )

    def test_naive_period(self) -> None:
        """Naive period bounds are refused, naming the argument."""
        with pytest.raises(NaiveDatetimeError, match="'start'"):
            measure_availability(
                [], window=UTC_HOURS, start=datetime(2026, 3, 1), end="2026-03-02T10:00Z"
            )

    def test_not_an_outage(self) -> None:
        """Each item must be an Outage; the error names its position."""
        with pytest.raises(InvalidValueError, match=r"'outages\[1\]' must be an Outage"):
            measure_availability(
                [Outage("2026-03-02T10:00Z", "2026-03-02T11:00Z"), ("a", "b")],  # type: ignore[list-item]
                window=UTC_HOURS,
                **MARCH,
            )

    @pytest.mark.parametrize(
        "target", [97, "97", "99.9", Decimal("97"), 97.0, "ninety", "101%", None, True]
    )
    def test_bad_target(self, target: object) -> None:
        """Numbers above 1 (percentages without '%') and nonsense are refused, not misread."""
        report = measure_availability([], window=SEOUL, **MARCH)
        with pytest.raises(InvalidValueError, match="'target' must be"):
            report.meets(target)  # type: ignore[arg-type]


class TestPeriods:
    def test_by_month_pools_time(self) -> None:
        """Q1 2026 in Seoul by month; the months' times add up to the quarter's."""
        down = [
            Outage(kst("2026-01-30 17:00"), kst("2026-02-02 10:00")),  # Fri 17-18, Mon 09-10
            Outage(kst("2026-03-10 10:00"), kst("2026-03-10 11:00"), impact="50%"),
        ]
        report = measure_availability(
            down, window=SEOUL, start=kst("2026-01-01 00:00"), end=kst("2026-04-01 00:00")
        )
        months = report.by_month()
        assert [m.label for m in months] == ["2026-01", "2026-02", "2026-03"]
        assert [m.downtime for m in months] == [HOUR, HOUR, HOUR / 2]
        assert [m.failures for m in months] == [1, 1, 1]
        assert sum(m.agreed_us for m in months) == report.agreed_us
        assert sum(m.downtime_us for m in months) == report.downtime_us
        assert months[2].agreed == timedelta(hours=189)
        # Pooled, not averaged: the quarter's ratio is not the mean of the months'.
        assert report.ratio == 1 - Fraction(5, 2) / Fraction(report.agreed_us, 3_600_000_000)

    def test_by_quarter(self) -> None:
        """A year splits into four labelled quarters (clipped at the ends)."""
        report = measure_availability(
            [], window=SEOUL, start=kst("2026-02-15 00:00"), end=kst("2026-08-01 00:00")
        )
        quarters = report.by_quarter()
        assert [q.label for q in quarters] == ["2026-Q1", "2026-Q2", "2026-Q3"]
        assert quarters[0].start == datetime(2026, 2, 15, tzinfo=SEOUL.tz)
        assert quarters[1].start == datetime(2026, 4, 1, tzinfo=SEOUL.tz)
        assert sum(q.agreed_us for q in quarters) == report.agreed_us

    def test_months_in_the_window_zone(self) -> None:
        """Month boundaries are local midnights of the window's zone, not UTC."""
        report = measure_availability(
            [], window=SEOUL, start="2026-02-20T00:00Z", end="2026-03-10T00:00Z"
        )
        assert report.by_month()[1].start.isoformat() == "2026-03-01T00:00:00+09:00"


class TestRendering:
    def report(self) -> AvailabilityReport:
        down = [Outage(kst("2026-03-10 10:00"), kst("2026-03-10 11:53:24"), id="INC1")]
        return measure_availability(down, window=SEOUL, **MARCH)

    def test_str(self) -> None:
        """The text report shows period, zone, figures and the breakdown."""
        text = str(self.report())
        assert "2026-03-01 00:00 to 2026-04-01 00:00 (Asia/Seoul)" in text
        assert "availability         99%\n" in text  # exact: nothing to add
        assert "agreed service time  189h 00m" in text
        assert "7d" not in text  # business time never reads as calendar days
        assert "counted as downtime" in text

    def test_html(self) -> None:
        """Jupyter gets escaped HTML tables."""
        html = self.report()._repr_html_()
        assert html.startswith('<div class="itilkit">')
        assert "<td>99%</td>" in html

    def test_to_dict_is_json(self) -> None:
        """to_dict is JSON-ready, with exact ratio text and ISO durations."""
        d = self.report().to_dict()
        assert json.loads(json.dumps(d)) == d
        assert d["ratio"] == "0.99"
        assert d["agreed"] == "P7DT21H"
        assert d["downtime"] == "PT1H53M24S"
        assert d["mtrs"] == "PT1H53M24S"
        assert d["breakdown"]["counted"] == "PT1H53M24S"

    def test_exported(self) -> None:
        """The public names are in the flat namespace, shown as itilkit.X."""
        for name in ("Outage", "AvailabilityReport", "CreditSchedule", "in_series"):
            assert name in itilkit.__all__
        assert repr(Outage).startswith("<class 'itilkit.Outage'")


class TestCredits:
    # Tiers of the AWS Compute Optimizer SLA (4 May 2022).
    SCHEDULE = CreditSchedule.of({"99.9%": "10%", "99.0%": "25%", "95.0%": "100%"})

    @pytest.mark.parametrize(
        ("uptime", "credit"),
        [
            ("100%", Fraction(0)),
            ("99.9%", Fraction(0)),
            (Fraction(99899999, 100000000), Fraction(1, 10)),
            ("99%", Fraction(1, 10)),
            ("98.99%", Fraction(1, 4)),
            ("95%", Fraction(1, 4)),
            ("94.9999%", Fraction(1)),
            ("0%", Fraction(1)),
        ],
    )
    def test_tiers(self, uptime: str | Fraction, credit: Fraction) -> None:
        """ "Below X%" is strict and compared unrounded: 99.9% exactly earns nothing."""
        assert self.SCHEDULE.credit(uptime) == credit

    def test_report(self) -> None:
        """A report's unrounded ratio decides: 41/42 (97.62%) is below 99% and above 95%."""
        report = TestItilExample().report()
        assert self.SCHEDULE.credit(report) == Fraction(1, 4)

    def test_report_without_agreed_time_owes_nothing(self) -> None:
        """No agreed time, nothing to credit."""
        report = measure_availability(
            [], window=UTC_HOURS, start="2026-03-07T00:00Z", end="2026-03-08T00:00Z"
        )
        assert self.SCHEDULE.credit(report) == 0

    def test_order_of_tiers_does_not_matter(self) -> None:
        """Tiers are kept sorted, so equal schedules compare equal."""
        other = CreditSchedule.of([("95%", "100%"), ("99.9%", "10%"), ("99%", "25%")])
        assert other == self.SCHEDULE

    @pytest.mark.parametrize(
        ("tiers", "match"),
        [
            ({}, "at least one"),
            ([("99%", "10%"), ("99%", "20%")], "distinct thresholds"),
            ([("99%", "30%"), ("95%", "10%")], "do not shrink"),
            ([("99%", 10)], r"'tiers\[0\].credit'"),
            ([("120%", "10%")], r"'tiers\[0\].below'"),
        ],
    )
    def test_bad_schedules(self, tiers: object, match: str) -> None:
        """Inconsistent schedules are refused."""
        with pytest.raises(InvalidValueError, match=match):
            CreditSchedule.of(tiers)  # type: ignore[arg-type]


class TestComposition:
    def test_series(self) -> None:
        """All must work: 0.999 x 0.999 = 0.998001."""
        assert in_series("99.9%", Fraction(999, 1000)) == Fraction(998001, 1000000)

    def test_parallel(self) -> None:
        """Any one suffices: 1 - 0.01 x 0.01 = 0.9999."""
        assert in_parallel("99%", Decimal("0.99")) == Fraction(9999, 10000)

    def test_single(self) -> None:
        """One service composes to itself."""
        assert in_series("97%") == in_parallel("97%") == Fraction(97, 100)

    @pytest.mark.parametrize("fn", [in_series, in_parallel])
    def test_empty(self, fn: object) -> None:
        """Composing nothing is refused, not silently 1 or 0."""
        with pytest.raises(InvalidValueError, match="'ratios' must be at least one"):
            fn()  # type: ignore[operator]

    @given(st.lists(st.fractions(0, 1), min_size=1, max_size=5))
    def test_laws(self, ratios: list[Fraction]) -> None:
        """Series never beats its weakest part; parallel never falls below its strongest."""
        assert in_series(*ratios) <= min(ratios)
        assert in_parallel(*ratios) >= max(ratios)
        assert in_parallel(*ratios) == 1 - in_series(*(1 - r for r in ratios))


# --- properties --------------------------------------------------------------------------

PERIOD = {"start": OUTAGE_BASE, "end": OUTAGE_BASE + timedelta(minutes=OUTAGE_MINUTES)}
outage_lists = st.lists(minute_outages(), max_size=8)


def brute_force(outages: list[Outage]) -> tuple[int, Fraction]:
    """Agreed minutes and impact-weighted downtime minutes, minute by minute.

    Mon-Fri 09:00-18:00 UTC, computed from the calendar, not from the window.
    """
    agreed = 0
    down = Fraction(0)
    spans = [
        (
            int((o.start - OUTAGE_BASE).total_seconds()) // 60,
            int((o.end - OUTAGE_BASE).total_seconds()) // 60,
            o,
        )
        for o in outages
    ]
    for m in range(OUTAGE_MINUTES):
        t = OUTAGE_BASE + timedelta(minutes=m)
        if t.weekday() >= 5 or not 9 <= t.hour < 18:
            continue
        if any(s <= m < e and o.planned for s, e, o in spans):
            continue
        agreed += 1
        impacts = [o.impact for s, e, o in spans if s <= m < e and not o.planned]
        down += max(impacts, default=Fraction(0))
    return agreed, down


class TestProperties:
    @settings(max_examples=40, deadline=None)
    @given(outage_lists)
    def test_matches_brute_force(self, outages: list[Outage]) -> None:
        """Agreed time and weighted downtime equal a per-minute count."""
        report = measure_availability(outages, window=UTC_HOURS, **PERIOD)
        agreed, down = brute_force(outages)
        assert report.agreed_us == agreed * 60_000_000
        assert report.downtime_us == down * 60_000_000

    @given(outage_lists)
    def test_downtime_within_agreed(self, outages: list[Outage]) -> None:
        """Downtime never exceeds agreed time; the ratio lies in [0, 1]."""
        report = measure_availability(outages, window=UTC_HOURS, **PERIOD)
        assert 0 <= report.downtime_us <= report.agreed_us
        if report.ratio is not None:
            assert 0 <= report.ratio <= 1

    @given(outage_lists, minute_outages(planned=False))
    def test_adding_an_outage_never_raises_availability(
        self, outages: list[Outage], extra: Outage
    ) -> None:
        """One more unplanned outage can only lower (or keep) availability."""
        before = measure_availability(outages, window=UTC_HOURS, **PERIOD)
        after = measure_availability([*outages, extra], window=UTC_HOURS, **PERIOD)
        assert after.agreed_us == before.agreed_us
        assert after.downtime_us >= before.downtime_us

    @given(outage_lists, st.randoms(use_true_random=False))
    def test_order_does_not_matter(self, outages: list[Outage], rnd: random.Random) -> None:
        """Shuffling the outages changes nothing."""
        shuffled = list(outages)
        rnd.shuffle(shuffled)
        a = measure_availability(outages, window=UTC_HOURS, **PERIOD)
        b = measure_availability(shuffled, window=UTC_HOURS, **PERIOD)
        assert (a.agreed_us, a.downtime_us, a.failures, a.breakdown) == (
            b.agreed_us,
            b.downtime_us,
            b.failures,
            b.breakdown,
        )

    @given(outage_lists)
    def test_months_pool_to_the_whole(self, outages: list[Outage]) -> None:
        """Per-month agreed time and downtime sum to the whole period's (March spans two)."""
        report = measure_availability(
            outages, window=UTC_HOURS, start="2026-02-25T00:00Z", end="2026-03-20T00:00Z"
        )
        months = report.by_month()
        assert len(months) == 2
        assert sum(m.agreed_us for m in months) == report.agreed_us
        assert sum(m.downtime_us for m in months) == report.downtime_us

    @given(outage_lists)
    def test_breakdown_identity(self, outages: list[Outage]) -> None:
        """The breakdown always adds up, with no negative part."""
        b = measure_availability(outages, window=UTC_HOURS, **PERIOD).breakdown
        parts = (b.outside_hours, b.in_maintenance, b.partial, b.overlap, b.counted)
        assert all(p >= 0 for p in parts)
        assert sum(parts) == b.recorded


class TestCreditTiers:
    def test_tier_reads_ratios(self) -> None:
        """A tier reads its ratios the one way, like every ratio field."""
        assert itilkit.CreditTier("99.9%", "0.1") == itilkit.CreditTier(
            Fraction(999, 1000), Fraction(1, 10)
        )
        with pytest.raises(InvalidValueError, match="did you mean '97%'"):
            itilkit.CreditTier("97", "10%")

    @pytest.mark.parametrize(
        ("tiers", "match"),
        [
            ([[[["99%"]]]], r"'tiers\[0\]' must be a \(below, credit\) pair"),
            ([("99%", "10%", "x")], r"'tiers\[0\]' must be a \(below, credit\) pair"),
            ("99%", "'tiers' must be a mapping or pairs"),
            (5, "'tiers' must be a mapping or pairs"),
        ],
    )
    def test_malformed_schedules(self, tiers: object, match: str) -> None:
        """Malformed tiers are named (they were unpacking errors)."""
        with pytest.raises(InvalidValueError, match=match):
            CreditSchedule.of(tiers)  # type: ignore[arg-type]
