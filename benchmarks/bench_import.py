"""Import cost: ``import itilkit`` beside the import of its four dependencies, and the first KR window.

Run from the repository root (after ``pip install -e .``)::

    python benchmarks/bench_import.py               # 21 rounds
    python benchmarks/bench_import.py -n 41         # steadier medians
    python benchmarks/bench_import.py --bytecode    # as an installed package runs (cached .pyc)

Every figure is a fresh interpreter (``sys.executable``), started by this
script; the commands run interleaved, one of each per round in a rotating
order, so a machine that slows down during the run slows every command alike.
The ratio is taken round by round (itilkit's run over the dependencies' run of
the same round) and its median printed.

- ``python -c pass``: the interpreter's own start, paid by every command.
- ``deps``: ``import attrs, pendulum, dateutil.rrule, dateutil.tz, dateutil.parser, holidays``.
- ``import itilkit``: the namespace alone; a name's module loads on first use.
- ``import itilkit + ServiceWindow``: the engine (windows, time kernel, holidays calendar).
- ``from itilkit import *``: every domain module, what ``import itilkit`` cost when it
  loaded everything eagerly.

The first KR window is timed inside a child with ``time.perf_counter``, after
``import itilkit``, the engine and ``import holidays`` (a dependency, counted in
``deps``): ``ServiceWindow.weekly(..., holidays="KR")`` and its first query. It is
measured twice: as a program meets it (the ``holidays`` package then imports its
``holidays.countries`` package, which imports all of its country modules,
whichever one is asked for), and with ``holidays.countries`` already imported,
which leaves what itilkit itself does.

By default the children inherit this environment. Where ``PYTHONDONTWRITEBYTECODE``
is set and the package is an editable checkout, itilkit's modules are compiled from
source in every child while the dependencies' cached bytecode is read;
``--bytecode`` gives the children a private bytecode cache (``PYTHONPYCACHEPREFIX``),
warmed before timing, as an installed package has.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

DEPS = "import attrs, pendulum, dateutil.rrule, dateutil.tz, dateutil.parser, holidays"

COMMANDS: dict[str, str] = {
    "python -c pass": "pass",
    "deps": DEPS,
    "import itilkit": "import itilkit",
    "import itilkit + ServiceWindow": "import itilkit; itilkit.ServiceWindow",
    "from itilkit import *": "from itilkit import *",
}

#: Prints the milliseconds of the first KR window (construction and first query).
FIRST_KR = """
import time, itilkit
{prepare}
ServiceWindow = itilkit.ServiceWindow
started = time.perf_counter()
w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
w.business_time("2026-03-02T00:00+09:00", "2026-04-01T00:00+09:00")
print((time.perf_counter() - started) * 1e3)
"""
FIRST_KR_CASES = {
    "first KR window": FIRST_KR.format(prepare="import holidays"),
    "first KR window, holidays.countries already imported": FIRST_KR.format(
        prepare="import holidays.countries"
    ),
}


def run(code: str, env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of one fresh interpreter running ``code``, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{code!r} failed:\n{done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=21, help="rounds (default 21)")
    parser.add_argument(
        "--bytecode", action="store_true", help="children read and write a private .pyc cache"
    )
    args = parser.parse_args()

    env = dict(os.environ)
    cache = None
    if args.bytecode:
        cache = tempfile.TemporaryDirectory(prefix="itilkit-pyc-")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache.name
    mode = "private .pyc cache" if args.bytecode else "inherited environment"
    if not args.bytecode and env.get("PYTHONDONTWRITEBYTECODE"):
        mode += " (PYTHONDONTWRITEBYTECODE set: itilkit is compiled from source each run)"
    print(f"Python {sys.version.split()[0]}, {args.n} rounds, {mode}")

    cases = {**COMMANDS, **FIRST_KR_CASES}
    for code in cases.values():  # warm the file cache (and the .pyc cache)
        run(code, env)

    walls: dict[str, list[float]] = {name: [] for name in cases}
    inner: dict[str, list[float]] = {name: [] for name in FIRST_KR_CASES}
    names = list(cases)
    for round_ in range(args.n):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed, out = run(cases[name], env)
            walls[name].append(elapsed)
            if name in inner:
                inner[name].append(float(out))

    print(f"\n{'whole process (fresh interpreter)':<56}{'median':>10}{'min':>10}{'max':>10}")
    for name in COMMANDS:
        xs = walls[name]
        print(
            f"  {name:<54}{statistics.median(xs) * 1e3:>8.1f}ms"
            f"{min(xs) * 1e3:>8.1f}ms{max(xs) * 1e3:>8.1f}ms"
        )
    print()
    for name in ("import itilkit", "import itilkit + ServiceWindow", "from itilkit import *"):
        ratios = [a / b for a, b in zip(walls[name], walls["deps"], strict=True)]
        print(f"  {name + ' / deps':<54}{statistics.median(ratios):>9.2f}x")

    print(f"\n{'inside the child (time.perf_counter)':<56}{'median':>10}{'min':>10}{'max':>10}")
    for name, xs in inner.items():
        print(f"  {name:<54}{statistics.median(xs):>8.1f}ms{min(xs):>8.1f}ms{max(xs):>8.1f}ms")
    if cache is not None:
        cache.cleanup()


if __name__ == "__main__":
    main()
