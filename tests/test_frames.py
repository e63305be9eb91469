"""Tables for analysts: to_frame() of compliance, availability and event logs, worked by hand.

Exact values travel as text beside floats, so every frame goes to Parquet and
Polars as it is (a Fraction cell would stop both).
"""

from __future__ import annotations

import io
from pathlib import Path

import attrs
import pandas as pd
import pytest

from itilkit import (
    SLA,
    BusinessDays,
    ComplianceReport,
    Condition,
    Incident,
    InvalidValueError,
    Outage,
    ServiceWindow,
    Target,
    compliance,
    measure_availability,
)
from itilkit.io import read_event_log

ALWAYS = ServiceWindow.always(tz="UTC")
SAMPLE = Path(__file__).parent / "data" / "servicenow_event_log_sample.csv"
STD = SLA(
    "Std",
    window=ALWAYS,
    targets=[
        Target("response", "PT1H"),
        Target("resolution", "PT4H"),
        Target("resolution", "PT2H", priority="P1"),
    ],
)
AS_OF = "2026-04-01T15:00Z"
ATTRIBUTES = {
    "A": {"group": "Network", "service": "Email"},
    "B": {"group": "Network", "service": "ERP"},
}


def fleet() -> list[Incident]:
    """Three incidents, as of 1 April 2026 15:00 UTC (24x7):

    A  P3  30 Mar 09:00 open, 09:30 work (response 30m of 1h: met),
           12:00 resolved (resolution 3h of 4h: met)
    B  P3  1 Apr 09:00 open, 10:30 work (response 1h30: breached),
           14:00 resolved (resolution 5h: breached)
    C  P1  1 Apr 14:00 open, 14:10 work (response 10m: met), resolution 1h of 2h:
           still running (in progress)
    """
    a = Incident.open("A", at="2026-03-30T09:00Z", impact="medium", urgency="medium")
    b = Incident.open("B", at="2026-04-01T09:00Z", impact="medium", urgency="medium")
    c = Incident.open("C", at="2026-04-01T14:00Z", impact="high", urgency="high")
    return [
        a.start_work(at="2026-03-30T09:30Z").resolve(at="2026-03-30T12:00Z"),
        b.start_work(at="2026-04-01T10:30Z").resolve(at="2026-04-01T14:00Z"),
        c.start_work(at="2026-04-01T14:10Z"),
    ]


def report() -> ComplianceReport:
    return STD.compliance(fleet(), as_of=AS_OF, attributes=ATTRIBUTES)


def accepted_by_parquet_and_polars(frame: pd.DataFrame) -> None:
    """The frame writes to Parquet and reads back, and Polars takes it, with no object cells."""
    pytest.importorskip("pyarrow")
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    back = pd.read_parquet(io.BytesIO(buffer.getvalue()))
    assert list(back.columns) == list(frame.columns) and len(back) == len(frame)
    polars = pytest.importorskip("polars")
    converted = polars.from_pandas(frame)
    assert converted.columns == list(frame.columns)
    assert not any(dtype == polars.Object for dtype in converted.dtypes)


class TestComplianceFrame:
    def test_one_row_per_clock(self) -> None:
        frame = report().to_frame()
        assert list(frame.columns) == [
            "sla",
            "incident",
            "metric",
            "priority",
            "stage",
            "outcome",
            "target",
            "elapsed",
            "target_us",
            "elapsed_us",
            "started_at",
            "stopped_at",
            "month",
            "group",
            "service",
        ]
        rows = frame[["incident", "metric", "priority", "stage", "outcome"]].values.tolist()
        assert rows == [
            ["A", "response", "P3", "met", "met"],
            ["A", "resolution", "P3", "met", "met"],
            ["B", "response", "P3", "breached", "breached"],
            ["B", "resolution", "P3", "breached", "breached"],
            ["C", "response", "P1", "met", "met"],
            ["C", "resolution", "P1", "running", "in_progress"],
        ]
        minutes = [int(us // 60_000_000) for us in frame["elapsed_us"]]
        assert minutes == [30, 180, 90, 300, 10, 60]
        assert frame["target"].tolist() == [pd.Timedelta(hours=h) for h in (1, 4, 1, 4, 1, 2)]
        assert frame["elapsed"].iloc[3] == pd.Timedelta(hours=5)
        assert frame["started_at"].iloc[0] == pd.Timestamp("2026-03-30T09:00Z")
        assert frame["stopped_at"].iloc[1] == pd.Timestamp("2026-03-30T12:00Z")
        assert pd.isna(frame["stopped_at"].iloc[5])  # still running
        assert frame["month"].tolist() == ["2026-03"] * 2 + ["2026-04"] * 4
        assert frame["group"].tolist() == ["Network"] * 4 + [None] * 2
        assert frame["service"].tolist() == ["Email"] * 2 + ["ERP"] * 2 + [None] * 2
        accepted_by_parquet_and_polars(frame)

    def test_rows_add_up_to_the_counts(self) -> None:
        r = report()
        counts = report().to_frame()["outcome"].value_counts()
        assert (counts["met"], counts["breached"], counts["in_progress"]) == (
            r.met,
            r.breached,
            r.in_progress,
        )

    @pytest.mark.parametrize(
        ("group_by", "expected"),
        [
            # March: A's two met. April: C's response met, B's two breached, C's resolution on.
            ("month", [["2026-03", 2, 0, 0, 2, "1", 1.0], ["2026-04", 1, 2, 1, 3, "1/3", 1 / 3]]),
            ("priority", [["P1", 1, 0, 1, 1, "1", 1.0], ["P3", 2, 2, 0, 4, "0.5", 0.5]]),
            ("group", [["Network", 2, 2, 0, 4, "0.5", 0.5], [None, 1, 0, 1, 1, "1", 1.0]]),
            (
                "service",
                [
                    ["ERP", 0, 2, 0, 2, "0", 0.0],  # sorted by code point: "R" < "m"
                    ["Email", 2, 0, 0, 2, "1", 1.0],
                    [None, 1, 0, 1, 1, "1", 1.0],
                ],
            ),
            (
                "metric",
                [["response", 2, 1, 0, 3, "2/3", 2 / 3], ["resolution", 1, 1, 1, 2, "0.5", 0.5]],
            ),
            ("sla", [["Std", 3, 2, 1, 5, "0.6", 0.6]]),
        ],
    )
    def test_grouped(self, group_by: str, expected: list[list[object]]) -> None:
        frame = report().to_frame(group_by=group_by)
        assert list(frame.columns) == [
            group_by,
            "met",
            "breached",
            "in_progress",
            "decided",
            "rate_exact",
            "rate",
        ]
        assert frame.values.tolist() == expected
        accepted_by_parquet_and_polars(frame)

    def test_grouped_by_two_keys(self) -> None:
        frame = report().to_frame(group_by=["metric", "priority"])
        assert frame[["metric", "priority", "met", "breached", "rate_exact"]].values.tolist() == [
            ["response", "P1", 1, 0, "1"],
            ["response", "P3", 1, 1, "0.5"],
            ["resolution", "P1", 0, 0, None],  # C's resolution is in progress: undefined
            ["resolution", "P3", 1, 1, "0.5"],
        ]
        assert pd.isna(frame["rate"].iloc[2])
        accepted_by_parquet_and_polars(frame)

    @pytest.mark.parametrize("group_by", ["week", ["month", "month"], 3])
    def test_bad_group_by(self, group_by: object) -> None:
        with pytest.raises(InvalidValueError, match="'group_by' must be"):
            report().to_frame(group_by=group_by)  # type: ignore[arg-type]

    def test_several_agreements(self) -> None:
        """A report over several agreements: one row per clock and agreement."""
        vip = SLA(
            "VIP",
            window=ALWAYS,
            targets=[Target("resolution", "PT1H")],
            applies_to=Condition(priority="P1"),
        )
        std = SLA(
            "Rest",
            window=ALWAYS,
            targets=[Target("resolution", "PT4H")],
            applies_to=Condition(priority=["P2", "P3", "P4", "P5"]),
        )
        both = compliance(fleet(), [vip, std], as_of=AS_OF)
        frame = both.to_frame()
        assert frame[["sla", "incident", "outcome"]].values.tolist() == [
            ["VIP", "C", "in_progress"],
            ["Rest", "A", "met"],
            ["Rest", "B", "breached"],
        ]
        grouped = both.to_frame(group_by="sla")
        assert grouped[["sla", "met", "breached", "in_progress"]].values.tolist() == [
            ["VIP", 0, 0, 1],
            ["Rest", 1, 1, 0],
        ]
        assert [t["sla"] for t in both.to_dict()["terms"]] == ["VIP", "Rest"]

    def test_empty_report(self) -> None:
        frame = STD.compliance([], as_of=AS_OF).to_frame()
        assert len(frame) == 0 and "outcome" in frame.columns
        accepted_by_parquet_and_polars(frame)
        assert len(STD.compliance([], as_of=AS_OF).to_frame("month")) == 0

    def test_report_built_by_hand(self) -> None:
        """A report made without compliance() keeps no clocks to list."""
        r = report()
        bare = ComplianceReport(r.sla, r.as_of, 0, 0, (), ())
        with pytest.raises(InvalidValueError, match="a report made by compliance"):
            bare.to_frame()


class TestComplianceHtml:
    def test_objective_markers(self) -> None:
        """Against an objective of 50%: 2 of 4 P3 clocks meets it exactly, 0 of 2 (ERP) not."""
        html = attrs.evolve(report(), objective="50%")._repr_html_()
        assert "(objective 50%)" in html
        p3 = html.split("<tr><td>P3</td>")[1].split("</tr>")[0]
        assert p3.count('class="itilkit-met"') == 3  # response 1/2, resolution 1/2, all 2/4
        assert "1/2 50% <span" in p3 and "\u2713" in p3
        missed = attrs.evolve(report(), objective="0.9")._repr_html_()
        assert 'class="itilkit-missed"' in missed and "\u2717" in missed
        with pytest.raises(InvalidValueError, match="'objective'"):
            attrs.evolve(report(), objective="90")

    def test_terms_in_business_hours(self) -> None:
        office = ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="Europe/Berlin", holidays="DE")
        sla = SLA(
            "Office",
            window=office,
            targets=[
                Target("response", "PT30M", priority="P1", window=ALWAYS),
                Target("resolution", BusinessDays(3)),
            ],
        )
        r = sla.compliance(fleet(), as_of=AS_OF)
        assert [tuple(t) for t in r.terms] == [
            ("Office", "response", "P1", "PT30M", "30m", "24x7", "UTC"),
            (
                "Office",
                "resolution",
                "all",
                "3 business days",
                "3 business days",
                "Mon-Fri 08:00-17:00, closed on DE holidays",
                "Europe/Berlin",
            ),
        ]
        html = r._repr_html_()
        assert "Mon-Fri 08:00-17:00, closed on DE holidays" in html
        assert html.count("<h2") == 1

    def test_escaped(self) -> None:
        inc = Incident.open("<b>X</b>", at="2026-04-01T09:00Z", impact="low", urgency="low")
        html = STD.compliance([inc], as_of=AS_OF)._repr_html_()
        assert "<b>X" not in html and "&lt;b&gt;X&lt;/b&gt;" in html


class TestAvailabilityFrame:
    """Mon-Fri 09:00-18:00 UTC. February 2026: 20 weekdays, 180 h; March: 22, 198 h.
    A full outage on Mon 2 March 09:00-18:00 takes 9 h: March is 189/198 = 21/22."""

    WINDOW = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="UTC")

    def measured(self, outages: list[Outage]) -> object:
        return measure_availability(
            outages,
            window=self.WINDOW,
            start="2026-02-01T00:00Z",
            end="2026-04-01T00:00Z",
            target="99%",
        )

    def test_by_month(self) -> None:
        r = self.measured([Outage("2026-03-02T09:00Z", "2026-03-02T18:00Z")])
        frame = r.to_frame()  # type: ignore[attr-defined]
        assert frame["label"].tolist() == ["2026-02", "2026-03"]
        assert frame["agreed"].tolist() == [pd.Timedelta(hours=180), pd.Timedelta(hours=198)]
        assert frame["agreed_us"].tolist() == [180 * 3_600_000_000, 198 * 3_600_000_000]
        assert frame["downtime_us"].tolist() == ["0", str(9 * 3_600_000_000)]
        assert frame["ratio_exact"].tolist() == ["1", "21/22"]
        assert frame["ratio"].tolist() == [1.0, 21 / 22]
        assert frame["failures"].tolist() == [0, 1]
        assert pd.isna(frame["mtrs"].iloc[0]) and frame["mtrs"].iloc[1] == pd.Timedelta(hours=9)
        assert frame["target_exact"].tolist() == ["0.99", "0.99"]
        assert frame["meets"].tolist() == [True, False]  # 95.45% < 99%
        assert frame["start"].iloc[1] == pd.Timestamp("2026-03-01T00:00Z")
        accepted_by_parquet_and_polars(frame)

    def test_by_quarter_and_whole(self) -> None:
        """Both months in one quarter: 369 of 378 hours = 41/42."""
        r = self.measured([Outage("2026-03-02T09:00Z", "2026-03-02T18:00Z")])
        quarter = r.to_frame("quarter")  # type: ignore[attr-defined]
        assert quarter[["label", "ratio_exact"]].values.tolist() == [["2026-Q1", "41/42"]]
        whole = r.to_frame(None)  # type: ignore[attr-defined]
        assert whole["ratio_exact"].tolist() == ["41/42"] and whole["label"].tolist() == [None]
        with pytest.raises(InvalidValueError, match="'by' must be"):
            r.to_frame("week")  # type: ignore[attr-defined]

    def test_partial_outage_is_exact_text(self) -> None:
        """An hour at 1/7 impact weighs 3,600 s / 7: no whole microsecond count."""
        r = self.measured([Outage("2026-03-02T09:00Z", "2026-03-02T10:00Z", impact="1/7")])
        frame = r.to_frame()  # type: ignore[attr-defined]
        assert frame["downtime_us"].iloc[1] == "3600000000/7"
        # (198 h - 1/7 h) / 198 h = 1385/1386
        assert frame["ratio_exact"].iloc[1] == "1385/1386"
        accepted_by_parquet_and_polars(frame)


def test_event_log_frame() -> None:
    """The event log's frame: strings and UTC instants, nothing Parquet or Polars refuse."""
    log = read_event_log(SAMPLE, tz="UTC")
    frame = log.to_frame()
    assert len(frame) == len(log.incidents) == 32
    assert str(frame["opened_at"].dtype) == "datetime64[us, UTC]"
    accepted_by_parquet_and_polars(frame)
