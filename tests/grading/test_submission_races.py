"""Twenty uploads at once: the rate limit holds and attempt numbers stay 1, 2, 3, ...

Real concurrent requests, each in a thread with its own database connection,
on PostgreSQL when TEST_DATABASE_URL is set (as in CI), else on a SQLite file.
Grading itself is not under test here: the queue only records what it is given.
"""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import select

from app.extensions import db
from app.grading.models import Submission
from app.grading.queue import QUEUE_KEY
from tests.factories import make_module, make_user
from tests.grading.support import EXERCISE, EXERCISES, RecordingQueue
from tests.support import USING_POSTGRES, all_at_once, signed_in_clients

UPLOADS = 20


def test_twenty_simultaneous_uploads_store_five_with_distinct_attempts(make_app, tmp_path):
    settings = {"ACADEMY_EXERCISES_DIR": str(EXERCISES), "ACADEMY_SUBMISSIONS_PER_WINDOW": 5}
    if not USING_POSTGRES:
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'uploads.sqlite'}"
    app = make_app(**settings)
    queue = app.extensions[QUEUE_KEY] = RecordingQueue()
    with app.app_context():
        make_module("SQ101")
        learner = make_user("eager@example.com")
        learner_id = learner.id
    clients = signed_in_clients(app, ["eager@example.com"] * UPLOADS)
    notebook = (EXERCISES / EXERCISE / "starter.ipynb").read_bytes()
    requests = [
        (f"/exercises/{EXERCISE}/submissions", {"notebook": (BytesIO(notebook), "mine.ipynb")})
        for _ in range(UPLOADS)
    ]
    statuses = all_at_once(clients, requests=requests)
    assert statuses == [302] * UPLOADS  # stored or refused, every one gets a page
    with app.app_context():
        attempts = sorted(
            db.session.scalars(select(Submission.attempt).where(Submission.user_id == learner_id))
        )
    assert attempts == [1, 2, 3, 4, 5]
    assert len(queue.sent) == 5
