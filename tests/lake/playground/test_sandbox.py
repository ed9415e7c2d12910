"""The locked DuckDB configuration on its own: hostile SQL straight into the sandbox.

These tests bypass the statement filter on purpose (and run in the test
process, so without the worker's Landlock confinement): each attack here must
be stopped by the configuration alone. The one kind it cannot stop, writes
into the lake's own directories, is covered in test_playground_confine.
"""

from __future__ import annotations

from contextlib import closing

import duckdb
import pyarrow as pa
import pytest

from app.lake.playground.sandbox import allowed_directories, open_sandbox, scratch_file
from tests.lake.fakelake import SECRET, build_lake

ME, OTHER = "cfg_alice", "cfg_bob"


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    """One fake lake, with another learner's scratch table already in it."""
    lake = build_lake(tmp_path_factory.mktemp("sandbox") / "instance")
    settings = lake.settings(timeout_s=5)
    with closing(open_sandbox(settings, OTHER)) as con:
        con.execute("CREATE TABLE user.diary AS SELECT 'bob was here' AS entry")
    return lake


def run(lake, sql: str, key: str = ME) -> list[tuple]:
    """Run raw SQL in a fresh sandbox, no filter."""
    with closing(open_sandbox(lake.settings(timeout_s=5), key)) as con:
        return con.execute(sql).fetchall()


def test_zones_resolve_to_the_lake_and_user_to_my_own_file(lake):
    assert run(lake, "SELECT count(*) FROM raw.x") == [(3,)]
    assert run(lake, "SELECT count(*) FROM refined.y JOIN raw.x USING (id)") == [(3,)]
    assert run(lake, "SELECT count(*) FROM x") == [(3,)]  # unqualified: the search path
    run(lake, "CREATE OR REPLACE TABLE user.mine AS SELECT * FROM raw.x")
    run(lake, "CREATE OR REPLACE TABLE plain AS SELECT 1 AS one")  # lands in user too
    with closing(duckdb.connect(str(scratch_file(lake.settings(), ME)), read_only=True)) as con:
        tables = {
            name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
    assert {"mine", "plain"} <= tables


def test_a_view_in_the_user_zone_reads_the_lake_in_a_later_sandbox(lake):
    run(lake, "CREATE OR REPLACE VIEW user.v AS SELECT * FROM raw.x WHERE id > 1")
    assert run(lake, "SELECT count(*) FROM user.v") == [(2,)]


def test_the_lakes_own_empty_user_schema_does_not_shadow_mine(lake):
    run(lake, "CREATE OR REPLACE TABLE user.t AS SELECT 7 AS n")
    assert run(lake, "SELECT n FROM user.t") == [(7,)]
    with pytest.raises(duckdb.CatalogException):
        run(lake, "SELECT n FROM lake.user.t")


def test_only_the_lake_and_my_scratch_file_are_attached(lake):
    databases = dict(run(lake, "SELECT database_name, path FROM duckdb_databases()"))
    assert databases["user"] == str(scratch_file(lake.settings(), ME))
    assert {name for name, path in databases.items() if path} == {"lake", "user"}


def test_the_configuration_is_locked_down(lake):
    settings = dict(run(lake, "SELECT name, value FROM duckdb_settings()"))
    assert settings["lock_configuration"] == "true"
    assert settings["enable_external_access"] == "false"
    assert settings["autoload_known_extensions"] == "false"
    assert settings["autoinstall_known_extensions"] == "false"
    assert settings["allow_community_extensions"] == "false"
    assert settings["temp_directory"] == ""
    assert settings["threads"] == "1"
    assert "MiB" in settings["memory_limit"] and settings["max_execution_time"] == "5000"
    assert SECRET not in repr(settings)


def test_allowed_directories_are_the_zone_folders_with_a_trailing_slash(lake):
    dirs = allowed_directories(lake.settings())
    assert f"{lake.lake_dir}/raw/" in dirs
    assert all(d.endswith("/") for d in dirs)
    assert f"{lake.lake_dir}/user/" not in dirs


def hostile(lake) -> list[str]:
    """Attacks the locked configuration must stop without the filter's help."""
    other = scratch_file(lake.settings(), OTHER)
    secret, raw = lake.secret_file, lake.lake_dir / "raw"
    outside = lake.instance.parent / "outside"
    return [
        "SELECT * FROM read_csv('/etc/passwd')",
        f"SELECT * FROM read_text('{secret}')",
        f"SELECT * FROM read_blob('{secret}')",
        f"SELECT * FROM read_text('{raw}/../../secret_key')",
        f"SELECT * FROM read_text('{raw}/x/../../../secret_key')",
        f"SELECT * FROM '{secret}'",
        "SELECT * FROM glob('/*')",
        f"SELECT * FROM glob('{lake.scratch_dir}/*')",
        f"SELECT * FROM read_parquet('{other}')",
        f"SELECT * FROM read_duckdb('{other}', table_name => 'diary')",
        f"ATTACH '{other}' AS theirs",
        f"ATTACH '{outside}.duckdb' AS new_file",
        "SELECT * FROM sniff_csv('/etc/passwd')",
        "SELECT * FROM read_parquet('https://example.com/x.parquet')",
        "SELECT * FROM read_csv('http://127.0.0.1:1/x')",
        f"COPY (SELECT 1) TO '{outside}.csv'",
        f"EXPORT DATABASE '{outside}'",
        "INSTALL httpfs",
        "LOAD httpfs",
        f"LOAD '{outside}.duckdb_extension'",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SET memory_limit = '100GB'",
        "RESET memory_limit",
        "PRAGMA memory_limit = '10GB'",
        "SET allowed_directories = ['/']",
        "SET temp_directory = '/tmp'",
        f"SET profiling_output = '{raw}/profile.txt'",
        f"SET log_query_path = '{raw}/log.txt'",
        f"CALL enable_logging(storage = 'file', storage_path = '{raw}/log')",
        "CREATE TABLE raw.x2 AS SELECT 1",
        "CREATE TABLE lake.raw.x2 AS SELECT 1",
        "INSERT INTO lake.raw.x VALUES (4, 'delta')",
        "DROP VIEW raw.x",
        "DROP VIEW trusted.advert",
        "CREATE SCHEMA lake.evil",
        "CREATE TABLE user.h AS SELECT * FROM read_text('/etc/hostname')",
        "CREATE PERSISTENT SECRET s (TYPE http, BEARER_TOKEN 'x')",
    ]


def test_every_attack_is_stopped_by_the_configuration_alone(lake):
    before = lake.fingerprint(OTHER)
    for sql in hostile(lake):
        with pytest.raises(duckdb.Error) as caught:
            run(lake, sql)
        assert SECRET not in str(caught.value), sql
    assert lake.fingerprint(OTHER) == before
    assert not (lake.instance.parent / "outside.csv").exists()
    assert not (lake.instance.parent / "outside").exists()


def test_python_variables_are_not_readable_as_tables(lake):
    leak = pa.table({"secret": [SECRET]})  # noqa: F841 - what a replacement scan would find
    with closing(open_sandbox(lake.settings(), ME)) as con, pytest.raises(duckdb.Error):
        con.sql("SELECT * FROM leak").fetchall()


def test_what_the_configuration_lets_through_only_touches_the_throwaway_connection(lake):
    # ATTACH ':memory:' and DETACH are not file access; the filter refuses them,
    # and on their own they change nothing beyond this query's connection.
    run(lake, "ATTACH ':memory:' AS scratchpad")
    run(lake, "DETACH lake")
    assert run(lake, "SELECT count(*) FROM raw.x") == [(3,)]


def test_no_setting_duckdb_reports_can_be_changed_once_the_sandbox_is_open(lake):
    # Asked of the installed DuckDB: a setting a new release adds is locked too.
    # Only name resolution (the current schema and search path) stays per
    # connection; the statement filter refuses SET, RESET and USE before that.
    with closing(open_sandbox(lake.settings(timeout_s=5), ME)) as con:
        names = [name for (name,) in con.execute("SELECT name FROM duckdb_settings()").fetchall()]
        changeable = []
        for name in [*names, "a_setting_no_release_has"]:
            try:
                con.execute(f'RESET "{name}"')
            except duckdb.Error as exc:
                assert "locked" in str(exc), (name, exc)
            else:
                changeable.append(name)
    assert len(names) > 100
    assert set(changeable) <= {"schema", "search_path"}, changeable
