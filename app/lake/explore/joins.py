"""How do I join A to B? The shortest chain of foreign keys between two datasets.

Foreign keys are followed in either direction (a response points at an advert,
so an advert also reaches its responses). Pure: catalogue in, path out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from app.lake.dictionary import Dataset


@dataclass(frozen=True)
class JoinStep:
    """One hop: from ``left`` to ``right`` on pairs of columns."""

    left: str
    right: str
    on: tuple[tuple[str, str], ...]  # (left column, right column)
    # True when ``left`` holds the foreign key (many rows of left per row of right).
    many_to_one: bool

    def condition(self, left_alias: str, right_alias: str) -> str:
        return " AND ".join(f"{left_alias}.{a} = {right_alias}.{b}" for a, b in self.on)


def _edges(datasets: Iterable[Dataset]) -> dict[str, list[JoinStep]]:
    edges: dict[str, list[JoinStep]] = {}
    for ds in datasets:
        for fk in ds.foreign_keys:
            pairs = tuple(zip(fk.columns, fk.ref_columns, strict=True))
            edges.setdefault(ds.qualified_name, []).append(
                JoinStep(ds.qualified_name, fk.references, pairs, True)
            )
            edges.setdefault(fk.references, []).append(
                JoinStep(fk.references, ds.qualified_name, tuple((b, a) for a, b in pairs), False)
            )
    for steps in edges.values():
        steps.sort(key=lambda s: (s.right, s.on))
    return edges


def join_path(datasets: Iterable[Dataset], start: str, goal: str) -> list[JoinStep] | None:
    """The fewest foreign-key hops from ``start`` to ``goal``.

    [] when they are the same dataset, None when no chain of keys links them.
    """
    if start == goal:
        return []
    edges = _edges(datasets)
    previous: dict[str, JoinStep] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        here = queue.popleft()
        for step in edges.get(here, ()):
            if step.right in seen:
                continue
            seen.add(step.right)
            previous[step.right] = step
            if step.right == goal:
                path = [step]
                while path[0].left != start:
                    path.insert(0, previous[path[0].left])
                return path
            queue.append(step.right)
    return None


def example_sql(path: list[JoinStep], start: str) -> str:
    """A SELECT joining the chain, with short aliases, to copy into the playground."""
    aliases = [f"t{i}" for i in range(len(path) + 1)]
    lines = [f"SELECT {aliases[0]}.*, {aliases[-1]}.*", f"FROM {start} AS {aliases[0]}"]
    for i, step in enumerate(path):
        lines.append(
            f"JOIN {step.right} AS {aliases[i + 1]} ON {step.condition(aliases[i], aliases[i + 1])}"
        )
    return "\n".join(lines) + "\nLIMIT 20"
