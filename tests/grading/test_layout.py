"""The grading package's layout: no import cycle, imports at the top, no two modules named alike.

Read from the source with ``ast``, never by importing, so a cycle that Python
happens to survive today (because of the order modules are first imported in)
is caught as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import app.grading

PACKAGE = Path(app.grading.__file__).parent
ROOT = PACKAGE.parent.parent
# Sent into the learner's kernel as text, never imported by the app.
INSIDE = PACKAGE / "sandbox" / "inside"
# The imports allowed inside a function, each for a reason given where it is.
IMPORTS_IN_FUNCTIONS = {
    ("app.grading.queue", "app.grading.tasks"),  # celery is an optional dependency
}


def module_name(path: Path) -> str:
    """``app/grading/sandbox/pool.py`` -> ``app.grading.sandbox.pool``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    """Every module of the app's grading package, parsed."""
    paths = (p for p in PACKAGE.rglob("*.py") if INSIDE not in p.parents)
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in paths}


def _targets(node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The known modules one import statement loads (``from a import b`` may load ``a.b``)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & known
    if node.level or node.module is None:
        return set()  # relative imports: the package uses none
    submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
    return submodules or {node.module} & known


def top_level_imports(tree: ast.Module, known: set[str]) -> set[str]:
    """The known modules a module imports while it is imported (not inside functions)."""
    found: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found |= _targets(node, known)
        pending.extend(ast.iter_child_nodes(node))
    return found


def imports_in_functions(tree: ast.Module, known: set[str]) -> set[str]:
    """The known modules a module imports inside its functions."""
    found: set[str] = set()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    found |= _targets(node, known) or {ast.unparse(node)}
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` as a list of modules (first == last), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return path[path.index(name) :] + [name]
        if name in done:
            return None
        path.append(name)
        for imported in sorted(graph.get(name, ())):
            if cycle := visit(imported):
                return cycle
        path.pop()
        done.add(name)
        return None

    return next((cycle for name in sorted(graph) if (cycle := visit(name))), None)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_grading_modules_import_each_other_without_a_cycle():
    parsed = modules()
    known = set(parsed)
    graph = {name: top_level_imports(tree, known) - {name} for name, tree in parsed.items()}
    assert len(graph) > 40  # the walk found the package
    assert "app.grading.submissions" in graph["app.grading.queue"]  # and its imports
    assert find_cycle(graph) is None
    # Nor through the imports inside functions (queue imports tasks there, for celery).
    for name, tree in parsed.items():
        graph[name] |= imports_in_functions(tree, known) & known
    assert find_cycle(graph) is None


def test_imports_inside_functions_are_only_the_optional_celery():
    parsed = modules()
    known = set(parsed)
    found = {
        (name, imported)
        for name, tree in parsed.items()
        for imported in imports_in_functions(tree, known)
    }
    assert found == IMPORTS_IN_FUNCTIONS


def test_no_two_modules_of_the_package_share_a_name():
    names = [p.stem for p in PACKAGE.rglob("*.py") if p.stem != "__init__"]
    packages = [p.parent.name for p in PACKAGE.rglob("__init__.py")]
    assert sorted(set(names)) == sorted(names)
    assert not set(names) & set(packages)  # no sandbox/sandbox.py, no kernel/ beside kernel.py
