"""The change schedule: when a change may run.

ITIL 4's change enablement practice keeps a *change schedule* "used to plan
changes, assist in communication, avoid conflicts and assign resources". A
:class:`ChangeCalendar` holds the rules that schedule must respect:

* **freeze** (blackout) windows, when no change may run: the year-end
  trading peak, an audit, or an error budget that is spent;
* **maintenance** windows, the agreed periods in which changes may run (a
  change must lie wholly inside one);
* a **lead time**: how much business time of a ``business_window`` must pass
  between a request and its planned start (per change type if wished).

:meth:`ChangeCalendar.conflicts` names every rule a planned change breaks,
and the other changes that touch one of its configuration items while it
runs; :meth:`ChangeCalendar.next_slot` finds the earliest period that breaks
none. Periods are half-open, ``[start, end)``: a change ending at 02:00 does
not overlap one starting at 02:00. All arithmetic is on integer
microseconds through the windows' integer API, so DST and holidays are
handled by the windows themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

import attrs

from ._change import ChangeRequest, ChangeState, ChangeType, parse_items
from ._errors import InvalidValueError, NoOpenTimeError
from ._intervals import merge, subtract
from ._report import format_duration, html_table
from ._time import DurationLike, InstantLike, from_us, to_duration_us, to_timedelta, to_us, zone_of
from ._window import ServiceWindow, Span

__all__ = [
    "DEFAULT_HORIZON",
    "BudgetLike",
    "ChangeCalendar",
    "Conflict",
    "ConflictKind",
    "ModelLike",
]

DEFAULT_HORIZON = timedelta(days=366)
"""How far after ``after`` :meth:`ChangeCalendar.next_slot` looks for a start."""


class BudgetLike(Protocol):
    """What :meth:`ChangeCalendar.with_budget_freeze` needs of an error budget.

    :class:`itilkit.ErrorBudget` is one; any object with these members will do.
    """

    @property
    def start(self) -> datetime: ...  # pragma: no cover - a protocol

    @property
    def end(self) -> datetime: ...  # pragma: no cover - a protocol

    def remaining(self, outages: Any, /) -> timedelta: ...  # pragma: no cover - a protocol


class ModelLike(Protocol):
    """What ``ChangeCalendar(model=...)`` needs of a service model.

    :class:`itilkit.ServiceModel` is one; any object with these members will do.
    """

    def __contains__(self, name: object, /) -> bool: ...  # pragma: no cover - a protocol

    def impacted_by(self, name: str, /) -> frozenset[str]: ...  # pragma: no cover - a protocol


class ConflictKind(enum.Enum):
    """Why a planned change conflicts with the change schedule."""

    FREEZE = "freeze"
    """The planned period overlaps a freeze (blackout) window."""
    OUTSIDE_MAINTENANCE = "outside_maintenance"
    """The planned period is not wholly inside the maintenance window."""
    OVERLAP = "overlap"
    """Another change touches a shared configuration item at the same time."""
    LEAD_TIME = "lead_time"
    """Too little business time between the request and the planned start."""
    RELATED = "related"
    """Another change touches, at the same time, a CI that a service needing one of this
    change's CIs also needs (the calendar's ``model`` says which services need what)."""


@attrs.frozen
class Conflict:
    """One way a planned change breaks the schedule, as data; ``message`` says it in words.

    ``change`` is the change checked; ``spans`` the offending periods (the
    part inside a freeze, the parts outside maintenance, the overlap with
    ``other``); ``items`` the shared configuration items of an OVERLAP,
    or the items of both changes that the common ``services`` of a
    RELATED conflict need; ``other`` the other change. A LEAD_TIME conflict carries the lead time
    ``required`` and the business time ``given`` between request and start
    (None when the change starts before it was requested).
    """

    kind: ConflictKind
    change: ChangeRequest = attrs.field(repr=False)
    other: ChangeRequest | None = None
    spans: tuple[Span, ...] = ()
    items: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    required: timedelta | None = None
    given: timedelta | None = None

    @property
    def message(self) -> str:
        """The conflict in one sentence (rendered from the data above)."""
        return render_conflict(self)

    def __str__(self) -> str:
        return f"{self.kind.name}: {self.message}"


def render_conflict(conflict: Conflict) -> str:
    """The one place a conflict's sentence is written."""
    cr, kind = conflict.change, conflict.kind
    periods = ", ".join(f"{s.start.isoformat()} to {s.end.isoformat()}" for s in conflict.spans)
    total = sum((s.duration for s in conflict.spans), timedelta(0))
    if kind is ConflictKind.FREEZE:
        return f"{cr.id} overlaps the freeze for {format_duration(total)}: {periods}"
    if kind is ConflictKind.OUTSIDE_MAINTENANCE:
        return f"{cr.id} runs {format_duration(total)} outside the maintenance window: {periods}"
    if kind is ConflictKind.OVERLAP:
        other = conflict.other.id if conflict.other is not None else "another change"
        return f"{cr.id} and {other} both touch {', '.join(sorted(conflict.items))} from {periods}"
    if kind is ConflictKind.RELATED:
        other = conflict.other.id if conflict.other is not None else "another change"
        verb = "needs" if len(conflict.services) == 1 else "need"
        return (
            f"{cr.id} and {other} touch {', '.join(sorted(conflict.items))}, which "
            f"{', '.join(sorted(conflict.services))} {verb}, from {periods}"
        )
    required = format_duration(conflict.required or timedelta(0))
    if conflict.given is None:
        return (
            f"{cr.id} is planned to start before it was requested "
            f"({cr.start.isoformat()} < {cr.requested_at.isoformat()}); "
            f"a lead time of {required} is required"
        )
    return (
        f"{cr.id} leaves {format_duration(conflict.given)} of lead time between "
        f"its request and its start; {required} is required"
    )


def _window(value: object, field: str) -> ServiceWindow | None:
    if value is None or isinstance(value, ServiceWindow):
        return value
    raise InvalidValueError(field, "a ServiceWindow or None", value)


def _freeze_window(value: object) -> ServiceWindow | None:
    return _window(value, "freeze")


def _maintenance_window(value: object) -> ServiceWindow | None:
    return _window(value, "maintenance")


def _business_window_window(value: object) -> ServiceWindow | None:
    return _window(value, "business_window")


def _model(value: object) -> ModelLike | None:
    if value is None or (
        callable(getattr(value, "impacted_by", None))
        and callable(getattr(value, "__contains__", None))
    ):
        return value  # type: ignore[return-value]
    raise InvalidValueError("model", "a ServiceModel or None", value)


def _lead_times(value: object) -> tuple[tuple[ChangeType, timedelta], ...]:
    if value is None:
        return ()
    if isinstance(value, tuple) and all(
        isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], ChangeType) for p in value
    ):
        value = dict(value)  # the canonical form, as attrs.evolve passes it back
    if isinstance(value, Mapping):
        pairs = [(ChangeType.parse(k, "lead_time"), v) for k, v in value.items()]
    else:
        pairs = [(kind, value) for kind in ChangeType]
    out: dict[ChangeType, timedelta] = {}
    for kind, raw in pairs:
        us = to_duration_us(raw, "lead_time")
        if us < 0:
            raise InvalidValueError("lead_time", "a duration of zero or more", raw)
        if kind in out:
            raise InvalidValueError("lead_time", "one lead time per change type", kind.name)
        out[kind] = timedelta(microseconds=us)
    return tuple(sorted(out.items(), key=lambda pair: list(ChangeType).index(pair[0])))


def _elapsed(us: int) -> str:
    """A span of calendar time (a search horizon): whole days as days, else hours and minutes."""
    days, rest = divmod(us, 86_400_000_000)
    if days and not rest:
        return f"{days} day{'s' if days != 1 else ''}"
    return format_duration(us)


def _spans(pairs: Iterable[tuple[int, int]], tz: tzinfo) -> tuple[Span, ...]:
    return tuple(Span(from_us(a, tz), from_us(b, tz)) for a, b in pairs)


@attrs.frozen
class ChangeCalendar:
    """Freeze windows, maintenance windows and a lead time that planned changes must respect.

    ``lead_time`` is a duration for every change type, or a mapping from
    :class:`~itilkit.ChangeType` to a duration (types left out have none).
    It is measured in open time of ``business_window`` (default: elapsed
    time, :meth:`ServiceWindow.always <itilkit.ServiceWindow.always>`).
    With a service ``model`` (:class:`~itilkit.ServiceModel`), changes
    whose CIs are needed by a common service conflict as RELATED when they
    run at the same time, even without a shared item.

    >>> freeze = ServiceWindow.from_spans(
    ...     [("2026-12-21T00:00+01:00", "2027-01-04T00:00+01:00")], tz="Europe/Berlin")
    >>> calendar = ChangeCalendar(freeze=freeze, lead_time="P2D")
    >>> cr = ChangeRequest.new("CHG1", type="normal", requested_at="2026-12-18T09:00+01:00",
    ...                        start="2026-12-20T22:00+01:00", end="2026-12-21T02:00+01:00")
    >>> [conflict.kind.name for conflict in calendar.conflicts(cr)]
    ['FREEZE']
    >>> print(calendar.conflicts(cr)[0].message)
    CHG1 overlaps the freeze for 2h 00m:
    2026-12-21T00:00:00+01:00 to 2026-12-21T02:00:00+01:00
    """

    freeze: ServiceWindow | None = attrs.field(
        default=None, kw_only=True, converter=_freeze_window
    )
    maintenance: ServiceWindow | None = attrs.field(
        default=None, kw_only=True, converter=_maintenance_window
    )
    lead_time: tuple[tuple[ChangeType, timedelta], ...] = attrs.field(
        default=None, kw_only=True, converter=_lead_times
    )
    business_window: ServiceWindow | None = attrs.field(
        default=None, kw_only=True, converter=_business_window_window
    )
    model: ModelLike | None = attrs.field(default=None, kw_only=True, converter=_model)

    def lead_time_for(self, type: ChangeType | str) -> timedelta | None:
        """The lead time a change of this type needs (``None``: no lead time)."""
        kind = ChangeType.parse(type)
        for key, value in self.lead_time:
            if key is kind:
                return value
        return None

    def _services(self, items: frozenset[str]) -> dict[str, frozenset[str]]:
        """Each item the model knows, with the services that need it (none without a model)."""
        model = self.model
        if model is None:
            return {}
        return {item: model.impacted_by(item) for item in items if item in model}

    def _related(
        self, mine: dict[str, frozenset[str]], theirs: dict[str, frozenset[str]]
    ) -> tuple[frozenset[str], frozenset[str]]:
        """The services both changes' items are needed by, and the items those services need."""
        empty: frozenset[str] = frozenset()
        common = empty.union(*mine.values()) & empty.union(*theirs.values())
        items = frozenset(
            item for side in (mine, theirs) for item, services in side.items() if services & common
        )
        return common, items

    def _lead_us(self, kind: ChangeType) -> int | None:
        lead = self.lead_time_for(kind)
        return None if lead is None else to_duration_us(lead)

    @property
    def _business(self) -> ServiceWindow:
        return self.business_window if self.business_window is not None else _ALWAYS

    # ------------------------------------------------------------------ conflicts

    def conflicts(
        self, cr: ChangeRequest, others: Iterable[ChangeRequest] = ()
    ) -> tuple[Conflict, ...]:
        """Every conflict of ``cr``'s plan: FREEZE, OUTSIDE_MAINTENANCE, OVERLAP, RELATED,
        LEAD_TIME.

        Other changes with the same id as ``cr``, or CANCELED, are ignored. A
        pair of changes that share an item is an OVERLAP; one that shares none
        but runs at the same time on CIs a common service needs (by the
        calendar's ``model``) is RELATED.

        >>> calendar = ChangeCalendar()
        >>> a = ChangeRequest.new("CHG1", type="standard", requested_at="2026-03-02T09:00Z",
        ...                       start="2026-03-03T01:00Z", end="2026-03-03T03:00Z", items=["db"])
        >>> b = ChangeRequest.new("CHG2", type="standard", requested_at="2026-03-02T09:00Z",
        ...                       start="2026-03-03T02:00Z", end="2026-03-03T04:00Z", items=["db"])
        >>> print(*calendar.conflicts(a, [b]))
        OVERLAP: CHG1 and CHG2 both touch db
        from 2026-03-03T02:00:00+00:00 to 2026-03-03T03:00:00+00:00
        """
        if not isinstance(cr, ChangeRequest):
            raise InvalidValueError("cr", "a ChangeRequest", cr)
        others = _changes(others, "others")
        tz = cr.start.tzinfo
        assert tz is not None
        start, end = cr.start_us, cr.end_us
        found: list[Conflict] = []
        if self.freeze is not None:
            frozen = self.freeze.spans_us(start, end)
            if frozen:
                found.append(Conflict(ConflictKind.FREEZE, cr, spans=_spans(frozen, tz)))
        if self.maintenance is not None:
            outside = subtract([(start, end)], self.maintenance.spans_us(start, end))
            if outside:
                found.append(
                    Conflict(ConflictKind.OUTSIDE_MAINTENANCE, cr, spans=_spans(outside, tz))
                )
        mine = self._services(cr.items)
        for other in others:
            if other.id == cr.id or other.state is ChangeState.CANCELED:
                continue
            shared = cr.items & other.items
            lo, hi = max(start, other.start_us), min(end, other.end_us)
            if shared and lo < hi:
                found.append(
                    Conflict(
                        ConflictKind.OVERLAP,
                        cr,
                        other=other,
                        spans=_spans([(lo, hi)], tz),
                        items=shared,
                    )
                )
            elif mine and lo < hi:
                services, related = self._related(mine, self._services(other.items))
                if services:
                    found.append(
                        Conflict(
                            ConflictKind.RELATED,
                            cr,
                            other=other,
                            spans=_spans([(lo, hi)], tz),
                            items=related,
                            services=services,
                        )
                    )
        lead = self._lead_us(cr.type)
        if lead is not None:
            requested = cr.requested_at_us
            if start < requested:
                found.append(Conflict(ConflictKind.LEAD_TIME, cr, required=to_timedelta(lead)))
            else:
                given = self._business.business_time_us(requested, start)
                if given < lead:
                    found.append(
                        Conflict(
                            ConflictKind.LEAD_TIME,
                            cr,
                            required=to_timedelta(lead),
                            given=to_timedelta(given),
                        )
                    )
        return tuple(found)

    # ------------------------------------------------------------------ next slot

    def next_slot(
        self,
        duration: DurationLike,
        *,
        after: InstantLike,
        items: Iterable[str] | str = (),
        others: Iterable[ChangeRequest] = (),
        type: ChangeType | str = ChangeType.NORMAL,
        requested_at: InstantLike | None = None,
        horizon: DurationLike = DEFAULT_HORIZON,
    ) -> Span:
        """The earliest period of ``duration``, starting at or after ``after``, with no conflict.

        A change of ``type`` on ``items``, requested at ``requested_at``
        (default: ``after``), planned for the returned span, has no conflict
        with this calendar and ``others``; no earlier start has. The search
        is bounded: :class:`~itilkit.NoOpenTimeError` when no slot starts
        within ``horizon`` (default 366 days) of ``after``.

        >>> sundays = ServiceWindow.recurring("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration="PT4H",
        ...                                   tz="Europe/Berlin")
        >>> calendar = ChangeCalendar(maintenance=sundays, lead_time="P2D")
        >>> slot = calendar.next_slot("PT3H", after="2026-03-06T12:00+01:00")
        >>> str(slot.start), str(slot.end)
        ('2026-03-15 02:00:00+01:00', '2026-03-15 05:00:00+01:00')
        """
        length = to_duration_us(duration, "duration")
        if length <= 0:
            raise InvalidValueError("duration", "positive", duration)
        reach = to_duration_us(horizon, "horizon")
        if reach < 0:
            raise InvalidValueError("horizon", "a duration of zero or more", horizon)
        first = to_us(after, "after")
        tz = zone_of(after, "after")
        wanted = parse_items(items)
        others = _changes(others, "others")
        kind = ChangeType.parse(type)
        requested = first if requested_at is None else to_us(requested_at, "requested_at")
        lower = first
        lead = self._lead_us(kind)
        if lead is not None:
            lower = max(lower, self._business.add_us(requested, lead))
        limit = first + reach + length  # a slot must end by here (start by first + reach)
        mine = self._services(wanted)
        blockers = merge(
            (o.start_us, o.end_us)
            for o in others
            if o.state is not ChangeState.CANCELED
            and (o.items & wanted or (mine and self._related(mine, self._services(o.items))[0]))
        )
        step = max(8 * length, 8 * 86_400_000_000)
        hi = lower
        while lower + length <= limit:
            hi = min(hi + step, limit)
            step *= 2
            for a, b in self._free(lower, hi, blockers):
                if b - a >= length:
                    return Span(from_us(a, tz), from_us(a + length, tz))
            if hi >= limit:
                break
        raise NoOpenTimeError(
            f"no period of {format_duration(length)} without conflicts starts within "
            f"{_elapsed(reach)} after {from_us(first, tz).isoformat()}"
        )

    def _free(self, lo: int, hi: int, blockers: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The maximal conflict-free periods inside ``[lo, hi)`` (sorted, merged)."""
        base = self.maintenance.spans_us(lo, hi) if self.maintenance else [(lo, hi)]
        cut = list(self.freeze.spans_us(lo, hi)) if self.freeze else []
        cut += [(max(a, lo), min(b, hi)) for a, b in blockers if a < hi and b > lo]
        return subtract(base, merge(cut))

    # ------------------------------------------------------------------ error budget

    def with_budget_freeze(
        self, budget: BudgetLike, outages: Any, *, as_of: InstantLike
    ) -> ChangeCalendar:
        """This calendar, frozen from ``as_of`` to the budget's end if the error budget is spent.

        When ``budget.remaining(outages)`` is zero or less, a freeze from
        ``as_of`` (or the budget's start, if later) to ``budget.end`` is added;
        otherwise the calendar is returned unchanged.

        >>> class Spent:  # any object shaped like an ErrorBudget
        ...     start, end = "2026-03-01T00:00Z", "2026-04-01T00:00Z"
        ...     def remaining(self, outages):
        ...         return timedelta(minutes=-5)
        >>> calendar = ChangeCalendar().with_budget_freeze(Spent(), [], as_of="2026-03-20T00:00Z")
        >>> "2026-03-25T12:00Z" in calendar.freeze
        True
        """
        now = to_us(as_of, "as_of")
        if not callable(getattr(budget, "remaining", None)):
            raise InvalidValueError(
                "budget", "an ErrorBudget (start, end and remaining(outages))", budget
            )
        remaining = to_duration_us(budget.remaining(outages), "budget.remaining")
        if remaining > 0:
            return self
        begin = max(now, to_us(getattr(budget, "start", None), "budget.start"))
        finish = to_us(getattr(budget, "end", None), "budget.end")
        if finish <= begin:
            return self
        base = self.freeze or self.maintenance or self.business_window
        tz = base.tz if base is not None else _UTC_ZONE
        extra = ServiceWindow.from_spans([(from_us(begin, tz), from_us(finish, tz))], tz=tz)
        return attrs.evolve(self, freeze=extra if self.freeze is None else self.freeze | extra)

    def to_ics(
        self,
        changes: Iterable[ChangeRequest] = (),
        *,
        start: InstantLike,
        end: InstantLike,
        name: str | None = "Change schedule",
        stamp: InstantLike | None = None,
    ) -> str:
        """iCalendar text of freezes, maintenance windows and ``changes`` in ``[start, end)``.

        Events carry CATEGORIES FREEZE, MAINTENANCE or CHANGE; see the calendars guide.
        """
        from ._ics import calendar_to_ics

        return calendar_to_ics(self, changes, start=start, end=end, name=name, stamp=stamp)

    # ------------------------------------------------------------------ display

    def _repr_html_(self) -> str:
        """The calendar's rules for Jupyter: freezes, maintenance, lead times, business window.

        A calendar holds rules, not changes; the caption says how to ask for
        the conflicts of a planned change.

        >>> calendar = ChangeCalendar(lead_time={"normal": "P2D"})
        >>> "48h 00m" in calendar._repr_html_()
        True
        """
        rows = [
            ["freeze", "none" if self.freeze is None else repr(self.freeze)],
            [
                "maintenance",
                "none: changes may run at any time"
                if self.maintenance is None
                else repr(self.maintenance),
            ],
        ]
        for kind in ChangeType:
            lead = self.lead_time_for(kind)
            rows.append(
                [f"lead time, {kind.name}", "none" if lead is None else format_duration(lead)]
            )
        rows.append(
            [
                "lead time counted in",
                "elapsed time (24x7)"
                if self.business_window is None
                else repr(self.business_window),
            ]
        )
        caption = (
            "Conflicts of a planned change: calendar.conflicts(change, others); "
            "the earliest free period: calendar.next_slot(duration, after=...)."
        )
        return html_table(["rule", "value"], rows, title="Change calendar", caption=caption)


_ALWAYS = ServiceWindow.always()
_UTC_ZONE = _ALWAYS.tz


def _changes(value: object, field: str) -> tuple[ChangeRequest, ...]:
    """The other changes of a query, each checked to be a ChangeRequest."""
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidValueError(field, "an iterable of ChangeRequests", value)
    out = tuple(value)
    for i, item in enumerate(out):
        if not isinstance(item, ChangeRequest):
            raise InvalidValueError(f"{field}[{i}]", "a ChangeRequest", item)
    return out
