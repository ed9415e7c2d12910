"""The SQL playground's query engine: run signed-in staff's SQL against the lake, safely.

A learner may read every zone of the lake and write only in their own scratch
space (the ``user`` catalog, one DuckDB file per learner). Three walls stand
between their SQL and the server, each meant to stop an escape on its own:

1. the statement filter (playground.statements): an allowlist of statement types,
   writes only to ``user.*``, and, read from DuckDB's own parse tree of each
   query, no table function that reaches files or runs SQL text, no file read
   as a table and no query that writes;
2. the locked DuckDB configuration (playground.sandbox): a fresh in-memory
   database per query, the lake attached read-only, external access off except
   reads of the lake's zone directories, no extensions, memory and time limits,
   then ``lock_configuration``;
3. the worker process (playground.pool, playground.confine): queries run in
   separate processes confined by Landlock where the kernel offers it (read-only
   lake, no TCP connections, writes only in the scratch directory), with a
   file-size quota, and killed and replaced if they overrun.

Use one ``Playground`` per web process: ``app.lake.engine`` makes it with the
app and closes it at exit, and its workers start with the first query (so
after any fork). Every method returns a result; SQL problems never raise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.lake.playground.pool import Outcome, WorkerPool
from app.lake.playground.runner import timeout_error
from app.lake.playground.statements.filter import Verdict, classify
from app.lake.playground.types import (
    BUSY,
    EMPTY,
    INTERNAL,
    REFUSED,
    TOO_LARGE,
    Column,
    CsvExport,
    PlaygroundSettings,
    QueryError,
    QueryResult,
    failed,
    validate_learner_key,
)

__all__ = [
    "Column",
    "CsvExport",
    "Playground",
    "PlaygroundSettings",
    "QueryError",
    "QueryResult",
    "Verdict",
    "classify",
    "validate_learner_key",
]


class Playground:
    """Runs learners' SQL in a pool of sandboxed worker processes."""

    def __init__(self, settings: PlaygroundSettings) -> None:
        """Keep the settings and make the scratch directory (private to this OS user).

        No worker starts until the first query, or ``start()``.
        """
        self.settings = settings
        settings.scratch_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._pool = WorkerPool(settings)
        self._learners = _LearnerLocks()

    def start(self) -> None:
        """Start the worker processes now rather than on the first query."""
        self._pool.start()

    def run(self, sql: str, learner_key: str | int) -> QueryResult:
        """Run a submission (one or more statements); the last one's rows come back."""
        return self._query("run", sql, learner_key)

    def explain(self, sql: str, learner_key: str | int) -> QueryResult:
        """The physical plan of one SELECT, in ``result.plan`` (and as rows)."""
        return self._query("explain", sql, learner_key)

    def csv(self, sql: str, learner_key: str | int) -> CsvExport:
        """The full result of one SELECT as CSV chunks, up to ``max_csv_rows``.

        Check ``export.error`` first; then the export itself iterates over
        the chunks, e.g. ``Response(export, mimetype="text/csv")``.
        """
        started = time.monotonic()
        key = validate_learner_key(learner_key)
        early = self._precheck(sql)
        if early is not None:
            return CsvExport(error=early.error)
        outcome = self._send("csv", sql, key, self.settings.csv_timeout_s)
        if outcome.failure:
            return CsvExport(
                error=self._failure(outcome, started, self.settings.csv_timeout_s).error
            )
        summary = outcome.result or {}
        if summary.get("error"):
            error = QueryError.from_dict(summary["error"])
            return CsvExport(error=error, elapsed_ms=summary.get("elapsed_ms", 0.0))
        return CsvExport(
            chunks=tuple(outcome.chunks),
            rows=summary["rows"],
            truncated=summary["truncated"],
            elapsed_ms=summary["elapsed_ms"],
        )

    def confinement(self) -> dict | None:
        """How the workers are confined (Landlock ABI, or why not), once one has booted."""
        return self._pool.confinement()

    @property
    def replaced_workers(self) -> int:
        """How many workers were killed and replaced (hard time limit or crash)."""
        return self._pool.replaced

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.close()

    def __enter__(self) -> Playground:
        """Use as a context manager (tests, scripts): closed on exit."""
        return self

    def __exit__(self, *exc_info) -> None:
        """Stop the workers."""
        self.close()

    def _query(self, op: str, sql: str, learner_key: str | int) -> QueryResult:
        """Check the input here, run it in a worker, and turn any failure into a result."""
        started = time.monotonic()
        key = validate_learner_key(learner_key)
        early = self._precheck(sql)
        if early is not None:
            return early
        outcome = self._send(op, sql, key, self.settings.timeout_s)
        if outcome.failure:
            return self._failure(outcome, started, self.settings.timeout_s)
        return QueryResult.from_dict(outcome.result or {})

    def _precheck(self, sql: str) -> QueryResult | None:
        """Refuse what needs no worker: non-text, empty, oversized or NUL-laden SQL."""
        if not isinstance(sql, str):
            return failed(REFUSED, "The query must be text.")
        if len(sql) > self.settings.max_sql_chars:
            return failed(
                TOO_LARGE,
                f"The query is {len(sql):,} characters long; the playground accepts "
                f"up to {self.settings.max_sql_chars:,}.",
            )
        if not sql.strip():
            return failed(EMPTY, "There is no SQL statement to run.")
        if "\x00" in sql:
            return failed(REFUSED, "The query contains a NUL character.")
        return None

    def _send(self, op: str, sql: str, key: str, limit_s: float) -> Outcome:
        """One request to the pool, in the learner's turn."""
        with self._learners.hold(key, self.settings.queue_timeout_s) as turn:
            if not turn:
                return Outcome(failure="busy")
            return self._pool.request({"op": op, "sql": sql, "key": key}, limit_s)

    def _failure(self, outcome: Outcome, started: float, limit_s: float) -> QueryResult:
        """The learner-facing result when the pool, not the query, failed."""
        elapsed = time.monotonic() - started
        if outcome.failure == "busy":
            return failed(BUSY, "The playground is busy; try again in a moment.", elapsed * 1000)
        if outcome.failure == "killed":
            error = timeout_error(elapsed, limit_s)
            message = error.message + " (The query ignored the stop, so it was ended by force.)"
            return QueryResult(error=QueryError(message, error.kind), elapsed_ms=elapsed * 1000)
        if outcome.failure == "unconfined":
            return failed(
                INTERNAL,
                "The playground is switched off: its workers cannot be confined on this server.",
                elapsed * 1000,
            )
        return failed(
            INTERNAL,
            "The query crashed its worker process, which has been restarted.",
            elapsed * 1000,
        )


class _LearnerLocks:
    """One query at a time per learner: their scratch file admits one writer."""

    def __init__(self) -> None:
        """No learner holds a turn yet."""
        self._lock = threading.Lock()
        self._held: dict[str, list] = {}

    @contextmanager
    def hold(self, key: str, timeout: float) -> Iterator[bool]:
        """Wait up to ``timeout`` for the learner's turn; yields whether it came."""
        with self._lock:
            entry = self._held.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        acquired = entry[0].acquire(timeout=timeout)
        try:
            yield acquired
        finally:
            if acquired:
                entry[0].release()
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._held[key]
