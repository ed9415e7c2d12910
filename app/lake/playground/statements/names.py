"""The rules on names: which functions a learner may call, which table names are files (pure).

Written as rules rather than a release's catalogue: a table function is
refused unless it is on the allowlist, whatever DuckDB release adds it.
"""

from __future__ import annotations

import functools
import re

import duckdb

from app.lake.playground.statements.tree import PARSER_CONFIG


# Table functions a learner may call: generators, unnesting and catalog
# metadata. Every other table function the running DuckDB knows is refused
# (fail closed), so a release that adds one cannot open a hole silently.
def _names(text: str) -> frozenset[str]:
    """A set of function names written as one space-separated string."""
    return frozenset(text.split())


ALLOWED_TABLE_FUNCTIONS = _names(
    "range generate_series unnest repeat repeat_row json_each json_tree summary "
    "test_all_types test_vector_types icu_calendar_names pg_timezone_names which_secret "
    "histogram histogram_values duckdb_logs_parsed duckdb_profiling_settings "
    "pragma_collations pragma_database_size pragma_metadata_info pragma_platform pragma_show "
    "pragma_storage_info pragma_table_info pragma_user_agent pragma_version "
    "duckdb_approx_database_count duckdb_available_metrics duckdb_columns "
    "duckdb_connection_count duckdb_constraints duckdb_coordinate_systems duckdb_databases "
    "duckdb_dependencies duckdb_dialects duckdb_eviction_queues duckdb_extension_repositories "
    "duckdb_extensions duckdb_external_file_cache duckdb_external_resource_types "
    "duckdb_external_resources duckdb_functions duckdb_grammar_extensions duckdb_indexes "
    "duckdb_keywords duckdb_log_contexts duckdb_logs duckdb_memory duckdb_optimizers "
    "duckdb_prepared_statements duckdb_schemas duckdb_secret_type_parameters "
    "duckdb_secret_types duckdb_secrets duckdb_sequences duckdb_settings duckdb_table_sample "
    "duckdb_tables duckdb_temporary_files duckdb_triggers duckdb_types duckdb_variables "
    "duckdb_views"
)
# Functions from extensions that cannot load here, caught by name just in case.
_DENIED_PREFIXES = (
    "read_", "parquet_", "sqlite_", "postgres_", "mysql_", "iceberg_", "delta_", "ducklake_",
    "st_read", "excel_", "http", "s3_", "azure_", "gcs_", "load_aws", "odbc_", "arrow_",
    "python_", "pandas_", "json_execute",
)  # fmt: skip
_DENIED_SUFFIXES = ("_scan", "_attach")
# A table name DuckDB finds no table for is read as a file when it looks like
# one: catalog, schema and name joined by dots (so FROM data.csv reads data.csv)
# ending in an extension DuckDB or an extension has a reader for. A part with
# a slash, colon or dot of its own can only have been written as a path.
_PATH = re.compile(r"[/\\:.]")
_READABLE = re.compile(
    r"\.(csv|tsv|parquet|json|jsonl|ndjson|geojson|duckdb|ddb|db|sqlite|sqlite3|arrow|ipc|"
    r"feather|avro|orc|xlsx|xls|txt|gz|zst|zip)$",
    re.I,
)


def denied_function(name: str) -> bool:
    """True for a function the playground refuses (by name, any case).

    The rule: a table function is refused unless it is on the allowlist, and
    so is any name shaped like a file, network or foreign-engine reader even
    where this DuckDB does not know it (an extension's). Scalar and aggregate
    functions only compute, and pass.
    """
    name = name.lower()
    if name in ALLOWED_TABLE_FUNCTIONS:
        return False
    return (
        name in table_functions()
        or name.startswith(_DENIED_PREFIXES)
        or name.endswith(_DENIED_SUFFIXES)
    )


@functools.cache
def table_functions() -> frozenset[str]:
    """Every table function (and table macro) the running DuckDB knows, read once per process."""
    with duckdb.connect(":memory:", config=PARSER_CONFIG) as con:
        rows = con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() "
            "WHERE function_type IN ('table', 'table_macro')"
        ).fetchall()
    return frozenset(name.lower() for (name,) in rows)


def names_a_file(names: tuple[str, str, str]) -> bool:
    """True for a table name DuckDB would read as a file (see _PATH and _READABLE)."""
    given = [name for name in names if name]
    return any(_PATH.search(name) for name in given) or bool(_READABLE.search(".".join(given)))
