"""Where a statement's queries are, so that DuckDB's parse tree can vouch for each (pure).

DuckDB serializes only SELECT statements to JSON (``json_serialize_sql``), so
every other statement the playground allows is handed over as SELECTs that
hold all of its queries, found with DuckDB's own lexer:

| statement | serialized as |
| --- | --- |
| SELECT, DESCRIBE, SHOW, SUMMARIZE, VALUES, PIVOT ... IN (...) | itself |
| INSERT, UPDATE, DELETE, TRUNCATE | itself, whole, as a CTE: ``WITH s AS (INSERT ...) SELECT 1`` |
| CREATE TABLE or VIEW ... AS query | the query after the top-level AS |
| MERGE INTO t USING source ON ... | ``SELECT * FROM source`` |
| PIVOT t ON col USING agg (it finds its own columns) | ``SELECT * FROM t``, ``SELECT col, agg`` |

DuckDB parses a CTE's INSERT, UPDATE or DELETE with everything it may hold
(its own WITH, ON CONFLICT, RETURNING, FROM, USING), so the tree sees all of it.

What is left (column definitions, ALTER and DROP clauses, MERGE's ON and WHEN
clauses) is "plain": DuckDB's grammar has no table there except inside a
parenthesised subquery, and a subquery starts with one of QUERY_WORDS.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.lake.playground.statements.sql import Token, find_top, skip_with_clause

# The words a subquery can start with, after its "(": SELECT, FROM-first,
# VALUES, TABLE, WITH, the PIVOT and UNPIVOT statements, and SHOW, DESCRIBE
# and SUMMARIZE (DuckDB's select_with_parens and simple_select rules).
QUERY_WORDS = frozenset(
    ("SELECT", "FROM", "VALUES", "TABLE", "WITH", "PIVOT", "PIVOT_WIDER", "UNPIVOT",
     "PIVOT_LONGER", "SHOW", "DESCRIBE", "DESC", "SUMMARIZE")
)  # fmt: skip
_CTE = "playground_statement"
CHANGE_NODES = {"INSERT": "INSERT_QUERY_NODE", "UPDATE": "UPDATE_QUERY_NODE",
                "DELETE": "DELETE_QUERY_NODE"}  # fmt: skip


class Unchecked(Exception):
    """A statement whose queries could not be found where its kind keeps them."""


@dataclass(frozen=True)
class Query:
    """A SELECT to serialize; ``changes`` names the node its one CTE must hold, if any."""

    text: str
    changes: str | None = None  # e.g. "INSERT_QUERY_NODE" for a wrapped INSERT


@dataclass(frozen=True)
class Parts:
    """A statement's queries, and the tokens outside them, where no query may be."""

    queries: tuple[Query, ...] = ()
    plain: tuple[Token, ...] = ()


def parts(kind: str, text: str, tokens: list[Token], after: int) -> Parts:
    """The queries of one allowed statement; ``after`` is the index just past its target's name.

    Raises Unchecked when the statement does not have the shape its kind should.
    """
    if kind == "SELECT":
        return Parts((Query(text),))
    if kind == "MULTI":
        return _pivot(text, tokens)
    if kind in CHANGE_NODES:
        return Parts((Query(_as_cte(text, tokens), CHANGE_NODES[kind]),))
    if kind == "MERGE_INTO":
        return _merge(text, tokens, after)
    if kind == "CREATE":
        return _create(text, tokens, after)
    return Parts((), tuple(tokens[after:]))  # DROP, ALTER: a name and clauses


def hides_query(tokens: tuple[Token, ...] | list[Token]) -> bool:
    """True when a subquery could start among ``tokens`` (VALUES only right after a "(")."""
    previous = None
    for token in tokens:
        # MERGE's WHEN NOT MATCHED THEN INSERT VALUES (...) is no query.
        after_paren = previous is not None and previous.is_op("(")
        if token.is_word(*QUERY_WORDS) and (after_paren or not token.is_word("VALUES")):
            return True
        previous = token
    return False


def calls(tokens: tuple[Token, ...] | list[Token]) -> list[str]:
    """The names called as functions among ``tokens``: a name right before "("."""
    pairs = zip(tokens, tokens[1:], strict=False)
    return [name.text for name, after in pairs if name.is_name and after.is_op("(")]


def _as_cte(text: str, tokens: list[Token]) -> str:
    """The statement as the body of a CTE, where DuckDB parses INSERT, UPDATE and DELETE whole."""
    if tokens and tokens[-1].is_op(";"):
        text = text[: tokens[-1].start]
    # The line break ends a -- comment the statement may close with.
    return f"WITH {_CTE} AS ({text}\n) SELECT 1"


def _create(text: str, tokens: list[Token], after: int) -> Parts:
    """CREATE TABLE or VIEW: the query after a top-level AS; column definitions are plain."""
    as_at = find_top(tokens, after, "AS")
    if as_at < 0:
        return Parts((), tuple(tokens[after:]))
    return Parts((Query(text[tokens[as_at].end :]),), tuple(tokens[after:as_at]))


def _merge(text: str, tokens: list[Token], after: int) -> Parts:
    """MERGE: its source, between USING and the top-level ON, read as SELECT * FROM source."""
    using = find_top(tokens, after, "USING")
    on = find_top(tokens, using + 1, "ON") if using >= 0 else -1
    if on < 0:
        raise Unchecked("MERGE INTO needs USING and ON")
    start = skip_with_clause(tokens)
    with_clause = text[: tokens[start].start] if start < len(tokens) else ""
    source = text[tokens[using].end : tokens[on].start]
    plain = tuple(tokens[after:using]) + tuple(tokens[on:])
    return Parts((Query(f"{with_clause}SELECT * FROM {source}"),), plain)


def _pivot(text: str, tokens: list[Token]) -> Parts:
    """A PIVOT that finds its own columns (DuckDB runs it as two statements, MULTI).

    Its source is a table, read as ``SELECT * FROM source``; what follows the
    top-level ON is expressions: ``ON col USING agg GROUP BY g`` becomes
    ``SELECT col, agg GROUP BY g``.
    """
    on = find_top(tokens, 1, "ON")
    if on < 0:
        raise Unchecked("PIVOT needs ON")
    using = find_top(tokens, on + 1, "USING")
    source = text[tokens[0].end : tokens[on].start]
    columns = text[tokens[on].end :]
    if using >= 0:
        columns = text[tokens[on].end : tokens[using].start] + "," + text[tokens[using].end :]
    return Parts((Query(f"SELECT * FROM {source}"), Query(f"SELECT {columns}")))
