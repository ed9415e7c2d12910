"""The layout's promises, read from the source: no import cycle, clear names, who imports what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.layout import (
    ROOT,
    explained,
    find_cycle,
    import_graph,
    imports_inside_functions,
    modules,
)

# The areas that grew sub-packages by role; each keeps its module names distinct.
AREAS = ["grading", "lake"]


def test_the_cycle_finder_finds_a_cycle_and_shows_it_in_order():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_the_imports_it_should():
    graph = import_graph()
    assert len(graph) > 150
    assert "app.lake.engine" in graph["app.lake.routes"]
    assert (
        "app.lake.playground.types" in graph["app.lake.playground.statements.filter"]
    )  # from pkg import mod
    assert "app.grading.submissions" in graph["app.grading.queue"]
    assert "app.grading.tasks" in graph["app.grading.queue"]  # inside a function
    assert "app.grading.tasks" not in import_graph(in_functions=False)["app.grading.queue"]


def test_no_app_modules_import_each_other_in_a_cycle():
    # Imports inside functions count: they are real dependencies, only deferred.
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("area", AREAS)
def test_imports_inside_functions_say_why(area):
    unexplained = [
        f"{path.relative_to(ROOT.parent)}:{node.lineno}"
        for path in modules(ROOT / area).values()
        for node in imports_inside_functions(path)
        if not explained(path, node)
    ]
    assert unexplained == []


@pytest.mark.parametrize("area", AREAS)
def test_no_two_modules_of_an_area_are_named_alike(area):
    # model.py beside models.py, or sandbox/ beside sandbox.py, read as one thing.
    paths = list((ROOT / area).rglob("*.py"))
    names = [p.stem.removesuffix("s") for p in paths if p.stem != "__init__"]
    packages = [p.parent.name.removesuffix("s") for p in paths if p.stem == "__init__"][1:]
    repeated = sorted({n for n in names if names.count(n) > 1})
    assert repeated == []
    assert sorted(set(names) & set(packages)) == []


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
