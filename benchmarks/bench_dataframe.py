"""Time ``itilkit.dataframe.sla_columns`` on a one-row-per-ticket table: before and after.

The table has one row per ticket: id, priority (P1-P4), and aware opened,
responded and resolved timestamps over six weeks in a DST zone (10% never
answered, 20% not yet resolved), read as of a later instant against a
business-hours SLA (Mon-Fri 08:00-17:00 Europe/Berlin, German holidays) with
response and resolution targets per priority. "after" is ``sla_columns``
(the clock engine on integer arrays); "before" is the row-by-row path it
replaced (an incident and ``SLA.clock`` per row), timed on a sample of the
rows (``--before-rows``) since it is linear, and checked equal to "after" on
that sample. Each figure is the best of ``--repeat`` runs (the machine is
shared).

Run: ``PYTHONPATH=src python benchmarks/bench_dataframe.py [--rows 100000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from itilkit import SLA, Metric, ServiceWindow, Target
from itilkit.dataframe import _row_by_row, sla_columns

OFFICE = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
SLA_OFFICE = SLA(
    "Gold",
    window=OFFICE,
    targets=[
        Target("response", "PT30M", priority="P1"),
        Target("response", "PT4H"),
        Target("resolution", "PT8H", priority="P1"),
        Target("resolution", "P2D", priority="P2"),
        Target("resolution", "3 business days"),
    ],
)
AS_OF = "2026-05-01T12:00+02:00"
COLUMNS: dict[str, str | None] = {
    "id": "number",
    "opened_at": "opened_at",
    "responded_at": "responded_at",
    "resolved_at": "resolved_at",
    "priority": "priority",
    "impact": None,
    "urgency": None,
}


def tickets(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    opened = pd.Timestamp("2026-03-02", tz="Europe/Berlin") + pd.to_timedelta(
        rng.integers(0, 42 * 24 * 60, n), unit="min"
    )
    responded = opened + pd.to_timedelta(rng.integers(0, 3 * 24 * 60, n), unit="min")
    resolved = responded + pd.to_timedelta(rng.integers(0, 10 * 24 * 60, n), unit="min")
    frame = pd.DataFrame(
        {
            "number": [f"INC{i:07d}" for i in range(n)],
            "priority": rng.choice(["P1", "P2", "P3", "P4"], n),
            "opened_at": opened,
            "responded_at": responded,
            "resolved_at": resolved,
        }
    )
    frame.loc[rng.random(n) < 0.2, "resolved_at"] = pd.NaT
    frame.loc[rng.random(n) < 0.1, "responded_at"] = pd.NaT
    return frame


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--before-rows", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = tickets(args.rows)
    sample = frame.iloc[: args.before_rows]
    metrics = [Metric.RESPONSE, Metric.RESOLUTION]

    after = best_of(args.repeat, lambda: sla_columns(frame, SLA_OFFICE, as_of=AS_OF))
    after_sample = best_of(args.repeat, lambda: sla_columns(sample, SLA_OFFICE, as_of=AS_OF))
    before = best_of(args.repeat, lambda: _row_by_row(sample, SLA_OFFICE, AS_OF, COLUMNS, metrics))
    pd.testing.assert_frame_equal(
        sla_columns(sample, SLA_OFFICE, as_of=AS_OF),
        _row_by_row(sample, SLA_OFFICE, AS_OF, COLUMNS, metrics),
    )
    out = sla_columns(frame, SLA_OFFICE, as_of=AS_OF)
    stages = out["resolution_stage"].value_counts().to_dict()

    print("sla_columns, business hours (Mon-Fri 08-17 Europe/Berlin, DE holidays), 2 metrics")
    print(f"{'path':<44}{'rows':>9}{'seconds':>10}{'per row':>12}")
    for label, rows, seconds in (
        ("before: an incident and SLA.clock per row", len(sample), before),
        ("after: the engine on integer arrays", len(sample), after_sample),
        ("after: the engine on integer arrays", len(frame), after),
    ):
        print(f"{label:<44}{rows:>9,}{seconds:>10.2f}{seconds / rows * 1e6:>9.1f} us")
    print(f"speed-up on the sample: {before / after_sample:.0f}x (frames equal)")
    print(f"resolution stages: {stages}")


if __name__ == "__main__":
    main()
