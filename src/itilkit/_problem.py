"""Problem management: recurring incidents, and problems with the incidents linked to them.

ITIL's problem management looks for the cause behind incidents that come
back. :func:`find_recurring` finds them in the incidents' carried fields (the
configuration item, the category, the symptom...); a :class:`Problem` gathers
the incidents linked to one problem record and measures what they cost and
how much a workaround helped. Each term is defined here once.

Key
    The tuple of the *final* values (:attr:`~itilkit.Incident.attributes`)
    of the carried fields in ``by``. An incident with no value in one of
    them has no key and is left out.
Measured incident
    An incident opened at or before ``as_of`` (every incident, without
    ``as_of``) that does not stand CANCELED then: a canceled incident was no
    interruption, so it is never measured, counted or recurring.
Restored
    An incident is restored at its *last resolution that held*: the last move
    into RESOLVED (or into CLOSED straight from work, as only a recorded
    anomaly does) with no move back to work after it, at or before ``as_of``.
    Steps are taken in recorded order, and a step dated before the one it
    follows (a non-strict replay keeps such steps) is moved up to it, as the
    SLA clocks do. A resolved, reopened and re-resolved incident is restored
    at the second resolution.
Time lost
    For one measured incident: from its opening to its restoration, in open
    time of the ``window`` when one is given (elapsed wall time otherwise).
    An incident not restored (still open, or reopened) counts up to
    ``as_of`` when ``as_of`` is given; without ``as_of`` it counts nothing
    and is listed in ``unresolved``, so a partial total says it is partial.
Recurrence
    Sort the measured incidents of one key by opening (then id). A *burst* is
    a run of at least ``min_count`` of them whose first and last openings are
    at most ``within`` apart (inclusive; open time of the ``window`` between
    the two openings when one is given): "3 incidents on one CI within 7
    days". A recurrence is a maximal union of bursts that share an incident:
    openings at days 0, 1, 2, 8 and 9 with ``within`` 7 days make one
    recurrence of five (days 0-2 and 2-9 are bursts sharing day 2), while
    days 0, 1, 2, 10, 11 and 12 make two.
MTTR
    Mean time to restore: the exact mean (a :class:`~fractions.Fraction` of
    microseconds) of the time lost by the restored incidents of a group;
    rounded to the microsecond (half-even) only for display. Incidents not
    restored are left out of it.

>>> from itilkit import Incident
>>> def inc(id, day, ci):
...     opened = f"2026-03-0{day}T09:00Z"
...     made = Incident.open(id, at=opened, priority="P3").set_fields(at=opened, ci=ci)
...     return made.resolve(at=f"2026-03-0{day}T10:00Z")
>>> found = find_recurring(
...     [inc("INC1", 2, "db"), inc("INC2", 3, "db"), inc("INC3", 5, "db"), inc("INC4", 5, "app")],
...     within="P7D",
... )
>>> [(r.key, r.ids, r.business_time_lost) for r in found]
[(('db',), ('INC1', 'INC2', 'INC3'), datetime.timedelta(seconds=10800))]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from fractions import Fraction
from typing import Any, Final

import attrs
import pendulum

from ._errors import ChronologyError, InvalidValueError, items_of
from ._incident import CARRIED_FIELDS, Incident, State, lifeline
from ._report import format_duration, html_table, iso, text_table
from ._time import from_us, iso_duration, moment, to_duration_us, to_timedelta
from ._window import ServiceWindow, as_window

__all__ = ["Problem", "Recurrence", "find_recurring", "problems_of"]

_ACTIVE: Final = frozenset({State.NEW, State.IN_PROGRESS, State.ON_HOLD})


# --- one incident, as of an instant ------------------------------------------------------------

_NO_LIMIT: Final = 2**63  # later than any instant


def _measure(inc: Incident, limit: int | None) -> tuple[bool, int | None]:
    """``(canceled, restored_us)`` as of ``limit``: whether the incident stands CANCELED, and
    the instant of its last resolution that held (None if not restored)."""
    state = State.NEW
    restored: int | None = None
    # The moves up to the limit, each never earlier than the one before (the lifeline).
    for at, state, _ in lifeline(inc, _NO_LIMIT if limit is None else limit)[1]:
        if state is State.RESOLVED:
            restored = at
        elif state is State.CLOSED:
            restored = at if restored is None else restored
        elif state in _ACTIVE:
            restored = None
    return state is State.CANCELED, restored


@attrs.frozen
class _Row:
    """One measured incident: its time lost, and whether it was restored."""

    inc: Incident
    restored_us: int | None
    lost_us: int  # 0 for an unrestored incident without as_of


def _rows(
    incidents: Iterable[Incident], window: ServiceWindow | None, limit: int | None
) -> list[_Row]:
    """The measured incidents of ``incidents`` (opened by ``limit``, not canceled), in order."""
    out = []
    for inc in incidents:
        if limit is not None and inc.opened_at_us > limit:
            continue
        canceled, restored = _measure(inc, limit)
        if canceled:
            continue
        end = restored if restored is not None else limit
        lost = 0
        if end is not None and end > inc.opened_at_us:
            start = inc.opened_at_us
            lost = end - start if window is None else window.business_time_us(start, end)
        out.append(_Row(inc, restored, lost))
    return out


def _incidents(value: object, field: str = "incidents") -> tuple[Incident, ...]:
    items = items_of(value, Incident, field, "an iterable of Incident", "an Incident")
    seen: set[str] = set()
    for inc in items:
        if inc.id in seen:
            raise InvalidValueError(field, "incidents with distinct ids", inc.id)
        seen.add(inc.id)
    return items


def _optional_window(value: object) -> ServiceWindow | None:
    return None if value is None else as_window(value)


def _optional_instant(value: object, field: str) -> tuple[pendulum.DateTime | None, int | None]:
    if value is None:
        return None, None
    return moment(value, field)


def _fields(value: object, field: str) -> tuple[str, ...]:
    """``by``: one carried field name, or an iterable of distinct ones."""
    names = (value,) if isinstance(value, str) else value
    expectation = f"a carried field name or a tuple of them ({', '.join(CARRIED_FIELDS)})"
    if isinstance(names, bytes | Mapping) or not isinstance(names, Iterable):
        raise InvalidValueError(field, expectation, value)
    out: list[str] = []
    for name in names:
        if not isinstance(name, str) or name not in CARRIED_FIELDS:
            raise InvalidValueError(field, expectation, name)
        if name in out:
            raise InvalidValueError(field, "distinct field names", name)
        out.append(name)
    if not out:
        raise InvalidValueError(field, "at least one carried field name", value)
    return tuple(out)


def _text_rows(rows: Iterable[_Row]) -> list[list[str]]:
    return [
        [
            r.inc.id,
            _when(r.inc.opened_at),
            "not restored" if r.restored_us is None else _when(from_us(r.restored_us, r.inc.tz)),
            format_duration(r.lost_us),
        ]
        for r in rows
    ]


def _when(at: pendulum.DateTime) -> str:
    return at.format("YYYY-MM-DD HH:mm Z")


def _mean(values: list[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def _rounded(value: Fraction | None) -> timedelta | None:
    return None if value is None else timedelta(microseconds=round(value))


_HEADERS: Final = ("incident", "opened", "restored", "time lost")


# --- recurring incidents -----------------------------------------------------------------------


@attrs.frozen
class Recurrence:
    """Incidents of one key that came back: a maximal union of bursts (see the module).

    ``key`` holds the final values of the fields ``by``, in order;
    ``incidents`` are in order of opening; ``first`` and ``last`` are the
    first and last openings. ``business_time_lost`` is the time the
    incidents lost (open time of ``window`` when given); ``unresolved`` names
    those not restored, which count up to ``as_of`` when given, else nothing.

    Built by :func:`find_recurring`.
    """

    by: tuple[str, ...]
    key: tuple[str, ...]
    incidents: tuple[Incident, ...]
    first: pendulum.DateTime
    last: pendulum.DateTime
    business_time_lost_us: int
    unresolved: tuple[str, ...]
    within_us: int = attrs.field(kw_only=True)
    window: ServiceWindow | None = attrs.field(default=None, kw_only=True, repr=False)
    as_of: pendulum.DateTime | None = attrs.field(default=None, kw_only=True)
    _rows: tuple[_Row, ...] = attrs.field(default=(), kw_only=True, repr=False, eq=False)

    @property
    def ids(self) -> tuple[str, ...]:
        """The incidents' ids, in order of opening."""
        return tuple(inc.id for inc in self.incidents)

    @property
    def count(self) -> int:
        """How many incidents recurred."""
        return len(self.incidents)

    @property
    def business_time_lost(self) -> timedelta:
        """:attr:`business_time_lost_us` as a timedelta (exact)."""
        return to_timedelta(self.business_time_lost_us)

    @property
    def label(self) -> str:
        """``field=value`` for each field of the key: ``'ci=db, category=Network'``."""
        return ", ".join(f"{f}={v}" for f, v in zip(self.by, self.key, strict=True))

    def _title(self) -> str:
        clock = "elapsed" if self.window is None else "business"
        return (
            f"Recurring {self.label}: {self.count} incidents opened {_when(self.first)}"
            f" to {_when(self.last)} (within {format_duration(self.within_us)}),"
            f" {format_duration(self.business_time_lost_us)} {clock} time lost"
        )

    def __str__(self) -> str:
        text = text_table(_HEADERS, _text_rows(self._rows), title=self._title())
        if self.unresolved and self.as_of is None:
            text += f"\nnot restored, not counted: {', '.join(self.unresolved)}"
        return text

    def _repr_html_(self) -> str:
        caption = None
        if self.unresolved and self.as_of is None:
            caption = f"not restored, not counted: {', '.join(self.unresolved)}"
        return html_table(
            _HEADERS,
            _text_rows(self._rows),
            title=self._title(),
            caption=caption,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; durations are ISO 8601 and exact."""
        return {
            "by": list(self.by),
            "key": list(self.key),
            "incidents": list(self.ids),
            "first": iso(self.first),
            "last": iso(self.last),
            "within": iso_duration(self.within_us),
            "business_time": self.window is not None,
            "business_time_lost": iso_duration(self.business_time_lost_us),
            "unresolved": list(self.unresolved),
            "as_of": None if self.as_of is None else iso(self.as_of),
        }


def _bursts(
    openings: list[int], within: int, count: int, window: ServiceWindow | None
) -> list[tuple[int, int]]:
    """Index ranges ``[a, b]`` of the recurrences among sorted ``openings``: for each ``b``
    the earliest ``a`` within reach (the span is monotone in both ends), merged while the
    bursts share an incident."""

    def span(a: int, b: int) -> int:
        lo, hi = openings[a], openings[b]
        return hi - lo if window is None else window.business_time_us(lo, hi)

    out: list[tuple[int, int]] = []
    a = 0
    for b in range(len(openings)):
        while span(a, b) > within:
            a += 1
        if b - a + 1 < count:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def find_recurring(
    incidents: Iterable[Incident],
    *,
    by: str | Iterable[str] = ("ci",),
    within: object,
    min_count: int = 3,
    window: ServiceWindow | None = None,
    as_of: object = None,
) -> tuple[Recurrence, ...]:
    """The recurrences among ``incidents``: ``min_count`` or more of one key within ``within``.

    ``by`` names the carried fields whose final values make the key (one name
    or several); ``within`` is a duration (``timedelta`` or ISO 8601), measured
    between openings in open time of ``window`` when one is given;
    ``min_count`` is 2 or more. Only measured incidents count (opened by
    ``as_of``, not canceled; see the module for every term). Recurrences come
    in order of their first opening, then key.

    >>> from itilkit import Incident
    >>> a = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
    >>> a = a.set_fields(at="2026-03-02T09:00Z", category="Network")
    >>> b = Incident.open("INC2", at="2026-03-02T11:00Z", priority="P3")
    >>> b = b.set_fields(at="2026-03-02T11:00Z", category="Network")
    >>> [r.ids for r in find_recurring([a, b], by="category", within="PT2H", min_count=2)]
    [('INC1', 'INC2')]
    >>> find_recurring([a, b], by="category", within="PT2H", min_count=1)
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'min_count' must be a whole number of 2 or more (got 1)
    """
    items = _incidents(incidents)
    fields = _fields(by, "by")
    within_us = to_duration_us(within, "within")
    if within_us < 0:
        raise InvalidValueError("within", "a duration of zero or more", within)
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 2:
        raise InvalidValueError("min_count", "a whole number of 2 or more", min_count)
    hours = _optional_window(window)
    as_of_dt, limit = _optional_instant(as_of, "as_of")
    groups: dict[tuple[str, ...], list[_Row]] = {}
    for row in _rows(items, hours, limit):
        values = row.inc.attributes
        if all(f in values for f in fields):
            groups.setdefault(tuple(values[f] for f in fields), []).append(row)
    out: list[Recurrence] = []
    for key, rows in groups.items():
        rows.sort(key=lambda r: (r.inc.opened_at_us, r.inc.id))
        openings = [r.inc.opened_at_us for r in rows]
        for a, b in _bursts(openings, within_us, min_count, hours):
            chosen = tuple(rows[a : b + 1])
            out.append(
                Recurrence(
                    fields,
                    key,
                    tuple(r.inc for r in chosen),
                    chosen[0].inc.opened_at,
                    chosen[-1].inc.opened_at,
                    sum(r.lost_us for r in chosen),
                    tuple(r.inc.id for r in chosen if r.restored_us is None),
                    within_us=within_us,
                    window=hours,
                    as_of=as_of_dt,
                    rows=chosen,
                )
            )
    out.sort(key=lambda r: (r.incidents[0].opened_at_us, r.key))
    return tuple(out)


# --- problems ----------------------------------------------------------------------------------


@attrs.frozen(init=False)
class Problem:
    """A problem record and the incidents linked to it.

    ``incidents`` may be every incident at hand: with ``link="problem"`` (the
    default) only those whose carried ``problem`` field finally holds this
    problem's ``id`` are linked; ``link`` names another carried field, or
    ``None`` to link every incident given. ``known_error_at`` (the cause is
    known and documented), ``workaround_at`` (a workaround is available) and
    ``resolved_at`` are at or after ``opened_at``, or None.

    The measures follow the module's definitions, in open time of ``window``
    when given, as of ``as_of`` when given: :attr:`business_time_lost` over the
    measured linked incidents, and the MTTR of those opened before the
    workaround (all of them when there is none) and of those opened at or
    after it (None without a workaround).

    >>> from itilkit import Incident
    >>> def inc(id, day, hours):
    ...     opened = f"2026-03-0{day}T09:00Z"
    ...     made = Incident.open(id, at=opened, priority="P3").set_fields(at=opened, problem="PRB1")
    ...     return made.resolve(at=f"2026-03-0{day}T{9 + hours:02d}:00Z")
    >>> prb = Problem("PRB1", opened_at="2026-03-02T12:00Z", workaround_at="2026-03-04T00:00Z",
    ...               incidents=[inc("INC1", 2, 4), inc("INC2", 3, 2), inc("INC3", 5, 1)])
    >>> prb.ids, prb.business_time_lost
    (('INC1', 'INC2', 'INC3'), datetime.timedelta(seconds=25200))
    >>> prb.mttr_before_workaround, prb.mttr_after_workaround
    (datetime.timedelta(seconds=10800), datetime.timedelta(seconds=3600))
    """

    id: str
    opened_at: pendulum.DateTime
    incidents: tuple[Incident, ...]
    known_error_at: pendulum.DateTime | None
    workaround_at: pendulum.DateTime | None
    resolved_at: pendulum.DateTime | None
    link: str | None
    window: ServiceWindow | None = attrs.field(repr=False)
    as_of: pendulum.DateTime | None
    opened_at_us: int = attrs.field(repr=False)
    workaround_at_us: int | None = attrs.field(repr=False)
    _rows: tuple[_Row, ...] = attrs.field(repr=False, eq=False)

    def __init__(
        self,
        id: str,
        *,
        opened_at: object,
        incidents: Iterable[Incident] = (),
        known_error_at: object = None,
        workaround_at: object = None,
        resolved_at: object = None,
        link: str | None = "problem",
        window: ServiceWindow | None = None,
        as_of: object = None,
    ) -> None:
        if not isinstance(id, str) or not id.strip():
            raise InvalidValueError("id", "a non-empty string", id)
        opened, opened_us = moment(opened_at, "opened_at")
        instants: dict[str, pendulum.DateTime | None] = {}
        workaround_us = None
        for field, value in (
            ("known_error_at", known_error_at),
            ("workaround_at", workaround_at),
            ("resolved_at", resolved_at),
        ):
            at, us = _optional_instant(value, field)
            if us is not None and us < opened_us:
                raise ChronologyError(field, value, opened)
            instants[field] = at
            if field == "workaround_at":
                workaround_us = us
        if link is not None and (not isinstance(link, str) or link not in CARRIED_FIELDS):
            raise InvalidValueError("link", f"None or one of {', '.join(CARRIED_FIELDS)}", link)
        given = _incidents(incidents)
        linked = tuple(inc for inc in given if link is None or inc.attributes.get(link) == id)
        linked = tuple(sorted(linked, key=lambda inc: (inc.opened_at_us, inc.id)))
        hours = _optional_window(window)
        as_of_dt, limit = _optional_instant(as_of, "as_of")
        self.__attrs_init__(
            id,
            opened,
            linked,
            instants["known_error_at"],
            instants["workaround_at"],
            instants["resolved_at"],
            link,
            hours,
            as_of_dt,
            opened_us,
            workaround_us,
            tuple(_rows(linked, hours, limit)),
        )

    @property
    def ids(self) -> tuple[str, ...]:
        """The linked incidents' ids, in order of opening."""
        return tuple(inc.id for inc in self.incidents)

    @property
    def measured(self) -> tuple[str, ...]:
        """The ids of the linked incidents measured (opened by ``as_of``, not canceled)."""
        return tuple(r.inc.id for r in self._rows)

    @property
    def unresolved(self) -> tuple[str, ...]:
        """The measured incidents not restored (counted up to ``as_of`` when given, else not)."""
        return tuple(r.inc.id for r in self._rows if r.restored_us is None)

    @property
    def business_time_lost_us(self) -> int:
        """The time the measured linked incidents lost, in microseconds."""
        return sum(r.lost_us for r in self._rows)

    @property
    def business_time_lost(self) -> timedelta:
        """:attr:`business_time_lost_us` as a timedelta (exact)."""
        return to_timedelta(self.business_time_lost_us)

    def _restores(self, after: bool) -> list[int]:
        cut = self.workaround_at_us
        if cut is None:
            return [] if after else [r.lost_us for r in self._rows if r.restored_us is not None]
        return [
            r.lost_us
            for r in self._rows
            if r.restored_us is not None and (r.inc.opened_at_us >= cut) == after
        ]

    @property
    def mttr_before_workaround_us(self) -> Fraction | None:
        """Exact MTTR (microseconds) of the restored incidents opened before the workaround
        (all of them without one); None when there are none."""
        return _mean(self._restores(after=False))

    @property
    def mttr_after_workaround_us(self) -> Fraction | None:
        """Exact MTTR (microseconds) of the restored incidents opened at or after the
        workaround; None without a workaround or without such incidents."""
        return _mean(self._restores(after=True))

    @property
    def mttr_before_workaround(self) -> timedelta | None:
        """:attr:`mttr_before_workaround_us` rounded half-even to the microsecond."""
        return _rounded(self.mttr_before_workaround_us)

    @property
    def mttr_after_workaround(self) -> timedelta | None:
        """:attr:`mttr_after_workaround_us` rounded half-even to the microsecond."""
        return _rounded(self.mttr_after_workaround_us)

    def _summary(self) -> list[list[str]]:
        def at(value: pendulum.DateTime | None) -> str:
            return "-" if value is None else _when(value)

        def mean(value: timedelta | None) -> str:
            return "-" if value is None else format_duration(value)

        clock = "elapsed" if self.window is None else "business"
        rows = [
            ["opened", at(self.opened_at)],
            ["known error", at(self.known_error_at)],
            ["workaround", at(self.workaround_at)],
            ["resolved", at(self.resolved_at)],
            ["linked incidents", str(len(self.incidents))],
            [f"{clock} time lost", format_duration(self.business_time_lost_us)],
            ["MTTR before workaround", mean(self.mttr_before_workaround)],
            ["MTTR after workaround", mean(self.mttr_after_workaround)],
        ]
        if self.unresolved:
            counted = "counted to as_of" if self.as_of is not None else "not counted"
            rows.append(["not restored", f"{', '.join(self.unresolved)} ({counted})"])
        return rows

    def __str__(self) -> str:
        text = text_table(["measure", "value"], self._summary(), title=f"Problem {self.id}")
        if self._rows:
            text += "\n\n" + text_table(_HEADERS, _text_rows(self._rows))
        return text

    def _repr_html_(self) -> str:
        out = html_table(["measure", "value"], self._summary(), title=f"Problem {self.id}")
        if self._rows:
            out += html_table(_HEADERS, _text_rows(self._rows), title="Linked incidents")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; durations are ISO 8601, an exact MTTR also as ``'p/q'`` µs."""

        def at(value: pendulum.DateTime | None) -> str | None:
            return None if value is None else iso(value)

        def mean(value: Fraction | None) -> dict[str, str] | None:
            if value is None:
                return None
            return {"rounded": iso_duration(round(value)), "exact_us": str(value)}

        return {
            "id": self.id,
            "opened_at": iso(self.opened_at),
            "known_error_at": at(self.known_error_at),
            "workaround_at": at(self.workaround_at),
            "resolved_at": at(self.resolved_at),
            "incidents": list(self.ids),
            "measured": list(self.measured),
            "unresolved": list(self.unresolved),
            "business_time": self.window is not None,
            "business_time_lost": iso_duration(self.business_time_lost_us),
            "mttr_before_workaround": mean(self.mttr_before_workaround_us),
            "mttr_after_workaround": mean(self.mttr_after_workaround_us),
            "as_of": at(self.as_of),
        }


def problems_of(
    incidents: Iterable[Incident],
    *,
    field: str = "problem",
    window: ServiceWindow | None = None,
    as_of: object = None,
) -> tuple[Problem, ...]:
    """One :class:`Problem` per value that the carried ``field`` finally holds, in id order.

    An export knows the link, not the problem record: each problem opens at
    the first instant a linked incident took the link (the earliest evidence
    that the record existed), and its known-error, workaround and resolution
    instants are unknown (None). Build a :class:`Problem` yourself to give them.

    >>> from itilkit import Incident
    >>> a = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
    >>> a = a.set_fields(at="2026-03-02T10:00Z", problem="PRB7")
    >>> [(p.id, p.ids, p.opened_at.hour) for p in problems_of([a])]
    [('PRB7', ('INC1',), 10)]
    """
    items = _incidents(incidents)
    if not isinstance(field, str) or field not in CARRIED_FIELDS:
        raise InvalidValueError("field", f"one of {', '.join(CARRIED_FIELDS)}", field)
    first: dict[str, tuple[int, pendulum.DateTime]] = {}
    for inc in items:
        value = inc.attributes.get(field)
        if value is None:
            continue
        for change in inc.changes(field):
            if change.new == value and (value not in first or change.at_us < first[value][0]):
                first[value] = (change.at_us, change.at)
    return tuple(
        Problem(
            value,
            opened_at=first[value][1],
            incidents=items,
            link=field,
            window=window,
            as_of=as_of,
        )
        for value in sorted(first)
    )
