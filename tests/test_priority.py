"""Tests for impact, urgency, priority and the priority matrix."""

from __future__ import annotations

import pickle

import pytest

from itilkit import Impact, InvalidValueError, Priority, PriorityMatrix, Urgency
from itilkit._priority import ITIL_MATRIX

# ServiceNow's base-system lookup rules, copied by hand from its documentation:
# (impact, urgency) -> priority.
SERVICENOW_TABLE = [
    ("1 - High", "1 - High", "1 - Critical"),
    ("1 - High", "2 - Medium", "2 - High"),
    ("1 - High", "3 - Low", "3 - Moderate"),
    ("2 - Medium", "1 - High", "2 - High"),
    ("2 - Medium", "2 - Medium", "3 - Moderate"),
    ("2 - Medium", "3 - Low", "4 - Low"),
    ("3 - Low", "1 - High", "3 - Moderate"),
    ("3 - Low", "2 - Medium", "4 - Low"),
    ("3 - Low", "3 - Low", "5 - Planning"),
]


class TestLevels:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1 - High", Impact.HIGH),
            ("2 - Medium", Impact.MEDIUM),
            ("3 - Low", Impact.LOW),
            ("medium", Impact.MEDIUM),
            ("HIGH", Impact.HIGH),
            (" 3 ", Impact.LOW),
            (2, Impact.MEDIUM),
            (Impact.LOW, Impact.LOW),
        ],
    )
    def test_impact_parses_servicenow_labels_names_and_numbers(
        self, text: object, expected: Impact
    ) -> None:
        """Impact reads '2 - Medium', a name in any case, or the number."""
        assert Impact.parse(text) is expected

    @pytest.mark.parametrize("bad", ["4 - Huge", "2 - Low", "urgent", 0, 4, True, None, 2.0])
    def test_impact_rejects_unknown_labels(self, bad: object) -> None:
        """An unknown or contradictory label is an InvalidValueError naming 'impact'."""
        with pytest.raises(InvalidValueError, match=r"^'impact' must be one of '1 - High'"):
            Impact.parse(bad)

    def test_urgency_parses_and_labels(self) -> None:
        """Urgency reads like Impact and has ServiceNow's display label."""
        assert Urgency.parse("1 - High") is Urgency.HIGH
        assert Urgency.LOW.label == "Low"
        with pytest.raises(InvalidValueError, match=r"^'urgency' must be"):
            Urgency.parse("soon")


class TestPriority:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("P1", Priority.P1),
            ("p4", Priority.P4),
            ("1 - Critical", Priority.P1),
            ("5 - Planning", Priority.P5),
            ("critical", Priority.P1),
            ("Moderate", Priority.P3),
            (3, Priority.P3),
            ("2", Priority.P2),
            (Priority.P5, Priority.P5),
        ],
    )
    def test_parse(self, text: object, expected: Priority) -> None:
        """Priority reads 'P1', '1 - Critical', 'critical' or an int."""
        assert Priority.parse(text) is expected

    @pytest.mark.parametrize("bad", ["P6", "P0", "1 - Low", "urgent", 0, 6, None, True])
    def test_parse_rejects(self, bad: object) -> None:
        """Anything else is an InvalidValueError naming 'priority'."""
        with pytest.raises(InvalidValueError, match=r"^'priority' must be P1 to P5"):
            Priority.parse(bad)

    def test_labels_and_order(self) -> None:
        """P1 is critical and ranks first; labels are ServiceNow's."""
        assert [p.label for p in Priority] == ["Critical", "High", "Moderate", "Low", "Planning"]
        assert Priority.P1 < Priority.P5


class TestItilMatrix:
    @pytest.mark.parametrize(("impact", "urgency", "priority"), SERVICENOW_TABLE)
    def test_default_matches_servicenow(self, impact: str, urgency: str, priority: str) -> None:
        """Every cell of the default is ServiceNow's documented lookup rule."""
        expected = Priority.parse(priority)
        assert PriorityMatrix.itil().priority(impact, urgency) is expected
        assert ITIL_MATRIX[(Impact.parse(impact), Urgency.parse(urgency))] is expected

    def test_table_is_frozen(self) -> None:
        """The rule table is read-only data."""
        with pytest.raises(TypeError):
            ITIL_MATRIX[(Impact.HIGH, Urgency.HIGH)] = Priority.P5  # type: ignore[index]

    def test_repr_and_pickle(self) -> None:
        """The default shows as the call that builds it and survives pickling."""
        matrix = PriorityMatrix.itil()
        assert repr(matrix) == "PriorityMatrix.itil()"
        assert pickle.loads(pickle.dumps(matrix)) == matrix

    def test_levels(self) -> None:
        """Levels of a three-level matrix come back as the enums."""
        matrix = PriorityMatrix.itil()
        assert matrix.impact_level("medium") is Impact.MEDIUM
        assert matrix.urgency_level(1) is Urgency.HIGH
        with pytest.raises(InvalidValueError, match=r"^'urgency' must be one of"):
            matrix.urgency_level("4 - Whenever")


class TestCustomMatrix:
    def test_five_by_five_from_rows(self) -> None:
        """A 5x5 table: levels are numbers 1..5, read row (impact) by column (urgency)."""
        rows = [
            ["P1", "P1", "P2", "P2", "P3"],
            ["P1", "P2", "P2", "P3", "P3"],
            ["P2", "P2", "P3", "P3", "P4"],
            ["P2", "P3", "P3", "P4", "P5"],
            ["P3", "P3", "P4", "P5", "P5"],
        ]
        matrix = PriorityMatrix.from_table(rows, name="5x5")
        assert matrix.impacts == ("1", "2", "3", "4", "5")
        assert matrix.priority(4, 5) is Priority.P5
        assert matrix.priority("5", "1") is Priority.P3
        assert matrix.impact_level(4) == 4
        assert repr(matrix) == "<PriorityMatrix '5x5' 5x5>"

    def test_itop_style_from_mapping(self) -> None:
        """An impact-by-scope table given as a mapping, with named levels."""
        scopes = ["A department", "A service", "A person"]
        urgencies = ["Critical", "High", "Medium", "Low"]
        cells = {
            (s, u): ("P1" if i + j < 2 else "P4" if j == 3 else "P3")
            for i, s in enumerate(scopes)
            for j, u in enumerate(urgencies)
        }
        matrix = PriorityMatrix.from_table(cells, impacts=scopes, urgencies=urgencies)
        assert matrix.priority("A department", "High") is Priority.P1
        assert matrix.priority("2 - A service", "4 - Low") is Priority.P4
        assert matrix.priority("a person", "medium") is Priority.P3
        assert matrix.impact_level("a service") is Impact.MEDIUM  # three levels: the enum

    def test_same_cells_as_itil_compare_equal_by_value(self) -> None:
        """A matrix is a value: the ITIL cells typed out by hand equal the default's cells."""
        rows = [["P1", "P2", "P3"], ["P2", "P3", "P4"], ["P3", "P4", "P5"]]
        built = PriorityMatrix.from_table(rows, name="ITIL")
        assert built == PriorityMatrix.itil()

    @pytest.mark.parametrize(
        ("table", "kwargs", "match"),
        [
            ([], {}, r"^'matrix' must be at least one row"),
            ([["P1", "P2"], ["P2"]], {}, r"^'matrix\[2\]' must be a row of 2 priorities"),
            ([["P1", "P9"]], {}, r"^'priority' must be P1 to P5"),
            ([["P1"], ["P2"]], {"impacts": ["A"]}, r"^'impacts' must be 2 level names"),
            ([["P1"], ["P2"]], {"impacts": ["A", "a"]}, r"^'impacts' must be distinct"),
            ([["P1"]], {"impacts": "A"}, r"^'impacts' must be a sequence"),
            ([["P1"]], {"impacts": []}, r"^'impacts' must be at least one level name"),
            ({("A", "X"): "P1"}, {}, r"^'impacts' must be given"),
            (
                {("A", "X"): "P1"},
                {"impacts": ["A", "B"], "urgencies": ["X"]},
                r"^'matrix' must be filled in every cell \(got \"no priority for \('B', 'X'\)\"\)",
            ),
            (
                {("A", "Y"): "P1"},
                {"impacts": ["A"], "urgencies": ["X"]},
                r"^\"matrix\[\('A', 'Y'\)\] urgency\" must be one of '1 - X'",
            ),
            ({"A": "P1"}, {"impacts": ["A"], "urgencies": ["X"]}, r"^'matrix' must be keyed"),
        ],
    )
    def test_invalid_tables(self, table: object, kwargs: dict[str, object], match: str) -> None:
        """Every cell filled, only known levels, valid priorities: else InvalidValueError."""
        with pytest.raises(InvalidValueError, match=match):
            PriorityMatrix.from_table(table, **kwargs)  # type: ignore[arg-type]


class TestHostileInput:
    """Input that is no level, priority or table is a clear InvalidValueError."""

    DIGITS = "9" * 5000  # beyond Python's int digit limit (4300)

    @pytest.mark.parametrize(
        "parse", [Impact.parse, Urgency.parse, Priority.parse], ids=["impact", "urgency", "p"]
    )
    @pytest.mark.parametrize("text", [DIGITS, "P" + DIGITS, DIGITS + " - High", "1" + "0" * 12])
    def test_long_numbers_are_no_level(self, parse: object, text: str) -> None:
        """A run of digits far beyond any level is refused, without converting it."""
        with pytest.raises(InvalidValueError):
            parse(text)  # type: ignore[operator]

    def test_long_numbers_in_a_matrix_lookup(self) -> None:
        """The matrix lookup refuses them too, naming the field."""
        with pytest.raises(InvalidValueError, match=r"^'impact' must be one of"):
            PriorityMatrix.itil().priority(self.DIGITS, 1)

    def test_short_numbers_still_read(self) -> None:
        """Level numbers with leading zeros or spaces keep working."""
        assert Priority.parse("P01") is Priority.P1
        assert Impact.parse(" 002 - Medium ") is Impact.MEDIUM

    @pytest.mark.parametrize("table", [5, None, [None], [["P1"], 3], ["P1P2"]])
    def test_tables_that_are_not_tables(self, table: object) -> None:
        """A table is rows of priorities or a mapping; anything else says so."""
        with pytest.raises(InvalidValueError, match=r"^'matrix(\[\d\])?' must be"):
            PriorityMatrix.from_table(table)  # type: ignore[arg-type]

    @pytest.mark.parametrize("labels", [5, [None], ["a", ""]])
    def test_labels_that_are_not_labels(self, labels: object) -> None:
        """Level names are non-empty strings."""
        with pytest.raises(InvalidValueError, match=r"^'impacts' must be"):
            PriorityMatrix.from_table([["P1"]], impacts=labels)  # type: ignore[arg-type]


def test_a_cell_named_twice_in_a_mapping_is_refused() -> None:
    """('High', 'High') and (1, 1) name the same cell: giving both is an error, not last-wins."""
    table = {
        ("High", "High"): "P1",
        (1, 1): "P2",
        ("High", "Low"): "P2",
        ("Low", "High"): "P3",
        ("Low", "Low"): "P4",
    }
    with pytest.raises(InvalidValueError, match=r"^'matrix' must be one priority per"):
        PriorityMatrix.from_table(table, impacts=["High", "Low"], urgencies=["High", "Low"])
