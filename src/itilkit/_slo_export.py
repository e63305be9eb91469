"""SLOs as code and calendars out: OpenSLO v1, Prometheus rules, Alertmanager time intervals.

The public face is :mod:`itilkit.export`; this module holds the work.

**OpenSLO v1.** :func:`to_openslo` writes an :class:`~itilkit.ErrorBudget` as an
``apiVersion: openslo/v1``, ``kind: SLO`` document and :func:`from_openslo`
reads one back (specification: the OpenSLO README, section "SLO" and
"Objectives", https://github.com/OpenSLO/OpenSLO#slo). The period is one
calendar-aligned ``timeWindow`` item (``duration`` shorthand, ``calendar.startTime``
as a local wall time without zone, ``calendar.timeZone``, ``isRolling: false``);
the objective is ``objectives[0].target`` in [0, 1); the budget counts time, so
``budgetingMethod`` is ``Timeslices`` (one-minute slices). What OpenSLO has no
field for is kept in ``metadata.annotations``, which the specification reserves
for implementation-specific data: the agreed service hours
(``itilkit.io/service-window``, the window's configuration table as JSON) and,
when the float ``target`` is not the exact objective, the exact ratio
(``itilkit.io/objective``).

Duration shorthands: ``m`` and ``h`` are elapsed time; ``d``, ``w``, ``M``, ``Q``
and ``Y`` are calendar steps in the window's zone (a day across a DST change is
23 or 25 hours; a month from the 31st ends on the last day of a shorter month).

**Prometheus.** :func:`prometheus_rules` writes a rule file (recording rules for
the error ratio over every lookback, and the multiwindow, multi-burn-rate alerts of
Google's SRE Workbook, chapter 5 "Alerting on SLOs",
https://sre.google/workbook/alerting-on-slos/). A business-hours window becomes a
condition on ``day_of_week()`` and ``hour()`` (UTC, as PromQL gives them), one
per UTC offset the zone has during the budget's period, with holidays and other
exceptions of the period written as explicit instants; over the period the
condition is open exactly when the window is.

**Alertmanager.** :func:`alertmanager_time_intervals` writes the
``time_intervals`` section of an Alertmanager configuration
(https://prometheus.io/docs/alerting/latest/configuration/#time_interval:
``weekdays``, ``times`` with ``start_time``/``end_time``, ``days_of_month``,
``months``, ``years``, ``location``): the window's weekly hours, and its holidays
and overrides over a range as explicit dates.

YAML needs PyYAML, the optional extra ``yaml``; without it these functions raise
:class:`~itilkit.MissingDependencyError`.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any, Protocol, TypeVar

from ._calendar import HolidayCalendar, parse_date
from ._errors import InvalidValueError, ItilkitError, MissingDependencyError
from ._intervals import Intervals, merge, subtract
from ._ratio import format_decimal, format_percent, parse_ratio, ratio_text
from ._spec import DAY, DayHours, WeekHours, parse_ranges, parse_week
from ._time import (
    US_PER_SECOND,
    InstantLike,
    Zone,
    boundary_to_us,
    from_us,
    local_date,
    local_datetime,
    td_us,
    to_us,
    zone,
    zone_name,
)
from ._window import ServiceWindow, as_window

__all__ = [
    "BudgetLike",
    "RuleLike",
    "alertmanager_time_intervals",
    "open_condition",
    "prometheus_rules",
    "read_openslo",
    "to_openslo",
]

_WEEK = 7 * DAY
_US_DAY = DAY * US_PER_SECOND
_HOUR_US = 3_600 * US_PER_SECOND
_MINUTE_US = 60 * US_PER_SECOND
#: The longest period written or read (ten years of 366 days).
_MAX_PERIOD_US = 3_660 * _US_DAY
#: The longest budget period whose business hours are written as PromQL conditions.
_MAX_CONDITION_US = 367 * _US_DAY
_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_SHORTHAND = re.compile(r"([1-9][0-9]{0,5})([mhdwMQY])")
_WINDOW_ANNOTATION = "itilkit.io/service-window"
_OBJECTIVE_ANNOTATION = "itilkit.io/objective"
_WINDOW_PLACEHOLDER = "{{window}}"


class BudgetLike(Protocol):
    """What the export reads of an :class:`~itilkit.ErrorBudget` (this module is reached
    from its methods, so it names the class's attributes rather than importing it)."""

    @property
    def objective(self) -> Fraction: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def window(self) -> ServiceWindow: ...
    @property
    def period(self) -> timedelta: ...


class RuleLike(Protocol):
    """What the export reads of a :class:`~itilkit.BurnRateRule`."""

    @property
    def budget_fraction(self) -> Fraction: ...
    @property
    def long_window(self) -> timedelta: ...
    @property
    def short_window(self) -> timedelta: ...
    @property
    def severity(self) -> str: ...
    def threshold(self, period: timedelta) -> Fraction: ...


B = TypeVar("B")


# -- shared helpers --------------------------------------------------------------------


def _yaml() -> Any:
    """The ``yaml`` module (PyYAML), or MissingDependencyError naming the extra."""
    try:
        return importlib.import_module("yaml")
    except ImportError as exc:
        raise MissingDependencyError("pyyaml", "yaml") from exc


def _dump(document: object) -> str:
    yaml = _yaml()

    class Dumper(yaml.SafeDumper):  # type: ignore[misc,name-defined]
        pass

    def text(dumper: Any, data: str) -> Any:
        style = "|" if "\n" in data else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Dumper.add_representer(str, text)
    out: str = yaml.dump(
        document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=1_000_000
    )
    return out


def _load_all(text: object, field: str) -> list[Any]:
    if not isinstance(text, str):
        raise InvalidValueError(field, "YAML text (a str)", text)
    yaml = _yaml()
    try:
        return list(yaml.safe_load_all(text))
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        raise InvalidValueError(field, f"YAML text ({str(exc)[:200]})", text) from None


def _name(value: object, field: str = "name") -> str:
    if not isinstance(value, str) or _NAME.fullmatch(value) is None:
        raise InvalidValueError(
            field,
            "a DNS label (at most 63 characters: lowercase letters, digits and '-', "
            "starting and ending with a letter or digit)",
            value,
        )
    return value


_BUDGET_FIELDS = ("objective", "start", "end", "window", "period")
_RULE_FIELDS = ("budget_fraction", "long_window", "short_window", "severity", "threshold")


def _budget(value: object) -> BudgetLike:
    if isinstance(value, type) or not all(hasattr(value, f) for f in _BUDGET_FIELDS):
        raise InvalidValueError("budget", "an ErrorBudget", value)
    return value  # type: ignore[return-value]


def decimal_text(value: Fraction) -> str:
    """A number exactly as PromQL reads it: a decimal when one is exact, else ``(p / q)``.

    >>> decimal_text(Fraction(72, 5) * Fraction(1, 1000)), decimal_text(Fraction(1, 3))
    ('0.0144', '(1 / 3)')
    """
    text = ratio_text(value)  # the library's one exact decimal writer
    return f"({value.numerator} / {value.denominator})" if "/" in text else text


def _prom_duration(delta: timedelta) -> str:
    us = td_us(delta)
    for unit, size in (("d", _US_DAY), ("h", _HOUR_US), ("m", _MINUTE_US), ("s", US_PER_SECOND)):
        if us % size == 0:
            return f"{us // size}{unit}"
    if us % 1_000 == 0:
        return f"{us // 1_000}ms"
    raise InvalidValueError("rules", "lookbacks of whole milliseconds", delta)


def _seconds_text(us: int) -> str:
    return decimal_text(Fraction(us, US_PER_SECOND))


# -- weekly hours, from a window's configuration table ---------------------------------


class _Weekly:
    """A weekly or 24x7 window read from its configuration table."""

    def __init__(self, window: ServiceWindow) -> None:
        table = window.to_dict()
        self.window = window
        self.tz_name: str = table["tz"]
        self.tz: Zone = zone(self.tz_name)
        self.week: WeekHours = parse_week(table["hours"])
        self.pattern = ServiceWindow.weekly(table["hours"], tz=self.tz_name)
        holidays = table.get("holidays")
        self.holidays = HolidayCalendar.parse(holidays) if holidays is not None else None
        self.overrides: dict[date, DayHours] = {
            parse_date(day, "overrides"): parse_ranges(ranges)
            for day, ranges in table.get("overrides", {}).items()
        }
        self.always = window == ServiceWindow.always(tz=self.tz_name)

    @property
    def has_exceptions(self) -> bool:
        return self.holidays is not None or bool(self.overrides)

    def day_ranges(self, day: date, closed: frozenset[date]) -> DayHours:
        ranges = self.overrides.get(day)
        if ranges is not None:
            return ranges
        return () if day in closed else self.week[day.weekday()]


def _weekly(window: object) -> _Weekly:
    w = as_window(window)
    try:
        return _Weekly(w)
    except InvalidValueError:
        raise InvalidValueError(
            "window", "a weekly or 24x7 window (others have no configuration form)", w
        ) from None


# -- OpenSLO ------------------------------------------------------------------------------


def _add_months(naive: datetime, months: int) -> datetime:
    index = naive.year * 12 + naive.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - timedelta(days=1)).day
    return naive.replace(year=year, month=month, day=min(naive.day, last))


_MONTHS = {"M": 1, "Q": 3, "Y": 12}
_DAYS = {"d": 1, "w": 7}
_ELAPSED = {"m": _MINUTE_US, "h": _HOUR_US}


def _advance(start_us: int, naive: datetime, count: int, unit: str, tz: Zone) -> int:
    """The instant ``count`` shorthand units after a start (m, h elapsed; others calendar)."""
    if unit in _ELAPSED:
        return start_us + count * _ELAPSED[unit]
    if unit in _DAYS:
        return boundary_to_us(naive + timedelta(days=count * _DAYS[unit]), tz)
    return boundary_to_us(_add_months(naive, count * _MONTHS[unit]), tz)


def _shorthand(budget: BudgetLike, naive: datetime, tz: Zone) -> str:
    start_us, end_us = to_us(budget.start), to_us(budget.end)
    end_naive = local_datetime(end_us, tz).replace(tzinfo=None)
    months = (end_naive.year - naive.year) * 12 + end_naive.month - naive.month
    days = (end_naive.date() - naive.date()).days
    candidates = [(months // _MONTHS[u], u) for u in "YQM"] + [(days // _DAYS[u], u) for u in "wd"]
    candidates += [((end_us - start_us) // _ELAPSED[u], u) for u in "hm"]
    for count, unit in candidates:
        if count >= 1 and _advance(start_us, naive, count, unit, tz) == end_us:
            return f"{count}{unit}"
    raise InvalidValueError(
        "budget",
        "a period of whole minutes, hours, days, weeks or months to write in OpenSLO",
        budget,
    )


def to_openslo(
    budget: BudgetLike, *, name: str, service: str, indicator_ref: str | None = None
) -> str:
    """The budget as an OpenSLO v1 ``SLO`` document (YAML); :func:`from_openslo` reads it back.

    ``name`` is the SLO's ``metadata.name`` (a DNS label), ``service`` the
    service it belongs to. The SLI is referred to by ``indicator_ref`` (default:
    ``name``), defined elsewhere.

    >>> from itilkit import ErrorBudget
    >>> budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")
    >>> print(to_openslo(budget, name="checkout", service="shop"), end="")
    apiVersion: openslo/v1
    kind: SLO
    metadata:
      name: checkout
    spec:
      service: shop
      indicatorRef: checkout
      timeWindow:
      - duration: 30d
        calendar:
          startTime: '2026-03-01 00:00:00'
          timeZone: UTC
        isRolling: false
      budgetingMethod: Timeslices
      objectives:
      - displayName: availability
        target: 0.999
        timeSliceTarget: 1
        timeSliceWindow: 1m
    """
    budget = _budget(budget)
    name = _name(name)
    if not isinstance(service, str) or not service.strip():
        raise InvalidValueError("service", "a non-empty service name", service)
    ref = name if indicator_ref is None else _name(indicator_ref, "indicator_ref")
    window = budget.window
    tz = window.tz
    tz_name = zone_name(tz)
    start_us, end_us = to_us(budget.start), to_us(budget.end)
    if end_us - start_us > _MAX_PERIOD_US:
        raise InvalidValueError("budget", "a period of at most ten years", budget)
    naive = local_datetime(start_us, tz).replace(tzinfo=None)
    if naive.microsecond or boundary_to_us(naive, tz) != start_us:
        raise InvalidValueError(
            "budget", "a start at a whole second of unambiguous local time", budget.start
        )
    duration = _shorthand(budget, naive, tz)
    annotations: dict[str, str] = {}
    if window != ServiceWindow.always(tz=tz_name):
        table = _weekly(window).window.to_dict()
        annotations[_WINDOW_ANNOTATION] = json.dumps(table, ensure_ascii=False)
    target = float(budget.objective)
    if Fraction(repr(target)) != budget.objective:
        objective = budget.objective
        annotations[_OBJECTIVE_ANNOTATION] = f"{objective.numerator}/{objective.denominator}"
    metadata: dict[str, Any] = {"name": name}
    if annotations:
        metadata["annotations"] = annotations
    document = {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": metadata,
        "spec": {
            "service": service,
            "indicatorRef": ref,
            "timeWindow": [
                {
                    "duration": duration,
                    "calendar": {
                        "startTime": naive.strftime("%Y-%m-%d %H:%M:%S"),
                        "timeZone": tz_name,
                    },
                    "isRolling": False,
                }
            ],
            "budgetingMethod": "Timeslices",
            "objectives": [
                {
                    "displayName": "availability",
                    "target": target,
                    "timeSliceTarget": 1,
                    "timeSliceWindow": "1m",
                }
            ],
        },
    }
    return _dump(document)


def _mapping(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidValueError(field, "a mapping", value)
    return value


def _one(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, list) or len(value) != 1:
        raise InvalidValueError(field, "a list of exactly one item", value)
    return _mapping(value[0], f"{field}[0]")


def _start_time(value: object) -> datetime:
    field = "spec.timeWindow[0].calendar.startTime"
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidValueError(field, "a local time 'YYYY-MM-DD HH:MM:SS'", value) from None
    else:
        raise InvalidValueError(field, "a local time 'YYYY-MM-DD HH:MM:SS'", value)
    if moment.tzinfo is not None:
        raise InvalidValueError(field, "a local time without zone (timeZone gives it)", value)
    return moment


def _objective(item: Mapping[str, Any], annotations: Mapping[str, Any]) -> Fraction:
    field = "spec.objectives[0]"
    if "target" in item:
        value, scale = item["target"], Fraction(1)
    elif "targetPercent" in item:
        value, scale = item["targetPercent"], Fraction(1, 100)
    else:
        raise InvalidValueError(field, "a 'target' or 'targetPercent'", dict(item))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError(f"{field}.target", "a number", value)
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidValueError(f"{field}.target", "a finite number", value)
    ratio = parse_ratio(Fraction(repr(value)) * scale, f"{field}.target")
    exact = annotations.get(_OBJECTIVE_ANNOTATION)
    if isinstance(exact, str) and re.fullmatch(r"[0-9]{1,400}/[1-9][0-9]{0,399}", exact):
        candidate = Fraction(exact)
        if abs(candidate - ratio) <= Fraction(1, 10**12):
            return parse_ratio(candidate, f"metadata.annotations.{_OBJECTIVE_ANNOTATION}")
    return ratio


def read_openslo(text: str, make: Any) -> Any:
    """The :class:`~itilkit.ErrorBudget` an OpenSLO v1 ``SLO`` document describes.

    The document (or the one ``kind: SLO`` document of a YAML stream) needs a
    calendar-aligned time window and one objective; the service window comes
    from the ``itilkit.io/service-window`` annotation (24x7 in ``timeZone`` without it).

    >>> from itilkit import ErrorBudget
    >>> budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")
    >>> read_openslo(to_openslo(budget, name="checkout", service="shop"), ErrorBudget) == budget
    True
    """
    documents = [d for d in _load_all(text, "text") if d is not None]
    slos = [d for d in documents if isinstance(d, Mapping) and d.get("kind") == "SLO"]
    if len(slos) != 1:
        raise InvalidValueError(
            "text", "YAML holding exactly one OpenSLO 'kind: SLO' document", text
        )
    document = slos[0]
    if document.get("apiVersion") != "openslo/v1":
        raise InvalidValueError("apiVersion", "'openslo/v1'", document.get("apiVersion"))
    metadata = _mapping(document.get("metadata", {}), "metadata")
    annotations = _mapping(metadata.get("annotations") or {}, "metadata.annotations")
    spec = _mapping(document.get("spec"), "spec")
    window_item = _one(spec.get("timeWindow"), "spec.timeWindow")
    if window_item.get("isRolling") is True:
        raise InvalidValueError(
            "spec.timeWindow[0].isRolling", "false (an ErrorBudget has a start)", True
        )
    calendar = _mapping(window_item.get("calendar"), "spec.timeWindow[0].calendar")
    tz = zone(calendar.get("timeZone"), "spec.timeWindow[0].calendar.timeZone")
    naive = _start_time(calendar.get("startTime"))
    duration = window_item.get("duration")
    match = _SHORTHAND.fullmatch(duration) if isinstance(duration, str) else None
    if match is None:
        raise InvalidValueError(
            "spec.timeWindow[0].duration", "a duration shorthand such as '30d' or '1M'", duration
        )
    objective = _objective(_one(spec.get("objectives"), "spec.objectives"), annotations)
    table = annotations.get(_WINDOW_ANNOTATION)
    if table is None:
        window = ServiceWindow.always(tz=tz)
    else:
        try:
            parsed = json.loads(table) if isinstance(table, str) else None
        except (ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            raise InvalidValueError(
                f"metadata.annotations.{_WINDOW_ANNOTATION}", "a JSON window table", table
            )
        window = ServiceWindow.from_dict(parsed)
    try:
        start_us = boundary_to_us(naive, tz)
        if local_datetime(start_us, tz).replace(tzinfo=None) != naive:
            raise InvalidValueError(
                "spec.timeWindow[0].calendar.startTime",
                f"a local time that exists in {zone_name(tz)} (not in a DST gap)",
                naive.strftime("%Y-%m-%d %H:%M:%S"),
            )
        end_us = _advance(start_us, naive, int(match[1]), match[2], tz)
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, ItilkitError):
            raise
        raise InvalidValueError(
            "spec.timeWindow[0].duration", "a period within years 1 to 9999", duration
        ) from None
    if end_us - start_us > _MAX_PERIOD_US:
        raise InvalidValueError("spec.timeWindow[0].duration", "at most ten years", duration)
    return make(objective, start=from_us(start_us, tz), end=from_us(end_us, tz), window=window)


# -- Prometheus -----------------------------------------------------------------------------


def _offset_segments(tz: Zone, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """``(start_us, end_us, utc_offset_seconds)`` covering ``[lo, hi)``."""

    def offset(us: int) -> int:
        delta = from_us(us, tz).utcoffset()
        assert delta is not None
        return td_us(delta) // US_PER_SECOND

    segments: list[tuple[int, int, int]] = []
    begin, current = lo, offset(lo)
    previous = lo
    for probe in [*range(lo + 6 * _HOUR_US, hi, 6 * _HOUR_US), hi - 1]:
        now = offset(probe)
        if now != current:
            a, b = previous, probe  # offset(a) == current, offset(b) == now
            while b - a > 1:
                mid = (a + b) // 2
                if offset(mid) == current:
                    a = mid
                else:
                    b = mid
            segments.append((begin, b, current))
            begin, current = b, offset(b)
        previous = probe
    segments.append((begin, hi, current))
    return segments


def _utc_week(week: WeekHours, offset: int) -> list[list[tuple[int, int]]]:
    """Each UTC weekday's open seconds of the day (Monday first) for a local week at ``offset``."""
    pieces: list[tuple[int, int]] = []
    for day, ranges in enumerate(week):
        for s, e in ranges:
            start = (day * DAY + s - offset) % _WEEK
            end = start + (e - s)
            if end <= _WEEK:
                pieces.append((start, end))
            else:
                pieces += [(start, _WEEK), (0, min(end - _WEEK, _WEEK))]
    merged = merge(pieces)
    return [
        [
            (max(s, d * DAY) - d * DAY, min(e, (d + 1) * DAY) - d * DAY)
            for s, e in merged
            if s < (d + 1) * DAY and e > d * DAY
        ]
        for d in range(7)
    ]


def _days_condition(days: list[int]) -> str | None:
    """PromQL for ``day_of_week()`` (0 = Sunday) in ``days``; None for every day."""
    if len(days) == 7:
        return None
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = [
        f"day_of_week() == {r[0]}"
        if len(r) == 1
        else f"day_of_week() >= {r[0]} and day_of_week() <= {r[-1]}"
        for r in runs
    ]
    return parts[0] if len(parts) == 1 else "(" + " or ".join(f"({p})" for p in parts) + ")"


def weekly_condition(per_day: list[list[tuple[int, int]]]) -> str:
    """PromQL true (a sample) when the UTC weekday and time of day fall in ``per_day``.

    ``per_day`` lists each UTC weekday's (Monday first) open seconds of the day.

    >>> weekly_condition([[(0, 32400)]] * 5 + [[], []])
    '(day_of_week() >= 1 and day_of_week() <= 5 and hour() < 9)'
    """
    bounds = {b for ranges in per_day for pair in ranges for b in pair}
    if all(b % 3_600 == 0 for b in bounds):
        clock, unit = "hour()", 3_600
    elif all(b % 60 == 0 for b in bounds):
        clock, unit = "(hour() * 60 + minute())", 60
    else:
        clock, unit = "(vector(time()) % 86400)", 1
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for d, ranges in enumerate(per_day):
        if ranges:
            groups.setdefault(tuple(ranges), []).append((d + 1) % 7)
    clauses = []
    for key, days in groups.items():
        times = []
        ranges = list(key)
        for s, e in ranges:
            parts = ([f"{clock} >= {s // unit}"] if s > 0 else []) + (
                [f"{clock} < {e // unit}"] if e < DAY else []
            )
            if parts:
                times.append(" and ".join(parts))
        day_part = _days_condition(days)
        conditions = [day_part] if day_part is not None else []
        if len(times) == len(ranges) and times:
            conditions.append(
                times[0] if len(times) == 1 else "(" + " or ".join(f"({t})" for t in times) + ")"
            )
        clauses.append(" and ".join(conditions) if conditions else "vector(1)")
    if not clauses:
        return "(vector(1) < 0)"
    return " or ".join(f"({c})" for c in clauses)


def _spans_condition(spans: Intervals) -> str:
    return " or ".join(
        f"(vector(time()) >= {_seconds_text(s)} and vector(time()) < {_seconds_text(e)})"
        for s, e in spans
    )


def _condition_spans(per_day: list[list[tuple[int, int]]], lo: int, hi: int) -> Intervals:
    """The instants in ``[lo, hi)`` that a weekly UTC condition holds."""
    out: Intervals = []
    day = lo - lo % _US_DAY
    while day < hi:
        weekday = (day // _US_DAY + 3) % 7  # 1970-01-01 was a Thursday
        for s, e in per_day[weekday]:
            a, b = day + s * US_PER_SECOND, day + e * US_PER_SECOND
            if b > lo and a < hi:
                out.append((max(a, lo), min(b, hi)))
        day += _US_DAY
    return merge(out)


def open_condition(budget: BudgetLike) -> str | None:
    """PromQL open exactly when the budget's window is, over its period; None for 24x7.

    Weekly hours become ``day_of_week()`` and ``hour()`` conditions in UTC, one
    per UTC offset the zone has in the period (bounded by ``time()``); holidays
    and overrides in the period become explicit ``time()`` ranges.

    >>> from itilkit import ErrorBudget, ServiceWindow
    >>> seoul = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul")
    >>> open_condition(ErrorBudget("99%", start="2026-03-01T00:00+09:00",
    ...                            end="2026-04-01T00:00+09:00", window=seoul))
    '(day_of_week() >= 1 and day_of_week() <= 5 and hour() < 9)'
    """
    budget = _budget(budget)
    weekly = _weekly(budget.window)
    if weekly.always:
        return None
    lo, hi = to_us(budget.start), to_us(budget.end)
    if hi - lo > _MAX_CONDITION_US:
        raise InvalidValueError(
            "budget", "a period of at most 367 days to write business hours in PromQL", budget
        )
    segments = _offset_segments(weekly.tz, lo, hi)
    clauses = []
    covered: Intervals = []
    for i, (a, b, offset) in enumerate(segments):
        per_day = _utc_week(weekly.week, offset)
        covered += _condition_spans(per_day, a, b)
        condition = weekly_condition(per_day)
        if len(segments) == 1:
            clauses.append(condition)
            continue
        limits = ([f"vector(time()) >= {_seconds_text(a)}"] if i > 0 else []) + (
            [f"vector(time()) < {_seconds_text(b)}"] if i < len(segments) - 1 else []
        )
        clauses.append(f"({condition}) and " + " and ".join(limits))
    out = clauses[0] if len(clauses) == 1 else " or ".join(f"({c})" for c in clauses)
    actual = budget.window.spans_us(lo, hi)
    covered = merge(covered)
    closed, extra = subtract(covered, actual), subtract(actual, covered)
    if closed:
        out = f"({out}) unless on() ({_spans_condition(closed)})"
    if extra:
        out = f"({out}) or on() ({_spans_condition(extra)})"
    return out


def _template(value: object, field: str) -> str:
    if not isinstance(value, str) or _WINDOW_PLACEHOLDER not in value:
        raise InvalidValueError(
            field, "a PromQL template with '{{window}}' standing for the range", value
        )
    if "\x00" in value or len(value) > 10_000:
        raise InvalidValueError(field, "a PromQL expression of at most 10,000 characters", value)
    return value.strip()


def _rule_list(rules: Iterable[RuleLike]) -> tuple[RuleLike, ...]:
    if isinstance(rules, str | bytes) or not isinstance(rules, Iterable):
        raise InvalidValueError("rules", "an iterable of BurnRateRule", rules)
    out = tuple(rules)
    for i, rule in enumerate(out):
        if isinstance(rule, type) or not all(hasattr(rule, f) for f in _RULE_FIELDS):
            raise InvalidValueError(f"rules[{i}]", "a BurnRateRule", rule)
    if not out:
        raise InvalidValueError("rules", "at least one BurnRateRule", rules)
    return out


def prometheus_rules(
    budget: BudgetLike,
    *,
    good: str,
    total: str,
    name: str,
    rules: Iterable[RuleLike],
) -> str:
    """A Prometheus rule file: error-ratio recording rules and multiwindow burn-rate alerts.

    ``good`` and ``total`` are PromQL templates in which ``{{window}}`` stands
    for the range (``5m``, ``1h``, ...). For each lookback of ``rules``
    (default :data:`BURN_RATE_RULES`) a recording rule
    ``itilkit:slo_errors:ratio_rate<range>`` holds ``1 - good / total``; each
    rule alerts (``ErrorBudgetBurn``, labels ``slo``, ``severity``, ``long_window``,
    ``short_window``) when both lookbacks' error ratios are above
    ``burn rate x (1 - objective)``, the burn rate being the rule's threshold for
    the budget's period (14.4, 6, 3 and 1 for 30 days). A business-hours window
    gates the alerts with ``itilkit:slo_window:open`` (see :func:`open_condition`).

    >>> from itilkit import ErrorBudget
    >>> from itilkit.export import prometheus_rules  # the SRE Workbook's rules by default
    >>> budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")
    >>> text = prometheus_rules(budget, good='sum(rate(http_requests_total{code!~"5.."}[{{window}}]))',
    ...                         total="sum(rate(http_requests_total[{{window}}]))", name="checkout")
    >>> "itilkit:slo_errors:ratio_rate1h{slo=\\"checkout\\"} > 0.0144" in text
    True
    """
    budget = _budget(budget)
    good = _template(good, "good")
    total = _template(total, "total")
    name = _name(name)
    chosen = _rule_list(rules)
    allowed = 1 - budget.objective
    condition = open_condition(budget)
    lookbacks = sorted({w for r in chosen for w in (r.short_window, r.long_window)})
    selector = f'{{slo="{name}"}}'
    records: list[dict[str, Any]] = []
    for lookback in lookbacks:
        span = _prom_duration(lookback)
        records.append(
            {
                "record": f"itilkit:slo_errors:ratio_rate{span}",
                "expr": f"1 - (\n  ({good.replace(_WINDOW_PLACEHOLDER, span)})\n/\n"
                f"  ({total.replace(_WINDOW_PLACEHOLDER, span)})\n)",
                "labels": {"slo": name},
            }
        )
    records.append(
        {
            "record": "itilkit:slo_objective:ratio",
            "expr": f"vector({decimal_text(budget.objective)})",
            "labels": {"slo": name},
        }
    )
    if condition is not None:
        records.append(
            {
                "record": "itilkit:slo_window:open",
                "expr": f"vector(1) and on() (\n{condition}\n)",
                "labels": {"slo": name},
            }
        )
    alerts: list[dict[str, Any]] = []
    for rule in chosen:
        burn = rule.threshold(budget.period)
        limit = decimal_text(burn * allowed)
        long_span, short_span = _prom_duration(rule.long_window), _prom_duration(rule.short_window)
        expr = (
            f"itilkit:slo_errors:ratio_rate{long_span}{selector} > {limit}\n"
            f"and\nitilkit:slo_errors:ratio_rate{short_span}{selector} > {limit}"
        )
        if condition is not None:
            expr = f"(\n{expr}\n)\nand on() itilkit:slo_window:open{selector}"
        alerts.append(
            {
                "alert": "ErrorBudgetBurn",
                "expr": expr,
                "labels": {
                    "slo": name,
                    "severity": rule.severity,
                    "long_window": long_span,
                    "short_window": short_span,
                },
                "annotations": {
                    "summary": f"SLO {name}: error budget burning at over "
                    f"{format_decimal(burn)}x ({long_span} and {short_span})",
                    "description": f"At this rate {format_percent(rule.budget_fraction)} "
                    f"of the error budget is spent in {long_span}.",
                },
            }
        )
    return _dump({"groups": [{"name": f"itilkit-slo-{name}", "rules": records + alerts}]})


# -- Alertmanager --------------------------------------------------------------------------

_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _clock(seconds: int) -> str:
    if seconds % 60:
        raise InvalidValueError(
            "window", "hours in whole minutes (Alertmanager times are HH:MM)", seconds
        )
    return f"{seconds // 3_600:02d}:{seconds % 3_600 // 60:02d}"


def _times(ranges: Iterable[tuple[int, int]]) -> list[dict[str, str]]:
    return [{"start_time": _clock(s), "end_time": _clock(e)} for s, e in ranges]


def _split_days(ranges: Iterable[tuple[int, int]]) -> tuple[Intervals, Intervals]:
    """Ranges of a day in seconds (ends up to 48 h) split into that day's and the next's."""
    today = [(s, min(e, DAY)) for s, e in ranges if s < DAY]
    tomorrow = [(max(s, DAY) - DAY, e - DAY) for s, e in ranges if e > DAY]
    return today, tomorrow


def _weekday_ranges(week: WeekHours) -> list[Intervals]:
    per_day: list[Intervals] = [[] for _ in range(7)]
    for d, ranges in enumerate(week):
        today, tomorrow = _split_days(ranges)
        per_day[d] += today
        per_day[(d + 1) % 7] += tomorrow
    return [merge(r) for r in per_day]


def _weekday_entries(week: WeekHours, location: str) -> list[dict[str, Any]]:
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for d, ranges in enumerate(_weekday_ranges(week)):
        if ranges:
            groups.setdefault(tuple(ranges), []).append(d)
    entries = []
    for key, days in groups.items():
        ranges = list(key)
        runs: list[list[int]] = []
        for d in days:
            if runs and runs[-1][-1] == d - 1:
                runs[-1].append(d)
            else:
                runs.append([d])
        names = [
            _WEEKDAY_NAMES[r[0]]
            if len(r) == 1
            else f"{_WEEKDAY_NAMES[r[0]]}:{_WEEKDAY_NAMES[r[-1]]}"
            for r in runs
        ]
        entry: dict[str, Any] = {"weekdays": names}
        if ranges != [(0, DAY)]:
            entry["times"] = _times(ranges)
        entry["location"] = location
        entries.append(entry)
    return entries


def _date_entry(day: date, ranges: Intervals, location: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "days_of_month": [str(day.day)],
        "months": [str(day.month)],
        "years": [str(day.year)],
    }
    if ranges != [(0, DAY)]:
        entry["times"] = _times(ranges)
    entry["location"] = location
    return entry


def alertmanager_time_intervals(
    window: ServiceWindow,
    *,
    name: str,
    start: InstantLike | None = None,
    end: InstantLike | None = None,
) -> str:
    """The ``time_intervals`` of an Alertmanager configuration for a weekly or 24x7 window.

    ``name`` holds the weekly hours (and dates an override opens beyond them):
    use it as a route's ``active_time_intervals``. A window with holidays or
    overrides needs a range ``[start, end)``; its closures in the range (whole
    holidays, shortened days) become explicit dates in ``<name>-closed``, for
    ``mute_time_intervals`` (Alertmanager has no subtraction, but a mute wins).

    >>> from itilkit import ServiceWindow
    >>> office = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul")
    >>> print(alertmanager_time_intervals(office, name="office"), end="")
    time_intervals:
    - name: office
      time_intervals:
      - weekdays:
        - monday:friday
        times:
        - start_time: 09:00
          end_time: '18:00'
        location: Asia/Seoul
    """
    name = _name(name)
    weekly = _weekly(window)
    location = weekly.tz_name
    if weekly.always:
        active: list[dict[str, Any]] = [{"weekdays": ["monday:sunday"], "location": location}]
        return _dump({"time_intervals": [{"name": name, "time_intervals": active}]})
    active = _weekday_entries(weekly.week, location)
    closed: list[dict[str, Any]] = []
    if weekly.has_exceptions:
        if start is None or end is None:
            raise InvalidValueError(
                "start", "a range (start and end) to list a window's holidays and overrides", start
            )
        lo, hi = to_us(start, "start"), to_us(end, "end")
        if hi <= lo:
            raise InvalidValueError("end", f"after start {start!r}", end)
        if hi - lo > _MAX_PERIOD_US:
            raise InvalidValueError("end", "at most ten years after start", end)
        first, last = local_date(lo, weekly.tz), local_date(hi - 1, weekly.tz)
        holidays = weekly.holidays
        closed_days = holidays.dates_in(first, last) if holidays is not None else frozenset()
        minus: dict[date, Intervals] = {}
        plus: dict[date, Intervals] = {}
        opened: dict[date, Intervals] = {}  # what is really open on each date, shifts split
        day = first - timedelta(days=1)
        while day <= last:
            today, tomorrow = _split_days(merge(list(weekly.day_ranges(day, closed_days))))
            opened.setdefault(day, []).extend(today)
            opened.setdefault(day + timedelta(days=1), []).extend(tomorrow)
            day += timedelta(days=1)
        day = first
        while day <= last:
            pattern = list(weekly.week[day.weekday()])
            actual = list(weekly.day_ranges(day, closed_days))
            if pattern != actual:
                for target, ranges in (
                    (minus, subtract(merge(pattern), merge(actual))),
                    (plus, subtract(merge(actual), merge(pattern))),
                ):
                    today, tomorrow = _split_days(ranges)
                    target.setdefault(day, []).extend(today)
                    target.setdefault(day + timedelta(days=1), []).extend(tomorrow)
            day += timedelta(days=1)
        active += [_date_entry(d, merge(r), location) for d, r in sorted(plus.items()) if merge(r)]
        # A closure never mutes what another day opens on that date (an overnight shift
        # closed by a holiday, on a date an override opens).
        minus = {d: subtract(merge(r), merge(opened.get(d, []))) for d, r in minus.items()}
        closed = [_date_entry(d, merge(r), location) for d, r in sorted(minus.items()) if merge(r)]
    intervals = [{"name": name, "time_intervals": active}]
    if closed:
        intervals.append({"name": f"{name}-closed", "time_intervals": closed})
    return _dump({"time_intervals": intervals})
