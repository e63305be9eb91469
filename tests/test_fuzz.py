"""Fuzz every public entry point with valid and hostile input, under a time bound.

The oracle is the same for every call: it returns normally (and its result
renders), or it raises an :class:`itilkit.ItilkitError`, or it raises a
:class:`TypeError` while some argument has a Python type the parameter does
not take. Anything else fails the test with the input in the message: another
exception (``AttributeError``, ``OverflowError``, ``RecursionError``, a raw
``OSError``, the ``ValueError`` of Python's int digit limit...), or a call
that does not finish within :data:`BOUND` seconds. A few entry points also
have a result oracle worked out here, independently of the code: the one
ratio convention of DESIGN principle 1, and the bounds any business time obeys.

Hostile values are mixed into every parameter: ``None``, wrong types, huge
and negative numbers, NaN and infinite floats and Decimals, empty and
control-character strings, naive datetimes, far-away years, 5,000-digit
numbers, nested containers. The second half of the file pins each hostile
input that a fuzz run once caught as an explicit regression case.

The time bound is a ``SIGALRM`` timer that raises in the main thread (an
exception that ``except Exception`` in the library cannot swallow); a
``faulthandler`` watchdog ends the run, with tracebacks, if some C loop
ignores the timer, so the suite never hangs. Shrinking is off: a hanging
example would cost the bound on every shrink step, and each failure message
already carries the whole input.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import itertools
import json
import math
import os
import reprlib
import signal
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import itilkit
import itilkit.io
from itilkit import (
    OLA,
    SLA,
    ApprovalPolicy,
    ApprovalRule,
    BurnRateRule,
    ChangeCalendar,
    ChangeRequest,
    Clock,
    Condition,
    CreditSchedule,
    CreditTier,
    ErrorBudget,
    Incident,
    ItilkitError,
    Outage,
    PriorityMatrix,
    RiskMatrix,
    ServiceWindow,
    Span,
    Target,
    UnderpinningContract,
)
from itilkit._approval import render_reasons

from .strategies import SPECS, ZONES, instants, legal_walks, sla_windows, windows

#: Seconds one call may take (its result's rendering included): far above what any call
#: needs (milliseconds), so a busy machine does not fail a call that merely ran slowly.
BOUND = 5.0
#: Seconds after which the watchdog ends the whole run (a loop in C that ignores the timer).
WATCHDOG = 120

#: Examples per fuzz test; a longer hunt sets ITILKIT_FUZZ_EXAMPLES (the default keeps the
#: whole file well under a minute).
EXAMPLES = int(os.environ.get("ITILKIT_FUZZ_EXAMPLES", "80"))

FUZZ = settings(
    settings.get_profile("itilkit"),
    max_examples=EXAMPLES,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FEW = settings(FUZZ, max_examples=max(1, EXAMPLES * 2 // 5))


# ============================================================================ the oracle


class _Hang(BaseException):
    """Raised by the timer; a BaseException, so that ``except Exception`` lets it through."""


class _Raised:
    def __repr__(self) -> str:
        return "RAISED"


RAISED: Any = _Raised()
"""What :func:`call` returns when the call raised an accepted error."""

_repr = reprlib.Repr()
_repr.maxstring = 120
_repr.maxother = 120
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6
_repr.maxlevel = 4


def show(value: object) -> str:
    """A short, always-computable repr of an input, for failure messages."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4000:
        return f"<int of about {int(value.bit_length() * 0.30103)} digits>"
    try:
        return _repr.repr(value)
    except BaseException:  # a repr that fails is itself worth showing
        return f"<{type(value).__name__} whose repr fails>"


@contextlib.contextmanager
def _time_bound(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, expire)
    faulthandler.dump_traceback_later(WATCHDOG, exit=True)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


def _render(result: object) -> None:
    """Show a result as a user would: str, repr, and to_dict where it has one."""
    items = result if isinstance(result, tuple | list) else (result,)
    for item in items[:20]:
        if type(item).__module__.startswith("itilkit"):
            str(item)
            repr(item)
            to_dict = getattr(item, "to_dict", None)
            if callable(to_dict):
                to_dict()


def call(label: str, thunk: Callable[[], Any], *, typed: bool = True) -> Any:
    """Run ``thunk`` under the oracle; its result, or :data:`RAISED` for an accepted error.

    ``typed`` says whether every argument has a Python type its parameter
    takes; only when it does not is a ``TypeError`` accepted.
    """
    __tracebackhide__ = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with _time_bound(BOUND):
                result = thunk()
                _render(result)
    except ItilkitError:
        return RAISED
    except KeyboardInterrupt:  # the person running the suite, not the library
        raise
    except TypeError as error:
        if typed:
            _fail(
                f"{label} raised TypeError although every argument has a type it takes: {error}",
                traceback.format_exc(limit=-6),
            )
        return RAISED
    except _Hang:
        _fail(f"{label} did not finish within {BOUND} s", traceback.format_exc(limit=-4))
        return RAISED
    except BaseException as error:
        text = show(str(error)) if not isinstance(error, RecursionError) else "recursion"
        _fail(
            f"{label} raised {type(error).__name__} (not an ItilkitError): {text}",
            traceback.format_exc(limit=-6),
        )
        return RAISED
    return result


#: With ITILKIT_FUZZ_COLLECT=FILE, a failing call is appended to FILE and the run goes on,
#: so one run lists every failure instead of the first one of each test.
COLLECT = os.environ.get("ITILKIT_FUZZ_COLLECT")


def _fail(message: str, trace: str) -> None:
    __tracebackhide__ = True
    if COLLECT:
        with open(COLLECT, "a", encoding="utf-8") as out:
            out.write(json.dumps({"message": message, "trace": trace}) + "\n")
        return
    raise AssertionError(f"{message}\n{trace}") from None


@dataclass(frozen=True)
class A:
    """A drawn argument and whether its Python type is one its parameter takes."""

    value: Any
    typed: bool

    def __repr__(self) -> str:
        return show(self.value)


def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """:func:`call` of ``fn(*args, **kwargs)``; arguments may be :class:`A` (unwrapped here)."""
    __tracebackhide__ = True
    typed = all(a.typed for a in (*args, *kwargs.values()) if isinstance(a, A))
    plain = [a.value if isinstance(a, A) else a for a in args]
    named = {k: (v.value if isinstance(v, A) else v) for k, v in kwargs.items()}
    name = getattr(fn, "__qualname__", None) or show(fn)
    shown = [show(a) for a in plain] + [f"{k}={show(v)}" for k, v in named.items()]
    return call(f"{name}({', '.join(shown)})", lambda: fn(*plain, **named), typed=typed)


# ============================================================================ hostile values


def _nested_list(depth: int) -> list[Any]:
    out: list[Any] = []
    for _ in range(depth):
        out = [out]
    return out


def _nested_dict(depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(depth):
        out = {"a": out}
    return out


HUGE_DECIMAL = Decimal("1E+99999999")
DIGITS_5000 = "9" * 5000

_HOSTILE_CONSTANTS: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    -1,
    2,
    97,
    2**63,
    -(2**63),
    0.0,
    -0.0,
    0.9,
    1.5,
    97.0,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    5e-324,
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    HUGE_DECIMAL,
    Decimal("-1E+99999999"),
    Decimal("1E-99999999"),
    Decimal("0.97"),
    Decimal("97"),
    Fraction(1, 3),
    Fraction(-1, 2),
    Fraction(3, 2),
    Fraction(10**40, 3),
    "",
    " ",
    "\x00",
    "\n",
    "\t\r\x0b",
    "\u202e",
    "\ud800",
    "a" * 10_000,
    DIGITS_5000,
    "-" + DIGITS_5000,
    DIGITS_5000 + "%",
    "0." + DIGITS_5000,
    "97",
    "99.9",
    "97%",
    "1E+99999999",
    "1E+99999999%",
    "nan",
    "NaN%",
    "inf",
    "-1%",
    "101%",
    "PT99999999999H",
    "P99999999W",
    "PT" + DIGITS_5000 + "H",
    "PT0S",
    "-PT1H",
    "P",
    "PT",
    "2026-03-02T09:00",
    "2026-03-02T09:00Z",
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59-12:00",
    "0002-01-01T00:00Z",
    "9997-12-31T00:00Z",
    ";;;",
    "; ;",
    "Mon-Fri 25:00-26:00",
    "Mon-Fri 09:00-18:00",
    "24x7",
    "closed",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=YEARLY;BYMONTH=13",
    "FREQ=SECONDLY",
    "Mars/Olympus",
    "UTC",
    "KR",
    "XX",
    "P1",
    "high",
    "normal",
    b"",
    b"\xff\xfe",
    bytearray(b"x"),
    date(2026, 3, 2),
    datetime(2026, 3, 2, 9),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime.max.replace(tzinfo=UTC),
    datetime(2026, 3, 2, 9, tzinfo=UTC),
    datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=5, minutes=45))),
    time(9, 0),
    timedelta(0),
    timedelta(microseconds=1),
    -timedelta(hours=1),
    timedelta.max,
    timedelta.min,
    timedelta(days=913 * 365),
    (),
    frozenset(),
    Ellipsis,
    ZoneInfo("UTC"),
    timezone(timedelta(hours=-3)),
)


def _fresh(factory: Callable[[], Any]) -> st.SearchStrategy[Any]:
    return st.builds(factory)


def huge_int() -> int:
    """A 5,001-digit int: built by a named call, so a failure report shows the call, not the
    value (whose repr is itself past Python's int digit limit)."""
    return 10**5000


HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(_HOSTILE_CONSTANTS),
    _fresh(list),
    _fresh(dict),
    _fresh(set),
    _fresh(object),
    _fresh(lambda: [None]),
    _fresh(lambda: [[]]),
    _fresh(lambda: {"a": None}),
    _fresh(lambda: iter([1, 2])),
    _fresh(lambda: _nested_list(60)),
    _fresh(lambda: _nested_dict(60)),
    _fresh(huge_int),
    _fresh(lambda: pendulum.datetime(2026, 3, 2, 9, tz="Asia/Seoul")),
    _fresh(lambda: ServiceWindow.always()),
    _fresh(lambda: Incident.open("INC0", at="2026-03-02T09:00Z", impact=1, urgency=1)),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.datetimes(timezones=st.none() | st.just(UTC)),
    st.timedeltas(),
)


def p(valid: st.SearchStrategy[Any], takes: Any = object) -> st.SearchStrategy[A]:
    """A parameter: valid values (two draws in three), or hostile ones.

    ``takes`` is the tuple of Python types the parameter takes, or a
    predicate; a hostile value outside it is wrongly typed (a TypeError is
    then an accepted outcome).
    """

    def tag(value: Any) -> A:
        ok = takes(value) if callable(takes) and not isinstance(takes, type) else None
        if ok is None:
            ok = isinstance(value, takes)
        return A(value, bool(ok))

    good = valid.map(lambda v: A(v, True))
    return st.one_of(good, good, HOSTILE.map(tag))


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def every(kind: Any) -> Callable[[Any], bool]:
    """A predicate: an iterable (not a string) whose items are all of ``kind``."""

    def check(value: Any) -> bool:
        if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
            return False
        if hasattr(value, "__next__"):  # a one-shot iterator (of ints, in HOSTILE): unread
            return False
        try:
            return all(isinstance(item, kind) for item in value)
        except Exception:
            return False

    return check


# ============================================================================ valid values

INSTANT_TYPES = (datetime, str)
DURATION_TYPES = (timedelta, str)
RATIO_TYPES = (Fraction, Decimal, int, float, str)
ZONE_TYPES = (str, ZoneInfo, pendulum.Timezone, timezone, type(UTC))

far_instants = st.datetimes(
    min_value=datetime(1, 1, 3), max_value=datetime(9999, 12, 29), timezones=st.just(UTC)
)
instant_values = st.one_of(
    instants(),
    instants().map(lambda t: t.isoformat()),
    instants().map(pendulum.instance),
    far_instants,
)
duration_values = st.one_of(
    st.integers(0, 40 * 24 * 3600).map(lambda s: timedelta(seconds=s)),
    st.sampled_from(["PT4H", "PT30M", "P2D", "PT0S", "P1W", "PT1H30M", "PT8H"]),
    st.integers(-(10**6), 10**9).map(lambda s: timedelta(seconds=s)),
)
zone_values = st.sampled_from([*ZONES, "UTC", "Europe/Berlin"]) | st.sampled_from(ZONES).map(
    ZoneInfo
)
ratio_values = st.sampled_from(
    [
        "97%",
        "99.9%",
        "100%",
        "0%",
        "0.97",
        "0.5",
        "1",
        Fraction(1, 2),
        Fraction(999, 1000),
        Decimal("0.97"),
        Decimal("0.999"),
        0,
        1,
        0.9,
        0.999,
    ]
)
window_values = st.one_of(
    windows(),
    st.sampled_from(ZONES).map(lambda tz: ServiceWindow.always(tz=tz)),
    st.just(ServiceWindow.recurring("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration="PT4H", tz="UTC")),
)
state_values = st.sampled_from([*itilkit.State, "in_progress", "on_hold", "resolved", "closed"])
reason_values = st.sampled_from([None, *itilkit.HoldReason, "awaiting_caller"])
level_values = st.sampled_from([1, 2, 3, "high", "2 - Medium", "Low", *itilkit.Impact])
priority_values = st.sampled_from([*itilkit.Priority, "P1", "P3", "1 - Critical", 5, "planning"])
metric_values = st.sampled_from([*itilkit.Metric, "response", "resolution"])
name_values = st.sampled_from(["INC1", "CHG1", "Gold", "alice", "db", "web"])


def aware(value: object) -> datetime:
    """A stdlib aware datetime in UTC of a valid instant (pendulum's own arithmetic left out)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    utc = moment.astimezone(UTC)
    return datetime(*utc.timetuple()[:6], utc.microsecond, tzinfo=UTC)


# --- ratios: the one convention, written out here from DESIGN principle 1 ---

_CLEAN_RATIO = __import__("re").compile(r"^\d+(\.\d+)?%?$")
ANY = object()
"""The convention leaves this input open: raising and any ratio in [0, 1] are both fine."""


def expected_ratio(value: object) -> Fraction | object | None:
    """The ratio the convention reads from ``value``; None when it must be refused; or ANY.

    A percent string ``"97%"``, or a ratio in [0, 1] given as Fraction,
    Decimal, int 0 or 1, a decimal string, or a float read through its
    shortest repr. Anything above 1 without '%' is an error.
    """
    if isinstance(value, bool):
        return ANY  # bool is an int subclass; refusing and reading 0/1 are both defensible
    if isinstance(value, Fraction):
        ratio = value
    elif isinstance(value, int):
        return Fraction(value) if value in (0, 1) else None
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value == 0 and math.copysign(1, value) < 0:
            return ANY  # -0.0 is 0, but refusing a minus sign is as defensible
        ratio = Fraction(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return None
        if value.is_zero() and value.is_signed():
            return ANY
        if value > 1 or value < 0:
            return None
        if abs(value.adjusted()) > 30:
            return ANY
        ratio = Fraction(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _CLEAN_RATIO.match(text) or len(text) > 60:
            return ANY if text else None
        if text.endswith("%"):
            ratio = Fraction(Decimal(text[:-1])) / 100
        else:
            ratio = Fraction(Decimal(text))
    else:
        return None
    return ratio if 0 <= ratio <= 1 else None


def check_ratio(given: object, parsed: Any, *, label: str, zero: bool = True) -> None:
    """``parsed`` (RAISED or the stored Fraction) is what the convention reads from ``given``."""
    want = expected_ratio(given)
    if want is not ANY and want is not None and not zero and want == 0:
        want = None
    if parsed is RAISED:
        assert want is None or want is ANY, f"{label}: {show(given)} must read as {want!r}"
        return
    assert isinstance(parsed, Fraction), f"{label}: {show(given)} gave {parsed!r}"
    assert 0 <= parsed <= 1, f"{label}: {show(given)} gave {parsed!r}, outside [0, 1]"
    assert want is not None, f"{label}: {show(given)} must be refused, not read as {parsed!r}"
    if want is not ANY:
        assert parsed == want, f"{label}: {show(given)} must read as {want!r}, not {parsed!r}"


# ============================================================================ service windows


@FUZZ
@given(
    hours=p(
        st.sampled_from(
            [
                *SPECS,
                "24x7",
                "closed",
                "Mon 09:00-09:00",
                {"Mon-Fri": "09:00-18:00"},
                {"mon": ["09:00-12:00", "13:00-17:00"], "Sat": "10:00-14:00"},
                {"Mon": 5},
                {"Mon": None},
                {5: "09:00-10:00"},
                {"Mon": "09:00-10:00", "mon": "11:00-12:00"},
            ]
        ),
        (str, Mapping),
    ),
    tz=p(zone_values, ZONE_TYPES),
    holidays=p(
        st.sampled_from([None, "KR", "US-CA", ["2026-03-09"], [date(2026, 3, 9)]]),
        lambda v: v is None or isinstance(v, str) or every((date, str))(v),
    ),
    overrides=p(
        st.sampled_from(
            [
                None,
                {"2026-03-28": "10:00-14:00"},
                {"2026-11-02": "closed"},
                {date(2026, 3, 28): ["10:00-12:00"]},
                {"2026-03-28": 5},
                {"2026-03-28": None},
                {"not a date": "closed"},
                {datetime(2026, 3, 28, 9): "closed"},
                {"9999-12-31": "closed"},
            ]
        ),
        lambda v: v is None or isinstance(v, Mapping),
    ),
)
def test_weekly(hours: A, tz: A, holidays: A, overrides: A) -> None:
    result = run(ServiceWindow.weekly, hours, tz=tz, holidays=holidays, overrides=overrides)
    assert result is RAISED or isinstance(result, ServiceWindow)


@FUZZ
@given(
    rrule=p(
        st.sampled_from(
            [
                "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2",
                "FREQ=DAILY;BYHOUR=22",
                "FREQ=MONTHLY;BYMONTHDAY=1",
                "DTSTART:20260301T020000\nRRULE:FREQ=WEEKLY;BYDAY=SA",
            ]
        ),
        str,
    ),
    duration=p(duration_values, DURATION_TYPES),
    tz=p(zone_values, ZONE_TYPES),
)
def test_recurring(rrule: A, duration: A, tz: A) -> None:
    window = run(ServiceWindow.recurring, rrule, duration=duration, tz=tz)
    if window is not RAISED:
        run(window.business_time, "2026-03-01T00:00Z", "2026-04-01T00:00Z")


@FUZZ
@given(
    spans=p(
        st.lists(st.tuples(instant_values, instant_values), max_size=3),
        every((tuple, list, Span)),
    ),
    tz=p(zone_values, ZONE_TYPES),
    other=p(window_values, ServiceWindow),
)
def test_from_spans_and_operators(spans: A, tz: A, other: A) -> None:
    window = run(ServiceWindow.from_spans, spans, tz=tz)
    if window is RAISED:
        return
    for op in ("__or__", "__and__", "__sub__"):
        combined = run(getattr(window, op), other)
        if combined is not RAISED and combined is not NotImplemented:
            run(combined.business_time, "2026-01-01T00:00Z", "2027-01-01T00:00Z")
    run(window.__contains__, other)


@FUZZ
@given(
    table=p(
        st.sampled_from(
            [
                {"hours": "Mon-Fri 09:00-18:00", "tz": "Europe/Berlin"},
                {"hours": "24x7", "tz": "UTC"},
                {"hours": "Mon-Fri 09:00-18:00", "tz": "Asia/Seoul", "holidays": "KR"},
            ]
        ),
        Mapping,
    ),
)
def test_window_from_dict(table: A) -> None:
    window = run(ServiceWindow.from_dict, table)
    if window is not RAISED:
        assert run(ServiceWindow.from_dict, window.to_dict()) == window


@FUZZ
@given(
    window=window_values,
    a=p(instant_values, INSTANT_TYPES),
    b=p(instant_values, INSTANT_TYPES),
)
def test_window_queries(window: ServiceWindow, a: A, b: A) -> None:
    elapsed = run(window.business_time, a, b)
    if elapsed is not RAISED:
        assert isinstance(elapsed, timedelta)
        span = aware(b.value) - aware(a.value)
        assert abs(elapsed) <= abs(span), "business time exceeds the elapsed time"
        assert (elapsed >= timedelta(0)) == (span >= timedelta(0)) or elapsed == timedelta(0)
    run(window.spans, a, b)
    run(window.next_open, a)
    run(window.next_close, a)
    run(window.__contains__, a)
    run(window.business_time_many, [a.value], [b.value])


@FUZZ
@given(
    window=window_values,
    start=p(instant_values, INSTANT_TYPES),
    duration=p(duration_values, DURATION_TYPES),
    days=p(st.integers(-400, 400), int),
    tz=p(zone_values, ZONE_TYPES),
)
def test_window_add_subtract(window: ServiceWindow, start: A, duration: A, days: A, tz: A) -> None:
    later = run(window.add, start, duration)
    if later is not RAISED:
        given_us = duration.value if isinstance(duration.value, timedelta) else None
        if given_us is not None and given_us >= timedelta(0):
            assert later >= aware(start.value), "add went backwards"
            back = run(window.business_time, start.value, later)
            assert back == given_us, (
                f"business_time(start, add(start, d)) is {show(back)}, not d = {show(given_us)}"
                f" (start {show(start.value)}, add gave {show(later)})"
            )
    run(window.subtract, start, duration)
    moved = run(window.add_days, start, days)
    if moved is not RAISED and isinstance(days.value, int) and days.value >= 0:
        assert moved >= aware(start.value), "add_days with n >= 0 went backwards"
    run(window.in_zone, tz)


_US_2026 = 1_767_225_600_000_000  # 2026-01-01T00:00Z in microseconds
_us_values = st.one_of(
    st.integers(_US_2026 - 10**14, _US_2026 + 10**14),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 253_402_300_799_999_999, -62_135_596_800_000_000]),
)


@FUZZ
@given(window=window_values, a=p(_us_values, int), b=p(_us_values, int))
def test_window_integer_api(window: ServiceWindow, a: A, b: A) -> None:
    """The integer (microsecond) queries, given ints beyond the calendar, and other types."""
    elapsed = run(window.business_time_us, a, b)
    if elapsed is not RAISED and a.typed and b.typed:
        assert isinstance(elapsed, int) and abs(elapsed) <= abs(b.value - a.value)
    later = run(window.add_us, a, b)
    if later is not RAISED and a.typed and b.typed and b.value >= 0:
        assert later >= a.value
    run(window.subtract_us, a, b)
    run(window.contains_us, a)
    run(window.next_open_us, a)
    run(window.next_close_us, a)
    spans = run(window.spans_us, a, b)
    if spans is not RAISED and a.typed and b.typed:
        assert all(a.value <= s < e <= b.value for s, e in spans)


_moments = st.one_of(
    st.integers(_US_2026 - 10**13, _US_2026 + 10**13),  # 2025-2026
    st.integers(-(2**62), 2**62),  # far beyond any calendar
    st.just(None),  # NaT
)


@FUZZ
@given(
    window=window_values,
    pairs=st.lists(st.tuples(_moments, _moments), max_size=5),
    unequal=st.booleans(),
    unit=st.sampled_from(["us", "ns", "s", "D"]),
)
def test_business_time_many_arrays(
    window: ServiceWindow, pairs: list[tuple[int | None, int | None]], unequal: bool, unit: str
) -> None:
    """numpy datetime64 arrays: NaT, far-away values, other units, unequal lengths."""
    np = pytest.importorskip("numpy")

    def array(values: list[int | None]) -> Any:
        return np.array(
            [np.datetime64("NaT") if v is None else np.datetime64(v, "us") for v in values],
            dtype="datetime64[us]",
        ).astype(f"datetime64[{unit}]")

    starts = [a for a, _ in pairs]
    ends = [b for _, b in pairs][: len(pairs) - 1 if unequal else None]
    result = run(window.business_time_many, array(starts), array(ends))
    if result is not RAISED:
        assert len(result) == len(starts) == len(ends)


@FEW
@given(start=p(instant_values, INSTANT_TYPES), end=p(instant_values, INSTANT_TYPES))
def test_span(start: A, end: A) -> None:
    span = run(Span, start, end)
    if span is not RAISED:
        assert aware(end.value) >= aware(start.value), "a span that ends before it starts"
    if span is not RAISED:
        run(lambda: span.duration)


# ============================================================================ incidents and priority


@FUZZ
@given(
    id=p(name_values, str),
    at=p(instant_values, INSTANT_TYPES),
    impact=p(level_values, (int, str)),
    urgency=p(level_values, (int, str)),
    to_state=p(state_values, (str, itilkit.State)),
    reason=p(reason_values, (str, itilkit.HoldReason, type(None))),
    later=p(instant_values, INSTANT_TYPES),
    window=p(window_values | st.none(), (ServiceWindow, type(None))),
)
def test_incident_steps(
    id: A, at: A, impact: A, urgency: A, to_state: A, reason: A, later: A, window: A
) -> None:
    inc = run(Incident.open, id, at=at, impact=impact, urgency=urgency)
    if inc is RAISED:
        return
    assert inc.opened_at == aware(at.value), "opened at another instant than given"
    moved = run(inc.transition, to_state, at=later, reason=reason)
    for step in ("start_work", "resolve", "close", "cancel", "resume", "reopen"):
        run(getattr(inc, step), at=later)
    run(inc.hold, at=later, reason=reason)
    run(inc.reprioritize, at=later, impact=impact, urgency=urgency)
    if moved is not RAISED:
        run(moved.time_in, to_state, window=window)


@FUZZ
@given(
    events=p(
        st.lists(st.tuples(instant_values, state_values), max_size=5),
        every((tuple, list)),
    ),
    impact=p(level_values, (int, str)),
    strict=p(st.booleans(), bool),
    opened_at=p(st.none() | instant_values, (datetime, str, type(None))),
)
def test_incident_replay(events: A, impact: A, strict: A, opened_at: A) -> None:
    run(
        Incident.replay,
        "INC1",
        events,
        impact=impact,
        urgency=2,
        strict=strict,
        opened_at=opened_at,
    )


@FUZZ
@given(
    value=p(level_values | priority_values, (int, str)),
    table=p(
        st.sampled_from(
            [
                [["P1", "P2"], ["P2", "P3"]],
                [["P1", "P2", "P3"], ["P2", "P3", "P4"], ["P3", "P4", "P5"]],
                {("a", "x"): "P1", ("a", "y"): "P2", ("b", "x"): "P3", ("b", "y"): "P4"},
            ]
        ),
        (list, tuple, Mapping),
    ),
    impacts=p(
        st.sampled_from([None, ["a", "b"], ["High", "Medium", "Low"]]),
        lambda v: v is None or every(str)(v),
    ),
)
def test_priority(value: A, table: A, impacts: A) -> None:
    for parse in (
        itilkit.Impact.parse,
        itilkit.Urgency.parse,
        itilkit.Priority.parse,
        itilkit.State.parse,
        itilkit.HoldReason.parse,
        itilkit.Metric.parse,
        itilkit.ChangeType.parse,
        itilkit.ChangeState.parse,
        itilkit.Risk.parse,
    ):
        run(parse, value)
    matrix = PriorityMatrix.itil()
    run(matrix.priority, value, value)
    run(matrix.impact_level, value)
    run(matrix.urgency_level, value)
    urgencies = impacts.value if not isinstance(table.value, list) else None
    custom = run(PriorityMatrix.from_table, table, impacts=impacts, urgencies=A(urgencies, True))
    if custom is not RAISED:
        run(custom.priority, value, value)


# ============================================================================ SLAs and OLAs


def _sla(window: ServiceWindow) -> SLA:
    return SLA(
        "Gold",
        window=window,
        targets=[Target("response", "PT1H"), Target("resolution", "PT8H", priority="P1")],
    )


@FUZZ
@given(
    metric=p(metric_values, (str, itilkit.Metric)),
    within=p(duration_values, DURATION_TYPES),
    priority=p(st.none() | priority_values, (str, int, itilkit.Priority, type(None))),
    window=p(window_values, ServiceWindow),
    warn_at=p(st.lists(ratio_values, max_size=3), every(RATIO_TYPES)),
    availability=p(st.none() | ratio_values, (*RATIO_TYPES, type(None))),
    pause_on=p(
        st.sampled_from([[], ["on_hold"], [itilkit.State.ON_HOLD]]),
        every((str, itilkit.State, itilkit.HoldReason)),
    ),
    service=p(
        st.sampled_from([None, "ERP", ["ERP", "Mail"]]),
        lambda v: v is None or isinstance(v, str) or every(str)(v),
    ),
)
def test_sla_construction(
    metric: A,
    within: A,
    priority: A,
    window: A,
    warn_at: A,
    availability: A,
    pause_on: A,
    service: A,
) -> None:
    target = run(Target, metric, within, priority=priority)
    if target is not RAISED:
        assert target.within > timedelta(0), f"a target within {target.within} was accepted"
    condition = run(Condition, priority=priority, service=service)
    if target is RAISED or condition is RAISED:
        return
    for kind in (SLA, OLA, UnderpinningContract):
        agreement = run(
            kind,
            "Gold",
            window=window,
            targets=[target],
            warn_at=warn_at,
            availability=availability,
            pause_on=pause_on,
            applies_to=condition,
        )
    if agreement is not RAISED and availability.value is not None:
        check_ratio(availability.value, agreement.availability, label="SLA availability")


@FUZZ
@given(
    window=window_values,
    opened=p(instant_values, INSTANT_TYPES),
    as_of=p(instant_values, INSTANT_TYPES),
    metric=p(metric_values, (str, itilkit.Metric)),
    priority=p(priority_values, (str, int, itilkit.Priority)),
    attributes=p(st.sampled_from([None, {"service": "ERP"}]), (Mapping, type(None))),
)
def test_sla_clock_and_compliance(
    window: ServiceWindow, opened: A, as_of: A, metric: A, priority: A, attributes: A
) -> None:
    sla = _sla(window)
    inc = run(Incident.open, "INC1", at=opened, impact=1, urgency=1)
    if inc is RAISED:
        return
    done = run(inc.resolve, at=as_of)
    for item in (inc, done):
        if item is RAISED:
            continue
        run(sla.clock, item, metric, as_of=as_of)
        run(sla.compliance, [item], as_of=as_of)
        run(sla.reconcile, [item], as_of=as_of, field=metric)
        run(sla.reconcile_times, [item], field=metric)
        run(sla.applies, item, attributes)
        run(itilkit.select_slas, [sla], item, attributes=attributes)
    run(sla.target_for, metric, priority)
    run(sla.to_dict)
    ola = OLA("Desk", window=window, targets=[Target("resolution", "PT2H")])
    run(itilkit.check_fit, sla, [ola], metric=metric, priority=priority, start=opened)


condition_values = st.sampled_from(
    [
        {"state": "new"},
        {"state": ["resolved", "closed"]},
        {"state": "on_hold", "reason": "awaiting_caller"},
        {"field": "group", "equals": "Network"},
        {"field": "assignee", "present": True},
        {"field": "group", "changed": True},
        {"not": {"field": "group", "equals": "Network"}},
        {"all": [{"state": "in_progress"}, {"field": "ci", "present": False}]},
        [{"state": "new"}, {"field": "group", "changed": True}],
        [],
    ]
)
pause_item_values = st.sampled_from(
    ["on_hold", "on_hold:awaiting_caller", itilkit.HoldReason.AWAITING_VENDOR, "resolved"]
)
business_day_values = st.sampled_from(
    ["1 business day", "3 business days", "10 working days", itilkit.BusinessDays(2)]
)


@FUZZ
@given(
    name=p(st.sampled_from(["time_to_assign", "network_time"]), str),
    start=p(condition_values),
    stop=p(condition_values),
    pause=p(condition_values),
    reset=p(condition_values),
    days=p(business_day_values, (str, itilkit.BusinessDays)),
    pause_on=p(st.lists(pause_item_values, max_size=3), every((str, itilkit.HoldReason))),
    target_window=p(st.none() | window_values, (ServiceWindow, type(None))),
    on_reopen=p(st.sampled_from(["resume", "restart"]), str),
)
def test_contract_construction(
    name: A,
    start: A,
    stop: A,
    pause: A,
    reset: A,
    days: A,
    pause_on: A,
    target_window: A,
    on_reopen: A,
) -> None:
    """Custom clocks, business-day targets, per-target windows and pauses, reopen rules."""
    clock = run(Clock, name, start=start, stop=stop, pause=pause, reset=reset)
    run(itilkit.BusinessDays.parse, days)
    target = run(Target, "resolution", days, window=target_window, pause_on=pause_on)
    if clock is RAISED or target is RAISED:
        return
    run(Clock.from_dict, clock.to_dict())
    sla = run(
        SLA,
        "Contract",
        window=ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin"),
        targets=[target, Target(clock.name, "PT2H")],
        clocks=[clock],
        on_reopen=on_reopen,
    )
    if sla is RAISED:
        return
    assert SLA.from_dict(sla.to_dict()) == sla
    inc = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P3")
    inc = inc.set_fields(at="2026-03-02T09:00Z", group="Network")
    inc = inc.resolve(at="2026-03-03T10:00Z").reopen(at="2026-03-03T11:00Z")
    for metric in ("resolution", clock.name):
        run(sla.clocks_of, inc, metric, as_of="2026-03-04T00:00Z")
        run(sla.clock, inc, metric, as_of="2026-03-04T00:00Z")
    run(itilkit.compliance, [inc], [sla, _sla(ServiceWindow.always())], as_of="2026-03-05T00:00Z")


@FUZZ
@given(
    incidents=p(st.lists(st.just(None), max_size=0), every(Incident)),
    slas=p(st.just([]), every(itilkit.Agreement)),
    as_of=p(instant_values, INSTANT_TYPES),
    at=p(instant_values, INSTANT_TYPES),
    field=p(st.sampled_from(["group", "assignee", "ci"]), str),
    value=p(st.sampled_from(["Network", None, ""]), (str, type(None))),
    outages=p(
        st.lists(
            st.builds(
                Outage,
                st.just("2026-03-02T09:00Z"),
                st.sampled_from(["2026-03-02T10:00Z", "2026-03-09T10:00Z"]),
            ),
            max_size=3,
        ),
        every(Outage),
    ),
    start=p(instant_values, INSTANT_TYPES),
    end=p(instant_values, INSTANT_TYPES),
    schema=p(st.sampled_from(["sla", "SLA", "nope", ""]), str),
)
def test_contract_entry_points(
    incidents: A,
    slas: A,
    as_of: A,
    at: A,
    field: A,
    value: A,
    outages: A,
    start: A,
    end: A,
    schema: A,
) -> None:
    """compliance over several agreements, set_fields, availability against the SLA,
    and the published document schemas."""
    run(itilkit.schema, schema)
    sla = SLA(
        "Gold",
        window=ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC"),
        targets=[Target("resolution", "PT4H")],
        availability="97%",
    )
    run(itilkit.compliance, incidents, slas, as_of=as_of)
    run(itilkit.compliance, incidents, [sla], as_of=as_of)
    inc = Incident.open("INC1", at="2026-03-02T09:00Z", priority="P2")
    if isinstance(field.value, str):
        run(inc.set_fields, at=at, **{field.value: value})
    report = run(sla.availability_report, outages, start=start, end=end)
    if report is not RAISED:
        run(report.meets)
        run(report.margin)


@FUZZ
@given(
    walk=legal_walks(),
    window=sla_windows(),
    as_of=p(instant_values, INSTANT_TYPES),
    pause_on=st.sampled_from([["on_hold"], [itilkit.State.ON_HOLD], []]),
)
def test_clocks_on_real_lifecycles(
    walk: tuple[datetime, list[Any]], window: ServiceWindow, as_of: A, pause_on: list[str]
) -> None:
    """Clocks and compliance over legal incident walks, at any instant (before, during, after)."""
    opened, steps = walk
    inc = Incident.replay(
        "INC1", [(opened, "new"), *steps], impact="high", urgency="medium", strict=True
    )
    sla = run(
        SLA,
        "Gold",
        window=window,
        targets=[Target("response", "PT1H"), Target("resolution", "P2D")],
        pause_on=pause_on,
    )
    assert sla is not RAISED
    for metric in ("response", "resolution"):
        status = run(sla.clock, inc, metric, as_of=as_of)
        if status is not RAISED:
            assert status.elapsed >= timedelta(0), f"a clock ran backwards: {status.elapsed}"
    run(sla.compliance, [inc], as_of=as_of)
    run(sla.reconcile, [inc], as_of=as_of)
    for state in itilkit.State:
        spent = run(inc.time_in, state, window=window)
        assert spent is RAISED or spent >= timedelta(0)


_DOCUMENT = {
    "name": "Gold",
    "window": {"hours": "Mon-Fri 09:00-18:00", "tz": "Europe/Berlin"},
    "targets": [{"metric": "response", "within": "PT1H"}],
    "availability": "99.5%",
    "warn_at": ["50%", "75%"],
}


@FUZZ
@given(
    key=st.sampled_from(
        ["name", "window", "targets", "availability", "warn_at", "pause_on", "within", "hours"]
    ),
    value=HOSTILE,
)
def test_sla_from_dict(key: str, value: object) -> None:
    # the document is a mapping: whatever it holds, a problem in it is a ConfigError
    run(SLA.from_dict, {**_DOCUMENT, key: value})
    run(SLA.from_dict, {**_DOCUMENT, "targets": [{"metric": "response", key: value}]})
    run(SLA.from_dict, {**_DOCUMENT, "window": {"hours": "24x7", "tz": "UTC", key: value}})
    run(SLA.from_dict, A(value, isinstance(value, Mapping)))
    agreement = run(SLA.from_dict, dict(_DOCUMENT))
    assert agreement is not RAISED
    assert run(SLA.from_dict, agreement.to_dict()) == agreement


@FEW
@given(
    text=st.one_of(
        st.sampled_from(
            [
                json.dumps(_DOCUMENT),
                '{"name": "a", "name": "b"}',
                "[" * 100_000 + "]" * 100_000,
                '{"a": ' * 50_000 + "1" + "}" * 50_000,
                "",
                "\x00",
                '{"name": "Gold", "availability": ' + DIGITS_5000 + "}",
                '{"name": "Gold", "availability": 1e999}',
                '{"name": "Gold", "availability": NaN}',
            ]
        ),
        st.text(max_size=60),
    ),
    suffix=st.sampled_from([".json", ".toml", ".JSON", ""]),
    raw=st.sampled_from([None, b"\xff\xfe\x00", b"name = '\xff'"]),
)
def test_sla_from_file(
    tmp_path_factory: pytest.TempPathFactory, text: str, suffix: str, raw: Any
) -> None:
    folder = tmp_path_factory.mktemp("sla")
    path = folder / f"sla{suffix}"
    if raw is not None:
        path.write_bytes(raw)
    else:
        try:
            path.write_text(text, encoding="utf-8")
        except UnicodeEncodeError:
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
    for source in (path, str(path), folder, folder / "missing.toml"):
        run(SLA.from_file, source)
    run(SLA.from_toml, path)
    run(SLA.from_json, path)


# ============================================================================ availability and budgets


outage_values = st.builds(
    Outage,
    st.just("2026-03-02T09:00Z"),
    st.sampled_from(["2026-03-02T10:00Z", "2026-03-09T10:00Z"]),
    impact=st.sampled_from(["50%", Fraction(1), "100%"]),
    planned=st.booleans(),
)


@FUZZ
@given(
    start=p(instant_values, INSTANT_TYPES),
    end=p(instant_values, INSTANT_TYPES),
    impact=p(ratio_values, RATIO_TYPES),
    planned=p(st.booleans(), bool),
    id=p(st.none() | name_values, (str, type(None))),
)
def test_outage(start: A, end: A, impact: A, planned: A, id: A) -> None:
    outage = run(Outage, start, end, impact=impact, planned=planned, id=id)
    if outage is not RAISED:
        assert aware(end.value) >= aware(start.value), "an outage that ends before it starts"
    fixed = run(Outage, "2026-03-02T09:00Z", "2026-03-02T10:00Z", impact=impact)
    check_ratio(
        impact.value, fixed if fixed is RAISED else fixed.impact, label="Outage impact", zero=False
    )
    if outage is not RAISED:
        run(lambda: outage.duration)


@FUZZ
@given(
    outages=p(st.lists(outage_values, max_size=3), every(Outage)),
    window=p(window_values, ServiceWindow),
    start=p(instant_values, INSTANT_TYPES),
    end=p(instant_values, INSTANT_TYPES),
    target=p(ratio_values, RATIO_TYPES),
)
def test_measure_availability(outages: A, window: A, start: A, end: A, target: A) -> None:
    report = run(itilkit.measure_availability, outages, window=window, start=start, end=end)
    if report is not RAISED:
        assert aware(end.value) >= aware(start.value), "a period that ends before it starts"
        assert report.ratio is None or 0 <= report.ratio <= 1
    if report is RAISED:
        report = itilkit.measure_availability(
            [], window=ServiceWindow.always(), start="2026-03-01T00:00Z", end="2026-04-01T00:00Z"
        )
    met = run(report.meets, target)
    if met is not RAISED:
        assert expected_ratio(target.value) is not None, f"meets({show(target.value)}) read it"
    run(report.margin, target)
    run(lambda: report.by_month)
    run(lambda: (report.mtbf, report.mtrs, report.mtbsi, report.percent))


@FUZZ
@given(
    offsets=st.tuples(st.integers(-3000, 3000), st.integers(0, 3000)),
    impact=st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(1, 4)]),
    planned=st.booleans(),
    zone=st.sampled_from(ZONES),
)
def test_one_outage_on_a_24x7_window(
    offsets: tuple[int, int], impact: Fraction, planned: bool, zone: str
) -> None:
    """One outage against 24x7 over ten days, worked out by hand: overlap x impact."""
    start = datetime(2026, 3, 1, tzinfo=UTC)
    end = start + timedelta(days=10)
    a = start + timedelta(minutes=offsets[0])
    b = a + timedelta(minutes=offsets[1])
    outage = Outage(a, b, impact=impact, planned=planned)
    report = run(
        itilkit.measure_availability,
        [outage],
        window=ServiceWindow.always(tz=zone),
        start=start,
        end=end,
    )
    assert report is not RAISED
    overlap = max(timedelta(0), min(b, end) - max(a, start))
    agreed = (end - start) - (overlap if planned else timedelta(0))
    down = Fraction(0) if planned else impact * (overlap // timedelta(microseconds=1))
    assert report.agreed == agreed
    assert report.ratio == 1 - down / (agreed // timedelta(microseconds=1))


@FUZZ
@given(
    tiers=p(
        st.sampled_from([{"99.9%": "10%", "99.0%": "25%"}, [("99%", "10%")], {"0.999": "0.1"}]),
        lambda v: isinstance(v, Mapping) or every((tuple, list))(v),
    ),
    uptime=p(ratio_values, RATIO_TYPES),
    below=p(ratio_values, RATIO_TYPES),
)
def test_credits_and_composition(tiers: A, uptime: A, below: A) -> None:
    schedule = run(CreditSchedule.of, tiers)
    if schedule is not RAISED:
        owed = run(schedule.credit, uptime)
        assert owed is RAISED or 0 <= owed <= 1
    tier = run(CreditTier, below, uptime)
    if tier is not RAISED:
        # a tier is a pair of exact ratios: anything else must not be taken silently
        assert isinstance(tier.below, Fraction), f"CreditTier kept {show(tier.below)}"
        assert isinstance(tier.credit, Fraction), f"CreditTier kept {show(tier.credit)}"
    for compose in (itilkit.in_series, itilkit.in_parallel):
        result = run(compose, uptime, below)
        assert result is RAISED or 0 <= result <= 1


@FUZZ
@given(
    objective=p(ratio_values, RATIO_TYPES),
    start=p(instant_values, INSTANT_TYPES),
    end=p(instant_values, INSTANT_TYPES),
    window=p(st.none() | window_values, (ServiceWindow, type(None))),
    lookback=p(duration_values, DURATION_TYPES),
    as_of=p(instant_values, INSTANT_TYPES),
    outages=p(st.lists(outage_values, max_size=2), every(Outage)),
)
def test_error_budget(
    objective: A, start: A, end: A, window: A, lookback: A, as_of: A, outages: A
) -> None:
    fixed = run(ErrorBudget, objective, start="2026-03-01T00:00Z", end="2026-04-01T00:00Z")
    want = expected_ratio(objective.value)
    if want == 1:
        want = None  # 100% leaves no budget
    if fixed is RAISED:
        assert want is None or want is ANY, f"objective {show(objective.value)} was refused"
    else:
        assert want is not None, f"objective {show(objective.value)} must be refused"
        check_ratio(objective.value, fixed.objective, label="ErrorBudget objective")
    budget = run(ErrorBudget, objective, start=start, end=end, window=window)
    if budget is RAISED:
        return
    assert aware(end.value) > aware(start.value), "a budget period that ends before it starts"
    for method in (budget.spent, budget.remaining, budget.consumed):
        run(method, outages)
    run(budget.burn_rate, outages, lookback=lookback, as_of=as_of)
    run(budget.alerts, outages, as_of=as_of)


@FEW
@given(
    fraction=p(st.just(Fraction(2, 100)), (Fraction, int)),
    long=p(duration_values, timedelta),
    short=p(duration_values, timedelta),
    period=p(duration_values, timedelta),
)
def test_burn_rate_rule(fraction: A, long: A, short: A, period: A) -> None:
    rule = run(BurnRateRule, fraction, long, short, "page")
    if rule is RAISED:
        return
    run(rule.threshold, period)
    budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-04-01T00:00Z")
    run(budget.evaluate, [], as_of="2026-03-10T00:00Z", rules=[rule])


# ============================================================================ capacity

sample_values = st.lists(
    st.tuples(
        st.integers(0, 14 * 24 * 4).map(
            lambda n: (datetime(2026, 3, 2, tzinfo=UTC) + timedelta(minutes=15 * n)).isoformat()
        ),
        st.sampled_from([0.5, 0.95, Fraction(99, 100), Decimal("0.2"), 1, 0]),
    ),
    max_size=20,
).map(sorted)


def reference_overloads(
    samples: object, threshold: object, min_duration: object, end: object
) -> list[tuple[datetime, datetime]] | None:
    """The overload periods worked out by hand, or None where this reference does not apply.

    Each sample holds until the next; the last holds no time (no ``end``);
    consecutive samples strictly above the threshold make one period; empty
    periods and those shorter than ``min_duration`` are left out.
    """
    if not isinstance(threshold, Fraction) or end is not None:
        return None
    if min_duration is not None and not isinstance(min_duration, timedelta):
        return None
    if not isinstance(samples, list) or not every((tuple, list))(samples):
        return None
    times = [aware(t) for t, _ in samples]
    if any(b <= a for a, b in itertools.pairwise(times)):
        return None  # repeated instants: the library may refuse them
    values = [Fraction(repr(v)) if isinstance(v, float) else Fraction(v) for _, v in samples]
    periods: list[tuple[datetime, datetime]] = []
    begin: datetime | None = None
    for t, v in zip(times, values, strict=True):
        if v > threshold and begin is None:
            begin = t
        elif v <= threshold and begin is not None:
            periods.append((begin, t))
            begin = None
    if begin is not None:
        periods.append((begin, times[-1]))
    shortest = min_duration or timedelta(0)
    return [(a, b) for a, b in periods if b > a and b - a >= shortest]


@FUZZ
@given(
    samples=p(sample_values, every((tuple, list))),
    threshold=p(ratio_values, RATIO_TYPES),
    min_duration=p(st.none() | duration_values, (timedelta, str, type(None))),
    end=p(st.none() | instant_values, (datetime, str, type(None))),
    tz=p(zone_values, ZONE_TYPES),
    occurrences=p(st.none() | st.integers(1, 4), (int, type(None))),
)
def test_capacity(
    samples: A, threshold: A, min_duration: A, end: A, tz: A, occurrences: A
) -> None:
    found = run(
        itilkit.find_overloads, samples, threshold=threshold, min_duration=min_duration, end=end
    )
    fixed = run(itilkit.find_overloads, [("2026-03-02T09:00Z", 0.5)], threshold=threshold)
    want = expected_ratio(threshold.value)
    if fixed is RAISED:
        assert want is None or want is ANY, f"threshold {show(threshold.value)} was refused"
    else:
        assert want is not None, f"threshold {show(threshold.value)} must be refused"
    if found is not RAISED:
        assert all(isinstance(span, Span) for span in found)
        want_spans = reference_overloads(samples.value, want, min_duration.value, end.value)
        if want_spans is not None:
            got = [(aware(span.start), aware(span.end)) for span in found]
            assert got == want_spans, f"overloads {got} are not the hand-worked {want_spans}"
    run(
        itilkit.recurring_overloads,
        samples,
        threshold=threshold,
        tz=tz,
        min_occurrences=occurrences,
        min_duration=min_duration,
        end=end,
    )


@FEW
@given(
    samples=p(sample_values, every((tuple, list))),
    threshold=p(ratio_values, RATIO_TYPES),
    tz=p(zone_values, ZONE_TYPES),
)
def test_plot_load(samples: A, threshold: A, tz: A) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()  # the first drawing builds the font cache: not timed
    axes.text(0, 0, "warm-up")
    figure.canvas.draw()
    plt.close(figure)
    try:
        run(itilkit.plot_load, samples, tz=tz, threshold=threshold)
    finally:
        plt.close("all")


@FEW
@given(
    target=p(st.none() | ratio_values, (*RATIO_TYPES, type(None))),
    ax=p(st.none(), type(None)),
    window=p(st.none() | window_values, (ServiceWindow, type(None))),
    outages=st.lists(outage_values, max_size=2),
    as_of=st.integers(0, 10 * 24 * 60).map(
        lambda m: datetime(2026, 3, 2, 9, tzinfo=UTC) + timedelta(minutes=m)
    ),
)
def test_report_plots(target: A, ax: A, window: A, outages: list[Outage], as_of: datetime) -> None:
    """The one-line plot hooks of reports and clocks, with hostile targets, axes and windows."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    report = itilkit.measure_availability(
        outages, window=ServiceWindow.always(), start="2026-02-01T00:00Z", end="2026-04-01T00:00Z"
    )
    inc = Incident.open("INC1", at="2026-03-02T09:00Z", impact=1, urgency=1)
    status = _sla(ServiceWindow.always()).clock(inc, "response", as_of=as_of)
    try:
        run(report.plot, target, ax=ax)
        run(status.plot, ax=ax, window=window)
    finally:
        plt.close("all")


# ============================================================================ change enablement


@FUZZ
@given(
    id=p(name_values, str),
    type=p(st.sampled_from([*itilkit.ChangeType, "normal", "standard", "emergency"]), str),
    requested=p(instant_values, INSTANT_TYPES),
    start=p(instant_values, INSTANT_TYPES),
    end=p(instant_values, INSTANT_TYPES),
    items=p(st.sampled_from([(), ["db"], "web", ["db", "web"]]), (str, list, tuple)),
    risk=p(st.sampled_from([*itilkit.Risk, "low", "very high"]), (str, int)),
    at=p(instant_values, INSTANT_TYPES),
    to_state=p(st.sampled_from([*itilkit.ChangeState, "assess", "scheduled"]), str),
    voter=p(name_values, str),
)
def test_change_request(
    id: A,
    type: A,
    requested: A,
    start: A,
    end: A,
    items: A,
    risk: A,
    at: A,
    to_state: A,
    voter: A,
) -> None:
    cr = run(
        ChangeRequest.new,
        id,
        type=type,
        requested_at=requested,
        start=start,
        end=end,
        items=items,
        risk=risk,
    )
    if cr is RAISED:
        return
    assert aware(end.value) > aware(start.value), "a change that ends before it starts"
    moved = run(cr.transition, to_state, at=at)
    if moved is not RAISED:
        assert aware(at.value) >= aware(requested.value), "a step before the request"
        assert moved.history[-1].at == aware(at.value)
    for step in ("advance", "cancel", "revert"):
        run(getattr(cr, step), at=at)
    run(cr.approve, voter, role=voter, at=at)
    run(cr.reject, voter, role="cab", at=at, reason=voter)
    run(cr.with_risk, risk)
    run(cr.reschedule, start=start, end=end)


@FUZZ
@given(
    impact=p(st.sampled_from([1, 5, "major", "negligible"]), (int, str)),
    rows=p(
        st.sampled_from([[["low", "medium"], ["medium", "high"]], [["low"]], [["very_high"]]]),
        every((list, tuple)),
    ),
    labels=p(
        st.sampled_from([None, ["minor", "major"], ["x"]]), lambda v: v is None or every(str)(v)
    ),
)
def test_risk_matrix(impact: A, rows: A, labels: A) -> None:
    run(RiskMatrix.default().risk, impact=impact, likelihood=impact)
    matrix = run(RiskMatrix.from_rows, rows, impact_labels=labels)
    if matrix is not RAISED:
        run(matrix.risk, impact=impact, likelihood=impact)


@FUZZ
@given(
    role=p(name_values, str),
    members=p(st.sampled_from([{"alice"}, ["ann", "bo", "cy"], ("erin", "femi")]), every(str)),
    quorum=p(
        st.sampled_from(["any", "all", "majority", 1, 2, Fraction(2, 3)]), (str, int, Fraction)
    ),
    type=p(st.sampled_from(["normal", "standard", "emergency"]), str),
    risk=p(st.sampled_from(["low", "high", "very_high"]), (str, int)),
    votes=st.lists(
        st.tuples(st.sampled_from(["alice", "ann", "bo", "zed"]), st.booleans()), max_size=4
    ),
    key=p(
        st.sampled_from(["normal", ("normal", "high"), "emergency"]),
        (str, tuple, itilkit.ChangeType),
    ),
    when=p(instant_values, INSTANT_TYPES),
    hostile=HOSTILE,
)
def test_approval(
    role: A,
    members: A,
    quorum: A,
    type: A,
    risk: A,
    votes: list[Any],
    key: A,
    when: A,
    hostile: Any,
) -> None:
    rule = run(ApprovalRule, role, members=members, quorum=quorum)
    default = ApprovalPolicy.default(change_managers=["alice"], cab=["ann", "bo"], ecab=["erin"])
    if rule is not RAISED and _hashable(key.value):
        policy = run(ApprovalPolicy, A({key.value: [rule]}, key.typed))
        if policy is not RAISED:
            run(policy.rules_for, type, risk)
    run(ApprovalPolicy.default, change_managers=members, cab=members, ecab=members)
    run(default.rules_for, type, risk)
    cr = ChangeRequest.new(
        "CHG1",
        type="normal",
        risk="high",
        requested_at="2026-03-02T09:00Z",
        start="2026-03-09T22:00Z",
        end="2026-03-09T23:00Z",
    )
    for n, (who, yes) in enumerate(votes):
        at = f"2026-03-02T1{n}:00Z"
        role_name = "cab" if who != "alice" else "change_manager"
        cr = (
            cr.approve(who, role=role_name, at=at)
            if yes
            else cr.reject(who, role=role_name, at=at, reason="no")
        )
    decision = run(default.decide, cr)
    assert decision is not RAISED
    assert run(render_reasons, decision) == decision.reasons
    assert decision.outcome in itilkit.Outcome
    ready = cr.advance(at="2026-03-03T09:00Z").advance(at="2026-03-03T09:01Z")
    run(default.authorise, ready, at="2026-03-03T10:00Z")
    run(default.authorise, ready, at=when)
    run(default.decide, A(hostile, isinstance(hostile, ChangeRequest)))
    run(ApprovalPolicy, A(hostile, isinstance(hostile, Mapping)))
    run(ApprovalPolicy, A({"normal": hostile}, every(ApprovalRule)(hostile)))
    if _hashable(hostile):
        run(
            ApprovalPolicy, A({hostile: []}, isinstance(hostile, str | tuple | itilkit.ChangeType))
        )


@FUZZ
@given(
    lead=p(duration_values, (timedelta, str)),
    key=p(st.sampled_from(["normal", "emergency", itilkit.ChangeType.STANDARD]), str),
    duration=p(duration_values, DURATION_TYPES),
    items=p(st.sampled_from([["db"], "db", ()]), (str, list, tuple)),
    type=p(st.sampled_from(["normal", "standard"]), (str, itilkit.ChangeType)),
    requested=p(st.none() | instant_values, (datetime, str, type(None))),
    horizon=p(duration_values, DURATION_TYPES),
    business=st.none() | window_values,
)
def test_change_calendar_lead_times(
    lead: A,
    key: A,
    duration: A,
    items: A,
    type: A,
    requested: A,
    horizon: A,
    business: ServiceWindow | None,
) -> None:
    keyed = {key.value: lead.value} if _hashable(key.value) else None
    calendar = run(
        ChangeCalendar, lead_time=A(keyed, key.typed and lead.typed), business_window=business
    )
    run(ChangeCalendar, lead_time=lead, business_window=business)
    if calendar is RAISED:
        return
    run(calendar.lead_time_for, type)
    run(
        calendar.next_slot,
        duration,
        after="2026-03-02T09:00Z",
        items=items,
        type=type,
        requested_at=requested,
        horizon=horizon,
    )


@FUZZ
@given(
    freeze=p(st.none() | window_values, (ServiceWindow, type(None))),
    maintenance=p(st.none() | window_values, (ServiceWindow, type(None))),
    lead_time=p(st.none() | duration_values, (timedelta, str, Mapping, type(None))),
    business=p(st.none() | window_values, (ServiceWindow, type(None))),
    duration=p(duration_values, DURATION_TYPES),
    after=p(instant_values, INSTANT_TYPES),
    horizon=p(st.sampled_from([timedelta(days=30), "P7D", timedelta(0)]), DURATION_TYPES),
    others=p(st.just([]), every(ChangeRequest)),
)
def test_change_calendar(
    freeze: A,
    maintenance: A,
    lead_time: A,
    business: A,
    duration: A,
    after: A,
    horizon: A,
    others: A,
) -> None:
    calendar = run(
        ChangeCalendar,
        freeze=freeze,
        maintenance=maintenance,
        lead_time=lead_time,
        business_window=business,
    )
    if calendar is RAISED:
        return
    cr = ChangeRequest.new(
        "CHG1",
        type="normal",
        requested_at="2026-03-02T09:00Z",
        start="2026-03-09T22:00Z",
        end="2026-03-09T23:00Z",
        items=["db"],
    )
    run(calendar.conflicts, cr, others)
    run(calendar.next_slot, duration, after=after, items=["db"], others=others, horizon=horizon)
    run(calendar.lead_time_for, A("normal", True))
    budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-04-01T00:00Z")
    run(calendar.with_budget_freeze, budget, others, as_of=after)


# ============================================================================ event logs

_HEADER = (
    "number",
    "incident_state",
    "sys_mod_count",
    "opened_at",
    "sys_updated_at",
    "impact",
    "urgency",
)
#: Cells every export reader must refuse or read: empty, missing, too long, NUL, quotes.
HOSTILE_CELLS = ("", "?", DIGITS_5000, "\x00", '"', "a,b")

cell_values = st.one_of(
    st.sampled_from(
        [
            "INC1",
            "New",
            "Active",
            "Resolved",
            "Closed",
            "Awaiting User Info",
            "2 - Medium",
            "1 - High",
            "0",
            "1",
            "2/3/2016 09:00",
            "29/2/2016 01:16",
            "2016-02-29 01:16",
            "31/12/9999 23:59",
            "1/1/0001 00:00",
            "27/3/2016 02:30",
            *HOSTILE_CELLS,
        ]
    ),
    st.text(max_size=12),
)


@FUZZ
@given(
    rows=st.lists(st.lists(cell_values, min_size=7, max_size=7), max_size=5),
    header=st.sampled_from([_HEADER, _HEADER[:3], ("a", "b")]),
    tz=p(st.sampled_from(["Europe/Lisbon", "UTC"]), ZONE_TYPES),
    preset=p(st.sampled_from(sorted(itilkit.io.PRESETS)), str),
    columns=p(
        st.sampled_from([None, {"counter": None}, {"id": "number", "at": "sys_updated_at"}]),
        lambda v: v is None or isinstance(v, Mapping),
    ),
    states=p(
        st.sampled_from([None, {"Waiting": "on_hold:awaiting_caller"}, {"Done": "resolved"}]),
        lambda v: v is None or isinstance(v, Mapping),
    ),
    level=p(st.none() | level_values, (int, str, type(None))),
    dayfirst=p(st.booleans() | st.none(), (bool, type(None))),
    delimiter=p(st.sampled_from([",", None, ";"]), (str, type(None))),
    encoding=p(st.sampled_from(["utf-8", "utf-8-sig"]), str),
    priority=p(st.sampled_from(["recorded", "matrix"]), str),
    priorities=p(
        st.sampled_from([None, {"Highest": "P1"}, {"Low": 4}]),
        lambda v: v is None or isinstance(v, Mapping),
    ),
    strict=p(st.booleans(), bool),
)
def test_read_event_log(
    rows: list[list[str]],
    header: tuple[str, ...],
    tz: A,
    preset: A,
    dayfirst: A,
    delimiter: A,
    encoding: A,
    columns: A,
    states: A,
    level: A,
    priority: A,
    priorities: A,
    strict: A,
) -> None:
    lines = [",".join(header)] + [
        ",".join('"' + c.replace('"', '""') + '"' for c in row[: len(header)]) for row in rows
    ]
    text = "\n".join(lines) + "\n"
    log = run(
        itilkit.io.read_event_log,
        io.StringIO(text),
        tz=tz,
        preset=preset,
        dayfirst=dayfirst,
        delimiter=delimiter,
        encoding=encoding,
        columns=columns,
        states=states,
        impact=level,
        urgency=level,
        priority=priority,
        priorities=priorities,
        strict=strict,
    )
    if log is not RAISED:
        assert log.rows == len(rows)
        summary = log.summary()
        assert summary.rows == summary.steps + summary.repeats + summary.dropped
        assert str(summary)
        assert all(isinstance(a, itilkit.Anomaly) for a in log.anomalies)
        for inc in log.incidents:
            run(log.incident, inc.id)
        assert isinstance(itilkit.io.PRESETS[preset.value], itilkit.io.Preset)


@FEW
@given(source=HOSTILE)
def test_read_event_log_sources(source: object) -> None:
    typed = isinstance(source, str | Path) or hasattr(source, "read")
    run(itilkit.io.read_event_log, A(source, typed), tz="UTC")


# ============================================================================ field-change tables

_FC_HEADERS = (
    ("documentkey", "fieldname", "oldvalue", "newvalue", "sys_created_on"),
    ("key", "field", "fromString", "toString", "created"),
    ("items_id", "id_search_option", "old_value", "new_value", "date_mod"),
    ("a", "b"),
)
fc_cells = st.one_of(
    st.sampled_from(
        [
            "x",
            "INC1",
            "state",
            "status",
            "priority",
            "impact",
            "hold_reason",
            "assignment_group",
            "12",
            "3",
            "1",
            "2",
            "6",
            "Open",
            "Highest",
            "Frozen",
            "2026-03-02 09:00:00",
            "2026-03-02T09:00:00.000-0600",
            "2026-03-02T09:00:00Z",
            "2026-03-08 02:30:00",
            "0001-01-01 00:00:00",
            "0001-01-01T00:00+14:00",
            "9999-12-31T23:59-12:00",
            "9999-12-31 23:59:59.999999",
            "",
            "null",
            DIGITS_5000,
            "\x00",
            '"',
            "a,b",
        ]
    ),
    st.text(max_size=12),
)


@FUZZ
@given(
    rows=st.lists(st.lists(fc_cells, min_size=5, max_size=5), max_size=6),
    header=st.sampled_from(_FC_HEADERS),
    tz=p(st.sampled_from(["America/New_York", "UTC"]), ZONE_TYPES),
    preset=p(st.sampled_from(sorted(itilkit.io.FIELD_CHANGE_PRESETS)), str),
    columns=p(
        st.sampled_from(
            [None, {"service": "assignment_group"}, {"id": "key"}, {"state": None}, {"x": 1}]
        ),
        lambda v: v is None or isinstance(v, Mapping),
    ),
    states=p(
        st.sampled_from([None, {"Frozen": "on_hold:awaiting_caller"}, {"x": "nowhere"}]),
        lambda v: v is None or isinstance(v, Mapping),
    ),
    strict=p(st.booleans(), bool),
)
def test_read_field_changes(
    rows: list[list[str]],
    header: tuple[str, ...],
    tz: A,
    preset: A,
    columns: A,
    states: A,
    strict: A,
) -> None:
    lines = [",".join(header)] + [
        ",".join('"' + c.replace('"', '""') + '"' for c in row[: len(header)]) for row in rows
    ]
    log = run(
        itilkit.io.read_field_changes,
        io.StringIO("\n".join(lines) + "\n"),
        tz=tz,
        preset=preset,
        columns=columns,
        states=states,
        strict=strict,
    )
    if log is not RAISED:
        assert log.rows == len(rows)
        summary = log.summary()
        assert summary.rows == summary.steps + summary.repeats + summary.dropped
        assert log.dropped == sum(
            1
            for a in log.anomalies
            if a.kind
            in {
                "short_row",
                "long_row",
                "missing_id",
                "bad_record",
                "bad_date",
                "unknown_state",
                "no_priority",
            }
        ) + sum(
            1 for a in log.anomalies if a.kind == "bad_value" and a.message.find("read as") < 0
        )
        assert log.ignored == sum(n for _, n in log.ignored_fields) <= log.repeats


_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.sampled_from(
        [
            "new",
            "open",
            "hold",
            "solved",
            "urgent",
            "low",
            "status",
            "priority",
            "group_id",
            "Change",
            "Create",
            "Comment",
            "2026-03-02T09:00:00Z",
            "9999-12-31T23:59:59-12:00",
            "",
        ]
    ),
)
_json_values = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "audits",
                    "audit",
                    "ticket_id",
                    "created_at",
                    "events",
                    "type",
                    "field_name",
                    "value",
                    "previous_value",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@FUZZ
@given(document=_json_values, as_text=st.booleans(), strict=st.booleans())
def test_read_field_changes_zendesk_json(document: object, as_text: bool, strict: bool) -> None:
    source: object = io.StringIO(json.dumps(document)) if as_text else document
    typed = as_text or isinstance(document, Mapping)
    log = run(
        itilkit.io.read_field_changes, A(source, typed), tz="UTC", preset="zendesk", strict=strict
    )
    if log is not RAISED:
        summary = log.summary()
        assert summary.rows == summary.steps + summary.repeats + summary.dropped


@FEW
@given(source=HOSTILE, preset=st.sampled_from(sorted(itilkit.io.FIELD_CHANGE_PRESETS)))
def test_read_field_changes_sources(source: object, preset: str) -> None:
    typed = isinstance(source, str | Path) or hasattr(source, "read")
    if preset == "zendesk":
        typed = typed or isinstance(source, Mapping)
    run(itilkit.io.read_field_changes, A(source, typed), tz="UTC", preset=preset)


# ============================================================================ snapshots

_SNAPSHOT_HEADER = (
    "number",
    "incident_state",
    "hold_reason",
    "opened_at",
    "resolved_at",
    "closed_at",
    "sys_updated_on",
    "priority",
    "impact",
    "urgency",
    "reopen_count",
)
snapshot_cells = st.one_of(
    st.sampled_from(
        [
            "INC1",
            "INC2",
            "1",
            "2",
            "3",
            "5",
            "7",
            "9",
            "On Hold",
            "Awaiting Caller",
            "4 - Low",
            "2026-03-02 09:00:00",
            "2026-03-08 02:30:00",
            "2026-03-02T09:00:00.1234567",
            "2026-03-02 09:00:00+14:00",
            "0001-01-01 00:00:00",
            "9999-12-31 23:59:59",
            "0001-01-01 00:00:00-12:00",
            *HOSTILE_CELLS,
        ]
    ),
    st.text(max_size=12),
)


@FUZZ
@given(
    rows=st.lists(st.lists(snapshot_cells, min_size=11, max_size=11), max_size=5),
    header=st.sampled_from([_SNAPSHOT_HEADER, _SNAPSHOT_HEADER[:4], ("a", "b")]),
    tz=p(st.sampled_from(["America/New_York", "UTC"]), ZONE_TYPES),
    preset=p(st.sampled_from(sorted(itilkit.io.SNAPSHOT_PRESETS)), str),
    columns=p(
        st.sampled_from([None, {"priority": None}, {"at": "opened_at"}, {"reopened_at": "x"}]),
        lambda v: v is None or isinstance(v, Mapping),
    ),
    delimiter=p(st.sampled_from([",", None, ";"]), (str, type(None))),
    encoding=p(st.sampled_from(["utf-8", "utf-8-sig"]), str),
    strict=p(st.booleans(), bool),
)
def test_read_incidents(
    rows: list[list[str]],
    header: tuple[str, ...],
    tz: A,
    preset: A,
    columns: A,
    delimiter: A,
    encoding: A,
    strict: A,
) -> None:
    lines = [",".join(header)] + [
        ",".join('"' + c.replace('"', '""') + '"' for c in row[: len(header)]) for row in rows
    ]
    text = "\n".join(lines) + "\n"
    log = run(
        itilkit.io.read_incidents,
        io.StringIO(text),
        tz=tz,
        preset=preset,
        columns=columns,
        delimiter=delimiter,
        encoding=encoding,
        strict=strict,
    )
    if log is not RAISED:
        assert log.rows == len(rows)
        summary = log.summary()
        assert summary.repeats == 0
        assert summary.steps == len(log.incidents)
        assert summary.rows == summary.steps + summary.dropped
        assert str(summary)
        assert len({inc.id for inc in log.incidents}) == len(log.incidents)
        for inc in log.incidents:
            run(log.incident, inc.id)


@FEW
@given(source=HOSTILE)
def test_read_incidents_sources(source: object) -> None:
    typed = isinstance(source, str | Path) or hasattr(source, "read")
    run(itilkit.io.read_incidents, A(source, typed), tz="UTC")


# ============================================================================ outage and sample loaders

loader_cells = st.one_of(
    st.sampled_from(
        [
            "2026-03-02T09:00Z",
            "2026-03-02T10:00+09:00",
            "2026-03-02 09:00",
            "2026-03-08 02:30",
            "2026-03-02T09:00:00.1234567Z",
            "0001-01-01T00:00+14:00",
            "9999-12-31T23:59-12:00",
            "50%",
            "0.5",
            "1",
            "0",
            "97",
            "yes",
            "NO",
            "",
            "NaN",
            "-inf",
            "1E+99999999",
            DIGITS_5000,
            "\x00",
            '"',
            "a,b",
            "\ud800",
        ]
    ),
    st.text(max_size=12),
)


@FUZZ
@given(
    rows=st.lists(st.lists(loader_cells, min_size=4, max_size=4), max_size=5),
    header=st.sampled_from(
        [
            ("start", "end", "impact", "planned"),
            ("time", "value", "id", "ci"),
            ("a", "b", "c", "d"),
        ]
    ),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    tz=p(st.none() | st.sampled_from(["America/New_York", "UTC"]), (*ZONE_TYPES, type(None))),
    unit=p(st.sampled_from(["ratio", "%"]), str),
    delimiter=p(st.none() | st.sampled_from([",", ";", "\t", "|"]), (str, type(None))),
    columns=p(
        st.sampled_from([None, {"start": "a", "end": "b"}, {"time": "a", "value": "b"}]),
        lambda v: v is None or isinstance(v, Mapping),
    ),
)
def test_read_outages_and_samples(
    rows: list[list[str]],
    header: tuple[str, ...],
    sep: str,
    tz: A,
    unit: A,
    delimiter: A,
    columns: A,
) -> None:
    lines = [sep.join(header)] + [
        sep.join('"' + c.replace('"', '""') + '"' for c in row) for row in rows
    ]
    text = "\n".join(lines) + "\n"
    outages = run(
        itilkit.io.read_outages, io.StringIO(text), tz=tz, delimiter=delimiter, columns=columns
    )
    if outages is not RAISED:  # every row an outage, or an error: none dropped
        assert len(outages) == len(rows) == len(outages.rows) == len(outages.attributes)
    samples = run(
        itilkit.io.read_samples,
        io.StringIO(text),
        tz=tz,
        unit=unit,
        delimiter=delimiter,
        columns=columns,
    )
    if samples is not RAISED:
        assert len(samples) == len(rows)
        assert all(v >= 0 for _, v in samples)


prometheus_parts = st.one_of(
    st.sampled_from(
        [1772442000, 1772442000.781, Decimal("1772442000.0000001"), "1772442000", "0.5", "95"]
    ),
    HOSTILE,
)


@FUZZ
@given(
    values=st.lists(st.lists(prometheus_parts, min_size=1, max_size=3), max_size=4),
    labels=st.sampled_from([{"job": "x"}, {}, None, "x"]),
    series=p(st.none() | st.just({"job": "x"}), lambda v: v is None or isinstance(v, Mapping)),
    unit=p(st.sampled_from(["ratio", "%"]), str),
    tz=p(st.none() | st.sampled_from(["Asia/Seoul", "UTC"]), (*ZONE_TYPES, type(None))),
    as_text=st.booleans(),
)
def test_read_samples_prometheus(
    values: list[list[Any]], labels: Any, series: A, unit: A, tz: A, as_text: bool
) -> None:
    document: Any = {
        "status": "success",
        "data": {"resultType": "matrix", "result": [{"metric": labels, "values": values}]},
    }
    if as_text:
        try:
            document = io.StringIO(json.dumps(document, default=repr))
        except ValueError:  # an int past Python's digit limit: no JSON text of it
            return
    samples = run(itilkit.io.read_samples, document, series=series, unit=unit, tz=tz)
    if samples is not RAISED:
        assert len(samples) == len(values)


@FEW
@given(source=HOSTILE)
def test_read_outages_and_samples_sources(source: object) -> None:
    typed = isinstance(source, str | Path | Mapping) or hasattr(source, "read")
    run(itilkit.io.read_outages, A(source, typed and not isinstance(source, Mapping)))
    run(itilkit.io.read_samples, A(source, typed))


# ============================================================================ data frames


@FEW
@given(
    opened=st.lists(instants(), min_size=1, max_size=3),
    naive=st.booleans(),
    as_of=p(instant_values, INSTANT_TYPES),
    column=p(st.sampled_from(["opened_at", "resolved_at"]), str),
)
def test_dataframe(opened: list[datetime], naive: bool, as_of: A, column: A) -> None:
    pd = pytest.importorskip("pandas")
    from itilkit.dataframe import (
        business_time,
        business_time_total,
        combine_counts,
        compliance_counts,
        sla_columns,
    )

    stamps = pd.to_datetime([t.astimezone(UTC).replace(tzinfo=None) for t in opened])
    if not naive:
        stamps = stamps.tz_localize("UTC")
    frame = pd.DataFrame(
        {
            "number": [f"INC{n}" for n in range(len(opened))],
            "priority": ["P1"] * len(opened),
            "opened_at": stamps,
            "responded_at": stamps,
            "resolved_at": stamps,
        }
    )
    window = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
    run(business_time, frame, window, start=column, end="resolved_at")
    run(sla_columns, frame, _sla(window), as_of=as_of, opened_at=column)
    run(compliance_counts, frame, _sla(window), as_of=as_of, opened_at=column)
    run(compliance_counts, A(None, False), _sla(window), as_of=as_of)
    run(business_time_total, frame, window, start=column, end="resolved_at")
    run(business_time_total, frame, A(None, False), start="opened_at", end="resolved_at")
    run(combine_counts, A(frame, False))
    run(combine_counts, A(None, False))
    run(business_time, A(None, False), window)
    run(business_time, frame, A(None, False))


# ============================================================================ errors


@FEW
@given(field=p(st.just("impact"), str), value=HOSTILE)
def test_error_classes(field: A, value: object) -> None:
    """An error built around any offending value has a message and survives pickling."""
    import pickle

    for build in (
        lambda: itilkit.InvalidValueError(field.value, "in (0, 1]", value),
        lambda: itilkit.NaiveDatetimeError(field.value, value),
        lambda: itilkit.UnknownZoneError(field.value, value),
        lambda: itilkit.ChronologyError(field.value, value, value),
        lambda: itilkit.ConfigError([(show(field.value), show(value))]),
    ):
        label = f"error class with field {show(field.value)} and value {show(value)}"
        error = call(label, build, typed=field.typed)
        if error is not RAISED:
            str(error)
            pickle.loads(pickle.dumps(error))


def test_every_exported_name_is_fuzzed() -> None:
    """Each callable of ``itilkit.__all__`` appears in a fuzz file (``tests/test_fuzz*.py``).

    Data (the rule tables) is left out, and so are the result types the library builds.
    """
    here = Path(__file__).parent
    source = "\n".join(f.read_text(encoding="utf-8") for f in sorted(here.glob("test_fuzz*.py")))
    skip = {"__version__", "ItilkitWarning", "MissingDependencyError"}
    result_types = {  # built only by the library; fuzzed through the calls that return them
        "Anomaly",
        "AvailabilityReport",
        "Breach",
        "BurnRateAlert",
        "ChangeTransition",
        "ClockStatus",
        "ComplianceReport",
        "Conflict",
        "ConflictKind",
        "Decision",
        "DowntimeBreakdown",
        "FitReport",
        "FieldChange",
        "FitStage",
        "NoTargetError",
        "Outcome",
        "Pause",
        "PriorityChange",
        "Reconciliation",
        "ReconciliationRow",
        "TimeReconciliation",
        "TimeRow",
        "RecurringOverload",
        "Tally",
        "Transition",
        "Vote",
        "Agreement",
        "ChronologyError",
        "ConfigError",
        "EventLogError",
        "InvalidTransitionError",
        "NoOpenTimeError",
        "NotAuthorisedError",
        "UnknownHolidaysError",
        "WindowSpecError",
        "ItilkitError",
        "IgnoredBecause",
        "IgnoredVote",
        "RuleResult",
        "RuleStatus",
    }
    data = {name for name in itilkit.__all__ if not callable(getattr(itilkit, name))}  # tables
    missing = [
        name
        for name in itilkit.__all__
        if name not in skip | result_types | data and name not in source.replace("itilkit.", " ")
    ]
    assert not missing, f"exported but not fuzzed: {missing}"


# ============================================================================ regressions
#
# Each case is a hostile input a fuzz run caught. ``expect`` is worked out by
# hand: "error" (an ItilkitError; the class when given), "typed" (an
# ItilkitError or a TypeError: the argument has a wrong type), "bounded"
# (anything the oracle accepts, within the time bound), "equals" (this
# result; None: an ItilkitError), "equals-or-error" (this result, or an
# ItilkitError for a documented limit), or "percent" (an InvalidValueError,
# or the error class given, whose message suggests the '%' form).

_WEEKDAYS = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")


def _sla_columns_of_one_ticket(**columns: Any) -> Any:
    pd = pytest.importorskip("pandas")
    from itilkit.dataframe import sla_columns

    opened = pd.to_datetime(["2026-03-02T09:00"]).tz_localize("UTC")
    frame = pd.DataFrame(
        {
            "number": ["INC1"],
            "priority": ["P1"],
            "opened_at": opened,
            "responded_at": opened,
            "resolved_at": opened,
        }
    )
    return sla_columns(frame, _sla(_WEEKDAYS), as_of="2026-03-03T00:00Z", **columns)


def _clock_status() -> Any:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    inc = Incident.open("INC1", at="2026-03-02T09:00Z", impact=1, urgency=1)
    return _sla(ServiceWindow.always()).clock(inc, "response", as_of="2026-03-02T12:00Z")


def _datetime64(texts: list[str]) -> Any:
    np = pytest.importorskip("numpy")
    return np.array(texts, dtype="datetime64[s]")


def _two_far_queries() -> tuple[timedelta, timedelta]:
    window = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
    early = window.business_time("0002-01-01T00:00Z", "0002-01-02T00:00Z")
    late = window.business_time("9997-01-01T00:00Z", "9997-01-02T00:00Z")
    return early, late


def _far_day(year: int) -> timedelta:
    """9 h when 1 January of ``year`` is a weekday (proleptic Gregorian), else nothing."""
    return timedelta(hours=9) if date(year, 1, 1).weekday() < 5 else timedelta(0)


def _write(tmp: Path, name: str, content: str | bytes) -> Path:
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


_GOOD_JSON = json.dumps(_DOCUMENT)
_BUDGET_PERIOD = {"start": "2026-03-01T00:00Z", "end": "2026-04-01T00:00Z"}
_HOUR_OUTAGE = ("2026-03-02T09:00Z", "2026-03-02T10:00Z")


def _sla_with(**fields: Any) -> Callable[[], Any]:
    return lambda: SLA("Gold", window=_WEEKDAYS, targets=[Target("response", "PT1H")], **fields)


def _ratio_cases() -> list[Any]:
    """Every ratio field given a value above 1 without '%': an error naming the '%' form."""
    cases = []
    for given_ in ("97", 97, "99.9"):
        percent = f"{given_}%"
        fields: dict[str, Callable[[], Any]] = {
            "SLA availability": _sla_with(availability=given_),
            "SLA warn_at": _sla_with(warn_at=[given_]),
            "ErrorBudget objective": lambda g=given_: ErrorBudget(g, **_BUDGET_PERIOD),
            "Outage impact": lambda g=given_: Outage(*_HOUR_OUTAGE, impact=g),
            "find_overloads threshold": lambda g=given_: itilkit.find_overloads(
                [("2026-03-02T09:00Z", 0.5)], threshold=g
            ),
            "meets": lambda g=given_: itilkit.measure_availability(
                [], window=_WEEKDAYS, **_BUDGET_PERIOD
            ).meets(g),
            "credit tier": lambda g=given_: CreditSchedule.of({g: "10%"}),
            "in_series": lambda g=given_: itilkit.in_series(g),
            "SLA.from_dict availability": lambda g=given_: SLA.from_dict(
                {**_DOCUMENT, "availability": g}
            ),
        }
        for field, thunk in fields.items():
            # a document reports the problem in a ConfigError, with the same hint
            error = itilkit.ConfigError if "from_dict" in field else itilkit.InvalidValueError
            cases.append(
                pytest.param(
                    thunk,
                    ("percent", percent, error),
                    id=f"ratio-{field.replace(' ', '_')}-{given_!r}",
                )
            )
    return cases


def _ratio_reads() -> list[Any]:
    """The convention's accepted forms, read exactly (the values worked out by hand)."""
    forms = {
        "97%": Fraction(97, 100),
        "0.97": Fraction(97, 100),
        Decimal("0.97"): Fraction(97, 100),
        Fraction(97, 100): Fraction(97, 100),
        0.9: Fraction(9, 10),
        0.999: Fraction(999, 1000),
        0: Fraction(0),
        "99.95%": Fraction(1999, 2000),
    }
    cases = []
    for given_, want in forms.items():
        budget_want = want if want < 1 else None
        cases.append(
            pytest.param(
                lambda g=given_: ErrorBudget(g, **_BUDGET_PERIOD).objective,
                ("equals", budget_want),
                id=f"ratio-read-objective-{given_!r}",
            )
        )
        cases.append(
            pytest.param(
                lambda g=given_: _sla_with(availability=g)().availability,
                ("equals", want),
                id=f"ratio-read-availability-{given_!r}",
            )
        )
    return cases


REGRESSIONS = [
    # --- service windows ---
    pytest.param(lambda: ServiceWindow.weekly(";;;", tz="UTC"), ("error",), id="spec-semicolons"),
    pytest.param(
        lambda: ServiceWindow.weekly(" ; ; ", tz="UTC"), ("error",), id="spec-blank-parts"
    ),
    pytest.param(
        lambda: ServiceWindow.recurring("FREQ=YEARLY;BYMONTH=13", duration="PT1H", tz="UTC"),
        ("error",),
        id="rrule-bymonth-13",
    ),
    pytest.param(
        lambda: ServiceWindow.recurring("FREQ=DAILY;INTERVAL=0", duration="PT1H", tz="UTC"),
        ("error",),
        id="rrule-interval-0",
    ),
    pytest.param(
        lambda: ServiceWindow.always().next_close("2026-03-02T00:00Z"),
        ("bounded",),
        id="next-close-24x7",
    ),
    pytest.param(
        _two_far_queries,
        ("equals", (_far_day(2), _far_day(9997))),
        id="business-time-year-2-then-9997",
    ),
    pytest.param(
        lambda: ServiceWindow.always().add("2026-03-02T09:00Z", timedelta(days=913 * 365)),
        ("equals-or-error", datetime(2026, 3, 2, 9, tzinfo=UTC) + timedelta(days=913 * 365)),
        id="add-913-years-24x7",
    ),
    pytest.param(
        lambda: _WEEKDAYS.add("2026-03-02T09:00Z", timedelta(days=913 * 365)),
        ("error",),
        id="add-913-years-business-hours",
    ),
    pytest.param(
        # 10**6 weekdays from a Monday are exactly 200,000 weeks: the same Monday, 10:00
        lambda: _WEEKDAYS.add_days("2026-03-02T10:00Z", 10**6),
        ("equals-or-error", datetime(2026, 3, 2, 10, tzinfo=UTC) + timedelta(weeks=200_000)),
        id="add-days-million",
    ),
    pytest.param(
        lambda: _WEEKDAYS.add("2026-03-02T09:00Z", "PT99999999999H"),
        ("error",),
        id="add-duration-overflow",
    ),
    pytest.param(
        lambda: _WEEKDAYS.add_days("2026-03-02T10:00Z", 10**5000),
        ("error",),
        id="add-days-5000-digits",
    ),
    pytest.param(
        lambda: _WEEKDAYS.business_time_many(
            _datetime64(["2026-01-13T14:28"]), _datetime64(["148108-07-06T14:00"])
        ),
        ("error",),
        id="business-time-many-year-148108",
    ),
    pytest.param(lambda: _WEEKDAYS.add_us(-(2**70), 1), ("error",), id="add-us-beyond-calendar"),
    pytest.param(
        lambda: _WEEKDAYS.business_time_us(0, 2**70), ("error",), id="business-time-us-2-70"
    ),
    pytest.param(lambda: _WEEKDAYS.next_open_us(2**70), ("error",), id="next-open-us-2-70"),
    pytest.param(
        lambda: ServiceWindow.recurring("FREQ=DAILY", duration="PT99999999999H", tz="UTC"),
        ("error",),
        id="recurring-duration-overflow",
    ),
    # --- durations and huge numbers ---
    pytest.param(lambda: Target("response", "PT99999999999H"), ("error",), id="target-overflow"),
    pytest.param(
        lambda: Target("response", "PT" + DIGITS_5000 + "H"), ("error",), id="target-5000-digits"
    ),
    pytest.param(
        lambda: ChangeCalendar(lead_time="PT99999999999H"), ("error",), id="lead-time-overflow"
    ),
    pytest.param(
        lambda: ErrorBudget("99.9%", **_BUDGET_PERIOD).burn_rate(
            [], lookback="PT99999999999H", as_of="2026-03-10T00:00Z"
        ),
        ("error",),
        id="lookback-overflow",
    ),
    pytest.param(
        lambda: itilkit.Priority.parse(DIGITS_5000), ("error",), id="priority-5000-digits"
    ),
    pytest.param(lambda: itilkit.Impact.parse(DIGITS_5000), ("error",), id="impact-5000-digits"),
    pytest.param(
        lambda: PriorityMatrix.itil().priority(DIGITS_5000, 1), ("error",), id="matrix-5000-digits"
    ),
    pytest.param(
        lambda: ErrorBudget(10**5000, **_BUDGET_PERIOD), ("error",), id="objective-5000-digit-int"
    ),
    pytest.param(
        lambda: ErrorBudget(DIGITS_5000, **_BUDGET_PERIOD), ("error",), id="objective-5000-digits"
    ),
    pytest.param(
        lambda: itilkit.InvalidValueError("x", "small", 10**5000),
        ("bounded",),
        id="error-message-5000-digit-int",
    ),
    # --- Decimal("1E+99999999") wherever a ratio is read ---
    pytest.param(
        lambda: Outage(*_HOUR_OUTAGE, impact=HUGE_DECIMAL), ("error",), id="huge-outage-impact"
    ),
    pytest.param(
        lambda: ErrorBudget(HUGE_DECIMAL, **_BUDGET_PERIOD), ("error",), id="huge-budget-objective"
    ),
    pytest.param(_sla_with(availability=HUGE_DECIMAL), ("error",), id="huge-sla-availability"),
    pytest.param(_sla_with(warn_at=[HUGE_DECIMAL]), ("error",), id="huge-sla-warn-at"),
    pytest.param(
        lambda: itilkit.find_overloads([("2026-03-02T09:00Z", 0.5)], threshold=HUGE_DECIMAL),
        ("error",),
        id="huge-capacity-threshold",
    ),
    pytest.param(
        lambda: itilkit.find_overloads([("2026-03-02T09:00Z", HUGE_DECIMAL)], threshold="90%"),
        ("bounded",),
        id="huge-capacity-sample",
    ),
    pytest.param(
        lambda: itilkit.measure_availability([], window=_WEEKDAYS, **_BUDGET_PERIOD).meets(
            HUGE_DECIMAL
        ),
        ("error",),
        id="huge-meets",
    ),
    pytest.param(
        lambda: CreditSchedule.of({HUGE_DECIMAL: "10%"}), ("error",), id="huge-credit-tier"
    ),
    # --- a window where a window belongs ---
    pytest.param(
        lambda: itilkit.measure_availability([], window=None, **_BUDGET_PERIOD),
        ("typed",),
        id="measure-window-none",
    ),
    pytest.param(
        lambda: itilkit.measure_availability([], window="Mon-Fri 09:00-18:00", **_BUDGET_PERIOD),
        ("typed",),
        id="measure-window-str",
    ),
    pytest.param(
        lambda: ErrorBudget("99%", **_BUDGET_PERIOD, window="24x7"),
        ("typed",),
        id="budget-window-str",
    ),
    pytest.param(
        lambda: SLA("Gold", window=None, targets=[Target("response", "PT1H")]),
        ("typed",),
        id="sla-window-none",
    ),
    pytest.param(
        lambda: SLA("Gold", window="24x7", targets=[Target("response", "PT1H")]),
        ("typed",),
        id="sla-window-str",
    ),
    pytest.param(
        lambda: Incident.open("INC1", at="2026-03-02T09:00Z", impact=1, urgency=1).time_in(
            "new", window="24x7"
        ),
        ("typed",),
        id="time-in-window-str",
    ),
    pytest.param(lambda: ChangeCalendar(freeze="24x7"), ("typed",), id="calendar-window-str"),
    pytest.param(
        lambda: ChangeCalendar(business_window=None, lead_time="PT1H").next_slot(
            "PT1H", after=None
        ),
        ("typed",),
        id="next-slot-after-none",
    ),
    # --- caught by later fuzz runs ---
    pytest.param(
        lambda: _WEEKDAYS.business_time_us(Decimal("-1E+99999999"), 0),
        ("typed",),
        id="business-time-us-huge-decimal",
    ),
    pytest.param(
        lambda: _WEEKDAYS.business_time_us(timedelta(days=-999_999_999), 0),
        ("typed",),
        id="business-time-us-timedelta",
    ),
    pytest.param(
        lambda: ErrorBudget("99.9%", **_BUDGET_PERIOD).spent("not outages"),
        ("typed",),
        id="budget-spent-a-string",
    ),
    pytest.param(
        lambda: ChangeCalendar().with_budget_freeze(
            ErrorBudget("99.9%", **_BUDGET_PERIOD), "not outages", as_of="2026-03-20T00:00Z"
        ),
        ("typed",),
        id="budget-freeze-outages-a-string",
    ),
    pytest.param(
        lambda: _clock_status().plot(window={"hours": "24x7"}),
        ("typed",),
        id="clock-plot-window-dict",
    ),
    pytest.param(
        lambda: _clock_status().plot(ax="axes"),
        ("typed",),
        id="clock-plot-ax-str",
    ),
    pytest.param(
        lambda: _sla_columns_of_one_ticket(opened_at=None),
        ("typed",),
        id="sla-columns-opened-at-none",
    ),
    pytest.param(
        lambda: itilkit.ChronologyError("at", 1, 10**5000),
        ("bounded",),
        id="chronology-error-5000-digit-previous",
    ),
    pytest.param(
        lambda: itilkit.InvalidValueError(10**5000, "a name", None),
        ("bounded",),
        id="error-field-5000-digit-int",
    ),
    # --- SLA documents ---
    pytest.param(
        lambda: SLA.from_dict({**_DOCUMENT, "window": _nested_list(100_000)}),
        ("error", itilkit.ConfigError),
        id="from-dict-nested-list",
    ),
    pytest.param(
        lambda: SLA.from_dict({**_DOCUMENT, "targets": [_nested_dict(100_000)]}),
        ("error", itilkit.ConfigError),
        id="from-dict-nested-dict",
    ),
    pytest.param(
        lambda: SLA.from_dict({**_DOCUMENT, "availability": HUGE_DECIMAL}),
        ("error", itilkit.ConfigError),
        id="from-dict-huge-availability",
    ),
    pytest.param(
        lambda: SLA.from_dict(
            {**_DOCUMENT, "targets": [{"metric": "response", "within": "PT99999999999H"}]}
        ),
        ("error", itilkit.ConfigError),
        id="from-dict-duration-overflow",
    ),
    pytest.param(
        lambda: SLA.from_dict({**_DOCUMENT, "name": 10**5000}),
        ("error", itilkit.ConfigError),
        id="from-dict-5000-digit-name",
    ),
]

FILE_REGRESSIONS = [
    pytest.param(
        "nested.json",
        '{"name": "Gold", "window": ' + "[" * 100_000 + "]" * 100_000 + "}",
        id="file-nested-json",
    ),
    pytest.param(
        "nested.toml",
        'name = "Gold"\nwindow = ' + "[" * 100_000 + "]" * 100_000 + "\n",
        id="file-nested-toml",
    ),
    pytest.param(
        "inline.toml",
        'name = "Gold"\nwindow = ' + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n",
        id="file-nested-toml-tables",
    ),
    pytest.param("latin1.toml", 'name = "G\xf6ld"\n'.encode("latin-1"), id="file-not-utf8"),
    pytest.param("latin1.json", '{"name": "G\xf6ld"}'.encode("latin-1"), id="file-json-not-utf8"),
    pytest.param(
        "dup.json",
        _GOOD_JSON[:-1] + ', "name": "Silver"}',
        id="file-json-duplicate-keys",
    ),
    pytest.param(
        "dup_nested.json",
        _GOOD_JSON.replace('"tz": "Europe/Berlin"', '"tz": "Europe/Berlin", "tz": "UTC"'),
        id="file-json-duplicate-nested-keys",
    ),
    pytest.param(
        "digits.json",
        '{"name": "Gold", "availability": ' + DIGITS_5000 + "}",
        id="file-json-5000-digits",
    ),
    pytest.param("nan.json", _GOOD_JSON[:-1] + ', "availability": NaN}', id="file-json-nan"),
    pytest.param("empty.json", "", id="file-json-empty"),
    pytest.param("missing.toml", None, id="file-missing"),
    pytest.param("folder.toml", "DIRECTORY", id="file-is-a-directory"),
]


def outcome(thunk: Callable[[], Any]) -> tuple[str, Any]:
    """``("returned", value)``, ``("raised", error)`` or ``("hang", None)``, within BOUND."""
    try:
        with warnings.catch_warnings(), _time_bound(BOUND):
            warnings.simplefilter("ignore")
            return "returned", thunk()
    except _Hang:
        return "hang", None
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return "raised", error


@pytest.mark.parametrize(("thunk", "expect"), REGRESSIONS + _ratio_cases() + _ratio_reads())
def test_regression(thunk: Callable[[], Any], expect: tuple[Any, ...]) -> None:
    kind = expect[0]
    if kind in ("error", "percent"):
        what, value = outcome(thunk)
        assert what != "hang", f"did not finish within {BOUND} s"
        assert what == "raised", f"accepted silently, giving {show(value)}"
        wanted = expect[1] if kind == "error" and len(expect) > 1 else ItilkitError
        if kind == "percent":
            wanted = expect[2] if len(expect) > 2 else itilkit.InvalidValueError
        assert isinstance(value, wanted), (
            f"raised {type(value).__name__}, not {wanted.__name__}: {show(str(value))}"
        )
        if kind == "percent":
            assert expect[1] in str(value), f"the message does not suggest {expect[1]!r}: {value}"
        return
    result = call("regression case", thunk, typed=kind != "typed")
    if kind == "typed":
        assert result is RAISED, f"accepted silently, giving {show(result)}"
    elif kind == "equals-or-error":
        # a documented limit (an ItilkitError) is fine; an answer must be the right one
        assert result is RAISED or result == expect[1], (
            f"gave {show(result)}, not {show(expect[1])}"
        )
    elif kind == "equals":
        if expect[1] is None:
            assert result is RAISED, f"accepted silently, giving {show(result)}"
        else:
            assert result is not RAISED, "raised; the right answer is " + show(expect[1])
            assert result == expect[1], f"gave {show(result)}, not {show(expect[1])}"


@pytest.mark.parametrize(("name", "content"), FILE_REGRESSIONS)
def test_regression_sla_files(tmp_path: Path, name: str, content: str | bytes | None) -> None:
    if content == "DIRECTORY":
        path = tmp_path / name
        path.mkdir()
    elif content is None:
        path = tmp_path / name
    else:
        path = _write(tmp_path, name, content)
    for source in (path, str(path)):
        what, value = outcome(lambda source=source: SLA.from_file(source))
        assert what != "hang", f"SLA.from_file({name}) did not finish within {BOUND} s"
        assert what == "raised", f"SLA.from_file({name}) accepted it silently: {show(value)}"
        assert isinstance(value, itilkit.ConfigError), (
            f"SLA.from_file({name}) raised {type(value).__name__}, not a ConfigError: "
            f"{show(str(value))}"
        )
