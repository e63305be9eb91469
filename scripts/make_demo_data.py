"""Write the synthetic monitoring data that ``itilkit demo`` tells its story with.

The incident data of the demo is real (the ServiceNow sample); the outage
list and the load samples are made up, with a fixed seed, to match the
founding story: 113.4 minutes of downtime inside March 2026's weekday
business hours in Seoul, and servers at about 99% load for four hours after
18:00 on weekdays. Run from the repository root::

    python scripts/make_demo_data.py
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

DATA = Path(__file__).resolve().parent.parent / "src" / "itilkit" / "data"
SEOUL = ZoneInfo("Asia/Seoul")

OUTAGES = [
    # id, start, end, planned, impact, what happened
    (
        "OUT-1",
        "2026-03-10T10:00:00+09:00",
        "2026-03-10T11:00:00+09:00",
        False,
        "1",
        "database failover",
    ),
    (
        "OUT-2",
        "2026-03-18T14:30:00+09:00",
        "2026-03-18T15:20:00+09:00",
        False,
        "1",
        "storage latency",
    ),
    (
        "OUT-3",
        "2026-03-25T17:56:36+09:00",
        "2026-03-25T18:30:00+09:00",
        False,
        "1",
        "network switch",
    ),
    (
        "OUT-4",
        "2026-03-21T02:00:00+09:00",
        "2026-03-21T06:00:00+09:00",
        True,
        "1",
        "planned patching",
    ),
    (
        "OUT-5",
        "2026-03-12T20:00:00+09:00",
        "2026-03-12T21:00:00+09:00",
        False,
        "1",
        "batch overrun, after hours",
    ),
]


def main() -> None:
    with (DATA / "demo_outages_2026-03.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "start", "end", "planned", "impact", "note"])
        writer.writerows(OUTAGES)
    rng = random.Random(2026)
    moment = datetime(2026, 3, 1, tzinfo=SEOUL)
    stop = datetime(2026, 4, 1, tzinfo=SEOUL)
    with (DATA / "demo_load_2026-03.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["at", "load"])
        while moment < stop:
            busy_evening = moment.weekday() < 5 and 18 <= moment.hour < 22
            if busy_evening:
                load = rng.randint(970, 995)
            elif moment.weekday() < 5 and 9 <= moment.hour < 18:
                load = rng.randint(550, 800)
            else:
                load = rng.randint(150, 450)
            writer.writerow([moment.isoformat(), f"0.{load:03d}"])
            moment += timedelta(minutes=10)


if __name__ == "__main__":
    main()
