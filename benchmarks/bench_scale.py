"""Scale-out: one process against a local Dask cluster of worker processes, same partitions.

Two workloads, each kept as Parquet files on disk (written once under
``--dir``, reused while their size and layout match; never in the repository):

- incidents: ``--incidents`` one-row tickets (number, priority P1-P5, aware
  opened/responded/resolved timestamps over 2026; 10% never answered, 20% not
  resolved), counted by ``itilkit.dataframe.compliance_counts`` as of
  1 January 2027 against two SLAs on Mon-Fri 08:00-17:00 Europe/Berlin with
  German holidays: "hours" (response and resolution targets in hours and
  days: the count is a few vectorised calls, so reading dominates) and
  "business days" (the bench_dataframe SLA, with a "3 business days"
  resolution target whose business time depends on each ticket's opening,
  found ticket by ticket in Python: the count dominates);
- intervals: ``--intervals`` (start, end) pairs (random starts in 2026,
  lengths up to ten days), totalled by ``business_time_total`` on Mon-Fri
  09:00-18:00 Asia/Seoul with Korean holidays.

Each is timed, in one run, three ways over the same files: one process
reading the files one after the other (``pd.read_parquet`` then the
function, the small results combined); ``dd.read_parquet`` of the folder and
``map_partitions`` on a ``LocalCluster(processes=True)`` (each worker reads
its own files; the client receives a few rows per file); and
``client.map`` over the file paths (the same without dask.dataframe). The
results are checked equal. ``--from-pandas-rows`` also times the pattern the
guide warns against (a frame already in the client, ``dd.from_pandas`` and
``map_partitions``) beside one process on the same rows.

Run (the figures in docs/guides/scale-out.md)::

    python benchmarks/bench_scale.py --incidents 10000000 --intervals 100000000
    python benchmarks/bench_scale.py --incidents 1000000 --intervals 10000000   # smaller

The first run writes the files (about 2.1 GB at the sizes above); the
cluster's start and the workers' first import of itilkit are not timed (one
process has imported it too). Load average is printed beside each figure:
the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from itilkit import SLA, ServiceWindow, Target
from itilkit.dataframe import business_time_total, combine_counts, compliance_counts

OFFICE = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
HOURS = SLA(
    "Hours",
    window=OFFICE,
    targets=[
        Target("response", "PT30M", priority="P1"),
        Target("response", "PT4H"),
        Target("resolution", "PT8H", priority="P1"),
        Target("resolution", "P2D", priority="P2"),
        Target("resolution", "P5D"),
    ],
)
BUSINESS_DAYS = SLA(
    "Business days",
    window=OFFICE,
    targets=[
        Target("response", "PT30M", priority="P1"),
        Target("response", "PT4H"),
        Target("resolution", "PT8H", priority="P1"),
        Target("resolution", "P2D", priority="P2"),
        Target("resolution", "3 business days"),
    ],
)
AS_OF = "2027-01-01T00:00Z"
SEOUL = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
MINUTE_US = 60_000_000
YEAR_START_US = 1_767_225_600_000_000  # 2026-01-01T00:00Z


def incidents_part(first: int, n: int, seed: int) -> pd.DataFrame:
    """``n`` ticket rows numbered from ``first``; the same rows for the same seed."""
    rng = np.random.default_rng(seed)
    opened = YEAR_START_US + rng.integers(0, 364 * 24 * 60, n) * MINUTE_US
    responded = opened + rng.integers(0, 8 * 60, n) * MINUTE_US
    resolved = responded + rng.integers(0, 10 * 24 * 60, n) * MINUTE_US
    nat = np.iinfo(np.int64).min
    resolved[rng.random(n) < 0.2] = nat
    responded[rng.random(n) < 0.1] = nat

    def instants(values: np.ndarray) -> pd.Series:
        return pd.Series(values.view("datetime64[us]")).dt.tz_localize("UTC")

    return pd.DataFrame(
        {
            "number": [f"INC{i:09d}" for i in range(first, first + n)],
            "priority": rng.choice(
                ["P1", "P2", "P3", "P4", "P5"], n, p=[0.03, 0.12, 0.4, 0.3, 0.15]
            ),
            "opened_at": instants(opened),
            "responded_at": instants(responded),
            "resolved_at": instants(resolved),
        }
    )


def intervals_part(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = YEAR_START_US + rng.integers(0, 365 * 24 * 60, n) * MINUTE_US
    end = start + rng.integers(0, 10 * 24 * 60, n) * MINUTE_US

    def instants(values: np.ndarray) -> pd.Series:
        return pd.Series(values.view("datetime64[us]")).dt.tz_localize("UTC")

    return pd.DataFrame({"start": instants(start), "end": instants(end)})


def files(
    folder: Path, total: int, per_file: int, make: Callable[[int, int, int], pd.DataFrame]
) -> list[str]:
    """The Parquet files of one data set, written unless a complete set is there."""
    done = folder / "_complete"
    count = -(-total // per_file)
    names = [folder / f"part-{i:05d}.parquet" for i in range(count)]
    if done.exists() and done.read_text() == f"{total} {per_file}":
        return [str(p) for p in names]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    for i, path in enumerate(names):
        n = min(per_file, total - i * per_file)
        make(i * per_file, n, i).to_parquet(path, index=False)
    done.write_text(f"{total} {per_file}")
    size = sum(p.stat().st_size for p in names)
    print(
        f"  wrote {count} files, {total:,} rows, {size / 2**20:,.0f} MiB"
        f" in {time.perf_counter() - t0:.0f} s: {folder}"
    )
    return [str(p) for p in names]


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def one_process(paths: list[str], run: Callable[[pd.DataFrame], pd.DataFrame]) -> dict[str, Any]:
    """Each file read and counted in turn here; the small results combined."""
    read = compute = 0.0
    parts = []
    t0 = time.perf_counter()
    for path in paths:
        t = time.perf_counter()
        frame = pd.read_parquet(path)
        read += time.perf_counter() - t
        t = time.perf_counter()
        parts.append(run(frame))
        compute += time.perf_counter() - t
        del frame
    result = combine_counts(parts)
    return {"wall": time.perf_counter() - t0, "read": read, "compute": compute, "result": result}


def graph_size(collection: Any) -> tuple[int, int]:
    """Tasks in a collection's graph and its pickled size in bytes (what the client sends)."""
    import cloudpickle

    graph = dict(collection.__dask_graph__())
    return len(graph), len(cloudpickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL))


def with_dask_dataframe(folder: Path, function: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """dd.read_parquet of the folder, the function per partition on the workers."""
    import dask.dataframe as dd

    t0 = time.perf_counter()
    data = dd.read_parquet(str(folder))
    meta = function(data._meta, *args, **kwargs).iloc[:0]
    small = data.map_partitions(function, *args, meta=meta, **kwargs)
    result = combine_counts(small.compute())
    wall = time.perf_counter() - t0
    tasks, size = graph_size(small.optimize())
    return {
        "wall": wall,
        "result": result,
        "partitions": data.npartitions,
        "tasks": tasks,
        "graph": size,
    }


def _file_counts(path: str, function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return function(pd.read_parquet(path), *args, **kwargs)


def with_client_map(
    client: Any, paths: list[str], function: Any, *args: Any, **kwargs: Any
) -> dict[str, Any]:
    """client.map over the file paths: each task reads one file on its worker."""
    t0 = time.perf_counter()
    futures = client.map(_file_counts, paths, function=function, args=args, kwargs=kwargs)
    result = combine_counts(client.gather(futures))
    return {"wall": time.perf_counter() - t0, "result": result}


def from_pandas(
    frame: pd.DataFrame, npartitions: int, function: Any, *args: Any, **kwargs: Any
) -> dict[str, Any]:
    """The pattern to avoid: a frame already in the client sent to the workers."""
    import dask.dataframe as dd

    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = dd.from_pandas(frame, npartitions=npartitions)
        meta = function(frame.iloc[:0], *args, **kwargs).iloc[:0]
        result = combine_counts(
            data.map_partitions(function, *args, meta=meta, **kwargs).compute()
        )
    wall = time.perf_counter() - t0
    said = sorted({str(w.message).split(".")[0] for w in caught})
    return {"wall": wall, "result": result, "warnings": said}


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i & 7
    return total


def ceiling(client: Any, workers: int, n: int = 40_000_000) -> str:
    """The speed-up the cluster gets at this moment on work that needs no data at all (a
    Python loop split in equal parts): the limit the figures beside it are measured
    against (the cores, less what else the machine runs, less the scheduling)."""
    t = time.perf_counter()
    _spin(n)
    alone = time.perf_counter() - t
    t = time.perf_counter()
    client.gather(client.map(_spin, [n // workers] * workers, pure=False))
    split = time.perf_counter() - t
    return f"ceiling now: a {alone:.1f} s loop split over {workers} workers, {alone / split:.2f}x"


def compare(
    title: str,
    rows: int,
    ways: dict[str, Callable[[], dict[str, Any]]],
    repeat: int,
    limit: Callable[[], str],
) -> list[str]:
    """Each way ``repeat`` times, interleaved; the best wall time of each, with the load
    average before that run and the first way as the base. The results must be equal.
    ``limit()`` is measured before each round."""
    print(f"\n{title}")
    best: dict[str, dict[str, Any]] = {}
    for _ in range(repeat):
        print(f"  {limit()} ({load()})", flush=True)
        for label, run in ways.items():
            before = load()
            figures = run()
            figures["load"] = before
            if label not in best or figures["wall"] < best[label]["wall"]:
                best[label] = figures
    lines = []
    base = None
    first = None
    for label, figures in best.items():
        wall = figures["wall"]
        speedup = "" if base is None else f"{base / wall:.2f}x"
        note = "; ".join([*([figures["note"]] if figures.get("note") else []), figures["load"]])
        print(
            f"  {label:<44}{wall:>9.2f} s{wall / rows * 1e6:>9.3f} us/row"
            f"{rows / wall / 1e6:>8.2f} M rows/s {speedup:>7}  ({note})",
            flush=True,
        )
        lines.append(
            f"| {label} | {rows:,} | {wall:.2f} s | {wall / rows * 1e6:.3f} us | {speedup} |"
        )
        if first is None:
            base, first = wall, figures["result"]
        else:
            pd.testing.assert_frame_equal(figures["result"], first)
    print("  results equal")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000_000)
    parser.add_argument("--intervals", type=int, default=100_000_000)
    parser.add_argument("--rows-per-file", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "itilkit-bench-scale"
    )
    parser.add_argument("--from-pandas-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    args = parser.parse_args()

    import dask
    import dask.dataframe
    import distributed
    import pyarrow.parquet

    del pyarrow  # imported before any timing, as on the workers below
    per_file = args.rows_per_file
    print(f"data under {args.dir} ({load()})")
    incident_files = files(
        args.dir / f"incidents-{args.incidents}-{per_file}",
        args.incidents,
        per_file,
        incidents_part,
    )
    interval_files = files(
        args.dir / f"intervals-{args.intervals}-{per_file}",
        args.intervals,
        per_file,
        lambda first, n, seed: intervals_part(n, 10_000 + seed),
    )
    incident_folder = Path(incident_files[0]).parent
    interval_folder = Path(interval_files[0]).parent

    t0 = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    for module in ("itilkit.dataframe", "pyarrow.parquet", "dask.dataframe"):
        client.run(__import__, module)  # imported here already: untimed on the workers too
    started = time.perf_counter() - t0
    print(
        f"LocalCluster(processes=True, n_workers={args.workers}, threads_per_worker=1)"
        f" started in {started:.1f} s; dask {dask.__version__}, pandas {pd.__version__},"
        f" best of {args.repeat}"
    )

    def limit() -> str:
        return ceiling(client, args.workers)

    table = []
    try:
        for name, sla in (("hours", HOURS), ("business days", BUSINESS_DAYS)):

            def here(sla: SLA = sla) -> dict[str, Any]:
                out = one_process(incident_files, lambda f: compliance_counts(f, sla, as_of=AS_OF))
                out["note"] = f"read {out['read']:.1f} s + count {out['compute']:.1f} s"
                return out

            def dask_frame(sla: SLA = sla) -> dict[str, Any]:
                out = with_dask_dataframe(incident_folder, compliance_counts, sla, as_of=AS_OF)
                out["note"] = (
                    f"{out['partitions']} partitions, {out['tasks']} tasks,"
                    f" graph {out['graph'] / 1024:.0f} KiB"
                )
                return out

            def mapped(sla: SLA = sla) -> dict[str, Any]:
                return with_client_map(client, incident_files, compliance_counts, sla, as_of=AS_OF)

            table += compare(
                f"compliance_counts, SLA '{name}', {args.incidents:,} incidents"
                f" in {len(incident_files)} files",
                args.incidents,
                {
                    f"{name}: one process": here,
                    f"{name}: dd.read_parquet + map_partitions": dask_frame,
                    f"{name}: client.map over files": mapped,
                },
                args.repeat,
                limit,
            )

        ends = {"start": "start", "end": "end"}

        def bt_here() -> dict[str, Any]:
            out = one_process(interval_files, lambda f: business_time_total(f, SEOUL, **ends))
            out["note"] = f"read {out['read']:.1f} s + business time {out['compute']:.1f} s"
            return out

        def bt_frame() -> dict[str, Any]:
            out = with_dask_dataframe(interval_folder, business_time_total, SEOUL, **ends)
            out["note"] = (
                f"{out['partitions']} partitions, {out['tasks']} tasks,"
                f" graph {out['graph'] / 1024:.0f} KiB"
            )
            return out

        def bt_mapped() -> dict[str, Any]:
            return with_client_map(client, interval_files, business_time_total, SEOUL, **ends)

        table += compare(
            f"business_time_total, {args.intervals:,} intervals in {len(interval_files)} files",
            args.intervals,
            {
                "business time: one process": bt_here,
                "business time: dd.read_parquet + map_partitions": bt_frame,
                "business time: client.map over files": bt_mapped,
            },
            args.repeat,
            limit,
        )

        if args.from_pandas_rows:
            rows = min(args.from_pandas_rows, args.incidents)
            frame = pd.concat(
                [pd.read_parquet(p) for p in incident_files[: -(-rows // per_file)]],
                ignore_index=True,
            ).iloc[:rows]

            def in_memory() -> dict[str, Any]:
                t = time.perf_counter()
                result = compliance_counts(frame, HOURS, as_of=AS_OF)
                return {"wall": time.perf_counter() - t, "result": result}

            def sent() -> dict[str, Any]:
                out = from_pandas(frame, 2 * args.workers, compliance_counts, HOURS, as_of=AS_OF)
                out["note"] = f"warnings: {out['warnings'] or 'none'}"
                return out

            table += compare(
                f"the pattern to avoid: {rows:,} incidents already in the client, SLA 'hours'",
                rows,
                {
                    "frame in memory: one call here": in_memory,
                    "frame in memory: dd.from_pandas + map_partitions": sent,
                },
                args.repeat,
                limit,
            )
    finally:
        client.close()
        cluster.close()

    print(f"\n({load()} at the end)")
    print("| workload | rows | wall | per row | speed-up |")
    print("|---|---:|---:|---:|---:|")
    for line in table:
        print(line)


if __name__ == "__main__":
    main()
