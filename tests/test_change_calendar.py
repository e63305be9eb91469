"""The change schedule: freezes, maintenance windows, lead times, overlaps and next_slot."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings

from itilkit import (
    ChangeCalendar,
    ChangeRequest,
    ChangeType,
    Conflict,
    ConflictKind,
    InvalidValueError,
    NoOpenTimeError,
    ServiceWindow,
)

from .strategies import CHANGE_GRID, change_scenarios

BERLIN = "Europe/Berlin"
YEAR_END = ServiceWindow.from_spans(
    [("2026-12-21T00:00+01:00", "2027-01-04T00:00+01:00")], tz=BERLIN
)
SUNDAYS = ServiceWindow.recurring("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration="PT4H", tz=BERLIN)
OFFICE_DE = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz=BERLIN, holidays="DE")


def plan(
    start: str,
    end: str,
    *,
    cid: str = "CHG1",
    items: tuple[str, ...] = ("db",),
    requested_at: str = "2026-01-01T00:00Z",
    type: str = "normal",
) -> ChangeRequest:
    return ChangeRequest.new(
        cid, type=type, requested_at=requested_at, start=start, end=end, items=items
    )


def kinds(conflicts: tuple[Conflict, ...]) -> list[str]:
    return [c.kind.name for c in conflicts]


def spans(conflict: Conflict) -> list[tuple[str, str]]:
    return [(s.start.isoformat(), s.end.isoformat()) for s in conflict.spans]


class TestFreeze:
    def test_a_change_inside_the_year_end_freeze_conflicts(self) -> None:
        """A change over New Year's Eve falls in the year-end freeze, all of it."""
        cr = plan("2026-12-31T22:00+01:00", "2027-01-01T02:00+01:00")
        (conflict,) = ChangeCalendar(freeze=YEAR_END).conflicts(cr)
        assert conflict.kind is ConflictKind.FREEZE
        assert spans(conflict) == [("2026-12-31T22:00:00+01:00", "2027-01-01T02:00:00+01:00")]
        assert conflict.other is None
        assert str(conflict).startswith("FREEZE: CHG1 overlaps the freeze for 4h 00m: ")

    def test_only_the_frozen_part_is_reported(self) -> None:
        """A change running out of the freeze reports the hour inside it."""
        cr = plan("2027-01-03T23:00+01:00", "2027-01-04T01:00+01:00")
        (conflict,) = ChangeCalendar(freeze=YEAR_END).conflicts(cr)
        assert spans(conflict) == [("2027-01-03T23:00:00+01:00", "2027-01-04T00:00:00+01:00")]

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            ("2027-01-04T00:00+01:00", "2027-01-04T02:00+01:00"),  # starts as the freeze ends
            ("2026-12-20T22:00+01:00", "2026-12-21T00:00+01:00"),  # ends as the freeze starts
            ("2026-12-20T21:00Z", "2026-12-21T01:00+02:00"),  # ends 00:00+01:00, other offsets
        ],
    )
    def test_touching_the_freeze_is_not_overlapping_it(self, start: str, end: str) -> None:
        """Periods are half-open: touching a freeze boundary is no conflict."""
        assert ChangeCalendar(freeze=YEAR_END).conflicts(plan(start, end)) == ()

    def test_no_calendar_rules_no_conflicts(self) -> None:
        """An empty calendar has nothing to break."""
        assert ChangeCalendar().conflicts(plan("2026-12-31T22:00Z", "2026-12-31T23:00Z")) == ()


class TestMaintenance:
    def test_inside_the_sunday_window_is_fine(self) -> None:
        """A change wholly inside Sunday 02:00-06:00 has no conflict."""
        cr = plan("2026-03-22T02:00+01:00", "2026-03-22T06:00+01:00")
        assert ChangeCalendar(maintenance=SUNDAYS).conflicts(cr) == ()

    def test_running_past_the_window_reports_the_part_outside(self) -> None:
        """A change running to 06:30 is 30 minutes outside the window."""
        cr = plan("2026-03-22T05:00+01:00", "2026-03-22T06:30+01:00")
        (conflict,) = ChangeCalendar(maintenance=SUNDAYS).conflicts(cr)
        assert conflict.kind is ConflictKind.OUTSIDE_MAINTENANCE
        assert spans(conflict) == [("2026-03-22T06:00:00+01:00", "2026-03-22T06:30:00+01:00")]
        assert "runs 30m outside the maintenance window" in conflict.message

    def test_spring_forward_moves_the_window_to_after_the_gap(self) -> None:
        """On 29 March 2026, 02:00 Berlin does not exist: the window opens at 03:00 CEST.

        By hand: 03:00 CEST is 01:00 UTC; four hours later is 05:00 UTC (07:00
        CEST). A change from 00:30 UTC is 30 minutes early.
        """
        calendar = ChangeCalendar(maintenance=SUNDAYS)
        inside = plan("2026-03-29T01:00Z", "2026-03-29T05:00Z")
        assert calendar.conflicts(inside) == ()
        early = plan("2026-03-29T00:30Z", "2026-03-29T02:00Z")
        (conflict,) = calendar.conflicts(early)
        assert [(s.start, s.end) for s in conflict.spans] == [
            (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, tzinfo=UTC))
        ]

    def test_fall_back_uses_the_first_0200(self) -> None:
        """On 25 October 2026, 02:00 Berlin happens twice; the window opens at the first.

        By hand: 02:00 CEST is 00:00 UTC; four hours later is 04:00 UTC (05:00 CET).
        """
        calendar = ChangeCalendar(maintenance=SUNDAYS)
        assert calendar.conflicts(plan("2026-10-25T00:00Z", "2026-10-25T04:00Z")) == ()
        (conflict,) = calendar.conflicts(plan("2026-10-25T00:00Z", "2026-10-25T04:30Z"))
        assert spans(conflict) == [("2026-10-25T04:00:00+00:00", "2026-10-25T04:30:00+00:00")]

    def test_a_change_spanning_two_windows_reports_the_gap(self) -> None:
        """Between two Sunday windows lies a week outside maintenance."""
        cr = plan("2026-03-22T05:00+01:00", "2026-03-29T04:00+02:00")
        (conflict,) = ChangeCalendar(maintenance=SUNDAYS).conflicts(cr)
        # reported in the change's own offset: 03:00+02:00 is 02:00+01:00
        assert spans(conflict) == [("2026-03-22T06:00:00+01:00", "2026-03-29T02:00:00+01:00")]

    def test_adjacent_maintenance_periods_form_one_window(self) -> None:
        """Two back-to-back maintenance periods hold a change that spans both."""
        window = ServiceWindow.from_spans(
            [
                ("2026-03-01T00:00Z", "2026-03-01T02:00Z"),
                ("2026-03-01T02:00Z", "2026-03-01T04:00Z"),
            ],
            tz="UTC",
        )
        cr = plan("2026-03-01T01:00Z", "2026-03-01T03:00Z")
        assert ChangeCalendar(maintenance=window).conflicts(cr) == ()


class TestLeadTime:
    def test_easter_holidays_do_not_count_as_lead_time(self) -> None:
        """16 business hours from Thursday 2 April 2026 09:00 end on Tuesday 7 April 17:00.

        By hand: Thu 09-17 is 8 h; Good Friday (3 Apr) and Easter Monday
        (6 Apr) are German holidays; Tue 09-17 is the other 8 h.
        """
        calendar = ChangeCalendar(lead_time="PT16H", business_window=OFFICE_DE)
        request = "2026-04-02T09:00+02:00"
        on_time = plan("2026-04-07T17:00+02:00", "2026-04-07T18:00+02:00", requested_at=request)
        assert calendar.conflicts(on_time) == ()
        early = plan("2026-04-07T16:59+02:00", "2026-04-07T18:00+02:00", requested_at=request)
        (conflict,) = calendar.conflicts(early)
        assert conflict.kind is ConflictKind.LEAD_TIME
        assert conflict.message == (
            "CHG1 leaves 15h 59m of lead time between its request and its start; "
            "16h 00m is required"
        )
        # The conflict is data first: the sentence is rendered from these.
        assert conflict.required == timedelta(hours=16)
        assert conflict.given == timedelta(hours=15, minutes=59)
        assert conflict.change is early

    def test_default_lead_time_is_elapsed_time_across_dst(self) -> None:
        """Without a business window, 24 h of lead time is 24 h of real time, even over DST.

        By hand: 28 March 12:00 CET is 11:00 UTC; 24 h later is 29 March
        11:00 UTC, which is 13:00 CEST.
        """
        calendar = ChangeCalendar(lead_time=timedelta(hours=24))
        request = "2026-03-28T12:00+01:00"
        assert (
            calendar.conflicts(
                plan("2026-03-29T13:00+02:00", "2026-03-29T14:00+02:00", requested_at=request)
            )
            == ()
        )
        assert kinds(
            calendar.conflicts(
                plan("2026-03-29T12:59+02:00", "2026-03-29T14:00+02:00", requested_at=request)
            )
        ) == ["LEAD_TIME"]

    def test_a_start_before_the_request_breaks_any_lead_time(self) -> None:
        """A change planned before it was requested has no lead time at all."""
        calendar = ChangeCalendar(lead_time="PT0S")
        cr = plan("2026-03-01T00:00Z", "2026-03-01T01:00Z", requested_at="2026-03-02T00:00Z")
        (conflict,) = calendar.conflicts(cr)
        assert "planned to start before it was requested" in conflict.message

    def test_lead_time_per_change_type(self) -> None:
        """A mapping gives each type its lead time; types left out have none."""
        calendar = ChangeCalendar(lead_time={"normal": "P5D", ChangeType.STANDARD: "P1D"})
        request = "2026-03-02T00:00Z"
        start, end = "2026-03-03T00:00Z", "2026-03-03T01:00Z"
        assert kinds(calendar.conflicts(plan(start, end, requested_at=request))) == ["LEAD_TIME"]
        assert calendar.conflicts(plan(start, end, requested_at=request, type="standard")) == ()
        assert calendar.conflicts(plan(start, end, requested_at=request, type="emergency")) == ()
        assert calendar.lead_time_for("emergency") is None
        assert calendar.lead_time_for("normal") == timedelta(days=5)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"lead_time": "-PT1H"}, r"'lead_time' must be a duration of zero or more"),
            ({"lead_time": "soon"}, r"'lead_time' must be an ISO 8601 duration"),
            ({"lead_time": {"urgent": "P1D"}}, r"'lead_time' must be one of 'standard'"),
            ({"freeze": "2026-12-24"}, r"'freeze' must be a ServiceWindow or None"),
            ({"maintenance": 3}, r"'maintenance' must be a ServiceWindow or None"),
            ({"business_window": "Mon-Fri"}, r"'business_window' must be a ServiceWindow"),
        ],
    )
    def test_bad_calendars_are_refused(self, kwargs: dict[str, object], message: str) -> None:
        """Calendar fields are checked by name."""
        with pytest.raises(InvalidValueError, match=message):
            ChangeCalendar(**kwargs)  # type: ignore[arg-type]


class TestOverlap:
    def test_shared_item_and_overlapping_period(self) -> None:
        """Two changes on the same database at the same time conflict, naming the overlap."""
        mine = plan("2026-03-01T01:00Z", "2026-03-01T03:00Z", items=("db", "web"))
        theirs = plan("2026-03-01T02:00Z", "2026-03-01T05:00Z", cid="CHG2", items=("db", "dns"))
        (conflict,) = ChangeCalendar().conflicts(mine, [theirs])
        assert conflict.kind is ConflictKind.OVERLAP
        assert conflict.other is theirs
        assert conflict.items == frozenset({"db"})
        assert spans(conflict) == [("2026-03-01T02:00:00+00:00", "2026-03-01T03:00:00+00:00")]

    @pytest.mark.parametrize(
        ("other", "why"),
        [
            (plan("2026-03-01T03:00Z", "2026-03-01T04:00Z", cid="CHG2"), "starts as mine ends"),
            (
                plan("2026-03-01T01:00Z", "2026-03-01T03:00Z", cid="CHG2", items=("web",)),
                "no item",
            ),
            (plan("2026-03-01T01:00Z", "2026-03-01T03:00Z"), "same id: itself"),
            (
                plan("2026-03-01T01:00Z", "2026-03-01T03:00Z", cid="CHG2").cancel(
                    at="2026-01-02T00:00Z"
                ),
                "canceled",
            ),
        ],
    )
    def test_no_overlap(self, other: ChangeRequest, why: str) -> None:
        """Touching periods, disjoint items, itself and canceled changes are no overlap."""
        mine = plan("2026-03-01T01:00Z", "2026-03-01T03:00Z")
        assert ChangeCalendar().conflicts(mine, [other]) == (), why

    def test_every_conflict_is_reported_in_kind_order(self) -> None:
        """Freeze, maintenance, overlaps (in the order given) and lead time are all reported."""
        calendar = ChangeCalendar(freeze=YEAR_END, maintenance=SUNDAYS, lead_time="P7D")
        mine = plan(
            "2026-12-30T22:00+01:00", "2026-12-31T01:00+01:00", requested_at="2026-12-29T00:00Z"
        )
        a = plan("2026-12-30T23:00+01:00", "2026-12-31T00:00+01:00", cid="A")
        b = plan("2026-12-30T20:00+01:00", "2026-12-30T22:30+01:00", cid="B")
        found = calendar.conflicts(mine, [a, b])
        assert kinds(found) == ["FREEZE", "OUTSIDE_MAINTENANCE", "OVERLAP", "OVERLAP", "LEAD_TIME"]
        assert [c.other.id for c in found if c.other is not None] == ["A", "B"]


class TestNextSlot:
    def test_next_sunday_window_after_the_lead_time(self) -> None:
        """The first Sunday window at least two days after a Friday request is a week later.

        By hand: Friday 6 March 2026 12:00 + 48 h is Sunday 8 March 12:00,
        after that Sunday's 02:00-06:00 window; the next is 15 March 02:00 CET.
        """
        calendar = ChangeCalendar(maintenance=SUNDAYS, lead_time="P2D")
        slot = calendar.next_slot("PT3H", after="2026-03-06T12:00+01:00")
        assert (slot.start.isoformat(), slot.end.isoformat()) == (
            "2026-03-15T02:00:00+01:00",
            "2026-03-15T05:00:00+01:00",
        )

    def test_skips_the_year_end_freeze(self) -> None:
        """A change asked for during the year-end freeze goes to its end."""
        calendar = ChangeCalendar(freeze=YEAR_END)
        slot = calendar.next_slot("PT2H", after="2026-12-22T10:00+01:00")
        assert slot.start.isoformat() == "2027-01-04T00:00:00+01:00"

    def test_skips_the_first_sunday_window_over_the_year_end(self) -> None:
        """Sunday windows inside the freeze are skipped: the first free one is 10 January 2027.

        By hand: the freeze covers Sundays 27 December and 3 January; 4
        January is a Monday, so the next Sunday is 10 January, 02:00 CET.
        """
        calendar = ChangeCalendar(freeze=YEAR_END, maintenance=SUNDAYS)
        slot = calendar.next_slot("PT4H", after="2026-12-20T03:00+01:00")
        assert slot.start.isoformat() == "2027-01-10T02:00:00+01:00"

    def test_avoids_changes_on_shared_items_only(self) -> None:
        """Another change on the database pushes the slot past it; one on the web tier does not."""
        busy = plan("2026-03-01T00:00Z", "2026-03-01T02:00Z", cid="BUSY", items=("db",))
        calendar = ChangeCalendar()
        assert calendar.next_slot(
            "PT1H", after="2026-03-01T00:30Z", items=["db"], others=[busy]
        ).start == datetime(2026, 3, 1, 2, tzinfo=UTC)
        assert calendar.next_slot(
            "PT1H", after="2026-03-01T00:30Z", items="web", others=[busy]
        ).start == datetime(2026, 3, 1, 0, 30, tzinfo=UTC)

    def test_lead_time_from_an_earlier_request(self) -> None:
        """requested_at, when earlier than after, shortens the wait."""
        calendar = ChangeCalendar(lead_time="PT16H", business_window=OFFICE_DE)
        slot = calendar.next_slot(
            "PT1H", after="2026-04-06T00:00+02:00", requested_at="2026-04-02T09:00+02:00"
        )
        assert slot.start.isoformat() == "2026-04-07T17:00:00+02:00"

    def test_no_slot_within_the_horizon_raises(self) -> None:
        """A search that cannot succeed within its horizon stops with NoOpenTimeError."""
        calendar = ChangeCalendar(freeze=YEAR_END)
        with pytest.raises(NoOpenTimeError, match=r"no period of 2h 00m without conflicts"):
            calendar.next_slot("PT2H", after="2026-12-22T00:00+01:00", horizon="P7D")

    def test_a_window_that_never_opens_terminates(self) -> None:
        """A maintenance window with no open time fails fast instead of looping."""
        never = ServiceWindow.from_spans([], tz="UTC")
        with pytest.raises(NoOpenTimeError, match="within 366 days after"):
            ChangeCalendar(maintenance=never).next_slot("PT1H", after="2026-01-01T00:00Z")

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"duration": "PT0S"}, r"'duration' must be positive"),
            ({"duration": "-PT1H"}, r"'duration' must be positive"),
            ({"horizon": "-P1D"}, r"'horizon' must be a duration of zero or more"),
            ({"after": datetime(2026, 1, 1)}, r"'after' must be an aware datetime"),
            ({"items": [""]}, r"'items' must be a non-empty string \(got ''\)"),
            ({"items": 5}, r"'items' must be a configuration item name or an iterable"),
        ],
    )
    def test_bad_requests_are_refused(self, kwargs: dict[str, object], message: str) -> None:
        """Slot requests are checked by name."""
        args: dict[str, object] = {"duration": "PT1H", "after": "2026-01-01T00:00Z"}
        args.update(kwargs)
        with pytest.raises(InvalidValueError, match=message):
            ChangeCalendar().next_slot(**args)  # type: ignore[arg-type]

    @settings(max_examples=150, deadline=None)
    @given(change_scenarios())
    def test_earliest_conflict_free_slot(self, scenario: dict[str, object]) -> None:
        """The slot has no conflict, and no earlier start on the grid has none either.

        Every boundary in the scenario is on a 5-minute grid, so scanning the
        grid from ``after`` is an exhaustive brute-force reference.
        """
        calendar = scenario["calendar"]
        assert isinstance(calendar, ChangeCalendar)
        after = scenario["after"]
        duration = scenario["duration"]
        horizon = scenario["horizon"]
        others = scenario["others"]
        items = scenario["items"]
        assert isinstance(after, datetime)
        assert isinstance(duration, timedelta)
        assert isinstance(horizon, timedelta)
        assert isinstance(others, list)
        assert isinstance(items, list)

        def clear(start: datetime) -> bool:
            cr = ChangeRequest.new(
                "NEW",
                type="normal",
                requested_at=after,
                start=start,
                end=start + duration,
                items=items,
            )
            return calendar.conflicts(cr, others) == ()

        try:
            slot = calendar.next_slot(
                duration, after=after, items=items, others=others, horizon=horizon
            )
        except NoOpenTimeError:
            slot = None
        last = after + horizon if slot is None else slot.start
        t = after
        while t < last:
            assert not clear(t), f"an earlier slot at {t} has no conflicts"
            t += CHANGE_GRID
        if slot is None:
            assert not clear(last)
        else:
            assert slot.start >= after
            assert slot.end - slot.start == duration
            assert clear(slot.start)


class FakeBudget:
    """Shaped like an ErrorBudget: start, end, remaining(outages)."""

    def __init__(self, remaining: timedelta) -> None:
        self.start = datetime(2026, 3, 1, tzinfo=UTC)
        self.end = datetime(2026, 4, 1, tzinfo=UTC)
        self._remaining = remaining
        self.seen: object = None

    def remaining(self, outages: object) -> timedelta:
        self.seen = outages
        return self._remaining


class TestBudgetFreeze:
    @pytest.mark.parametrize("left", [timedelta(0), timedelta(minutes=-90)])
    def test_a_spent_budget_freezes_until_the_budget_ends(self, left: timedelta) -> None:
        """With nothing left, changes are frozen from as_of to the end of the budget period."""
        budget = FakeBudget(left)
        calendar = ChangeCalendar().with_budget_freeze(
            budget, ["outage"], as_of="2026-03-20T00:00Z"
        )
        assert budget.seen == ["outage"]
        (conflict,) = calendar.conflicts(plan("2026-03-31T22:00Z", "2026-04-01T02:00Z"))
        assert conflict.kind is ConflictKind.FREEZE
        assert spans(conflict) == [("2026-03-31T22:00:00+00:00", "2026-04-01T00:00:00+00:00")]
        assert calendar.conflicts(plan("2026-03-19T22:00Z", "2026-03-20T00:00Z")) == ()

    def test_budget_left_changes_nothing(self) -> None:
        """While budget remains, the calendar is returned unchanged."""
        calendar = ChangeCalendar(freeze=YEAR_END)
        same = calendar.with_budget_freeze(
            FakeBudget(timedelta(seconds=1)), [], as_of="2026-03-20T00:00Z"
        )
        assert same is calendar

    def test_after_the_budget_period_there_is_nothing_to_freeze(self) -> None:
        """A spent budget whose period is over adds no freeze."""
        calendar = ChangeCalendar()
        assert (
            calendar.with_budget_freeze(FakeBudget(timedelta(-1)), [], as_of="2026-04-01T00:00Z")
            is calendar
        )

    def test_freeze_starts_no_earlier_than_the_budget(self) -> None:
        """An as_of before the budget period freezes from the period's start."""
        calendar = ChangeCalendar().with_budget_freeze(
            FakeBudget(timedelta(-1)), [], as_of="2026-02-01T00:00Z"
        )
        assert calendar.conflicts(plan("2026-02-27T00:00Z", "2026-03-01T00:00Z")) == ()
        assert kinds(calendar.conflicts(plan("2026-02-28T23:00Z", "2026-03-01T01:00Z"))) == [
            "FREEZE"
        ]

    def test_joins_an_existing_freeze(self) -> None:
        """The budget freeze adds to the year-end freeze; both still hold."""
        calendar = ChangeCalendar(freeze=YEAR_END, lead_time="P1D").with_budget_freeze(
            FakeBudget(timedelta(-1)), [], as_of="2026-03-20T00:00Z"
        )
        assert calendar.lead_time_for("normal") == timedelta(days=1)
        for start, end in [
            ("2026-03-25T00:00Z", "2026-03-25T01:00Z"),
            ("2026-12-25T00:00Z", "2026-12-25T01:00Z"),
        ]:
            assert kinds(calendar.conflicts(plan(start, end))) == ["FREEZE"]
        assert calendar.next_slot("PT1H", after="2026-03-20T00:00Z").start == datetime(
            2026, 4, 1, tzinfo=UTC
        )

    def test_calendar_is_a_value(self) -> None:
        """A calendar compares by value and pickles (it ships to worker processes)."""
        calendar = ChangeCalendar(freeze=YEAR_END, maintenance=SUNDAYS, lead_time="P2D")
        assert pickle.loads(pickle.dumps(calendar)) == calendar


class TestHostileInput:
    """What is not a change, a list of changes or a budget is named in a clear error."""

    CR = ChangeRequest.new(
        "CHG1",
        type="normal",
        requested_at="2026-03-02T09:00Z",
        start="2026-03-09T22:00Z",
        end="2026-03-09T23:00Z",
        items=["db"],
    )

    @pytest.mark.parametrize(
        ("others", "field"), [([None], "others[0]"), ([CR, "CHG2"], "others[1]"), (5, "others")]
    )
    def test_others_must_be_changes(self, others: object, field: str) -> None:
        """conflicts and next_slot take an iterable of ChangeRequests."""
        calendar = ChangeCalendar()
        with pytest.raises(InvalidValueError, match=rf"^'{field.replace('[', '.')}' must be"):
            calendar.conflicts(self.CR, others)  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match=rf"^'{field.replace('[', '.')}' must be"):
            calendar.next_slot("PT1H", after="2026-03-02T09:00Z", others=others)  # type: ignore[arg-type]

    def test_the_change_must_be_a_change(self) -> None:
        """conflicts of something else is an error naming 'cr'."""
        with pytest.raises(InvalidValueError, match=r"^'cr' must be a ChangeRequest"):
            ChangeCalendar().conflicts("CHG1")  # type: ignore[arg-type]

    @pytest.mark.parametrize("budget", [None, object(), "99.9%"])
    def test_a_budget_freeze_needs_a_budget(self, budget: object) -> None:
        """with_budget_freeze of something that is no budget says so."""
        with pytest.raises(InvalidValueError, match=r"^'budget' must be an ErrorBudget"):
            ChangeCalendar().with_budget_freeze(budget, [], as_of="2026-03-02T09:00Z")  # type: ignore[arg-type]


def test_a_change_type_given_two_lead_times_is_refused() -> None:
    """'normal' and ChangeType.NORMAL are the same type: two lead times for it are an error."""
    with pytest.raises(InvalidValueError, match=r"^'lead_time' must be one lead time per change"):
        ChangeCalendar(lead_time={"normal": "P1D", ChangeType.NORMAL: "P2D"})


class TestRelated:
    """With a service model, changes on CIs a common service needs conflict as RELATED."""

    @staticmethod
    def calendar() -> ChangeCalendar:
        from itilkit._service_model import Redundant, ServiceModel

        model = ServiceModel(
            ["ERP", "Mail"],
            ["app", "db", "web1", "web2", "mx"],
            {"ERP": ["app", "db", Redundant(["web1", "web2"])], "Mail": ["mx"]},
        )
        return ChangeCalendar(model=model)

    def test_two_changes_under_one_service_are_related(self) -> None:
        a = plan("2026-03-03T01:00Z", "2026-03-03T03:00Z", items=("db",))
        b = plan("2026-03-03T02:00Z", "2026-03-03T04:00Z", cid="CHG2", items=("web1", "x"))
        (conflict,) = self.calendar().conflicts(a, [b])
        assert conflict.kind is ConflictKind.RELATED
        assert conflict.services == {"ERP"} and conflict.items == {"db", "web1"}
        assert spans(conflict) == [("2026-03-03T02:00:00+00:00", "2026-03-03T03:00:00+00:00")]
        assert str(conflict) == (
            "RELATED: CHG1 and CHG2 touch db, web1, which ERP needs, "
            "from 2026-03-03T02:00:00+00:00 to 2026-03-03T03:00:00+00:00"
        )

    def test_unrelated_disjoint_or_shared_changes_are_not_related(self) -> None:
        calendar = self.calendar()
        a = plan("2026-03-03T01:00Z", "2026-03-03T03:00Z", items=("db",))
        mail = plan("2026-03-03T01:00Z", "2026-03-03T03:00Z", cid="CHG2", items=("mx",))
        later = plan("2026-03-03T03:00Z", "2026-03-03T04:00Z", cid="CHG3", items=("app",))
        same = plan("2026-03-03T02:00Z", "2026-03-03T04:00Z", cid="CHG4", items=("db", "app"))
        assert calendar.conflicts(a, [mail, later]) == ()
        assert kinds(calendar.conflicts(a, [same])) == ["OVERLAP"]
        assert (
            ChangeCalendar().conflicts(
                a, [plan("2026-03-03T01:00Z", "2026-03-03T03:00Z", cid="CHG5", items=("app",))]
            )
            == ()
        )

    def test_next_slot_avoids_related_changes(self) -> None:
        busy = plan("2026-03-03T01:00Z", "2026-03-03T03:00Z", cid="CHG2", items=("app",))
        slot = self.calendar().next_slot(
            "PT1H", after="2026-03-03T00:30Z", items=["web2"], others=[busy]
        )
        assert slot.start.isoformat() == "2026-03-03T03:00:00+00:00"

    def test_the_model_must_be_a_model(self) -> None:
        with pytest.raises(InvalidValueError, match=r"^'model' must be a ServiceModel or None"):
            ChangeCalendar(model="ERP")  # type: ignore[arg-type]
