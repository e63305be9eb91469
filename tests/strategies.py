"""Hypothesis strategies shared by the test suite, one section per domain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

import itilkit

# --- service windows ---

#: Zones with DST in both hemispheres, a 30-minute DST, and none.
ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Seoul",
)

#: Specs that put boundaries on, inside and around DST transitions.
SPECS = (
    "Mon-Fri 09:00-18:00",
    "Sun-Thu 22:00-06:00",
    "Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00",
    "Mon-Sun 01:30-02:30",
    "Sat,Sun 00:00-24:00",
    "Mon-Sun 02:00-03:00,23:00-01:15",
)

#: 2026 DST transitions (UTC) of the zones above, where the tests crowd instants.
TRANSITIONS = (
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # New York, spring forward
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),  # New York, fall back
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # Berlin, spring forward
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # Berlin, fall back
    datetime(2026, 4, 4, 16, 0, tzinfo=UTC),  # Sydney, fall back (03:00 -> 02:00)
    datetime(2026, 10, 3, 16, 0, tzinfo=UTC),  # Sydney, spring forward
    datetime(2026, 4, 4, 15, 0, tzinfo=UTC),  # Lord Howe, back 30 minutes
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),  # Lord Howe, forward 30 minutes
)

_BASE = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def instants(draw: st.DrawFn, *, minute_aligned: bool = False) -> datetime:
    """Aware instants in 2025-2027, crowded around DST transitions."""
    if draw(st.booleans()):
        anchor = draw(st.sampled_from(TRANSITIONS))
        offset = draw(st.integers(-3 * 24 * 60, 3 * 24 * 60))
        moment = anchor + timedelta(minutes=offset)
    else:
        moment = _BASE + timedelta(minutes=draw(st.integers(-366 * 24 * 60, 2 * 366 * 24 * 60)))
    if not minute_aligned:
        moment += timedelta(microseconds=draw(st.integers(0, 59_999_999)))
    return moment


durations = st.integers(0, 40 * 24 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))


@st.composite
def windows(draw: st.DrawFn) -> itilkit.ServiceWindow:
    """Weekly windows in DST zones, some with holidays and overrides."""
    tz = draw(st.sampled_from(ZONES))
    spec = draw(st.sampled_from(SPECS))
    holidays = draw(st.sampled_from([None, "dates"]))
    if holidays == "dates":
        return itilkit.ServiceWindow.weekly(
            spec,
            tz=tz,
            holidays=["2026-03-09", "2026-10-26", "2026-04-06"],
            overrides={"2026-03-28": "10:00-14:00", "2026-11-02": "closed"},
        )
    return itilkit.ServiceWindow.weekly(spec, tz=tz)


# --- incidents ---

#: A hand-written copy of the allowed moves (not read from the code under test).
LEGAL_MOVES = {
    "NEW": ("IN_PROGRESS", "ON_HOLD", "RESOLVED", "CANCELED"),
    "IN_PROGRESS": ("ON_HOLD", "RESOLVED", "CANCELED"),
    "ON_HOLD": ("ON_HOLD", "IN_PROGRESS", "RESOLVED", "CANCELED"),
    "RESOLVED": ("IN_PROGRESS", "CLOSED"),
    "CLOSED": (),
    "CANCELED": (),
}


@st.composite
def legal_walks(
    draw: st.DrawFn,
) -> tuple[datetime, list[tuple[datetime, itilkit.State, itilkit.HoldReason | None]]]:
    """An opening instant and a walk of legal, time-ordered steps (gaps may be zero)."""
    opened = draw(instants())
    state = "NEW"
    reason: str | None = None
    at = opened
    steps: list[tuple[datetime, itilkit.State, itilkit.HoldReason | None]] = []
    for _ in range(draw(st.integers(0, 12))):
        moves = LEGAL_MOVES[state]
        if not moves:
            break
        target = draw(st.sampled_from(moves))
        new_reason = None
        if target == "ON_HOLD":
            choices = [r for r in itilkit.HoldReason if r.name != reason]
            new_reason = draw(st.sampled_from(choices))
        at = at + timedelta(seconds=draw(st.integers(0, 5 * 24 * 3600)))
        steps.append((at, itilkit.State[target], new_reason))
        state, reason = target, (new_reason.name if new_reason else None)
    return opened, steps


# --- availability and capacity ---

#: Monday 2 March 2026, 00:00 UTC: the start of the two weeks the outage strategies use.
OUTAGE_BASE = datetime(2026, 3, 2, tzinfo=UTC)
OUTAGE_MINUTES = 14 * 24 * 60


@st.composite
def minute_outages(draw: st.DrawFn, *, planned: bool = True) -> itilkit.Outage:
    """Outages on the minute grid within two weeks from :data:`OUTAGE_BASE` (some planned).

    Impacts come from a small set, so overlaps of equal impact happen often.
    """
    from fractions import Fraction

    start = draw(st.integers(0, OUTAGE_MINUTES - 1))
    length = draw(st.integers(0, 3 * 24 * 60))
    impact = draw(st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(1, 3), Fraction(3, 4)]))
    return itilkit.Outage(
        OUTAGE_BASE + timedelta(minutes=start),
        OUTAGE_BASE + timedelta(minutes=min(start + length, OUTAGE_MINUTES + 60)),
        impact=impact,
        planned=planned and draw(st.integers(0, 5)) == 0,
    )


# --- change enablement ---

#: Friday before the 2026 Berlin spring-forward (Sun 29 March 01:00 UTC).
CHANGE_BASE = datetime(2026, 3, 27, tzinfo=UTC)
#: Every boundary of a change scenario lies on this grid, so a scan of the grid is exhaustive.
CHANGE_GRID = timedelta(minutes=5)


def _grid_span(draw: st.DrawFn, *, max_start: int, max_length: int) -> tuple[datetime, datetime]:
    start = CHANGE_BASE + CHANGE_GRID * draw(st.integers(0, max_start))
    return start, start + CHANGE_GRID * draw(st.integers(1, max_length))


@st.composite
def change_scenarios(draw: st.DrawFn) -> dict[str, object]:
    """A change calendar, other changes, and a slot request, all on a 5-minute grid.

    Keys: ``calendar``, ``others``, ``duration``, ``after``, ``horizon``, ``items``.
    Freezes and maintenance windows cross the Berlin DST change; the lead
    time, when there is one, is business time of a Mon-Fri 09:00-17:00 window.
    """
    day = 288  # grid steps in a day
    freeze = None
    if draw(st.booleans()):
        freeze = itilkit.ServiceWindow.from_spans(
            [
                _grid_span(draw, max_start=3 * day, max_length=day // 2)
                for _ in range(draw(st.integers(0, 3)))
            ],
            tz="Europe/Berlin",
        )
    maintenance = None
    if draw(st.booleans()):
        maintenance = itilkit.ServiceWindow.from_spans(
            [
                _grid_span(draw, max_start=3 * day, max_length=day // 3)
                for _ in range(draw(st.integers(1, 4)))
            ],
            tz="Europe/Berlin",
        )
    lead_time = None
    business = None
    if draw(st.booleans()):
        lead_time = CHANGE_GRID * draw(st.integers(0, 24))
        if draw(st.booleans()):
            business = itilkit.ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="Europe/Berlin")
    others = []
    for n in range(draw(st.integers(0, 3))):
        start, end = _grid_span(draw, max_start=3 * day, max_length=day // 4)
        other = itilkit.ChangeRequest.new(
            f"OTHER{n}",
            type="normal",
            requested_at=CHANGE_BASE,
            start=start,
            end=end,
            items=[draw(st.sampled_from(["db", "web"]))],
        )
        if draw(st.integers(0, 4)) == 0:
            other = other.cancel(at=CHANGE_BASE)
        others.append(other)
    return {
        "calendar": itilkit.ChangeCalendar(
            freeze=freeze, maintenance=maintenance, lead_time=lead_time, business_window=business
        ),
        "others": others,
        "duration": CHANGE_GRID * draw(st.integers(1, 36)),
        "after": CHANGE_BASE + CHANGE_GRID * draw(st.integers(0, day)),
        "horizon": CHANGE_GRID * draw(st.integers(0, 2 * day)),
        "items": draw(st.sampled_from([["db"], ["web"], ["db", "web"], []])),
    }


# --- SLAs ---


@st.composite
def sla_windows(draw: st.DrawFn) -> itilkit.ServiceWindow:
    """Service windows an SLA runs on: the weekly ones above, or 24x7 in a DST zone."""
    if draw(st.integers(0, 3)) == 0:
        return itilkit.ServiceWindow.always(tz=draw(st.sampled_from(ZONES)))
    return draw(windows())
