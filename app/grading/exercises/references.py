"""What a reference query's result says about its question's fairness: names and ties.

Two warnings for authors, from the reference run on the lake:

* an unaliased expression column (``count(*)``, ``CAST(... AS TIMESTAMP)``)
  is named by its text, which may be the answer: feedback calls it "column 3",
  and a learner cannot be asked to match such a name;
* an ``order_matters`` reference whose ORDER BY leaves ties has more than one
  right order, and the grader accepts only the one DuckDB happened to return.

Ties are judged on the result itself, which is sound for the data the grader
uses: DuckDB parses the query (``json_serialize_sql``), each top-level ORDER BY
key must be a result column (by name or position), and no two different rows
of the result may share their keys. A key that is not a result column cannot
be judged from the result, so it is warned about too (add it to the result).
"""

from __future__ import annotations

import duckdb

from app.grading.grader.compare import showable
from app.grading.grader.lakedb import Result
from app.lake.playground.statements.tree import Unparsed, on_parser, serialize


def unaliased_columns(result: Result) -> list[int]:
    """Positions (from 1) of the result's columns named by an expression, not an alias."""
    return [i + 1 for i, name in enumerate(result.columns) if not showable(name)]


def _order_keys(sql: str) -> list[dict] | None:
    """The top-level ORDER BY expressions as DuckDB parses them; None when it cannot say."""
    try:
        statements = on_parser(None, lambda parser: serialize(parser, sql))
    except (duckdb.Error, Unparsed):
        return None
    if not statements:
        return None
    modifiers = statements[0]["node"].get("modifiers", [])
    return [
        order["expression"]
        for modifier in modifiers
        if modifier.get("type") == "ORDER_MODIFIER"
        for order in modifier.get("orders", [])
    ]


def _key_column(expression: dict, columns: tuple[str, ...]) -> int | None:
    """Which result column an ORDER BY key is (from 0), or None when it is not one."""
    if expression.get("class") == "COLUMN_REF":
        name = expression["column_names"][-1].lower()
        matches = [i for i, column in enumerate(columns) if column.lower() == name]
        return matches[0] if len(matches) == 1 else None
    literal = expression.get("literal", {})
    if expression.get("class") == "CONSTANT" and literal.get("kind") in ("INTEGER", "BIGINT"):
        position = int(literal["text"]) - 1
        return position if 0 <= position < len(columns) else None
    return None


def order_problem(sql: str, result: Result) -> str | None:
    """Why an ``order_matters`` reference's order is not the only right one, or None."""
    keys = _order_keys(sql)
    if keys is None:
        return "its ORDER BY cannot be read, so ties cannot be ruled out"
    if not keys:
        return "it has no ORDER BY, so its order is whatever DuckDB returns"
    positions = [_key_column(key, result.columns) for key in keys]
    if None in positions:
        return (
            "an ORDER BY key is not a column of the result, so ties cannot be ruled out: "
            "order by result columns"
        )
    seen: dict[tuple, tuple] = {}
    for row in result.rows:
        key = tuple(row[i] for i in positions)
        if seen.setdefault(key, row) != row:
            return "its ORDER BY leaves ties: two different rows share their ORDER BY keys"
    return None
