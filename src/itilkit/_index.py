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

Only what queries touch is compiled, one UTC calendar year at a time, into
*segments*: disjoint compiled ranges, each an immutable snapshot. A query
uses the segment that covers it; one that reaches past a segment extends it
(merging the segments it runs into), and one far from every segment (more
than :data:`NEAR_YEARS` away) gets a segment of its own, so a query in year
2 and one in year 9997 compile two years, not ten thousand. Compilation
happens under a lock and publishes a new tuple of segments, so readers never
lock and never see a half-built state.

Searches grow a segment towards what they need in one jump, estimated from
the open time already compiled, and are bounded: a search that finds no open
time within :data:`SEARCH_HORIZON_YEARS` (or, for a closing, finds the window
open without a break that long) stops with :class:`~itilkit.NoOpenTimeError`,
and no query covers or searches more than :data:`MAX_QUERY_YEARS`.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Protocol

from ._errors import InvalidValueError, NoOpenTimeError, show
from ._intervals import Intervals, Measure
from ._time import (
    US_PER_DAY,
    Zone,
    boundary_to_us,
    from_us,
    local_date,
    local_datetime,
    to_timedelta,
    zone_name,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "MAX_QUERY_DAYS",
    "MAX_QUERY_YEARS",
    "NEAR_YEARS",
    "SEARCH_HORIZON_YEARS",
    "Index",
    "Node",
    "year_start_us",
]


#: How many years of closed time a search crosses before it gives up (and how
#: long a window may stay open without a break before "it never closes").
SEARCH_HORIZON_YEARS = 50
#: The longest span one query may cover or search, in years (one Gregorian
#: cycle), so that the memory and time a query takes stay bounded.
MAX_QUERY_YEARS = 400
#: The most business days one ``add_days`` call may count (366 per year).
MAX_QUERY_DAYS = MAX_QUERY_YEARS * 366
#: A query within this many years of a compiled segment extends it; a farther
#: one gets its own segment.
NEAR_YEARS = 2
_YEAR_US = 36_525 * US_PER_DAY // 100
_MAX_QUERY_US = MAX_QUERY_YEARS * _YEAR_US
MIN_YEAR = 2
MAX_YEAR = 9997
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def year_start_us(year: int) -> int:
    """Microseconds since the epoch of 1 January ``year``, 00:00 UTC."""
    return (date(year, 1, 1).toordinal() - _EPOCH_ORDINAL) * US_PER_DAY


_MIN_US = year_start_us(MIN_YEAR)
_MAX_US = year_start_us(MAX_YEAR + 1)
_NEAR_US = NEAR_YEARS * _YEAR_US


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
    """One immutable compiled segment ``[lo, hi)`` (its caches are filled once, idempotently)."""

    __slots__ = ("days", "hi", "lo", "np_arrays")

    def __init__(self, lo: int, hi: int, intervals: Intervals) -> None:
        super().__init__(intervals)
        self.lo = lo
        self.hi = hi
        self.np_arrays: tuple[Any, ...] | None = None
        self.days: dict[str, list[int]] = {}

    def covers(self, a: int, b: int) -> bool:
        return self.lo <= a and b < self.hi

    def open_days(self, tz: Zone) -> list[int]:
        """Ordinals of the local days wholly inside the segment that have open time."""
        key = zone_name(tz)
        found = self.days.get(key)
        if found is not None:
            return found
        first = local_date(self.lo, tz).toordinal() + 1  # the first and last whole days
        last = local_date(self.hi - 1, tz).toordinal() - 1
        out: list[int] = []
        previous = first - 1
        for s, e in zip(self.starts, self.ends, strict=True):
            a = max(local_date(s, tz).toordinal(), previous + 1, first)
            b = min(local_date(e - 1, tz).toordinal(), last)
            if a <= b:
                out.extend(range(a, b + 1))
                previous = b
        self.days[key] = out
        return out


def _check_range(t: int) -> None:
    if not _MIN_US <= t < _MAX_US:
        raise InvalidValueError(
            "instant", f"between the years {MIN_YEAR} and {MAX_YEAR}", _shown(t)
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


def _at(t: int) -> str:
    return from_us(t, _UTC()).isoformat()


def _shown(t: int) -> object:
    """An instant for an error message: a UTC DateTime, or its microseconds when out of range."""
    try:
        return from_us(t, _UTC())
    except (OverflowError, ValueError):  # beyond the years datetime can hold
        return f"{show(t)} microseconds since 1970-01-01T00:00Z"


class Index:
    """The lazily compiled, thread-safe interval index of one window definition.

    ``_segments`` is an immutable tuple of disjoint compiled segments, sorted;
    ``hot`` is the one used last (the hot path reads only it). Both are
    replaced, never mutated, under ``_lock``.
    """

    __slots__ = ("_always", "_extent", "_lock", "_node", "_segments", "hot")

    def __init__(self, node: Node) -> None:
        self._node = node
        self._lock = threading.Lock()
        self.hot: _State | None = None
        self._segments: tuple[_State, ...] = ()
        self._extent = node.extent()
        self._always = bool(getattr(node, "always_open", False))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Index, (self._node,))

    # -- compilation -------------------------------------------------------

    def state(self, a: int, b: int) -> _State:
        """A segment whose range covers the instants ``a`` and ``b`` (inclusive)."""
        st = self.hot
        if st is not None and st.lo <= a and b < st.hi:
            return st
        for st in self._segments:
            if st.lo <= a and b < st.hi:
                self.hot = st  # any covering segment is right: a benign race
                return st
        return self._extend(a, b)

    def _extend(self, a: int, b: int) -> _State:
        """Compile ``[a, b]`` (whole UTC years), merging the segments it reaches."""
        if a > b:
            a, b = b, a
        _check_range(a)
        _check_range(b)
        with self._lock:
            for st in self._segments:
                if st.lo <= a and b < st.hi:
                    self.hot = st
                    return st
            lo, hi = year_start_us(year_of_us(a)), year_start_us(year_of_us(b) + 1)
            near = [s for s in self._segments if s.hi >= lo - _NEAR_US and s.lo <= hi + _NEAR_US]
            rest = [s for s in self._segments if s not in near]
            if near:
                lo, hi = min(lo, near[0].lo), max(hi, near[-1].hi)
            intervals: Intervals = []
            cursor = lo
            for seg in near:
                if cursor < seg.lo:
                    intervals = _merge_into(intervals, self._node.intervals(cursor, seg.lo))
                intervals = _merge_into(intervals, list(zip(seg.starts, seg.ends, strict=True)))
                cursor = seg.hi
            if cursor < hi:
                intervals = _merge_into(intervals, self._node.intervals(cursor, hi))
            new = _State(lo, hi, intervals)
            self._segments = tuple(sorted([*rest, new], key=lambda seg: seg.lo))
            self.hot = new
            return new

    def _grow(self, st: _State, forward: bool, years: int) -> _State:
        """Extend a segment by ``years`` years in one direction (bounded by the supported years)."""
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
        self,
        st: _State,
        forward: bool,
        what: str,
        at: int,
        enough: Callable[[_State], bool],
        years_needed: Callable[[_State], int] | None = None,
        *,
        closing: bool = False,
    ) -> _State:
        """Grow a segment from ``at`` until ``enough``: by ``years_needed`` at once, else doubling.

        Gives up with :class:`~itilkit.NoOpenTimeError` after
        :data:`SEARCH_HORIZON_YEARS` of closed time in a row (of open time in
        a row, when looking for a closing), or once the search has reached
        :data:`MAX_QUERY_YEARS` away from ``at``.
        """
        empty = full = 0
        step = 1
        direction = "after" if forward else "before"
        while not enough(st):
            distance = (st.hi - at) if forward else (at - st.lo)
            if self._always and closing:
                raise NoOpenTimeError(
                    f"the window never closes: it is open all the time ({_at(at)})"
                )
            if closing and full >= SEARCH_HORIZON_YEARS:
                raise NoOpenTimeError(
                    f"the window never closes: open without a break for {SEARCH_HORIZON_YEARS} "
                    f"years {direction} {_at(at)}"
                )
            if empty >= SEARCH_HORIZON_YEARS:
                limit = f"{SEARCH_HORIZON_YEARS} years"
            elif distance >= _MAX_QUERY_US:
                limit = f"{MAX_QUERY_YEARS} years (the longest span one query may search)"
            elif self._beyond_extent(st, forward):
                limit = "its last defined period" if forward else "its first defined period"
            else:
                before, width = st.total, st.hi - st.lo
                if years_needed is not None:
                    step = max(step, years_needed(st))
                left = -(-(_MAX_QUERY_US - distance) // _YEAR_US)
                grown = self._grow(st, forward, max(1, min(step, left)))
                if grown is not st:
                    added = (grown.hi - grown.lo) - width
                    gained = grown.total - before
                    years = max(1, added // _YEAR_US)
                    empty = empty + years if gained == 0 else 0
                    full = full + years if gained == added else 0
                    st = grown
                    step = min(step * 2, 64)
                    continue
                limit = f"the supported years ({MIN_YEAR} to {MAX_YEAR})"
            raise NoOpenTimeError(f"the window has no {what} within {limit} {direction} {_at(at)}")
        return st

    def _check_span(self, a: int, b: int) -> None:
        if abs(b - a) > _MAX_QUERY_US:
            raise InvalidValueError(
                "end",
                f"within {MAX_QUERY_YEARS} years of the start",
                str(_shown(max(a, b))),
            )

    def _check_duration(self, duration: int) -> None:
        if duration > _MAX_QUERY_US:
            shown: object = (
                to_timedelta(duration)
                if duration <= _MAX_QUERY_US * 100
                else f"{show(duration)} us"
            )
            raise InvalidValueError("duration", f"at most {MAX_QUERY_YEARS} years", shown)

    @staticmethod
    def _years_for(shortfall: int, st: _State) -> int:
        """Years of compiling likely to cover ``shortfall`` of open time, at the rate seen so far."""
        if shortfall <= 0 or st.total <= 0:
            return 1
        rate_years = -(-shortfall * (st.hi - st.lo) // st.total) // _YEAR_US
        return int(rate_years + rate_years // 8 + 1)

    # -- queries ------------------------------------------------------------

    def business_time(self, a: int, b: int) -> int:
        """Open time between ``a`` and ``b`` (negative when ``b < a``)."""
        st = self.hot
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
            _check_range(start)  # the same years every other query accepts
            return start
        st = self.hot
        if st is not None and st.lo <= start < st.hi:  # the hot path: no growth needed
            target = st.before(start) + duration
            if target <= st.total:
                i = bisect_left(st.cum_end, target)
                return st.starts[i] + (target - st.cum[i])
        self._check_duration(duration)
        st = self.state(start, start)
        st = self._search(
            st,
            True,
            "open time left",
            start,
            lambda s: s.before(start) + duration <= s.total,
            lambda s: self._years_for(s.before(start) + duration - s.total, s),
        )
        target = st.before(start) + duration
        i = bisect_left(st.cum_end, target)
        return st.starts[i] + (target - st.cum[i])

    def subtract(self, end: int, duration: int) -> int:
        """The latest ``t <= end`` with ``business_time(t, end) == duration``."""
        if duration < 0:
            return self.add(end, -duration)
        if duration == 0:
            _check_range(end)
            return end
        self._check_duration(duration)
        st = self.state(end, end)
        st = self._search(
            st,
            False,
            "open time left",
            end,
            lambda s: s.before(end) >= duration,
            lambda s: self._years_for(duration - s.before(end), s),
        )
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

    def last_open(self, t: int) -> int:
        """The latest instant ``<= t`` that is open or ends an open period (``t`` if open)."""
        st = self.state(t, t)
        st = self._search(st, False, "opening", t, lambda s: bool(s.starts) and s.starts[0] <= t)
        i = bisect_right(st.starts, t) - 1
        return t if t < st.ends[i] else st.ends[i]

    def next_close(self, t: int) -> int:
        """The end of the open period containing ``t``, or of the next one if closed at ``t``."""
        st = self.state(t, t)
        st = self._search(
            st, True, "closing", t, lambda s: _closing_after(s, t) is not None, closing=True
        )
        closing = _closing_after(st, t)
        assert closing is not None
        return closing

    def open_day(self, t: int, n: int, tz: Zone, local: date | None = None) -> date:
        """The ``n``-th local day after (``n > 0``) or before (``n < 0``) ``t``'s with open time.

        ``local`` is ``t``'s local date when the caller has it already.
        """
        if abs(n) > MAX_QUERY_DAYS:
            raise InvalidValueError(
                "days", f"at most {MAX_QUERY_DAYS} days either way ({MAX_QUERY_YEARS} years)", n
            )
        day0 = (local_date(t, tz) if local is None else local).toordinal()
        forward = n > 0

        def find(s: _State) -> int | None:
            days = s.open_days(tz)
            i = bisect_right(days, day0) + n - 1 if forward else bisect_left(days, day0) + n
            return days[i] if 0 <= i < len(days) else None

        def years_needed(s: _State) -> int:
            days = s.open_days(tz)
            have = len(days) - bisect_right(days, day0) if forward else bisect_left(days, day0)
            if not days:
                return 1
            per_year = max(1, len(days) * _YEAR_US // (s.hi - s.lo))
            return int((abs(n) - have) // per_year + 2)

        st = self.state(t, t)
        found = find(st)
        if found is None:
            st = self._search(
                st, forward, "open day", t, lambda s: find(s) is not None, years_needed
            )
            found = find(st)
            assert found is not None
        return date.fromordinal(found)

    def add_days(self, start: int, n: int, tz: Zone) -> int:
        """Business days: the same local time on the ``n``-th day with open time, into open time.

        ``n == 0`` moves ``start`` forward into open time; ``n > 0`` lands on
        or after the opening at that local time of the ``n``-th following day
        with open time; ``n < 0`` counts days back and moves back into open
        time (the latest open instant at or before that local time), so the
        result is never after ``start``.
        """
        if n == 0:
            return self.next_open(start)
        local = local_datetime(start, tz)
        clock = time(local.hour, local.minute, local.second, local.microsecond)
        day = self.open_day(start, n, tz, local.date())
        target = boundary_to_us(datetime.combine(day, clock), tz)
        if n > 0:
            return max(self.next_open(target), start)
        return min(self.last_open(target), start)

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
        st = self.hot
        if st is None or not (st.lo <= lo and hi < st.hi):
            _check_range(lo)
            _check_range(hi)
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
