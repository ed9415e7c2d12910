"""Pure rules about a learner's progress; no database, no request."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PathStep:
    """A module as the progress rules see it."""

    code: str
    level: int
    published: bool
    prerequisites: tuple[str, ...]


def missing_prerequisites(step: PathStep, completed: Iterable[str]) -> list[str]:
    """The prerequisites of ``step`` the learner has not completed, in code order."""
    done = set(completed)
    return sorted(code for code in step.prerequisites if code not in done)


def next_steps(
    path: Sequence[PathStep], completed: Iterable[str], limit: int = 3
) -> list[PathStep]:
    """What to take next: published, not done, every prerequisite done; lowest level first."""
    done = set(completed)
    ready = [
        step
        for step in path
        if step.published and step.code not in done and not missing_prerequisites(step, done)
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
