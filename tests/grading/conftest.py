"""Shared fixtures for the grader: a lake, exercise folders written on the fly, notebooks.

``run_in_process`` is a kernel-less executor for fast tests of the pipeline:
it runs set-up, the notebook's code cells and the export with ``exec`` in
this process. The local runner (a real kernel, no sandbox) is used where the
kernel itself matters; those tests are marked slow.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from app.grading.exercises.authored import Exercise
from app.grading.exercises.load import load_exercise
from app.grading.sandbox.cells import ENV_ANSWERS, ENV_LAKE, ENV_SCRATCH
from tests.grading import test_executor_support as support

SIMPLE_YAML = """\
title: Simple
module: SQ101
questions:
  - id: q1
    points: 2
    kind: sql
    prompt: Every product code.
    reference: SELECT product_code FROM trusted.product
  - id: q2
    points: 1
    kind: value
    prompt: How many products are there?
    reference: SELECT count(*) FROM trusted.product
    hints: [Count the rows of trusted.product., Use count(*).]
"""
SIMPLE_SOLUTION = {
    "q1": 'answer_q1 = "SELECT product_code FROM trusted.product"',
    "q2": 'answer_q2 = lake.execute("SELECT count(*) FROM trusted.product").fetchall()[0][0]',
}
SIMPLE_STARTER = {"q1": 'answer_q1 = ""', "q2": "answer_q2 = None"}


# The sandboxed executor's tests (test_executor_hostile, test_executor_kernels) share these.
@pytest.fixture(scope="module")
def site():
    """The fake lake and instance folder, for the whole module."""
    with support.temporary_site() as made:
        yield made


@pytest.fixture(scope="module")
def pool(site):
    """Warm bubblewrap kernels (fails on CI, skips elsewhere without bubblewrap)."""
    with support.warm_pool(site) as kernels:
        yield kernels


@pytest.fixture
def run(site, pool, tmp_path):
    """Run cells in the bubblewrap sandbox and check nothing on the site changed."""
    with support.checked_runner(site, pool, tmp_path) as runner:
        yield runner


@pytest.fixture(scope="session")
def lake_dir(built_lake) -> Path:
    """The shared sample lake (see tests/conftest.py). Do not modify it."""
    return built_lake.lake


def answer_cell(qid: str, source: str) -> nbformat.NotebookNode:
    """A code cell tagged as the answer cell of ``qid``."""
    cell = new_code_cell(source)
    cell.metadata["academy"] = {"answer": qid}
    return cell


def make_notebook(answers: dict[str, str], intro: str = "# Exercise") -> nbformat.NotebookNode:
    """A notebook with an intro, a set-up cell and one answer cell per question."""
    cells = [new_markdown_cell(intro), new_code_cell("x = 1")]
    cells += [answer_cell(qid, source) for qid, source in answers.items()]
    return new_notebook(cells=cells)


def notebook_bytes(answers: dict[str, str], **kwargs) -> bytes:
    return nbformat.writes(make_notebook(answers, **kwargs)).encode()


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


@dataclass
class FakeExecution:
    """The executor's result, as the fakes below produce it."""

    notebook: nbformat.NotebookNode
    answers_dir: Path
    status: str = "completed"
    failed_cells: list[int] = field(default_factory=list)
    message: str = ""
    sandbox: str = "in-process"
    elapsed_s: float = 0.0


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_in_process(
    notebook, *, lake_dir, scratch_dir, work_dir, limits, setup_source, export_source, sandbox
):
    """A kernel-less executor: exec each cell in one namespace, recording failures."""
    started = time.monotonic()
    answers = work_dir / "answers"
    answers.mkdir(parents=True)
    scratch_dir.mkdir(parents=True, exist_ok=True)
    namespace: dict = {"__name__": "__main__"}
    failed = []
    env = {ENV_LAKE: str(lake_dir), ENV_SCRATCH: str(scratch_dir), ENV_ANSWERS: str(answers)}
    with _environment(env):
        exec(setup_source, namespace)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            try:
                exec(cell.source, namespace)
            except Exception:
                failed.append(index)
        exec(export_source, namespace)
        namespace["lake"].close()
    return FakeExecution(
        notebook, answers, failed_cells=failed, elapsed_s=time.monotonic() - started
    )


def answers_json(folder: Path) -> dict[str, dict]:
    """The JSON answers an export wrote, by question id."""
    return {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
