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
