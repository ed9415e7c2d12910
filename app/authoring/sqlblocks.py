"""Running every fenced ``sql`` block of the course bodies against the built lake.

A course's SQL must run as written, on the connection a learner's playground
gives them: the locked one from ``app.lake.lockdown``, with the lake read-only,
after the playground's own statement filter. Each module's blocks run in order
on one connection whose ``user`` zone is a fresh scratch file of its own, so a
block may create ``user.x`` and a later block in the same module read it, and
nothing is left behind. A block whose fence says ```` ```sql error ```` is a
deliberate mistake: it must fail, and it is reported if it runs. A query that
returns no rows is usually a broken example (a filter no row meets), so it is
warned about unless its fence says ```` ```sql empty ```` (a check that should
find nothing, such as a key test).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
from markdown_it import MarkdownIt

from app.authoring.problems import Problem, Severity
from app.authoring.source import ModuleSource
from app.lake.lockdown import LAKE_FILE, connect_locked
from app.lake.playground.statements.filter import classify

ERROR_MARKER = "error"
EMPTY_MARKER = "empty"
MAX_ROWS = 1_000  # fetched, then dropped: enough to know the query runs to the end
TIME_LIMIT_MS = 20_000
MEMORY_LIMIT = "1GB"

_MD = MarkdownIt("commonmark")


@dataclass(frozen=True)
class SqlBlock:
    """One fenced ``sql`` block: its text, its opening fence's file line, and its marker."""

    sql: str
    line: int
    expects_error: bool
    may_be_empty: bool = False


def sql_blocks(module: ModuleSource) -> Iterator[SqlBlock]:
    """Every ```` ```sql ```` block of a module's body, with its file line."""
    for token in _MD.parse(module.body):
        if token.type != "fence" or token.map is None:
            continue
        words = token.info.split()
        if not words or words[0].lower() != "sql":
            continue
        markers = {w.lower() for w in words[1:]}
        yield SqlBlock(
            token.content,
            module.body_line + token.map[0],
            ERROR_MARKER in markers,
            EMPTY_MARKER in markers,
        )


def first_line(message: str) -> str:
    """DuckDB's message without the LINE/caret block after it, which repeats the SQL."""
    kept = []
    for line in message.splitlines():
        if line.startswith("LINE ") or line.strip() == "^":
            break
        kept.append(line.strip())
    return " ".join(part for part in kept if part)[:500]


def lake_missing(lake_dir: Path) -> str | None:
    """Why the SQL blocks cannot be run against ``lake_dir``, or None when they can."""
    if (lake_dir / LAKE_FILE).is_file():
        return None
    return (
        f"the lake is not built at {lake_dir}, so the courses' SQL blocks were not run: "
        "run `flask --app app academy lake build` first"
    )


@dataclass(frozen=True)
class Outcome:
    """How one block ran: DuckDB's (or the playground's) refusal, or whether it gave no rows."""

    error: str | None = None
    empty: bool = False


def run_block(con: duckdb.DuckDBPyConnection, sql: str) -> Outcome:
    """Run one block's statements on ``con``, reading at most MAX_ROWS of the last result."""
    verdict = classify(sql)
    if verdict.error is None and verdict.refusals:
        return Outcome(f"the playground refuses it: {verdict.refusals[0]}")
    try:
        con.execute(sql)
        # Only a query's result counts: CREATE TABLE ... AS reports its row count.
        last = verdict.statements[-1].type if verdict.statements else "SELECT"
        if con.description is not None and last == "SELECT":
            return Outcome(empty=not con.fetchmany(MAX_ROWS))
    except duckdb.Error as error:
        return Outcome(first_line(str(error)))
    return Outcome()


def check_module_sql(module: ModuleSource, lake_dir: Path) -> list[Problem]:
    """Run one module's blocks in order, on a connection with its own scratch ``user`` zone."""
    blocks = list(sql_blocks(module))
    if not blocks:
        return []
    problems = []
    with tempfile.TemporaryDirectory(prefix="academy-check-") as scratch:
        con = connect_locked(
            str(lake_dir),
            memory_limit=MEMORY_LIMIT,
            scratch_file=str(Path(scratch) / "user.duckdb"),
            time_limit_ms=TIME_LIMIT_MS,
        )
        try:
            for block in blocks:
                outcome = run_block(con, block.sql)
                error = outcome.error
                if error is not None and not block.expects_error:
                    problems.append(Problem(module.path, block.line, f"SQL block fails: {error}"))
                elif outcome.empty and not block.expects_error and not block.may_be_empty:
                    problems.append(
                        Problem(
                            module.path,
                            block.line,
                            "SQL block returns no rows (mark it ```sql empty if it should)",
                            Severity.WARNING,
                        )
                    )
                elif error is None and block.expects_error:
                    problems.append(
                        Problem(
                            module.path,
                            block.line,
                            "SQL block marked `sql error` runs without an error",
                        )
                    )
        finally:
            con.close()
    return problems


def check_sql(modules: list[ModuleSource], lake_dir: Path) -> tuple[list[Problem], int]:
    """Every module's SQL blocks against the lake; (problems, how many blocks ran)."""
    count = sum(1 for module in modules for _ in sql_blocks(module))
    missing = lake_missing(lake_dir)
    if missing is not None:
        return ([Problem(str(lake_dir), 0, missing)] if count else []), 0
    problems = [p for module in modules for p in check_module_sql(module, lake_dir)]
    return problems, count
