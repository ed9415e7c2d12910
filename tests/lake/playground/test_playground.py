"""The playground end to end: queries through the worker pool, as the web pages use it."""

from __future__ import annotations

import json
from contextlib import closing

import duckdb
import pytest

from app.lake.playground import Playground
from app.lake.playground.runner import run_sql
from app.lake.playground.sandbox import scratch_file
from app.landlock import landlock_abi
from tests.lake.fakelake import build_lake


@pytest.fixture(scope="module")
def playground(lake):
    """One playground (two workers) for the module."""
    with Playground(lake.settings(timeout_s=5, max_csv_rows=1000)) as engine:
        yield engine


def rows(result) -> list[list]:
    """The rows of a result that must have succeeded."""
    assert result.error is None, result.error
    return result.rows


def test_a_select_returns_named_typed_columns_and_rows(playground):
    result = playground.run("SELECT * FROM raw.x ORDER BY id", "alice")
    assert [(c.name, c.type) for c in result.columns] == [("id", "BIGINT"), ("name", "VARCHAR")]
    assert rows(result) == [[1, "alpha"], [2, "beta"], [3, "gamma"]]
    assert (result.total_rows, result.truncated, result.statement_type) == (3, False, "SELECT")


def test_the_worker_reports_how_long_each_query_took(playground):
    # Read from the worker's own answer: the result would default a missing time to 0.
    answer = playground._pool.request({"op": "run", "sql": "SELECT 1", "key": "alice"}, 5)
    assert isinstance(answer.result["elapsed_ms"], float)


def test_a_join_across_zones(playground):
    result = playground.run(
        "SELECT x.name, count(*) AS adverts, max(y.v) AS v FROM raw.x "
        "JOIN trusted.advert a USING (id) JOIN refined.y y USING (id) GROUP BY ALL ORDER BY 1",
        "alice",
    )
    assert rows(result) == [["alpha", 7, "2.5"], ["beta", 7, "5.0"], ["gamma", 6, "7.5"]]


def test_a_window_function(playground):
    result = playground.run(
        "SELECT id, sum(id) OVER (ORDER BY id) AS running FROM raw.x ORDER BY id", "alice"
    )
    assert rows(result) == [[1, 1], [2, 3], [3, 6]]


def test_values_arrive_json_safe(playground):
    result = playground.run(
        "SELECT TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tz, DATE '2024-01-02' AS d, "
        "'nan'::DOUBLE AS n, 'inf'::DOUBLE AS i, 1.50::DECIMAL(4, 2) AS dec, "
        "'\\xAA'::BLOB AS b, [1, 2] AS l, {'k': 'v'} AS s, NULL AS nothing",
        "alice",
    )
    assert rows(result) == [
        ["2024-01-02T01:04:05+00:00", "2024-01-02", "NaN", "Infinity", "1.50", "aa"]
        + [[1, 2], {"k": "v"}, None]
    ]
    json.dumps(result.to_dict(), allow_nan=False)


def test_explain_returns_the_physical_plan(playground):
    result = playground.explain("SELECT * FROM raw.x JOIN refined.y USING (id)", "alice")
    assert result.error is None
    assert result.statement_type == "EXPLAIN"
    assert "JOIN" in result.plan.upper() and "READ_CSV" in result.plan.upper()


def test_explain_goes_through_the_filter_and_places_errors_in_what_was_typed(playground):
    assert playground.explain("COPY (SELECT 1) TO 'x.csv'", "alice").error.kind == "refused"
    sql = "SELECT * FROM raw.nope"
    error = playground.explain(sql, "alice").error
    assert error.kind == "catalog"
    assert sql[error.offset :].startswith("raw.nope")


def test_a_learner_creates_reads_changes_and_drops_their_own_table(playground, lake):
    created = playground.run("CREATE OR REPLACE TABLE user.mine AS SELECT * FROM raw.x", "alice")
    assert created.messages == ("Created table user.mine (3 rows)",)
    assert rows(playground.run("SELECT count(*) FROM user.mine", "alice")) == [[3]]
    changed = playground.run(
        "INSERT INTO user.mine VALUES (4, 'delta'), (5, 'epsilon');\n"
        "UPDATE user.mine SET name = upper(name) WHERE id = 4;\n"
        "DELETE FROM mine WHERE id = 5;\n"
        "SELECT name FROM user.mine ORDER BY id DESC LIMIT 1",
        "alice",
    )
    assert changed.messages == (
        "Inserted 2 rows into user.mine",
        "Updated 1 row in user.mine",
        "Deleted 1 row from user.mine",
    )
    assert rows(changed) == [["DELTA"]]
    with closing(
        duckdb.connect(str(scratch_file(lake.settings(), "alice")), read_only=True)
    ) as con:
        assert con.execute("SELECT count(*) FROM mine").fetchone() == (4,)
    dropped = playground.run("DROP TABLE user.mine", "alice")
    assert dropped.message == "Dropped table user.mine"
    assert playground.run("SELECT * FROM user.mine", "alice").error.kind == "catalog"


def test_a_view_in_the_user_zone_over_the_lake(playground):
    playground.run("CREATE OR REPLACE VIEW user.busy AS SELECT * FROM raw.x WHERE id > 1", "alice")
    assert rows(playground.run("SELECT count(*) FROM user.busy", "alice")) == [[2]]


def test_learners_cannot_see_each_others_tables(playground, lake):
    playground.run("CREATE OR REPLACE TABLE user.diary AS SELECT 'bob was here' AS entry", "bob")
    bobs_file = scratch_file(lake.settings(), "bob")
    assert bobs_file.exists()
    for sql in (
        "SELECT * FROM user.diary",
        "SELECT * FROM diary",
        "SELECT * FROM lake.user.diary",
    ):
        assert playground.run(sql, "alice").error.kind == "catalog", sql
    for sql in (
        f"SELECT * FROM read_parquet('{bobs_file}')",
        f"SELECT * FROM read_duckdb('{bobs_file}', table_name => 'diary')",
        f"ATTACH '{bobs_file}' AS theirs",
    ):
        assert playground.run(sql, "alice").error.kind == "refused", sql
    listed = playground.run("SELECT table_name FROM duckdb_tables()", "alice")
    assert ["diary"] not in rows(listed)


def test_only_the_last_query_shows_rows_and_earlier_ones_are_checked(playground):
    result = playground.run("SELECT 1;\nSELECT 2 AS two", "alice")
    assert rows(result) == [[2]]
    assert result.statement_types == ("SELECT", "SELECT")
    broken = playground.run("SELECT * FROM nope;\nSELECT 2", "alice")
    assert (broken.error.kind, broken.error.line) == ("catalog", 1)


def test_results_are_capped_but_the_total_is_counted(playground):
    result = playground.run("SELECT range AS n FROM range(123456)", "alice")
    assert len(result.rows) == 500
    assert (result.total_rows, result.total_exact, result.truncated) == (123456, True, True)
    assert result.notes == ("Showing the first 500 of 123,456 rows.",)


def test_long_cells_and_large_pages_are_cut(playground):
    long = playground.run("SELECT repeat('x', 50000) AS s", "alice")
    assert len(long.rows[0][0]) == 10_001 and long.rows[0][0].endswith("…")
    assert long.truncated and "cut to 10,000 characters" in long.notes[-1]
    wide = playground.run("SELECT repeat('y', 9000) AS s FROM range(500)", "alice")
    assert len(wide.rows) < 500 and wide.total_rows == 500 and wide.truncated


def test_a_syntax_error_gives_duckdbs_message_and_its_line_and_column(playground):
    sql = "SELECT id,\n  name FROM raw.x\n WHERE id = = 3"
    error = playground.run(sql, "alice").error
    assert error.kind == "syntax"
    assert error.message == 'Parser Error: syntax error at or near "="'
    assert (error.line, error.column) == (3, 13)
    assert sql[error.offset] == "="


def test_an_unknown_column_lists_candidates_and_its_place(playground):
    sql = "SELECT 'é😀' AS emoji, nme FROM raw.x"
    error = playground.run(sql, "alice").error
    assert (error.kind, error.candidates) == ("binder", ("name",))
    assert sql[error.offset :].startswith("nme")


def test_unicode_round_trips(playground):
    result = playground.run("SELECT 'naïve 😀' AS \"emoji ✓\", length('😀') AS n", "alice")
    assert result.columns[0].name == "emoji ✓"
    assert rows(result) == [["naïve 😀", 1]]


@pytest.mark.parametrize("sql", ["", "   \n\t", "-- only a comment\n/* and another */"])
def test_empty_input_says_there_is_nothing_to_run(playground, sql):
    assert playground.run(sql, "alice").error.kind == "empty"


def test_a_huge_query_is_refused_with_its_size(playground):
    error = playground.run("SELECT 1 -- " + "x" * 1_000_000, "alice").error
    assert error.kind == "too_large"
    assert "1,000,012 characters" in error.message and "100,000" in error.message


def test_odd_input_is_refused_without_raising(playground):
    assert playground.run("SELECT 1\x00", "alice").error.kind == "refused"
    assert playground.run(b"SELECT 1", "alice").error.kind == "refused"


def test_a_bad_learner_key_is_a_programming_error(playground):
    with pytest.raises(ValueError):
        playground.run("SELECT 1", "../bob")


def test_csv_export_streams_the_full_result(playground):
    export = playground.csv("SELECT id, name FROM raw.x ORDER BY id", "alice")
    assert export.ok and not export.truncated
    assert "".join(export) == "id,name\r\n1,alpha\r\n2,beta\r\n3,gamma\r\n"
    assert export.rows == 3


def test_csv_export_stops_at_its_cap_and_says_so(playground):
    export = playground.csv("SELECT range FROM range(5000)", "alice")
    assert (export.rows, export.truncated) == (1000, True)
    assert "".join(export).count("\r\n") == 1001


def test_csv_export_runs_only_a_select_and_defuses_formulas(playground):
    assert playground.csv("CREATE TABLE user.t (a INT)", "alice").error.kind == "refused"
    assert playground.csv("SELECT * FROM read_csv('/etc/passwd')", "alice").error.kind == "refused"
    export = playground.csv("SELECT '=1+1' AS f", "alice")
    assert "".join(export) == "f\r\n'=1+1\r\n"


def test_the_workers_are_confined_where_the_kernel_allows(playground):
    playground.run("SELECT 1", "alice")
    confinement = playground.confinement()
    assert confinement["landlock"] is (landlock_abi() > 0)


def test_an_unbuilt_lake_says_so(tmp_path):
    lake = build_lake(tmp_path / "instance")
    (lake.lake_dir / "lake.duckdb").unlink()
    result = run_sql(lake.settings(), "SELECT 1", "alice")
    assert result.error.kind == "unavailable"
