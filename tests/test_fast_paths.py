"""The one-frame hot paths of ``business_time`` and ``add`` equal the full paths.

``ServiceWindow.business_time`` and ``ServiceWindow.add`` answer an aware
datetime (and a ``timedelta``) inside the years already compiled in one
frame, with the prefix-sum lookup inlined; everything else goes through the
general path (``to_us``, ``Index.business_time`` / ``Index.add``, ``from_us``).
These properties run both on the same random inputs, in every common kind of
aware datetime, and check the answers against an independent reference (the
clipped open periods, and the definition of ``add``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pendulum
import pytest
import pytz
from dateutil import tz as dateutil_tz
from hypothesis import given, settings
from hypothesis import strategies as st

import itilkit
from itilkit import NaiveDatetimeError, ServiceWindow
from itilkit._time import from_us, td_us, to_us

from .strategies import ZONES, durations, instants, windows

_ONE_US = timedelta(microseconds=1)


def _full_business_time(window: ServiceWindow, a: datetime, b: datetime) -> timedelta:
    """The general path: conversion, the index's own query, then the timedelta."""
    return timedelta(microseconds=window._index.business_time(to_us(a), to_us(b)))


def _full_add(window: ServiceWindow, start: datetime, duration: timedelta) -> pendulum.DateTime:
    return from_us(window._index.add(to_us(start), td_us(duration)), window.tz)


def _reference_business_time(window: ServiceWindow, a: datetime, b: datetime) -> timedelta:
    """Open time from the open periods clipped to the interval, signed: no prefix sums."""
    lo, hi = sorted((to_us(a), to_us(b)))
    total = sum(e - s for s, e in window.spans_us(lo, hi))
    return timedelta(microseconds=total if to_us(a) <= to_us(b) else -total)


def _kinds(moment: datetime, zone_name: str) -> list[datetime]:
    """The same instant as the aware datetimes users hold: stdlib, zoneinfo, pendulum, pytz,
    dateutil and a fixed offset."""
    fixed = timezone(moment.astimezone(ZoneInfo(zone_name)).utcoffset() or timedelta(0))
    return [
        moment,
        moment.astimezone(ZoneInfo(zone_name)),
        pendulum.instance(moment).in_timezone(zone_name),
        moment.astimezone(pytz.timezone(zone_name)),
        moment.astimezone(dateutil_tz.gettz(zone_name)),
        moment.astimezone(fixed),
    ]


def _same_datetime(left: datetime, right: datetime) -> None:
    """Equal as instants and as objects a caller sees: type, zone, wall time, fold."""
    assert left == right
    assert type(left) is type(right)
    assert repr(left) == repr(right)
    assert left.fold == right.fold
    assert left.utcoffset() == right.utcoffset()


def _warm(window: ServiceWindow) -> ServiceWindow:
    """Compile 2025-2027 so that the hot path is taken for the instants drawn."""
    window.business_time(datetime(2024, 12, 1, tzinfo=UTC), datetime(2028, 2, 1, tzinfo=UTC))
    assert window._index.hot is not None
    return window


@settings(max_examples=300, deadline=None)
@given(windows(), instants(), instants(), st.sampled_from(ZONES), st.booleans())
def test_business_time_hot_path_equals_full_path(
    window: ServiceWindow, a: datetime, b: datetime, zone_name: str, warm: bool
) -> None:
    if warm:
        _warm(window)
    expected = _reference_business_time(window, a, b)
    assert _full_business_time(window, a, b) == expected
    for start, end in zip(_kinds(a, zone_name), _kinds(b, zone_name), strict=True):
        got = window.business_time(start, end)
        assert type(got) is timedelta
        assert got == expected


@settings(max_examples=300, deadline=None)
@given(windows(), instants(), durations, st.sampled_from(ZONES), st.booleans())
def test_add_hot_path_equals_full_path(
    window: ServiceWindow, start: datetime, duration: timedelta, zone_name: str, warm: bool
) -> None:
    if warm:
        _warm(window)
    expected = _full_add(window, start, duration)
    # the definition of add, independently of either path: the earliest instant with
    # exactly ``duration`` of open time since ``start``
    assert window.business_time_us(to_us(start), to_us(expected)) == td_us(duration)
    if duration:
        assert window.business_time_us(to_us(start), to_us(expected) - 1) < td_us(duration)
    for given_start in _kinds(start, zone_name):
        for given_duration in (duration, pendulum.duration(microseconds=td_us(duration))):
            _same_datetime(window.add(given_start, given_duration), expected)


@settings(max_examples=100, deadline=None)
@given(instants(), st.integers(1, 30 * 24 * 3600 * 10**6))
def test_add_lands_in_the_repeated_hour_with_its_fold(start: datetime, span: int) -> None:
    """A due instant in the second 02:00-03:00 of a Berlin autumn night has fold=1 on both paths."""
    window = _warm(ServiceWindow.weekly("Mon-Sun 02:00-03:00", tz="Europe/Berlin"))
    duration = timedelta(microseconds=span)
    _same_datetime(window.add(start, duration), _full_add(window, start, duration))


def test_repeated_hour_by_hand() -> None:
    """Sunday 25 October 2026, Berlin: 02:00-03:00 happens twice (CEST, then CET).

    The window is open 02:00-03:00 local every day, which that night is two
    hours of open time: 00:00-01:00Z and 01:00-02:00Z. Ninety minutes of open
    time from 00:00Z end at 01:30Z, which is 02:30 the second time (+01:00).
    """
    window = _warm(ServiceWindow.weekly("Mon-Sun 02:00-03:00", tz="Europe/Berlin"))
    due = window.add(datetime(2026, 10, 25, 0, 0, tzinfo=UTC), timedelta(minutes=90))
    # compared in UTC: PEP 495 makes an instant in a repeated hour unequal to any other zone's
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert (due.hour, due.minute, due.fold) == (2, 30, 1)
    assert due.utcoffset() == timedelta(hours=1)
    first = window.add(datetime(2026, 10, 25, 0, 0, tzinfo=UTC), timedelta(minutes=30))
    assert first.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert (first.hour, first.minute, first.fold) == (2, 30, 0)
    assert first.utcoffset() == timedelta(hours=2)


def test_before_the_first_open_period_of_the_compiled_years() -> None:
    """Instants before the first opening of a compiled segment count no open time before them.

    Open only 1-2 March 2026 09:00-17:00 UTC (8 h each). From 1 January (before
    any opening, inside the compiled year) to 1 March 12:00 is 3 hours; 10 hours
    of open time from 1 January end on 2 March at 11:00.
    """
    window = ServiceWindow.from_spans(
        [
            ("2026-03-01T09:00Z", "2026-03-01T17:00Z"),
            ("2026-03-02T09:00Z", "2026-03-02T17:00Z"),
        ],
        tz="UTC",
    )
    window.business_time("2026-06-01T00:00Z", "2026-06-02T00:00Z")  # compile 2026 first
    january = datetime(2026, 1, 1, tzinfo=UTC)
    assert window.business_time(january, datetime(2026, 1, 2, tzinfo=UTC)) == timedelta(0)
    assert window.business_time(january, datetime(2026, 3, 1, 12, tzinfo=UTC)) == timedelta(
        hours=3
    )
    assert window.business_time(datetime(2026, 3, 1, 12, tzinfo=UTC), january) == -timedelta(
        hours=3
    )
    assert window.add(january, timedelta(hours=10)) == datetime(2026, 3, 2, 11, tzinfo=UTC)


def test_a_compiled_year_with_no_open_time() -> None:
    """A segment with no open period at all: zero, and add searches on (full path)."""
    window = ServiceWindow.from_spans([("2027-01-04T09:00Z", "2027-01-04T10:00Z")], tz="UTC")
    window.business_time("2026-05-01T00:00Z", "2026-05-02T00:00Z")
    a, b = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC)
    assert window.business_time(a, b) == timedelta(0)
    assert window.business_time(b, a) == timedelta(0)
    assert window.add(a, timedelta(minutes=30)) == datetime(2027, 1, 4, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "field"),
    [
        (datetime(2026, 3, 2, 9), "start"),
        ("2026-03-02T09:00", "start"),
        (pendulum.naive(2026, 3, 2, 9), "start"),
    ],
)
def test_hot_windows_still_refuse_naive_instants(start: object, field: str) -> None:
    window = _warm(ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Europe/Berlin"))
    aware = datetime(2026, 3, 3, 9, tzinfo=UTC)
    with pytest.raises(NaiveDatetimeError, match=f"'{field}'"):
        window.business_time(start, aware)  # type: ignore[arg-type]
    with pytest.raises(NaiveDatetimeError, match="'end'"):
        window.business_time(aware, start)  # type: ignore[arg-type]
    with pytest.raises(NaiveDatetimeError, match="'start'"):
        window.add(start, timedelta(hours=1))  # type: ignore[arg-type]


def test_hot_windows_still_read_strings_and_refuse_bad_durations() -> None:
    window = _warm(ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC"))
    assert window.business_time("2026-03-02T08:00Z", "2026-03-02T10:00Z") == timedelta(hours=1)
    assert window.add("2026-03-02T17:00Z", "PT2H") == datetime(2026, 3, 3, 10, tzinfo=UTC)
    assert window.add(datetime(2026, 3, 3, 10, tzinfo=UTC), -timedelta(hours=2)) == datetime(
        2026, 3, 2, 17, tzinfo=UTC
    )
    assert window.add(datetime(2026, 3, 2, 8, tzinfo=UTC), timedelta(0)) == datetime(
        2026, 3, 2, 8, tzinfo=UTC
    )
    with pytest.raises(itilkit.InvalidValueError, match="'duration'"):
        window.add(datetime(2026, 3, 2, 8, tzinfo=UTC), 3600)  # type: ignore[arg-type]
    with pytest.raises(itilkit.InvalidValueError, match="'start'"):
        window.add(20260302, timedelta(hours=1))  # type: ignore[arg-type]
    with pytest.raises(itilkit.InvalidValueError, match="'end'"):
        window.business_time(datetime(2026, 3, 2, 8, tzinfo=UTC), 0)  # type: ignore[arg-type]


def test_instants_beyond_the_compiled_years_grow_the_index() -> None:
    """Far instants leave the hot segment; the answer is the same as on a fresh window."""
    window = _warm(ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC"))
    fresh = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
    a = datetime(2026, 3, 2, 9, tzinfo=UTC)
    b = datetime(2031, 3, 3, 9, tzinfo=UTC)  # Monday to Monday, five years on
    assert window.business_time(a, b) == fresh.business_time(a, b)
    # 2026-03-02 to 2031-03-03: 5 x 365 days + 29 February 2028 + 1 day = 1,827 days,
    # exactly 261 weeks, so 261 x 5 = 1,305 weekdays of 9 hours
    assert window.business_time(a, b) == timedelta(hours=9 * 1305)
    # the earliest instant with all of it: closing time on Friday 28 February 2031
    assert window.add(a, timedelta(hours=9 * 1305)) == datetime(2031, 2, 28, 18, tzinfo=UTC)
