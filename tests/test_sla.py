"""SLA clocks: targets, due dates, breaches, pauses, reopen, cancel and priority changes.

Every expected value is worked out by hand in a comment next to it. The
calendar used throughout: March 2026, Mon 2 ... Fri 6, Sat 7, Sun 8, Mon 9;
Europe/Berlin is UTC+01:00 until 29 March.
"""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta
from fractions import Fraction

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import (
    OLA,
    SLA,
    Agreement,
    ClockStatus,
    Condition,
    HoldReason,
    Incident,
    InvalidValueError,
    Metric,
    NaiveDatetimeError,
    NoTargetError,
    Priority,
    ServiceWindow,
    State,
    Target,
    UnderpinningContract,
    check_fit,
    select_slas,
)

from .strategies import legal_walks, sla_windows

H = timedelta(hours=1)
M = timedelta(minutes=1)
BERLIN = "Europe/Berlin"
OFFICE = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz=BERLIN)
ALWAYS = ServiceWindow.always(tz="UTC")


def b(text: str) -> pendulum.DateTime:
    """A Berlin wall time in March 2026 (UTC+01:00), e.g. b('06 16:00') is Fri 6 March 16:00."""
    day, clock = text.split()
    return pendulum.parse(f"2026-03-{day}T{clock}:00+01:00")  # type: ignore[return-value]


def u(text: str) -> pendulum.DateTime:
    """A UTC time on Mon 2 March 2026 (or 'DD HH:MM' for another March day)."""
    day, clock = text.split() if " " in text else ("02", text)
    return pendulum.parse(f"2026-03-{day}T{clock}:00+00:00")  # type: ignore[return-value]


def gold(**options: object) -> SLA:
    """Office hours; response 1 h, resolution 8 h for everyone; P1 resolution 4 h."""
    return SLA(
        "Gold",
        window=options.pop("window", OFFICE),  # type: ignore[arg-type]
        targets=[
            Target("response", "PT1H"),
            Target("resolution", "PT8H"),
            Target("resolution", "PT4H", priority="P1"),
        ],
        **options,  # type: ignore[arg-type]
    )


def opened(at: datetime, impact: str = "medium", urgency: str = "medium") -> Incident:
    return Incident.open("INC1", at=at, impact=impact, urgency=urgency)


def assert_clock(clock: ClockStatus, **expected: object) -> None:
    """Compare the named fields of a clock, reporting every mismatch at once."""
    wrong = {
        name: (getattr(clock, name), value)
        for name, value in expected.items()
        if getattr(clock, name) != value
    }
    assert not wrong, f"(got, expected): {wrong}"


class TestMetric:
    @pytest.mark.parametrize(
        ("text", "metric"),
        [
            ("response", Metric.RESPONSE),
            ("RESOLUTION", Metric.RESOLUTION),
            (" Response ", Metric.RESPONSE),
        ],
    )
    def test_parse(self, text: str, metric: Metric) -> None:
        """A metric is named in any case."""
        assert Metric.parse(text) is metric

    @pytest.mark.parametrize("bad", ["restore", "", None, 1])
    def test_unknown(self, bad: object) -> None:
        """An unknown metric name lists the choices."""
        with pytest.raises(
            InvalidValueError, match=r"'metric' must be one of 'response', 'resolution'"
        ):
            Metric.parse(bad)


class TestTarget:
    def test_parsing(self) -> None:
        """Strings are parsed into the metric, duration and priority."""
        t = Target("resolution", "P1DT2H", priority="1 - Critical")
        assert (t.metric, t.within, t.priority) == (
            Metric.RESOLUTION,
            timedelta(hours=26),
            Priority.P1,
        )
        assert Target(Metric.RESPONSE, timedelta(minutes=15)).priority is None

    @pytest.mark.parametrize(
        ("args", "kwargs", "match"),
        [
            (("response", "soon"), {}, r"'within' must be an ISO 8601 duration"),
            (("response", "PT0S"), {}, r"'within' must be a positive duration"),
            (("response", "-PT1H"), {}, r"'within' must be a positive duration"),
            (("response", "PT1H"), {"priority": "P9"}, r"'priority' must be P1 to P5"),
            (("", "PT1H"), {}, r"'metric' must be a non-empty string"),
            (("response", "PT1H"), {"pause_on": ["on_hold"]}, r"'pause_on' must be given on"),
        ],
    )
    def test_invalid(
        self, args: tuple[object, ...], kwargs: dict[str, object], match: str
    ) -> None:
        """Impossible targets are refused, naming the field."""
        with pytest.raises(InvalidValueError, match=match):
            Target(*args, **kwargs)  # type: ignore[arg-type]


class TestAgreement:
    def test_defaults(self) -> None:
        """Pause on ON_HOLD, warn at 50% and 75%, keep elapsed on a priority change."""
        sla = gold()
        assert sla.pause_on == frozenset({State.ON_HOLD})
        assert sla.warn_at == (Fraction(1, 2), Fraction(3, 4))
        assert sla.availability is None
        assert sla.on_priority_change == "keep"

    def test_options_parsed(self) -> None:
        """Options given as text are parsed exactly and warnings sorted."""
        sla = gold(pause_on=["on_hold", "resolved"], warn_at=["90%", "1/3"], availability="99.95%")
        assert sla.pause_on == frozenset({State.ON_HOLD, State.RESOLVED})
        assert sla.warn_at == (Fraction(1, 3), Fraction(9, 10))
        assert sla.availability == Fraction(1999, 2000)

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            ({"targets": []}, r"'targets' must be at least one Target"),
            ({"targets": "PT1H"}, r"'targets' must be an iterable of Target"),
            ({"targets": [{"metric": "response"}]}, r"'targets' must be an iterable of Target"),
            (
                {"targets": [Target("response", "PT1H"), Target("response", "PT2H")]},
                r"'targets' must be at most one target per metric and priority",
            ),
            ({"window": "Mon-Fri 09:00-17:00"}, r"'window' must be a ServiceWindow"),
            ({"pause_on": ["new"]}, r"'pause_on' must be a state other than NEW and IN_PROGRESS"),
            ({"pause_on": 3}, r"'pause_on' must be an iterable of states"),
            ({"warn_at": [50]}, r"'warn_at' must be a ratio .* \(did you mean '50%'\?\)"),
            ({"warn_at": "50%"}, r"'warn_at' must be an iterable of ratios"),
            ({"warn_at": ["0%"]}, r"'warn_at' must be above 0 \(got '0%'\)"),
            ({"availability": 99.9}, r"'availability' must be .* \(did you mean '99.9%'\?\)"),
            ({"availability": "99.5"}, r"'availability' must be .* \(did you mean '99.5%'\?\)"),
            (
                {"on_priority_change": "reset"},
                r"'on_priority_change' must be one of 'keep', 'restart'",
            ),
            ({"applies_to": {"priority": "P1"}}, r"'applies_to' must be a Condition or None"),
        ],
    )
    def test_invalid(self, options: dict[str, object], match: str) -> None:
        """Every bad option is refused with its name."""
        fields: dict[str, object] = {"window": OFFICE, "targets": [Target("response", "PT1H")]}
        fields.update(options)
        with pytest.raises(InvalidValueError, match=match):
            SLA("Gold", **fields)  # type: ignore[arg-type]

    def test_name_required(self) -> None:
        """An agreement needs a name."""
        with pytest.raises(InvalidValueError, match=r"'name' must be a non-empty string"):
            SLA(" ", window=OFFICE, targets=[Target("response", "PT1H")])

    def test_single_pause_state(self) -> None:
        """One pause state may be given alone."""
        assert gold(pause_on="resolved").pause_on == frozenset({State.RESOLVED})

    def test_single_target_accepted(self) -> None:
        """A lone Target is taken as a one-target tuple."""
        assert SLA("S", window=OFFICE, targets=Target("response", "PT1H")).targets == (
            Target("response", "PT1H"),
        )

    def test_target_for_specific_wins(self) -> None:
        """A target for the priority wins over the one for every priority."""
        sla = gold()
        assert sla.target_for("resolution", "P1") == Target("resolution", "PT4H", priority="P1")
        assert sla.target_for(Metric.RESOLUTION, Priority.P2) == Target("resolution", "PT8H")
        assert (
            SLA(
                "S", window=OFFICE, targets=[Target("response", "PT1H", priority="P1")]
            ).target_for("response", "P2")
            is None
        )

    def test_value_semantics(self) -> None:
        """Agreements are equal by value, hashable and survive pickling."""
        assert gold() == gold()
        assert hash(gold()) == hash(gold())
        assert pickle.loads(pickle.dumps(gold())) == gold()
        assert gold() != gold(warn_at=["80%"])

    def test_kinds_are_distinct(self) -> None:
        """OLAs and UCs share the shape of an SLA but are not SLAs."""
        ola = OLA("Desk", window=OFFICE, targets=[Target("response", "PT1H")])
        uc = UnderpinningContract("Carrier", window=OFFICE, targets=[Target("response", "PT1H")])
        assert isinstance(ola, Agreement) and isinstance(uc, Agreement)
        assert not isinstance(ola, SLA) and not isinstance(uc, SLA)
        assert ola != SLA("Desk", window=OFFICE, targets=[Target("response", "PT1H")])


class TestResponseClock:
    """Opened Fri 6 March 16:00 Berlin, 1 h response target, open Mon-Fri 08:00-17:00."""

    inc = opened(b("06 16:00"))

    def test_running_before_close(self) -> None:
        """At 16:30 half the target is used; due at Friday's close."""
        c = gold().clock(self.inc, "response", as_of=b("06 16:30"))
        assert_clock(
            c,
            stage="running",
            elapsed=30 * M,
            remaining=30 * M,
            due=b("06 17:00"),
            percent=Fraction(50),
            breached=False,
            breached_at=None,
            warnings_crossed=(Fraction(1, 2),),  # 50% reached, 75% not
            actual_elapsed=30 * M,
            actual_remaining=30 * M,  # 16:30 -> 17:00
            stopped_at=None,
            started_at=b("06 16:00"),
            priority=Priority.P3,
        )

    def test_weekend_reaches_target_without_breach(self) -> None:
        """Over the weekend elapsed equals the target (16:00-17:00), which is not a breach."""
        c = gold().clock(self.inc, "response", as_of=b("07 12:00"))
        assert_clock(c, stage="running", elapsed=H, remaining=timedelta(0), due=b("06 17:00"))
        assert_clock(c, breached=False, breached_at=None, percent=Fraction(100))
        # Sat 12:00 is 19 h after the due instant in wall time.
        assert c.actual_remaining == -19 * H
        assert c.actual_elapsed == 20 * H  # Fri 16:00 -> Sat 12:00, never paused

    def test_breached_from_monday_opening(self) -> None:
        """At Monday 09:00: 2 h elapsed (Fri 16-17, Mon 08-09), breached since Mon 08:00."""
        c = gold().clock(self.inc, "response", as_of=b("09 09:00"))
        assert_clock(
            c,
            stage="breached",
            elapsed=2 * H,
            remaining=-H,
            late_by=H,
            due=b("06 17:00"),
            breached=True,
            breached_at=b("09 08:00"),
            percent=Fraction(200),
            warnings_crossed=(Fraction(1, 2), Fraction(3, 4)),
        )

    def test_monday_opening_instant_is_not_yet_breached(self) -> None:
        """At exactly Mon 08:00 elapsed is still 1 h; one microsecond later it exceeds."""
        at_open = gold().clock(self.inc, "response", as_of=b("09 08:00"))
        assert (at_open.elapsed, at_open.breached) == (H, False)
        after = gold().clock(self.inc, "response", as_of=b("09 08:00") + timedelta(microseconds=1))
        assert after.breached and after.breached_at == b("09 08:00")

    def test_answered_exactly_at_target(self) -> None:
        """Work started Mon 07:59 (closed time): 1 h elapsed, exactly the target: met."""
        c = gold().clock(self.inc.start_work(at=b("09 07:59")), "response", as_of=b("09 12:00"))
        assert_clock(
            c,
            stage="met",
            elapsed=H,
            remaining=timedelta(0),
            breached=False,
            breached_at=None,
            stopped_at=b("09 07:59"),
            due=b("06 17:00"),
        )

    def test_answered_late(self) -> None:
        """Work started Mon 08:20: stopped and breached, 20 minutes late."""
        c = gold().clock(self.inc.start_work(at=b("09 08:20")), "response", as_of=b("10 12:00"))
        assert_clock(c, stage="breached", elapsed=H + 20 * M, late_by=20 * M)
        assert_clock(c, breached_at=b("09 08:00"), stopped_at=b("09 08:20"))

    def test_any_move_out_of_new_is_a_response(self) -> None:
        """Putting a NEW incident on hold, or resolving it, answers it too."""
        held = self.inc.hold(at=b("06 16:10"), reason="awaiting_caller")
        resolved = self.inc.resolve(at=b("06 16:20"))
        assert gold().clock(held, "response", as_of=b("06 16:30")).elapsed == 10 * M
        assert gold().clock(resolved, "response", as_of=b("06 16:30")).elapsed == 20 * M

    def test_response_ignores_pause_states(self) -> None:
        """The response clock has no pauses: it runs only while NEW."""
        c = gold().clock(self.inc.start_work(at=b("06 16:10")), "response", as_of=b("06 16:30"))
        assert c.pauses == () and c.paused == timedelta(0)

    def test_cancelled_while_new(self) -> None:
        """Cancelling a NEW incident cancels its response clock."""
        c = gold().clock(self.inc.cancel(at=b("06 16:40")), "response", as_of=b("09 12:00"))
        assert_clock(
            c, stage="cancelled", elapsed=40 * M, stopped_at=b("06 16:40"), breached=False
        )

    def test_due_by_subtraction_law(self) -> None:
        """Due is where the window's own ``add`` puts the rest of the target."""
        c = gold().clock(self.inc, "response", as_of=b("06 16:45"))
        assert c.due == OFFICE.add(b("06 16:45"), c.remaining)


class TestResolutionClock:
    """Resolution with pauses, reopen and cancel; 8 h target unless P1."""

    def test_pause_across_weekend(self) -> None:
        """Thu 15:00 open, 15:30 work, Fri 10:00 hold, Mon 11:00 resume, Mon 14:00 resolve.

        Running: Thu 15-17 (2 h) + Fri 08-10 (2 h) + Mon 11-14 (3 h) = 7 h of 8: met.
        Paused Fri 10:00 -> Mon 11:00: business Fri 10-17 (7 h) + Mon 08-11 (3 h) = 10 h,
        wall 3 days 1 h = 73 h. Due as if it ran on from Mon 14:00: 1 h left -> Mon 15:00.
        """
        inc = (
            opened(b("05 15:00"))
            .start_work(at=b("05 15:30"))
            .hold(at=b("06 10:00"), reason="awaiting_vendor")
            .resume(at=b("09 11:00"))
            .resolve(at=b("09 14:00"))
        )
        c = gold().clock(inc, "resolution", as_of=b("10 09:00"))
        assert_clock(
            c,
            stage="met",
            elapsed=7 * H,
            remaining=H,
            due=b("09 15:00"),
            stopped_at=b("09 14:00"),
            paused=10 * H,
            actual_paused=73 * H,
            actual_elapsed=22 * H,  # Thu 15:00 -> Fri 10:00 (19 h) + Mon 11-14 (3 h)
            actual_remaining=H,  # Mon 14:00 -> due Mon 15:00
            percent=Fraction(175, 2),  # 7/8 = 87.5%
            warnings_crossed=(Fraction(1, 2), Fraction(3, 4)),
        )
        (pause,) = c.pauses
        assert (pause.start, pause.end, pause.state, pause.reason) == (
            b("06 10:00"),
            b("09 11:00"),
            State.ON_HOLD,
            HoldReason.AWAITING_VENDOR,
        )
        assert (pause.business, pause.wall) == (10 * H, 73 * H)

    def test_as_of_during_pause(self) -> None:
        """As of Sat 12:00 on hold: 4 h used; due as if resumed now -> Mon 08:00 + 4 h = Mon 12:00."""
        inc = (
            opened(b("05 15:00"))
            .start_work(at=b("05 15:30"))
            .hold(at=b("06 10:00"), reason="awaiting_vendor")
            .resume(at=b("09 11:00"))
        )
        c = gold().clock(inc, "resolution", as_of=b("07 12:00"))  # the resume is still ahead
        assert_clock(c, stage="paused", elapsed=4 * H, remaining=4 * H, due=b("09 12:00"))
        (pause,) = c.pauses
        assert pause.end is None  # still going on
        assert (pause.business, pause.wall) == (7 * H, 26 * H)  # Fri 10-17; Fri 10:00 -> Sat 12:00
        # Wall time from Sat 12:00 to Mon 12:00 is 48 h.
        assert c.actual_remaining == 48 * H

    def test_paused_clock_does_not_move(self) -> None:
        """Two readings during one pause give the same elapsed time."""
        inc = opened(b("02 09:00")).hold(at=b("02 10:00"), reason="awaiting_caller")
        first = gold().clock(inc, "resolution", as_of=b("02 11:00"))
        later = gold().clock(inc, "resolution", as_of=b("04 11:00"))
        assert first.elapsed == later.elapsed == H
        assert first.stage == later.stage == "paused"

    def test_reopen_resumes(self) -> None:
        """24x7, 4 h: open 09:00, resolved 10:00 (1 h), reopened 12:00, resolved 15:30 (3.5 h).

        4.5 h > 4 h: breached. The target is reached 3 h after the reopen: due 15:00,
        breached from 15:00 (24x7 is open then), 30 minutes late. The resolved
        stretch 10:00-12:00 is in the pause ledger.
        """
        inc = (
            opened(u("09:00"), "high", "high")
            .start_work(at=u("09:10"))
            .resolve(at=u("10:00"))
            .reopen(at=u("12:00"))
            .resolve(at=u("15:30"))
        )
        sla = gold(window=ALWAYS)
        c = sla.clock(inc, "resolution", as_of=u("18:00"))
        assert_clock(c, stage="breached", elapsed=4 * H + 30 * M, due=u("15:00"))
        assert_clock(c, breached_at=u("15:00"), late_by=30 * M, stopped_at=u("15:30"))
        assert [(p.start, p.end, p.state) for p in c.pauses] == [
            (u("10:00"), u("12:00"), State.RESOLVED)
        ]
        before_reopen = sla.clock(inc, "resolution", as_of=u("11:00"))
        assert_clock(before_reopen, stage="met", elapsed=H, stopped_at=u("10:00"), due=u("13:00"))
        after_reopen = sla.clock(inc, "resolution", as_of=u("13:00"))
        assert_clock(after_reopen, stage="running", elapsed=2 * H, due=u("15:00"), stopped_at=None)

    def test_closed_stays_stopped(self) -> None:
        """Closing a resolved incident does not move the stop."""
        inc = opened(u("09:00")).resolve(at=u("10:00")).close(at=u("20:00"))
        c = gold(window=ALWAYS).clock(inc, "resolution", as_of=u("23:00"))
        assert_clock(c, stage="met", elapsed=H, stopped_at=u("10:00"))

    def test_cancel(self) -> None:
        """Open 09:00, work 09:30, cancel 11:00: resolution cancelled after 2 h; response met."""
        inc = opened(u("09:00")).start_work(at=u("09:30")).cancel(at=u("11:00"))
        sla = gold(window=ALWAYS)
        c = sla.clock(inc, "resolution", as_of=u("12:00"))
        assert_clock(c, stage="cancelled", elapsed=2 * H, stopped_at=u("11:00"), breached=False)
        assert sla.clock(inc, "response", as_of=u("12:00")).stage == "met"

    def test_met_exactly_at_due(self) -> None:
        """Resolved at the due instant: elapsed equals the target, so met, 100%."""
        inc = opened(b("02 09:00")).start_work(at=b("02 09:30")).resolve(at=b("02 17:00"))
        c = gold().clock(inc, "resolution", as_of=b("03 12:00"))
        # Mon 09:00-17:00 is 8 h, the P3 target.
        assert_clock(c, stage="met", elapsed=8 * H, remaining=timedelta(0), due=b("02 17:00"))
        assert_clock(c, percent=Fraction(100), breached=False, breached_at=None)

    def test_breached_while_running_and_paused(self) -> None:
        """A running clock past its target is 'breached', and stays so while on hold."""
        inc = opened(b("02 08:00"))
        running = gold().clock(inc, "resolution", as_of=b("03 09:00"))  # 9 h + 1 h
        assert_clock(running, stage="breached", elapsed=10 * H, due=b("02 16:00"))
        assert running.breached_at == b("02 16:00")
        held = inc.hold(at=b("03 09:00"), reason="awaiting_caller")
        assert gold().clock(held, "resolution", as_of=b("04 09:00")).stage == "breached"

    def test_breach_after_a_pause_at_the_due_instant(self) -> None:
        """Elapsed reaches the target, the clock pauses, then resumes: breached at the resume."""
        inc = (
            opened(u("09:00"))
            .hold(at=u("17:00"), reason="awaiting_caller")  # 8 h used exactly
            .resume(at=u("03 09:00"))
        )
        c = gold(window=ALWAYS).clock(inc, "resolution", as_of=u("03 10:00"))
        assert_clock(c, due=u("17:00"), breached_at=u("03 09:00"), elapsed=9 * H)

    def test_custom_pause_states(self) -> None:
        """With pause_on empty, ON_HOLD time counts."""
        inc = opened(u("09:00")).hold(at=u("10:00"), reason="awaiting_caller")
        c = gold(window=ALWAYS, pause_on=[]).clock(inc, "resolution", as_of=u("12:00"))
        assert_clock(c, stage="running", elapsed=3 * H, pauses=())

    def test_hold_reason_changes_are_separate_pauses(self) -> None:
        """A hold whose reason changes appears as two ledger lines."""
        inc = (
            opened(u("09:00"))
            .hold(at=u("10:00"), reason="awaiting_caller")
            .hold(at=u("11:00"), reason="awaiting_vendor")
            .resume(at=u("11:30"))
        )
        c = gold(window=ALWAYS).clock(inc, "resolution", as_of=u("12:00"))
        assert [(p.reason, p.wall) for p in c.pauses] == [
            (HoldReason.AWAITING_CALLER, H),
            (HoldReason.AWAITING_VENDOR, 30 * M),
        ]
        assert c.elapsed == H + 30 * M  # 09-10 and 11:30-12

    def test_no_open_time_left(self) -> None:
        """A window that closes for good gives no due instant (None), not a hang."""
        window = ServiceWindow.from_spans([(u("09:00"), u("10:00"))], tz="UTC")
        c = gold(window=window).clock(opened(u("09:00")), "resolution", as_of=u("09:30"))
        assert_clock(c, elapsed=30 * M, due=None, actual_remaining=None, stage="running")


class TestPriorityChange:
    """24x7; P3 resolution 8 h, P1 4 h. Open 09:00 at P3, raised to P1 at 11:00."""

    inc = opened(u("09:00")).reprioritize(at=u("11:00"), impact="high", urgency="high")

    def test_keep_elapsed_new_target(self) -> None:
        """Default 'keep': 3 h elapsed against P1's 4 h: due 13:00."""
        c = gold(window=ALWAYS).clock(self.inc, "resolution", as_of=u("12:00"))
        assert_clock(c, priority=Priority.P1, target=4 * H, elapsed=3 * H, due=u("13:00"))
        assert c.started_at == u("09:00")

    def test_keep_can_breach_at_once(self) -> None:
        """Raised at 14:00 after 5 h: already past P1's 4 h, breached since 13:00."""
        inc = opened(u("09:00")).reprioritize(at=u("14:00"), impact="high", urgency="high")
        c = gold(window=ALWAYS).clock(inc, "resolution", as_of=u("14:30"))
        assert_clock(c, stage="breached", breached_at=u("13:00"), elapsed=5 * H + 30 * M)

    def test_restart(self) -> None:
        """'restart': the clock starts again at 11:00 with P1's 4 h: 1 h used, due 15:00."""
        c = gold(window=ALWAYS, on_priority_change="restart").clock(
            self.inc, "resolution", as_of=u("12:00")
        )
        assert_clock(c, started_at=u("11:00"), elapsed=H, due=u("15:00"), target=4 * H)

    def test_restart_ignores_changes_that_keep_the_priority(self) -> None:
        """A change of impact and urgency giving the same priority restarts nothing."""
        inc = opened(u("09:00")).reprioritize(at=u("11:00"), impact="high", urgency="low")  # P3
        c = gold(window=ALWAYS, on_priority_change="restart").clock(
            inc, "resolution", as_of=u("12:00")
        )
        assert_clock(c, started_at=u("09:00"), elapsed=3 * H, priority=Priority.P3)

    def test_priority_after_stop_does_not_count(self) -> None:
        """The target is the one in force when the clock stopped."""
        inc = (
            opened(u("09:00"))
            .resolve(at=u("10:00"))
            .reprioritize(at=u("11:00"), impact="high", urgency="high")
        )
        c = gold(window=ALWAYS).clock(inc, "resolution", as_of=u("12:00"))
        assert_clock(c, priority=Priority.P3, target=8 * H)

    def test_as_of_before_change(self) -> None:
        """Read before the change, the old priority's target applies."""
        c = gold(window=ALWAYS).clock(self.inc, "resolution", as_of=u("10:00"))
        assert_clock(c, priority=Priority.P3, target=8 * H)


class TestBadInput:
    inc = opened(u("09:00"))

    def test_as_of_before_opening(self) -> None:
        """Reading a clock before the incident opened is an error naming as_of."""
        with pytest.raises(
            InvalidValueError, match=r"'as_of' must be at or after the opening of INC1"
        ):
            gold().clock(self.inc, "response", as_of=u("08:59"))

    def test_naive_as_of(self) -> None:
        """A naive as_of is refused."""
        with pytest.raises(NaiveDatetimeError, match=r"'as_of' must be an aware datetime"):
            gold().clock(self.inc, "response", as_of=datetime(2026, 3, 2, 10))

    def test_unknown_metric(self) -> None:
        """An unknown metric name lists the choices."""
        with pytest.raises(
            InvalidValueError,
            match=r"'metric' must be 'response', 'resolution' or the name of one of the"
            r" agreement's clocks \(none\) \(got 'uptime'\)",
        ):
            gold().clock(self.inc, "uptime", as_of=u("10:00"))

    def test_no_target(self) -> None:
        """No target for the priority: NoTargetError (a ValueError) lists the priorities covered."""
        sla = SLA("P1 only", window=ALWAYS, targets=[Target("response", "PT15M", priority="P1")])
        with pytest.raises(
            NoTargetError,
            match=r"'priority' must be a priority with a response target in 'P1 only' \(P1\)",
        ):
            sla.clock(self.inc, "response", as_of=u("10:00"))
        with pytest.raises(ValueError, match=r"resolution target in 'P1 only' \(none\)"):
            sla.clock(self.inc, "resolution", as_of=u("10:00"))


class TestNonStrictHistory:
    def test_backwards_step_counts_as_zero(self) -> None:
        """A step recorded before the one it follows adds no time and takes none away.

        Open 09:00, IN_PROGRESS 10:00, ON_HOLD recorded at 09:30 (clock went back),
        IN_PROGRESS 11:00. Running 09:00-10:00; the hold is moved up to 10:00 and
        lasts until 11:00; running again 11:00-12:00: 2 h elapsed, 1 h paused.
        """
        events = [
            (u("09:00"), State.NEW),
            (u("10:00"), State.IN_PROGRESS),
            (u("09:30"), State.ON_HOLD, HoldReason.AWAITING_CALLER),
            (u("11:00"), State.IN_PROGRESS),
        ]
        inc = Incident.replay("INC1", events, impact=2, urgency=2, strict=False)
        assert inc.anomalies
        c = gold(window=ALWAYS).clock(inc, "resolution", as_of=u("12:00"))
        assert_clock(c, elapsed=2 * H, actual_paused=H)


class TestRendering:
    def test_str_and_html(self) -> None:
        """A clock prints as a small table with business and 24x7 columns."""
        c = gold().clock(opened(b("06 16:00")), "response", as_of=b("09 09:00"))
        text = str(c)
        assert text.splitlines()[0] == "INC1 response (P3): breached as of 2026-03-09 09:00 +01:00"
        line = next(row for row in text.splitlines() if row.startswith("elapsed"))
        assert line.split() == [
            "elapsed",
            "2h",
            "00m",
            "65h",
            "00m",
        ]  # Fri 16 -> Mon 09: 65 h of wall time, never "2d 17h"
        assert "<table>" in c._repr_html_()

    def test_to_dict(self) -> None:
        """to_dict is JSON-ready with ISO durations and instants."""
        inc = opened(b("05 15:00")).hold(at=b("05 16:00"), reason="awaiting_caller")
        d = gold().clock(inc, "resolution", as_of=b("05 16:30")).to_dict()
        assert d["elapsed"] == "PT1H"
        assert d["percent"] == "12.5"
        assert (
            d["due"] == "2026-03-06T14:30:00+01:00"
        )  # 7 h left from 16:30: 30 min Thu + 6.5 h Fri
        assert d["pauses"] == [
            {
                "start": "2026-03-05T16:00:00+01:00",
                "end": None,
                "state": "on_hold",
                "reason": "awaiting_caller",
                "business": "PT30M",
                "wall": "PT30M",
            }
        ]


class TestSelection:
    window = ALWAYS
    vip = SLA(
        "VIP",
        window=ALWAYS,
        targets=[Target("response", "PT15M")],
        applies_to=Condition(priority=["P1", "P2"], service=["Payroll", "Email"]),
    )
    network = SLA(
        "Network",
        window=ALWAYS,
        targets=[Target("response", "PT30M")],
        applies_to=Condition(category="Network"),
    )
    standard = SLA("Standard", window=ALWAYS, targets=[Target("response", "PT4H")])

    @pytest.mark.parametrize(
        ("impact", "attributes", "first", "every"),
        [
            ("high", {"service": "Payroll"}, "VIP", ["VIP", "Standard"]),
            ("low", {"service": "Payroll"}, "Standard", ["Standard"]),
            (
                "high",
                {"service": "ERP", "category": "Network"},
                "Network",
                ["Network", "Standard"],
            ),
            (
                "high",
                {"service": "Email", "category": "Network"},
                "VIP",
                ["VIP", "Network", "Standard"],
            ),
            ("high", None, "Standard", ["Standard"]),
        ],
    )
    def test_select(
        self, impact: str, attributes: dict[str, str] | None, first: str, every: list[str]
    ) -> None:
        """The first matching agreement, or all of them, in the order given."""
        inc = Incident.open("I", at=u("09:00"), impact=impact, urgency="high")
        slas = [self.vip, self.network, self.standard]
        assert [s.name for s in select_slas(slas, inc, attributes=attributes)] == [first]
        assert [s.name for s in select_slas(slas, inc, mode="all", attributes=attributes)] == every

    def test_bad_mode(self) -> None:
        """Only 'first' and 'all' are modes."""
        inc = opened(u("09:00"))
        with pytest.raises(InvalidValueError, match=r"'mode' must be one of 'first', 'all'"):
            select_slas([self.standard], inc, mode="best")  # type: ignore[arg-type]

    def test_condition_fields(self) -> None:
        """Condition fields accept one value or many; bad ones are refused."""
        assert Condition(service="A").service == frozenset({"A"})
        assert Condition(priority=1).priority == frozenset({Priority.P1})
        assert Condition().to_dict() == {}
        assert Condition(priority=["P2", "P1"], category=["b", "a"]).to_dict() == {
            "priority": ["P1", "P2"],
            "category": ["a", "b"],
        }
        with pytest.raises(InvalidValueError, match=r"'service' must be a string or an iterable"):
            Condition(service=3)
        with pytest.raises(
            InvalidValueError, match=r"'priority' must be a priority or an iterable"
        ):
            Condition(priority=object())

    def test_empty_fields(self) -> None:
        """None means any value."""
        c = Condition(priority=None, service=None, category=None)
        assert c == Condition() and c.matches(opened(u("09:00")))

    def test_priority_read_at_as_of(self) -> None:
        """A condition can be evaluated for the priority at another moment."""
        inc = opened(u("09:00"))  # P3
        assert not Condition(priority="P1").matches(inc)
        assert Condition(priority="P1").matches(inc, priority=Priority.P1)


class TestFit:
    """An SLA resolution target of 8 h on office hours, underpinned by a desk and a carrier."""

    sla = SLA("Gold", window=OFFICE, targets=[Target("resolution", "PT8H")])
    desk = OLA("Desk", window=OFFICE, targets=[Target("resolution", "PT2H")])
    carrier = UnderpinningContract(
        "Carrier", window=OFFICE, targets=[Target("resolution", "PT5H")]
    )

    def test_fits_on_one_window(self) -> None:
        """2 h + 5 h = 7 h of 8 h: fits with 1 h to spare; headroom after each stage."""
        report = check_fit(self.sla, [self.desk, self.carrier], metric="resolution", priority="P2")
        assert report.fits and report.gaps == ()
        assert report.slack == H
        assert [(s.kind, s.cumulative, s.headroom) for s in report.stages] == [
            ("OLA", 2 * H, 6 * H),
            ("UC", 7 * H, H),
        ]

    def test_overrun(self) -> None:
        """4 h + 5 h = 9 h: one hour more than the SLA allows."""
        slow = OLA("Desk", window=OFFICE, targets=[Target("resolution", "PT4H")])
        report = check_fit(self.sla, [slow, self.carrier], metric="resolution", priority="P2")
        assert not report.fits
        assert report.slack == -H
        assert report.gaps == (
            "the path needs 9h 00m, more than the 8h 00m target of 'Gold' by 1h 00m",
        )

    def test_missing_targets(self) -> None:
        """A stage without a target for the metric, or an SLA without one, is a gap."""
        report = check_fit(self.sla, [self.desk, self.carrier], metric="response", priority="P1")
        assert report.gaps == (
            "Gold has no response target for P1",
            "OLA 'Desk' has no response target for P1",
            "UC 'Carrier' has no response target for P1",
        )
        assert report.sla_target is None and report.slack is None

    def test_other_window_needs_start(self) -> None:
        """Durations on different windows are not added: a start instant is asked for."""
        night = OLA("Night desk", window=ALWAYS, targets=[Target("resolution", "PT2H")])
        report = check_fit(self.sla, [night], metric="resolution", priority="P3")
        assert report.gaps == (
            "OLA 'Night desk' runs on another window than 'Gold'; pass start= to compare on a timeline",
        )

    def test_timeline(self) -> None:
        """From Mon 09:00: a 24x7 desk (2 h) hands over at 11:00, the carrier (5 h office) ends 16:00.

        That is 7 h of the SLA's office time (Mon 09-16): fits with 1 h to spare.
        """
        desk = OLA("Desk", window=ALWAYS, targets=[Target("resolution", "PT2H")])
        report = check_fit(
            self.sla, [desk, self.carrier], metric="resolution", priority="P3", start=b("02 09:00")
        )
        assert report.fits
        assert [s.due for s in report.stages] == [b("02 11:00"), b("02 16:00")]
        assert [s.cumulative for s in report.stages] == [2 * H, 7 * H]

    def test_timeline_overrun(self) -> None:
        """A 24x7 day-long carrier from Mon 11:00 ends Tue 11:00: 8 h Mon + 3 h Tue = 11 h > 8 h."""
        desk = OLA("Desk", window=ALWAYS, targets=[Target("resolution", "PT2H")])
        carrier = UnderpinningContract(
            "Carrier", window=ALWAYS, targets=[Target("resolution", "P1D")]
        )
        report = check_fit(
            self.sla, [desk, carrier], metric="resolution", priority="P3", start=b("02 09:00")
        )
        assert report.slack == -3 * H
        assert report.gaps == (
            "the path needs 11h 00m, more than the 8h 00m target of 'Gold' by 3h 00m",
        )

    def test_kinds_named(self) -> None:
        """Each stage is labelled by its kind: OLA, UC, SLA, or the class name."""
        other = Agreement("Plain", window=OFFICE, targets=[Target("resolution", "PT1H")])
        report = check_fit(self.sla, [self.sla, other], metric="resolution", priority="P3")
        assert [s.kind for s in report.stages] == ["SLA", "Agreement"]

    def test_timeline_with_a_gap(self) -> None:
        """On a timeline a stage without a target stops the walk: no due instants after it."""
        empty = OLA("Empty", window=OFFICE, targets=[Target("response", "PT1H")])
        report = check_fit(
            self.sla,
            [empty, self.carrier],
            metric="resolution",
            priority="P3",
            start=b("02 09:00"),
        )
        assert [s.due for s in report.stages] == [None, None]
        assert report.gaps == ("OLA 'Empty' has no resolution target for P3",)

    def test_empty_path(self) -> None:
        """A path needs at least one stage."""
        with pytest.raises(InvalidValueError, match=r"'path' must be at least one OLA"):
            check_fit(self.sla, [], metric="resolution", priority="P3")

    def test_rendering(self) -> None:
        """The report renders as text, HTML and a JSON-ready dict."""
        slow = OLA("Desk", window=OFFICE, targets=[Target("resolution", "PT4H")])
        report = check_fit(self.sla, [slow, self.carrier], metric="resolution", priority="P2")
        assert str(report).splitlines()[0] == "Gold resolution P2 (target 8h 00m): does not fit"
        assert str(report).splitlines()[-1].startswith("gap: the path needs 9h 00m")
        assert "<table>" in report._repr_html_()
        d = report.to_dict()
        assert (d["fits"], d["slack"], d["sla_target"]) == (False, "-PT1H", "PT8H")
        assert d["stages"][1] == {
            "name": "Carrier",
            "kind": "UC",
            "target": "PT5H",
            "cumulative": "PT9H",
            "headroom": "-PT1H",
            "due": None,
        }


# -- properties ------------------------------------------------------------------------


def replay(walk: tuple[datetime, list[tuple[datetime, State, HoldReason | None]]]) -> Incident:
    start, steps = walk
    events = [(start, State.NEW), *steps]
    return Incident.replay("INC", events, impact="medium", urgency="medium")


def reference_running(
    start: datetime,
    steps: list[tuple[datetime, State, HoldReason | None]],
    as_of: datetime,
    metric: str,
) -> list[tuple[datetime, datetime]]:
    """Running stretches, by a direct reading of the contract (independent of itilkit._clock)."""
    out = []
    state, since = State.NEW, start
    for at, new_state, _ in [*steps, (as_of, None, None)]:
        at = min(at, as_of)
        if metric == "response":
            if state is State.NEW:
                out.append((since, at))
            if new_state is not State.NEW:
                break
        else:
            if state in (State.NEW, State.IN_PROGRESS):
                out.append((since, at))
        if new_state is None or at >= as_of:
            break
        state, since = new_state, at
    return out


class TestProperties:
    @settings(max_examples=120, deadline=None)
    @given(walk=legal_walks(), window=sla_windows(), data=st.data())
    def test_elapsed_matches_reference(self, walk, window, data) -> None:  # type: ignore[no-untyped-def]
        """Elapsed is the window's business time over the running stretches read from the contract."""
        start, steps = walk
        inc = replay(walk)
        as_of = start + timedelta(seconds=data.draw(st.integers(0, 30 * 86_400)))
        metric = data.draw(st.sampled_from(["response", "resolution"]))
        sla = gold(window=window)
        c = sla.clock(inc, metric, as_of=as_of)
        expected = sum(
            (
                window.business_time(a, z)
                for a, z in reference_running(start, steps, as_of, metric)
            ),
            timedelta(0),
        )
        assert c.elapsed == expected
        assert c.breached == (c.elapsed > c.target)

    @settings(max_examples=120, deadline=None)
    @given(walk=legal_walks(), window=sla_windows(), data=st.data())
    def test_elapsed_never_decreases(self, walk, window, data) -> None:  # type: ignore[no-untyped-def]
        """Reading later never shows less elapsed time (and remaining + elapsed = target)."""
        start, _ = walk
        inc = replay(walk)
        first = data.draw(st.integers(0, 20 * 86_400))
        second = first + data.draw(st.integers(0, 20 * 86_400))
        metric = data.draw(st.sampled_from(list(Metric)))
        sla = gold(window=window)
        early = sla.clock(inc, metric, as_of=start + timedelta(seconds=first))
        late = sla.clock(inc, metric, as_of=start + timedelta(seconds=second))
        assert early.elapsed <= late.elapsed
        for c in (early, late):
            assert c.elapsed + c.remaining == c.target
            assert (c.remaining < timedelta(0)) == c.breached

    @settings(max_examples=120, deadline=None)
    @given(walk=legal_walks(), window=sla_windows(), data=st.data())
    def test_due_in_open_time(self, walk, window, data) -> None:  # type: ignore[no-untyped-def]
        """Due lies in open time or ends an open period: the moment just before it is open."""
        start, _ = walk
        inc = replay(walk)
        as_of = start + timedelta(seconds=data.draw(st.integers(0, 30 * 86_400)))
        metric = data.draw(st.sampled_from(list(Metric)))
        c = gold(window=window).clock(inc, metric, as_of=as_of)
        assert c.due is not None
        assert (c.due - timedelta(microseconds=1)) in window
        if c.breached:
            assert c.breached_at is not None and c.breached_at in window
            assert c.breached_at >= c.due

    @settings(max_examples=120, deadline=None)
    @given(walk=legal_walks(), window=sla_windows(), data=st.data())
    def test_breached_at_is_the_first_instant_past_target(self, walk, window, data) -> None:  # type: ignore[no-untyped-def]
        """Read at breached_at the clock shows exactly the target; a microsecond later, more.

        Every example checks something: a clock not breached has no breach
        instant and has not used more than its target.
        """
        start, _ = walk
        inc = replay(walk)
        as_of = start + timedelta(seconds=data.draw(st.integers(0, 30 * 86_400)))
        metric = data.draw(st.sampled_from(list(Metric)))
        sla = gold(window=window)
        c = sla.clock(inc, metric, as_of=as_of)
        if not c.breached:
            assert c.breached_at is None
            assert c.elapsed <= c.target and c.remaining >= timedelta(0)
            assert c.stage in {"running", "paused", "met", "cancelled"}
            return
        assert c.breached_at is not None
        at = sla.clock(inc, metric, as_of=c.breached_at)
        after = sla.clock(inc, metric, as_of=c.breached_at + timedelta(microseconds=1))
        assert (at.elapsed, at.breached) == (c.target, False)
        assert after.breached and after.elapsed == c.target + timedelta(microseconds=1)

    @settings(max_examples=80, deadline=None)
    @given(walk=legal_walks(), window=sla_windows(), data=st.data())
    def test_zone_of_inputs_does_not_matter(self, walk, window, data) -> None:  # type: ignore[no-untyped-def]
        """The same instants written in another zone give the same clock."""
        start, steps = walk
        other = data.draw(st.sampled_from(["Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"]))
        moved = (
            pendulum.instance(start).in_timezone(other),
            [(pendulum.instance(at).in_timezone(other), s, r) for at, s, r in steps],
        )
        as_of = start + timedelta(seconds=data.draw(st.integers(0, 30 * 86_400)))
        metric = data.draw(st.sampled_from(list(Metric)))
        sla = gold(window=window)
        a = sla.clock(replay(walk), metric, as_of=as_of)
        z = sla.clock(replay(moved), metric, as_of=pendulum.instance(as_of).in_timezone(other))
        assert a.to_dict() == z.to_dict()


class TestConditionOnCarriedFields:
    def test_any_carried_field(self) -> None:
        """A condition names any carried field; unknown names are refused."""
        inc = Incident.open("INC1", at="2026-03-02T09:00Z", impact="low", urgency="low")
        condition = Condition(group=["Network", "Servers"], ci="db1")
        assert condition.matches(inc, {"group": "Network", "ci": "db1"})
        assert not condition.matches(inc, {"group": "Desk", "ci": "db1"})
        assert not condition.matches(inc)  # this incident carries no fields at all
        assert condition.to_dict() == {"ci": ["db1"], "group": ["Network", "Servers"]}
        with pytest.raises(InvalidValueError, match="'applies_to' must be priority or a carried"):
            Condition(team="Network")

    def test_document_round_trip(self) -> None:
        """applies_to in a document reads carried fields and writes them back."""
        doc = {
            "name": "Net",
            "window": {"tz": "UTC"},
            "targets": [{"metric": "response", "within": "PT1H"}],
            "applies_to": {"priority": ["P1"], "group": ["Network"]},
        }
        sla = SLA.from_dict(doc)
        assert sla.applies_to == Condition(priority="P1", group="Network")
        assert sla.to_dict()["applies_to"] == {"priority": ["P1"], "group": ["Network"]}
