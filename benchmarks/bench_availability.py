"""Benchmark: availability over many outages, overload detection over a year of samples.

Run: ``PYTHONPATH=src python benchmarks/bench_availability.py``

* ``measure_availability`` over 100,000 random outages (random impacts from
  a small set, overlapping freely, some planned) in a year of weekday
  business hours with holidays;
* ``find_overloads`` and ``recurring_overloads`` over a year of per-minute
  load samples (525,600, float values) with a weekday 18:00-22:00 peak.

Each figure is the best of several runs (the machine is shared).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import itilkit
from itilkit import (
    Outage,
    ServiceWindow,
    find_overloads,
    measure_availability,
    recurring_overloads,
)


def best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def outages(n: int, seed: int = 1) -> list[Outage]:
    rng = random.Random(seed)
    year = datetime(2026, 1, 1, tzinfo=UTC)
    impacts = [Fraction(1), Fraction(1, 2), Fraction(1, 4), "10%"]
    out = []
    for i in range(n):
        start = year + timedelta(seconds=rng.randrange(365 * 86_400))
        end = start + timedelta(seconds=rng.randrange(1, 4 * 3_600))
        out.append(
            Outage(start, end, impact=rng.choice(impacts), planned=rng.random() < 0.02, id=str(i))
        )
    return out


def samples() -> list[tuple[datetime, float]]:
    rng = random.Random(2)
    tz = itilkit._time.zone("Asia/Seoul")
    start = datetime(2026, 1, 1, tzinfo=tz)
    out = []
    for minute in range(525_600):
        t = start + timedelta(minutes=minute)
        local = t  # fixed +09:00 zone: wall clock = start + minutes
        hot = local.weekday() < 5 and 18 <= local.hour < 22
        out.append((t, 0.97 + rng.random() * 0.02 if hot else 0.3 + rng.random() * 0.4))
    return out


def main() -> None:
    window = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
    data = outages(100_000)
    args = {"window": window, "start": "2026-01-01T00:00+09:00", "end": "2027-01-01T00:00+09:00"}
    report = measure_availability(data, **args)
    t_measure = best_of(3, lambda: measure_availability(data, **args))
    t_months = best_of(3, lambda: report.by_month())
    series = samples()
    t_find = best_of(3, lambda: find_overloads(series, threshold="0.9"))
    t_recurring = best_of(3, lambda: recurring_overloads(series, threshold="0.9", tz="Asia/Seoul"))
    patterns = recurring_overloads(series, threshold="0.9", tz="Asia/Seoul")
    print(f"measure_availability, 100,000 outages, 1 year: {t_measure * 1000:.0f} ms")
    print(f"report.by_month() of it (12 months):          {t_months * 1000:.0f} ms")
    print(f"find_overloads, 525,600 samples:               {t_find * 1000:.0f} ms")
    print(f"recurring_overloads, 525,600 samples:          {t_recurring * 1000:.0f} ms")
    print(f"  found: {[p.spec for p in patterns]}")


if __name__ == "__main__":
    main()
