"""Business-time throughput: itilkit beside businesstimedelta and pandas, on the same inputs.

Run from the repository root (after ``pip install -e ".[test]"``)::

    python benchmarks/bench_windows.py            # the figures in docs/performance.md
    python benchmarks/bench_windows.py --quick    # a smaller run

The window is Mon-Fri 09:00-18:00 in Asia/Seoul with Korean public holidays;
the intervals are random starts in 2026 with lengths up to ten days. Each
peer answers the same questions, and the script checks that the answers agree
before it prints any speed.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

import businesstimedelta
import holidays
import numpy as np
import pandas as pd
import pytz

import itilkit

TZ = "Asia/Seoul"
SEOUL = pytz.timezone(TZ)


def timed(label: str, n: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """Best of three runs, as operations per second."""
    best = float("inf")
    result = None
    for _ in range(3):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    rate = n / best
    print(f"  {label:<48} {rate:>14,.0f} /s   ({best * 1e3:8.1f} ms for {n:,})")
    return rate, result


def random_intervals(n: int, seed: int = 7) -> list[tuple[datetime, datetime]]:
    rng = random.Random(seed)
    base = SEOUL.localize(datetime(2026, 1, 1))
    pairs = []
    for _ in range(n):
        start = base + timedelta(minutes=rng.randrange(0, 364 * 24 * 60))
        end = start + timedelta(minutes=rng.randrange(0, 10 * 24 * 60))
        pairs.append((start, end))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    args = parser.parse_args()
    n_peer = 500 if args.quick else 3_000
    n_scalar = 20_000 if args.quick else 200_000
    n_array = 100_000 if args.quick else 1_000_000

    kr = holidays.country_holidays("KR", years=range(2025, 2028))
    window = itilkit.ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz=TZ, holidays="KR")
    window.business_time("2025-01-01T00:00+09:00", "2028-01-01T00:00+09:00")  # compile once
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=clock(9), end_time=clock(18), working_days=[0, 1, 2, 3, 4], tz=SEOUL
            ),
            businesstimedelta.HolidayRule(kr, tz=SEOUL),
        ]
    )
    pairs = random_intervals(max(n_peer, n_scalar))
    peer_pairs = pairs[:n_peer]
    hours = [random.Random(i).randrange(1, 60) for i in range(max(n_peer, n_scalar))]

    print(f"itilkit {itilkit.__version__}, businesstimedelta 1.0.1, pandas {pd.__version__}")
    print("\nbusiness_time(start, end):")
    bdt_rate, bdt = timed(
        "businesstimedelta Rules.difference",
        n_peer,
        lambda: [rules.difference(a, b).timedelta for a, b in peer_pairs],
    )
    ours_rate, ours = timed(
        "itilkit ServiceWindow.business_time",
        n_scalar,
        lambda: [window.business_time(a, b) for a, b in pairs[:n_scalar]],
    )
    mismatches = sum(1 for x, y in zip(bdt, ours, strict=False) if x != y)
    print(
        f"  -> {ours_rate / bdt_rate:,.0f}x businesstimedelta; "
        f"answers differ on {mismatches} of {n_peer} intervals"
    )

    print("\nadd(start, hours):")
    bdt_add_rate, bdt_add = timed(
        "businesstimedelta dt + BusinessTimeDelta",
        n_peer,
        lambda: [
            a + businesstimedelta.BusinessTimeDelta(rules, hours=h)
            for (a, _), h in zip(peer_pairs, hours, strict=False)
        ],
    )
    cbh = pd.offsets.CustomBusinessHour(start="09:00", end="18:00", holidays=sorted(kr))
    naive = [pd.Timestamp(a.replace(tzinfo=None)) for a, _ in peer_pairs]
    pandas_rate, pandas_add = timed(
        "pandas Timestamp + CustomBusinessHour(n)",
        n_peer,
        lambda: [t + h * cbh for t, h in zip(naive, hours, strict=False)],
    )
    ours_add_rate, ours_add = timed(
        "itilkit ServiceWindow.add",
        n_scalar,
        lambda: [
            window.add(a, timedelta(hours=h))
            for (a, _), h in zip(pairs[:n_scalar], hours, strict=False)
        ],
    )
    add_mismatch = sum(1 for x, y in zip(bdt_add, ours_add, strict=False) if x != y)
    pandas_mismatch = sum(
        1
        for x, y in zip(pandas_add, ours_add, strict=False)
        if x.to_pydatetime() != y.replace(tzinfo=None)
    )
    print(
        f"  -> {ours_add_rate / bdt_add_rate:,.0f}x businesstimedelta, "
        f"{ours_add_rate / pandas_rate:,.0f}x pandas; answers differ on {add_mismatch} "
        f"(businesstimedelta) and {pandas_mismatch} (pandas) of {n_peer}"
    )

    print("\nbusiness_time_many on numpy datetime64[us] arrays:")
    big = random_intervals(n_array, seed=11)
    starts = np.array(
        [a.astimezone(pytz.utc).replace(tzinfo=None) for a, _ in big], dtype="datetime64[us]"
    )
    ends = np.array(
        [b.astimezone(pytz.utc).replace(tzinfo=None) for _, b in big], dtype="datetime64[us]"
    )
    _, array_result = timed(
        "itilkit business_time_many (numpy)",
        n_array,
        lambda: window.business_time_many(starts, ends),
    )
    starts_series = pd.Series(starts).dt.tz_localize("UTC").dt.tz_convert(TZ)
    ends_series = pd.Series(ends).dt.tz_localize("UTC").dt.tz_convert(TZ)
    timed(
        "itilkit business_time_many (aware pandas Series)",
        n_array,
        lambda: window.business_time_many(starts_series, ends_series),
    )
    sample = range(0, n_array, max(1, n_array // 2000))
    same = all(
        array_result[i].item() == window.business_time(big[i][0], big[i][1]) for i in sample
    )
    print(f"  -> equal to the scalar call on {len(sample)} sampled pairs: {same}")

    print("\nadd_days(start, n) and queries far apart:")
    days = [random.Random(i).randrange(-20, 21) for i in range(n_scalar)]
    timed(
        "itilkit ServiceWindow.add_days (n from -20 to 20)",
        n_scalar,
        lambda: [window.add_days(a, n) for (a, _), n in zip(pairs[:n_scalar], days, strict=False)],
    )
    started = time.perf_counter()
    far = itilkit.ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz=TZ)
    far.business_time("0002-03-05T00:00+09:00", "0002-03-06T00:00+09:00")
    far.business_time("9997-06-03T00:00+09:00", "9997-06-04T00:00+09:00")
    print(
        f"  one window, a day in year 2 and a day in year 9997: "
        f"{(time.perf_counter() - started) * 1e3:,.1f} ms (two years compiled, not 9996)"
    )


if __name__ == "__main__":
    main()
