"""Reading the ``exercises/`` folder: every exercise, its notebooks and checks.py, checked.

These are the checks that need no lake. ``exercises.verify`` adds the ones that
do: reference queries run, the solution scores full marks, and so on.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from app.authoring.problems import Problem, Severity, has_errors
from app.grading.exercises.authored import Exercise
from app.grading.exercises.parse import parse_exercise_yaml
from app.grading.exercises.traps import coverage_problems
from app.grading.grader.notebooks import answer_cells, read_notebook_file
from app.grading.grader.pycheck import CheckError, load_check
from app.grading.grader.results import GradingError

EXERCISE_FILE = "exercise.yaml"


@dataclass
class ExerciseSet:
    """Every exercise read from a folder, and every problem found in it."""

    root: Path
    exercises: list[Exercise] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return not has_errors(self.problems)

    @property
    def by_id(self) -> dict[str, Exercise]:
        """The exercises by id."""
        return {e.id: e for e in self.exercises}


def display_path(path: Path, root: Path) -> str:
    """A path as problems show it: relative to the folder above ``exercises/``."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _answer_line(path: Path, qid: str) -> int:
    """The line of a notebook's file where the answer cell for ``qid`` is tagged, else 1."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    needle = f'"answer": {json.dumps(qid)}'
    return next((n for n, text in enumerate(lines, 1) if needle in text), 1)


def check_notebook(
    exercise: Exercise, path: Path, display: str, *, every_question: bool
) -> list[Problem]:
    """A notebook's answer cells: one per question (if required), none for unknown ids."""
    if not path.is_file():
        return [Problem(display, 1, f"{path.name} is missing")]
    try:
        notebook = read_notebook_file(path)
    except GradingError as error:
        return [Problem(display, 1, str(error))]
    problems = []
    cells = answer_cells(notebook)
    for qid, indexes in cells.items():
        line = _answer_line(path, qid)
        if exercise.question(qid) is None:
            problems.append(Problem(display, line, f"answer cell for unknown question {qid!r}"))
        elif len(indexes) > 1:
            problems.append(Problem(display, line, f"{len(indexes)} answer cells for {qid!r}"))
        elif notebook.cells[indexes[0]].cell_type != "code":
            problems.append(Problem(display, line, f"the answer cell for {qid!r} is not code"))
    if every_question:
        for question in exercise.questions:
            if question.id not in cells:
                problems.append(
                    Problem(
                        display,
                        1,
                        f"no answer cell for question {question.id!r} "
                        f'(a code cell with metadata {{"academy": {{"answer": "{question.id}"}}}})',
                    )
                )
    return problems


def _check_checks(exercise: Exercise, display: str) -> list[Problem]:
    """Every python question's check exists in checks.py and can be called."""
    problems = []
    for question in exercise.questions:
        if question.kind == "python" and question.check:
            try:
                load_check(exercise, question.check)
            except CheckError as error:
                problems.append(Problem(display, 1, str(error)))
    return problems


def check_files(exercise: Exercise, root: Path) -> list[Problem]:
    """The starter, solution and wrong notebooks, and checks.py, of one exercise."""
    problems = []
    for path in (exercise.starter, exercise.solution):
        problems += check_notebook(exercise, path, display_path(path, root), every_question=True)
    for wrong in exercise.wrong_variants():
        problems += check_notebook(exercise, wrong, display_path(wrong, root), every_question=False)
    problems += _check_checks(exercise, display_path(exercise.checks_file, root))
    return problems


def check_trap_coverage(exercises: ExerciseSet) -> list[Problem]:
    """Each exercise has at least two wrong variants, each with a ``traps:`` entry.

    A rule for ``academy check``, not for loading: an exercise without them is
    still served to learners, it is just not yet proven to catch its mistakes.
    """
    problems = []
    for exercise in exercises.exercises:
        display = display_path(exercise.folder / EXERCISE_FILE, exercises.root)
        line = exercise.lines.get("traps", 1)
        wrong = [path.stem for path in exercise.wrong_variants()]
        problems += [
            Problem(display, line, f"exercise {exercise.id}: {message}")
            for message in coverage_problems(wrong, exercise.traps)
        ]
    return problems


def load_exercise(
    folder: Path, root: Path | None = None, known_modules: Collection[str] | None = None
) -> tuple[Exercise | None, list[Problem]]:
    """Read and check one exercise folder (the folder's name is the exercise id)."""
    root = root or folder.parent
    path = folder / EXERCISE_FILE
    display = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(display, 1, f"{EXERCISE_FILE} is missing")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(display, 1, f"cannot read {EXERCISE_FILE}: {exc}")]
    exercise, problems = parse_exercise_yaml(text, folder, display, known_modules)
    if exercise is not None:
        problems += check_files(exercise, root)
        if has_errors(problems):
            exercise = None
    return exercise, problems


def exercise_folders(root: Path) -> list[Path]:
    """The exercise folders under ``root``: every folder not starting with ``_`` or ``.``."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def load_exercises(root: Path, known_modules: Collection[str] | None = None) -> ExerciseSet:
    """Read every exercise under ``root``; a folder that does not exist holds none."""
    found = ExerciseSet(root=root)
    if not root.is_dir():
        return found
    for folder in exercise_folders(root):
        exercise, problems = load_exercise(folder, root, known_modules)
        found.problems.extend(problems)
        if exercise is not None:
            found.exercises.append(exercise)
    found.problems.sort(key=lambda p: (p.path, p.line, p.message))
    return found


def check_course_links(
    exercises: ExerciseSet, course_exercises: dict[str, tuple[str, tuple[str, ...], int]]
) -> list[Problem]:
    """Courses' ``exercises:`` lists against the exercises folder.

    ``course_exercises`` maps each module code to (its file, the exercise ids it
    lists, the line of its ``exercises:`` key).
    """
    problems = []
    by_id = exercises.by_id
    for code, (path, ids, line) in sorted(course_exercises.items()):
        for exercise_id in ids:
            exercise = by_id.get(exercise_id)
            if exercise is None:
                problems.append(Problem(path, line, f"unknown exercise {exercise_id!r}"))
            elif exercise.module != code:
                problems.append(
                    Problem(path, line, f"exercise {exercise_id!r} belongs to {exercise.module}")
                )
    listed = {eid for _path, ids, _line in course_exercises.values() for eid in ids}
    for exercise in exercises.exercises:
        if exercise.id not in listed and exercise.module in course_exercises:
            problems.append(
                Problem(
                    display_path(exercise.folder / EXERCISE_FILE, exercises.root),
                    exercise.lines.get("module", 1),
                    f"{exercise.module} does not list this exercise under `exercises:`, so "
                    "passing it does not count toward the module",
                    Severity.WARNING,
                )
            )
    return problems
