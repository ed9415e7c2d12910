"""Shared fixtures: an app per test on SQLite (or PostgreSQL), a client, a runner, auth."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from app import create_app
from app.config import TestConfig
from app.extensions import db

USING_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")


def _empty_tables() -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def make_app(tmp_path: Path):
    """Build an app with extra settings; tables are created, and emptied afterwards."""
    made = []

    def factory(**overrides):
        settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
        settings["ACADEMY_COURSES_DIR"] = str(tmp_path / "courses")
        settings.update(overrides)
        application = create_app(settings, instance_path=str(tmp_path / "instance"))
        with application.app_context():
            db.create_all()
            _empty_tables()
        made.append(application)
        return application

    yield factory
    for application in made:
        with application.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The application under test, inside an application context."""
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real form."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = "correct horse battery"):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


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


@pytest.fixture
def courses_dir(tmp_path: Path) -> Path:
    """An empty course folder (the app's ACADEMY_COURSES_DIR)."""
    path = tmp_path / "courses"
    path.mkdir(exist_ok=True)
    return path
