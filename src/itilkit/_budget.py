"""Error budgets: the SRE view of the same availability numbers.

An objective such as 99.9% over a period leaves an **error budget** of
``(1 - objective) x agreed service time``: the downtime the service may have
before it misses the objective. Outages *spend* it (counted exactly as
:func:`~itilkit.measure_availability` counts downtime: inside agreed hours,
planned maintenance excluded, partial outages weighted, overlaps once).

The **burn rate** over a lookback is how fast the budget is being spent,
relative to the pace that would use it up exactly at the end of the period:
the error ratio in the lookback divided by ``1 - objective``. A burn rate of 1
spends the budget exactly; 14.4 over a 30-day period spends 2% of it in an
hour.

Google's SRE Workbook alerts on burn rate with several **multi-window,
multi-burn-rate** rules (:data:`SRE_WORKBOOK_RULES`): each rule names the
share of the budget it guards and a long and a short lookback; its
threshold is ``budget fraction x period / long window``; it fires when the
burn rate over both lookbacks is above the threshold. The long window
makes the alert significant; the short one makes it stop soon after the
outage ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Literal

import attrs
import pendulum

from ._availability import Outage, measure, outages_of, rounded_timedelta
from ._errors import InvalidValueError
from ._ratio import RatioLike, format_decimal, format_percent, parse_ratio, positive_ratio
from ._report import format_duration, html_table, text_table
from ._time import from_us, td_us, to_duration_us, to_timedelta, to_us
from ._window import ServiceWindow, as_window

__all__ = [
    "BURN_RATE_RULES",
    "SRE_WORKBOOK_RULES",
    "BurnRateAlert",
    "BurnRateRule",
    "ErrorBudget",
]

_HOUR = 3_600_000_000
_MINUTE = 60_000_000


def _budget_share(value: object) -> Fraction:
    return positive_ratio(value, "budget_fraction")


def _lookback(value: object) -> timedelta:
    us = to_duration_us(value, "window")
    if us <= 0:
        raise InvalidValueError("window", "a positive duration", value)
    return to_timedelta(us)


def _severity(value: object) -> Literal["page", "ticket"]:
    if value == "page":
        return "page"
    if value == "ticket":
        return "ticket"
    raise InvalidValueError("severity", "one of 'page', 'ticket'", value)


@attrs.frozen
class BurnRateRule:
    """One multi-window burn-rate alert: the budget share it guards and its two lookbacks.

    >>> rule = SRE_WORKBOOK_RULES[0]
    >>> rule.budget_fraction, rule.long_window, rule.short_window, rule.severity
    (Fraction(1, 50), datetime.timedelta(seconds=3600), datetime.timedelta(seconds=300), 'page')
    """

    budget_fraction: Fraction = attrs.field(converter=_budget_share)
    long_window: timedelta = attrs.field(converter=_lookback)
    short_window: timedelta = attrs.field(converter=_lookback)
    severity: Literal["page", "ticket"] = attrs.field(converter=_severity)

    def __attrs_post_init__(self) -> None:
        if self.short_window > self.long_window:
            raise InvalidValueError(
                "short_window", f"at most the long window ({self.long_window})", self.short_window
            )

    def threshold(self, period: timedelta) -> Fraction:
        """The burn rate spending ``budget_fraction`` of a ``period``'s budget in the long window.

        >>> from datetime import timedelta
        >>> SRE_WORKBOOK_RULES[0].threshold(timedelta(days=30))
        Fraction(72, 5)
        """
        period_us = to_duration_us(period, "period")
        if period_us <= 0:
            raise InvalidValueError("period", "a positive duration", period)
        return self.budget_fraction * Fraction(period_us, td_us(self.long_window))


SRE_WORKBOOK_RULES: tuple[BurnRateRule, ...] = (
    BurnRateRule(Fraction(2, 100), timedelta(hours=1), timedelta(minutes=5), "page"),
    BurnRateRule(Fraction(5, 100), timedelta(hours=6), timedelta(minutes=30), "page"),
    BurnRateRule(Fraction(10, 100), timedelta(days=3), timedelta(hours=6), "ticket"),
)
"""The multi-window, multi-burn-rate alert rules recommended by Google's SRE Workbook.

Source: Betsy Beyer et al., *The Site Reliability Workbook* (O'Reilly, 2018),
chapter 5 "Alerting on SLOs", section "6: Multiwindow, Multi-Burn-Rate
Alerts" (https://sre.google/workbook/alerting-on-slos/): page on 2% of the
budget spent in 1 hour (short window 5 minutes) or 5% in 6 hours (30
minutes); open a ticket on 10% in 3 days (6 hours). For a 30-day period the
thresholds are the familiar 14.4, 6 and 1; here they are computed from the
budget's own period.
"""

BURN_RATE_RULES: tuple[BurnRateRule, ...] = (
    SRE_WORKBOOK_RULES[0],
    SRE_WORKBOOK_RULES[1],
    BurnRateRule(Fraction(10, 100), timedelta(days=1), timedelta(hours=2), "ticket"),
    SRE_WORKBOOK_RULES[2],
)
"""The four burn-rate pairs of the SRE Workbook's table, which ``itilkit.export`` writes
as Prometheus alerts by default: :data:`SRE_WORKBOOK_RULES` and the ticket rule the
table lists between them, 10% of the budget in a day (short window 2 hours). For a
30-day period the burn rates are 14.4 (1 h / 5 min), 6 (6 h / 30 min), 3 (1 d / 2 h)
and 1 (3 d / 6 h)."""


@attrs.frozen
class BurnRateAlert:
    """One rule evaluated at ``as_of``: both burn rates, the threshold, and whether it fires."""

    rule: BurnRateRule
    as_of: pendulum.DateTime
    threshold: Fraction
    long_burn: Fraction
    short_burn: Fraction

    @property
    def firing(self) -> bool:
        """Both lookbacks burn above the threshold."""
        return self.long_burn > self.threshold and self.short_burn > self.threshold

    @property
    def severity(self) -> str:
        """``"page"`` or ``"ticket"``, from the rule."""
        return self.rule.severity

    def __str__(self) -> str:
        state = "FIRING" if self.firing else "ok"
        return (
            f"{state} {self.severity}: {format_duration(self.rule.long_window)} burn "
            f"{format_decimal(self.long_burn)}x / {format_duration(self.rule.short_window)} burn "
            f"{format_decimal(self.short_burn)}x, threshold {format_decimal(self.threshold)}x"
        )


@attrs.frozen(init=False)
class ErrorBudget:
    """The downtime an objective allows over a period, and how fast outages spend it.

    >>> budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")
    >>> budget.allowed
    datetime.timedelta(seconds=2592)
    >>> down = [Outage("2026-03-10T12:00Z", "2026-03-10T12:21:36Z")]
    >>> budget.spent(down), budget.remaining(down), budget.consumed(down)
    (datetime.timedelta(seconds=1296), datetime.timedelta(seconds=1296), Fraction(1, 2))
    """

    objective: Fraction
    start: pendulum.DateTime
    end: pendulum.DateTime
    window: ServiceWindow = attrs.field(repr=False)
    _start_us: int = attrs.field(repr=False, eq=False)
    _end_us: int = attrs.field(repr=False, eq=False)
    _agreed_us: int = attrs.field(repr=False, eq=False)

    def __init__(
        self,
        objective: RatioLike,
        *,
        start: datetime | str,
        end: datetime | str,
        window: ServiceWindow | None = None,
    ) -> None:
        ratio = parse_ratio(objective, "objective")
        if ratio == 1:
            raise InvalidValueError(
                "objective", "below 100% (100% leaves no error budget)", objective
            )
        a, b = to_us(start, "start"), to_us(end, "end")
        if b <= a:
            raise InvalidValueError("end", f"after start {start!r}", end)
        window = ServiceWindow.always() if window is None else as_window(window)
        tz = window.tz
        self.__attrs_init__(
            ratio, from_us(a, tz), from_us(b, tz), window, a, b, window.business_time_us(a, b)
        )

    @property
    def period(self) -> timedelta:
        """The budget's period, ``end - start`` (elapsed time)."""
        return timedelta(microseconds=self._end_us - self._start_us)

    @property
    def allowed_us(self) -> Fraction:
        """The budget in exact microseconds, ``(1 - objective) x`` agreed time."""
        return (1 - self.objective) * self._agreed_us

    @property
    def allowed(self) -> timedelta:
        """The budget, ``(1 - objective) x`` the window's open time in the period."""
        return rounded_timedelta(self.allowed_us)

    def _spent_us(self, outages: Iterable[Outage]) -> Fraction:
        report = measure(outages_of(outages), self.window, self._start_us, self._end_us, None)
        return report.downtime_us

    def spent(self, outages: Iterable[Outage]) -> timedelta:
        """Downtime in the period, counted as :func:`~itilkit.measure_availability` does."""
        return rounded_timedelta(self._spent_us(outages))

    def remaining(self, outages: Iterable[Outage]) -> timedelta:
        """``allowed - spent``; negative once the budget is overspent."""
        return rounded_timedelta(self.allowed_us - self._spent_us(outages))

    def consumed(self, outages: Iterable[Outage]) -> Fraction:
        """The share of the budget spent, exactly (above 1 when overspent)."""
        allowed = self.allowed_us
        if allowed == 0:
            return Fraction(0)
        return self._spent_us(outages) / allowed

    def _burn(self, outages: tuple[Outage, ...], lookback_us: int, as_of_us: int) -> Fraction:
        report = measure(outages, self.window, as_of_us - lookback_us, as_of_us, None)
        if report.agreed_us == 0:
            return Fraction(0)
        return report.downtime_us / report.agreed_us / (1 - self.objective)

    def burn_rate(
        self, outages: Iterable[Outage], *, lookback: timedelta | str, as_of: datetime | str
    ) -> Fraction:
        """How fast the budget burns over ``[as_of - lookback, as_of)``: 1 spends it exactly.

        The error ratio in the lookback divided by ``1 - objective``. A lookback
        without open time burns nothing (``Fraction(0)``).

        >>> budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")
        >>> down = [Outage("2026-03-10T12:00Z", "2026-03-10T12:03Z")]
        >>> budget.burn_rate(down, lookback="PT1H", as_of="2026-03-10T12:30Z")
        Fraction(50, 1)
        """
        lookback_us = to_duration_us(lookback, "lookback")
        if lookback_us <= 0:
            raise InvalidValueError("lookback", "a positive duration", lookback)
        return self._burn(outages_of(outages), lookback_us, to_us(as_of, "as_of"))

    def evaluate(
        self,
        outages: Iterable[Outage],
        *,
        as_of: datetime | str,
        rules: Iterable[BurnRateRule] = SRE_WORKBOOK_RULES,
    ) -> tuple[BurnRateAlert, ...]:
        """Every rule evaluated at ``as_of``, firing or not (see :meth:`alerts`)."""
        items = outages_of(outages)
        now = to_us(as_of, "as_of")
        period = self.period
        out = []
        for i, rule in enumerate(rules):
            if not isinstance(rule, BurnRateRule):
                raise InvalidValueError(f"rules[{i}]", "a BurnRateRule", rule)
            out.append(
                BurnRateAlert(
                    rule=rule,
                    as_of=from_us(now, self.window.tz),
                    threshold=rule.threshold(period),
                    long_burn=self._burn(items, to_duration_us(rule.long_window), now),
                    short_burn=self._burn(items, to_duration_us(rule.short_window), now),
                )
            )
        return tuple(out)

    def alerts(
        self,
        outages: Iterable[Outage],
        *,
        as_of: datetime | str,
        rules: Iterable[BurnRateRule] = SRE_WORKBOOK_RULES,
    ) -> tuple[BurnRateAlert, ...]:
        """The burn-rate alerts that fire at ``as_of``: both lookbacks above the threshold.

        A full outage for the last hour of a 30-day, 99.9% budget burns at
        1000x, so both page rules fire; the 3-day rule's 6-hour lookback burns
        at 1000/6 > 1 too:

        >>> budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")
        >>> down = [Outage("2026-03-10T11:00Z", "2026-03-10T12:00Z")]
        >>> [a.severity for a in budget.alerts(down, as_of="2026-03-10T12:00Z")]
        ['page', 'page', 'ticket']
        >>> budget.evaluate(down, as_of="2026-03-10T12:10Z")[0].short_burn
        Fraction(0, 1)
        """
        return tuple(a for a in self.evaluate(outages, as_of=as_of, rules=rules) if a.firing)

    def __str__(self) -> str:
        rows = [
            ["objective", format_percent(self.objective)],
            ["period", f"{self.start.isoformat()} to {self.end.isoformat()}"],
            ["allowed downtime", format_duration(self.allowed)],
        ]
        return text_table(["error budget", "value"], rows)

    def to_openslo(self, *, name: str, service: str, indicator_ref: str | None = None) -> str:
        """The budget as an OpenSLO v1 ``SLO`` document (YAML; the extra ``yaml``).

        See :func:`itilkit.export.to_openslo`.
        """
        from ._slo_export import to_openslo

        return to_openslo(self, name=name, service=service, indicator_ref=indicator_ref)

    @classmethod
    def from_openslo(cls, text: str) -> ErrorBudget:
        """The budget an OpenSLO v1 ``SLO`` document describes (see
        :func:`itilkit.export.from_openslo`)."""
        from ._slo_export import read_openslo

        budget: ErrorBudget = read_openslo(text, cls)
        return budget

    def _repr_html_(self) -> str:
        """The budget for Jupyter: its figures, and the burn rates that alert over its period.

        A budget holds no outages, so what is spent, what remains and how fast
        it burns are asked of it with the outages (the caption says how).

        >>> budget = ErrorBudget("99.9%", start="2026-03-01T00:00Z", end="2026-03-31T00:00Z")
        >>> "43m 12s" in budget._repr_html_()
        True
        """
        rows = [
            ["objective", format_percent(self.objective)],
            ["period", f"{self.start.isoformat()} to {self.end.isoformat()}"],
            ["service window", repr(self.window)],
            ["agreed service time", format_duration(self._agreed_us)],
            ["allowed downtime", format_duration(self.allowed)],
        ]
        caption = (
            "Spent, remaining and burn rate depend on outages: budget.spent(outages), "
            "budget.remaining(outages), budget.burn_rate(outages, lookback=..., as_of=...)."
        )
        out = html_table(["error budget", "value"], rows, title="Error budget", caption=caption)
        alerts = [
            [
                rule.severity,
                format_percent(rule.budget_fraction),
                format_duration(rule.long_window),
                format_duration(rule.short_window),
                f"{format_decimal(rule.threshold(self.period))}x",
            ]
            for rule in SRE_WORKBOOK_RULES
        ]
        headers = ["severity", "budget share", "long window", "short window", "burn rate above"]
        return out + html_table(headers, alerts, title="Burn-rate alerts (SRE Workbook)")
