"""Delivery measures: DORA's four keys and the change success rate, worked out by hand."""

from __future__ import annotations

import pickle
import sys
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from itilkit import (
    ChangeRequest,
    ChangeState,
    ChangeType,
    Incident,
    InvalidValueError,
    MissingDependencyError,
    NaiveDatetimeError,
    Risk,
)
from itilkit._delivery import (
    DeliveryReport,
    Deployment,
    DurationStats,
    delivery_metrics,
    nearest_rank,
)

H = timedelta(hours=1)
MARCH = {"start": "2026-03-01T00:00Z", "end": "2026-04-01T00:00Z"}


def change(
    id: str,
    requested: str,
    *,
    type: str = "standard",
    risk: str = "low",
) -> ChangeRequest:
    """A change in DRAFT, planned for a window that never matters here."""
    return ChangeRequest.new(
        id,
        type=type,
        risk=risk,
        requested_at=requested,
        start="2026-02-01T00:00Z",
        end="2026-06-01T00:00Z",
    )


def implement(
    cr: ChangeRequest, *, start: str, done: str, backed_out: bool = False
) -> ChangeRequest:
    """Walk ``cr`` along its main path into IMPLEMENT at ``start``; leave it at ``done``."""
    while cr.state is not ChangeState.IMPLEMENT:
        cr = cr.advance(at=start)
    return cr.cancel(at=done) if backed_out else cr.advance(at=done)


def incident(
    id: str, opened: str, *, resolved: str | None = None, **fields: str | None
) -> Incident:
    """An incident opened at ``opened`` carrying ``fields`` from then, resolved if asked."""
    inc = Incident.open(id, at=opened, priority="P3")
    if fields:
        inc = inc.set_fields(at=opened, **fields)
    return inc if resolved is None else inc.resolve(at=resolved)


def march() -> tuple[list[ChangeRequest], list[Incident]]:
    """The worked example of docs/guides/delivery.md: nine changes, five incidents."""
    changes = [
        # lead time 09:00 -> 15:00 = 6h; INC5 names it but was canceled: success
        implement(
            change("CHG1", "2026-03-02T09:00Z"),
            start="2026-03-02T14:00Z",
            done="2026-03-02T15:00Z",
        ),
        # 2 Mar 09:00 -> 5 Mar 09:00 = 72h; INC1 (caused_by): failed, restored 12:30 -> 3h30m
        implement(
            change("CHG2", "2026-03-02T09:00Z", type="normal", risk="medium"),
            start="2026-03-05T08:00Z",
            done="2026-03-05T09:00Z",
        ),
        # 9 Mar 08:00 -> 10 Mar 22:00 = 38h; success
        implement(
            change("CHG3", "2026-03-09T08:00Z", type="normal", risk="high"),
            start="2026-03-10T21:00Z",
            done="2026-03-10T22:00Z",
        ),
        # 14:00 -> 16:00 = 2h; backed out (IMPLEMENT -> CANCELED): failed, no incident to time
        implement(
            change("CHG4", "2026-03-12T14:00Z", type="emergency", risk="high"),
            start="2026-03-12T15:00Z",
            done="2026-03-12T16:00Z",
            backed_out=True,
        ),
        # 20 Mar 10:00 -> 24 Mar 10:00 = 96h; INC2 (change) and INC3 (caused_by): failed,
        # restored at the later resolution, 25 Mar 10:00: 24h after the deployment
        implement(
            change("CHG5", "2026-03-20T10:00Z", type="normal"),
            start="2026-03-24T09:00Z",
            done="2026-03-24T10:00Z",
        ),
        # 09:00 -> 09:30 = 30m; success
        implement(
            change("CHG6", "2026-03-26T09:00Z"),
            start="2026-03-26T09:10Z",
            done="2026-03-26T09:30Z",
        ),
        # 10:00 -> 14:00 = 4h; success
        implement(
            change("CHG7", "2026-03-30T10:00Z"),
            start="2026-03-30T13:00Z",
            done="2026-03-30T14:00Z",
        ),
        # deployed on 2 April: outside the period, and so is INC4 that names it
        implement(
            change("CHG8", "2026-03-31T10:00Z"),
            start="2026-04-02T09:00Z",
            done="2026-04-02T10:00Z",
        ),
        # only scheduled: not deployed
        change("CHG9", "2026-03-25T10:00Z").advance(at="2026-03-25T11:00Z"),
    ]
    incidents = [
        incident("INC1", "2026-03-05T10:00Z", resolved="2026-03-05T12:30Z", caused_by="CHG2"),
        incident("INC2", "2026-03-24T11:00Z", resolved="2026-03-24T13:00Z", change="CHG5"),
        incident(
            "INC3", "2026-03-25T09:00Z", resolved="2026-03-25T10:00Z", caused_by="CHG5"
        ).close(at="2026-03-26T10:00Z"),
        incident("INC4", "2026-04-02T11:00Z", caused_by="CHG8"),
        incident("INC5", "2026-03-02T16:00Z", caused_by="CHG1").cancel(at="2026-03-02T16:10Z"),
    ]
    return changes, incidents


@pytest.fixture(scope="module")
def report() -> DeliveryReport:
    changes, incidents = march()
    return delivery_metrics(changes, incidents, **MARCH)


class TestWorkedExample:
    """March 2026 (31 days): seven deployments, three of them failed."""

    def test_deployments(self, report: DeliveryReport) -> None:
        """CHG1..CHG7 ended their implementation in March; CHG8 in April, CHG9 never."""
        assert [d.id for d in report.deployments] == [f"CHG{n}" for n in range(1, 8)]
        assert report.deployment_count == 7
        assert report.days == 31

    def test_deployment_frequency(self, report: DeliveryReport) -> None:
        """7 deployments / 31 days = 7/31 per day; x 7 = 49/31 per week."""
        assert report.deployment_frequency == Fraction(7, 31)
        assert report.deployments_per_week == Fraction(49, 31)

    def test_lead_time(self, report: DeliveryReport) -> None:
        """Sorted: 30m, 2h, 4h, 6h, 38h, 72h, 96h. Median: rank ceil(3.5) = 4 -> 6h;
        p90: rank ceil(6.3) = 7 -> 96h."""
        assert report.lead_time == DurationStats(6 * H, 96 * H)
        median, p90 = report.lead_time
        assert (median, p90) == (6 * H, 96 * H)
        leads = {d.id: d.lead_time for d in report.deployments}
        assert leads == {
            "CHG1": 6 * H,
            "CHG2": 72 * H,
            "CHG3": 38 * H,
            "CHG4": 2 * H,
            "CHG5": 96 * H,
            "CHG6": timedelta(minutes=30),
            "CHG7": 4 * H,
        }

    def test_change_failure_rate(self, report: DeliveryReport) -> None:
        """CHG2 (INC1), CHG4 (backed out), CHG5 (INC2, INC3): 3 of 7."""
        assert [d.id for d in report.failures] == ["CHG2", "CHG4", "CHG5"]
        assert report.change_failure_rate == Fraction(3, 7)
        assert report.change_success_rate == Fraction(4, 7)

    def test_why_each_failed(self, report: DeliveryReport) -> None:
        """Each failure keeps its reason: the incidents naming it, or the back-out."""
        by_id = {d.id: d for d in report.deployments}
        assert by_id["CHG2"].incidents == ("INC1",)
        assert by_id["CHG4"].backed_out and by_id["CHG4"].incidents == ()
        assert by_id["CHG5"].incidents == ("INC2", "INC3")
        assert by_id["CHG1"].incidents == ()  # INC5 was canceled: no incident at all
        assert [by_id[i].failure for i in ("CHG2", "CHG4", "CHG5")] == [
            "INC1",
            "backed out",
            "INC2, INC3",
        ]

    def test_time_to_restore(self, report: DeliveryReport) -> None:
        """CHG2: 09:00 -> 12:30 = 3h30m; CHG5: 24 Mar 10:00 -> 25 Mar 10:00 = 24h (INC3
        resolved last; its closure the next day does not count). Median of two: rank 1 ->
        3h30m; p90: rank ceil(1.8) = 2 -> 24h. CHG4 has no incident to time."""
        assert report.time_to_restore == timedelta(hours=3, minutes=30)
        assert report.time_to_restore_p90 == 24 * H
        by_id = {d.id: d for d in report.deployments}
        assert by_id["CHG5"].restored_at == datetime(2026, 3, 25, 10, tzinfo=UTC)
        assert by_id["CHG4"].time_to_restore is None
        assert report.unrestored == ()

    def test_success_rate_by_type(self, report: DeliveryReport) -> None:
        """standard CHG1, CHG6, CHG7: 3/3; normal CHG2 (failed), CHG3, CHG5 (failed): 1/3;
        emergency CHG4 (failed): 0."""
        assert dict(report.success_rate_by_type) == {
            ChangeType.STANDARD: 1,
            ChangeType.NORMAL: Fraction(1, 3),
            ChangeType.EMERGENCY: 0,
        }

    def test_success_rate_by_risk(self, report: DeliveryReport) -> None:
        """low CHG1, CHG5 (failed), CHG6, CHG7: 3/4; medium CHG2 (failed): 0; high CHG3,
        CHG4 (failed): 1/2; no very-high change was deployed, so it has no rate."""
        assert dict(report.success_rate_by_risk) == {
            Risk.LOW: Fraction(3, 4),
            Risk.MEDIUM: 0,
            Risk.HIGH: Fraction(1, 2),
        }
        assert list(report.success_rate_by_risk) == [Risk.LOW, Risk.MEDIUM, Risk.HIGH]


class TestDeployments:
    """What counts as a deployment, and when."""

    def test_the_step_out_of_implement_is_the_deployment(self) -> None:
        """Entering IMPLEMENT is not deploying; leaving it for REVIEW is."""
        cr = change("CHG1", "2026-03-02T09:00Z").advance(at="2026-03-02T09:00Z")
        cr = cr.advance(at="2026-03-02T10:00Z")
        assert cr.state is ChangeState.IMPLEMENT
        assert delivery_metrics([cr], [], **MARCH).deployment_count == 0
        done = cr.advance(at="2026-03-02T11:00Z")
        (d,) = delivery_metrics([done], [], **MARCH).deployments
        assert d.at == datetime(2026, 3, 2, 11, tzinfo=UTC)
        assert not d.failed
        closed = done.advance(at="2026-03-03T09:00Z")  # REVIEW -> CLOSED keeps the instant
        assert delivery_metrics([closed], [], **MARCH).deployments[0].at == d.at

    def test_canceled_before_implementation_is_not_a_deployment(self) -> None:
        """A change canceled while scheduled never reached production."""
        cr = change("CHG1", "2026-03-02T09:00Z").advance(at="2026-03-02T10:00Z")
        cr = cr.cancel(at="2026-03-02T11:00Z")
        assert delivery_metrics([cr], [], **MARCH).deployments == ()

    def test_period_is_half_open(self) -> None:
        """Deployed at ``start``: in; at ``end``: out (the next period's)."""
        at_start = implement(
            change("A", "2026-02-27T09:00Z"), start="2026-02-28T23:00Z", done="2026-03-01T00:00Z"
        )
        at_end = implement(
            change("B", "2026-03-30T09:00Z"), start="2026-03-31T23:00Z", done="2026-04-01T00:00Z"
        )
        r = delivery_metrics([at_start, at_end], [], **MARCH)
        assert [d.id for d in r.deployments] == ["A"]
        april = delivery_metrics(
            [at_start, at_end], [], start="2026-04-01T00:00Z", end="2026-05-01T00:00Z"
        )
        assert [d.id for d in april.deployments] == ["B"]

    def test_deployments_are_in_order_of_deployment(self) -> None:
        """Not in the order given: by instant, then by id."""
        late = implement(
            change("Z", "2026-03-02T09:00Z"), start="2026-03-03T09:00Z", done="2026-03-03T10:00Z"
        )
        early = implement(
            change("Y", "2026-03-02T09:00Z"), start="2026-03-02T09:00Z", done="2026-03-02T10:00Z"
        )
        tie = implement(
            change("X", "2026-03-02T09:00Z"), start="2026-03-02T09:00Z", done="2026-03-02T10:00Z"
        )
        r = delivery_metrics([late, early, tie], [], **MARCH)
        assert [d.id for d in r.deployments] == ["X", "Y", "Z"]

    def test_instants_keep_their_zones(self) -> None:
        """The deployment instant is shown in the zone the change was requested in; the
        report's period in the zone ``start`` was given in. Lead time is elapsed time."""
        cr = ChangeRequest.new(
            "CHG1",
            type="standard",
            requested_at="2026-03-28T09:00+01:00",
            start="2026-03-29T09:00+02:00",
            end="2026-03-29T10:00+02:00",
        )
        # Berlin springs forward on 29 March: 09:00+01:00 -> 09:00+02:00 is 23 hours
        cr = implement(cr, start="2026-03-29T07:00Z", done="2026-03-29T07:00Z")
        start = pendulum.datetime(2026, 3, 1, tz="Europe/Berlin")
        r = delivery_metrics([cr], [], start=start, end="2026-04-01T00:00+02:00")
        (d,) = r.deployments
        assert d.at.isoformat() == "2026-03-29T08:00:00+01:00"
        assert d.lead_time == 23 * H
        assert r.start is start
        # 1 March 00:00 CET to 1 April 00:00 CEST: 31 days less the hour skipped
        assert r.days == Fraction(31 * 24 - 1, 24)

    def test_a_request_after_its_deployment_counts_zero_lead_time(self) -> None:
        """Only a hand-built request can say so; the lead time is zero, never negative."""
        cr = implement(
            change("CHG1", "2026-03-02T09:00Z"),
            start="2026-03-02T10:00Z",
            done="2026-03-02T11:00Z",
        )
        odd = attrs.evolve(cr, requested_at=pendulum.parse("2026-03-02T12:00Z"))
        r = delivery_metrics([odd], [], **MARCH)
        assert r.deployments[0].lead_time == timedelta(0)
        assert r.lead_time == DurationStats(timedelta(0), timedelta(0))

    def test_nothing_deployed(self) -> None:
        """No deployment: zero frequency; rates and durations of nothing are None."""
        r = delivery_metrics([], [], **MARCH)
        assert r.deployment_frequency == 0
        assert r.change_failure_rate is None
        assert r.change_success_rate is None
        assert r.lead_time == DurationStats(None, None)
        assert r.time_to_restore is None and r.time_to_restore_p90 is None
        assert dict(r.success_rate_by_type) == {} and dict(r.success_rate_by_risk) == {}

    def test_incidents_may_be_left_out(self) -> None:
        """Without incidents only recorded failures count."""
        cr = implement(
            change("CHG1", "2026-03-02T09:00Z"),
            start="2026-03-02T10:00Z",
            done="2026-03-02T11:00Z",
        )
        assert delivery_metrics([cr], **MARCH).change_failure_rate == 0


def deployed(id: str = "CHG1", **kwargs: object) -> ChangeRequest:
    """A standard change requested 2 March 09:00, deployed 2 March 11:00 UTC."""
    cr = change(id, "2026-03-02T09:00Z", **kwargs)  # type: ignore[arg-type]
    return implement(cr, start="2026-03-02T10:00Z", done="2026-03-02T11:00Z")


class TestFailures:
    """A change failed when recorded as failed or when an incident names it."""

    @pytest.mark.parametrize("field", ["caused_by", "change"])
    def test_an_incident_naming_the_change_fails_it(self, field: str) -> None:
        """Either carried field names the change."""
        inc = incident("INC1", "2026-03-02T12:00Z", **{field: "CHG1"})
        (d,) = delivery_metrics([deployed()], [inc], **MARCH).deployments
        assert d.failed and d.incidents == ("INC1",)

    def test_naming_it_at_any_time_counts(self) -> None:
        """A field that named the change once and later named another still names it."""
        inc = incident("INC1", "2026-03-02T12:00Z", caused_by="CHG1")
        inc = inc.set_fields(at="2026-03-02T13:00Z", caused_by="CHG2")
        inc = inc.set_fields(at="2026-03-02T14:00Z", caused_by=None)
        assert dict(inc.attributes) == {}
        r = delivery_metrics([deployed("CHG1"), deployed("CHG2")], [inc], **MARCH)
        assert [d.id for d in r.failures] == ["CHG1", "CHG2"]

    def test_carried_values_are_stripped(self) -> None:
        """An export's padding around the id does not hide it."""
        inc = incident("INC1", "2026-03-02T12:00Z", change="  CHG1 ")
        assert delivery_metrics([deployed()], [inc], **MARCH).change_failure_rate == 1

    def test_ids_are_case_sensitive(self) -> None:
        """``chg1`` is another id: ids are compared as written."""
        inc = incident("INC1", "2026-03-02T12:00Z", change="chg1")
        assert delivery_metrics([deployed()], [inc], **MARCH).change_failure_rate == 0

    def test_a_canceled_incident_names_nothing(self) -> None:
        """CANCELED means it was no incident at all."""
        inc = incident("INC1", "2026-03-02T12:00Z", caused_by="CHG1").cancel(
            at="2026-03-02T12:05Z"
        )
        assert delivery_metrics([deployed()], [inc], **MARCH).failures == ()

    def test_other_fields_do_not_name_a_failure(self) -> None:
        """Only caused_by and change: a problem or a ci that reads like the id does not."""
        inc = incident("INC1", "2026-03-02T12:00Z", problem="CHG1", ci="CHG1")
        assert delivery_metrics([deployed()], [inc], **MARCH).failures == ()

    def test_incidents_naming_undeployed_changes_are_ignored(self) -> None:
        """An incident naming an unknown id, or a change not deployed in the period."""
        incs = [
            incident("INC1", "2026-03-02T12:00Z", caused_by="CHG404"),
            incident("INC2", "2026-03-02T12:00Z", caused_by="CHG2"),
        ]
        planned = change("CHG2", "2026-03-02T09:00Z")
        r = delivery_metrics([deployed(), planned], incs, **MARCH)
        assert r.failures == ()

    def test_recorded_as_failed(self) -> None:
        """``failed=`` names changes a ticket system closed as unsuccessful."""
        r = delivery_metrics([deployed("CHG1"), deployed("CHG2")], [], failed=["CHG2"], **MARCH)
        assert [(d.id, d.marked_failed, d.failure) for d in r.failures] == [
            ("CHG2", True, "recorded as failed")
        ]
        one = delivery_metrics([deployed("CHG1")], [], failed=" CHG1", **MARCH)
        assert one.change_failure_rate == 1

    def test_recorded_and_named_is_one_failure(self) -> None:
        """A deployment counts once however many reasons it has."""
        backed = implement(
            change("CHG1", "2026-03-02T09:00Z"),
            start="2026-03-02T10:00Z",
            done="2026-03-02T11:00Z",
            backed_out=True,
        )
        incs = [
            incident("INC1", "2026-03-02T10:30Z", resolved="2026-03-02T11:30Z", caused_by="CHG1"),
            incident("INC2", "2026-03-02T10:40Z", resolved="2026-03-02T11:10Z", change="CHG1"),
        ]
        r = delivery_metrics([backed], incs, failed=["CHG1"], **MARCH)
        (d,) = r.failures
        assert r.change_failure_rate == 1
        assert d.failure == "backed out, recorded as failed, INC1, INC2"
        # restored at 11:30, the later resolution: 30 minutes after the back-out
        assert d.time_to_restore == timedelta(minutes=30)

    def test_a_failed_id_not_in_the_period_changes_nothing(self) -> None:
        """``failed=`` may name a given change deployed in another period."""
        april = implement(
            change("CHG2", "2026-03-30T09:00Z"),
            start="2026-04-02T09:00Z",
            done="2026-04-02T10:00Z",
        )
        r = delivery_metrics([deployed(), april], [], failed=["CHG2"], **MARCH)
        assert r.change_failure_rate == 0


class TestTimeToRestore:
    """From the deployment to the last resolution of the incidents it caused."""

    def test_last_resolution_of_all_its_incidents(self) -> None:
        """Deployed 11:00; INC1 resolved 12:00, INC2 resolved 15:00: 4h."""
        incs = [
            incident("INC2", "2026-03-02T13:00Z", resolved="2026-03-02T15:00Z", change="CHG1"),
            incident("INC1", "2026-03-02T11:30Z", resolved="2026-03-02T12:00Z", caused_by="CHG1"),
        ]
        (d,) = delivery_metrics([deployed()], incs, **MARCH).deployments
        assert d.incidents == ("INC1", "INC2")  # in order of opening
        assert d.time_to_restore == 4 * H

    def test_an_unresolved_incident_leaves_the_failure_unrestored(self) -> None:
        """Not yet restored: left out of the median, listed in ``unrestored``."""
        incs = [
            incident("INC1", "2026-03-02T11:30Z", resolved="2026-03-02T12:00Z", caused_by="CHG1"),
            incident("INC2", "2026-03-02T13:00Z", caused_by="CHG1").start_work(
                at="2026-03-02T13:10Z"
            ),
            incident("INC3", "2026-03-02T13:00Z", resolved="2026-03-02T14:00Z", caused_by="CHG2"),
        ]
        r = delivery_metrics([deployed("CHG1"), deployed("CHG2")], incs, **MARCH)
        assert [d.id for d in r.unrestored] == ["CHG1"]
        assert r.deployments[0].restored_at is None and not r.deployments[0].restored
        assert r.time_to_restore == 3 * H  # CHG2 alone: 11:00 -> 14:00

    def test_a_reopened_incident_is_not_restored(self) -> None:
        """Resolved, then reopened: service is down again until the next resolution."""
        inc = incident("INC1", "2026-03-02T12:00Z", resolved="2026-03-02T13:00Z", caused_by="CHG1")
        reopened = inc.reopen(at="2026-03-02T14:00Z")
        r = delivery_metrics([deployed()], [reopened], **MARCH)
        assert r.time_to_restore is None and len(r.unrestored) == 1
        again = reopened.resolve(at="2026-03-02T16:00Z")
        assert delivery_metrics([deployed()], [again], **MARCH).time_to_restore == 5 * H

    def test_resolution_not_closure_restores(self) -> None:
        """ITIL restores service at resolution; the closure later is paperwork."""
        inc = incident("INC1", "2026-03-02T12:00Z", resolved="2026-03-02T13:00Z", caused_by="CHG1")
        closed = inc.close(at="2026-03-05T09:00Z")
        assert delivery_metrics([deployed()], [closed], **MARCH).time_to_restore == 2 * H

    def test_closed_without_a_resolution_restores_at_closure(self) -> None:
        """An imported anomaly (IN_PROGRESS -> CLOSED) restores when it was closed."""
        inc = Incident.replay(
            "INC1",
            [
                ("2026-03-02T12:00Z", "new"),
                ("2026-03-02T12:30Z", "in_progress"),
                ("2026-03-02T14:00Z", "closed"),
            ],
            impact=2,
            urgency=2,
            strict=False,
        ).set_fields(at="2026-03-02T14:00Z", caused_by="CHG1")
        assert [a.kind for a in inc.anomalies] == ["forbidden_transition"]
        assert delivery_metrics([deployed()], [inc], **MARCH).time_to_restore == 3 * H

    def test_resolved_before_the_recorded_deployment_counts_zero(self) -> None:
        """The implementation broke things and was fixed before it was marked done."""
        inc = incident("INC1", "2026-03-02T10:10Z", resolved="2026-03-02T10:40Z", caused_by="CHG1")
        assert delivery_metrics([deployed()], [inc], **MARCH).time_to_restore == timedelta(0)

    def test_resolved_after_the_period_counts(self) -> None:
        """The failure belongs to the deployment's period, however late it is restored."""
        inc = incident("INC1", "2026-03-31T12:00Z", resolved="2026-04-03T11:00Z", caused_by="CHG1")
        cr = implement(
            change("CHG1", "2026-03-30T09:00Z"),
            start="2026-03-31T10:00Z",
            done="2026-03-31T11:00Z",
        )
        assert delivery_metrics([cr], [inc], **MARCH).time_to_restore == 72 * H

    def test_median_of_an_even_count_is_the_lower_middle(self) -> None:
        """Restore times 1h, 2h, 3h, 4h: nearest-rank median = rank 2 = 2h; p90 = rank 4."""
        crs = [deployed(f"CHG{n}") for n in range(1, 5)]
        incs = [
            incident(
                f"INC{n}",
                "2026-03-02T11:00Z",
                resolved=f"2026-03-02T1{1 + n}:00Z",
                caused_by=f"CHG{n}",
            )
            for n in range(1, 5)
        ]
        r = delivery_metrics(crs, incs, **MARCH)
        assert (r.time_to_restore, r.time_to_restore_p90) == (2 * H, 4 * H)


class TestPercentiles:
    @pytest.mark.parametrize(
        ("values", "percent", "expected"),
        [
            ([], 50, None),
            ([7], 50, 7),
            ([7], 90, 7),
            ([1, 2], 50, 1),  # ceil(1.0) = rank 1
            ([1, 2], 90, 2),  # ceil(1.8) = rank 2
            ([1, 2, 3], 50, 2),  # ceil(1.5) = rank 2
            (list(range(1, 11)), 90, 9),  # ceil(9.0) = rank 9
            (list(range(1, 12)), 90, 10),  # ceil(9.9) = rank 10
            (list(range(1, 21)), 90, 18),  # ceil(18.0) = rank 18
            ([1, 2, 3], 0, 1),  # rank at least 1
            ([1, 2, 3], 100, 3),
        ],
    )
    def test_nearest_rank(self, values: list[int], percent: int, expected: int | None) -> None:
        """The value at rank ceil(p/100 * n) of the sorted values."""
        assert nearest_rank(values, percent) == expected

    def test_duration_stats_sort_their_input(self) -> None:
        """Durations in any order; the figures are timedeltas."""
        stats = DurationStats.of([3_000_000, 1_000_000, 2_000_000])
        assert stats == (timedelta(seconds=2), timedelta(seconds=3))
        assert stats.median == timedelta(seconds=2) and stats.p90 == timedelta(seconds=3)


def small() -> DeliveryReport:
    """Two deployments on 2 March, one failed by INC1 and restored 2h later; 7 days."""
    inc = incident("INC1", "2026-03-02T11:30Z", resolved="2026-03-02T13:00Z", caused_by="CHG2")
    crs = [deployed("CHG1"), deployed("CHG2", type="normal", risk="very high")]
    return delivery_metrics(crs, [inc], start="2026-03-01T00:00Z", end="2026-03-08T00:00Z")


class TestRendering:
    def test_str(self) -> None:
        """A summary, the success rate per type and risk, and one row per deployment."""
        assert str(small()) == "\n".join(
            [
                "Delivery: 2026-03-01 00:00 to 2026-03-08 00:00 (UTC)",
                "measure                    value",
                "-------------------------  -------------------------",
                "deployments                2",
                "deployment frequency       0.29 per day (2 per week)",
                "lead time, median          2h 00m",
                "lead time, p90             2h 00m",
                "change failure rate        50% (1 of 2)",
                "time to restore, median    2h 00m",
                "time to restore, p90       2h 00m",
                "failures not yet restored  0",
                "",
                "Change success rate",
                "change success    deployed  failed  success rate",
                "----------------  --------  ------  ------------",
                "standard changes         1       0          100%",
                "normal changes           1       1            0%",
                "low risk                 1       0          100%",
                "very high risk           1       1            0%",
                "all changes              2       1           50%",
                "",
                "Deployments",
                "change  type      risk       deployed          lead time  failed  restored in",
                "------  --------  ---------  ----------------  ---------  ------  -----------",
                "CHG1    standard  low        2026-03-02 11:00  2h 00m     -       -",
                "CHG2    normal    very high  2026-03-02 11:00  2h 00m     INC1    2h 00m",
            ]
        )

    def test_str_of_nothing(self) -> None:
        """No deployment: the summary alone, with n/a where nothing was measured."""
        text = str(delivery_metrics([], [], **MARCH))
        assert "Deployments" not in text
        assert "change failure rate        n/a" in text
        assert "lead time, median          n/a" in text

    def test_unrestored_shows_not_yet(self) -> None:
        """A failure whose incident is still open is 'not yet' restored."""
        inc = incident("INC1", "2026-03-02T11:30Z", caused_by="CHG1")
        text = str(delivery_metrics([deployed()], [inc], **MARCH))
        assert "failures not yet restored  1" in text
        assert text.splitlines()[-1].endswith("INC1    not yet")

    def test_to_dict(self) -> None:
        """Exact values as text: ratios (p/q where no decimal holds them), ISO durations."""
        d = small().to_dict()
        assert {k: v for k, v in d.items() if k != "changes"} == {
            "start": "2026-03-01T00:00:00+00:00",
            "end": "2026-03-08T00:00:00+00:00",
            "tz": "UTC",
            "days": "7",
            "deployments": 2,
            "deployment_frequency": "2/7",
            "deployments_per_week": "2",
            "lead_time": {"median": "PT2H", "p90": "PT2H"},
            "failed": 1,
            "change_failure_rate": "0.5",
            "change_success_rate": "0.5",
            "time_to_restore": {"median": "PT2H", "p90": "PT2H"},
            "unrestored": [],
            "success_rate_by_type": {"standard": "1", "normal": "0"},
            "success_rate_by_risk": {"low": "1", "very_high": "0"},
        }
        assert d["changes"][1] == {
            "id": "CHG2",
            "type": "normal",
            "risk": "very_high",
            "requested_at": "2026-03-02T09:00:00+00:00",
            "deployed_at": "2026-03-02T11:00:00+00:00",
            "lead_time": "PT2H",
            "failed": True,
            "backed_out": False,
            "marked_failed": False,
            "incidents": ["INC1"],
            "restored_at": "2026-03-02T13:00:00+00:00",
            "time_to_restore": "PT2H",
        }

    def test_to_dict_reads_back(self) -> None:
        """The text forms parse back to the exact figures."""
        from itilkit._ratio import parse_ratio
        from itilkit._time import to_duration_us

        changes, incidents = march()
        r = delivery_metrics(changes, incidents, **MARCH)
        d = r.to_dict()
        assert Fraction(d["deployment_frequency"]) == r.deployment_frequency
        assert parse_ratio(d["change_failure_rate"]) == r.change_failure_rate
        assert to_duration_us(d["lead_time"]["p90"]) == 96 * 3_600_000_000
        assert {
            ChangeType.parse(k): parse_ratio(v) for k, v in d["success_rate_by_type"].items()
        } == dict(r.success_rate_by_type)
        assert {
            Risk.parse(k): parse_ratio(v) for k, v in d["success_rate_by_risk"].items()
        } == dict(r.success_rate_by_risk)

    def test_repr_html_escapes(self) -> None:
        """The HTML tables escape what they show."""
        crs = [deployed("<b>CHG1</b>")]
        html = delivery_metrics(crs, [], **MARCH)._repr_html_()
        assert "&lt;b&gt;CHG1&lt;/b&gt;" in html and "<b>CHG1" not in html
        assert html.startswith('<div class="itilkit"><strong>Delivery: ')

    def test_to_frame(self) -> None:
        """One row per deployment; instants in UTC and durations exact to the microsecond."""
        pd = pytest.importorskip("pandas")
        changes, incidents = march()
        frame = delivery_metrics(changes, incidents, **MARCH).to_frame()
        assert list(frame.columns) == [
            "id",
            "type",
            "risk",
            "requested_at",
            "deployed_at",
            "lead_time",
            "failed",
            "backed_out",
            "marked_failed",
            "incidents",
            "restored_at",
            "time_to_restore",
        ]
        assert list(frame["id"]) == [f"CHG{n}" for n in range(1, 8)]
        assert list(frame["failed"]) == [False, True, False, True, True, False, False]
        assert frame["lead_time"].iloc[4] == pd.Timedelta(hours=96)
        assert frame["deployed_at"].iloc[1] == pd.Timestamp("2026-03-05T09:00Z")
        assert str(frame["deployed_at"].dt.tz) == "UTC"
        assert pd.isna(frame["restored_at"].iloc[0]) and pd.isna(frame["time_to_restore"].iloc[3])
        assert frame["time_to_restore"].iloc[4] == pd.Timedelta(hours=24)
        assert frame["incidents"].iloc[4] == "INC2, INC3"
        assert frame["failed"].dtype == bool

    def test_to_frame_of_nothing(self) -> None:
        """No deployment: the columns, no rows."""
        pytest.importorskip("pandas")
        frame = delivery_metrics([], [], **MARCH).to_frame()
        assert len(frame) == 0 and len(frame.columns) == 12

    def test_to_frame_needs_pandas(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without pandas: an error that names the extra to install."""
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(MissingDependencyError, match="itilkit\\[pandas\\]"):
            small().to_frame()

    def test_deployment_str(self) -> None:
        """A deployment says when, how long after its request, and why it failed."""
        r = small()
        assert [str(d) for d in r.deployments] == [
            "CHG1 deployed at 2026-03-02T11:00:00+00:00 (2h 00m after its request)",
            "CHG2 deployed at 2026-03-02T11:00:00+00:00 (2h 00m after its request), failed: INC1",
        ]

    def test_reports_pickle(self) -> None:
        """Values ship to worker processes."""
        r = small()
        again = pickle.loads(pickle.dumps(r))
        assert again == r and again.to_dict() == r.to_dict()


def planned(**kwargs: object) -> ChangeRequest:
    return change("CHG1", "2026-03-02T09:00Z", **kwargs)  # type: ignore[arg-type]


class TestBadInput:
    @pytest.mark.parametrize(
        ("start", "end", "error", "match"),
        [
            (None, "2026-04-01T00:00Z", InvalidValueError, "'start' must be an aware datetime"),
            ("2026-03-01T00:00Z", None, InvalidValueError, "'end' must be an aware datetime"),
            ("2026-03-01T00:00", "2026-04-01T00:00Z", NaiveDatetimeError, "'start'"),
            ("2026-03-01T00:00Z", datetime(2026, 4, 1), NaiveDatetimeError, "'end'"),
            (
                "2026-04-01T00:00Z",
                "2026-03-01T00:00Z",
                InvalidValueError,
                r"'end' must be after 'start' \(2026-04-01T00:00:00\+00:00\)"
                r" \(got '2026-03-01T00:00Z'\)",
            ),
            (
                "2026-03-01T00:00Z",
                "2026-03-01T01:00+01:00",
                InvalidValueError,
                "'end' must be after",
            ),
        ],
    )
    def test_period(self, start: object, end: object, error: type[Exception], match: str) -> None:
        """``start`` and ``end`` are aware instants, ``end`` after ``start``."""
        with pytest.raises(error, match=match):
            delivery_metrics([], [], start=start, end=end)  # type: ignore[arg-type]

    def test_the_period_is_required(self) -> None:
        """Both keywords must be given."""
        with pytest.raises(TypeError):
            delivery_metrics([], [], start="2026-03-01T00:00Z")  # type: ignore[call-arg]

    @pytest.mark.parametrize(
        ("changes", "match"),
        [
            (None, "'changes' must be an iterable of ChangeRequest"),
            ("CHG1", "'changes' must be an iterable of ChangeRequest"),
            (planned(), "'changes' must be an iterable of ChangeRequest"),
            ([planned(), "CHG2"], r"'changes\[1\]' must be a ChangeRequest \(got 'CHG2'\)"),
            ({"CHG1": planned()}, r"'changes\[0\]' must be a ChangeRequest \(got 'CHG1'\)"),
        ],
    )
    def test_changes(self, changes: object, match: str) -> None:
        """Changes are an iterable of ChangeRequest, each named by its position."""
        with pytest.raises(InvalidValueError, match=match):
            delivery_metrics(changes, [], **MARCH)  # type: ignore[arg-type]

    def test_a_change_without_a_period(self) -> None:
        """A hand-built request whose planned end is not after its start has no period."""
        cr = planned()
        broken = attrs.evolve(cr, end=cr.start)
        with pytest.raises(
            InvalidValueError,
            match=r"'changes\[1\]\.end' must be after its start \(2026-02-01T00:00:00\+00:00\):"
            r" a change needs a planned period \(got DateTime\(2026, 2, 1",
        ):
            delivery_metrics([deployed("CHG0"), broken], [], **MARCH)

    @pytest.mark.parametrize(
        ("evolve", "match"),
        [
            ({"id": ""}, r"'changes\[0\]\.id' must be a non-empty string \(got ''\)"),
            ({"id": 7}, r"'changes\[0\]\.id' must be a non-empty string \(got 7\)"),
            ({"type": "normal"}, r"'changes\[0\]\.type' must be a ChangeType \(got 'normal'\)"),
            ({"risk": 2}, r"'changes\[0\]\.risk' must be a Risk \(got 2\)"),
        ],
    )
    def test_hand_built_changes(self, evolve: dict[str, object], match: str) -> None:
        """A request built around ChangeRequest.new is checked where it matters here."""
        with pytest.raises(InvalidValueError, match=match):
            delivery_metrics([attrs.evolve(planned(), **evolve)], [], **MARCH)

    def test_duplicate_ids(self) -> None:
        """Incidents name changes by id, so two changes may not share one."""
        with pytest.raises(
            InvalidValueError,
            match=r"'changes\[2\]\.id' must be an id no other change has"
            r" \(changes\[0\] has it too\) \(got 'CHG1'\)",
        ):
            delivery_metrics([deployed("CHG1"), deployed("CHG2"), deployed("CHG1")], [], **MARCH)

    @pytest.mark.parametrize(
        ("incidents", "match"),
        [
            (None, "'incidents' must be an iterable of Incident"),
            (b"INC1", "'incidents' must be an iterable of Incident"),
            (["INC1"], r"'incidents\[0\]' must be an Incident \(got 'INC1'\)"),
        ],
    )
    def test_incidents(self, incidents: object, match: str) -> None:
        """Incidents are an iterable of Incident."""
        with pytest.raises(InvalidValueError, match=match):
            delivery_metrics([], incidents, **MARCH)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("failed", "match"),
        [
            (["CHG9"], r"'failed\[0\]' must be the id of one of the given changes \(got 'CHG9'\)"),
            ("CHG9", r"'failed\[0\]' must be the id of one of the given changes \(got 'CHG9'\)"),
            ([1], r"'failed\[0\]' must be a change id \(got 1\)"),
            (None, "'failed' must be a change id or an iterable of change ids"),
        ],
    )
    def test_failed(self, failed: object, match: str) -> None:
        """``failed=`` names given changes; a typo is an error, not a silent nothing."""
        with pytest.raises(InvalidValueError, match=match):
            delivery_metrics([deployed()], [], failed=failed, **MARCH)  # type: ignore[arg-type]

    def test_one_shot_iterators_are_read_once(self) -> None:
        """Generators work as well as lists."""
        changes, incidents = march()
        r = delivery_metrics(iter(changes), (i for i in incidents), **MARCH)
        assert r.change_failure_rate == Fraction(3, 7)


# ============================================================================ properties

BASE = datetime(2026, 3, 1, tzinfo=UTC)
PERIOD = {"start": BASE, "end": BASE + timedelta(days=30)}
MINUTE = timedelta(minutes=1)
DAYS_40 = 40 * 24 * 60


@st.composite
def changes_of(
    draw: st.DrawFn, prefix: str = "CHG", count: tuple[int, int] = (0, 8)
) -> list[ChangeRequest]:
    """Changes requested around March 2026 in every lifecycle fate."""
    out = []
    for n in range(draw(st.integers(*count))):
        requested = BASE + MINUTE * draw(st.integers(-5 * 24 * 60, DAYS_40))
        cr = ChangeRequest.new(
            f"{prefix}{n}",
            type=draw(st.sampled_from(ChangeType)),
            risk=draw(st.sampled_from(Risk)),
            requested_at=requested,
            start=requested,
            end=requested + H,
        )
        fate = draw(
            st.sampled_from(["draft", "scheduled", "implementing", "deployed", "backed_out"])
        )
        begin = requested + MINUTE * draw(st.integers(0, 10 * 24 * 60))
        done = begin + MINUTE * draw(st.integers(0, 24 * 60))
        if fate == "scheduled":
            while cr.state is not ChangeState.SCHEDULED:
                cr = cr.advance(at=begin)
        elif fate == "implementing":
            while cr.state is not ChangeState.IMPLEMENT:
                cr = cr.advance(at=begin)
        elif fate in ("deployed", "backed_out"):
            cr = implement(
                cr, start=begin.isoformat(), done=done.isoformat(), backed_out=fate == "backed_out"
            )
        out.append(cr)
    return out


@st.composite
def incidents_naming(draw: st.DrawFn, ids: list[str]) -> list[Incident]:
    """Incidents naming some of ``ids`` (or an unknown one), resolved or not, some canceled."""
    out = []
    names = [*ids, "CHG404"]
    for n in range(draw(st.integers(0, 6))):
        opened = BASE + MINUTE * draw(st.integers(0, DAYS_40))
        inc = Incident.open(f"INC{n}", at=opened, priority="P3")
        field = draw(st.sampled_from(["caused_by", "change", "problem"]))
        inc = inc.set_fields(at=opened, **{field: draw(st.sampled_from(names))})
        outcome = draw(st.sampled_from(["open", "resolved", "closed", "canceled", "reopened"]))
        later = opened + MINUTE * draw(st.integers(0, 3 * 24 * 60))
        if outcome == "canceled":
            inc = inc.cancel(at=later)
        elif outcome != "open":
            inc = inc.resolve(at=later)
            if outcome == "closed":
                inc = inc.close(at=later + H)
            elif outcome == "reopened":
                inc = inc.reopen(at=later + H)
        out.append(inc)
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[ChangeRequest], list[Incident]]:
    changes = draw(changes_of())
    return changes, draw(incidents_naming([c.id for c in changes]))


class TestProperties:
    @given(scenarios())
    def test_rates_are_ratios(self, scenario: tuple[list[ChangeRequest], list[Incident]]) -> None:
        """Failure and success rates lie in [0, 1] and add up to 1."""
        r = delivery_metrics(*scenario, **PERIOD)
        if r.change_failure_rate is None:
            assert r.deployments == ()
            return
        assert 0 <= r.change_failure_rate <= 1
        assert r.change_failure_rate + r.change_success_rate == 1  # type: ignore[operator]
        for rate in (*r.success_rate_by_type.values(), *r.success_rate_by_risk.values()):
            assert 0 <= rate <= 1

    @given(scenarios())
    def test_percentiles_are_ordered_observed_values(
        self, scenario: tuple[list[ChangeRequest], list[Incident]]
    ) -> None:
        """median <= p90 <= the longest, and each is one deployment's figure."""
        r = delivery_metrics(*scenario, **PERIOD)
        leads = [d.lead_time for d in r.deployments]
        if leads:
            median, p90 = r.lead_time
            assert median is not None and p90 is not None
            assert min(leads) <= median <= p90 <= max(leads)
            assert median in leads and p90 in leads
        restores = [d.time_to_restore for d in r.deployments if d.time_to_restore is not None]
        if restores:
            assert r.time_to_restore is not None and r.time_to_restore_p90 is not None
            assert r.time_to_restore <= r.time_to_restore_p90 <= max(restores)
            assert r.time_to_restore in restores
        else:
            assert r.time_to_restore is None

    @given(scenarios(), changes_of("NEW", (1, 3)))
    def test_a_change_not_deployed_in_the_period_changes_nothing(
        self,
        scenario: tuple[list[ChangeRequest], list[Incident]],
        extra: list[ChangeRequest],
    ) -> None:
        """Adding changes that were not deployed in the period leaves every figure alone."""
        changes, incidents = scenario
        outside = [
            cr
            for cr in extra
            if not any(
                s.from_state is ChangeState.IMPLEMENT and BASE <= s.at < PERIOD["end"]
                for s in cr.history
            )
        ]
        before = delivery_metrics(changes, incidents, **PERIOD)
        after = delivery_metrics([*outside, *changes], incidents, **PERIOD)
        assert after == before and after.to_dict() == before.to_dict()

    @given(scenarios(), st.integers(1, 30 * 24 * 60 - 1))
    def test_periods_add_up(
        self, scenario: tuple[list[ChangeRequest], list[Incident]], minutes: int
    ) -> None:
        """Split the period anywhere: deployments and failures of the halves add up."""
        cut = BASE + MINUTE * minutes
        whole = delivery_metrics(*scenario, **PERIOD)
        first = delivery_metrics(*scenario, start=BASE, end=cut)
        second = delivery_metrics(*scenario, start=cut, end=PERIOD["end"])
        assert first.deployments + second.deployments == whole.deployments
        assert len(first.failures) + len(second.failures) == len(whole.failures)
        assert first.days + second.days == whole.days

    @given(scenarios(), st.randoms(use_true_random=False))
    def test_order_of_input_does_not_matter(
        self, scenario: tuple[list[ChangeRequest], list[Incident]], rnd: object
    ) -> None:
        """Shuffled changes and incidents give the same report."""
        changes, incidents = scenario
        shuffled_changes, shuffled_incidents = list(changes), list(incidents)
        rnd.shuffle(shuffled_changes)  # type: ignore[attr-defined]
        rnd.shuffle(shuffled_incidents)  # type: ignore[attr-defined]
        assert delivery_metrics(
            shuffled_changes, shuffled_incidents, **PERIOD
        ) == delivery_metrics(changes, incidents, **PERIOD)

    @given(scenarios())
    def test_failures_by_an_independent_reading(
        self, scenario: tuple[list[ChangeRequest], list[Incident]]
    ) -> None:
        """A deployment failed iff backed out or a live incident ever named it in
        caused_by/change, read here from the incidents' final values and field histories."""
        changes, incidents = scenario
        r = delivery_metrics(changes, incidents, **PERIOD)
        for d in r.deployments:
            naming = {
                inc.id
                for inc in incidents
                if inc.state.name != "CANCELED"
                and any(c.new == d.id for f in ("caused_by", "change") for c in inc.changes(f))
            }
            assert set(d.incidents) == naming
            assert d.failed == (d.change.state is ChangeState.CANCELED or bool(naming))
            assert d.backed_out == (d.change.state is ChangeState.CANCELED)

    @given(scenarios())
    def test_renders(self, scenario: tuple[list[ChangeRequest], list[Incident]]) -> None:
        """Every report has its text, HTML and dict forms."""
        r = delivery_metrics(*scenario, **PERIOD)
        assert str(r).startswith("Delivery: 2026-03-01 00:00 to 2026-03-31 00:00 (UTC)")
        assert r._repr_html_().count("<table>") == (3 if r.deployments else 1)
        assert len(r.to_dict()["changes"]) == len(r.deployments)


def test_deployment_is_a_value() -> None:
    """A deployment row is frozen and compares by what it holds."""
    d = Deployment(deployed(), pendulum.datetime(2026, 3, 2, 11))
    assert d == Deployment(deployed(), pendulum.datetime(2026, 3, 2, 11))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        d.at = pendulum.datetime(2026, 3, 2, 12)  # type: ignore[misc]
    assert d.restored_at_us is None and d.time_to_restore is None and not d.failed
