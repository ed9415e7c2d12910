"""The shapes of grading: an exercise as authored, and the result of grading one attempt."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("sql", "value", "python")
# A question id becomes part of a Python name (answer_<id>) and a file name (<id>.json).
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DEFAULT_PASS_MARK = 0.6


class GradingError(Exception):
    """The attempt cannot be graded at all: the reason is shown to the learner as it is."""


@dataclass(frozen=True)
class Limits:
    """How long and how big a learner's notebook may run."""

    cell_seconds: float = 10
    total_seconds: float = 60
    memory_mb: int = 512


@dataclass(frozen=True)
class Question:
    """One graded question of an exercise, as exercise.yaml describes it."""

    id: str
    points: float
    prompt: str
    kind: str
    reference: str | None = None  # SQL whose result is the right answer (sql, value)
    expected: Any = None  # a literal right answer (value), when has_expected
    has_expected: bool = False  # `expected: null` is a legitimate literal
    check: str | None = None  # the function in checks.py (python)
    order_matters: bool = False
    float_tolerance: float = 1e-6
    columns_must_match_names: bool = True
    hints: tuple[str, ...] = ()
    line: int = 1

    @property
    def variable(self) -> str:
        """The name the learner assigns the answer to in the notebook."""
        return f"answer_{self.id}"


@dataclass(frozen=True)
class Exercise:
    """A whole exercise folder: its settings, questions and notebooks."""

    id: str
    folder: Path
    title: str
    module: str
    questions: tuple[Question, ...]
    pass_mark: float = DEFAULT_PASS_MARK
    limits: Limits = field(default_factory=Limits)
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def max_score(self) -> float:
        """The points for answering every question right."""
        return float(sum(q.points for q in self.questions))

    @property
    def starter(self) -> Path:
        """The notebook learners download."""
        return self.folder / "starter.ipynb"

    @property
    def solution(self) -> Path:
        """The reference notebook, never shown to learners."""
        return self.folder / "solution.ipynb"

    @property
    def checks_file(self) -> Path:
        """The authors' check functions for python questions."""
        return self.folder / "checks.py"

    def wrong_variants(self) -> list[Path]:
        """The known-wrong attempts in wrong/, each of which must fail."""
        folder = self.folder / "wrong"
        return sorted(folder.glob("*.ipynb")) if folder.is_dir() else []

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class QuestionResult:
    """How one answer fared: points, and feedback that never gives the answer away."""

    id: str
    points: float
    max_points: float
    passed: bool
    message: str
    hint: str | None = None
    hint_tier: int = 0  # 1 for the first hint, 0 when none is shown

    def as_dict(self) -> dict[str, Any]:
        """The question's entry in ``academy grade --json``."""
        return {
            "id": self.id,
            "points": self.points,
            "max_points": self.max_points,
            "passed": self.passed,
            "message": self.message,
            "hint": self.hint,
            "hint_tier": self.hint_tier,
        }


@dataclass(frozen=True)
class GradeResult:
    """The grade of one attempt. grade() returns it; recording it is the caller's job."""

    exercise_id: str
    score: float
    max_score: float
    passed: bool
    questions: tuple[QuestionResult, ...]
    status: str = "graded"  # or "error": the notebook could not be run at all
    reason: str = ""  # why it could not run, or a note such as a timeout
    attempt: int = 1
    notebook: dict | None = None  # the executed notebook, outputs and all
    failed_cells: tuple[int, ...] = ()
    sandbox: str = ""
    elapsed_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """Exactly what ``academy grade --json`` prints (see docs/exercises.md)."""
        return {
            "exercise": self.exercise_id,
            "status": self.status,
            "reason": self.reason,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "attempt": self.attempt,
            "questions": [q.as_dict() for q in self.questions],
            "failed_cells": list(self.failed_cells),
            "sandbox": self.sandbox,
            "elapsed_s": round(self.elapsed_s, 3),
        }
