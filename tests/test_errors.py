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
