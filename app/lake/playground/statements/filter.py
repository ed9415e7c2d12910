"""The playground's statement filter: decide what may run before anything runs (pure).

This is the first of three independent walls (the others are the locked
DuckDB configuration in playground.sandbox and the worker's Landlock
confinement in playground.confine); each is meant to stop an escape on its own.
It allows an explicit list of statement types, writes only into the learner's
own ``user`` catalog, and no table function that touches files, the network,
settings or other SQL text. What a statement calls and reads comes from
DuckDB's own parse tree (playground.tree), so the filter sees what DuckDB sees;
playground.parts finds the queries inside statements DuckDB cannot serialize.
Nothing runs: DuckDB only parses, on a locked in-memory connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from app.lake.playground import types as t
from app.lake.playground.statements.names import denied_function, names_a_file
from app.lake.playground.statements.parts import Query, Unchecked, calls, hides_query, parts
from app.lake.playground.statements.sql import (
    QUOTED,
    STRING,
    Token,
    first_token_start,
    qualified_name,
    skip_with_clause,
    tokenize,
)
from app.lake.playground.statements.tree import (
    Reads,
    Unparsed,
    cte_body,
    on_parser,
    reads,
    serialize,
)
from app.lake.playground.values import error_from_exception

_REFUSED_TYPES = {
    "COPY": "it reads and writes files on the server",
    "COPY_DATABASE": "it copies whole databases",
    "EXPORT": "it writes files on the server",
    "ATTACH": "only the lake and your own scratch space are open",
    "DETACH": "only the lake and your own scratch space are open",
    "SET": "the playground's settings are fixed (this covers SET, RESET and USE)",
    "VARIABLE_SET": "the playground's settings are fixed",
    "PRAGMA": "pragmas change settings or read files (this covers IMPORT DATABASE)",
    "LOAD": "extensions cannot be installed or loaded",
    "EXTENSION": "extensions cannot be installed or loaded",
    "CALL": "it runs procedures such as CHECKPOINT; use SELECT * FROM f() for table functions",
    "TRANSACTION": "each statement commits on its own",
    "VACUUM": "the lake is maintained by its build, not from the playground",
    "ANALYZE": "the lake is maintained by its build, not from the playground",
    "PREPARE": "prepared statements are not available",
    "EXECUTE": "prepared statements are not available",
    "CREATE_FUNC": "functions and macros cannot be created",
    "RELATION": "this statement type is not available",
    "LOGICAL_PLAN": "this statement type is not available",
    "INVALID": "this statement type is not available",
    "MULTI": "a PIVOT that finds its own columns must be a statement of its own, "
    "or list them: PIVOT raw.x ON name IN ('a', 'b') USING count(*)",
}
_WRITES = {"CREATE", "INSERT", "UPDATE", "DELETE", "DROP", "ALTER", "MERGE_INTO"}
_PIVOTS = ("PIVOT", "PIVOT_WIDER")
_USER_ZONE_HINT = "you can write only to your own user zone, e.g. user.my_table"
_LAKE_HINT = "query the lake's tables instead, e.g. raw.responses"
# How to write each kind of statement so that its queries can be checked.
_SHAPES = {
    "SELECT": "write it as a plain SELECT query",
    "MULTI": "list the values, e.g. PIVOT raw.x ON name IN ('a', 'b') USING count(*)",
    "INSERT": "write it as INSERT INTO user.t SELECT ... or INSERT INTO user.t VALUES (...)",
    "UPDATE": "write it as UPDATE user.t SET a = ... FROM ... WHERE ...",
    "DELETE": "write it as DELETE FROM user.t USING ... WHERE ...",
    "CREATE": "write CREATE TABLE user.t AS SELECT ..., or create the table, then fill it "
    "with INSERT INTO user.t SELECT ...",
    "ALTER": "alter the table, then fill the column with UPDATE user.t SET a = (SELECT ...)",
    "DROP": "write DROP TABLE user.t",
    "MERGE_INTO": "put the query in USING: MERGE INTO user.t USING (SELECT ...) AS s ON ...",
    "EXPLAIN": "write EXPLAIN SELECT ...",
}
_NAMES = {"MERGE_INTO": "MERGE", "MULTI": "PIVOT"}


@dataclass(frozen=True)
class Statement:
    """One statement of a submission, as DuckDB split it."""

    type: str  # DuckDB's StatementType name, e.g. "SELECT" or "CREATE"
    keyword: str  # its first word as written, upper-cased, e.g. "RESET" for a SET
    text: str
    offset: int  # where it starts in the submission, in characters
    target: str | None = None  # "user.x" for DDL/DML
    action: str | None = None  # e.g. "Created table", "Inserted"


@dataclass(frozen=True)
class Verdict:
    """What classify() decided: the statements, and why any of them may not run."""

    statements: tuple[Statement, ...] = ()
    refusals: tuple[str, ...] = ()
    error: t.QueryError | None = None

    @property
    def allowed(self) -> bool:
        """True when every statement may run (and there is at least one)."""
        return bool(self.statements) and not self.refusals and self.error is None


def classify(
    sql: str, parser: duckdb.DuckDBPyConnection | None = None, max_statements: int = 20
) -> Verdict:
    """Split ``sql`` into statements and refuse anything outside the playground's rules.

    Only DuckDB's parser runs (``extract_statements``, then ``json_serialize_sql``
    once for each query in a statement); nothing executes, so this is safe on any
    input and needs no lake. ``parser`` may be any connection; by default the
    process's own in-memory one.
    """
    try:
        parsed = _extract(sql, parser)
    except duckdb.Error as exc:
        return Verdict(error=error_from_exception(exc, sql, sql, 0))
    statements, refusals, cursor = [], [], 0
    for raw in parsed:
        offset = sql.find(raw.query, cursor)
        offset = cursor if offset < 0 else offset
        cursor = offset + len(raw.query)
        # Some DuckDB releases keep the spaces and comments before a statement in
        # its text: a statement starts at its first token, whichever release split it.
        lead = first_token_start(raw.query)
        statement, refusal = _check(_type_name(raw), raw.query[lead:], offset + lead, parser)
        statements.append(statement)
        if refusal:
            refusals.append(refusal)
    if len(statements) > max_statements:
        refusals.append(f"Run at most {max_statements} statements at a time.")
    return Verdict(tuple(statements), tuple(dict.fromkeys(refusals)))


def _type_name(raw) -> str:
    """The statement's type name, or UNKNOWN for types newer than this duckdb's enum."""
    try:
        return raw.type.name
    except ValueError:  # a statement type this duckdb's Python enum does not know yet
        return "UNKNOWN"


def _extract(sql: str, parser: duckdb.DuckDBPyConnection | None) -> list:
    """DuckDB's split of ``sql`` into statements, on ``parser`` or the shared parser."""
    return on_parser(parser, lambda con: con.extract_statements(sql))


def _check(
    kind: str, text: str, offset: int, parser: duckdb.DuckDBPyConnection | None
) -> tuple[Statement, str | None]:
    """One statement against the allowlist and its parse tree: the statement, and a refusal."""
    tokens = tokenize(text)
    keyword = tokens[0].upper if tokens else kind
    plain = Statement(kind, keyword, text, offset)
    if kind == "SELECT" or (kind == "MULTI" and keyword in _PIVOTS):
        return plain, _check_queries(plain, tokens, 0, parser)
    if kind == "EXPLAIN":
        return plain, _check_explain(tokens, text, parser)
    if kind in _WRITES:
        statement, refusal, after = _check_write(plain, tokens)
        return statement, refusal or _check_queries(statement, tokens, after, parser)
    reason = _REFUSED_TYPES.get(kind, "this statement type is not available")
    name = keyword if keyword == kind else f"{keyword} ({kind} statement)"
    return plain, f"{name} is not allowed in the playground: {reason}."


def _check_explain(tokens: list[Token], text: str, parser) -> str | None:
    """EXPLAIN ANALYZE runs its statement, so only a SELECT may follow EXPLAIN."""
    i = 1
    while i < len(tokens) and tokens[i].is_word("ANALYZE", "ANALYSE"):
        i += 1
    if i < len(tokens) and tokens[i].is_op("("):
        i = _after_parens(tokens, i)
    if hides_query(tokens[1:i]):
        return "EXPLAIN needs a query after it."
    inner = classify(text[tokens[i].start :], parser) if i < len(tokens) else Verdict()
    if inner.error or not inner.statements:
        return "EXPLAIN needs a query after it."
    if [s.type for s in inner.statements] != ["SELECT"]:
        return "EXPLAIN is allowed only for a SELECT query."
    return inner.refusals[0] if inner.refusals else None


def _after_parens(tokens: list[Token], i: int) -> int:
    """The index just past the parenthesised group that opens at ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].is_op("(", ")"):
            depth += 1 if tokens[j].text == "(" else -1
            if depth == 0:
                return j + 1
    return len(tokens)


def _check_write(plain: Statement, tokens: list[Token]) -> tuple[Statement, str | None, int]:
    """DDL and DML: a table or view, named in the learner's own user catalog.

    Also returns the index of the first token after the name, where the
    statement's clauses begin.
    """
    words = [tok.upper if tok.kind not in (QUOTED, STRING) else "" for tok in tokens]
    i = skip_with_clause(tokens)
    first = words[i] if i < len(words) else ""
    i, action, refusal = _write_head(first, words, i, plain.keyword)
    if refusal:
        return plain, refusal, len(tokens)
    names, after = qualified_name(tokens, i)
    target = _user_target(names)
    if not action or target is None:
        named = ".".join(names) or "that"
        return plain, f"{first} on {named} is not allowed: {_USER_ZONE_HINT}.", after
    allowed = Statement(plain.type, plain.keyword, plain.text, plain.offset, target, action)
    return allowed, None, after


def _write_head(first: str, words: list[str], i: int, keyword: str) -> tuple[int, str, str | None]:
    """Past the words before a write's target: the index, what it does, and a refusal or None."""
    if first == "CREATE":
        i += 3 if words[i + 1 : i + 3] == ["OR", "REPLACE"] else 1
        if i < len(words) and words[i] in ("TEMP", "TEMPORARY"):
            return i, "", "Temporary tables vanish after each run: " + _USER_ZONE_HINT + "."
        what = words[i] if i < len(words) else ""
        if what not in ("TABLE", "VIEW"):
            return i, "", f"CREATE {what} is not allowed in the playground: {_CREATE_HINT}."
        i += 4 if words[i + 1 : i + 4] == ["IF", "NOT", "EXISTS"] else 1
        return i, f"Created {what.lower()}", None
    if first == "INSERT":
        i += 3 if words[i + 1 : i + 2] == ["OR"] else 1
        return (i + 1, "Inserted", None) if words[i : i + 1] == ["INTO"] else (i, "", None)
    if first in ("UPDATE", "MERGE"):
        return (i + 1, "Updated", None) if first == "UPDATE" else (i + 2, "Merged", None)
    if first in ("DELETE", "TRUNCATE"):
        return i + (2 if words[i + 1 : i + 2] in (["FROM"], ["TABLE"]) else 1), "Deleted", None
    if first in ("DROP", "ALTER"):
        what = words[i + 1] if i + 1 < len(words) else ""
        if what not in ("TABLE", "VIEW"):
            return i, "", f"{first} {what} is not allowed in the playground: {_CREATE_HINT}."
        i += 4 if words[i + 2 : i + 4] == ["IF", "EXISTS"] else 2
        return i, f"{'Dropped' if first == 'DROP' else 'Altered'} {what.lower()}", None
    return i, "", f"{first or keyword} is not allowed in the playground."


_CREATE_HINT = "you can create, change and drop tables and views in your user zone"


def _user_target(names: list[str]) -> str | None:
    """``user.x`` when the name lands in the learner's catalog, else None.

    The sandbox makes ``user`` the default catalog, so ``x`` and ``main.x``
    land there too; anything naming another catalog or schema does not.
    """
    if len(names) == 1:
        return f"user.{names[0]}"
    if len(names) == 2 and names[0] in ("user", "main"):
        return f"user.{names[1]}"
    if len(names) == 3 and names[:2] == ["user", "main"]:
        return f"user.{names[2]}"
    return None


def _check_queries(statement: Statement, tokens: list[Token], after: int, parser) -> str | None:
    """Every query in an allowed statement, as DuckDB parses it, against the rules."""
    try:
        found = parts(statement.type, statement.text, tokens, after)
    except Unchecked:
        return _unchecked(statement)
    refusal = _check_plain(statement, found.plain)
    for query in found.queries:
        refusal = refusal or _check_tree(statement, query, parser)
    return refusal


def _check_plain(statement: Statement, tokens: tuple[Token, ...]) -> str | None:
    """The clauses outside a statement's queries: no query may hide there, no denied call."""
    if hides_query(tokens):
        name = _NAMES.get(statement.type, statement.type)
        return (
            f"This part of the {name} statement cannot hold a query in the playground: "
            f"{_SHAPES.get(statement.type, _SHAPES['SELECT'])}."
        )
    denied = [name for name in calls(tokens) if denied_function(name)]
    return _function_refusal(denied[0]) if denied else None


def _check_tree(statement: Statement, query: Query, parser) -> str | None:
    """One query's parse tree: what it calls, names and changes; fail closed if DuckDB has none."""
    try:
        root: Any = on_parser(parser, lambda con: serialize(con, query.text))
    except (Unparsed, duckdb.Error):
        return _unchecked(statement)
    if query.changes:  # a whole INSERT, UPDATE or DELETE, parsed as a CTE's body
        root = cte_body(root)
        if root is None or root.get("type") != query.changes:
            return _unchecked(statement)
        named = _changed_table(root)
        if _user_target(named) != statement.target:  # the words misread the target: DuckDB decides
            return f"{statement.keyword} on {'.'.join(named)} is not allowed: {_USER_ZONE_HINT}."
    return _refusal(reads(root))


def _changed_table(node: dict[str, Any]) -> list[str]:
    """The table an INSERT, UPDATE or DELETE node changes, as lower-cased name parts."""
    table = node.get("table")
    if isinstance(table, dict):  # UPDATE and DELETE hold a table reference
        names = (table.get("catalog_name"), table.get("schema_name"), table.get("table_name"))
    else:  # INSERT names it in three fields of its own
        names = (node.get("catalog"), node.get("schema"), table)
    return [str(name).lower() for name in names if name]


def _refusal(found: Reads) -> str | None:
    """Why a query's tree may not run: a change, a denied function or a file read as a table."""
    if found.changes:
        word = found.changes[0].removesuffix("_NODE").removesuffix("_QUERY")
        reason = _REFUSED_TYPES.get(
            word, "a query may only read; run INSERT, UPDATE or DELETE as a statement of its own"
        )
        return f"{word} inside a query is not allowed in the playground: {reason}."
    for name in found.table_functions:
        if not name:  # fail closed: DuckDB called something, but the tree names no function
            return f"This table function is not available in the playground: {_LAKE_HINT}."
        if denied_function(name):
            return _function_refusal(name)
    for name in found.functions:
        if denied_function(name):
            return _function_refusal(name)
    for names in found.tables:
        if names_a_file(names):
            path = ".".join(name for name in names if name)
            return f"Reading '{path}' as a table is not allowed in the playground: {_LAKE_HINT}."
    return None


def _function_refusal(name: str) -> str:
    """The message for a denied function."""
    return (
        f"{name}() is not available in the playground: it reaches files, "
        "settings or other SQL. Query the lake's tables instead, e.g. raw.responses."
    )


def _unchecked(statement: Statement) -> str:
    """The message for a statement whose queries DuckDB could not hand over to be checked."""
    name = _NAMES.get(statement.type, statement.type)
    hint = _SHAPES.get(statement.type, _SHAPES["SELECT"])
    return f"The playground could not check the queries in this {name} statement: {hint}."
