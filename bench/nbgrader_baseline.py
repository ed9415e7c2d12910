"""nbgrader's ``autograde`` on the trivial exercise, for the grading benchmark's ratio.

nbgrader is not a dependency of the academy: it is installed in a virtual
environment of its own (``make bench-grading`` creates ``.venv-nbgrader``) and
run as a command, exactly as a course using it would. The notebook is the
benchmark's trivial exercise in nbgrader's form: one solution cell
(``answer_q1 = 6 * 7`` once filled in) and one locked test cell worth a point
(``assert answer_q1 == 42``). ``autograde`` then grades a batch of identical
submissions, one student after another, as it always does.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

ASSIGNMENT = "ps1"
NOTEBOOK = "trivial.ipynb"


def _cell(source: str, grade_id: str, **flags: object) -> dict:
    nbgrader = {"schema_version": 3, "grade_id": grade_id, "solution": False, "grade": False,
                "locked": False, "task": False, **flags}  # fmt: skip
    return {"cell_type": "code", "id": grade_id, "metadata": {"nbgrader": nbgrader},
            "execution_count": None, "outputs": [], "source": source}  # fmt: skip


def source_notebook() -> dict:
    """The instructor's version: the solution between nbgrader's markers, and the test."""
    cells = [
        _cell("### BEGIN SOLUTION\nanswer_q1 = 6 * 7\n### END SOLUTION", "answer", solution=True),
        _cell("assert answer_q1 == 42", "check", grade=True, locked=True, points=1),
    ]
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return {"cells": cells, "metadata": {"kernelspec": kernelspec}, "nbformat": 4,
            "nbformat_minor": 5}  # fmt: skip


def _nbgrader(nbgrader: Path, course: Path, *args: str) -> None:
    # nbgrader runs alembic as a command, so its environment's bin/ must be on PATH.
    env = {**os.environ, "PATH": f"{nbgrader.parent}:{os.environ.get('PATH', '')}"}
    subprocess.run(
        [str(nbgrader), *args, "--log-level=ERROR"],
        cwd=course,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def prepare(nbgrader: Path, course: Path, batch: int) -> None:
    """A course folder with the assignment released and ``batch`` correct submissions."""
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    (source / NOTEBOOK).write_text(json.dumps(source_notebook()))
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
    )
    _nbgrader(nbgrader, course, "generate_assignment", ASSIGNMENT)
    released = json.loads((course / "release" / ASSIGNMENT / NOTEBOOK).read_text())
    for cell in released["cells"]:
        if cell["metadata"]["nbgrader"]["solution"]:
            cell["source"] = "answer_q1 = 6 * 7"
    for student in range(batch):
        folder = course / "submitted" / f"student{student}" / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / NOTEBOOK).write_text(json.dumps(released))


def scores(nbgrader: Path, course: Path) -> list[float]:
    """Every student's score, read back from nbgrader's own export."""
    _nbgrader(nbgrader, course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv", newline="") as grades:
        return [float(row["score"]) for row in csv.DictReader(grades)]


def prepare_split(nbgrader: Path, workdir: Path, batch: int, processes: int) -> list[Path]:
    """``processes`` course folders sharing ``batch`` submissions, one autograde for each:
    nbgrader grades one notebook after another, so this is how it uses more than a core."""
    shares = [batch // processes + (1 if n < batch % processes else 0) for n in range(processes)]
    courses = []
    for number, share in enumerate(shares):
        course = workdir / f"nbgrader-course-{number}"
        shutil.rmtree(course, ignore_errors=True)
        prepare(nbgrader, course, share)
        courses.append(course)
    return courses


def autograde(nbgrader: Path, courses: list[Path]) -> float:
    """Run ``autograde`` in every course at once; the seconds until the last has finished."""
    env = {**os.environ, "PATH": f"{nbgrader.parent}:{os.environ.get('PATH', '')}"}
    begin = time.perf_counter()
    running = [
        subprocess.Popen(
            [str(nbgrader), "autograde", ASSIGNMENT, "--log-level=ERROR"],
            cwd=course,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for course in courses
    ]
    failed = [process.args for process in running if process.wait() != 0]
    total = time.perf_counter() - begin
    if failed:
        raise SystemExit(f"nbgrader autograde failed: {failed}")
    return total


def verify(nbgrader: Path, courses: list[Path]) -> None:
    """Fail unless every submission scored 1, from nbgrader's own export (not timed)."""
    for course in courses:
        graded = scores(nbgrader, course)
        if graded != [1.0] * len(graded) or not graded:
            raise SystemExit(f"nbgrader did not grade every submission correctly: {graded}")
