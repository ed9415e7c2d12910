"""The scale-out backend: submissions travel through a real Redis to real Celery workers.

Tests marked ``redis`` run when TEST_REDIS_URL names a Redis server (CI sets
it); the rest check how the backend is chosen and what happens without a broker.
"""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.accounts.models import User
from app.extensions import db
from app.grading import tasks
from app.grading.exercises.authored import MAX_TOTAL_SECONDS
from app.grading.models import Submission
from app.grading.queue import CELERY_KEY, ThreadQueue, grading_queue
from app.grading.recovery import RECOVERY_KEY
from app.grading.tasks import CeleryQueue
from tests.grading.support import EXERCISE, EXERCISES, signed_in_learner, upload
from tests.support import USING_POSTGRES

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def test_the_embedded_default_needs_no_server(app):
    assert isinstance(grading_queue(), ThreadQueue)


def test_an_unknown_backend_is_refused_by_name(make_app):
    with pytest.raises(ValueError, match="rabbit-hole"):
        make_app(ACADEMY_GRADING_BACKEND="rabbit-hole")  # when the app is made, not later


def test_the_celery_backend_needs_a_broker(make_app):
    with pytest.raises(RuntimeError, match="ACADEMY_BROKER_URL"):
        make_app(ACADEMY_GRADING_BACKEND="celery")


def test_the_celery_backend_is_wired_when_the_app_is_made_without_connecting(make_app):
    app = make_app(ACADEMY_GRADING_BACKEND="celery", ACADEMY_BROKER_URL="redis://127.0.0.1:9/0")
    queue = app.extensions["grading_queue"]
    assert isinstance(queue, CeleryQueue)
    assert queue.celery is app.extensions["celery"]  # one Celery app per Flask app
    assert queue.celery.conf.broker_url == "redis://127.0.0.1:9/0"  # and nothing reached it


def test_a_killed_workers_message_comes_back_within_a_few_longest_grades(make_app):
    # Kombu's default would leave an unacknowledged message alone for an hour.
    app = make_app(ACADEMY_GRADING_BACKEND="celery", ACADEMY_BROKER_URL="redis://127.0.0.1:9/0")
    options = app.extensions[CELERY_KEY].conf.broker_transport_options
    assert options["visibility_timeout"] == 3 * (MAX_TOTAL_SECONDS + 120)
    assert options["visibility_timeout"] < 3600


def test_a_worker_starting_starts_its_recovery(make_app):
    # So a killed worker's submission comes back even while no web process serves requests.
    app = make_app(
        ACADEMY_GRADING_BACKEND="celery",
        ACADEMY_BROKER_URL="redis://127.0.0.1:9/0",
        ACADEMY_RECOVERY_SECONDS=3600,
    )
    recovery = app.extensions[RECOVERY_KEY]
    tasks._warm(app.extensions[CELERY_KEY])  # what worker_init and worker_process_init call
    assert recovery.thread is not None and recovery.thread.is_alive()
    recovery.stop()


def test_grading_inline_needs_no_broker_even_on_the_celery_backend(make_app):
    app = make_app(ACADEMY_GRADING_BACKEND="celery", ACADEMY_GRADING_INLINE=True)
    assert isinstance(app.extensions["grading_queue"], ThreadQueue)
    assert "celery" not in app.extensions


def _site(make_app, tmp_path, broker: str, **settings):
    """A site on a database a worker thread can share (a file, not :memory:)."""
    if not USING_POSTGRES:
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'celery.sqlite'}"
    app = make_app(
        ACADEMY_GRADING_BACKEND="celery",
        ACADEMY_BROKER_URL=broker,
        ACADEMY_EXERCISES_DIR=str(EXERCISES),
        **settings,
    )
    client = signed_in_learner(app)
    return app, client


def _submission(app, submission_id: int) -> Submission:
    """The submission as the database has it now (notebook loaded, detached)."""
    with app.app_context():
        query = select(Submission).where(Submission.id == submission_id)
        submission = db.session.scalars(query.options(undefer(Submission.notebook))).one()
        db.session.expunge(submission)
        return submission


def _id(response) -> int:
    return int(response.headers["Location"].rsplit("/", 1)[1])


@pytest.mark.slow  # the broker client retries for about 3 s before it gives up
def test_an_unreachable_broker_fails_the_submission_with_a_reason(make_app, tmp_path):
    app, client = _site(make_app, tmp_path, "redis://127.0.0.1:9/0")
    response = upload(client)
    assert response.status_code == 302  # the upload itself is kept
    submission = _submission(app, _id(response))
    assert submission.status == "error"
    assert "could not be reached" in submission.reason
    assert submission.notebook == b'{"cells": []}'


@pytest.mark.slow  # the broker client retries for about 3 s before it gives up
def test_recovery_leaves_a_submission_queued_while_the_broker_is_down(make_app, tmp_path):
    # A broker restarting is no reason to fail the learner's work: the next
    # recovery run sends it again (a new upload, by contrast, is told at once).
    app, _client = _site(make_app, tmp_path, "redis://127.0.0.1:9/0")
    with app.app_context():
        learner = db.session.scalar(select(User))
        submission = Submission(user_id=learner.id, exercise_id=EXERCISE, notebook=b"{}")
        db.session.add(submission)
        db.session.commit()
        app.extensions["grading_queue"].requeue(submission.id)
    assert _submission(app, submission.id).status == "queued"


@pytest.mark.redis
@pytest.mark.slow
def test_celery_workers_grade_submissions_sent_through_redis(make_app, built_lake, tmp_path):
    from celery.contrib.testing.worker import start_worker

    app, client = _site(
        make_app,
        tmp_path,
        REDIS_URL,
        ACADEMY_LAKE_DIR=str(built_lake.lake),
        ACADEMY_KERNEL_POOL=1,
    )
    with app.app_context():
        queue = grading_queue()
    assert isinstance(queue, CeleryQueue)
    queue.celery.control.purge()  # tasks left by an interrupted run would grade the wrong rows
    solution = (EXERCISES / EXERCISE / "solution.ipynb").read_bytes()
    starter = (EXERCISES / EXERCISE / "starter.ipynb").read_bytes()
    # Queued while no worker runs: the broker holds them, nothing is graded in the web process.
    ids = [_id(upload(client, data=solution)), _id(upload(client, data=starter))]
    time.sleep(0.5)
    assert {_submission(app, i).status for i in ids} == {"queued"}
    with start_worker(queue.celery, pool="threads", concurrency=2, perform_ping_check=False):
        assert app.extensions["kernel_pool"].pool is not None  # the threads pool warmed it
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = [_submission(app, i) for i in ids]
            if all(s.is_finished for s in done):
                break
            time.sleep(0.2)
    graded, zero = done
    assert (graded.status, graded.score, graded.passed) == ("graded", 10.0, True)
    assert (zero.status, zero.score, zero.passed) == ("graded", 0.0, False)
    page = client.get(f"/exercises/{EXERCISE}/submissions/{ids[0]}").get_data(as_text=True)
    assert "10.0 of 10.0 points: passed" in page
    app.extensions["kernel_pool"].close()
