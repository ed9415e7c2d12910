"""How do I join A to B? The shortest chain of foreign keys between two datasets, at the
right grain.

Foreign keys are followed in either direction (a response points at an advert,
so an advert also reaches its responses). Whether a hop multiplies rows is read
from the datasets' primary keys, not from the key's direction: a snapshot keyed
by day (trusted.stock is one row per vehicle per day) meets a vehicle once per
day, unless the query keeps one day, which the suggested query does and says.
Pure: catalogue in, path out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from app.lake.dictionary import Dataset

# A snapshot whose key includes this column holds one copy of each row per day.
SNAPSHOT_COLUMN = "snapshot_date"


@dataclass(frozen=True)
class JoinStep:
    """One hop: from ``left`` to ``right`` on pairs of columns."""

    left: str
    right: str
    on: tuple[tuple[str, str], ...]  # (left column, right column)
    # True when a row of ``left`` can meet several rows of ``right`` (rows multiply),
    # with every daily snapshot on the path kept to one day.
    fans_out: bool

    def condition(self, left_alias: str, right_alias: str) -> str:
        return " AND ".join(f"{left_alias}.{a} = {right_alias}.{b}" for a, b in self.on)


@dataclass(frozen=True)
class SnapshotDay:
    """A daily snapshot on the path, and the filter that keeps one day of it."""

    dataset: str
    alias: str
    grain: str

    @property
    def condition(self) -> str:
        return (
            f"{self.alias}.{SNAPSHOT_COLUMN} = (SELECT max({SNAPSHOT_COLUMN}) FROM {self.dataset})"
        )


def is_daily_snapshot(dataset: Dataset) -> bool:
    """True for a dataset holding each row once per snapshot day (its key says so)."""
    return SNAPSHOT_COLUMN in dataset.primary_key


def _one_row_per(dataset: Dataset | None, columns: Iterable[str]) -> bool:
    """Whether ``columns`` pick at most one row of ``dataset``, keeping one snapshot day.

    A dataset with no promised key (raw, transient) may hold anything: many.
    """
    if dataset is None or not dataset.primary_key:
        return False
    key = set(dataset.primary_key) - {SNAPSHOT_COLUMN}
    return bool(key) and key <= set(columns)


def _edges(datasets: Iterable[Dataset]) -> dict[str, list[JoinStep]]:
    by_name = {ds.qualified_name: ds for ds in datasets}
    edges: dict[str, list[JoinStep]] = {}
    for ds in by_name.values():
        for fk in ds.foreign_keys:
            target = by_name.get(fk.references)
            edges.setdefault(ds.qualified_name, []).append(
                JoinStep(
                    ds.qualified_name,
                    fk.references,
                    tuple(zip(fk.columns, fk.ref_columns, strict=True)),
                    not _one_row_per(target, fk.ref_columns),
                )
            )
            edges.setdefault(fk.references, []).append(
                JoinStep(
                    fk.references,
                    ds.qualified_name,
                    tuple(zip(fk.ref_columns, fk.columns, strict=True)),
                    not _one_row_per(ds, fk.columns),
                )
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


def _aliases(path: list[JoinStep], start: str) -> list[tuple[str, str]]:
    """(alias, dataset) for the start and each hop's right side: t0, t1, ..."""
    return [("t0", start)] + [(f"t{i + 1}", step.right) for i, step in enumerate(path)]


def snapshot_days(
    datasets: Iterable[Dataset], path: list[JoinStep], start: str
) -> list[SnapshotDay]:
    """The daily snapshots on the path, each with the filter that keeps its latest day."""
    by_name = {ds.qualified_name: ds for ds in datasets}
    return [
        SnapshotDay(name, alias, by_name[name].grain)
        for alias, name in _aliases(path, start)
        if name in by_name and is_daily_snapshot(by_name[name])
    ]


def example_sql(datasets: Iterable[Dataset], path: list[JoinStep], start: str) -> str:
    """A SELECT joining the chain, with short aliases, to copy into the playground.

    Each daily snapshot is kept to its latest day: without that filter every row of it
    comes once per day, the commonest way a count ends up many times too big.
    """
    aliases = [alias for alias, _ in _aliases(path, start)]
    lines = [f"SELECT {aliases[0]}.*, {aliases[-1]}.*", f"FROM {start} AS {aliases[0]}"]
    for i, step in enumerate(path):
        lines.append(
            f"JOIN {step.right} AS {aliases[i + 1]} ON {step.condition(aliases[i], aliases[i + 1])}"
        )
    days = snapshot_days(datasets, path, start)
    for i, day in enumerate(days):
        lines.append(f"{'WHERE' if i == 0 else '  AND'} {day.condition}")
    return "\n".join(lines) + "\nLIMIT 20"
