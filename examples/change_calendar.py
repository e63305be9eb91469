"""A change checked against the change calendar, and its approval by the CAB.

Run it from anywhere::

    python examples/change_calendar.py
"""

from __future__ import annotations

from itilkit import ApprovalPolicy, ChangeCalendar, ChangeRequest, ServiceWindow


def main() -> None:
    tz = "Europe/Berlin"
    year_end = ServiceWindow.from_spans(
        [("2026-12-21T00:00+01:00", "2027-01-04T00:00+01:00")], tz=tz
    )
    sundays = ServiceWindow.recurring("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration="PT4H", tz=tz)
    office = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz=tz, holidays="DE")
    calendar = ChangeCalendar(
        freeze=year_end, maintenance=sundays, lead_time="P2D", business_window=office
    )

    upgrade = ChangeRequest.new(
        "CHG1100",
        type="normal",
        risk="high",
        items=["db-primary"],
        requested_at="2026-12-18T10:00+01:00",
        start="2026-12-27T02:00+01:00",
        end="2026-12-27T05:00+01:00",
    )
    print(f"{upgrade.id} planned {upgrade.start} to {upgrade.end}")
    for conflict in calendar.conflicts(upgrade):
        print(f"  conflict: {conflict}")

    slot = calendar.next_slot("PT3H", after=upgrade.requested_at, items=upgrade.items)
    upgrade = upgrade.reschedule(start=slot.start, end=slot.end)
    print(
        f"rescheduled to {upgrade.start} to {upgrade.end}: "
        f"{len(calendar.conflicts(upgrade))} conflicts"
    )

    policy = ApprovalPolicy.default(
        change_managers=["alice"], cab=["ann", "bo", "cy", "di", "ed"], ecab=["erin"]
    )
    upgrade = (
        upgrade.approve("alice", role="change_manager", at="2026-12-18T11:00+01:00")
        .approve("ann", role="cab", at="2026-12-18T11:05+01:00")
        .approve("bo", role="cab", at="2026-12-18T11:06+01:00")
    )
    print(policy.decide(upgrade))
    upgrade = upgrade.approve("cy", role="cab", at="2026-12-18T11:07+01:00")
    print(policy.decide(upgrade))


if __name__ == "__main__":
    main()
