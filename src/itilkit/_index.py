"""The compiled engine behind every ServiceWindow.

A window's definition (weekly hours, holidays, recurrences, set algebra) is
evaluated into sorted, merged, half-open ``[start, end)`` intervals of integer
microseconds (UTC), with a prefix sum of open time. Every query is then a
binary search:

* ``F(t)``, the open time before ``t`` since the start of the compiled range,
  is ``cum[i] + min(t, end[i]) - start[i]`` for the last interval ``i``
  starting at or before ``t``; business time between two instants is a
  difference of two ``F`` values.
* ``add`` inverts ``F`` by a binary search over the running totals.

The range is compiled lazily, one UTC calendar year at a time, in whichever
direction queries reach. Extension happens under a lock and publishes a new
immutable state object, so readers never lock and never see a half-built
state. A search for open time that finds none within
:data:`SEARCH_HORIZON_YEARS` stops with :class:`~itilkit.NoOpenTimeError`.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from ._errors import InvalidValueError, NoOpenTimeError
from ._intervals import Intervals, Measure
from ._time import US_PER_DAY, from_us, to_timedelta

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "MAX_QUERY_YEARS",
    "SEARCH_HORIZON_YEARS",
    "Index",
    "Node",
    "year_start_us",
]


#: How many years of closed time a search crosses before it gives up.
SEARCH_HORIZON_YEARS = 50
#: The longest span one query may cover or search (so that memory and time stay bounded).
MAX_QUERY_YEARS = 1000
_MAX_QUERY_US = MAX_QUERY_YEARS * 36_525 * US_PER_DAY // 100
MIN_YEAR = 2
MAX_YEAR = 9997
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def year_start_us(year: int) -> int:
    """Microseconds since the epoch of 1 January ``year``, 00:00 UTC."""
    return (date(year, 1, 1).toordinal() - _EPOCH_ORDINAL) * US_PER_DAY


_MIN_US = year_start_us(MIN_YEAR)
_MAX_US = year_start_us(MAX_YEAR + 1)


def year_of_us(us: int) -> int:
    """The UTC calendar year an instant falls in."""
    return date.fromordinal(us // US_PER_DAY + _EPOCH_ORDINAL).year


class Node(Protocol):
    """What a window definition must do to be compiled."""

    def intervals(self, lo: int, hi: int) -> Intervals:
        """The open intervals clipped to ``[lo, hi)``, sorted and merged."""

    def extent(self) -> tuple[int, int] | None:
        """Bounds outside which the node is certainly closed, or None if unbounded."""

    def text(self) -> str:
        """The code that builds the window."""


_MAX_BUCKET_STEPS = 6


def _vector_tables(st: _State) -> tuple[Any, ...]:
    """numpy tables of a state for ``business_time_array``.

    A zero-length sentinel interval at ``lo`` makes every index valid, and
    ``base = cum - start`` turns ``F(t)`` into ``base[i] + min(t, end[i])``.
    A lookup table of buckets (at least an hour wide, about four per
    interval) gives each instant the last interval starting before its
    bucket; a few vectorised steps forward finish the search, which beats a
    binary search over unsorted instants. Where buckets hold too many starts
    ``steps`` is -1 and the search is binary.
    """
    import numpy as np

    starts = np.asarray([st.lo, *st.starts], dtype=np.int64)
    ends = np.asarray([st.lo, *st.ends], dtype=np.int64)
    base = np.asarray([0, *st.cum], dtype=np.int64) - starts
    span = st.hi - st.lo
    width = max(3_600 * 1_000_000, -(-span // (4 * starts.size)))
    edges = st.lo + np.arange(span // width + 2, dtype=np.int64) * width
    lut = np.searchsorted(starts, edges, side="right") - 1
    steps = int(np.diff(lut).max()) if lut.size > 1 else 0
    if steps > _MAX_BUCKET_STEPS:
        steps = -1
    return starts, ends, base, lut, width, steps


def _closing_after(st: _State, t: int) -> int | None:
    """The end of the open period containing ``t`` or after it, if it ends inside the range."""
    i = bisect_right(st.starts, t) - 1
    if not (i >= 0 and t < st.ends[i]):
        i += 1
    if i < len(st.starts) and st.ends[i] < st.hi:
        return st.ends[i]
    return None


class _State(Measure):
    """One immutable snapshot of the compiled range ``[lo, hi)``."""

    __slots__ = ("hi", "lo", "np_arrays")

    def __init__(self, lo: int, hi: int, intervals: Intervals) -> None:
        super().__init__(intervals)
        self.lo = lo
        self.hi = hi
        self.np_arrays: tuple[Any, ...] | None = None


def _check_range(t: int) -> None:
    if not _MIN_US <= t < _MAX_US:
        raise InvalidValueError(
            "instant", f"between the years {MIN_YEAR} and {MAX_YEAR}", from_us(t, _UTC())
        )


def _UTC() -> Any:
    from ._time import zone

    return zone("UTC")


def _merge_into(left: Intervals, right: Intervals) -> Intervals:
    """Concatenate two sorted interval lists whose ranges touch, merging at the seam."""
    if left and right and left[-1][1] >= right[0][0]:
        seam = (left[-1][0], max(left[-1][1], right[0][1]))
        return [*left[:-1], seam, *right[1:]]
    return left + right


class Index:
    """The lazily compiled, thread-safe interval index of one window definition."""

    __slots__ = ("_extent", "_lock", "_node", "_state")

    def __init__(self, node: Node) -> None:
        self._node = node
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._extent = node.extent()

    def __reduce__(self) -> tuple[Any, ...]:
        return (Index, (self._node,))

    # -- compilation -------------------------------------------------------

    def state(self, a: int, b: int) -> _State:
        """A state whose range covers the instants ``a`` and ``b`` (inclusive)."""
        st = self._state
        if st is not None and st.lo <= a and b < st.hi:
            return st
        return self._extend(a, b)

    def _extend(self, a: int, b: int) -> _State:
        if a > b:
            a, b = b, a
        _check_range(a)
        _check_range(b)
        with self._lock:
            st = self._state
            if st is not None and st.lo <= a and b < st.hi:
                return st
            first, last = year_of_us(a), year_of_us(b)
            if st is None:
                lo, hi = year_start_us(first), year_start_us(last + 1)
                intervals = self._node.intervals(lo, hi)
            else:
                lo, hi = min(st.lo, year_start_us(first)), max(st.hi, year_start_us(last + 1))
                intervals = list(zip(st.starts, st.ends, strict=True))
                if lo < st.lo:
                    intervals = _merge_into(self._node.intervals(lo, st.lo), intervals)
                if hi > st.hi:
                    intervals = _merge_into(intervals, self._node.intervals(st.hi, hi))
            new = _State(lo, hi, intervals)
            self._state = new
            return new

    def _grow(self, st: _State, forward: bool, years: int) -> _State:
        """Extend the compiled range by ``years`` years in one direction (bounded)."""
        if forward:
            target = min(year_of_us(st.hi - 1) + years, MAX_YEAR)
            edge = year_start_us(target + 1) - 1
            return self._extend(st.lo, edge) if edge >= st.hi else st
        target = max(year_of_us(st.lo) - years, MIN_YEAR)
        return self._extend(year_start_us(target), st.hi - 1)

    def _beyond_extent(self, st: _State, forward: bool) -> bool:
        if self._extent is None:
            return False
        return st.hi >= self._extent[1] if forward else st.lo <= self._extent[0]

    def _search(
        self, st: _State, forward: bool, what: str, at: int, enough: Callable[[_State], bool]
    ) -> _State:
        """Grow the compiled range from ``at`` until ``enough``, in doubling steps.

        Gives up with :class:`~itilkit.NoOpenTimeError` after
        :data:`SEARCH_HORIZON_YEARS` of closed time in a row, or once the search
        has reached :data:`MAX_QUERY_YEARS` away from ``at``.
        """
        empty = 0
        step = 1
        direction = "after" if forward else "before"
        while not enough(st):
            distance = (st.hi - at) if forward else (at - st.lo)
            if empty >= SEARCH_HORIZON_YEARS:
                limit = f"{SEARCH_HORIZON_YEARS} years"
            elif distance >= _MAX_QUERY_US:
                limit = f"{MAX_QUERY_YEARS} years (the longest span one query may search)"
            elif self._beyond_extent(st, forward):
                limit = "its last defined period" if forward else "its first defined period"
            else:
                before = st.total
                grown = self._grow(st, forward, step)
                if grown is not st:
                    empty = empty + step if grown.total == before else 0
                    st = grown
                    step = min(step * 2, 64)
                    continue
                limit = f"the supported years ({MIN_YEAR} to {MAX_YEAR})"
            raise NoOpenTimeError(
                f"the window has no {what} within {limit} {direction} "
                f"{from_us(at, _UTC()).isoformat()}"
            )
        return st

    def _check_span(self, a: int, b: int) -> None:
        if abs(b - a) > _MAX_QUERY_US:
            raise InvalidValueError(
                "end",
                f"within {MAX_QUERY_YEARS} years of the start",
                from_us(max(a, b), _UTC()).isoformat(),
            )

    # -- queries ------------------------------------------------------------

    def business_time(self, a: int, b: int) -> int:
        """Open time between ``a`` and ``b`` (negative when ``b < a``)."""
        st = self._state
        if st is None or not (st.lo <= min(a, b) and max(a, b) < st.hi):
            self._check_span(a, b)
            st = self.state(min(a, b), max(a, b))
        return st.before(b) - st.before(a)

    def contains(self, t: int) -> bool:
        st = self.state(t, t)
        i = bisect_right(st.starts, t) - 1
        return i >= 0 and t < st.ends[i]

    def add(self, start: int, duration: int) -> int:
        """The earliest ``t >= start`` with ``business_time(start, t) == duration``."""
        if duration < 0:
            return self.subtract(start, -duration)
        if duration == 0:
            return start
        st = self._state
        if st is not None and st.lo <= start < st.hi:  # the hot path: no growth needed
            target = st.before(start) + duration
            if target <= st.total:
                i = bisect_left(st.cum_end, target)
                return st.starts[i] + (target - st.cum[i])
        if duration > _MAX_QUERY_US:
            raise InvalidValueError(
                "duration", f"at most {MAX_QUERY_YEARS} years", to_timedelta(duration)
            )
        st = self.state(start, start)
        st = self._search(
            st, True, "open time left", start, lambda s: s.before(start) + duration <= s.total
        )
        target = st.before(start) + duration
        i = bisect_left(st.cum_end, target)
        return st.starts[i] + (target - st.cum[i])

    def subtract(self, end: int, duration: int) -> int:
        """The latest ``t <= end`` with ``business_time(t, end) == duration``."""
        if duration < 0:
            return self.add(end, -duration)
        if duration == 0:
            return end
        if duration > _MAX_QUERY_US:
            raise InvalidValueError(
                "duration", f"at most {MAX_QUERY_YEARS} years", to_timedelta(duration)
            )
        st = self.state(end, end)
        st = self._search(st, False, "open time left", end, lambda s: s.before(end) >= duration)
        target = st.before(end) - duration
        i = bisect_right(st.cum_end, target)
        return st.starts[i] + (target - st.cum[i])

    def next_open(self, t: int) -> int:
        """The earliest instant ``>= t`` at which the window is open."""
        st = self.state(t, t)
        st = self._search(st, True, "opening", t, lambda s: bool(s.ends) and s.ends[-1] > t)
        i = bisect_right(st.starts, t) - 1
        if i >= 0 and t < st.ends[i]:
            return t
        return st.starts[i + 1]

    def next_close(self, t: int) -> int:
        """The end of the open period containing ``t``, or of the next one if closed at ``t``."""
        st = self.state(t, t)
        st = self._search(st, True, "closing", t, lambda s: _closing_after(s, t) is not None)
        closing = _closing_after(st, t)
        assert closing is not None
        return closing

    def spans(self, a: int, b: int) -> Intervals:
        """Open periods clipped to ``[a, b)``."""
        if b <= a:
            return []
        self._check_span(a, b)
        st = self.state(a, b)
        out: Intervals = []
        starts, ends = st.starts, st.ends
        i = bisect_right(ends, a)
        n = len(starts)
        while i < n and starts[i] < b:
            s, e = starts[i], ends[i]
            out.append((s if s > a else a, e if e < b else b))
            i += 1
        return out

    # -- vectorised ------------------------------------------------------------

    def business_time_array(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``business_time`` of each pair of int64 microsecond arrays, as int64."""
        import numpy as np

        if a.size == 0:
            return np.zeros(0, dtype=np.int64)
        lo, hi = int(min(a.min(), b.min())), int(max(a.max(), b.max()))
        st = self._state
        if st is None or not (st.lo <= lo and hi < st.hi):
            self._check_span(lo, hi)
            st = self.state(lo, hi)
        arrays = st.np_arrays
        if arrays is None:
            arrays = _vector_tables(st)
            st.np_arrays = arrays
        starts, ends, base, lut, width, steps = arrays
        last = starts.size - 1

        def before(t: np.ndarray) -> np.ndarray:
            if steps < 0:  # too many starts per bucket: plain binary search
                i = np.searchsorted(starts, t, side="right") - 1
            else:  # a bucket lookup, then a few steps forward
                i = lut[(t - st.lo) // width]
                for _ in range(steps):
                    ahead = np.minimum(i + 1, last)
                    i = i + ((starts[ahead] <= t) & (ahead > i))
            out: np.ndarray = base[i] + np.minimum(t, ends[i])
            return out

        result: np.ndarray = before(b) - before(a)
        return result
