"""``flask academy check`` and ``flask academy sync``: the authors' commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from app.authoring.folder import CourseSet, load_folder
from app.authoring.kits import check_kits
from app.authoring.practice import check_practice
from app.authoring.problems import Problem, Severity
from app.authoring.sqlblocks import check_sql
from app.authoring.sync import SyncRefused, module_resolver, sync_courses
from app.demand.services import announce_published
from app.extensions import db
from app.grading.cli import check_exercises
from app.hub.lessons import check_lessons, notebooks_dir
from app.lake.explore.links import LINK_KINDS, RESOLVERS
from app.lake.location import lake_dir

courses_option = click.option(
    "--courses",
    "courses_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Course folder (default: the ACADEMY_COURSES_DIR setting, else courses/).",
)


def read_courses(courses_dir: Path | None) -> CourseSet:
    """Load the folder named on the command line, or the configured one."""
    root = courses_dir or Path(current_app.config["ACADEMY_COURSES_DIR"])
    return load_folder(root, LINK_KINDS)


def echo_problems(courses: CourseSet) -> None:
    for problem in courses.problems:
        colour = "red" if problem.severity == Severity.ERROR else "yellow"
        click.secho(str(problem), fg=colour, err=True)


@click.command("check")
@courses_option
def check_command(courses_dir: Path | None) -> None:
    """Check every course file, exercise and lesson notebook; print problems as path:line."""
    courses = read_courses(courses_dir)
    exercise_problems, exercises = check_exercises(courses, courses_dir)
    lesson_problems, lessons = check_lessons(set(courses.by_code), courses_dir)
    sql_problems, blocks = check_sql(courses.modules, lake_dir())
    courses.problems.extend(
        exercise_problems + lesson_problems + written_problems(courses, courses_dir) + sql_problems
    )
    echo_problems(courses)
    errors = sum(1 for p in courses.problems if p.severity == Severity.ERROR)
    warnings = len(courses.problems) - errors
    checked = (
        f"{len(courses.modules)} module(s)"
        + (f" and {exercises} exercise(s)" if exercises else "")
        + (f" and {lessons} lesson notebook(s)" if lessons else "")
        + (f" and {blocks} SQL block(s)" if blocks else "")
    )
    summary = f"{checked} checked: {errors} error(s), {warnings} warning(s)"
    if errors:
        raise click.ClickException(summary)
    click.echo(summary)


def written_problems(courses: CourseSet, courses_dir: Path | None) -> list[Problem]:
    """What written modules lack: a kit, and for technical ones an exercise and a notebook."""
    return check_kits(courses.root, courses.modules) + check_practice(
        courses.modules, notebooks_dir(courses_dir)
    )


@click.command("sync")
@courses_option
def sync_command(courses_dir: Path | None) -> None:
    """Load the course folder into the database; a folder with errors changes nothing."""
    courses = read_courses(courses_dir)
    echo_problems(courses)
    try:
        report = sync_courses(courses, module_resolver(courses, RESOLVERS))
    except SyncRefused as refused:
        db.session.rollback()
        raise click.ClickException(f"{refused} (the site keeps its last good content)") from None
    told = announce_published(report.published)
    db.session.commit()
    if told:
        click.echo(f"told {told} interested learner(s) about newly published modules")
    for label, codes in (
        ("created", report.created),
        ("updated", report.updated),
        ("published", report.published),
        ("retired", report.retired),
    ):
        if codes:
            click.echo(f"{label}: {', '.join(codes)}")
    click.echo(
        f"synced {len(courses.modules)} module(s): {len(report.created)} created, "
        f"{len(report.updated)} updated, {len(report.retired)} retired, "
        f"{len(report.unchanged)} unchanged"
    )
