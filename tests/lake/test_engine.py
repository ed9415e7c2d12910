"""The app's playground: made by create_app from its settings, its workers started by a query."""

from __future__ import annotations

from app.lake.engine import learner_key, playground_engine
from app.lake.playground import Playground
from tests.lake.fakelake import build_lake


def worker_processes(playground: Playground) -> list:
    """The worker processes the playground's pool has started."""
    return [worker.process for worker in playground._pool._workers]


def test_create_app_makes_the_playground_from_the_settings_and_starts_no_worker(make_app, tmp_path):
    app = make_app(ACADEMY_QUERY_TIMEOUT=2.5, ACADEMY_QUERY_MAX_ROWS=7, ACADEMY_QUERY_WORKERS=1)
    playground = playground_engine.get(app)
    assert isinstance(playground, Playground)
    settings = playground.settings
    assert (settings.timeout_s, settings.max_rows, settings.workers) == (2.5, 7, 1)
    assert settings.lake_dir == tmp_path / "instance" / "lake"
    assert settings.scratch_dir == tmp_path / "instance" / "scratch"
    assert worker_processes(playground) == []


def test_init_app_twice_keeps_the_one_playground(make_app):
    app = make_app()
    first = playground_engine.get(app)
    playground_engine.init_app(app)
    assert playground_engine.get(app) is first


def test_the_first_query_starts_the_workers_and_close_stops_them(make_app, tmp_path):
    fake = build_lake(tmp_path / "fake")
    app = make_app(
        ACADEMY_LAKE_DIR=str(fake.lake_dir),
        ACADEMY_SCRATCH_DIR=str(fake.scratch_dir),
        ACADEMY_QUERY_WORKERS=1,
    )
    with app.app_context():
        result = playground_engine.get().run("SELECT count(*) FROM raw.x", learner_key(1))
    assert result.rows == [[3]]
    (process,) = worker_processes(playground_engine.get(app))
    assert process.poll() is None
    playground_engine.close(app)
    assert process.poll() is not None
    assert worker_processes(playground_engine.get(app)) == []


def test_a_learners_scratch_space_is_named_from_their_id():
    assert learner_key(42) == "u42"
    assert learner_key("7") == "u7"
