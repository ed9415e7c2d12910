"""Rules for notebooks in learners' JupyterLab: paths, kept names, the first cell, return paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import nbformat
import pytest

from app.grading.exercises.load import load_exercise
from app.grading.grader.notebooks import assemble, parse_notebook
from app.hub.lab import (
    contents_path_ok,
    exercise_path,
    is_submit_cell,
    lesson_path,
    reset_name,
    reset_names,
    safe_return_path,
    with_academy_kernel,
    with_submit_cell,
)
from tests.grading.support import EXERCISE, EXERCISES

URL = "https://academy.example/exercises/sq101-first-queries"
NOW = datetime(2026, 12, 2, 7, 45, 12, tzinfo=UTC)


def test_copies_live_in_a_folder_per_kind_named_after_the_exercise_or_module():
    assert exercise_path("sq101-first-queries") == "exercises/sq101-first-queries.ipynb"
    assert lesson_path("NB101") == "lessons/nb101.ipynb"
    for bad in ("../x", "a/b", "", ".hidden", "a b"):
        with pytest.raises(ValueError):
            exercise_path(bad)


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ("exercises/x.ipynb", True),
        ("exercises/x (before reset 2026-12-02 07.45).ipynb", True),
        ("../b@x.example/x.ipynb", False),
        ("exercises/../../b/x.ipynb", False),
        ("/etc/passwd", False),
        ("a//b", False),
        ("./a", False),
        ("a\\..\\b", False),
        ("", False),
    ],
)
def test_only_paths_inside_the_workspace_reach_the_contents_api(path, ok):
    assert contents_path_ok(path) is ok


def test_a_reset_keeps_the_old_copy_under_the_minute_in_utc():
    in_paris = NOW.astimezone(timezone(timedelta(hours=1)))
    assert reset_name("exercises/sq101.ipynb", in_paris, lambda name: False) == (
        "exercises/sq101 (before reset 2026-12-02 07.45).ipynb"
    )


def test_a_taken_name_is_never_reused_seconds_then_a_counter():
    names = list(zip(range(4), reset_names("exercises/sq101.ipynb", NOW), strict=False))
    assert [name for _, name in names] == [
        "exercises/sq101 (before reset 2026-12-02 07.45).ipynb",
        "exercises/sq101 (before reset 2026-12-02 07.45.12).ipynb",
        "exercises/sq101 (before reset 2026-12-02 07.45.12, 2).ipynb",
        "exercises/sq101 (before reset 2026-12-02 07.45.12, 3).ipynb",
    ]
    taken = {name for _, name in names[:3]}
    assert reset_name("exercises/sq101.ipynb", NOW, taken.__contains__) == names[3][1]
    with pytest.raises(ValueError, match="no free name"):
        reset_name("exercises/sq101.ipynb", NOW, lambda name: True)


def _starter() -> dict:
    return json.loads((EXERCISES / EXERCISE / "starter.ipynb").read_text())


def test_the_first_cell_says_where_to_submit_with_a_link_back():
    starter = _starter()
    marked = with_submit_cell(starter, "First queries [SQ101]", URL)
    first = marked["cells"][0]
    assert is_submit_cell(first) and first["cell_type"] == "markdown"
    assert first["metadata"] == {"academy": {"role": "where-to-submit"}}
    assert f"]({URL})" in first["source"]
    assert "First queries \\[SQ101\\]" in first["source"]  # the title cannot break the link
    assert "Submit my JupyterLab copy" in first["source"] and "upload" in first["source"]
    assert marked["cells"][1:] == starter["cells"] and starter["cells"][0] != first
    nbformat.validate(nbformat.from_dict(marked))


def test_the_first_cell_is_replaced_not_repeated():
    once = with_submit_cell(_starter(), "Old title", "https://old.example/x")
    twice = with_submit_cell(once, "First queries", URL)
    assert sum(is_submit_cell(cell) for cell in twice["cells"]) == 1
    assert URL in twice["cells"][0]["source"] and "old.example" not in json.dumps(twice)
    assert len(twice["cells"]) == len(_starter()["cells"]) + 1


def test_an_older_notebook_gets_the_cell_without_a_cell_id():
    old = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Old")])
    old.nbformat_minor = 4
    del old.cells[0]["id"]
    marked = with_submit_cell(dict(old), "Old", URL)
    assert "id" not in marked["cells"][0]
    nbformat.validate(nbformat.from_dict(marked))


def test_the_grader_grades_a_notebook_with_the_first_cell_as_without_it():
    exercise, problems = load_exercise(EXERCISES / EXERCISE)
    assert exercise is not None, problems
    for name in ("starter.ipynb", "solution.ipynb"):
        plain = (EXERCISES / EXERCISE / name).read_bytes()
        marked = with_submit_cell(json.loads(plain), exercise.title, URL)
        parsed = parse_notebook(json.dumps(marked).encode())  # valid, as uploaded
        assert assemble(exercise, parsed) == assemble(exercise, plain), name


@pytest.mark.parametrize(
    "to",
    [
        "/exercises/sq101/lab/starting?step=signed-in",
        "/modules/NB101/lab/starting",
        "/",
    ],
)
def test_the_hub_may_send_browsers_back_to_academy_paths(to):
    assert safe_return_path(to) == to


@pytest.mark.parametrize(
    "to",
    [
        "",
        "exercises/x",
        "//evil.example/x",
        "///evil.example",
        "https://evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
        "/ex ercises",
        "javascript:alert(1)",
    ],
)
def test_the_hub_is_no_open_redirect(to):
    assert safe_return_path(to) is None


def test_a_copy_names_the_academys_kernel_the_only_one_in_jupyterlab():
    starter = {"metadata": {"kernelspec": {"name": "python3"}, "language_info": {}}, "cells": []}
    copied = with_academy_kernel(starter)
    assert copied["metadata"]["kernelspec"]["name"] == "academy"
    assert copied["metadata"]["language_info"] == {}
    assert starter["metadata"]["kernelspec"]["name"] == "python3"  # the original is untouched
