"""Interval set operations agree with sets of integer points."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from itilkit._intervals import intersect, merge, subtract

raw = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=12)


def points(intervals: list[tuple[int, int]]) -> set[int]:
    return {t for s, e in intervals for t in range(s, e)}


def canonical(intervals: list[tuple[int, int]]) -> bool:
    return all(s < e for s, e in intervals) and all(
        a[1] < b[0] for a, b in itertools.pairwise(intervals)
    )


@given(raw)
def test_merge_keeps_the_points(intervals: list[tuple[int, int]]) -> None:
    merged = merge(intervals)
    assert canonical(merged)
    assert points(merged) == points(intervals)


@given(raw, raw)
def test_intersect_and_subtract(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    ma, mb = merge(a), merge(b)
    both = intersect(ma, mb)
    only = subtract(ma, mb)
    assert canonical(both) and canonical(only)
    assert points(both) == points(ma) & points(mb)
    assert points(only) == points(ma) - points(mb)
