"""iCalendar out and in: itilkit writes and reads RFC 5545 itself; `icalendar` checks it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import ChangeCalendar, ChangeRequest, InvalidValueError, ServiceWindow

from .strategies import instants, windows

icalendar = pytest.importorskip("icalendar")

BERLIN = ZoneInfo("Europe/Berlin")


def events(text: str) -> list[object]:
    return list(icalendar.Calendar.from_ical(text).walk("VEVENT"))


def pairs(window: ServiceWindow, start: object, end: object) -> list[tuple[datetime, datetime]]:
    """The open periods as UTC instants (a same-zone comparison would ignore ``fold``)."""
    return [(s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in window.spans(start, end)]


# ---------------------------------------------------------------------- writing


def test_weekly_window_across_berlin_spring_forward() -> None:
    w = ServiceWindow.weekly("Mon-Sun 01:00-04:00", tz="Europe/Berlin")
    text = w.to_ics("2026-03-28T00:00+01:00", "2026-03-30T00:00+02:00")
    found = [(e["DTSTART"].dt, e["DTEND"].dt) for e in events(text)]
    assert found == [
        (datetime(2026, 3, 28, 1, tzinfo=BERLIN), datetime(2026, 3, 28, 4, tzinfo=BERLIN)),
        (datetime(2026, 3, 29, 1, tzinfo=BERLIN), datetime(2026, 3, 29, 4, tzinfo=BERLIN)),
    ]
    # 29 March: 01:00 CET to 04:00 CEST is two hours of real time
    start, end = found[1]
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=2)
    assert "DTSTART;TZID=Europe/Berlin:20260329T010000\r\n" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" in text
    assert "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n" in text
    back = ServiceWindow.from_ics(text, tz="Europe/Berlin")
    lo, hi = "2026-03-28T00:00+01:00", "2026-03-30T00:00+02:00"
    assert pairs(back, "2026-03-01T00:00Z", "2026-04-01T00:00Z") == pairs(w, lo, hi)


def test_repeated_hour_is_written_in_utc() -> None:
    # 25 October 2026: Berlin's 02:00-03:00 happens twice; the second 02:30 is 00:30Z
    w = ServiceWindow.from_spans(
        [("2026-10-25T02:30+01:00", "2026-10-25T05:00+01:00")], tz="Europe/Berlin"
    )
    text = w.to_ics("2026-10-24T00:00Z", "2026-10-26T00:00Z")
    assert "DTSTART:20261025T013000Z\r\n" in text
    (event,) = events(text)
    assert event["DTSTART"].dt == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    back = ServiceWindow.from_ics(text, tz="Europe/Berlin")
    assert pairs(back, "2026-10-24T00:00Z", "2026-10-26T00:00Z") == pairs(
        w, "2026-10-24T00:00Z", "2026-10-26T00:00Z"
    )


def test_utc_window_uses_z_and_no_vtimezone() -> None:
    text = ServiceWindow.weekly("Mon 09:00-10:00", tz="UTC").to_ics(
        "2026-03-02T00:00Z", "2026-03-03T00:00Z"
    )
    assert "VTIMEZONE" not in text
    assert "DTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\n" in text


def test_output_is_crlf_folded_and_deterministic() -> None:
    w = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul")
    hostile = 'Ops, "night"; shift \\ line1\nline2\r\nline3 ' + "ü€😀" * 40
    text = w.to_ics("2026-03-02T00:00+09:00", "2026-03-04T00:00+09:00", summary=hostile)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    line_starts = [line[:1] for line in text.split("\r\n")[:-1]]
    assert " " in line_starts  # something was folded
    (first, second) = events(text)
    assert str(first["SUMMARY"]) == hostile.replace("\r\n", "\n")
    assert first["UID"] != second["UID"]
    again = w.to_ics("2026-03-02T00:00+09:00", "2026-03-04T00:00+09:00", summary=hostile)
    assert again == text
    assert ServiceWindow.from_ics(text).spans(
        "2026-03-02T00:00+09:00", "2026-03-04T00:00+09:00"
    ) == w.spans("2026-03-02T00:00+09:00", "2026-03-04T00:00+09:00")


def test_stamp_defaults_to_the_range_start() -> None:
    w = ServiceWindow.always()
    text = w.to_ics("2026-03-02T00:00Z", "2026-03-02T01:00Z")
    assert "DTSTAMP:20260302T000000Z\r\n" in text
    text = w.to_ics("2026-03-02T00:00Z", "2026-03-02T01:00Z", stamp="2026-01-01T12:00+01:00")
    assert "DTSTAMP:20260101T110000Z\r\n" in text
    assert events(text)[0]["DTSTAMP"].dt == datetime(2026, 1, 1, 11, tzinfo=UTC)


def test_fractions_of_a_second_are_refused() -> None:
    w = ServiceWindow.always()
    with pytest.raises(InvalidValueError, match="whole second"):
        w.to_ics("2026-03-02T00:00:00.5Z", "2026-03-03T00:00Z")
    odd = ServiceWindow.from_spans([("2026-03-02T00:00:00.25Z", "2026-03-02T01:00Z")], tz="UTC")
    with pytest.raises(InvalidValueError, match="whole second"):
        odd.to_ics("2026-03-01T00:00Z", "2026-03-03T00:00Z")


def test_bad_range_is_refused() -> None:
    w = ServiceWindow.always()
    with pytest.raises(InvalidValueError, match="'end'"):
        w.to_ics("2026-03-03T00:00Z", "2026-03-02T00:00Z")
    with pytest.raises(InvalidValueError):
        w.to_ics(datetime(2026, 3, 2), "2026-03-03T00:00Z")


@settings(max_examples=60, deadline=None)
@given(
    windows(),
    instants(minute_aligned=True),
    st.integers(0, 20 * 24 * 60),
)
def test_round_trip_gives_the_same_spans(
    window: ServiceWindow, start: datetime, minutes: int
) -> None:
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=minutes)
    text = window.to_ics(start, end)
    assert len(events(text)) == len(window.spans(start, end))
    back = ServiceWindow.from_ics(text, tz=window.tz)
    assert pairs(back, start, end) == pairs(window, start, end)
    # nothing outside the range
    assert back.business_time(start - timedelta(days=400), end + timedelta(days=400)) == (
        window.business_time(start, end)
    )


@settings(max_examples=30, deadline=None)
@given(windows(), instants(minute_aligned=True), st.integers(0, 10 * 24 * 60))
def test_icalendar_reads_the_same_instants(
    window: ServiceWindow, start: datetime, minutes: int
) -> None:
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=minutes)
    text = window.to_ics(start, end)
    found = [(e["DTSTART"].dt, e["DTEND"].dt) for e in events(text)]
    assert [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in found] == [
        (a.astimezone(UTC), b.astimezone(UTC)) for a, b in pairs(window, start, end)
    ]


# ---------------------------------------------------------------------- reading


def _calendar(*components: object) -> str:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//test//EN")
    cal.add("version", "2.0")
    for component in components:
        cal.add_component(component)
    text: str = cal.to_ical().decode("utf-8")
    return text


def _event(uid: str, start: object, end: object, **extra: object) -> object:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    for key, value in extra.items():
        event.add(key.replace("_", "-"), value)
    return event


def test_icalendar_weekly_rule_with_exdate_is_a_recurring_window() -> None:
    weekly = _event(
        "maint",
        datetime(2026, 3, 1, 2, tzinfo=BERLIN),
        datetime(2026, 3, 1, 6, tzinfo=BERLIN),
        rrule={"freq": "weekly", "byday": "su"},
        exdate=datetime(2026, 3, 15, 2, tzinfo=BERLIN),
    )
    back = ServiceWindow.from_ics(_calendar(weekly), tz="Europe/Berlin")
    got = [
        (str(s.start), str(s.end)) for s in back.spans("2026-03-01T00:00Z", "2026-04-06T00:00Z")
    ]
    assert got == [
        ("2026-03-01 02:00:00+01:00", "2026-03-01 06:00:00+01:00"),
        ("2026-03-08 02:00:00+01:00", "2026-03-08 06:00:00+01:00"),
        # 15 March is excepted; 29 March 02:00 does not exist: it opens at 03:00 CEST
        ("2026-03-22 02:00:00+01:00", "2026-03-22 06:00:00+01:00"),
        ("2026-03-29 03:00:00+02:00", "2026-03-29 07:00:00+02:00"),
        ("2026-04-05 02:00:00+02:00", "2026-04-05 06:00:00+02:00"),
    ]
    # an endless rule stays endless
    assert "2030-06-02T03:00+02:00" in back


def test_until_in_utc_and_count() -> None:
    until = _event(
        "u",
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        datetime(2026, 3, 2, 10, tzinfo=BERLIN),
        rrule={"freq": "daily", "until": datetime(2026, 3, 4, 8, tzinfo=UTC)},
    )
    count = _event(
        "c",
        datetime(2026, 3, 10, 9, tzinfo=BERLIN),
        datetime(2026, 3, 10, 10, tzinfo=BERLIN),
        rrule={"freq": "daily", "count": 2},
    )
    back = ServiceWindow.from_ics(_calendar(until, count), tz="Europe/Berlin")
    days = [s.start.day for s in back.spans("2026-03-01T00:00Z", "2026-04-01T00:00Z")]
    assert days == [2, 3, 4, 10, 11]


def test_moved_occurrence_replaces_the_original() -> None:
    master = _event(
        "m",
        datetime(2026, 3, 2, 9, tzinfo=BERLIN),
        datetime(2026, 3, 2, 10, tzinfo=BERLIN),
        rrule={"freq": "daily", "count": 3},
    )
    moved = _event(
        "m",
        datetime(2026, 3, 3, 14, tzinfo=BERLIN),
        datetime(2026, 3, 3, 15, tzinfo=BERLIN),
        recurrence_id=datetime(2026, 3, 3, 9, tzinfo=BERLIN),
    )
    back = ServiceWindow.from_ics(_calendar(master, moved), tz="Europe/Berlin")
    got = [s.start.hour for s in back.spans("2026-03-01T00:00Z", "2026-04-01T00:00Z")]
    assert got == [9, 14, 9]


def test_all_day_events_are_local_days() -> None:
    freeze = _event("f", date(2026, 3, 28), date(2026, 3, 30))
    back = ServiceWindow.from_ics(_calendar(freeze), tz="Europe/Berlin")
    (span,) = back.spans("2026-03-01T00:00Z", "2026-04-01T00:00Z")
    assert (str(span.start), str(span.end)) == (
        "2026-03-28 00:00:00+01:00",
        "2026-03-30 00:00:00+02:00",
    )
    assert span.duration == timedelta(hours=47)


def test_finite_all_day_rule_is_expanded_and_endless_refused() -> None:
    yearly = _event(
        "x",
        date(2026, 12, 24),
        date(2026, 12, 27),
        rrule={"freq": "yearly", "count": 2},
        exdate=date(2027, 12, 24),
    )
    # EXDATE as a DATE drops the 2027 occurrence
    back = ServiceWindow.from_ics(_calendar(yearly), tz="Europe/Berlin")
    assert len(back.spans("2026-01-01T00:00Z", "2030-01-01T00:00Z")) == 1
    endless = _event("y", date(2026, 12, 24), date(2026, 12, 25), rrule={"freq": "yearly"})
    with pytest.raises(InvalidValueError, match="RRULE \\(line"):
        ServiceWindow.from_ics(_calendar(endless), tz="Europe/Berlin")


def test_floating_times_need_tz() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20260302T090000\r\nDTEND:20260302T100000\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(InvalidValueError, match=r"DTSTART \(line 7\).*tz="):
        ServiceWindow.from_ics(text)
    back = ServiceWindow.from_ics(text, tz="Asia/Seoul")
    (span,) = back.spans("2026-03-01T00:00Z", "2026-04-01T00:00Z")
    assert str(span.start) == "2026-03-02 09:00:00+09:00"


def test_duration_and_cancelled_events() -> None:
    text = _calendar(
        _event(
            "gone",
            datetime(2026, 3, 2, 9, tzinfo=UTC),
            datetime(2026, 3, 2, 10, tzinfo=UTC),
            status="CANCELLED",
        ),
    )
    assert ServiceWindow.from_ics(text).spans("2026-03-01T00:00Z", "2026-04-01T00:00Z") == ()
    event = icalendar.Event()
    event.add("uid", "d")
    event.add("dtstart", datetime(2026, 3, 28, 12, tzinfo=BERLIN))
    event.add("duration", timedelta(days=1, hours=1))
    back = ServiceWindow.from_ics(_calendar(event))
    (span,) = back.spans("2026-03-01T00:00Z", "2026-04-01T00:00Z")
    # a day is nominal (same wall time next day), hours are exact
    assert str(span.end) == "2026-03-29 13:00:00+02:00"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "BEGIN:VCALENDAR"),
        ("BEGIN:VEVENT\r\nEND:VEVENT\r\n", "line 1"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", "line 3.*END:VEVENT"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", "line 2"),
        ("BEGIN:VCALENDAR\r\nno colon here\r\nEND:VCALENDAR\r\n", "line 2"),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026-03-02\r\nEND:VEVENT\r\nEND:VCALENDAR",
            r"DTSTART \(line 3\)",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Mars/Olympus:20260302T090000\r\n"
            "END:VEVENT\r\nEND:VCALENDAR",
            r"TZID \(line 3\)",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260302T090000Z\r\n"
            "DTEND:20260302T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR",
            r"DTEND \(line 4\)",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260302T090000Z\r\n"
            "DURATION:PT1X\r\nEND:VEVENT\r\nEND:VCALENDAR",
            r"DURATION \(line 4\)",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260302T090000Z\r\n"
            "RRULE:FREQ=WEEKLY;BYMONTH=13\r\nDTEND:20260302T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR",
            "BYMONTH",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260230T090000Z\r\n"
            "END:VEVENT\r\nEND:VCALENDAR",
            r"DTSTART \(line 3\)",
        ),
    ],
)
def test_bad_text_names_the_line(text: str, match: str) -> None:
    with pytest.raises(InvalidValueError, match=match):
        ServiceWindow.from_ics(text)


def test_not_text_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="'text'"):
        ServiceWindow.from_ics(42)  # type: ignore[arg-type]


def test_bytes_and_bare_lf_are_read() -> None:
    text = ServiceWindow.weekly("Mon 09:00-10:00", tz="UTC").to_ics(
        "2026-03-02T00:00Z", "2026-03-03T00:00Z"
    )
    for variant in (text.encode(), text.replace("\r\n", "\n")):
        back = ServiceWindow.from_ics(variant)
        assert len(back.spans("2026-03-01T00:00Z", "2026-04-01T00:00Z")) == 1


# ---------------------------------------------------------------------- change calendar


def test_change_calendar_publishes_freezes_maintenance_and_changes() -> None:
    freeze = ServiceWindow.from_spans(
        [("2026-12-21T00:00+01:00", "2027-01-04T00:00+01:00")], tz="Europe/Berlin"
    )
    maintenance = ServiceWindow.recurring(
        "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", duration="PT4H", tz="Europe/Berlin"
    )
    calendar = ChangeCalendar(freeze=freeze, maintenance=maintenance)
    cr = ChangeRequest.new(
        "CHG42",
        type="normal",
        risk="high",
        requested_at="2026-12-01T09:00+01:00",
        start=datetime(2026, 12, 13, 2, tzinfo=BERLIN),
        end=datetime(2026, 12, 13, 4, tzinfo=BERLIN),
        items=["db-primary", "web,edge"],
    )
    outside = ChangeRequest.new(
        "CHG43",
        type="standard",
        requested_at="2026-12-01T09:00Z",
        start="2027-03-01T09:00Z",
        end="2027-03-01T10:00Z",
    )
    text = calendar.to_ics(
        [cr, outside], start="2026-12-07T00:00+01:00", end="2026-12-28T00:00+01:00"
    )
    found = events(text)
    kinds = [(str(e["CATEGORIES"].cats[0]), e["DTSTART"].dt.date().isoformat()) for e in found]
    assert kinds == [
        ("FREEZE", "2026-12-21"),
        ("MAINTENANCE", "2026-12-13"),
        ("MAINTENANCE", "2026-12-20"),
        ("MAINTENANCE", "2026-12-27"),
        ("CHANGE", "2026-12-13"),
    ]
    change = found[-1]
    assert str(change["UID"]) == "CHG42@itilkit"
    assert str(change["STATUS"]) == "TENTATIVE"
    description = str(change["DESCRIPTION"])
    assert "Type: normal" in description and "Risk: high" in description
    assert "Items: db-primary, web,edge" in description
    # the freeze event is clipped to the range
    assert found[0]["DTEND"].dt == datetime(2026, 12, 28, tzinfo=BERLIN)
    assert "X-WR-CALNAME:Change schedule\r\n" in text


def test_change_calendar_refuses_non_changes() -> None:
    with pytest.raises(InvalidValueError, match=r"changes\[0\]"):
        ChangeCalendar().to_ics(["CHG1"], start="2026-01-01T00:00Z", end="2026-02-01T00:00Z")  # type: ignore[list-item]


def test_change_with_a_fixed_offset_is_written_in_utc() -> None:
    cr = ChangeRequest.new(
        "CHG7",
        type="standard",
        requested_at="2026-03-01T09:00+01:00",
        start="2026-03-02T22:00+01:00",
        end="2026-03-03T01:00+01:00",
    )
    text = ChangeCalendar().to_ics([cr], start="2026-03-01T00:00Z", end="2026-04-01T00:00Z")
    assert "VTIMEZONE" not in text
    (event,) = events(text)
    assert event["DTSTART"].dt == datetime(2026, 3, 2, 21, tzinfo=UTC)
    assert event["DTEND"].dt == datetime(2026, 3, 3, 0, tzinfo=UTC)
    cal = ChangeCalendar(freeze=ServiceWindow.from_spans([], tz="UTC"))
    assert len(events(cal.to_ics([], start="2026-03-01T00:00Z", end="2026-04-01T00:00Z"))) == 0


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        (("DTSTART:20260302T090000Z", "DTEND:20260302T100000Z",
          "RRULE:FREQ=WEEKLY;UNTIL=20261340T000000Z"), "RRULE"),
        (("DTSTART:20260302T090000Z", "DTEND:20260302T100000Z",
          "RRULE:FREQ=WEEKLY;UNTIL=20260408T990000Z"), "RRULE"),
        (("DTSTART:20260302T090000Z", "DURATION:P99999999D"), "DURATION"),
        (("DTSTART:20260302T090000Z", "DURATION:PT99999999999H"), "DURATION"),
    ],
)  # fmt: skip
def test_impossible_ends_are_named(lines: tuple[str, ...], field: str) -> None:
    """An UNTIL that is no date, or a DURATION past the year 9999: the line is named."""
    text = "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z",
         *lines, "END:VEVENT", "END:VCALENDAR", ""]
    )  # fmt: skip
    with pytest.raises(InvalidValueError, match=f"'{field} \\(line"):
        ServiceWindow.from_ics(text)
