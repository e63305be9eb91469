"""Capacity: overload periods in load samples, and the weekly patterns they form."""

from __future__ import annotations

import random
import time as clock
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import (
    ChronologyError,
    InvalidValueError,
    NaiveDatetimeError,
    RecurringOverload,
    ServiceWindow,
    Span,
    find_overloads,
    recurring_overloads,
)
from itilkit._time import to_us

T0 = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def series(values: list[object], step: int = 1) -> list[tuple[datetime, object]]:
    return [(at(i * step), v) for i, v in enumerate(values)]


def spans_in_minutes(spans: tuple[Span, ...]) -> list[tuple[int, int]]:
    base = to_us(T0)
    return [
        ((to_us(s.start) - base) // 60_000_000, (to_us(s.end) - base) // 60_000_000) for s in spans
    ]


class TestFindOverloads:
    def test_runs_above_threshold(self) -> None:
        """Consecutive samples above the threshold make one period; each holds to the next."""
        samples = series([50, 95, 99, 80, 91, 92, 10])
        assert spans_in_minutes(find_overloads(samples, threshold="90%", unit="%")) == [
            (1, 3),
            (4, 6),
        ]

    def test_strictly_above(self) -> None:
        """A value equal to the threshold is not an overload."""
        samples = series([90, 90, 91, 0])
        assert spans_in_minutes(find_overloads(samples, threshold="90%", unit="%")) == [(2, 3)]

    def test_last_sample_holds_no_time(self) -> None:
        """Without end=, the last sample closes the series; an overload there is empty."""
        assert find_overloads(series([10, 99]), threshold="90%", unit="%") == ()
        assert spans_in_minutes(
            find_overloads(series([99, 99, 99]), threshold="90%", unit="%")
        ) == [(0, 2)]

    def test_end_extends_the_last_sample(self) -> None:
        """With end=, the last sample holds until it."""
        spans = find_overloads(series([10, 99]), threshold="90%", unit="%", end=at(5))
        assert spans_in_minutes(spans) == [(1, 5)]

    def test_end_before_last_sample(self) -> None:
        """end= before the last sample is refused."""
        with pytest.raises(InvalidValueError, match="'end' must be at or after the last sample"):
            find_overloads(series([10, 99, 99]), threshold="90%", unit="%", end=at(1))

    def test_min_duration(self) -> None:
        """Periods shorter than min_duration are left out (equal is kept)."""
        samples = series([99, 0, 99, 99, 0, 99, 99, 99, 0])
        spans = find_overloads(
            samples, threshold="90%", unit="%", min_duration=timedelta(minutes=2)
        )
        assert spans_in_minutes(spans) == [(2, 4), (5, 8)]
        assert spans_in_minutes(
            find_overloads(samples, threshold="90%", unit="%", min_duration="PT3M")
        ) == [(5, 8)]

    def test_spans_in_sample_zone(self) -> None:
        """Spans come in the first sample's zone, or in tz= when given."""
        samples = [("2026-03-02T18:00+09:00", 99), ("2026-03-02T19:00+09:00", 0)]
        span = find_overloads(samples, threshold="90%", unit="%")[0]
        assert span.start.isoformat() == "2026-03-02T18:00:00+09:00"
        assert span.duration == timedelta(hours=1)
        utc = find_overloads(samples, threshold="90%", unit="%", tz="UTC")[0]
        assert utc.start.isoformat() == "2026-03-02T09:00:00+00:00"

    def test_empty(self) -> None:
        """No samples, no overloads."""
        assert find_overloads([], threshold="1%", unit="%") == ()


class TestExactComparison:
    @pytest.mark.parametrize(
        ("threshold", "value", "unit", "above"),
        [
            # Floats are read through their shortest repr: 0.9 is exactly 9/10, so a
            # sample of 0.9 is not above a 0.9 threshold however either is written.
            ("90%", 0.9, "ratio", False),
            (Fraction(9, 10), 0.9, "ratio", False),
            (0.9, Fraction(9, 10), "ratio", False),
            (0.9, Fraction(901, 1000), "ratio", True),
            ("0.9", 0.8999999999999999, "ratio", False),
            ("0.9", 0.9000000000000001, "ratio", True),
            (Decimal("0.1"), 0.1, "ratio", False),
            ("0.3", 0.30000000000000004, "ratio", True),  # 0.1 + 0.2
            (Fraction(1, 3), 0.3333333333333333, "ratio", False),  # 0.333...3 < 1/3
            (Fraction(1, 3), 0.33333333333333337, "ratio", True),
            ("0.5", 0.5, "ratio", False),
            (0, 5e-324, "ratio", True),  # the smallest positive float
            (1, 1.0, "ratio", False),  # nothing is above a 100% threshold
            ("90%", 90.0, "%", False),
            ("90%", 90.00000000000001, "%", True),
            ("90.5%", 91, "%", True),
            ("90.5%", 90, "%", False),
            ("90.5%", Decimal("90.5"), "%", False),
            ("90.5%", Decimal("90.50000000001"), "%", True),
            ("90.5%", Fraction(182, 2), "%", True),
            ("100%", 100.00000000000001, "%", True),  # percentages may exceed 100
            ("100%", 1e308, "%", True),
        ],
    )
    def test_exact(self, threshold: object, value: object, unit: str, above: bool) -> None:
        """Samples and thresholds are read by one convention and compared exactly."""
        samples = [(at(0), value), (at(1), 0)]
        spans = find_overloads(samples, threshold=threshold, unit=unit)  # type: ignore[arg-type]
        assert bool(spans) is above

    def test_numpy_scalars(self) -> None:
        """numpy floats and ints are numbers too."""
        np = pytest.importorskip("numpy")
        samples = [(at(0), np.float64(0.95)), (at(1), np.int64(1)), (at(2), 0)]
        assert spans_in_minutes(find_overloads(samples, threshold="0.9")) == [(0, 2)]

    @pytest.mark.parametrize(
        ("threshold", "hint"),
        [
            (True, "a ratio from 0 to 1"),
            ("high", "a ratio from 0 to 1"),
            ("nan", "a ratio from 0 to 1"),
            (float("nan"), "a ratio from 0 to 1"),
            (Decimal("Infinity"), "a ratio from 0 to 1"),
            ("inf%", "a ratio from 0 to 1"),
            (None, "a ratio from 0 to 1"),
            (90, "did you mean '90%'"),  # a percentage without its '%' is never guessed
            ("90", "did you mean '90%'"),
            (Decimal("1E+99999999"), "a ratio from 0 to 1"),  # refused at once, never expanded
            ("-0.1", "a ratio from 0 to 1"),
        ],
    )
    def test_bad_threshold(self, threshold: object, hint: str) -> None:
        """Thresholds outside the convention are refused, percent-like ones with a hint."""
        with pytest.raises(InvalidValueError, match="'threshold' must be") as info:
            find_overloads(series([0.1, 0.2]), threshold=threshold)  # type: ignore[arg-type]
        assert hint in str(info.value)

    @pytest.mark.parametrize("value", [float("nan"), Decimal("NaN"), "0.5", None, True])
    def test_bad_values(self, value: object) -> None:
        """NaN and non-numbers are refused, naming the sample."""
        with pytest.raises(InvalidValueError, match=r"'samples\[1\]' must be a"):
            find_overloads(series([0.1, value, 0.2]), threshold="50%")

    @pytest.mark.parametrize("value", [1.5, 2, Decimal("99"), Fraction(3, 2), float("inf")])
    def test_percentages_need_their_unit(self, value: object) -> None:
        """A ratio sample above 1 is refused, naming the sample and suggesting unit='%'."""
        with pytest.raises(
            InvalidValueError, match=r"'samples\[1\]' must be a load ratio"
        ) as info:
            find_overloads(series([0.1, value, 0.2]), threshold="50%")
        assert "unit='%'" in str(info.value)

    @pytest.mark.parametrize("unit", ["ratio", "%"])
    @pytest.mark.parametrize(
        "value", [-0.5, -1, Decimal("-Infinity"), Decimal("Infinity"), Decimal("1E-99999999")]
    )
    def test_negative_and_infinite_values(self, value: object, unit: str) -> None:
        """Negative, infinite and absurdly precise samples are refused in either unit."""
        with pytest.raises(InvalidValueError, match=r"'samples\[1\]' must be"):
            find_overloads(series([0, value, 0]), threshold="50%", unit=unit)  # type: ignore[arg-type]

    def test_unknown_unit(self) -> None:
        """The unit is 'ratio' or '%'."""
        with pytest.raises(InvalidValueError, match="'unit' must be one of 'ratio', '%'"):
            find_overloads(series([0.1, 0.2]), threshold="50%", unit="percent")  # type: ignore[arg-type]


class TestSampleErrors:
    def test_out_of_order(self) -> None:
        """Samples must be strictly increasing in time."""
        samples = [(at(1), 1), (at(0), 2)]
        with pytest.raises(
            ChronologyError, match=r"'samples\[1\]' must be after the sample before it"
        ):
            find_overloads(samples, threshold="1%", unit="%")

    def test_duplicate_instant(self) -> None:
        """Two samples at one instant are refused."""
        with pytest.raises(ChronologyError):
            find_overloads([(at(0), 1), (at(0), 2)], threshold="1%", unit="%")

    def test_naive(self) -> None:
        """A naive sample instant names the sample."""
        with pytest.raises(NaiveDatetimeError, match=r"'samples\[0\]'"):
            find_overloads([(datetime(2026, 3, 2), 1)], threshold="1%", unit="%")

    @pytest.mark.parametrize("pair", [5, (at(0),), (at(0), 1, 2)])
    def test_not_a_pair(self, pair: object) -> None:
        """Each sample is an (instant, value) pair."""
        with pytest.raises(InvalidValueError, match=r"'samples\[0\]' must be an \(instant"):
            find_overloads([pair], threshold="1%", unit="%")  # type: ignore[list-item]

    def test_negative_min_duration(self) -> None:
        """min_duration must not be negative."""
        with pytest.raises(InvalidValueError, match="'min_duration'"):
            find_overloads(series([1, 2]), threshold="1%", unit="%", min_duration="-PT1M")


def synthetic_month(tz: str, *, seed: int = 7) -> list[tuple[pendulum.DateTime, float]]:
    """Per-minute load for March 2026 in ``tz``: weekdays 18:00-22:00 at 97-99.9%,
    other times 20-75%, plus a few random spikes that do not recur."""
    rng = random.Random(seed)
    start = pendulum.datetime(2026, 3, 1, tz=tz)
    end = pendulum.datetime(2026, 4, 1, tz=tz)
    minutes = int((end - start).total_seconds() // 60)
    spikes = {rng.randrange(minutes) for _ in range(20)}
    out = []
    for m in range(minutes):
        t = start.add(minutes=m)
        hot = t.weekday() < 5 and 18 <= t.hour < 22
        value = 0.97 + rng.random() * 0.029 if hot else 0.2 + rng.random() * 0.55
        if m in spikes:
            value = 0.99
        out.append((t, value))
    return out


class TestRecurring:
    def test_seed_pattern(self) -> None:
        """A month of per-minute samples in Seoul: the weekday 18:00-22:00 peak is found."""
        found = recurring_overloads(
            synthetic_month("Asia/Seoul"), threshold="90%", tz="Asia/Seoul"
        )
        assert len(found) == 1
        pattern = found[0]
        assert pattern.days == (0, 1, 2, 3, 4)
        assert (pattern.start, pattern.end) == (time(18), time(22))
        assert pattern.spec == "Mon-Fri 18:00-22:00"
        assert pattern.occurrences == 22  # the weekdays of March 2026
        assert Fraction(97, 100) < pattern.peak < 1
        assert pattern.tz == "Asia/Seoul"

    def test_spec_round_trips_through_weekly(self) -> None:
        """The spec is a window: 4 h on a weekday, none at the weekend."""
        pattern = recurring_overloads(
            synthetic_month("Asia/Seoul"), threshold="90%", tz="Asia/Seoul"
        )[0]
        w = ServiceWindow.weekly(pattern.spec, tz="Asia/Seoul")
        assert w.business_time("2026-03-02T00:00+09:00", "2026-03-03T00:00+09:00") == timedelta(
            hours=4
        )
        assert pattern.window.business_time(
            "2026-03-07T00:00+09:00", "2026-03-09T00:00+09:00"
        ) == timedelta(0)

    def test_across_dst(self) -> None:
        """In New York, across the 8 March DST change, the wall-clock pattern holds."""
        found = recurring_overloads(
            synthetic_month("America/New_York"), threshold="90%", tz="America/New_York"
        )
        assert [p.spec for p in found] == ["Mon-Fri 18:00-22:00"]

    def test_other_zone_shifts_the_pattern(self) -> None:
        """Read in UTC, Seoul's 18:00-22:00 is 09:00-13:00."""
        found = recurring_overloads(synthetic_month("Asia/Seoul"), threshold="90%", tz="UTC")
        assert [p.spec for p in found] == ["Mon-Fri 09:00-13:00"]

    def test_days_with_different_hours(self) -> None:
        """Weekdays with different hot ranges are reported separately, grouped by range."""
        start = pendulum.datetime(2026, 3, 2, tz="UTC")
        samples = []
        for h in range(28 * 24):
            t = start.add(hours=h)
            hot = (t.weekday() in (0, 2) and 8 <= t.hour < 10) or (
                t.weekday() == 5 and t.hour == 23
            )
            samples.append((t, 100 if hot else 0))
        found = recurring_overloads(
            samples, threshold="50%", unit="%", tz="UTC", end=start.add(days=28)
        )
        assert [(p.spec, p.occurrences) for p in found] == [
            ("Mon,Wed 08:00-10:00", 8),
            ("Sat 23:00-24:00", 4),
        ]
        assert found[1].end == time(0)
        assert str(found[1]) == "Sat 23:00-24:00 (UTC): 4 occurrences, peak 100%"
        assert found[1].peak == 1  # a sample of 100 with unit="%" is the whole capacity

    def test_min_occurrences(self) -> None:
        """A range hot on only some dates counts once it reaches min_occurrences."""
        start = pendulum.datetime(2026, 3, 2, tz="UTC")
        samples = []
        for h in range(28 * 24):
            t = start.add(hours=h)
            hot = t.weekday() == 1 and t.hour == 3 and t.day < 20  # 3 of 4 Tuesdays
            samples.append((t, 1 if hot else 0))
        assert [
            p.spec for p in recurring_overloads(samples, threshold="0%", unit="%", tz="UTC")
        ] == ["Tue 03:00-04:00"]
        assert (
            recurring_overloads(samples, threshold="0%", unit="%", tz="UTC", min_occurrences=4)
            == ()
        )
        assert (
            recurring_overloads(samples, threshold="0%", unit="%", tz="UTC", min_occurrences=1)[
                0
            ].occurrences
            == 3
        )

    def test_seconds_in_spec(self) -> None:
        """Boundaries off the minute are written with seconds."""
        start = pendulum.datetime(2026, 3, 2, tz="UTC")
        samples = []
        for d in range(14):
            day = start.add(days=d)
            samples += [
                (day.add(hours=1), 0),
                (day.add(hours=1, seconds=30), 9),
                (day.add(hours=2), 0),
            ]
        found = recurring_overloads(samples, threshold="5%", unit="%", tz="UTC")
        assert found[0].spec == "Mon-Sun 01:00:30-02:00"
        assert found[0].start == time(1, 0, 30)

    def test_nothing_recurs(self) -> None:
        """No overloads, or none that recur, give no patterns."""
        assert recurring_overloads(series([1, 2, 3]), threshold="5%", unit="%", tz="UTC") == ()
        assert recurring_overloads(series([9, 2, 3]), threshold="5%", unit="%", tz="UTC") == ()

    @pytest.mark.parametrize("value", [0, -1, 1.5, True])
    def test_bad_min_occurrences(self, value: object) -> None:
        """min_occurrences must be a positive int."""
        with pytest.raises(InvalidValueError, match="'min_occurrences' must be a positive int"):
            recurring_overloads(
                series([1]), threshold="0%", unit="%", tz="UTC", min_occurrences=value
            )  # type: ignore[arg-type]

    def test_value_object(self) -> None:
        """RecurringOverload is a frozen value with a readable spec."""
        r = RecurringOverload((5, 6), time(22), time(2), 8, 99, "UTC")
        assert r.spec == "Sat,Sun 22:00-02:00"
        with pytest.raises(AttributeError):
            r.peak = 1  # type: ignore[misc]


class TestProperties:
    @settings(max_examples=300, deadline=None)
    @given(
        st.floats(0, 1),
        st.one_of(
            st.fractions(0, 1),
            st.floats(0, 1),
            st.decimals(0, 1, places=6).map(str),
        ),
    )
    def test_float_samples_by_shortest_repr(self, value: float, threshold: object) -> None:
        """A float sample is above a threshold iff its shortest repr is (reference: Decimal)."""
        exact_value = Fraction(Decimal(repr(value)))
        if isinstance(threshold, float):
            exact_threshold = Fraction(Decimal(repr(threshold)))
        else:
            exact_threshold = Fraction(threshold)  # type: ignore[arg-type]
        spans = find_overloads([(at(0), value), (at(1), 0.0)], threshold=threshold)  # type: ignore[arg-type]
        assert bool(spans) is (exact_value > exact_threshold)

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(st.integers(0, 10), min_size=1, max_size=40),
        st.integers(0, 10),
        st.integers(0, 5),
    )
    def test_brute_force(self, values: list[int], threshold: int, minimum: int) -> None:
        """Overload minutes and periods equal a minute-by-minute reading of the samples."""
        spans = spans_in_minutes(
            find_overloads(
                series(values), threshold=f"{threshold}%", unit="%", min_duration=f"PT{minimum}M"
            )
        )
        # Reference: minutes 0..n-2 hold their sample's value; group the hot ones.
        expected: list[tuple[int, int]] = []
        run_start = None
        for m in range(len(values)):
            hot = m < len(values) - 1 and values[m] > threshold
            if hot and run_start is None:
                run_start = m
            if not hot and run_start is not None:
                if m - run_start >= minimum:
                    expected.append((run_start, m))
                run_start = None
        assert spans == expected


class TestBounds:
    def test_samples_spanning_millennia(self) -> None:
        """Samples thousands of years apart are refused at once (the weekly fold visits every day)."""
        samples = [("0002-03-02T10:00Z", 0.99), ("9997-03-02T10:00Z", 0.5)]
        begin = clock.perf_counter()
        with pytest.raises(
            InvalidValueError, match="'samples' must be samples covering at most 400"
        ):
            recurring_overloads(samples, threshold="90%", tz="UTC", end="9997-03-02T11:00Z")
        assert clock.perf_counter() - begin < 5  # refused, not walked (a generous bound)
        # find_overloads makes one pass over the samples, so any span is fine there.
        (span,) = find_overloads(samples, threshold="90%")
        assert span.start.year == 2 and span.end.year == 9997

    def test_numpy_float32_by_its_own_repr(self) -> None:
        """A float32 sample of 0.95 is 95%, as written, not 0.949999988..."""
        np = pytest.importorskip("numpy")
        at_95 = [(at(0), np.float32(0.95)), (at(1), 0.0)]
        at_96 = [(at(0), np.float32(0.96)), (at(1), 0.0)]
        assert find_overloads(at_95, threshold="0.95") == ()
        assert spans_in_minutes(find_overloads(at_96, threshold="0.95")) == [(0, 1)]
