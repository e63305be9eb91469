"""The founding story, told with computed numbers on bundled data (``itilkit demo``)."""

from __future__ import annotations

import csv
import io
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from fractions import Fraction
from importlib import resources
from typing import TYPE_CHECKING

import pendulum

from ._approval import ApprovalPolicy
from ._availability import Outage
from ._capacity import recurring_overloads
from ._change import ChangeRequest
from ._change_calendar import ChangeCalendar
from ._clock import metric_name
from ._errors import InvalidValueError
from ._incident import Incident, State
from ._ratio import format_percent, percent_text, ratio_text
from ._report import format_duration
from ._review import ServiceReview
from ._sla import SLA
from ._window import ServiceWindow

if TYPE_CHECKING:
    from .io import EventLog

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
            f"   March 2026 has {format_duration(agreed)} of agreed service time "
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


SAMPLE = "servicenow_event_log_sample.csv"
SAMPLE_TZ = "America/Sao_Paulo"  # the export does not record its zone; the demo assumes one


def _sample_log() -> EventLog:
    from .io import read_event_log  # the importers load only when the demo reads the sample

    path = resources.files("itilkit").joinpath("data", SAMPLE)
    with path.open("r", encoding="utf-8") as handle:
        return read_event_log(handle, tz=SAMPLE_TZ, preset="servicenow", dayfirst=True)


def _incidents() -> str:
    log = _sample_log()
    states = Counter(inc.state.name for inc in log.incidents)
    priorities = Counter(inc.priority.name for inc in log.incidents)
    reopened = [
        inc.id
        for inc in log.incidents
        if any(
            t.from_state is State.RESOLVED and t.to_state is State.IN_PROGRESS for t in inc.history
        )
    ]
    held = [inc for inc in log.incidents if any(t.to_state is State.ON_HOLD for t in inc.history)]
    example = held[0]
    on_hold = example.time_in(State.ON_HOLD)
    lines = [
        "4. Incidents from a real ServiceNow audit export (bundled sample, CC BY 4.0)",
        f"   {len(log.incidents)} incidents; every row is accounted for:",
        *(f"   {line}" for line in str(log.summary()).splitlines()),
        "   (the export's own priorities are kept; where its matrix differs from ITIL's,"
        " that is said)",
        "   states now: " + ", ".join(f"{n} {k}" for k, n in sorted(states.items())),
        "   priorities as recorded: "
        + ", ".join(f"{n} {k}" for k, n in sorted(priorities.items())),
        f"   reopened: {', '.join(reopened) or 'none'}; "
        f"{len(held)} incidents waited on the caller (ON_HOLD).",
        f"   {example.id}: opened {example.opened_at:%Y-%m-%d %H:%M}, "
        f"{len(example.history)} state changes, {format_duration(on_hold)} on hold.",
    ]
    return "\n".join(lines)


def _sla_compliance() -> str:
    text = resources.files("itilkit").joinpath("data", "demo_sla.toml").read_text("utf-8")
    sla = SLA.from_dict(tomllib.loads(text))
    log = _sample_log()
    as_of = last_instant(log.incidents)
    report = sla.compliance(log.incidents, as_of=as_of)
    summary = str(report).split("\n\nBreaches")[0]
    rate = report.rate
    worst = max(report.breaches, key=lambda b: b.late_by, default=None)
    lines = [
        f"5. SLA compliance of the sample ({sla.window!r})",
        *("   " + line for line in summary.splitlines()),
    ]
    if rate is not None:
        lines.append(
            f"   {report.met} clocks met and {report.breached} breached: "
            f"{format_percent(rate, 1)} compliance (exactly {ratio_text(rate)})."
        )
    if worst is not None:
        lines.append(
            f"   The most overdue: {worst.incident_id}'s {metric_name(worst.metric)} clock, "
            f"{format_duration(worst.late_by)} of business time past its "
            f"{format_duration(worst.target)} target."
        )
    return "\n".join(lines)


def last_instant(incidents: Iterable[Incident]) -> pendulum.DateTime:
    """The latest instant recorded on any of the incidents (a report's default ``as_of``)."""
    latest: pendulum.DateTime | None = None
    for incident in incidents:
        candidates = [incident.opened_at, *(t.at for t in incident.history)]
        moment = max(candidates)
        if latest is None or moment > latest:
            latest = moment
    if latest is None:
        raise InvalidValueError("incidents", "at least one incident", 0)
    return latest


def _founding_sla() -> SLA:
    """The founding story's agreement (``data/founding_sla.toml``)."""
    text = resources.files("itilkit").joinpath("data", "founding_sla.toml").read_text("utf-8")
    return SLA.from_dict(tomllib.loads(text))


def _founding_outages() -> list[Outage]:
    """March 2026's outages of the founding story's service (``data/demo_outages_2026-03.csv``)."""
    return [
        Outage(
            row["start"],
            row["end"],
            planned=row["planned"] == "True",
            impact=row["impact"],  # "1": a ratio, by the one convention
            id=row["id"],
        )
        for row in _data("demo_outages_2026-03.csv")
    ]


def _founding_samples() -> list[tuple[str, Fraction]]:
    """March 2026's load every 10 minutes (``data/demo_load_2026-03.csv``)."""
    return [(row["at"], Fraction(row["load"])) for row in _data("demo_load_2026-03.csv")]


DEMO_SERVICE = "Seoul business service"
DEMO_PERIOD = "2026-03"


def demo_review() -> ServiceReview:
    """The review of the founding story's service for March 2026, from the bundled files.

    The SLA is ``data/founding_sla.toml`` (weekdays 09:00-18:00 in Seoul,
    Korean holidays closed, 97% availability); the outages
    ``data/demo_outages_2026-03.csv``; the load samples
    ``data/demo_load_2026-03.csv`` (every 10 minutes). The bundled data covers
    March only, so the trend has no previous period, and no incident or
    change is bundled for this service.

    >>> review = demo_review()
    >>> print(review.summary_sentences[1])
    Availability in agreed hours (Mon-Fri 09:00-18:00 Asia/Seoul) was 99% against an SLA of 97%: met by 2 points.
    """
    return ServiceReview.build(
        DEMO_SERVICE,
        period=DEMO_PERIOD,
        sla=_founding_sla(),
        outages=_founding_outages(),
        samples=_founding_samples(),
        previous=0,
    )


def _availability() -> str:
    sla = _founding_sla()
    outages = _founding_outages()
    report = sla.availability_report(outages, start=MARCH[0], end=MARCH[1])
    assert report.ratio is not None and report.target is not None
    target = percent_text(report.target)  # the SLA's own objective, not a literal
    verdict = "meets" if report.meets() else "misses"
    return "\n".join(
        [
            f"6. Availability against the SLA {sla.name!r} (bundled outage list, March 2026)",
            f"   {len(outages)} outages recorded; {report.failures} touched agreed service "
            f"time; planned maintenance is excluded from both sides.",
            f"   downtime inside agreed hours: {format_duration(report.downtime)} "
            f"of {format_duration(report.agreed)} agreed",
            f"   availability {format_percent(report.ratio, 3)} (exactly {ratio_text(report.ratio)}), "
            f"which {verdict} the {target} target by {ratio_text(report.margin())} points.",
            f'   IT: "During weekday business hours (09:00-18:00) we achieved '
            f'{format_percent(report.ratio, 0)} availability against an SLA of {target}."',
        ]
    )


def _capacity() -> str:
    samples = _founding_samples()
    threshold = "95%"
    patterns = recurring_overloads(
        samples, threshold=threshold, tz="Asia/Seoul", end="2026-04-01T00:00+09:00"
    )
    lines = [
        "7. Capacity: recurring overload (bundled load samples, every 10 minutes)",
        f"   {len(samples)} samples; periods above {threshold} that recur on the same weekdays:",
    ]
    for pattern in patterns:
        lines.append(
            f"   {pattern.spec}: {pattern.occurrences} occurrences, "
            f"peak {format_percent(pattern.peak, 1)}"
        )
    if patterns:
        first = patterns[0]
        hours = (
            datetime.combine(datetime.min, first.end) - datetime.combine(datetime.min, first.start)
        ) // timedelta(hours=1)
        lines.append(
            f'   IT: "For {hours} hours after {first.start:%H:%M} on weekdays the servers run at '
            f'{format_percent(first.peak, 1)} load, so we must add capacity."'
        )
    return "\n".join(lines)


def _change() -> str:
    seoul = "Asia/Seoul"
    freeze = ServiceWindow.from_spans(
        [("2026-12-21T00:00+09:00", "2027-01-04T00:00+09:00")], tz=seoul
    )
    maintenance = ServiceWindow.recurring(
        "FREQ=WEEKLY;BYDAY=SA;BYHOUR=22", duration="PT6H", tz=seoul
    )
    office = ServiceWindow.weekly(SEOUL_HOURS, tz=seoul, holidays="KR")
    calendar = ChangeCalendar(
        freeze=freeze, maintenance=maintenance, lead_time="PT18H", business_window=office
    )
    upgrade = ChangeRequest.new(
        "CHG-2026-118",
        type="normal",
        risk="high",
        items=["app-cluster"],
        requested_at="2026-12-22T10:00+09:00",
        start="2026-12-26T22:00+09:00",
        end="2026-12-27T02:00+09:00",
    )
    policy = ApprovalPolicy.default(
        change_managers=["kim"], cab=["lee", "park", "choi"], ecab=["han"]
    )
    voted = upgrade.approve("kim", role="change_manager", at="2026-12-22T15:00+09:00").approve(
        "lee", role="cab", at="2026-12-22T15:05+09:00"
    )
    lines = [
        "8. A change to add that capacity, checked against the change calendar",
        f"   {upgrade.id}: add nodes to app-cluster, {upgrade.start:%a %d %b %H:%M} to "
        f"{upgrade.end:%a %d %b %H:%M} (Saturday maintenance window 22:00-04:00)",
        *(f"   conflict: {conflict}" for conflict in calendar.conflicts(upgrade)),
    ]
    slot = calendar.next_slot(
        upgrade.end - upgrade.start, after=upgrade.requested_at, items=upgrade.items
    )
    lines.append(
        f"   earliest slot without conflicts: {slot.start:%a %d %b %Y %H:%M} to "
        f"{slot.end:%a %d %b %H:%M}"
    )
    lines.append(f"   approval so far: {policy.decide(voted)}".replace("\n", "\n   "))
    return "\n".join(lines)


def _review() -> str:
    review = demo_review()
    lines = [
        "9. The service review of March, for the customer",
        "   (the whole document: itilkit review --demo --format html -o review.html)",
        *(f"   {sentence}" for sentence in review.summary_sentences),
    ]
    return "\n".join(lines)


#: The demo's sections in order; each returns its text.
SECTIONS: tuple[Callable[[], str], ...] = (
    _service_window,
    _incidents,
    _sla_compliance,
    _availability,
    _capacity,
    _change,
    _review,
)


def demo_text() -> str:
    """The whole demo as text.

    >>> print(demo_text().splitlines()[0])
    itilkit demo: service level management, computed exactly
    """
    header = "itilkit demo: service level management, computed exactly"
    return "\n\n".join([header + "\n" + "=" * len(header), *(section() for section in SECTIONS)])
