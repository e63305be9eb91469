"""Benchmark: compliance with three contract-style SLAs over 100,000 incidents.

Run: ``PYTHONPATH=src python benchmarks/bench_contracts.py`` (``--n 10000`` for a
quicker run, ``--runs 5`` by default).

Each incident is opened at a random instant of 2026 (P1 3%, P2 12%, P3 40%,
P4 30%, P5 15%) in the Service Desk group, answered within 0-3 h and assigned
to a group (Network, Applications, Database or Workplace) with an assignee;
40% move to a second group on the way. 30% are put on hold for up to 3 days
(awaiting the caller or a vendor), a sixth of those on hold a second time
for the other reason; 10% are reprioritised, 10% reopened and resolved
again, 70% of the resolved closed three days later, 5% still open and 2%
cancelled. The incidents are built as the event-log reader builds them, with
their carried fields (``group``, ``assignee``), through ``StepBuilder``.

They are read as of 1 January 2027 against three SLAs chosen by
``applies_to`` on priority, all counted on Mon-Fri 08:00-17:00 Europe/Berlin
with German holidays unless a target says otherwise:

* "Critical" (P1-P2): P1 response 15 min and resolution 4 h on a 24x7
  per-target window, P2 response 1 h and resolution 8 h in business hours;
  a reopen restarts the resolution clock;
* "Standard" (P3): response 4 h, resolution "3 business days" paused only
  while awaiting the caller (``pause_on=["on_hold:awaiting_caller"]``), and a
  custom clock "network_time" (starts when the group is Network, paused while
  it is another, stops on resolved or closed) with an 8 h target;
* "Low" (P4-P5): response 8 h, resolution "5 business days".

For comparison the same run times, over the same incidents, one SLA without
the new features (the per-priority targets of ``bench_sla.py`` on the same
business-hours window), as ``bench_sla.py`` does.

Building the incidents is not timed. Each figure is the best (and the
median) of several runs, after one untimed run (the machine is shared).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from itilkit import SLA, Condition, HoldReason, Incident, ServiceWindow, State, Target
from itilkit._incident import StepBuilder
from itilkit._sla import Clock, compliance

TARGETS = [
    Target("response", "PT15M", priority="P1"),
    Target("resolution", "PT4H", priority="P1"),
    Target("response", "PT1H", priority="P2"),
    Target("resolution", "PT8H", priority="P2"),
    Target("response", "PT4H"),
    Target("resolution", "P3D"),
]
# (impact, urgency) giving each priority in the ITIL matrix, and the share of each
PRIORITIES = {
    "P1": ("high", "high"),
    "P2": ("high", "medium"),
    "P3": ("medium", "medium"),
    "P4": ("medium", "low"),
    "P5": ("low", "low"),
}
WEIGHTS = (3, 12, 40, 30, 15)
LEVELS = ("high", "medium", "low")
GROUPS = ("Network", "Applications", "Database", "Workplace")
GROUP_WEIGHTS = (35, 35, 15, 15)
MINUTE = 60_000_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def timings(runs: int, fn: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def incidents(n: int, seed: int = 4) -> list[Incident]:
    rng = random.Random(seed)
    year = datetime(2026, 1, 1, tzinfo=UTC)
    year_us = int(year.timestamp()) * 1_000_000
    hold_reasons = (HoldReason.AWAITING_CALLER, HoldReason.AWAITING_VENDOR)
    out = []
    for i in range(n):
        t = year_us + rng.randrange(360 * DAY)
        impact, urgency = PRIORITIES[rng.choices(tuple(PRIORITIES), WEIGHTS)[0]]
        inc = Incident.open(
            f"INC{i:07d}",
            at=datetime.fromtimestamp(t / 1e6, UTC),
            impact=impact,
            urgency=urgency,
        )
        b = StepBuilder(inc, strict=True)
        b.carry(t, "group", "Service Desk")
        roll = rng.random()
        if roll < 0.02:
            b.step(t + rng.randrange(MINUTE, 2 * HOUR), State.CANCELED, None, None, None)
            out.append(b.build())
            continue
        t += rng.randrange(1, 3 * HOUR)
        group = rng.choices(GROUPS, GROUP_WEIGHTS)[0]
        b.carry(t, "group", group)
        b.carry(t, "assignee", f"agent{rng.randrange(200):03d}")
        b.step(t, State.IN_PROGRESS, None, None, None)
        if rng.random() < 0.10:
            b.reprioritize(t, rng.choice(LEVELS), None, None, None)
        t += rng.randrange(10 * MINUTE, 4 * HOUR)
        if rng.random() < 0.40:
            group = rng.choice([g for g in GROUPS if g != group])
            b.carry(t, "group", group)
            b.carry(t, "assignee", f"agent{rng.randrange(200):03d}")
            t += rng.randrange(10 * MINUTE, 4 * HOUR)
        if rng.random() < 0.30:
            first = 0 if rng.random() < 0.6 else 1
            b.step(t, State.ON_HOLD, hold_reasons[first], None, None)
            t += rng.randrange(MINUTE, 3 * DAY)
            if rng.random() < 0.15:
                b.step(t, State.ON_HOLD, hold_reasons[1 - first], None, None)
                t += rng.randrange(MINUTE, DAY)
            b.step(t, State.IN_PROGRESS, None, None, None)
        if roll < 0.07:
            out.append(b.build())  # still open
            continue
        t += rng.randrange(HOUR, 30 * HOUR)
        b.step(t, State.RESOLVED, None, None, None)
        if rng.random() < 0.10:
            t += rng.randrange(HOUR, DAY)
            b.step(t, State.IN_PROGRESS, None, None, None)
            t += rng.randrange(10 * MINUTE, 8 * HOUR)
            b.step(t, State.RESOLVED, None, None, None)
        if rng.random() < 0.70:
            b.step(t + 3 * DAY, State.CLOSED, None, None, None)
        out.append(b.build())
    return out


def contracts(office: ServiceWindow) -> list[SLA]:
    always = ServiceWindow.always(tz="Europe/Berlin")
    critical = SLA(
        "Critical",
        window=office,
        targets=[
            Target("response", "PT15M", priority="P1", window=always),
            Target("resolution", "PT4H", priority="P1", window=always),
            Target("response", "PT1H", priority="P2"),
            Target("resolution", "PT8H", priority="P2"),
        ],
        on_reopen="restart",
        applies_to=Condition(priority=["P1", "P2"]),
    )
    network = Clock(
        "network_time",
        start={"field": "group", "equals": "Network"},
        stop={"state": ["resolved", "closed"]},
        pause={"not": {"field": "group", "equals": "Network"}},
    )
    standard = SLA(
        "Standard",
        window=office,
        targets=[
            Target("response", "PT4H"),
            Target("resolution", "3 business days", pause_on=["on_hold:awaiting_caller"]),
            Target("network_time", "PT8H"),
        ],
        clocks=[network],
        applies_to=Condition(priority="P3"),
    )
    low = SLA(
        "Low",
        window=office,
        targets=[Target("response", "PT8H"), Target("resolution", "5 business days")],
        applies_to=Condition(priority=["P4", "P5"]),
    )
    return [critical, standard, low]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    fleet = incidents(args.n)
    built = time.perf_counter() - t0
    steps = sum(len(inc.history) + len(inc.priority_history) - 1 for inc in fleet)
    changes = sum(len(inc.carried) // 3 for inc in fleet)
    print(
        f"built {args.n:,} incidents ({steps:,} transitions, {changes:,} field changes)"
        f" in {built:.1f} s (not timed below)"
    )

    as_of = "2027-01-01T00:00+00:00"
    office = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
    baseline = SLA("Office", window=office, targets=TARGETS)
    slas = contracts(office)
    workloads: list[tuple[str, Callable[[], object]]] = [
        (
            "one SLA, no contract features (as bench_sla.py)",
            lambda: baseline.compliance(fleet, as_of=as_of),
        ),
        (
            "three SLAs by applies_to, per-target windows, custom clock",
            lambda: compliance(fleet, slas, as_of=as_of),
        ),
    ]
    rows = []
    for label, fn in workloads:
        report = fn()  # untimed: warms the windows' indexes
        rows.append((label, timings(args.runs, fn), report))

    print(
        f"\n{'workload':<62} {'incidents':>10} {'best s':>7} {'median s':>9} {'per incident':>13}"
    )
    for label, times, _ in rows:
        best = min(times)
        print(
            f"{label:<62} {args.n:>10,} {best:>7.2f} {statistics.median(times):>9.2f}"
            f" {best / args.n * 1e6:>10.1f} us"
        )
    print(f"(best and median of {args.runs} runs each)")

    print("\nsanity:")
    for label, _, report in rows:
        print(f"  {label}:")
        for name, part in report.by_sla.items():  # type: ignore[attr-defined]
            metrics = ", ".join(
                f"{getattr(m, 'value', m)} {t.met:,}/{t.breached:,}"
                for m, t in part.by_metric.items()
            )
            print(
                f"    {name}: {part.incidents:,} incidents, met {part.met:,},"
                f" breached {part.breached:,}, in progress {part.in_progress:,},"
                f" cancelled {part.cancelled:,}, not started {part.not_started:,}"
                f" (met/breached: {metrics})"
            )
    scale = 1 if sys.platform == "darwin" else 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    print(f"\npeak RSS of the process (incidents included): {peak / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
