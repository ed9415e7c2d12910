"""DuckDB's parser for the statement filter, and what a query reads and changes by its tree.

The filter parses on one locked in-memory connection per process (``on_parser``).
``json_serialize_sql`` returns the tree DuckDB's parser builds, as JSON. The
walk here visits every object and list in it, whatever its kind, so a node
kind a new release adds (a new join, a new clause) is still searched. It
collects the names the filter's rules need: every function called (table
functions, which read, and scalar, aggregate and window ones), every table
named (a name DuckDB finds no table for may be read as a file), and every
query node that is not a plain read (an INSERT, UPDATE, DELETE or COPY TO in
a WITH clause).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import duckdb

T = TypeVar("T")
PARSER_CONFIG = {
    "threads": 1,  # it only parses: no thread pool to start or to wake for each call
    "errors_as_json": True,
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}
# One parser per process, behind a lock. Not one per thread: a DuckDB connection
# left in a thread's locals is destroyed as that thread ends, and when that is
# during interpreter shutdown DuckDB's destructor takes the GIL and aborts the
# whole process ("FATAL: exception not rethrown").
_parser_lock = threading.Lock()
_shared_parser: duckdb.DuckDBPyConnection | None = None

# Query nodes that only read. Every other kind of query node (DuckDB 2.0 has
# INSERT, UPDATE, DELETE, MERGE, COPY and EXECUTE ones) changes something.
READ_NODES = frozenset({"SELECT_NODE", "SET_OPERATION_NODE", "CTE_NODE", "RECURSIVE_CTE_NODE"})
_SERIALIZE = "SELECT json_serialize_sql(?, skip_null := true, skip_empty := true)"


class Unparsed(Exception):
    """DuckDB could not serialize the text as a SELECT; the message is DuckDB's."""


@dataclass
class Reads:
    """The names a query's tree holds, in the order the walk met them."""

    table_functions: list[str] = field(default_factory=list)  # "" for one without a name
    functions: list[str] = field(default_factory=list)  # every function, table ones too
    tables: list[tuple[str, str, str]] = field(default_factory=list)  # (catalog, schema, name)
    changes: list[str] = field(default_factory=list)  # query node types outside READ_NODES


def on_parser(
    parser: duckdb.DuckDBPyConnection | None, call: Callable[[duckdb.DuckDBPyConnection], T]
) -> T:
    """``call(parser)``, or ``call`` on the process's shared parser, under its lock."""
    if parser is not None:
        return call(parser)
    global _shared_parser
    with _parser_lock:  # connecting costs ~15 ms, parsing far less: connect once
        if _shared_parser is None:
            # Only ever asked to parse, but locked down all the same.
            _shared_parser = duckdb.connect(":memory:", config=PARSER_CONFIG)
        return call(_shared_parser)


def serialize(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """The parsed statements of ``sql`` (SELECTs only), as DuckDB's JSON; Unparsed otherwise."""
    (text,) = con.execute(_SERIALIZE, [sql]).fetchone()
    try:
        tree = json.loads(text)
    except RecursionError:  # Python's JSON reader nests less deeply than DuckDB's parser
        raise Unparsed("the query is nested too deeply to check") from None
    if tree.get("error"):
        raise Unparsed(tree.get("error_message", "it could not be parsed"))
    return tree["statements"]


def cte_body(statements: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The query inside ``WITH s AS (query) SELECT ...``, or None for any other shape."""
    if len(statements) != 1:
        return None
    ctes = statements[0].get("node", {}).get("cte_map", {}).get("map", [])
    return ctes[0].get("value", {}).get("query_node") if len(ctes) == 1 else None


def reads(root: Any) -> Reads:
    """Everything ``root``'s subtree calls, names and changes; ``root`` itself is not counted."""
    found = Reads()
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item is not root:
                _note(item, found)
            item = item.values()
        # Children go on the stack last first, so that they come off in the order written.
        stack.extend(reversed([v for v in item if isinstance(v, dict | list)]))
    return found


def _note(node: dict[str, Any], found: Reads) -> None:
    """Record what one object of the tree calls, names or changes."""
    kind = node.get("type")
    name = node.get("function_name")
    if isinstance(name, str):
        found.functions.append(name)
    if kind == "TABLE_FUNCTION":
        function = node.get("function")
        called = function.get("function_name") if isinstance(function, dict) else None
        found.table_functions.append(called if isinstance(called, str) else "")
    if "table_name" in node:
        catalog, schema = node.get("catalog_name", ""), node.get("schema_name", "")
        found.tables.append((str(catalog), str(schema), str(node["table_name"])))
    is_query_node = "cte_map" in node or (isinstance(kind, str) and kind.endswith("_NODE"))
    if is_query_node and kind not in READ_NODES:
        found.changes.append(str(kind))
