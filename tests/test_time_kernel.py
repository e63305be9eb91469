"""The time kernel: one timedelta conversion, the two named DST rules, zones of every library."""

from __future__ import annotations

import io
import time as clock
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pendulum
import pytest
import pytz
from dateutil import tz as dateutil_tz
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import InvalidValueError, ServiceWindow
from itilkit._time import (
    MAX_DURATION_DAYS,
    boundary_to_us,
    recorded_to_us,
    td_us,
    to_duration_us,
    zone,
    zone_name,
)
from itilkit.io import read_event_log

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NY = "America/New_York"


def us_of(moment: datetime) -> int:
    """Microseconds since the epoch, by integer arithmetic on the parts (no itilkit code)."""
    delta = moment - EPOCH
    return delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds


class TestTd:
    def test_by_hand(self) -> None:
        assert td_us(timedelta(days=1, seconds=1, microseconds=1)) == 86_401_000_001
        assert td_us(timedelta(microseconds=-1)) == -1
        assert td_us(timedelta(days=-1)) == -86_400 * 10**6

    @given(st.integers(min_value=-(10**17), max_value=10**17))
    def test_round_trip(self, n: int) -> None:
        assert td_us(timedelta(microseconds=n)) == n

    def test_pendulum_durations(self) -> None:
        """pendulum's Duration says seconds=-18000 for -5 h; the microseconds are still exact."""
        assert td_us(-pendulum.duration(hours=5)) == -5 * 3_600_000_000
        assert td_us(pendulum.duration(weeks=1, microseconds=7)) == 7 * 86_400_000_000 + 7
        assert to_duration_us(-pendulum.duration(minutes=1)) == -60_000_000


# -- the two DST rules ----------------------------------------------------------------


def ref_transition(naive: datetime, tz: ZoneInfo) -> tuple[datetime, timedelta, timedelta]:
    """The transition around a wall time in a gap: its instant and the offsets either side.

    Found by walking UTC minutes from 18 hours before until the wall clock passes ``naive``.
    """
    moment = (naive - timedelta(hours=18)).replace(tzinfo=UTC)
    while moment.astimezone(tz).replace(tzinfo=None) <= naive:
        moment += timedelta(minutes=1)
    # the first instant whose wall time is past naive: back up to the transition, by seconds
    while (moment - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None) > naive:
        moment -= timedelta(seconds=1)
    before = (moment - timedelta(seconds=1)).astimezone(tz).utcoffset()
    after = moment.astimezone(tz).utcoffset()
    assert before is not None and after is not None
    return moment, before, after


def occurrences(naive: datetime, tz: ZoneInfo) -> list[datetime]:
    """The instants whose wall time in ``tz`` is ``naive`` (0, 1 or 2 of them)."""
    found = []
    for hours in (-36, 36):
        offset = (naive + timedelta(hours=hours)).replace(tzinfo=tz).utcoffset()
        assert offset is not None
        candidate = (naive - offset).replace(tzinfo=UTC)
        if candidate.astimezone(tz).replace(tzinfo=None) == naive and candidate not in found:
            found.append(candidate)
    return sorted(found)


TRANSITION_DAYS = [
    datetime(2026, 3, 8).date(),  # New York forward
    datetime(2026, 11, 1).date(),  # New York back
    datetime(2026, 3, 29).date(),  # Berlin forward
    datetime(2026, 10, 25).date(),  # Berlin back
    datetime(2026, 4, 5).date(),  # Lord Howe back; Santiago back (at 24:00 on the 4th)
    datetime(2026, 10, 4).date(),  # Lord Howe forward
    datetime(2026, 9, 6).date(),  # Santiago forward (00:00 -> 01:00)
]


class TestDstRules:
    def test_new_york_by_hand(self) -> None:
        """Spring forward 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z); back 2026-11-01 02:00 EDT."""
        ny = zone(NY)
        gap = datetime(2026, 3, 8, 2, 30)
        assert boundary_to_us(gap, ny) == us_of(datetime(2026, 3, 8, 7, 0, tzinfo=UTC))
        # compatible: 02:30 read with the offset before the gap (EST, -5) = 07:30Z = 03:30 EDT
        assert recorded_to_us(gap, ny) == (
            us_of(datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
            3_600_000_000,
        )
        twice = datetime(2026, 11, 1, 1, 30)  # 01:30 EDT (05:30Z), then 01:30 EST (06:30Z)
        first = us_of(datetime(2026, 11, 1, 5, 30, tzinfo=UTC))
        assert boundary_to_us(twice, ny) == first
        assert recorded_to_us(twice, ny) == (first, 0)
        plain = datetime(2026, 7, 1, 12, 0)  # EDT: 16:00Z
        assert recorded_to_us(plain, ny) == (us_of(datetime(2026, 7, 1, 16, tzinfo=UTC)), 0)

    def test_lord_howe_half_hour_gap(self) -> None:
        """Lord Howe springs forward 30 minutes (02:00 +10:30 -> 02:30 +11:00)."""
        lh = zone("Australia/Lord_Howe")
        gap = datetime(2026, 10, 4, 2, 15)
        start_of_gap = us_of(datetime(2026, 10, 3, 15, 30, tzinfo=UTC))  # 02:00 at +10:30
        assert boundary_to_us(gap, lh) == start_of_gap
        assert recorded_to_us(gap, lh) == (start_of_gap + 15 * 60_000_000, 30 * 60_000_000)

    @settings(max_examples=150, deadline=None)
    @given(
        st.sampled_from(
            ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago"]
        ),
        st.one_of(
            st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
            st.builds(  # 2026 transition nights of these zones, where gaps and repeats are
                lambda day, minute: (
                    datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
                ),
                st.sampled_from(TRANSITION_DAYS),
                st.integers(min_value=-120, max_value=4 * 60),
            ),
        ),
    )
    def test_rules_against_a_brute_force(self, name: str, naive: datetime) -> None:
        """Both rules agree with a reference that tries the offsets and walks the gaps."""
        tz = ZoneInfo(name)
        found = occurrences(naive, tz)
        ours_boundary = boundary_to_us(naive, zone(name))
        ours_recorded, shift = recorded_to_us(naive, zone(name))
        if found:
            assert ours_boundary == us_of(found[0])
            assert (ours_recorded, shift) == (us_of(found[0]), 0)
        else:
            moment, before, after = ref_transition(naive, tz)
            assert ours_boundary == us_of(moment)
            assert ours_recorded == us_of((naive - before).replace(tzinfo=UTC))
            assert shift == td_us(after - before) > 0


# -- zones ------------------------------------------------------------------------------


class TestZonesOfEveryLibrary:
    @pytest.mark.parametrize(
        ("value", "name"),
        [
            ("US/Pacific", "US/Pacific"),
            (pytz.timezone("US/Pacific"), "US/Pacific"),
            (pytz.timezone("Asia/Seoul"), "Asia/Seoul"),
            (pytz.utc, "UTC"),
            (ZoneInfo("Europe/Berlin"), "Europe/Berlin"),
            (pendulum.timezone("Europe/Paris"), "Europe/Paris"),
            (dateutil_tz.gettz("Europe/Berlin"), "Europe/Berlin"),
            (
                dateutil_tz.gettz("America/Argentina/Buenos_Aires"),
                "America/Argentina/Buenos_Aires",
            ),
            (dateutil_tz.tzutc(), "UTC"),
            (UTC, "UTC"),
        ],
    )
    def test_named_zones(self, value: object, name: str) -> None:
        assert zone_name(zone(value)) == name

    def test_a_localized_pytz_zone(self) -> None:
        """The tzinfo of a pytz-localized datetime names its zone too."""
        moment = pytz.timezone("US/Pacific").localize(datetime(2026, 7, 1, 9))
        assert moment.tzinfo is not None
        assert zone_name(zone(moment.tzinfo)) == "US/Pacific"

    @pytest.mark.parametrize(
        "fixed",
        [
            timezone(timedelta(hours=9)),
            pytz.FixedOffset(60),
            pendulum.fixed_timezone(3600),
            dateutil_tz.tzoffset("X", 3600),
        ],
    )
    def test_fixed_offsets_refused(self, fixed: object) -> None:
        with pytest.raises(InvalidValueError, match=r"'tz' must be .*not a fixed offset"):
            zone(fixed)

    def test_unnamed_zones_refused(self) -> None:
        with pytest.raises(InvalidValueError, match="'tz' must be"):
            zone(dateutil_tz.tzstr("EST5EDT"))

    def test_windows_in_library_zones_equal_named_ones(self) -> None:
        """A pytz or dateutil zone builds the same window as the IANA name."""
        named = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="US/Pacific")
        assert ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz=pytz.timezone("US/Pacific")) == named
        berlin = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Europe/Berlin")
        assert (
            ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz=dateutil_tz.gettz("Europe/Berlin"))
            == berlin
        )
        # 2026-03-09 is a Monday, in PDT (-7): 09:00-18:00 local is 16:00Z-01:00Z.
        assert named.business_time("2026-03-09T16:00Z", "2026-03-10T01:00Z") == timedelta(hours=9)


# -- durations ---------------------------------------------------------------------------


class TestDurationBounds:
    @pytest.mark.parametrize(
        "value",
        [
            "PT99999999999H",
            "PT" + "9" * 5000 + "S",
            "P" + "1" * 30 + "D",
            timedelta(days=MAX_DURATION_DAYS + 1),
            -timedelta(days=MAX_DURATION_DAYS + 1),
            timedelta.max,
        ],
    )
    def test_too_long_is_an_invalid_value(self, value: object) -> None:
        with pytest.raises(
            InvalidValueError, match="'within' must be at most 3652425 days"
        ) as info:
            to_duration_us(value, "within")
        assert info.value.field == "within"
        assert info.value.value == value

    def test_the_bound_itself(self) -> None:
        """10 000 Gregorian years are 3 652 425 days (97 leap days every 400 years)."""
        assert MAX_DURATION_DAYS == 10_000 * 365 + 25 * 97
        assert to_duration_us(f"P{MAX_DURATION_DAYS}D") == MAX_DURATION_DAYS * 86_400 * 10**6
        assert (
            to_duration_us(timedelta(days=-MAX_DURATION_DAYS))
            == -MAX_DURATION_DAYS * 86_400 * 10**6
        )

    def test_windows_say_which_argument(self) -> None:
        w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")
        with pytest.raises(InvalidValueError, match="'duration' must be at most"):
            w.add("2026-01-01T00:00Z", "PT99999999999H")
        with pytest.raises(InvalidValueError, match="'duration' must be at most"):
            w.subtract("2026-01-01T00:00Z", "PT" + "9" * 5000 + "S")


# -- the event log reads by the recorded-timestamp rule -------------------------------------


class TestEventLogGaps:
    TEXT = """number,incident_state,sys_mod_count,opened_at,sys_updated_at,impact,urgency
INC1,New,0,3/8/2026 01:50,3/8/2026 01:50,2 - Medium,2 - Medium
INC1,Active,1,3/8/2026 01:50,3/8/2026 02:30,2 - Medium,2 - Medium
INC1,Resolved,2,3/8/2026 01:50,3/8/2026 04:00,2 - Medium,2 - Medium
INC2,New,0,11/1/2026 01:30,11/1/2026 01:30,2 - Medium,2 - Medium
INC2,Active,1,11/1/2026 01:30,11/1/2026 01:40,2 - Medium,2 - Medium
"""

    def test_gap_time_is_shifted_and_reported(self) -> None:
        """02:30 on 8 March 2026 never happened in New York: read as 03:30 EDT, row 3 named."""
        log = read_event_log(io.StringIO(self.TEXT), tz=NY, dayfirst=False)
        inc1 = log.incident("INC1")
        # New from 01:50 EST (06:50Z) to 02:30 read with the offset before the gap (07:30Z).
        assert inc1.time_in("new") == timedelta(minutes=40)
        # In progress from 07:30Z to 04:00 EDT (08:00Z).
        assert inc1.time_in("in_progress") == timedelta(minutes=30)
        gaps = [a for a in log.anomalies if a.kind == "nonexistent_time"]
        assert [(a.incident_id, a.row) for a in gaps] == [("INC1", 3)]
        assert "sys_updated_at '3/8/2026 02:30' never happened" in gaps[0].message
        assert gaps[0].at is not None
        assert gaps[0].at.isoformat() == "2026-03-08T03:30:00-04:00"

    def test_an_opening_time_in_the_gap_is_reported_too(self) -> None:
        """The opened_at cell of row 2 never happened: reported once, the incident opens at 03:10."""
        text = (
            self.TEXT.splitlines()[0]
            + "\n"
            + (
                "INC3,New,0,3/8/2026 02:10,3/8/2026 03:20,2 - Medium,2 - Medium\n"
                "INC3,Active,1,3/8/2026 02:10,3/8/2026 03:40,2 - Medium,2 - Medium\n"
            )
        )
        log = read_event_log(io.StringIO(text), tz=NY, dayfirst=False)
        inc3 = log.incident("INC3")
        assert inc3.opened_at.isoformat() == "2026-03-08T03:10:00-04:00"  # 02:10 EST = 07:10Z
        assert inc3.time_in("new") == timedelta(minutes=30)  # to 03:40 EDT
        gaps = [(a.row, a.kind) for a in log.anomalies]
        assert gaps == [(2, "nonexistent_time")]

    def test_ambiguous_time_is_the_first_occurrence_and_not_an_anomaly(self) -> None:
        log = read_event_log(io.StringIO(self.TEXT), tz=NY, dayfirst=False)
        inc2 = log.incident("INC2")
        assert inc2.opened_at.isoformat() == "2026-11-01T01:30:00-04:00"
        assert inc2.time_in("new") == timedelta(minutes=10)
        assert not [a for a in log.anomalies if a.incident_id == "INC2"]

    def test_speed_is_kept_on_a_gap_hour(self) -> None:
        """Many rows in the gap hour cost a dictionary look-up each, like any other hour."""
        rows = [
            f"INC{i},New,0,3/8/2026 02:{i % 60:02d},3/8/2026 02:{i % 60:02d},2 - Medium,2 - Medium"
            for i in range(20_000)
        ]
        text = self.TEXT.splitlines()[0] + "\n" + "\n".join(rows) + "\n"
        started = clock.perf_counter()
        log = read_event_log(io.StringIO(text), tz=NY, dayfirst=False)
        assert clock.perf_counter() - started < 10
        # Each row's opened_at and sys_updated_at cells are both in the gap.
        assert len([a for a in log.anomalies if a.kind == "nonexistent_time"]) == 40_000
