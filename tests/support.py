"""Helpers the tests share (not fixtures): which servers this run has, counting queries."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db

USING_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")
USING_REDIS = bool(os.environ.get("TEST_REDIS_URL"))


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect every SQL statement the engine runs inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
