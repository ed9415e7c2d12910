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


def run_autograde(nbgrader: Path, workdir: Path, batch: int) -> dict:
    """Time ``nbgrader autograde`` on ``batch`` submissions; fails unless all score 1."""
    course = workdir / "nbgrader-course"
    shutil.rmtree(course, ignore_errors=True)
    prepare(nbgrader, course, batch)
    begin = time.perf_counter()
    _nbgrader(nbgrader, course, "autograde", ASSIGNMENT)
    total = time.perf_counter() - begin
    graded = scores(nbgrader, course)
    if graded != [1.0] * batch:
        raise SystemExit(f"nbgrader did not grade every submission correctly: {graded}")
    return {
        "batch": batch,
        "seconds_per_notebook": round(total / batch, 3),
        "throughput_per_s": round(batch / total, 2),
    }
