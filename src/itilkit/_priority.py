"""Impact, urgency and priority: how ITIL ranks incidents.

ITIL's incident management practice ranks an incident by two judgements:
its **impact** (how much of the business it hurts) and its **urgency** (how
soon the business needs it fixed). A **priority matrix** turns the pair into
a **priority**, P1 (critical) to P5 (planning), and the priority picks the SLA
targets. ServiceNow numbers every level from 1 (the highest) and writes it as
``"2 - Medium"``; itilkit reads and keeps that numbering.

The default is the 3x3 table that ServiceNow ships (:data:`ITIL_MATRIX`).
Organisations rank differently (a 4x4 or 5x5 table, or iTop's impact *by
scope*: a department, a service, a person), so a :class:`PriorityMatrix` is
data: its level names and its cells, validated on construction (every cell
filled, only the levels it declares).

>>> PriorityMatrix.itil().priority(Impact.HIGH, Urgency.MEDIUM)
<Priority.P2: 2>
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final

import attrs

from ._errors import InvalidValueError
from ._vocabulary import normalise

__all__ = ["ITIL_MATRIX", "ITIL_PRIORITIES", "Impact", "Priority", "PriorityMatrix", "Urgency"]

# A level number has at most a few digits: a longer run of digits is no level (and would
# cost Python's int digit limit, or time, to convert).
_NUMBERED = re.compile(r"^\s*(\d{1,9})\s*(?:-\s*(.*?))?\s*$")


class _Level(enum.IntEnum):
    """A three-level rating numbered like ServiceNow: 1 is the highest."""

    @property
    def label(self) -> str:
        """The display name, as ServiceNow writes it after the number (``'Medium'``)."""
        return self.name.capitalize()

    @classmethod
    def _field(cls) -> str:
        return cls.__name__.lower()

    @classmethod
    def parse(cls, value: object) -> _Level:
        """The level from a member, its number, its name or ServiceNow's ``'2 - Medium'``."""
        if isinstance(value, cls):
            return value
        found: _Level | None = None
        if isinstance(value, int) and not isinstance(value, bool | enum.Enum):
            found = cls._value2member_map_.get(value)  # type: ignore[assignment]
        elif isinstance(value, str):
            match = _NUMBERED.match(value)
            if match is not None:
                found = cls._value2member_map_.get(int(match.group(1)))  # type: ignore[assignment]
                label = match.group(2)
                if found is not None and label and normalise(label) != found.name.casefold():
                    found = None
            else:
                found = cls.__members__.get(normalise(value).upper())
        if found is None:
            choices = ", ".join(f"'{m.value} - {m.label}'" for m in cls)
            raise InvalidValueError(cls._field(), f"one of {choices} (or the name)", value)
        return found


class Impact(_Level):
    """How much of the business an incident hurts (ServiceNow's ``impact``).

    >>> Impact.parse("2 - Medium"), Impact.parse("high"), Impact.parse(3)
    (<Impact.MEDIUM: 2>, <Impact.HIGH: 1>, <Impact.LOW: 3>)
    """

    HIGH = 1
    MEDIUM = 2
    LOW = 3


class Urgency(_Level):
    """How soon the business needs an incident fixed (ServiceNow's ``urgency``).

    >>> Urgency.parse("1 - High").label
    'High'
    """

    HIGH = 1
    MEDIUM = 2
    LOW = 3


_PRIORITY_LABELS: Final = MappingProxyType(
    {1: "Critical", 2: "High", 3: "Moderate", 4: "Low", 5: "Planning"}
)


class Priority(enum.IntEnum):
    """The rank that picks an incident's SLA targets: P1 critical ... P5 planning.

    >>> Priority.parse("P2"), Priority.parse("1 - Critical"), Priority.parse("planning")
    (<Priority.P2: 2>, <Priority.P1: 1>, <Priority.P5: 5>)
    >>> Priority.P3.label
    'Moderate'
    """

    P1 = 1
    P2 = 2
    P3 = 3
    P4 = 4
    P5 = 5

    @property
    def label(self) -> str:
        """ServiceNow's name of the priority (``'Critical'`` ... ``'Planning'``)."""
        return _PRIORITY_LABELS[self.value]

    @classmethod
    def parse(cls, value: object) -> Priority:
        """The priority from ``'P1'``, ``'1 - Critical'``, ``'critical'`` or ``1``."""
        if isinstance(value, Priority):
            return value
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool | enum.Enum):
            number = value
        elif isinstance(value, str):
            text = value.strip()
            match = _NUMBERED.match(text[1:] if text[:1] in {"P", "p"} else text)
            if match is not None:
                number = int(match.group(1))
                label = match.group(2)
                if (
                    label
                    and number in _PRIORITY_LABELS
                    and (normalise(label) != _PRIORITY_LABELS[number].casefold())
                ):
                    number = None
            else:
                for key, name in _PRIORITY_LABELS.items():
                    if normalise(text) == name.casefold():
                        number = key
        if number is None or number not in cls._value2member_map_:
            raise InvalidValueError(
                "priority", "P1 to P5, '1 - Critical' ... '5 - Planning', or a name", value
            )
        return cls(number)


ITIL_MATRIX: Final[Mapping[tuple[Impact, Urgency], Priority]] = MappingProxyType(
    {
        (Impact.HIGH, Urgency.HIGH): Priority.P1,
        (Impact.HIGH, Urgency.MEDIUM): Priority.P2,
        (Impact.HIGH, Urgency.LOW): Priority.P3,
        (Impact.MEDIUM, Urgency.HIGH): Priority.P2,
        (Impact.MEDIUM, Urgency.MEDIUM): Priority.P3,
        (Impact.MEDIUM, Urgency.LOW): Priority.P4,
        (Impact.LOW, Urgency.HIGH): Priority.P3,
        (Impact.LOW, Urgency.MEDIUM): Priority.P4,
        (Impact.LOW, Urgency.LOW): Priority.P5,
    }
)
"""The ITIL 3x3 impact x urgency -> priority table.

Source: ServiceNow's base-system priority data lookup rules for incidents
("Managing incident priority", ServiceNow ITSM blog; "Define priority lookup
rules", ServiceNow docs), which implement the impact x urgency matrix of
ITIL 4's incident management practice. Read by :meth:`PriorityMatrix.itil`.
"""


def _level_index(value: object, labels: tuple[str, ...], field: str, kind: type[_Level]) -> int:
    """The 1-based level of ``value`` among ``labels`` (a number, a label or ``'N - label'``)."""
    count = len(labels)
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= count:
            return int(value)
    elif isinstance(value, str):
        match = _NUMBERED.match(value)
        if match is not None:
            number = int(match.group(1))
            label = match.group(2)
            if 1 <= number <= count and (
                not label or normalise(label) == normalise(labels[number - 1])
            ):
                return number
        else:
            wanted = normalise(value)
            for number, label in enumerate(labels, start=1):
                if normalise(label) == wanted:
                    return number
            if count == 3 and wanted.upper() in kind.__members__:
                return int(kind.__members__[wanted.upper()])
    choices = ", ".join(f"'{n} - {label}'" for n, label in enumerate(labels, start=1))
    raise InvalidValueError(field, f"one of {choices}", value)


@attrs.frozen(repr=False)
class PriorityMatrix:
    """An impact x urgency -> priority table (rules are data).

    ``cells[i - 1][u - 1]`` is the priority of impact level ``i`` and urgency
    level ``u``; level 1 is the highest, as in ServiceNow. Build one with
    :meth:`itil` or :meth:`from_table`; both validate every cell.

    >>> m = PriorityMatrix.itil()
    >>> m.priority("1 - High", "3 - Low")
    <Priority.P3: 3>
    """

    impacts: tuple[str, ...]
    urgencies: tuple[str, ...]
    cells: tuple[tuple[Priority, ...], ...]
    name: str = "custom"

    @classmethod
    def itil(cls) -> PriorityMatrix:
        """The ITIL/ServiceNow default 3x3 table (:data:`ITIL_MATRIX`).

        >>> PriorityMatrix.itil().priority(Impact.LOW, Urgency.LOW)
        <Priority.P5: 5>
        """
        return ITIL_PRIORITIES

    @classmethod
    def from_table(
        cls,
        table: Mapping[tuple[object, object], object] | Sequence[Sequence[object]],
        *,
        impacts: Sequence[str] | None = None,
        urgencies: Sequence[str] | None = None,
        name: str = "custom",
    ) -> PriorityMatrix:
        """A custom matrix from rows (one per impact level) or an ``{(impact, urgency): p}`` map.

        ``impacts`` and ``urgencies`` name the levels, highest first (default:
        High/Medium/Low for three levels, else ``'1'``, ``'2'``, ...). Every
        cell must be filled, with a priority, and a mapping may name only the
        declared levels.

        >>> m = PriorityMatrix.from_table(
        ...     [["P1", "P1", "P2", "P4"], ["P1", "P2", "P3", "P4"], ["P2", "P3", "P3", "P4"]],
        ...     impacts=["A department", "A service", "A person"],
        ...     urgencies=["Critical", "High", "Medium", "Low"],
        ...     name="iTop-style",
        ... )
        >>> m.priority("a service", "critical")
        <Priority.P1: 1>
        >>> PriorityMatrix.from_table([["P1", "P2"], ["P2"]])
        Traceback (most recent call last):
        ...
        itilkit.InvalidValueError: 'matrix[2]' must be a row of 2 priorities, ... (got ['P2'])
        """
        if isinstance(table, Mapping):
            if impacts is None or urgencies is None:
                raise InvalidValueError(
                    "impacts", "given (with 'urgencies') when the table is a mapping", impacts
                )
            impact_labels = _labels(impacts, "impacts")
            urgency_labels = _labels(urgencies, "urgencies")
            grid: list[list[Priority | None]] = [
                [None] * len(urgency_labels) for _ in impact_labels
            ]
            for key, value in table.items():
                if not isinstance(key, tuple) or len(key) != 2:
                    raise InvalidValueError("matrix", "keyed by (impact, urgency) pairs", key)
                i = _level_index(key[0], impact_labels, f"matrix[{key!r}] impact", Impact)
                u = _level_index(key[1], urgency_labels, f"matrix[{key!r}] urgency", Urgency)
                if grid[i - 1][u - 1] is not None:
                    raise InvalidValueError(
                        "matrix", "one priority per (impact, urgency) cell", key
                    )
                grid[i - 1][u - 1] = Priority.parse(value)
            for i, row in enumerate(grid, start=1):
                for u, cell in enumerate(row, start=1):
                    if cell is None:
                        raise InvalidValueError(
                            "matrix",
                            "filled in every cell",
                            f"no priority for {(impact_labels[i - 1], urgency_labels[u - 1])!r}",
                        )
            rows = [tuple(c for c in row if c is not None) for row in grid]
        else:
            if isinstance(table, str) or not isinstance(table, Iterable):
                raise InvalidValueError("matrix", "rows of priorities or a mapping", table)
            raw = [_row(row, i) for i, row in enumerate(table, start=1)]
            if not raw or not raw[0]:
                raise InvalidValueError("matrix", "at least one row and one column", table)
            width = len(urgencies) if urgencies is not None else len(raw[0])
            impact_labels = _labels(impacts, "impacts", len(raw))
            urgency_labels = _labels(urgencies, "urgencies", width)
            rows = []
            for i, raw_row in enumerate(raw, start=1):
                if len(raw_row) != width:
                    raise InvalidValueError(
                        f"matrix[{i}]",
                        f"a row of {width} priorities, one per urgency level",
                        raw_row,
                    )
                rows.append(tuple(Priority.parse(cell) for cell in raw_row))
        return cls(impact_labels, urgency_labels, tuple(rows), name)

    def __repr__(self) -> str:
        if self == ITIL_PRIORITIES:
            return "PriorityMatrix.itil()"
        return f"<PriorityMatrix {self.name!r} {len(self.impacts)}x{len(self.urgencies)}>"

    def impact_level(self, value: object) -> Impact | int:
        """The impact level of ``value`` in this matrix (an :class:`Impact` for three levels).

        >>> PriorityMatrix.itil().impact_level("2 - Medium")
        <Impact.MEDIUM: 2>
        """
        number = _level_index(value, self.impacts, "impact", Impact)
        return Impact(number) if len(self.impacts) == 3 else number

    def urgency_level(self, value: object) -> Urgency | int:
        """The urgency level of ``value`` in this matrix (an :class:`Urgency` for three levels).

        >>> PriorityMatrix.itil().urgency_level("low")
        <Urgency.LOW: 3>
        """
        number = _level_index(value, self.urgencies, "urgency", Urgency)
        return Urgency(number) if len(self.urgencies) == 3 else number

    def priority(self, impact: object, urgency: object) -> Priority:
        """The priority of an impact and an urgency (levels, numbers or labels).

        >>> PriorityMatrix.itil().priority(Impact.MEDIUM, Urgency.MEDIUM)
        <Priority.P3: 3>
        """
        i = _level_index(impact, self.impacts, "impact", Impact)
        u = _level_index(urgency, self.urgencies, "urgency", Urgency)
        return self.cells[i - 1][u - 1]


def _row(row: object, index: int) -> list[object]:
    if isinstance(row, str | Mapping) or not isinstance(row, Iterable):
        raise InvalidValueError(f"matrix[{index}]", "a row of priorities, one per urgency", row)
    return list(row)


def _labels(given: Sequence[str] | None, field: str, count: int | None = None) -> tuple[str, ...]:
    if given is None:
        assert count is not None
        return (
            ("High", "Medium", "Low") if count == 3 else tuple(str(n) for n in range(1, count + 1))
        )
    if (
        isinstance(given, str)
        or not isinstance(given, Iterable)
        or not all(isinstance(label, str) and label.strip() for label in given)
    ):
        raise InvalidValueError(field, "a sequence of non-empty level names", given)
    labels = tuple(given)
    if not labels:
        raise InvalidValueError(field, "at least one level name", given)
    if len({normalise(label) for label in labels}) != len(labels):
        raise InvalidValueError(field, "distinct level names", given)
    if count is not None and len(labels) != count:
        raise InvalidValueError(field, f"{count} level names", list(labels))
    return labels


#: :data:`ITIL_MATRIX` as a :class:`PriorityMatrix`: what :meth:`PriorityMatrix.itil` returns.
ITIL_PRIORITIES = PriorityMatrix(
    ("High", "Medium", "Low"),
    ("High", "Medium", "Low"),
    tuple(tuple(ITIL_MATRIX[(i, u)] for u in Urgency) for i in Impact),
    "ITIL",
)
