"""Set operations on half-open integer intervals ``[start, end)``.

Every interval list itilkit keeps is *canonical*: sorted, merged (no two
intervals overlap or touch) and without empty intervals. These are the only
implementations of merge, intersection and difference in the package.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate

__all__ = ["Intervals", "Measure", "intersect", "merge", "subtract"]

Intervals = list[tuple[int, int]]


def merge(intervals: Iterable[tuple[int, int]]) -> Intervals:
    """The canonical form of any intervals: sorted, overlapping and touching ones joined.

    >>> merge([(5, 7), (1, 3), (3, 4), (6, 9), (10, 10)])
    [(1, 4), (5, 9)]
    """
    out: Intervals = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def intersect(a: Intervals, b: Intervals) -> Intervals:
    """Where both canonical lists are open.

    >>> intersect([(0, 10), (20, 30)], [(5, 25)])
    [(5, 10), (20, 25)]
    """
    out: Intervals = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Intervals, b: Intervals) -> Intervals:
    """Where canonical list ``a`` is open and ``b`` is not.

    >>> subtract([(0, 10), (20, 30)], [(5, 22), (25, 26)])
    [(0, 5), (22, 25), (26, 30)]
    """
    out: Intervals = []
    j = 0
    for start, end in a:
        while j < len(b) and b[j][1] <= start:
            j += 1
        k = j
        cursor = start
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                out.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


class Measure:
    """Prefix sums over canonical intervals: the covered length before any point, by bisection.

    ``before(t)`` is the length of the intervals' union in ``(-inf, t)``;
    ``between(a, b)`` is ``before(b) - before(a)``.

    >>> m = Measure([(0, 10), (20, 30)])
    >>> m.before(5), m.before(15), m.before(25), m.between(5, 25), m.total
    (5, 10, 15, 10, 20)
    """

    __slots__ = ("cum", "cum_end", "ends", "starts", "total")

    def __init__(self, intervals: Intervals) -> None:
        self.starts = [s for s, _ in intervals]
        self.ends = [e for _, e in intervals]
        self.cum_end = list(accumulate(e - s for s, e in intervals))
        self.cum = [0, *self.cum_end[:-1]] if intervals else []
        self.total = self.cum_end[-1] if intervals else 0

    def before(self, t: int) -> int:
        """Covered length before ``t``."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.cum[i] + (t if t < end else end) - self.starts[i]

    def between(self, a: int, b: int) -> int:
        """Covered length in ``[a, b)`` (negative when ``b < a``)."""
        return self.before(b) - self.before(a)
