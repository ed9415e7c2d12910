"""The layout's promises, read from the source: no import cycles, and what imports what."""

from __future__ import annotations

import ast
from pathlib import Path

import app

ROOT = Path(app.__file__).parent


def module_name(path: Path) -> str:
    """``app/grading/routes.py`` -> ``app.grading.routes``; a package is its ``__init__``."""
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The app modules a module imports, at load time or inside its functions alike."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "app" or name.startswith("app.")}


def import_graph() -> dict[str, set[str]]:
    """Every app module and the app modules it imports at load time."""
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    return {
        name: {dep for dep in imports_of(path) if dep in modules and dep != name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of module names, or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            # A package's __init__ importing its own submodules is not a cycle worth naming.
            if node != "app" and dep.startswith(node + "."):
                continue
            if state.get(dep) == 1:
                return stack[stack.index(dep) :] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_two_app_modules_import_each_other_in_a_cycle():
    graph = {name: deps - {"app"} for name, deps in import_graph().items()}
    assert find_cycle(graph) is None


def test_the_learning_page_model_is_imported_by_nothing_but_the_factory():
    importers = {
        name
        for name, deps in import_graph().items()
        if any(d == "app.learning" or d.startswith("app.learning.") for d in deps)
        and not name.startswith("app.learning")
    }
    assert importers <= {"app"}, importers


def test_tests_share_helpers_through_support_modules_only():
    # A test module imported by another runs its tests twice under some
    # collections, and a conftest imported as a module is loaded twice.
    tests_root = Path(__file__).parent
    offenders = []
    for path in tests_root.rglob("*.py"):
        if "vendor" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
                last = node.module.rsplit(".", 1)[-1]
                if last == "conftest" or last.startswith("test_"):
                    offenders.append(f"{path.relative_to(tests_root)}: {node.module}")
    assert offenders == []
