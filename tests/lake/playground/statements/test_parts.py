"""Finding the queries inside statements DuckDB cannot serialize, and what is left over."""

from __future__ import annotations

import duckdb
import pytest

from app.lake.playground.statements.parts import QUERY_WORDS, Unchecked, calls, hides_query, parts
from app.lake.playground.statements.sql import tokenize
from app.lake.playground.statements.tree import PARSER_CONFIG, cte_body, serialize


@pytest.fixture(scope="module")
def con():
    """A parser connection like the filter's own."""
    with duckdb.connect(":memory:", config=PARSER_CONFIG) as connection:
        yield connection


def _parts(kind: str, sql: str, after: int = 0):
    return parts(kind, sql, tokenize(sql), after)


@pytest.mark.parametrize(
    ("kind", "sql", "after", "queries"),
    [
        ("CREATE", "CREATE TABLE user.t AS SELECT 1", 4, [" SELECT 1"]),
        ("CREATE", "CREATE VIEW v (a) AS FROM x", 3, [" FROM x"]),
        ("MERGE_INTO", "MERGE INTO t USING x s ON t.a = s.a WHEN MATCHED THEN DELETE", 3,
         ["SELECT * FROM  x s "]),
        ("MULTI", "PIVOT raw.x ON name USING count(*) GROUP BY id", 0,
         ["SELECT * FROM  raw.x ", "SELECT  name , count(*) GROUP BY id"]),
    ],
)  # fmt: skip
def test_queries_are_cut_where_duckdb_keeps_them(con, kind, sql, after, queries):
    found = _parts(kind, sql, after)
    assert [q.text for q in found.queries] == queries
    for query in found.queries:
        assert serialize(con, query.text)  # each is a SELECT DuckDB can serialize


@pytest.mark.parametrize(
    ("kind", "sql", "node"),
    [
        ("INSERT", "INSERT INTO user.t VALUES (1) ON CONFLICT DO NOTHING RETURNING *;", "INSERT"),
        ("UPDATE", "WITH q AS (SELECT 1) UPDATE t SET a = 1 FROM q -- done", "UPDATE"),
        ("DELETE", "TRUNCATE user.t", "DELETE"),
    ],
)
def test_inserts_updates_and_deletes_are_parsed_whole_as_a_cte(con, kind, sql, node):
    (query,) = _parts(kind, sql).queries
    assert query.changes == f"{node}_QUERY_NODE"
    assert cte_body(serialize(con, query.text))["type"] == query.changes


def test_what_is_left_over_is_plain():
    sql = "CREATE TABLE t (a INT DEFAULT 1, b AS (a + 1))"
    found = _parts("CREATE", sql, 3)
    assert found.queries == () and [t.text for t in found.plain][:2] == ["(", "a"]
    assert not hides_query(found.plain)


@pytest.mark.parametrize(
    "subquery",
    [
        "(SELECT 1)", "((SELECT 1))", "(FROM x)", "(VALUES (1))", "(TABLE x)",
        "(WITH a AS (SELECT 1) SELECT * FROM a)", "(DESCRIBE x)", "(DESC x)", "(SHOW TABLES)",
        "(SUMMARIZE x)", "(PIVOT x ON a IN (1) USING count(*))", "(UNPIVOT x ON a)",
        "(PIVOT_WIDER x ON a IN (1))", "(PIVOT_LONGER x ON a)",
    ],
)  # fmt: skip
def test_every_kind_of_subquery_duckdb_accepts_is_seen_in_plain_clauses(con, subquery):
    # Each is a subquery DuckDB parses inside an expression, so each could hide in a
    # DEFAULT or a MERGE condition; the first word after its "(" gives it away.
    assert serialize(con, f"SELECT 1 WHERE 1 IN {subquery}")
    assert hides_query(tokenize(f"a INT DEFAULT {subquery}"))


def test_values_is_a_query_only_after_a_parenthesis():
    assert not hides_query(tokenize("WHEN NOT MATCHED THEN INSERT VALUES (s.a)"))
    assert hides_query(tokenize("WHEN MATCHED AND t.a IN (VALUES (1)) THEN DELETE"))
    assert {"SELECT", "FROM", "VALUES", "WITH", "TABLE"} <= QUERY_WORDS


def test_calls_are_names_right_before_a_parenthesis():
    assert calls(tokenize("a VARCHAR DEFAULT main.read_text ('x'), b DECIMAL(3, 1)")) == [
        "read_text",
        "DECIMAL",
    ]


@pytest.mark.parametrize(
    ("kind", "sql"), [("MERGE_INTO", "MERGE INTO t WHEN MATCHED"), ("MULTI", "PIVOT x")]
)
def test_a_statement_without_the_words_its_kind_needs_is_unchecked(kind, sql):
    with pytest.raises(Unchecked):
        _parts(kind, sql, 3 if kind == "MERGE_INTO" else 0)
