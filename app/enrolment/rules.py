"""Pure rules for taking part: prerequisites, who may enrol, what to take next, completion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.catalogue.models import ModuleStatus


def missing_prerequisites(
    prerequisites: Iterable[str], completed: Iterable[str]
) -> tuple[str, ...]:
    """The prerequisites (module codes) not yet completed, in code order: the one rule."""
    done = set(completed)
    return tuple(sorted(code for code in prerequisites if code not in done))


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
    missing = missing_prerequisites(prerequisites, completed)
    if missing and not override:
        return EnrolmentDecision(False, "Complete the prerequisites first.", missing)
    return EnrolmentDecision(True)


@dataclass(frozen=True)
class PathStep:
    """A module as the progress rules see it."""

    code: str
    level: int
    published: bool
    prerequisites: tuple[str, ...]


def next_steps(
    path: Sequence[PathStep], completed: Iterable[str], limit: int = 3
) -> list[PathStep]:
    """What to take next: published, not done, every prerequisite done; lowest level first."""
    done = set(completed)
    ready = [
        step
        for step in path
        if step.published
        and step.code not in done
        and not missing_prerequisites(step.prerequisites, done)
    ]
    return sorted(ready, key=lambda s: (s.level, s.code))[:limit]


def prerequisite_closure(
    start: Iterable[str], prerequisites: Mapping[str, Iterable[str]]
) -> set[str]:
    """``start`` and everything it needs, transitively (cycles are tolerated)."""
    seen: set[str] = set()
    stack = list(start)
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        stack.extend(prerequisites.get(code, ()))
    return seen


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
