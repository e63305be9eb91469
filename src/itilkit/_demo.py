"""The founding story, told with computed numbers on bundled data (``itilkit demo``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from fractions import Fraction
from importlib import resources

from ._availability import Outage, measure_availability
from ._capacity import recurring_overloads
from ._report import format_duration, ratio_text
from ._time import format_percent
from ._window import ServiceWindow

__all__ = ["SECTIONS", "demo_text"]


def _service_window() -> str:
    seoul = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
    agreed = seoul.business_time("2026-03-01T00:00+09:00", "2026-04-01T00:00+09:00")
    opened = "2026-02-27T17:00+09:00"
    due = seoul.add(opened, "PT4H")
    days = seoul.add_days(opened, 1)
    night = ServiceWindow.weekly("Sat 22:00-06:00", tz="America/New_York")
    spring = night.business_time("2026-03-07T12:00-05:00", "2026-03-08T12:00-04:00")
    autumn = night.business_time("2026-10-31T12:00-04:00", "2026-11-01T12:00-05:00")
    return "\n".join(
        [
            "1. Agreed service time",
            f"   {seoul!r}",
            f"   March 2026 has {agreed // timedelta(hours=1)} h of agreed service time "
            "(21 working days x 9 h;",
            "   1 March is Independence Movement Day and 2 March its substitute holiday).",
            "",
            "2. A due date across a holiday weekend",
            f"   An incident opened Fri 27 Feb 17:00 with a 4 h target is due {due:%a %d %b %H:%M}",
            "   (1 h on Friday, then the weekend and the Monday holiday are closed).",
            f"   '1 business day' later, as ticket systems count days, is {days:%a %d %b %H:%M};",
            "   '1 day' as 24 business hours would be add(..., 'P1D'): "
            f"{seoul.add(opened, 'P1D'):%a %d %b %H:%M}.",
            "",
            "3. An overnight shift across DST (Sat 22:00-06:00, New York)",
            f"   7-8 March 2026 (clocks spring forward): {format_duration(spring)}",
            f"   31 Oct-1 Nov 2026 (clocks fall back):   {format_duration(autumn)}",
        ]
    )


def _data(name: str) -> list[dict[str, str]]:
    """Rows of a bundled CSV file (``itilkit/data``)."""
    text = resources.files("itilkit").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


SEOUL_HOURS = "Mon-Fri 09:00-18:00"
MARCH = ("2026-03-01T00:00+09:00", "2026-04-01T00:00+09:00")


def _availability() -> str:
    hours = ServiceWindow.weekly(SEOUL_HOURS, tz="Asia/Seoul", holidays="KR")
    outages = [
        Outage(
            row["start"],
            row["end"],
            planned=row["planned"] == "True",
            impact=Fraction(row["impact"]),
            id=row["id"],
        )
        for row in _data("demo_outages_2026-03.csv")
    ]
    report = measure_availability(outages, window=hours, start=MARCH[0], end=MARCH[1])
    target = "97%"
    assert report.ratio is not None
    margin = report.margin(target)
    verdict = "meets" if report.meets(target) else "misses"
    return "\n".join(
        [
            "5. Availability against the SLA (bundled outage list, March 2026)",
            f"   {len(outages)} outages recorded; {report.failures} touched agreed service "
            f"time; planned maintenance is excluded from both sides.",
            f"   downtime inside agreed hours: {_minutes(report.downtime)} min "
            f"of {report.agreed // timedelta(hours=1)} h agreed",
            f"   availability {format_percent(report.ratio, 3)} (exactly {ratio_text(report.ratio)}), "
            f"which {verdict} the {target} target by {ratio_text(margin)} points.",
            f'   IT: "During weekday business hours (09:00-18:00) we achieved '
            f'{format_percent(report.ratio, 0)} availability against an SLA of {target}."',
        ]
    )


def _minutes(duration: timedelta) -> str:
    us = (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds
    return ratio_text(Fraction(us, 60_000_000))


def _capacity() -> str:
    samples = [(row["at"], Fraction(row["load"])) for row in _data("demo_load_2026-03.csv")]
    threshold = "95%"
    patterns = recurring_overloads(
        samples, threshold=threshold, tz="Asia/Seoul", end="2026-04-01T00:00+09:00"
    )
    lines = [
        "6. Capacity: recurring overload (bundled load samples, every 10 minutes)",
        f"   {len(samples)} samples; periods above {threshold} that recur on the same weekdays:",
    ]
    for pattern in patterns:
        lines.append(
            f"   {pattern.spec}: {pattern.occurrences} occurrences, "
            f"peak {format_percent(Fraction(pattern.peak), 1)}"
        )
    if patterns:
        first = patterns[0]
        hours = (
            datetime.combine(datetime.min, first.end) - datetime.combine(datetime.min, first.start)
        ) // timedelta(hours=1)
        lines.append(
            f'   IT: "For {hours} hours after {first.start:%H:%M} on weekdays the servers run at '
            f'{format_percent(Fraction(first.peak), 1)} load, so we must add capacity."'
        )
    return "\n".join(lines)


#: The demo's sections in order; each returns its text.
SECTIONS: tuple[Callable[[], str], ...] = (_service_window, _availability, _capacity)


def demo_text() -> str:
    """The whole demo as text.

    >>> print(demo_text().splitlines()[0])
    itilkit demo: service level management, computed exactly
    """
    header = "itilkit demo: service level management, computed exactly"
    return "\n\n".join([header + "\n" + "=" * len(header), *(section() for section in SECTIONS)])
