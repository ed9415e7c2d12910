"""The result of grading one attempt, and the error that means it cannot be graded at all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class GradingError(Exception):
    """The attempt cannot be graded at all: the reason is shown to the learner as it is."""


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


def failures_in(documents: Iterable[dict[str, Any]]) -> dict[str, int]:
    """How often each question failed across recorded results (``to_json`` documents).

    The grader picks each question's hint from its own count: a question's
    first failure shows the first hint even on a learner's fifth attempt.
    """
    counts: Counter[str] = Counter()
    for document in documents:
        for question in document.get("questions", []):
            if not question.get("passed"):
                counts[str(question.get("id"))] += 1
    return dict(counts)
