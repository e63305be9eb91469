"""SLOs as code and calendars out: OpenSLO v1, Prometheus rules, Alertmanager time intervals.

An :class:`~itilkit.ErrorBudget` written for the tools that watch production:

- :func:`to_openslo` / :func:`from_openslo`: an OpenSLO v1 ``SLO`` document
  (YAML), read back to an equal budget;
- :func:`prometheus_rules`: a Prometheus rule file, recording rules and the
  multiwindow, multi-burn-rate alerts of the SRE Workbook (:data:`BURN_RATE_RULES`),
  business hours written as ``day_of_week()``/``hour()`` conditions
  (:func:`open_condition`);
- :func:`alertmanager_time_intervals`: a window's hours, holidays and overrides
  as Alertmanager ``time_intervals``.

YAML needs the optional extra ``yaml`` (``pip install 'itilkit[yaml]'``);
without it these raise :class:`~itilkit.MissingDependencyError`. See the guide
"SLOs as code" for the formats and their limits.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._budget import BURN_RATE_RULES, BurnRateRule, ErrorBudget
from ._slo_export import alertmanager_time_intervals, open_condition, read_openslo, to_openslo
from ._slo_export import prometheus_rules as _rules_for

__all__ = [
    "BURN_RATE_RULES",
    "alertmanager_time_intervals",
    "from_openslo",
    "open_condition",
    "prometheus_rules",
    "to_openslo",
]


def from_openslo(text: str) -> ErrorBudget:
    """The :class:`~itilkit.ErrorBudget` an OpenSLO v1 ``SLO`` document describes
    (:func:`to_openslo` writes one); also ``ErrorBudget.from_openslo(text)``.

    >>> budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")
    >>> from_openslo(to_openslo(budget, name="checkout", service="shop")) == budget
    True
    """
    budget: ErrorBudget = read_openslo(text, ErrorBudget)
    return budget


def prometheus_rules(
    budget: ErrorBudget,
    *,
    good: str,
    total: str,
    name: str,
    rules: Iterable[BurnRateRule] | None = None,
) -> str:
    """A Prometheus rule file for ``budget``: error-ratio recording rules and the
    multiwindow burn-rate alerts of ``rules`` (default :data:`BURN_RATE_RULES`, the SRE
    Workbook's table), gated by the budget window's open hours. ``good`` and ``total``
    are PromQL with ``{{window}}`` for the range."""
    return _rules_for(
        budget,
        good=good,
        total=total,
        name=name,
        rules=BURN_RATE_RULES if rules is None else rules,
    )
