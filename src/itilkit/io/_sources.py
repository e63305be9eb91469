"""What every reader of exports shares: opening a source, telling its delimiter,
reading a DataFrame cell as CSV text, checking a header, and saying what a CSV
error means.

The readers of :mod:`itilkit.io` (audit logs, snapshots, field-change tables,
outage lists, load samples) each read their own layout, but a file is opened,
a header checked and a broken quote explained in one way, here.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Final, TextIO

from .._errors import EventLogError, InvalidValueError, must
from .._incident import HoldReason, State, StepBuilder
from .._priority import Priority, PriorityMatrix

__all__ = [
    "DELIMITERS",
    "MISSING",
    "SERVICENOW_HOLD_REASON_CODES",
    "SERVICENOW_STATE_CODES",
    "check_header",
    "csv_header",
    "csv_problem",
    "frame_cell",
    "is_frame",
    "missing_column",
    "note_priority_mismatch",
    "open_text",
    "sniff_delimiter",
    "state_spec",
    "swallows",
    "width_problem",
]

# ServiceNow's incident ``incident_state`` codes (1 New, 2 In Progress, 3 On Hold, 6 Resolved,
# 7 Closed, 8 Canceled) and ``hold_reason`` codes (1 Awaiting Caller, 3 Awaiting Problem,
# 4 Awaiting Vendor, 5 Awaiting Change): the value/label pairs of ServiceNow's choice lists as
# the ServiceNow-certified Ansible collection maps them (ansible-collections/servicenow.itsm,
# plugins/module_utils/incident.py, PAYLOAD_FIELDS_MAPPING); the labels are those of
# ServiceNow's documentation, "Incident life cycle" (States: New, In Progress, On Hold with
# the On hold reasons Awaiting Caller, Awaiting Change, Awaiting Problem, Awaiting Vendor,
# Resolved, Closed, Canceled). Code 2 of ``hold_reason`` is in neither: the data's publisher
# reads it as "Awaiting Evidence", an older choice; it is not guessed here (a bad_value).
SERVICENOW_STATE_CODES: Final[Mapping[str, State]] = MappingProxyType(
    {
        "1": State.NEW,
        "2": State.IN_PROGRESS,
        "3": State.ON_HOLD,
        "6": State.RESOLVED,
        "7": State.CLOSED,
        "8": State.CANCELED,
    }
)
SERVICENOW_HOLD_REASON_CODES: Final[Mapping[str, HoldReason]] = MappingProxyType(
    {
        "1": HoldReason.AWAITING_CALLER,
        "3": HoldReason.AWAITING_PROBLEM,
        "4": HoldReason.AWAITING_VENDOR,
        "5": HoldReason.AWAITING_CHANGE,
    }
)


#: The delimiters a header is sniffed for.
DELIMITERS: Final = (",", ";", "\t", "|")
#: Cell texts that mean "no value" in the exports itilkit reads.
MISSING: Final = frozenset({"", "?", "null", "NULL", "None", "NaN", "nan", "N/A"})


def open_text(source: object, encoding: str, what: str) -> tuple[TextIO, bool]:
    """A text handle on ``source`` (a path or an open text file) and whether it is ours to close.

    ``what`` names the kind of file in messages (``"event-log file"``).
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return open(path, newline="", encoding=encoding), True
        except LookupError:
            raise InvalidValueError("encoding", "a text encoding Python knows", encoding) from None
        except OSError as exc:
            raise EventLogError(
                must("source", f"a readable {what}", str(path)) + f": {exc.strerror or exc}"
            ) from None
        except ValueError:  # a path holding a NUL, or not encodable for the file system
            raise EventLogError(must("source", "a valid file path", str(path))) from None
    if isinstance(source, io.TextIOBase):
        return source, False  # type: ignore[return-value]
    if isinstance(source, io.BufferedIOBase | io.RawIOBase) or "b" in str(
        getattr(source, "mode", "")
    ):
        raise InvalidValueError(
            "source", "a file opened in text mode (open(path, newline='')), not bytes", source
        )
    if hasattr(source, "read") and hasattr(source, "__iter__"):
        return source, False  # type: ignore[return-value]
    raise InvalidValueError(
        "source", "a path (str or Path), an open text file or a pandas DataFrame", source
    )


def sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: the most frequent of ``, ; tab |`` outside quotes.

    >>> sniff_delimiter('Key;Status;"a, b"'), sniff_delimiter("one")
    (';', ',')
    """
    outside = line.split('"')[::2]
    counts = [sum(part.count(d) for part in outside) for d in DELIMITERS]
    best = max(range(len(DELIMITERS)), key=counts.__getitem__)
    return DELIMITERS[best] if counts[best] else ","


def csv_header(
    handle: TextIO, delimiter: str | None
) -> tuple[Iterator[list[str]], list[str], str]:
    """The rows of a CSV text after its header, the header row as read, and the delimiter
    (told from the first line when not given). An empty text, or a blank first row, is an
    :class:`~itilkit.EventLogError` at row 1."""
    lines: Iterable[str] = handle
    if delimiter is None:
        first = next(iter(handle), "")
        delimiter = sniff_delimiter(first)
        lines = itertools.chain([first], handle)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header = next(reader, None)
    if header is None or header == [""] or (header == [] and next(reader, None) is None):
        raise EventLogError("the file is empty: a header row is needed", row=1)
    if not header:
        raise EventLogError("the first row is blank: a header row is needed", row=1)
    return reader, header, delimiter


def csv_problem(exc: csv.Error) -> str:
    """What a ``csv.Error`` means, for someone looking at the export."""
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return (
            f"a field is longer than {csv.field_size_limit()} characters, the most one CSV "
            "field may hold (a quote left open can swallow the rest of the file into one field)"
        )
    if text == "unexpected end of data":
        return "the file ends inside a quoted field: a quote opened in this row is never closed"
    if "expected after" in text:
        return f"a quoted field must end at a delimiter: a stray quote ({text})"
    if "new-line character seen in unquoted field" in text:
        return "a line break inside a field: open the file with newline=''"
    return f"is not valid CSV ({text})"


def is_frame(source: object) -> bool:
    """Whether ``source`` is a pandas DataFrame (without importing pandas)."""
    return (
        type(source).__name__ == "DataFrame"
        and hasattr(source, "itertuples")
        and hasattr(source, "columns")
    )


def frame_cell(value: object) -> str:
    """A DataFrame cell as the text a CSV export would hold.

    >>> frame_cell(3.0), frame_cell(float("nan")), frame_cell(True), frame_cell(None)
    ('3', '', 'true', '')
    """
    if isinstance(value, str):
        return value
    if value is None or type(value).__name__ in ("NaTType", "NAType"):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def missing_column(
    field: str, column: str, header: list[str], delimiter: str, given: bool
) -> EventLogError:
    """The error for a column not in the header: it shows the header, and suggests the
    delimiter when the header reads as one field."""
    shown = ", ".join(header[:60]) + (f", ... ({len(header)} columns)" if len(header) > 60 else "")
    why = f"given for {field!r} in 'columns'" if given else f"needed for {field!r}"
    message = f"no such column ({why}); the header has: {shown or '(nothing)'}"
    if len(header) == 1:
        others = [d for d in DELIMITERS if d != delimiter and d in header[0]]
        if others:
            message += (
                f"; the header reads as one field, so the file may be separated by "
                f"{others[0]!r}, not {delimiter!r}: pass delimiter={others[0]!r} (or None to sniff)"
            )
    return EventLogError(message, row=1, column=column)


def check_header(header: list[str]) -> None:
    """Refuse a header that names a column twice (which one holds the value is ambiguous)."""
    places: dict[str, list[int]] = {}
    for number, name in enumerate(header, start=1):
        if name:
            places.setdefault(name, []).append(number)
    twice = {name: where for name, where in places.items() if len(where) > 1}
    if twice:
        listed = "; ".join(
            f"{name!r} in columns {', '.join(map(str, where))}" for name, where in twice.items()
        )
        raise EventLogError(
            f"the header names a column more than once ({listed}): which one holds the value is "
            "ambiguous, so rename one",
            row=1,
            column=next(iter(twice)),
        )


def _level_text(level: object) -> str:
    label = getattr(level, "label", None)
    return f"{int(level)} - {label}" if label else str(level)  # type: ignore[call-overload]


def note_priority_mismatch(
    builder: StepBuilder,
    matrix: PriorityMatrix,
    key: str,
    us: int,
    row: int | None,
    recorded: Priority,
    impact: object,
    urgency: object,
) -> bool:
    """Note (once) a recorded priority the matrix would not give for the recorded impact and
    urgency: the ``priority_mismatch`` anomaly. The recorded priority is kept; True if noted."""
    if impact is None or urgency is None:
        return False
    computed = matrix.priority(impact, urgency)
    if computed is recorded:
        return False
    builder.note(
        "priority_mismatch",
        f"{key}: the export records priority {recorded.name} ({recorded.value} - "
        f"{recorded.label}) where the {matrix.name} matrix gives {computed.name} for "
        f"impact {_level_text(impact)} and urgency {_level_text(urgency)}; the recorded "
        "priority is kept (priority='matrix' recomputes it)",
        us,
        row,
    )
    return True


def state_spec(spec: object, field: str = "states") -> tuple[State, HoldReason | None]:
    """A state mapping's value: ``"state"``, ``"state:reason"``, a State, or ``(state, reason)``.

    >>> state_spec("on_hold:awaiting_caller")
    (<State.ON_HOLD: 'on_hold'>, <HoldReason.AWAITING_CALLER: 'awaiting_caller'>)
    """
    if isinstance(spec, tuple) and len(spec) == 2:
        state = State.parse(spec[0])
        reason = None if spec[1] is None else HoldReason.parse(spec[1])
    elif isinstance(spec, str) and ":" in spec:
        head, _, tail = spec.partition(":")
        state, reason = State.parse(head), HoldReason.parse(tail)
    else:
        state, reason = State.parse(spec), None
    if reason is not None and state is not State.ON_HOLD:
        raise InvalidValueError(field, "a hold reason only with on_hold", spec)
    return state, reason


def swallows(record: list[str], delimiter: str, width: int) -> bool:
    r"""Whether a record read across several lines holds, inside a field, lines that look
    like rows of the file (as many delimiters as a row has): a quote left open swallowed
    them. A quoted field with ordinary line breaks (a description) does not.

    >>> swallows(['INC1', 'Urgent\nINC2,Active,x\nINC3,New,y'], ",", 3)
    True
    >>> swallows(['INC1', 'first line\nsecond line'], ",", 3)
    False
    """
    if width < 2:
        return False
    for field in record:
        if "\n" in field:
            for piece in field.split("\n")[1:]:
                if piece.count(delimiter) >= width - 1:
                    return True
    return False


def width_problem(
    record: list[str], width: int, id_col: int, row: int
) -> tuple[str, str, EventLogError]:
    """``(ticket id, kind, error)`` for a record with more or fewer cells than the header."""
    key = record[id_col].strip() if len(record) > id_col else ""
    kind = "short_row" if len(record) < width else "long_row"
    error = EventLogError(f"has {len(record)} fields where the header has {width}", row=row)
    return key, kind, error
