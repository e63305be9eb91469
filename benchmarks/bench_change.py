"""Change enablement throughput: approval decisions, conflict checks and next_slot.

Run from the repository root (after ``pip install -e ".[test]"``)::

    python benchmarks/bench_change.py            # the figures in docs/performance.md
    python benchmarks/bench_change.py --quick    # a smaller run

The calendar is the guide's: a year-end freeze, a Sunday 02:00-06:00
maintenance window in Europe/Berlin, and two business days of lead time on
Mon-Fri 09:00-17:00 with German holidays. ``others`` are random one-to-four
hour changes in 2026 on one of 50 configuration items. ``next_slot`` is
compared with the obvious alternative, trying every 5-minute start with
``conflicts`` until one is clear, and the two must agree.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import itilkit
from itilkit import ApprovalPolicy, ChangeCalendar, ChangeRequest, ServiceWindow

TZ = "Europe/Berlin"


def timed(n: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """Best of three runs, as operations per second."""
    best = float("inf")
    result = None
    for _ in range(3):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    return n / best, result


def others(count: int, rng: random.Random, item: str | None = None) -> list[ChangeRequest]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(count):
        start = base + timedelta(minutes=5 * rng.randrange(365 * 288))
        out.append(
            ChangeRequest.new(
                f"O{i}",
                type="normal",
                requested_at=base,
                start=start,
                end=start + timedelta(hours=rng.randint(1, 4)),
                items=[item or f"ci{rng.randrange(50)}"],
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    rng = random.Random(6)
    n = 200 if quick else 2_000

    policy = ApprovalPolicy.default(
        change_managers=["alice", "amir"], cab=[f"cab{i}" for i in range(9)], ecab=["erin"]
    )
    cr = ChangeRequest.new(
        "CHG1",
        type="normal",
        risk="high",
        requested_at="2026-03-02T09:00+01:00",
        start="2026-03-15T02:00+01:00",
        end="2026-03-15T05:00+01:00",
        items=["ci1"],
    )
    cr = cr.approve("alice", role="change_manager", at="2026-03-03T09:00+01:00")
    for i in range(8):
        cr = cr.approve(f"cab{i}", role="cab", at=f"2026-03-03T10:0{i}+01:00")
    cr = cr.reject("cab0", role="cab", at="2026-03-03T11:00+01:00", reason="re-vote")
    rate, _ = timed(n, lambda: [policy.decide(cr) for _ in range(n)])
    print(f"decide (10 votes, 2 rules)            {rate:>12,.0f} /s")

    calendar = ChangeCalendar(
        freeze=ServiceWindow.from_spans(
            [("2026-12-21T00:00+01:00", "2027-01-04T00:00+01:00")], tz=TZ
        ),
        maintenance=ServiceWindow.recurring(
            "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration="PT4H", tz=TZ
        ),
        lead_time="PT16H",
        business_window=ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz=TZ, holidays="DE"),
    )
    planned = others(1_000, rng)
    rate, _ = timed(n, lambda: [calendar.conflicts(cr, planned) for _ in range(n // 10)])
    print(f"conflicts (1,000 others)              {rate / 10:>12,.0f} /s")
    rate, _ = timed(n, lambda: [calendar.conflicts(cr) for _ in range(n)])
    print(f"conflicts (calendar rules only)       {rate:>12,.0f} /s")

    afters = [
        datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=5 * rng.randrange(300 * 288))
        for _ in range(20 if quick else 100)
    ]
    busy = others(2_000, rng, item="ci1")  # all on the changed item

    def fast() -> list[datetime]:
        return [
            calendar.next_slot("PT3H", after=a, items=["ci1"], others=busy).start for a in afters
        ]

    def scan() -> list[datetime]:
        found = []
        for a in afters:
            t = a
            while True:
                probe = ChangeRequest.new(
                    "P",
                    type="normal",
                    requested_at=a,
                    start=t,
                    end=t + timedelta(hours=3),
                    items=["ci1"],
                )
                if not calendar.conflicts(probe, busy):
                    found.append(t)
                    break
                t += timedelta(minutes=5)
        return found

    rate_fast, _ = timed(len(afters), fast)
    print(f"next_slot (2,000 busy others)         {rate_fast:>12,.0f} /s")
    few = afters[:3]
    began = time.perf_counter()
    afters[:] = few
    want = scan()
    rate_scan = len(few) / (time.perf_counter() - began)
    assert fast() == want, "next_slot disagrees with the 5-minute scan"
    print(f"5-minute scan with conflicts          {rate_scan:>12,.2f} /s  (3 searches, one run)")
    print(f"itilkit {itilkit.__version__}")


if __name__ == "__main__":
    main()
