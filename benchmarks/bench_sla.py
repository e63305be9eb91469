"""Benchmark: SLA compliance over 100,000 incidents, and single clock readings.

Run: ``PYTHONPATH=src python benchmarks/bench_sla.py`` (``--n 10000`` for a
quicker run).

Each incident is opened at a random instant of 2026, answered within 0-3 h,
resolved 1-30 h later; 30% are put on hold for up to 3 days on the way, 10%
are reopened and resolved again, 5% are still open, 2% are cancelled, and 10%
are reprioritised (a few transitions each, as in real logs). They are read
as of 1 January 2027 against:

* a business-hours SLA (Mon-Fri 08:00-17:00 Europe/Berlin, German holidays)
  with response and resolution targets per priority;
* the same targets on a 24x7 window.

Building the incidents is not timed. Each figure is the best of several
runs (the machine is shared).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from itilkit import SLA, Incident, ServiceWindow, Target

TARGETS = [
    Target("response", "PT15M", priority="P1"),
    Target("resolution", "PT4H", priority="P1"),
    Target("response", "PT1H", priority="P2"),
    Target("resolution", "PT8H", priority="P2"),
    Target("response", "PT4H"),
    Target("resolution", "P3D"),
]
LEVELS = ("high", "medium", "low")


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def incidents(n: int, seed: int = 4) -> list[Incident]:
    rng = random.Random(seed)
    year = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        at = year + timedelta(seconds=rng.randrange(360 * 86_400))
        inc = Incident.open(
            f"INC{i:07d}", at=at, impact=rng.choice(LEVELS), urgency=rng.choice(LEVELS)
        )
        roll = rng.random()
        if roll < 0.02:
            out.append(inc.cancel(at=at + timedelta(minutes=rng.randrange(1, 120))))
            continue
        at += timedelta(seconds=rng.randrange(1, 3 * 3_600))
        inc = inc.start_work(at=at)
        if rng.random() < 0.10:
            inc = inc.reprioritize(at=at, impact=rng.choice(LEVELS))
        if rng.random() < 0.30:
            at += timedelta(seconds=rng.randrange(1, 8 * 3_600))
            inc = inc.hold(at=at, reason="awaiting_caller")
            at += timedelta(seconds=rng.randrange(1, 3 * 86_400))
            inc = inc.resume(at=at)
        if roll < 0.07:
            out.append(inc)  # still open
            continue
        at += timedelta(seconds=rng.randrange(3_600, 30 * 3_600))
        inc = inc.resolve(at=at)
        if rng.random() < 0.10:
            at += timedelta(seconds=rng.randrange(3_600, 86_400))
            inc = inc.reopen(at=at)
            at += timedelta(seconds=rng.randrange(600, 8 * 3_600))
            inc = inc.resolve(at=at)
        out.append(inc)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    fleet = incidents(args.n)
    built = time.perf_counter() - t0
    steps = sum(len(inc.history) + len(inc.priority_history) - 1 for inc in fleet)
    print(f"built {args.n:,} incidents ({steps:,} transitions) in {built:.1f} s (not timed below)")

    as_of = "2027-01-01T00:00+00:00"
    office = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
    slas = {
        "business hours (Mon-Fri 08-17, DE holidays)": SLA(
            "Office", window=office, targets=TARGETS
        ),
        "24x7": SLA("Always", window=ServiceWindow.always(tz="UTC"), targets=TARGETS),
    }
    sample = fleet[: max(1, args.n // 10)]
    rows = []
    for label, sla in slas.items():
        sla.compliance(fleet[:100], as_of=as_of)  # warm the window's index
        report = sla.compliance(fleet, as_of=as_of)
        seconds = best_of(args.runs, lambda sla=sla: sla.compliance(fleet, as_of=as_of))
        rows.append((f"compliance, {label}", args.n, seconds, report))

        def read(sla: SLA = sla) -> None:
            for inc in sample:
                sla.clock(inc, "response", as_of=as_of)
                sla.clock(inc, "resolution", as_of=as_of)

        rows.append(
            (f"clock() x2 per incident, {label}", len(sample), best_of(args.runs, read), None)
        )

    print(f"\n{'what':<68} {'incidents':>10} {'seconds':>8} {'per incident':>13}")
    for what, count, seconds, report in rows:
        print(f"{what:<68} {count:>10,} {seconds:>8.2f} {seconds / count * 1e6:>10.1f} us")
        if report is not None:
            print(
                f"{'':<4}met {report.met:,}, breached {report.breached:,},"
                f" in progress {report.in_progress:,}, cancelled {report.cancelled:,}"
            )


if __name__ == "__main__":
    main()
