"""The DuckDB side of the lake: a schema per zone and a view per dataset over its files.

Views name their files by absolute path. DuckDB resolves relative paths
against the reading process's working directory, not the database file, so a
relative path would break for anyone starting elsewhere. The cost: if the lake
folder is moved, rebuild it (``flask academy lake build``) to rewrite the views.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from app.lake.dictionary import DATASETS, ZONES, Dataset
from app.lake.pipeline.files import DATABASE, source_glob

ZONE_NAMES = tuple(zone.name for zone in ZONES)


def quoted(qualified_name: str) -> str:
    """``"zone"."dataset"``: some zone names ("user") are SQL keywords."""
    return ".".join(f'"{part}"' for part in qualified_name.split("."))


def _sql_literal(text: str) -> str:
    """``text`` as a quoted SQL string."""
    return "'" + text.replace("'", "''") + "'"


def reader(lake: Path, ds: Dataset) -> str:
    """The table function that reads a dataset's files with the dictionary's types."""
    files = _sql_literal(source_glob(lake, ds))
    if ds.file_format == "parquet":
        return f"read_parquet({files})"
    # Schema-on-read: raw and transient are text whatever the files look like;
    # only the load date, taken from the folder name, is typed.
    delivered = [c for c in ds.columns if c.name != "load_date"]
    hive = ", hive_partitioning = true, hive_types = {'load_date': 'DATE'}"
    partitioned = hive if ds.zone == "raw" else ", hive_partitioning = false"
    if ds.file_format == "json":
        columns = ", ".join(f"{_sql_literal(c.name)}: 'VARCHAR'" for c in delivered)
        return (
            f"read_json({files}, format = 'newline_delimited', columns = {{{columns}}}"
            f"{partitioned})"
        )
    return (
        f"read_csv({files}, header = true, delim = ',', quote = '\"', all_varchar = true"
        f"{partitioned})"
    )


def create_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """One schema per zone, the user zone included (learners write there, we ship nothing)."""
    for zone in ZONE_NAMES:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{zone}"')


def create_view(con: duckdb.DuckDBPyConnection, lake: Path, ds: Dataset) -> None:
    """Point ``zone.dataset`` at the dataset's files."""
    con.execute(
        f"CREATE OR REPLACE VIEW {quoted(ds.qualified_name)} AS SELECT * FROM {reader(lake, ds)}"
    )


def tables_read(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[str, ...]:
    """The zone.dataset names a query reads, found by DuckDB's own parser (CTEs excluded)."""
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    if tree.get("error"):
        raise ValueError(tree.get("error_message", "query does not parse"))
    found: set[str] = set()
    stack: list = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and node.get("schema_name") in ZONE_NAMES:
                found.add(f"{node['schema_name']}.{node['table_name']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return tuple(sorted(found))


def open_lake(lake: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to a built lake's database, read-only unless asked otherwise."""
    return duckdb.connect(str(lake / DATABASE), read_only=read_only)


def datasets_in(zone: str) -> list[Dataset]:
    """The dictionary's datasets in one zone."""
    return [ds for ds in DATASETS if ds.zone == zone]
