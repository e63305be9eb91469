"""Sphinx configuration for the itilkit documentation."""

from __future__ import annotations

import itilkit

project = "itilkit"
author = "The itilkit developers"
copyright = "2026, the itilkit developers"
release = itilkit.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]

html_theme = "furo"
html_title = "itilkit"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_class_signature = "mixed"

intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
nitpicky = True
# Names that autodoc writes from type hints but that no inventory resolves offline.
nitpick_ignore_regex = [
    # Without network access there is no intersphinx inventory for the standard library,
    # pendulum, numpy or pandas: names from outside itilkit cannot be resolved. Every
    # reference to itilkit's own public names is still checked.
    (r"py:.*", r"(?!itilkit\.).*"),
    (r"py:.*", r"itilkit\._.*"),
]
