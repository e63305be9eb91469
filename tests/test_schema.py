"""The published SLA schema (``itilkit.schema("sla")``): a valid JSON Schema that accepts
every document ``SLA.to_dict`` writes, refuses what ``SLA.from_dict`` refuses where a
schema can say so, and never refuses a spelling the reader accepts.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import itilkit
from itilkit import (
    CARRIED_FIELDS,
    OLA,
    SLA,
    Agreement,
    Condition,
    ConfigError,
    HoldReason,
    InvalidValueError,
    Priority,
    ServiceWindow,
    State,
    Target,
    UnderpinningContract,
)
from itilkit._sla import BusinessDays, Clock  # not exported from itilkit yet
from itilkit._vocabulary import normalise

from .strategies import sla_windows

SCHEMA = itilkit.schema("sla")
VALIDATOR = Draft202012Validator(SCHEMA)
OFFICE = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
ALWAYS = ServiceWindow.always(tz="UTC")


def schema_errors(document: object) -> list[str]:
    """The schema's complaints about a document, each with its JSON path."""
    return [f"{e.json_path}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def reader_accepts(document: dict[str, Any]) -> bool:
    """Whether ``SLA.from_dict`` reads the document (a ConfigError is a refusal)."""
    try:
        SLA.from_dict(document)
    except ConfigError:
        return False
    return True


# --- (1) the schema itself --------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == "https://itilkit.invalid/schemas/sla.schema.json"
    assert SCHEMA["title"] and SCHEMA["description"]


def _properties(node: object, path: str = "#") -> list[tuple[str, dict[str, Any]]]:
    """Every ``properties`` entry anywhere in the schema, with where it is."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for key, child in node.get("properties", {}).items():
            found.append((f"{path}/properties/{key}", child))
        for key, child in node.items():
            found.extend(_properties(child, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            found.extend(_properties(child, f"{path}/{i}"))
    return found


def test_every_property_has_a_description_for_editors() -> None:
    props = _properties(SCHEMA)
    assert len(props) > 40
    missing = [path for path, prop in props if not prop.get("description")]
    assert missing == []


def test_the_keys_match_the_readers_keys() -> None:
    """The schema names the keys the reader knows, no more and no fewer."""
    from itilkit._clock_rules import CLOCK_KEYS
    from itilkit._sla import AGREEMENT_KEYS, CONDITION_KEYS, TARGET_KEYS
    from itilkit._window import WINDOW_KEYS

    defs = SCHEMA["$defs"]
    assert set(SCHEMA["properties"]) == set(AGREEMENT_KEYS)
    assert set(defs["target"]["properties"]) == set(TARGET_KEYS)
    assert set(defs["clock"]["properties"]) == set(CLOCK_KEYS)
    assert set(defs["window"]["properties"]) == set(WINDOW_KEYS)
    assert set(defs["applies_to"]["properties"]) == set(CONDITION_KEYS)
    field_form = defs["condition"]["anyOf"][2]
    assert field_form["properties"]["field"]["enum"] == list(CARRIED_FIELDS)


# --- (2) what to_dict writes validates -------------------------------------------------

TIME_TO_ASSIGN = Clock(
    "time_to_assign", start={"state": "new"}, stop={"field": "group", "present": True}
)
NETWORK_TIME = Clock(
    "network_time",
    start={"field": "group", "equals": "Network"},
    stop={"state": ["resolved", "closed"]},
    pause={"not": {"field": "group", "equals": "Network"}},
    reset=[{"field": "group", "changed": True}],
)

AGREEMENTS: dict[str, Agreement] = {
    "plain": SLA("Plain", window=OFFICE, targets=[Target("resolution", "PT8H")]),
    "gold": SLA(
        "Gold",
        window=OFFICE,
        targets=[
            Target("response", "PT1H", priority="P1"),
            Target("resolution", "PT4H", priority="P1"),
            Target("response", "PT4H"),
            Target("resolution", "P2D"),
        ],
        warn_at=["25%", Fraction(1, 3)],
        availability="99.5%",
        on_priority_change="restart",
    ),
    "per-target window and pause": SLA(
        "Mixed",
        window=OFFICE,
        targets=[
            Target("resolution", "PT4H", priority="P1", window=ALWAYS),
            Target(
                "resolution",
                "PT16H",
                priority="P2",
                window=ServiceWindow.weekly(
                    "Mon-Fri 09:00-18:00; Sat 10:00-14:00",
                    tz="Asia/Seoul",
                    holidays=["2026-03-01", "2026-05-05"],
                    overrides={"2026-12-24": "09:00-12:00", "2026-12-31": "closed"},
                ),
                pause_on=["on_hold:awaiting_caller"],
            ),
        ],
        pause_on=[],
    ),
    "business days": SLA(
        "Days",
        window=OFFICE,
        targets=[
            Target("resolution", "3 business days", priority="P3"),
            Target("resolution", BusinessDays(1)),
        ],
        pause_on=["on_hold:awaiting_vendor", "on_hold:awaiting_caller", "resolved"],
    ),
    "restart on reopen": SLA(
        "Reopen", window=ALWAYS, targets=[Target("resolution", "PT4H")], on_reopen="restart"
    ),
    "applies to": SLA(
        "ERP P1",
        window=ALWAYS,
        targets=[Target("response", "PT15M")],
        applies_to=Condition(priority=["P1"], service="ERP"),
        availability=Fraction(2, 3),
    ),
    "custom clocks": SLA(
        "Clocks",
        window=OFFICE,
        targets=[
            Target("resolution", "PT8H"),
            Target("time_to_assign", "PT30M"),
            Target("network_time", "PT2H", priority="P2"),
        ],
        clocks=[TIME_TO_ASSIGN, NETWORK_TIME],
    ),
    "an OLA with every condition form": OLA(
        "Network team",
        window=ALWAYS,
        targets=[Target("handover", "PT1H")],
        clocks=[
            Clock(
                "handover",
                start={"all": [{"state": "on_hold", "reason": ["awaiting_vendor"]}, []]},
                stop={"any": [{"state": "in progress"}, {"field": "ci", "equals": ["a", "b"]}]},
                pause=[{"field": "assignee", "present": False}, {"all": []}],
                reset={"not": {"field": "group", "changed": True}},
            )
        ],
    ),
    "an underpinning contract with an empty applies_to": UnderpinningContract(
        "Carrier", window=ALWAYS, targets=[Target("resolution", "PT4H")], applies_to=Condition()
    ),
}


@pytest.mark.parametrize("name", list(AGREEMENTS))
def test_to_dict_validates(name: str) -> None:
    agreement = AGREEMENTS[name]
    document = agreement.to_dict()
    assert schema_errors(document) == []
    assert type(agreement).from_dict(document) == agreement


def test_the_documented_example_validates() -> None:
    assert SCHEMA["examples"]
    for example in SCHEMA["examples"]:
        assert schema_errors(example) == []
        assert reader_accepts(example)


def test_the_bundled_sla_files_validate() -> None:
    """The SLA documents shipped as package data are valid by the schema too."""
    import tomllib
    from importlib import resources

    found = 0
    for entry in resources.files("itilkit").joinpath("data").iterdir():
        if entry.name.endswith("sla.toml"):
            document = tomllib.loads(entry.read_text("utf-8"))
            if reader_accepts(document):
                assert schema_errors(document) == [], entry.name
                found += 1
    assert found >= 1  # demo_sla.toml at least


# --- (3) any agreement: to_dict validates and reads back equal ---------------------------

STATES = [s.value for s in State]
REASONS = [r.value for r in HoldReason]
BUILT_IN = ("response", "resolution")


def _conditions(*, lasting: bool) -> st.SearchStrategy[Any]:
    """Condition documents; ``lasting`` ones hold over time (no 'changed' event inside)."""
    fields = st.sampled_from(CARRIED_FIELDS)
    values = st.lists(st.text(max_size=6), min_size=1, max_size=3, unique=True)
    leaves = [
        st.lists(st.sampled_from(STATES), min_size=1, max_size=3, unique=True).map(
            lambda s: {"state": s[0] if len(s) == 1 else s}
        ),
        st.lists(st.sampled_from(REASONS), min_size=1, max_size=3, unique=True).map(
            lambda r: {"state": "on_hold", "reason": r}
        ),
        st.builds(lambda f, v: {"field": f, "equals": v}, fields, values),
        st.builds(lambda f, p: {"field": f, "present": p}, fields, st.booleans()),
    ]
    if not lasting:
        leaves.append(fields.map(lambda f: {"field": f, "changed": True}))
    # {"any": [x]} is left out: it reads as AnyOf((x,)) but is written back as [x],
    # which reads as x: equal in effect, not in value (reported to the SLA module).
    return st.recursive(
        st.one_of(leaves),
        lambda inner: st.one_of(
            inner.map(lambda c: {"not": c}),
            st.lists(inner, max_size=3).map(lambda cs: {"all": cs}),
            st.lists(inner, max_size=3)
            .filter(lambda cs: len(cs) != 1)
            .map(lambda cs: {"any": cs}),
            st.lists(inner, max_size=3),
        ),
        max_leaves=5,
    )


clock_names = st.text(min_size=1, max_size=12).filter(
    lambda s: bool(s.strip()) and normalise(s) not in BUILT_IN
)
clocks = st.builds(
    lambda name, start, stop, pause, reset: Clock(
        name, start=start, stop=stop, pause=pause, reset=reset
    ),
    clock_names,
    _conditions(lasting=False),
    _conditions(lasting=False),
    _conditions(lasting=True),
    _conditions(lasting=False),
)
pause_texts = st.lists(
    st.sampled_from(
        ["on_hold", "resolved", "closed", "canceled", *(f"on_hold:{r}" for r in REASONS)]
    ),
    max_size=4,
)
ratios = st.fractions(min_value=0, max_value=1, max_denominator=1000)
positive_durations = st.integers(1, 400 * 86_400 * 10**6).map(
    lambda us: timedelta(microseconds=us)
)
withins = st.one_of(positive_durations, st.integers(1, 146_400).map(BusinessDays))
priorities = st.one_of(st.none(), st.sampled_from(list(Priority)))


@st.composite
def agreements(draw: st.DrawFn) -> Agreement:
    """Agreements of every kind and option, targets on built-in metrics and custom clocks."""
    chosen_clocks = draw(st.lists(clocks, max_size=2, unique_by=lambda c: c.name))
    metrics: list[str] = [*BUILT_IN, *(c.name for c in chosen_clocks)]
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(metrics), priorities), min_size=1, max_size=6, unique=True
        )
    )
    for clock in chosen_clocks:  # every clock needs a target
        if all(metric != clock.name for metric, _ in keys):
            keys.append((clock.name, draw(priorities)))
    targets = []
    for metric, priority in keys:
        options: dict[str, Any] = {}
        if draw(st.booleans()):
            options["window"] = draw(sla_windows())
        if metric == "resolution" and draw(st.booleans()):
            options["pause_on"] = draw(pause_texts)
        targets.append(Target(metric, draw(withins), priority=priority, **options))
    applies_to = None
    if draw(st.booleans()):
        fields = draw(
            st.dictionaries(
                st.sampled_from(CARRIED_FIELDS),
                st.lists(st.text(max_size=8), max_size=3),
                max_size=3,
            )
        )
        chosen = draw(st.lists(st.sampled_from(list(Priority)), max_size=3))
        applies_to = Condition(priority=chosen, **fields)
    kind = draw(st.sampled_from([SLA, OLA, UnderpinningContract]))
    return kind(
        draw(st.text(min_size=1, max_size=12).filter(str.strip)),
        window=draw(sla_windows()),
        targets=targets,
        pause_on=draw(pause_texts),
        on_reopen=draw(st.sampled_from(["resume", "restart"])),
        warn_at=draw(st.lists(ratios.filter(bool), max_size=3)),
        availability=draw(st.one_of(st.none(), ratios)),
        on_priority_change=draw(st.sampled_from(["keep", "restart"])),
        applies_to=applies_to,
        clocks=chosen_clocks,
    )


@settings(max_examples=150)
@given(agreements())
def test_any_agreement_validates_and_reads_back_equal(agreement: Agreement) -> None:
    document = agreement.to_dict()
    assert schema_errors(document) == []
    assert type(agreement).from_dict(document) == agreement


# --- (4) documents both the schema and the reader refuse -------------------------------

BASE: dict[str, Any] = {
    "name": "Gold",
    "window": {"hours": "Mon-Fri 08:00-17:00", "tz": "Europe/Berlin"},
    "targets": [{"metric": "response", "priority": "P1", "within": "PT1H"}],
}


def _with_clock(**clock: Any) -> dict[str, Any]:
    """BASE with one clock named 'c' (start and stop as given, else simple) and its target."""
    entry = {"name": "c", "start": {"state": "new"}, "stop": {"state": "resolved"}, **clock}
    return {
        **BASE,
        "targets": [*BASE["targets"], {"metric": "c", "within": "PT1H"}],
        "clocks": [entry],
    }


def _target(**target: Any) -> dict[str, Any]:
    return {**BASE, "targets": [target]}


BAD: dict[str, tuple[dict[str, Any], str]] = {
    # name: (document, the path the reader's ConfigError names)
    "unknown top-level key": ({**BASE, "nmae": "Gold"}, "$.nmae"),
    "unknown key in a target": (
        _target(metric="response", within="PT1H", priorty="P1"),
        "$.targets[0].priorty",
    ),
    "unknown key in a clock": (_with_clock(pasue={"state": "on_hold"}), "$.clocks[0].pasue"),
    "metric missing": (_target(within="PT1H"), "$.targets[0].metric"),
    "within as a number of seconds": (
        _target(metric="response", within=3600),
        "$.targets[0].within",
    ),
    "a reason without a state": (
        _with_clock(start={"reason": "awaiting_caller"}),
        "$.clocks[0].start.state",
    ),
    "a field condition with two tests": (
        _with_clock(stop={"field": "group", "equals": "Network", "present": True}),
        "$.clocks[0].stop",
    ),
    "a hold reason as a pause_on item": (
        {**BASE, "pause_on": ["awaiting_caller"]},
        "$.pause_on[0]",
    ),
    "name missing": ({k: v for k, v in BASE.items() if k != "name"}, "$.name"),
    "a blank name": ({**BASE, "name": "  "}, "$.name"),
    "window missing": ({k: v for k, v in BASE.items() if k != "window"}, "$.window"),
    "tz missing": ({**BASE, "window": {"hours": "24x7"}}, "$.window.tz"),
    "unknown key in a window": (
        {**BASE, "window": {"tz": "UTC", "hour": "24x7"}},
        "$.window.hour",
    ),
    "no targets": ({**BASE, "targets": []}, "$.targets"),
    "a zero within": (_target(metric="response", within="PT0S"), "$.targets[0].within"),
    "a within in months": (_target(metric="response", within="P1M"), "$.targets[0].within"),
    "zero business days": (
        _target(metric="resolution", within="0 business days"),
        "$.targets[0].within",
    ),
    "an unknown priority": (
        _target(metric="response", within="PT1H", priority="P6"),
        "$.targets[0].priority",
    ),
    "pause_on on a response target": (
        _target(metric="response", within="PT1H", pause_on=["on_hold"]),
        "$.targets[0].pause_on",
    ),
    "pause_on as a string": ({**BASE, "pause_on": "on_hold"}, "$.pause_on"),
    "new as a pause_on item": ({**BASE, "pause_on": ["new"]}, "$.pause_on[0]"),
    "a reason after another state": (
        {**BASE, "pause_on": ["resolved:awaiting_caller"]},
        "$.pause_on[0]",
    ),
    "availability without %": ({**BASE, "availability": "97"}, "$.availability"),
    "availability above 1": ({**BASE, "availability": 1.5}, "$.availability"),
    "a zero warning": ({**BASE, "warn_at": ["0%"]}, "$.warn_at[0]"),
    "on_reopen unknown": ({**BASE, "on_reopen": "continue"}, "$.on_reopen"),
    "on_priority_change unknown": (
        {**BASE, "on_priority_change": "reset"},
        "$.on_priority_change",
    ),
    "applies_to on an unknown field": (
        {**BASE, "applies_to": {"team": "Network"}},
        "$.applies_to.team",
    ),
    "applies_to on one priority number": (
        {**BASE, "applies_to": {"priority": 1}},
        "$.applies_to.priority",
    ),
    "a clock named like a built-in metric": (
        {
            **BASE,
            "targets": [*BASE["targets"], {"metric": "Resolution", "within": "PT1H"}],
            "clocks": [
                {"name": "Resolution", "start": {"state": "new"}, "stop": {"state": "resolved"}}
            ],
        },
        "$.clocks[0].name",
    ),
    "a clock without a stop": (
        {**_with_clock(), "clocks": [{"name": "c", "start": {"state": "new"}}]},
        "$.clocks[0].stop",
    ),
    "a reason with the state new": (
        _with_clock(start={"state": "new", "reason": "awaiting_caller"}),
        "$.clocks[0].start.reason",
    ),
    "an unknown state": (_with_clock(start={"state": "waiting"}), "$.clocks[0].start.state"),
    "an unknown carried field": (
        _with_clock(stop={"field": "team", "present": True}),
        "$.clocks[0].stop.field",
    ),
    "a field condition without a test": (_with_clock(stop={"field": "group"}), "$.clocks[0].stop"),
    "changed: false": (
        _with_clock(stop={"field": "group", "changed": False}),
        "$.clocks[0].stop.changed",
    ),
    "an event as a pause": (
        _with_clock(pause=[{"not": {"field": "group", "changed": True}}]),
        "$.clocks[0].pause",
    ),
    "a condition naming nothing": (_with_clock(start={"value": 1}), "$.clocks[0].start"),
    "not with another key": (
        _with_clock(start={"not": {"state": "new"}, "state": "new"}),
        "$.clocks[0].start.state",
    ),
    "an empty state list": (_with_clock(start={"state": []}), "$.clocks[0].start.state"),
    "an override on a bad date": (
        {
            **BASE,
            "window": {
                "tz": "UTC",
                "hours": "Mon-Fri 09:00-17:00",
                "overrides": {"24.12.2026": "closed"},
            },
        },
        "$.window.overrides.24.12.2026",
    ),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_document_is_refused_by_both(name: str) -> None:
    document, path = BAD[name]
    assert reader_accepts(BASE) and schema_errors(BASE) == []  # the base is fine
    assert schema_errors(document) != []
    with pytest.raises(ConfigError) as caught:
        SLA.from_dict(document)
    assert path in [p for p, _ in caught.value.problems]


# --- the schema never refuses a spelling the reader accepts ------------------------------


def _spot(field: str, value: object) -> dict[str, Any]:
    """A valid document with ``value`` put in the place of ``field``."""
    if field == "within":
        return _target(metric="resolution", within=value)
    if field == "priority":
        return _target(metric="resolution", within="PT1H", priority=value)
    if field == "pause_item":
        return {**BASE, "pause_on": [value]}
    if field == "state":
        return _with_clock(start={"state": value})
    if field == "reason":
        return _with_clock(start={"state": "on_hold", "reason": value})
    if field == "warn_at":
        return {**BASE, "warn_at": [value]}
    if field == "availability":
        return {**BASE, "availability": value}
    if field == "date":
        return {**BASE, "window": {"tz": "UTC", "hours": "09:00-17:00", "holidays": [value]}}
    if field == "applies_to_priority":
        return {**BASE, "applies_to": {"priority": [value]}}
    raise AssertionError(field)


@st.composite
def spellings(
    draw: st.DrawFn, words: tuple[str, ...], seps: tuple[str, ...], *, keep_order: bool = False
) -> str:
    """Words joined by separators, in mixed case, padded with whitespace: mostly near-misses
    (``keep_order``: the words as given, only respelled)."""
    if keep_order:
        parts = list(words)
    else:
        parts = draw(st.lists(st.sampled_from(words), min_size=1, max_size=4))
    text = ""
    for i, part in enumerate(parts):
        if i:
            text += draw(st.sampled_from(seps))
        mask = draw(st.integers(0, 2 ** len(part) - 1))
        text += "".join(c.upper() if mask >> k & 1 else c for k, c in enumerate(part))
    pad = st.sampled_from(["", " ", "\t", "  "])
    return draw(pad) + text + draw(pad)


NAME_SEPS = ("_", " ", "-", " - ", "  ", "", "__", "_-")


@st.composite
def respelled(draw: st.DrawFn, names: list[str]) -> str:
    """A canonical name written another way: any case, other separators, padded."""
    words = draw(st.sampled_from(names)).split("_")
    return draw(spellings(tuple(words), NAME_SEPS, keep_order=True))


@st.composite
def durations(draw: st.DrawFn) -> str:
    """ISO 8601 durations and business days, near the grammar's edges."""
    digits = st.sampled_from(
        ["0", "1", "00", "07", "12", "0.5", "1,25", "1.0000001", "", "999999"]
    )
    if draw(st.booleans()):
        text = draw(st.sampled_from(["", "+", "-", " "])) + draw(st.sampled_from(["P", "p", ""]))
        for unit in ("W", "D"):
            if draw(st.booleans()):
                text += draw(digits) + draw(st.sampled_from([unit, unit.lower()]))
        if draw(st.booleans()):
            text += draw(st.sampled_from(["T", "t", ""]))
            for unit in ("H", "M", "S"):
                if draw(st.booleans()):
                    text += draw(digits) + draw(st.sampled_from([unit, unit.lower()]))
        return text
    number = draw(st.sampled_from(["0", "1", "3", "03", "146400", "999999", "1000000", "-1", ""]))
    kind = draw(st.sampled_from(["business", "working", "Business", "WORKING", "calendar", ""]))
    day = draw(st.sampled_from(["days", "day", "Days", "DAYS", "d"]))
    sep = st.sampled_from([" ", "  ", "\t", ""])
    return number + draw(sep) + kind + draw(sep) + day + draw(st.sampled_from(["", " "]))


@st.composite
def dates(draw: st.DrawFn) -> str:
    """ISO dates in the forms date.fromisoformat reads, and near-misses."""
    two = st.sampled_from(["01", "12", "24", "10", "13", "00", "1"])
    form = draw(st.integers(0, 3))
    year = draw(st.sampled_from(["2026", "2026", "2026", "0001", "226", "20266"]))
    if form == 0:
        text = f"{year}{draw(st.sampled_from(['-', '']))}{draw(two)}{draw(st.sampled_from(['-', '']))}{draw(two)}"
    elif form == 1:
        text = f"{year}{draw(st.sampled_from(['-', '']))}{draw(st.sampled_from(['W', 'w']))}{draw(two)}"
        text += draw(st.sampled_from(["", "-1", "4", "-7", "8", "-0"]))
    elif form == 2:
        text = f"{year}-{draw(two)}"
    else:
        text = draw(spellings(("2026", "12", "24", "-", "W", "52", "4", "1224"), ("", "", "-")))
    pad = st.sampled_from(["", " "])
    return draw(pad) + text + draw(pad)


STATE_WORDS = (
    "new",
    "in",
    "progress",
    "on",
    "hold",
    "resolved",
    "closed",
    "canceled",
    "cancelled",
    "active",
)
REASON_WORDS = ("awaiting", "caller", "change", "problem", "vendor", "evidence", "on", "hold")
ALL_STATES = [*STATES, "cancelled", "active"]
RATIOS = spellings(("0", "1", "5", "00", "99", "100", ".", "%", "/", "+", "3"), ("", "", " "))
SPELLINGS: dict[str, st.SearchStrategy[Any]] = {
    "state": st.one_of(respelled(ALL_STATES), spellings(STATE_WORDS, NAME_SEPS)),
    "reason": st.one_of(respelled(REASONS), spellings(REASON_WORDS, NAME_SEPS)),
    "pause_item": st.one_of(
        respelled(ALL_STATES),
        st.builds(
            lambda s, sep, r: f"{s}{sep}{r}",
            respelled(ALL_STATES),
            st.sampled_from([":", " : ", "::", "; "]),
            respelled(REASONS),
        ),
        spellings((*STATE_WORDS, *REASON_WORDS, ":"), (*NAME_SEPS, ":", " : ")),
    ),
    "priority": st.one_of(
        spellings(
            ("P", "p", "0", "1", "3", "5", "6", "critical", "High", "low", "planning", "-"),
            ("", " ", " - ", "-"),
        ),
        st.integers(-1, 7),
    ),
    "applies_to_priority": st.one_of(
        spellings(("P", "1", "5", "6", "0", "moderate", "-"), ("", " ", " - ")), st.integers(-1, 7)
    ),
    "within": st.one_of(durations(), st.integers(1, 3600)),
    "warn_at": st.one_of(RATIOS, st.floats(-0.5, 1.5), st.integers(-1, 2)),
    "availability": st.one_of(RATIOS, st.floats(-0.5, 1.5), st.integers(-1, 2), st.none()),
    "date": dates(),
}


@settings(max_examples=400)
@given(st.data())
@pytest.mark.parametrize("field", list(SPELLINGS))
def test_the_schema_accepts_every_spelling_the_reader_accepts(
    field: str, data: st.DataObject
) -> None:
    value = data.draw(SPELLINGS[field])
    # CPython 3.11's date.fromisoformat reads a 10-character basic-form string by its
    # first 8 characters and ignores the last two ('20261224xy', '2026W524x-'); the
    # schema keeps to the ISO forms and leaves that quirk out.
    assume(not (field == "date" and _basic_form_quirk(value)))
    document = _spot(field, value)
    if reader_accepts(document):
        assert schema_errors(document) == [], value


def _basic_form_quirk(value: object) -> bool:
    """Whether a date string has the 10-character basic form CPython 3.11 half-reads."""
    text = value.strip() if isinstance(value, str) else ""
    return len(text) == 10 and text[4] != "-"


def _pattern(*keys: str | int) -> str:
    node: Any = SCHEMA["$defs"]
    for key in keys:
        node = node[key]
    assert isinstance(node, str)
    return node


#: Fields whose pattern is exact: whatever it accepts, the reader reads.
EXACT = {
    "state": _pattern("state", "pattern"),
    "reason": _pattern("hold_reason", "pattern"),
    "pause_item": _pattern("pause_item", "pattern"),
    "priority": _pattern("priority", "anyOf", 0, "pattern"),
}


@settings(max_examples=200)
@given(st.data())
@pytest.mark.parametrize("field", list(EXACT))
def test_what_an_exact_pattern_accepts_the_reader_reads(field: str, data: st.DataObject) -> None:
    value = data.draw(st.from_regex(EXACT[field]))
    document = _spot(field, value)
    assert schema_errors(document) == []
    assert reader_accepts(document), value


# --- (5) and (6) the function ------------------------------------------------------------


def test_an_unknown_name_is_refused_naming_the_choices() -> None:
    with pytest.raises(InvalidValueError) as caught:
        itilkit.schema("nope")
    assert caught.value.field == "name"
    assert caught.value.value == "nope"
    assert "'sla'" in caught.value.expectation
    assert str(caught.value).startswith("'name' must be one of ")


@pytest.mark.parametrize("name", ["SLA", "sla.schema.json", "", 3, None])
def test_only_the_exact_name_is_known(name: Any) -> None:
    with pytest.raises(InvalidValueError):
        itilkit.schema(name)


def test_each_call_returns_a_fresh_copy() -> None:
    first = itilkit.schema("sla")
    pristine = copy.deepcopy(first)
    first["title"] = "changed"
    first["$defs"]["window"]["required"].append("hours")
    del first["properties"]["name"]
    second = itilkit.schema("sla")
    assert second == pristine
    assert second is not first
    assert second["$defs"]["window"]["required"] == ["tz"]


def test_the_schema_is_reachable_as_package_data() -> None:
    """The same text a packaged install reads (nothing is built at import time)."""
    import json
    from importlib import resources

    text = resources.files("itilkit").joinpath("schemas", "sla.schema.json").read_text("utf-8")
    assert json.loads(text) == SCHEMA
