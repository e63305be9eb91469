"""Fuzz the export edges with valid and hostile input, under tests/test_fuzz.py's oracle.

Every call returns normally or raises an :class:`itilkit.ItilkitError` (or a
``TypeError`` while an argument has a Python type its parameter does not
take), within the oracle's time bound. Each section fuzzes one family of
entry points of :mod:`itilkit.export`.
"""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itilkit import BurnRateRule, ErrorBudget, ServiceWindow

from .strategies import instants, windows
from .test_fuzz import FEW, FUZZ, HOSTILE, RAISED, A, p, run

# ============================================================================ SLOs as code
# OpenSLO v1, Prometheus rules and Alertmanager time intervals (itilkit.export).

pytest.importorskip("yaml", reason="PyYAML (the 'yaml' extra) is not installed")

from itilkit.export import (
    alertmanager_time_intervals,
    from_openslo,
    open_condition,
    prometheus_rules,
    to_openslo,
)

_OBJECTIVES = st.sampled_from(["99.9%", "99%", "2/3", "0.99999", Fraction(6, 7), "95%"])
_PERIODS = st.sampled_from(
    [
        timedelta(days=30),
        timedelta(days=7),
        timedelta(hours=6),
        timedelta(minutes=90),
        timedelta(days=92),
        timedelta(seconds=30),
    ]
)


@st.composite
def budgets(draw: st.DrawFn) -> ErrorBudget:
    """Budgets over whole-minute starts, with 24x7 or weekly windows in DST zones."""
    start = draw(instants(minute_aligned=True))
    window = draw(st.one_of(st.none(), windows(), st.just(ServiceWindow.always(tz="Asia/Seoul"))))
    return ErrorBudget(draw(_OBJECTIVES), start=start, end=start + draw(_PERIODS), window=window)


_NAMES = st.one_of(
    st.sampled_from(["checkout", "a", "api-availability", "x" * 63]),
    st.from_regex(r"[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?", fullmatch=True),
    st.text(max_size=70),
)
_TEMPLATES = st.one_of(
    st.just('sum(rate(http_requests_total{code!~"5.."}[{{window}}]))'),
    st.text(max_size=40).map(lambda t: t + "{{window}}"),
    st.text(max_size=40),
)
_RULES = st.one_of(
    st.none(),
    st.just(
        [BurnRateRule(Fraction(1, 100), timedelta(minutes=90), timedelta(seconds=30), "page")]
    ),
    st.just(
        [BurnRateRule(Fraction(1, 3), timedelta(microseconds=1500), timedelta(0, 0, 1), "page")]
    ),
    st.lists(HOSTILE, max_size=3),
)


def _openslo_texts() -> st.SearchStrategy[str]:
    """YAML documents near the OpenSLO shape, with hostile values in every field."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(
            ["30d", "1M", "0d", "999999Y", "1Q", "7w", "UTC", "Mars/Olympus", "2026-03-29 02:30:00",
             "9999-12-31 23:59:59", "0001-01-01 00:00:00", "openslo/v1", "SLO", "1/0",
             '{"hours": "Mon-Fri 09:00-18:00", "tz": "Asia/Seoul", "holidays": "KR"}',
             '{"hours": "Mon-Fry", "tz": 3}', "[[[[[[[[[[", "2/3"]
        ),
    )  # fmt: skip

    def document(
        target: Any, duration: Any, start: Any, tz: Any, rolling: Any, window: Any, exact: Any
    ) -> str:
        import json

        return (
            "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: a\n  annotations:\n"
            f"    itilkit.io/service-window: {json.dumps(window)}\n"
            f"    itilkit.io/objective: {json.dumps(exact)}\n"
            "spec:\n  service: s\n  indicatorRef: a\n  timeWindow:\n"
            f"  - duration: {json.dumps(duration)}\n    isRolling: {json.dumps(rolling)}\n"
            f"    calendar: {{startTime: {json.dumps(start)}, timeZone: {json.dumps(tz)}}}\n"
            f"  budgetingMethod: Timeslices\n  objectives:\n  - target: {json.dumps(target)}\n"
        )

    structured = st.builds(document, scalars, scalars, scalars, scalars, scalars, scalars, scalars)
    return st.one_of(
        structured,
        st.text(max_size=200),
        st.sampled_from(
            [
                "[" * 5000,
                "a: &a [*a]",
                "- &x [*x, *x]\n",
                "!!python/object:os.system {}",
                "kind: SLO\n---\nkind: SLO\n",
                "---\n...\n",
                "kind: SLO\napiVersion: openslo/v1\nspec: []\n",
            ]
        ),
    )


@FUZZ
@given(budget=budgets(), name=p(_NAMES, str), service=p(_NAMES, str))
def test_openslo_round_trip_or_error(budget: ErrorBudget, name: A, service: A) -> None:
    text = run(to_openslo, budget, name=name, service=service)
    if text is not RAISED:
        back = run(from_openslo, text)
        assert back == budget, (text, back, budget)


@FUZZ
@given(text=p(_openslo_texts(), str))
def test_from_openslo_hostile(text: A) -> None:
    run(from_openslo, text)


@FUZZ
@given(
    budget=p(budgets(), ErrorBudget),
    good=p(_TEMPLATES, str),
    total=p(_TEMPLATES, str),
    name=p(_NAMES, str),
    rules=_RULES,
)
def test_prometheus_rules_hostile(budget: A, good: A, total: A, name: A, rules: Any) -> None:
    run(prometheus_rules, budget, good=good, total=total, name=name, rules=rules)


@FEW
@given(budget=p(budgets(), ErrorBudget))
def test_open_condition_hostile(budget: A) -> None:
    run(open_condition, budget)


@FUZZ
@given(
    window=p(windows() | st.just(ServiceWindow.always()), ServiceWindow),
    name=p(_NAMES, str),
    start=p(instants() | st.none()),
    end=p(instants() | st.none()),
)
def test_alertmanager_time_intervals_hostile(window: A, name: A, start: A, end: A) -> None:
    run(alertmanager_time_intervals, window, name=name, start=start, end=end)


# ============================================================================ end of SLOs as code
