"""SLA clocks: how long an incident has run against a target, and when it is due.

ITIL calls the time an incident takes to be answered its *response* and the
time to restore service its *resolution*; ticket systems (ServiceNow's "task
SLA") run one clock per target. A clock counts only business time (time
inside the agreement's service window) while it runs:

- RESPONSE runs from ``opened_at`` to the first transition out of NEW.
- RESOLUTION runs from ``opened_at`` until RESOLVED (or CLOSED), is paused
  while the state (or the hold reason) is in the target's ``pause_on``
  (ON_HOLD by default), and a reopen resumes it (the time it sat RESOLVED
  counts as paused) or, with ``on_reopen="restart"``, starts a new run from
  the reopen while the first keeps its outcome.
- A custom :class:`~itilkit.Clock` starts, stops, pauses and resets on its
  own conditions (:mod:`itilkit._clock_rules`).

Each target may have its own window; a :class:`~itilkit.BusinessDays` target
is the open time from the clock's start to the window's ``add_days``.

The contract, exactly: ``elapsed`` is business time counted while running, up
to ``as_of`` or the stop. ``due`` is the earliest instant at which ``elapsed``
would equal the target if the clock runs on (while paused: as if it resumed
at ``as_of``). A clock is breached iff ``elapsed > target`` (stopping exactly
at the target is met), and ``breached_at`` is the instant from which
``elapsed`` exceeds the target: ``due`` when ``due`` is open time, else the
next opening the clock runs through.

Everything is computed on integer microseconds with the window's integer API;
pendulum objects are made only for the :class:`ClockStatus` a caller asks for.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

import attrs
import pendulum

from ._clock_rules import NEVER, BusinessDays, Clock, Fields, Test
from ._errors import InvalidValueError, NoOpenTimeError
from ._incident import HoldReason, Life, State, carried_changes, lifeline
from ._priority import Priority
from ._ratio import format_percent, ratio_text
from ._report import format_duration, html_table, iso, iso_duration, text_table
from ._time import from_us, td_us, to_timedelta, zone
from ._vocabulary import parse_member

if TYPE_CHECKING:
    from ._incident import Incident
    from ._window import ServiceWindow

__all__ = [
    "END_STATES",
    "ClockStatus",
    "Metric",
    "MetricKey",
    "Pause",
    "Rules",
    "Stage",
    "Timeline",
    "metric_name",
    "run",
    "runs",
]

Stage = Literal["running", "paused", "met", "breached", "cancelled", "reset"]

END_STATES = frozenset({State.RESOLVED, State.CLOSED, State.CANCELED})
"""States in which a RESOLUTION clock does not run: service is restored, or the
incident was cancelled. A reopen (back to IN_PROGRESS) resumes the clock, as
ServiceNow's task SLAs do with their default "resume on reopen" behaviour."""


class Metric(enum.Enum):
    """What a target measures: RESPONSE (out of NEW) or RESOLUTION (to RESOLVED).

    >>> Metric.parse("Resolution")
    <Metric.RESOLUTION: 'resolution'>
    >>> Metric.parse("answer")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'metric' must be one of 'response', 'resolution' (got 'answer')
    """

    RESPONSE = "response"
    RESOLUTION = "resolution"

    @classmethod
    def parse(cls, value: object, field: str = "metric") -> Metric:
        """The metric named by ``value`` (a Metric, or its name in any case)."""
        return parse_member(cls, value, field)


MetricKey = Metric | str
"""A built-in :class:`Metric` or the name of a custom :class:`~itilkit.Clock`."""


def metric_name(metric: MetricKey) -> str:
    """How reports and documents write a metric: ``"response"``, or a clock's name."""
    return metric.value if isinstance(metric, Metric) else metric


def within_text(within: timedelta | BusinessDays | None) -> str | None:
    """A target as documents write it: ``"PT4H"`` or ``"3 business days"``."""
    if within is None:
        return None
    if isinstance(within, BusinessDays):
        return str(within)
    return iso_duration(td_us(within))


def target_text(target: timedelta, within: timedelta | BusinessDays | None) -> str:
    """A target for reading: ``"4h 00m"``, or ``"3 business days (27h 00m)"``."""
    if isinstance(within, BusinessDays):
        return f"{within} ({format_duration(target)})"
    return format_duration(target)


@attrs.frozen
class Pause:
    """One stretch of time a clock stood still: when, why, and how long.

    ``end`` is None while the pause is still going on at ``as_of`` (the
    durations then run to ``as_of``). ``business`` is the part inside the
    service window, ``wall`` the 24x7 length.
    """

    start: pendulum.DateTime
    end: pendulum.DateTime | None
    state: State
    reason: HoldReason | None
    business: timedelta
    wall: timedelta

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "start": iso(self.start),
            "end": None if self.end is None else iso(self.end),
            "state": self.state.name.lower(),
            "reason": None if self.reason is None else self.reason.name.lower(),
            "business": iso_duration(td_us(self.business)),
            "wall": iso_duration(td_us(self.wall)),
        }


@attrs.frozen
class ClockStatus:
    """Where one SLA clock of one incident stands as of an instant.

    Business figures count service-window time only; the ``actual_*``
    figures are 24x7 wall time, as ServiceNow shows both. ``remaining`` is
    ``target - elapsed`` (negative by the overrun once breached) and
    ``percent`` is ``100 * elapsed / target`` as an exact Fraction (None for
    a business-day target that holds no open time: due at the very opening of
    its day, it has no share to use up).

    >>> import itilkit
    >>> w = itilkit.ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin")
    >>> sla = itilkit.SLA("Gold", window=w, targets=[itilkit.Target("response", "PT1H")])
    >>> inc = itilkit.Incident.open(
    ...     "INC1", at="2026-03-06T16:00+01:00", impact="medium", urgency="medium")
    >>> c = sla.clock(inc, "response", as_of="2026-03-09T09:00+01:00")
    >>> c.due, c.breached_at, c.stage
    (DateTime(2026, 3, 6, 17, 0, 0, tzinfo=Timezone('Europe/Berlin')), DateTime(2026, 3, 9, 8, 0, 0, tzinfo=Timezone('Europe/Berlin')), 'breached')
    >>> c.elapsed, c.percent
    (datetime.timedelta(seconds=7200), Fraction(200, 1))
    """

    incident_id: str
    metric: MetricKey
    priority: Priority
    target: timedelta
    elapsed: timedelta
    remaining: timedelta
    due: pendulum.DateTime | None
    percent: Fraction | None
    stage: Stage
    breached: bool
    breached_at: pendulum.DateTime | None
    warnings_crossed: tuple[Fraction, ...]
    actual_elapsed: timedelta
    actual_remaining: timedelta | None
    started_at: pendulum.DateTime
    stopped_at: pendulum.DateTime | None
    as_of: pendulum.DateTime
    pauses: tuple[Pause, ...] = ()
    within: timedelta | BusinessDays | None = None
    """The target as the agreement writes it (``target`` is its business time here:
    for :class:`~itilkit.BusinessDays`, the open time from the start to ``add_days``)."""

    @property
    def paused(self) -> timedelta:
        """Business time the clock stood still (the sum of the pause ledger)."""
        return sum((p.business for p in self.pauses), timedelta(0))

    @property
    def actual_paused(self) -> timedelta:
        """Wall time the clock stood still."""
        return sum((p.wall for p in self.pauses), timedelta(0))

    @property
    def late_by(self) -> timedelta:
        """How far past the target the clock ran (zero unless breached)."""
        return max(-self.remaining, timedelta(0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: durations as ISO 8601, instants with offsets, ratios exact."""
        return {
            "incident": self.incident_id,
            "metric": metric_name(self.metric),
            "priority": self.priority.name,
            "target": iso_duration(td_us(self.target)),
            "within": within_text(self.within),
            "elapsed": iso_duration(td_us(self.elapsed)),
            "remaining": iso_duration(td_us(self.remaining)),
            "due": None if self.due is None else iso(self.due),
            "percent": None if self.percent is None else ratio_text(self.percent),
            "stage": self.stage,
            "breached": self.breached,
            "breached_at": None if self.breached_at is None else iso(self.breached_at),
            "warnings_crossed": [ratio_text(w) for w in self.warnings_crossed],
            "actual_elapsed": iso_duration(td_us(self.actual_elapsed)),
            "actual_remaining": (
                None
                if self.actual_remaining is None
                else iso_duration(td_us(self.actual_remaining))
            ),
            "started_at": iso(self.started_at),
            "stopped_at": None if self.stopped_at is None else iso(self.stopped_at),
            "as_of": iso(self.as_of),
            "pauses": [p.to_dict() for p in self.pauses],
        }

    def _rows(self) -> list[list[str]]:
        def when(value: pendulum.DateTime | None) -> str:
            return "-" if value is None else value.format("YYYY-MM-DD HH:mm")

        return [
            ["target", target_text(self.target, self.within), ""],
            ["elapsed", format_duration(self.elapsed), format_duration(self.actual_elapsed)],
            [
                "remaining",
                format_duration(self.remaining),
                "-" if self.actual_remaining is None else format_duration(self.actual_remaining),
            ],
            ["paused", format_duration(self.paused), format_duration(self.actual_paused)],
            ["used", "-" if self.percent is None else format_percent(self.percent / 100, 1), ""],
            ["due", when(self.due), ""],
            ["breached at", when(self.breached_at), ""],
        ]

    @property
    def title(self) -> str:
        """The heading the text and HTML forms show."""
        return (
            f"{self.incident_id} {metric_name(self.metric)} ({self.priority.name}): {self.stage}"
            f" as of {self.as_of.format('YYYY-MM-DD HH:mm Z')}"
        )

    def __str__(self) -> str:
        return text_table(["", "business", "24x7"], self._rows(), title=self.title)

    def _repr_html_(self) -> str:
        return html_table(["", "business", "24x7"], self._rows(), title=self.title)

    def plot(self, *, ax: Any = None, window: ServiceWindow | None = None) -> Any:
        """A timeline of the clock as a matplotlib figure (the ``plot`` extra).

        From the start to ``as_of`` (or the stop, and on to ``due`` if later):
        the running and paused stretches (the pause ledger), the due instant,
        the breach instant and ``as_of``. Given the SLA's ``window``, it also
        shades the service hours (the only time the clock counts) and marks
        the instant each crossed warning threshold was reached. Draws into
        ``ax`` if given; returns the figure.

        >>> import itilkit
        >>> w = itilkit.ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="UTC")
        >>> sla = itilkit.SLA("Gold", window=w, targets=[itilkit.Target("response", "PT1H")])
        >>> inc = itilkit.Incident.open(
        ...     "INC1", at="2026-03-06T16:00Z", impact="medium", urgency="medium")
        >>> fig = sla.clock(inc, "response", as_of="2026-03-09T09:00Z").plot(window=w)
        >>> sorted(line.get_gid() for line in fig.axes[0].lines)
        ['as_of', 'breached', 'due', 'warning-50%', 'warning-75%']
        """
        from ._plot import plot_clock

        return plot_clock(self, ax=ax, window=window)


# --- the engine (integer microseconds) -----------------------------------------------

Reopen = Literal["resume", "restart"]


class TargetRule:
    """One target compiled: its business time (or working days), window and pause rule.

    ``us`` is the target in microseconds, or None for a :class:`BusinessDays`
    target (``days``), whose business time depends on where the clock
    starts. ``pause`` is the target's own pause condition (its ``pause_on``
    or the agreement's); a custom clock pauses by its own condition instead.
    ``halted`` is the same rule as a tuple of states when it names states
    only (membership in a short tuple is the cheapest test), else None.
    """

    __slots__ = ("days", "halted", "pause", "us", "window", "within")

    def __init__(
        self,
        *,
        us: int | None,
        days: int | None,
        window: ServiceWindow,
        pause: Test,
        halted: tuple[State, ...] | None,
        within: timedelta | BusinessDays,
    ) -> None:
        self.us = us
        self.days = days
        self.window = window
        self.pause = pause
        self.halted = halted
        self.within = within


def _always(s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
    return True


def _never(s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
    return False


def _answered(s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
    return s is not State.NEW


def _restored(s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
    return s is State.RESOLVED or s is State.CLOSED


class ClockRule:
    """When one clock starts, stops, pauses and resets, compiled to plain functions.

    ``pause`` None means the target's pause rule applies (RESOLUTION);
    ``halted`` is the pause rule as a tuple of states where it is one.
    ``reopens`` says whether a stopped clock can come back (on a reopen,
    when the stop no longer holds): only a stop on states can.
    """

    __slots__ = ("fields", "halted", "pause", "reopens", "reset", "start", "stop")

    def __init__(
        self,
        *,
        start: Test,
        stop: Test,
        pause: Test | None,
        reset: Test | None,
        fields: frozenset[str],
        reopens: bool,
        halted: tuple[State, ...] | None = None,
    ) -> None:
        self.start = start
        self.stop = stop
        self.pause = pause
        self.reset = reset
        self.fields = fields
        self.reopens = reopens
        self.halted = halted

    @classmethod
    def of(cls, clock: Clock) -> ClockRule:
        """A custom clock compiled."""
        return cls(
            start=clock.start,
            stop=clock.stop,
            pause=clock.pause,
            reset=None if clock.reset == NEVER else clock.reset,
            fields=clock.fields,
            reopens=clock.stop.state_only,
        )


RESPONSE_CLOCK = ClockRule(
    start=_always,
    stop=_answered,
    pause=_never,
    reset=None,
    fields=frozenset(),
    reopens=False,
    halted=(),
)
"""RESPONSE: from logging to the first move out of NEW; it never pauses or reopens."""

RESOLUTION_CLOCK = ClockRule(
    start=_always, stop=_restored, pause=None, reset=None, fields=frozenset(), reopens=True
)
"""RESOLUTION: from logging to RESOLVED or CLOSED, paused by the target's pause rule;
a reopen resumes or restarts it (the agreement's ``on_reopen``)."""


class Rules:
    """Everything one agreement's clocks need, compiled once: the agreement's rules object.

    ``window`` is the agreement's service window (a target may have its
    own); ``clocks`` maps each metric (a :class:`Metric` or a custom clock's
    name) to its :class:`ClockRule`; ``targets`` maps each metric to its
    :class:`TargetRule` by priority (None: every priority); ``restart``
    whether a change of priority restarts the clock; ``reopen`` what a
    reopen does to a stopped clock; ``warn_at`` the warning fractions.
    """

    __slots__ = ("clocks", "reopen", "restart", "targets", "warn_at", "window")

    def __init__(
        self,
        *,
        window: ServiceWindow,
        clocks: dict[MetricKey, ClockRule],
        targets: dict[MetricKey, dict[Priority | None, TargetRule]],
        restart: bool,
        reopen: Reopen,
        warn_at: Sequence[Fraction],
    ) -> None:
        self.window = window
        self.clocks = clocks
        self.targets = targets
        self.restart = restart
        self.reopen = reopen
        self.warn_at = tuple(warn_at)


Situation = tuple[State, "HoldReason | None", Fields]
Event = tuple[int, State, "HoldReason | None", Fields, frozenset[str]]
Segment = tuple[int, int, State, "HoldReason | None", Fields, bool]
"""``(start, end, state, reason, fields, held)``: ``held`` marks time the clock stood
stopped before a reopen resumed it (counted as paused)."""

_NOTHING: frozenset[str] = frozenset()


class Timeline:
    """An incident's recorded updates as integer events, cut at ``as_of``.

    Steps are taken in recorded order; a step dated before the one it follows
    (possible in a non-strict replay) is moved up to it, so a segment is never
    negative and the total never exceeds the wall time since opening. The
    same holds for the changes of carried fields, which join the first step
    at their instant (one update) or stand as updates of their own.
    """

    __slots__ = ("_events", "as_of", "incident", "moves", "opened", "priorities")

    def __init__(self, incident: Incident, as_of: int, life: Life | None = None) -> None:
        """``life`` is :func:`~itilkit._incident.lifeline` of the incident up to ``as_of``
        when the caller has read it already."""
        opened, moves, priorities = lifeline(incident, as_of) if life is None else life
        if as_of < opened:
            raise InvalidValueError(
                "as_of",
                f"at or after the opening of {incident.id} ({incident.opened_at.isoformat()})",
                from_us(as_of, incident.opened_at.tzinfo or zone("UTC")).isoformat(),
            )
        self.opened = opened
        self.as_of = as_of
        self.moves = moves
        self.priorities = priorities
        self.incident = incident
        self._events: dict[frozenset[str], list[Event]] | None = None

    def priority_at(self, t: int) -> tuple[Priority, int]:
        """The priority in force at ``t`` and the instant the clock restarts for it.

        The restart instant is the last change of priority (not merely of
        impact or urgency) after opening and at or before ``t``; opening if none.
        """
        priorities = self.priorities
        priority = priorities[0][1]
        restart = self.opened
        if len(priorities) == 1:  # never reprioritised: the usual case
            return priority, restart
        for at, value in priorities[1:]:
            if at > t:
                continue
            if value != priority and at > self.opened:
                restart = at
            priority = value
        return priority, restart

    def events(self, fields: frozenset[str]) -> list[Event]:
        """The updates: the opening, then each step, with the carried ``fields`` named.

        Without fields, each update's fields are None. With them, only
        changes of those fields make updates of their own (a clock that
        reads the group is not cut by a change of assignee).
        """
        if self._events is None:
            self._events = {}
        found = self._events.get(fields)
        if found is not None:
            return found
        if not fields:
            out: list[Event] = [(self.opened, State.NEW, None, None, _NOTHING)]
            out += [(t, s, r, None, _NOTHING) for t, s, r in self.moves]
        else:
            out = self._with_fields(fields)
        self._events[fields] = out
        return out

    def _with_fields(self, names: frozenset[str]) -> list[Event]:
        changes = [c for c in carried_changes(self.incident, self.as_of) if c[1] in names]
        out: list[Event] = []
        values: dict[str, str] = {}
        state: State = State.NEW
        reason: HoldReason | None = None
        k, n = 0, len(changes)
        for t, s, r in [(self.opened, State.NEW, None), *self.moves]:
            while k < n and changes[k][0] <= t:
                at = changes[k][0]
                k, values, changed = _apply(changes, k, values)
                if at < t:  # an update of fields alone
                    out.append((at, state, reason, values, changed))
                else:  # the same update as the step
                    out.append((t, s, r, values, changed))
                    break
            else:
                out.append((t, s, r, values, _NOTHING))
            state, reason = s, r
        while k < n:
            at = changes[k][0]
            k, values, changed = _apply(changes, k, values)
            out.append((at, state, reason, values, changed))
        return out


def _apply(
    changes: list[tuple[int, str, str | None]], k: int, values: dict[str, str]
) -> tuple[int, dict[str, str], frozenset[str]]:
    """Apply the changes from ``k`` that share its instant to a copy of ``values``:
    the next index, the new values and the names changed."""
    at = changes[k][0]
    values = dict(values)
    changed = set()
    n = len(changes)
    while k < n and changes[k][0] == at:
        _, name, value = changes[k]
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
        changed.add(name)
        k += 1
    return k, values, frozenset(changed)


class Instance:
    """One run of a clock from its start: its segments and how it ended (None: still on)."""

    __slots__ = ("end", "how", "now", "segments", "start")

    def __init__(self, start: int, as_of: int) -> None:
        self.start = start
        self.end = as_of
        self.how: Literal["stop", "reset", "cancel"] | None = None
        self.segments: list[Segment] = []
        self.now: tuple[State, HoldReason | None, Fields] = (State.NEW, None, None)

    def close(self, t: int, how: Literal["stop", "reset", "cancel"]) -> None:
        self.end = t
        self.how = how


def instances(clock: ClockRule, timeline: Timeline, reopen: Reopen) -> list[Instance]:
    """Walk the updates and cut the clock's runs: start, stop, reset, cancel, reopen.

    At each update, in this order: a running clock is cancelled (the
    incident was cancelled), reset, or stopped; then a clock that is not
    running comes back on a reopen (a stop on states that no longer holds:
    resumed, or restarted from here) or starts when it is waiting and
    ``start`` holds (and stops at once if ``stop`` holds too). A reset
    touches only a running clock: a stopped one stays as it ended.
    """
    if clock is RESPONSE_CLOCK or clock is RESOLUTION_CLOCK:
        return _built_in(clock is RESPONSE_CLOCK, timeline, reopen == "restart")
    events = timeline.events(clock.fields)
    as_of = timeline.as_of
    start, stop, reset, reopens = clock.start, clock.stop, clock.reset, clock.reopens
    restart = reopen == "restart"
    out: list[Instance] = []
    current: Instance | None = None
    stopped: Instance | None = None
    held: list[Segment] = []
    waiting = True
    last = len(events) - 1
    for i, (t, state, reason, fields, changed) in enumerate(events):
        following = as_of if i == last else events[i + 1][0]
        if current is not None:
            if state is State.CANCELED:
                current.close(t, "cancel")
                current, stopped, waiting = None, None, False
            elif reset is not None and reset(state, reason, fields, changed):
                current.close(t, "reset")
                current, waiting = None, True
            elif stop(state, reason, fields, changed):
                current.close(t, "stop")
                current, stopped, held, waiting = None, current, [], False
        if current is None and state is not State.CANCELED:
            if stopped is not None and reopens and not stop(state, reason, fields, changed):
                current = _reopen(stopped, held, t, as_of, restart, out)
                stopped, held = None, []
            elif waiting and start(state, reason, fields, changed):
                waiting = False
                current = Instance(t, as_of)
                out.append(current)
                if stop(state, reason, fields, changed):
                    current.close(t, "stop")
                    current, stopped, held = None, current, []
        if current is not None:
            current.now = (state, reason, fields)
            if following > t:
                current.segments.append((t, following, state, reason, fields, False))
        elif stopped is not None and reopens and following > t:
            held.append((t, following, state, reason, fields, True))
    return out


def _reopen(
    stopped: Instance,
    held: list[Segment],
    t: int,
    as_of: int,
    restart: bool,
    out: list[Instance],
) -> Instance:
    """A stopped run that a reopen at ``t`` brings back: a new run from ``t`` (restart,
    the stopped one keeps its outcome), or the same run going on, the time it stood
    stopped counted as paused (resume)."""
    if restart:
        run = Instance(t, as_of)
        out.append(run)
        return run
    stopped.segments += held
    stopped.how, stopped.end = None, as_of
    return stopped


def _built_in(response: bool, timeline: Timeline, restart: bool) -> list[Instance]:
    """:func:`instances` for RESPONSE and RESOLUTION, their conditions written out.

    The same runs the general walk gives for :data:`RESPONSE_CLOCK` and
    :data:`RESOLUTION_CLOCK` (the test suite checks it on random
    lifecycles), on the recorded steps alone, at a fraction of the cost.
    """
    opened, as_of = timeline.opened, timeline.as_of
    current: Instance | None = Instance(opened, as_of)
    assert current is not None
    out = [current]
    if response:
        for t, state, _ in timeline.moves:
            if state is not State.NEW:
                if t > opened:
                    current.segments.append((opened, t, State.NEW, None, None, False))
                current.close(t, "cancel" if state is State.CANCELED else "stop")
                return out
        if as_of > opened:
            current.segments.append((opened, as_of, State.NEW, None, None, False))
        return out
    stopped: Instance | None = None
    held: list[Segment] = []
    a, state, reason = opened, State.NEW, None
    for t, s, r in timeline.moves:
        if t > a:
            if current is not None:
                current.segments.append((a, t, state, reason, None, False))
            elif stopped is not None:
                held.append((a, t, state, reason, None, True))
        if current is not None:
            if s is State.CANCELED:
                current.close(t, "cancel")
                current = stopped = None
            elif s is State.RESOLVED or s is State.CLOSED:
                current.close(t, "stop")
                current, stopped, held = None, current, []
        elif stopped is not None and s is not State.CANCELED and s not in _RESTORED:
            current = _reopen(stopped, held, t, as_of, restart, out)
            stopped, held = None, []
        a, state, reason = t, s, r
    if current is not None:
        current.now = (state, reason, None)
        if as_of > a:
            current.segments.append((a, as_of, state, reason, None, False))
    return out


_RESTORED = (State.RESOLVED, State.CLOSED)


class Run:
    """The raw outcome of one clock run: integer figures, no pendulum objects."""

    __slots__ = (
        "elapsed",
        "end",
        "paused_now",
        "paused_segments",
        "priority",
        "rule",
        "running",
        "stage",
        "start",
        "stop",
        "target",
    )

    def __init__(
        self,
        priority: Priority,
        rule: TargetRule,
        target: int,
        start: int,
        running: list[tuple[int, int]],
        paused_segments: list[Segment],
        stop: int | None,
        end: int,
        paused_now: bool,
        elapsed: int,
        stage: Stage,
    ) -> None:
        """Positional, in this order: the engine builds one per clock run."""
        self.priority = priority
        self.rule = rule
        self.target = target
        self.start = start
        self.running = running
        self.paused_segments = paused_segments
        self.stop = stop
        self.end = end
        self.paused_now = paused_now
        self.elapsed = elapsed
        self.stage = stage


Plan = tuple[MetricKey, ClockRule, dict["Priority | None", TargetRule]]
"""One metric ready to run: its clock and its targets by priority (looked up once)."""


def plan(rules: Rules, metric: MetricKey) -> Plan:
    """The clock and targets of ``metric``, for running it on many incidents."""
    return metric, rules.clocks[metric], rules.targets.get(metric, {})


def runs(rules: Rules, timeline: Timeline, metric: MetricKey | Plan) -> list[Run | None]:
    """Every run of one clock (several after a restart or a reset), oldest first.

    None stands for a run whose priority has no target. ``metric`` may be a
    :func:`plan` made once for many incidents.
    """
    _, clock, targets = metric if isinstance(metric, tuple) else plan(rules, metric)
    if clock is RESPONSE_CLOCK or clock is RESOLUTION_CLOCK:  # as instances() would
        found = _built_in(clock is RESPONSE_CLOCK, timeline, rules.reopen == "restart")
    else:
        found = instances(clock, timeline, rules.reopen)
    if len(found) == 1:  # the usual case, without a comprehension's frame
        return [_evaluate(rules, clock, targets, timeline, found[0])]
    return [_evaluate(rules, clock, targets, timeline, inst) for inst in found]


def run(rules: Rules, timeline: Timeline, metric: MetricKey) -> Run | None:
    """The clock's latest run; None when it never started or no target applies."""
    found = runs(rules, timeline, metric)
    return found[-1] if found else None


def _evaluate(
    rules: Rules,
    clock: ClockRule,
    targets: dict[Priority | None, TargetRule],
    timeline: Timeline,
    inst: Instance,
) -> Run | None:
    end = inst.end
    priority, restart_at = timeline.priority_at(end)
    rule = targets.get(priority)
    if rule is None:
        rule = targets.get(None)
        if rule is None:
            return None
    start = inst.start
    segs = inst.segments
    if rules.restart and restart_at > start:
        start = restart_at
        segs = [(max(a, start), b, st, r, f, h) for a, b, st, r, f, h in segs if b > start]
    window = rule.window
    bt = window.unchecked_business_time_us
    if rule.us is not None:
        target = rule.us
    else:
        assert rule.days is not None
        target = bt(start, window.add_days_us(start, rule.days))
    pause = rule.pause if clock.pause is None else clock.pause
    halted = rule.halted if clock.pause is None else clock.halted
    running: list[tuple[int, int]] = []
    paused: list[Segment] = []
    for seg in segs:
        a, b, state, reason, fields, held = seg
        if held or (
            state in halted if halted is not None else pause(state, reason, fields, _NOTHING)
        ):
            paused.append(seg)
        elif running and running[-1][1] == a:
            # Running on through another state (NEW, then IN_PROGRESS): one stretch,
            # one window query. Business time adds up exactly over adjacent stretches,
            # so elapsed, due and breached_at are those of the stretches apart.
            running[-1] = (running[-1][0], b)
        else:
            running.append((a, b))
    elapsed = 0
    for a, b in running:
        elapsed += bt(a, b)
    how = inst.how
    stage: Stage
    if how == "cancel":
        stage = "cancelled"
    elif elapsed > target:
        stage = "breached"
    elif how == "reset":
        stage = "reset"
    elif how == "stop":
        stage = "met"
    else:
        state, reason, fields = inst.now
        stage = "paused" if pause(state, reason, fields, _NOTHING) else "running"
    return Run(
        priority,
        rule,
        target,
        start,
        running,
        paused,
        None if how is None else end,
        end,
        stage == "paused",
        elapsed,
        stage,
    )


def due_us(r: Run) -> int | None:
    """The earliest instant at which elapsed equals the target if the clock runs on.

    For a :class:`BusinessDays` target, that instant moved forward into open
    time, where ``add_days`` puts it. None when the window has no open time
    left to reach the target.
    """
    window = r.rule.window
    remaining = r.target - r.elapsed
    if remaining > 0:
        try:
            due = window.add_us(r.end, remaining)
        except NoOpenTimeError:
            return None
    else:
        due = _reached(window, r)
    if r.rule.days is not None and not window.contains_us(due):
        try:
            due = window.next_open_us(due)
        except NoOpenTimeError:
            return None
    return due


def _reached(window: ServiceWindow, r: Run) -> int:
    if r.target == 0:  # a business-day target with no open time before its day
        return r.start
    cum = 0
    bt = window.business_time_us
    for a, b in r.running:
        part = bt(a, b)
        if cum + part >= r.target:
            return window.add_us(a, r.target - cum)
        cum += part
    raise AssertionError(
        "unreachable: elapsed >= target implies a running segment reaches it"
    )  # pragma: no cover


def breached_at_us(r: Run, due: int) -> int:
    """The first instant after ``due`` at which the running clock is in open time."""
    window = r.rule.window
    for a, b in r.running:
        if b <= due:
            continue
        t = max(a, due)
        t = t if window.contains_us(t) else window.next_open_us(t)
        if t < b:
            return t
    raise AssertionError(
        "unreachable: elapsed > target implies open running time after due"
    )  # pragma: no cover


def status(
    rules: Rules, incident_id: str, metric: MetricKey, r: Run, timeline: Timeline
) -> ClockStatus:
    """The public :class:`ClockStatus` of a raw run (pendulum objects made here)."""
    window = r.rule.window
    tz = window.tz
    bt = window.business_time_us
    due = due_us(r)
    breached = r.elapsed > r.target
    breached_at = None
    if breached and due is not None:
        breached_at = from_us(breached_at_us(r, due), tz)
    last = len(r.paused_segments) - 1
    pauses = tuple(
        Pause(
            start=from_us(a, tz),
            end=None if (r.paused_now and i == last and b == r.end) else from_us(b, tz),
            state=state,
            reason=reason,
            business=to_timedelta(bt(a, b)),
            wall=to_timedelta(b - a),
        )
        for i, (a, b, state, reason, _, _) in enumerate(r.paused_segments)
    )
    if r.target:
        warnings = tuple(
            w for w in rules.warn_at if r.elapsed * w.denominator >= w.numerator * r.target
        )
    else:  # a business-day target with no open time before its day: any time is over
        warnings = rules.warn_at if r.elapsed else ()
    return ClockStatus(
        incident_id=incident_id,
        metric=metric,
        priority=r.priority,
        target=to_timedelta(r.target),
        elapsed=to_timedelta(r.elapsed),
        remaining=to_timedelta(r.target - r.elapsed),
        due=None if due is None else from_us(due, tz),
        percent=Fraction(100 * r.elapsed, r.target) if r.target else None,
        stage=r.stage,
        breached=breached,
        breached_at=breached_at,
        warnings_crossed=warnings,
        actual_elapsed=to_timedelta(sum(b - a for a, b in r.running)),
        actual_remaining=None if due is None else to_timedelta(due - r.end),
        started_at=from_us(r.start, tz),
        stopped_at=None if r.stop is None else from_us(r.stop, tz),
        as_of=from_us(timeline.as_of, tz),
        pauses=pauses,
        within=r.rule.within,
    )
