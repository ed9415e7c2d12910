"""Shared fixtures: an app per test on SQLite (or PostgreSQL), a client, a runner, auth."""

from __future__ import annotations

import contextvars
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests.support import USING_POSTGRES, USING_REDIS
from tests.workers import create_worker_database


def _empty_tables() -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def _needs_missing_server(item) -> bool:
    return (item.get_closest_marker("postgres") is not None and not USING_POSTGRES) or (
        item.get_closest_marker("redis") is not None and not USING_REDIS
    )


def pytest_configure(config):
    """Before any test connects: this xdist worker's own PostgreSQL database exists."""
    create_worker_database()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` (row locks) or ``redis`` (the Celery backend) need that server.

    They are deselected, not skipped, when it is not configured: CI sets both
    TEST_DATABASE_URL and TEST_REDIS_URL, so there they always run.
    """
    deselected = [item for item in items if _needs_missing_server(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not _needs_missing_server(item)]


_fresh_schema = False


def _reset_postgres_schema() -> None:
    """Once per run, start PostgreSQL from an empty schema.

    The test database outlives runs; without this a column added since the
    last run would be missing, because create_all never alters a table.
    """
    global _fresh_schema
    if USING_POSTGRES and not _fresh_schema:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        _fresh_schema = True


@pytest.fixture
def make_app(tmp_path: Path):
    """Build an app with extra settings; tables are created, and emptied afterwards."""
    made = []

    def factory(**overrides):
        settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
        settings["ACADEMY_COURSES_DIR"] = str(tmp_path / "courses")
        settings.update(overrides)
        application = create_app(settings, instance_path=str(tmp_path / "instance"))
        application.test_client_class = IsolatedClient
        with application.app_context():
            _reset_postgres_schema()
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


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own app context, as in production.

    Tests keep an app context pushed for their factories; Flask would reuse it
    for requests, sharing ``g`` (and so the signed-in user) and the database
    session between requests. Running each request in an empty contextvars
    context gives it a fresh app context instead.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


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


@pytest.fixture
def courses_dir(tmp_path: Path) -> Path:
    """An empty course folder (the app's ACADEMY_COURSES_DIR)."""
    path = tmp_path / "courses"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def built_lake(tmp_path_factory: pytest.TempPathFactory):
    """The default sample lake (seed 42, scale 1), built once for the whole run.

    Shared by the lake, grading and browser tests; never modify it (tests that
    change a lake build their own).
    """
    from app.lake.pipeline.build import build_lake

    return build_lake(tmp_path_factory.mktemp("shared") / "lake", seed=42, scale=1)
