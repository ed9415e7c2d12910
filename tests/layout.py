"""Reading the app's import graph from its source with ``ast`` (a helper for test_layout).

Never by importing: a cycle that Python survives today, because of the order
modules happen to be loaded in, is caught as well. ``from package import name``
is an edge to ``package.name`` when that is a module, else to ``package``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import app

ROOT = Path(app.__file__).parent
# Sent into learners' kernels as text and run there; never imported by the app.
KERNEL_SIDE = ROOT / "grading" / "sandbox" / "inside"


def module_name(path: Path) -> str:
    """``app/grading/routes.py`` -> ``app.grading.routes``; a package is its ``__init__``."""
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(under: Path = ROOT) -> dict[str, Path]:
    """Every app module below ``under``, by dotted name."""
    return {module_name(p): p for p in sorted(under.rglob("*.py")) if KERNEL_SIDE not in p.parents}


def _targets(node: ast.Import | ast.ImportFrom, package: str, known: set[str]) -> set[str]:
    """The known modules one import statement loads."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & known
    base = node.module or ""
    if node.level:
        parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        base = f"{parent}.{base}" if base else parent
    found = {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    return found & known


def _imports(path: Path) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Each import statement of a module, and whether it sits inside a function."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, in_function))
            walk(child, inner)

    walk(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)
    return found


def import_graph(*, in_functions: bool = True) -> dict[str, set[str]]:
    """Each app module and the app modules it imports (inside functions too, by default)."""
    found = modules()
    known = set(found)
    graph: dict[str, set[str]] = {}
    for name, path in found.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = {
            target
            for node, inside in _imports(path)
            if in_functions or not inside
            for target in _targets(node, package, known)
        } - {name}
    return graph


def imports_inside_functions(path: Path) -> list[ast.Import | ast.ImportFrom]:
    """The import statements of a module that run only when a function is called."""
    return [node for node, inside in _imports(path) if inside]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None.

    A package importing its own submodules is not counted: Python loads the
    package first, so that is a cycle only if a submodule imports it back,
    and then the graph has that edge too.
    """
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return path[path.index(name) :] + [name]
        if name in done:
            return None
        path.append(name)
        for target in sorted(graph.get(name, ())):
            if target.startswith(name + "."):
                continue
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(name)
        return None

    return next((cycle for name in sorted(graph) if (cycle := visit(name))), None)


def explained(path: Path, node: ast.stmt) -> bool:
    """A comment on the import's line, or above it past blank lines and other imports."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = node.lineno - 1
    while index >= 0:
        text = lines[index].strip()
        if "#" in text:
            return True
        if text and not text.startswith(("import ", "from ")):
            return False
        index -= 1
    return False
