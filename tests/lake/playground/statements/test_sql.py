"""The statement filter's words, read by DuckDB's own lexer."""

from __future__ import annotations

from app.lake.playground.statements.sql import NUMBER, OP, QUOTED, STRING, WORD, find_top, tokenize


def test_strings_names_and_comments_end_where_duckdb_ends_them():
    sql = "SELECT E'it\\'s', 'a''b', \"x\"\"y\", `b``q`, $t$ q' $t$ /* a /* b */ c */ -- d\r z"
    assert [(t.kind, t.text) for t in tokenize(sql)] == [
        (WORD, "SELECT"),
        (STRING, "E'it\\'s'"),
        (OP, ","),
        (STRING, "'a''b'"),
        (OP, ","),
        (QUOTED, 'x"y'),
        (OP, ","),
        (QUOTED, "b`q"),  # DuckDB reads `backticks` as a quoted name
        (OP, ","),
        (STRING, "$t$ q' $t$"),
        (WORD, "z"),  # a carriage return ends a -- comment
    ]


def test_positions_count_characters_not_bytes():
    sql = "SELECT 'é€😀' AS \"ñ\", 42 FROM t"
    tokens = tokenize(sql)
    assert [sql[t.start : t.end] for t in tokens] == [
        "SELECT", "'é€😀'", "AS", '"ñ"', ",", "42", "FROM", "t",
    ]  # fmt: skip
    assert tokens[5].kind == NUMBER and tokens[3].text == "ñ"


def test_find_top_skips_what_is_inside_brackets():
    tokens = tokenize("MERGE INTO t USING (SELECT 1 ON x) s ON [ON] WHEN")
    on = find_top(tokens, 0, "ON")
    assert tokens[on - 1].text == "s" and find_top(tokens, on + 1, "ON") == -1
