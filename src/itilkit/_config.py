"""Configuration documents: SLAs (and OLAs, UCs) and their windows as dicts, TOML and JSON.

An agreement is data an SLA manager writes, so it lives in a file. The
schema (what :meth:`SLA.from_dict <itilkit.SLA.from_dict>` reads and
:meth:`~itilkit.SLA.to_dict` writes)::

    name = "Gold"
    pause_on = ["on_hold"]
    warn_at = ["50%", "75%"]
    availability = "99.5%"
    on_priority_change = "keep"          # optional: "keep" (default) or "restart"

    [window]
    hours = "Mon-Fri 08:00-17:00"        # "24x7" or absent: always open
    tz = "Europe/Berlin"                 # required
    holidays = "DE"                      # optional: a country code or a list of dates
    overrides = { 2026-12-24 = "08:00-12:00" }   # optional

    [[targets]]
    metric = "response"
    priority = "P1"                      # optional: absent means every priority
    within = "PT1H"

    [applies_to]                         # optional: which incidents it covers
    priority = ["P1", "P2"]
    service = ["Email"]

Reading validates the whole document and raises one
:class:`~itilkit.ConfigError` listing every problem with its path
(``$.targets[2].within``). Writing gives the canonical document: reading it
back gives an equal agreement. Ratios are written as percentages (``"50%"``)
or, when no finite decimal holds them, as an exact fraction (``"1/3"``),
which reading also accepts.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import partial
from os import PathLike
from typing import TYPE_CHECKING, Any, TypeVar

from ._calendar import HolidayCalendar
from ._errors import ConfigError, InvalidValueError
from ._ratio import parse_ratio, percent_text
from ._time import iso_duration, to_duration_us, zone
from ._window import ServiceWindow

if TYPE_CHECKING:
    from ._sla import Agreement

__all__ = [
    "agreement_from_dict",
    "agreement_to_dict",
    "load_json",
    "load_toml",
    "ratio_from_text",
    "ratio_to_text",
    "window_from_dict",
    "window_to_dict",
]

A = TypeVar("A", bound="Agreement")
T = TypeVar("T")

AGREEMENT_KEYS = (
    "name",
    "window",
    "targets",
    "pause_on",
    "warn_at",
    "availability",
    "on_priority_change",
    "applies_to",
)
WINDOW_KEYS = ("hours", "tz", "holidays", "overrides")
TARGET_KEYS = ("metric", "priority", "within")
CONDITION_KEYS = ("priority", "service", "category")
ALWAYS = "24x7"


class _Problems:
    """Collects ``(path, message)`` pairs while a document is read."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def check(self, path: str, parse: Callable[[], T]) -> T | None:
        """Run ``parse``; on an itilkit error note it at ``path`` and return None."""
        try:
            return parse()
        except InvalidValueError as err:
            self.add(path, f"must be {err.expectation} (got {err.value!r})")
        return None

    def unknown(self, path: str, mapping: Mapping[str, Any], known: tuple[str, ...]) -> None:
        for key in mapping:
            if key not in known:
                self.add(
                    f"{path}.{key}", f"must be one of the keys {', '.join(known)} (got {key!r})"
                )

    def mapping(self, path: str, value: object) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"must be a table (mapping) (got {value!r})")
        return None

    def array(self, path: str, value: object) -> list[Any] | None:
        if isinstance(value, list | tuple):
            return list(value)
        self.add(path, f"must be an array (got {value!r})")
        return None


ratio_from_text = parse_ratio
ratio_to_text = percent_text


# -- windows ---------------------------------------------------------------------------


def window_from_dict(
    document: object, path: str = "$.window", problems: _Problems | None = None
) -> ServiceWindow | None:
    """The window a ``window`` table describes (None, with problems noted, if it cannot)."""
    own = problems is None
    problems = problems or _Problems()
    doc = problems.mapping(path, document)
    if doc is None:
        return _finish(problems, own, None)
    problems.unknown(path, doc, WINDOW_KEYS)
    before = len(problems.items)
    tz = doc.get("tz")
    if tz is None:
        problems.add(f"{path}.tz", "is required")
        tz = "UTC"
    elif problems.check(f"{path}.tz", lambda: zone(tz)) is None:
        tz = "UTC"  # go on checking the rest against some zone
    hours = doc.get("hours", ALWAYS)
    holidays = doc.get("holidays")
    overrides = doc.get("overrides")
    if isinstance(holidays, list):
        holidays = tuple(holidays)
    if hours == ALWAYS and holidays is None and overrides is None:
        if len(problems.items) > before:
            return _finish(problems, own, None)
        return _finish(problems, own, ServiceWindow.always(tz=tz))
    if hours == ALWAYS:
        hours = "Mon-Sun 00:00-24:00"
    checked = [
        problems.check(f"{path}.hours", lambda: _checked(ServiceWindow.weekly(hours, tz=tz))),
        problems.check(f"{path}.holidays", lambda: _checked(HolidayCalendar.parse(holidays))),
    ]
    if overrides is not None:
        checked.append(
            problems.check(
                f"{path}.overrides",
                lambda: _checked(ServiceWindow.weekly("closed", tz=tz, overrides=overrides)),
            )
        )
    if len(problems.items) > before or None in checked:
        return _finish(problems, own, None)
    window = problems.check(
        path, lambda: ServiceWindow.weekly(hours, tz=tz, holidays=holidays, overrides=overrides)
    )
    return _finish(problems, own, window)


def _checked(_: object) -> bool:
    return True


def _finish(problems: _Problems, own: bool, value: T) -> T:
    if own and problems.items:
        raise ConfigError(problems.items)
    return value


def window_to_dict(window: ServiceWindow) -> dict[str, Any]:
    """The ``window`` table of a weekly or 24x7 window.

    >>> window_to_dict(ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE"))
    {'hours': 'Mon-Fri 08:00-17:00', 'tz': 'Europe/Berlin', 'holidays': 'DE'}
    """
    return window.to_dict()


# -- agreements ------------------------------------------------------------------------


def agreement_from_dict(cls: type[A], document: object) -> A:
    """Build ``cls`` (SLA, OLA, UnderpinningContract) from a document, or raise ConfigError."""
    from ._clock import Metric
    from ._incident import State
    from ._priority import Priority
    from ._sla import Target, _rule, _states

    problems = _Problems()
    doc = problems.mapping("$", document)
    if doc is None:
        raise ConfigError(problems.items)
    problems.unknown("$", doc, AGREEMENT_KEYS)
    name = doc.get("name")
    if name is None:
        problems.add("$.name", "is required")
    elif not isinstance(name, str) or not name.strip():
        problems.add("$.name", f"must be a non-empty string (got {name!r})")
    window = None
    if "window" not in doc:
        problems.add("$.window", "is required")
    else:
        window = window_from_dict(doc["window"], "$.window", problems)

    targets: list[Target] = []
    seen: dict[tuple[Any, Any], int] = {}
    raw_targets = doc.get("targets")
    items = None if raw_targets is None else problems.array("$.targets", raw_targets)
    if raw_targets is None:
        problems.add("$.targets", "is required")
    elif items is not None and not items:
        problems.add("$.targets", "must hold at least one target (got [])")
    for i, item in enumerate(items or ()):
        path = f"$.targets[{i}]"
        entry = problems.mapping(path, item)
        if entry is None:
            continue
        problems.unknown(path, entry, TARGET_KEYS)
        for required in ("metric", "within"):
            if required not in entry:
                problems.add(f"{path}.{required}", "is required")
        metric = (
            problems.check(f"{path}.metric", partial(Metric.parse, entry["metric"]))
            if "metric" in entry
            else None
        )
        within = None
        if "within" in entry:
            within = problems.check(f"{path}.within", partial(_positive, entry["within"]))
        priority = None
        priority_ok = True
        if entry.get("priority") is not None:
            priority = problems.check(
                f"{path}.priority", partial(Priority.parse, entry["priority"])
            )
            priority_ok = priority is not None
        if metric is None or within is None or not priority_ok:
            continue
        key = (metric, priority)
        if key in seen:
            which = "every priority" if priority is None else priority.name
            problems.add(
                path,
                f"must be the only {metric.value} target for {which}"
                f" (got a second one; the first is $.targets[{seen[key]}])",
            )
            continue
        seen[key] = i
        targets.append(Target(metric, entry["within"], priority=priority))

    options: dict[str, Any] = {}
    if "pause_on" in doc:
        states = problems.array("$.pause_on", doc["pause_on"])
        if states is not None:
            parsed = [
                problems.check(f"$.pause_on[{i}]", partial(State.parse, v))
                for i, v in enumerate(states)
            ]
            if None not in parsed:
                value = problems.check("$.pause_on", lambda: _states(parsed))
                if value is not None:
                    options["pause_on"] = value
    if "warn_at" in doc:
        ratios = problems.array("$.warn_at", doc["warn_at"])
        if ratios is not None:
            parsed_ratios = [
                problems.check(f"$.warn_at[{i}]", partial(_warning, v))
                for i, v in enumerate(ratios)
            ]
            if None not in parsed_ratios:
                options["warn_at"] = parsed_ratios
    if doc.get("availability") is not None:
        availability = problems.check(
            "$.availability", lambda: ratio_from_text(doc["availability"], "availability")
        )
        if availability is not None:
            options["availability"] = availability
    if "on_priority_change" in doc:
        rule = problems.check("$.on_priority_change", lambda: _rule(doc["on_priority_change"]))
        if rule is not None:
            options["on_priority_change"] = rule
    if "applies_to" in doc:
        condition = _condition(doc["applies_to"], problems)
        if condition is not None:
            options["applies_to"] = condition
    if problems.items:
        raise ConfigError(problems.items)
    assert isinstance(name, str) and window is not None  # every problem was reported above
    built = problems.check("$", lambda: cls(name, window=window, targets=targets, **options))
    if built is None:  # pragma: no cover - every field was validated above
        raise ConfigError(problems.items)
    return built


def _positive(value: object) -> Any:
    if isinstance(value, bool) or not isinstance(value, str):
        raise InvalidValueError("within", "an ISO 8601 duration such as 'PT4H'", value)
    if to_duration_us(value, "within") <= 0:
        raise InvalidValueError("within", "a positive duration", value)
    return value


def _warning(value: object) -> Fraction:
    ratio = ratio_from_text(value, "warn_at")
    if ratio == 0:
        raise InvalidValueError("warn_at", "above 0%", value)
    return ratio


def _condition(value: object, problems: _Problems) -> Any:
    from ._priority import Priority
    from ._sla import Condition

    doc = problems.mapping("$.applies_to", value)
    if doc is None:
        return None
    problems.unknown("$.applies_to", doc, CONDITION_KEYS)
    fields: dict[str, Any] = {}
    ok = True
    for key in CONDITION_KEYS:
        if key not in doc:
            continue
        items = doc[key]
        if isinstance(items, str):
            items = [items]
        listed = problems.array(f"$.applies_to.{key}", items)
        if listed is None:
            ok = False
            continue
        for i, item in enumerate(listed):
            path = f"$.applies_to.{key}[{i}]"
            if key == "priority":
                if problems.check(path, partial(Priority.parse, item)) is None:
                    ok = False
            elif not isinstance(item, str):
                problems.add(path, f"must be a string (got {item!r})")
                ok = False
        fields[key] = listed
    return Condition(**fields) if ok else None


def agreement_to_dict(agreement: Agreement) -> dict[str, Any]:
    """The canonical configuration document of an agreement."""
    out: dict[str, Any] = {
        "name": agreement.name,
        "window": window_to_dict(agreement.window),
        "targets": [
            {
                "metric": t.metric.value,
                **({} if t.priority is None else {"priority": t.priority.name}),
                "within": iso_duration(to_duration_us(t.within)),
            }
            for t in agreement.targets
        ],
        "pause_on": sorted(s.value for s in agreement.pause_on),
        "warn_at": [ratio_to_text(w) for w in agreement.warn_at],
    }
    if agreement.availability is not None:
        out["availability"] = ratio_to_text(agreement.availability)
    if agreement.on_priority_change != "keep":
        out["on_priority_change"] = agreement.on_priority_change
    if agreement.applies_to is not None:
        out["applies_to"] = agreement.applies_to.to_dict()
    return out


# -- files -----------------------------------------------------------------------------


def load_toml(path: str | PathLike[str]) -> Mapping[str, Any]:
    """The document in a TOML file (a syntax error becomes a ConfigError)."""
    with open(path, "rb") as handle:
        try:
            return tomllib.load(handle)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError([("$", f"must be valid TOML ({err})")]) from None


def load_json(path: str | PathLike[str]) -> Any:
    """The document in a JSON file (a syntax error becomes a ConfigError)."""
    with open(path, encoding="utf-8") as handle:
        try:
            return json.load(handle)
        except json.JSONDecodeError as err:
            raise ConfigError([("$", f"must be valid JSON ({err})")]) from None
