"""SLOs as code: OpenSLO v1 round trips, Prometheus rules and Alertmanager time intervals.

Generated YAML is loaded back; Prometheus rule files are checked with
``promtool check rules`` and Alertmanager configurations with ``amtool
check-config`` when Debian's ``prometheus`` / ``prometheus-alertmanager`` are
installed (the tests skip with the reason otherwise). Business-hours
conditions are compared with hand-worked UTC hours, and evaluated here (a
small translation of the PromQL subset they use) against the window itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itilkit import (
    SRE_WORKBOOK_RULES,
    BurnRateRule,
    ErrorBudget,
    InvalidValueError,
    ItilkitError,
    MissingDependencyError,
    ServiceWindow,
)
from itilkit.export import (
    BURN_RATE_RULES,
    alertmanager_time_intervals,
    from_openslo,
    open_condition,
    prometheus_rules,
    to_openslo,
)

yaml = pytest.importorskip("yaml", reason="PyYAML (the 'yaml' extra) is not installed")

GOOD = 'sum(rate(http_requests_total{code!~"5.."}[{{window}}]))'
TOTAL = "sum(rate(http_requests_total[{{window}}]))"
MARCH = {"start": "2026-03-01T00:00Z", "end": "2026-03-31T00:00Z"}  # 30 days
SEOUL = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul", holidays="KR")
BERLIN = ServiceWindow.weekly(
    "Mon-Fri 09:00-18:00",
    tz="Europe/Berlin",
    holidays="DE",
    overrides={"2026-12-24": "09:00-13:00", "2026-12-31": "closed"},
)

PROMTOOL = shutil.which("promtool")
AMTOOL = shutil.which("amtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="Debian's prometheus (promtool) is not installed"
)
needs_amtool = pytest.mark.skipif(
    AMTOOL is None, reason="Debian's prometheus-alertmanager (amtool) is not installed"
)


def promtool_check(text: str, tmp_path: Path) -> None:
    assert PROMTOOL is not None
    path = tmp_path / "rules.yml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


# ============================================================================ OpenSLO


class TestOpenSLO:
    def test_document_has_the_required_keys(self) -> None:
        budget = ErrorBudget("99.9%", **MARCH)
        doc = yaml.safe_load(to_openslo(budget, name="checkout", service="shop"))
        assert doc["apiVersion"] == "openslo/v1"
        assert doc["kind"] == "SLO"
        assert doc["metadata"]["name"] == "checkout"
        spec = doc["spec"]
        assert spec["service"] == "shop"
        assert spec["indicatorRef"] == "checkout"
        assert spec["budgetingMethod"] in {"Occurrences", "Timeslices", "RatioTimeslices"}
        (window,) = spec["timeWindow"]
        assert window == {
            "duration": "30d",
            "calendar": {"startTime": "2026-03-01 00:00:00", "timeZone": "UTC"},
            "isRolling": False,
        }
        (objective,) = spec["objectives"]
        assert objective["target"] == 0.999
        assert 0 < objective["timeSliceTarget"] <= 1
        assert objective["timeSliceWindow"] == "1m"
        assert "annotations" not in doc["metadata"]

    @pytest.mark.parametrize(
        ("objective", "start", "end", "window", "duration"),
        [
            ("99.9%", "2026-03-01T00:00Z", "2026-03-31T00:00Z", None, "30d"),
            ("99.5%", "2026-03-01T00:00+01:00", "2026-04-01T00:00+02:00", BERLIN, "1M"),
            ("2/3", "2026-01-01T00:00+09:00", "2026-04-01T00:00+09:00", SEOUL, "1Q"),
            ("0.99999", "2026-01-01T00:00Z", "2027-01-01T00:00Z", None, "1Y"),
            ("95%", "2026-03-02T00:00Z", "2026-03-16T00:00Z", None, "2w"),
            ("99%", "2026-03-02T08:30Z", "2026-03-02T10:00Z", None, "90m"),
            ("99%", "2026-03-02T08:00Z", "2026-03-02T14:00Z", None, "6h"),
            # 28 calendar days in New York across the DST change: 671 elapsed hours
            ("99.9%", "2026-03-01T00:00-05:00", "2026-03-29T00:00-04:00",
             ServiceWindow.always(tz="America/New_York"), "4w"),
        ],
    )  # fmt: skip
    def test_round_trip(
        self, objective: str, start: str, end: str, window: ServiceWindow | None, duration: str
    ) -> None:
        budget = ErrorBudget(objective, start=start, end=end, window=window)
        text = to_openslo(budget, name="api-availability", service="api")
        assert yaml.safe_load(text)["spec"]["timeWindow"][0]["duration"] == duration
        back = from_openslo(text)
        assert back == budget
        assert back.objective == budget.objective
        assert (back.start, back.end) == (budget.start, budget.end)
        assert back.allowed == budget.allowed

    def test_the_budget_methods_are_the_functions(self) -> None:
        """``budget.to_openslo`` and ``ErrorBudget.from_openslo`` are the contract's spelling."""
        budget = ErrorBudget("99.5%", start="2026-03-01T00:00+01:00", end="2026-04-01T00:00+02:00",
                             window=BERLIN)  # fmt: skip
        text = budget.to_openslo(name="api-availability", service="api")
        assert text == to_openslo(budget, name="api-availability", service="api")
        assert ErrorBudget.from_openslo(text) == budget

    def test_an_inexact_target_keeps_the_exact_objective_in_an_annotation(self) -> None:
        budget = ErrorBudget("2/3", **MARCH)
        doc = yaml.safe_load(to_openslo(budget, name="x", service="y"))
        assert doc["metadata"]["annotations"]["itilkit.io/objective"] == "2/3"
        assert from_openslo(to_openslo(budget, name="x", service="y")).objective == Fraction(2, 3)

    def test_a_hand_written_document_with_target_percent(self) -> None:
        text = """
apiVersion: openslo/v1
kind: SLO
metadata:
  name: foo-slo
spec:
  service: foo
  indicatorRef: foo-error
  timeWindow:
    - duration: 1M
      calendar:
        startTime: 2026-02-01 00:00:00
        timeZone: Europe/Berlin
      isRolling: false
  budgetingMethod: Occurrences
  objectives:
    - displayName: Foo Total Errors
      targetPercent: 99.95
"""
        budget = from_openslo(text)
        assert budget.objective == Fraction(9995, 10000)
        assert budget.start == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
        assert budget.end == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
        assert budget.window == ServiceWindow.always(tz="Europe/Berlin")

    def test_other_documents_in_the_stream_are_skipped(self) -> None:
        budget = ErrorBudget("99.9%", **MARCH)
        service = "apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: shop\nspec: {}\n"
        text = service + "---\n" + to_openslo(budget, name="a", service="shop")
        assert from_openslo(text) == budget

    @pytest.mark.parametrize(
        ("text", "field"),
        [
            ("", "text"),
            ("kind: SLO\napiVersion: openslo/v1alpha\n", "apiVersion"),
            ("a: [", "text"),
            (
                "apiVersion: openslo/v1\nkind: SLO\nspec:\n  timeWindow:\n"
                "  - {duration: 30d, isRolling: true}\n",
                "spec.timeWindow[0].isRolling",
            ),
            (
                "apiVersion: openslo/v1\nkind: SLO\nspec:\n  objectives: [{target: 0.9}]\n"
                "  timeWindow:\n  - duration: 30x\n    calendar: {startTime: '2026-01-01 00:00:00', "
                "timeZone: UTC}\n",
                "spec.timeWindow[0].duration",
            ),
        ],
    )
    def test_bad_documents_name_the_field(self, text: str, field: str) -> None:
        with pytest.raises(InvalidValueError) as info:
            from_openslo(text)
        assert info.value.field == field

    def test_unwritable_budgets(self) -> None:
        with pytest.raises(InvalidValueError, match="DNS label"):
            to_openslo(ErrorBudget("99%", **MARCH), name="Checkout", service="shop")
        odd = ErrorBudget("99%", start="2026-03-01T00:00Z", end="2026-03-01T00:00:30Z")
        with pytest.raises(InvalidValueError, match="whole minutes"):
            to_openslo(odd, name="a", service="b")
        spans = ServiceWindow.from_spans([("2026-03-02T00:00Z", "2026-03-03T00:00Z")], tz="UTC")
        with pytest.raises(InvalidValueError, match="weekly or 24x7"):
            to_openslo(ErrorBudget("99%", **MARCH, window=spans), name="a", service="b")

    def test_without_pyyaml(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "yaml", None)
        with pytest.raises(MissingDependencyError, match=r"itilkit\[yaml\]"):
            to_openslo(ErrorBudget("99%", **MARCH), name="a", service="b")
        with pytest.raises(MissingDependencyError):
            from_openslo("kind: SLO")


# ============================================================================ Prometheus


def alerts_of(text: str) -> list[dict[str, Any]]:
    (group,) = yaml.safe_load(text)["groups"]
    return [r for r in group["rules"] if "alert" in r]


class TestPrometheusRules:
    def test_the_four_burn_rate_pairs_with_exact_thresholds(self) -> None:
        budget = ErrorBudget("99.9%", **MARCH)
        alerts = alerts_of(prometheus_rules(budget, good=GOOD, total=TOTAL, name="checkout"))
        pairs = [(a["labels"]["long_window"], a["labels"]["short_window"]) for a in alerts]
        assert pairs == [("1h", "5m"), ("6h", "30m"), ("1d", "2h"), ("3d", "6h")]
        assert [a["labels"]["severity"] for a in alerts] == ["page", "page", "ticket", "ticket"]
        # 14.4, 6, 3 and 1 times (1 - 0.999), printed exactly
        for alert, (long, short), limit in zip(
            alerts, pairs, ["0.0144", "0.006", "0.003", "0.001"], strict=True
        ):
            assert alert["expr"] == (
                f'itilkit:slo_errors:ratio_rate{long}{{slo="checkout"}} > {limit}\nand\n'
                f'itilkit:slo_errors:ratio_rate{short}{{slo="checkout"}} > {limit}'
            )

    def test_the_factors_come_from_the_table(self) -> None:
        budget = ErrorBudget("99.95%", **MARCH)
        factors = [rule.threshold(budget.period) for rule in BURN_RATE_RULES]
        assert factors == [Fraction(72, 5), 6, 3, 1]
        assert BURN_RATE_RULES[0] == SRE_WORKBOOK_RULES[0]
        text = prometheus_rules(budget, good=GOOD, total=TOTAL, name="checkout")
        limits = [re.findall(r"> (\S+)", a["expr"]) for a in alerts_of(text)]
        assert limits == [["0.0072"] * 2, ["0.003"] * 2, ["0.0015"] * 2, ["0.0005"] * 2]
        assert "0.00720000" not in text and "e-0" not in text

    def test_recording_rules(self) -> None:
        budget = ErrorBudget("99.9%", **MARCH)
        (group,) = yaml.safe_load(
            prometheus_rules(budget, good=GOOD, total=TOTAL, name="checkout")
        )["groups"]
        records = {r["record"]: r for r in group["rules"] if "record" in r}
        assert sorted(records) == sorted(
            [
                f"itilkit:slo_errors:ratio_rate{w}"
                for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
            ]
            + ["itilkit:slo_objective:ratio"]
        )
        five = records["itilkit:slo_errors:ratio_rate5m"]
        assert 'http_requests_total{code!~"5.."}[5m]' in five["expr"]
        assert "{{window}}" not in five["expr"]
        assert five["labels"] == {"slo": "checkout"}
        assert records["itilkit:slo_objective:ratio"]["expr"] == "vector(0.999)"

    def test_a_non_decimal_threshold_is_a_fraction(self) -> None:
        budget = ErrorBudget("6/7", **MARCH)
        (first, *_) = alerts_of(prometheus_rules(budget, good=GOOD, total=TOTAL, name="a"))
        assert "> (72 / 35)" in first["expr"]  # 14.4 x 1/7

    def test_custom_rules(self) -> None:
        rule = BurnRateRule(Fraction(1, 100), timedelta(minutes=90), timedelta(seconds=30), "page")
        text = prometheus_rules(
            ErrorBudget("99%", **MARCH), good=GOOD, total=TOTAL, name="a", rules=[rule]
        )
        (alert,) = alerts_of(text)
        assert alert["labels"]["long_window"] == "90m"
        assert alert["labels"]["short_window"] == "30s"
        assert "> 0.048" in alert["expr"]  # 1% of 30 days in 90 minutes: 4.8x, times 0.01

    @pytest.mark.parametrize(
        ("field", "kwargs"),
        [
            ("good", {"good": "sum(rate(x[5m]))"}),
            ("total", {"total": 5}),
            ("name", {"name": "has space"}),
            ("rules", {"rules": []}),
            ("rules[0]", {"rules": ["fast"]}),
        ],
    )
    def test_bad_arguments(self, field: str, kwargs: dict[str, Any]) -> None:
        args: dict[str, Any] = {"good": GOOD, "total": TOTAL, "name": "a", **kwargs}
        with pytest.raises(InvalidValueError) as info:
            prometheus_rules(ErrorBudget("99%", **MARCH), **args)
        assert info.value.field == field

    @needs_promtool
    @pytest.mark.parametrize(
        "window",
        [
            None,
            SEOUL,
            ServiceWindow.weekly("Mon-Fri 08:30-17:15; Sat 22:00-06:00", tz="America/New_York"),
            ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Europe/Berlin", holidays="DE"),
        ],
    )
    def test_promtool_checks_the_rules(self, window: ServiceWindow | None, tmp_path: Path) -> None:
        budget = ErrorBudget(
            "99.9%", start="2026-03-01T00:00Z", end="2026-06-01T00:00Z", window=window
        )
        promtool_check(prometheus_rules(budget, good=GOOD, total=TOTAL, name="api"), tmp_path)

    @needs_promtool
    def test_promtool_checks_a_holiday_window_across_dst(self, tmp_path: Path) -> None:
        budget = ErrorBudget(
            "99.95%", start="2026-01-01T00:00+01:00", end="2027-01-01T00:00+01:00", window=BERLIN
        )
        text = prometheus_rules(budget, good=GOOD, total=TOTAL, name="berlin-office")
        assert text.count("unless on()") == 1
        promtool_check(text, tmp_path)


# ============================================================================ business hours


class TestBusinessHours:
    def test_seoul_by_hand(self) -> None:
        # Mon-Fri 09:00-18:00 at UTC+9 (no DST) is UTC 00:00-09:00, Mon-Fri: hours 0..8,
        # day_of_week() 1..5 (PromQL counts Sunday as 0)
        window = ServiceWindow.weekly("Mon-Fri 09:00-18:00", tz="Asia/Seoul")
        budget = ErrorBudget("99%", **MARCH, window=window)
        assert open_condition(budget) == (
            "(day_of_week() >= 1 and day_of_week() <= 5 and hour() < 9)"
        )

    def test_seoul_with_holidays_by_hand(self) -> None:
        # KR: Sun 1 March (Independence Day) and its substitute Mon 2 March; only the Monday
        # closes hours the week would open: 2026-03-02T00:00Z to 09:00Z
        budget = ErrorBudget("99%", start="2026-03-01T00:00+09:00", end="2026-03-08T00:00+09:00")
        budget = ErrorBudget("99%", start=budget.start, end=budget.end, window=SEOUL)
        start = int(datetime(2026, 3, 2, tzinfo=UTC).timestamp())
        assert open_condition(budget) == (
            "((day_of_week() >= 1 and day_of_week() <= 5 and hour() < 9)) unless on() "
            f"((vector(time()) >= {start} and vector(time()) < {start + 9 * 3600}))"
        )

    def test_an_evening_shift_wraps_the_utc_day(self) -> None:
        # Sat 22:00 to Sun 06:00 in UTC: Saturday (6) from 22 h, Sunday (0) until 6 h;
        # minutes: 08:30 and 17:15 in UTC
        window = ServiceWindow.weekly("Mon 08:30-17:15; Sat 22:00-06:00", tz="UTC")
        condition = open_condition(ErrorBudget("99%", **MARCH, window=window))
        assert condition == (
            "(day_of_week() == 1 and (hour() * 60 + minute()) >= 510 and "
            "(hour() * 60 + minute()) < 1035) or (day_of_week() == 6 and "
            "(hour() * 60 + minute()) >= 1320) or (day_of_week() == 0 and "
            "(hour() * 60 + minute()) < 360)"
        )

    def test_new_york_across_dst_by_hand(self) -> None:
        # EST (UTC-5) until 2026-03-08 07:00Z: 09:00-17:00 is UTC 14..21; then EDT: 13..20
        window = ServiceWindow.weekly("Mon-Fri 09:00-17:00", tz="America/New_York")
        change = int(datetime(2026, 3, 8, 7, tzinfo=UTC).timestamp())
        condition = open_condition(ErrorBudget("99%", **MARCH, window=window))
        assert condition == (
            "(((day_of_week() >= 1 and day_of_week() <= 5 and hour() >= 14 and hour() < 22)) "
            f"and vector(time()) < {change}) or "
            "(((day_of_week() >= 1 and day_of_week() <= 5 and hour() >= 13 and hour() < 21)) "
            f"and vector(time()) >= {change})"
        )

    def test_24x7_has_no_condition(self) -> None:
        budget = ErrorBudget("99%", **MARCH, window=ServiceWindow.always(tz="Asia/Seoul"))
        assert open_condition(budget) is None
        assert "slo_window" not in prometheus_rules(budget, good=GOOD, total=TOTAL, name="a")

    def test_alerts_are_gated_by_the_window(self) -> None:
        budget = ErrorBudget("99%", **MARCH, window=SEOUL)
        text = prometheus_rules(budget, good=GOOD, total=TOTAL, name="seoul")
        for alert in alerts_of(text):
            assert alert["expr"].endswith('and on() itilkit:slo_window:open{slo="seoul"}')

    def test_a_long_period_is_refused(self) -> None:
        budget = ErrorBudget(
            "99%", start="2026-01-01T00:00Z", end="2028-01-01T00:00Z", window=SEOUL
        )
        with pytest.raises(InvalidValueError, match="367 days"):
            open_condition(budget)

    @settings(max_examples=40)
    @given(
        window=st.sampled_from(
            [
                SEOUL,
                BERLIN,
                ServiceWindow.weekly("Mon-Fri 08:30-17:15; Sat 22:00-06:00", tz="America/New_York"),
                ServiceWindow.weekly("Daily 00:00-01:30:20", tz="Australia/Lord_Howe"),
                ServiceWindow.weekly(
                    "Mon-Fri 09:00-17:00", tz="Europe/London", overrides={"2026-03-29": "01:00-03:00"}
                ),
            ]
        ),
        offset=st.integers(0, 300 * 86_400),
        probes=st.lists(st.integers(0, 60 * 86_400 - 1), min_size=1, max_size=30),
    )  # fmt: skip
    def test_the_condition_is_open_exactly_when_the_window_is(
        self, window: ServiceWindow, offset: int, probes: list[int]
    ) -> None:
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=offset)
        budget = ErrorBudget("99%", start=start, end=start + timedelta(days=60), window=window)
        condition = open_condition(budget)
        assert condition is not None
        edges = [
            int(s.start.timestamp()) - int(start.timestamp())
            for s in window.spans(budget.start, budget.end)
        ]
        for probe in [
            *probes,
            *(e for e in edges[:20] if e >= 0),
            *(e - 1 for e in edges[:20] if e > 0),
        ]:
            moment = start + timedelta(seconds=probe)
            assert evaluate(condition, moment) == (moment in window), moment

    def test_the_evaluator_reads_promql_as_prometheus_does(self) -> None:
        moment = datetime(2026, 3, 1, 23, 59, 30, tzinfo=UTC)  # a Sunday
        assert evaluate("day_of_week() == 0 and hour() >= 23", moment)
        assert not evaluate("(vector(1) < 0)", moment)
        assert evaluate("(vector(time()) % 86400) >= 86370", moment)
        assert evaluate("(day_of_week() == 1) or (hour() * 60 + minute()) >= 1439", moment)
        assert not evaluate("(hour() >= 0) unless on() (minute() == 59)", moment)


def evaluate(condition: str, moment: datetime) -> bool:
    """Whether a generated condition yields a sample at ``moment``.

    The conditions use a small PromQL subset whose vectors carry no labels, so
    ``and``, ``or`` and ``unless`` act as Python's ``and``, ``or`` and
    ``and not``; the functions read the UTC clock as Prometheus does.
    """
    seconds = int(moment.timestamp())
    python = (
        condition.replace("unless on()", "and not")
        .replace("or on()", "or")
        .replace("vector(time())", "T")
        .replace("vector(1)", "1")
        .replace("day_of_week()", "D")
        .replace("hour()", "H")
        .replace("minute()", "M")
    )
    assert re.fullmatch(r"[\sTDHM0-9()<>=%*+/.andotr]*", python), python
    names = {
        "T": seconds,
        "D": (moment.weekday() + 1) % 7,
        "H": moment.hour,
        "M": moment.minute,
    }
    return bool(eval(python, {"__builtins__": {}}, names))


# ============================================================================ Alertmanager


class TestAlertmanager:
    def test_weekly_hours(self) -> None:
        window = ServiceWindow.weekly("Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00", tz="UTC")
        doc = yaml.safe_load(alertmanager_time_intervals(window, name="office"))
        assert doc == {
            "time_intervals": [
                {
                    "name": "office",
                    "time_intervals": [
                        {
                            "weekdays": ["monday:friday"],
                            "times": [
                                {"start_time": "09:00", "end_time": "12:00"},
                                {"start_time": "13:00", "end_time": "18:00"},
                            ],
                            "location": "UTC",
                        },
                        {
                            "weekdays": ["saturday"],
                            "times": [{"start_time": "10:00", "end_time": "14:00"}],
                            "location": "UTC",
                        },
                    ],
                }
            ]
        }

    def test_an_overnight_shift_is_split_at_midnight(self) -> None:
        window = ServiceWindow.weekly("Fri 22:00-06:00", tz="Europe/Berlin")
        (interval,) = yaml.safe_load(alertmanager_time_intervals(window, name="night"))[
            "time_intervals"
        ]
        assert interval["time_intervals"] == [
            {
                "weekdays": ["friday"],
                "times": [{"start_time": "22:00", "end_time": "24:00"}],
                "location": "Europe/Berlin",
            },
            {
                "weekdays": ["saturday"],
                "times": [{"start_time": "00:00", "end_time": "06:00"}],
                "location": "Europe/Berlin",
            },
        ]

    def test_24x7(self) -> None:
        doc = yaml.safe_load(alertmanager_time_intervals(ServiceWindow.always(), name="all"))
        assert doc["time_intervals"] == [
            {"name": "all", "time_intervals": [{"weekdays": ["monday:sunday"], "location": "UTC"}]}
        ]

    def test_seoul_holidays_over_a_range_by_hand(self) -> None:
        # KR, March to May 2026: Sun 1 Mar (Independence Day) and its substitute Mon 2 Mar,
        # Fri 1 May (Labour Day), Tue 5 May (Children's Day), Sun 24 May (Buddha's Birthday)
        # and its substitute Mon 25 May. Only weekdays close hours the week opens.
        text = alertmanager_time_intervals(
            SEOUL, name="seoul", start="2026-03-01T00:00+09:00", end="2026-06-01T00:00+09:00"
        )
        doc = yaml.safe_load(text)
        active, closed = doc["time_intervals"]
        assert active["name"] == "seoul"
        assert closed["name"] == "seoul-closed"
        dates = [
            date(int(e["years"][0]), int(e["months"][0]), int(e["days_of_month"][0]))
            for e in closed["time_intervals"]
        ]
        expected = [date(2026, 3, 2), date(2026, 5, 1), date(2026, 5, 5), date(2026, 5, 25)]
        assert dates == expected
        assert all(
            e["times"] == [{"start_time": "09:00", "end_time": "18:00"}]
            and e["location"] == "Asia/Seoul"
            for e in closed["time_intervals"]
        )

    def test_berlin_december_by_hand(self) -> None:
        # 24 Dec (Thu) closes at 13:00; 25 Dec (Fri) is a holiday; 26 Dec is a Saturday;
        # 31 Dec (Thu) is closed by override; 1 Jan 2027 (Fri) is a holiday but after the range
        text = alertmanager_time_intervals(
            BERLIN, name="berlin", start="2026-12-01T00:00+01:00", end="2027-01-01T00:00+01:00"
        )
        (active, closed) = yaml.safe_load(text)["time_intervals"]
        assert len(active["time_intervals"]) == 1
        assert closed["time_intervals"] == [
            {
                "days_of_month": [day],
                "months": ["12"],
                "years": ["2026"],
                "times": [{"start_time": start, "end_time": "18:00"}],
                "location": "Europe/Berlin",
            }
            for day, start in [("24", "13:00"), ("25", "09:00"), ("31", "09:00")]
        ]

    def test_an_override_opening_more_hours_is_active(self) -> None:
        window = ServiceWindow.weekly(
            "Mon-Fri 09:00-18:00", tz="UTC", overrides={"2026-03-07": "10:00-12:00"}
        )
        text = alertmanager_time_intervals(
            window, name="w", start="2026-03-01T00:00Z", end="2026-04-01T00:00Z"
        )
        (active,) = yaml.safe_load(text)["time_intervals"]
        assert active["time_intervals"][-1] == {
            "days_of_month": ["7"],
            "months": ["3"],
            "years": ["2026"],
            "times": [{"start_time": "10:00", "end_time": "12:00"}],
            "location": "UTC",
        }

    def test_refusals(self) -> None:
        with pytest.raises(InvalidValueError, match="range"):
            alertmanager_time_intervals(SEOUL, name="a")
        with pytest.raises(InvalidValueError, match="HH:MM"):
            alertmanager_time_intervals(
                ServiceWindow.weekly("Mon 09:00:30-10:00", tz="UTC"), name="a"
            )
        with pytest.raises(InvalidValueError, match="DNS label"):
            alertmanager_time_intervals(ServiceWindow.always(), name="")
        with pytest.raises(ItilkitError):
            alertmanager_time_intervals("Mon-Fri 09:00-17:00", name="a")  # type: ignore[arg-type]

    @needs_amtool
    def test_amtool_checks_the_configuration(self, tmp_path: Path) -> None:
        assert AMTOOL is not None
        intervals = yaml.safe_load(
            alertmanager_time_intervals(
                BERLIN, name="office", start="2026-12-01T00:00+01:00", end="2027-01-01T00:00+01:00"
            )
        )
        config = {
            "route": {
                "receiver": "null",
                "routes": [
                    {
                        "receiver": "null",
                        "active_time_intervals": ["office"],
                        "mute_time_intervals": ["office-closed"],
                    }
                ],
            },
            "receivers": [{"name": "null"}],
            **intervals,
        }
        path = tmp_path / "alertmanager.yml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        done = subprocess.run(
            [AMTOOL, "check-config", str(path)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_a_start_time_in_a_dst_gap_is_refused() -> None:
    """02:30 on 29 March 2026 does not exist in Berlin (02:00 -> 03:00): refused rather
    than moved, which would shorten the month by the 30 minutes."""
    text = """
apiVersion: openslo/v1
kind: SLO
metadata:
  name: gap
spec:
  service: api
  indicatorRef: gap
  timeWindow:
  - duration: 1M
    calendar:
      startTime: '2026-03-29 02:30:00'
      timeZone: Europe/Berlin
    isRolling: false
  budgetingMethod: Timeslices
  objectives:
  - target: 0.99
    timeSliceTarget: 1
"""
    with pytest.raises(InvalidValueError, match="not in a DST gap"):
        from_openslo(text)


def test_a_closure_never_mutes_what_an_override_opens() -> None:
    """Mon-Fri 22:00-06:00 in Berlin; Monday 2 March 2026 is a holiday, which closes its
    shift (Mon 22:00 - Tue 06:00); an override opens Tuesday 00:00-08:00. On 3 March the
    active interval is 00:00-08:00 and the mute interval only 22:00-24:00 (the override
    replaces Tuesday's hours, so its 22:00 shift does not start); nothing of 3 March before
    08:00 may be muted."""
    yaml = pytest.importorskip("yaml")
    window = ServiceWindow.weekly(
        "Mon-Fri 22:00-06:00",
        tz="Europe/Berlin",
        holidays=["2026-03-02"],
        overrides={"2026-03-03": "00:00-08:00"},
    )
    assert "2026-03-03T01:00+01:00" in window
    text = alertmanager_time_intervals(
        window, name="ops", start="2026-03-01T00:00+01:00", end="2026-03-08T00:00+01:00"
    )
    doc = yaml.safe_load(text)
    on_the_third = [
        (interval["name"], [(t["start_time"], t["end_time"]) for t in entry["times"]])
        for interval in doc["time_intervals"]
        for entry in interval["time_intervals"]
        if entry.get("days_of_month") == ["3"]
    ]
    assert ("ops", [("00:00", "08:00")]) in on_the_third
    assert ("ops-closed", [("22:00", "24:00")]) in on_the_third
