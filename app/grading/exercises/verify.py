"""The checks that need the lake: reference queries run, and every notebook grades as it should.

The solution must score full marks, the starter zero, and each notebook in
``wrong/`` below the pass mark, failing the question its ``traps:`` entry
names; otherwise the exercise is unfair one way or the other, and ``academy
check`` fails naming it. References are also warned about when their feedback
could give the answer away or their order is not the only right one
(``exercises.references``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from app.authoring.problems import Problem, Severity
from app.grading.exercises.authored import Exercise, Question
from app.grading.exercises.load import display_path
from app.grading.exercises.references import order_problem, unaliased_columns
from app.grading.exercises.traps import Trap
from app.grading.grader.grade import Execute, grade
from app.grading.grader.lakedb import QueryFailed, Result, open_lake, refusal, run_query
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
                result = run_query(con, question.reference)
            except QueryFailed as failed:
                message = f"the reference query of {question.id} fails on the lake: {failed}"
                problems.append(Problem(display, question.line, message))
                continue
            problems += _reference_warnings(question, result, display)
    return problems


def _reference_warnings(question: Question, result: Result, display: str) -> list[Problem]:
    """Warnings about a reference that runs: unaliased expressions, an order with ties."""
    messages = []
    unaliased = unaliased_columns(result)
    if unaliased:
        listed = ", ".join(str(n) for n in unaliased)
        messages.append(
            f"the reference query of {question.id} has unaliased expression column(s) {listed}: "
            "name each with AS (feedback calls them by position, and learners cannot match "
            "such a name)"
        )
    if question.order_matters:
        problem = order_problem(question.reference or "", result)
        if problem:
            messages.append(
                f"the reference query of {question.id} has order_matters, but {problem}"
            )
    return [Problem(display, question.line, m, Severity.WARNING) for m in messages]


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
        trap = exercise.trap_for(expected.path) if expected.role == "wrong" else None
        if trap is not None:
            problems += _unproven_trap(exercise, trap, result, display)
        elif not expected.holds(exercise, result):
            problems.append(
                Problem(
                    display,
                    1,
                    f"exercise {exercise.id}: the {expected.role} notebook scores "
                    f"{result.score:g}, not {expected.wanted(exercise)}: {_summary(result)}",
                )
            )
    return problems


def _unproven_trap(
    exercise: Exercise, trap: Trap, result: GradeResult, display: str
) -> list[Problem]:
    """An error unless the wrong variant fails its trap's question and is below the pass mark."""
    named = next((q for q in result.questions if q.id == trap.question), None)
    failures = []
    if result.status != "graded":
        failures.append(f"it could not be graded ({result.reason})")
    else:
        if named is None or named.passed:
            failures.append(f"{trap.question} is right")
        if result.passed:
            mark = exercise.pass_mark * exercise.max_score
            failures.append(f"it scores {result.score:g}, not below the pass mark ({mark:g})")
    if not failures:
        return []
    return [
        Problem(
            display,
            1,
            f"exercise {exercise.id}: wrong variant {trap.wrong!r} does not prove its trap "
            f"on {trap.question} ({trap.says}): {'; '.join(failures)}: {_summary(result)}",
        )
    ]


def verify(
    exercise: Exercise,
    execute: Execute,
    lake_dir: Path,
    root: Path,
    progress: Progress | None = None,
) -> list[Problem]:
    """Every lake-dependent check of one exercise; grading is skipped if a reference fails."""
    problems = check_references(exercise, lake_dir, root)
    if any(p.severity == Severity.ERROR for p in problems):
        return problems
    return problems + check_grades(exercise, execute, lake_dir, root, progress)
