"""Scalar business time against the pure-Python limit, interleaved in one process.

Run from the repository root (after ``pip install -e ".[test]"``)::

    python benchmarks/bench_limit.py              # the figures in docs/performance.md
    python benchmarks/bench_limit.py --quick      # a smaller run

The *limit* is the least work a pure-Python call can do for the same question:
one function frame, the window's open periods precompiled into integer lists
(microseconds since the epoch) with their prefix sums, the two aware
datetimes turned into microseconds inline, two ``bisect`` calls, and the
result built once (a ``timedelta``, or a pendulum ``DateTime`` in the window's
zone built positionally from the standard library's local time). It takes the
same inputs and returns the same values as itilkit but checks nothing: no
naive datetimes, no strings, no range, no growth beyond the precompiled years.

itilkit and the limit run on the same inputs in alternating rounds (itilkit,
limit, itilkit, limit, ...), so both see the same machine; the script prints
the best round of each and the median of the per-round ratios. It checks the
answers agree before it prints any speed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pendulum

import itilkit

TZ = "Asia/Seoul"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_sub = datetime.__sub__


def limit_functions(
    window: itilkit.ServiceWindow, first: datetime, last: datetime
) -> tuple[Callable[[datetime, datetime], timedelta], Callable[[datetime, timedelta], Any]]:
    """The limit's ``business_time`` and ``add`` over the open periods in ``[first, last)``."""
    spans = window.spans_us(window_us(first), window_us(last))
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    cum: list[int] = []
    total = 0
    for s, e in spans:
        cum.append(total)
        total += e - s
    cum_end = [c + e - s for c, s, e in zip(cum, starts, ends, strict=True)]
    tz = pendulum.timezone(TZ)
    make = pendulum.DateTime

    def business_time(start: datetime, end: datetime) -> timedelta:
        d = _sub(start, EPOCH)
        a = (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
        d = _sub(end, EPOCH)
        b = (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
        i = bisect_right(starts, a) - 1
        e = ends[i]
        before_a = cum[i] + (a if a < e else e) - starts[i]
        i = bisect_right(starts, b) - 1
        e = ends[i]
        before_b = cum[i] + (b if b < e else e) - starts[i]
        return timedelta(0, 0, before_b - before_a)

    def add(start: datetime, duration: timedelta) -> Any:
        d = _sub(start, EPOCH)
        a = (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
        i = bisect_right(starts, a) - 1
        e = ends[i]
        target = (
            cum[i]
            + (a if a < e else e)
            - starts[i]
            + (duration.days * 86_400 + duration.seconds) * 1_000_000
            + duration.microseconds
        )
        i = bisect_left(cum_end, target)
        local = (EPOCH + timedelta(0, 0, starts[i] + target - cum[i])).astimezone(tz)
        if local.fold:
            return make(
                local.year,
                local.month,
                local.day,
                local.hour,
                local.minute,
                local.second,
                local.microsecond,
                tzinfo=tz,
                fold=1,
            )
        return make(
            local.year,
            local.month,
            local.day,
            local.hour,
            local.minute,
            local.second,
            local.microsecond,
            tz,
        )

    return business_time, add


def window_us(moment: datetime) -> int:
    d = _sub(moment, EPOCH)
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def random_pairs(n: int, *, as_pendulum: bool, seed: int = 7) -> list[tuple[datetime, datetime]]:
    """Random starts in 2026 (to the microsecond) and ends up to ten days later, in Seoul."""
    rng = random.Random(seed)
    zone: Any = pendulum.timezone(TZ) if as_pendulum else ZoneInfo(TZ)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    pairs = []
    for _ in range(n):
        start = (base + timedelta(microseconds=rng.randrange(364 * 86_400 * 10**6))).astimezone(
            zone
        )
        end = (start + timedelta(microseconds=rng.randrange(10 * 86_400 * 10**6))).astimezone(zone)
        if as_pendulum:
            start, end = pendulum.instance(start), pendulum.instance(end)
        pairs.append((start, end))
    return pairs


def interleaved(
    label: str,
    rounds: int,
    ours: Callable[[], object],
    limit: Callable[[], object],
    n: int,
) -> float:
    """Alternate the two loops ``rounds`` times; print the best of each and the median ratio."""
    ours_times: list[float] = []
    limit_times: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        ours()
        ours_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        limit()
        limit_times.append(time.perf_counter() - started)
    ratio = statistics.median(o / li for o, li in zip(ours_times, limit_times, strict=True))
    print(
        f"  {label:<44} itilkit {min(ours_times) / n * 1e9:7.0f} ns/call"
        f"   limit {min(limit_times) / n * 1e9:7.0f} ns/call   ratio {ratio:.3f}x"
    )
    return ratio


def run(
    pairs: Sequence[tuple[datetime, datetime]], label: str, rounds: int
) -> tuple[float, float]:
    window = itilkit.ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz=TZ, holidays="KR")
    first = datetime(2025, 1, 1, tzinfo=UTC)
    last = datetime(2028, 1, 1, tzinfo=UTC)
    window.business_time(first, last)  # compile the same years the limit precompiles
    limit_bt, limit_add = limit_functions(window, first, last)
    durations = [end - start for start, end in pairs]
    starts = [start for start, _ in pairs]

    ours_bt = window.business_time
    ours_add = window.add
    for (start, end), duration in zip(pairs, durations, strict=True):
        expected = ours_bt(start, end)
        if limit_bt(start, end) != expected:
            raise SystemExit(f"business_time disagrees on {start} - {end}")
        due = ours_add(start, duration)
        other = limit_add(start, duration)
        if due != other or repr(due) != repr(other):
            raise SystemExit(f"add disagrees on {start} + {duration}: {due!r} vs {other!r}")

    n = len(pairs)
    bt = interleaved(
        f"business_time(start, end), {label}",
        rounds,
        lambda: [ours_bt(a, b) for a, b in pairs],
        lambda: [limit_bt(a, b) for a, b in pairs],
        n,
    )
    add = interleaved(
        f"add(start, timedelta), {label}",
        rounds,
        lambda: [ours_add(a, d) for a, d in zip(starts, durations, strict=True)],
        lambda: [limit_add(a, d) for a, d in zip(starts, durations, strict=True)],
        n,
    )
    return bt, add


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    args = parser.parse_args()
    n = 20_000 if args.quick else 100_000
    rounds = 5 if args.quick else 15
    print(f"{n:,} calls a round, {rounds} rounds each, interleaved; Mon-Fri 09:00-18:00 {TZ} + KR")
    results = {}
    for label, as_pendulum in (("zoneinfo datetimes", False), ("pendulum DateTimes", True)):
        results[label] = run(random_pairs(n, as_pendulum=as_pendulum), label, rounds)
    print("targets: business_time within 1.10x of the limit, add within 1.20x")
    for label, (bt, add) in results.items():
        verdict_bt = "met" if bt <= 1.10 else "NOT met"
        verdict_add = "met" if add <= 1.20 else "NOT met"
        print(f"  {label}: business_time {bt:.3f}x ({verdict_bt}), add {add:.3f}x ({verdict_add})")


if __name__ == "__main__":
    main()
