"""Documents: reading the tables users write (TOML, JSON, dicts), every problem with its path.

An SLA, its service window and the other things an SLA manager writes down
live in files. This module owns what every such document shares:

* :func:`load_document` reads a TOML or JSON file, and turns whatever can go
  wrong (a missing file, a folder, bytes that are not UTF-8, a syntax error,
  a key written twice, nesting too deep to be a configuration) into one
  :class:`~itilkit.ConfigError`, never a raw ``OSError`` or
  ``RecursionError``;
* :class:`Problems` collects ``(path, message)`` pairs while a domain value
  reads a document field by field with its own converters, so one
  :class:`~itilkit.ConfigError` lists every problem at once
  (``$.targets[2].within``).

The domain values own their document forms (:meth:`ServiceWindow.from_dict
<itilkit.ServiceWindow.from_dict>`, :meth:`SLA.from_dict
<itilkit.SLA.from_dict>`); they reuse the converters their constructors use,
so a rule is written once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from os import PathLike, fspath
from typing import Any, NoReturn, TypeVar

from ._errors import ConfigError, InvalidValueError, show

__all__ = ["MAX_BYTES", "MAX_DEPTH", "Problems", "load_document", "parse_json"]

T = TypeVar("T")

#: The deepest nesting a configuration document may have (SLA documents need four).
MAX_DEPTH = 32


class Problems:
    """Collects ``(path, message)`` pairs while a document is read.

    >>> p = Problems()
    >>> p.check("$.within", lambda: int("soon")) is None
    Traceback (most recent call last):
    ...
    ValueError: invalid literal for int() with base 10: 'soon'
    >>> from itilkit._time import to_duration_us
    >>> p.check("$.within", lambda: to_duration_us("soon")) is None
    True
    >>> p.items
    [('$.within', "must be an ISO 8601 duration in weeks, days, hours, minutes and seconds such as 'PT4H' (got 'soon')")]
    """

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        """Note a problem at ``path``."""
        self.items.append((path, message))

    def check(self, path: str, parse: Callable[[], T]) -> T | None:
        """Run ``parse``; on an itilkit error note it at ``path`` and return None."""
        try:
            return parse()
        except InvalidValueError as err:
            self.add(path, f"must be {err.expectation} (got {show(err.value)})")
        except ConfigError as err:
            for inner, message in err.problems:
                self.add(path + inner[1:], message)
        return None

    def unknown(self, path: str, mapping: Mapping[str, Any], known: tuple[str, ...]) -> None:
        """Note every key of ``mapping`` that is not one of ``known``."""
        for key in mapping:
            if key not in known:
                self.add(
                    f"{path}.{key}",
                    f"must be one of the keys {', '.join(known)} (got {show(key)})",
                )

    def mapping(self, path: str, value: object) -> Mapping[str, Any] | None:
        """``value`` if it is a table, else None with the problem noted."""
        if isinstance(value, Mapping):
            return value
        self.add(path, f"must be a table (mapping) (got {show(value)})")
        return None

    def array(self, path: str, value: object) -> list[Any] | None:
        """``value`` as a list if it is an array, else None with the problem noted."""
        if isinstance(value, list | tuple):
            return list(value)
        self.add(path, f"must be an array (got {show(value)})")
        return None

    def raise_if_any(self) -> None:
        """Raise one :class:`~itilkit.ConfigError` listing every problem noted."""
        if self.items:
            raise ConfigError(self.items)


def _refuse(path: str, message: str) -> NoReturn:
    raise ConfigError([(path, message)])


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, value in pairs:
        if key in table:
            _refuse("$", f"must name each key once in a table (got {key!r} twice)")
        table[key] = value
    return table


def _check_depth(document: object) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            children: Any = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            _refuse("$", f"must be nested at most {MAX_DEPTH} levels deep (got deeper)")
        stack.extend((child, depth + 1) for child in children)


def parse_json(text: str) -> Any:
    """The document a JSON text holds; a key written twice is a problem, not the last one wins.

    >>> parse_json('{"name": "Gold", "name": "Silver"}')
    Traceback (most recent call last):
    ...
    itilkit.ConfigError: 1 problem in the configuration:
      $: must name each key once in a table (got 'name' twice)
    """
    return _parse("JSON", lambda: json.loads(text, object_pairs_hook=_no_duplicates))


def _parse_toml(text: str) -> Any:
    import tomllib  # only a document read from TOML needs it; the engine imports this module

    return _parse("TOML", lambda: tomllib.loads(text))


def _parse(kind: str, load: Callable[[], Any]) -> Any:
    """Run a parser; whatever it raises becomes one ConfigError at ``$``."""
    try:
        document = load()
    except ConfigError:
        raise
    except ValueError as err:  # a syntax error, or a number beyond Python's digit limit
        _refuse("$", f"must be valid {kind} ({err})")
    except RecursionError:
        _refuse("$", f"must be nested at most {MAX_DEPTH} levels deep (got deeper)")
    _check_depth(document)
    return document


#: The largest document file read (a configuration is kilobytes; this is a guard, not a format).
MAX_BYTES = 16 * 1024 * 1024


def load_document(path: str | PathLike[str], kind: str | None = None) -> Any:
    """The document in a file: ``kind`` ``"json"`` or ``"toml"``, or by the name's suffix
    (``.json`` is JSON, anything else TOML) when ``kind`` is None.

    Every failure is one :class:`~itilkit.ConfigError` naming the file; a file
    over :data:`MAX_BYTES` is refused without reading it all.

    >>> load_document("no/such/sla.toml")
    Traceback (most recent call last):
    ...
    itilkit.ConfigError: 1 problem in the configuration:
      $: must be a readable TOML or JSON file (got 'no/such/sla.toml': no such file)
    """
    if not isinstance(path, str | PathLike):
        raise InvalidValueError("path", "a file path (str or Path)", path)
    name = fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        _refuse("$", f"must be a readable TOML or JSON file (got {name!r}: no such file)")
    except IsADirectoryError:
        _refuse("$", f"must be a readable TOML or JSON file (got {name!r}: a folder)")
    except OSError as err:
        reason = err.strerror or type(err).__name__
        _refuse("$", f"must be a readable TOML or JSON file (got {name!r}: {reason.lower()})")
    if len(data) > MAX_BYTES:
        _refuse("$", f"must be a file of at most {MAX_BYTES} bytes (got {name!r}: larger)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        _refuse("$", f"must be UTF-8 text (got {name!r}: byte {err.start} is not UTF-8)")
    if kind is None:
        kind = "json" if str(name).lower().endswith(".json") else "toml"
    if kind == "json":
        return parse_json(text)
    if kind == "toml":
        return _parse_toml(text)
    raise InvalidValueError("kind", "one of 'json', 'toml' or None", kind)
