"""Service desk measures: first-contact resolution, reassignments and ping-pong, reopens,
backlog and aging, computed exactly from what each incident recorded.

ITIL's service desk practice watches a handful of figures; each is defined
here once, on the recorded history of the incidents, *as of* an instant
(nothing after ``as_of`` is looked at). Steps are taken in recorded order; a
step dated before the one it follows (kept by a non-strict replay) is moved up
to it, as the SLA clocks do, so "the state at t" is always defined.

Population
    The incidents opened at or before ``as_of``. Those opened later are
    counted (``not_yet_open``) and left out. An incident that stands CANCELED
    at ``as_of`` is listed (``cancelled``) and left out of every rate and
    distribution: it was no incident to resolve. The others are *measured*.
Resolved
    A measured incident that stands RESOLVED or CLOSED at ``as_of``. One that
    was resolved, reopened and is being worked again is not resolved (it is in
    the backlog).
Reassignment
    A change of the carried field ``group`` (the assignment group) from one
    group to a *different* group. The first assignment (from no group) is no
    reassignment, a change of assignee inside a group is none, and clearing
    the group is none: ``A -> (none) -> A`` counts nothing, ``A -> (none) -> B``
    counts one. This is what ServiceNow's ``reassignment_count`` counts, which
    :meth:`DeskReport.reassignment_check` compares incident by incident.
Ping-pong
    A reassignment back to a group that held the incident before (it returns
    to a group it left): ``A -> B -> A`` is one return. An incident with at
    least one return is a ping-pong incident.
Reopen
    A move from RESOLVED back to work (IN_PROGRESS; or NEW or ON_HOLD, or out
    of CLOSED, as only a recorded anomaly does).
First-contact resolution (FCR)
    ``resolved with no reassignment and no reopen / resolved``: the incident
    was fixed by the group it was first assigned to, and the fix held. (The
    strict ITIL sense, fixed during the first call, is not in an audit log;
    this is the figure ticket data supports, often called first-level or
    first-touch resolution.)
Reopen rate
    ``resolved that were ever reopened / resolved``.
Backlog at t
    The incidents opened at or before ``t`` that stand NEW, IN_PROGRESS or
    ON_HOLD at ``t`` (a step exactly at ``t`` has happened: half-open).
Aging at t
    The age of each backlog incident at ``t``, from its opening: business
    time inside the report's ``window`` when one is given, else elapsed wall
    time; grouped by the value a carried field (the assignment group by
    default), the priority or the state holds at ``t``.

Every rate is a :class:`~fractions.Fraction` (None when its denominator is
zero, never 0 or 1); every duration is a whole number of microseconds.

>>> from itilkit import Incident
>>> a = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
>>> a = a.set_fields(at="2026-03-02T09:00Z", group="Service desk").resolve(at="2026-03-02T09:20Z")
>>> b = Incident.open("INC2", at="2026-03-02T09:05Z", priority="P3")
>>> b = b.set_fields(at="2026-03-02T09:05Z", group="Service desk")
>>> b = b.set_fields(at="2026-03-02T09:30Z", group="Network").resolve(at="2026-03-02T11:00Z")
>>> r = desk_metrics([a, b], as_of="2026-03-02T12:00Z")
>>> r.first_contact_resolution, r.reassignments, r.reassignment_mean
(Fraction(1, 2), {0: 1, 1: 1}, Fraction(1, 2))
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Any, ClassVar, Final

import attrs
import pendulum

from ._errors import InvalidValueError, MissingDependencyError, items_of
from ._incident import CARRIED_FIELDS, HoldReason, Incident, State, carried_changes, lifeline
from ._ratio import format_percent, positive_ratio, ratio_text
from ._report import format_duration, html_table, iso, markdown_table, text_table
from ._time import (
    Zone,
    from_us,
    iso_duration,
    moment,
    to_duration_us,
    to_timedelta,
    to_us,
    us_field,
    zone_name,
)
from ._window import ServiceWindow, as_window

__all__ = [
    "AGING_KEYS",
    "NO_VALUE",
    "Aging",
    "AgingRow",
    "Backlog",
    "CounterCheck",
    "CounterRow",
    "DeskReport",
    "DeskRow",
    "desk_metrics",
]

_ACTIVE: Final = (State.NEW, State.IN_PROGRESS, State.ON_HOLD)
_DONE: Final = frozenset({State.RESOLVED, State.CLOSED})
_ACTIVE_SET: Final = frozenset(_ACTIVE)

NO_VALUE: Final = "(none)"
"""The aging key of an incident whose grouping field holds no value at the instant."""

AGING_KEYS: Final = (*CARRIED_FIELDS, "priority", "state")
"""What :meth:`DeskReport.aging` may group by: a carried field, the priority or the state."""

#: The most digits a recorded counter may have to be read as a number (a longer one is unreadable).
_COUNTER_DIGITS: Final = 18


# --- reading one incident as of an instant ---------------------------------------------------


def _state_at(inc: Incident, t: int) -> State | None:
    """The state at ``t`` (None before the opening), steps in recorded order and never
    earlier than the step before."""
    opened, moves, _ = lifeline(inc, t)
    if opened > t:
        return None
    return moves[-1][1] if moves else State.NEW


def _reopens(moves: list[tuple[int, State, HoldReason | None]]) -> int:
    """Moves from RESOLVED (or CLOSED) back to work among ``moves`` (a lifeline's)."""
    count = 0
    before = State.NEW
    for _, state, _ in moves:  # tuples, not sets: a State is compared by identity
        if (before is State.RESOLVED or before is State.CLOSED) and state in _ACTIVE:
            count += 1
        before = state
    return count


def _values(inc: Incident, field: str, t: int) -> list[str | None]:
    """The values the carried ``field`` took at or before ``t``, in recorded order (a change
    dated before the one it follows, or before the opening, is moved up to it)."""
    return [value for _, name, value in carried_changes(inc, t) if name == field]


def _path(values: Iterable[str | None]) -> tuple[str, ...]:
    """The groups that held the incident in turn: no value skipped, repeats merged."""
    path: list[str] = []
    for value in values:
        if value is not None and (not path or path[-1] != value):
            path.append(value)
    return tuple(path)


def _priority_at(inc: Incident, t: int) -> str:
    priorities = lifeline(inc, t)[2]
    current = priorities[0][1]
    for at, priority in priorities:
        if at <= t:
            current = priority
    return current.name


# --- one incident's figures ------------------------------------------------------------------


@attrs.frozen
class DeskRow:
    """One incident as the desk measures see it at the report's ``as_of``.

    ``groups`` are the assignment groups that held it in turn (a first
    assignment, then one entry per reassignment); ``group`` is the one
    holding it at ``as_of`` (None while unassigned).

    >>> import pendulum
    >>> row = DeskRow("INC3", State.RESOLVED, pendulum.datetime(2026, 3, 2, 10),
    ...               ("Desk", "Network", "Desk", "DB"), "DB", 0)
    >>> row.reassignments, row.returns, row.ping_pong, row.first_contact
    (3, 1, True, False)
    """

    id: str
    state: State
    """The state at ``as_of``."""
    opened_at: pendulum.DateTime
    groups: tuple[str, ...]
    group: str | None
    reopens: int
    """Moves from RESOLVED back to work, up to ``as_of``."""
    opened_at_us: int = us_field("opened_at")

    @property
    def reassignments(self) -> int:
        """Changes from one group to another (the first assignment is none)."""
        return len(self.groups) - 1 if self.groups else 0

    @property
    def returns(self) -> int:
        """Reassignments back to a group that held the incident before."""
        seen: set[str] = set()
        count = 0
        for group in self.groups:
            if group in seen:
                count += 1
            seen.add(group)
        return count

    @property
    def ping_pong(self) -> bool:
        """Whether it returned to a group it had left."""
        return self.returns > 0

    @property
    def resolved(self) -> bool:
        """Whether it stands RESOLVED or CLOSED at ``as_of``."""
        return self.state in _DONE

    @property
    def cancelled(self) -> bool:
        """Whether it stands CANCELED at ``as_of`` (left out of the measures)."""
        return self.state is State.CANCELED

    @property
    def open(self) -> bool:
        """Whether it is in the backlog at ``as_of`` (NEW, IN_PROGRESS or ON_HOLD)."""
        return self.state in _ACTIVE_SET

    @property
    def first_contact(self) -> bool | None:
        """Resolved with no reassignment and no reopen; None while not resolved."""
        if not self.resolved:
            return None
        return self.reassignments == 0 and self.reopens == 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "state": self.state.value,
            "opened_at": iso(self.opened_at),
            "group": self.group,
            "groups": list(self.groups),
            "reassignments": self.reassignments,
            "returns": self.returns,
            "reopens": self.reopens,
            "first_contact": self.first_contact,
        }


# --- backlog and aging -----------------------------------------------------------------------


@attrs.frozen
class Backlog:
    """The incidents open at an instant: opened by then, and NEW, IN_PROGRESS or ON_HOLD.

    ``ids`` and ``states`` are parallel, in the order the incidents were given.

    >>> import pendulum
    >>> b = Backlog(pendulum.datetime(2026, 3, 6, 17), ("INC5", "INC6"),
    ...             (State.IN_PROGRESS, State.ON_HOLD))
    >>> b.count, b.by_state[State.ON_HOLD]
    (2, 1)
    >>> print(b)
    Backlog at 2026-03-06 17:00 +00:00: 2 open (0 new, 1 in progress, 1 on hold): INC5, INC6
    """

    at: pendulum.DateTime
    ids: tuple[str, ...]
    states: tuple[State, ...]

    @property
    def count(self) -> int:
        """How many incidents are open."""
        return len(self.ids)

    @property
    def by_state(self) -> dict[State, int]:
        """How many are NEW, IN_PROGRESS and ON_HOLD (each state listed, zeros too)."""
        out = dict.fromkeys(_ACTIVE, 0)
        for state in self.states:
            out[state] += 1
        return out

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {s.value.replace('_', ' ')}" for s, n in self.by_state.items())
        shown = ", ".join(self.ids[:20]) + (", ..." if len(self.ids) > 20 else "")
        return (
            f"Backlog at {self.at.format('YYYY-MM-DD HH:mm Z')}: {self.count} open ({parts})"
            + (f": {shown}" if self.ids else "")
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "at": iso(self.at),
            "count": self.count,
            "by_state": {s.value: n for s, n in self.by_state.items()},
            "incidents": list(self.ids),
        }


def _rank(count: int, q: Fraction) -> int:
    """The nearest rank (1-based) of the ``q`` quantile among ``count`` values: ``ceil(q n)``."""
    return max(1, -(-q.numerator * count // q.denominator))


@attrs.frozen
class AgingRow:
    """The open incidents of one key (a group, a priority...) and their ages, oldest first.

    Quantiles are nearest-rank (the ``ceil(q n)``-th youngest age), so each is the
    age of an actual incident and exact: the median of two ages is the younger one.

    >>> row = AgingRow("Network", ("INC5", "INC9"), (68_400_000_000, 3_600_000_000))
    >>> row.count, row.oldest, row.median, row.youngest
    (2, datetime.timedelta(seconds=68400), datetime.timedelta(seconds=3600), datetime.timedelta(seconds=3600))
    """

    key: str
    ids: tuple[str, ...]
    ages_us: tuple[int, ...]
    """The ages in microseconds, parallel to ``ids``, oldest first."""
    buckets: tuple[int, ...] = ()
    """How many ages fall in each bucket of the aging's ``edges`` (half-open, youngest first)."""

    @property
    def count(self) -> int:
        """How many open incidents."""
        return len(self.ids)

    @property
    def ages(self) -> tuple[timedelta, ...]:
        """The ages, oldest first."""
        return tuple(to_timedelta(us) for us in self.ages_us)

    def percentile(self, q: object) -> timedelta | None:
        """The nearest-rank ``q`` quantile of the ages (``"90%"``, ``0.5``...); None when empty.

        >>> AgingRow("x", ("a", "b", "c"), (30, 20, 10)).percentile("50%")
        datetime.timedelta(microseconds=20)
        """
        ratio = positive_ratio(q, "q")
        if not self.ages_us:
            return None
        return to_timedelta(self.ages_us[len(self.ages_us) - _rank(len(self.ages_us), ratio)])

    @property
    def oldest(self) -> timedelta | None:
        """The largest age (None when empty)."""
        return to_timedelta(self.ages_us[0]) if self.ages_us else None

    @property
    def youngest(self) -> timedelta | None:
        """The smallest age (None when empty)."""
        return to_timedelta(self.ages_us[-1]) if self.ages_us else None

    @property
    def median(self) -> timedelta | None:
        """The nearest-rank median: of an even count, the younger of the two middle ages."""
        return self.percentile(Fraction(1, 2))

    @property
    def p90(self) -> timedelta | None:
        """The nearest-rank 90th percentile."""
        return self.percentile(Fraction(9, 10))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ISO 8601 durations, the incidents oldest first."""

        def dur(value: timedelta | None) -> str | None:
            return None if value is None else iso_duration(value // timedelta(microseconds=1))

        return {
            "key": self.key,
            "count": self.count,
            "youngest": dur(self.youngest),
            "median": dur(self.median),
            "p90": dur(self.p90),
            "oldest": dur(self.oldest),
            "buckets": list(self.buckets),
            "incidents": [
                {"id": i, "age": iso_duration(us)}
                for i, us in zip(self.ids, self.ages_us, strict=True)
            ],
        }


def _bucket_counts(ages: Iterable[int], edges: tuple[int, ...]) -> tuple[int, ...]:
    if not edges:
        return ()
    counts = [0] * (len(edges) + 1)
    for age in ages:
        i = 0
        while i < len(edges) and age >= edges[i]:
            i += 1
        counts[i] += 1
    return tuple(counts)


def _aging_row(key: str, items: list[tuple[int, str]], edges: tuple[int, ...]) -> AgingRow:
    items.sort(key=lambda item: -item[0])  # oldest first; a stable sort keeps the given order
    ages = tuple(age for age, _ in items)
    return AgingRow(key, tuple(i for _, i in items), ages, _bucket_counts(ages, edges))


@attrs.frozen
class Aging:
    """The backlog at ``at`` by the value of ``by``, with the age distribution of each key.

    Ages run from each incident's opening to ``at``: business time inside
    ``window`` when the report has one, else elapsed wall time. ``rows`` are
    sorted by key, :data:`NO_VALUE` last; ``total`` pools them. ``edges``
    (microseconds) cut the ages into half-open buckets ``[0, e1)``, ``[e1, e2)``,
    ..., ``[ek, ...)``.
    """

    at: pendulum.DateTime
    by: str
    rows: tuple[AgingRow, ...]
    total: AgingRow
    edges_us: tuple[int, ...] = ()
    window: ServiceWindow | None = attrs.field(default=None, repr=False, eq=False)

    def __getitem__(self, key: str) -> AgingRow:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(f"{key!r}: no open incident has this {self.by} at {iso(self.at)}")

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys with open incidents, in row order."""
        return tuple(row.key for row in self.rows)

    @property
    def bucket_labels(self) -> tuple[str, ...]:
        """A label per bucket: ``'<8h 00m'``, ``'8h 00m-24h 00m'``, ``'>=24h 00m'``."""
        edges = self.edges_us
        if not edges:
            return ()
        labels = [f"<{format_duration(edges[0])}"]
        labels += [f"{format_duration(a)}-{format_duration(b)}" for a, b in pairwise(edges)]
        labels.append(f">={format_duration(edges[-1])}")
        return tuple(labels)

    @property
    def title(self) -> str:
        """The heading the text and HTML forms show."""
        clock = "wall time" if self.window is None else f"business time of {self.window!r}"
        return f"Aging by {self.by} at {self.at.format('YYYY-MM-DD HH:mm Z')} ({clock})"

    _HEADERS: ClassVar[tuple[str, ...]] = ("open", "youngest", "median", "p90", "oldest")

    def _table(self) -> tuple[list[str], list[list[object]]]:
        def cells(row: AgingRow) -> list[object]:
            def dur(value: timedelta | None) -> str:
                return "-" if value is None else format_duration(value)

            return [
                row.key,
                row.count,
                dur(row.youngest),
                dur(row.median),
                dur(row.p90),
                dur(row.oldest),
                *row.buckets,
            ]

        headers = [self.by, *self._HEADERS, *self.bucket_labels]
        return headers, [*(cells(r) for r in self.rows), cells(self.total)]

    def __str__(self) -> str:
        return text_table(*self._table(), title=self.title)

    def _repr_html_(self) -> str:
        return html_table(*self._table(), title=self.title)

    def to_markdown(self) -> str:
        """The aging table as Markdown."""
        return markdown_table(*self._table(), title=self.title)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "at": iso(self.at),
            "by": self.by,
            "clock": "wall" if self.window is None else "business",
            "window": None if self.window is None else repr(self.window),
            "edges": [iso_duration(e) for e in self.edges_us],
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
        }


# --- checking an export's own counters -------------------------------------------------------


@attrs.frozen
class CounterRow:
    """One incident's counter: computed from its history and as the export recorded it.

    ``recorded`` is the text the carried field holds at ``as_of`` (None: no value).
    ``status`` is ``"agree"``, ``"disagree"``, ``"missing"`` (no recorded value) or
    ``"unreadable"`` (not a whole number).

    >>> CounterRow("INC1", 2, "2").status, CounterRow("INC2", 2, "4").status
    ('agree', 'disagree')
    >>> CounterRow("INC3", 0, None).status, CounterRow("INC4", 0, "n/a").status
    ('missing', 'unreadable')
    """

    id: str
    computed: int
    recorded: str | None

    @property
    def value(self) -> int | None:
        """The recorded count as a number (None when missing or unreadable)."""
        if self.recorded is None:
            return None
        text = self.recorded.strip()
        if not text.isascii() or not text.isdigit() or len(text) > _COUNTER_DIGITS:
            return None
        return int(text)

    @property
    def status(self) -> str:
        """``"agree"``, ``"disagree"``, ``"missing"`` or ``"unreadable"``."""
        if self.recorded is None:
            return "missing"
        value = self.value
        if value is None:
            return "unreadable"
        return "agree" if value == self.computed else "disagree"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "computed": self.computed,
            "recorded": self.recorded,
            "status": self.status,
        }


@attrs.frozen
class CounterCheck:
    """A counter computed from the histories against the one the export carries, per incident.

    ``field`` is the carried field compared (``"reassignment_count"`` or
    ``"reopen_count"``); ``rows`` cover every incident opened by ``as_of``,
    cancelled ones included (this checks data, not performance).
    """

    field: str
    as_of: pendulum.DateTime
    rows: tuple[CounterRow, ...]

    def _with(self, status: str) -> tuple[CounterRow, ...]:
        return tuple(row for row in self.rows if row.status == status)

    @property
    def agree(self) -> tuple[str, ...]:
        """Ids whose recorded count equals the computed one."""
        return tuple(row.id for row in self._with("agree"))

    @property
    def disagree(self) -> tuple[CounterRow, ...]:
        """The rows whose recorded count differs from the computed one."""
        return self._with("disagree")

    @property
    def missing(self) -> tuple[str, ...]:
        """Ids with no recorded count."""
        return tuple(row.id for row in self._with("missing"))

    @property
    def unreadable(self) -> tuple[CounterRow, ...]:
        """The rows whose recorded count is not a whole number."""
        return self._with("unreadable")

    @property
    def title(self) -> str:
        """The heading the text and HTML forms show."""
        return (
            f"{self.field}: computed vs recorded as of {self.as_of.format('YYYY-MM-DD HH:mm Z')}"
        )

    def _summary(self) -> str:
        return (
            f"{len(self.rows)} incidents: {len(self.agree)} agree, {len(self.disagree)} disagree,"
            f" {len(self.missing)} missing, {len(self.unreadable)} unreadable"
        )

    def _table(self) -> tuple[list[str], list[list[object]]]:
        rows = [*self.disagree, *self.unreadable]
        return (
            ["incident", "computed", "recorded", "difference"],
            [
                [
                    r.id,
                    r.computed,
                    "" if r.recorded is None else r.recorded,
                    "-" if r.value is None else f"{r.value - r.computed:+d}",
                ]
                for r in rows
            ],
        )

    def __str__(self) -> str:
        out = f"{self.title}\n{self._summary()}"
        headers, rows = self._table()
        if rows:
            out += "\n\n" + text_table(headers, rows)
        return out

    def _repr_html_(self) -> str:
        headers, rows = self._table()
        table = html_table(headers, rows) if rows else ""
        return (
            f'<div class="itilkit"><strong>{html.escape(self.title)}</strong>'
            f"<p>{html.escape(self._summary())}</p></div>{table}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "field": self.field,
            "as_of": iso(self.as_of),
            "agree": len(self.agree),
            "disagree": len(self.disagree),
            "missing": len(self.missing),
            "unreadable": len(self.unreadable),
            "rows": [row.to_dict() for row in self.rows],
        }


# --- the report ------------------------------------------------------------------------------


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


@attrs.frozen
class DeskReport:
    """The service desk's figures over a set of incidents, as of an instant.

    ``rows`` hold one :class:`DeskRow` per incident opened by ``as_of``
    (cancelled ones included, in the order given); ``not_yet_open`` counts
    those opened later. The measures are defined in :func:`desk_metrics` and
    in the service desk guide. Rates are Fractions, None when nothing is in
    the denominator.

    >>> from itilkit import Incident
    >>> inc = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
    >>> report = desk_metrics([inc.resolve(at="2026-03-02T09:30Z")], as_of="2026-03-02T10:00Z")
    >>> report.first_contact, report.reopen_rate, report.backlog().count
    (('INC1',), Fraction(0, 1), 0)
    """

    as_of: pendulum.DateTime
    rows: tuple[DeskRow, ...]
    not_yet_open: int = 0
    window: ServiceWindow | None = attrs.field(default=None, repr=False, eq=False)
    """The agreed service hours ages are counted in (None: wall time)."""
    incidents: tuple[Incident, ...] = attrs.field(default=(), repr=False, eq=False)
    """The incidents given (the backlog at an earlier instant needs them all)."""
    as_of_us: int = us_field("as_of")

    # -- populations ----------------------------------------------------------------------

    @property
    def measured(self) -> tuple[DeskRow, ...]:
        """The rows of incidents opened by ``as_of`` that are not cancelled."""
        return tuple(row for row in self.rows if not row.cancelled)

    @property
    def cancelled(self) -> tuple[str, ...]:
        """Ids of the incidents CANCELED at ``as_of`` (left out of the measures)."""
        return tuple(row.id for row in self.rows if row.cancelled)

    @property
    def resolved(self) -> tuple[str, ...]:
        """Ids of the incidents RESOLVED or CLOSED at ``as_of``."""
        return tuple(row.id for row in self.rows if row.resolved)

    # -- first contact and reopens --------------------------------------------------------

    @property
    def first_contact(self) -> tuple[str, ...]:
        """Ids of the resolved incidents with no reassignment and no reopen."""
        return tuple(row.id for row in self.rows if row.first_contact)

    @property
    def first_contact_resolution(self) -> Fraction | None:
        """``resolved at first contact / resolved`` (None when none is resolved)."""
        return _share(len(self.first_contact), len(self.resolved))

    @property
    def reopened(self) -> tuple[str, ...]:
        """Ids of the resolved incidents that were reopened at least once."""
        return tuple(row.id for row in self.rows if row.resolved and row.reopens)

    @property
    def reopen_rate(self) -> Fraction | None:
        """``resolved and ever reopened / resolved`` (None when none is resolved)."""
        return _share(len(self.reopened), len(self.resolved))

    # -- reassignments and ping-pong ------------------------------------------------------

    @property
    def reassignments(self) -> dict[int, int]:
        """How many measured incidents had each number of reassignments, by number.

        Only numbers that occur are keys: ``{0: 4, 1: 2, 3: 1}``.
        """
        counts: dict[int, int] = {}
        for row in self.measured:
            counts[row.reassignments] = counts.get(row.reassignments, 0) + 1
        return dict(sorted(counts.items()))

    @property
    def reassignment_mean(self) -> Fraction | None:
        """Reassignments per measured incident (None when none is measured)."""
        measured = self.measured
        if not measured:
            return None
        return Fraction(sum(row.reassignments for row in measured), len(measured))

    @property
    def reassigned(self) -> tuple[str, ...]:
        """Ids of the measured incidents reassigned at least once."""
        return tuple(row.id for row in self.measured if row.reassignments)

    @property
    def ping_pong(self) -> tuple[str, ...]:
        """Ids of the measured incidents that returned to a group they had left."""
        return tuple(row.id for row in self.measured if row.ping_pong)

    @property
    def ping_pong_rate(self) -> Fraction | None:
        """``ping-pong incidents / measured`` (None when none is measured)."""
        return _share(len(self.ping_pong), len(self.measured))

    # -- backlog and aging ----------------------------------------------------------------

    @property
    def tz(self) -> Zone:
        """The zone instants are shown in: the window's, else the one ``as_of`` was given in."""
        if self.window is not None:
            return self.window.tz
        zone = self.as_of.tzinfo
        assert zone is not None
        return zone

    def _instant(self, at: object) -> int:
        if at is None:
            return self.as_of_us
        us = to_us(at, "at")
        if us > self.as_of_us:
            raise InvalidValueError(
                "at", f"at or before the report's as_of ({iso(self.as_of)})", at
            )
        return us

    def _open_at(self, t: int) -> list[tuple[Incident, State]]:
        out: list[tuple[Incident, State]] = []
        for inc in self.incidents:
            state = _state_at(inc, t)
            if state is not None and state in _ACTIVE_SET:
                out.append((inc, state))
        return out

    def backlog(self, at: object = None) -> Backlog:
        """The incidents open at ``at`` (default: ``as_of``; never after it).

        Open: opened at or before ``at`` and NEW, IN_PROGRESS or ON_HOLD then.
        An incident cancelled since was open before it was cancelled.
        """
        t = self._instant(at)
        found = self._open_at(t)
        return Backlog(
            from_us(t, self.tz),
            tuple(inc.id for inc, _ in found),
            tuple(state for _, state in found),
        )

    def aging(self, at: object = None, by: str = "group", *, edges: object = None) -> Aging:
        """The backlog at ``at`` (default: ``as_of``) by the value ``by`` holds then, with ages.

        ``by`` is a carried field (:data:`~itilkit.CARRIED_FIELDS`: the
        assignment ``"group"`` by default, ``"assignee"``, ``"service"``...),
        ``"priority"`` or ``"state"``; an incident whose field holds no value
        at ``at`` is under :data:`NO_VALUE`. Ages are business time of the
        report's ``window`` when it has one, else wall time. ``edges`` (an
        increasing sequence of positive durations: ``["PT8H", "PT24H"]``)
        adds bucket counts to each row.
        """
        t = self._instant(at)
        if not isinstance(by, str) or by not in AGING_KEYS:
            raise InvalidValueError("by", f"one of {', '.join(AGING_KEYS)}", by)
        cuts = _edges(edges)
        window = self.window
        groups: dict[str, list[tuple[int, str]]] = {}
        everything: list[tuple[int, str]] = []
        for inc, state in self._open_at(t):
            if by == "state":
                key = state.value
            elif by == "priority":
                key = _priority_at(inc, t)
            else:
                values = _values(inc, by, t)
                key = values[-1] if values and values[-1] is not None else NO_VALUE
            age = _age(inc, t, window, self.tz)
            groups.setdefault(key, []).append((age, inc.id))
            everything.append((age, inc.id))
        lifecycle = {s.value: i for i, s in enumerate(_ACTIVE)}
        order = sorted(groups, key=lambda k: (k == NO_VALUE, lifecycle.get(k, -1), k))
        return Aging(
            from_us(t, self.tz),
            by,
            tuple(_aging_row(k, groups[k], cuts) for k in order),
            _aging_row("all", everything, cuts),
            cuts,
            window,
        )

    # -- checks against the export's counters ---------------------------------------------

    def _check(self, field: str, computed: Mapping[str, int]) -> CounterCheck:
        rows = []
        by_id = {inc.id: inc for inc in self.incidents}
        for row in self.rows:
            inc = by_id.get(row.id)
            values = [] if inc is None else _values(inc, field, self.as_of_us)
            recorded = values[-1] if values else None
            rows.append(CounterRow(row.id, computed[row.id], recorded))
        return CounterCheck(field, self.as_of, tuple(rows))

    def reassignment_check(self) -> CounterCheck:
        """The computed reassignments against the carried ``reassignment_count``, per incident.

        The recorded value is the one the field holds at ``as_of``. Every
        incident opened by then is checked, cancelled ones too.
        """
        return self._check("reassignment_count", {r.id: r.reassignments for r in self.rows})

    def reopen_check(self) -> CounterCheck:
        """The computed reopens against the carried ``reopen_count``, per incident."""
        return self._check("reopen_count", {r.id: r.reopens for r in self.rows})

    # -- rendering ------------------------------------------------------------------------

    @property
    def title(self) -> str:
        """The heading the text and HTML forms show."""
        return f"Service desk as of {self.as_of.format('YYYY-MM-DD HH:mm Z')}"

    _SUMMARY: ClassVar[tuple[str, ...]] = ("measure", "incidents", "of", "rate")
    _DISTRIBUTION: ClassVar[tuple[str, ...]] = ("reassignments", "incidents", "share")

    def _summary_rows(self) -> list[list[object]]:
        resolved = len(self.resolved)
        measured = len(self.measured)

        def row(label: str, part: int, whole: int) -> list[object]:
            rate = _share(part, whole)
            return [label, part, whole, "-" if rate is None else format_percent(rate, 1)]

        return [
            row("first-contact resolution", len(self.first_contact), resolved),
            row("reopened", len(self.reopened), resolved),
            row("reassigned", len(self.reassigned), measured),
            row("ping-pong", len(self.ping_pong), measured),
            row("resolved", resolved, measured),
            row("open (backlog)", sum(1 for r in self.rows if r.open), measured),
        ]

    def _distribution_rows(self) -> list[list[object]]:
        measured = len(self.measured)
        return [
            [k, n, format_percent(Fraction(n, measured), 1)] for k, n in self.reassignments.items()
        ]

    def _notes(self, problem: str) -> str:
        def exact(value: Fraction | None) -> str:
            return "undefined" if value is None else ratio_text(value)

        clock = "wall time" if self.window is None else f"business time of {self.window!r}"
        given = len(self.rows) + self.not_yet_open
        return (
            f"{given} incident{'' if given == 1 else 's'}: {len(self.measured)} measured,"
            f" {len(self.cancelled)} cancelled (left out), {self.not_yet_open} opened after"
            f" as_of (left out). First-contact resolution = resolved with no reassignment and"
            f" no reopen / resolved = {exact(self.first_contact_resolution)}; reopen rate ="
            f" {exact(self.reopen_rate)}; reassignments per incident ="
            f" {exact(self.reassignment_mean)}. A reassignment is a change of assignment group"
            f" to another group (the first assignment is none); ping-pong is a return to a"
            f" group the incident had left. Ages in {clock}." + problem
        )

    def _parts(self) -> tuple[list[tuple[str, list[str], list[list[object]]]], str]:
        """The tables (summary, distribution, aging of the backlog) and the notes."""
        tables = [(self.title, list(self._SUMMARY), self._summary_rows())]
        distribution = self._distribution_rows()
        if distribution:
            tables.append(("Reassignments", list(self._DISTRIBUTION), distribution))
        problem = ""
        if any(row.open for row in self.rows):
            try:
                aging = self.aging()
            except InvalidValueError as error:  # ages longer than the window can count
                problem = f" Aging not shown: {error}."
            else:
                headers, rows = aging._table()
                tables.append((aging.title, headers, rows))
        return tables, self._notes(problem)

    def __str__(self) -> str:
        tables, notes = self._parts()
        return "\n\n".join([*(text_table(h, rows, title=t) for t, h, rows in tables), notes])

    def _repr_html_(self) -> str:
        tables, notes = self._parts()
        out = "".join(html_table(h, rows, title=t) for t, h, rows in tables)
        return out + f"<p>{html.escape(notes)}</p>"

    def to_markdown(self) -> str:
        """The report as Markdown: the summary, distribution and aging tables and the notes."""
        tables, notes = self._parts()
        return "\n\n".join([*(markdown_table(h, rows, title=t) for t, h, rows in tables), notes])

    def __repr__(self) -> str:
        return (
            f"DeskReport(as_of={self.as_of!r}, measured={len(self.measured)},"
            f" resolved={len(self.resolved)},"
            f" first_contact_resolution={self.first_contact_resolution!r},"
            f" reopen_rate={self.reopen_rate!r}, ping_pong={len(self.ping_pong)})"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: counts, exact ratio text (``"1/4"``, ``"0.25"``) or null, the rows."""
        resolved = len(self.resolved)
        measured = len(self.measured)

        def share(ids: tuple[str, ...], whole: int) -> dict[str, Any]:
            rate = _share(len(ids), whole)
            return {
                "count": len(ids),
                "of": whole,
                "rate": None if rate is None else ratio_text(rate),
                "incidents": list(ids),
            }

        mean = self.reassignment_mean
        return {
            "as_of": iso(self.as_of),
            "tz": zone_name(self.tz),
            "window": None if self.window is None else repr(self.window),
            "incidents": len(self.rows) + self.not_yet_open,
            "not_yet_open": self.not_yet_open,
            "cancelled": list(self.cancelled),
            "measured": measured,
            "resolved": resolved,
            "first_contact_resolution": share(self.first_contact, resolved),
            "reopen_rate": share(self.reopened, resolved),
            "reassignments": {
                "distribution": {str(k): n for k, n in self.reassignments.items()},
                "mean": None if mean is None else ratio_text(mean),
                "reassigned": share(self.reassigned, measured),
            },
            "ping_pong": share(self.ping_pong, measured),
            "backlog": self.backlog().to_dict(),
            "rows": [row.to_dict() for row in self.rows],
        }

    def to_frame(self) -> Any:
        """One row per incident opened by ``as_of`` (pandas): id, state, opened_at (UTC),
        group, groups, reassignments, returns, reopens, resolved, first_contact, ping_pong.

        Needs pandas (``pip install 'itilkit[pandas]'``).
        """
        try:
            import numpy as np
            import pandas as pd
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        rows = self.rows
        opened = np.array([r.opened_at_us for r in rows], dtype=np.int64).view("datetime64[us]")
        return pd.DataFrame(
            {
                "id": pd.Series([r.id for r in rows], dtype=object),
                "state": pd.Series([r.state.value for r in rows], dtype=object),
                "opened_at": pd.Series(opened).dt.tz_localize("UTC"),
                "group": pd.Series([r.group for r in rows], dtype=object),
                "groups": pd.Series([r.groups for r in rows], dtype=object),
                "reassignments": pd.Series([r.reassignments for r in rows], dtype="int64"),
                "returns": pd.Series([r.returns for r in rows], dtype="int64"),
                "reopens": pd.Series([r.reopens for r in rows], dtype="int64"),
                "resolved": pd.Series([r.resolved for r in rows], dtype=bool),
                "first_contact": pd.Series([r.first_contact for r in rows], dtype=object),
                "ping_pong": pd.Series([r.ping_pong for r in rows], dtype=bool),
            }
        )


def _age(inc: Incident, t: int, window: ServiceWindow | None, tz: Zone) -> int:
    """Microseconds from the opening to ``t``: business time of ``window``, else wall time."""
    start = inc.opened_at_us
    if window is None:
        return t - start
    try:
        return window.business_time_us(start, t)
    except InvalidValueError as error:  # a span longer than a window can count
        raise InvalidValueError(
            "at",
            f"an instant whose business time since the opening of {inc.id}"
            f" ({iso(inc.opened_at)}) the window can count: {error.expectation}",
            iso(from_us(t, tz)),
        ) from None


def _edges(value: object) -> tuple[int, ...]:
    if value is None:
        return ()
    expectation = "an increasing sequence of positive durations such as ['PT8H', 'PT24H']"
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidValueError("edges", expectation, value)
    out: list[int] = []
    for i, item in enumerate(tuple(value)):
        us = to_duration_us(item, f"edges[{i}]")
        if us <= 0:
            raise InvalidValueError(f"edges[{i}]", "a positive duration", item)
        if out and us <= out[-1]:
            raise InvalidValueError(
                f"edges[{i}]", f"longer than the edge before it ({iso_duration(out[-1])})", item
            )
        out.append(us)
    return tuple(out)


def desk_metrics(
    incidents: Iterable[Incident], *, window: ServiceWindow | None = None, as_of: object
) -> DeskReport:
    """The service desk's figures over ``incidents`` as of ``as_of``: FCR, reassignments,
    ping-pong, reopens, backlog and aging.

    Only what was recorded at or before ``as_of`` counts. ``window`` (the
    agreed service hours) makes ages business time; without it they are wall
    time. Each measure is defined exactly in this module's documentation:
    first-contact resolution is ``resolved with no reassignment and no reopen
    / resolved``; a reassignment is a change of assignment group to another
    group (the first assignment is none); ping-pong is a return to a group the
    incident had left; the reopen rate is ``resolved and ever reopened /
    resolved``; cancelled incidents are listed and left out.

    >>> from itilkit import Incident
    >>> inc = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
    >>> inc = inc.set_fields(at="2026-03-02T09:00Z", group="Desk")
    >>> inc = inc.set_fields(at="2026-03-02T09:10Z", group="Network")
    >>> inc = inc.set_fields(at="2026-03-02T09:20Z", group="Desk")
    >>> r = desk_metrics([inc], as_of="2026-03-02T10:00Z")
    >>> r.ping_pong, r.reassignments, r.backlog().count, r.aging()["Desk"].oldest
    (('INC1',), {2: 1}, 1, datetime.timedelta(seconds=3600))
    >>> desk_metrics([inc], as_of="2026-03-02T10:00")
    Traceback (most recent call last):
    ...
    itilkit.NaiveDatetimeError: 'as_of' must be an aware datetime or an ISO 8601 string with an offset (got '2026-03-02T10:00')
    """
    given = items_of(incidents, Incident, "incidents", "an iterable of Incident", "an Incident")
    hours = None if window is None else as_window(window, "window")
    at, t = moment(as_of, "as_of")
    seen: dict[str, int] = {}
    for i, inc in enumerate(given):
        first = seen.setdefault(inc.id, i)
        if first != i:
            raise InvalidValueError(
                f"incidents[{i}]",
                f"an incident whose id is not given before (incidents[{first}] is {inc.id!r})",
                inc.id,
            )
    tz = hours.tz if hours is not None else at.tzinfo
    assert tz is not None
    rows: list[DeskRow] = []
    later = 0
    for inc in given:
        opened, moves, _ = lifeline(inc, t)  # read once: the state and the reopens
        if opened > t:
            later += 1
            continue
        values = _values(inc, "group", t)
        rows.append(
            DeskRow(
                inc.id,
                moves[-1][1] if moves else State.NEW,
                inc.opened_at,
                _path(values),
                values[-1] if values else None,
                _reopens(moves),
                opened_at_us=opened,
            )
        )
    return DeskReport(
        from_us(t, tz), tuple(rows), later, window=hours, incidents=given, as_of_us=t
    )
