"""The rules a clock follows: when it starts, stops, pauses and resets.

Ticket systems define an SLA clock by conditions: ServiceNow's SLA
definitions have a *start*, *pause*, *stop* and *reset* condition; Jira
Service Management starts, pauses and stops a goal on events; Zendesk counts
a metric while the ticket is in some statuses. Here a condition is data:

- ``{"state": "new"}``: the incident is in one of the states named (a string
  or a list);
- ``{"state": "on_hold", "reason": "awaiting_caller"}``: on hold for one of
  the reasons named (a reason needs the state ``on_hold``);
- ``{"field": "group", "equals": "Network"}``: a carried field holds one of
  the values named; ``{"field": "assignee", "present": true}``: it holds a
  value at all;
- ``{"field": "group", "changed": true}``: the field changed at this update
  (an *event*: it holds at one instant only, so it can start, stop or reset a
  clock but never pause one);
- ``{"not": ...}``, ``{"all": [...]}``, ``{"any": [...]}`` combine them, and
  a list of conditions means any of them.

:class:`Clock` is a custom metric made of such conditions, :class:`BusinessDays`
a target counted in working days, and :func:`pause_items` reads an
agreement's ``pause_on`` (states and hold reasons). The engine that runs the
clocks is :mod:`itilkit._clock`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Final

import attrs

from ._document import Problems
from ._errors import InvalidValueError
from ._incident import CARRIED_FIELDS, HoldReason, State
from ._vocabulary import normalise

__all__ = [
    "AllOf",
    "AnyOf",
    "BusinessDays",
    "Clock",
    "FieldChanged",
    "FieldEquals",
    "FieldPresent",
    "Not",
    "PauseItem",
    "StateIs",
    "Test",
    "Trigger",
    "pause_items",
    "pause_text",
    "read_trigger",
]

Fields = Mapping[str, str] | None
Test = Callable[[State, "HoldReason | None", Fields, frozenset[str]], bool]
"""A condition as the engine calls it: ``test(state, reason, fields, changed)``; ``fields``
is None when the clock reads no carried field, ``changed`` the fields changed at this
update. Every condition object is such a callable (and pickles, unlike a closure)."""

BUILT_IN: Final = ("response", "resolution")


def _one_or_list(values: Iterable[str]) -> str | list[str]:
    items = sorted(values)
    return items[0] if len(items) == 1 else items


@attrs.frozen
class StateIs:
    """The incident is in one of ``states`` (and, if given, on hold for one of ``reasons``)."""

    states: frozenset[State]
    reasons: frozenset[HoldReason] = frozenset()

    event: ClassVar[bool] = False
    fields: ClassVar[frozenset[str]] = frozenset()
    state_only: ClassVar[bool] = True

    def __call__(self, s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
        return s in self.states and (not self.reasons or r in self.reasons)

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": _one_or_list(s.value for s in self.states)}
        if self.reasons:
            out["reason"] = _one_or_list(r.value for r in self.reasons)
        return out


@attrs.frozen
class FieldEquals:
    """The carried ``field`` holds one of ``values``."""

    field: str
    values: frozenset[str]

    event: ClassVar[bool] = False

    @property
    def fields(self) -> frozenset[str]:
        """The carried fields it reads."""
        return frozenset({self.field})

    state_only: ClassVar[bool] = False

    def __call__(self, s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
        return f is not None and f.get(self.field) in self.values

    def to_data(self) -> dict[str, Any]:
        return {"field": self.field, "equals": _one_or_list(self.values)}


@attrs.frozen
class FieldPresent:
    """The carried ``field`` holds a value (``present=True``) or none (``False``)."""

    field: str
    present: bool = True

    event: ClassVar[bool] = False

    @property
    def fields(self) -> frozenset[str]:
        """The carried fields it reads."""
        return frozenset({self.field})

    state_only: ClassVar[bool] = False

    def __call__(self, s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
        return (f is not None and self.field in f) is self.present

    def to_data(self) -> dict[str, Any]:
        return {"field": self.field, "present": self.present}


@attrs.frozen
class FieldChanged:
    """The carried ``field`` changed at this update (an event)."""

    field: str

    event: ClassVar[bool] = True

    @property
    def fields(self) -> frozenset[str]:
        """The carried fields it reads."""
        return frozenset({self.field})

    state_only: ClassVar[bool] = False

    def __call__(self, s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
        return self.field in c

    def to_data(self) -> dict[str, Any]:
        return {"field": self.field, "changed": True}


@attrs.frozen
class Not:
    """The condition ``inner`` does not hold."""

    inner: Trigger

    @property
    def event(self) -> bool:
        return self.inner.event

    @property
    def fields(self) -> frozenset[str]:
        """The carried fields it reads."""
        return self.inner.fields

    @property
    def state_only(self) -> bool:
        return self.inner.state_only

    def __call__(self, s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
        return not self.inner(s, r, f, c)

    def to_data(self) -> dict[str, Any]:
        return {"not": self.inner.to_data()}


class _Combination:
    """What ``all`` and ``any`` share: their items and what they read."""

    items: tuple[Trigger, ...]

    @property
    def event(self) -> bool:
        return any(t.event for t in self.items)

    @property
    def fields(self) -> frozenset[str]:
        """The carried fields it reads."""
        return frozenset().union(*(t.fields for t in self.items))

    @property
    def state_only(self) -> bool:
        return all(t.state_only for t in self.items)


@attrs.frozen
class AllOf(_Combination):
    """Every one of ``items`` holds (an empty list always holds)."""

    items: tuple[Trigger, ...]

    def __call__(self, s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
        return all(t(s, r, f, c) for t in self.items)

    def to_data(self) -> dict[str, Any]:
        return {"all": [t.to_data() for t in self.items]}


@attrs.frozen
class AnyOf(_Combination):
    """At least one of ``items`` holds (an empty list never holds)."""

    items: tuple[Trigger, ...]

    def __call__(self, s: State, r: HoldReason | None, f: Fields, c: frozenset[str]) -> bool:
        return any(t(s, r, f, c) for t in self.items)

    def to_data(self) -> list[Any]:
        return [t.to_data() for t in self.items]


Trigger = StateIs | FieldEquals | FieldPresent | FieldChanged | Not | AllOf | AnyOf
TRIGGERS: Final = (StateIs, FieldEquals, FieldPresent, FieldChanged, Not, AllOf, AnyOf)
NEVER: Final = AnyOf(())

_STATE_KEYS: Final = ("state", "reason")
_FIELD_KEYS: Final = ("field", "equals", "changed", "present")


def trigger_data(trigger: Trigger) -> Any:
    """The document form of a condition (a mapping, or a list for 'any')."""
    return trigger.to_data()


MAX_DEPTH: Final = 32
"""How deep conditions may nest (as deep as a document may, see :mod:`itilkit._document`)."""


def read_trigger(value: object, path: str, problems: Problems, depth: int = 0) -> Trigger | None:
    """Read one condition at ``path``; every problem is noted, None when there was one."""
    if isinstance(value, TRIGGERS):
        return value
    if depth > MAX_DEPTH:
        problems.add(path, f"must nest conditions at most {MAX_DEPTH} levels deep")
        return None
    if isinstance(value, list | tuple):
        before = len(problems.items)
        items = [read_trigger(v, f"{path}[{i}]", problems, depth + 1) for i, v in enumerate(value)]
        if len(problems.items) > before:
            return None
        chosen = tuple(t for t in items if t is not None)
        return chosen[0] if len(chosen) == 1 else AnyOf(chosen)
    doc = problems.mapping(path, value)
    if doc is None:
        return None
    for key in ("not", "all", "any"):
        if key in doc:
            return _read_combination(key, doc, path, problems, depth)
    if "state" in doc or "reason" in doc:
        return _read_state(doc, path, problems)
    if "field" in doc:
        return _read_field(doc, path, problems)
    problems.add(
        path,
        "must name a 'state' or a 'field', or combine conditions with 'not', 'all' or 'any'"
        f" (got the keys {sorted(map(str, doc)) or 'none'})",
    )
    return None


def _read_combination(
    key: str, doc: Mapping[str, Any], path: str, problems: Problems, depth: int
) -> Trigger | None:
    problems.unknown(path, doc, (key,))
    if key == "not":
        inner = read_trigger(doc[key], f"{path}.not", problems, depth + 1)
        return None if inner is None else Not(inner)
    items = problems.array(f"{path}.{key}", doc[key])
    if items is None:
        return None
    before = len(problems.items)
    parsed = [
        read_trigger(v, f"{path}.{key}[{i}]", problems, depth + 1) for i, v in enumerate(items)
    ]
    if len(problems.items) > before:
        return None
    chosen = tuple(t for t in parsed if t is not None)
    if key == "all":
        return AllOf(chosen)
    return chosen[0] if len(chosen) == 1 else AnyOf(chosen)  # as a list of one reads


def _names(value: object, path: str, problems: Problems) -> list[Any] | None:
    """A string or a non-empty list of strings, as a list."""
    if isinstance(value, str):
        return [value]
    items = problems.array(path, value)
    if items is not None and not items:
        problems.add(path, "must name at least one value (got [])")
        return None
    return items


def _read_state(doc: Mapping[str, Any], path: str, problems: Problems) -> Trigger | None:
    problems.unknown(path, doc, _STATE_KEYS)
    before = len(problems.items)
    states: list[State | None] = []
    if "state" not in doc:
        problems.add(
            f"{path}.state",
            "is required with a reason (a reason without a state: write"
            " {'state': 'on_hold', 'reason': ...})",
        )
    else:
        names = _names(doc["state"], f"{path}.state", problems) or []
        states = [
            problems.check(f"{path}.state", lambda v=v: State.parse(v))  # type: ignore[misc]
            for v in names
        ]
    reasons: list[HoldReason | None] = []
    if "reason" in doc:
        names = _names(doc["reason"], f"{path}.reason", problems) or []
        reasons = [
            problems.check(f"{path}.reason", lambda v=v: HoldReason.parse(v))  # type: ignore[misc]
            for v in names
        ]
        if states and set(states) != {State.ON_HOLD} and None not in states:
            problems.add(
                f"{path}.reason",
                "applies only to the state 'on_hold'"
                f" (got the states {sorted(s.value for s in states if s is not None)})",
            )
    if len(problems.items) > before:
        return None
    return StateIs(
        frozenset(s for s in states if s is not None),
        frozenset(r for r in reasons if r is not None),
    )


def _read_field(doc: Mapping[str, Any], path: str, problems: Problems) -> Trigger | None:
    problems.unknown(path, doc, _FIELD_KEYS)
    before = len(problems.items)
    name = doc["field"]
    if name not in CARRIED_FIELDS:
        problems.add(
            f"{path}.field",
            f"must be a carried field ({', '.join(CARRIED_FIELDS)}) (got {name!r})",
        )
    tests = [key for key in ("equals", "changed", "present") if key in doc]
    if len(tests) != 1:
        problems.add(
            path,
            "must test the field with exactly one of 'equals', 'changed' or 'present'"
            f" (got {tests or 'none'})",
        )
        return None
    test = tests[0]
    value = doc[test]
    out: Trigger | None = None
    if test == "equals":
        values = _names(value, f"{path}.equals", problems)
        if values is not None:
            for i, v in enumerate(values):
                if not isinstance(v, str):
                    problems.add(f"{path}.equals[{i}]", f"must be a string (got {v!r})")
            out = FieldEquals(str(name), frozenset(map(str, values)))
    elif test == "changed":
        if value is not True:
            problems.add(f"{path}.changed", f"must be true (got {value!r})")
        out = FieldChanged(str(name))
    else:
        if not isinstance(value, bool):
            problems.add(f"{path}.present", f"must be true or false (got {value!r})")
        out = FieldPresent(str(name), value is True)
    return None if len(problems.items) > before else out


# --- custom clocks ---------------------------------------------------------------------


def clock_name(value: object, field: str = "name") -> str:
    """A custom clock's name: a non-empty string that is not a built-in metric's."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(field, "a non-empty string", value)
    if normalise(value) in BUILT_IN:
        raise InvalidValueError(
            field, "a name other than the built-in metrics 'response' and 'resolution'", value
        )
    return value


@attrs.frozen(init=False)
class Clock:
    """A custom clock: a metric that starts, stops, pauses and resets on conditions.

    The conditions (see :mod:`itilkit._clock_rules` for the forms) are read
    on the incident after each update: the clock **starts** at the first
    update where ``start`` holds, **stops** at the first update where
    ``stop`` holds (for good, unless the agreement's ``on_reopen`` brings it
    back: only a stop on states can be reopened), stands still while
    ``pause`` holds, and on ``reset`` ends the running clock and waits for
    ``start`` again. Cancelling the incident cancels a running clock.

    "Time to assign" (from logging until an assignment group is set) and
    "time in the network team" (counted only while the group is Network):

    >>> assign = Clock("time_to_assign", start={"state": "new"},
    ...                stop={"field": "group", "present": True})
    >>> network = Clock("network_time", start={"field": "group", "equals": "Network"},
    ...                 stop={"state": ["resolved", "closed"]},
    ...                 pause={"not": {"field": "group", "equals": "Network"}})
    >>> network.to_dict()["pause"]
    [{'not': {'field': 'group', 'equals': 'Network'}}]
    >>> Clock("x", start={"state": "new"}, stop={"state": "resolved"},
    ...       pause={"field": "group", "changed": True})
    Traceback (most recent call last):
    ...
    itilkit.ConfigError: 1 problem in the configuration:
      $.pause: must hold over time, not at one update: 'changed' is an event (use 'equals' or 'present') (got {'field': 'group', 'changed': True})
    """

    name: str
    start: Trigger
    stop: Trigger
    pause: Trigger
    reset: Trigger

    def __init__(
        self,
        name: str,
        *,
        start: object,
        stop: object,
        pause: object = (),
        reset: object = (),
    ) -> None:
        problems = Problems()
        problems.check("$.name", lambda: clock_name(name))
        parts = read_clock_parts(
            {"start": start, "stop": stop, "pause": pause, "reset": reset}, "$", problems
        )
        problems.raise_if_any()
        self.__attrs_init__(name, *parts)

    @property
    def fields(self) -> frozenset[str]:
        """The carried fields its conditions read."""
        return frozenset().union(
            *(t.fields for t in (self.start, self.stop, self.pause, self.reset))
        )

    def to_dict(self) -> dict[str, Any]:
        """The document form (``Clock.from_dict`` of it gives back an equal clock)."""
        out: dict[str, Any] = {
            "name": self.name,
            "start": trigger_data(self.start),
            "stop": trigger_data(self.stop),
        }
        for key in ("pause", "reset"):
            trigger: Trigger = getattr(self, key)
            if trigger != NEVER:
                data = trigger_data(trigger)
                out[key] = data if isinstance(data, list) else [data]
        return out

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Clock:
        """Read the document form; every problem is reported with its path."""
        problems = Problems()
        doc = problems.mapping("$", document)
        problems.raise_if_any()
        assert doc is not None
        problems.unknown("$", doc, CLOCK_KEYS)
        for key in ("name", "start", "stop"):
            if key not in doc:
                problems.add(f"$.{key}", "is required")
        problems.raise_if_any()
        return cls(
            doc["name"],
            start=doc["start"],
            stop=doc["stop"],
            pause=doc.get("pause", ()),
            reset=doc.get("reset", ()),
        )


CLOCK_KEYS: Final = ("name", "start", "stop", "pause", "reset")


def read_clock_parts(
    doc: Mapping[str, Any], path: str, problems: Problems
) -> tuple[Trigger, Trigger, Trigger, Trigger]:
    """The four conditions of a clock document; problems noted at their paths."""
    parts = []
    for key in ("start", "stop", "pause", "reset"):
        value = doc.get(key, ())
        trigger = read_trigger(value, f"{path}.{key}", problems)
        if key == "pause" and trigger is not None and trigger.event:
            problems.add(
                f"{path}.pause",
                "must hold over time, not at one update: 'changed' is an event"
                f" (use 'equals' or 'present') (got {value!r})",
            )
        parts.append(NEVER if trigger is None else trigger)
    return parts[0], parts[1], parts[2], parts[3]


# --- pausing on states and hold reasons ------------------------------------------------

PauseItem = State | HoldReason


def _pause_item(value: object, field: str) -> PauseItem:
    if isinstance(value, State | HoldReason):
        item: PauseItem = value
    elif isinstance(value, str) and ":" in value:
        state_name, reason_name = value.split(":", 1)
        state = State.parse(state_name)
        if state is not State.ON_HOLD:
            raise InvalidValueError(
                field,
                "a hold reason after 'on_hold' only, such as 'on_hold:awaiting_caller'",
                value,
            )
        item = HoldReason.parse(reason_name)
    else:
        try:
            item = State.parse(value)
        except InvalidValueError:
            try:
                HoldReason.parse(value)
            except InvalidValueError:
                pass
            else:
                raise InvalidValueError(
                    field,
                    "a state, or 'on_hold:<reason>' for one hold reason (a reason without a state)",
                    value,
                ) from None
            raise
    if item in (State.NEW, State.IN_PROGRESS):
        raise InvalidValueError(field, "a state other than NEW and IN_PROGRESS", value)
    return item


def pause_items(value: object, field: str = "pause_on") -> frozenset[PauseItem]:
    """``pause_on`` as states and hold reasons: ``"on_hold"`` pauses on every reason,
    ``"on_hold:awaiting_caller"`` (or ``HoldReason.AWAITING_CALLER``) on one.

    A reason that ``on_hold`` already covers is dropped, so equal rules compare equal.

    >>> sorted(i.value for i in pause_items(["on_hold:awaiting_caller", "resolved"]))
    ['awaiting_caller', 'resolved']
    >>> pause_items("awaiting_caller")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'pause_on' must be a state, or 'on_hold:<reason>' for one hold reason (a reason without a state) (got 'awaiting_caller')
    """
    if isinstance(value, str | State | HoldReason):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InvalidValueError(field, "an iterable of states and hold reasons", value)
    items = frozenset(_pause_item(v, field) for v in value)
    if State.ON_HOLD in items:
        items = frozenset(i for i in items if not isinstance(i, HoldReason))
    return items


def pause_text(item: PauseItem) -> str:
    """How a document writes one ``pause_on`` item (``"on_hold:awaiting_caller"``)."""
    return f"on_hold:{item.value}" if isinstance(item, HoldReason) else item.value


def pause_trigger(items: frozenset[PauseItem]) -> Trigger:
    """``pause_on`` as a condition on the state and hold reason."""
    states = frozenset(i for i in items if isinstance(i, State))
    reasons = frozenset(i for i in items if isinstance(i, HoldReason))
    parts: list[Trigger] = []
    if states:
        parts.append(StateIs(states))
    if reasons:
        parts.append(StateIs(frozenset({State.ON_HOLD}), reasons))
    return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))


# --- business days -----------------------------------------------------------------------

_DAYS = re.compile(r"\s*(\d{1,6})\s+(?:business|working)\s+days?\s*", re.IGNORECASE)
MAX_BUSINESS_DAYS: Final = 146_400


def _days(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_BUSINESS_DAYS
    ):
        raise InvalidValueError(
            "within", f"a whole number of business days from 1 to {MAX_BUSINESS_DAYS:,}", value
        )


@attrs.frozen
class BusinessDays:
    """A target of ``days`` working days: due by the window's ``add_days``, as ticket
    systems mean "resolve within 3 business days".

    >>> BusinessDays.parse("3 business days"), str(BusinessDays(1))
    (BusinessDays(days=3), '1 business day')
    >>> BusinessDays(0)
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'within' must be a whole number of business days from 1 to 146,400 (got 0)
    """

    days: int = attrs.field(validator=_days)

    @classmethod
    def parse(cls, value: object) -> BusinessDays:
        """``"3 business days"`` (or ``"working days"``, any case) as BusinessDays."""
        if isinstance(value, BusinessDays):
            return value
        match = _DAYS.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise InvalidValueError("within", "a number of days such as '3 business days'", value)
        return cls(int(match.group(1)))

    @staticmethod
    def matches(value: object) -> bool:
        """Whether ``value`` is written as business days."""
        return isinstance(value, BusinessDays) or (
            isinstance(value, str) and _DAYS.fullmatch(value) is not None
        )

    def __str__(self) -> str:
        return f"{self.days} business day{'' if self.days == 1 else 's'}"
