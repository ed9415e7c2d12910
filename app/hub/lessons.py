"""Lesson notebooks: ``notebooks/<module code lowercased>.ipynb``, opened in learners' JupyterLab.

A module whose code names a notebook here shows **Open in JupyterLab** on its page.
``check_lessons`` is the lesson half of ``flask academy check``: each notebook must be
valid nbformat and name an existing module, or it is reported as ``path:line: message``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import nbformat
from flask import current_app

from app.authoring.problems import Problem

SUFFIX = ".ipynb"
MEDIA_TYPE = "application/x-ipynb+json"  # what Jupyter itself serves notebooks as


def notebooks_dir(courses_dir: Path | None = None) -> Path:
    """ACADEMY_NOTEBOOKS_DIR, else the ``notebooks/`` folder beside the course folder."""
    configured = current_app.config["ACADEMY_NOTEBOOKS_DIR"]
    if configured and courses_dir is None:
        return Path(configured)
    courses = courses_dir or Path(current_app.config["ACADEMY_COURSES_DIR"])
    return courses.parent / "notebooks"


def lesson_file(module_code: str, root: Path | None = None) -> Path | None:
    """The module's lesson notebook, or None when it has none."""
    path = (root or notebooks_dir()) / f"{module_code.lower()}{SUFFIX}"
    return path if path.is_file() else None


def read_lesson(module_code: str) -> dict | None:
    """The module's lesson notebook as JSON, or None when it has none."""
    path = lesson_file(module_code)
    return None if path is None else json.loads(path.read_text(encoding="utf-8"))


def lesson_files(root: Path) -> list[Path]:
    """Every lesson notebook in the folder (its README and other notes are not lessons)."""
    return sorted(p for p in root.glob(f"*{SUFFIX}") if p.is_file()) if root.is_dir() else []


def check_lesson(path: Path, display: str, known_modules: set[str]) -> list[Problem]:
    """One lesson notebook's problems: it must parse with nbformat and name a module."""
    problems = []
    code = path.name.removesuffix(SUFFIX).upper()
    if code not in known_modules or path.name != f"{code.lower()}{SUFFIX}":
        problems.append(
            Problem(
                display,
                1,
                f"{path.name} names no module: a lesson notebook is "
                "notebooks/<module code lowercased>.ipynb, e.g. nb101.ipynb",
            )
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return problems + [Problem(display, 1, f"cannot be read: {error}")]
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return problems + [Problem(display, error.lineno, f"not JSON: {error.msg}")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # old notebooks warn about missing cell ids
        try:
            nbformat.validate(nbformat.reads(text, as_version=4))
        except Exception as error:  # nbformat raises many kinds for one cause: bad structure
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            problems.append(Problem(display, 1, f"not a valid notebook: {first}"))
    return problems


def check_lessons(
    known_modules: set[str], courses_dir: Path | None = None
) -> tuple[list[Problem], int]:
    """Check every lesson notebook beside the courses; (problems, how many notebooks)."""
    root = notebooks_dir(courses_dir)
    files = lesson_files(root)
    problems = [
        problem
        for path in files
        for problem in check_lesson(path, f"{root.name}/{path.name}", known_modules)
    ]
    return problems, len(files)
