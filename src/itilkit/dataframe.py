"""pandas helpers: business time and SLA clock columns for a DataFrame of tickets.

Needs pandas (``pip install "itilkit[pandas]"``). Nothing here is new
arithmetic: each column is what the scalar API returns for that row
(:meth:`~itilkit.ServiceWindow.business_time_many`, :meth:`SLA.clock <itilkit.Agreement.clock>`),
laid out as columns. For logs that do not fit one machine, the same functions
run per partition under Dask (``ddf.map_partitions(sla_columns, sla, as_of=...)``)
or PySpark (``mapInPandas``): windows and SLAs pickle to worker processes.
:func:`compliance_counts` and :func:`business_time_total` reduce a partition
to a few rows of exact integer counts, and :func:`combine_counts` adds those
up on the client (see the scale-out guide).

>>> import pandas as pd
>>> from itilkit import SLA, ServiceWindow, Target
>>> from itilkit.dataframe import sla_columns
>>> tickets = pd.DataFrame({
...     "number": ["INC1", "INC2"],
...     "priority": ["P1", "P3"],
...     "opened_at": pd.to_datetime(["2026-03-02T09:00", "2026-03-02T16:00"]).tz_localize("UTC"),
...     "responded_at": pd.to_datetime(["2026-03-02T09:20", None]).tz_localize("UTC"),
...     "resolved_at": pd.to_datetime(["2026-03-02T12:00", None]).tz_localize("UTC"),
... })
>>> office = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="UTC")
>>> sla = SLA("Gold", window=office, targets=[Target("response", "PT1H"),
...                                           Target("resolution", "PT8H")])
>>> out = sla_columns(tickets, sla, as_of="2026-03-03T09:00Z")
>>> out[["number", "response_stage", "response_elapsed", "resolution_stage"]]
  number response_stage response_elapsed resolution_stage
0   INC1            met  0 days 00:20:00              met
1   INC2       breached  0 days 02:00:00          running
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ._clock import Metric, TargetRule
from ._errors import InvalidValueError, ItilkitError, NoOpenTimeError, items_of
from ._incident import Incident, State
from ._priority import ITIL_PRIORITIES, Impact, Priority, Urgency
from ._sla import Agreement, NoTargetError
from ._time import to_us, zone_name
from ._window import ServiceWindow, as_window

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "business_time",
    "business_time_total",
    "combine_counts",
    "compliance_counts",
    "sla_columns",
]

#: For a ticket that records only its priority: the impact and urgency that give that
#: priority in the ITIL default matrix (PriorityMatrix.itil()).
_LEVELS_OF_PRIORITY = {
    Priority.P1: (Impact.HIGH, Urgency.HIGH),
    Priority.P2: (Impact.HIGH, Urgency.MEDIUM),
    Priority.P3: (Impact.HIGH, Urgency.LOW),
    Priority.P4: (Impact.MEDIUM, Urgency.LOW),
    Priority.P5: (Impact.LOW, Urgency.LOW),
}


def _require(frame: pd.DataFrame, columns: Iterable[object]) -> None:
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise InvalidValueError("frame", "a pandas DataFrame", frame)
    for column in columns:
        if not isinstance(column, str):
            raise InvalidValueError("column", "a column name (str)", column)
    headers = list(frame.columns)
    twice = [c for c in columns if headers.count(c) > 1]
    if twice:
        raise InvalidValueError("frame", "a DataFrame naming each column it uses once", twice)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidValueError(
            "frame",
            f"a DataFrame with the columns {', '.join(map(repr, missing))}",
            list(frame.columns),
        )


def business_time(
    frame: pd.DataFrame,
    window: ServiceWindow,
    *,
    start: str = "opened_at",
    end: str = "resolved_at",
) -> pd.Series:
    """Business time from ``start`` to ``end`` of each row (NaT where either is NaT).

    >>> import pandas as pd
    >>> from itilkit import ServiceWindow
    >>> frame = pd.DataFrame({
    ...     "opened_at": pd.to_datetime(["2026-03-06T17:00"]).tz_localize("UTC"),
    ...     "resolved_at": pd.to_datetime(["2026-03-09T10:00"]).tz_localize("UTC")})
    >>> business_time(frame, ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")).iloc[0]
    Timedelta('0 days 02:00:00')
    """
    import pandas as pd

    _require(frame, (start, end))
    values = as_window(window).business_time_many(frame[start], frame[end])
    return pd.Series(values, index=frame.index, name="business_time")


def _incident(row: Any, columns: dict[str, str | None]) -> Incident:
    import pandas as pd

    ticket = str(row[columns["id"]])
    opened = row[columns["opened_at"]]
    if pd.isna(opened):
        raise InvalidValueError(f"{columns['opened_at']}[{ticket}]", "an aware timestamp", opened)
    priority_column = columns["priority"]
    if priority_column is not None:
        impact, urgency = _LEVELS_OF_PRIORITY[Priority.parse(row[priority_column])]
    else:
        impact = row[columns["impact"]]
        urgency = row[columns["urgency"]]
    events: list[tuple[Any, State]] = []
    for key, state in (("responded_at", State.IN_PROGRESS), ("resolved_at", State.RESOLVED)):
        column = columns[key]
        if column is not None and not pd.isna(row[column]):
            events.append((_cell_instant(row[column]), state))
    return Incident.replay(
        ticket,
        events,
        impact=impact,
        urgency=urgency,
        opened_at=_cell_instant(opened),
        strict=False,
    )


def _cell_instant(value: Any) -> Any:
    """A timestamp cell as an instant itilkit reads: pandas Timestamps become datetimes;
    ISO strings (a CSV read without ``parse_dates``) and datetimes pass on to be checked."""
    to_pydatetime = getattr(value, "to_pydatetime", None)
    return value if to_pydatetime is None else to_pydatetime()


def sla_columns(
    frame: pd.DataFrame,
    sla: Agreement,
    *,
    as_of: object,
    id: str = "number",
    opened_at: str = "opened_at",
    responded_at: str | None = "responded_at",
    resolved_at: str | None = "resolved_at",
    priority: str | None = "priority",
    impact: str = "impact",
    urgency: str = "urgency",
    metrics: Iterable[Metric | str] = (Metric.RESPONSE, Metric.RESOLUTION),
) -> pd.DataFrame:
    """A copy of ``frame`` with SLA clock columns, one set per metric, as of ``as_of``.

    Each row is one ticket: its id, when it was opened, responded to (the
    first move out of NEW) and resolved (aware timestamps, NaT when not yet),
    and its ``priority`` (or, with ``priority=None``, its ``impact`` and
    ``urgency`` columns). For each metric the columns are
    ``<metric>_stage``, ``_elapsed``, ``_remaining``, ``_due``, ``_breached``,
    ``_breached_at`` and ``_percent`` (an exact ``Fraction``). A ticket with
    no target for its priority gets stage ``"no target"`` and empty values.
    Pauses are not in a one-row-per-ticket table: use the event-log import
    (:func:`itilkit.io.read_event_log`) when on-hold time must pause the clock.

    Aware timestamp columns are computed on integer arrays through the clock
    engine (one vectorised business-time lookup per target, a few integer
    calls per clock): some microseconds per row. Other columns (ISO strings,
    objects) are read row by row through :meth:`SLA.clock
    <itilkit.Agreement.clock>`, with the same result.
    """
    columns = _ticket_columns(
        frame,
        sla,
        id=id,
        opened_at=opened_at,
        responded_at=responded_at,
        resolved_at=resolved_at,
        priority=priority,
        impact=impact,
        urgency=urgency,
    )
    chosen = [Metric.parse(m) for m in metrics]
    try:
        fast = _engine_columns(frame, sla, as_of, columns, chosen)
    except ItilkitError:  # the row-by-row path names the ticket and the field
        fast = None
    if fast is not None:
        out = frame.copy()
        for name, column in fast.items():
            out[name] = column
        return out
    return _row_by_row(frame, sla, as_of, columns, chosen)


def _ticket_columns(
    frame: pd.DataFrame,
    sla: Agreement,
    *,
    id: str,
    opened_at: str,
    responded_at: str | None,
    resolved_at: str | None,
    priority: str | None,
    impact: str,
    urgency: str,
) -> dict[str, str | None]:
    """The column of each field of a ticket row (None: not in the table), checked against
    ``frame``; the agreement checked too."""
    columns: dict[str, str | None] = {
        "id": id,
        "opened_at": opened_at,
        "responded_at": responded_at,
        "resolved_at": resolved_at,
        "priority": priority,
        "impact": None if priority is not None else impact,
        "urgency": None if priority is not None else urgency,
    }
    if not isinstance(sla, Agreement):
        raise InvalidValueError("sla", "an SLA, OLA or underpinning contract", sla)
    needed = ("id", "opened_at")
    _require(frame, [c for k, c in columns.items() if c is not None or k in needed])
    return columns


_SUFFIXES = ("stage", "elapsed", "remaining", "due", "breached", "breached_at", "percent")
_NAT = -(2**63)
"""numpy's NaT as an int64."""


def _row_by_row(
    frame: pd.DataFrame,
    sla: Agreement,
    as_of: object,
    columns: dict[str, str | None],
    chosen: list[Metric],
) -> pd.DataFrame:
    """The clock columns of each row through an incident and :meth:`SLA.clock`: the
    reference the engine path is checked against, and the path for what it does not take."""
    import pandas as pd

    tz = zone_name(sla.window.tz)
    data: dict[str, list[Any]] = {}
    for m in chosen:
        for suffix in (
            "stage",
            "elapsed",
            "remaining",
            "due",
            "breached",
            "breached_at",
            "percent",
        ):
            data[f"{m.value}_{suffix}"] = []
    for _, row in frame.iterrows():
        incident = _incident(row, columns)
        for m in chosen:
            prefix = m.value
            try:
                clock = sla.clock(incident, m, as_of=as_of)
            except NoTargetError:
                values: tuple[Any, ...] = ("no target", pd.NaT, pd.NaT, pd.NaT, None, pd.NaT, None)
            else:
                values = (
                    clock.stage,
                    clock.elapsed,
                    clock.remaining,
                    clock.due,
                    clock.breached,
                    clock.breached_at,
                    clock.percent,
                )
            for suffix, value in zip(
                ("stage", "elapsed", "remaining", "due", "breached", "breached_at", "percent"),
                values,
                strict=True,
            ):
                data[f"{prefix}_{suffix}"].append(value)
    out = frame.copy()
    for name, values_list in data.items():
        if name.endswith(("_elapsed", "_remaining")):
            out[name] = pd.to_timedelta(pd.Series(values_list, index=frame.index, dtype=object))
        elif name.endswith(("_due", "_breached_at")):
            stamps = [pd.NaT if v is None or v is pd.NaT else pd.Timestamp(v) for v in values_list]
            instants = pd.to_datetime(pd.Series(stamps, index=frame.index, dtype=object), utc=True)
            out[name] = instants.dt.tz_convert(tz)
        else:
            out[name] = pd.Series(values_list, index=frame.index, dtype=object)
    return out


def _instants_us(series: pd.Series) -> Any:
    """Aware timestamps as int64 UTC microseconds (NaT as :data:`_NAT`); None when the
    column holds anything else (strings, naive times: the row-by-row path reads or refuses
    them)."""
    import numpy as np
    import pandas as pd

    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        return None
    utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return np.asarray(utc, dtype="datetime64[us]").view(np.int64)


def _priorities(frame: pd.DataFrame, columns: dict[str, str | None]) -> list[Priority]:
    """Each row's priority, as the row-by-row path gives its incident (parsed once per value)."""
    priority_column = columns["priority"]
    if priority_column is not None:
        found: dict[object, Priority] = {}
        out = []
        for value in frame[priority_column].tolist():
            p = found.get(value)
            if p is None:
                impact, urgency = _LEVELS_OF_PRIORITY[Priority.parse(value)]
                p = found[value] = ITIL_PRIORITIES.priority(impact, urgency)
            out.append(p)
        return out
    impact_column, urgency_column = columns["impact"], columns["urgency"]
    assert impact_column is not None and urgency_column is not None
    pairs: dict[tuple[object, object], Priority] = {}
    out = []
    for pair in zip(frame[impact_column].tolist(), frame[urgency_column].tolist(), strict=True):
        p = pairs.get(pair)
        if p is None:
            p = pairs[pair] = ITIL_PRIORITIES.priority(*pair)
        out.append(p)
    return out


def _stops(
    frame: pd.DataFrame,
    sla: Agreement,
    as_of: object,
    columns: dict[str, str | None],
    chosen: list[Metric],
) -> tuple[Any, dict[Metric, Any], int] | None:
    """Each row's opening and the instant each clock stops (``_NAT`` while it runs at
    ``as_of``), as int64 microseconds, and ``as_of``; None where the engine path does not
    apply (see :func:`_engine_columns`).

    A row is an incident opened at ``opened_at``, moved to IN_PROGRESS at
    ``responded_at`` and to RESOLVED at ``resolved_at`` (either may be NaT).
    Steps dated before the one they follow move up to it, and a step after
    ``as_of`` ends the record, as in a :class:`~itilkit._clock.Timeline`.
    """
    import numpy as np

    opened_column = columns["opened_at"]
    assert opened_column is not None
    o = _instants_us(frame[opened_column])
    if o is None or (o == _NAT).any():
        return None
    n = len(o)
    stamps = []
    for key in ("responded_at", "resolved_at"):
        column = columns[key]
        if column is None:
            stamps.append(np.full(n, _NAT, dtype=np.int64))
            continue
        values = _instants_us(frame[column])
        if values is None:
            return None
        stamps.append(values)
    r, s = stamps
    now = to_us(as_of, "as_of")
    if n and int(o.max()) > now:
        return None  # the row-by-row path names the ticket opened after as_of
    rules = sla._rules
    states = (State.NEW, State.IN_PROGRESS)
    for m in chosen:  # pause_on names neither today; should that change, the rows path
        for rule in rules.targets.get(m, {}).values():
            if m is Metric.RESOLUTION and any(
                rule.pause(state, None, None, frozenset()) for state in states
            ):
                return None  # pragma: no cover

    has_r, has_s = r != _NAT, s != _NAT
    r1 = np.maximum(r, o)  # a step before the opening moves up to it
    first = np.where(has_r, r1, np.where(has_s, np.maximum(s, o), _NAT))
    stop_response = np.where(has_r | has_s, first, _NAT)
    stop_response[stop_response > now] = _NAT
    s1 = np.maximum(s, np.where(has_r, r1, o))
    resolved = has_s & (~has_r | (r1 <= now)) & (s1 <= now)
    stop_resolution = np.where(resolved, s1, _NAT)
    return o, {Metric.RESPONSE: stop_response, Metric.RESOLUTION: stop_resolution}, now


def _engine_columns(
    frame: pd.DataFrame,
    sla: Agreement,
    as_of: object,
    columns: dict[str, str | None],
    chosen: list[Metric],
) -> dict[str, pd.Series] | None:
    """The clock columns computed on integer arrays, as the engine computes each clock.

    A row is an incident opened at ``opened_at``, moved to IN_PROGRESS at
    ``responded_at`` and to RESOLVED at ``resolved_at`` (either may be NaT),
    with one priority: each clock runs once, from the opening to its stop or
    ``as_of``, without a pause (unless the agreement pauses NEW or
    IN_PROGRESS: then None, and the row-by-row path). So elapsed is one
    vectorised business-time lookup per target; due and breach instants are
    the engine's integer calls. Steps dated before the one they follow move up
    to it, and a step after ``as_of`` ends the record, as in a
    :class:`~itilkit._clock.Timeline`. None also for timestamps that are not
    aware datetime columns, a missing opening, or an opening after ``as_of``.
    """
    import numpy as np
    import pandas as pd

    found_stops = _stops(frame, sla, as_of, columns, chosen)
    if found_stops is None:
        return None
    o, stop_of, now = found_stops
    n = len(o)
    priorities = _priorities(frame, columns)
    rules = sla._rules
    tz = zone_name(sla.window.tz)
    timedelta_dtype = pd.to_timedelta(pd.Series([timedelta(0)], dtype=object)).dtype
    instant_dtype = pd.to_datetime(  # the row-by-row path's resolution, whatever the pandas
        pd.Series([pd.Timestamp(datetime(2000, 1, 1, tzinfo=UTC))], dtype=object), utc=True
    ).dtype
    index = frame.index
    out: dict[str, pd.Series] = {}
    for m in chosen:
        stop = stop_of[m]
        targets = rules.targets.get(m, {})
        stage: list[str] = ["no target"] * n
        elapsed = np.full(n, _NAT, dtype=np.int64)
        remaining = np.full(n, _NAT, dtype=np.int64)
        due = np.full(n, _NAT, dtype=np.int64)
        breached_at = np.full(n, _NAT, dtype=np.int64)
        breached: list[bool | None] = [None] * n
        percent: list[Fraction | None] = [None] * n
        found: dict[Priority, TargetRule | None] = {}
        by_rule: dict[int, tuple[TargetRule, list[int]]] = {}
        for i, p in enumerate(priorities):
            if p not in found:
                found[p] = targets.get(p, targets.get(None))
            applies = found[p]
            if applies is not None:
                by_rule.setdefault(id(applies), (applies, []))[1].append(i)
        for target_rule, rows in by_rule.values():
            window = target_rule.window
            idx = np.asarray(rows, dtype=np.intp)
            starts = o[idx]
            stops = stop[idx]
            ends = np.where(stops == _NAT, now, stops)
            used = window.business_time_many(
                starts.view("datetime64[us]"), ends.view("datetime64[us]")
            ).view(np.int64)
            add, bt = window.add_us, window.business_time_us
            contains, next_open = window.contains_us, window.next_open_us
            days = target_rule.days
            for i, a, b, stopped, e in zip(
                rows,
                starts.tolist(),
                ends.tolist(),
                (stops != _NAT).tolist(),
                used.tolist(),
                strict=True,
            ):
                target = target_rule.us if days is None else bt(a, window.add_days_us(a, days))
                assert target is not None
                left = target - e
                when: int | None
                try:
                    # Not yet reached: due as the clock runs on from its end. Reached: the
                    # running time is one stretch from the start, so it is reached there.
                    when = add(b, left) if left > 0 else (add(a, target) if target else a)
                    if days is not None and not contains(when):
                        when = next_open(when)
                except NoOpenTimeError:
                    when = None
                late = e > target
                stage[i] = "breached" if late else ("met" if stopped else "running")
                elapsed[i] = e
                remaining[i] = left
                breached[i] = late
                percent[i] = Fraction(100 * e, target) if target else None
                if when is not None:
                    due[i] = when
                    if late:
                        breached_at[i] = when if contains(when) else next_open(when)
        prefix = m.value
        out[f"{prefix}_stage"] = pd.Series(stage, index=index, dtype=object)
        for name, values in (("elapsed", elapsed), ("remaining", remaining)):
            out[f"{prefix}_{name}"] = pd.Series(
                values.view("timedelta64[us]"), index=index
            ).astype(timedelta_dtype)
        for name, values in (("due", due), ("breached_at", breached_at)):
            out[f"{prefix}_{name}"] = (
                pd.Series(values.view("datetime64[us]"), index=index)
                .dt.tz_localize("UTC")
                .astype(instant_dtype)
                .dt.tz_convert(tz)
            )
        out[f"{prefix}_breached"] = pd.Series(breached, index=index, dtype=object)
        out[f"{prefix}_percent"] = pd.Series(percent, index=index, dtype=object)
    return {
        f"{m.value}_{suffix}": out[f"{m.value}_{suffix}"] for m in chosen for suffix in _SUFFIXES
    }


# -- per-partition reductions (Dask map_partitions, PySpark mapInPandas) ------------------

_COUNTS = ("met", "breached", "in_progress", "no_target")


def compliance_counts(
    frame: pd.DataFrame,
    sla: Agreement,
    *,
    as_of: object,
    id: str = "number",
    opened_at: str = "opened_at",
    responded_at: str | None = "responded_at",
    resolved_at: str | None = "resolved_at",
    priority: str | None = "priority",
    impact: str = "impact",
    urgency: str = "urgency",
    metrics: Iterable[Metric | str] = (Metric.RESPONSE, Metric.RESOLUTION),
) -> pd.DataFrame:
    """How many clocks of the tickets in ``frame`` are met, breached and in progress as of
    ``as_of``, per metric and priority: the stages :func:`sla_columns` gives, counted.

    One row per metric and priority (P1 to P5, zeros included, so every
    partition of a log gives the same rows): ``metric``, ``priority`` and
    the integer counts ``met``, ``breached``, ``in_progress`` and
    ``no_target`` (tickets whose priority has no target). Counts of parts
    add up to the counts of the whole (:func:`combine_counts`), so a log
    split into partitions is counted per partition, under Dask's
    ``map_partitions`` or PySpark's ``mapInPandas``, and the few rows of each
    are added on the client; ``met / (met + breached)`` is the exact rate.
    The columns, the arguments and the errors are those of :func:`sla_columns`.

    >>> import pandas as pd
    >>> from itilkit import SLA, ServiceWindow, Target
    >>> tickets = pd.DataFrame({
    ...     "number": ["INC1", "INC2", "INC3"],
    ...     "priority": ["P1", "P3", "P3"],
    ...     "opened_at": pd.to_datetime(["2026-03-02T09:00", "2026-03-02T16:00",
    ...                                  "2026-03-02T10:00"]).tz_localize("UTC"),
    ...     "responded_at": pd.to_datetime(["2026-03-02T09:20", None,
    ...                                     "2026-03-02T10:05"]).tz_localize("UTC"),
    ...     "resolved_at": pd.to_datetime(["2026-03-02T12:00", None,
    ...                                    "2026-03-02T11:00"]).tz_localize("UTC"),
    ... })
    >>> office = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="UTC")
    >>> sla = SLA("Gold", window=office, targets=[Target("response", "PT1H"),
    ...                                           Target("resolution", "PT8H")])
    >>> counts = compliance_counts(tickets, sla, as_of="2026-03-03T09:00Z")
    >>> counts[counts.priority.isin(["P1", "P3"])]
         metric priority  met  breached  in_progress  no_target
    0  response       P1    1         0            0          0
    2  response       P3    1         1            0          0
    5  resolution       P1    1         0            0          0
    7  resolution       P3    1         0            1          0
    """
    columns = _ticket_columns(
        frame,
        sla,
        id=id,
        opened_at=opened_at,
        responded_at=responded_at,
        resolved_at=resolved_at,
        priority=priority,
        impact=impact,
        urgency=urgency,
    )
    chosen = [Metric.parse(m) for m in metrics]
    try:
        counted = _engine_counts(frame, sla, as_of, columns, chosen)
    except ItilkitError:  # sla_columns names the ticket and the field
        counted = None
    if counted is None:
        counted = _stage_counts(frame, sla, as_of, columns, chosen)
    return _counts_frame(chosen, counted)


def _counts_frame(chosen: list[Metric], counted: dict[Metric, Any]) -> pd.DataFrame:
    """The counts frame: one row per metric and priority; ``counted[m]`` is an int64 array
    of shape (4, 6): a row per count (:data:`_COUNTS`), a column per priority value."""
    import pandas as pd

    data: dict[str, list[Any]] = {"metric": [], "priority": []}
    for name in _COUNTS:
        data[name] = []
    for m in chosen:
        table = counted[m]
        for p in Priority:
            data["metric"].append(m.value)
            data["priority"].append(p.name)
            for row, name in enumerate(_COUNTS):
                data[name].append(int(table[row, p.value]))
    out = pd.DataFrame({"metric": data["metric"], "priority": data["priority"]})
    for name in _COUNTS:
        out[name] = pd.Series(data[name], dtype="int64")
    return out


def _priority_values(frame: pd.DataFrame, columns: dict[str, str | None]) -> Any:
    """Each row's priority as an int array (1 to 5), each distinct cell read once, as
    :func:`_priorities` reads it."""
    import numpy as np
    import pandas as pd

    priority_column = columns["priority"]
    if priority_column is not None:
        codes, uniques = pd.factorize(frame[priority_column], use_na_sentinel=False)
        table = [
            ITIL_PRIORITIES.priority(*_LEVELS_OF_PRIORITY[Priority.parse(value)]).value
            for value in uniques.tolist()
        ]
    else:
        impact_column, urgency_column = columns["impact"], columns["urgency"]
        assert impact_column is not None and urgency_column is not None
        impacts, impact_values = pd.factorize(frame[impact_column], use_na_sentinel=False)
        urgencies, urgency_values = pd.factorize(frame[urgency_column], use_na_sentinel=False)
        width = len(urgency_values)
        codes = impacts.astype(np.int64) * width + urgencies
        found: dict[int, int] = {}
        for code in np.unique(codes).tolist():
            pair = (impact_values[code // width], urgency_values[code % width])
            found[code] = ITIL_PRIORITIES.priority(*pair).value
        table = [found.get(code, 0) for code in range(len(impact_values) * width)]
    return np.asarray(table, dtype=np.int64)[codes] if len(codes) else np.zeros(0, np.int64)


def _engine_counts(
    frame: pd.DataFrame,
    sla: Agreement,
    as_of: object,
    columns: dict[str, str | None],
    chosen: list[Metric],
) -> dict[Metric, Any] | None:
    """The counts on integer arrays: one vectorised business-time lookup per target and a
    comparison with the target (the stage :func:`_engine_columns` gives each row). None
    where that path does not apply."""
    import numpy as np

    found_stops = _stops(frame, sla, as_of, columns, chosen)
    if found_stops is None:
        return None
    o, stop_of, now = found_stops
    values = _priority_values(frame, columns)
    rules = sla._rules
    out: dict[Metric, Any] = {}
    for m in chosen:
        table = np.zeros((len(_COUNTS), 6), dtype=np.int64)
        stop = stop_of[m]
        targets = rules.targets.get(m, {})
        by_rule: dict[int, tuple[TargetRule, list[int]]] = {}
        for p in Priority:
            applies = targets.get(p, targets.get(None))
            if applies is None:
                table[3, p.value] = int(np.count_nonzero(values == p.value))
            else:
                by_rule.setdefault(id(applies), (applies, []))[1].append(p.value)
        for target_rule, priorities in by_rule.values():
            idx = np.flatnonzero(np.isin(values, priorities))
            window = target_rule.window
            starts = o[idx]
            stops = stop[idx]
            ends = np.where(stops == _NAT, now, stops)
            used = window.business_time_many(
                starts.view("datetime64[us]"), ends.view("datetime64[us]")
            ).view(np.int64)
            days = target_rule.days
            if days is None:
                target: Any = target_rule.us
            else:
                bt, add_days = window.business_time_us, window.add_days_us
                target = np.fromiter(
                    (bt(a, add_days(a, days)) for a in starts.tolist()),
                    dtype=np.int64,
                    count=len(idx),
                )
            late = used > target
            stopped = stops != _NAT
            row_values = values[idx]
            for row, chosen_rows in enumerate((~late & stopped, late, ~late & ~stopped)):
                table[row] += np.bincount(row_values[chosen_rows], minlength=6)
        out[m] = table
    return out


def _stage_counts(
    frame: pd.DataFrame,
    sla: Agreement,
    as_of: object,
    columns: dict[str, str | None],
    chosen: list[Metric],
) -> dict[Metric, Any]:
    """The counts read from :func:`sla_columns`' stages: the path for what the engine path
    does not take, and the one that names a bad row."""
    import numpy as np

    clocks = sla_columns(
        frame,
        sla,
        as_of=as_of,
        id=columns["id"] or "number",
        opened_at=columns["opened_at"] or "opened_at",
        responded_at=columns["responded_at"],
        resolved_at=columns["resolved_at"],
        priority=columns["priority"],
        impact=columns["impact"] or "impact",
        urgency=columns["urgency"] or "urgency",
        metrics=chosen,
    )
    values = [p.value for p in _priorities(frame, columns)]
    rows = {"met": 0, "breached": 1, "running": 2, "no target": 3}
    out: dict[Metric, Any] = {}
    for m in chosen:
        table = np.zeros((len(_COUNTS), 6), dtype=np.int64)
        for stage, value in zip(clocks[f"{m.value}_stage"].tolist(), values, strict=True):
            table[rows[stage], value] += 1
        out[m] = table
    return out


def business_time_total(
    frame: pd.DataFrame,
    window: ServiceWindow,
    *,
    start: str = "opened_at",
    end: str = "resolved_at",
) -> pd.DataFrame:
    """One row: how many ``rows``, how many ``intervals`` (rows with both ends), and their
    total business time in microseconds (``business_time_us``, exact).

    The per-partition form of :func:`business_time` for logs split into
    partitions: totals of parts add up with :func:`combine_counts` to the
    total of the whole, and ``business_time_us / intervals`` is the mean.

    >>> import pandas as pd
    >>> from itilkit import ServiceWindow
    >>> frame = pd.DataFrame({
    ...     "opened_at": pd.to_datetime(["2026-03-06T17:00", "2026-03-09T09:00"]).tz_localize("UTC"),
    ...     "resolved_at": pd.to_datetime(["2026-03-09T10:00", None]).tz_localize("UTC")})
    >>> business_time_total(frame, ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC"))
       rows  intervals  business_time_us
    0     2          1        7200000000
    """
    import numpy as np

    _require(frame, (start, end))
    values = as_window(window).business_time_many(frame[start], frame[end]).view(np.int64)
    found = values[values != _NAT]
    seconds, rest = np.divmod(found, 1_000_000)  # each sum far from overflowing an int64
    total = int(seconds.sum()) * 1_000_000 + int(rest.sum())
    return _integer_frame(
        {"rows": [len(values)], "intervals": [len(found)], "business_time_us": [total]}
    )


def _integer_frame(data: dict[str, list[Any]]) -> pd.DataFrame:
    """A frame of the given columns; a column of Python ints is int64 when every value
    fits, else kept as Python ints (object), exact either way."""
    import pandas as pd

    out = pd.DataFrame(index=pd.RangeIndex(len(next(iter(data.values())))))
    for name, values in data.items():
        if values and all(type(v) is int for v in values):
            fits = all(-(2**63) <= v < 2**63 for v in values)
            out[name] = pd.Series(values, dtype="int64" if fits else object)
        else:
            out[name] = values
    return out


def combine_counts(parts: pd.DataFrame | Iterable[pd.DataFrame]) -> pd.DataFrame:
    """The per-partition results of :func:`compliance_counts` or
    :func:`business_time_total` added up: integer columns summed, exactly, for each
    combination of the other columns (in the order they first appear).

    ``parts`` is one frame (the partitions' rows together, as Dask's
    ``compute()`` or PySpark's ``toPandas()`` return them) or several.

    >>> import pandas as pd
    >>> a = pd.DataFrame({"metric": ["response", "resolution"], "met": [3, 1], "breached": [0, 2]})
    >>> b = pd.DataFrame({"metric": ["response", "resolution"], "met": [1, 1], "breached": [1, 0]})
    >>> combine_counts([a, b])
           metric  met  breached
    0    response    4         1
    1  resolution    2         2
    """
    import pandas as pd

    frames = (
        [parts]
        if isinstance(parts, pd.DataFrame)
        else items_of(
            parts, pd.DataFrame, "parts", "a pandas DataFrame or frames", "a pandas DataFrame"
        )
    )
    if not frames:
        raise InvalidValueError("parts", "at least one frame", parts)
    header = list(frames[0].columns)
    for i, frame in enumerate(frames):
        if list(frame.columns) != header:
            raise InvalidValueError(
                f"parts[{i}]", f"a frame with the columns {header}", frame.columns.tolist()
            )
    whole = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    counts = [c for c in header if _is_count(whole[c])]
    keys = [c for c in header if c not in counts]
    sums: dict[tuple[Any, ...], list[int]] = {}
    key_columns = [whole[k].tolist() for k in keys]
    count_columns = [whole[c].tolist() for c in counts]
    for i in range(len(whole)):
        key = tuple(column[i] for column in key_columns)
        total = sums.get(key)
        if total is None:
            total = sums[key] = [0] * len(counts)
        for j, column in enumerate(count_columns):
            total[j] += int(column[i])
    data: dict[str, list[Any]] = {k: [key[j] for key in sums] for j, k in enumerate(keys)}
    for j, c in enumerate(counts):
        data[c] = [total[j] for total in sums.values()]
    if not sums:  # no rows: the columns, empty, as they came
        return whole.iloc[:0].reset_index(drop=True)
    return _integer_frame({c: data[c] for c in header})


def _is_count(column: pd.Series) -> bool:
    """An integer column: numpy integers, or Python ints (a sum too large for an int64)."""
    import pandas as pd

    if pd.api.types.is_integer_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column):
        return True
    return (
        column.dtype == object and all(type(v) is int for v in column.tolist()) and len(column) > 0
    )
