"""The one locked DuckDB connection: written once, standalone, and locked in every mode."""

from __future__ import annotations

import ast
import sys
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

import app
from app.lake import lockdown

APP = Path(app.__file__).parent


def test_it_is_the_only_code_that_locks_a_duckdb_configuration():
    # One home: the playground, the grader and the kernel set-up all open it here.
    locking = sorted(
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if "lock_configuration = true" in path.read_text(encoding="utf-8")
    )
    assert locking == ["lake/lockdown.py"]


def test_it_imports_only_duckdb_and_the_standard_library():
    # Its text runs inside learners' kernels, where the app is not importable.
    tree = ast.parse(Path(lockdown.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - set(sys.stdlib_module_names) == {"duckdb"}


@pytest.fixture(scope="module")
def lake_dir(built_lake) -> str:
    return str(built_lake.lake)


def test_without_scratch_the_lake_is_the_default_and_nothing_can_be_written(lake_dir):
    with closing(lockdown.connect_locked(lake_dir, memory_limit="256MB")) as con:
        assert con.execute("SELECT count(*) FROM raw.responses").fetchone()[0] > 0
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE t AS SELECT 1")
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET enable_external_access = true")
        settings = dict(con.execute("SELECT name, value FROM duckdb_settings()").fetchall())
    assert settings["python_enable_replacements"] == "false"
    assert settings["allow_extension_repositories"] == "forbidden"


def test_a_time_limit_becomes_duckdbs_own(lake_dir):
    with closing(
        lockdown.connect_locked(lake_dir, memory_limit="256MB", time_limit_ms=1500)
    ) as con:
        value = con.execute("SELECT current_setting('max_execution_time')").fetchone()[0]
    assert str(value) in ("1500", "1500ms", "1.5s")


def test_in_a_kernel_the_learners_own_dataframes_can_be_queried(lake_dir, tmp_path):
    # Replacement scans read the caller's Python variables: the learner's own in a kernel.
    with closing(lockdown.connect_in_kernel(lake_dir, str(tmp_path), "256MB")) as con:
        settings = dict(con.execute("SELECT name, value FROM duckdb_settings()").fetchall())
        con.execute("CREATE TABLE mine AS SELECT 2 AS x")
    assert settings["python_enable_replacements"] == "true"
    assert (tmp_path / lockdown.KERNEL_SCRATCH_FILE).exists()
