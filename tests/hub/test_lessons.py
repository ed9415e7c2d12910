"""Lesson notebooks: found by module code, and checked by ``academy check``."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from app.authoring.folder import load_folder
from app.config import PROJECT_ROOT
from app.hub.lessons import check_lesson, lesson_file, notebooks_dir
from app.lake.lockdown import connect_in_kernel
from tests.factories import course_text, write_course

SHIPPED = PROJECT_ROOT / "notebooks"
NB101 = SHIPPED / "nb101.ipynb"


def _notebook_text() -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))


def test_a_lesson_notebook_is_named_after_its_module(app, tmp_path):
    assert notebooks_dir() == tmp_path / "notebooks"  # beside the courses
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "nb101.ipynb").write_text(_notebook_text())
    assert lesson_file("NB101") == tmp_path / "notebooks" / "nb101.ipynb"
    assert lesson_file("SQ101") is None


def test_the_shipped_lessons_are_valid_and_name_modules():
    # Every shipped lesson must name a module of the shipped courses, not only NB101.
    codes = set(load_folder(PROJECT_ROOT / "courses").by_code)
    problems = [
        problem
        for path in SHIPPED.glob("*.ipynb")
        for problem in check_lesson(path, path.name, codes)
    ]
    assert problems == [] and NB101.is_file()


@pytest.mark.slow
def test_the_nb101_lesson_runs_from_top_to_bottom_in_a_kernels_lake(built_lake):
    """Restart & Run All, as the lesson asks: every code cell, with the kernel's `lake`."""
    notebook = json.loads(NB101.read_text())
    scratch = tempfile.mkdtemp(prefix="academy-nb101-")
    namespace = {"lake": connect_in_kernel(str(built_lake.lake), scratch, "256MB")}
    try:
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        for cell in code:
            exec("".join(cell["source"]), namespace)  # noqa: S102 (our own lesson)
        saved = namespace["lake"].execute("SELECT count(*) FROM monthly_responses").fetchall()[0]
    finally:
        namespace["lake"].close()
        shutil.rmtree(scratch)
    assert len(code) >= 10 and saved[0] > 0
    assert not any(c.get("outputs") for c in code)  # shipped clean


def _courses_with_notebooks(tmp_path: Path, notebooks: dict[str, str]) -> Path:
    courses = tmp_path / "site" / "courses"
    courses.mkdir(parents=True)
    write_course(courses, "nb101.md", course_text("NB101"))
    folder = tmp_path / "site" / "notebooks"
    folder.mkdir()
    (folder / "README.md").write_text("# not a lesson")
    for name, text in notebooks.items():
        (folder / name).write_text(text)
    return courses


def test_academy_check_counts_the_lesson_notebooks(runner, tmp_path):
    courses = _courses_with_notebooks(tmp_path, {"nb101.ipynb": _notebook_text()})
    result = runner.invoke(args=["academy", "check", "--courses", str(courses)])
    assert result.exit_code == 0, result.output
    assert "1 module(s) and 1 lesson notebook(s) checked: 0 error(s)" in result.output


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        (
            "zz999.ipynb",
            None,
            "notebooks/zz999.ipynb:1: error: zz999.ipynb names no module: a lesson notebook "
            "is notebooks/<module code lowercased>.ipynb",
        ),
        ("NB101.ipynb", None, "notebooks/NB101.ipynb:1: error: NB101.ipynb names no module"),
        (
            "nb101.ipynb",
            '{"cells": [],\n "nbformat": 4,,}',
            "notebooks/nb101.ipynb:2: error: not JSON",
        ),
        ("nb101.ipynb", '{"cells": 3}', "notebooks/nb101.ipynb:1: error: not a valid notebook"),
    ],
)
def test_academy_check_reports_a_bad_lesson_notebook_by_path_and_line(
    runner, tmp_path, name, text, problem
):
    courses = _courses_with_notebooks(tmp_path, {name: text or _notebook_text()})
    result = runner.invoke(args=["academy", "check", "--courses", str(courses)])
    assert result.exit_code == 1
    assert problem in result.output, result.output
