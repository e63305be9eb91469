"""pandas helpers: business time and SLA clock columns for a DataFrame of tickets.

Needs pandas (``pip install "itilkit[pandas]"``). Nothing here is new
arithmetic: each column is what the scalar API returns for that row
(:meth:`~itilkit.ServiceWindow.business_time_many`, :meth:`SLA.clock <itilkit.Agreement.clock>`),
laid out as columns. For logs that do not fit one machine, the same functions
run per partition under Dask (``ddf.map_partitions(sla_columns, sla, as_of=...)``):
windows and SLAs pickle to worker processes.

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
from typing import TYPE_CHECKING, Any

from ._clock import Metric
from ._errors import InvalidValueError
from ._incident import Incident, State
from ._priority import Impact, Priority, Urgency
from ._sla import Agreement, NoTargetError
from ._time import zone_name
from ._window import ServiceWindow, as_window

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["business_time", "sla_columns"]

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
    """
    import pandas as pd

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
    chosen = [Metric.parse(m) for m in metrics]
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
