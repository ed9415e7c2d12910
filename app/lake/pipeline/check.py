"""Hold a built lake to the data dictionary's promises; return what fails, change nothing.

Keys are unique and present, foreign keys resolve (refined and trusted),
columns are the dictionary's, lineage is what the build read, raw holds exactly
the planted dirt (counted on the real values, in the restricted folder), no
personal data has escaped raw and transient nor shows unmasked in the lake
sandboxes mount (``personal.py``), and every file is the one the build wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from app.lake.dictionary import DATASETS, ZONES, Dataset
from app.lake.pipeline.database import open_lake, quoted
from app.lake.pipeline.failure import Failure
from app.lake.pipeline.files import DATABASE, data_files
from app.lake.pipeline.generate import PlantedDirt
from app.lake.pipeline.manifest import Manifest, read_manifest
from app.lake.pipeline.measure import measure_dirt
from app.lake.pipeline.personal import (
    check_agreement,
    check_masked,
    check_privacy,
    check_restricted_files,
)
from app.lake.pipeline.restrict import restricted_folder

PUBLISHED = ("refined", "trusted")  # the zones that promise keys and carry no personal data
LANDING = ("transient", "raw")


def check_dictionary(datasets: Iterable[Dataset] = DATASETS) -> list[Failure]:
    """The dictionary agrees with itself: keys are columns, references exist, privacy holds."""
    datasets = list(datasets)
    names = {ds.qualified_name for ds in datasets}
    failures = []
    for ds in datasets:
        columns = {c.name for c in ds.columns}
        for key in ds.primary_key:
            if key not in columns:
                failures.append(Failure(ds.qualified_name, f"primary key column {key} is missing"))
        for fk in ds.foreign_keys:
            if fk.references not in names:
                failures.append(Failure(ds.qualified_name, f"references unknown {fk.references}"))
        for upstream in ds.lineage:
            if upstream not in names:
                failures.append(Failure(ds.qualified_name, f"made from unknown {upstream}"))
        if ds.zone not in LANDING:
            for column in ds.columns:
                if column.is_personal:
                    failures.append(
                        Failure(ds.qualified_name, f"{column.name} is personal data outside raw")
                    )
    return failures


def check_files(found: dict[str, str], manifest: Manifest) -> list[Failure]:
    """Every file the build wrote is there, unchanged, and nothing was added."""
    failures = []
    for path, digest in manifest.files.items():
        if path not in found:
            failures.append(Failure(path, "is missing"))
        elif found[path] != digest:
            failures.append(Failure(path, "has changed since the build wrote it"))
    for path in found:
        if path not in manifest.files:
            failures.append(Failure(path, "was not written by the build"))
    return failures


def check_schemas(con: duckdb.DuckDBPyConnection) -> list[Failure]:
    """Each zone is a schema."""
    present = {row[0] for row in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
    return [
        Failure("lake", f"schema {zone.name} is missing")
        for zone in ZONES
        if zone.name not in present
    ]


def check_columns(con: duckdb.DuckDBPyConnection) -> tuple[list[Failure], list[Dataset]]:
    """Each dataset is a readable view with the dictionary's columns; also returns the readable."""
    failures, readable = [], []
    for ds in DATASETS:
        try:
            described = con.execute(f"DESCRIBE {quoted(ds.qualified_name)}").fetchall()
        except duckdb.Error as error:
            failures.append(Failure(ds.qualified_name, f"cannot be read: {_first_line(error)}"))
            continue
        readable.append(ds)
        actual = [row[0] for row in described]
        expected = [c.name for c in ds.columns]
        if actual != expected:
            failures.append(
                Failure(ds.qualified_name, f"has columns {actual}, the catalogue says {expected}")
            )
        elif ds.zone in PUBLISHED:
            for column, row in zip(ds.columns, described, strict=True):
                if row[1] != column.type:
                    failures.append(
                        Failure(
                            ds.qualified_name,
                            f"{column.name} is {row[1]}, the catalogue says {column.type}",
                        )
                    )
    return failures, readable


def check_keys(con: duckdb.DuckDBPyConnection, datasets: Iterable[Dataset]) -> list[Failure]:
    """Primary keys in refined and trusted are never null and never repeated."""
    failures = []
    for ds in datasets:
        if ds.zone not in PUBLISHED or not ds.primary_key:
            continue
        key = ", ".join(ds.primary_key)
        nulls = " OR ".join(f"{c} IS NULL" for c in ds.primary_key)
        table = quoted(ds.qualified_name)
        missing = con.execute(f"SELECT count(*) FROM {table} WHERE {nulls}").fetchone()[0]
        if missing:
            failures.append(Failure(ds.qualified_name, f"{missing} rows have no ({key})"))
        repeats = con.execute(
            f"SELECT count(*), sum(n - 1), min(example) FROM ("
            f"SELECT count(*) AS n, {_shown(ds.primary_key)} AS example FROM {table} "
            f"GROUP BY {key} HAVING count(*) > 1)"
        ).fetchone()
        if repeats[0]:
            failures.append(
                Failure(
                    ds.qualified_name,
                    f"primary key ({key}) is not unique: {repeats[0]} keys repeat "
                    f"({repeats[1]} extra rows), e.g. {repeats[2]}",
                )
            )
    return failures


def check_foreign_keys(con: duckdb.DuckDBPyConnection, datasets: list[Dataset]) -> list[Failure]:
    """Every foreign key value in refined and trusted matches a row of the referenced dataset."""
    readable = {ds.qualified_name for ds in datasets}
    failures = []
    for ds in datasets:
        if ds.zone not in PUBLISHED:
            continue
        for fk in ds.foreign_keys:
            if fk.references not in readable:
                continue
            present = " AND ".join(f"c.{col} IS NOT NULL" for col in fk.columns)
            match = " AND ".join(
                f"p.{ref} = c.{col}" for col, ref in zip(fk.columns, fk.ref_columns, strict=True)
            )
            orphans, example = con.execute(
                f"SELECT count(*), min({_shown(fk.columns, 'c.')}) "
                f"FROM {quoted(ds.qualified_name)} AS c WHERE {present} "
                f"AND NOT EXISTS (SELECT 1 FROM {quoted(fk.references)} AS p WHERE {match})"
            ).fetchone()
            if orphans:
                failures.append(
                    Failure(
                        ds.qualified_name,
                        f"{orphans} rows have a {', '.join(fk.columns)} not in "
                        f"{fk.references}, e.g. {example}",
                    )
                )
    return failures


def check_lineage(manifest: Manifest) -> list[Failure]:
    """What each build step read is what the dictionary says the dataset is made from."""
    failures = []
    for ds in DATASETS:
        recorded = manifest.lineage.get(ds.qualified_name)
        if recorded is None:
            failures.append(Failure(ds.qualified_name, "the build recorded no lineage for it"))
        elif sorted(recorded) != sorted(ds.lineage):
            failures.append(
                Failure(
                    ds.qualified_name,
                    f"was built from {sorted(recorded)}, the catalogue says {sorted(ds.lineage)}",
                )
            )
    return failures


def check_dirt(con: duckdb.DuckDBPyConnection, manifest: Manifest) -> list[Failure]:
    """Raw holds exactly the dirt the generator planted, kind by kind."""
    expected = set(PlantedDirt.__dataclass_fields__)
    if set(manifest.dirt) != expected:
        return [Failure("raw", "the manifest does not list the planted dirt")]
    try:
        measured = measure_dirt(con)
    except duckdb.Error as error:
        return [Failure("raw", f"the dirt cannot be counted: {_first_line(error)}")]
    return [
        Failure("raw", f"{name.replace('_', ' ')}: found {measured[name]}, planted {planted}")
        for name, planted in manifest.dirt.items()
        if measured[name] != planted
    ]


def unchanged(found: dict[str, str], manifest: Manifest) -> set[str]:
    """Datasets whose files are exactly the ones the build wrote (so their rows are too)."""
    paths = set(found) | set(manifest.files)
    differing = {p for p in paths if found.get(p) != manifest.files.get(p)}
    touched = {"/".join(p.split("/")[:2]) for p in differing}  # zone/dataset
    return {ds.qualified_name for ds in DATASETS if f"{ds.zone}/{ds.name}" not in touched}


def check_row_counts(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    datasets: Iterable[Dataset],
    skip: set[str] = frozenset(),
) -> list[Failure]:
    """Each readable dataset has as many rows as the build wrote (``skip``: known unchanged)."""
    failures = []
    for ds in datasets:
        if ds.qualified_name in skip:
            continue
        wrote = manifest.row_counts.get(ds.qualified_name)
        found = con.execute(f"SELECT count(*) FROM {quoted(ds.qualified_name)}").fetchone()[0]
        if wrote != found:
            failures.append(
                Failure(ds.qualified_name, f"has {found} rows, the build wrote {wrote}")
            )
    return failures


def _shown(columns: Iterable[str], prefix: str = "") -> str:
    """SQL for a key's value as text, e.g. 'S1000001, 2024-01-01', to quote in a failure."""
    return "concat_ws(', ', " + ", ".join(f"CAST({prefix}{c} AS VARCHAR)" for c in columns) + ")"


def _first_line(error: Exception) -> str:
    """The first line of an error, enough to say what went wrong."""
    return str(error).strip().splitlines()[0]


def check_lake(lake: Path) -> list[Failure]:
    """Every failed promise of the lake at ``lake``; an empty list means all hold."""
    if not (lake / DATABASE).is_file():
        return [Failure("lake", f"nothing is built at {lake}: run `flask academy lake build`")]
    try:
        manifest = read_manifest(lake)
    except ValueError as error:
        return [Failure("lake", str(error))]
    found = data_files(lake)
    failures = check_dictionary() + check_files(found, manifest) + check_lineage(manifest)
    with open_lake(lake) as con:
        failures += check_schemas(con)
        column_failures, readable = check_columns(con)
        failures += column_failures
        failures += check_row_counts(con, manifest, readable, unchanged(found, manifest))
        failures += check_keys(con, readable)
        failures += check_foreign_keys(con, readable)
        failures += check_privacy(con, readable)
        failures += check_masked(con, lake)
    restricted = restricted_folder(lake)
    failures += check_restricted_files(restricted, manifest)
    if not (restricted / DATABASE).is_file():
        return failures  # reported above; the real values cannot be read
    # Bursts are counted per sender, so the dirt is measured on the real values.
    with open_lake(restricted) as con:
        failures += check_agreement(con, lake)
        failures += check_dirt(con, manifest)
    return failures
