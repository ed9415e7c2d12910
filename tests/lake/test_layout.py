"""The shape of app/lake, read from its source with ``ast``: no import cycle, no look-alike names.

Also: imports inside functions say why they are there.

The import graph has an edge from a module to each module of app/lake it
imports at module level (class bodies included, function bodies not: those
run once everything is loaded). ``from package import name`` is an edge to
``package.name`` when that is a module, else to ``package``. Importing a
submodule is not counted as importing its package too: Python runs the
package's ``__init__`` first, which is a cycle only if that ``__init__``
imports the submodule back, and then the graph has both edges.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import app.lake

PACKAGE = "app.lake"
ROOT = Path(app.lake.__file__).parent


def modules() -> dict[str, Path]:
    """Every module of app/lake by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path
    return found


def module_level(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes that run when the module is imported: everything outside function bodies."""
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield child
            yield from module_level(child)


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that module ``name`` imports at module level."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in module_level(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return (found & known) - {name}


def import_graph() -> dict[str, set[str]]:
    """Each module of app/lake, with the modules of app/lake it imports at module level."""
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return path[path.index(name) :] + [name]
        if name in done:
            return None
        path.append(name)
        for target in sorted(graph.get(name, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        done.add(name)
        return None

    return next((cycle for name in sorted(graph) if (cycle := visit(name))), None)


def test_the_lake_modules_import_one_another_without_a_cycle():
    graph = import_graph()
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_graph_sees_the_imports_it_should():
    graph = import_graph()
    assert "app.lake.engine" in graph["app.lake.routes"]
    assert "app.lake.pipeline.refining_sql" in graph["app.lake.pipeline.transforms"]
    assert "app.lake.playground.types" in graph["app.lake.playground.filter"]  # from pkg import mod
    assert "app.lake.dictionary.entries" in graph["app.lake.dictionary"]


def test_imports_inside_functions_say_why():
    for path in modules().values():
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    assert _explained(lines, node.lineno - 1), (
                        f"{path.relative_to(ROOT)}:{node.lineno}"
                    )


def _explained(lines: list[str], index: int) -> bool:
    """A comment on the import's line, or above it past blank lines and other imports."""
    while index >= 0:
        text = lines[index].strip()
        if "#" in text:
            return True
        if text and not text.startswith(("import ", "from ")):
            return False
        index -= 1
    return False


def test_a_cycle_is_found_and_shown_in_order():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_two_lake_modules_are_named_alike():
    names = [path.stem for path in ROOT.rglob("*.py") if path.stem != "__init__"]
    folded = sorted(name.removesuffix("s") for name in names)
    assert len(set(folded)) == len(folded), [n for n in set(folded) if folded.count(n) > 1]
