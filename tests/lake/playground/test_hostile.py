"""Hostile SQL through the whole playground: refused, clearly, and nothing on disk changes.

The last test compares a sha256 of every lake file, the instance's secret key
and another learner's scratch file with their state before the suite ran.
"""

from __future__ import annotations

import json

import pytest

from app.lake.playground import Playground
from app.lake.playground.sandbox import scratch_file
from tests.lake.fakelake import SECRET

ME, OTHER = "mallory", "bob"


@pytest.fixture(scope="module")
def playground(lake):
    """One playground for the module, with another learner's table already made."""
    with Playground(lake.settings(timeout_s=5)) as engine:
        created = engine.run("CREATE TABLE user.diary AS SELECT 'bob was here' AS e", OTHER)
        assert created.error is None
        yield engine


@pytest.fixture(scope="module")
def before(lake, playground):
    """The fingerprint taken once the other learner's table exists, before any attack."""
    return lake.fingerprint(OTHER)


def attacks(lake) -> list[tuple[str, str]]:
    """(SQL, a word the refusal must contain): the issue's list, and a few more."""
    other = scratch_file(lake.settings(), OTHER)
    raw = lake.lake_dir / "raw"
    secret = lake.secret_file
    return [
        ("SELECT * FROM read_csv('/etc/passwd')", "read_csv()"),
        (f"SELECT * FROM read_text('{secret}')", "read_text()"),
        (f"SELECT * FROM read_blob('{secret}')", "read_blob()"),
        (f"SELECT * FROM '{secret}'", "as a table"),
        ("SELECT * FROM glob('/*')", "glob()"),
        (f"SELECT * FROM read_parquet('{other}')", "read_parquet()"),
        (f"SELECT * FROM read_duckdb('{other}', table_name => 'diary')", "read_duckdb()"),
        (f"ATTACH '{other}' AS theirs", "ATTACH"),
        (f"COPY (SELECT 1) TO '{raw}/x.csv'", "COPY"),
        (f"COPY (SELECT 1) TO '{raw}/x/x.csv'", "COPY"),
        ("COPY (SELECT 1) TO '/tmp/playground-escape.csv'", "COPY"),
        (f"EXPORT DATABASE '{raw}/export'", "EXPORT"),
        ("ATTACH ':memory:' AS m", "ATTACH"),
        (f"ATTACH '{lake.instance}/new.duckdb' AS n", "ATTACH"),
        ("DETACH lake", "DETACH"),
        ("INSTALL httpfs", "INSTALL"),
        ("LOAD httpfs", "LOAD"),
        ("SELECT * FROM read_parquet('https://example.com/x.parquet')", "read_parquet()"),
        ("SELECT * FROM read_csv('http://127.0.0.1:1/x')", "read_csv()"),
        ("SET enable_external_access = true", "SET"),
        ("SET memory_limit = '100GB'", "SET"),
        ("PRAGMA enable_profiling", "PRAGMA"),
        ("PRAGMA memory_limit = '10GB'", "PRAGMA"),
        ("RESET memory_limit", "RESET"),
        ("USE lake", "USE"),
        ("CREATE TABLE raw.x AS SELECT 1", "raw.x"),
        ("INSERT INTO trusted.x VALUES (1)", "trusted.x"),
        ("DROP VIEW trusted.advert", "trusted.advert"),
        ("CREATE SCHEMA lake.evil", "CREATE SCHEMA"),
        ("CREATE TABLE user.x AS SELECT * FROM read_text('/etc/hostname')", "read_text()"),
        ("CREATE MACRO leak(a) AS a", "CREATE MACRO"),
        ("CREATE SECRET s (TYPE http, BEARER_TOKEN 'x')", "CREATE SECRET"),
        ("SELECT 1; COPY (SELECT 1) TO '/tmp/x.csv'", "COPY"),
        ("SELECT * FROM raw.x;\n/* harmless? */ iNsTaLl httpfs", "INSTALL"),
        ("/* */ cOpY (SELECT 1) TO 'x.csv'", "COPY"),
        ("SELECT * FROM query('SELECT * FROM read_text(''/etc/hostname'')')", "query()"),
        ("CALL checkpoint()", "CALL"),
        ("CHECKPOINT", "CHECKPOINT"),
        ("BEGIN TRANSACTION", "BEGIN"),
        ("IMPORT DATABASE '/tmp'", "IMPORT"),
        # Past the filter once; the locked connection stopped the first three, and only
        # Landlock stood in the way of COPY TO in a WITH clause (a SELECT to DuckDB 2.0).
        ("SELECT * FROM -- x\rread_text('/etc/passwd')", "read_text()"),
        (f"SELECT * FROM `read_text`('{secret}')", "read_text()"),
        (f"SELECT * FROM ('{secret}.csv' CROSS JOIN range(1))", "as a table"),
        (f"WITH a AS (COPY (SELECT 'x' AS id) TO '{raw}/x/x.csv') SELECT * FROM a", "COPY"),
        ("WITH d AS (DELETE FROM raw.x RETURNING *) SELECT * FROM d", "DELETE"),
        ("SELECT * FROM x.csv", "as a table"),
        (f"UPDATE user.t SET a = (SELECT content FROM read_text('{secret}'))", "read_text()"),
    ]


def test_every_attack_is_refused_with_a_clear_message(lake, playground, before):
    for sql, named in attacks(lake):
        result = playground.run(sql, ME)
        assert result.error is not None, sql
        assert result.error.kind == "refused", (sql, result.error)
        assert named.lower() in result.error.message.lower(), (sql, result.error.message)
        assert SECRET not in json.dumps(result.to_dict()), sql


def test_attacks_through_explain_and_csv_export_are_refused_too(lake, playground, before):
    for sql, _ in attacks(lake):
        assert playground.explain(sql, ME).error.kind == "refused", sql
        assert playground.csv(sql, ME).error.kind == "refused", sql


def test_reading_the_settings_is_fine_and_reveals_no_secret(playground, before):
    result = playground.run("SELECT name, value FROM duckdb_settings()", ME)
    assert result.error is None
    settings = dict(map(tuple, result.rows))
    assert settings["lock_configuration"] == "true"
    assert settings["enable_external_access"] == "false"
    assert SECRET not in json.dumps(result.to_dict())


def test_the_other_learners_table_is_out_of_reach_by_name(playground, before):
    for sql in ("SELECT * FROM user.diary", "SELECT * FROM lake.user.diary"):
        assert playground.run(sql, ME).error.kind == "catalog"


def test_no_file_was_written_outside_the_scratch_directory(lake, playground, before):
    assert not (lake.instance / "new.duckdb").exists()
    assert not (lake.lake_dir / "raw" / "x.csv").exists()
    assert not (lake.lake_dir / "raw" / "export").exists()


def test_lake_secret_and_other_scratch_files_are_byte_identical_afterwards(lake, before):
    # Kept last in this module: it checks what every test above left behind.
    assert lake.fingerprint(OTHER) == before
