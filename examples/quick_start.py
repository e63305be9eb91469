"""Quick start: agreed service hours, business time, due dates, and "1 day".

Run it from anywhere::

    python examples/quick_start.py
"""

from __future__ import annotations

from datetime import timedelta

from itilkit import ServiceWindow


def main() -> None:
    desk = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
    print(desk)

    march = desk.business_time("2026-03-01T00:00+09:00", "2026-04-01T00:00+09:00")
    print(f"Agreed service time in March 2026: {march / timedelta(hours=1):g} h")

    opened = "2026-02-27T17:00+09:00"  # a Friday; 1 and 2 March are holidays
    print(f"Opened {opened}, 4 h target, due {desk.add(opened, 'PT4H')}")
    print(f"'1 day' as 24 business hours: {desk.add(opened, 'P1D')}")
    print(f"'1 day' as the next working day: {desk.add_days(opened, 1)}")

    for span in desk.spans("2026-02-27T00:00+09:00", "2026-03-04T00:00+09:00"):
        print(f"open {span.start} to {span.end} ({span.duration})")


if __name__ == "__main__":
    main()
