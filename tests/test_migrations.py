"""The migrations build the same schema as the models, on SQLite and PostgreSQL."""

import json
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests.support import USING_POSTGRES


def _settings(url: str) -> dict:
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings["SQLALCHEMY_DATABASE_URI"] = url
    return settings


@pytest.fixture
def empty_database_url(tmp_path):
    """A URL for a database with nothing in it: a new file, or a new PostgreSQL schema."""
    if not USING_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    base = TestConfig.SQLALCHEMY_DATABASE_URI
    schema = f"migcheck_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database_url, tmp_path):
    app = create_app(_settings(empty_database_url), instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert differences == []


def test_downgrade_to_nothing_and_back(empty_database_url, tmp_path):
    app = create_app(_settings(empty_database_url), instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert "modules" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_uploaded_files_move_into_the_database(empty_database_url, tmp_path):
    """0005 copies each upload into its row; a missing file becomes an empty notebook."""
    kept = tmp_path / "1.ipynb"
    kept.write_bytes(b'{"cells": []}')
    app = create_app(_settings(empty_database_url), instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, email, name, role, persona, active, created_at) "
                    "VALUES (1, 'a@example.com', 'A', 'staff', 'analyst', true, '2026-01-01')"
                )
            )
            for number, path in ((1, kept), (2, tmp_path / "gone.ipynb")):
                conn.execute(
                    sa.text(
                        "INSERT INTO submissions (id, user_id, exercise_id, status, attempt, "
                        "upload_path, created_at) VALUES (:id, 1, 'x', 'graded', 1, :path, "
                        "'2026-01-01')"
                    ),
                    {"id": number, "path": str(path)},
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, notebook FROM submissions ORDER BY id")).all()
        db.engine.dispose()
    assert [(number, bytes(notebook)) for number, notebook in rows] == [
        (1, b'{"cells": []}'),
        (2, b""),
    ]


def test_the_results_totals_are_counted_from_the_grades_already_there(empty_database_url, tmp_path):
    """0012 reads each graded submission's result once; later grades add to the totals."""
    app = create_app(_settings(empty_database_url), instance_path=str(tmp_path / "instance"))

    def result(*passes: bool) -> str:
        questions = [{"id": f"q{n + 1}", "passed": p} for n, p in enumerate(passes)]
        return json.dumps({"questions": questions, "notebook": {"cells": []}})

    graded = [  # (user, status, passed, result)
        (1, "graded", False, result(True, False)),
        (1, "graded", True, result(True, True)),
        (2, "graded", False, result(False, False)),
        (2, "error", None, None),
        (3, "queued", None, None),
    ]
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            for user in (1, 2, 3):
                conn.execute(
                    sa.text(
                        "INSERT INTO users (id, email, name, role, persona, active, created_at) "
                        "VALUES (:id, :email, 'A', 'learner', 'analyst', true, '2026-01-01')"
                    ),
                    {"id": user, "email": f"u{user}@example.com"},
                )
            for number, (user, status, passed, text) in enumerate(graded, start=1):
                conn.execute(
                    sa.text(
                        "INSERT INTO submissions (id, user_id, exercise_id, status, attempt, "
                        "notebook, passed, result_json, created_at, tries) VALUES (:id, :user, "
                        "'x', :status, 1, :nb, :passed, :result, '2026-01-01', 0)"
                    ),
                    {
                        "id": number,
                        "user": user,
                        "status": status,
                        "nb": b"{}",
                        "passed": passed,
                        "result": text,
                    },  # fmt: skip
                )
        upgrade()
        with db.engine.connect() as conn:
            exercises = conn.execute(sa.text("SELECT * FROM exercise_tallies")).all()
            questions = conn.execute(
                sa.text("SELECT question_id, attempts, passes FROM question_tallies ORDER BY 1")
            ).all()
            learners = conn.execute(
                sa.text("SELECT user_id, passed FROM exercise_learners ORDER BY 1")
            ).all()
        db.engine.dispose()
    assert [tuple(row) for row in exercises] == [("x", 3, 2, 1)]
    assert [tuple(row) for row in questions] == [("q1", 3, 2), ("q2", 3, 1)]
    assert [(user, bool(passed)) for user, passed in learners] == [(1, True), (2, False)]
