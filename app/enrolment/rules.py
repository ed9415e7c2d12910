"""Pure rules for taking part: who may enrol, and when a module counts as complete."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.catalogue.models import ModuleStatus


@dataclass(frozen=True)
class EnrolmentDecision:
    """Whether a learner may enrol, and if not, why (with the missing modules by code)."""

    allowed: bool
    reason: str = ""
    missing: tuple[str, ...] = ()


def decide_enrolment(
    status: str,
    prerequisites: Iterable[str],
    completed: Iterable[str],
    *,
    override: bool = False,
) -> EnrolmentDecision:
    """May a learner enrol in a module with this status and these prerequisites?

    Planned and retired modules can't be taken. Missing prerequisites refuse
    enrolment unless an instructor or admin overrides it.
    """
    if status == ModuleStatus.PLANNED:
        return EnrolmentDecision(False, "This module isn't written yet: register interest instead.")
    if status == ModuleStatus.RETIRED:
        return EnrolmentDecision(False, "This module has been retired.")
    done = set(completed)
    missing = tuple(sorted(code for code in prerequisites if code not in done))
    if missing and not override:
        return EnrolmentDecision(False, "Complete the prerequisites first.", missing)
    return EnrolmentDecision(True)


@dataclass(frozen=True)
class CompletionEvidence:
    """What is known about a learner's work on one module."""

    marked_by_instructor: bool = False
    required_exercises: frozenset[str] = field(default_factory=frozenset)
    passed_exercises: frozenset[str] = field(default_factory=frozenset)


def is_complete(evidence: CompletionEvidence) -> bool:
    """A module is complete when an instructor says so, or every required exercise is passed.

    Graded exercises arrive later; a module with none can only be completed by
    an instructor.
    """
    if evidence.marked_by_instructor:
        return True
    required = evidence.required_exercises
    return bool(required) and required <= evidence.passed_exercises


def waitlist_position(queue: list[int], booking_id: int) -> int | None:
    """1-based place of a booking in a waitlist given in serving order; None if absent."""
    try:
        return queue.index(booking_id) + 1
    except ValueError:
        return None
