"""The checks that need the lake: reference queries run, and every notebook grades as it should.

The solution must score full marks, the starter zero, and each notebook in
``wrong/`` below the pass mark; otherwise the exercise is unfair one way or
the other, and ``academy check`` fails naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from app.authoring.problems import Problem
from app.grading.exercises.authored import Exercise
from app.grading.exercises.load import display_path
from app.grading.grader.grade import Execute, grade
from app.grading.grader.lakedb import QueryFailed, open_lake, refusal, run_query
from app.grading.grader.results import GradeResult

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Expectation:
    """What one notebook of an exercise must score, and how to say it did not."""

    path: Path
    role: str  # solution, starter, wrong

    def holds(self, exercise: Exercise, result: GradeResult) -> bool:
        """True when the grade is what this notebook's role demands."""
        if result.status != "graded":
            return False
        if self.role == "solution":
            return result.score >= exercise.max_score - 1e-9
        if self.role == "starter":
            return result.score == 0
        return not result.passed

    def wanted(self, exercise: Exercise) -> str:
        """The score this notebook must get, in words."""
        return {
            "solution": f"full marks ({exercise.max_score:g})",
            "starter": "zero",
        }.get(self.role, f"below the pass mark ({exercise.pass_mark * exercise.max_score:g})")


def expectations(exercise: Exercise) -> list[Expectation]:
    """Every notebook of the exercise with the score it must get."""
    found = [Expectation(exercise.solution, "solution"), Expectation(exercise.starter, "starter")]
    return found + [Expectation(path, "wrong") for path in exercise.wrong_variants()]


def check_references(exercise: Exercise, lake_dir: Path, root: Path) -> list[Problem]:
    """Each reference query is one SELECT and runs on the lake."""
    display = display_path(exercise.folder / "exercise.yaml", root)
    problems = []
    with closing(open_lake(lake_dir)) as con:
        for question in exercise.questions:
            if question.reference is None:
                continue
            refused = refusal(question.reference)
            try:
                if refused:
                    raise QueryFailed(refused)
                run_query(con, question.reference)
            except QueryFailed as failed:
                message = f"the reference query of {question.id} fails on the lake: {failed}"
                problems.append(Problem(display, question.line, message))
    return problems


def _summary(result: GradeResult) -> str:
    """What went wrong in a grade, briefly, for an author."""
    if result.status != "graded":
        return result.reason
    wrong = [f"{q.id}: {q.message}" for q in result.questions if not q.passed]
    right = [q.id for q in result.questions if q.passed]
    parts = wrong + ([f"right: {', '.join(right)}"] if right else [])
    return "; ".join(parts)


def check_grades(
    exercise: Exercise,
    execute: Execute,
    lake_dir: Path,
    root: Path,
    progress: Progress | None = None,
) -> list[Problem]:
    """Grade the solution, the starter and each wrong variant; a problem for each surprise."""
    problems = []
    for expected in expectations(exercise):
        result = grade(exercise, expected.path.read_bytes(), execute=execute, lake_dir=lake_dir)
        display = display_path(expected.path, root)
        if progress:
            progress(f"{display}: {result.score:g}/{result.max_score:g} ({result.status})")
        if not expected.holds(exercise, result):
            problems.append(
                Problem(
                    display,
                    1,
                    f"exercise {exercise.id}: the {expected.role} notebook scores "
                    f"{result.score:g}, not {expected.wanted(exercise)}: {_summary(result)}",
                )
            )
    return problems


def verify(
    exercise: Exercise,
    execute: Execute,
    lake_dir: Path,
    root: Path,
    progress: Progress | None = None,
) -> list[Problem]:
    """Every lake-dependent check of one exercise; grading is skipped if a reference fails."""
    problems = check_references(exercise, lake_dir, root)
    if problems:
        return problems
    return check_grades(exercise, execute, lake_dir, root, progress)
