"""Closed vocabularies: reading an enum member from what users and exports write.

Every enum of itilkit (states, hold reasons, metrics, change types, risks)
reads its members the same way: the member itself, or its name in any case
with spaces or hyphens for underscores (``"in progress"``, ``"In-Progress"``,
``"IN_PROGRESS"``). An unknown name raises an error that lists the choices.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import TypeVar

from ._errors import InvalidValueError

__all__ = ["normalise", "parse_member"]

E = TypeVar("E", bound=enum.Enum)


def normalise(text: str) -> str:
    """Case- and separator-insensitive form of a label: ``'In Progress'`` -> ``'in_progress'``.

    >>> normalise(" Awaiting-User  Info ")
    'awaiting_user_info'
    """
    return re.sub(r"[\s\-]+", "_", text.strip()).casefold()


def parse_member(
    enum_type: type[E], value: object, field: str, aliases: Mapping[str, E] | None = None
) -> E:
    """The member ``value`` names (itself, its name in any spelling, or an alias).

    >>> class Colour(enum.Enum):
    ...     DARK_RED = "dark_red"
    >>> parse_member(Colour, "Dark Red", "colour")
    <Colour.DARK_RED: 'dark_red'>
    >>> parse_member(Colour, "blue", "colour")
    Traceback (most recent call last):
    ...
    itilkit.InvalidValueError: 'colour' must be one of 'dark_red' (got 'blue')
    """
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        key = normalise(value)
        found = enum_type.__members__.get(key.upper())
        if found is None and aliases is not None:
            found = aliases.get(key)
        if found is not None:
            return found
    names = ", ".join(repr(name.lower()) for name in enum_type.__members__)
    raise InvalidValueError(field, f"one of {names}", value)
