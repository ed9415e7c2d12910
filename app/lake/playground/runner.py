"""Run one playground request inside a worker: filter, sandbox, time limit, results.

Everything here runs in a worker process (see playground.pool); it returns
plain results and never raises for anything the learner typed.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import duckdb

from app.lake.playground import types as t
from app.lake.playground.sandbox import lake_file, open_sandbox
from app.lake.playground.statements.filter import Statement, Verdict, classify
from app.lake.playground.values import clip, column_values, error_from_exception, json_value

# Statements whose rows are the result; the others change the user zone.
QUERY_TYPES = ("SELECT", "EXPLAIN", "MULTI")
BATCH_ROWS = 2048


class Deadline:
    """Interrupts a connection's running query when the time limit passes."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seconds: float) -> None:
        """Start the clock and arm the timer."""
        self.seconds = seconds
        self.started = time.monotonic()
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire, args=(con,))
        self._timer.daemon = True
        self._timer.start()

    def _fire(self, con: duckdb.DuckDBPyConnection) -> None:
        """Runs on the timer's thread: note the timeout and interrupt DuckDB."""
        self.fired = True
        with contextlib.suppress(Exception):  # the query may have just finished
            con.interrupt()

    @property
    def expired(self) -> bool:
        """True once the time limit has passed (checked between batches in Python)."""
        return time.monotonic() - self.started >= self.seconds

    def elapsed_ms(self) -> float:
        """Milliseconds since the clock started."""
        return (time.monotonic() - self.started) * 1000

    def cancel(self) -> None:
        """Stop the timer, and wait for it, so it never touches a closed connection."""
        self._timer.cancel()
        self._timer.join()


@contextlib.contextmanager
def sandboxed(settings: t.PlaygroundSettings, key: str, seconds: float) -> Iterator[tuple]:
    """The sandbox connection and its running deadline, both cleaned up afterwards."""
    con = open_sandbox(settings, key, seconds)
    deadline = Deadline(con, seconds)
    try:
        yield con, deadline
    finally:
        deadline.cancel()
        con.close()


def refusal(verdict: Verdict) -> t.QueryResult | None:
    """The result for a submission the filter stops (or None when it may run)."""
    if verdict.error:
        return t.QueryResult(error=verdict.error)
    if verdict.refusals:
        return t.failed(t.REFUSED, " ".join(verdict.refusals))
    if not verdict.statements:
        return t.failed(t.EMPTY, "There is no SQL statement to run.")
    return None


def run_sql(settings: t.PlaygroundSettings, sql: str, key: str) -> t.QueryResult:
    """Run a submission's statements in order; the last one's rows are the result."""
    verdict = classify(sql, max_statements=settings.max_statements)
    stopped = refusal(verdict) or _unavailable(settings)
    if stopped:
        return stopped
    return _in_sandbox(settings, sql, key, list(verdict.statements))


def explain_sql(settings: t.PlaygroundSettings, sql: str, key: str) -> t.QueryResult:
    """The physical plan of a single SELECT, run through the same sandbox."""
    verdict = classify(sql, max_statements=1)
    stopped = refusal(verdict) or _unavailable(settings)
    if stopped:
        return stopped
    (statement,) = verdict.statements
    if statement.type not in ("SELECT", "EXPLAIN"):
        return t.failed(t.REFUSED, "EXPLAIN works on a single SELECT query.")
    if statement.type == "SELECT":
        # Error positions still point into what the learner typed.
        prefix = "EXPLAIN "
        text, offset = prefix + statement.text, statement.offset - len(prefix)
        statement = Statement("EXPLAIN", "EXPLAIN", text, offset)
    return _in_sandbox(settings, sql, key, [statement])


def _unavailable(settings: t.PlaygroundSettings) -> t.QueryResult | None:
    """An error result when the lake has not been built yet."""
    if lake_file(settings).is_file():
        return None
    return t.failed(t.UNAVAILABLE, "The data lake has not been built yet.")


def _in_sandbox(
    settings: t.PlaygroundSettings, sql: str, key: str, statements: list[Statement]
) -> t.QueryResult:
    """Open the sandbox and run the statements under the time limit."""
    try:
        with sandboxed(settings, key, settings.timeout_s) as (con, deadline):
            return _run_statements(con, deadline, settings, sql, statements)
    except duckdb.Error as exc:  # opening the sandbox failed, e.g. the file is locked
        return t.QueryResult(error=error_from_exception(exc))


def _run_statements(con, deadline: Deadline, settings, sql, statements) -> t.QueryResult:
    """Run each statement in order, stopping at the first error."""
    types = tuple(s.type for s in statements)
    messages: list[str] = []
    notes: list[str] = []
    for i, statement in enumerate(statements):
        last = i == len(statements) - 1
        try:
            if statement.type in QUERY_TYPES and last:
                result = _fetch(con, deadline, settings, statement)
                return _with(result, types, messages, notes, deadline)
            if statement.type in QUERY_TYPES:
                # Earlier queries are checked (bound) but not run: only the last shows rows.
                bind(con, statement)
                notes.append("Only the last query's rows are shown; earlier queries were checked.")
            else:
                messages.append(_change(con, statement))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a result
            error = _error(exc, deadline, sql, statement)
            return t.QueryResult(
                error=error,
                messages=tuple(messages),
                statement_type=statement.type,
                statement_types=types,
                elapsed_ms=round(deadline.elapsed_ms(), 1),
            )
    empty = t.QueryResult(statement_type=types[-1])
    return _with(empty, types, messages, notes, deadline)


def _with(result, types, messages, notes, deadline) -> t.QueryResult:
    """The result with what the whole submission did added to it."""
    return replace(
        result,
        statement_types=types,
        messages=tuple(messages),
        notes=tuple(dict.fromkeys([*notes, *result.notes])),
        elapsed_ms=round(deadline.elapsed_ms(), 1),
    )


def _error(exc: BaseException, deadline: Deadline, sql: str, statement: Statement):
    """The error for a failed statement: a timeout when the clock ran out, else DuckDB's."""
    if deadline.fired or deadline.expired:
        return timeout_error(deadline.elapsed_ms() / 1000, deadline.seconds)
    error = error_from_exception(exc, sql, statement.text, statement.offset)
    if error.kind == t.TIMEOUT:  # DuckDB's own max_execution_time got there first
        return timeout_error(deadline.elapsed_ms() / 1000, deadline.seconds)
    return error


def timeout_error(after_s: float, limit_s: float) -> t.QueryError:
    """The learner-facing error for a query stopped at the time limit."""
    return t.QueryError(
        f"Stopped after {after_s:.1f} s: the playground's time limit is {limit_s:g} s "
        "per query. Filter earlier, or aggregate before joining.",
        t.TIMEOUT,
    )


def bind(con: duckdb.DuckDBPyConnection, statement: Statement) -> duckdb.DuckDBPyRelation:
    """A query as a lazy relation, so its rows can stream; binding errors come out here.

    The relation API reports binder and catalog errors as plain text, without
    the JSON position that ``execute`` gives, so a failed query is bound once
    more through ``execute`` to fail the same way, with the position. Binding
    is deterministic and the statement is a query, so this runs nothing.
    """
    try:
        return con.sql(statement.text)
    except duckdb.Error as exc:
        if str(exc).split(": ", 1)[-1].startswith("{"):
            raise
        try:
            con.execute(statement.text)
        except duckdb.Error as detailed:
            raise detailed from None
        raise


def _change(con: duckdb.DuckDBPyConnection, statement: Statement) -> str:
    """Run one DDL/DML statement (draining its result) and say what it did."""
    relation = con.sql(statement.text)
    fetched = relation.fetchall() if relation is not None else []
    count = fetched[0][0] if fetched and len(fetched[0]) == 1 else None
    rows = count if isinstance(count, int) and not isinstance(count, bool) else None
    return describe_change(statement, rows)


def describe_change(statement: Statement, rows: int | None) -> str:
    """E.g. "Created table user.x (3 rows)" or "Deleted 1 row from user.x"."""
    target, action = statement.target or "the user zone", statement.action or "Changed"
    n = "" if rows is None else f"{rows:,} row{'' if rows == 1 else 's'}"
    if action == "Created table" and n:
        return f"Created table {target} ({n})"
    preposition = {"Inserted": "into", "Merged": "into", "Updated": "in", "Deleted": "from"}
    if action in preposition:
        return f"{action} {n or 'rows'} {preposition[action]} {target}"
    return f"{action} {target}"


def _fetch(con, deadline: Deadline, settings, statement: Statement) -> t.QueryResult:
    """The first ``max_rows`` rows as JSON-safe lists, and a streamed count of the rest."""
    relation = bind(con, statement)
    names, types = relation.columns, relation.types
    columns = tuple(t.Column(n, str(ty)) for n, ty in zip(names, types, strict=True))
    kinds = [c.type for c in columns]
    # A plan is one long text the learner asked for: it is never clipped.
    page = _Page(settings, kinds, clip_cells=statement.type != "EXPLAIN")
    reader = relation.to_arrow_reader(BATCH_ROWS)
    total, exact = 0, True
    try:
        for batch in reader:
            page.take(batch)
            total += batch.num_rows
            if deadline.expired:
                exact = False
                break
    except Exception:
        if not (deadline.fired or deadline.expired) or not page.rows:
            raise
        exact = False  # rows shown are complete; only the count was cut short
    finally:
        del reader, relation
    notes = page.notes(total, exact)
    plan = "\n".join(str(r[-1]) for r in page.rows) if statement.type == "EXPLAIN" else None
    return t.QueryResult(
        columns=columns,
        rows=page.rows,
        total_rows=total,
        total_exact=exact,
        truncated=total > len(page.rows) or page.clipped > 0 or not exact,
        statement_type=statement.type,
        notes=tuple(notes),
        plan=plan,
    )


class _Page:
    """Collects the rows a learner sees, within the row, cell and byte limits."""

    def __init__(
        self, settings: t.PlaygroundSettings, kinds: list[str], clip_cells: bool = True
    ) -> None:
        """An empty page for columns of the given DuckDB types."""
        self.settings, self.kinds = settings, kinds
        self.limit = settings.max_cell_chars if clip_cells else 0
        self.rows: list[list[Any]] = []
        self.size = 0
        self.clipped = 0
        self.full = False

    def take(self, batch) -> None:
        """Convert rows from an Arrow batch until the page is full."""
        room = self.settings.max_rows - len(self.rows)
        if self.full or room <= 0:
            return
        columns = [column_values(batch.column(i).slice(0, room)) for i in range(batch.num_columns)]
        for values in zip(*columns, strict=True):
            row = []
            for value, kind in zip(values, self.kinds, strict=True):
                shown, cut = clip(json_value(value, kind), self.limit)
                row.append(shown)
                self.clipped += cut
            self.size += len(json.dumps(row, ensure_ascii=False))
            if self.size > self.settings.max_result_bytes and self.rows:
                self.full = True
                return
            self.rows.append(row)

    def notes(self, total: int, exact: bool) -> list[str]:
        """Plain-language notes about what the page leaves out."""
        notes = []
        if not exact:
            notes.append(f"Counting stopped at the time limit: at least {total:,} rows.")
        elif total > len(self.rows):
            notes.append(f"Showing the first {len(self.rows):,} of {total:,} rows.")
        if self.full:
            notes.append("The remaining rows would make the page too large; export CSV instead.")
        if self.clipped:
            notes.append(
                f"{self.clipped:,} long values were cut to "
                f"{self.settings.max_cell_chars:,} characters."
            )
        return notes
