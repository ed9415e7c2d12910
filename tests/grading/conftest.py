"""Shared fixtures for the grading tests: the lake and exercise folders written on the fly.

Constants and builders are in ``tests.grading.support``; the sandbox's
fixtures are in ``tests/grading/sandbox/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from app.grading.exercises.authored import Exercise
from app.grading.exercises.load import load_exercise
from tests.grading.support import SIMPLE_SOLUTION, SIMPLE_STARTER, SIMPLE_YAML, notebook_bytes


@pytest.fixture(scope="session")
def lake_dir(built_lake) -> Path:
    """The shared sample lake (see tests/conftest.py). Do not modify it."""
    return built_lake.lake


@pytest.fixture
def write_exercise(tmp_path: Path):
    """Write an exercise folder under tmp_path/exercises; returns its folder."""

    def write(
        exercise_id: str = "simple",
        yaml_text: str = SIMPLE_YAML,
        *,
        starter: dict[str, str] | None = None,
        solution: dict[str, str] | None = None,
        wrong: dict[str, dict[str, str]] | None = None,
        checks: str | None = None,
    ) -> Path:
        folder = tmp_path / "exercises" / exercise_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "exercise.yaml").write_text(dedent(yaml_text))
        notebooks = {
            "starter.ipynb": SIMPLE_STARTER if starter is None else starter,
            "solution.ipynb": SIMPLE_SOLUTION if solution is None else solution,
        }
        for name, answers in (wrong or {}).items():
            notebooks[f"wrong/{name}.ipynb"] = answers
        for name, answers in notebooks.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(notebook_bytes(answers))
        if checks is not None:
            (folder / "checks.py").write_text(dedent(checks))
        return folder

    return write


@pytest.fixture
def simple_exercise(write_exercise) -> Exercise:
    """A two-question exercise (one sql, one value) that loads without problems."""
    exercise, problems = load_exercise(write_exercise())
    assert exercise is not None, problems
    return exercise
