"""Financial measures: service credits owed and the cost of downtime, exact.

* :func:`credits` is the service credit a :class:`~itilkit.CreditSchedule`
  gives for a measured period: the schedule's own tiers applied to an
  :class:`~itilkit.AvailabilityReport`'s ratio or a
  :class:`~itilkit.ComplianceReport`'s rate. It is a ratio of the charge
  (``Fraction(1, 10)`` is 10%); with ``fee=`` it is the amount of money.
* :func:`downtime_cost` prices the downtime an availability report counted:
  ``downtime hours x rate_per_hour``.

Money is read exactly: an ``int``, a :class:`~fractions.Fraction`, a
:class:`~decimal.Decimal`, a decimal string (``"1250.50"``), or a ``float``
through its shortest repr (``0.1`` is exactly 1/10), as ratios are read.
Negative amounts, NaN, infinities and numbers written with more than 40
digits are refused. Results are
:class:`~fractions.Fraction`: round them for display only
(``round(cost, 2)``).
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

from ._availability import AvailabilityReport, CreditSchedule
from ._compliance import ComplianceReport
from ._errors import InvalidValueError
from ._ratio import MAX_DIGITS, RatioLike, exact_decimal, float_ratio, parse_ratio
from ._time import to_duration_us

__all__ = ["MoneyLike", "credits", "downtime_cost"]

MoneyLike: TypeAlias = int | Fraction | Decimal | float | str

_US_PER_HOUR = 3_600_000_000
_MONEY = "an amount of zero or more: an int, Fraction, Decimal, float or decimal string"
_DECIMAL_TEXT = re.compile(r"^\s*\+?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$")  # ASCII digits only
_LIMIT = 10**MAX_DIGITS


def _money(value: object, field: str) -> Fraction:
    """The exact non-negative amount ``value`` writes.

    >>> _money("1250.50", "fee"), _money(0.1, "fee"), _money(Decimal("99"), "fee")
    (Fraction(2501, 2), Fraction(1, 10), Fraction(99, 1))
    >>> _money(-5, "fee")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'fee' must be an amount of zero or more: an int, Fraction, Decimal, float or decimal string (got -5)
    """
    if isinstance(value, bool):
        raise InvalidValueError(field, _MONEY, value)
    if isinstance(value, int):
        amount = Fraction(value) if -_LIMIT < value < _LIMIT else None
    elif isinstance(value, Fraction):
        small = abs(value.numerator) < _LIMIT and value.denominator < _LIMIT
        amount = value if small else None
    elif isinstance(value, float):
        amount = float_ratio(value) if math.isfinite(value) else None
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValueError(field, _MONEY, value)
        amount = exact_decimal(value, field)
    elif isinstance(value, str):
        match = _DECIMAL_TEXT.match(value) if len(value) <= 2 * MAX_DIGITS else None
        amount = None if match is None else exact_decimal(Decimal(match.group(1)), field)
    else:
        raise InvalidValueError(field, _MONEY, value)
    if amount is None or amount < 0 or abs(amount) >= _LIMIT:
        raise InvalidValueError(field, _MONEY, value)
    return amount


def _ratio_of(report: object) -> Fraction | None:
    if isinstance(report, AvailabilityReport):
        return report.ratio
    if isinstance(report, ComplianceReport):
        return report.rate
    if isinstance(report, Fraction | Decimal | int | float | str):
        return parse_ratio(report, "report")
    raise InvalidValueError(
        "report", "an AvailabilityReport, a ComplianceReport or a ratio such as '99.5%'", report
    )


def credits(
    schedule: CreditSchedule,
    report: AvailabilityReport | ComplianceReport | RatioLike,
    *,
    fee: MoneyLike | None = None,
) -> Fraction:
    """The service credit ``schedule`` gives for ``report``: a ratio of the charge, exact.

    ``report`` is an :class:`~itilkit.AvailabilityReport` (its ``ratio``), a
    :class:`~itilkit.ComplianceReport` (its ``rate``), or a ratio such as
    ``"99.5%"``. The schedule's tiers apply as
    :meth:`CreditSchedule.credit <itilkit.CreditSchedule.credit>` applies
    them: the largest credit of the tiers whose threshold the figure is
    strictly below, compared unrounded. A report with nothing measured (no
    agreed service time, no decided clock) owes nothing: ``Fraction(0)``.

    With ``fee=`` (the period's charge) the result is the money owed,
    ``credit x fee``, still a Fraction.

    >>> s = CreditSchedule.of({"99.9%": "10%", "99.0%": "25%", "95.0%": "100%"})
    >>> credits(s, "99.5%"), credits(s, "99.5%", fee="1200.00")
    (Fraction(1, 10), Fraction(120, 1))
    """
    if not isinstance(schedule, CreditSchedule):
        raise InvalidValueError("schedule", "a CreditSchedule", schedule)
    charge = None if fee is None else _money(fee, "fee")
    ratio = _ratio_of(report)
    owed = Fraction(0) if ratio is None else schedule.credit(ratio)
    return owed if charge is None else owed * charge


def downtime_cost(
    report: AvailabilityReport | timedelta | str, *, rate_per_hour: MoneyLike
) -> Fraction:
    """What downtime cost at ``rate_per_hour``: ``downtime hours x rate``, an exact Fraction.

    ``report`` is an :class:`~itilkit.AvailabilityReport`, whose counted
    downtime is priced (inside agreed service time, partial outages weighted
    by their impact, overlaps once, planned maintenance left out), or a
    downtime of zero or more as a ``timedelta`` or an ISO 8601 duration.

    >>> downtime_cost("PT1H30M", rate_per_hour=5000), downtime_cost("PT20M", rate_per_hour="100")
    (Fraction(7500, 1), Fraction(100, 3))
    """
    rate = _money(rate_per_hour, "rate_per_hour")
    if isinstance(report, AvailabilityReport):
        down = report.downtime_us
    elif isinstance(report, timedelta | str):
        us = to_duration_us(report, "report")
        if us < 0:
            raise InvalidValueError("report", "a downtime of zero or more", report)
        down = Fraction(us)
    else:
        raise InvalidValueError(
            "report", "an AvailabilityReport, or a downtime as a timedelta or 'PT2H'", report
        )
    return down * rate / _US_PER_HOUR
