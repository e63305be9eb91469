"""The one ratio convention: every ratio field reads its value through one parser."""

from __future__ import annotations

import time
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itilkit import InvalidValueError
from itilkit._ratio import (
    format_decimal,
    format_percent,
    parse_ratio,
    percent_label,
    percent_text,
    ratio_text,
)


class TestParse:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("97%", Fraction(97, 100)),
            (" 99.95 % ", Fraction(1999, 2000)),
            ("0%", Fraction(0)),
            ("100%", Fraction(1)),
            ("0.97", Fraction(97, 100)),
            (".5", Fraction(1, 2)),
            ("1", Fraction(1)),
            ("0", Fraction(0)),
            ("2/3", Fraction(2, 3)),
            (" 1 / 8 ", Fraction(1, 8)),
            (Fraction(1, 3), Fraction(1, 3)),
            (Decimal("0.999"), Fraction(999, 1000)),
            (Decimal("0E+5"), Fraction(0)),
            (0, Fraction(0)),
            (1, Fraction(1)),
            (0.9, Fraction(9, 10)),  # shortest repr, not 0.90000000000000002220...
            (0.1, Fraction(1, 10)),
            (0.30000000000000004, Fraction(30000000000000004, 10**17)),
            (1.0, Fraction(1)),
        ],
    )
    def test_forms(self, value: object, expected: Fraction) -> None:
        """A percent string, or a ratio from 0 to 1 in any numeric form, read exactly."""
        assert parse_ratio(value) == expected

    @pytest.mark.parametrize(
        ("value", "hint"),
        [
            (97, "'97%'"),
            ("97", "'97%'"),
            ("99.9", "'99.9%'"),
            (Decimal("97"), "'97%'"),
            (99.9, "'99.9%'"),
        ],
    )
    def test_above_one_suggests_percent(self, value: object, hint: str) -> None:
        """Nothing is read as a percentage without its '%': the error suggests the form."""
        with pytest.raises(
            InvalidValueError, match="'objective' must be a ratio from 0 to 1"
        ) as info:
            parse_ratio(value, "objective")
        assert f"did you mean {hint}" in str(info.value) or hint in str(info.value)

    @pytest.mark.parametrize(
        "value",
        [
            True,
            False,
            None,
            "",
            ".",
            "%",
            "ninety",
            "-0.5",
            "-5%",
            "101%",
            "1e-3",
            "nan",
            "inf",
            float("nan"),
            float("inf"),
            -0.0001,
            Decimal("NaN"),
            Decimal("-Infinity"),
            Decimal("-0.1"),
            Fraction(-1, 2),
            "1/0",
            "3/2",
            Fraction(3, 2),
            [0.5],
            "9" * 5000,  # Python's digit limit is never reached
            "0." + "1" * 5000,
            Decimal("1E-99999999"),  # refused, not expanded into a huge denominator
            Decimal("1E+99999999"),  # no percentage is that large: no '%' hint either
            pytest.param(10**5000, id="int-of-5001-digits"),  # beyond str()'s digit limit
            101,
        ],
    )
    def test_refused(self, value: object) -> None:
        """Everything else is an InvalidValueError naming the field and the value."""
        with pytest.raises(InvalidValueError, match="'impact' must be"):
            parse_ratio(value, "impact")

    def test_huge_values_are_quick(self) -> None:
        """Absurd exponents and digit strings are refused at once (no expansion, no hang)."""
        begin = time.perf_counter()
        for value in (Decimal("1E+99999999"), Decimal("1E-99999999"), "9" * 100_000):
            with pytest.raises(InvalidValueError):
                parse_ratio(value)
        assert time.perf_counter() - begin < 5  # a generous bound: each is microseconds


class TestWrite:
    @pytest.mark.parametrize(
        ("ratio", "text"),
        [
            (Fraction(199, 200), "99.5%"),
            (Fraction(1), "100%"),
            (Fraction(0), "0%"),
            (Fraction(1, 3), "1/3"),
            (Fraction(1, 8), "12.5%"),
        ],
    )
    def test_percent_text(self, ratio: Fraction, text: str) -> None:
        """Documents carry the exact percentage, or p/q where no decimal holds it."""
        assert percent_text(ratio) == text

    @pytest.mark.parametrize(
        ("ratio", "places", "text"),
        [
            (Fraction(99, 100), 3, "99%"),
            (Fraction(41, 42), 3, "97.619%"),  # 97.6190476...
            (Fraction(9949943720226385, 10**16), 3, "99.499%"),
            (Fraction(111, 187), 3, "59.358%"),  # 59.35828...
            (Fraction(1, 8), 1, "12.5%"),
            (Fraction(1, 2), 0, "50%"),
            (Fraction(0), 3, "0%"),
        ],
    )
    def test_format_percent(self, ratio: Fraction, places: int, text: str) -> None:
        """People read percentages without trailing zeros, never a float or a Fraction repr."""
        assert format_percent(ratio, places) == text

    @pytest.mark.parametrize(
        ("ratio", "label"),
        [
            (Fraction(99, 100), "99%"),
            (Fraction(9759439, 10**7), "97.594% (exactly 97.59439%)"),
            (Fraction(1206511, 1209600), "99.745% (rounded)"),  # 99.74462...: no decimal holds it
            (Fraction(1, 3), "33.333% (rounded)"),
        ],
    )
    def test_percent_label(self, ratio: Fraction, label: str) -> None:
        """Reports say when a shown percentage is rounded, and give the exact one when finite."""
        assert percent_label(ratio) == label

    def test_format_decimal(self) -> None:
        """Multiples such as burn rates print as short decimals."""
        assert format_decimal(Fraction(72, 5)) == "14.4"
        assert format_decimal(Fraction(1000, 6)) == "166.67"  # 166.666...
        assert format_decimal(Fraction(3)) == "3"

    def test_display_never_feeds_back(self) -> None:
        """99.949% displays as 99.95% at two places, and still compares below 99.95%."""
        ratio = parse_ratio("99.949%")
        assert format_percent(ratio, 2) == "99.95%"
        assert ratio < parse_ratio("99.95%")

    def test_ratio_text(self) -> None:
        """The exact text: a terminating decimal, else p/q."""
        assert ratio_text(Fraction(99, 100)) == "0.99"
        assert ratio_text(Fraction(41, 42)) == "41/42"
        assert ratio_text(Fraction(-1, 4)) == "-0.25"


class TestLaws:
    @given(st.fractions(min_value=0, max_value=1))
    def test_document_round_trip(self, ratio: Fraction) -> None:
        """What a document is given is what is read back, exactly."""
        assert parse_ratio(percent_text(ratio)) == ratio

    @given(st.fractions(min_value=0, max_value=1))
    def test_ratio_text_round_trip(self, ratio: Fraction) -> None:
        """The exact text of a ratio reads back as the same ratio."""
        assert parse_ratio(ratio_text(ratio)) == ratio

    @given(st.floats(min_value=0, max_value=1))
    def test_floats_by_shortest_repr(self, value: float) -> None:
        """A float reads as its shortest repr, the decimal people wrote."""
        assert parse_ratio(value) == Fraction(Decimal(repr(value)))

    @given(st.decimals(min_value=0, max_value=1, places=6))
    def test_forms_agree(self, number: Decimal) -> None:
        """Decimal, its text, and its text in percent all read as one ratio."""
        assert parse_ratio(number) == parse_ratio(str(number)) == Fraction(number)
        assert parse_ratio(f"{number * 100}%") == Fraction(number)

    @given(st.fractions(min_value=Fraction(1), max_value=10**6).filter(lambda f: f > 1))
    def test_above_one_always_refused(self, ratio: Fraction) -> None:
        """Every value above 1 is refused in every numeric form."""
        for form in (ratio, f"{ratio.numerator}/{ratio.denominator}", ratio_text(ratio)):
            with pytest.raises(InvalidValueError, match="must be a ratio"):
                parse_ratio(form)
