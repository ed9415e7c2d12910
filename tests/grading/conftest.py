"""Shared fixtures for the grading tests: the lake and exercise folders written on the fly.

Constants and builders are in ``tests.grading.support``, the real Redis and
Celery workers in ``tests.grading.processes``; the sandbox's fixtures are in
``tests/grading/sandbox/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest

from app.grading.exercises.authored import Exercise
from app.grading.exercises.load import load_exercise
from app.lake.pipeline.build import build_lake
from tests.grading.processes import HELD, HELD_YAML, CelerySite, RedisServer
from tests.grading.support import (
    SIMPLE_SOLUTION,
    SIMPLE_STARTER,
    SIMPLE_YAML,
    notebook_bytes,
    signed_in_learner,
)
from tests.support import USING_POSTGRES


@pytest.fixture(scope="session")
def lake_dir(built_lake) -> Path:
    """The shared sample lake (see tests/conftest.py). Do not modify it."""
    return built_lake.lake


@pytest.fixture
def write_exercise(tmp_path: Path):
    """Write an exercise folder under tmp_path/exercises; returns its folder."""

    def write(
        exercise_id: str = "simple",
        yaml_text: str = SIMPLE_YAML,
        *,
        starter: dict[str, str] | None = None,
        solution: dict[str, str] | None = None,
        wrong: dict[str, dict[str, str]] | None = None,
        checks: str | None = None,
    ) -> Path:
        folder = tmp_path / "exercises" / exercise_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "exercise.yaml").write_text(dedent(yaml_text))
        notebooks = {
            "starter.ipynb": SIMPLE_STARTER if starter is None else starter,
            "solution.ipynb": SIMPLE_SOLUTION if solution is None else solution,
        }
        for name, answers in (wrong or {}).items():
            notebooks[f"wrong/{name}.ipynb"] = answers
        for name, answers in notebooks.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(notebook_bytes(answers))
        if checks is not None:
            (folder / "checks.py").write_text(dedent(checks))
        return folder

    return write


@pytest.fixture
def simple_exercise(write_exercise) -> Exercise:
    """A two-question exercise (one sql, one value) that loads without problems."""
    exercise, problems = load_exercise(write_exercise())
    assert exercise is not None, problems
    return exercise


@pytest.fixture(scope="module")
def own_lake(tmp_path_factory) -> Path:
    """A sample lake of the module's own (the build folder), which its tests may add files to.

    The Celery tests' notebooks wait for release files in it.
    """
    return build_lake(tmp_path_factory.mktemp("own") / "lake", seed=42, scale=1).lake.resolve()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A redis-server of the test's own on a free port, never the machine's shared one."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def celery_site(make_app, tmp_path, redis_server, own_lake, write_exercise) -> Iterator[CelerySite]:
    """The web side on the celery backend, with short leases and recovery every second."""
    write_exercise(
        HELD, HELD_YAML, starter={"q1": "answer_q1 = None"}, solution={"q1": "answer_q1 = 42"}
    )
    settings = {}
    if not USING_POSTGRES:
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'celery.sqlite'}"
    app = make_app(
        ACADEMY_GRADING_BACKEND="celery",
        ACADEMY_BROKER_URL=redis_server.url,
        ACADEMY_EXERCISES_DIR=str(tmp_path / "exercises"),
        ACADEMY_LAKE_DIR=str(own_lake),
        ACADEMY_RECOVERY_SECONDS=1,
        ACADEMY_LEASE_MARGIN_SECONDS=2,
        ACADEMY_SUBMISSIONS_PER_WINDOW=100,
        **settings,
    )
    site = CelerySite(app, signed_in_learner(app), redis_server, own_lake, tmp_path)
    yield site
    site.close()
