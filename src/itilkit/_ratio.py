"""Ratios: the one way itilkit reads and writes a proportion.

Availability objectives, ``meets()`` targets, warning thresholds, outage
impact, capacity thresholds and load samples, credit tiers: every field that
holds a proportion reads it here, with one convention:

* a percent string: ``"97%"``, ``"99.95 %"``;
* or a ratio from 0 to 1: a :class:`~fractions.Fraction`, a
  :class:`~decimal.Decimal`, the ``int`` 0 or 1, a decimal string
  (``"0.97"``), an exact fraction string (``"2/3"``), or a ``float``, read
  through its shortest repr (``0.9`` is exactly 9/10, not the binary
  0.90000000000000002220...).

Nothing is read as a percentage without its ``%``: ``97``, ``"97"`` and
``"99.9"`` are above 1 and raise :class:`~itilkit.InvalidValueError`, whose
message suggests the percent form. Inside itilkit a ratio is a
:class:`~fractions.Fraction`; text for people and documents is made by
:func:`format_percent`, :func:`ratio_text` and :func:`percent_text`, and a
rounded display never feeds back into a comparison.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

from ._errors import InvalidValueError

__all__ = [
    "MAX_DIGITS",
    "RatioLike",
    "exact_decimal",
    "float_ratio",
    "format_decimal",
    "format_percent",
    "parse_ratio",
    "percent_label",
    "percent_text",
    "positive_ratio",
    "ratio_text",
]

RatioLike: TypeAlias = Fraction | Decimal | int | float | str

#: The most digits a written ratio may carry (anything longer is refused, not computed).
MAX_DIGITS = 40

_NUMBER = re.compile(r"^\s*\+?([0-9]*\.?[0-9]*)\s*(%?)\s*$")  # ASCII digits only
_FRACTION = re.compile(r"^\s*\+?([0-9]+)\s*/\s*([0-9]+)\s*$")
_EXPECTATION = "a ratio from 0 to 1 (such as '0.97' or 0.97) or a percentage with '%' ('97%')"


def parse_ratio(value: object, field: str = "target") -> Fraction:
    """The exact ratio in [0, 1] that ``value`` writes, by the one convention.

    >>> parse_ratio("97%"), parse_ratio("0.97"), parse_ratio(0.9), parse_ratio(Decimal("0.999"))
    (Fraction(97, 100), Fraction(97, 100), Fraction(9, 10), Fraction(999, 1000))
    >>> parse_ratio("2/3"), parse_ratio(1), parse_ratio(Fraction(1, 8))
    (Fraction(2, 3), Fraction(1, 1), Fraction(1, 8))
    >>> parse_ratio("97")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'target' must be a ratio from 0 to 1 or a percentage with '%' (did you mean '97%'?) (got '97')
    """
    if isinstance(value, bool):
        raise InvalidValueError(field, _EXPECTATION, value)
    if isinstance(value, Fraction):
        return _bounded(value, field, value)
    if isinstance(value, int):
        return _bounded(Fraction(value), field, value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidValueError(field, _EXPECTATION, value)
        return _bounded(float_ratio(value), field, value)
    if isinstance(value, Decimal):
        return _bounded(_decimal(value, field, value), field, value)
    if isinstance(value, str):
        return _parse_text(value, field)
    raise InvalidValueError(field, _EXPECTATION, value)


def positive_ratio(value: object, field: str) -> Fraction:
    """A ratio in (0, 1], for fields where 0 means nothing (an impact, a warning, a share).

    >>> positive_ratio("25%", "impact")
    Fraction(1, 4)
    >>> positive_ratio("0%", "impact")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'impact' must be above 0 (got '0%')
    """
    ratio = parse_ratio(value, field)
    if ratio == 0:
        raise InvalidValueError(field, "above 0", value)
    return ratio


def float_ratio(value: float) -> Fraction:
    """The exact value of a finite float's shortest repr: ``0.9`` is 9/10.

    >>> float_ratio(0.1) == Fraction(1, 10), float_ratio(0.1) == Fraction(0.1)
    (True, False)
    """
    return Fraction(Decimal(repr(value)))


def _decimal(number: Decimal, field: str, given: object) -> Fraction:
    """A finite Decimal as a Fraction, refusing what cannot be a ratio before computing it."""
    if not number.is_finite() or (number.is_signed() and not number.is_zero()):
        raise InvalidValueError(field, _EXPECTATION, given)
    if not number.is_zero() and number.adjusted() >= 1:  # 10 or more: no huge power computed
        _above_one(field, given)
    return exact_decimal(number, field)


def exact_decimal(number: Decimal, field: str) -> Fraction:
    """A finite Decimal of at most :data:`MAX_DIGITS` digits as a Fraction.

    ``Decimal("1E+99999999")`` is refused at once instead of being expanded.

    >>> exact_decimal(Decimal("0.125"), "x"), exact_decimal(Decimal("99.5"), "x")
    (Fraction(1, 8), Fraction(199, 2))
    """
    if not number.is_finite():
        raise InvalidValueError(field, "a finite number", number)
    if number.is_zero():
        return Fraction(0)
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) > MAX_DIGITS or not -MAX_DIGITS <= exponent <= MAX_DIGITS:
        raise InvalidValueError(
            field, f"a number written with at most {MAX_DIGITS} digits", number
        )
    return Fraction(number)


def _parse_text(text: str, field: str) -> Fraction:
    if len(text) > 2 * MAX_DIGITS:
        raise InvalidValueError(field, f"a ratio written with at most {MAX_DIGITS} digits", text)
    match = _FRACTION.match(text)
    if match is not None:
        numerator, denominator = int(match.group(1)), int(match.group(2))
        if denominator == 0:
            raise InvalidValueError(field, _EXPECTATION, text)
        return _bounded(Fraction(numerator, denominator), field, text)
    match = _NUMBER.match(text)
    if match is None or match.group(1) in {"", "."}:
        raise InvalidValueError(field, _EXPECTATION, text)
    number = Fraction(Decimal(match.group(1)))
    if match.group(2):
        if number > 100:
            raise InvalidValueError(field, "a percentage from 0% to 100%", text)
        return number / 100
    return _bounded(number, field, text)


def _bounded(ratio: Fraction, field: str, given: object) -> Fraction:
    if ratio < 0:
        raise InvalidValueError(field, _EXPECTATION, given)
    if ratio > 1:
        _above_one(field, given)
    return ratio


def _above_one(field: str, given: object) -> None:
    meant_percent = not isinstance(given, Fraction) and not (
        isinstance(given, str) and "/" in given
    )
    if not meant_percent or _exceeds_100(given):  # then no percentage was meant
        raise InvalidValueError(field, "a ratio from 0 to 1", given)
    hint = f"{str(given).strip()}%"
    raise InvalidValueError(
        field, f"a ratio from 0 to 1 or a percentage with '%' (did you mean {hint!r}?)", given
    )


def _exceeds_100(given: object) -> bool:
    if isinstance(given, str):
        match = _NUMBER.match(given)
        return match is None or Fraction(Decimal(match.group(1))) > 100
    if isinstance(given, Decimal):
        return given.adjusted() >= 2 and given > 100
    return bool(given > 100)  # type: ignore[operator]


def ratio_text(ratio: Fraction) -> str:
    """The exact text of a ratio: a terminating decimal when there is one, else ``'p/q'``.

    >>> ratio_text(Fraction(99, 100)), ratio_text(Fraction(41, 42)), ratio_text(Fraction(1))
    ('0.99', '41/42', '1')
    """
    places = _decimal_places(ratio)
    if places is None:
        return f"{ratio.numerator}/{ratio.denominator}"
    scaled = ratio.numerator * 10**places // ratio.denominator
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    text = digits if places == 0 else f"{digits[:-places]}.{digits[-places:]}"
    return sign + (text.rstrip("0").rstrip(".") if "." in text else text)


def _decimal_places(ratio: Fraction) -> int | None:
    """How many decimal places write ``ratio`` exactly, or None when none do."""
    den = ratio.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    return max(twos, fives) if den == 1 else None


def percent_text(ratio: Fraction) -> str:
    """The exact document form: ``"99.5%"`` when a finite decimal holds it, else ``"p/q"``.

    :func:`parse_ratio` reads either back to the same Fraction.

    >>> percent_text(Fraction(199, 200)), percent_text(Fraction(1, 3)), percent_text(Fraction(1))
    ('99.5%', '1/3', '100%')
    >>> percent_text(Fraction(1, 2**100))  # 100 decimals: longer than a reader takes
    '1/1267650600228229401496703205376'
    """
    text = ratio_text(ratio * 100)
    if "/" in text or sum(c.isdigit() for c in text) > MAX_DIGITS:
        return f"{ratio.numerator}/{ratio.denominator}"  # what parse_ratio reads back
    return f"{text}%"


def format_percent(ratio: Fraction, places: int = 3) -> str:
    """A ratio as a percentage for people: at most ``places`` decimals, no trailing zeros.

    Rounded half-even, for display only; the exact value is
    :func:`ratio_text`'s.

    >>> format_percent(Fraction(99, 100)), format_percent(Fraction(41, 42))
    ('99%', '97.619%')
    >>> format_percent(Fraction(1999, 2000), 1), format_percent(Fraction(3, 2))
    ('100%', '150%')
    """
    return f"{format_decimal(ratio * 100, places)}%"


def percent_label(ratio: Fraction, places: int = 3) -> str:
    """A percentage for a report, honest about rounding.

    Exact when ``places`` decimals hold it (``'99%'``); else the rounded
    figure with the exact one beside it when a finite decimal holds that
    (``'97.594% (exactly 97.5944%)'``), or marked as rounded.

    >>> percent_label(Fraction(99, 100)), percent_label(Fraction(9759439, 10**7))
    ('99%', '97.594% (exactly 97.59439%)')
    >>> percent_label(Fraction(1206511, 1209600))
    '99.745% (rounded)'
    """
    shown = format_percent(ratio, places)
    exact = percent_text(ratio)
    if exact == shown:
        return shown
    if "/" in exact:
        return f"{shown} (rounded)"
    return f"{shown} (exactly {exact})"


def format_decimal(value: Fraction, places: int = 2) -> str:
    """An exact number for people: at most ``places`` decimals, no trailing zeros.

    Rounded half-even, for display only (burn rates, multiples).

    >>> format_decimal(Fraction(72, 5)), format_decimal(Fraction(1000, 6)), format_decimal(Fraction(0))
    ('14.4', '166.67', '0')
    """
    quantum = Decimal(1).scaleb(-places)
    number = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum)
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text
