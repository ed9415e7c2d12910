"""The walk over DuckDB's parse tree: every object visited, whatever its kind."""

from __future__ import annotations

import duckdb
import pytest

from app.lake.playground.statements.tree import PARSER_CONFIG, Unparsed, cte_body, reads, serialize


@pytest.fixture(scope="module")
def con():
    """A parser connection like the filter's own."""
    with duckdb.connect(":memory:", config=PARSER_CONFIG) as connection:
        yield connection


def test_the_walk_finds_names_in_node_kinds_it_has_never_heard_of():
    # A release may add a clause or a join kind; its insides are searched all the same.
    tree = {
        "type": "SELECT_NODE",
        "cte_map": {},
        "from_table": {
            "type": "SOME_NEW_JOIN",
            "parts": [
                {"extra": {"type": "TABLE_FUNCTION", "function": {"function_name": "read_text"}}},
                {"type": "BASE_TABLE", "schema_name": "x", "table_name": "csv"},
            ],
        },
    }
    found = reads([tree])
    assert found.table_functions == ["read_text"]
    assert found.functions == ["read_text"]
    assert found.tables == [("", "x", "csv")]
    assert found.changes == []


def test_a_query_node_that_does_not_only_read_is_a_change():
    tree = [
        {"type": "SELECT_NODE", "cte_map": {}},
        {"type": "COPY_QUERY_NODE", "cte_map": {}},
        {"type": "SOMETHING_NEW", "cte_map": {}},  # known as a query node by its CTE map
        {"type": "FROB_NODE"},
    ]
    assert reads(tree).changes == ["COPY_QUERY_NODE", "SOMETHING_NEW", "FROB_NODE"]


def test_a_table_function_without_a_name_is_recorded_as_nameless():
    assert reads(
        [{"type": "TABLE_FUNCTION", "function": {"class": "COLUMN_REF"}}]
    ).table_functions == [""]


def test_a_real_tree_names_every_function_and_table_in_order(con):
    found = reads(
        serialize(
            con,
            "WITH a AS (SELECT * FROM range(3)) SELECT upper(x.name), "
            "(SELECT count(*) FROM main.read_text('/p')) FROM a, raw.x UNION SELECT 1, 2",
        )
    )
    assert found.table_functions == ["range", "read_text"]
    assert found.functions == ["range", "upper", "count_star", "read_text"]
    assert found.tables == [("", "", "a"), ("", "raw", "x")]


def test_a_write_in_a_cte_is_a_query_node_of_its_own(con):
    statements = serialize(
        con, "WITH s AS (DELETE FROM t USING read_csv('x') RETURNING *) SELECT 1"
    )
    body = cte_body(statements)
    assert body["type"] == "DELETE_QUERY_NODE"
    assert reads(body).table_functions == ["read_csv"]
    assert reads(statements).changes == ["DELETE_QUERY_NODE"]


def test_duckdb_serializes_only_selects(con):
    with pytest.raises(Unparsed, match="Only SELECT"):
        serialize(con, "INSERT INTO t VALUES (1)")
    assert cte_body(serialize(con, "SELECT 1")) is None
