"""The time boundary: instants, durations and zones enter exactly or not at all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from itilkit import InvalidValueError, NaiveDatetimeError, UnknownZoneError
from itilkit._time import (
    from_us,
    iso_duration,
    to_duration_us,
    to_us,
    zone,
    zone_name,
    zone_of,
)


class TestInstants:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (datetime(1970, 1, 1, tzinfo=UTC), 0),
            (datetime(1970, 1, 1, 9, tzinfo=timezone(timedelta(hours=9))), 0),
            ("1970-01-01T00:00:00.000001+00:00", 1),
            ("1969-12-31T23:59:59Z", -1_000_000),
            (pendulum.datetime(2026, 3, 1, tz="Asia/Seoul"), 1772290800 * 10**6),
        ],
    )
    def test_to_us(self, value: object, expected: int) -> None:
        """Microseconds since the epoch, worked out from the offset by hand."""
        assert to_us(value) == expected

    @pytest.mark.parametrize("value", [datetime(2026, 1, 1), "2026-01-01T00:00"])
    def test_naive_refused(self, value: object) -> None:
        with pytest.raises(NaiveDatetimeError, match="'when' must be an aware datetime"):
            to_us(value, "when")

    @pytest.mark.parametrize("value", [date(2026, 1, 1), 3, None, "soon"])
    def test_not_instants(self, value: object) -> None:
        with pytest.raises(InvalidValueError, match="'when' must be an"):
            to_us(value, "when")

    @given(st.datetimes(timezones=st.sampled_from([UTC, zone("Europe/Berlin")])))
    def test_round_trip(self, moment: datetime) -> None:
        """from_us(to_us(t)) is the same instant, in the zone asked for."""
        back = from_us(to_us(moment), zone("Asia/Seoul"))
        # Compare instants as integers: PEP 495 makes inter-zone == False for gap times.
        assert to_us(back) == to_us(moment)
        assert back.timezone_name == "Asia/Seoul"


class TestDurations:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("PT4H", 4 * 3600 * 10**6),
            ("P1D", 86_400 * 10**6),
            ("P1W", 7 * 86_400 * 10**6),
            ("PT1.5S", 1_500_000),
            ("pt30m", 1_800 * 10**6),
            ("-PT1H", -3600 * 10**6),
            ("P1DT1H1M1.000001S", (86_400 + 3661) * 10**6 + 1),
        ],
    )
    def test_iso(self, text: str, expected: int) -> None:
        assert to_duration_us(text) == expected

    @pytest.mark.parametrize("text", ["P1M", "P1Y", "PT", "P", "4h", "", "PT1.1234567S"])
    def test_bad_iso(self, text: str) -> None:
        with pytest.raises(InvalidValueError, match="'within' must be an ISO 8601 duration"):
            to_duration_us(text, "within")

    def test_not_a_duration(self) -> None:
        with pytest.raises(InvalidValueError, match="'within' must be a timedelta"):
            to_duration_us(3600, "within")

    @given(st.integers(-(10**15), 10**15))
    def test_iso_round_trip(self, us: int) -> None:
        """iso_duration writes what to_duration_us reads back exactly."""
        assert to_duration_us(iso_duration(us)) == us
        assert to_duration_us(timedelta(microseconds=us)) == us


class TestZones:
    def test_names_and_objects(self) -> None:
        assert zone_name(zone("Asia/Seoul")) == "Asia/Seoul"
        assert zone_name(zone(UTC)) == "UTC"
        assert zone_name(zone(pendulum.timezone("Europe/Berlin"))) == "Europe/Berlin"

    @pytest.mark.parametrize("bad", ["Mars/Olympus", "", None, 5])
    def test_unknown(self, bad: object) -> None:
        with pytest.raises(UnknownZoneError, match="'tz' must be an IANA time zone"):
            zone(bad)

    def test_fixed_offset_refused(self) -> None:
        with pytest.raises(InvalidValueError, match="not a fixed offset"):
            zone(timezone(timedelta(hours=9)))


class TestZonesOfInstants:
    @pytest.mark.parametrize(
        "tz", [UTC, timezone(timedelta(hours=9)), zone("Asia/Seoul"), pendulum.timezone("UTC")]
    )
    def test_from_us_stays_aware_after_arithmetic(self, tz: object) -> None:
        """Any tzinfo gives a pendulum DateTime that is still aware after adding time."""
        moment = from_us(0, tz)  # type: ignore[arg-type]
        later = moment + timedelta(hours=1)
        assert later.tzinfo is not None
        assert to_us(later) == 3600 * 10**6

    def test_zone_of_an_iso_string_is_its_offset(self) -> None:
        assert zone_of("2026-03-02T09:00+09:00").utcoffset(None) == timedelta(hours=9)
        with pytest.raises(NaiveDatetimeError, match="'at' must be"):
            zone_of("2026-03-02T09:00", "at")
