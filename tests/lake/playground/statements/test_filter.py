"""The statement filter on its own: pure, no lake, no workers."""

from __future__ import annotations

import gc
import threading

import duckdb
import pytest

from app.lake.explore.examples import EXAMPLES
from app.lake.playground.statements import filter as filter_module
from app.lake.playground.statements import names as names_module
from app.lake.playground.statements.filter import classify
from app.lake.playground.statements.names import denied_function


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM raw.x",
        "FROM raw.x SELECT id",
        "SELECT id, sum(id) OVER (ORDER BY id) FROM raw.x",
        "WITH a AS (SELECT 1 AS n) SELECT * FROM a",
        "EXPLAIN SELECT * FROM raw.x",
        "EXPLAIN ANALYZE SELECT 1",
        "DESCRIBE raw.x",
        "SUMMARIZE raw.x",
        "SHOW TABLES",
        "PIVOT raw.x ON name USING count(*)",
        "SELECT * FROM range(10), generate_series(1, 3), unnest([1, 2])",
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM raw.x WHERE name LIKE 'https://%' OR name = '/etc/passwd'",
        "SELECT 'a' GLOB 'a*'",
        "SELECT current_query()",
        "CREATE TABLE user.t AS SELECT * FROM raw.x",
        "CREATE OR REPLACE TABLE t (a INT)",
        "CREATE TABLE IF NOT EXISTS main.t (a INT)",
        'CREATE TABLE "user"."main"."T" (a INT)',
        "CREATE VIEW user.v AS SELECT * FROM raw.x",
        "INSERT INTO user.t VALUES (1)",
        "INSERT OR REPLACE INTO user.t SELECT 1",
        "WITH q AS (SELECT 1) INSERT INTO user.t SELECT * FROM q",
        "UPDATE user.t SET a = 2",
        "DELETE FROM user.t WHERE a = 1",
        "TRUNCATE user.t",
        "MERGE INTO user.t USING (SELECT 1 AS a) s ON t.a = s.a WHEN MATCHED THEN DELETE",
        "ALTER TABLE user.t ADD COLUMN b INT",
        "DROP TABLE IF EXISTS user.t",
        "DROP VIEW user.v",
    ],
)
def test_queries_and_writes_to_the_user_zone_are_allowed(sql):
    verdict = classify(sql)
    assert verdict.allowed, verdict.refusals


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("COPY (SELECT 1) TO '/tmp/x.csv'", "COPY"),
        ("/* hello */ cOpY (SELECT 1) TO 'x.csv'", "COPY"),
        ("EXPORT DATABASE '/tmp/x'", "EXPORT"),
        ("IMPORT DATABASE '/tmp/x'", "IMPORT"),
        ("ATTACH ':memory:' AS m", "ATTACH"),
        ("DETACH lake", "DETACH"),
        ("INSTALL httpfs", "INSTALL"),
        ("LOAD httpfs", "LOAD"),
        ("SET enable_external_access = true", "SET"),
        ("RESET memory_limit", "RESET"),
        ("USE lake", "USE"),
        ("SET VARIABLE v = 1", "SET"),
        ("PRAGMA enable_profiling", "PRAGMA"),
        ("CALL pragma_version()", "CALL"),
        ("CHECKPOINT", "CHECKPOINT"),
        ("BEGIN TRANSACTION", "BEGIN"),
        ("VACUUM", "VACUUM"),
        ("ANALYZE", "ANALYZE"),
        ("PREPARE p AS SELECT 1", "PREPARE"),
        ("UPDATE EXTENSIONS", "UPDATE"),
        ("CREATE MACRO m(a) AS a + 1", "MACRO"),
        ("CREATE FUNCTION f(a) AS a", "FUNCTION"),
        ("CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')", "SECRET"),
        ("CREATE SCHEMA lake.evil", "SCHEMA"),
        ("CREATE SCHEMA user.raw", "SCHEMA"),
        ("CREATE TEMP TABLE t AS SELECT 1", "Temporary"),
        ("CREATE TABLE raw.x AS SELECT 1", "raw.x"),
        ("CREATE TABLE lake.raw.x (a INT)", "lake.raw.x"),
        ("CREATE TABLE lake.user.x (a INT)", "lake.user.x"),
        ("CREATE TABLE memory.t (a INT)", "memory.t"),
        ("INSERT INTO trusted.x VALUES (1)", "trusted.x"),
        ("UPDATE raw.x SET id = 1", "raw.x"),
        ("DELETE FROM refined.y", "refined.y"),
        ("DROP VIEW trusted.x", "trusted.x"),
        ("DROP SCHEMA user.main", "DROP SCHEMA"),
        ("ALTER VIEW raw.x RENAME TO y", "raw.x"),
        ("COMMENT ON TABLE user.t IS 'x'", "COMMENT"),
        ("EXPLAIN COPY (SELECT 1) TO 'x'", "EXPLAIN"),
        ("EXPLAIN ANALYZE CREATE TABLE user.t AS SELECT 1", "EXPLAIN"),
        ("SELECT * FROM (PIVOT raw.x ON name USING count(*))", "IN ('a', 'b')"),
    ],
)
def test_other_statements_are_refused_with_a_message_naming_them(sql, named):
    verdict = classify(sql)
    assert not verdict.allowed
    assert named.lower() in " ".join(verdict.refusals).lower()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM READ_CSV_AUTO('/etc/passwd')",
        "SELECT * FROM \"read_text\"('/etc/hostname')",
        "SELECT * FROM main.read_blob('/srv/instance/secret_key')",
        "SELECT * FROM glob('/*')",
        "SELECT * FROM read_parquet('https://example.com/x.parquet')",
        "SELECT * FROM read_parquet('http://127.0.0.1:1/x')",
        "SELECT * FROM sniff_csv('/etc/passwd')",
        "SELECT * FROM parquet_metadata('/x.parquet')",
        "SELECT * FROM read_duckdb('/srv/scratch/u2.duckdb', table_name => 't')",
        "SELECT * FROM query('SELECT * FROM rea' || 'd_csv(''/etc/passwd'')')",
        "SELECT * FROM query_table('x')",
        "SELECT * FROM checkpoint('user')",
        "SELECT * FROM arrow_scan(1, 2, 3)",
        "SELECT * FROM json_execute_serialized_sql('{}')",
        "SELECT * FROM '/etc/passwd'",
        "FROM '/etc/passwd'",
        "SELECT * FROM raw.x, 'data.csv'",
        'SELECT * FROM "secrets.csv"',
        "DESCRIBE '/etc/passwd'",
        "SELECT * FROM raw.x JOIN '/etc/passwd' ON true",
        "CREATE TABLE user.h AS SELECT * FROM read_text('/etc/hostname')",
        "INSERT INTO user.t FROM '/etc/passwd'",
        "SELECT 1; SELECT * FROM read_csv('/etc/passwd')",
        "SELECT 1; COPY (SELECT 1) TO '/tmp/x'",
        "SELECT E'\\'', read_text('/etc/hostname')",
        "SELECT $$ x $$, read_text('/etc/hostname')",
        "SELECT /* /* nested */ still a comment */ read_text('/etc/hostname')",
        "EXPLAIN SELECT * FROM read_csv('/etc/passwd')",
    ],
)
def test_file_and_network_access_is_refused_wherever_it_hides(sql):
    verdict = classify(sql)
    assert not verdict.allowed
    assert verdict.refusals


def test_a_forbidden_statement_smuggled_after_a_select_refuses_the_whole_submission():
    verdict = classify("SELECT 1;\nSELECT 2;\n/* */ INSTALL httpfs")
    assert [s.type for s in verdict.statements] == ["SELECT", "SELECT", "LOAD"]
    assert verdict.refusals == (
        "INSTALL (LOAD statement) is not allowed in the playground: "
        "extensions cannot be installed or loaded.",
    )


def test_statements_know_where_they_start_and_what_they_change():
    sql = "SELECT 1;\n  CREATE TABLE user.t AS SELECT 2;\nDROP TABLE t"
    first, create, drop = classify(sql).statements
    assert (first.offset, create.offset) == (0, sql.index("CREATE"))
    assert (create.target, create.action) == ("user.t", "Created table")
    assert (drop.target, drop.action) == ("user.t", "Dropped table")


def test_a_syntax_error_comes_back_with_its_position():
    verdict = classify("SELECT 1;\nSELEC 2")
    assert verdict.error is not None
    assert (verdict.error.kind, verdict.error.line, verdict.error.column) == ("syntax", 2, 1)


def test_empty_and_comment_only_input_has_no_statements():
    for sql in ("", "   ", "-- nothing\n/* at all */"):
        verdict = classify(sql)
        assert not verdict.allowed and not verdict.statements and verdict.error is None


def test_too_many_statements_are_refused():
    verdict = classify("SELECT 1;" * 5, max_statements=4)
    assert "at most 4" in verdict.refusals[0]


def test_a_table_function_a_new_release_adds_is_refused_until_allowed(monkeypatch):
    # Fail closed: a name nobody has decided about is refused by the rule, not by a list.
    known = names_module.table_functions() | {"brand_new_reader"}
    monkeypatch.setattr(names_module, "table_functions", lambda: known)
    assert denied_function("brand_new_reader") and denied_function("Brand_New_Reader")
    assert not classify("SELECT * FROM brand_new_reader()").allowed
    assert classify("SELECT * FROM range(3)").allowed


def test_an_unknown_statement_type_is_refused():
    verdict = classify("SELECT 1")
    assert verdict.allowed
    statement, refusal = filter_module._check("SOMETHING_NEW", "FROB x", 0, None)
    assert refusal and "not allowed" in refusal and statement.type == "SOMETHING_NEW"


def _live_connections() -> int:
    gc.collect()
    return sum(isinstance(o, duckdb.DuckDBPyConnection) for o in gc.get_objects())


def test_a_thread_that_parsed_leaves_no_connection_to_destroy_when_it_ends():
    # Grading and playground threads all parse. A DuckDB connection kept in a
    # thread's locals is destroyed as the thread ends, and when that happens
    # during interpreter shutdown DuckDB's destructor aborts the process
    # (SIGABRT, "exception not rethrown"); the CI run of the Celery tests did so.
    classify("SELECT 1")
    before = _live_connections()
    parsed, finish = threading.Event(), threading.Event()

    def parse_and_wait():
        classify("SELECT 2")
        parsed.set()
        finish.wait(30)

    thread = threading.Thread(target=parse_and_wait)
    thread.start()
    try:
        assert parsed.wait(30)
        assert _live_connections() == before
    finally:
        finish.set()
        thread.join()


@pytest.mark.parametrize(
    "sql",
    [
        # A carriage return ends a -- comment in DuckDB, so the call after it runs.
        "SELECT * FROM -- x\rread_text('/etc/passwd')",
        # DuckDB reads `name` as a quoted name.
        "SELECT * FROM `read_text`('/etc/passwd')",
        "SELECT * FROM `read_``text`('/etc/passwd')",
        # A file path inside a parenthesised group of the FROM list.
        "SELECT * FROM ('/etc/passwd.csv' CROSS JOIN range(1))",
        "SELECT * FROM (('/etc/passwd.csv' CROSS JOIN range(1)))",
        "SELECT * FROM raw.x, ('/etc/passwd.csv' CROSS JOIN range(1))",
    ],
)
def test_the_filter_alone_refuses_what_only_the_locked_configuration_stopped(sql):
    # Each wall must stop an escape on its own: these got past the filter before.
    verdict = classify(sql)
    assert not verdict.allowed and verdict.refusals, sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM repeat('x', 3)",  # a string argument of an allowed function
        "SELECT * FROM (SELECT 'a.csv' AS name)",  # a string in a subquery's SELECT list
        "SELECT * FROM (VALUES ('a.csv')) t(name)",
        "SELECT 1 -- a comment\r\n+ 1",
        "SELECT `x` FROM (SELECT 1 AS x)",
    ],
)
def test_strings_and_quoted_names_that_are_not_tables_still_pass(sql):
    assert classify(sql).allowed, classify(sql).refusals


# The filter on its own, deciding from DuckDB's parse tree. Each query below
# gets past a filter without its tree checks (filter._check_queries), and the
# locked connection is not asked: classify() only parses.
@pytest.mark.parametrize(
    "sql",
    [
        "WITH a AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM a",
        "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r, read_text('/p') "
        "WHERE n < 3) SELECT * FROM r",
        "SELECT (SELECT content FROM read_text('/etc/passwd')) AS c",
        "SELECT 1 WHERE EXISTS (SELECT 1 FROM read_csv('/etc/passwd'))",
        "SELECT * FROM raw.x WHERE name IN (FROM read_csv('/etc/passwd'))",
        "SELECT * FROM raw.x GROUP BY id HAVING count(*) > (SELECT count(*) FROM read_text('/p'))",
        "SELECT * FROM raw.x ORDER BY (SELECT max(size) FROM read_blob('/p'))",
        "SELECT * FROM range(1) r, LATERAL (SELECT * FROM read_text('/etc/passwd'))",
        "SELECT * FROM raw.x JOIN LATERAL read_csv(x.name) ON true",
        "SELECT 1 UNION ALL SELECT * FROM read_text('/etc/passwd')",
        "SELECT 1 EXCEPT FROM read_text('/etc/passwd')",
        "(SELECT 1) INTERSECT (SELECT * FROM read_text('/etc/passwd'))",
        "SELECT * FROM range((SELECT count(*) FROM read_text('/p')))",
        "SELECT list_transform([1], x -> (SELECT content FROM read_text('/p')))",
        "SELECT count(*) FILTER (WHERE 1 IN (SELECT 1 FROM read_csv('/p'))) FROM raw.x",
        "SELECT * FROM raw.x AT (VERSION => (SELECT 1 FROM read_text('/p')))",
        "PIVOT (SELECT * FROM read_text('/p')) ON content USING count(*)",
        "PIVOT raw.x ON name USING max((SELECT 1 FROM read_text('/p')))",
        "PIVOT raw.x ON name IN (SELECT content FROM read_text('/p')) USING count(*)",
        "SUMMARIZE SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM (DESCRIBE SELECT * FROM read_text('/etc/passwd'))",
    ],
)
def test_table_functions_are_refused_wherever_the_tree_holds_them(sql):
    verdict = classify(sql)
    assert not verdict.allowed
    assert "() is not available in the playground" in verdict.refusals[0], verdict.refusals


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE user.x AS SELECT * FROM read_csv('/etc/passwd')",
        "CREATE OR REPLACE VIEW user.v AS FROM read_text('/etc/passwd')",
        "INSERT INTO user.x SELECT * FROM read_text('/etc/passwd')",
        "INSERT INTO user.x VALUES ((SELECT content FROM read_text('/etc/passwd')))",
        "INSERT INTO user.x BY NAME FROM read_csv('/etc/passwd')",
        "WITH f AS (FROM read_text('/etc/passwd')) INSERT INTO user.x SELECT * FROM f",
        "INSERT INTO user.x VALUES (1) ON CONFLICT DO UPDATE SET a = "
        "(SELECT content FROM read_text('/etc/passwd'))",
        "INSERT INTO user.x VALUES (1) RETURNING (SELECT content FROM read_text('/etc/passwd'))",
        "UPDATE user.x SET a = (SELECT content FROM read_text('/etc/passwd'))",
        "UPDATE user.x SET a = f.content FROM read_text('/etc/passwd') AS f",
        "UPDATE user.x SET a = 1 WHERE a IN (FROM read_csv('/etc/passwd'))",
        "DELETE FROM user.x USING read_csv('/etc/passwd')",
        "DELETE FROM user.x WHERE a IN (SELECT * FROM read_csv('/etc/passwd'))",
        "MERGE INTO user.x USING read_csv('/etc/passwd') s ON x.a = s.a WHEN MATCHED THEN DELETE",
        "WITH s AS (FROM read_csv('/etc/passwd')) MERGE INTO user.x USING s ON x.a = s.a "
        "WHEN MATCHED THEN DELETE",
        "CREATE TABLE user.x (a VARCHAR DEFAULT read_text('/etc/passwd'))",
        "EXPLAIN SELECT * FROM read_text('/etc/passwd')",
        "EXPLAIN ANALYZE SELECT * FROM read_text('/etc/passwd')",
    ],
)
def test_writes_and_explain_are_refused_by_the_trees_of_their_queries(sql):
    verdict = classify(sql)
    assert not verdict.allowed
    assert "() is not available in the playground" in verdict.refusals[0], verdict.refusals


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM main.read_text('/etc/passwd')",
        "SELECT * FROM system.main.read_text('/etc/passwd')",
        'SELECT * FROM "system"."main"."read_text"(\'/etc/passwd\')',
        "SELECT * FROM ReAd_TeXt('/etc/passwd')",
        "SELECT * FROM \"READ_TEXT\"('/etc/passwd')",
        "SELECT * FROM `Read_Text`('/etc/passwd')",
        "SELECT * FROM read_text /* a comment */ ('/etc/passwd')",
        "SELECT * FROM main -- a comment\r.read_text('/etc/passwd')",
    ],
)
def test_function_names_are_read_the_way_duckdb_reads_them(sql):
    verdict = classify(sql)
    assert not verdict.allowed
    assert verdict.refusals[0].startswith("read_text() is not available"), verdict.refusals


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM '/etc/passwd'",
        'SELECT * FROM "x.csv"',
        "SELECT * FROM 'https://example.com/x.parquet'",
        "SELECT * FROM x.csv",  # unquoted: DuckDB joins schema and name and reads x.csv
        "SELECT * FROM u2.duckdb",  # a DuckDB file read as a table
        'SELECT * FROM raw."x.parquet"',
        "SELECT * FROM raw.x POSITIONAL JOIN 'data.csv'",
        "SELECT * FROM raw.x WHERE id IN (SELECT id FROM 'data.csv')",
        "DESCRIBE x.csv",
        'SHOW "x.csv"',
        "SELECT * FROM (DESCRIBE '/etc/passwd')",
        "PIVOT '/etc/passwd' ON name USING count(*)",
        "INSERT INTO user.x FROM '/etc/passwd'",
        "DELETE FROM user.x USING 'data.csv' d WHERE x.a = d.a",
        "MERGE INTO user.x USING 'data.csv' s ON true WHEN MATCHED THEN DELETE",
    ],
)
def test_file_paths_used_as_tables_are_refused(sql):
    verdict = classify(sql)
    assert not verdict.allowed
    assert "as a table is not allowed" in verdict.refusals[0], verdict.refusals


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        # DuckDB 2.0 runs these as SELECTs: COPY TO wrote a file that the locked
        # configuration allows (a lake folder), so only Landlock stood in the way.
        ("WITH a AS (COPY (SELECT 1) TO '/srv/lake/raw/x/x.csv') SELECT * FROM a", "COPY"),
        ("WITH d AS (DELETE FROM raw.x RETURNING *) SELECT * FROM d", "DELETE"),
        ("WITH d AS (UPDATE user.t SET a = 1 RETURNING *) SELECT * FROM d", "UPDATE"),
        ("WITH d AS (INSERT INTO trusted.x VALUES (1) RETURNING *) SELECT 1", "INSERT"),
        ("INSERT INTO user.t WITH d AS (DELETE FROM raw.x RETURNING *) SELECT * FROM d", "DELETE"),
        ("SELECT * FROM (WITH d AS (DELETE FROM raw.x RETURNING *) SELECT * FROM d)", "DELETE"),
    ],
)
def test_a_query_that_changes_tables_or_writes_files_is_refused_even_as_a_select(sql, named):
    verdict = classify(sql)
    assert not verdict.allowed
    assert verdict.refusals[0].startswith(f"{named} inside a query is not allowed"), verdict


@pytest.mark.parametrize(
    ("sql", "hint"),
    [
        # Where DuckDB's tree cannot be had, a query may not be: the filter fails closed.
        ("CREATE TABLE user.t (a VARCHAR DEFAULT (SELECT 'x'))", "INSERT INTO user.t SELECT"),
        ("ALTER TABLE user.t ALTER a SET DEFAULT (SELECT 1)", "UPDATE user.t SET"),
        ("MERGE INTO user.t USING raw.x s ON t.a IN (SELECT 1) WHEN MATCHED THEN DELETE", "USING"),
        ("MERGE INTO user.t USING raw.x JOIN raw.y ON true ON t.a = 1 WHEN MATCHED THEN DELETE",
         "USING (SELECT"),
        ("PIVOT raw.x JOIN raw.y ON true ON name USING count(*)", "IN ('a', 'b')"),
    ],
)  # fmt: skip
def test_a_query_the_tree_cannot_vouch_for_is_refused_with_how_to_write_it(sql, hint):
    verdict = classify(sql)
    assert not verdict.allowed
    assert hint in verdict.refusals[0], verdict.refusals


def test_when_duckdb_cannot_serialize_a_query_it_is_refused(monkeypatch):
    def unparsed(con, sql):
        raise filter_module.Unparsed("Only SELECT statements can be serialized to json!")

    monkeypatch.setattr(filter_module, "serialize", unparsed)
    for sql in ("SELECT 1", "INSERT INTO user.t VALUES (1)", "CREATE TABLE t AS SELECT 1"):
        verdict = classify(sql)
        assert verdict.refusals and "could not check" in verdict.refusals[0], sql
    assert classify("DROP TABLE user.t").allowed  # nothing to serialize


def test_a_query_too_deep_to_read_back_is_refused_not_raised():
    deep = "SELECT " + "(SELECT " * 300 + "1" + ")" * 300  # DuckDB parses it; json.loads cannot
    verdict = classify(deep)
    assert verdict.refusals and "could not check" in verdict.refusals[0]


def test_duckdb_not_the_words_decides_which_table_a_write_changes(monkeypatch):
    # Were the words ever misread, the tree's own target would still be checked.
    monkeypatch.setattr(filter_module, "qualified_name", lambda tokens, i: (["t"], i + 3))
    verdict = classify("INSERT INTO trusted.advert VALUES (1)")
    assert verdict.refusals == (
        "INSERT on trusted.advert is not allowed: you can write only to your own user zone, "
        "e.g. user.my_table.",
    )
    assert classify("UPDATE user.t SET a = 1").allowed


@pytest.mark.parametrize(
    "sql",
    [
        *(example.sql for examples in EXAMPLES.values() for example in examples),
        "SELECT a.id, b.name FROM raw.x a JOIN refined.y b ON a.id = b.id LEFT JOIN "
        "trusted.advert c USING (id)",
        "WITH a AS (SELECT 1 AS n), b AS (SELECT n + 1 AS n FROM a) SELECT * FROM a, b",
        "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
        "SELECT * FROM r",
        "SELECT id, row_number() OVER (PARTITION BY name ORDER BY id), lag(id) OVER w "
        "FROM raw.x WINDOW w AS (ORDER BY id) QUALIFY row_number() OVER (ORDER BY id) < 3",
        "SELECT * FROM range(10) r(i), generate_series(1, 3), unnest([1, 2]) u(x)",
        "SELECT unnest([1, 2]), range(3), list_transform([1], x -> x + 1)",
        "SELECT * FROM raw.x PIVOT (count(*) FOR name IN ('a', 'b'))",
        "PIVOT_WIDER raw.x ON name USING count(*) AS n, sum(id) GROUP BY id",
        "UNPIVOT raw.x ON name INTO NAME k VALUE v",
        "SELECT * FROM raw.x WHERE name IN ('x.csv', '/etc/passwd', 'https://a/b.parquet')",
        "SELECT 'read_text(''/etc/passwd'')' AS not_a_call",
        "SELECT 'é€😀' AS \"ñ\"; CREATE TABLE user.é AS SELECT 'ü' AS x",
        "CREATE TABLE user.t (a INT DEFAULT 1, b VARCHAR CHECK (length(b) > 0), c AS (a + 1))",
        "CREATE VIEW user.v (a, b) AS SELECT 1, 2",
        "INSERT INTO user.t (a, b) SELECT id, name FROM raw.x",
        "INSERT INTO user.t BY NAME SELECT 1 AS a",
        "INSERT INTO user.t DEFAULT VALUES",
        "INSERT INTO user.t VALUES (1) ON CONFLICT DO UPDATE SET a = excluded.a RETURNING *",
        "UPDATE user.t AS t SET a = x.id, b = (SELECT max(id) FROM raw.x) FROM raw.x WHERE "
        "t.a = x.id RETURNING a",
        "DELETE FROM user.t USING raw.x WHERE t.a = x.id",
        "MERGE INTO user.t AS t USING raw.x AS s ON t.a = s.id WHEN MATCHED THEN UPDATE SET "
        "a = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id)",
        "ALTER TABLE user.t ALTER a TYPE VARCHAR USING a::VARCHAR",
        "SELECT * FROM user.customers_by_region",
    ],
)
def test_ordinary_lake_queries_and_writes_to_the_user_zone_still_pass(sql):
    verdict = classify(sql)
    assert verdict.allowed, (verdict.refusals, verdict.error)
