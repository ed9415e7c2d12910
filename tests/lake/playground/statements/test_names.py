"""The rules on names, on their own: which functions may be called, which table names are files."""

from __future__ import annotations

import duckdb
import pytest

from app.lake.playground.statements.filter import classify
from app.lake.playground.statements.names import (
    _DENIED_PREFIXES,
    ALLOWED_TABLE_FUNCTIONS,
    denied_function,
    names_a_file,
)


def test_every_table_function_duckdb_reports_is_allowed_by_name_or_refused_by_the_rule():
    # Asked of the DuckDB that is installed, whatever its release: nothing it
    # reports can run unless someone put it on the allowlist.
    with duckdb.connect() as con:
        names = {
            name
            for (name,) in con.execute(
                "SELECT DISTINCT function_name FROM duckdb_functions() "
                "WHERE function_type IN ('table', 'table_macro')"
            ).fetchall()
        }
    assert names, "DuckDB reported no table functions"
    assert [n for n in names if n not in ALLOWED_TABLE_FUNCTIONS and not denied_function(n)] == []
    for name in names - ALLOWED_TABLE_FUNCTIONS:
        verdict = classify(f"SELECT * FROM {name}()")
        assert verdict.refusals and f"{name}()" in verdict.refusals[0], name


def test_allowlisted_names_are_not_readers_by_their_shape():
    # An allowed name that looks like a file or network reader would be a mistake in the list.
    assert [n for n in ALLOWED_TABLE_FUNCTIONS if n.startswith(_DENIED_PREFIXES)] == []


def test_no_scalar_or_aggregate_function_is_denied_by_mistake():
    with duckdb.connect() as con:
        names = con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() "
            "WHERE function_type IN ('scalar', 'aggregate', 'macro')"
        ).fetchall()
    assert [name for (name,) in names if denied_function(name)] == []


@pytest.mark.parametrize(
    "names",
    [
        ("", "", "/etc/passwd"),  # FROM '/etc/passwd'
        ("", "", "https://example.com/x.parquet"),
        ("", "", "C:\\data\\x"),
        ("", "", "x.csv"),  # FROM "x.csv" or FROM 'x.csv'
        ("", "", "anything.at_all"),  # DuckDB 2.0 looks for a reader for any extension
        ("", "x", "csv"),  # FROM x.csv: DuckDB joins the parts and reads x.csv
        ("", "u2", "duckdb"),  # FROM u2.duckdb: another learner's scratch file, relative
        ("lake", "raw", "parquet"),
        ("", "raw", "x.json"),  # raw."x.json"
        ("", "raw", "data.CSV.GZ"),
    ],
)
def test_table_names_duckdb_would_read_as_files_are_files(names):
    assert names_a_file(names)


@pytest.mark.parametrize(
    "names",
    [
        ("", "raw", "responses"),
        ("lake", "trusted", "advert"),
        ("", "user", "customers_by_region"),
        ("user", "main", "t"),
        ("", "", "a"),  # a CTE's name
        ("", "", '"tables"'),  # SHOW TABLES
    ],
)
def test_the_lakes_and_learners_tables_are_not_files(names):
    assert not names_a_file(names)
