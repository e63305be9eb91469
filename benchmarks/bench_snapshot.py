"""Time ``itilkit.io.read_incidents`` on a synthetic ServiceNow REST list export.

The rows copy the layout of ``tests/data/servicenow_incident_rest_export.csv``
(its 34 columns, coded states and hold reasons, ``YYYY-MM-DD HH:MM:SS``
times): one row per incident, mostly closed, some resolved, in progress or on
hold, over a year. Reports the best and median time, the time per row and the
memory the result holds per row (traced in a separate run).

Run: ``python benchmarks/bench_snapshot.py [--rows 100000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

from itilkit.io import read_incidents

SAMPLE = Path(__file__).parent.parent / "tests" / "data" / "servicenow_incident_rest_export.csv"


def write_export(path: Path, rows: int, seed: int = 7) -> None:
    """``rows`` incidents in the sample's layout (its header, its codes)."""
    with SAMPLE.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for i in range(rows):
            opened = start + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            roll = rng.random()
            state = "7" if roll < 0.7 else "6" if roll < 0.8 else "2" if roll < 0.92 else "3"
            resolved = opened + timedelta(minutes=rng.randint(5, 5 * 24 * 60))
            closed = resolved + timedelta(days=3)
            impact, urgency = rng.randint(1, 3), rng.randint(1, 3)
            record = dict.fromkeys(header, "")
            record.update(
                number=f"INC{i:07d}",
                incident_state=state,
                opened_at=f"{opened:%Y-%m-%d %H:%M:%S}",
                sys_updated_on=f"{(closed if state == '7' else resolved):%Y-%m-%d %H:%M:%S}",
                resolved_at=f"{resolved:%Y-%m-%d %H:%M:%S}" if state in ("6", "7") else "",
                closed_at=f"{closed:%Y-%m-%d %H:%M:%S}" if state == "7" else "",
                hold_reason="1" if state == "3" else "",
                impact=str(impact),
                urgency=str(urgency),
                priority=str(min(5, impact + urgency - 1)),
                category=rng.choice(["inquiry", "software", "hardware", "network"]),
                made_sla=rng.choice(["true", "false"]),
                reassignment_count=str(rng.randint(0, 3)),
                reopen_count="0",
            )
            writer.writerow(record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "snapshot.csv"
        write_export(path, args.rows)
        times = []
        for _ in range(args.repeat):
            begin = time.perf_counter()
            log = read_incidents(path, tz="America/Los_Angeles")
            times.append(time.perf_counter() - begin)
        print(f"rows: {log.rows:,}  incidents: {len(log.incidents):,}")
        print(str(log.summary()))
        best = min(times)
        print(
            f"itilkit read_incidents: best {best:.3f} s, median {statistics.median(times):.3f} s"
            f" over {args.repeat} runs ({best / args.rows * 1e6:.2f} us per row)"
        )
        del log
        tracemalloc.start()
        kept = read_incidents(path, tz="America/Los_Angeles")  # held while measured
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert kept.rows == args.rows
        print(f"  held memory: {held / args.rows:.0f} bytes per row, peak {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
