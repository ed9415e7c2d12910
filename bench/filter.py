"""Benchmark: the playground's statement filter, ``classify()``, on typical queries.

    python bench/filter.py                     # this tree's filter
    python bench/filter.py --against 8bfbdaa   # and the filter at that commit, side by side

The filter runs on every playground query and every SQL answer the grader
re-runs. With ``--against``, the playground package at that commit is copied
into a temporary folder and imported beside this one; the two are timed in
turns (one call each, order swapped every round), so a busy machine slows both
alike. Each figure is the median of the rounds, in microseconds.
"""

from __future__ import annotations

import importlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import click
import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.lake.explore.examples import EXAMPLES  # noqa: E402
from app.lake.playground.statements import filter as this_filter  # noqa: E402

QUERIES = {
    "group-by": EXAMPLES["trusted"][1].sql,
    "filter + subquery": EXAMPLES["trusted"][0].sql,
    "three-way join": EXAMPLES["trusted"][2].sql,
    "window function": EXAMPLES["trusted"][3].sql,
    "create table as": EXAMPLES["user"][0].sql,
    "insert select": "INSERT INTO user.t SELECT id, name FROM raw.x WHERE id > 3",
    "update from": "UPDATE user.t SET a = x.id FROM raw.x AS x WHERE t.id = x.id",
    "two statements": "SELECT 1; SELECT count(*) FROM trusted.response",
}


def filter_at(commit: str, workdir: Path) -> Callable[[str], object]:
    """``classify`` from the playground package at ``commit``, imported as its own package."""
    package = workdir / "filter_at_commit"
    package.mkdir()
    names = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", commit, "app/lake/playground/"],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    for name in names:
        if name.endswith(".py"):
            source = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{commit}:{name}"],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            text = source.replace("app.lake.playground", "filter_at_commit")
            target = package / Path(name).relative_to("app/lake/playground")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    sys.path.insert(0, str(workdir))
    # The filter moved into statements/ after 5066314; older commits have it at the top.
    nested = (package / "statements" / "filter.py").exists()
    module = "filter_at_commit.statements.filter" if nested else "filter_at_commit.filter"
    return importlib.import_module(module).classify


def time_side_by_side(filters: dict[str, Callable], rounds: int) -> dict[str, dict[str, float]]:
    """Median microseconds of each filter on each query, timed in alternating turns."""
    results: dict[str, dict[str, float]] = {}
    for query, sql in QUERIES.items():
        times: dict[str, list[float]] = {name: [] for name in filters}
        for classify in filters.values():  # warm: the parser connection, the function list
            assert classify(sql).allowed, (query, classify(sql))
        for i in range(rounds):
            order = list(filters.items())
            for name, classify in order if i % 2 else reversed(order):
                start = time.perf_counter()
                classify(sql)
                times[name].append((time.perf_counter() - start) * 1e6)
        results[query] = {name: round(statistics.median(t)) for name, t in times.items()}
        figures = "   ".join(f"{name} {us:>6} µs" for name, us in results[query].items())
        click.echo(f"{query:<18} {figures}")
    return results


@click.command()
@click.option("--against", default=None, help="A commit whose filter to time beside this one.")
@click.option("--rounds", default=500, show_default=True, help="Calls per query and filter.")
def main(against: str | None, rounds: int) -> None:
    """Time classify() on typical queries."""
    click.echo(f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, {rounds} rounds")
    filters: dict[str, Callable] = {}
    if against:
        filters[against] = filter_at(against, Path(tempfile.mkdtemp(prefix="academy-filter-")))
    filters["this tree"] = this_filter.classify
    results = time_side_by_side(filters, rounds)
    for name in filters:
        total = statistics.median([r[name] for r in results.values()])
        click.echo(f"median over the queries, {name}: {total:.0f} µs")


if __name__ == "__main__":
    main()
