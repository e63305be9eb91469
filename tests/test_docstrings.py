"""Every ``>>>`` example in the package's docstrings runs, in the module that defines it.

Exported classes say ``__module__ = "itilkit"`` (so reprs and docs show
``itilkit.SLA``), which hides them from pytest's doctest collector. This test
finds their examples (class, methods, properties) and runs each with the
globals of the module that defines it.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import itilkit
import itilkit.io

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[ModuleType]:
    found = [itilkit]
    for info in pkgutil.walk_packages(itilkit.__path__, "itilkit."):
        found.append(importlib.import_module(info.name))
    return found


def _home(cls: type, modules: list[ModuleType]) -> ModuleType:
    """The module whose source defines ``cls`` (its ``__module__`` says ``itilkit``)."""
    pattern = re.compile(rf"^class {re.escape(cls.__qualname__)}\b", re.MULTILINE)
    homes = [
        m
        for m in modules
        if m not in {itilkit, itilkit.io}
        and m.__file__
        and pattern.search(Path(m.__file__).read_text())
    ]
    assert len(homes) == 1, (cls, homes)
    return homes[0]


def _exported_tests() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests: list[doctest.DocTest] = []
    modules = _modules()
    exported = [(itilkit, name) for name in itilkit.__all__]
    exported += [(itilkit.io, name) for name in itilkit.io.__all__]
    for namespace, name in exported:
        obj = getattr(namespace, name)
        if not isinstance(obj, type) or obj.__module__ not in {"itilkit", "itilkit.io"}:
            continue
        home = _home(obj, modules)
        tests.extend(finder.find(obj, f"{home.__name__}.{name}", module=False, globs=vars(home)))
    module_doc = finder.find(itilkit, "itilkit", globs=vars(itilkit))
    tests.extend(t for t in module_doc if t.name == "itilkit")
    return [t for t in tests if t.examples]


TESTS = _exported_tests()


def test_examples_were_found() -> None:
    """The exported classes have examples to run (guards against finding none)."""
    assert len(TESTS) > 50


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.name)
def test_docstring_example(test: doctest.DocTest) -> None:
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
