"""The public namespace: curated, complete, and shown as ``itilkit.Name``."""

from __future__ import annotations

import itilkit


def test_all_lists_every_public_name() -> None:
    """``__all__`` is exactly the public names of the package (httpx's test, adapted)."""
    public = {
        name
        for name in dir(itilkit)
        if not name.startswith("_")
        and name not in {"annotations", "io", "cli"}
        and not isinstance(getattr(itilkit, name), type(itilkit))
    }
    assert set(itilkit.__all__) - {"__version__"} == public


def test_exported_classes_claim_the_package() -> None:
    """Reprs and docs show ``itilkit.SLA``, not the private module."""
    for name in itilkit.__all__:
        obj = getattr(itilkit, name)
        if isinstance(obj, type):
            assert obj.__module__ == "itilkit", name


def test_version() -> None:
    assert itilkit.__version__.count(".") == 2
