"""Helpers the tests share (not fixtures): which servers this run has, counting queries."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from tests.factories import PASSWORD

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


def signed_in_clients(app, emails, password: str = PASSWORD) -> list:
    """A test client per email, each signed in through the real form."""
    clients = []
    for email in emails:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
        clients.append(client)
    return clients


def all_at_once(clients, url: str | None = None, *, requests=None) -> list[int | None]:
    """POST from every client at the same moment; the status codes, in order.

    Either one ``url`` for every client, or ``requests``: a (url, form data)
    per client. Each request runs in a thread of its own, with its own
    database connection, released together by a barrier.
    """
    requests = requests or [(url, None)] * len(clients)
    barrier = threading.Barrier(len(clients))
    statuses: list[int | None] = [None] * len(clients)

    def go(i, client):
        barrier.wait()
        target, data = requests[i]
        statuses[i] = client.post(target, data=data).status_code

    threads = [threading.Thread(target=go, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses
