"""Loading outages and load samples: CSV files, pandas DataFrames and Prometheus responses.

:func:`read_outages` reads an outage list (start, end, and optionally
impact, planned, id, service, ci) into :class:`~itilkit.Outage` values that
:func:`~itilkit.measure_availability` and :class:`~itilkit.ErrorBudget` take
as they are. :func:`read_samples` reads load samples, ``(time, value)`` rows
or a Prometheus range-query response, into the ``(instant, ratio)`` pairs
that :func:`~itilkit.find_overloads` and :func:`~itilkit.recurring_overloads`
take with their default ``unit="ratio"``.

Rules for every source:

- A source is a path, an open text (or binary) file, or a pandas DataFrame
  (read as if written by ``frame.to_csv(index=False)``: its first data row is
  row 2). A path is read as ``encoding``; a UTF-8 byte-order mark is skipped.
- CSV is read strictly (a stray or unclosed quote is an error, never a merged
  row); ``delimiter=None`` tells ``,``, ``;``, tab and ``|`` apart, from the
  header when only one of them occurs there, else with :class:`csv.Sniffer`
  restricted to those four, and says so when it cannot decide.
- Columns are found by their neutral names (``start``, ``end``, ...), or by
  the headers ``columns=`` maps those names to.
- Instants are ISO 8601 with a UTC offset. Local times without one are read
  only when ``tz=`` names the zone they were written in, by the
  recorded-timestamp rule of :mod:`itilkit._time` (an ambiguous time, in the
  hour clocks go back, is its first occurrence); a local time that never
  happened (in the hour clocks go forward) is refused, naming the row, since
  reading it would move it. Instants finer than a microsecond are refused,
  not truncated.
- Every ratio is read by the one convention (:func:`itilkit._ratio.parse_ratio`).
- Nothing is dropped silently: a cell that cannot be read, a missing column,
  a row of the wrong width, an empty file or bytes that are not text raise
  :class:`~itilkit.EventLogError` naming the row (the header is row 1), the
  column and the value.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NoReturn

import pendulum

from .._availability import Outage
from .._capacity import Unit, unit_of
from .._errors import ChronologyError, EventLogError, InvalidValueError, must, show
from .._ratio import MAX_DIGITS, exact_decimal, float_ratio, parse_ratio, positive_ratio
from .._time import EPOCH, from_us, recorded_to_us, td_us, to_us, zone, zone_name, zone_of

__all__ = ["Outages", "read_outages", "read_samples"]

Sample = tuple[pendulum.DateTime, Fraction]

OUTAGE_FIELDS = ("start", "end", "impact", "planned", "id", "service", "ci")
SAMPLE_FIELDS = ("time", "value")
_DELIMITERS = ",;\t|"
_SNIFF_CHARS = 4096
_TEXT_LIMIT = 2 * MAX_DIGITS
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_NUMBER = re.compile(r"^\+?(\d+\.?\d*|\.\d+)$")
_LONG_FRACTION = re.compile(r"\d[.,](\d{7,})")
_UTC = zone("UTC")


class Outages(tuple[Outage, ...]):
    """The outages :func:`read_outages` read, in file order; a tuple of :class:`~itilkit.Outage`.

    Beside each outage it keeps what an ``Outage`` has no field for:
    ``rows[i]`` is the row outage ``i`` came from (the header is row 1) and
    ``attributes[i]`` maps ``"service"`` and ``"ci"``, and the header of every
    column that was not read into the outage, to that row's non-empty text.
    It compares and hashes as the plain tuple of outages.

    >>> from itilkit import Outage
    >>> o = Outage("2026-03-02T09:00Z", "2026-03-02T10:00Z")
    >>> table = Outages([o, o], rows=[2, 3], attributes=[{"service": "db"}, {"service": "web"}])
    >>> table.select(service="web").rows, table == (o, o)
    ((3,), True)
    """

    rows: tuple[int, ...]
    attributes: tuple[Mapping[str, str], ...]

    def __new__(
        cls,
        outages: Iterable[Outage],
        *,
        rows: Iterable[int],
        attributes: Iterable[Mapping[str, str]],
    ) -> Outages:
        self = super().__new__(cls, outages)
        row_numbers = tuple(rows)
        fields = tuple(MappingProxyType(dict(a)) for a in attributes)
        if len(row_numbers) != len(self) or len(fields) != len(self):
            raise InvalidValueError(
                "rows", f"one row number and one mapping per outage ({len(self)})", row_numbers
            )
        object.__setattr__(self, "rows", row_numbers)
        object.__setattr__(self, "attributes", fields)
        return self

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_outages, (tuple(self), self.rows, [dict(a) for a in self.attributes]))

    def select(self, **fields: str) -> Outages:
        """The outages whose attributes hold every given value: ``select(service="db")``."""
        keep = [
            i
            for i, found in enumerate(self.attributes)
            if all(found.get(key) == value for key, value in fields.items())
        ]
        return Outages(
            [self[i] for i in keep],
            rows=[self.rows[i] for i in keep],
            attributes=[self.attributes[i] for i in keep],
        )


def _rebuild_outages(
    outages: tuple[Outage, ...], rows: tuple[int, ...], attributes: list[dict[str, str]]
) -> Outages:
    return Outages(outages, rows=rows, attributes=attributes)


# --- sources -------------------------------------------------------------------------------


def _is_frame(source: object) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(source, pandas.DataFrame)


def _check_encoding(encoding: object) -> str:
    if not isinstance(encoding, str):
        raise InvalidValueError("encoding", "a text encoding Python knows", encoding)
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError):
        raise InvalidValueError("encoding", "a text encoding Python knows", encoding) from None
    if not getattr(info, "_is_text_encoding", True):  # 'rot13', 'base64': not for text files
        raise InvalidValueError("encoding", "a text encoding", encoding)
    name = info.name
    return "utf-8-sig" if name == "utf-8" else encoding


def _text_of(source: object, encoding: object) -> str:
    """The whole text of a path or an open file; every failure an EventLogError."""
    codec = _check_encoding(encoding)
    data: object
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        try:
            with open(name, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            hint = " (to read text, pass io.StringIO(text))" if "\n" in str(name) else ""
            raise EventLogError(
                must("source", "a readable file", name) + ": no such file" + hint
            ) from None
        except IsADirectoryError:
            raise EventLogError(must("source", "a readable file", name) + ": a folder") from None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise EventLogError(must("source", "a readable file", name) + f": {reason}") from None
        except ValueError:  # a NUL in the path, or a name the file system cannot encode
            raise EventLogError(must("source", "a valid file path", name)) from None
    elif hasattr(source, "read"):
        try:
            data = source.read()
        except UnicodeError as exc:
            raise EventLogError(
                f"the file is not {codec} text ({exc}): pass encoding=, or re-save it as UTF-8"
            ) from None
        except (OSError, ValueError) as exc:  # a closed file, a stream that cannot be read
            raise EventLogError(
                must("source", "a readable open file", source) + f": {exc}"
            ) from None
    else:
        raise InvalidValueError(
            "source", "a path, an open text file or a pandas DataFrame", source
        )
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode(codec)
        except UnicodeDecodeError as exc:
            line = bytes(data).count(b"\n", 0, exc.start) + 1
            raise EventLogError(
                f"the file is not {encoding} text (byte {exc.start}, on line {line}, "
                f"{exc.reason}): pass encoding= (such as 'cp1252'), or re-save it as UTF-8"
            ) from None
        except UnicodeError as exc:
            raise EventLogError(f"the file is not {encoding} text ({exc})") from None
        except LookupError:  # a codec that is not a text encoding ('rot13', 'base64')
            raise InvalidValueError("encoding", "a text encoding", encoding) from None
    elif isinstance(data, str):
        text = data.removeprefix("\ufeff")
    else:
        raise InvalidValueError("source", "a file whose read() gives text or bytes", source)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise EventLogError(
            f"a NUL character on line {line}: this is not a text file, or it is UTF-16 "
            "read as UTF-8 (pass encoding=)"
        )
    if not text.strip():
        raise EventLogError("the file is empty: a header row is needed", row=1)
    return text


def _check_delimiter(delimiter: object) -> str | None:
    if delimiter is not None and (
        not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n'
    ):
        raise InvalidValueError(
            "delimiter", "one character other than a quote or a line break, or None", delimiter
        )
    return delimiter


def _delimiter(text: str, delimiter: object) -> str:
    chosen = _check_delimiter(delimiter)
    if chosen is not None:
        return chosen
    first = text.lstrip("\r\n").split("\n", 1)[0]
    present = [d for d in _DELIMITERS if d in first]
    if not present:
        return ","  # one column: the missing columns are named below
    if len(present) == 1:
        return present[0]
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        raise EventLogError(
            "cannot tell which delimiter separates the columns (the header holds "
            + ", ".join(repr(d) for d in present)
            + "): pass delimiter=",
            row=1,
        ) from None


def _csv_message(exc: csv.Error) -> str:
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return (
            f"a field is longer than {csv.field_size_limit()} characters (a quote left open "
            "swallows the rest of the file into one field)"
        )
    if text == "unexpected end of data":
        return "the file ends inside a quoted field: a quote opened in this row is never closed"
    return f"is not valid CSV: a stray quote or line break ({text})"


class _Table:
    """A header and its data rows, ``(row number, cells)``, from a CSV text or a DataFrame."""

    __slots__ = ("header", "rows")

    def __init__(self, header: list[str], rows: list[tuple[int, list[Any]]]) -> None:
        self.header = header
        self.rows = rows

    @classmethod
    def of_csv(cls, text: str, delimiter: object) -> _Table:
        chosen = _delimiter(text, delimiter)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen, strict=True)
        done = 0
        rows: list[tuple[int, list[Any]]] = []
        try:
            header = next(reader, None)
            if header is None:
                raise EventLogError("the file is empty: a header row is needed", row=1)
            done = 1
            width = len(header)
            for row, record in enumerate(reader, start=2):
                if record:
                    if len(record) != width:
                        raise EventLogError(
                            f"has {len(record)} fields where the header has {width}", row=row
                        )
                    rows.append((row, record))
                done = row
        except csv.Error as exc:
            raise EventLogError(_csv_message(exc), row=done + 1) from None
        return cls([h.strip().lstrip("\ufeff") for h in header], rows)

    @classmethod
    def of_frame(cls, frame: Any) -> _Table:
        header = [str(c).strip() for c in frame.columns]
        rows = [
            (row, list(record))
            for row, record in enumerate(frame.itertuples(index=False, name=None), start=2)
        ]
        return cls(header, rows)

    def locate(
        self, names: Mapping[str, str], required: tuple[str, ...], given: Mapping[str, str]
    ) -> dict[str, int]:
        """The position of each field's column; a missing required or given one is an error."""
        position: dict[str, int] = {}
        for i, name in enumerate(self.header):
            if name and name in position:
                raise EventLogError(
                    "names a column twice; the header has: " + ", ".join(self.header),
                    row=1,
                    column=name,
                )
            position[name] = i
        index: dict[str, int] = {}
        for field, column in names.items():
            if column in position:
                index[field] = position[column]
            elif field in required or field in given:
                why = "given in 'columns'" if field in given else "needed"
                raise EventLogError(
                    f"no such column ({why} for {field!r}); the header has: "
                    + (", ".join(self.header) or "nothing"),
                    row=1,
                    column=column,
                )
        return index


def _column_names(
    columns: object, fields: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, str]]:
    """``(header of each field, the part given by the caller)`` from a ``columns=`` mapping."""
    if columns is None:
        return {f: f for f in fields}, {}
    if not isinstance(columns, Mapping):
        raise InvalidValueError("columns", "a mapping of field names to column headers", columns)
    given: dict[str, str] = {}
    for field, column in columns.items():
        if field not in fields:
            raise InvalidValueError("columns", f"keyed by the fields {', '.join(fields)}", field)
        if not isinstance(column, str) or not column.strip():
            raise InvalidValueError(f"columns[{field!r}]", "a column header (a string)", column)
        given[field] = column.strip()
    names = {f: given.get(f, f) for f in fields}
    twice = {c for c in given.values() if list(names.values()).count(c) > 1}
    if twice:
        raise InvalidValueError("columns", "one column per field", dict(columns))
    return names, given


# --- cells -------------------------------------------------------------------------------


def _plain(cell: object) -> object:
    """A numpy scalar as the Python value it holds; anything else unchanged."""
    if type(cell).__module__ == "numpy" and getattr(cell, "ndim", None) == 0:
        kind = getattr(getattr(cell, "dtype", None), "kind", "")
        if kind in "biufcUS":
            return cell.item()  # type: ignore[attr-defined]
    return cell


def _missing(cell: object) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        return not cell.strip()
    if isinstance(cell, float):
        return math.isnan(cell)
    return type(cell).__name__ in {"NaTType", "NAType"}


def _bad(column: str, expectation: str, value: object, row: int) -> NoReturn:
    raise EventLogError(must(column, expectation, value), row=row, column=column)


class _Instants:
    """Reads instant cells: ISO 8601 text or datetimes, local ones only with a zone."""

    __slots__ = ("expectation", "tz", "zones")

    def __init__(self, tz: tzinfo | None) -> None:
        self.tz = tz
        self.zones: dict[tzinfo, tzinfo] = {}
        self.expectation = "an ISO 8601 date and time with a UTC offset" + (
            "" if tz is None else f" or a local time in {zone_name(tz)}"
        )

    def __call__(self, cell: object, row: int, column: str) -> tuple[int, pendulum.DateTime]:
        expectation = self.expectation
        if _missing(cell):
            _bad(column, expectation, cell, row)
        if isinstance(cell, str):
            text = cell.strip()
            if len(text) > 64:
                _bad(column, expectation, cell, row)
            fraction = _LONG_FRACTION.search(text)
            if fraction is not None and fraction.group(1)[6:].strip("0"):
                _bad(column, "an instant in whole microseconds (at most 6 decimals)", cell, row)
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                _bad(column, expectation, cell, row)
        elif isinstance(cell, datetime):
            if getattr(cell, "nanosecond", 0):
                _bad(column, "an instant in whole microseconds", cell, row)
            moment = cell.to_pydatetime() if hasattr(cell, "to_pydatetime") else cell
        else:
            _bad(column, expectation, cell, row)
        try:
            if moment.tzinfo is None or moment.utcoffset() is None:
                if self.tz is None:
                    _bad(
                        column,
                        "an ISO 8601 date and time with a UTC offset (for local times pass tz=)",
                        cell,
                        row,
                    )
                us, shift = recorded_to_us(moment.replace(tzinfo=None), self.tz)
                if shift:
                    moved = from_us(us, self.tz).isoformat()
                    _bad(
                        column,
                        f"a local time that exists in {zone_name(self.tz)} (this one falls where clocks "
                        f"went forward; the recorded-timestamp rule would move it to "
                        f"{moved}): write it with its UTC offset",
                        cell,
                        row,
                    )
                shown = from_us(us, self.tz)
            else:
                us = td_us(moment - EPOCH)
                tz = self.tz
                if tz is None:
                    found = self.zones.get(moment.tzinfo)
                    if found is None:
                        found = self.zones[moment.tzinfo] = zone_of(moment, column)
                    tz = found
                shown = from_us(us, tz)
            to_us(shown, column)  # the range every instant must lie in
        except EventLogError:
            raise
        except InvalidValueError as exc:
            _bad(column, exc.expectation, cell, row)
        except (OverflowError, ValueError):
            _bad(column, "an instant from 0001-01-02 to 9999-12-30 (UTC)", cell, row)
        return us, shown


def _boolean(cell: object, row: int, column: str) -> bool:
    value = _plain(cell)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    _bad(column, "true or false (true/false, yes/no or 1/0)", cell, row)


def _text(cell: object, row: int, column: str) -> str:
    value = _plain(cell)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() < 64:
        return str(value)
    _bad(column, "a text (or a whole number)", cell, row)


def _as_text(cell: object) -> str:
    value = _plain(cell)
    return value.strip() if isinstance(value, str) else show(value)


def _percentage(value: object, field: str) -> Fraction:
    """A number of 0 or more written in percent (``95``, ``"95"``, ``"95.5%"``), exactly."""
    expectation = "a percentage of 0 or more such as 95, '95' or '95.5%'"
    number: Fraction
    if isinstance(value, bool):
        raise InvalidValueError(field, expectation, value)
    if isinstance(value, str):
        text = value.strip().removesuffix("%").rstrip()
        if len(text) > _TEXT_LIMIT or not _NUMBER.match(text):
            raise InvalidValueError(field, expectation, value)
        number = Fraction(Decimal(text))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidValueError(field, expectation, value)
        number = float_ratio(value)
    elif isinstance(value, int):
        if value.bit_length() > 4 * MAX_DIGITS:
            raise InvalidValueError(field, f"{expectation}, of at most {MAX_DIGITS} digits", value)
        number = Fraction(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValueError(field, expectation, value)
        number = exact_decimal(value, field)
    elif isinstance(value, Fraction):
        number = value
    else:
        raise InvalidValueError(field, expectation, value)
    if number < 0:
        raise InvalidValueError(field, expectation, value)
    return number / 100


def _sample_value(cell: object, unit: Unit, field: str) -> Fraction:
    """A sample's load as a ratio: read by the one convention, or as percent with ``unit="%"``."""
    value = _plain(cell)
    if unit == "%":
        return _percentage(value, field)
    try:
        return parse_ratio(value, field)
    except InvalidValueError:
        as_percent = None
        if not (isinstance(value, str) and "%" in value):
            with contextlib.suppress(InvalidValueError):
                as_percent = _percentage(value, field)
        if as_percent is not None and as_percent > Fraction(1, 100):
            raise InvalidValueError(
                field, "a load ratio from 0 to 1 (for percentages pass unit='%')", cell
            ) from None
        raise InvalidValueError(
            field, "a load ratio from 0 to 1 such as '0.97', or a percentage such as '97%'", cell
        ) from None


# --- outages -------------------------------------------------------------------------------


def read_outages(
    source: object,
    *,
    tz: object = None,
    columns: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8",
) -> Outages:
    """Read an outage list (CSV file or pandas DataFrame) into :class:`~itilkit.Outage` values.

    Columns (neutral names; ``columns=`` maps them to other headers):
    ``start`` and ``end`` (required), ``impact`` (a ratio by the one
    convention: ``1`` a full outage, ``"50%"`` or ``0.5`` half; empty is a
    full outage), ``planned`` (``true``/``false``, ``yes``/``no``,
    ``1``/``0``, any case; empty is unplanned), ``id``, ``service`` and
    ``ci``. The result is an :class:`Outages` tuple, in file order: the
    service, the CI and every other column are kept in its ``attributes``,
    so ``outages.select(service="db")`` is the outages of one service.

    >>> import io
    >>> text = '''id,start,end,impact,planned,service
    ... OUT-1,2026-03-02T10:00+09:00,2026-03-02T11:00+09:00,50%,no,db
    ... OUT-2,2026-03-03T02:00+09:00,2026-03-03T04:00+09:00,1,yes,db
    ... '''
    >>> outages = read_outages(io.StringIO(text))
    >>> [(o.id, o.duration.seconds // 60, o.impact, o.planned) for o in outages]
    [('OUT-1', 60, Fraction(1, 2), False), ('OUT-2', 120, Fraction(1, 1), True)]
    >>> outages.attributes[0]["service"], outages.rows
    ('db', (2, 3))
    """
    tz_value = None if tz is None else zone(tz, "tz")
    names, given = _column_names(columns, OUTAGE_FIELDS)
    if _is_frame(source):
        _check_encoding(encoding)
        _check_delimiter(delimiter)
        table = _Table.of_frame(source)
    else:
        table = _Table.of_csv(_text_of(source, encoding), delimiter)
    index = table.locate(names, ("start", "end"), given)
    used = set(index.values())
    extras: list[tuple[int, str]] = []
    for i, header in enumerate(table.header):
        if i in used:
            continue
        key = header or f"column {i + 1}"
        if key in ("service", "ci"):
            raise EventLogError(
                f"is not read (columns= names another column for {key!r}), and its values "
                "would be mistaken for that field's: rename it, or map it with columns=",
                row=1,
                column=header,
            )
        extras.append((i, key))
    instants = _Instants(tz_value)
    start_col, end_col = names["start"], names["end"]
    outages: list[Outage] = []
    rows: list[int] = []
    attributes: list[dict[str, str]] = []
    for row, cells in table.rows:
        start_us, start = instants(cells[index["start"]], row, start_col)
        end_us, end = instants(cells[index["end"]], row, end_col)
        if end_us < start_us:
            raise EventLogError(
                str(ChronologyError(end_col, cells[index["end"]], start)), row=row, column=end_col
            )
        impact = Fraction(1)
        if "impact" in index and not _missing(cells[index["impact"]]):
            cell = cells[index["impact"]]
            try:
                impact = positive_ratio(_plain(cell), names["impact"])
            except InvalidValueError as exc:
                _bad(names["impact"], exc.expectation, cell, row)
        planned = False
        if "planned" in index and not _missing(cells[index["planned"]]):
            planned = _boolean(cells[index["planned"]], row, names["planned"])
        ident = None
        if "id" in index and not _missing(cells[index["id"]]):
            ident = _text(cells[index["id"]], row, names["id"])
        found: dict[str, str] = {}
        for field in ("service", "ci"):
            if field in index and not _missing(cells[index[field]]):
                found[field] = _text(cells[index[field]], row, names[field])
        for i, key in extras:
            if not _missing(cells[i]):
                found[key] = _as_text(cells[i])
        outages.append(
            Outage(
                start,
                end,
                impact=impact,
                planned=planned,
                id=ident,
                service=found.get("service"),
                ci=found.get("ci"),
            )
        )
        rows.append(row)
        attributes.append(found)
    return Outages(outages, rows=rows, attributes=attributes)


# --- samples -------------------------------------------------------------------------------


def read_samples(
    source: object,
    *,
    tz: object = None,
    unit: str = "ratio",
    columns: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    series: Mapping[str, str] | None = None,
) -> tuple[Sample, ...]:
    """Read load samples into ``(instant, ratio)`` pairs, sorted by time.

    ``source`` is a CSV file or pandas DataFrame with the columns ``time``
    and ``value`` (``columns=`` maps them to other headers; other columns are
    not read), or a Prometheus range-query response (``/api/v1/query_range``,
    result type ``matrix``): a path or open file holding its JSON, or the
    parsed document. A response with several series needs ``series=``, a
    mapping of labels that exactly one series carries
    (``series={"instance": "db1:9100"}``). Prometheus' unix timestamps are
    read exactly from their decimal text, and shown in ``tz`` (UTC without).

    ``unit="ratio"`` (the default): values are ratios by the one convention
    (``0.97``, ``"0.97"``, ``"97%"``); a value above 1 is refused, naming the
    row, with a hint to pass ``unit="%"``. ``unit="%"``: values are
    percentages, 0 to 100 and beyond (``95``, ``"95.5"``, ``"95.5%"``). Either
    way the values come back as exact ratios (``95`` percent is
    ``Fraction(19, 20)``), ready for :func:`~itilkit.find_overloads` with its
    default ``unit="ratio"``. Two samples at the same instant are an error
    naming both rows.

    >>> import io
    >>> text = "time;value\\n2026-03-02T18:00+09:00;95\\n2026-03-02T17:00+09:00;62.5\\n"
    >>> [(t.hour, v) for t, v in read_samples(io.StringIO(text), unit="%")]
    [(17, Fraction(5, 8)), (18, Fraction(19, 20))]
    """
    unit_value = unit_of(unit)
    tz_value = None if tz is None else zone(tz, "tz")
    if series is not None and not isinstance(series, Mapping):
        raise InvalidValueError("series", "a mapping of label names to values", series)
    if isinstance(source, Mapping):
        found = _prometheus(source, series, unit_value, tz_value)
    elif _is_frame(source):
        _check_encoding(encoding)
        _check_delimiter(delimiter)
        found = _csv_samples(_Table.of_frame(source), columns, series, unit_value, tz_value)
    else:
        text = _text_of(source, encoding)
        if text.lstrip().startswith(("{", "[")):
            found = _prometheus(_json(text), series, unit_value, tz_value)
        else:
            table = _Table.of_csv(text, delimiter)
            found = _csv_samples(table, columns, series, unit_value, tz_value)
    found.sort(key=lambda s: s[0])
    for before, after in itertools.pairwise(found):
        if before[0] == after[0]:
            raise EventLogError(
                f"two samples at the same instant {after[1].isoformat()}: {before[3]} and "
                f"{after[3]}",
                row=after[4],
            )
    return tuple((at, value) for _, at, value, _, _ in found)


_Found = tuple[int, pendulum.DateTime, Fraction, str, int | None]


def _csv_samples(
    table: _Table,
    columns: object,
    series: object,
    unit: Unit,
    tz: tzinfo | None,
) -> list[_Found]:
    if series is not None:
        raise InvalidValueError(
            "series", "None for a CSV file or DataFrame (it chooses a Prometheus series)", series
        )
    names, given = _column_names(columns, SAMPLE_FIELDS)
    index = table.locate(names, SAMPLE_FIELDS, given)
    time_at, value_at = index["time"], index["value"]
    time_col, value_col = names["time"], names["value"]
    instants = _Instants(tz)
    found: list[_Found] = []
    for row, cells in table.rows:
        us, at = instants(cells[time_at], row, time_col)
        cell = cells[value_at]
        if _missing(cell):
            _bad(value_col, "a load value (the cell is empty)", cell, row)
        try:
            value = _sample_value(cell, unit, value_col)
        except InvalidValueError as exc:
            _bad(value_col, exc.expectation, cell, row)
        found.append((us, at, value, f"row {row}", row))
    return found


# --- Prometheus ----------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, value in pairs:
        if key in table:
            raise EventLogError(must("$", "a JSON document naming each key once", key))
        table[key] = value
    return table


def _no_constant(name: str) -> NoReturn:
    raise EventLogError(must("$", "JSON without NaN or Infinity outside strings", name))


def _json(text: str) -> Any:
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_no_constant,
            object_pairs_hook=_no_duplicates,
        )
    except ValueError as exc:
        raise EventLogError(f"the file is not valid JSON ({exc})") from None
    except RecursionError:
        raise EventLogError("the JSON document is nested too deeply to be a response") from None


def _labels(metric: object) -> str:
    if not isinstance(metric, Mapping):
        return show(metric)
    return "{" + ", ".join(f"{k}={v!r}" for k, v in metric.items()) + "}"


def _refuse(path: str, expectation: str, value: object) -> NoReturn:
    raise EventLogError(must(path, expectation, value))


def _prometheus(
    document: object, series: Mapping[str, str] | None, unit: Unit, tz: tzinfo | None
) -> list[_Found]:
    """The samples of one series of a Prometheus range-query response."""
    if not isinstance(document, Mapping):
        _refuse("$", "a Prometheus query response (a JSON object)", document)
    status = document.get("status")
    if status == "error":
        raise EventLogError(
            "the Prometheus query failed: "
            f"{document.get('errorType', 'error')}: {document.get('error', '')}"
        )
    if status != "success":
        _refuse("$.status", "'success'", status)
    data = document.get("data")
    if not isinstance(data, Mapping):
        _refuse("$.data", "an object with resultType and result", data)
    if data.get("resultType") != "matrix":
        _refuse(
            "$.data.resultType",
            "'matrix', the result of a range query (/api/v1/query_range)",
            data.get("resultType"),
        )
    result = data.get("result")
    if not isinstance(result, list | tuple):
        _refuse("$.data.result", "a list of series", result)
    if series is None:
        chosen = list(enumerate(result))
    else:
        chosen = [
            (i, s)
            for i, s in enumerate(result)
            if isinstance(s, Mapping)
            and isinstance(s.get("metric"), Mapping)
            and all(s["metric"].get(k) == v for k, v in series.items())
        ]
    if not chosen:
        if series is None:
            return []
        raise EventLogError(
            must("series", "labels that one series of the response carries", dict(series))
            + "; the response has: "
            + (
                "; ".join(
                    _labels(s.get("metric") if isinstance(s, Mapping) else s) for s in result[:5]
                )
                or "no series"
            )
        )
    if len(chosen) > 1:
        shown = "; ".join(
            _labels(s.get("metric") if isinstance(s, Mapping) else s) for _, s in chosen[:5]
        )
        more = f" and {len(chosen) - 5} more" if len(chosen) > 5 else ""
        raise EventLogError(
            f"the response holds {len(chosen)} series ({shown}{more}): choose one with series=, "
            "a mapping of the labels that only it carries"
        )
    position, one = chosen[0]
    path = f"$.data.result[{position}]"
    if not isinstance(one, Mapping):
        _refuse(path, "a series (an object with metric and values)", one)
    if "histograms" in one:
        _refuse(f"{path}.histograms", "absent (native histograms are not load samples)", "...")
    values = one.get("values")
    if not isinstance(values, list | tuple):
        _refuse(f"{path}.values", "a list of [time, value] pairs", values)
    shown_tz = _UTC if tz is None else tz
    found: list[_Found] = []
    for j, pair in enumerate(values):
        where = f"{path}.values[{j}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            _refuse(where, "a [time, value] pair", pair)
        us = _unix_us(pair[0], f"{where}[0]")
        try:
            at = from_us(us, shown_tz)
            to_us(at, where)
        except (OverflowError, ValueError):
            _refuse(f"{where}[0]", "a unix time from 0001-01-02 to 9999-12-30", pair[0])
        try:
            value = _sample_value(pair[1], unit, f"{where}[1]")
        except InvalidValueError as exc:
            _refuse(f"{where}[1]", exc.expectation, pair[1])
        found.append((us, at, value, where, None))
    return found


def _unix_us(value: object, where: str) -> int:
    """Microseconds of a unix time in seconds, exactly, from its decimal text (never a float sum)."""
    expectation = "a unix time in seconds (a number such as 1435781430.781)"
    number: Decimal
    if isinstance(value, bool):
        _refuse(where, expectation, value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str) and len(value) <= _TEXT_LIMIT:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            _refuse(where, expectation, value)
    elif isinstance(value, int) and value.bit_length() <= 64:
        number = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Decimal(repr(value))
    else:
        _refuse(where, expectation, value)
    if (
        not number.is_finite()
        or len(number.as_tuple().digits) > MAX_DIGITS
        or (not number.is_zero() and number.adjusted() > 11)
    ):
        _refuse(where, expectation, value)
    with localcontext() as exact:
        exact.prec = 2 * MAX_DIGITS  # more than the digits allowed: nothing is rounded
        scaled = number.scaleb(6)
        if scaled != scaled.to_integral_value():
            _refuse(where, "a unix time in whole microseconds (at most six decimals)", value)
        return int(scaled)
