"""Test collection settings shared by the whole repository."""

from __future__ import annotations

# The package's exported classes claim ``__module__ = "itilkit"``; pytest's doctest
# collector would then run their examples in the package namespace (or skip them).
# tests/test_docstrings.py runs every example of the package, each in its own module.
collect_ignore = ["src/itilkit/__init__.py"]
