"""Error budgets and multi-window, multi-burn-rate alerts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings

from itilkit import (
    SRE_WORKBOOK_RULES,
    BurnRateRule,
    ErrorBudget,
    InvalidValueError,
    NaiveDatetimeError,
    Outage,
    ServiceWindow,
    measure_availability,
)

from .strategies import OUTAGE_BASE, OUTAGE_MINUTES, minute_outages

MARCH30 = {"start": "2026-03-01T00:00Z", "end": "2026-03-31T00:00Z"}  # 30 days


def budget(objective: str = "99.9%", **kwargs: object) -> ErrorBudget:
    return ErrorBudget(objective, **{**MARCH30, **kwargs})  # type: ignore[arg-type]


class TestBudget:
    def test_allowed(self) -> None:
        """99.9% of 30 days leaves 0.001 x 720 h = 43.2 min."""
        assert budget().allowed == timedelta(minutes=43.2)
        assert budget().allowed_us == Fraction(2_592_000_000)
        assert budget().period == timedelta(days=30)

    def test_allowed_in_business_hours(self) -> None:
        """With a window, the budget is a share of its open time: 1% of 189 h = 113.4 min."""
        seoul = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
        b = ErrorBudget(
            "99%", start="2026-03-01T00:00+09:00", end="2026-04-01T00:00+09:00", window=seoul
        )
        assert b.allowed == timedelta(minutes=113.4)
        assert b.start.isoformat() == "2026-03-01T00:00:00+09:00"

    def test_spent_and_remaining(self) -> None:
        """30 min spent of 43.2 leaves 13.2; 60 min spent overdraws by 16.8."""
        half = [Outage("2026-03-05T10:00Z", "2026-03-05T10:30Z")]
        b = budget()
        assert b.spent(half) == timedelta(minutes=30)
        assert b.remaining(half) == timedelta(minutes=13.2)
        assert b.consumed(half) == Fraction(30, Fraction(432, 10))
        hour = [Outage("2026-03-05T10:00Z", "2026-03-05T11:00Z")]
        assert b.remaining(hour) == -timedelta(minutes=16.8)
        assert b.consumed(hour) > 1

    def test_spent_counts_like_availability(self) -> None:
        """Planned outages spend nothing; partial ones spend their share; overlaps once."""
        down = [
            Outage("2026-03-05T10:00Z", "2026-03-05T11:00Z", planned=True),
            Outage("2026-03-06T10:00Z", "2026-03-06T11:00Z", impact="50%"),
            Outage("2026-03-06T10:00Z", "2026-03-06T10:30Z"),
        ]
        # 10:00-10:30 at 1 + 10:30-11:00 at 1/2 = 45 min
        assert budget().spent(down) == timedelta(minutes=45)

    @pytest.mark.parametrize("objective", ["99.9%", "0.999", 0.999, Decimal("0.999")])
    def test_objective_forms(self, objective: object) -> None:
        """Every way of writing 99.9% allows 0.1% of 30 days = 43 min 12 s (not 29 d 16 h)."""
        b = ErrorBudget(objective, start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")  # type: ignore[arg-type]
        assert b.objective == Fraction(999, 1000)
        assert b.allowed == timedelta(minutes=43, seconds=12)

    def test_outside_period_spends_nothing(self) -> None:
        """Only downtime inside the budget's period spends it."""
        assert budget().spent([Outage("2026-04-05T10:00Z", "2026-04-05T11:00Z")]) == timedelta(0)

    @pytest.mark.parametrize(
        ("objective", "match"),
        [
            ("100%", "below 100%"),
            (1, "below 100%"),
            (99.9, "did you mean '99.9%'"),
            ("99.9", "did you mean '99.9%'"),
            ("101%", "'objective'"),
        ],
    )
    def test_bad_objective(self, objective: object, match: str) -> None:
        """An objective of 100% leaves no budget; floats are refused."""
        with pytest.raises(InvalidValueError, match=match):
            budget(objective)  # type: ignore[arg-type]

    def test_bad_period(self) -> None:
        """The period must end after it starts, with aware instants."""
        with pytest.raises(InvalidValueError, match="'end' must be after start"):
            ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-01T00:00Z")
        with pytest.raises(NaiveDatetimeError, match="'start'"):
            ErrorBudget("99.9%", start="2026-03-01T00:00", end="2026-03-02T00:00Z")

    def test_str(self) -> None:
        """The text form names objective and allowed downtime."""
        text = str(budget())
        assert "objective         99.9%" in text
        assert "allowed downtime  43m 12s" in text  # 0.1% of 30 days = 43.2 min
        assert "43m" in text

    def test_zero_agreed_time(self) -> None:
        """A budget over a period without open time allows nothing and is never consumed."""
        weekdays = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        b = ErrorBudget("99%", start="2026-03-07T00:00Z", end="2026-03-09T00:00Z", window=weekdays)
        assert b.allowed == timedelta(0)
        assert b.consumed([]) == 0


class TestBurnRate:
    def test_burn_rate(self) -> None:
        """3 min down in the last hour: error ratio 1/20, / 0.001 = 50x."""
        down = [Outage("2026-03-10T12:00Z", "2026-03-10T12:03Z")]
        rate = budget().burn_rate(down, lookback=timedelta(hours=1), as_of="2026-03-10T12:30Z")
        assert rate == 50

    def test_burn_rate_one_spends_exactly(self) -> None:
        """Burning at 1 for the whole period spends exactly the budget."""
        # 0.1% of every hour: 3.6 s per hour, for 720 hours.
        down = [
            Outage(
                OUTAGE_BASE + timedelta(hours=h),
                OUTAGE_BASE + timedelta(hours=h, seconds=3.6),
            )
            for h in range(720)
        ]
        b = ErrorBudget("99.9%", start=OUTAGE_BASE, end=OUTAGE_BASE + timedelta(days=30))
        assert b.remaining(down) == timedelta(0)
        as_of = OUTAGE_BASE + timedelta(days=30)
        assert b.burn_rate(down, lookback="P30D", as_of=as_of) == 1

    def test_lookback_without_open_time(self) -> None:
        """A lookback with no agreed time burns nothing."""
        weekdays = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        b = ErrorBudget("99%", **MARCH30, window=weekdays)  # type: ignore[arg-type]
        assert b.burn_rate([], lookback="PT1H", as_of="2026-03-07T12:00Z") == 0

    @pytest.mark.parametrize("lookback", ["PT0S", "-PT1H", "soon"])
    def test_bad_lookback(self, lookback: str) -> None:
        """The lookback must be a positive duration."""
        with pytest.raises(InvalidValueError, match="'lookback' must be"):
            budget().burn_rate([], lookback=lookback, as_of="2026-03-10T12:00Z")


class TestAlerts:
    def test_table_thresholds_for_30_days(self) -> None:
        """The workbook's 14.4, 6 and 1 follow from 2%, 5%, 10% x 30 days / long window."""
        period = timedelta(days=30)
        assert [r.threshold(period) for r in SRE_WORKBOOK_RULES] == [
            Fraction(144, 10),
            Fraction(6),
            Fraction(1),
        ]
        assert [r.severity for r in SRE_WORKBOOK_RULES] == ["page", "page", "ticket"]

    def test_thresholds_follow_the_period(self) -> None:
        """For a 7-day period: 2% x 168 h / 1 h = 3.36."""
        assert SRE_WORKBOOK_RULES[0].threshold(timedelta(days=7)) == Fraction(336, 100)
        week = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-08T00:00Z")
        assert week.evaluate([], as_of="2026-03-05T00:00Z")[0].threshold == Fraction(336, 100)

    def test_fast_burn_pages(self) -> None:
        """A full outage over the last hour fires all three rules."""
        down = [Outage("2026-03-10T11:00Z", "2026-03-10T12:00Z")]
        fired = budget().alerts(down, as_of="2026-03-10T12:00Z")
        assert [a.rule for a in fired] == list(SRE_WORKBOOK_RULES)
        assert fired[0].long_burn == 1000
        assert "FIRING page" in str(fired[0])

    def test_short_window_resets(self) -> None:
        """Ten minutes after recovery the 5-minute window is clean, so the 1 h rule stops."""
        down = [Outage("2026-03-10T11:00Z", "2026-03-10T12:00Z")]
        evaluated = budget().evaluate(down, as_of="2026-03-10T12:10Z")
        first = evaluated[0]
        # long: 50 of 60 min down = 5/6 / 0.001 = 833.3 > 14.4; short: 0
        assert first.long_burn == Fraction(5, 6) * 1000
        assert first.short_burn == 0
        assert not first.firing
        assert "ok page" in str(first)
        assert first.rule not in [a.rule for a in budget().alerts(down, as_of="2026-03-10T12:10Z")]

    def test_threshold_is_strict(self) -> None:
        """Burning exactly at the threshold does not fire."""
        # 1 h rule: threshold 14.4 = error ratio 0.0144 over both 1 h and 5 min.
        # A steady 1.44% outage at impact 1.44% over the last hour hits it exactly.
        down = [Outage("2026-03-10T10:00Z", "2026-03-10T12:00Z", impact="1.44%")]
        first = budget().evaluate(down, as_of="2026-03-10T12:00Z")[0]
        assert first.long_burn == first.short_burn == first.threshold
        assert not first.firing

    def test_slow_burn_tickets_only(self) -> None:
        """A steady 0.2% error ratio (2x) for three days opens a ticket, pages nobody."""
        down = [Outage("2026-03-07T00:00Z", "2026-03-10T00:00Z", impact="0.2%")]
        fired = budget().alerts(down, as_of="2026-03-10T00:00Z")
        assert [a.severity for a in fired] == ["ticket"]
        assert fired[0].long_burn == 2

    def test_custom_rules(self) -> None:
        """The rule table is data: pass your own."""
        rule = BurnRateRule(Fraction(1, 100), timedelta(hours=2), timedelta(minutes=10), "page")
        down = [Outage("2026-03-10T11:00Z", "2026-03-10T12:00Z")]
        fired = budget().alerts(down, as_of="2026-03-10T12:00Z", rules=[rule])
        assert [a.rule for a in fired] == [rule]
        assert fired[0].threshold == Fraction(36, 10)


class TestProperties:
    @settings(max_examples=30, deadline=None)
    @given(minute_outages(planned=False))
    def test_budget_is_availability_seen_the_other_way(self, outage: Outage) -> None:
        """remaining = allowed - spent, and spent is the availability report's downtime."""
        end = OUTAGE_BASE + timedelta(minutes=OUTAGE_MINUTES)
        b = ErrorBudget("99.5%", start=OUTAGE_BASE, end=end)
        report = measure_availability(
            [outage], window=ServiceWindow.always(), start=OUTAGE_BASE, end=end
        )
        assert b.spent([outage]) == report.downtime
        assert b.allowed_us == Fraction(5, 1000) * report.agreed_us
        assert b.consumed([outage]) == report.downtime_us / b.allowed_us


class TestRuleValidation:
    @pytest.mark.parametrize(
        ("args", "match"),
        [
            (
                (0, timedelta(hours=1), timedelta(minutes=5), "page"),
                "'budget_fraction' must be above 0",
            ),
            ((2, timedelta(hours=1), timedelta(minutes=5), "page"), "did you mean '2%'"),
            (("2%", timedelta(0), timedelta(0), "page"), "'window' must be a positive duration"),
            (("2%", "PT1H", "PT2H", "page"), "'short_window' must be at most the long window"),
            (("2%", "PT1H", "PT5M", "email"), "'severity' must be one of 'page', 'ticket'"),
        ],
    )
    def test_bad_rules(self, args: tuple[object, ...], match: str) -> None:
        """A rule is checked when it is made, not when it is first divided by."""
        with pytest.raises(InvalidValueError, match=match):
            BurnRateRule(*args)  # type: ignore[arg-type]

    def test_written_forms(self) -> None:
        """Shares and lookbacks read the usual ways: 2% of the budget over 1 h, checked on 5 min."""
        rule = BurnRateRule("2%", "PT1H", "PT5M", "page")
        assert rule == SRE_WORKBOOK_RULES[0]
        assert rule.threshold(timedelta(days=30)) == Fraction(72, 5)  # 0.02 x 720 h / 1 h

    @pytest.mark.parametrize("period", [timedelta(0), timedelta(hours=-1), "PT0S"])
    def test_threshold_of_an_empty_period(self, period: object) -> None:
        """A threshold needs a positive period (it was a ZeroDivisionError)."""
        with pytest.raises(InvalidValueError, match="'period' must be a positive duration"):
            SRE_WORKBOOK_RULES[0].threshold(period)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "outages", ["x", 5, [5], [Outage("2026-03-10T11:00Z", "2026-03-10T12:00Z"), "x"]]
)
def test_outages_are_checked(outages: object) -> None:
    """The budget's outage arguments are checked like measure_availability's."""
    with pytest.raises(InvalidValueError, match=r"'outages(\[\d\])?' must be"):
        budget().spent(outages)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"'outages(\[\d\])?' must be"):
        budget().alerts(outages, as_of="2026-03-10T12:00Z")  # type: ignore[arg-type]
