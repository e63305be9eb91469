"""Reconciliation: our SLA verdicts against the export's own, with the reason they differ."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from itilkit import SLA, InvalidValueError, Metric, ServiceWindow, Target
from itilkit.cli import main
from itilkit.io import read_event_log

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "servicenow_event_log_sample.csv"


def two_incidents(tmp_path: Path) -> Path:
    """INC0000045 and INC0000047 of the bundled sample, 47's made_sla turned to false.

    By hand (read in UTC, 24x7): 45 opened 29 Feb 01:16 and was Resolved at 08:53, so
    response and resolution took 7 h 37 min. 47 opened 04:40, went Active at 05:30
    (response 50 min), waited on the user from 1 Mar 09:14 and was Resolved at 09:52:
    its resolution clock ran 28 h 34 min and paused 38 min.
    """
    with SAMPLE.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        rows = [r for r in reader if r["number"] in ("INC0000045", "INC0000047")]
    for row in rows:
        if row["number"] == "INC0000047":
            row["made_sla"] = "false"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "two.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def sla() -> SLA:
    """Response 8 h, resolution 28 h 40 min, 24x7: both incidents made it, pausing."""
    return SLA(
        "Check",
        window=ServiceWindow.always(tz="UTC"),
        targets=[Target("response", "PT8H"), Target("resolution", "PT28H40M")],
    )


def test_agreement_and_the_reason_for_a_difference(tmp_path: Path) -> None:
    """45 agrees (made, made). 47 made it by our clocks (28 h 34 min <= 28 h 40 min) but the
    export says breached; never pausing, its clock would run 29 h 12 min and breach: the
    pause rule explains the difference."""
    log = read_event_log(two_incidents(tmp_path), tz="UTC")
    result = sla().reconcile(log.incidents, as_of="2016-03-10T00:00Z")
    assert [(r.incident_id, r.exported, r.computed) for r in result.agree] == [
        ("INC0000045", True, True)
    ]
    (row,) = result.disagree
    assert (row.incident_id, row.metric, row.exported, row.computed, row.why) == (
        "INC0000047",
        None,  # made_sla covers every clock of the agreement
        False,
        True,
        ("pause rule",),
    )
    # Compared on the resolution clock alone, 47 made it too (the response took 50 min).
    (single,) = (
        sla().reconcile(log.incidents, as_of="2016-03-10T00:00Z", metrics=["resolution"]).disagree
    )
    assert (single.incident_id, single.metric) == ("INC0000047", Metric.RESOLUTION)
    assert result.rate == 1 / 2 and str(result).startswith("SLA Check: 1 of 2 incidents agree")


def test_unexplained_and_undecided(tmp_path: Path) -> None:
    """A response target of 30 min breaches 45 (7 h 37 min) whatever the calendar or pauses:
    unexplained. As of 29 Feb 05:00, 47 (opened 04:40) has used 20 of its 30 response
    minutes and nothing is decided: left out, undecided."""
    strict = SLA(
        "Strict",
        window=ServiceWindow.always(tz="UTC"),
        targets=[Target("response", "PT30M"), Target("resolution", "P3D")],
    )
    log = read_event_log(two_incidents(tmp_path), tz="UTC")
    result = strict.reconcile(log.incidents, as_of="2016-03-10T00:00Z")
    assert [(r.incident_id, r.why) for r in result.disagree] == [("INC0000045", ("unexplained",))]
    early = strict.reconcile(log.incidents, as_of="2016-02-29T05:00Z")
    assert dict(early.skipped) == {"undecided": ("INC0000047",)}
    # 45 (opened 01:16, still New) had breached its 30-minute response by 05:00.
    assert [r.incident_id for r in early.disagree] == ["INC0000045"]


def test_the_bundled_sample_has_a_rate() -> None:
    """Every incident of the sample records made_sla; the rate is over all 32, exactly."""
    log = read_event_log(SAMPLE, tz="UTC")
    result = sla().reconcile(log.incidents, as_of="2016-05-01T00:00Z")
    rows = [*result.agree, *result.disagree]
    assert len(rows) == 32
    # The export's verdicts, read straight from the CSV (the last row of each ticket).
    with SAMPLE.open(encoding="utf-8") as handle:
        last: dict[str, dict[str, str]] = {}
        for record in csv.DictReader(handle):
            seen = last.get(record["number"])
            if seen is None or int(record["sys_mod_count"]) >= int(seen["sys_mod_count"]):
                last[record["number"]] = record
    assert {r.incident_id: r.exported for r in rows} == {
        n: r["made_sla"] == "true" for n, r in last.items()
    }
    # Ours agrees with the compliance report over the same clocks: made iff no breach.
    breached = {
        b.incident_id for b in sla().compliance(log.incidents, as_of="2016-05-01T00:00Z").breaches
    }
    assert {r.incident_id: r.computed for r in rows} == {n: n not in breached for n in last}
    assert result.rate == Fraction(len(result.agree), 32)


def test_bad_arguments() -> None:
    with pytest.raises(InvalidValueError, match="'field' must be the name of a carried field"):
        sla().reconcile([], as_of="2016-03-10T00:00Z", field="")
    with pytest.raises(InvalidValueError, match=r"'incidents\[0\]' must be an Incident"):
        sla().reconcile([5], as_of="2016-03-10T00:00Z")  # type: ignore[list-item]


def test_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """itilkit reconcile prints the same figures; --format json has the exact rate."""
    sla_file = tmp_path / "check.toml"
    sla_file.write_text(
        'name = "Check"\n[window]\ntz = "UTC"\n'
        '[[targets]]\nmetric = "response"\nwithin = "PT8H"\n'
        '[[targets]]\nmetric = "resolution"\nwithin = "PT28H40M"\n'
    )
    events = two_incidents(tmp_path)
    argv = ["reconcile", str(events), "--sla", str(sla_file), "--as-of", "2016-03-10T00:00Z"]
    assert main([*argv, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["agree"], document["disagree"], document["rate"]) == (1, 1, "0.5")
    assert document["disagreements"][0]["why"] == ["pause rule"]


SNAPSHOT = """number,incident_state,opened_at,sys_updated_on,resolved_at,priority,business_stc
INC1,6,2026-03-02 16:00:00,2026-03-03 10:00:00,2026-03-03 10:00:00,3,10800
INC2,6,2026-03-06 16:30:00,2026-03-09 08:30:00,2026-03-09 08:30:00,3,7200
INC3,2,2026-03-02 09:00:00,2026-03-02 09:05:00,,3,
"""


def test_resolve_times_against_the_export(tmp_path: Path) -> None:
    """Mon-Fri 08:00-17:00 UTC, by hand: INC1 Mon 16:00 -> Tue 10:00 is 1 h + 2 h = 3 h,
    as recorded (10800 s). INC2 Fri 16:30 -> Mon 08:30 is 30 + 30 min = 1 h; the export
    says 2 h, so it counted another schedule. INC3 is not resolved."""
    from itilkit.io import read_incidents

    path = tmp_path / "snapshot.csv"
    path.write_text(SNAPSHOT, encoding="utf-8")
    log = read_incidents(path, tz="UTC")
    office = SLA(
        "Office",
        window=ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="UTC"),
        targets=[Target("resolution", "P1D")],
    )
    result = office.reconcile_times(log.incidents)
    assert [r.incident_id for r in result.agree] == ["INC1"]
    (row,) = result.disagree
    assert (row.incident_id, row.recorded, row.computed) == (
        "INC2",
        timedelta(hours=2),
        timedelta(hours=1),
    )
    assert row.difference == timedelta(hours=-1)
    assert dict(result.skipped) == {"not resolved": ("INC3",)}
    assert result.rate == Fraction(1, 2)
    assert "1 of 2 resolve times agree" in str(result)


def test_the_rest_export_has_a_rate() -> None:
    """The bundled REST export records business_stc for its resolved incidents; whatever
    schedule it used, the comparison covers every one of them."""
    from itilkit.io import read_incidents

    log = read_incidents(DATA / "servicenow_incident_rest_export.csv", tz="UTC")
    office = SLA(
        "Office",
        window=ServiceWindow.weekly("Mon-Fri 08:00-17:00", tz="UTC"),
        targets=[Target("resolution", "P1D")],
    )
    result = office.reconcile_times(log.incidents)
    resolved = [i for i in log.incidents if i.resolved_at is not None]
    recorded = [i for i in resolved if i.attributes.get("business_resolve_time")]
    assert len(result.agree) + len(result.disagree) == len(recorded)
    assert result.rate is not None


def test_times_from_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """itilkit reconcile --times on the snapshot above: one of two agrees."""
    path = tmp_path / "snapshot.csv"
    path.write_text(SNAPSHOT, encoding="utf-8")
    sla_file = tmp_path / "office.toml"
    sla_file.write_text(
        'name = "Office"\n[window]\nhours = "Mon-Fri 08:00-17:00"\ntz = "UTC"\n'
        '[[targets]]\nmetric = "resolution"\nwithin = "P1D"\n'
    )
    argv = ["reconcile", str(path), "--sla", str(sla_file), "--preset", "servicenow-incident"]
    assert main([*argv, "--times", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["agree"], document["disagree"], document["rate"]) == (1, 1, "0.5")
    assert document["disagreements"][0]["recorded_seconds"] == 7200


def test_priority_is_named_only_when_the_matrix_would_agree() -> None:
    """INC0000083 is recorded P4 where the ITIL matrix gives P5 (impact and urgency low).
    Resolve P4 within a minute but P5 within 30 days: with its recorded P4 the clock
    breaches, the export says made; with the matrix's P5 it would be made, so "priority"
    explains it. With the same target for both, the priority explains nothing."""
    log = read_event_log(SAMPLE, tz="UTC")
    generous = [Target("response", "P30D")]
    split = SLA(
        "Split",
        window=ServiceWindow.always(tz="UTC"),
        targets=[
            *generous,
            Target("resolution", "PT1M", priority="P4"),
            Target("resolution", "P30D", priority="P5"),
        ],
    )
    inc83 = [i for i in log.incidents if i.id == "INC0000083"]
    assert inc83[0].attributes["made_sla"] == "true"
    (row,) = split.reconcile(inc83, as_of="2016-05-01T00:00Z").disagree
    assert "priority" in row.why
    same = SLA(
        "Same",
        window=ServiceWindow.always(tz="UTC"),
        targets=[*generous, Target("resolution", "PT1M")],
    )
    (row,) = same.reconcile(inc83, as_of="2016-05-01T00:00Z").disagree
    assert "priority" not in row.why
