"""The published JSON Schemas of itilkit's documents, for editors and tests.

A document a user writes by hand (an SLA in TOML or JSON) is read field by
field by its own reader, which lists every problem with its path. The
schemas (JSON Schema, draft 2020-12) say the same rules ahead of time, so an
editor (VS Code's JSON and TOML support) can complete keys, show each key's
description and flag a mistake as it is typed. They ship as package data
in ``itilkit/schemas/<name>.schema.json``; the reader stays the authority:
a few rules need the whole document (a target's metric names one of the
document's clocks) and are checked there only.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from ._errors import InvalidValueError

__all__ = ["schema"]

_SUFFIX = ".schema.json"


def _names() -> tuple[str, ...]:
    """The names of the schemas shipped in the package, sorted."""
    folder = resources.files("itilkit").joinpath("schemas")
    return tuple(
        sorted(
            entry.name.removesuffix(_SUFFIX)
            for entry in folder.iterdir()
            if entry.name.endswith(_SUFFIX) and entry.is_file()
        )
    )


@cache
def _load(name: str) -> dict[str, Any]:
    """The schema ``name`` as read from the package (once; callers get copies)."""
    text = resources.files("itilkit").joinpath("schemas", name + _SUFFIX).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the document called ``name``, as a new dict.

    ``"sla"`` is the document :meth:`SLA.from_dict <itilkit.Agreement.from_dict>`
    reads and :meth:`SLA.to_dict <itilkit.Agreement.to_dict>` writes (OLAs and
    underpinning contracts share it); ``"service_model"`` the one
    :meth:`ServiceModel.from_dict <itilkit.ServiceModel.from_dict>` reads;
    ``"report"`` what :meth:`ComplianceReport.to_dict
    <itilkit.ComplianceReport.to_dict>` (and ``itilkit report --format json``)
    writes; ``"review"`` what :meth:`ServiceReview.to_dict
    <itilkit.ServiceReview.to_dict>` writes. Each call returns a fresh deep copy, so
    changing it changes nothing for the next caller. Write it to a file and
    point an editor at it (VS Code's ``json.schemas`` setting, or a
    ``#:schema`` comment in a TOML file) to have SLA files checked as they are
    typed; a ``"$schema"`` key inside the document itself is an unknown key
    to the reader.

    >>> sorted(n for n in ("sla", "service_model", "report", "review") if schema(n))
    ['report', 'review', 'service_model', 'sla']
    >>> sla = schema("sla")
    >>> sla["title"], sla["required"]
    ('itilkit service level agreement', ['name', 'window', 'targets'])
    >>> schema("nope")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'name' must be one of ...'sla'... (got 'nope')
    """
    known = _names()
    if not isinstance(name, str) or name not in known:
        raise InvalidValueError("name", f"one of {', '.join(repr(n) for n in known)}", name)
    return copy.deepcopy(_load(name))
