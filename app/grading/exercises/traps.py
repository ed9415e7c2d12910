"""An exercise's ``traps:``: which wrong variant makes which mistake, and the question it fails.

Parsing checks the names (the wrong notebook exists, the question and the
classic trap are known); ``exercises.load`` checks that every wrong variant has
an entry and that there are at least two; ``exercises.verify`` proves each trap
on the lake: the variant fails its question and scores below the pass mark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.grading.exercises.classic import CLASSIC_TRAPS

# A wrong variant is written wrong/<name>.ipynb; an exercise needs at least this many.
MIN_WRONG_VARIANTS = 2
TRAP_KEYS = ("wrong", "question", "classic", "says")


@dataclass(frozen=True)
class Trap:
    """One known mistake: the wrong notebook that makes it and the question it gets wrong."""

    wrong: str  # wrong/<wrong>.ipynb
    question: str
    says: str
    classic: str | None = None
    line: int = 1


# error(where, message): where is a key path under `traps`, as the parser reports it.
Report = Callable[[tuple, str], None]


def _text(item: dict, key: str) -> str | None:
    """A trap's text field, stripped, or None when missing or not text."""
    value = item.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _trap(item: Any, where: tuple, folder: Path, questions: set[str], error: Report) -> Trap | None:
    """One entry of ``traps:``, or None after reporting what is wrong with it."""
    if not isinstance(item, dict):
        error(where, "each trap must be a mapping with `wrong`, `question` and `says`")
        return None
    ok = True
    for key in item:
        if key not in TRAP_KEYS:
            error((*where, str(key)), f"unknown trap field `{key}` (known: {', '.join(TRAP_KEYS)})")
            ok = False
    wrong, question, says = _text(item, "wrong"), _text(item, "question"), _text(item, "says")
    for key, value in (("wrong", wrong), ("question", question), ("says", says)):
        if value is None:
            error(where, f"a trap needs `{key}`")
            ok = False
    if wrong and not (folder / "wrong" / f"{wrong}.ipynb").is_file():
        error(
            (*where, "wrong"), f"unknown wrong variant {wrong!r}: there is no wrong/{wrong}.ipynb"
        )
        ok = False
    if question and question not in questions:
        error((*where, "question"), f"trap names unknown question {question!r}")
        ok = False
    classic = item.get("classic")
    if classic is not None and classic not in CLASSIC_TRAPS:
        error(
            (*where, "classic"),
            f"unknown classic trap {classic!r} (known: {', '.join(CLASSIC_TRAPS)})",
        )
        ok = False
    if not ok:
        return None
    return Trap(wrong or "", question or "", says or "", classic)


def parse_traps(
    raw: Any, folder: Path, questions: set[str], error: Report, line_of: Callable[[tuple], int]
) -> tuple[Trap, ...]:
    """Every usable entry of ``traps:`` (errors reported for the rest)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        error(("traps",), "`traps` must be a list of `wrong`, `question`, `says` entries")
        return ()
    traps = []
    for index, item in enumerate(raw):
        where = ("traps", index)
        trap = _trap(item, where, folder, questions, error)
        if trap is not None:
            traps.append(Trap(trap.wrong, trap.question, trap.says, trap.classic, line_of(where)))
    return tuple(traps)


def coverage_problems(wrong_variants: list[str], traps: tuple[Trap, ...]) -> list[str]:
    """What the folder's wrong variants lack: enough of them, and a trap for each."""
    problems = []
    if len(wrong_variants) < MIN_WRONG_VARIANTS:
        problems.append(
            f"an exercise needs at least {MIN_WRONG_VARIANTS} wrong variants in wrong/, "
            f"each written the way a learner errs; it has {len(wrong_variants)}"
        )
    declared = {trap.wrong for trap in traps}
    for name in wrong_variants:
        if name not in declared:
            problems.append(
                f"wrong/{name}.ipynb has no `traps:` entry saying which question it gets wrong"
            )
    return problems
