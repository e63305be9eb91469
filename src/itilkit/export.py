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

from ._slo_export import (
    BURN_RATE_RULES,
    alertmanager_time_intervals,
    from_openslo,
    open_condition,
    prometheus_rules,
    to_openslo,
)

__all__ = [
    "BURN_RATE_RULES",
    "alertmanager_time_intervals",
    "from_openslo",
    "open_condition",
    "prometheus_rules",
    "to_openslo",
]
