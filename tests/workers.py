"""Servers shared by pytest-xdist workers: each worker gets a database of its own.

Two workers on one PostgreSQL database would drop each other's tables, and two
on one Redis database would purge each other's Celery tasks. This runs from
``tests/__init__.py``, before anything reads the settings, so it must not
import the app.
"""

from __future__ import annotations

import os
import re

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... or "" without xdist


def worker_number(worker: str) -> int:
    """0 for the first worker (or no xdist), 1 for the second, ..."""
    found = re.fullmatch(r"gw(\d+)", worker)
    return int(found.group(1)) if found else 0


def postgres_url_for_worker(url: str, worker: str = WORKER) -> str:
    """``.../test`` becomes ``.../test_gw1`` on worker gw1 (unchanged without xdist)."""
    if not worker or not url.startswith("postgres"):
        return url
    base, _, query = url.partition("?")
    base = f"{base.rstrip('/')}_{worker}"
    return f"{base}?{query}" if query else base


def redis_url_for_worker(url: str, worker: str = WORKER) -> str:
    """``redis://host/15`` becomes ``redis://host/14`` on worker gw1: counting down from it."""
    found = re.fullmatch(r"(redis://[^/]+)/(\d+)", url)
    if not worker or not found:
        return url
    return f"{found.group(1)}/{int(found.group(2)) - worker_number(worker)}"


def isolate() -> None:
    """Point this worker's TEST_DATABASE_URL and TEST_REDIS_URL at its own databases.

    Always derived from the shared URLs, kept aside the first time, so running
    twice in one process changes nothing more.
    """
    if not WORKER:
        return
    for name, derive in (
        ("TEST_DATABASE_URL", postgres_url_for_worker),
        ("TEST_REDIS_URL", redis_url_for_worker),
    ):
        shared = os.environ.setdefault(f"{name}_SHARED", os.environ.get(name, ""))
        if shared:
            os.environ[name] = derive(shared)


def create_worker_database() -> None:
    """Create this worker's PostgreSQL database from the shared one, if it is missing."""
    shared = os.environ.get("TEST_DATABASE_URL_SHARED", "")
    mine = os.environ.get("TEST_DATABASE_URL", "")
    if not shared.startswith("postgres") or mine == shared:
        return
    import sqlalchemy as sa  # only here: this module must not pull in anything at import

    from app.config import normalise_database_url

    name = sa.engine.make_url(normalise_database_url(mine)).database
    engine = sa.create_engine(normalise_database_url(shared), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
