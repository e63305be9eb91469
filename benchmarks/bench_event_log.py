"""Time ``itilkit.io.read_event_log`` on a synthetic 100,000-row ServiceNow audit export.

The export has the sample's 36 columns and its formats (``D/M/YYYY HH:MM``
dates, ``"2 - Medium"`` levels, ``?`` for missing values), about six rows per
ticket (New, repeats, Active, sometimes Awaiting User Info, Resolved, Closed,
now and then a reopen), over a year of tickets in a DST zone. The carried
fields hold what real tickets hold: a caller, category, contact type and
location per ticket, an assignment group that now and then changes (with the
reassignment count), an assignee once the ticket is worked on, ``made_sla``,
and the recorded priority (now and then not the ITIL matrix's).

Besides the time, it reports the time per row, the share of CPU the cyclic
garbage collector took, and the memory the result holds per row (traced in a
separate run, after the timed ones).

Run: ``PYTHONPATH=src python benchmarks/bench_event_log.py [--rows 100000] [--repeat 5]``
(``--rows 1000000 --repeat 1`` for the large run).
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

from itilkit.io import read_event_log

SAMPLE = Path(__file__).parent.parent / "tests" / "data" / "servicenow_event_log_sample.csv"
LEVELS = ["1 - High", "2 - Medium", "3 - Low"]
PRIORITY = {
    ("1 - High", "1 - High"): "1 - Critical",
    ("1 - High", "2 - Medium"): "2 - High",
    ("1 - High", "3 - Low"): "3 - Moderate",
    ("2 - Medium", "1 - High"): "2 - High",
    ("2 - Medium", "2 - Medium"): "3 - Moderate",
    ("2 - Medium", "3 - Low"): "4 - Low",
    ("3 - Low", "1 - High"): "3 - Moderate",
    ("3 - Low", "2 - Medium"): "4 - Low",
    ("3 - Low", "3 - Low"): "5 - Planning",
}


def stamp(moment: datetime) -> str:
    return f"{moment.day}/{moment.month}/{moment.year} {moment.hour:02d}:{moment.minute:02d}"


def ticket_states(rng: random.Random) -> list[str]:
    states = ["New"] * rng.randint(1, 2)
    states += ["Active"] * rng.randint(1, 2)
    if rng.random() < 0.3:
        states += ["Awaiting User Info", "Active"]
    states.append("Resolved")
    if rng.random() < 0.05:
        states += ["Active", "Resolved"]  # a reopen
    states.append("Closed")
    return states


def generate(path: Path, rows: int, seed: int = 7) -> int:
    """Write about ``rows`` rows; return the exact count written."""
    rng = random.Random(seed)
    with SAMPLE.open(newline="") as handle:
        header = next(csv.reader(handle))
    col = {name: i for i, name in enumerate(header)}
    written = 0
    number = 0
    start = datetime(2016, 1, 1)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        while written < rows:
            number += 1
            opened = start + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            impact = rng.choice(LEVELS)
            urgency = rng.choice(LEVELS)
            # Like the real export, now and then a priority the ITIL matrix would not give.
            priority = "4 - Low" if rng.random() < 0.07 else PRIORITY[(impact, urgency)]
            caller = f"Caller {rng.randint(1, 5000)}"
            category = f"Category {rng.randint(1, 60)}"
            contact = rng.choice(["Phone", "Email", "Self service"])
            location = f"Location {rng.randint(1, 200)}"
            group = f"Group {rng.randint(1, 80)}"
            reassignments = 0
            assignee = "?"
            moment = opened + timedelta(minutes=rng.randint(0, 30))
            for counter, state in enumerate(ticket_states(rng)):
                if written >= rows:
                    break
                record = ["?"] * len(header)
                record[col["number"]] = f"INC{number:07d}"
                record[col["incident_state"]] = state
                record[col["active"]] = "false" if state == "Closed" else "true"
                record[col["sys_mod_count"]] = str(counter)
                record[col["opened_at"]] = stamp(opened)
                record[col["sys_updated_at"]] = stamp(moment)
                record[col["impact"]] = impact
                record[col["urgency"]] = urgency
                record[col["priority"]] = priority
                record[col["caller_id"]] = caller
                record[col["category"]] = category
                record[col["contact_type"]] = contact
                record[col["location"]] = location
                record[col["assignment_group"]] = group
                record[col["assigned_to"]] = assignee
                record[col["reassignment_count"]] = str(reassignments)
                record[col["reopen_count"]] = "0"
                record[col["made_sla"]] = "true"
                out.writerow(record)
                written += 1
                if rng.random() < 0.05 and impact != "1 - High":
                    impact = "1 - High"  # an escalation on the next row
                    priority = PRIORITY[(impact, urgency)]
                if rng.random() < 0.1:
                    group = f"Group {rng.randint(1, 80)}"  # reassigned
                    reassignments += 1
                if state == "Active" and assignee == "?":
                    assignee = f"Resolver {rng.randint(1, 400)}"
                moment += timedelta(minutes=rng.randint(1, 3 * 24 * 60))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        count = generate(path, args.rows)
        timings, cpu, collector = [], [], []
        for _ in range(args.repeat):
            log = None
            gc.collect()
            with GcTimer() as gc_time:
                begin, begin_cpu = time.perf_counter(), time.process_time()
                log = read_event_log(path, tz="America/Sao_Paulo")
                timings.append(time.perf_counter() - begin)
                cpu.append(time.process_time() - begin_cpu)
            collector.append(gc_time.total)
        assert log is not None and log.rows == count
        print(
            f"rows: {count:,}  incidents: {len(log.incidents):,}  anomalies: {len(log.anomalies)}"
        )
        print(str(log.summary()))
        report("itilkit read_event_log", timings, cpu, count)
        best = timings.index(min(timings))
        print(
            f"  {min(timings) / count * 1e6:.2f} us per row; cyclic GC "
            f"{collector[best]:.3f} s ({100 * collector[best] / cpu[best]:.0f}% of CPU)"
        )
        del log
        gc.collect()
        tracemalloc.start()
        log = read_event_log(path, tz="America/Sao_Paulo")
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  held memory: {held / count:.0f} bytes per row ({held / 2**20:.1f} MiB), "
            f"peak while reading {peak / 2**20:.1f} MiB"
        )
        del log
        baseline = pandas_baseline(path, args.repeat)
        if baseline is not None:
            report("pandas read_csv + to_datetime + sort (no lifecycle)", *baseline, count)


class GcTimer:
    """Adds up the time the cyclic garbage collector runs inside the block."""

    def __init__(self) -> None:
        self.total = 0.0
        self.started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.total += time.perf_counter() - self.started

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def report(name: str, timings: list[float], cpu: list[float], count: int) -> None:
    print(
        f"{name}: best {min(timings):.3f} s (cpu {min(cpu):.3f} s), "
        f"median {statistics.median(timings):.3f} s over {len(timings)} runs "
        f"({count / min(timings):,.0f} rows/s)"
    )


def pandas_baseline(path: Path, repeat: int) -> tuple[list[float], list[float]] | None:
    """Parse and order the same file with pandas: the floor a hand-written script starts from."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - optional peer
        return None
    timings, cpu = [], []
    for _ in range(repeat):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        frame = pd.read_csv(path, na_values="?", keep_default_na=False)
        for column in ("opened_at", "sys_updated_at"):
            local = pd.to_datetime(frame[column], format="%d/%m/%Y %H:%M")
            frame[column] = local.dt.tz_localize(
                "America/Sao_Paulo", ambiguous="NaT", nonexistent="shift_forward"
            )
        frame.sort_values(["number", "sys_mod_count"], kind="stable")
        timings.append(time.perf_counter() - begin)
        cpu.append(time.process_time() - begin_cpu)
    return timings, cpu


if __name__ == "__main__":
    main()
