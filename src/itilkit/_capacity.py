"""Capacity: when load runs above a threshold, and when it does so again and again.

ITIL's capacity management makes sure a service has the capacity to meet
agreed demand, now and in the future; its raw material is load measured
over time. Here load arrives as **samples**: ``(instant, value)`` pairs, each
value holding from its instant until the next sample's. The series ends at
``end=`` when given; otherwise the last sample closes the series and holds no
time (it only marks where the previous value stops).

* :func:`find_overloads` returns the periods during which the load was
  strictly above a threshold, as :class:`~itilkit.Span` objects.
* :func:`recurring_overloads` folds those periods onto the week, in a
  time zone, and reports the times of day that run hot on most occurrences
  of a weekday: the seed's "for four hours after 18:00 on weekdays the
  servers run at 99% load" becomes ``RecurringOverload(days=(0, 1, 2, 3, 4),
  start=18:00, end=22:00, ...)``, whose ``spec`` ``"Mon-Fri 18:00-22:00"``
  feeds straight back into :meth:`~itilkit.ServiceWindow.weekly`.

Comparisons are exact, and thresholds and samples follow itilkit's one
ratio convention: a threshold is ``"90%"`` or a ratio from 0 to 1
(``"0.9"``, ``0.9``, ``Fraction(9, 10)``, ``Decimal("0.9")``); a float is read
through its shortest repr, so ``0.9`` is exactly 9/10 and a sample of
``0.9`` is not above a ``"90%"`` threshold. Samples are ratios from 0 to 1
unless ``unit="%"`` says they are percentages (0 to 100 and beyond); a sample
above 1 without it is refused, naming the sample, rather than misread.
"""

from __future__ import annotations

import math
import numbers
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, NoReturn, TypeAlias

import attrs

from ._errors import ChronologyError, InvalidValueError
from ._index import MAX_QUERY_DAYS, MAX_QUERY_YEARS
from ._ratio import RatioLike, exact_decimal, float_ratio, format_percent, parse_ratio
from ._spec import DAY_NAMES
from ._time import (
    EPOCH,
    US_PER_DAY,
    boundary_to_us,
    from_us,
    td_us,
    to_duration_us,
    to_us,
    zone,
    zone_name,
)
from ._window import ServiceWindow, Span

__all__ = ["RecurringOverload", "find_overloads", "load_grid", "recurring_overloads"]

Value: TypeAlias = int | float | Fraction | Decimal
ThresholdLike: TypeAlias = RatioLike

_US_PER_SECOND = 1_000_000
_DAY_SECONDS = 86_400
_dt_sub = datetime.__sub__


Unit: TypeAlias = Literal["ratio", "%"]
_UNITS: tuple[Unit, ...] = ("ratio", "%")


def threshold_of(value: object) -> Fraction:
    """A load threshold, read by the one ratio convention (``"90%"``, ``"0.9"``, ``0.9``)."""
    return parse_ratio(value, "threshold")


def unit_of(value: object) -> Unit:
    """``"ratio"`` (samples from 0 to 1) or ``"%"`` (samples from 0 to 100)."""
    for unit in _UNITS:
        if value == unit:
            return unit
    raise InvalidValueError("unit", "one of 'ratio', '%'", value)


def exact_sample(value: Value) -> Fraction:
    """The exact value of a checked sample, in its own unit: floats by their shortest repr."""
    if isinstance(value, float):
        return float_ratio(value)
    if isinstance(value, numbers.Real) and type(value).__module__ == "numpy":
        return float_ratio(float(str(value)))  # a float32 by its own shortest repr
    return Fraction(value)


def sample_ratio(value: Value, unit: Unit) -> Fraction:
    """The exact load ratio a checked sample value stands for (``unit="%"``: value / 100)."""
    ratio = exact_sample(value)
    return ratio / 100 if unit == "%" else ratio


class Above:
    """``sample > threshold``, exactly and fast, with every sample checked on the way.

    Samples are read as the threshold is: a float by its shortest repr (0.9
    is exactly 9/10, so a sample of 0.9 is not above a 90% threshold). With
    ``unit="ratio"`` a sample above 1 is refused (it is a percentage without
    ``unit="%"``); with ``unit="%"`` samples are percentages of 0 or more.
    """

    __slots__ = ("ceiling", "float_bound", "int_bound", "limit", "unit")

    def __init__(self, threshold: Fraction, unit: Unit) -> None:
        self.unit = unit
        self.limit = threshold * 100 if unit == "%" else threshold
        self.ceiling = None if unit == "%" else 1
        self.int_bound = self.limit.numerator // self.limit.denominator  # floor
        self.float_bound = _float_bound(self.limit)

    def _refuse(self, value: object, field: str) -> NoReturn:
        if self.ceiling is not None and _is_number(value) and value > self.ceiling:  # type: ignore[operator]
            raise InvalidValueError(
                field, "a load ratio from 0 to 1 (for percentages pass unit='%')", value
            )
        raise InvalidValueError(field, "a load of 0 or more (a finite number)", value)

    def __call__(self, value: object, field: str) -> bool:
        kind = type(value)
        if kind is float:
            if not 0.0 <= value <= (math.inf if self.ceiling is None else 1.0):  # type: ignore[operator]
                self._refuse(value, field)  # NaN fails every comparison
            if value == math.inf:
                self._refuse(value, field)
            return value > self.float_bound  # type: ignore[operator]
        if kind is int:
            if value < 0 or (self.ceiling is not None and value > 1):  # type: ignore[operator]
                self._refuse(value, field)
            return value > self.int_bound  # type: ignore[operator]
        if isinstance(value, bool):
            raise InvalidValueError(field, "a number (int, float, Fraction or Decimal)", value)
        if isinstance(value, Fraction | numbers.Integral):
            exact = Fraction(value)
        elif isinstance(value, Decimal):
            if not value.is_finite():
                self._refuse(value, field)
            if self.ceiling is not None and value > self.ceiling:
                self._refuse(value, field)
            exact = exact_decimal(value, field)
        elif isinstance(value, float):
            return self(float(value), field)
        elif isinstance(value, numbers.Real) and type(value).__module__ == "numpy":
            return self(float(str(value)), field)  # a float32 by its own shortest repr
        else:
            raise InvalidValueError(field, "a number (int, float, Fraction or Decimal)", value)
        if exact < 0 or (self.ceiling is not None and exact > self.ceiling):
            self._refuse(value, field)
        return exact > self.limit


def _is_number(value: object) -> bool:
    if isinstance(value, float):
        return not math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, numbers.Real)


def _float_bound(limit: Fraction) -> float:
    """The largest float whose shortest repr is at or below ``limit``.

    A float sample is above ``limit`` iff it is above this float: shortest
    reprs keep the order of the floats they write.
    """
    try:
        bound = float(limit)
    except OverflowError:
        return math.inf
    while bound > -math.inf and float_ratio(bound) > limit:
        bound = math.nextafter(bound, -math.inf)
    while True:
        up = math.nextafter(bound, math.inf)
        if up == math.inf or float_ratio(up) > limit:
            return bound
        bound = up


def _sample_us(instant: object, field: str) -> int:
    try:
        delta: timedelta = _dt_sub(instant, EPOCH)  # type: ignore[call-overload]
    except TypeError:
        return to_us(instant, field)  # a string, or a naive datetime: the precise error
    return td_us(delta)


@attrs.frozen
class Series:
    """Checked samples: instants (microseconds), values, hot flags, the end and the zone."""

    times: list[int]
    values: list[Any]
    hot: list[bool]
    end: int
    tz: tzinfo
    unit: Unit = "ratio"


def series_of(
    samples: Iterable[object], threshold: object, end: object, unit: object = "ratio"
) -> Series:
    """Checked samples with their hot flags (strictly above ``threshold``)."""
    above = Above(threshold_of(threshold), unit_of(unit))
    times: list[int] = []
    values: list[Any] = []
    hot: list[bool] = []
    first_tz: tzinfo | None = None
    last = None
    previous: object = None
    instant: Any
    value: Any
    for i, pair in enumerate(samples):
        try:
            instant, value = pair  # type: ignore[misc]
        except (TypeError, ValueError):
            raise InvalidValueError(f"samples[{i}]", "an (instant, value) pair", pair) from None
        field = f"samples[{i}]"
        t = _sample_us(instant, field)
        if last is not None and t <= last:
            raise ChronologyError(
                field, instant, f"the sample before it ({previous})", strict=True
            )
        previous = instant
        if first_tz is None:
            first_tz = (
                instant.tzinfo
                if isinstance(instant, datetime)
                else datetime.fromisoformat(str(instant).strip()).tzinfo
            )
        last = t
        times.append(t)
        values.append(value)
        hot.append(above(value, field))
    if end is None:
        end_us = times[-1] if times else 0
    else:
        end_us = to_us(end, "end")
        if times and end_us < times[-1]:
            raise InvalidValueError("end", "at or after the last sample", end)
    return Series(times, values, hot, end_us, first_tz or UTC, above.unit)


def check_span(series: Series) -> None:
    """Refuse samples spanning more than a query may (the engine's bound): the weekly
    analysis looks at every local day they cover."""
    if series.times and series.end - series.times[0] > MAX_QUERY_DAYS * US_PER_DAY:
        raise InvalidValueError(
            "samples",
            f"samples covering at most {MAX_QUERY_YEARS} years",
            f"{from_us(series.times[0], UTC).isoformat()} to {from_us(series.end, UTC).isoformat()}",
        )


def _runs(series: Series, min_us: int) -> list[tuple[int, int]]:
    """Maximal periods of hot samples, as (start, end) microseconds."""
    times, hot = series.times, series.hot
    out: list[tuple[int, int]] = []
    n = len(times)
    i = 0
    while i < n:
        if not hot[i]:
            try:
                i = hot.index(True, i)
            except ValueError:
                break
        try:
            j = hot.index(False, i)
        except ValueError:
            j = n
        start = times[i]
        stop = times[j] if j < n else series.end
        if stop > start and stop - start >= min_us:
            out.append((start, stop))
        i = j
    return out


def _min_duration(value: object) -> int:
    if value is None:
        return 0
    us = to_duration_us(value, "min_duration")
    if us < 0:
        raise InvalidValueError("min_duration", "a duration of zero or more", value)
    return us


def find_overloads(
    samples: Iterable[tuple[datetime | str, Value]],
    *,
    threshold: ThresholdLike,
    min_duration: timedelta | str | None = None,
    end: datetime | str | None = None,
    tz: str | tzinfo | None = None,
    unit: Unit = "ratio",
) -> tuple[Span, ...]:
    """The periods during which the load was strictly above ``threshold``.

    Each sample's value holds until the next sample; the last one holds until
    ``end`` (default: it closes the series and holds no time). Consecutive
    samples above the threshold make one period. Periods shorter than
    ``min_duration`` are left out. Spans are given in ``tz`` (default: the
    first sample's zone). ``threshold`` is ``"90%"`` or a ratio such as
    ``0.9``; samples are ratios from 0 to 1, or percentages with ``unit="%"``.

    >>> samples = [("2026-03-02T18:00+09:00", 0.99), ("2026-03-02T18:30+09:00", 0.95),
    ...            ("2026-03-02T19:00+09:00", 0.5), ("2026-03-02T19:30+09:00", 0.97)]
    >>> [(s.start.isoformat(), s.duration) for s in find_overloads(samples, threshold="90%")]
    [('2026-03-02T18:00:00+09:00', datetime.timedelta(seconds=3600))]
    """
    series = series_of(samples, threshold, end, unit)
    out_tz = series.tz if tz is None else zone(tz)
    return tuple(
        Span(from_us(s, out_tz), from_us(e, out_tz))
        for s, e in _runs(series, _min_duration(min_duration))
    )


def _clock(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _day_list(days: tuple[int, ...]) -> str:
    """``Mon-Fri``, ``Mon,Wed``, ``Mon-Wed,Fri``: runs of consecutive days."""
    parts: list[str] = []
    run: list[int] = []
    for d in days:
        if run and d == run[-1] + 1:
            run.append(d)
            continue
        if run:
            parts.append(_run_text(run))
        run = [d]
    if run:
        parts.append(_run_text(run))
    return ",".join(parts)


def _run_text(run: list[int]) -> str:
    if len(run) == 1:
        return DAY_NAMES[run[0]]
    if len(run) == 2:
        return f"{DAY_NAMES[run[0]]},{DAY_NAMES[run[1]]}"
    return f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}"


def _time_of(seconds: int) -> time:
    seconds %= _DAY_SECONDS
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


@attrs.frozen
class RecurringOverload:
    """A time of day that runs hot on the same weekdays, week after week.

    ``days`` are weekday numbers (0 = Monday); ``start`` and ``end`` are wall
    clock times in ``tz`` (an ``end`` of ``00:00`` means midnight at the end
    of the day); ``occurrences`` counts the days on which the load was above
    the threshold in that time range; ``peak`` is the highest load seen
    there, as an exact ratio (a sample of 99 with ``unit="%"`` is 99/100).

    >>> from datetime import time
    >>> r = RecurringOverload((0, 1, 2, 3, 4), time(18), time(22), 22, Fraction(99, 100), "Asia/Seoul")
    >>> r.spec
    'Mon-Fri 18:00-22:00'
    >>> r.window.business_time("2026-03-02T00:00+09:00", "2026-03-03T00:00+09:00")
    datetime.timedelta(seconds=14400)
    """

    days: tuple[int, ...]
    start: time
    end: time
    occurrences: int
    peak: Fraction
    tz: str

    @property
    def spec(self) -> str:
        """A spec for :meth:`ServiceWindow.weekly <itilkit.ServiceWindow.weekly>`."""
        start = self.start.hour * 3600 + self.start.minute * 60 + self.start.second
        end = self.end.hour * 3600 + self.end.minute * 60 + self.end.second
        end_text = "24:00" if end == 0 else _clock(end)
        return f"{_day_list(self.days)} {_clock(start)}-{end_text}"

    @property
    def window(self) -> ServiceWindow:
        """The pattern as a weekly window in its zone (to plan capacity, or a change freeze)."""
        return ServiceWindow.weekly(self.spec, tz=self.tz)

    def __str__(self) -> str:
        return (
            f"{self.spec} ({self.tz}): {self.occurrences} occurrences,"
            f" peak {format_percent(self.peak)}"
        )


def _wall(us: int, tz: tzinfo) -> tuple[date, int, int]:
    """Local date, wall-clock seconds since midnight and leftover microseconds of an instant."""
    local = from_us(us, tz)
    return local.date(), local.hour * 3600 + local.minute * 60 + local.second, local.microsecond


def _wall_us(day: date, seconds: int, tz: tzinfo) -> int:
    """The instant at a wall-clock time of a local date (the window-boundary DST rule)."""
    day += timedelta(days=seconds // _DAY_SECONDS)
    return boundary_to_us(
        datetime.combine(day, time()) + timedelta(seconds=seconds % _DAY_SECONDS), tz
    )


def _pieces(
    runs: list[tuple[int, int]], tz: tzinfo
) -> dict[int, dict[date, list[tuple[int, int]]]]:
    """Overload runs cut at local midnights: weekday -> date -> [(start, end) wall seconds].

    Starts are floored and ends ceiled to whole seconds (outward).
    """
    out: dict[int, dict[date, list[tuple[int, int]]]] = {d: {} for d in range(7)}
    for s, e in runs:
        cur = s
        while cur < e:
            day, start_s, _ = _wall(cur, tz)
            next_midnight = _wall_us(day, _DAY_SECONDS, tz)
            stop = min(e, next_midnight)
            if stop == next_midnight:
                end_s = _DAY_SECONDS
            else:
                _, end_s, micro = _wall(stop, tz)
                end_s += 1 if micro else 0
            if end_s > start_s:
                out[day.weekday()].setdefault(day, []).append((start_s, end_s))
            cur = stop
    return out


def _regions(by_date: dict[date, list[tuple[int, int]]], needed: int) -> list[tuple[int, int]]:
    """Wall-clock ranges covered on at least ``needed`` of the dates."""
    events: list[tuple[int, int]] = []
    for ranges in by_date.values():
        for s, e in ranges:
            events.append((s, 1))
            events.append((e, -1))
    events.sort()
    out: list[tuple[int, int]] = []
    count = 0
    open_at: int | None = None
    i = 0
    while i < len(events):
        t = events[i][0]
        while i < len(events) and events[i][0] == t:
            count += events[i][1]
            i += 1
        if count >= needed and open_at is None:
            open_at = t
        elif count < needed and open_at is not None:
            out.append((open_at, t))
            open_at = None
    return out


def recurring_overloads(
    samples: Iterable[tuple[datetime | str, Value]],
    *,
    threshold: ThresholdLike,
    tz: str | tzinfo,
    min_occurrences: int | None = None,
    min_duration: timedelta | str | None = None,
    end: datetime | str | None = None,
    unit: Unit = "ratio",
) -> tuple[RecurringOverload, ...]:
    """Times of day that run above ``threshold`` on the same weekdays again and again.

    The overload periods (see :func:`find_overloads`) are cut at local
    midnights in ``tz``; for each weekday, the wall-clock ranges that were
    overloaded on at least ``min_occurrences`` of its dates form a pattern
    (default: on more than half of the dates of that weekday the samples
    cover, and at least two). Weekdays with the same range are reported
    together. A pattern across midnight is reported as two parts, one per day.

    >>> import pendulum
    >>> start = pendulum.datetime(2026, 3, 2, tz="Asia/Seoul")
    >>> samples = [(start.add(hours=h), 99 if 18 <= h % 24 < 22 and h // 24 % 7 < 5 else 40)
    ...            for h in range(28 * 24)]
    >>> [p.spec for p in recurring_overloads(samples, threshold="90%", tz="Asia/Seoul", unit="%")]
    ['Mon-Fri 18:00-22:00']
    """
    series = series_of(samples, threshold, end, unit)
    zone_ = zone(tz)
    if min_occurrences is not None and (
        isinstance(min_occurrences, bool)
        or not isinstance(min_occurrences, int)
        or min_occurrences < 1
    ):
        raise InvalidValueError("min_occurrences", "a positive int", min_occurrences)
    check_span(series)
    runs = _runs(series, _min_duration(min_duration))
    if not series.times or not runs:
        return ()
    first_day = from_us(series.times[0], zone_).date()
    last_day = from_us(max(series.end - 1, series.times[0]), zone_).date()
    observed = [0] * 7
    span_days = (last_day - first_day).days + 1
    for offset in range(min(span_days, 7)):
        wd = (first_day + timedelta(days=offset)).weekday()
        observed[wd] = (span_days - offset + 6) // 7
    pieces = _pieces(runs, zone_)
    grouped: dict[tuple[int, int], list[tuple[int, int, Any]]] = {}
    for wd in range(7):
        by_date = pieces[wd]
        needed = min_occurrences if min_occurrences is not None else max(2, observed[wd] // 2 + 1)
        for rs, re_ in _regions(by_date, needed):
            dates = [
                d for d, ranges in by_date.items() if any(s < re_ and e > rs for s, e in ranges)
            ]
            peak = _peak(series, dates, rs, re_, zone_)
            grouped.setdefault((rs, re_), []).append((wd, len(dates), peak))
    out = [
        RecurringOverload(
            days=tuple(wd for wd, _, _ in members),
            start=_time_of(rs),
            end=_time_of(re_),
            occurrences=sum(n for _, n, _ in members),
            peak=sample_ratio(max(p for _, _, p in members), series.unit),
            tz=zone_name(zone_),
        )
        for (rs, re_), members in grouped.items()
    ]
    out.sort(key=lambda r: (r.days, r.start))
    return tuple(out)


def _peak(series: Series, dates: list[date], rs: int, re_: int, tz: tzinfo) -> Any:
    """The highest overloaded sample value inside the range on those dates."""
    best: Any = None
    times, values, hot = series.times, series.values, series.hot
    for day in dates:
        lo = _wall_us(day, rs, tz)
        hi = _wall_us(day, re_, tz)
        i = max(bisect_right(times, lo) - 1, 0)
        j = bisect_left(times, hi)
        for k in range(i, j):
            if hot[k] and (best is None or values[k] > best):
                best = values[k]
    return best


def load_grid(
    samples: Iterable[tuple[datetime | str, Value]],
    *,
    tz: str | tzinfo,
    end: datetime | str | None = None,
    unit: Unit = "ratio",
) -> list[list[Fraction | None]]:
    """Time-weighted mean load per (weekday, hour) in ``tz``: 7 rows (Mon..Sun) of 24 cells.

    Each sample holds until the next one (the last until ``end``), as in
    :func:`~itilkit.find_overloads`; a stretch is split at local hour
    boundaries and each piece weighs its length. A cell no sample covers is
    ``None``. Exact; with ``unit="%"`` the cells stay in percent.

    >>> import pendulum
    >>> start = pendulum.datetime(2026, 3, 2, 9, tz="Asia/Seoul")  # a Monday
    >>> grid = load_grid([(start, 0.5), (start.add(minutes=30), 0.9)], tz="Asia/Seoul",
    ...                  end=start.add(hours=1))
    >>> grid[0][9], grid[0][10], grid[1][9]
    (Fraction(7, 10), None, None)
    """
    series = series_of(samples, 0, end, unit)
    check_span(series)
    zone_ = zone(tz)
    sums = [[Fraction(0)] * 24 for _ in range(7)]
    weights = [[0] * 24 for _ in range(7)]
    times, values = series.times, series.values
    for i, cur in enumerate(times):
        stop = times[i + 1] if i + 1 < len(times) else series.end
        value = exact_sample(values[i])
        while cur < stop:
            local = from_us(cur, zone_)
            into = (local.minute * 60 + local.second) * 1_000_000 + local.microsecond
            nxt = min(cur + 3_600_000_000 - into, stop)
            sums[local.weekday()][local.hour] += value * (nxt - cur)
            weights[local.weekday()][local.hour] += nxt - cur
            cur = nxt
    return [
        [None if weights[d][h] == 0 else sums[d][h] / weights[d][h] for h in range(24)]
        for d in range(7)
    ]
