"""The package's layers: imports point down, never in a circle, never at another's privates.

Every import of every module is read from its source (module level and inside
functions alike; only ``if TYPE_CHECKING:`` blocks, which never run, are left
out), so a cycle hidden in a function-level import fails here as surely as a
top-level one. A namespace that loads its modules on first use (PEP 562) names
them in a ``_HOMES`` table (module -> names); each entry counts as an import
made inside a function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import itilkit

PACKAGE = Path(itilkit.__file__).parent

#: The layers of docs/design.md, bottom up. A module may import its own layer and the
#: ones below; an edge's renderer may be reached from a domain value only by a
#: function-level hook (``report.plot()``), listed in HOOKS.
LAYERS: dict[str, int] = {
    **dict.fromkeys(
        [
            "_errors",
            "_lazy",
            "_time",
            "_ratio",
            "_intervals",
            "_spec",
            "_vocabulary",
            "_document",
            "_report",
        ],
        0,
    ),
    **dict.fromkeys(["_calendar", "_index", "_window"], 1),
    **dict.fromkeys(
        [
            "_priority",
            "_incident",
            "_clock_rules",
            "_clock",
            "_compliance",
            "_sla",
            "_ola",
            "_availability",
            "_budget",
            "_capacity",
            "_change",
            "_approval",
            "_change_calendar",
            "_reconcile",
            "_continuity",
            "_delivery",
            "_desk",
            "_finance",
            "_problem",
            "_service_model",
            "_review",
        ],
        2,
    ),
    **dict.fromkeys(
        [
            "io",
            "io._event_log",
            "io._field_changes",
            "io._loaders",
            "io._snapshot",
            "io._sources",
            "_plot",
            "_svg",
            "_review_page",
            "_ics",
            "_slo_export",
            "export",
            "_demo",
            "_schema",
            "dataframe",
            "cli",
            "__main__",
            "__init__",
        ],
        3,
    ),
}
LAYER_NAMES = ("kernel", "engine", "domain", "edges")
#: Function-level hooks from a domain value into the edge that draws it.
HOOKS = {
    ("_availability", "_plot"),
    ("_clock", "_plot"),
    ("_review", "_review_page"),
    ("_window", "_ics"),
    ("_change_calendar", "_ics"),
    ("_budget", "_slo_export"),
}


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name inside it (``io._event_log``)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, depth: int = 0) -> Iterator[tuple[ast.AST, bool]]:
    """Import nodes with whether they run at module level, skipping TYPE_CHECKING blocks."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _walk(other, depth)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, depth == 0
        nested = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield from _walk(child, depth + (1 if nested else 0))


def lazy_homes(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """A lazy namespace's ``_HOMES`` table (relative module -> names), or ``{}``."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "_HOMES" for t in targets):
            return dict(ast.literal_eval(value))
    return {}


def imports(name: str, path: Path) -> Iterator[tuple[str, str, bool]]:
    """``(imported module, imported name, at module level)`` for each package-internal import."""
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    if name == "__init__":
        package = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for home, names in lazy_homes(tree).items():  # loaded on first use, as a function would
        level = len(home) - len(home.lstrip("."))
        rest = home.lstrip(".").split(".")
        base = package[: len(package) - (level - 1)] + rest if level else rest[1:]
        for imported in names:
            yield ".".join(base), imported, False
    for node, top in _walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module is None or not node.module.startswith("itilkit"):
                    continue
                base = node.module.split(".")[1:]
            else:
                base = package[: len(package) - (node.level - 1)] + (
                    node.module.split(".") if node.module else []
                )
            target = ".".join(base) or "__init__"
            for alias in node.names:
                sub = ".".join([*base, alias.name])
                if sub in modules():
                    yield sub, "", top
                else:
                    yield target, alias.name, top
        else:
            for alias in node.names:
                if alias.name == "itilkit" or alias.name.startswith("itilkit."):
                    yield ".".join(alias.name.split(".")[1:]) or "__init__", "", top


def graph() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, path in modules().items():
        out[name] = {target for target, _, _ in imports(name, path) if target != name}
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or with a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


class TestTheChecker:
    """The checks below can fail: they find what they look for in made-up graphs."""

    def test_finds_a_cycle_through_a_function_level_import(self, tmp_path: Path) -> None:
        source = "def hook():\n    from ._b import thing\n"
        tree = ast.parse(source)
        assert [top for _, top in _walk(tree)] == [False]
        assert cycles({"_a": {"_b"}, "_b": {"_c"}, "_c": {"_a"}, "_d": {"_a"}}) == [
            ["_a", "_b", "_c"]
        ]

    def test_skips_type_checking_blocks(self) -> None:
        tree = ast.parse("if TYPE_CHECKING:\n    from ._b import B\nfrom ._c import C\n")
        assert [(n.module, top) for n, top in _walk(tree)] == [("_c", True)]  # type: ignore[attr-defined]

    def test_reads_a_lazy_namespace_table(self) -> None:
        tree = ast.parse('_HOMES: dict[str, tuple[str, ...]] = {"._b": ("B", "C")}\n')
        assert lazy_homes(tree) == {"._b": ("B", "C")}

    def test_the_package_namespace_imports_every_home(self) -> None:
        """``itilkit/__init__`` and ``itilkit.io`` load lazily; their tables count as imports."""
        targets = {target for target, _, _ in imports("__init__", PACKAGE / "__init__.py")}
        assert {"_errors", "_window", "_sla", "_review"} <= targets
        targets = {target for target, _, _ in imports("io", PACKAGE / "io" / "__init__.py")}
        assert {"_incident", "io._event_log", "io._loaders"} <= targets

    def test_every_module_has_a_layer(self) -> None:
        assert set(modules()) == set(LAYERS), "a new module needs its place in the layers"


def test_no_import_cycle() -> None:
    """``import itilkit`` pulls no module into an import cycle, function-level imports included."""
    assert cycles(graph()) == []


def test_no_private_import_across_modules() -> None:
    """A module reads another only through names without a leading underscore."""
    offenders = [
        f"{name} imports {target}.{imported}"
        for name, path in modules().items()
        for target, imported, _ in imports(name, path)
        if imported.startswith("_") and not imported.startswith("__") and target != name
    ]
    assert offenders == []


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_imports_point_down(name: str) -> None:
    """A module imports only its own layer and those below (hooks into edges excepted)."""
    path = modules()[name]
    upward = [
        f"{name} ({LAYER_NAMES[LAYERS[name]]}) imports {target} ({LAYER_NAMES[LAYERS[target]]})"
        for target, _, top in imports(name, path)
        if LAYERS[target] > LAYERS[name] and not (not top and (name, target) in HOOKS)
    ]
    assert upward == []
