"""Build the sample lake: generate, deliver, land, refine, publish, and swap it in.

Refined and trusted are made from raw by the SQL in ``transforms``; the tables
each query reads are recorded as that dataset's lineage. The same seed and
scale give byte-identical data files and manifest. ``lake.duckdb`` is not
covered by that promise: DuckDB's file format is not byte-stable between runs,
and its views hold the build folder's absolute path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from app.lake.dictionary import DATASETS, dataset
from app.lake.pipeline import transforms
from app.lake.pipeline.database import create_schemas, create_view, datasets_in, quoted, tables_read
from app.lake.pipeline.files import (
    DATABASE,
    data_files,
    drop_name,
    parquet_path,
    partition,
    write_rows,
)
from app.lake.pipeline.generate import Generated, PlantedDirt, generate
from app.lake.pipeline.manifest import Manifest, write_manifest
from app.lake.pipeline.publish import (
    build_lock,
    current_build,
    discard,
    ensure_replaceable,
    new_build,
    publish,
)
from app.lake.pipeline.restrict import split_restricted
from app.lake.pipeline.timeline import PERIOD_END
from app.lake.pipeline.transforms import Step

# Fixed, so the same rows always make the same file; the biggest datasets span several.
ROW_GROUP_SIZE = 100_000

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build made and where."""

    lake: Path  # the lake folder as configured (a link)
    build: Path  # the build folder it now points at
    seed: int
    scale: int
    dirt: PlantedDirt
    lineage: dict[str, list[str]]
    row_counts: dict[str, int]


def salt_for(seed: int) -> str:
    """The salt for pseudonyms. A real platform keeps it secret; here it must repeat."""
    return f"academy-lake-{seed}"


def step_names(seed: int = 42) -> list[str]:
    """The build's steps in order, for a progress bar."""
    datasets = [step.target for step in transforms.steps(salt_for(seed))]
    return [
        "generate", "deliver", "land in raw", "views", *datasets, "restrict", "manifest", "publish"
    ]  # fmt: skip


def _landing_zone(raw_name: str) -> str | None:
    """The transient dataset a raw dataset is landed from, if any."""
    found = dataset(f"raw.{raw_name}")
    upstream = found.lineage if found else ()
    return upstream[0].split(".", 1)[1] if upstream else None


def deliver(lake: Path, generated: Generated) -> None:
    """Write each day's delivery: into transient if the source drops files there, else raw."""
    for ds in datasets_in("raw"):
        delivery = generated.deliveries[ds.name]
        drops = _landing_zone(ds.name)
        for day, rows in delivery.by_day().items():
            name = drop_name(ds.name, day, ds.file_format)
            if drops:
                path = lake / "transient" / drops / name
            elif day <= PERIOD_END:
                path = partition(lake, ds.name, day) / name
            else:
                continue
            write_rows(path, delivery.columns, rows, ds.file_format)


def land(lake: Path) -> dict[str, list[str]]:
    """Move every drop up to the last load date from transient into raw, unchanged."""
    lineage: dict[str, list[str]] = {}
    for ds in datasets_in("raw"):
        drops = _landing_zone(ds.name)
        lineage[ds.qualified_name] = [f"transient.{drops}"] if drops else []
        if not drops:
            continue
        for path in sorted((lake / "transient" / drops).iterdir()):
            day = date.fromisoformat(path.stem.rsplit("_", 1)[1])
            if day <= PERIOD_END:
                destination = partition(lake, ds.name, day) / path.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, destination)
    return lineage


def run_step(con: duckdb.DuckDBPyConnection, lake: Path, step: Step) -> list[str]:
    """Write one refined or trusted dataset to parquet and put its view over it."""
    target = dataset(step.target)
    assert target is not None, step.target
    path = parquet_path(lake, target)
    path.parent.mkdir(parents=True, exist_ok=True)
    literal = str(path).replace("'", "''")
    con.execute(
        f"COPY ({step.sql}) TO '{literal}' "
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    )
    create_view(con, lake, target)
    return list(tables_read(con, step.sql))


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many rows each dataset's view returns."""
    return {
        ds.qualified_name: con.execute(
            f"SELECT count(*) FROM {quoted(ds.qualified_name)}"
        ).fetchone()[0]
        for ds in DATASETS
    }


def _build_into(lake: Path, seed: int, scale: int, progress: Progress) -> Manifest:
    """Everything but the swap: generate, deliver, land, refine, and write the manifest."""
    generated = generate(seed, scale)
    progress("generate")
    deliver(lake, generated)
    progress("deliver")
    lineage = {f"transient.{ds.name}": [] for ds in datasets_in("transient")}
    lineage |= land(lake)
    progress("land in raw")
    with duckdb.connect(str(lake / DATABASE)) as con:
        # Every timestamp in the lake is UTC; the machine's own zone must never leak in.
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")  # the CLI shows its own
        create_schemas(con)
        for ds in datasets_in("transient") + datasets_in("raw"):
            create_view(con, lake, ds)
        progress("views")
        for step in transforms.steps(salt_for(seed)):
            lineage[step.target] = run_step(con, lake, step)
            progress(step.target)
        # Refined from the real values; only now are they masked for learners.
        restricted = split_restricted(lake)
        progress("restrict")
        counts = _row_counts(con)
    made = Manifest(
        seed,
        scale,
        generated.dirt.as_dict(),
        lineage,
        counts,
        data_files(lake),
        data_files(restricted),
    )
    write_manifest(lake, made)
    progress("manifest")
    return made


def build_lake(
    target: Path, seed: int = 42, scale: int = 1, progress: Progress | None = None
) -> BuildResult:
    """Build a lake for ``seed`` and ``scale`` and swap it in at ``target``; all or nothing."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    report = progress or (lambda _name: None)
    target = Path(os.path.abspath(target))
    ensure_replaceable(target)
    with build_lock(target):
        build = new_build(target)
        try:
            made = _build_into(build, seed, scale, report)
            publish(target, build)
        except BaseException:
            # Failed or interrupted: unless the swap already happened, the lake still
            # points at the last good build and this one is thrown away.
            if current_build(target) != build.resolve():
                discard(build)
            raise
    report("publish")
    return BuildResult(
        target, build, seed, scale, PlantedDirt(**made.dirt), made.lineage, made.row_counts
    )
