"""Benchmark: memory held per incident, and by compliance, at 1,000,000 incidents.

Run: ``PYTHONPATH=src python benchmarks/bench_memory.py`` (``--n 100000`` for a
quicker run; ``--fleet sla`` for the incidents of ``bench_sla.py``).

The incidents are those of ``bench_contracts.py`` (``--fleet contracts``, the
default: built as the event-log reader builds them, with carried ``group`` and
``assignee`` fields) or of ``bench_sla.py`` (``--fleet sla``: built step by step
through the public API, no carried fields). Two measurements, each in a fresh
process so that neither disturbs the other:

* **held** (``tracemalloc``): the bytes still allocated after building the
  list of incidents and a ``gc.collect()``, divided by N (the list itself
  included); then the bytes the compliance reports keep (one SLA, then the
  three contract SLAs of ``bench_contracts.py``), with their peak while they
  were computed. ``tracemalloc`` counts what Python allocates, not what the
  allocator keeps in reserve.
* **run** (no tracing): the wall time of ``sla.compliance(incidents, as_of=...)``
  with the business-hours SLA of ``bench_sla.py``, and of
  ``itilkit.compliance(incidents, slas, as_of=...)`` with the three contract
  SLAs, each report kept; the process's peak RSS (``getrusage``
  ``ru_maxrss``) after building and after each run, which includes the
  interpreter, the libraries and whatever the allocator keeps; and how much
  the resident set (``/proc/self/statm``, Linux) grew from before building to
  after building, and to after both runs with their reports kept, per
  incident: what the allocator really holds, fragmentation included.

Building is not timed. The machine may be shared: wall times are one run each
unless ``--runs`` says otherwise (the best is shown).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import bench_contracts
import bench_sla

import itilkit
from itilkit import SLA, Incident, ServiceWindow

AS_OF = "2027-01-01T00:00+00:00"
FLEETS: dict[str, Callable[[int], list[Incident]]] = {
    "contracts": bench_contracts.incidents,
    "sla": bench_sla.incidents,
}


def peak_rss() -> int:
    """The process's peak resident set size so far, in bytes."""
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def rss() -> float:
    """The process's resident set size now, in bytes (Linux; NaN elsewhere)."""
    try:
        pages = Path("/proc/self/statm").read_text().split()[1]
    except OSError:
        return float("nan")
    return float(int(pages) * resource.getpagesize())


def workloads() -> list[tuple[str, Callable[[list[Incident]], object]]]:
    """The compliance runs measured: the one business-hours SLA of ``bench_sla.py``
    (``sla.compliance``), and the three contract SLAs (``itilkit.compliance``)."""
    office = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
    one = SLA("Office", window=office, targets=bench_sla.TARGETS)
    three = bench_contracts.contracts(office)
    return [
        ("one", lambda fleet: one.compliance(fleet, as_of=AS_OF)),
        ("three", lambda fleet: itilkit.compliance(fleet, three, as_of=AS_OF)),
    ]


def held(n: int, fleet_name: str) -> dict[str, float]:
    """Bytes held per incident by the list of incidents, and by the reports."""
    measured = workloads()
    small = FLEETS[fleet_name](100)
    for _, fn in measured:
        fn(small)  # build the windows' indexes before anything is measured
    del small
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fleet = FLEETS[fleet_name](n)
    gc.collect()
    out = {"incidents": (tracemalloc.get_traced_memory()[0] - base) / n}
    for label, fn in measured:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        report = fn(fleet)
        peak = tracemalloc.get_traced_memory()[1]
        gc.collect()
        out[label] = (tracemalloc.get_traced_memory()[0] - before) / n
        out[f"{label}_peak"] = (peak - before) / n
        del report
    return out


def run(n: int, fleet_name: str, runs: int) -> dict[str, float]:
    """Wall time of the compliance runs and the peak RSS, without tracing."""
    measured = workloads()
    small = FLEETS[fleet_name](100)
    for _, fn in measured:
        fn(small)  # build the windows' indexes
    del small
    gc.collect()
    out = {"now_start": rss()}
    fleet = FLEETS[fleet_name](n)
    gc.collect()
    out |= {"rss_built": float(peak_rss()), "now_built": rss()}
    kept = []
    for label, fn in measured:
        times = []
        report = None
        for _ in range(runs):
            report = None
            gc.collect()
            t0 = time.perf_counter()
            report = fn(fleet)
            times.append(time.perf_counter() - t0)
        kept.append(report)
        gc.collect()
        out[f"{label}_seconds"] = min(times)
        out[f"rss_{label}"] = float(peak_rss())
        out[f"now_{label}"] = rss()
    return out


def child(phase: str, args: argparse.Namespace) -> dict[str, float]:
    """Run one phase in a fresh interpreter and read back its figures."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--n",
        str(args.n),
        "--fleet",
        args.fleet,
        "--runs",
        str(args.runs),
        "--phase",
        phase,
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--fleet", choices=tuple(FLEETS), default="contracts")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--phase", choices=("held", "run"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "held":
        print(json.dumps(held(args.n, args.fleet)))
        return
    if args.phase == "run":
        print(json.dumps(run(args.n, args.fleet, args.runs)))
        return

    n = args.n
    print(f"{n:,} incidents, fleet {args.fleet!r} (built, not timed), as of {AS_OF}")
    h = child("held", args)
    r = child("run", args)
    mib = 2**20
    print("\nheld (tracemalloc, after gc.collect(), per incident):")
    print(f"  the list of incidents                    {h['incidents']:>8,.0f} B")
    print(
        f"  + one SLA's report (sla.compliance)      {h['one']:>8,.0f} B"
        f"  (peak while computing {h['one_peak']:,.0f} B)"
    )
    print(
        f"  + three SLAs' report (compliance)        {h['three']:>8,.0f} B"
        f"  (peak while computing {h['three_peak']:,.0f} B)"
    )
    print(f"  incidents + one SLA's report             {h['incidents'] + h['one']:>8,.0f} B")
    print(f"  incidents + three SLAs' report           {h['incidents'] + h['three']:>8,.0f} B")
    print(f"\nrun (no tracing, best of {args.runs}; reports kept):")
    print(f"  one SLA, sla.compliance                  {r['one_seconds']:>8.2f} s")
    print(f"  three SLAs, itilkit.compliance           {r['three_seconds']:>8.2f} s")
    print("peak RSS of the process (getrusage):")
    print(f"  after building                           {r['rss_built'] / mib:>8,.0f} MiB")
    print(f"  after one SLA's compliance               {r['rss_one'] / mib:>8,.0f} MiB")
    print(f"  after three SLAs' compliance             {r['rss_three'] / mib:>8,.0f} MiB")
    print(f"  per incident, after both                 {r['rss_three'] / n:>8,.0f} B")
    print("resident now (RSS, /proc), grown since before building, per incident:")
    grown = {k: (r[f"now_{k}"] - r["now_start"]) / n for k in ("built", "one", "three")}
    print(f"  the incidents                            {grown['built']:>8,.0f} B")
    print(f"  the incidents + one SLA's report         {grown['one']:>8,.0f} B")
    print(f"  the incidents + both reports             {grown['three']:>8,.0f} B")


if __name__ == "__main__":
    main()
