"""The playground's statement filter: decide what may run before anything runs (pure).

This is the first of three independent walls (the others are the locked
DuckDB configuration in playground.sandbox and the worker's Landlock
confinement in playground.confine); each is meant to stop an escape on its own.
It allows an explicit list of statement types, writes only into the learner's
own ``user`` catalog, and no table function that touches files, the network,
settings or other SQL text.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

import duckdb

from app.lake.playground import types as t
from app.lake.playground.sql import (
    OP,
    QUOTED,
    STRING,
    Token,
    qualified_name,
    skip_with_clause,
    tokenize,
)
from app.lake.playground.values import error_from_exception


# Table functions a learner may call: generators, unnesting and catalog
# metadata. Every other table function the running DuckDB knows is refused
# (fail closed), so a release that adds one cannot open a hole silently.
def _names(text: str) -> frozenset[str]:
    """A set of function names written as one space-separated string."""
    return frozenset(text.split())


ALLOWED_TABLE_FUNCTIONS = _names(
    "range generate_series unnest repeat repeat_row json_each json_tree summary "
    "test_all_types test_vector_types icu_calendar_names pg_timezone_names which_secret "
    "histogram histogram_values duckdb_logs_parsed duckdb_profiling_settings "
    "pragma_collations pragma_database_size pragma_metadata_info pragma_platform pragma_show "
    "pragma_storage_info pragma_table_info pragma_user_agent pragma_version "
    "duckdb_approx_database_count duckdb_available_metrics duckdb_columns "
    "duckdb_connection_count duckdb_constraints duckdb_coordinate_systems duckdb_databases "
    "duckdb_dependencies duckdb_dialects duckdb_eviction_queues duckdb_extension_repositories "
    "duckdb_extensions duckdb_external_file_cache duckdb_external_resource_types "
    "duckdb_external_resources duckdb_functions duckdb_grammar_extensions duckdb_indexes "
    "duckdb_keywords duckdb_log_contexts duckdb_logs duckdb_memory duckdb_optimizers "
    "duckdb_prepared_statements duckdb_schemas duckdb_secret_type_parameters "
    "duckdb_secret_types duckdb_secrets duckdb_sequences duckdb_settings duckdb_table_sample "
    "duckdb_tables duckdb_temporary_files duckdb_triggers duckdb_types duckdb_variables "
    "duckdb_views"
)
# Functions from extensions that cannot load here, caught by name just in case.
_DENIED_PREFIXES = (
    "read_", "parquet_", "sqlite_", "postgres_", "mysql_", "iceberg_", "delta_", "ducklake_",
    "st_read", "excel_", "http", "s3_", "azure_", "gcs_", "load_aws", "odbc_", "arrow_",
    "python_", "pandas_", "json_execute",
)  # fmt: skip
_DENIED_SUFFIXES = ("_scan", "_attach")

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
}
_WRITES = {"CREATE", "INSERT", "UPDATE", "DELETE", "DROP", "ALTER", "MERGE_INTO"}
_FROM_LIKE = ("FROM", "JOIN", "USING", "TABLE", "DESCRIBE", "SUMMARIZE", "SHOW", "PIVOT", "UNPIVOT")
_CLAUSE_END = (
    "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "QUALIFY", "WINDOW", "UNION",
    "EXCEPT", "INTERSECT", "SELECT", "ON", "SET", "VALUES", "RETURNING",
)  # fmt: skip
_FILE_LIKE = re.compile(
    r"[/\\:]|\.(csv|tsv|txt|json|jsonl|ndjson|parquet|arrow|duckdb|db|xlsx|gz|zst)$", re.I
)
_USER_ZONE_HINT = "you can write only to your own user zone, e.g. user.my_table"
# One parser per process, behind a lock. Not one per thread: a DuckDB connection
# left in a thread's locals is destroyed as that thread ends, and when that is
# during interpreter shutdown DuckDB's destructor takes the GIL and aborts the
# whole process ("FATAL: exception not rethrown").
_parser_lock = threading.Lock()
_shared_parser: duckdb.DuckDBPyConnection | None = None
PARSER_CONFIG = {
    "errors_as_json": True,
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


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

    Only DuckDB's parser runs (``extract_statements``); nothing executes, so
    this is safe on any input and needs no lake. ``parser`` may be any
    connection; by default the process's own in-memory one.
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
        lead = _first_token_start(raw.query)
        statement, refusal = _check(_type_name(raw), raw.query[lead:], offset + lead, parser)
        statements.append(statement)
        refusals.extend(r for r in (refusal, _scan(statement.text)) if r)
    if len(statements) > max_statements:
        refusals.append(f"Run at most {max_statements} statements at a time.")
    return Verdict(tuple(statements), tuple(dict.fromkeys(refusals)))


def _first_token_start(text: str) -> int:
    """Where the first token of ``text`` begins (0 when it has none)."""
    tokens = tokenize(text)
    return tokens[0].start if tokens else 0


def _type_name(raw) -> str:
    """The statement's type name, or UNKNOWN for types newer than this duckdb's enum."""
    try:
        return raw.type.name
    except ValueError:  # a statement type this duckdb's Python enum does not know yet
        return "UNKNOWN"


def _extract(sql: str, parser: duckdb.DuckDBPyConnection | None) -> list:
    """DuckDB's split of ``sql`` into statements, on ``parser`` or the shared parser."""
    if parser is not None:
        return parser.extract_statements(sql)
    global _shared_parser
    with _parser_lock:  # connecting costs ~15 ms, parsing far less: connect once
        if _shared_parser is None:
            # Only ever asked to parse, but locked down all the same.
            _shared_parser = duckdb.connect(":memory:", config=PARSER_CONFIG)
        return _shared_parser.extract_statements(sql)


def _check(
    kind: str, text: str, offset: int, parser: duckdb.DuckDBPyConnection | None
) -> tuple[Statement, str | None]:
    """One statement against the allowlist: the statement, and a refusal or None."""
    tokens = tokenize(text)
    keyword = tokens[0].upper if tokens else kind
    plain = Statement(kind, keyword, text, offset)
    if kind in ("SELECT",) or (kind == "MULTI" and keyword in ("PIVOT", "UNPIVOT")):
        return plain, None
    if kind == "EXPLAIN":
        return plain, _check_explain(tokens, text, parser)
    if kind in _WRITES:
        return _check_write(plain, tokens)
    reason = _REFUSED_TYPES.get(kind, "this statement type is not available")
    name = keyword if keyword == kind else f"{keyword} ({kind} statement)"
    return plain, f"{name} is not allowed in the playground: {reason}."


def _check_explain(tokens: list[Token], text: str, parser) -> str | None:
    """EXPLAIN ANALYZE runs its statement, so only a SELECT may follow EXPLAIN."""
    i = 1
    while i < len(tokens) and tokens[i].is_word("ANALYZE", "ANALYSE"):
        i += 1
    if i < len(tokens) and tokens[i].text == "(" and tokens[i].kind == OP:
        i = _after_parens(tokens, i)
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
        if tokens[j].kind == OP and tokens[j].text in "()":
            depth += 1 if tokens[j].text == "(" else -1
            if depth == 0:
                return j + 1
    return len(tokens)


def _check_write(plain: Statement, tokens: list[Token]) -> tuple[Statement, str | None]:
    """DDL and DML: a table or view, named in the learner's own user catalog."""
    i = skip_with_clause(tokens)
    words = [tok.upper if tok.kind not in (QUOTED, STRING) else "" for tok in tokens]
    first = words[i] if i < len(words) else ""
    if first == "CREATE":
        i += 3 if words[i + 1 : i + 3] == ["OR", "REPLACE"] else 1
        if i < len(words) and words[i] in ("TEMP", "TEMPORARY"):
            return plain, "Temporary tables vanish after each run: " + _USER_ZONE_HINT + "."
        what = words[i] if i < len(words) else ""
        if what not in ("TABLE", "VIEW"):
            return plain, f"CREATE {what} is not allowed in the playground: {_CREATE_HINT}."
        i += 4 if words[i + 1 : i + 4] == ["IF", "NOT", "EXISTS"] else 1
        action = f"Created {what.lower()}"
    elif first == "INSERT":
        i += 3 if words[i + 1 : i + 2] == ["OR"] else 1
        i, action = (i + 1, "Inserted") if i < len(words) and words[i] == "INTO" else (i, "")
    elif first in ("UPDATE", "MERGE"):
        i += 2 if first == "MERGE" else 1
        action = "Updated" if first == "UPDATE" else "Merged"
    elif first in ("DELETE", "TRUNCATE"):
        i += 2 if words[i + 1 : i + 2] in (["FROM"], ["TABLE"]) else 1
        action = "Deleted"
    elif first in ("DROP", "ALTER"):
        what = words[i + 1] if i + 1 < len(words) else ""
        if what not in ("TABLE", "VIEW"):
            return plain, f"{first} {what} is not allowed in the playground: {_CREATE_HINT}."
        i += 4 if words[i + 2 : i + 4] == ["IF", "EXISTS"] else 2
        action = f"{'Dropped' if first == 'DROP' else 'Altered'} {what.lower()}"
    else:
        return plain, f"{first or plain.keyword} is not allowed in the playground."
    parts, _ = qualified_name(tokens, i)
    target = _user_target(parts)
    if not action or target is None:
        named = ".".join(parts) or "that"
        return plain, f"{first} on {named} is not allowed: {_USER_ZONE_HINT}."
    return Statement(plain.type, plain.keyword, plain.text, plain.offset, target, action), None


_CREATE_HINT = "you can create, change and drop tables and views in your user zone"


def _user_target(parts: list[str]) -> str | None:
    """``user.x`` when the name lands in the learner's catalog, else None.

    The sandbox makes ``user`` the default catalog, so ``x`` and ``main.x``
    land there too; anything naming another catalog or schema does not.
    """
    if len(parts) == 1:
        return f"user.{parts[0]}"
    if len(parts) == 2 and parts[0] in ("user", "main"):
        return f"user.{parts[1]}"
    if len(parts) == 3 and parts[:2] == ["user", "main"]:
        return f"user.{parts[2]}"
    return None


def _scan(text: str) -> str | None:
    """Refuse denied table functions and file paths used as tables, anywhere in a statement."""
    tokens = tokenize(text)
    in_from = [False]  # per parenthesis depth: are we in a FROM-like list?
    previous: Token | None = None
    for i, tok in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        calls = following is not None and following.kind == OP and following.text == "("
        if tok.is_name and calls and denied_function(tok.text):
            return (
                f"{tok.text}() is not available in the playground: it reaches files, "
                "settings or other SQL. Query the lake's tables instead, e.g. raw.responses."
            )
        if tok.kind == OP and tok.text == "(":
            # A group where a table belongs, FROM ('x.csv' CROSS JOIN ...), is a
            # FROM list too; a function call's or a subquery's parentheses are not.
            in_from.append(in_from[-1] and _is_list_start(previous))
        elif tok.kind == OP and tok.text == ")":
            if len(in_from) > 1:
                in_from.pop()
        elif tok.is_word(*_FROM_LIKE):
            in_from[-1] = True
        elif tok.is_word(*_CLAUSE_END):
            in_from[-1] = False
        elif in_from[-1] and _is_list_start(previous) and _names_a_file(tok):
            return (
                f"Reading '{tok.text}' as a table is not allowed in the playground: "
                "query the lake's tables instead, e.g. raw.responses."
            )
        previous = tok
    return None


def _names_a_file(tok: Token) -> bool:
    """A string where a table belongs is a file path; so is a "quoted" name that looks like one."""
    return tok.kind == STRING or (tok.kind == QUOTED and bool(_FILE_LIKE.search(tok.text)))


def _is_list_start(previous: Token | None) -> bool:
    """True when a table comes next in a FROM list: after FROM, JOIN and the like, a comma,
    or the opening parenthesis of a group in the list."""
    return previous is not None and (
        previous.is_word(*_FROM_LIKE) or (previous.kind == OP and previous.text in (",", "("))
    )


def denied_function(name: str) -> bool:
    """True for a function the playground refuses (by name, any case).

    The rule: a table function is refused unless it is on the allowlist, and
    so is any name shaped like a file, network or foreign-engine reader even
    where this DuckDB does not know it (an extension's). Scalar and aggregate
    functions only compute, and pass.
    """
    name = name.lower()
    if name in ALLOWED_TABLE_FUNCTIONS:
        return False
    return (
        name in table_functions()
        or name.startswith(_DENIED_PREFIXES)
        or name.endswith(_DENIED_SUFFIXES)
    )


@functools.cache
def table_functions() -> frozenset[str]:
    """Every table function (and table macro) the running DuckDB knows, read once per process."""
    with duckdb.connect(":memory:", config=PARSER_CONFIG) as con:
        rows = con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() "
            "WHERE function_type IN ('table', 'table_macro')"
        ).fetchall()
    return frozenset(name.lower() for (name,) in rows)
