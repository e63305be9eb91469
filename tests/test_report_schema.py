"""The published schema of compliance reports (``itilkit.schema("report")``).

Every report built here, and the JSON ``itilkit report --format json``
prints, validates; hand-broken documents are refused.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

import itilkit
from itilkit import SLA, Clock, Condition, Incident, ServiceWindow, Target
from itilkit.cli import main

SAMPLE = Path(itilkit.__file__).parent / "data" / "servicenow_event_log_sample.csv"

OFFICE = ServiceWindow.from_dict({"hours": "Mon-Fri 09:00-18:00", "tz": "Asia/Seoul"})
ALWAYS = ServiceWindow.always()

NETWORK = Clock(
    "network_time",
    start={"field": "group", "equals": "Network"},
    stop={"state": ["resolved", "closed"]},
    pause={"not": {"field": "group", "equals": "Network"}},
)


def kst(day: int, hour: int, minute: int = 0) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:{minute:02d}+09:00"


def utc(day: int, hour: int, minute: int = 0) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:{minute:02d}Z"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = itilkit.schema("report")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def valid(validator: jsonschema.Draft202012Validator, document: Any) -> Any:
    """The document after a JSON round trip, having validated it (errors listed)."""
    document = json.loads(json.dumps(document))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    return document


def office_sla() -> SLA:
    return SLA(
        "Office",
        window=OFFICE,
        targets=[
            Target("response", "PT30M", priority="P1"),
            Target("response", "PT2H"),
            Target("resolution", "PT4H", priority="P1"),
            Target("resolution", "3 business days"),
        ],
    )


def office_incidents() -> list[Incident]:
    met = Incident.open("INC1", at=kst(2, 9), priority="P3").start_work(at=kst(2, 9, 20))
    met = met.resolve(at=kst(2, 15))
    late = Incident.open("INC2", at=kst(2, 10), priority="P1").start_work(at=kst(2, 11))
    late = late.hold(at=kst(2, 12), reason="awaiting_caller").resume(at=kst(3, 10))
    late = late.resolve(at=kst(3, 16, 30))
    running_late = Incident.open("INC3", at=kst(3, 9), priority="P1")  # never answered
    running = Incident.open("INC4", at=kst(5, 17), priority="P4")  # in progress at as_of
    gone = Incident.open("INC5", at=kst(2, 9), priority="P2").cancel(at=kst(2, 9, 10))
    future = Incident.open("INC6", at=kst(9, 9), priority="P2")
    return [met, late, running_late, running, gone, future]


def network_incidents() -> list[Incident]:
    routed = Incident.open("NET1", at=utc(2, 9), priority="P2")
    routed = routed.set_fields(at=utc(2, 9), group="Service desk").start_work(at=utc(2, 9, 5))
    routed = routed.set_fields(at=utc(2, 10), group="Network")
    routed = routed.set_fields(at=utc(2, 11, 30), group="Database")
    routed = routed.set_fields(at=utc(2, 13), group="Network").resolve(at=utc(2, 14))
    quick = Incident.open("NET2", at=utc(2, 9), priority="P3").set_fields(
        at=utc(2, 9, 30), group="Network"
    )
    quick = quick.resolve(at=utc(2, 10))
    still = Incident.open("NET3", at=utc(5, 9), priority="P3").set_fields(
        at=utc(5, 9), group="Network"
    )
    never = Incident.open("NET4", at=utc(2, 9), priority="P5").resolve(at=utc(2, 12))
    return [routed, quick, still, never]


def network_sla() -> SLA:
    return SLA(
        "Network OLA",
        window=ALWAYS,
        targets=[Target("network_time", "PT2H"), Target("response", "PT1H")],
        clocks=[NETWORK],
    )


class TestValidReports:
    def test_one_sla_in_business_hours(self, validator: jsonschema.Draft202012Validator) -> None:
        report = office_sla().compliance(office_incidents(), as_of=kst(6, 10))
        doc = valid(validator, report.to_dict())
        assert "priority" not in doc and "by_sla" not in doc["compliance"]
        assert {b["stopped_at"] is None for b in doc["breaches"]} == {True, False}
        assert doc["compliance"]["in_progress"] >= 1
        assert doc["compliance"]["cancelled"] == 1 and doc["compliance"]["not_yet_open"] == 1
        assert {t["priority"] for t in doc["terms"]} == {"P1", "all"}
        assert "3 business days" in {t["within"] for t in doc["terms"]}
        assert doc["objective"] is None

    def test_a_custom_clock(self, validator: jsonschema.Draft202012Validator) -> None:
        report = network_sla().compliance(network_incidents(), as_of=utc(5, 10))
        doc = valid(validator, report.to_dict())
        assert "network_time" in doc["compliance"]["by_metric"]
        assert "network_time" in {b["metric"] for b in doc["breaches"]}
        assert doc["compliance"]["not_started"] == 1  # NET4 never reached Network

    def test_several_slas(self, validator: jsonschema.Draft202012Validator) -> None:
        office = attrs.evolve(office_sla(), applies_to=Condition(priority="P1"))
        incidents = office_incidents() + network_incidents()
        report = itilkit.compliance(incidents, [office, network_sla()], as_of=utc(6, 1))
        doc = valid(validator, report.to_dict())
        assert set(doc["compliance"]["by_sla"]) == {"Office", "Network OLA"}
        assert doc["sla"] == "Office + Network OLA"
        assert len(doc["terms"]) == 6  # the office's four targets, then the network's two

    def test_no_decided_clock(self, validator: jsonschema.Draft202012Validator) -> None:
        report = office_sla().compliance(
            [Incident.open("NEW", at=kst(2, 9), priority="P3")], as_of=kst(2, 9, 5)
        )
        doc = valid(validator, report.to_dict())
        assert doc["compliance"]["rate"] is None
        assert doc["compliance"]["by_metric"]["response"]["rate"] is None
        empty = valid(validator, office_sla().compliance([], as_of=kst(2, 9)).to_dict())
        assert empty["compliance"]["by_metric"] == {} and empty["breaches"] == []

    def test_an_objective(self, validator: jsonschema.Draft202012Validator) -> None:
        report = office_sla().compliance(office_incidents(), as_of=kst(6, 10))
        doc = valid(validator, attrs.evolve(report, objective="95%").to_dict())
        assert doc["objective"] == {"exact": "0.95", "float": 0.95}

    def test_the_cli_json(
        self,
        validator: jsonschema.Draft202012Validator,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        sla = tmp_path / "sla.toml"
        sla.write_text(
            'name = "Office"\n[window]\nhours = "Mon-Fri 08:00-17:00"\ntz = "UTC"\n'
            '[[targets]]\nmetric = "response"\nwithin = "PT1H"\npriority = "P1"\n'
            '[[targets]]\nmetric = "response"\nwithin = "PT4H"\n'
            '[[targets]]\nmetric = "resolution"\nwithin = "2 business days"\n'
        )
        assert main(["report", str(SAMPLE), "--sla", str(sla), "--format", "json"]) == 0
        doc = valid(validator, json.loads(capsys.readouterr().out))
        assert doc["priority"] == "recorded"
        assert doc["breaches"] and doc["compliance"]["rate"] is not None


@pytest.fixture(scope="module")
def good() -> dict[str, Any]:
    report = itilkit.compliance(
        office_incidents() + network_incidents(),
        [office_sla(), network_sla()],
        as_of=utc(6, 1),
    )
    document: dict[str, Any] = json.loads(json.dumps(report.to_dict()))
    return document


def rate_as_float(doc: dict[str, Any]) -> None:
    doc["compliance"]["rate"] = 0.75


def nested_rate_as_float(doc: dict[str, Any]) -> None:
    doc["compliance"]["by_metric"]["response"]["rate"] = 0.75


def unknown_key(doc: dict[str, Any]) -> None:
    doc["extra"] = 1


def unknown_breach_key(doc: dict[str, Any]) -> None:
    doc["breaches"][0]["note"] = "late"


def priority_p9(doc: dict[str, Any]) -> None:
    doc["breaches"][0]["priority"] = "P9"


def by_priority_p9(doc: dict[str, Any]) -> None:
    doc["compliance"]["by_priority"]["P9"] = doc["compliance"]["by_priority"]["P1"]


def rate_above_one(doc: dict[str, Any]) -> None:
    doc["compliance"]["rate"] = {"exact": "3/2", "float": 1.5}


def duration_in_seconds(doc: dict[str, Any]) -> None:
    doc["breaches"][0]["late_by"] = 3600


def naive_instant(doc: dict[str, Any]) -> None:
    doc["as_of"] = "2026-03-06T01:00:00"


def cli_priority(doc: dict[str, Any]) -> None:
    doc["priority"] = "guessed"


def missing_terms(doc: dict[str, Any]) -> None:
    del doc["terms"]


@pytest.mark.parametrize(
    "breaking",
    [
        rate_as_float,
        nested_rate_as_float,
        unknown_key,
        unknown_breach_key,
        priority_p9,
        by_priority_p9,
        rate_above_one,
        duration_in_seconds,
        naive_instant,
        cli_priority,
        missing_terms,
    ],
)
def test_broken_documents_are_refused(
    validator: jsonschema.Draft202012Validator, good: dict[str, Any], breaking: Any
) -> None:
    valid(validator, good)
    doc = copy.deepcopy(good)
    breaking(doc)
    assert not validator.is_valid(doc)
