"""Service continuity: RTO and RPO per failure, the worst case per service, bad input."""

from __future__ import annotations

import json
import pickle
import sys
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itilkit import (
    InvalidValueError,
    MissingDependencyError,
    NaiveDatetimeError,
    Outage,
)
from itilkit._continuity import (
    RecoveryObjective,
    RecoveryReport,
    RecoveryRow,
    WorstRecovery,
    check_recovery,
)

from .strategies import OUTAGE_BASE, minute_outages

HOUR = timedelta(hours=1)
DB = RecoveryObjective("db", rto="PT4H", rpo="PT6H")


def utc(text: str) -> str:
    """An instant in UTC, from '2026-03-02 10:00'."""
    return text.replace(" ", "T") + "Z"


def outage(start: str, end: str, **kwargs: object) -> Outage:
    return Outage(utc(start), utc(end), **kwargs)  # type: ignore[arg-type]


class TestObjective:
    def test_durations_read_both_ways(self) -> None:
        """ISO 8601 and timedelta give the same objective; zero is allowed."""
        a = RecoveryObjective("db", rto="PT4H", rpo="PT0S")
        b = RecoveryObjective("db", rto=timedelta(hours=4), rpo=timedelta(0))
        assert a == b
        assert (a.rto, a.rpo, a.rto_us, a.rpo_us) == (4 * HOUR, timedelta(0), 4 * 3600 * 10**6, 0)
        assert a.to_dict() == {"service": "db", "rto": "PT4H", "rpo": "PT0S"}

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"rto": "-PT1H", "rpo": "PT1H"}, "rto"),
            ({"rto": "PT1H", "rpo": -timedelta(microseconds=1)}, "rpo"),
            ({"rto": "soon", "rpo": "PT1H"}, "rto"),
            ({"rto": "PT1H", "rpo": 3600}, "rpo"),
            ({"rto": "P1M", "rpo": "PT1H"}, "rto"),  # a month has no fixed length
        ],
    )
    def test_bad_durations_are_named(self, kwargs: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidValueError) as caught:
            RecoveryObjective("db", **kwargs)  # type: ignore[arg-type]
        assert caught.value.field == field
        assert caught.value.value == kwargs[field]

    @pytest.mark.parametrize("service", ["", "   ", None, 5, b"db"])
    def test_service_is_a_name(self, service: object) -> None:
        with pytest.raises(InvalidValueError, match="'service' must be a service name"):
            RecoveryObjective(service, rto="PT1H", rpo="PT1H")  # type: ignore[arg-type]

    def test_frozen_and_picklable(self) -> None:
        assert pickle.loads(pickle.dumps(DB)) == DB
        with pytest.raises(AttributeError):
            DB.rto = HOUR  # type: ignore[misc]


class TestHandWorked:
    def test_the_issue_example(self) -> None:
        """Outage 10:00-13:30, RTO 4 h: restored in 3 h 30 m, met. Last backup 02:00, RPO 6 h:
        8 h of data lost, breached. The 01 March backup is older, so it is not the one used."""
        report = check_recovery(
            [DB],
            {"db": [outage("2026-03-02 10:00", "2026-03-02 13:30", id="INC7")]},
            recovery_points={"db": [utc("2026-03-01 02:00"), utc("2026-03-02 02:00")]},
        )
        (row,) = report.rows
        assert isinstance(row, RecoveryRow)
        assert (row.service, row.outage_id) == ("db", "INC7")
        assert row.rto_achieved == timedelta(hours=3, minutes=30) and row.rto_met
        assert row.recovery_point == datetime(2026, 3, 2, 2, tzinfo=UTC)
        assert row.rpo_achieved == 8 * HOUR and not row.rpo_met
        assert not row.met and not report.met
        worst = report.worst["db"]
        assert isinstance(worst, WorstRecovery)
        assert (worst.rto_met, worst.rpo_met, worst.failures) == (True, False, 1)
        assert report.breaches == (row,)

    def test_a_point_after_the_start_is_the_next_failures(self) -> None:
        """Points 02:00 and 11:00. Failure at 10:00: the 11:00 point came later, 02:00 is used
        (8 h). Failure at 15:00: 11:00 is the latest (4 h). Worst RPO 8 h, worst RTO 2 h."""
        report = check_recovery(
            [DB],
            {
                "db": [
                    outage("2026-03-02 15:00", "2026-03-02 17:00", id="B"),  # given out of order
                    outage("2026-03-02 10:00", "2026-03-02 10:30", id="A"),
                ]
            },
            recovery_points={"db": [utc("2026-03-02 11:00"), utc("2026-03-02 02:00")]},
        )
        assert [r.outage_id for r in report.rows] == ["A", "B"]
        assert [r.rpo_achieved for r in report.rows] == [8 * HOUR, 4 * HOUR]
        assert [r.rto_achieved for r in report.rows] == [HOUR / 2, 2 * HOUR]
        assert report.worst["db"].rpo_achieved == 8 * HOUR
        assert report.worst["db"].rto_achieved == 2 * HOUR

    def test_boundaries_are_inclusive(self) -> None:
        """Restore of exactly the RTO meets it; one microsecond more breaches. A point at the
        very instant of the failure loses nothing, so even an RPO of zero holds."""
        goal = RecoveryObjective("db", rto="PT1H", rpo="PT0S")
        at = datetime(2026, 3, 2, 10, tzinfo=UTC)
        exact = Outage(at, at + HOUR, service="db", id="exact")
        over = Outage(at + 5 * HOUR, at + 6 * HOUR + timedelta(microseconds=1), service="db")
        report = check_recovery(goal, [exact, over], recovery_points=[("db", at)])
        first, second = report.rows
        assert first.rto_met and first.rpo_achieved == timedelta(0) and first.rpo_met
        assert not second.rto_met
        assert second.rpo_achieved == 5 * HOUR and not second.rpo_met

    def test_zones_do_not_matter(self) -> None:
        """Failure 10:00 in Seoul (01:00 UTC); backup 23:30 UTC the day before: 1 h 30 m."""
        report = check_recovery(
            RecoveryObjective("db", rto="PT4H", rpo="PT2H"),
            {"db": [Outage("2026-03-02T10:00+09:00", "2026-03-02T11:00+09:00")]},
            recovery_points={"db": "2026-03-01T23:30Z"},
        )
        assert report.rows[0].rpo_achieved == timedelta(hours=1, minutes=30)
        assert report.met

    def test_partial_outage_is_a_failure(self) -> None:
        """Impact does not scale restore time: a degraded service is restored when it ends."""
        report = check_recovery(
            RecoveryObjective("db", rto="PT1H", rpo="PT1H"),
            {"db": [outage("2026-03-02 10:00", "2026-03-02 12:00", impact="10%")]},
            recovery_points={"db": utc("2026-03-02 09:30")},
        )
        assert report.rows[0].rto_achieved == 2 * HOUR and not report.met


class TestWhatCounts:
    def test_planned_skipped_other_services_ignored_no_failure_met(self) -> None:
        """Maintenance is not a failure; 'mail' has no objective; 'web' never failed."""
        web = RecoveryObjective("web", rto="PT1H", rpo="PT1H")
        report = check_recovery(
            [DB, web],
            [
                outage("2026-03-02 10:00", "2026-03-02 11:00", service="db"),
                outage("2026-03-03 01:00", "2026-03-03 09:00", service="db", planned=True),
                outage("2026-03-02 10:00", "2026-03-03 10:00", service="mail"),
                outage("2026-03-04 10:00", "2026-03-04 11:00", service="mail", planned=True),
            ],
            recovery_points={"db": utc("2026-03-02 08:00")},
        )
        assert report.failures == 1
        assert (report.planned, report.ignored, report.ignored_services) == (1, 2, ("mail",))
        assert report.worst["web"].failures == 0 and report.worst["web"].met
        assert report.worst["web"].note == "no failure"
        assert report.worst["web"].rto_achieved is None
        assert list(report.worst) == ["db", "web"]  # objective order
        assert report.met

    def test_no_recovery_point_cannot_meet_the_rpo(self) -> None:
        """Without any recovery point the data lost is unknown: the RPO is breached."""
        report = check_recovery([DB], {"db": [outage("2026-03-02 10:00", "2026-03-02 11:00")]})
        (row,) = report.rows
        assert row.rto_met
        assert (row.recovery_point, row.rpo_achieved, row.rpo_met) == (None, None, False)
        worst = report.worst["db"]
        assert (worst.rpo_achieved, worst.uncovered, worst.rpo_met) == (None, 1, False)
        assert worst.note == "1 failure with no recovery point before it"
        assert "no recovery point" in str(report)

    def test_a_failure_before_the_first_point_is_uncovered(self) -> None:
        """Backups began on 3 March: the failure of the 2nd has none, the 4th's has one."""
        report = check_recovery(
            [DB],
            {
                "db": [
                    outage("2026-03-02 10:00", "2026-03-02 11:00"),
                    outage("2026-03-04 10:00", "2026-03-04 11:00"),
                ]
            },
            recovery_points={"db": [utc("2026-03-03 02:00"), utc("2026-03-04 08:00")]},
        )
        assert [r.rpo_achieved for r in report.rows] == [None, 2 * HOUR]
        assert report.worst["db"].uncovered == 1
        assert report.worst["db"].rpo_achieved == 2 * HOUR
        assert not report.worst["db"].rpo_met

    def test_no_objectives_no_outages(self) -> None:
        report = check_recovery([], {})
        assert report.met and report.rows == () and report.worst == {}
        assert check_recovery([DB], []).met

    def test_recovery_point_forms_agree(self) -> None:
        """A mapping of lists, of single instants, pairs, and a one-shot iterator."""
        outages = {"db": [outage("2026-03-02 10:00", "2026-03-02 11:00")]}
        point = datetime(2026, 3, 2, 7, tzinfo=UTC)
        forms: list[object] = [
            {"db": [point]},
            {"db": point},
            {"db": point.isoformat()},
            {"db": iter([point])},
            [("db", point)],
            (["db", point.isoformat()],),
            iter([("db", point)]),
        ]
        for form in forms:
            report = check_recovery([DB], outages, recovery_points=form)  # type: ignore[arg-type]
            assert report.rows[0].rpo_achieved == 3 * HOUR, form

    def test_points_of_services_without_an_objective_are_ignored(self) -> None:
        report = check_recovery([DB], {}, recovery_points={"mail": utc("2026-03-02 10:00")})
        assert report.met


class TestBadInput:
    def test_two_objectives_for_one_service(self) -> None:
        with pytest.raises(InvalidValueError, match=r"one objective per service \(two for 'db'\)"):
            check_recovery([DB, RecoveryObjective("db", rto="PT1H", rpo="PT1H")], {})

    @pytest.mark.parametrize("objectives", ["db", None, 5, [DB, "web"]])
    def test_objectives_must_be_objectives(self, objectives: object) -> None:
        with pytest.raises(InvalidValueError):
            check_recovery(objectives, {})  # type: ignore[arg-type]

    def test_outage_without_service(self) -> None:
        with pytest.raises(InvalidValueError, match=r"'outages\[0\].service'"):
            check_recovery([DB], [outage("2026-03-02 10:00", "2026-03-02 11:00")])

    def test_outage_filed_under_another_service(self) -> None:
        wrong = outage("2026-03-02 10:00", "2026-03-02 11:00", service="web")
        with pytest.raises(InvalidValueError, match="it names service 'web'") as caught:
            check_recovery([DB], {"db": [wrong]})
        assert caught.value.value == wrong

    @pytest.mark.parametrize(
        "outages",
        [
            outage("2026-03-02 10:00", "2026-03-02 11:00", service="db"),  # one, not a list
            {"db": outage("2026-03-02 10:00", "2026-03-02 11:00")},
            {5: []},
            {"db": ["2026-03-02T10:00Z"]},
            "db",
            None,
        ],
    )
    def test_outages_shape(self, outages: object) -> None:
        with pytest.raises(InvalidValueError):
            check_recovery([DB], outages)  # type: ignore[arg-type]

    def test_points_after_every_failure_are_refused(self) -> None:
        """The issue's bad input: a point after the failure it is meant to cover. Leaving it
        out gives the same verdict (no recovery point), so refusing loses nothing."""
        outages = {"db": [outage("2026-03-02 10:00", "2026-03-02 13:30")]}
        with pytest.raises(InvalidValueError) as caught:
            check_recovery([DB], outages, recovery_points={"db": utc("2026-03-02 13:30")})
        assert caught.value.field == "recovery_points['db']"
        assert caught.value.value == utc("2026-03-02 13:30")
        assert "at or before a failure it covers" in str(caught.value)
        assert "2026-03-02T10:00:00+00:00" in str(caught.value)
        # a point during the outage is after its start too
        with pytest.raises(InvalidValueError):
            check_recovery([DB], outages, recovery_points={"db": [utc("2026-03-02 10:00:01")]})
        assert check_recovery([DB], outages).worst["db"].uncovered == 1

    def test_naive_recovery_point(self) -> None:
        with pytest.raises(NaiveDatetimeError, match=r"recovery_points\['db'\]\[1\]"):
            check_recovery(
                [DB],
                {},
                recovery_points={"db": [utc("2026-03-02 08:00"), datetime(2026, 3, 2, 9)]},
            )

    @pytest.mark.parametrize(
        "points",
        [
            {"db": "yesterday"},
            {"db": [None]},
            {"db": 5},
            {"db": {"a": "2026-03-02T08:00Z"}},
            {5: "2026-03-02T08:00Z"},
            [("db",)],
            ["db"],
            "db",
            5,
        ],
    )
    def test_malformed_recovery_points(self, points: object) -> None:
        with pytest.raises(InvalidValueError):
            check_recovery([DB], {}, recovery_points=points)  # type: ignore[arg-type]


REPORT = check_recovery(
    [DB, RecoveryObjective("web", rto="PT30M", rpo="PT0S")],
    {
        "db": [outage("2026-03-02 10:00", "2026-03-02 13:30", id="INC7")],
        "web": [outage("2026-03-02 10:00", "2026-03-02 10:45", id="<b>")],
        "mail": [outage("2026-03-02 10:00", "2026-03-02 10:45")],
    },
    recovery_points={"db": utc("2026-03-02 02:00")},
)


class TestRendering:
    def test_text(self) -> None:
        assert str(REPORT) == (
            "Recovery objectives: breached\n"
            "service  failures  longest restore  RTO     RTO met  largest data loss  RPO"
            "     RPO met  note\n"
            "-------  --------  ---------------  ------  -------  -----------------  ------"
            "  -------  ------------------------------------------\n"
            "db              1  3h 30m           4h 00m  yes      8h 00m             6h 00m"
            "  no\n"
            "web             1  45m              30m     no       -                  0s    "
            "  no       1 failure with no recovery point before it\n"
            "\n"
            "Failures\n"
            "service  outage  failed                   restore time  RTO     RTO met"
            "  recovery point           data lost          RPO     RPO met\n"
            "-------  ------  -----------------------  ------------  ------  -------"
            "  -----------------------  -----------------  ------  -------\n"
            "db       INC7    2026-03-02 10:00 +00:00  3h 30m        4h 00m  yes    "
            "  2026-03-02 02:00 +00:00  8h 00m             6h 00m  no\n"
            "web      <b>     2026-03-02 10:00 +00:00  45m           30m     no     "
            "  none                     no recovery point  0s      no\n"
            "\n"
            "2 failures checked; 0 planned outages skipped (maintenance is not a failure);"
            " 1 outage of services without an objective ignored (mail). Restore time ="
            " end - start (elapsed); data lost = failure - latest recovery point at or before it."
        )

    def test_dict_is_json_ready(self) -> None:
        data = REPORT.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert data["met"] is False
        assert data["worst"]["db"]["rpo_achieved"] == "PT8H"
        assert data["worst"]["web"]["rpo_achieved"] is None
        assert data["rows"][0] == {
            "service": "db",
            "outage": "INC7",
            "start": "2026-03-02T10:00:00+00:00",
            "end": "2026-03-02T13:30:00+00:00",
            "rto": "PT4H",
            "rto_achieved": "PT3H30M",
            "rto_met": True,
            "recovery_point": "2026-03-02T02:00:00+00:00",
            "rpo": "PT6H",
            "rpo_achieved": "PT8H",
            "rpo_met": False,
            "met": False,
        }
        assert data["ignored_services"] == ["mail"]

    def test_html_escapes(self) -> None:
        page = REPORT._repr_html_()
        assert "&lt;b&gt;" in page and "<b>" not in page
        assert "Recovery objectives: breached" in page

    def test_frame(self) -> None:
        pd = pytest.importorskip("pandas")
        frame = REPORT.to_frame()
        assert list(frame.columns) == [
            "service",
            "outage",
            "start",
            "end",
            "rto_achieved",
            "rto",
            "rto_met",
            "recovery_point",
            "rpo_achieved",
            "rpo",
            "rpo_met",
            "met",
        ]
        assert frame["start"][0] == pd.Timestamp("2026-03-02T10:00Z")
        assert frame["rto_achieved"][0] == pd.Timedelta(hours=3, minutes=30)
        assert frame["rpo_achieved"][0] == pd.Timedelta(hours=8)
        assert pd.isna(frame["recovery_point"][1]) and pd.isna(frame["rpo_achieved"][1])
        assert frame["met"].tolist() == [False, False]
        assert len(check_recovery([DB], {}).to_frame()) == 0

    def test_frame_without_pandas(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(MissingDependencyError, match="itilkit\\[pandas\\]"):
            REPORT.to_frame()

    def test_report_pickles(self) -> None:
        again = pickle.loads(pickle.dumps(REPORT))
        assert isinstance(again, RecoveryReport)
        assert again.to_dict() == REPORT.to_dict()


# --- properties ----------------------------------------------------------------------------

SERVICES = ("db", "web", "mail")
objectives = st.lists(
    st.builds(
        lambda s, rto, rpo: RecoveryObjective(s, rto=timedelta(minutes=rto), rpo=rpo),
        st.sampled_from(SERVICES[:2]),
        st.integers(0, 48 * 60),
        st.integers(0, 48 * 60).map(lambda m: timedelta(minutes=m)),
    ),
    max_size=2,
    unique_by=lambda o: o.service,
)
service_outages = st.dictionaries(
    st.sampled_from(SERVICES), st.lists(minute_outages(), max_size=4), max_size=3
)
points = st.dictionaries(
    st.sampled_from(SERVICES),
    st.lists(
        st.integers(-2 * 24 * 60, 16 * 24 * 60).map(lambda m: OUTAGE_BASE + timedelta(minutes=m)),
        max_size=4,
    ),
    max_size=3,
)


def checked(
    goals: list[RecoveryObjective],
    outages: dict[str, list[Outage]],
    recovery: dict[str, list[datetime]],
) -> RecoveryReport | None:
    """The report, or None when the points are refused as covering no failure."""
    try:
        return check_recovery(goals, outages, recovery_points=recovery)
    except InvalidValueError as error:
        if "at or before a failure it covers" not in str(error):
            raise
        return None


def brute_rpo(start: datetime, instants: list[datetime]) -> timedelta | None:
    """The data lost: written out independently, as a minimum over every earlier point."""
    losses = [start - p for p in instants if p <= start]
    return min(losses) if losses else None


@given(goals=objectives, outages=service_outages, recovery=points)
def test_rows_follow_the_definitions(
    goals: list[RecoveryObjective],
    outages: dict[str, list[Outage]],
    recovery: dict[str, list[datetime]],
) -> None:
    """Each row: RTO = end - start, RPO = start - latest point at or before it; the worst case
    is the max over rows; the verdicts follow; every outage is counted exactly once."""
    report = checked(goals, outages, recovery)
    if report is None:
        return
    by_service = {g.service: g for g in goals}
    for row in report.rows:
        goal = by_service[row.service]
        assert row.rto_achieved == row.end - row.start
        assert row.rto_met == (row.rto_achieved <= goal.rto)
        assert row.rpo_achieved == brute_rpo(row.start, recovery.get(row.service, []))
        assert row.rpo_met == (row.rpo_achieved is not None and row.rpo_achieved <= goal.rpo)
        assert not row.outage.planned
    for service, worst in report.worst.items():
        rows = [r for r in report.rows if r.service == service]
        assert worst.failures == len(rows)
        assert worst.rto_achieved == max((r.rto_achieved for r in rows), default=None)
        covered = [r.rpo_achieved for r in rows if r.rpo_achieved is not None]
        assert worst.rpo_achieved == max(covered, default=None)
        assert worst.met == all(r.met for r in rows)
    assert report.met == all(r.met for r in report.rows)
    total = sum(len(v) for v in outages.values())
    assert report.failures + report.planned + report.ignored == total
    report.to_dict()
    str(report)


@given(
    goals=objectives,
    outages=service_outages,
    recovery=points,
    service=st.sampled_from(SERVICES),
    extra=st.integers(-2 * 24 * 60, 16 * 24 * 60),
)
def test_another_recovery_point_never_makes_rpo_worse(
    goals: list[RecoveryObjective],
    outages: dict[str, list[Outage]],
    recovery: dict[str, list[datetime]],
    service: str,
    extra: int,
) -> None:
    """Adding a point can only shorten data loss (or cover an uncovered failure); RTOs and
    every other verdict stay as they were."""
    before = checked(goals, outages, recovery)
    more = {k: list(v) for k, v in recovery.items()}
    more.setdefault(service, []).append(OUTAGE_BASE + timedelta(minutes=extra))
    after = checked(goals, outages, more)
    if before is None or after is None:
        return
    assert len(before.rows) == len(after.rows)
    for old, new in zip(before.rows, after.rows, strict=True):
        assert old.outage == new.outage and old.rto_achieved == new.rto_achieved
        if old.rpo_achieved is not None:
            assert new.rpo_achieved is not None and new.rpo_achieved <= old.rpo_achieved
        assert new.rpo_met >= old.rpo_met
    assert after.met >= before.met


@given(outages=st.lists(minute_outages(), max_size=5), rto=st.integers(0, 3 * 24 * 60))
def test_mapping_and_service_forms_agree(outages: list[Outage], rto: int) -> None:
    """Outages filed under their service give the report of outages that name it."""
    goal = RecoveryObjective("db", rto=timedelta(minutes=rto), rpo="PT1H")
    named = [
        Outage(o.start, o.end, impact=o.impact, planned=o.planned, id=o.id, service="db")
        for o in outages
    ]
    filed = check_recovery(goal, {"db": outages})
    listed = check_recovery(goal, named)
    assert [r.rto_met for r in filed.rows] == [r.rto_met for r in listed.rows]
    assert filed.worst["db"].to_dict() == listed.worst["db"].to_dict()
    assert (filed.planned, filed.met) == (listed.planned, listed.met)
