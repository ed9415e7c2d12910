"""The repository's exercises, between them, catch every classic trap of reading the lake."""

from __future__ import annotations

from app.config import PROJECT_ROOT
from app.grading.exercises.classic import CLASSIC_TRAPS
from app.grading.exercises.load import load_exercises


def test_the_exercises_cover_every_classic_trap():
    found = load_exercises(PROJECT_ROOT / "exercises")
    covered = {trap.classic for exercise in found.exercises for trap in exercise.traps}
    missing = sorted(set(CLASSIC_TRAPS) - covered)
    assert missing == [], f"no exercise's traps: entry names these classic traps: {missing}"
