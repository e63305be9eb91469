"""ServiceWindow: business-time math checked by hand, by properties and by brute force."""

from __future__ import annotations

import html
import itertools
import pickle
import threading
import time as time_module
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import pendulum
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from itilkit import (
    InvalidValueError,
    ItilkitError,
    NaiveDatetimeError,
    NoOpenTimeError,
    ServiceWindow,
    Span,
    UnknownHolidaysError,
    UnknownZoneError,
    WindowSpecError,
)
from itilkit._spec import parse_week
from itilkit._window import as_window

from .strategies import ZONES, durations, instants, windows

H = timedelta(hours=1)
W = ServiceWindow


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- a brute-force reference, independent of itilkit's engine ------------------------


def ref_boundary(day: date, seconds: int, tz: ZoneInfo) -> datetime:
    """The instant a local wall time means: its first occurrence, or the end of its gap.

    Found by trying the zone's offsets on either side and, in a gap, scanning minutes.
    """
    wall = datetime.combine(day, time()) + timedelta(seconds=seconds)
    candidates = []
    for probe in (wall - timedelta(hours=36), wall + timedelta(hours=36)):
        offset = probe.replace(tzinfo=tz).utcoffset()
        assert offset is not None
        candidate = (wall - offset).replace(tzinfo=UTC)
        if candidate.astimezone(tz).replace(tzinfo=None) == wall:
            candidates.append(candidate)
    if candidates:
        return min(candidates)
    moment = (wall - timedelta(hours=16)).replace(tzinfo=UTC)
    while moment.astimezone(tz).replace(tzinfo=None) < wall or (
        moment.astimezone(tz).replace(tzinfo=None) - wall > timedelta(hours=3)
    ):
        moment += timedelta(minutes=1)
    return moment


def ref_open_periods(
    spec: str, tz_name: str, first: date, last: date, closed: frozenset[date] = frozenset()
) -> list[tuple[datetime, datetime]]:
    week = parse_week(spec)
    tz = ZoneInfo(tz_name)
    periods = []
    day = first
    while day <= last:
        if day not in closed:
            for start, end in week[day.weekday()]:
                periods.append((ref_boundary(day, start, tz), ref_boundary(day, end, tz)))
        day += timedelta(days=1)
    return periods


def ref_business_minutes(
    spec: str, tz_name: str, a: datetime, b: datetime, closed: frozenset[date] = frozenset()
) -> int:
    """Open minutes in [a, b), by walking every minute (a, b on whole minutes)."""
    tz = ZoneInfo(tz_name)
    first = a.astimezone(tz).date() - timedelta(days=2)
    last = b.astimezone(tz).date() + timedelta(days=1)
    periods = ref_open_periods(spec, tz_name, first, last, closed)
    count = 0
    moment = a
    while moment < b:
        if any(s <= moment < e for s, e in periods):
            count += 1
        moment += timedelta(minutes=1)
    return count


class TestBruteForce:
    """The engine agrees with a minute walk in zones with and without DST."""

    @pytest.mark.parametrize("tz", ZONES)
    @pytest.mark.parametrize(
        "spec", ["Mon-Fri 09:00-18:00", "Sun-Thu 22:00-06:00", "Mon-Sun 01:30-02:30,02:45-03:15"]
    )
    @settings(max_examples=12, deadline=None)
    @given(a=instants(minute_aligned=True), length=st.integers(0, 3 * 24 * 60))
    def test_business_time_matches_minute_walk(
        self, tz: str, spec: str, a: datetime, length: int
    ) -> None:
        """Business time over random intervals equals the minute count of the reference."""
        b = a + timedelta(minutes=length)
        window = W.weekly(spec, tz=tz)
        expected = ref_business_minutes(spec, tz, a, b)
        assert window.business_time(a, b) == timedelta(minutes=expected)

    @pytest.mark.parametrize("tz", ["Europe/Berlin", "Australia/Lord_Howe"])
    def test_every_transition_day_matches(self, tz: str) -> None:
        """Each DST weekend of 2026, hour by hour, matches the reference with holidays."""
        closed = frozenset({date(2026, 3, 30), date(2026, 10, 5)})
        spec = "Mon-Sun 01:00-03:00,22:00-02:30"
        window = W.weekly(spec, tz=tz, holidays=sorted(closed))
        for anchor in (
            datetime(2026, 3, 28, tzinfo=UTC),
            datetime(2026, 10, 3, tzinfo=UTC),
            datetime(2026, 4, 3, tzinfo=UTC),
            datetime(2026, 10, 24, tzinfo=UTC),
        ):
            for hours in range(0, 96, 7):
                a = anchor + timedelta(hours=hours)
                b = a + timedelta(hours=13)
                expected = ref_business_minutes(spec, tz, a, b, closed)
                assert window.business_time(a, b) == timedelta(minutes=expected), (a, b)


# -- named cases, worked by hand --------------------------------------------------------


class TestNamedCases:
    def test_seoul_march_2026_is_189_hours(self) -> None:
        """22 weekdays in March 2026 less the 2 March substitute holiday: 21 x 9 h."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
        assert w.business_time("2026-03-01T00:00+09:00", "2026-04-01T00:00+09:00") == 189 * H

    def test_overnight_spring_forward_is_7_hours(self) -> None:
        """Sat 22:00 -> Sun 06:00 in New York on 7-8 March 2026 loses the 02:00 hour."""
        w = W.weekly("Sat 22:00-06:00", tz="America/New_York")
        assert w.business_time("2026-03-07T00:00-05:00", "2026-03-09T00:00-04:00") == 7 * H
        assert w.next_close("2026-03-07T23:00-05:00") == at("2026-03-08T06:00-04:00")

    def test_overnight_fall_back_is_9_hours(self) -> None:
        """Sat 22:00 -> Sun 06:00 in New York on 31 Oct - 1 Nov 2026 repeats 01:00."""
        w = W.weekly("Sat 22:00-06:00", tz="America/New_York")
        assert w.business_time("2026-10-31T00:00-04:00", "2026-11-02T00:00-05:00") == 9 * H

    def test_day_shift_on_dst_day_is_still_9_hours(self) -> None:
        """Hours are wall-clock: 09:00-18:00 on a DST Sunday is 9 real hours."""
        w = W.weekly("Sun 09:00-18:00", tz="Europe/Berlin")
        assert w.business_time("2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00") == 9 * H

    def test_boundary_in_gap_moves_to_end_of_gap(self) -> None:
        """02:30 does not exist on 29 March 2026 in Berlin; the period opens at 03:00 CEST."""
        w = W.weekly("Sun 02:30-04:00", tz="Europe/Berlin")
        spans = w.spans("2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00")
        assert spans == (Span(at("2026-03-29T03:00+02:00"), at("2026-03-29T04:00+02:00")),)
        assert spans[0].duration == H

    def test_ambiguous_boundary_uses_first_occurrence(self) -> None:
        """02:30 happens twice on 25 Oct 2026 in Berlin; 02:30-03:30 starts at the first."""
        w = W.weekly("Sun 02:30-03:30", tz="Europe/Berlin")
        # 02:30 CEST (00:30Z) to 03:30 CET (02:30Z): two real hours.
        assert w.business_time("2026-10-25T00:00Z", "2026-10-26T00:00Z") == 2 * H

    def test_lord_howe_half_hour_dst(self) -> None:
        """Lord Howe skips 02:00-02:30 on 4 Oct 2026: a 01:00-04:00 range is 2.5 h."""
        w = W.weekly("Sun 01:00-04:00", tz="Australia/Lord_Howe")
        assert w.business_time("2026-10-03T00:00Z", "2026-10-05T00:00Z") == 2.5 * H

    def test_holiday_closes_the_overnight_shift_that_starts_on_it(self) -> None:
        """A holiday on Tue closes Tue 22:00-Wed 06:00 but not Mon 22:00-Tue 06:00."""
        w = W.weekly("Mon-Fri 22:00-06:00", tz="UTC", holidays=[date(2026, 3, 3)])
        # Mon 22:00-Tue 06:00 (8 h) counts; Tue's shift is closed; Wed 22:00-24:00 is 2 h.
        assert w.business_time("2026-03-02T00:00Z", "2026-03-05T00:00Z") == 10 * H
        assert "2026-03-03T05:00Z" in w
        assert "2026-03-03T23:00Z" not in w

    def test_end_before_start_is_negative(self) -> None:
        """business_time(b, a) == -business_time(a, b)."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        assert w.business_time("2026-03-03T10:00Z", "2026-03-02T10:00Z") == -9 * H

    def test_microseconds_are_exact(self) -> None:
        """One microsecond of open time is counted as one microsecond."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        a = "2026-03-02T17:59:59.999999+00:00"
        assert w.business_time(a, "2026-03-02T19:00Z") == timedelta(microseconds=1)
        assert w.add(a, timedelta(microseconds=2)) == at("2026-03-03T09:00:00.000001+00:00")

    def test_ten_year_span(self) -> None:
        """2026-2035 in a 24x7 window is the real elapsed time; weekdays count 9 h each."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        a, b = date(2026, 1, 1), date(2036, 1, 1)
        weekdays = sum(1 for n in range((b - a).days) if (a + timedelta(n)).weekday() < 5)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        end = datetime(2036, 1, 1, tzinfo=UTC)
        assert w.business_time(start, end) == weekdays * 9 * H
        assert W.always().business_time(start, end) == end - start
        assert w.add(start, weekdays * 9 * H) == at("2035-12-31T18:00Z")

    def test_add_lands_on_close_not_next_open(self) -> None:
        """9 h from Monday 09:00 in 09:00-18:00 is Monday 18:00, not Tuesday 09:00."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        assert w.add("2026-03-02T09:00Z", "PT9H") == at("2026-03-02T18:00Z")
        assert w.add("2026-03-02T09:00Z", "PT0S") == at("2026-03-02T09:00Z")
        assert w.add("2026-03-01T12:00Z", "PT0S") == at("2026-03-01T12:00Z")

    def test_due_across_holiday_weekend(self) -> None:
        """Fri 27 Feb 17:00 Seoul + 4 h: 1 h Friday, then Sun 1 and Mon 2 March are closed."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
        due = w.add("2026-02-27T17:00+09:00", "PT4H")
        assert due == at("2026-03-03T12:00+09:00")
        assert due.timezone_name == "Asia/Seoul"

    def test_subtract_mirrors_add(self) -> None:
        """subtract is the latest instant: 2 h before Tue 10:00 is Mon 17:00."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        assert w.subtract("2026-03-03T10:00Z", "PT2H") == at("2026-03-02T17:00Z")
        assert w.subtract("2026-03-03T09:00Z", "PT1H") == at("2026-03-02T17:00Z")
        assert w.add("2026-03-03T10:00Z", "-PT2H") == w.subtract("2026-03-03T10:00Z", "PT2H")

    def test_next_open_and_close(self) -> None:
        """next_open is the instant itself when open; next_close ends the current or next period."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        assert w.next_open("2026-03-02T12:00Z") == at("2026-03-02T12:00Z")
        assert w.next_open("2026-03-02T18:00Z") == at("2026-03-03T09:00Z")
        assert w.next_close("2026-03-02T12:00Z") == at("2026-03-02T18:00Z")
        assert w.next_close("2026-03-02T18:00Z") == at("2026-03-03T18:00Z")

    def test_24_00_and_full_days(self) -> None:
        """A 00:00-24:00 day and a Sun 24:00 end merge across the year boundary."""
        w = W.weekly("Mon-Sun 00:00-24:00", tz="UTC")
        spans = w.spans("2026-12-31T00:00Z", "2027-01-02T00:00Z")
        assert spans == (Span(at("2026-12-31T00:00Z"), at("2027-01-02T00:00Z")),)
        weekend = W.weekly("Sat,Sun 00:00-24:00", tz="UTC")
        assert weekend.next_close("2027-01-02T12:00Z") == at("2027-01-04T00:00Z")
        assert w.business_time("2026-12-31T00:00Z", "2027-01-02T00:00Z") == 48 * H

    def test_results_are_in_the_window_zone(self) -> None:
        """Inputs in any zone; results in the window's zone."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul")
        result = w.add("2026-03-02T00:00Z", "PT1H")  # 09:00 Seoul
        assert isinstance(result, pendulum.DateTime)
        assert result.isoformat() == "2026-03-02T10:00:00+09:00"


class TestAddDays:
    """n business days: same local time on the n-th following open day."""

    W9 = W.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")

    @pytest.mark.parametrize(
        ("start", "days", "expected"),
        [
            ("2026-02-27T15:00+09:00", 1, "2026-03-03T15:00+09:00"),  # holiday Monday skipped
            ("2026-02-27T15:00+09:00", 0, "2026-02-27T15:00+09:00"),
            ("2026-03-03T20:00+09:00", 1, "2026-03-05T09:00+09:00"),  # 20:00 -> next opening
            ("2026-03-06T08:00+09:00", 5, "2026-03-13T09:00+09:00"),
        ],
    )
    def test_add_days(self, start: str, days: int, expected: str) -> None:
        """Worked by hand against the March 2026 Korean calendar."""
        assert self.W9.add_days(start, days) == at(expected)

    def test_one_day_is_not_24_business_hours(self) -> None:
        """The two meanings of "1 day" differ, and the docs say so."""
        start = "2026-03-03T10:00+09:00"
        assert self.W9.add_days(start, 1) == at("2026-03-04T10:00+09:00")
        assert self.W9.add(start, "P1D") == at("2026-03-05T16:00+09:00")  # Tue 8 + Wed 9 + Thu 7 h

    @pytest.mark.parametrize("bad", [1.5, True, "1", None])
    def test_bad_days(self, bad: object) -> None:
        with pytest.raises(InvalidValueError, match="'days' must be a whole number"):
            self.W9.add_days("2026-03-03T10:00+09:00", bad)  # type: ignore[arg-type]


# -- spec parsing and construction ------------------------------------------------------


class TestConstruction:
    @pytest.mark.parametrize(
        ("spec", "canonical"),
        [
            ("Mon-Fri 09:00-18:00", "Mon-Fri 09:00-18:00"),
            (
                "mon-fri 09:00-12:00, 13:00-18:00; SAT 10:00-14:00",
                "Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00",
            ),
            ("Sun-Thu 22:00-06:00", "Sun-Thu 22:00-06:00"),
            ("Monday 09:00-10:00,10:00-11:00", "Mon 09:00-11:00"),
            ("09:00-17:00", "Mon-Sun 09:00-17:00"),
            ("Fri-Mon 00:00-24:00", "Fri-Mon 00:00-24:00"),
            ("Daily 08:00-08:00", "Mon-Sun 08:00-08:00"),
            ("Mon 09:00:30-10:00", "Mon 09:00:30-10:00"),
        ],
    )
    def test_canonical_repr(self, spec: str, canonical: str) -> None:
        """The repr writes the spec canonically, and evaluating it rebuilds an equal window."""
        w = W.weekly(spec, tz="UTC")
        assert repr(w) == f"ServiceWindow.weekly({canonical!r}, tz='UTC')"
        assert eval(repr(w), {"ServiceWindow": W}) == w

    @pytest.mark.parametrize(
        ("spec", "token"),
        [
            ("Mon-Fry 09:00-18:00", "mon-fry"),
            ("Mon 9-18", "9"),
            ("Mon 25:00-26:00", "25:00"),
            ("Mon 09:00-18:00-19:00", "09:00-18:00-19:00"),
            ("Mon", "Mon"),
            ("", ""),
            ("Funday 09:00-10:00", "funday"),
            ("Mon 24:00-02:00", "24:00"),
        ],
    )
    def test_bad_spec_names_the_token(self, spec: str, token: str) -> None:
        """A bad spec raises WindowSpecError (a ValueError) naming the offending token."""
        with pytest.raises(WindowSpecError) as info:
            W.weekly(spec, tz="UTC")
        assert info.value.token == token
        assert isinstance(info.value, ValueError)
        assert repr(token) in str(info.value)

    def test_mapping_spec(self) -> None:
        """A mapping of days to ranges equals the string spec."""
        a = W.weekly({"Mon-Fri": ["09:00-12:00", "13:00-18:00"], "sat": "10:00-14:00"}, tz="UTC")
        b = W.weekly("Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00", tz="UTC")
        assert a == b and hash(a) == hash(b)
        c = W.weekly({"Mon": [(time(9), time(18))]}, tz="UTC")
        assert c == W.weekly("Mon 09:00-18:00", tz="UTC")

    def test_bad_mapping(self) -> None:
        with pytest.raises(WindowSpecError):
            W.weekly({1: "09:00-10:00"}, tz="UTC")  # type: ignore[dict-item]
        with pytest.raises(WindowSpecError):
            W.weekly({"Mon": [42]}, tz="UTC")
        with pytest.raises(WindowSpecError):
            W.weekly({"Mon": 42}, tz="UTC")
        with pytest.raises(WindowSpecError):
            W.weekly(42, tz="UTC")  # type: ignore[arg-type]

    def test_unknown_zone(self) -> None:
        with pytest.raises(UnknownZoneError, match="'tz' must be an IANA time zone"):
            W.weekly("Mon 09:00-10:00", tz="Mars/Olympus")
        with pytest.raises(ValueError, match="Mars"):
            W.always(tz="Mars/Olympus")

    @pytest.mark.parametrize("code", ["XX", "US-ZZ", "", 42])
    def test_unknown_holidays(self, code: object) -> None:
        with pytest.raises(UnknownHolidaysError, match="'holidays' must be a country code"):
            W.weekly("Mon 09:00-10:00", tz="UTC", holidays=code)

    def test_holiday_sources_agree(self) -> None:
        """A code, a subdivision, a HolidayBase and the dates themselves close the same days."""
        span = ("2026-07-01T00:00-04:00", "2026-07-08T00:00-04:00")
        by_code = W.weekly("Mon-Fri 09:00-17:00", tz="America/New_York", holidays="US")
        by_sub = W.weekly("Mon-Fri 09:00-17:00", tz="America/New_York", holidays="us-ca")
        base = holidays_lib.country_holidays("US")
        by_base = W.weekly("Mon-Fri 09:00-17:00", tz="America/New_York", holidays=base)
        by_dates = W.weekly(
            "Mon-Fri 09:00-17:00", tz="America/New_York", holidays=[date(2026, 7, 3)]
        )
        # 1-7 July 2026: Wed 1, Thu 2, Fri 3 (Independence Day observed), Mon 6, Tue 7.
        for w in (by_code, by_sub, by_base, by_dates):
            assert w.business_time(*span) == 4 * 8 * H
        assert by_sub != by_code
        assert by_base == W.weekly("Mon-Fri 09:00-17:00", tz="America/New_York", holidays=base)
        assert "holidays" in repr(by_base)

    def test_financial_calendar(self) -> None:
        """Exchange calendars are accepted by code (NYSE closes on Good Friday, 3 April 2026)."""
        w = W.weekly("Mon-Fri 09:30-16:00", tz="America/New_York", holidays="NYSE")
        assert "2026-04-03T12:00-04:00" not in w
        assert "2026-04-02T12:00-04:00" in w

    def test_overrides(self) -> None:
        """A half day, a closed day and a weekend opening replace the weekly hours."""
        w = W.weekly(
            "Mon-Fri 09:00-18:00",
            tz="Europe/Berlin",
            holidays="DE",
            overrides={
                date(2026, 12, 24): "09:00-13:00",
                "2026-12-23": "closed",
                "2026-12-26": ["10:00-12:00"],  # a holiday Saturday, opened anyway
            },
        )
        week = ("2026-12-21T00:00+01:00", "2026-12-28T00:00+01:00")
        # Mon 21 + Tue 22: 18 h; Wed 23 closed; Thu 24: 4 h; Fri 25 holiday; Sat 26: 2 h.
        assert w.business_time(*week) == 24 * H
        assert "overrides={'2026-12-23': 'closed', '2026-12-24': '09:00-13:00'" in repr(w)
        assert eval(repr(w), {"ServiceWindow": W}) == w

    def test_bad_overrides(self) -> None:
        with pytest.raises(InvalidValueError, match="'overrides' must be a date"):
            W.weekly("Mon 09:00-10:00", tz="UTC", overrides={"24 Dec": "closed"})
        with pytest.raises(InvalidValueError, match="'overrides' must be a date, not a datetime"):
            W.weekly("Mon 09:00-10:00", tz="UTC", overrides={datetime(2026, 1, 1): "closed"})
        with pytest.raises(InvalidValueError, match="'overrides' must be a mapping"):
            W.weekly("Mon 09:00-10:00", tz="UTC", overrides=["closed"])  # type: ignore[arg-type]


class TestRecurringAndSpans:
    def test_weekly_maintenance_rrule(self) -> None:
        """FREQ=WEEKLY;BYDAY=SU;BYHOUR=2 with PT4H opens Sundays 02:00-06:00 local."""
        w = W.recurring("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration="PT4H", tz="Europe/Berlin")
        spans = w.spans("2026-03-20T00:00Z", "2026-04-06T00:00Z")
        starts = [s.start.isoformat() for s in spans]
        # 29 March: 02:00 falls in the gap and moves to 03:00 CEST.
        assert starts == [
            "2026-03-22T02:00:00+01:00",
            "2026-03-29T03:00:00+02:00",
            "2026-04-05T02:00:00+02:00",
        ]
        assert all(s.duration == 4 * H for s in spans)

    def test_rrule_with_dtstart_and_count(self) -> None:
        """A DTSTART and COUNT in the rule are honoured."""
        rule = "DTSTART:20260105T220000\nRRULE:FREQ=DAILY;COUNT=3"
        w = W.recurring(rule, duration=timedelta(hours=1), tz="UTC")
        assert w.business_time("2026-01-01T00:00Z", "2026-02-01T00:00Z") == 3 * H
        rule_z = "DTSTART:20260105T220000Z\nRRULE:FREQ=DAILY;COUNT=2"
        wz = W.recurring(rule_z, duration="PT1H", tz="Asia/Seoul")
        assert wz.next_open("2026-01-01T00:00Z") == at("2026-01-05T22:00Z")

    @pytest.mark.parametrize("rule", ["FREQ=SOMETIMES", "", 42])
    def test_bad_rrule(self, rule: object) -> None:
        with pytest.raises(InvalidValueError, match="'rrule' must be an RFC 5545"):
            W.recurring(rule, duration="PT1H", tz="UTC")  # type: ignore[arg-type]

    @pytest.mark.parametrize("duration", ["PT0S", "-PT1H"])
    def test_bad_duration(self, duration: str) -> None:
        with pytest.raises(InvalidValueError, match="'duration' must be positive"):
            W.recurring("FREQ=DAILY", duration=duration, tz="UTC")

    def test_from_spans(self) -> None:
        """One-off periods are merged; Span objects and pairs are both accepted."""
        w = W.from_spans(
            [
                ("2026-01-01T10:00Z", "2026-01-01T12:00Z"),
                Span(at("2026-01-01T11:00Z"), at("2026-01-01T13:00Z")),
                ("2026-01-02T00:00Z", "2026-01-02T00:00Z"),
            ],
            tz="UTC",
        )
        assert w.spans("2026-01-01T00:00Z", "2026-01-03T00:00Z") == (
            Span(at("2026-01-01T10:00Z"), at("2026-01-01T13:00Z")),
        )
        assert eval(repr(w), {"ServiceWindow": W}) == w

    def test_bad_spans(self) -> None:
        with pytest.raises(InvalidValueError, match=r"'spans\[\].end' must be at or after"):
            W.from_spans([("2026-01-02T00:00Z", "2026-01-01T00:00Z")], tz="UTC")
        with pytest.raises(InvalidValueError, match="'spans' must be pairs"):
            W.from_spans([("2026-01-02T00:00Z",)], tz="UTC")
        with pytest.raises(InvalidValueError, match="'spans' must be an iterable"):
            W.from_spans("2026", tz="UTC")
        with pytest.raises(NaiveDatetimeError):
            W.from_spans([(datetime(2026, 1, 1), datetime(2026, 1, 2))], tz="UTC")


class TestAlgebra:
    OFFICE = W.weekly("Mon-Fri 09:00-18:00", tz="Europe/Berlin")
    SUPPORT = W.weekly("Mon-Fri 08:00-12:00", tz="America/New_York")  # 14:00-18:00 Berlin

    def test_union_intersection_difference_across_zones(self) -> None:
        """On Tue 3 March 2026 (no DST): office 9 h, support 4 h inside 14:00-18:00 Berlin."""
        day = ("2026-03-03T00:00+01:00", "2026-03-04T00:00+01:00")
        assert (self.OFFICE | self.SUPPORT).business_time(*day) == 9 * H
        assert (self.OFFICE & self.SUPPORT).business_time(*day) == 4 * H
        assert (self.OFFICE - self.SUPPORT).business_time(*day) == 5 * H
        assert (self.SUPPORT - self.OFFICE).business_time(*day) == 0 * H

    def test_dst_mismatch_week(self) -> None:
        """16-20 March 2026: New York is on EDT, Berlin not yet; support is 13:00-17:00 Berlin."""
        week = ("2026-03-16T00:00+01:00", "2026-03-21T00:00+01:00")
        assert (self.OFFICE & self.SUPPORT).business_time(*week) == 5 * 4 * H
        assert (self.OFFICE | self.SUPPORT).business_time(*week) == 5 * 9 * H

    def test_result_zone_is_left_operand(self) -> None:
        assert (self.SUPPORT | self.OFFICE).tz.key == "America/New_York"  # type: ignore[attr-defined]
        assert "in_zone" not in repr(self.OFFICE | self.SUPPORT)
        moved = (self.OFFICE | self.SUPPORT).in_zone("UTC")
        assert repr(moved).endswith(".in_zone('UTC')")

    def test_not_a_window(self) -> None:
        with pytest.raises(TypeError):
            _ = self.OFFICE | 3  # type: ignore[operator]

    def test_maintenance_removed_from_service_hours(self) -> None:
        """Agreed hours minus a Sunday maintenance window, across a year boundary."""
        service = W.always(tz="UTC")
        maintenance = W.recurring("FREQ=WEEKLY;BYDAY=SU;BYHOUR=23", duration="PT2H", tz="UTC")
        w = service - maintenance
        # Sun 27 Dec 23:00 - Mon 01:00 and Sun 3 Jan 23:00 - Mon 01:00 fall in the range.
        assert w.business_time("2026-12-27T00:00Z", "2027-01-05T00:00Z") == (9 * 24 - 4) * H
        assert "2027-01-03T23:30Z" not in w

    def test_empty_window_raises_instead_of_looping(self) -> None:
        """A window that is never open raises NoOpenTimeError after a bounded search."""
        never = W.weekly("Mon 09:00-10:00", tz="UTC") & W.weekly("Tue 09:00-10:00", tz="UTC")
        with pytest.raises(NoOpenTimeError, match="no opening within 50 years"):
            never.next_open("2026-01-01T00:00Z")
        with pytest.raises(NoOpenTimeError, match="no open time left"):
            never.add("2026-01-01T00:00Z", "PT1H")
        with pytest.raises(NoOpenTimeError, match="no open time left"):
            never.subtract("2026-01-01T00:00Z", "PT1H")
        with pytest.raises(NoOpenTimeError, match="never closes"):
            W.always().next_close("2026-01-01T00:00Z")
        assert never.business_time("2026-01-01T00:00Z", "2027-01-01T00:00Z") == timedelta(0)
        closed = W.weekly("closed", tz="UTC")
        assert repr(closed) == "ServiceWindow.weekly('closed', tz='UTC')"
        with pytest.raises(NoOpenTimeError):
            closed.next_open("2026-01-01T00:00Z")

    def test_finite_spans_stop_at_their_extent(self) -> None:
        """Past the last one-off period the search stops at once."""
        w = W.from_spans([("2026-01-01T00:00Z", "2026-01-02T00:00Z")], tz="UTC")
        with pytest.raises(NoOpenTimeError):
            w.add("2026-01-01T12:00Z", "P1D")
        assert w.subtract("2026-05-01T00:00Z", "PT12H") == at("2026-01-01T12:00Z")


class TestBoundary:
    W9 = W.weekly("Mon-Fri 09:00-18:00", tz="UTC")

    @pytest.mark.parametrize(
        ("call", "field"),
        [
            (lambda w: w.business_time(datetime(2026, 1, 1), "2026-01-02T00:00Z"), "start"),
            (lambda w: w.business_time("2026-01-01T00:00Z", "2026-01-02T00:00"), "end"),
            (lambda w: w.add(datetime(2026, 1, 1), "PT1H"), "start"),
            (lambda w: w.subtract("2026-01-02T00:00", "PT1H"), "end"),
            (lambda w: w.next_open(datetime(2026, 1, 1)), "instant"),
            (lambda w: datetime(2026, 1, 1) in w, "instant"),
            (lambda w: w.spans(datetime(2026, 1, 1), "2026-01-02T00:00Z"), "start"),
            (lambda w: w.add_days("2026-01-02T00:00", 1), "start"),
        ],
    )
    def test_naive_instants_name_the_argument(self, call: object, field: str) -> None:
        """A naive datetime or an ISO string without offset is refused, never taken as UTC."""
        with pytest.raises(NaiveDatetimeError, match=f"'{field}' must be an aware datetime"):
            call(self.W9)  # type: ignore[operator]

    @pytest.mark.parametrize("bad", [date(2026, 1, 1), 1767225600, "yesterday", None])
    def test_not_an_instant(self, bad: object) -> None:
        with pytest.raises(InvalidValueError, match=r"'instant' must be an (aware|ISO 8601)"):
            _ = bad in self.W9

    def test_bad_duration(self) -> None:
        with pytest.raises(InvalidValueError, match="'duration' must be an ISO 8601 duration"):
            self.W9.add("2026-01-01T00:00Z", "4 hours")

    def test_out_of_range(self) -> None:
        """Instants outside the supported years, and spans too long to compile, are refused."""
        with pytest.raises(InvalidValueError, match="'instant' must be between the years 2"):
            _ = "0001-01-02T00:00Z" in self.W9
        with pytest.raises(InvalidValueError, match="'start' must be an instant from 0001-01-02"):
            self.W9.business_time("0001-01-01T00:00+09:00", "2026-01-01T00:00Z")
        with pytest.raises(InvalidValueError, match="'instant' must be an instant from 0001"):
            self.W9.next_open("9999-12-31T23:00-09:00")
        with pytest.raises(InvalidValueError, match="'end' must be within 400 years of the start"):
            self.W9.business_time("2026-01-01T00:00Z", "9000-01-01T00:00Z")
        with pytest.raises(InvalidValueError, match="'duration' must be at most 400 years"):
            self.W9.add("2026-01-01T00:00Z", timedelta(days=999_999))
        with pytest.raises(InvalidValueError, match="'duration' must be at most 400 years"):
            self.W9.subtract("2026-01-01T00:00Z", timedelta(days=401 * 366))

    def test_long_searches_are_bounded_and_fast(self) -> None:
        """A 100-year add grows the index in jumps; a sparse window stops at 400 years."""
        hundred_years = timedelta(days=36_500)
        w = W.always(tz="UTC")
        assert w.add("2026-01-01T00:00Z", hundred_years) == at("2026-01-01T00:00Z") + hundred_years
        sparse = W.weekly("Mon 09:00-10:00", tz="UTC")  # 1 h a week: 100 days need ~46 years
        due = sparse.add("2026-01-05T09:00Z", timedelta(days=100))
        assert sparse.business_time("2026-01-05T09:00Z", due) == timedelta(days=100)
        with pytest.raises(NoOpenTimeError, match="within 400 years"):
            sparse.add("2026-01-05T09:00Z", timedelta(days=1000))  # needs ~460 years

    def test_errors_are_itilkit_errors(self) -> None:
        for error in (NaiveDatetimeError, WindowSpecError, NoOpenTimeError, UnknownZoneError):
            assert issubclass(error, ItilkitError) and issubclass(error, ValueError)


class TestValues:
    def test_pickle_equality_hash(self) -> None:
        """Windows pickle (with or without a compiled index), compare and hash by definition."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR") - W.recurring(
            "FREQ=WEEKLY;BYDAY=WE;BYHOUR=12", duration="PT1H", tz="Asia/Seoul"
        )
        fresh = pickle.loads(pickle.dumps(w))
        w.business_time("2026-03-01T00:00+09:00", "2026-04-01T00:00+09:00")  # compile
        used = pickle.loads(pickle.dumps(w))
        assert fresh == w == used
        assert len({w, fresh, used}) == 1
        week = ("2026-03-02T00:00+09:00", "2026-03-09T00:00+09:00")
        # Mon 2 March is a holiday: Tue-Fri 4 x 9 h, less Wednesday's 12:00-13:00.
        assert used.business_time(*week) == fresh.business_time(*week) == 35 * H
        base_window = W.weekly("Mon 09:00-10:00", tz="UTC", holidays=holidays_lib.KR())
        assert pickle.loads(pickle.dumps(base_window)) == base_window

    def test_frozen(self) -> None:
        w = W.always()
        with pytest.raises(AttributeError):
            w._tz = "Asia/Seoul"  # type: ignore[misc]

    def test_thread_safe_lazy_extension(self) -> None:
        """Many threads extending the same index in both directions agree with a fresh window."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="Europe/Berlin", holidays="DE")
        results: dict[int, timedelta] = {}

        def work(i: int) -> None:
            a = datetime(2000 + i, 1, 1, tzinfo=UTC)
            results[i] = w.business_time(a, a + timedelta(days=365))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for i, value in results.items():
            a = datetime(2000 + i, 1, 1, tzinfo=UTC)
            fresh = W.weekly("Mon-Fri 09:00-18:00", tz="Europe/Berlin", holidays="DE")
            assert fresh.business_time(a, a + timedelta(days=365)) == value


# -- properties ---------------------------------------------------------------------------


class TestProperties:
    @settings(max_examples=150, deadline=None)
    @given(w=windows(), a=instants(), b=instants())
    def test_antisymmetric(self, w: ServiceWindow, a: datetime, b: datetime) -> None:
        assert w.business_time(a, b) == -w.business_time(b, a)

    @settings(max_examples=150, deadline=None)
    @given(w=windows(), a=instants(), b=instants(), c=instants())
    def test_additive(self, w: ServiceWindow, a: datetime, b: datetime, c: datetime) -> None:
        assert w.business_time(a, c) == w.business_time(a, b) + w.business_time(b, c)

    @settings(max_examples=150, deadline=None)
    @given(w=windows(), a=instants(), b=instants())
    def test_bounded_by_wall_time(self, w: ServiceWindow, a: datetime, b: datetime) -> None:
        assume(a <= b)
        assert timedelta(0) <= w.business_time(a, b) <= b - a

    @settings(max_examples=150, deadline=None)
    @given(w=windows(), a=instants(), b=instants(), c=instants())
    def test_monotonic(self, w: ServiceWindow, a: datetime, b: datetime, c: datetime) -> None:
        a, b, c = sorted((a, b, c))
        assert w.business_time(a, b) <= w.business_time(a, c)

    @settings(max_examples=150, deadline=None)
    @given(w=windows(), a=instants(), d=durations)
    def test_add_inverts_and_is_earliest(
        self, w: ServiceWindow, a: datetime, d: timedelta
    ) -> None:
        t = w.add(a, d)
        assert t >= a
        assert w.business_time(a, t) == d
        if d > timedelta(0):
            assert w.business_time(a, t - timedelta(microseconds=1)) < d
        assert w.add(a, -d) == w.subtract(a, d)

    @settings(max_examples=150, deadline=None)
    @given(w=windows(), b=instants(), d=durations)
    def test_subtract_inverts_and_is_latest(
        self, w: ServiceWindow, b: datetime, d: timedelta
    ) -> None:
        t = w.subtract(b, d)
        assert t <= b
        assert w.business_time(t, b) == d
        if d > timedelta(0):
            assert w.business_time(t + timedelta(microseconds=1), b) < d

    @settings(max_examples=150, deadline=None)
    @given(w=windows(), a=instants(), length=st.integers(0, 5 * 24 * 3600), t=instants())
    def test_contains_agrees_with_spans(
        self, w: ServiceWindow, a: datetime, length: int, t: datetime
    ) -> None:
        b = a + timedelta(seconds=length)
        spans = w.spans(a, b)
        assert sum((s.duration for s in spans), timedelta(0)) == w.business_time(a, b)
        for s in spans:
            assert s.start in w
            assert s.start < s.end
        for earlier, later in itertools.pairwise(spans):
            assert earlier.end < later.start  # merged: never touching
        if a <= t < b:
            assert (t in w) == any(s.start <= t < s.end for s in spans)

    @settings(max_examples=150, deadline=None)
    @given(v=windows(), w=windows(), a=instants(), b=instants())
    def test_inclusion_exclusion(
        self, v: ServiceWindow, w: ServiceWindow, a: datetime, b: datetime
    ) -> None:
        union = (v | w).business_time(a, b)
        both = (v & w).business_time(a, b)
        assert union == v.business_time(a, b) + w.business_time(a, b) - both
        assert (v - w).business_time(a, b) == v.business_time(a, b) - both

    @settings(max_examples=100, deadline=None)
    @given(w=windows(), t=instants())
    def test_next_open_close(self, w: ServiceWindow, t: datetime) -> None:
        opening = w.next_open(t)
        closing = w.next_close(t)
        assert opening >= t and opening in w
        assert w.business_time(t, opening) == timedelta(0)
        assert closing > t and closing not in w
        assert closing - timedelta(microseconds=1) in w

    @settings(max_examples=50, deadline=None)
    @given(w=windows(), pairs=st.lists(st.tuples(instants(), instants()), max_size=20))
    def test_many_equals_scalar(
        self, w: ServiceWindow, pairs: list[tuple[datetime, datetime]]
    ) -> None:
        import numpy as np

        starts = [a for a, _ in pairs]
        ends = [b for _, b in pairs]
        scalar = [w.business_time(a, b) for a, b in pairs]
        assert w.business_time_many(starts, ends) == scalar
        as_np = w.business_time_many(
            np.array(
                [a.astimezone(UTC).replace(tzinfo=None) for a in starts], dtype="datetime64[us]"
            ),
            np.array(
                [b.astimezone(UTC).replace(tzinfo=None) for b in ends], dtype="datetime64[us]"
            ),
        )
        assert as_np.dtype == np.dtype("timedelta64[us]")
        assert [x.item() for x in as_np] == scalar


class TestMany:
    W9 = W.weekly("Mon-Fri 09:00-18:00", tz="Europe/Berlin")

    def test_pandas_series_and_nat(self) -> None:
        """Aware Series in any zone; NaT in, NaT out; naive Series refused."""
        import numpy as np
        import pandas as pd

        starts = pd.Series(
            pd.to_datetime(["2026-03-02T08:00", "2026-03-02T09:00"])
        ).dt.tz_localize("Europe/Berlin")
        ends = pd.Series(pd.to_datetime(["2026-03-02T10:00", None])).dt.tz_localize("UTC")
        result = self.W9.business_time_many(starts, ends)
        assert result[0] == np.timedelta64(7200 * 10**6, "us")  # 08:00 to 11:00 Berlin: 2 h open
        assert np.isnat(result[1])
        with pytest.raises(NaiveDatetimeError, match="'starts' must be an aware Series"):
            self.W9.business_time_many(pd.Series(pd.to_datetime(["2026-03-02"])), ends[:1])
        objects = pd.Series([at("2026-03-02T09:00+01:00")], dtype=object)
        assert self.W9.business_time_many(objects, objects)[0] == np.timedelta64(0, "us")

    def test_shapes_and_dtypes(self) -> None:
        import numpy as np

        a = np.array(["2026-03-02T08:00"], dtype="datetime64[s]")
        with pytest.raises(InvalidValueError, match="'ends' must be the same shape"):
            self.W9.business_time_many(a, np.array([], dtype="datetime64[s]"))
        with pytest.raises(InvalidValueError, match="'starts' must be an array of datetime64"):
            self.W9.business_time_many(np.array([1.5]), a)
        with pytest.raises(InvalidValueError, match="'ends' must be as many as the starts"):
            self.W9.business_time_many(["2026-03-02T08:00Z"], [])
        empty = np.array([], dtype="datetime64[us]")
        assert self.W9.business_time_many(empty, empty).size == 0
        objects = np.array([at("2026-03-02T09:00+01:00")], dtype=object)
        assert self.W9.business_time_many(objects, objects)[0] == np.timedelta64(0, "us")


class TestHtml:
    def test_week_view(self) -> None:
        """The Jupyter view lists each day's hours, holidays and overrides."""
        w = W.weekly(
            "Mon-Fri 09:00-18:00; Sat 22:00-02:00",
            tz="Asia/Seoul",
            holidays="KR",
            overrides={"2026-12-24": "09:00-13:00"},
        )
        page = w._repr_html_()
        assert "<th>Mon</th><td>09:00-18:00</td>" in page
        assert "<th>Sun</th><td>closed</td>" in page
        assert "<th>Sat</th><td>22:00-02:00</td>" in page
        assert "closed on holidays: &#x27;KR&#x27;" in page
        assert "2026-12-24: 09:00-13:00" in page
        # 09:00 is 37.5% of the day, 9 hours are 37.5% wide.
        assert "left:37.50%;width:37.50%" in page

    def test_other_windows_show_their_repr(self) -> None:
        w = W.always() | W.weekly("Mon 09:00-10:00", tz="UTC")
        escaped = html.escape(repr(w))
        assert w._repr_html_() == f'<div class="itilkit"><code>{escaped}</code></div>'


class TestSpan:
    def test_checks_its_instants(self) -> None:
        """A Span takes aware datetimes or ISO strings; naive or reversed ones are refused."""
        span = Span("2026-03-02T09:00+09:00", "2026-03-02T10:30+09:00")
        assert span.duration == timedelta(minutes=90)
        assert span.start.isoformat() == "2026-03-02T09:00:00+09:00"
        assert span == Span(at("2026-03-02T00:00Z"), at("2026-03-02T01:30Z"))
        with pytest.raises(NaiveDatetimeError, match="'start' must be an aware datetime"):
            Span(datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 10))  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match="'end' must be at or after the start"):
            Span("2026-03-02T10:00Z", "2026-03-02T09:00Z")  # type: ignore[arg-type]


class TestConfigForm:
    @settings(max_examples=50, deadline=None)
    @given(w=windows())
    def test_round_trip(self, w: ServiceWindow) -> None:
        """from_dict(to_dict(w)) rebuilds an equal window (a serialisation round trip)."""
        assert W.from_dict(w.to_dict()) == w

    def test_forms(self) -> None:
        assert W.always(tz="Asia/Seoul").to_dict() == {"hours": "24x7", "tz": "Asia/Seoul"}
        w = W.weekly(
            "Mon-Fri 09:00-18:00",
            tz="UTC",
            holidays=["2026-12-25"],
            overrides={"2026-12-24": "09:00-13:00"},
        )
        assert w.to_dict() == {
            "hours": "Mon-Fri 09:00-18:00",
            "tz": "UTC",
            "holidays": ["2026-12-25"],
            "overrides": {"2026-12-24": "09:00-13:00"},
        }

    def test_windows_without_a_form(self) -> None:
        with pytest.raises(InvalidValueError, match="'window' must be a weekly or 24x7 window"):
            (W.always() | W.weekly("Mon 09:00-10:00", tz="UTC")).to_dict()
        with pytest.raises(InvalidValueError, match="'window' must be holidays given as"):
            W.weekly("Mon 09:00-10:00", tz="UTC", holidays=holidays_lib.KR()).to_dict()


class TestVectorisedPath:
    """business_time_many on arrays equals the scalar engine on many instants, both search paths."""

    @pytest.mark.parametrize(
        "window",
        [
            W.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR"),
            W.weekly("Sun-Thu 22:00-06:00; Sat 01:30-02:30", tz="America/New_York"),
            # 12 starts an hour: too many per lookup bucket, so the binary search is used.
            W.from_spans(
                [
                    (
                        datetime(2025, 12, 31, tzinfo=UTC) + timedelta(minutes=m),
                        datetime(2025, 12, 31, tzinfo=UTC) + timedelta(minutes=m + 1),
                    )
                    for m in range(0, 401 * 24 * 60, 5)
                ],
                tz="UTC",
            ),
            W.always(tz="UTC") - W.recurring("FREQ=DAILY;BYHOUR=3", duration="PT2H", tz="UTC"),
        ],
        ids=["weekly", "overnight-dst", "five-minutely", "always-minus-daily"],
    )
    def test_arrays_equal_scalar(self, window: ServiceWindow) -> None:
        import numpy as np

        rng = np.random.default_rng(11)
        lo = int(np.datetime64("2025-12-31T00:00", "us").astype(np.int64))
        span = 400 * 86_400 * 10**6
        a = lo + rng.integers(0, span, 20_000)
        b = lo + rng.integers(0, span, 20_000)  # as often before as after a
        # Instants on whole hours and at the turn of the year hit bucket edges exactly.
        a[:500] = a[:500] // 3_600_000_000 * 3_600_000_000
        b[:3] = int(np.datetime64("2026-01-01T00:00", "us").astype(np.int64))
        got = window.business_time_many(a.astype("datetime64[us]"), b.astype("datetime64[us]"))
        expected = [window.business_time_us(int(x), int(y)) for x, y in zip(a, b, strict=True)]
        assert got.astype(np.int64).tolist() == expected
        steps = window._index.hot.np_arrays[5]  # type: ignore[union-attr]
        assert (steps == -1) == (len(window.spans_us(lo, lo + span)) > 100_000)


# -- add_days: both directions, DST repeats, jumps ---------------------------------------


def ref_add_days(w: ServiceWindow, start: datetime, n: int) -> datetime:
    """add_days by walking local days one by one (the contract, written out)."""
    tz = ZoneInfo(str(w.tz.name))  # type: ignore[attr-defined]
    if n == 0:
        return w.next_open(start)
    local = start.astimezone(tz)
    day, wall = local.date(), local.replace(tzinfo=None)
    seconds = wall.hour * 3600 + wall.minute * 60 + wall.second
    step = timedelta(days=1 if n > 0 else -1)
    found = 0
    while found < abs(n):
        day += step
        midnight, next_midnight = ref_boundary(day, 0, tz), ref_boundary(day, 86_400, tz)
        if w.business_time(midnight, next_midnight) > timedelta(0):
            found += 1
    target = ref_boundary(day, seconds, tz)
    if n > 0:
        return w.next_open(target)
    if target in w:
        return target
    return w.spans(target - timedelta(days=400), target)[-1].end  # where it last closed


class TestAddDaysBothWays:
    W9 = W.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")

    @pytest.mark.parametrize(
        ("start", "days", "expected"),
        [
            # Mon 2 March 2026 is a Korean holiday; 28 Feb and 1 March are a weekend.
            ("2026-03-03T15:00+09:00", -1, "2026-02-27T15:00+09:00"),
            ("2026-03-03T15:00+09:00", -2, "2026-02-26T15:00+09:00"),
            ("2026-03-09T10:00+09:00", -5, "2026-02-27T10:00+09:00"),
            # Tue 20:00 is closed: back to where Tuesday closed.
            ("2026-03-04T20:00+09:00", -1, "2026-03-03T18:00+09:00"),
            # Wed 08:00 is before Wednesday opens: back to Tuesday's close.
            ("2026-03-05T08:00+09:00", -1, "2026-03-03T18:00+09:00"),
        ],
    )
    def test_negative_days(self, start: str, days: int, expected: str) -> None:
        """Worked by hand against the March 2026 Korean calendar."""
        assert self.W9.add_days(start, days) == at(expected)

    def test_second_occurrence_of_a_repeated_hour(self) -> None:
        """01:30 EST on 1 Nov 2026 (after 01:30 EDT) is not moved back to its first reading."""
        ny = "America/New_York"
        second = "2026-11-01T01:30-05:00"  # 06:30Z; the first reading 01:30-04:00 is 05:30Z
        always = W.weekly("Mon-Sun 00:00-24:00", tz=ny)
        # isoformat: Python never calls an instant in a repeated hour equal across zones.
        assert always.add_days(second, 0).isoformat() == at(second).isoformat()
        assert always.add_days(second, 1) == at("2026-11-02T01:30-05:00")
        assert always.add_days(second, -1) == at("2026-10-31T01:30-04:00")
        assert W.always(tz=ny).add_days(second, 0).isoformat() == at(second).isoformat()
        office = W.weekly("Mon-Fri 09:00-18:00", tz=ny)  # Sunday: closed until Monday 09:00
        assert office.add_days(second, 0) == at("2026-11-02T09:00-05:00")

    def test_large_counts_jump(self) -> None:
        """5000 Mondays later on a one-hour-a-week window, without walking the days."""
        sparse = W.weekly("Mon 09:00-10:00", tz="UTC")
        started = time_module.perf_counter()
        result = sparse.add_days("2026-01-05T09:30Z", 5000)
        back = sparse.add_days("2026-01-05T09:30Z", -5000)
        assert time_module.perf_counter() - started < 10
        later = date(2026, 1, 5) + timedelta(weeks=5000)
        earlier = date(2026, 1, 5) - timedelta(weeks=5000)
        assert result == datetime.combine(later, time(9, 30), tzinfo=UTC)
        assert back == datetime.combine(earlier, time(9, 30), tzinfo=UTC)

    def test_counts_are_bounded(self) -> None:
        started = time_module.perf_counter()
        with pytest.raises(InvalidValueError, match="'days' must be at most 146400 days"):
            self.W9.add_days("2026-03-03T10:00+09:00", 10**6)
        with pytest.raises(InvalidValueError, match="'days' must be at most 146400 days"):
            self.W9.add_days("2026-03-03T10:00+09:00", -(10**6))
        assert time_module.perf_counter() - started < 2
        with pytest.raises(NoOpenTimeError):
            W.weekly("closed", tz="UTC").add_days("2026-03-03T10:00Z", 3)

    @settings(max_examples=60, deadline=None)
    @given(windows(), instants(minute_aligned=True), st.integers(-12, 12))
    def test_matches_a_day_walk(self, w: ServiceWindow, start: datetime, n: int) -> None:
        """Agrees with walking the days; never before start (n >= 0), never after (n < 0)."""
        result = w.add_days(start, n)
        assert result == ref_add_days(w, start, n)
        assert result >= start if n >= 0 else result <= start


# -- hours specs that mean always or nothing ------------------------------------------------


class TestAlwaysAndEmptySpecs:
    @pytest.mark.parametrize("spec", ["24x7", "24/7", " 24X7 "])
    def test_24x7_is_always(self, spec: str) -> None:
        w = W.weekly(spec, tz="Asia/Seoul")
        assert w == W.always(tz="Asia/Seoul")
        assert w.business_time("2026-03-01T00:00+09:00", "2026-03-02T00:00+09:00") == 24 * H

    def test_24x7_with_holidays_closes_them(self) -> None:
        """Every hour, less Sun 1 March 2026 and its substitute Mon 2 March (Korean holidays)."""
        w = W.weekly("24x7", tz="Asia/Seoul", holidays="KR")
        assert w.business_time("2026-03-01T00:00+09:00", "2026-03-04T00:00+09:00") == 24 * H

    @pytest.mark.parametrize("spec", [";;;", "", "   ", " ; ", ";"])
    def test_empty_specs_raise(self, spec: str) -> None:
        with pytest.raises(WindowSpecError, match="a non-empty spec"):
            W.weekly(spec, tz="UTC")

    def test_an_empty_mapping_raises(self) -> None:
        with pytest.raises(WindowSpecError, match="a mapping of days to ranges"):
            W.weekly({}, tz="UTC")

    def test_closed_is_still_closed(self) -> None:
        assert W.weekly("closed", tz="UTC").business_time(
            "2026-01-01T00:00Z", "2026-02-01T00:00Z"
        ) == timedelta(0)


# -- recurrences: checked parts, dense rules near their range --------------------------------


class TestRecurrenceRules:
    @pytest.mark.parametrize(
        ("rule", "part"),
        [
            ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13"),
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0"),
            ("FREQ=DAILY;INTERVAL=-2", "INTERVAL=-2"),
            ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0"),
            ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32"),
            ("FREQ=DAILY;BYHOUR=24", "BYHOUR=24"),
            ("FREQ=DAILY;BYMINUTE=5,60", "BYMINUTE=5,60"),
            ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO=54"),
            ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "BYSETPOS=0"),
            ("RRULE:FREQ=DAILY;BYSECOND=x", "BYSECOND=x"),
        ],
    )
    def test_out_of_range_parts_name_the_rule(self, rule: str, part: str) -> None:
        started = time_module.perf_counter()
        with pytest.raises(InvalidValueError, match="'rrule' must be") as info:
            W.recurring(rule, duration="PT1H", tz="UTC")
        assert f"bad part {part!r}" in str(info.value)
        assert info.value.value == rule
        assert time_module.perf_counter() - started < 2

    def test_five_minute_rule_is_fast_and_exact(self) -> None:
        """Every 5 minutes from 2000-01-01 00:00 UTC: 12 one-minute openings an hour."""
        started = time_module.perf_counter()
        w = W.recurring("FREQ=MINUTELY;INTERVAL=5", duration="PT1M", tz="UTC")
        assert w.business_time("2026-03-02T00:00Z", "2026-03-02T01:00Z") == timedelta(minutes=12)
        assert w.next_open("2026-03-02T00:01Z") == at("2026-03-02T00:05Z")
        assert time_module.perf_counter() - started < 2

    def test_a_rule_too_dense_to_walk_is_refused(self) -> None:
        """Every second is 31.5 million occurrences a year: refused instead of walked."""
        w = W.recurring("FREQ=SECONDLY", duration="PT1S", tz="UTC")
        started = time_module.perf_counter()
        with pytest.raises(InvalidValueError, match="at most 300000 occurrences a year"):
            w.business_time("2026-03-02T00:00Z", "2026-03-02T01:00Z")
        assert time_module.perf_counter() - started < 10
        every_minute_at_nine = W.recurring(  # minutes, but only in one hour a day: fine
            "FREQ=MINUTELY;BYHOUR=9", duration="PT30S", tz="UTC"
        )
        day = ("2026-03-02T00:00Z", "2026-03-03T00:00Z")
        assert every_minute_at_nine.business_time(*day) == 60 * timedelta(seconds=30)

    def test_odd_interval_keeps_its_phase(self) -> None:
        """Every 7 minutes from 00:03 on 1 Jan 2000 (wall time, Berlin): the phase in 2026."""
        w = W.recurring(
            "DTSTART:20000101T000300\nRRULE:FREQ=MINUTELY;INTERVAL=7",
            duration="PT1M",
            tz="Europe/Berlin",
        )
        probe = datetime(2026, 7, 1, 12, 0)  # CEST, no transition near
        anchor = datetime(2000, 1, 1, 0, 3)
        steps = -(-(probe - anchor) // timedelta(minutes=7))  # ceil
        expected = anchor + steps * timedelta(minutes=7)
        found = w.next_open("2026-07-01T12:00+02:00")
        assert found.replace(tzinfo=None) == expected

    @settings(max_examples=40, deadline=None)
    @given(
        st.sampled_from(
            [
                "FREQ=HOURLY;INTERVAL=7;BYMINUTE=10,40",
                "FREQ=DAILY;INTERVAL=3;BYHOUR=2,13",
                "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH;BYHOUR=9",
                "FREQ=WEEKLY;INTERVAL=2",
                "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;BYHOUR=22",
                "FREQ=MONTHLY;INTERVAL=5",
                "DTSTART:20040131T063000\nRRULE:FREQ=MONTHLY;INTERVAL=2",
                "DTSTART:20040229T120000\nRRULE:FREQ=YEARLY",
                "FREQ=YEARLY;INTERVAL=3;BYMONTH=3;BYDAY=-1SU;BYHOUR=1",
                "FREQ=YEARLY;BYWEEKNO=1,20;BYDAY=MO",
            ]
        ),
        st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
        st.integers(2020, 2034),
        st.integers(0, 364),
    )
    @example("FREQ=DAILY;INTERVAL=3;BYHOUR=2,13", "Europe/Berlin", 2021, 264)  # 02:00, fold
    def test_same_occurrences_as_from_the_anchor(
        self, rule: str, tz: str, year: int, day: int
    ) -> None:
        """The near-range search finds what dateutil finds walking from the 2000 anchor."""
        from dateutil import rrule as rrule_lib

        w = W.recurring(rule, duration="PT1M", tz=tz)
        lo = datetime(year, 1, 1) + timedelta(days=day)
        hi = lo + timedelta(days=40)
        reference = rrule_lib.rrulestr(rule, dtstart=datetime(2000, 1, 1))
        zone_info = ZoneInfo(tz)
        expected = [
            ref_boundary(o.date(), o.hour * 3600 + o.minute * 60 + o.second, zone_info)
            for o in reference.between(lo, hi, inc=True)
        ]
        a = ref_boundary(lo.date(), 0, zone_info)
        b = ref_boundary(hi.date(), 0, zone_info)
        # Compared in UTC: Python calls an ambiguous local time (02:00 on the autumn DST
        # day) unequal to every instant of another zone (PEP 495), even the same one.
        starts = [s.start.astimezone(UTC) for s in w.spans(a, b)]
        # One-minute openings never touch, so each keeps its start (gap times share one).
        assert starts == sorted({e.astimezone(UTC) for e in expected if a <= e < b})


# -- closing searches, long adds and spans: bounded and fast -----------------------------------


class TestNothingHangs:
    def test_always_never_closes(self) -> None:
        started = time_module.perf_counter()
        for w in (
            W.always(tz="UTC"),
            W.weekly("24x7", tz="Europe/Berlin"),
            W.always(tz="UTC") | W.weekly("Mon 09:00-10:00", tz="UTC"),
        ):
            with pytest.raises(NoOpenTimeError, match="never closes"):
                w.next_close("2026-01-01T00:00Z")
        assert time_module.perf_counter() - started < 2

    def test_a_window_open_without_a_break_says_so(self) -> None:
        """Every day 00:00-24:00 merges into one period: no closing within 50 years."""
        started = time_module.perf_counter()
        w = W.weekly("Mon-Sun 00:00-24:00", tz="UTC")
        with pytest.raises(NoOpenTimeError, match="never closes: open without a break for 50"):
            w.next_close("2026-01-01T00:00Z")
        assert time_module.perf_counter() - started < 5

    def test_913_years_of_open_time_is_refused_at_once(self) -> None:
        w = W.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays=holidays_lib.KR())
        started = time_module.perf_counter()
        with pytest.raises(InvalidValueError, match="'duration' must be at most 400 years"):
            w.add("2026-01-01T00:00Z", timedelta(days=913 * 365))
        assert time_module.perf_counter() - started < 2

    def test_the_longest_search_is_bounded(self) -> None:
        """300 years of open time need ~1150 years of 45-hour weeks: refused after 400."""
        w = W.weekly("Mon-Fri 09:00-18:00", tz="UTC", holidays="US")
        started = time_module.perf_counter()
        with pytest.raises(NoOpenTimeError, match="within 400 years"):
            w.add("2026-01-01T00:00Z", timedelta(days=300 * 365))
        assert time_module.perf_counter() - started < 15


# -- holidays shared by windows made with | & - ---------------------------------------------


class TestSharedHolidayBase:
    def test_threads_over_windows_from_one_holiday_base(self) -> None:
        """Windows combined from one HolidayBase compile safely on many threads at once."""
        base = holidays_lib.US()
        office = W.weekly("Mon-Fri 09:00-18:00", tz="America/New_York", holidays=base)
        weekend = W.weekly("Sat,Sun 10:00-14:00", tz="America/New_York")
        maintenance = W.weekly("Wed 12:00-13:00", tz="America/New_York")
        combos = {
            "or": office | weekend,
            "and": office & maintenance,
            "minus": office - maintenance,
        }
        errors: list[BaseException] = []
        results: dict[tuple[str, int], timedelta] = {}

        def work(offset: int) -> None:
            try:
                for year in range(1990 + offset, 2070, 7):
                    for name, w in combos.items():
                        a = datetime(year, 1, 1, tzinfo=UTC)
                        results[(name, year)] = w.business_time(a, a + timedelta(days=365))
            except BaseException as exc:  # collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(7)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        fresh_office = W.weekly(
            "Mon-Fri 09:00-18:00", tz="America/New_York", holidays=holidays_lib.US()
        )
        fresh = {
            "or": fresh_office | weekend,
            "and": fresh_office & maintenance,
            "minus": fresh_office - maintenance,
        }
        for (name, year), value in results.items():
            a = datetime(year, 1, 1, tzinfo=UTC)
            assert fresh[name].business_time(a, a + timedelta(days=365)) == value


# -- as_window ------------------------------------------------------------------------------


class TestAsWindow:
    def test_a_window_passes(self) -> None:
        w = W.always()
        assert as_window(w) is w

    @pytest.mark.parametrize("bad", [None, "Mon-Fri 09:00-18:00", 5])
    def test_others_name_the_field(self, bad: object) -> None:
        with pytest.raises(
            InvalidValueError, match=r"'sla\.window' must be a ServiceWindow"
        ) as info:
            as_window(bad, "sla.window")
        assert info.value.value == bad


class TestIntegerApiTypes:
    @pytest.mark.parametrize("value", [Decimal("sNaN"), Decimal("-1E+99999999"), 1.5, "0", None])
    def test_only_ints(self, value: object) -> None:
        """The microsecond API takes ints (numpy ints too) and names anything else."""
        w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        with pytest.raises(InvalidValueError, match="must be an int of microseconds"):
            w.contains_us(value)  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match="must be an int of microseconds"):
            w.business_time_us(value, 0)  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match="must be an int of microseconds"):
            w.add_us(0, value)  # type: ignore[arg-type]

    def test_numpy_ints(self) -> None:
        """numpy integers are ints: 09:00-10:00 on Monday 2 March 2026 is one open hour."""
        np = pytest.importorskip("numpy")
        w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        nine = 1_772_442_000_000_000  # 2026-03-02T09:00Z
        assert w.business_time_us(np.int64(nine), np.int64(nine + 3_600_000_000)) == 3_600_000_000


class TestRecurrenceInstantsInUtc:
    def test_exdate_in_utc(self) -> None:
        """EXDATE written in UTC removes that occurrence: daily 09:00 UTC over 1-3 January,
        2 January excluded, is 2 hours (it was a naive/aware TypeError at query time)."""
        w = ServiceWindow.recurring(
            "RRULE:FREQ=DAILY;BYHOUR=9\nEXDATE:20260102T090000Z", duration="PT1H", tz="UTC"
        )
        assert w.business_time("2026-01-01T00:00Z", "2026-01-04T00:00Z") == timedelta(hours=2)

    @pytest.mark.parametrize(
        "rule",
        [
            "FREQ=DAILY;BYHOUR=9;UNTIL=20260103T000000Z",  # UTC, as RFC 5545 writes it
            "FREQ=DAILY;BYHOUR=9;UNTIL=20260103T000000",  # local wall time
        ],
    )
    def test_until(self, rule: str) -> None:
        """Daily at 09:00 Berlin until 3 January 00:00 (UTC: 01:00 Berlin; or local 00:00):
        30 and 31 December, 1 and 2 January, one hour each."""
        w = ServiceWindow.recurring(rule, duration="PT1H", tz="Europe/Berlin")
        assert w.business_time("2025-12-30T00:00Z", "2026-01-10T00:00Z") == timedelta(hours=4)
