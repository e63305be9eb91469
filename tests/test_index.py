"""The compiled index: only what queries touch is compiled, in segments, lock-free for readers."""

from __future__ import annotations

import itertools
import random
import threading
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import InvalidValueError, ServiceWindow
from itilkit._index import NEAR_YEARS, Index

H = timedelta(hours=1)
US_PER_YEAR = 36_525 * 86_400 * 10**6 // 100


def office() -> ServiceWindow:
    return ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")


def ref_office(a: datetime, b: datetime) -> timedelta:
    """Open time of Mon-Fri 09:00-18:00 UTC in [a, b), a day at a time from the calendar."""
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if day.weekday() < 5:
            start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            end = start + 9 * H
            lo, hi = max(start, a), min(end, b)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def segments(w: ServiceWindow) -> list[tuple[int, int]]:
    index: Index = w._index
    return [(seg.lo, seg.hi) for seg in index._segments]


def assert_disjoint_and_sorted(w: ServiceWindow) -> None:
    spans = segments(w)
    for (lo1, hi1), (lo2, hi2) in itertools.pairwise(spans):
        assert lo1 < hi1 <= lo2 < hi2


class TestFarApartQueries:
    def test_year_2_and_year_9997_compile_two_years(self) -> None:
        """Two one-day queries 9995 years apart finish at once and compile only their years."""
        w = office()
        started = time.perf_counter()
        for day in (date(2, 3, 5), date(9997, 6, 3)):  # weekday() says which is a weekday
            a = datetime(day.year, day.month, day.day, tzinfo=UTC)
            expected = 9 * H if day.weekday() < 5 else timedelta(0)
            assert w.business_time(a, a + timedelta(days=1)) == expected
        assert time.perf_counter() - started < 2
        spans = segments(w)
        assert len(spans) == 2
        assert all(hi - lo <= 2 * US_PER_YEAR for lo, hi in spans)

    def test_near_queries_extend_far_ones_start_anew(self) -> None:
        w = office()
        w.business_time("2026-03-02T00:00Z", "2026-03-03T00:00Z")
        w.business_time("2027-03-02T00:00Z", "2027-03-03T00:00Z")
        assert len(segments(w)) == 1  # 2027 touches 2026's segment
        w.business_time(f"{2027 + NEAR_YEARS}-06-01T00:00Z", f"{2027 + NEAR_YEARS}-06-02T00:00Z")
        assert len(segments(w)) == 1  # within NEAR_YEARS: the gap is compiled, one segment
        w.business_time("2100-06-01T00:00Z", "2100-06-02T00:00Z")
        assert len(segments(w)) == 2
        # A query across both segments merges them (and compiles what lies between).
        a, b = datetime(2026, 3, 2, tzinfo=UTC), datetime(2100, 6, 2, tzinfo=UTC)
        assert w.business_time(a, b) == ref_office(a, b)
        assert len(segments(w)) == 1
        assert_disjoint_and_sorted(w)

    def test_searches_reach_across_segments(self) -> None:
        """add and next_open from one segment run into the next one and merge with it."""
        w = ServiceWindow.from_spans(
            [
                ("1990-01-01T00:00Z", "1990-01-02T00:00Z"),
                ("2030-01-01T00:00Z", "2030-01-02T00:00Z"),
            ],
            tz="UTC",
        ) | ServiceWindow.weekly("closed", tz="UTC")
        assert w.business_time("2030-01-01T00:00Z", "2030-01-03T00:00Z") == 24 * H  # far first
        assert w.add("1990-01-01T12:00Z", "PT24H").isoformat() == "2030-01-01T12:00:00+00:00"
        assert_disjoint_and_sorted(w)


class TestOutOfRange:
    def test_instants_past_datetime_are_clear_errors(self) -> None:
        """Microseconds beyond year 9999 (numpy allows them) are refused by name, not overflow."""
        w = office()
        starts = np.array(["148108-07-06T14:00", "2026-01-13T14:28"], dtype="datetime64[m]")
        ends = np.array(["2026-01-13T14:28", "2026-01-14T14:28"], dtype="datetime64[m]")
        with pytest.raises(InvalidValueError, match="'instant' must be between the years 2"):
            w.business_time_many(starts, ends)
        with pytest.raises(InvalidValueError, match="microseconds since 1970"):
            w.business_time_us(0, 2**62)
        with pytest.raises(InvalidValueError, match="'instant' must be between the years 2"):
            w.contains_us(-(2**62))
        with pytest.raises(InvalidValueError, match="'duration' must be at most 400 years"):
            w.add_us(0, -(2**70))
        with pytest.raises(InvalidValueError, match="'duration' must be at most 400 years"):
            w.subtract_us(0, 2**70)
        with pytest.raises(InvalidValueError, match="an int of 5001 digits"):
            w.contains_us(10**5000)


class TestProperties:
    @settings(max_examples=40, deadline=None)
    @given(
        st.lists(st.integers(1900, 2160), min_size=3, max_size=3),
        st.lists(st.integers(0, 365 * 24 * 60), min_size=3, max_size=3),
        st.permutations([0, 1, 2]),
    )
    def test_additive_across_segments(
        self, years: list[int], minutes: list[int], order: list[int]
    ) -> None:
        """bt(a, c) == bt(a, b) + bt(b, c), whatever segments earlier queries left behind."""
        a, b, c = sorted(
            datetime(y, 1, 1, tzinfo=UTC) + timedelta(minutes=m)
            for y, m in zip(years, minutes, strict=True)
        )
        if (c - a).days > 60 * 366:  # keep the reference walk short
            c = a + timedelta(days=60 * 366)
            b = min(b, c)
        w = office()
        pairs = [(a, b), (b, c), (a, c)]
        results = {}
        for i in order:  # queries in any order: each may start, extend or merge segments
            x, y = pairs[i]
            results[i] = w.business_time(x, y)
            assert_disjoint_and_sorted(w)
        assert results[2] == results[0] + results[1]
        assert results[0] == ref_office(a, b)
        assert results[1] == ref_office(b, c)

    @settings(max_examples=30, deadline=None)
    @given(
        st.lists(st.tuples(st.integers(1800, 2300), st.integers(0, 364)), min_size=1, max_size=6)
    )
    def test_one_day_queries_anywhere(self, days: list[tuple[int, int]]) -> None:
        """Queries scattered over five centuries agree with the calendar, in any order."""
        w = office()
        for year, offset in days:
            a = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=offset, hours=7)
            b = a + timedelta(days=3)
            assert w.business_time(a, b) == ref_office(a, b)
            assert w.add(a, "PT9H") >= a
        assert_disjoint_and_sorted(w)


class TestThreads:
    def test_scattered_queries_on_many_threads(self) -> None:
        """Threads querying far-apart years at once see the right answers and leave disjoint segments."""
        w = office()
        errors: list[BaseException] = []
        checked: list[int] = []

        def work(seed: int) -> None:
            rng = random.Random(seed)
            try:
                for _ in range(25):
                    year = rng.choice([1850, 1851, 1900, 2026, 2027, 2029, 2300, 2301, 9000])
                    a = datetime(year, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(8000))
                    b = a + timedelta(hours=rng.randrange(24 * 40))
                    assert w.business_time(a, b) == ref_office(a, b)
                    checked.append(1)
            except BaseException as exc:  # collected for the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(checked) == 8 * 25
        assert_disjoint_and_sorted(w)


def test_adding_nothing_checks_the_years_too() -> None:
    """add(t, 0) answers t only for the years every other query accepts (2 to 9997)."""
    from itilkit import InvalidValueError, ServiceWindow

    w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
    assert w.add("2026-03-02T10:00Z", "PT0S").isoformat() == "2026-03-02T10:00:00+00:00"
    for far in ("0001-06-01T00:00Z", "9999-06-01T00:00Z"):
        with pytest.raises(InvalidValueError, match="between the years 2 and 9997"):
            w.add(far, "PT0S")
        with pytest.raises(InvalidValueError, match="between the years 2 and 9997"):
            w.business_time(far, far)
