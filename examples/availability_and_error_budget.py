"""Availability against an SLA target, and the same numbers as an SRE error budget.

Run it from anywhere::

    python examples/availability_and_error_budget.py

March 2026, a Seoul service with agreed hours Mon-Fri 09:00-18:00 (Korean
public holidays closed), an SLA availability target of 97%, and a 24x7
error budget of 99.9% for the same month.
"""

from __future__ import annotations

from itilkit import SLA, ErrorBudget, Outage, ServiceWindow, Target


def main() -> None:
    hours = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
    outages = [
        Outage("2026-03-10T10:00+09:00", "2026-03-10T11:00+09:00", id="database failover"),
        Outage("2026-03-18T14:30+09:00", "2026-03-18T15:20+09:00", id="storage latency"),
        Outage("2026-03-25T17:56:36+09:00", "2026-03-25T18:30+09:00", id="network switch"),
        Outage("2026-03-21T02:00+09:00", "2026-03-21T06:00+09:00", planned=True, id="patching"),
    ]
    sla = SLA(
        "Seoul business service",
        window=hours,
        availability="97%",
        targets=[Target("resolution", "3 business days")],
    )
    report = sla.availability_report(
        outages, start="2026-03-01T00:00+09:00", end="2026-04-01T00:00+09:00"
    )
    print(report)
    print()
    # The objective is the SLA's own (sla.availability), not a literal repeated here.
    assert sla.availability is not None
    objective = f"{sla.availability * 100}%"  # Fraction(97, 100) -> "97%"
    print(f"Meets {objective}: {report.meets()}, margin {report.margin()} points")
    for month in report.by_month():
        assert month.ratio is not None
        print(f"{month.start:%B %Y}: {float(month.ratio):.3%}")  # a float, for display only

    budget = ErrorBudget("99.9%", start="2026-03-01T00:00+09:00", end="2026-04-01T00:00+09:00")
    print()
    print(f"Error budget of 99.9% over March (24x7): {budget.allowed} allowed")
    print(
        f"spent {budget.spent(outages)}; remaining {budget.remaining(outages)} (negative: overspent)"
    )
    for alert in budget.alerts(outages, as_of="2026-03-10T11:00+09:00"):
        print(alert)


if __name__ == "__main__":
    main()
