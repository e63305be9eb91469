"""Errors raised by itilkit.

Every error is an :class:`~itilkit.ItilkitError`, and every leaf is also the standard
exception a caller would catch anyway (mostly :class:`ValueError`), so code
that knows nothing of itilkit still handles it. Each carries the offending
values as attributes, and messages follow one grammar::

    '<field>' must be <expectation> (got <value!r>)

The tree::

    ItilkitError
    ├── InvalidValueError (ValueError)      a field holds an impossible value
    │   ├── NaiveDatetimeError              an instant without a UTC offset
    │   ├── UnknownZoneError                not an IANA time zone
    │   ├── UnknownHolidaysError            not a country (or subdivision) code
    │   ├── WindowSpecError                 a service-hours spec that does not parse
    │   └── NoTargetError                   no target for the metric at this priority
    ├── NoOpenTimeError (ValueError)        a window with no open time where some is needed
    ├── InvalidTransitionError (ValueError) a lifecycle step the transition table forbids
    ├── NotAuthorisedError (ValueError)     scheduling a change its approvals do not authorise
    ├── ChronologyError (ValueError)        a step earlier than the one before it
    ├── ConfigError (ValueError)            a configuration document with problems
    ├── EventLogError (ValueError)          an event-log row or column that cannot be read
    └── MissingDependencyError (ImportError) an optional extra (matplotlib...) not installed
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

__all__ = [
    "ChronologyError",
    "ConfigError",
    "EventLogError",
    "InvalidTransitionError",
    "InvalidValueError",
    "ItilkitError",
    "MissingDependencyError",
    "NaiveDatetimeError",
    "NoOpenTimeError",
    "NoTargetError",
    "NotAuthorisedError",
    "UnknownHolidaysError",
    "UnknownZoneError",
    "WindowSpecError",
]


#: The longest repr an error message quotes in full; longer ones keep their ends.
SHOW_LIMIT = 200


def show(value: object) -> str:
    """``repr(value)`` for a message: never failing, never endless.

    A 5,000-digit int (whose repr Python refuses) is named by its size, and a
    very long repr keeps its beginning and end.

    >>> show("x" * 500)[:12], len(show("x" * 500)) < 250
    ("'xxxxxxxxxxx", True)
    >>> show(10**5000)
    '<an int of 5001 digits>'
    """
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's digit limit for str()
        if isinstance(value, int):
            return f"<an int of {_digits(value)} digits>"
        return f"<{type(value).__name__}>"
    except Exception:  # a broken __repr__ must not hide the error it describes
        return f"<{type(value).__name__}>"
    if len(text) > SHOW_LIMIT:
        half = SHOW_LIMIT // 2
        text = f"{text[:half]}...({len(text) - SHOW_LIMIT} characters)...{text[-half:]}"
    return text


def _digits(value: int) -> int:
    """How many decimal digits ``value`` has, without converting it to text."""
    n = abs(value)
    k = max(0, (n.bit_length() - 1) * 30103 // 100000)  # about log10(n), from below
    while 10 ** (k + 1) <= n:
        k += 1
    while k > 0 and 10**k > n:
        k -= 1
    return k + 1


def must(field: str, expectation: str, value: object) -> str:
    """The one message grammar: ``'<field>' must be <expectation> (got <value!r>)``."""
    return f"{show(field)} must be {expectation} (got {show(value)})"


class ItilkitError(Exception):
    """The root of every error itilkit raises."""


class InvalidValueError(ItilkitError, ValueError):
    """A field holds a value it cannot hold.

    >>> raise InvalidValueError("impact", "in (0, 1]", 2)
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'impact' must be in (0, 1] (got 2)
    """

    def __init__(self, field: str, expectation: str, value: object) -> None:
        self.field = field
        self.expectation = expectation
        self.value = value
        super().__init__(must(field, expectation, value))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.expectation, self.value))


class NaiveDatetimeError(InvalidValueError):
    """An instant without a UTC offset: itilkit never guesses a zone."""

    def __init__(
        self,
        field: str,
        value: object,
        expectation: str = "an aware datetime or an ISO 8601 string with an offset",
    ) -> None:
        super().__init__(field, expectation, value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.value, self.expectation))


class UnknownZoneError(InvalidValueError):
    """A time zone name that is not in the IANA database."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(field, "an IANA time zone name such as 'Europe/Berlin'", value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.value))


class UnknownHolidaysError(InvalidValueError):
    """A holiday calendar code that the holidays package does not know."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(
            field, "a country code such as 'KR' or 'US-CA', a HolidayBase or dates", value
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.value))


class WindowSpecError(InvalidValueError):
    """A service-hours spec that does not parse; ``.token`` is the offending part."""

    def __init__(self, spec: object, token: str, expectation: str) -> None:
        self.spec = spec
        self.token = token
        super().__init__("hours", f"{expectation}; bad token {token!r}", spec)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.spec, self.token, self.expectation.split("; bad token")[0]))


class NoTargetError(InvalidValueError):
    """The agreement has no target for this metric and priority, so there is no clock.

    >>> raise NoTargetError("priority", "a priority with a response target in 'Gold' (P1)", "P3")
    Traceback (most recent call last):
    ...
    itilkit.NoTargetError: 'priority' must be a priority with a response target in 'Gold' (P1) (got 'P3')
    """


class NoOpenTimeError(ItilkitError, ValueError):
    """The window has no open time where the query needs some."""


class InvalidTransitionError(ItilkitError, ValueError):
    """A lifecycle step that the transition table does not allow.

    ``.allowed`` holds the states the table allows from ``.from_state``; a
    named step that only makes sense from one state (``reopen`` from
    RESOLVED) says so in ``.step``.
    """

    def __init__(
        self, from_state: Any, to_state: Any, allowed: Iterable[Any], step: str | None = None
    ) -> None:
        self.from_state = from_state
        self.to_state = to_state
        self.allowed = frozenset(allowed)
        self.step = step
        names = ", ".join(sorted(getattr(s, "name", str(s)) for s in self.allowed)) or "nothing"
        source = getattr(from_state, "name", from_state)
        target = getattr(to_state, "name", to_state)
        if step is not None:
            message = f"{step!r} must start from {names} (got {source})"
        else:
            message = (
                f"'to_state' must be one of the moves allowed from {source} ({names}) "
                f"(got {target})"
            )
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.from_state, self.to_state, self.allowed, self.step))


class NotAuthorisedError(ItilkitError, ValueError):
    """A change moved on to SCHEDULED without the approvals its policy requires.

    ``.decision`` is the policy's :class:`~itilkit.Decision` (PENDING or REJECTED).
    """

    def __init__(self, change_id: str, decision: Any) -> None:
        self.change_id = change_id
        self.decision = decision
        outcome = getattr(getattr(decision, "outcome", None), "name", decision)
        reasons = "; ".join(getattr(decision, "reasons", ()))
        super().__init__(
            must(change_id, "APPROVED by the approval policy to be scheduled", outcome)
            + (f": {reasons}" if reasons else "")
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.change_id, self.decision))


class ChronologyError(ItilkitError, ValueError):
    """A step dated before the step it follows (``strict``: not after it)."""

    def __init__(self, field: str, value: object, previous: object, strict: bool = False) -> None:
        self.field = field
        self.value = value
        self.previous = previous
        self.strict = strict
        relation = "after" if strict else "at or after"
        shown = str(previous) if isinstance(previous, str | datetime) else show(previous)
        super().__init__(must(field, f"{relation} {shown}", value))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.value, self.previous, self.strict))


class ConfigError(ItilkitError, ValueError):
    """A configuration document with problems; ``.problems`` lists each with its path.

    >>> print(ConfigError([("$.targets[2].within", "must be an ISO 8601 duration (got 'soon')")]))
    1 problem in the configuration:
      $.targets[2].within: must be an ISO 8601 duration (got 'soon')
    """

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the configuration:"]
        lines += [f"  {path}: {message}" for path, message in self.problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


class EventLogError(ItilkitError, ValueError):
    """An event-log row or column that cannot be read (``.row`` is 1-based, header = 1)."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.row = row
        self.column = column
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_event_log_error, (self.message, self.row, self.column))


def _rebuild_event_log_error(message: str, row: int | None, column: str | None) -> EventLogError:
    return EventLogError(message, row=row, column=column)


class MissingDependencyError(ItilkitError, ImportError):
    """A feature needs an optional package that is not installed; the message names the extra.

    ``.package`` is the missing import (also ``.name``, as for any ImportError),
    ``.extra`` the itilkit extra that installs it.

    >>> raise MissingDependencyError("matplotlib", "plot")
    Traceback (most recent call last):
    ...
    itilkit.MissingDependencyError: this needs 'matplotlib', which is not installed: pip install 'itilkit[plot]'
    """

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"this needs {package!r}, which is not installed: pip install 'itilkit[{extra}]'",
            name=package,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.package, self.extra))


T = TypeVar("T")


def items_of(
    value: object, kind: type[T], field: str, expectation: str, each: str
) -> tuple[T, ...]:
    """The items of an iterable argument, each checked to be a ``kind`` (named by position).

    A string, bytes or a non-iterable is refused as ``field`` ("must be
    ``expectation``"), an item of another type as ``field[i]`` ("must be
    ``each``"). One-shot iterators are read once.

    >>> items_of([1, 2], int, "counts", "an iterable of int", "an int")
    (1, 2)
    >>> items_of([1, "2"], int, "counts", "an iterable of int", "an int")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'counts[1]' must be an int (got '2')
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidValueError(field, expectation, value)
    items = tuple(value)
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise InvalidValueError(f"{field}[{i}]", each, item)
    return items
