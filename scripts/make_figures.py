"""Draw the three pictures of the "Plots in notebooks" guide into ``docs/_static/``.

A clock's timeline, availability by month against a target, and a
weekday-by-hour load heatmap, each from small made-up data (fixed seed), so
the figures are the same on every run. Needs the ``plot`` extra. Run from
the repository root::

    python scripts/make_figures.py            # writes docs/_static/{clock,availability,load}.png
    python scripts/make_figures.py OUT_DIR    # somewhere else
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pendulum

import itilkit

STATIC = Path(__file__).resolve().parent.parent / "docs" / "_static"
DPI = 110


def clock_figure() -> tuple[itilkit.ClockStatus, itilkit.ServiceWindow]:
    """A P2 incident in Berlin business hours: a hold for the caller, then a breach overnight."""
    window = itilkit.ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Europe/Berlin")
    sla = itilkit.SLA("Gold", window=window, targets=[itilkit.Target("resolution", "PT8H")])

    def at(day: int, hour: int, minute: int = 0) -> pendulum.DateTime:
        return pendulum.datetime(2026, 3, day, hour, minute, tz="Europe/Berlin")

    incident = (
        itilkit.Incident.open("INC0042", at=at(3, 14), impact="high", urgency="medium")
        .start_work(at=at(3, 14, 20))
        .hold(at=at(4, 10), reason="awaiting caller")
        .resume(at=at(4, 15))
    )
    return sla.clock(incident, "resolution", as_of=at(5, 11)), window


def availability_report() -> itilkit.AvailabilityReport:
    """Six months of weekday business hours in Seoul, one bad month."""
    window = itilkit.ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
    outages = [
        itilkit.Outage("2026-01-14T10:00+09:00", "2026-01-14T10:45+09:00", id="OUT-1"),
        itilkit.Outage("2026-02-10T13:00+09:00", "2026-02-10T14:10+09:00", id="OUT-2"),
        itilkit.Outage("2026-03-10T10:00+09:00", "2026-03-10T11:53:24+09:00", id="OUT-3"),
        itilkit.Outage("2026-04-07T09:00+09:00", "2026-04-07T13:30+09:00", id="OUT-4"),
        itilkit.Outage(
            "2026-04-21T14:00+09:00", "2026-04-21T17:00+09:00", impact="50%", id="OUT-5"
        ),
        itilkit.Outage(
            "2026-05-16T01:00+09:00", "2026-05-16T05:00+09:00", planned=True, id="MAINT-1"
        ),
        itilkit.Outage("2026-06-09T16:30+09:00", "2026-06-09T17:00+09:00", id="OUT-6"),
    ]
    return itilkit.measure_availability(
        outages, window=window, start="2026-01-01T00:00+09:00", end="2026-07-01T00:00+09:00"
    )


def load_samples() -> list[tuple[pendulum.DateTime, float]]:
    """Four weeks of 15-minute CPU load (percent) in Seoul: hot for four hours after 18:00."""
    rng = random.Random(2026)
    start = pendulum.datetime(2026, 3, 2, tz="Asia/Seoul")
    samples = []
    for i in range(28 * 24 * 4):
        at = start.add(minutes=15 * i)
        hour = at.hour + at.minute / 60
        weekday = at.weekday() < 5
        if weekday and 18 <= hour < 22:
            load = rng.uniform(96.0, 99.5)
        elif weekday and 9 <= hour < 18:
            load = 55 + 15 * rng.random()
        elif 1 <= hour < 3:  # the nightly backup, every day
            load = 60 + 25 * rng.random()
        else:
            load = 20 + 15 * rng.random()
        samples.append((at, round(load, 1)))
    return samples


def main(out: Path) -> None:
    """Write clock.png, availability.png and load.png into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    status, window = clock_figure()
    status.plot(window=window).savefig(out / "clock.png", dpi=DPI)
    availability_report().plot("99.5%").savefig(out / "availability.png", dpi=DPI)
    itilkit.plot_load(
        load_samples(), tz="Asia/Seoul", threshold="90%", unit="%", end="2026-03-30T00:00+09:00"
    ).savefig(out / "load.png", dpi=DPI)
    for name in ("clock", "availability", "load"):
        print(out / f"{name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else STATIC)
