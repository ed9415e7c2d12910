"""``flask academy grade`` and the exercise half of ``flask academy check``."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.authoring.folder import CourseSet
from app.authoring.problems import Problem
from app.extensions import db
from app.grading.exercises.authored import Exercise
from app.grading.exercises.load import (
    check_course_links,
    check_trap_coverage,
    exercise_folders,
    load_exercise,
    load_exercises,
)
from app.grading.exercises.verify import verify
from app.grading.grader.grade import grade
from app.grading.grader.results import GradeResult
from app.grading.runtime import exercises_dir
from app.grading.sandbox.choose import choose_executor
from app.grading.tallies import recount
from app.lake.location import lake_dir, lake_is_built
from app.lake.pipeline.build import build_lake


def _exercise(root: Path, exercise_id: str) -> Exercise:
    """The exercise to grade against, or a ClickException saying why there is none."""
    known = [folder.name for folder in exercise_folders(root)] if root.is_dir() else []
    if exercise_id not in known:  # also keeps "../x" from naming a folder elsewhere
        listed = ", ".join(known) or "none"
        raise click.ClickException(f"unknown exercise {exercise_id!r} (known: {listed})")
    exercise, problems = load_exercise(root / exercise_id, root)
    for problem in problems:
        click.secho(str(problem), fg="red", err=True)
    if exercise is None:
        raise click.ClickException(f"exercise {exercise_id} has errors: fix them first")
    return exercise


def _read(notebook: Path) -> bytes:
    """The notebook file's bytes, or a ClickException saying why it cannot be read."""
    try:
        return notebook.read_bytes()
    except OSError as error:
        raise click.ClickException(f"cannot read {notebook}: {error.strerror}") from None


def echo_result(result: GradeResult, pass_mark: float) -> None:
    """The grade as a person reads it: total, then each question's feedback and hint."""
    verdict = "passed" if result.passed else "not passed"
    click.echo(
        f"{result.exercise_id}: {result.score:g}/{result.max_score:g} "
        f"(pass mark {pass_mark * result.max_score:g}): {verdict}"
    )
    for q in result.questions:
        mark = "right" if q.passed else "wrong"
        click.echo(f"  {q.id}  {q.points:g}/{q.max_points:g}  {mark}: {q.message}")
        if q.hint:
            click.echo(f"        hint: {q.hint}")
    if result.reason:
        click.echo(f"note: {result.reason}")
    click.echo(f"ran in {result.elapsed_s:.1f}s, sandbox: {result.sandbox or 'unknown'}")


@click.command("grade")
@click.argument("exercise_id", metavar="EXERCISE")
@click.argument("notebook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--attempt",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Which attempt this is (recorded in the result).",
)
@click.option(
    "--failed",
    "failed",
    metavar="QUESTION",
    multiple=True,
    help="A question this learner failed before, once per earlier failure: decides its hint.",
)
@click.option(
    "--exercises",
    "exercises_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Exercise folder (default: ACADEMY_EXERCISES_DIR, else exercises/ beside the courses).",
)
@click.option(
    "--local",
    is_flag=True,
    help="Run with the local runner (no sandbox) even if the executor is installed.",
)
def grade_command(
    exercise_id: str,
    notebook: Path,
    as_json: bool,
    attempt: int,
    failed: tuple[str, ...],
    exercises_root: Path | None,
    local: bool,
) -> None:
    """Grade NOTEBOOK against EXERCISE and print the score and each question's feedback."""
    exercise = _exercise(exercises_root or exercises_dir(), exercise_id)
    data = _read(notebook)
    if not lake_is_built():
        raise click.ClickException(
            f"no lake is built at {lake_dir()}: run `flask --app app academy lake build` first"
        )
    executor = choose_executor(local=local)
    click.echo(f"running the notebook with {executor.name}", err=True)
    result = grade(
        exercise,
        data,
        execute=executor.execute,
        lake_dir=lake_dir(),
        attempt=attempt,
        failures=Counter(failed),
    )
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    elif result.status == "graded":
        echo_result(result, exercise.pass_mark)
    if result.status != "graded":
        # Not graded is not a zero: say why and fail, so scripts can tell the two apart.
        click.secho(f"could not grade: {result.reason}", fg="red", err=True)
        raise SystemExit(1)


@contextmanager
def lake_for_checking() -> Iterator[Path]:
    """The configured lake if it is built, else a temporary one built for the check."""
    if lake_is_built():
        yield lake_dir()
        return
    click.echo(f"no lake is built at {lake_dir()}: building a temporary one to check exercises")
    with tempfile.TemporaryDirectory(prefix="academy-check-lake-") as tmp:
        yield build_lake(Path(tmp) / "lake").lake


def _course_exercises(courses: CourseSet) -> dict[str, tuple[str, tuple[str, ...], int]]:
    """Each module's file, listed exercises and the line of its ``exercises:`` key."""
    return {m.code: (m.path, m.exercises, m.line_of("exercises")) for m in courses.modules}


def check_exercises(
    courses: CourseSet, courses_dir: Path | None = None
) -> tuple[list[Problem], int]:
    """Check every exercise beside the courses; (problems, how many exercise folders).

    Without a lake only the files can be checked; with one, each reference
    query runs and the solution, starter and wrong notebooks are graded.
    """
    root = exercises_dir(courses_dir)
    if not root.is_dir() or not exercise_folders(root):
        return [], 0
    found = load_exercises(root, known_modules=set(courses.by_code))
    problems = found.problems + check_course_links(found, _course_exercises(courses))
    problems += check_trap_coverage(found)
    if found.exercises:
        executor = choose_executor()
        click.echo(f"grading each exercise's notebooks with {executor.name}")
        with lake_for_checking() as lake:
            for exercise in found.exercises:
                problems += verify(exercise, executor.execute, lake, root, progress=click.echo)
    problems.sort(key=lambda p: (p.path, p.line, p.message))
    return problems, len(exercise_folders(root))


@click.command("recount-results")
@with_appcontext
def recount_command() -> None:
    """Rebuild the results page's totals from the graded submissions (with grading off)."""
    counted = recount()
    db.session.commit()
    click.echo(f"Counted {counted} graded submission(s) into the results page's totals.")
