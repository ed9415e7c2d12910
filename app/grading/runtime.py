"""Which executor grades submissions, and against which lake."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.lake.browse import lake_dir


def lake_for_grading() -> Path:
    return lake_dir()


def exercises_dir(courses_dir: Path | None = None) -> Path:
    """ACADEMY_EXERCISES_DIR, else the ``exercises/`` folder beside the course folder."""
    configured = current_app.config.get("ACADEMY_EXERCISES_DIR")
    if configured and courses_dir is None:
        return Path(configured)
    courses = courses_dir or Path(current_app.config["ACADEMY_COURSES_DIR"])
    return courses.parent / "exercises"


def executor_and_sandbox():
    """The sandboxed executor and the sandbox mode from ACADEMY_GRADING_SANDBOX.

    "auto" uses bubblewrap where it works and otherwise falls back to resource
    limits and a scrubbed environment (admins are warned); "bwrap" makes the
    sandbox mandatory.
    """
    from app.grading.executors import sandboxed

    return sandboxed().execute, current_app.config.get("ACADEMY_GRADING_SANDBOX", "auto")
