"""Stream a SELECT's full result as CSV chunks from inside a worker (up to the CSV caps)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from app.lake.playground import types as t
from app.lake.playground.runner import (
    BATCH_ROWS,
    Deadline,
    refusal,
    sandboxed,
    timeout_error,
)
from app.lake.playground.sandbox import lake_file
from app.lake.playground.statements.filter import classify
from app.lake.playground.values import column_values, csv_cell, error_from_exception

CHUNK_CHARS = 256 * 1024


def export_csv(
    settings: t.PlaygroundSettings, sql: str, key: str, emit: Callable[[str], None]
) -> dict[str, Any]:
    """Send the result of one SELECT to ``emit`` as CSV chunks; return the summary.

    The summary is ``{"rows", "truncated", "elapsed_ms", "error"}``; when
    ``error`` is set the chunks already sent must be thrown away.
    """
    verdict = classify(sql, max_statements=1)
    stopped = refusal(verdict)
    if stopped is None and [s.type for s in verdict.statements] != ["SELECT"]:
        stopped = t.failed(t.REFUSED, "CSV export runs a single SELECT query.")
    if stopped is None and not lake_file(settings).is_file():
        stopped = t.failed(t.UNAVAILABLE, "The data lake has not been built yet.")
    if stopped is not None:
        return _summary(0, False, 0.0, stopped.error)
    (statement,) = verdict.statements
    try:
        with sandboxed(settings, key, settings.csv_timeout_s) as (con, deadline):
            try:
                rows, truncated = _write(con, deadline, settings, statement.text, emit)
            except Exception as exc:  # noqa: BLE001 - every failure becomes a result
                if deadline.fired or deadline.expired:
                    error = timeout_error(deadline.elapsed_ms() / 1000, deadline.seconds)
                else:
                    error = error_from_exception(exc, sql, statement.text, statement.offset)
                return _summary(0, False, deadline.elapsed_ms(), error)
            return _summary(rows, truncated, deadline.elapsed_ms(), None)
    except Exception as exc:  # noqa: BLE001 - opening the sandbox failed
        return _summary(0, False, 0.0, error_from_exception(exc))


def _summary(rows: int, truncated: bool, elapsed_ms: float, error) -> dict[str, Any]:
    """The final message of an export, JSON-able."""
    return {
        "rows": rows,
        "truncated": truncated,
        "elapsed_ms": round(elapsed_ms, 1),
        "error": asdict(error) if error else None,
    }


def _write(con, deadline: Deadline, settings, text: str, emit) -> tuple[int, bool]:
    """Write header and rows; one row past the cap is fetched to know whether it was hit."""
    relation = con.sql(text).limit(settings.max_csv_rows + 1)
    kinds = [str(ty) for ty in relation.types]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(relation.columns)
    rows, sent, truncated = 0, 0, False
    reader = relation.to_arrow_reader(BATCH_ROWS)
    try:
        for batch in reader:
            columns = [column_values(batch.column(i)) for i in range(batch.num_columns)]
            for values in zip(*columns, strict=True):
                if rows == settings.max_csv_rows:
                    truncated = True
                    break
                writer.writerow([csv_cell(v, k) for v, k in zip(values, kinds, strict=True)])
                rows += 1
            if buffer.tell() >= CHUNK_CHARS or truncated:
                sent += _flush(buffer, emit)
            if sent > settings.max_csv_bytes:
                truncated = True
            if truncated or deadline.expired:
                break
        if deadline.expired:
            raise TimeoutError
        _flush(buffer, emit)
    finally:
        del reader, relation
    return rows, truncated


def _flush(buffer: io.StringIO, emit: Callable[[str], None]) -> int:
    """Emit what the buffer holds and empty it; returns the bytes sent."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    if text:
        emit(text)
    return len(text.encode())
