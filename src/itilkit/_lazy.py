"""Namespaces that import their modules on first use (PEP 562).

``itilkit`` and ``itilkit.io`` say where each public name lives in a ``_HOMES``
table (a relative module name, as ``from`` would write it, to the names it
gives). A module is imported the first time one of its names is looked up, so
``import itilkit`` loads only the errors, and a script that needs service
windows never pays for the service review.

A class defined in a namespace's private modules is shown under the
namespace (``itilkit.SLA``, ``itilkit.io.EventLog``: reprs, docs, pickles), as
if it were defined there. Each lookup binds every public name whose module is
loaded by then, in every lazy namespace, so a module loaded by another road
(an importer reading incidents) is bound and claimed at the next lookup of a
name not yet bound.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["bind_loaded", "lazy_namespace"]

_MISSING = object()

#: Each lazy namespace's globals, with where its names live (name -> absolute module).
_NAMESPACES: list[tuple[dict[str, Any], dict[str, str]]] = []


def lazy_namespace(
    namespace: dict[str, Any], homes: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of the package whose ``globals()``
    is ``namespace``, loading each name from its module in ``homes`` on first use."""
    package = namespace["__name__"]
    where = {
        name: importlib.util.resolve_name(home, package)
        for home, names in homes.items()
        for name in names
    }
    _NAMESPACES.append((namespace, where))
    bind_loaded()

    def __getattr__(name: str) -> object:
        module_name = where.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(module_name)
        bind_loaded()
        value = namespace.get(name, _MISSING)
        return getattr(module, name) if value is _MISSING else value

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace.get("__all__", ())})

    return __getattr__, __dir__


def bind_loaded() -> None:
    """Bind every public name whose module is loaded, in every lazy namespace, and
    claim the classes defined in the namespace's private modules."""
    for namespace, where in _NAMESPACES:
        package = namespace["__name__"]
        for name, module_name in where.items():
            if name in namespace:
                continue
            module = sys.modules.get(module_name)
            value = _MISSING if module is None else getattr(module, name, _MISSING)
            if value is _MISSING:  # not loaded, or still loading (on another thread)
                continue
            if isinstance(value, type) and value.__module__.startswith(f"{package}._"):
                value.__module__ = package
            namespace[name] = value
