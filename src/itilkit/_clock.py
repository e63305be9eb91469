"""SLA clocks: how long an incident has run against a target, and when it is due.

ITIL calls the time an incident takes to be answered its *response* and the
time to restore service its *resolution*; ticket systems (ServiceNow's "task
SLA") run one clock per target. A clock counts only business time (time
inside the agreement's service window) while it runs:

- RESPONSE runs from ``opened_at`` to the first transition out of NEW.
- RESOLUTION runs from ``opened_at`` until RESOLVED (or CLOSED), is paused
  while the state is in the agreement's ``pause_on`` states (ON_HOLD by
  default), does not run while the incident sits RESOLVED, and a reopen
  resumes it.

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

from ._errors import InvalidValueError, NoOpenTimeError
from ._incident import HoldReason, State
from ._priority import Priority
from ._ratio import format_percent, ratio_text
from ._report import format_duration, html_table, iso, iso_duration, text_table
from ._time import from_us, td_us, to_timedelta, zone
from ._vocabulary import parse_member

if TYPE_CHECKING:
    from ._incident import Incident
    from ._window import ServiceWindow

__all__ = ["END_STATES", "ClockStatus", "Metric", "Pause", "Rules", "Stage", "Timeline", "run"]

Stage = Literal["running", "paused", "met", "breached", "cancelled"]

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
    ``percent`` is ``100 * elapsed / target`` as an exact Fraction.

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
    metric: Metric
    priority: Priority
    target: timedelta
    elapsed: timedelta
    remaining: timedelta
    due: pendulum.DateTime | None
    percent: Fraction
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
            "metric": self.metric.value,
            "priority": self.priority.name,
            "target": iso_duration(td_us(self.target)),
            "elapsed": iso_duration(td_us(self.elapsed)),
            "remaining": iso_duration(td_us(self.remaining)),
            "due": None if self.due is None else iso(self.due),
            "percent": ratio_text(self.percent),
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
            ["target", format_duration(self.target), ""],
            ["elapsed", format_duration(self.elapsed), format_duration(self.actual_elapsed)],
            [
                "remaining",
                format_duration(self.remaining),
                "-" if self.actual_remaining is None else format_duration(self.actual_remaining),
            ],
            ["paused", format_duration(self.paused), format_duration(self.actual_paused)],
            ["used", format_percent(self.percent / 100, 1), ""],
            ["due", when(self.due), ""],
            ["breached at", when(self.breached_at), ""],
        ]

    @property
    def title(self) -> str:
        """The heading the text and HTML forms show."""
        return (
            f"{self.incident_id} {self.metric.value} ({self.priority.name}): {self.stage}"
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


class Rules:
    """Everything one agreement's clocks need, compiled once: the agreement's rules object.

    ``window`` is the service window; ``halted`` the states in which a
    RESOLUTION clock does not run (the pause states and :data:`END_STATES`,
    a tuple: membership by identity is cheaper than hashing enums);
    ``targets`` maps each metric to its targets by priority (None: every
    priority) in microseconds; ``restart`` whether a change of priority
    restarts the clock; ``warn_at`` the warning fractions.
    """

    __slots__ = ("halted", "restart", "targets", "warn_at", "window")

    def __init__(
        self,
        *,
        window: ServiceWindow,
        pause_on: frozenset[State],
        targets: dict[Metric, dict[Priority | None, int]],
        restart: bool,
        warn_at: Sequence[Fraction],
    ) -> None:
        self.window = window
        self.halted = tuple(pause_on | END_STATES)
        self.targets = targets
        self.restart = restart
        self.warn_at = tuple(warn_at)


Segment = tuple[int, int, State, "HoldReason | None"]


class Timeline:
    """An incident's recorded states as integer segments, cut at ``as_of``.

    Steps are taken in recorded order; a step dated before the one it follows
    (possible in a non-strict replay) is moved up to it, so a segment is never
    negative and the total never exceeds the wall time since opening.
    """

    __slots__ = ("as_of", "moves", "opened", "priorities")

    def __init__(self, incident: Incident, as_of: int) -> None:
        opened = incident.opened_at_us
        if as_of < opened:
            raise InvalidValueError(
                "as_of",
                f"at or after the opening of {incident.id} ({incident.opened_at.isoformat()})",
                from_us(as_of, incident.opened_at.tzinfo or zone("UTC")).isoformat(),
            )
        self.opened = opened
        self.as_of = as_of
        cursor = opened
        moves: list[tuple[int, State, HoldReason | None]] = []
        for step in incident.history:
            t = step.at_us
            if t < cursor:
                t = cursor
            if t > as_of:
                break
            moves.append((t, step.to_state, step.reason))
            cursor = t
        self.moves = moves
        self.priorities = [(c.at_us, c.priority) for c in incident.priority_history]

    def priority_at(self, t: int) -> tuple[Priority, int]:
        """The priority in force at ``t`` and the instant the clock restarts for it.

        The restart instant is the last change of priority (not merely of
        impact or urgency) after opening and at or before ``t``; opening if none.
        """
        priority = self.priorities[0][1]
        restart = self.opened
        for at, value in self.priorities[1:]:
            if at > t:
                continue
            if value != priority and at > self.opened:
                restart = at
            priority = value
        return priority, restart


class Run:
    """The raw outcome of one clock: integer figures, no pendulum objects."""

    __slots__ = (
        "elapsed",
        "end",
        "paused_now",
        "paused_segments",
        "priority",
        "running",
        "stage",
        "start",
        "stop",
        "target",
    )

    def __init__(
        self,
        *,
        priority: Priority,
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
        self.priority = priority
        self.target = target
        self.start = start
        self.running = running
        self.paused_segments = paused_segments
        self.stop = stop
        self.end = end
        self.paused_now = paused_now
        self.elapsed = elapsed
        self.stage = stage


def segments(timeline: Timeline, metric: Metric) -> tuple[list[Segment], int | None, bool]:
    """The clock's segments, its stop instant (None if still going) and whether it was cancelled.

    Each segment is ``(start, end, state, reason)``; a RESPONSE clock has a
    single NEW segment. A RESOLUTION clock ends at the start of the trailing
    run of RESOLVED/CLOSED/CANCELED states; a CANCELED first in that run
    means the incident was cancelled while its clock still ran.
    """
    opened, as_of = timeline.opened, timeline.as_of
    if metric is Metric.RESPONSE:
        for t, state, _ in timeline.moves:
            if state is not State.NEW:
                return [(opened, t, State.NEW, None)], t, state is State.CANCELED
        return [(opened, as_of, State.NEW, None)], None, False
    out: list[Segment] = []
    start, state, reason = opened, State.NEW, None
    for t, next_state, next_reason in timeline.moves:
        out.append((start, t, state, reason))
        start, state, reason = t, next_state, next_reason
    out.append((start, as_of, state, reason))
    first_end = len(out)
    while first_end > 0 and out[first_end - 1][2] in END_STATES:
        first_end -= 1
    if first_end == len(out):
        return out, None, False
    stop = out[first_end][0]
    return out[:first_end], stop, out[first_end][2] is State.CANCELED


def run(rules: Rules, timeline: Timeline, metric: Metric) -> Run | None:
    """Evaluate one clock on integers; None when no target applies to the priority."""
    halted = rules.halted
    targets = rules.targets[metric]
    segs, stop, cancelled = segments(timeline, metric)
    end = timeline.as_of if stop is None else stop
    final = segs[-1][2]
    paused_now = stop is None and metric is Metric.RESOLUTION and final in halted
    priority, restart_at = timeline.priority_at(end)
    target = targets.get(priority)
    if target is None:
        target = targets.get(None)
        if target is None:
            return None
    start = timeline.opened
    if rules.restart and restart_at > start:
        start = restart_at
        segs = [(max(a, start), b, s, r) for a, b, s, r in segs if b > start]
    running: list[tuple[int, int]] = []
    paused: list[Segment] = []
    response = metric is Metric.RESPONSE
    elapsed = 0
    bt = rules.window.business_time_us
    for seg in segs:
        a, b, state, _ = seg
        if b <= a:
            continue
        if response or state not in halted:
            running.append((a, b))
            elapsed += bt(a, b)
        else:
            paused.append(seg)
    stage: Stage
    if cancelled:
        stage = "cancelled"
    elif elapsed > target:
        stage = "breached"
    elif stop is not None:
        stage = "met"
    elif paused_now:
        stage = "paused"
    else:
        stage = "running"
    return Run(
        priority=priority,
        target=target,
        start=start,
        running=running,
        paused_segments=paused,
        stop=stop,
        end=end,
        paused_now=paused_now,
        elapsed=elapsed,
        stage=stage,
    )


def due_us(window: ServiceWindow, r: Run) -> int | None:
    """The earliest instant at which elapsed equals the target if the clock runs on.

    None when the window has no open time left to reach the target.
    """
    remaining = r.target - r.elapsed
    if remaining > 0:
        try:
            return window.add_us(r.end, remaining)
        except NoOpenTimeError:
            return None
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


def breached_at_us(window: ServiceWindow, r: Run, due: int) -> int:
    """The first instant after ``due`` at which the running clock is in open time."""
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
    rules: Rules, incident_id: str, metric: Metric, r: Run, timeline: Timeline
) -> ClockStatus:
    """The public :class:`ClockStatus` of a raw run (pendulum objects made here)."""
    window = rules.window
    tz = window.tz
    bt = window.business_time_us
    due = due_us(window, r)
    breached = r.elapsed > r.target
    breached_at = None
    if breached and due is not None:
        breached_at = from_us(breached_at_us(window, r, due), tz)
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
        for i, (a, b, state, reason) in enumerate(r.paused_segments)
    )
    warnings = tuple(
        w for w in rules.warn_at if r.elapsed * w.denominator >= w.numerator * r.target
    )
    return ClockStatus(
        incident_id=incident_id,
        metric=metric,
        priority=r.priority,
        target=to_timedelta(r.target),
        elapsed=to_timedelta(r.elapsed),
        remaining=to_timedelta(r.target - r.elapsed),
        due=None if due is None else from_us(due, tz),
        percent=Fraction(100 * r.elapsed, r.target),
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
    )
