"""An exercise as its author wrote it: its settings, questions and limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.grading.exercises.traps import Trap

KINDS = ("sql", "value", "python")
# A question id becomes part of a Python name (answer_<id>) and a file name (<id>.json).
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DEFAULT_PASS_MARK = 0.6


# The longest a notebook may run in all: leases and the broker's redelivery are sized from it.
MAX_TOTAL_SECONDS = 600


@dataclass(frozen=True)
class Limits:
    """How long and how big a learner's notebook may run."""

    cell_seconds: float = 10
    total_seconds: float = 60  # at most MAX_TOTAL_SECONDS
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
    traps: tuple[Trap, ...] = ()
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

    def trap_for(self, wrong_variant: Path) -> Trap | None:
        """The ``traps:`` entry of a notebook in wrong/, or None when it has none."""
        return next((t for t in self.traps if t.wrong == wrong_variant.stem), None)
