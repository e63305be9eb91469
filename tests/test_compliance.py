"""Compliance reports: counts, rate, breakdowns, breaches, rendering, and a real event log."""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pendulum
import pytest

import itilkit
from itilkit import (
    SLA,
    Breach,
    ComplianceReport,
    Condition,
    Incident,
    Metric,
    NaiveDatetimeError,
    Priority,
    ServiceWindow,
    Tally,
    Target,
)
from itilkit.io import read_event_log

H = timedelta(hours=1)
M = timedelta(minutes=1)
SAMPLE = Path(__file__).parent / "data" / "servicenow_event_log_sample.csv"
ALWAYS = ServiceWindow.always(tz="UTC")


def u(clock: str) -> pendulum.DateTime:
    """A UTC time on Mon 2 March 2026."""
    return pendulum.parse(f"2026-03-02T{clock}:00+00:00")  # type: ignore[return-value]


SLA_24x7 = SLA(
    "Std",
    window=ALWAYS,
    targets=[
        Target("response", "PT1H"),
        Target("resolution", "PT4H"),
        Target("resolution", "PT2H", priority="P1"),
    ],
)


def fleet() -> list[Incident]:
    """Six incidents read as of 15:00, each worked out by hand below.

    A  P3  09:00 open, 09:30 work (response 30m: met), 12:00 resolved (3 h of 4: met)
    B  P3  09:00 open, 10:30 work (response 1h30: breached, 30m late),
           14:00 resolved (5 h: breached, 1 h late)
    C  P3  09:00 open, still NEW at 15:00: response 6 h (breached, 5 h late),
           resolution 6 h (breached, 2 h late), both still running
    D  P1  14:00 open, 14:10 work (response met), resolution 1 h of 2: in progress
    E  P3  09:00 open, 09:20 cancelled: left out
    F  P3  16:00 open: after as_of, left out
    """

    def new(name: str, at: str, impact: str = "medium") -> Incident:
        return Incident.open(name, at=u(at), impact=impact, urgency=impact)

    return [
        new("A", "09:00").start_work(at=u("09:30")).resolve(at=u("12:00")),
        new("B", "09:00").start_work(at=u("10:30")).resolve(at=u("14:00")),
        new("C", "09:00"),
        new("D", "14:00", "high").start_work(at=u("14:10")),
        new("E", "09:00").cancel(at=u("09:20")),
        new("F", "16:00"),
    ]


class TestCounts:
    report = SLA_24x7.compliance(fleet(), as_of=u("15:00"))

    def test_totals(self) -> None:
        """Met 3 (A twice, D response), breached 4 (B and C twice), 1 in progress (D)."""
        r = self.report
        assert (r.met, r.breached, r.in_progress) == (3, 4, 1)
        assert r.rate == Fraction(3, 7)
        assert (r.incidents, r.cancelled, r.not_yet_open, r.no_target, r.not_applicable) == (
            6,
            1,
            1,
            0,
            0,
        )

    def test_by_metric(self) -> None:
        """Response: met A, D; breached B, C. Resolution: met A; breached B, C; D running."""
        assert self.report.by_metric == {
            Metric.RESPONSE: Tally(2, 2, 0),
            Metric.RESOLUTION: Tally(1, 2, 1),
        }

    def test_by_priority(self) -> None:
        """P1 is D alone (response met, resolution running); P3 is A, B, C; sorted P1 first."""
        assert list(self.report.by_priority.items()) == [
            (Priority.P1, Tally(1, 0, 1)),
            (Priority.P3, Tally(2, 4, 0)),
        ]
        assert self.report.by_priority[Priority.P1].rate == 1

    def test_breaches(self) -> None:
        """Each breach says how late, when it was due and when it breached."""
        got = [
            (b.incident_id, b.metric.value, b.late_by, b.due, b.stopped_at)
            for b in self.report.breaches
        ]
        assert got == [
            ("B", "response", 30 * M, u("10:00"), u("10:30")),
            ("B", "resolution", H, u("13:00"), u("14:00")),
            ("C", "response", 5 * H, u("10:00"), None),
            ("C", "resolution", 2 * H, u("13:00"), None),
        ]
        assert all(b.breached_at == b.due for b in self.report.breaches)  # 24x7: always open

    def test_matches_single_clocks(self) -> None:
        """Every breach agrees with the clock read on its own."""
        by_id = {inc.id: inc for inc in fleet()}
        for b in self.report.breaches:
            clock = SLA_24x7.clock(by_id[b.incident_id], b.metric, as_of=u("15:00"))
            assert (clock.breached, clock.late_by, clock.breached_at) == (
                True,
                b.late_by,
                b.breached_at,
            )


class TestRate:
    def test_undefined_without_decided_clocks(self) -> None:
        """With nothing decided the rate is None, not 0 or 1."""
        inc = Incident.open("X", at=u("09:00"), impact="low", urgency="low")
        report = SLA_24x7.compliance([inc], as_of=u("09:30"))
        assert (report.in_progress, report.rate) == (2, None)
        assert report.to_dict()["compliance"]["rate"] is None
        assert "undefined" in str(report)
        empty = SLA_24x7.compliance([], as_of=u("09:30"))
        assert (empty.incidents, empty.rate, empty.by_metric) == (0, None, {})

    def test_tally_arithmetic(self) -> None:
        """Tallies add field by field; decided = met + breached."""
        assert Tally(1, 2, 3) + Tally(4, 5, 6) == Tally(5, 7, 9)
        assert Tally(1, 2, 3).decided == 3


class TestLeftOut:
    def test_no_target(self) -> None:
        """Clocks without a target are counted, with the incidents named, never dropped."""
        sla = SLA("P1 only", window=ALWAYS, targets=[Target("response", "PT15M", priority="P1")])
        report = sla.compliance(fleet(), as_of=u("15:00"))
        # By default only the metrics with a target: A, B, C are P3, with no response target.
        assert report.no_target == 3
        assert report.no_target_ids == ("A", "B", "C")
        assert (report.met, report.breached) == (1, 0)  # D answered in 10 min
        # Asked for both metrics, all four live incidents also lack a resolution target.
        both = sla.compliance(fleet(), as_of=u("15:00"), metrics=["response", "resolution"])
        assert both.no_target == 7
        assert both.no_target_ids == ("A", "B", "C", "D")

    def test_applies_to(self) -> None:
        """Incidents the condition does not select are counted as not applicable."""
        sla = SLA(
            "Email",
            window=ALWAYS,
            targets=[Target("response", "PT1H")],
            applies_to=Condition(service="Email"),
        )
        report = sla.compliance(
            fleet(),
            as_of=u("15:00"),
            attributes={"A": {"service": "Email"}, "B": {"service": "ERP"}},
        )
        assert (report.met, report.breached, report.not_applicable) == (1, 0, 4)  # A; B C D E out
        # E is not applicable before it is cancelled; F is counted as not yet open first.
        assert (report.cancelled, report.not_yet_open) == (0, 1)

    def test_one_metric(self) -> None:
        """metrics= restricts the report to some metrics."""
        report = SLA_24x7.compliance(fleet(), as_of=u("15:00"), metrics=["response"])
        assert list(report.by_metric) == [Metric.RESPONSE]

    def test_bad_as_of(self) -> None:
        """A naive as_of is refused."""
        from datetime import datetime

        with pytest.raises(NaiveDatetimeError, match="'as_of'"):
            SLA_24x7.compliance(fleet(), as_of=datetime(2026, 3, 2, 15))

    def test_cancelled_after_response(self) -> None:
        """An incident cancelled after it was answered is still left out as cancelled."""
        inc = Incident.open("G", at=u("09:00"), impact="low", urgency="low")
        inc = inc.start_work(at=u("09:10")).cancel(at=u("10:00"))
        report = SLA_24x7.compliance([inc], as_of=u("15:00"))
        assert (report.cancelled, report.met, report.breached) == (1, 0, 0)


class TestRendering:
    report = SLA_24x7.compliance(fleet(), as_of=u("15:00"))

    def test_to_dict_schema(self) -> None:
        """to_dict follows the DESIGN.md 'Surfaces' schema and is JSON-ready."""
        d = self.report.to_dict()
        assert list(d) == [
            "sla",
            "as_of",
            "incidents",
            "anomalies",
            "compliance",
            "breaches",
            "terms",
            "objective",
        ]
        assert (d["sla"], d["as_of"], d["incidents"], d["anomalies"]) == (
            "Std",
            "2026-03-02T15:00:00+00:00",
            6,
            0,
        )
        c = d["compliance"]
        assert (c["met"], c["breached"], c["in_progress"]) == (3, 4, 1)
        # Every rate in one form: exact text (decimal or fraction) and a float.
        assert c["rate"] == {"exact": "3/7", "float": 3 / 7}
        assert c["by_metric"]["response"] == {
            "met": 2,
            "breached": 2,
            "in_progress": 0,
            "rate": {"exact": "0.5", "float": 0.5},
        }
        assert c["by_metric"]["resolution"]["rate"] == {"exact": "1/3", "float": 1 / 3}
        assert c["by_priority"] == {
            "P1": {
                "met": 1,
                "breached": 0,
                "in_progress": 1,
                "rate": {"exact": "1", "float": 1.0},
            },
            "P3": {
                "met": 2,
                "breached": 4,
                "in_progress": 0,
                "rate": {"exact": "1/3", "float": 1 / 3},
            },
        }
        assert d["terms"] == [
            {
                "sla": "Std",
                "metric": "response",
                "priority": "all",
                "within": "PT1H",
                "target": "1h 00m",
                "hours": "24x7",
                "tz": "UTC",
            },
            {
                "sla": "Std",
                "metric": "resolution",
                "priority": "P1",
                "within": "PT2H",
                "target": "2h 00m",
                "hours": "24x7",
                "tz": "UTC",
            },
            {
                "sla": "Std",
                "metric": "resolution",
                "priority": "all",
                "within": "PT4H",
                "target": "4h 00m",
                "hours": "24x7",
                "tz": "UTC",
            },
        ]
        assert d["objective"] is None
        assert d["breaches"][0] == {
            "incident": "B",
            "sla": "Std",
            "metric": "response",
            "priority": "P3",
            "target": "PT1H",
            "within": "PT1H",
            "elapsed": "PT1H30M",
            "late_by": "PT30M",
            "due": "2026-03-02T10:00:00+00:00",
            "breached_at": "2026-03-02T10:00:00+00:00",
            "stopped_at": "2026-03-02T10:30:00+00:00",
        }
        assert json.loads(json.dumps(d)) == d

    def test_str(self) -> None:
        """str is a readable table: totals per metric and priority, then the breaches."""
        text = str(self.report)
        lines = text.splitlines()
        assert lines[0] == "SLA Std: compliance as of 2026-03-02 15:00 +00:00"
        assert lines[1].split() == ["met", "breached", "in", "progress", "rate"]
        assert lines[3].split() == ["response", "2", "2", "0", "50%"]
        total = next(line for line in lines if line.startswith("all"))
        assert total.split() == ["all", "3", "4", "1", "42.9%"]  # 3/7 = 42.857...%
        assert "Breaches" in lines
        assert "Rate = met / (met + breached) = 3/7." in text

    def test_html(self) -> None:
        """_repr_html_: one heading, the terms, the priority x metric cross-tab, the breaches."""
        html = self.report._repr_html_()
        assert html.count("<h2") == 1 and "<strong>" not in html
        assert html.count("<table>") == 3 and "late by" in html
        assert "<script" not in html and "<style" not in html
        captions = [part.split("</caption>")[0] for part in html.split("<caption")[1:]]
        assert [c.split(">", 1)[1] for c in captions] == [
            "Targets",
            "Met of decided clocks, by priority and metric",
            "Breaches (4)",
        ]
        # The P3 row: response 1 of 3 decided, resolution 1 of 3; right-aligned; no marker.
        p3 = html.split("<tr><td>P3</td>")[1].split("</tr>")[0]
        assert ">1/3 33.3%</td>" in p3 and p3.count("text-align:right") == 4
        assert "\u2713" not in html and "\u2717" not in html

    def test_breach_value(self) -> None:
        """Breach is a plain value."""
        first = self.report.breaches[0]
        assert isinstance(first, Breach) and first.priority is Priority.P3
        assert (first.target, first.elapsed) == (H, H + 30 * M)
        assert repr(first).startswith("Breach(incident_id='B', metric=Metric.RESPONSE")
        assert isinstance(self.report, ComplianceReport)


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    """The bundled sample against a 24x7 SLA: response 1 h, resolution 1 day."""
    log = read_event_log(SAMPLE, tz="UTC", preset="servicenow", dayfirst=True)
    sla = SLA(
        "Sample",
        window=ServiceWindow.always(tz="UTC"),
        targets=[Target("response", "PT1H"), Target("resolution", "P1D")],
    )
    return sla.compliance(log.incidents, as_of="2016-05-01T00:00+00:00")


class TestServiceNowSample:
    """Replay of the bundled ServiceNow audit log (32 incidents, times read as UTC).

    SLA: 24x7, response within 1 h and resolution within 1 day, for every
    priority; ON_HOLD ("Awaiting ...") pauses resolution; as of 1 May 2016,
    after every row. Counted by hand from the CSV, one incident at a time
    (rows ordered by sys_mod_count; opened_at to the first row whose state is
    not New for response; running time up to the first Awaiting/Resolved row
    for resolution):

    Response met (first move out of New within 1 h) - 12:
      47 (05:30, opened 04:40), 67 (08:16/08:03), 73 (first row Active 08:30/08:22),
      74, 84, 92, 93, 94 (first row not New at the opening minute or 13 min after),
      77 (Resolved 09:04/08:27), 88 (09:05/08:48), 89 (09:03/08:51), 100 (09:11/09:05).
    Response breached - the other 20, e.g. 45 (Resolved 08:53, opened 01:16: 6 h 37 m
      late) and 101 (Active 10:28, opened 09:05: 23 m late).
    Resolution met (within 24 h of running time) - 14:
      45 (7 h 37 m), 57 (20 h 45 m), 62 (8 h 53 m), 63, 76, 77, 79, 83, 88 (same day),
      93 (resolved at the opening), 70 (5 h 15 m, then Awaiting User Info until resolved),
      74 (15 m, then Awaiting), 84 (32 m, then Awaiting), 94 (13 m, then Awaiting).
    Resolution breached - the other 18, e.g. 99 (29/2 09:03 -> 1/3 09:05: 2 m late),
      71 (New 08:12 -> Awaiting 1/3 08:40: 24 h 28 m, 28 m late) and 101 (never resolved).
    """

    def test_totals(self, report: ComplianceReport) -> None:
        """32 incidents; response 12 met / 20 breached; resolution 14 met / 18 breached."""
        assert report.incidents == 32
        assert report.by_metric == {
            Metric.RESPONSE: Tally(12, 20, 0),
            Metric.RESOLUTION: Tally(14, 18, 0),
        }
        assert report.rate == Fraction(26, 64)

    def test_who_met_response(self, report: ComplianceReport) -> None:
        """The 12 incidents answered within the hour are exactly the ones counted by hand."""
        breached = {b.incident_id for b in report.breaches if b.metric is Metric.RESPONSE}
        met = {
            f"INC00000{n}" if n < 100 else f"INC0000{n}"
            for n in (47, 67, 73, 74, 77, 84, 88, 89, 92, 93, 94, 100)
        }
        every = {
            f"INC00000{n}" if n < 100 else f"INC0000{n}"
            for n in (
                45,
                47,
                57,
                60,
                62,
                63,
                64,
                65,
                66,
                67,
                70,
                71,
                73,
                74,
                76,
                77,
                79,
                80,
                83,
                84,
                85,
                86,
                87,
                88,
                89,
                92,
                93,
                94,
                98,
                99,
                100,
                101,
            )
        }
        assert breached == every - met

    def test_how_late(self, report: ComplianceReport) -> None:
        """Lateness of a few breaches, counted by hand from the rows."""
        late = {(b.incident_id, b.metric.value): b.late_by for b in report.breaches}
        assert late["INC0000045", "response"] == 6 * H + 37 * M
        assert late["INC0000101", "response"] == 23 * M
        assert late["INC0000099", "resolution"] == 2 * M
        assert late["INC0000071", "resolution"] == 28 * M
        # INC0000047: Active 29/2 05:30 ... Awaiting User Info 1/3 09:14, opened 29/2 04:40:
        # 28 h 34 m running before the hold, 4 h 34 m late.
        assert late["INC0000047", "resolution"] == 4 * H + 34 * M

    def test_priority_change_in_force(self, report: ComplianceReport) -> None:
        """INC0000062 went from P3 to P2 (impact High) at 07:29: its clocks count under P2."""
        assert report.by_priority[Priority.P2] == Tally(
            1, 1, 0
        )  # response late, resolved in 8 h 53 m


class TestOtherFormats:
    def report(self) -> itilkit.ComplianceReport:
        """A resolved in 2 h 50 min (met); C open 5 h at as_of (breached by 1 h); both P5."""
        w = itilkit.ServiceWindow.always(tz="UTC")
        sla = itilkit.SLA("Std", window=w, targets=[itilkit.Target("resolution", "PT4H")])
        a = itilkit.Incident.open("A", at="2026-03-02T09:00Z", impact="low", urgency="low")
        a = a.start_work(at="2026-03-02T09:10Z").resolve(at="2026-03-02T11:50Z")
        c = itilkit.Incident.open("C|1", at="2026-03-02T08:00Z", impact="low", urgency="low")
        return sla.compliance([a, c], as_of="2026-03-02T13:00Z")

    def test_csv(self) -> None:
        """One row per metric and priority, the rate exact and as a rounded percentage."""
        assert self.report().to_csv().splitlines() == [
            "sla,metric,priority,met,breached,in_progress,rate,percent",
            "Std,resolution,P5,1,1,0,0.5,50%",
        ]

    def test_markdown(self) -> None:
        """Markdown tables: numbers right-aligned, a pipe inside an id escaped."""
        text = self.report().to_markdown()
        assert "| resolution | 1 | 1 | 0 | 50% |" in text
        assert "| C\\|1 | resolution | P5 | 4h 00m | 1h 00m | 2026-03-02 12:00 |" in text
        assert (
            "|  | met | breached | in progress | rate |\n| --- | ---: | ---: | ---: | ---: |"
            in text
        )
