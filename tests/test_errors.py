"""The error tree: one root, standard leaves, data-carrying, picklable."""

from __future__ import annotations

import pickle

import pytest

import itilkit
from itilkit import (
    ChronologyError,
    ConfigError,
    EventLogError,
    InvalidTransitionError,
    InvalidValueError,
    ItilkitError,
    NaiveDatetimeError,
    NoOpenTimeError,
    NoTargetError,
    UnknownHolidaysError,
    UnknownZoneError,
    WindowSpecError,
)

ERRORS = [
    InvalidValueError("impact", "in (0, 1]", 2),
    NaiveDatetimeError("start", "2026-01-01T00:00"),
    UnknownZoneError("tz", "Mars/Olympus"),
    UnknownHolidaysError("holidays", "XX"),
    WindowSpecError("Mon 9-18", "9", "a time written HH:MM"),
    NoOpenTimeError("no open time"),
    NoTargetError("priority", "a priority with a response target in 'Gold' (P1)", "P3"),
    InvalidTransitionError("CLOSED", "NEW", ["X", "Y"]),
    ChronologyError("at", "2026-01-01", "2026-01-02"),
    ConfigError([("$.name", "must be a string (got 3)"), ("$.targets", "must be a list")]),
    EventLogError("unknown state 'Lost'", row=12, column="incident_state"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_root_and_standard_leaf(error: ItilkitError) -> None:
    """Every error is an ItilkitError and a ValueError."""
    assert isinstance(error, ItilkitError)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_pickle_round_trip(error: ItilkitError) -> None:
    """Errors cross process boundaries (Dask workers) with their message intact."""
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)


def test_message_grammar_and_attributes() -> None:
    error = InvalidValueError("impact", "in (0, 1]", 2)
    assert str(error) == "'impact' must be in (0, 1] (got 2)"
    assert (error.field, error.expectation, error.value) == ("impact", "in (0, 1]", 2)
    spec = WindowSpecError("Mon 9-18", "9", "a time written HH:MM")
    assert spec.token == "9" and spec.spec == "Mon 9-18"
    assert str(spec) == "'hours' must be a time written HH:MM; bad token '9' (got 'Mon 9-18')"
    move = InvalidTransitionError("CLOSED", "NEW", [])
    assert move.allowed == frozenset() and "(nothing)" in str(move)
    config = ConfigError([("$.name", "must be a string (got 3)"), ("$.targets", "must be a list")])
    assert str(config).splitlines() == [
        "2 problems in the configuration:",
        "  $.name: must be a string (got 3)",
        "  $.targets: must be a list",
    ]
    row = EventLogError("unknown state 'Lost'", row=12, column="incident_state")
    assert str(row) == "row 12, column 'incident_state': unknown state 'Lost'"
    assert str(EventLogError("empty file")) == "empty file"


def test_tree_is_drawn_in_the_docstring() -> None:
    """The module docstring draws every error class."""
    doc = itilkit._errors.__doc__ or ""
    for name in itilkit._errors.__all__:
        assert name in doc, name


@pytest.mark.parametrize("window", [None, "Mon-Fri 09:00-18:00", 5])
@pytest.mark.parametrize(
    "call",
    [
        lambda w: itilkit.measure_availability(
            [], window=w, start="2026-03-01T00:00Z", end="2026-03-02T00:00Z"
        ),
        lambda w: (
            itilkit.ErrorBudget(
                "99.9%", start="2026-03-01T00:00Z", end="2026-03-02T00:00Z", window=w
            )
            if w is not None
            else itilkit.measure_availability(
                [], window=w, start="2026-03-01T00:00Z", end="2026-03-02T00:00Z"
            )
        ),
        lambda w: itilkit.SLA("S", window=w, targets=[itilkit.Target("response", "PT1H")]),
        lambda w: (
            itilkit.Incident.open(
                "I", at="2026-03-02T09:00Z", impact="low", urgency="low"
            ).time_in("new", window=w, as_of="2026-03-02T10:00Z")
            if w is not None
            else itilkit.SLA("S", window=w, targets=[itilkit.Target("response", "PT1H")])
        ),
    ],
)
def test_a_window_that_is_not_a_window(call: object, window: object) -> None:
    """None or a spec string where a ServiceWindow belongs is a clear error, not AttributeError."""
    with pytest.raises(InvalidValueError, match="'window' must be a ServiceWindow"):
        call(window)  # type: ignore[operator]


def test_no_target_is_an_invalid_value() -> None:
    """NoTargetError sits in the tree under InvalidValueError (and ValueError)."""
    assert issubclass(NoTargetError, InvalidValueError)
    assert issubclass(NoTargetError, ValueError)
    assert "NoTargetError" in itilkit.__all__
    assert not hasattr(itilkit, "ItilkitWarning")


def _gold() -> itilkit.SLA:
    return itilkit.SLA(
        "Gold", window=itilkit.ServiceWindow.always(), targets=[itilkit.Target("response", "PT1H")]
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: _gold().clock(None, "response", as_of="2026-03-02T10:00Z"), "incident"),  # type: ignore[arg-type]
        (lambda: _gold().compliance([5], as_of="2026-03-02T10:00Z"), r"incidents\[0\]"),  # type: ignore[list-item]
        (lambda: _gold().compliance("abc", as_of="2026-03-02T10:00Z"), "incidents"),  # type: ignore[arg-type]
        (lambda: itilkit.check_fit(_gold(), [5], metric="response", priority="P1"), r"path\[0\]"),  # type: ignore[list-item]
        (lambda: itilkit.check_fit(_gold(), "x", metric="response", priority="P1"), "path"),  # type: ignore[arg-type]
        (lambda: itilkit.check_fit("Gold", [_gold()], metric="response", priority="P1"), "sla"),  # type: ignore[arg-type]
        (
            lambda: itilkit.ErrorBudget(
                "99.9%", start="2026-03-01T00:00Z", end="2026-04-01T00:00Z"
            ).evaluate([], as_of="2026-03-10T00:00Z", rules=[5]),  # type: ignore[list-item]
            r"rules\[0\]",
        ),
        (lambda: itilkit.CreditSchedule([("99%", "10%")]), r"tiers\[0\]"),  # type: ignore[list-item]
        (lambda: itilkit.CreditSchedule("abc"), "tiers"),  # type: ignore[arg-type]
        (
            lambda: itilkit.CreditSchedule(
                (itilkit.CreditTier("99%", "10%"), itilkit.CreditTier("99%", "20%"))
            ),
            "tiers",
        ),
    ],
)
def test_wrong_shapes_are_named(call: object, field: str) -> None:
    """A value of the wrong kind where an incident, agreement, rule or tier belongs is named."""
    with pytest.raises(InvalidValueError, match=f"'{field}' must be"):
        call()  # type: ignore[operator]


def test_credit_schedule_checks_every_way_it_is_made() -> None:
    """The constructor checks what .of checks: shrinking credits are refused either way."""
    low, high = itilkit.CreditTier("95%", "10%"), itilkit.CreditTier("99%", "25%")
    with pytest.raises(InvalidValueError, match="credits that do not shrink"):
        itilkit.CreditSchedule((low, high))
    with pytest.raises(InvalidValueError, match="credits that do not shrink"):
        itilkit.CreditSchedule.of({"95%": "10%", "99%": "25%"})
