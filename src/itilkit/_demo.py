"""The founding story, told with computed numbers on bundled data (``itilkit demo``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from ._report import format_duration
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


#: The demo's sections in order; each returns its text.
SECTIONS: tuple[Callable[[], str], ...] = (_service_window,)


def demo_text() -> str:
    """The whole demo as text.

    >>> print(demo_text().splitlines()[0])
    itilkit demo: service level management, computed exactly
    """
    header = "itilkit demo: service level management, computed exactly"
    return "\n\n".join([header + "\n" + "=" * len(header), *(section() for section in SECTIONS)])
