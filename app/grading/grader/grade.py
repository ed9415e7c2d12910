"""Grading one attempt: assemble the notebook, run it, read the answers, check each one.

``grade()`` returns a GradeResult and writes nothing: recording the grade is a
separate step for the caller. The notebook runs through an injected
``execute`` function (the sandboxed executor, or the local runner in tests);
everything after it happens on data only, in a confined child process with a
memory limit and a deadline (``grader.confined``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from nbformat import NotebookNode

from app.grading.exercises.authored import Exercise, Limits
from app.grading.grader.confined import check_answers
from app.grading.grader.notebooks import assemble
from app.grading.grader.results import GradeResult, GradingError, QuestionResult
from app.grading.sandbox.cells import export_source, setup_source
from app.grading.sandbox.owner import this_process

# The run's scratch and work folders, named for this process so that what a
# killed process left is found and removed by the next (sandbox/leftovers.py).
WORK_PREFIX = "academy-grade-"


class Execution(Protocol):
    """What an executor returns (see docs/exercises.md, "For the executor")."""

    notebook: NotebookNode
    answers_dir: Path | None
    status: str
    failed_cells: list[int]
    message: str
    sandbox: str
    elapsed_s: float


class Execute(Protocol):
    """The executor: runs set-up, the notebook and the export inside a kernel."""

    def __call__(
        self,
        notebook: NotebookNode,
        *,
        lake_dir: Path,
        scratch_dir: Path,
        work_dir: Path,
        limits: Limits,
        setup_source: str,
        export_source: str,
        sandbox: Any,
    ) -> Execution:
        """Run the notebook; raise RuntimeError if it cannot be run at all."""
        ...


def _not_graded(exercise: Exercise, reason: str, attempt: int, **extra: Any) -> GradeResult:
    """A result that says the attempt could not be graded, and why."""
    return GradeResult(
        exercise_id=exercise.id,
        score=0.0,
        max_score=exercise.max_score,
        passed=False,
        questions=(),
        status="error",
        reason=reason,
        attempt=attempt,
        **extra,
    )


def _plain(notebook: Any) -> dict | None:
    """The executed notebook as plain JSON-ready data."""
    return json.loads(json.dumps(notebook)) if notebook is not None else None


def _run(
    exercise: Exercise,
    notebook: NotebookNode,
    execute: Execute,
    lake: Path,
    sandbox: Any,
    failures: Mapping[str, int],
):
    """Run the notebook in a scratch folder of its own, then check its answers (confined)."""
    with tempfile.TemporaryDirectory(prefix=this_process().prefix(WORK_PREFIX)) as tmp:
        execution = execute(
            notebook,
            lake_dir=lake,
            scratch_dir=Path(tmp) / "scratch",
            work_dir=Path(tmp) / "work",
            limits=exercise.limits,
            setup_source=setup_source(exercise),
            export_source=export_source(exercise),
            sandbox=sandbox,
        )
        # Checked now: the answers folder may be inside the folder about to be removed.
        checked = check_answers(exercise, execution.answers_dir, lake, failures)
    return execution, checked


def score_of(exercise: Exercise, questions: list[QuestionResult]) -> tuple[float, bool]:
    """The total score and whether it reaches the pass mark."""
    score = round(sum(q.points for q in questions), 2)
    return score, score >= exercise.pass_mark * exercise.max_score - 1e-9


def grade(
    exercise: Exercise,
    submission: bytes,
    *,
    execute: Execute,
    lake_dir: Path,
    attempt: int = 1,
    failures: Mapping[str, int] | None = None,
    sandbox: Any = "auto",
) -> GradeResult:
    """Grade one uploaded notebook against the lake in ``lake_dir``.

    The lake is passed to the executor resolved to its build folder, because
    the lake's views name files by that absolute path (see sandbox.cells).
    The executor raises RuntimeError (ExecutorError) when it could not run the
    notebook at all: no sandbox, a failed set-up. That is no grade, not a zero.
    ``failures`` says how often each question failed in this learner's earlier
    attempts: it picks each question's hint, so a question failing for the
    first time shows its first hint whatever the attempt number.
    """
    try:
        notebook = assemble(exercise, submission)
    except GradingError as error:
        return _not_graded(exercise, str(error), attempt)
    lake = Path(lake_dir).resolve()
    try:
        execution, checked = _run(exercise, notebook, execute, lake, sandbox, failures or {})
    except RuntimeError as failed:
        return _not_graded(exercise, f"the notebook could not be run: {failed}", attempt)
    details = {
        "notebook": _plain(execution.notebook),
        "failed_cells": tuple(execution.failed_cells),
        "sandbox": execution.sandbox,
        "elapsed_s": execution.elapsed_s,
    }
    if checked.broken is not None:
        return _not_graded(
            exercise, f"the exercise is broken: {checked.broken}", attempt, **details
        )
    if checked.refused is not None:
        reason = f"the answers could not be graded: {checked.refused}"
        return _not_graded(exercise, reason, attempt, **details)
    questions = list(checked.questions)
    score, passed = score_of(exercise, questions)
    return GradeResult(
        exercise_id=exercise.id,
        score=score,
        max_score=exercise.max_score,
        passed=passed,
        questions=tuple(questions),
        status="graded",
        reason=execution.message,
        attempt=attempt,
        **details,
    )
