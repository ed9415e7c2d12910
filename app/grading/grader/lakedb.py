"""The grader's own read-only connection to the lake, and running queries on it.

SQL answers are re-run here, in the checking step's confined child
(grader.confined), never trusted from the kernel. Learners' SQL passes the
playground's statement filter first (one SELECT, no file-reading functions),
and the connection is the playground's locked one (``app.lake.lockdown``)
without a scratch file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from app.grading.grader import bounds
from app.lake.lockdown import connect_locked
from app.lake.playground.statements.filter import classify

MAX_RESULT_ROWS = 200_000


class QueryFailed(Exception):
    """A query could not run; the message is safe to show to whoever wrote the query."""


@dataclass(frozen=True)
class Result:
    """A query's result: column names and rows of plain Python values."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def open_lake(
    lake_dir: Path, *, time_limit_s: float = 20, memory_limit: str = "1GB"
) -> duckdb.DuckDBPyConnection:
    """A fresh, locked, read-only connection to the lake in ``lake_dir`` (no scratch)."""
    return connect_locked(
        str(lake_dir), memory_limit=memory_limit, time_limit_ms=int(time_limit_s * 1000)
    )


def refusal(sql: str) -> str | None:
    """Why a learner's SQL may not run here (not one SELECT, or a refused function), or None."""
    verdict = classify(sql)
    if verdict.error is not None:
        return None  # a syntax error: running it reports DuckDB's own message
    if not verdict.statements:
        return "the answer has no SQL query in it"
    if len(verdict.statements) > 1:
        return "the answer must be one SELECT query, not several statements"
    statement = verdict.statements[0]
    if statement.type != "SELECT":
        return f"the answer must be a SELECT query, not {statement.keyword}"
    return verdict.refusals[0] if verdict.refusals else None


def run_query(con: duckdb.DuckDBPyConnection, sql: str, max_rows: int = MAX_RESULT_ROWS) -> Result:
    """Run one query on the grader's connection; QueryFailed with DuckDB's message if it fails.

    Rows are fetched a few at a time and counted against the grader's bounds
    (cells and bytes, ``grader.bounds``), so an oversized result is refused
    before it is all in memory.
    """
    # Not con.cursor(): a cursor is a new session without the search path set above.
    try:
        con.execute(sql)
        if con.description is None:
            raise QueryFailed("it returned no result")
        columns = tuple(d[0] for d in con.description)
        rows = _fetch_bounded(con, len(columns), max_rows)
    except duckdb.Error as error:
        raise QueryFailed(_first_line(str(error))) from None
    except bounds.TooBig as too_big:
        raise QueryFailed(str(too_big)) from None
    return Result(columns, rows)


def _fetch_bounded(con: duckdb.DuckDBPyConnection, width: int, max_rows: int) -> list[tuple]:
    """Every row of the running query, refusing more than ``max_rows`` or the bounds."""
    rows: list[tuple] = []
    size = 0
    while batch := con.fetchmany(bounds.FETCH_ROWS):
        rows.extend(batch)
        if len(rows) > max_rows:
            raise QueryFailed(f"it returned more than {max_rows:,} rows")
        bounds.check_shape(len(rows), width)
        size += sum(bounds.row_bytes(row) for row in batch)
        bounds.check_bytes(size)
    return rows


def _first_line(message: str) -> str:
    """DuckDB's message without the LINE/caret block it appends, which repeats the SQL."""
    kept = []
    for line in message.splitlines():
        if line.startswith("LINE ") or line.strip() == "^":
            break
        kept.append(line)
    return " ".join(part.strip() for part in kept if part.strip())[:500]
