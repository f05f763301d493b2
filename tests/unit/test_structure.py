"""The shape of the code: only services commit, and no module imports itself round a cycle.

Read from the source, so a new module is checked the day it is added.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "protocol_monitor"

#: Where a transaction may end: the use cases (services/, and identity/'s own), and the unit of
#: work they write inside.
USE_CASES = (
    "services/",
    "identity/accounts.py",
    "identity/browser_sessions.py",
    "identity/credentials.py",
    "identity/two_factor.py",
)
MAY_COMMIT = (*USE_CASES, "db.py")


def may_commit(relative: str) -> bool:
    """Whether a module (a path inside the package) may commit a transaction."""
    return relative.startswith(MAY_COMMIT)


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _only_for_type_checkers(node: ast.If) -> bool:
    """``if TYPE_CHECKING:`` (no else): its imports are read by type checkers, never run."""
    test = node.test
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
    return name == "TYPE_CHECKING" and not node.orelse


def _top_level_imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports when it is imported (imports inside
    functions run later, so they cannot close a cycle at import time)."""
    package = name if _is_package(path) else name.rpartition(".")[0]
    return _imports_of_tree(name, package, ast.parse(path.read_text()), modules)


def _imports_of_tree(
    name: str, package: str, tree: ast.Module, modules: dict[str, Path]
) -> set[str]:
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    if submodule in modules:
                        found.add(submodule)
                    elif source in modules:
                        found.add(source)
            elif isinstance(node, ast.If) and _only_for_type_checkers(node):
                continue  # never runs: annotations only (models refer to each other so)
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
                visit(getattr(node, "finalbody", []))

    visit(tree.body)
    found.discard(name)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return result


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _top_level_imports(name, path, modules) for name, path in modules.items()}


def test_no_import_cycles():
    assert _cycles(import_graph()) == []


def test_type_checking_imports_are_not_run():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import b\n"
        "if TYPE_CHECKING:\n"
        "    from . import c\n"
        "if b:\n"
        "    from . import d\n"
    )
    modules = dict.fromkeys(["pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"], Path())
    tree = ast.parse(source)
    found = _imports_of_tree("pkg.a", "pkg", tree, modules)
    assert found == {"pkg.b", "pkg.d"}


def test_no_imports_inside_functions():
    """Every import at the top of its module, where a reader (and the cycle check) sees it."""
    inside = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for function in ast.walk(ast.parse(path.read_text()))
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert inside == []


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_only_the_app_factory_imports_the_package_root():
    """Modules import what they use (extensions.py, db.py...), never the package root, which
    imports every view back."""
    importers = sorted(
        name for name, targets in import_graph().items() if "protocol_monitor" in targets
    )
    assert importers == ["protocol_monitor.cli"]


def test_callouts_and_matching_import_one_way():
    """Callouts import matching; matching never imports callouts, not even inside a function."""
    graph = import_graph()
    assert "protocol_monitor.services.matching" in graph["protocol_monitor.services.callouts"]
    matching = ast.parse((PACKAGE / "services" / "matching.py").read_text())
    sources = {
        (node.level, node.module) for node in ast.walk(matching) if isinstance(node, ast.ImportFrom)
    }
    assert (1, "callouts") not in sources
    assert not any(
        node.names[0].name == "callouts"
        for node in ast.walk(matching)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
    )


def _transaction_calls(path: Path) -> list[int]:
    """Lines that end a transaction: ``.commit()``, ``.begin()`` (which commits on exit), or
    ``unit_of_work()`` (which does too)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and _called_name(node.func) in {"commit", "begin", "unit_of_work"}
        and (isinstance(node.func, ast.Attribute) or _called_name(node.func) == "unit_of_work")
    ]


def _called_name(function: ast.expr) -> str | None:
    """``f`` for ``f()`` and ``x.f()``."""
    return getattr(function, "attr", None) or getattr(function, "id", None)


def test_only_services_commit():
    outside = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if may_commit(relative):
            continue
        outside += [f"protocol_monitor/{relative}:{line}" for line in _transaction_calls(path)]
    assert outside == [], "commit only in use cases (inside db.unit_of_work)"


def test_the_commit_scan_finds_a_commit(tmp_path):
    module = tmp_path / "view.py"
    module.write_text("def save(session):\n    session.add(1)\n    session.commit()\n")
    assert _transaction_calls(module) == [3]
    module.write_text("def save(item):\n    with db.unit_of_work():\n        add(item)\n")
    assert _transaction_calls(module) == [2]
