"""SLAs as contracts write them: per-target hours and pauses, hold reasons, business
days, reopen rules, custom clocks and several agreements at once.

Expected values are worked out by hand in the comments, or by a minute-by-minute
reference written here, never read from the code under test.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import itilkit
from itilkit import (
    SLA,
    BusinessDays,
    Clock,
    ConfigError,
    HoldReason,
    Incident,
    InvalidValueError,
    NoTargetError,
    Outage,
    ServiceWindow,
    State,
    Target,
)

from .strategies import legal_walks, sla_windows

BERLIN_OFFICE = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
ALWAYS_BERLIN = ServiceWindow.always(tz="Europe/Berlin")
ALWAYS = ServiceWindow.always(tz="UTC")
H = timedelta(hours=1)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in March 2026, UTC (Monday 2 March 2026 is day 2)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# --- per-target windows -----------------------------------------------------------------


class TestTargetWindows:
    def contract(self) -> SLA:
        return SLA(
            "Task C",
            window=BERLIN_OFFICE,
            targets=[
                Target("response", "PT15M", priority="P1", window=ALWAYS_BERLIN),
                Target("resolution", "PT4H", priority="P1", window=ALWAYS_BERLIN),
                Target("resolution", "3 business days", priority="P3"),
            ],
            pause_on=["on_hold:awaiting_caller"],
        )

    def test_p1_counts_around_the_clock(self) -> None:
        """A P1 opened Friday 16:00 is due Friday 20:00 although the office closes at 17:00."""
        inc = Incident.open("P1", at="2026-03-06T16:00+01:00", priority="P1")
        inc = inc.start_work(at="2026-03-06T16:10+01:00").resolve(at="2026-03-07T10:00+01:00")
        c = self.contract().clock(inc, "resolution", as_of="2026-03-09T12:00+01:00")
        # 16:00 Fri to 10:00 Sat = 18 h of 24x7 time against 4 h.
        assert c.elapsed == 18 * H
        assert c.due is not None and c.due.isoformat() == "2026-03-06T20:00:00+01:00"
        assert c.breached_at is not None and c.breached_at == c.due
        assert c.stage == "breached"
        answered = self.contract().clock(inc, "response", as_of="2026-03-09T12:00+01:00")
        assert (answered.elapsed, answered.stage) == (timedelta(minutes=10), "met")

    def test_p1_across_the_spring_dst_change(self) -> None:
        """Opened Sat 28 March 23:00 CET; 4 h of real time later is 04:00 CEST (02:00-03:00
        does not exist on 29 March in Berlin)."""
        inc = Incident.open("P1", at="2026-03-28T23:00+01:00", priority="P1")
        c = self.contract().clock(inc, "resolution", as_of="2026-03-29T01:30+01:00")
        assert c.due is not None and c.due.isoformat() == "2026-03-29T04:00:00+02:00"
        assert c.elapsed == 2 * H + timedelta(minutes=30)

    def test_p3_counts_business_days_across_easter(self) -> None:
        """Opened Thu 2 April 2026 10:00; Good Friday (3rd) and Easter Monday (6th) are
        closed in Germany, so 3 business days are Tue 7, Wed 8, Thu 9: due Thu 9 April
        10:00. The target is the open time in between: Thu 7 h + Tue 9 h + Wed 9 h +
        Thu 2 h = 27 h."""
        inc = Incident.open("P3", at="2026-04-02T10:00+02:00", priority="P3")
        c = self.contract().clock(inc, "resolution", as_of="2026-04-08T12:00+02:00")
        assert c.due is not None and c.due.isoformat() == "2026-04-09T10:00:00+02:00"
        assert c.target == 27 * H
        assert c.within == BusinessDays(3)
        # Thu 10-17 (7 h) + Tue (9 h) + Wed 08-12 (4 h) = 20 h so far.
        assert c.elapsed == 20 * H
        assert c.percent == Fraction(2000, 27)
        assert "3 business days (27h 00m)" in str(c)

    def test_business_day_from_closed_time_lands_on_the_next_opening(self) -> None:
        """Opened Thu 2 April 18:00 (closed): one business day later is Tue 7 April 18:00,
        closed too, so due at the next opening, Wed 8 April 08:00; the target is Tuesday's
        9 open hours."""
        sla = SLA("Days", window=BERLIN_OFFICE, targets=[Target("resolution", "1 business day")])
        inc = Incident.open("X", at="2026-04-02T18:00+02:00", priority="P3")
        c = sla.clock(inc, "resolution", as_of="2026-04-07T09:00+02:00")
        assert c.due is not None and c.due.isoformat() == "2026-04-08T08:00:00+02:00"
        assert (c.target, c.elapsed, c.stage) == (9 * H, H, "running")
        resolved = inc.resolve(at="2026-04-08T08:00+02:00")
        at_due = sla.clock(resolved, "resolution", as_of="2026-04-09T00:00+02:00")
        assert (at_due.elapsed, at_due.stage) == (9 * H, "met")
        late = inc.resolve(at="2026-04-08T08:01+02:00")
        c = sla.clock(late, "resolution", as_of="2026-04-09T00:00+02:00")
        assert (c.stage, c.late_by) == ("breached", timedelta(minutes=1))
        assert c.breached_at is not None and c.breached_at.isoformat() == (
            "2026-04-08T08:00:00+02:00"
        )


# --- pauses on hold reasons ---------------------------------------------------------------


def held(inc: Incident) -> Incident:
    """09:00 opened, 09:00 work, 10-11 awaiting vendor, 12-14 awaiting caller, 15:00 resolved."""
    inc = inc.start_work(at=utc(2, 9))
    inc = inc.hold(at=utc(2, 10), reason="awaiting_vendor").resume(at=utc(2, 11))
    inc = inc.hold(at=utc(2, 12), reason="awaiting_caller").resume(at=utc(2, 14))
    return inc.resolve(at=utc(2, 15))


class TestHoldReasons:
    @pytest.mark.parametrize(
        ("pause_on", "elapsed"),
        [
            (["on_hold"], 3 * H),  # 6 h wall less 1 h vendor and 2 h caller
            (["on_hold:awaiting_caller"], 4 * H),  # only the caller's 2 h
            ([HoldReason.AWAITING_VENDOR], 5 * H),  # only the vendor's 1 h
            ([], 6 * H),
        ],
    )
    def test_only_the_named_reasons_pause(
        self, pause_on: list[object], elapsed: timedelta
    ) -> None:
        sla = SLA("S", window=ALWAYS, targets=[Target("resolution", "PT8H")], pause_on=pause_on)
        inc = held(Incident.open("I", at=utc(2, 9), priority="P3"))
        c = sla.clock(inc, "resolution", as_of=utc(3, 0))
        assert c.elapsed == elapsed
        assert sum((p.wall for p in c.pauses), timedelta(0)) == 6 * H - elapsed

    def test_a_target_pause_rule_replaces_the_agreement_one(self) -> None:
        sla = SLA(
            "S",
            window=ALWAYS,
            targets=[
                Target("resolution", "PT8H", priority="P1", pause_on=[]),
                Target("resolution", "PT8H"),
            ],
        )
        p1 = held(Incident.open("A", at=utc(2, 9), priority="P1"))
        p3 = held(Incident.open("B", at=utc(2, 9), priority="P3"))
        assert sla.clock(p1, "resolution", as_of=utc(3, 0)).elapsed == 6 * H
        assert sla.clock(p3, "resolution", as_of=utc(3, 0)).elapsed == 3 * H

    def test_paused_now_follows_the_reason(self) -> None:
        sla = SLA(
            "S",
            window=ALWAYS,
            targets=[Target("resolution", "PT8H")],
            pause_on=["on_hold:awaiting_caller"],
        )
        inc = Incident.open("I", at=utc(2, 9), priority="P3").hold(
            at=utc(2, 10), reason="awaiting_vendor"
        )
        assert sla.clock(inc, "resolution", as_of=utc(2, 12)).stage == "running"
        inc = inc.hold(at=utc(2, 12), reason="awaiting_caller")
        c = sla.clock(inc, "resolution", as_of=utc(2, 13))
        assert (c.stage, c.elapsed) == ("paused", 3 * H)

    @pytest.mark.parametrize(
        ("value", "match"),
        [
            ("awaiting_caller", "a reason without a state"),
            ("in_progress:awaiting_caller", "after 'on_hold' only"),
            ("on_hold:asleep", "'holdreason' must be one of"),
            ("new", "other than NEW and IN_PROGRESS"),
        ],
    )
    def test_bad_pause_items(self, value: str, match: str) -> None:
        with pytest.raises(InvalidValueError, match=match):
            SLA("S", window=ALWAYS, targets=[Target("resolution", "PT1H")], pause_on=[value])

    def test_document_round_trip_writes_reasons_after_on_hold(self) -> None:
        sla = SLA(
            "S",
            window=ALWAYS,
            targets=[Target("resolution", "PT8H", pause_on=["on_hold:awaiting_vendor"])],
            pause_on=[HoldReason.AWAITING_CALLER, "resolved"],
        )
        doc = sla.to_dict()
        assert doc["pause_on"] == ["on_hold:awaiting_caller", "resolved"]
        assert doc["targets"][0]["pause_on"] == ["on_hold:awaiting_vendor"]
        assert SLA.from_dict(doc) == sla


# --- reopen: resume or restart ----------------------------------------------------------


class TestReopen:
    def incident(self) -> Incident:
        """Opened 09:00, resolved 10:00, reopened 12:00, resolved again 13:30."""
        inc = Incident.open("R", at=utc(2, 9), priority="P3").resolve(at=utc(2, 10))
        return inc.reopen(at=utc(2, 12)).resolve(at=utc(2, 13, 30))

    def test_resume_counts_both_stretches_in_one_clock(self) -> None:
        sla = SLA("S", window=ALWAYS, targets=[Target("resolution", "PT2H")])
        runs = sla.clocks_of(self.incident(), "resolution", as_of=utc(2, 18))
        assert [(c.stage, c.elapsed) for c in runs] == [("breached", 2 * H + 30 * H / 60)]
        (pause,) = runs[0].pauses
        assert (pause.state, pause.wall) == (State.RESOLVED, 2 * H)

    def test_restart_keeps_the_first_run_and_starts_a_second(self) -> None:
        sla = SLA("S", window=ALWAYS, targets=[Target("resolution", "PT2H")], on_reopen="restart")
        runs = sla.clocks_of(self.incident(), "resolution", as_of=utc(2, 18))
        assert [(c.stage, c.elapsed) for c in runs] == [("met", H), ("met", 90 * H / 60)]
        assert runs[1].started_at == utc(2, 12)
        report = sla.compliance([self.incident()], as_of=utc(2, 18))
        assert (report.met, report.breached) == (2, 0)

    def test_restart_runs_on_after_the_reopen(self) -> None:
        sla = SLA("S", window=ALWAYS, targets=[Target("resolution", "PT2H")], on_reopen="restart")
        inc = Incident.open("R", at=utc(2, 9), priority="P3").resolve(at=utc(2, 10))
        inc = inc.reopen(at=utc(2, 12))
        c = sla.clock(inc, "resolution", as_of=utc(2, 15))
        assert (c.stage, c.elapsed, c.started_at) == ("breached", 3 * H, utc(2, 12))

    def test_bad_rule(self) -> None:
        with pytest.raises(
            InvalidValueError, match="'on_reopen' must be one of 'resume', 'restart'"
        ):
            SLA("S", window=ALWAYS, targets=[Target("resolution", "PT1H")], on_reopen="reset")


# --- custom clocks --------------------------------------------------------------------------


def routed() -> Incident:
    """Service desk 09:00, Network 10:00, Database 11:30, Network 13:00, resolved 14:00."""
    inc = Incident.open("INC9", at=utc(2, 9), priority="P3")
    inc = inc.set_fields(at=utc(2, 9), group="Service desk").start_work(at=utc(2, 9, 5))
    inc = inc.set_fields(at=utc(2, 10), group="Network")
    inc = inc.set_fields(at=utc(2, 11, 30), group="Database")
    inc = inc.set_fields(at=utc(2, 13), group="Network")
    return inc.resolve(at=utc(2, 14))


NETWORK = Clock(
    "network_time",
    start={"field": "group", "equals": "Network"},
    stop={"state": ["resolved", "closed"]},
    pause={"not": {"field": "group", "equals": "Network"}},
)
ASSIGN = Clock(
    "time_to_assign", start={"state": "new"}, stop={"field": "assignee", "present": True}
)
IN_GROUP = Clock(
    "time_in_group",
    start={"field": "group", "present": True},
    stop={"state": ["resolved", "closed"]},
    reset={"field": "group", "changed": True},
)


def clocked(*clocks: Clock, within: str = "PT1H") -> SLA:
    return SLA(
        "OLA",
        window=ALWAYS,
        targets=[Target(c.name, within) for c in clocks],
        clocks=clocks,
    )


class TestCustomClocks:
    def test_time_in_the_network_team(self) -> None:
        """Network 10:00-11:30 and 13:00-14:00: 2 h 30 m, paused 11:30-13:00 (1 h 30 m)."""
        c = clocked(NETWORK, within="PT2H").clock(routed(), "network_time", as_of=utc(3, 0))
        assert (c.elapsed, c.stage, c.started_at) == (150 * H / 60, "breached", utc(2, 10))
        assert c.paused == 90 * H / 60
        # 2 h reached at 13:30 (1 h 30 m before the pause, 30 m after it).
        assert c.due == utc(2, 13, 30)

    def test_time_to_assign(self) -> None:
        inc = Incident.open("A", at=utc(2, 9), priority="P3")
        inc = inc.set_fields(at=utc(2, 9, 40), assignee="kim")
        c = clocked(ASSIGN).clock(inc, "time_to_assign", as_of=utc(2, 12))
        assert (c.elapsed, c.stage, c.stopped_at) == (40 * H / 60, "met", utc(2, 9, 40))

    def test_time_to_assign_stops_at_once_when_assigned_on_opening(self) -> None:
        inc = Incident.open("A", at=utc(2, 9), priority="P3").set_fields(
            at=utc(2, 9), assignee="kim"
        )
        c = clocked(ASSIGN).clock(inc, "time_to_assign", as_of=utc(2, 12))
        assert (c.elapsed, c.stage) == (timedelta(0), "met")

    def test_reset_on_every_reassignment(self) -> None:
        """Each group change ends the run and starts another: Service desk 1 h (reset,
        within 1 h), Network 1 h 30 m (breached before its reset), Database 1 h 30 m
        (breached), Network 1 h (met at exactly its target)."""
        sla = clocked(IN_GROUP)
        runs = sla.clocks_of(routed(), "time_in_group", as_of=utc(3, 0))
        assert [(c.stage, c.elapsed) for c in runs] == [
            ("reset", H),
            ("breached", 90 * H / 60),
            ("breached", 90 * H / 60),
            ("met", H),
        ]
        report = sla.compliance([routed()], as_of=utc(3, 0))
        assert (report.met, report.breached, report.reset) == (1, 2, 1)

    def test_a_clock_that_never_starts(self) -> None:
        inc = Incident.open("B", at=utc(2, 9), priority="P3").resolve(at=utc(2, 10))
        sla = clocked(NETWORK)
        assert sla.clocks_of(inc, "network_time", as_of=utc(3, 0)) == ()
        with pytest.raises(NoTargetError, match="a clock that started for B"):
            sla.clock(inc, "network_time", as_of=utc(3, 0))
        report = sla.compliance([inc], as_of=utc(3, 0))
        assert (report.met, report.not_started) == (0, 1)

    def test_cancelled_while_running(self) -> None:
        inc = Incident.open("C", at=utc(2, 9), priority="P3").set_fields(
            at=utc(2, 9), group="Network"
        )
        inc = inc.cancel(at=utc(2, 10))
        c = clocked(NETWORK).clock(inc, "network_time", as_of=utc(3, 0))
        assert (c.stage, c.elapsed) == ("cancelled", H)

    def test_a_state_stop_resumes_on_reopen(self) -> None:
        inc = Incident.open("D", at=utc(2, 9), priority="P3").set_fields(
            at=utc(2, 9), group="Network"
        )
        inc = inc.resolve(at=utc(2, 10)).reopen(at=utc(2, 11)).resolve(at=utc(2, 12))
        c = clocked(NETWORK, within="PT3H").clock(inc, "network_time", as_of=utc(3, 0))
        assert (c.stage, c.elapsed, c.paused) == ("met", 2 * H, H)

    def test_a_field_stop_is_final(self) -> None:
        """Time to assign stopped at 09:30 stays stopped through a resolve and a reopen."""
        inc = Incident.open("E", at=utc(2, 9), priority="P3").set_fields(
            at=utc(2, 9, 30), assignee="kim"
        )
        inc = inc.resolve(at=utc(2, 10)).reopen(at=utc(2, 11))
        c = clocked(ASSIGN).clock(inc, "time_to_assign", as_of=utc(3, 0))
        assert (c.stage, c.elapsed) == ("met", 30 * H / 60)

    def test_fields_changed_with_a_step_are_one_update(self) -> None:
        """Group set to Network and resolved at the same instant: the clock starts and
        stops there (0), rather than starting after the resolve and never stopping."""
        inc = Incident.open("F", at=utc(2, 9), priority="P3").set_fields(
            at=utc(2, 10), group="Network"
        )
        inc = inc.resolve(at=utc(2, 10))
        c = clocked(NETWORK).clock(inc, "network_time", as_of=utc(3, 0))
        assert (c.stage, c.elapsed) == ("met", timedelta(0))

    def test_document_round_trip(self) -> None:
        sla = clocked(NETWORK, ASSIGN, IN_GROUP)
        doc = sla.to_dict()
        assert doc["clocks"][0] == {
            "name": "network_time",
            "start": {"field": "group", "equals": "Network"},
            "stop": {"state": ["closed", "resolved"]},
            "pause": [{"not": {"field": "group", "equals": "Network"}}],
        }
        assert doc["clocks"][2]["reset"] == [{"field": "group", "changed": True}]
        assert SLA.from_dict(doc) == sla
        assert Clock.from_dict(doc["clocks"][1]) == ASSIGN

    def test_report_names_the_clock(self) -> None:
        report = clocked(NETWORK, within="PT2H").compliance([routed()], as_of=utc(3, 0))
        assert list(report.by_metric) == ["network_time"]
        assert report.to_dict()["compliance"]["by_metric"]["network_time"]["breached"] == 1
        assert "network_time" in str(report)
        assert report.to_csv().splitlines()[1].startswith("OLA,network_time,P3,0,1,0")


class TestClockProblems:
    @pytest.mark.parametrize(
        ("clock", "problems"),
        [
            (
                {"name": "x", "start": {"state": "pending"}, "stop": {"state": "resolved"}},
                [
                    (
                        "$.clocks[0].start.state",
                        "must be one of 'new', 'in_progress', 'on_hold',"
                        " 'resolved', 'closed', 'canceled' (got 'pending')",
                    )
                ],
            ),
            (
                {
                    "name": "x",
                    "start": {"field": "team", "equals": "A"},
                    "stop": {"state": "resolved"},
                },
                [
                    (
                        "$.clocks[0].start.field",
                        "must be a carried field (service, ci, category,"
                        " subcategory, symptom, group, assignee, contact_type, location, caller,"
                        " problem, change, caused_by, made_sla, reassignment_count, reopen_count,"
                        " knowledge, business_resolve_time, resolve_time) (got 'team')",
                    )
                ],
            ),
            (
                {
                    "name": "x",
                    "start": {"reason": "awaiting_caller"},
                    "stop": {"state": "resolved"},
                },
                [
                    (
                        "$.clocks[0].start.state",
                        "is required with a reason (a reason without a"
                        " state: write {'state': 'on_hold', 'reason': ...})",
                    )
                ],
            ),
            (
                {
                    "name": "x",
                    "start": {"state": "new", "reason": "awaiting_caller"},
                    "stop": {"state": "resolved"},
                },
                [
                    (
                        "$.clocks[0].start.reason",
                        "applies only to the state 'on_hold' (got the states ['new'])",
                    )
                ],
            ),
            (
                {
                    "name": "x",
                    "start": {"state": "new"},
                    "stop": {"state": "resolved"},
                    "pause": [{"field": "group", "changed": True}],
                },
                [
                    (
                        "$.clocks[0].pause",
                        "must hold over time, not at one update: 'changed' is an"
                        " event (use 'equals' or 'present') (got [{'field': 'group', 'changed': True}])",
                    )
                ],
            ),
            (
                {
                    "name": "x",
                    "start": {"field": "group", "equals": "A", "present": True},
                    "stop": {"state": "resolved"},
                },
                [
                    (
                        "$.clocks[0].start",
                        "must test the field with exactly one of 'equals',"
                        " 'changed' or 'present' (got ['equals', 'present'])",
                    )
                ],
            ),
            (
                {"name": "response", "start": {"state": "new"}, "stop": {"state": "resolved"}},
                [
                    (
                        "$.clocks[0].name",
                        "must be a name other than the built-in metrics 'response'"
                        " and 'resolution' (got 'response')",
                    )
                ],
            ),
            (
                {"name": "x", "start": {"colour": "red"}, "stop": {"state": "resolved"}},
                [
                    (
                        "$.clocks[0].start",
                        "must name a 'state' or a 'field', or combine conditions"
                        " with 'not', 'all' or 'any' (got the keys ['colour'])",
                    )
                ],
            ),
            (
                {"name": "x", "stop": {"state": "resolved"}, "when": 1},
                [
                    (
                        "$.clocks[0].when",
                        "must be one of the keys name, start, stop, pause, reset (got 'when')",
                    ),
                    ("$.clocks[0].start", "is required"),
                ],
            ),
        ],
    )
    def test_every_problem_at_its_path(
        self, clock: dict[str, object], problems: list[tuple[str, str]]
    ) -> None:
        doc = {
            "name": "OLA",
            "window": {"hours": "24x7", "tz": "UTC"},
            "clocks": [clock],
            "targets": [{"metric": "resolution", "within": "PT1H"}],
        }
        with pytest.raises(ConfigError) as info:
            SLA.from_dict(doc)
        assert list(info.value.problems) == problems

    def test_a_target_on_an_unknown_clock(self) -> None:
        with pytest.raises(InvalidValueError, match="the name of one of the agreement's clocks"):
            SLA("S", window=ALWAYS, targets=[Target("network_time", "PT1H")])

    def test_a_clock_without_a_target(self) -> None:
        with pytest.raises(InvalidValueError, match="a clock without a target"):
            SLA("S", window=ALWAYS, targets=[Target("resolution", "PT1H")], clocks=[NETWORK])

    def test_two_clocks_with_one_name(self) -> None:
        with pytest.raises(InvalidValueError, match="clocks with different names"):
            SLA(
                "S",
                window=ALWAYS,
                targets=[Target("network_time", "PT1H")],
                clocks=[NETWORK, NETWORK],
            )

    def test_business_days_need_open_days(self) -> None:
        closed = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="UTC") - ServiceWindow.always(
            tz="UTC"
        )
        with pytest.raises(InvalidValueError, match="a window with open days"):
            SLA("S", window=closed, targets=[Target("resolution", "2 business days")])

    @pytest.mark.parametrize("bad", ["0 business days", "three business days", "3 days", 3.5])
    def test_bad_business_days(self, bad: object) -> None:
        with pytest.raises(InvalidValueError, match="'within' must be"):
            Target("resolution", bad)

    def test_pause_on_only_on_resolution_targets(self) -> None:
        with pytest.raises(InvalidValueError, match="'pause_on' must be given on resolution"):
            Target("response", "PT1H", pause_on=["on_hold"])


# --- several agreements; availability against the objective ------------------------------


class TestSeveralAgreements:
    def test_each_agreement_measures_what_it_selects(self) -> None:
        vip = SLA(
            "VIP",
            window=ALWAYS,
            targets=[Target("resolution", "PT1H")],
            applies_to=itilkit.Condition(priority="P1"),
        )
        std = SLA(
            "Standard",
            window=ALWAYS,
            targets=[Target("resolution", "PT8H")],
            applies_to=itilkit.Condition(priority=["P2", "P3"]),
        )
        p1 = Incident.open("A", at=utc(2, 9), priority="P1").resolve(at=utc(2, 11))  # 2 h > 1 h
        p3 = Incident.open("B", at=utc(2, 9), priority="P3").resolve(at=utc(2, 11))  # 2 h < 8 h
        p5 = Incident.open("C", at=utc(2, 9), priority="P5")  # no agreement selects it
        late = Incident.open("D", at=utc(4, 9), priority="P1")  # opened after as_of
        report = itilkit.compliance([p1, p3, p5, late], [vip, std], as_of=utc(3, 0))
        assert (report.met, report.breached, report.rate) == (1, 1, Fraction(1, 2))
        assert (report.incidents, report.not_applicable, report.not_yet_open) == (4, 1, 1)
        assert [b.sla for b in report.breaches] == ["VIP"]
        assert {n: (r.met, r.breached) for n, r in report.by_sla.items()} == {
            "VIP": (0, 1),
            "Standard": (1, 0),
        }
        d = report.to_dict()["compliance"]
        assert d["by_sla"] == {
            "VIP": {
                "met": 0,
                "breached": 1,
                "in_progress": 0,
                "rate": {"exact": "0", "float": 0.0},
            },
            "Standard": {
                "met": 1,
                "breached": 0,
                "in_progress": 0,
                "rate": {"exact": "1", "float": 1.0},
            },
        }
        assert report.to_csv().splitlines()[1:] == [
            "VIP,resolution,P1,0,1,0,0,0%",
            "Standard,resolution,P3,1,0,0,1,100%",
        ]

    @pytest.mark.parametrize(
        ("slas", "match"),
        [
            ([], "at least one agreement"),
            (["Gold"], r"'slas\[0\]' must be an agreement"),
            (3, "an iterable"),
        ],
    )
    def test_bad_agreements(self, slas: object, match: str) -> None:
        with pytest.raises(InvalidValueError, match=match):
            itilkit.compliance([], slas, as_of=utc(3, 0))  # type: ignore[arg-type]


class TestAvailabilityReport:
    def test_the_objective_comes_from_the_sla(self) -> None:
        """Weekdays 09:00-18:00 in March 2026 (UTC, no holidays): 22 days x 9 h = 198 h;
        2 h down: 196/198 = 98/99 = 98.99%, which meets 97% and misses 99.5%."""
        hours = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        outages = [Outage("2026-03-10T10:00Z", "2026-03-10T12:00Z")]
        span = {"start": "2026-03-01T00:00Z", "end": "2026-04-01T00:00Z"}
        ok = SLA("S", window=hours, targets=[Target("resolution", "PT4H")], availability="97%")
        report = ok.availability_report(outages, **span)
        assert (report.ratio, report.target, report.meets()) == (
            Fraction(98, 99),
            Fraction(97, 100),
            True,
        )
        assert report.margin() == (Fraction(98, 99) - Fraction(97, 100)) * 100
        strict = SLA(
            "S", window=hours, targets=[Target("resolution", "PT4H")], availability="99.5%"
        )
        assert strict.availability_report(outages, **span).meets() is False

    def test_without_an_objective_meets_needs_one(self) -> None:
        hours = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        sla = SLA("S", window=hours, targets=[Target("resolution", "PT4H")])
        report = sla.availability_report([], start="2026-03-02T00:00Z", end="2026-03-03T00:00Z")
        with pytest.raises(InvalidValueError, match="'target' must be an availability objective"):
            report.meets()
        assert report.meets("97%") is True


# --- laws ----------------------------------------------------------------------------------


def replayed(walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]]) -> Incident:
    opened, steps = walk
    return Incident.replay(
        "W",
        [(at, s, r) if r else (at, s) for at, s, r in steps],
        impact="low",
        urgency="low",
        opened_at=opened,
    )


def as_of_after(
    walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]],
) -> datetime:
    opened, steps = walk
    return (steps[-1][0] if steps else opened) + timedelta(hours=5)


def same(a: itilkit.ClockStatus, b: itilkit.ClockStatus) -> bool:
    return (a.elapsed, a.due, a.stage, a.breached_at, a.pauses) == (
        b.elapsed,
        b.due,
        b.stage,
        b.breached_at,
        b.pauses,
    )


LAW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LAW
@given(walk=legal_walks(), window=sla_windows(), own=sla_windows())
def test_a_target_with_its_own_window_is_that_window_alone(
    walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]],
    window: ServiceWindow,
    own: ServiceWindow,
) -> None:
    inc = replayed(walk)
    as_of = as_of_after(walk)
    mixed = SLA("M", window=window, targets=[Target("resolution", "PT6H", window=own)])
    alone = SLA("A", window=own, targets=[Target("resolution", "PT6H")])
    assert same(
        mixed.clock(inc, "resolution", as_of=as_of), alone.clock(inc, "resolution", as_of=as_of)
    )


@LAW
@given(walk=legal_walks(), window=sla_windows())
def test_pausing_on_a_reason_that_never_occurs_changes_nothing(
    walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]], window: ServiceWindow
) -> None:
    inc = replayed(walk)
    reasons = {r for _, _, r in walk[1]}
    unused = [r for r in HoldReason if r not in reasons]
    assume(unused)
    as_of = as_of_after(walk)
    plain = SLA("P", window=window, targets=[Target("resolution", "PT6H")], pause_on=["resolved"])
    more = SLA(
        "M", window=window, targets=[Target("resolution", "PT6H")], pause_on=["resolved", *unused]
    )
    assert same(
        plain.clock(inc, "resolution", as_of=as_of), more.clock(inc, "resolution", as_of=as_of)
    )


@LAW
@given(walk=legal_walks(), window=sla_windows())
def test_restart_without_a_reopen_is_resume(
    walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]], window: ServiceWindow
) -> None:
    states = [s for _, s, _ in walk[1]]
    reopened = any(
        a is State.RESOLVED and b is State.IN_PROGRESS for a, b in itertools.pairwise(states)
    )
    assume(not reopened)
    inc = replayed(walk)
    as_of = as_of_after(walk)
    resume = SLA("R", window=window, targets=[Target("resolution", "PT6H")])
    restart = attrs_evolve(resume, on_reopen="restart")
    a = resume.clocks_of(inc, "resolution", as_of=as_of)
    b = restart.clocks_of(inc, "resolution", as_of=as_of)
    assert len(a) == len(b) == 1 and same(a[0], b[0])


def attrs_evolve(sla: SLA, **changes: object) -> SLA:
    import attrs

    return attrs.evolve(sla, **changes)  # type: ignore[arg-type]


@LAW
@given(
    start=st.integers(0, 60 * 24 * 365).map(
        lambda m: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=m)
    ),
    days=st.integers(1, 15),
    window=sla_windows(),
)
def test_a_business_day_due_date_is_add_days(
    start: datetime, days: int, window: ServiceWindow
) -> None:
    sla = SLA("D", window=window, targets=[Target("resolution", BusinessDays(days))])
    inc = Incident.open("D", at=start, priority="P3")
    c = sla.clock(inc, "resolution", as_of=start)
    assert c.due == window.add_days(start, days)
    assert c.target == window.business_time(start, window.add_days(start, days))


@LAW
@given(walk=legal_walks(), window=sla_windows())
def test_the_built_in_resolution_clock_is_a_clock_of_conditions(
    walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]], window: ServiceWindow
) -> None:
    """RESOLUTION written as a custom clock gives the same figures on every legal walk."""
    inc = replayed(walk)
    as_of = as_of_after(walk)
    built_in = SLA("B", window=window, targets=[Target("resolution", "PT6H")])
    custom = SLA(
        "C",
        window=window,
        targets=[Target("restore", "PT6H")],
        clocks=[
            Clock(
                "restore",
                start={"state": "new"},
                stop={"state": ["resolved", "closed"]},
                pause={"state": "on_hold"},
            )
        ],
    )
    a = built_in.clocks_of(inc, "resolution", as_of=as_of)
    b = custom.clocks_of(inc, "restore", as_of=as_of)
    assert len(a) == len(b) == 1 and same(a[0], b[0])


# --- a minute-by-minute reference for clocks on fields -----------------------------------

GROUPS = ("Desk", "Network", "Database")


@st.composite
def routed_incidents(draw: st.DrawFn) -> tuple[Incident, list[tuple[int, str, object]]]:
    """An incident on a minute grid from Mon 2 March 2026 00:00 UTC, each update at its
    own minute: state steps (no cancel) and group/assignee changes."""
    minute = 0
    state = "NEW"
    updates: list[tuple[int, str, object]] = []
    inc = Incident.open("R", at=utc(2, 0), priority="P3")
    for _ in range(draw(st.integers(0, 10))):
        minute += draw(st.integers(1, 300))
        at = utc(2, 0) + timedelta(minutes=minute)
        kind = draw(st.sampled_from(["state", "group", "assignee"]))
        if kind == "state":
            moves = [m for m in ("IN_PROGRESS", "ON_HOLD", "RESOLVED", "CLOSED") if m != state]
            allowed = {
                "NEW": ("IN_PROGRESS", "ON_HOLD", "RESOLVED"),
                "IN_PROGRESS": ("ON_HOLD", "RESOLVED"),
                "ON_HOLD": ("IN_PROGRESS", "RESOLVED"),
                "RESOLVED": ("IN_PROGRESS", "CLOSED"),
                "CLOSED": (),
            }[state]
            moves = [m for m in moves if m in allowed]
            if not moves:
                continue
            state = draw(st.sampled_from(moves))
            reason = "awaiting_caller" if state == "ON_HOLD" else None
            inc = inc.transition(state, at=at, reason=reason)
            updates.append((minute, "state", State[state]))
        else:
            value = (
                draw(st.sampled_from([*GROUPS, None]))
                if kind == "group"
                else draw(st.sampled_from(["kim", None]))
            )
            inc = inc.set_fields(at=at, **{kind: value})
            updates.append((minute, kind, value))
    return inc, updates


def minute_reference(
    updates: list[tuple[int, str, object]],
    as_of: int,
    start: object,
    stop: object,
    pause: object,
) -> tuple[bool, int, bool]:
    """(started, running minutes, stopped) by walking minutes: the clock starts at the
    first update (or the opening) where ``start`` holds, stops at the first later update
    where ``stop`` holds (for good: these stops read fields), and counts each minute
    between where ``pause`` does not hold."""
    situation: dict[str, object] = {"state": State.NEW, "group": None, "assignee": None}
    at_minute: dict[int, dict[str, object]] = {0: dict(situation)}
    for minute, key, value in updates:
        situation[key] = value
        at_minute[minute] = dict(situation)
    started_at = stopped_at = None
    for minute in sorted(at_minute):
        s = at_minute[minute]
        if started_at is None and start(s):  # type: ignore[operator]
            started_at = minute
        if started_at is not None and stopped_at is None and stop(s):  # type: ignore[operator]
            stopped_at = minute
            break
    if started_at is None:
        return False, 0, False
    end = as_of if stopped_at is None else stopped_at
    count = 0
    current = at_minute[0]
    for minute in range(end):
        current = at_minute.get(minute, current)
        if minute >= started_at and not pause(current):  # type: ignore[operator]
            count += 1
    return True, count, stopped_at is not None


CLOCKS = [
    (
        Clock(
            "network",
            start={"field": "group", "equals": "Network"},
            stop={
                "all": [{"state": ["resolved", "closed"]}, {"field": "assignee", "present": True}]
            },
            pause={"not": {"field": "group", "equals": "Network"}},
        ),
        lambda s: s["group"] == "Network",
        lambda s: s["state"] in (State.RESOLVED, State.CLOSED) and s["assignee"] is not None,
        lambda s: s["group"] != "Network",
    ),
    (
        Clock("assign", start={"state": "new"}, stop={"field": "assignee", "present": True}),
        lambda s: s["state"] is State.NEW,
        lambda s: s["assignee"] is not None,
        lambda s: False,
    ),
    (
        Clock(
            "held",
            start={"field": "group", "present": True},
            stop={"any": [{"field": "group", "equals": "Database"}, {"state": "closed"}]},
            pause={"state": "on_hold", "reason": "awaiting_caller"},
        ),
        lambda s: s["group"] is not None,
        lambda s: s["group"] == "Database" or s["state"] is State.CLOSED,
        lambda s: s["state"] is State.ON_HOLD,
    ),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=routed_incidents(), which=st.integers(0, len(CLOCKS) - 1))
def test_custom_clocks_agree_with_a_minute_walk(
    case: tuple[Incident, list[tuple[int, str, object]]], which: int
) -> None:
    inc, updates = case
    clock, start, stop, pause = CLOCKS[which]
    last = updates[-1][0] if updates else 0
    as_of_minute = last + 90
    as_of = utc(2, 0) + timedelta(minutes=as_of_minute)
    sla = SLA("R", window=ALWAYS, targets=[Target(clock.name, "PT3H")], clocks=[clock])
    started, minutes, stopped = minute_reference(updates, as_of_minute, start, stop, pause)
    runs = sla.clocks_of(inc, clock.name, as_of=as_of)
    if not started:
        assert runs == ()
        return
    (c,) = runs
    assert c.elapsed == timedelta(minutes=minutes)
    assert (c.stopped_at is not None) is stopped
    assert c.breached is (minutes > 180)


@LAW
@given(walk=legal_walks(), window=sla_windows())
def test_the_built_in_response_clock_is_a_clock_of_conditions(
    walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]], window: ServiceWindow
) -> None:
    """RESPONSE written as a custom clock (from NEW until it is left) gives the same figures."""
    inc = replayed(walk)
    as_of = as_of_after(walk)
    built_in = SLA("B", window=window, targets=[Target("response", "PT2H")])
    custom = SLA(
        "C",
        window=window,
        targets=[Target("answer", "PT2H")],
        clocks=[Clock("answer", start={"state": "new"}, stop={"not": {"state": "new"}})],
    )
    a = built_in.clocks_of(inc, "response", as_of=as_of)
    b = custom.clocks_of(inc, "answer", as_of=as_of)
    assert len(a) == len(b) == 1 and same(a[0], b[0])


@LAW
@given(walk=legal_walks(), window=sla_windows())
def test_restart_on_reopen_matches_the_general_walk(
    walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]], window: ServiceWindow
) -> None:
    """With on_reopen="restart", the built-in resolution runs equal the custom clock's."""
    inc = replayed(walk)
    as_of = as_of_after(walk)
    built_in = SLA("B", window=window, targets=[Target("resolution", "PT6H")], on_reopen="restart")
    custom = SLA(
        "C",
        window=window,
        targets=[Target("restore", "PT6H")],
        on_reopen="restart",
        clocks=[
            Clock(
                "restore",
                start={"state": "new"},
                stop={"state": ["resolved", "closed"]},
                pause={"state": "on_hold"},
            )
        ],
    )
    a = built_in.clocks_of(inc, "resolution", as_of=as_of)
    b = custom.clocks_of(inc, "restore", as_of=as_of)
    assert len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))


class TestFit:
    """check_fit with per-group OLAs (a clock each), per-target windows and business days."""

    def test_per_group_olas_fit_inside_the_sla(self) -> None:
        """SLA 8 h; the desk OLA 2 h on resolution, the network OLA 5 h on its own clock:
        2 + 5 = 7 h, 1 h to spare."""
        sla = SLA("Gold", window=BERLIN_OFFICE, targets=[Target("resolution", "PT8H")])
        desk = itilkit.OLA("Desk", window=BERLIN_OFFICE, targets=[Target("resolution", "PT2H")])
        network = itilkit.OLA(
            "Network team",
            window=BERLIN_OFFICE,
            targets=[Target("network_time", "PT5H")],
            clocks=[NETWORK],
        )
        report = itilkit.check_fit(sla, [desk, network], metric="resolution", priority="P3")
        assert (report.fits, report.slack) == (True, H)
        assert [s.target for s in report.stages] == [2 * H, 5 * H]

    def test_business_days_need_a_start(self) -> None:
        sla = SLA("Gold", window=BERLIN_OFFICE, targets=[Target("resolution", "3 business days")])
        desk = itilkit.OLA("Desk", window=BERLIN_OFFICE, targets=[Target("resolution", "PT8H")])
        report = itilkit.check_fit(sla, [desk], metric="resolution", priority="P3")
        assert report.gaps == ("'Gold' counts 3 business days; pass start= to compare",)
        # From Thu 2 April 2026 10:00: 3 business days are 27 h (Easter closes Fri and Mon);
        # the desk's 8 h are Thu 10:00-17:00 and Tue 7 April 08:00-09:00: 19 h to spare.
        timed = itilkit.check_fit(
            sla, [desk], metric="resolution", priority="P3", start="2026-04-02T10:00+02:00"
        )
        assert (timed.fits, timed.slack) == (True, 19 * H)
        assert timed.stages[0].due is not None
        assert timed.stages[0].due.isoformat() == "2026-04-07T09:00:00+02:00"
        assert "3 business days" in str(timed)

    def test_a_stage_on_its_own_hours_needs_a_start(self) -> None:
        sla = SLA("Gold", window=BERLIN_OFFICE, targets=[Target("resolution", "PT8H")])
        vendor = itilkit.UnderpinningContract(
            "Carrier",
            window=BERLIN_OFFICE,
            targets=[Target("resolution", "PT4H", window=ALWAYS_BERLIN)],
        )
        report = itilkit.check_fit(sla, [vendor], metric="resolution", priority="P3")
        assert not report.fits
        assert "runs on another window" in report.gaps[0]
        # Fri 6 March 2026 16:00: the carrier's 4 h around the clock end at 20:00, which is
        # 1 h of the SLA's office time (16:00-17:00).
        timed = itilkit.check_fit(
            sla, [vendor], metric="resolution", priority="P3", start="2026-03-06T16:00+01:00"
        )
        assert (timed.fits, timed.slack) == (True, 7 * H)


class TestReviewFindings:
    """Cases an independent review found; each expected value worked out by hand."""

    def test_a_reset_leaves_a_stopped_clock_stopped(self) -> None:
        """Opened 09:00, group Desk 09:00, assigned 11:00 (stop), group Network 12:00 (a
        reset, but the clock has stopped): one run, 2 h against 1 h, breached."""
        clock = Clock(
            "time_to_assign",
            start={"state": "new"},
            stop={"field": "assignee", "present": True},
            reset={"field": "group", "changed": True},
        )
        inc = Incident.open("R", at=utc(2, 9), priority="P3").set_fields(
            at=utc(2, 9), group="Desk"
        )
        inc = inc.set_fields(at=utc(2, 11), assignee="kim")
        inc = inc.set_fields(at=utc(2, 12), group="Network")
        sla = clocked(clock)
        runs = sla.clocks_of(inc, "time_to_assign", as_of=utc(3, 0))
        assert [(c.stage, c.elapsed) for c in runs] == [("breached", 2 * H)]
        report = sla.compliance([inc], as_of=utc(3, 0))
        assert (report.met, report.breached) == (0, 1)

    def test_a_reset_while_resolved_does_not_stop_a_resume(self) -> None:
        """Resolved 10:00, group changed 11:00 while resolved, reopened 12:00, resolved
        13:00: resumed, 09-10 and 12-13 = 2 h against 90 min, breached; 10-12 paused."""
        clock = Clock(
            "work",
            start={"state": "new"},
            stop={"state": ["resolved", "closed"]},
            reset={"field": "group", "changed": True},
        )
        inc = Incident.open("S", at=utc(2, 9), priority="P3").resolve(at=utc(2, 10))
        inc = inc.set_fields(at=utc(2, 11), group="Network")
        inc = inc.reopen(at=utc(2, 12)).resolve(at=utc(2, 13))
        runs = clocked(clock, within="PT90M").clocks_of(inc, "work", as_of=utc(3, 0))
        assert [(c.stage, c.elapsed, c.paused) for c in runs] == [("breached", 2 * H, 2 * H)]

    def test_agreements_with_one_name_are_refused(self) -> None:
        a = SLA("Gold", window=ALWAYS, targets=[Target("resolution", "PT1H")])
        b = SLA("Gold", window=ALWAYS, targets=[Target("resolution", "PT8H")])
        with pytest.raises(InvalidValueError, match="agreements with different names"):
            itilkit.compliance([], [a, b], as_of=utc(3, 0))

    def test_setting_the_same_value_is_no_change(self) -> None:
        inc = Incident.open("T", at=utc(2, 9), priority="P3").set_fields(
            at=utc(2, 9), group="Desk"
        )
        again = inc.set_fields(at=utc(2, 10), group="Desk")
        assert again is inc
        assert [c.new for c in again.changes("group")] == ["Desk"]
        with pytest.raises(InvalidValueError, match="a non-empty string, or None to clear it"):
            inc.set_fields(at=utc(2, 10), assignee="")
        cleared = inc.set_fields(at=utc(2, 10), group=None)
        assert dict(cleared.attributes) == {}

    def test_a_business_day_target_without_open_time_has_no_percent(self) -> None:
        """Tue 10:00-11:00 only; opened Mon 09:00: 1 business day is Tue 10:00, with no
        open time before it, so the target is 0 and the clock breaches from Tue 10:00."""
        window = ServiceWindow.weekly("Tue 10:00-11:00", tz="UTC")
        sla = SLA("Z", window=window, targets=[Target("resolution", "1 business day")])
        inc = Incident.open("Z", at=utc(2, 9), priority="P3")
        c = sla.clock(inc, "resolution", as_of=utc(3, 10, 30))
        assert (c.target, c.elapsed, c.breached, c.percent) == (
            timedelta(0),
            30 * H / 60,
            True,
            None,
        )
        assert c.due == utc(3, 10) and c.breached_at == utc(3, 10)
        assert "used" in str(c) and c.to_dict()["percent"] is None
        assert c.warnings_crossed == (Fraction(1, 2), Fraction(3, 4))
        before = sla.clock(inc, "resolution", as_of=utc(3, 10))
        assert (before.percent, before.warnings_crossed, before.stage) == (None, (), "running")

    def test_conditions_nest_at_most_32_deep(self) -> None:
        deep: object = {"state": "new"}
        for _ in range(40):
            deep = {"not": deep}
        with pytest.raises(ConfigError, match="at most 32 levels deep"):
            Clock("x", start=deep, stop={"state": "resolved"})

    @pytest.mark.parametrize("attributes", [[("I", {})], 5, {"I": 5}])
    def test_attributes_must_be_mappings(self, attributes: object) -> None:
        sla = SLA(
            "S",
            window=ALWAYS,
            targets=[Target("resolution", "PT1H")],
            applies_to=itilkit.Condition(service="ERP"),
        )
        inc = Incident.open("I", at=utc(2, 9), priority="P3")
        with pytest.raises(InvalidValueError, match="'attributes"):
            sla.compliance([inc], as_of=utc(3, 0), attributes=attributes)  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match="'attributes"):
            itilkit.compliance([inc], [sla], as_of=utc(3, 0), attributes=attributes)  # type: ignore[arg-type]

    def test_document_problems_at_their_own_paths(self) -> None:
        doc = {
            "name": "OLA",
            "window": {"hours": "24x7", "tz": "UTC"},
            "clocks": [
                {
                    "name": "c",
                    "start": {"state": "new"},
                    "stop": {"state": "resolved"},
                    "pause": {"field": "group", "changed": True},
                },
                {"name": "unused", "start": {"state": "new"}, "stop": {"state": "resolved"}},
            ],
            "targets": [
                {"metric": "c", "within": "PT1H"},
                {"metric": "response", "within": "PT1H", "pause_on": ["on_hold"]},
            ],
        }
        with pytest.raises(ConfigError) as info:
            SLA.from_dict(doc)
        assert [path for path, _ in info.value.problems] == [
            "$.clocks[0].pause",
            "$.targets[1].pause_on",
        ]
        doc["clocks"][0].pop("pause")  # type: ignore[index]
        doc["targets"][1].pop("pause_on")  # type: ignore[index]
        with pytest.raises(ConfigError) as info:
            SLA.from_dict(doc)
        assert list(info.value.problems) == [
            (
                "$.clocks[1].name",
                "must be measured by a target (no target names the clock 'unused')",
            )
        ]
