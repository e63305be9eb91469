"""Service continuity: recovery time and recovery point objectives, checked against failures.

ITIL's service continuity management agrees two objectives per service:

* the **recovery time objective** (RTO), the longest a service may stay down
  after a failure before it is restored;
* the **recovery point objective** (RPO), the most data (measured as time)
  that may be lost: the time from the last recovery point (a backup, a
  snapshot, a replication instant) to the failure.

:func:`check_recovery` measures both for every failure and compares them with
the objectives, exactly:

* a failure is an unplanned :class:`~itilkit.Outage` of a service with an
  objective, whatever its ``impact``; planned outages (agreed maintenance)
  are not failures and are counted as skipped; outages of services without
  an objective are counted as ignored;
* the **achieved RTO** of a failure is its restore time, ``end - start`` in
  elapsed (wall) time, not business time: a recovery runs round the clock;
* the **achieved RPO** is ``start - point``, with ``point`` the latest
  recovery point of the service at or before the failure's start (a point
  at the very start loses nothing). A point after the start does not cover
  that failure: it is the next failure's;
* a failure with no recovery point before it has no achieved RPO: the RPO
  **cannot be met**, and the row says "no recovery point";
* both objectives are met when achieved is at most the objective (an RTO of
  4 h allows a restore of exactly 4 h); a service with no failure meets both.

Instants are integer microseconds underneath; durations are exact.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs
import pendulum

from ._availability import Outage
from ._errors import InvalidValueError, MissingDependencyError, items_of, show
from ._report import format_duration, iso, tables_html, tables_text
from ._time import DurationLike, iso_duration, moment, to_duration_us, to_timedelta

__all__ = [
    "RecoveryObjective",
    "RecoveryReport",
    "RecoveryRow",
    "WorstRecovery",
    "check_recovery",
]

_WHEN = "YYYY-MM-DD HH:mm Z"


def _objective_us(value: object, field: str) -> int:
    us = to_duration_us(value, field)
    if us < 0:
        raise InvalidValueError(field, "a duration of zero or more", value)
    return us


@attrs.frozen(init=False)
class RecoveryObjective:
    """A service's recovery time (``rto``) and recovery point (``rpo``) objectives.

    Both are durations: a ``timedelta`` or an ISO 8601 duration such as
    ``"PT4H"``, zero or more. An RPO of zero allows no data loss at all
    (synchronous replication); an RTO of zero allows no downtime.

    >>> RecoveryObjective("payments", rto="PT4H", rpo="PT15M")
    RecoveryObjective(service='payments', rto=datetime.timedelta(seconds=14400), rpo=datetime.timedelta(seconds=900))
    >>> RecoveryObjective("payments", rto="-PT1H", rpo="PT15M")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'rto' must be a duration of zero or more (got '-PT1H')
    """

    service: str
    rto: timedelta
    rpo: timedelta
    rto_us: int = attrs.field(repr=False, eq=False, hash=False, kw_only=True)
    rpo_us: int = attrs.field(repr=False, eq=False, hash=False, kw_only=True)

    def __init__(self, service: str, *, rto: DurationLike, rpo: DurationLike) -> None:
        if not isinstance(service, str) or not service.strip():
            raise InvalidValueError("service", "a service name (a non-empty string)", service)
        rto_us = _objective_us(rto, "rto")
        rpo_us = _objective_us(rpo, "rpo")
        self.__attrs_init__(
            service, to_timedelta(rto_us), to_timedelta(rpo_us), rto_us=rto_us, rpo_us=rpo_us
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the service and both objectives as ISO 8601 durations."""
        return {
            "service": self.service,
            "rto": iso_duration(self.rto_us),
            "rpo": iso_duration(self.rpo_us),
        }


@attrs.frozen
class RecoveryRow:
    """One failure checked against its service's objectives.

    ``rto_achieved`` is the restore time (``end - start``). ``recovery_point``
    is the latest recovery point at or before the failure, and
    ``rpo_achieved`` the data lost (``start - recovery_point``); both are
    ``None`` when no recovery point precedes the failure, and ``rpo_met`` is
    then False.
    """

    service: str
    outage: Outage = attrs.field(repr=False)
    objective: RecoveryObjective = attrs.field(repr=False)
    rto_achieved: timedelta
    rto_met: bool
    recovery_point: pendulum.DateTime | None
    rpo_achieved: timedelta | None
    rpo_met: bool

    @property
    def outage_id(self) -> str | None:
        """The outage's id, when it has one."""
        return self.outage.id

    @property
    def start(self) -> pendulum.DateTime:
        """When the service failed."""
        return self.outage.start

    @property
    def end(self) -> pendulum.DateTime:
        """When the service was restored."""
        return self.outage.end

    @property
    def met(self) -> bool:
        """Whether both objectives held for this failure."""
        return self.rto_met and self.rpo_met

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ISO instants and durations; ``None`` where there is no point."""
        point = self.recovery_point
        lost = self.rpo_achieved
        return {
            "service": self.service,
            "outage": self.outage_id,
            "start": iso(self.start),
            "end": iso(self.end),
            "rto": iso_duration(self.objective.rto_us),
            "rto_achieved": iso_duration(self.outage.end_us - self.outage.start_us),
            "rto_met": self.rto_met,
            "recovery_point": None if point is None else iso(point),
            "rpo": iso_duration(self.objective.rpo_us),
            "rpo_achieved": None if lost is None else iso_duration(_td_us(lost)),
            "rpo_met": self.rpo_met,
            "met": self.met,
        }


@attrs.frozen
class WorstRecovery:
    """The worst case of one service: its longest restore and its largest data loss.

    ``rto_achieved`` is the longest restore time over the service's failures
    and ``rpo_achieved`` the largest data loss over the failures that had a
    recovery point (both ``None`` without such failures). ``uncovered``
    counts failures with no recovery point before them: any makes
    ``rpo_met`` False. A service with no failure meets both objectives.
    """

    service: str
    objective: RecoveryObjective
    failures: int
    rto_achieved: timedelta | None
    rpo_achieved: timedelta | None
    uncovered: int
    rto_met: bool
    rpo_met: bool

    @property
    def met(self) -> bool:
        """Whether both objectives held for every failure of the service."""
        return self.rto_met and self.rpo_met

    @property
    def note(self) -> str:
        """Words for what the figures leave out: no failure, failures without a point."""
        if self.failures == 0:
            return "no failure"
        if self.uncovered:
            return f"{_count(self.uncovered, 'failure')} with no recovery point before it"
        return ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ISO durations, ``None`` where there is nothing to measure."""
        return {
            "service": self.service,
            "rto": iso_duration(self.objective.rto_us),
            "rpo": iso_duration(self.objective.rpo_us),
            "failures": self.failures,
            "rto_achieved": _iso_or_none(self.rto_achieved),
            "rpo_achieved": _iso_or_none(self.rpo_achieved),
            "uncovered": self.uncovered,
            "rto_met": self.rto_met,
            "rpo_met": self.rpo_met,
            "met": self.met,
        }


def _td_us(value: timedelta) -> int:
    return value // timedelta(microseconds=1)


def _iso_or_none(value: timedelta | None) -> str | None:
    return None if value is None else iso_duration(_td_us(value))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _duration_or(value: timedelta | None, missing: str) -> str:
    return missing if value is None else format_duration(value)


@attrs.frozen
class RecoveryReport:
    """Failures against recovery objectives: a row per failure, the worst case per service.

    ``met`` is True when every objective held for every failure (and so
    when there was none). ``rows`` are in objective order, then by start;
    ``worst`` maps each service with an objective to its
    :class:`WorstRecovery`. ``planned`` counts planned outages of those
    services, skipped as they are not failures; ``ignored`` counts outages
    of services without an objective (named in ``ignored_services``).

    >>> r = check_recovery(
    ...     [RecoveryObjective("db", rto="PT4H", rpo="PT6H")],
    ...     {"db": [Outage("2026-03-02T10:00Z", "2026-03-02T13:30Z", id="INC7")]},
    ...     recovery_points={"db": ["2026-03-01T02:00Z", "2026-03-02T02:00Z"]},
    ... )
    >>> r.met, r.rows[0].rto_achieved, r.rows[0].rpo_achieved   # 3.5 h, 8 h
    (False, datetime.timedelta(seconds=12600), datetime.timedelta(seconds=28800))
    >>> r.worst["db"].rto_met, r.worst["db"].rpo_met
    (True, False)
    """

    objectives: tuple[RecoveryObjective, ...]
    rows: tuple[RecoveryRow, ...]
    summaries: tuple[WorstRecovery, ...] = attrs.field(repr=False)
    planned: int = 0
    ignored: int = 0
    ignored_services: tuple[str, ...] = ()

    @property
    def met(self) -> bool:
        """Whether every objective held for every failure."""
        return all(s.met for s in self.summaries)

    @property
    def worst(self) -> dict[str, WorstRecovery]:
        """The worst case of each service with an objective, in objective order."""
        return {s.service: s for s in self.summaries}

    @property
    def failures(self) -> int:
        """Failures checked (unplanned outages of services with an objective)."""
        return len(self.rows)

    @property
    def breaches(self) -> tuple[RecoveryRow, ...]:
        """The failures for which an objective did not hold."""
        return tuple(row for row in self.rows if not row.met)

    @property
    def title(self) -> str:
        """The heading of the text and HTML forms."""
        verdict = "met" if self.met else "breached"
        return f"Recovery objectives: {verdict}"

    _ROWS = (
        "service",
        "outage",
        "failed",
        "restore time",
        "RTO",
        "RTO met",
        "recovery point",
        "data lost",
        "RPO",
        "RPO met",
    )
    _WORST = (
        "service",
        "failures",
        "longest restore",
        "RTO",
        "RTO met",
        "largest data loss",
        "RPO",
        "RPO met",
        "note",
    )

    def _row_cells(self) -> list[list[str]]:
        out = []
        for row in self.rows:
            point = row.recovery_point
            out.append(
                [
                    row.service,
                    row.outage_id or "-",
                    row.start.format(_WHEN),
                    format_duration(row.rto_achieved),
                    format_duration(row.objective.rto),
                    _yes(row.rto_met),
                    "none" if point is None else point.format(_WHEN),
                    _duration_or(row.rpo_achieved, "no recovery point"),
                    format_duration(row.objective.rpo),
                    _yes(row.rpo_met),
                ]
            )
        return out

    def _worst_cells(self) -> list[list[str]]:
        return [
            [
                s.service,
                str(s.failures),
                _duration_or(s.rto_achieved, "-"),
                format_duration(s.objective.rto),
                _yes(s.rto_met),
                _duration_or(s.rpo_achieved, "-"),
                format_duration(s.objective.rpo),
                _yes(s.rpo_met),
                s.note,
            ]
            for s in self.summaries
        ]

    def _notes(self) -> str:
        text = (
            f"{_count(self.failures, 'failure')} checked;"
            f" {_count(self.planned, 'planned outage')} skipped (maintenance is not a failure);"
            f" {_count(self.ignored, 'outage')} of services without an objective ignored"
        )
        if self.ignored_services:
            text += f" ({', '.join(self.ignored_services)})"
        return (
            text + ". Restore time = end - start (elapsed); data lost = failure - latest"
            " recovery point at or before it."
        )

    def _tables(self) -> list[tuple[str, tuple[str, ...], list[list[str]]]]:
        out: list[tuple[str, tuple[str, ...], list[list[str]]]] = [
            (self.title, self._WORST, self._worst_cells())
        ]
        if self.rows:
            out.append(("Failures", self._ROWS, self._row_cells()))
        return out

    def __str__(self) -> str:
        return tables_text(self._tables(), self._notes())

    def _repr_html_(self) -> str:
        return tables_html(self._tables(), self._notes())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the verdict, the objectives, the worst cases and every row."""
        return {
            "met": self.met,
            "objectives": [o.to_dict() for o in self.objectives],
            "worst": {s.service: s.to_dict() for s in self.summaries},
            "rows": [row.to_dict() for row in self.rows],
            "failures": self.failures,
            "planned": self.planned,
            "ignored": self.ignored,
            "ignored_services": list(self.ignored_services),
        }

    def to_frame(self) -> Any:
        """One row per failure (pandas): instants in UTC and durations, exact to the microsecond.

        Columns: ``service``, ``outage``, ``start``, ``end``, ``rto_achieved``,
        ``rto``, ``rto_met``, ``recovery_point`` and ``rpo_achieved`` (``NaT``
        without a recovery point), ``rpo``, ``rpo_met``, ``met``. Needs pandas
        (``pip install 'itilkit[pandas]'``).
        """
        try:
            import numpy as np
            import pandas as pd
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        nat = np.iinfo(np.int64).min

        def column(values: list[int | None], unit: str) -> Any:
            raw = np.array([nat if v is None else v for v in values], dtype=np.int64)
            return pd.Series(raw.view(unit))

        def instants(values: list[int | None]) -> Any:
            return column(values, "datetime64[us]").dt.tz_localize("UTC")

        rows = self.rows
        points = [_point_us(r) for r in rows]
        return pd.DataFrame(
            {
                "service": pd.Series([r.service for r in rows], dtype=object),
                "outage": pd.Series([r.outage_id for r in rows], dtype=object),
                "start": instants([r.outage.start_us for r in rows]),
                "end": instants([r.outage.end_us for r in rows]),
                "rto_achieved": column(
                    [r.outage.end_us - r.outage.start_us for r in rows], "timedelta64[us]"
                ),
                "rto": column([r.objective.rto_us for r in rows], "timedelta64[us]"),
                "rto_met": pd.Series([r.rto_met for r in rows], dtype=bool),
                "recovery_point": instants(points),
                "rpo_achieved": column(
                    [
                        None if p is None else r.outage.start_us - p
                        for r, p in zip(rows, points, strict=True)
                    ],
                    "timedelta64[us]",
                ),
                "rpo": column([r.objective.rpo_us for r in rows], "timedelta64[us]"),
                "rpo_met": pd.Series([r.rpo_met for r in rows], dtype=bool),
                "met": pd.Series([r.met for r in rows], dtype=bool),
            }
        )


def _point_us(row: RecoveryRow) -> int | None:
    lost = row.rpo_achieved
    return None if lost is None else row.outage.start_us - _td_us(lost)


# --- reading the arguments ---------------------------------------------------------------


def _objectives(value: object) -> tuple[RecoveryObjective, ...]:
    if isinstance(value, RecoveryObjective):
        return (value,)
    items = items_of(
        value,
        RecoveryObjective,
        "objectives",
        "an iterable of RecoveryObjective",
        "a RecoveryObjective",
    )
    seen: set[str] = set()
    for item in items:
        if item.service in seen:
            raise InvalidValueError(
                "objectives", f"one objective per service (two for {show(item.service)})", items
            )
        seen.add(item.service)
    return items


def _service_key(key: object, field: str) -> str:
    if not isinstance(key, str):
        raise InvalidValueError(field, "keyed by service name (a string)", key)
    return key


def _outages(value: object) -> list[tuple[str, Outage]]:
    """(service, outage) for every outage, from a mapping or from outages naming their service."""
    if isinstance(value, Outage):
        raise InvalidValueError(
            "outages", "a mapping from service to outages, or an iterable of Outage", value
        )
    out: list[tuple[str, Outage]] = []
    if isinstance(value, Mapping):
        for key, group in value.items():
            service = _service_key(key, "outages")
            field = f"outages[{show(service)}]"
            if isinstance(group, Outage):
                raise InvalidValueError(field, "an iterable of Outage", group)
            items = items_of(group, Outage, field, "an iterable of Outage", "an Outage")
            for i, outage in enumerate(items):
                if outage.service is not None and outage.service != service:
                    raise InvalidValueError(
                        f"{field}[{i}]",
                        f"an outage of {show(service)} (it names service {show(outage.service)})",
                        outage,
                    )
                out.append((service, outage))
        return out
    items = items_of(
        value,
        Outage,
        "outages",
        "a mapping from service to outages, or an iterable of Outage",
        "an Outage",
    )
    for i, outage in enumerate(items):
        if outage.service is None:
            raise InvalidValueError(
                f"outages[{i}].service",
                "the name of the service that failed (or pass outages as a mapping"
                " from service to outages)",
                None,
            )
        out.append((outage.service, outage))
    return out


def _instants(value: object, field: str) -> list[tuple[int, pendulum.DateTime]]:
    if isinstance(value, datetime | str):  # one instant
        dt, us = moment(value, field)
        return [(us, dt)]
    if isinstance(value, bytes) or not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise InvalidValueError(field, "an instant or an iterable of instants", value)
    out = []
    for i, item in enumerate(value):
        dt, us = moment(item, f"{field}[{i}]")
        out.append((us, dt))
    return out


_POINTS = "a mapping from service to instants, or (service, instant) pairs"


def _recovery_points(value: object) -> dict[str, list[tuple[int, pendulum.DateTime]]]:
    """The recovery points of each service, sorted (each an aware instant)."""
    out: dict[str, list[tuple[int, pendulum.DateTime]]] = {}
    if isinstance(value, Mapping):
        for key, points in value.items():
            service = _service_key(key, "recovery_points")
            out.setdefault(service, []).extend(
                _instants(points, f"recovery_points[{show(service)}]")
            )
    else:
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            raise InvalidValueError("recovery_points", _POINTS, value)
        for i, pair in enumerate(value):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise InvalidValueError(f"recovery_points[{i}]", "a (service, instant) pair", pair)
            service = _service_key(pair[0], f"recovery_points[{i}]")
            dt, us = moment(pair[1], f"recovery_points[{i}]")
            out.setdefault(service, []).append((us, dt))
    for points in out.values():
        points.sort(key=lambda p: p[0])
    return out


# --- the check ---------------------------------------------------------------------------


def check_recovery(
    objectives: Iterable[RecoveryObjective] | RecoveryObjective,
    outages: Mapping[str, Iterable[Outage]] | Iterable[Outage],
    *,
    recovery_points: Mapping[str, Iterable[datetime | str] | datetime | str]
    | Iterable[tuple[str, datetime | str]] = (),
) -> RecoveryReport:
    """Check every failure of the services in ``objectives`` against their RTO and RPO.

    ``outages`` is a mapping from service name to its outages, or an
    iterable of outages that name their service (``Outage(..., service="db")``).
    ``recovery_points`` holds the instants from which each service can be
    recovered (backups, snapshots, replication): a mapping from service name
    to instants (or one instant), or ``(service, instant)`` pairs.

    The rules (see the module's text): planned outages are skipped, outages
    of services without an objective ignored, both counted; the achieved RTO
    is the restore time, the achieved RPO the time from the latest recovery
    point at or before the failure to the failure; a failure with no such
    point breaches its RPO ("no recovery point").

    Refused with :class:`~itilkit.InvalidValueError`, naming the value: two
    objectives for one service; an outage without its service, or filed under
    another service than it names; a naive or malformed recovery point; and
    recovery points of a service that all come after every failure they are
    meant to cover (typically restore times passed as backup times, or an
    instant in the wrong zone). Such points cover nothing, so leaving them
    out gives the same report: no recovery point, the RPO cannot be met.

    >>> r = check_recovery(
    ...     RecoveryObjective("db", rto="PT4H", rpo="PT1H"),
    ...     [Outage("2026-03-02T10:00Z", "2026-03-02T11:00Z", service="db")],
    ...     recovery_points={"db": "2026-03-02T09:30Z"},
    ... )
    >>> r.met, r.rows[0].rpo_achieved
    (True, datetime.timedelta(seconds=1800))
    >>> check_recovery(
    ...     RecoveryObjective("db", rto="PT4H", rpo="PT1H"),
    ...     [Outage("2026-03-02T10:00Z", "2026-03-02T11:00Z", service="db")],
    ...     recovery_points={"db": "2026-03-02T11:00Z"},
    ... )
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: "recovery_points['db']" must be at or before a failure it covers (the first failure of 'db' starts 2026-03-02T10:00:00+00:00; this point is after every failure) (got '2026-03-02T11:00Z')
    """
    goals = _objectives(objectives)
    listed = _outages(outages)
    points = _recovery_points(recovery_points)
    by_service: dict[str, list[Outage]] = {g.service: [] for g in goals}
    planned = ignored = 0
    ignored_services: set[str] = set()
    for service, outage in listed:
        failures = by_service.get(service)
        if failures is None:
            ignored += 1
            ignored_services.add(service)
        elif outage.planned:
            planned += 1
        else:
            failures.append(outage)
    rows: list[RecoveryRow] = []
    summaries: list[WorstRecovery] = []
    for goal in goals:
        failures = sorted(by_service[goal.service], key=lambda o: (o.start_us, o.end_us))
        history = points.get(goal.service, [])
        _check_cover(goal.service, failures, history, recovery_points)
        instants = [us for us, _ in history]
        service_rows = [_row(goal, o, history, instants) for o in failures]
        rows.extend(service_rows)
        summaries.append(_worst(goal, service_rows))
    return RecoveryReport(
        objectives=goals,
        rows=tuple(rows),
        summaries=tuple(summaries),
        planned=planned,
        ignored=ignored,
        ignored_services=tuple(sorted(ignored_services)),
    )


def _check_cover(
    service: str,
    failures: list[Outage],
    history: list[tuple[int, pendulum.DateTime]],
    given: object,
) -> None:
    """Refuse recovery points that all come after every failure they are meant to cover."""
    if not failures or not history:
        return
    first = min(o.start_us for o in failures)
    last = max(o.start_us for o in failures)
    earliest_us, earliest = history[0]
    if earliest_us <= last:
        return
    shown: object = earliest.isoformat()
    if isinstance(given, Mapping):  # name the value as the caller wrote it
        written = given.get(service)
        shown = written if isinstance(written, datetime | str) else earliest.isoformat()
    start = next(o for o in failures if o.start_us == first).start
    raise InvalidValueError(
        f"recovery_points[{show(service)}]",
        f"at or before a failure it covers (the first failure of {show(service)} starts"
        f" {start.isoformat()}; this point is after every failure)",
        shown,
    )


def _row(
    goal: RecoveryObjective,
    outage: Outage,
    history: list[tuple[int, pendulum.DateTime]],
    instants: list[int],
) -> RecoveryRow:
    restore = outage.end_us - outage.start_us
    k = bisect_right(instants, outage.start_us)  # points at or before the failure
    if k == 0:
        point = None
        lost = None
        rpo_met = False
    else:
        point_us, point = history[k - 1]
        lost = outage.start_us - point_us
        rpo_met = lost <= goal.rpo_us
    return RecoveryRow(
        service=goal.service,
        outage=outage,
        objective=goal,
        rto_achieved=to_timedelta(restore),
        rto_met=restore <= goal.rto_us,
        recovery_point=point,
        rpo_achieved=None if lost is None else to_timedelta(lost),
        rpo_met=rpo_met,
    )


def _worst(goal: RecoveryObjective, rows: list[RecoveryRow]) -> WorstRecovery:
    restores = [r.rto_achieved for r in rows]
    losses = [r.rpo_achieved for r in rows if r.rpo_achieved is not None]
    uncovered = len(rows) - len(losses)
    return WorstRecovery(
        service=goal.service,
        objective=goal,
        failures=len(rows),
        rto_achieved=max(restores) if restores else None,
        rpo_achieved=max(losses) if losses else None,
        uncovered=uncovered,
        rto_met=all(r.rto_met for r in rows),
        rpo_met=all(r.rpo_met for r in rows),
    )
