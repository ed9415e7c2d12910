"""Every submission finishes, once: one claim wins, and a dead grader's work is queued again.

The killed grader is a real process, killed with SIGKILL while it holds the
submission; the database is a SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set (as in CI).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User, utcnow
from app.config import PROJECT_ROOT
from app.extensions import db
from app.grading import submissions as submissions_module
from app.grading.grader.results import GradeResult
from app.grading.models import Submission
from app.grading.recovery import RECOVERY_KEY
from app.grading.submissions import MAX_TRIES, grade_submission, recover_stalled
from tests.factories import make_module, make_user
from tests.grading.support import EXERCISE, EXERCISES, RecordingQueue
from tests.support import USING_POSTGRES

MARGIN = timedelta(seconds=120)  # the shipped ACADEMY_LEASE_MARGIN_SECONDS


@pytest.fixture
def site(make_app, tmp_path):
    """A site on a database other processes and threads reach too, with one learner."""
    settings = {"ACADEMY_EXERCISES_DIR": str(EXERCISES)}
    if not USING_POSTGRES:
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'recovery.sqlite'}"
    app = make_app(**settings)
    with app.app_context():
        make_module("SQ101")
        make_user("ana@example.com")
    return app


def queued(app, **values) -> int:
    """A new submission (queued unless ``values`` say otherwise); its id."""
    with app.app_context():
        user = db.session.scalar(select(User))
        values = {"status": "queued"} | values
        submission = Submission(user_id=user.id, exercise_id=EXERCISE, notebook=b"{}", **values)
        db.session.add(submission)
        db.session.commit()
        return submission.id


def row(app, submission_id: int) -> Submission:
    with app.app_context():
        found = db.session.get(Submission, submission_id)
        db.session.expunge(found)
        return found


def a_grade(submission) -> GradeResult:
    return GradeResult(EXERCISE, 10.0, 10.0, True, (), "graded", "", submission.attempt)


def test_two_graders_handed_the_same_submission_grade_it_once(site, monkeypatch):
    graded, barrier = [], threading.Barrier(2)

    def slow_grader(submission):
        graded.append(submission.id)
        time.sleep(0.3)  # both graders are inside grade_submission together
        return a_grade(submission)

    monkeypatch.setattr(submissions_module, "run_grader", slow_grader)
    submission_id = queued(site)

    def grader():
        barrier.wait()
        with site.app_context():
            grade_submission(submission_id)

    threads = [threading.Thread(target=grader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert graded == [submission_id]
    found = row(site, submission_id)
    assert (found.status, found.tries) == ("graded", 1)


def test_a_lapsed_lease_is_queued_again_then_failed_after_the_last_try(site):
    now = utcnow()
    lapsed = queued(site, status="running", tries=1, lease_until=now - timedelta(seconds=1))
    spent = queued(site, status="running", tries=MAX_TRIES, lease_until=now - timedelta(seconds=1))
    alive = queued(site, status="running", tries=1, lease_until=now + timedelta(minutes=5))
    with site.app_context():
        assert recover_stalled(now) == [lapsed]  # its grader died: sent at once
    assert row(site, lapsed).status == "queued"
    assert row(site, alive).status == "running"
    failed = row(site, spent)
    assert failed.status == "error" and f"{MAX_TRIES} times" in failed.reason
    with site.app_context():
        assert recover_stalled(now + timedelta(seconds=1)) == []  # sent already: not again yet
        assert recover_stalled(now + MARGIN + timedelta(seconds=1)) == [lapsed]


def test_a_submission_left_queued_by_a_dead_process_is_handed_out_again(site):
    old = queued(site, queued_at=utcnow() - MARGIN - timedelta(seconds=5))
    fresh = queued(site)
    with site.app_context():
        assert recover_stalled() == [old]
    assert fresh != old


def test_a_lost_submission_is_handed_out_once_per_margin_whatever_the_processes(site):
    # Every web process runs recovery; a backlog sent again by each of them at
    # every run would pile copies up in the broker faster than workers drain it.
    handed_out = utcnow() - MARGIN - timedelta(seconds=5)
    waiting = [queued(site, queued_at=handed_out) for _ in range(3)]
    now = utcnow()
    with site.app_context():
        first = recover_stalled(now)
    with site.app_context():
        second = recover_stalled(now + timedelta(seconds=30))  # another process, soon after
    assert (first, second) == (waiting, [])
    with site.app_context():
        assert recover_stalled(now + MARGIN + timedelta(seconds=1)) == waiting  # still lost
    assert {row(site, i).tries for i in waiting} == {0}  # handed out, never claimed


KILLED_GRADER = """
import sys, time
from app import create_app
from app.grading import submissions
settings = {"SQLALCHEMY_DATABASE_URI": sys.argv[1], "ACADEMY_EXERCISES_DIR": sys.argv[2],
            "SECRET_KEY": "x"}
app = create_app(settings, instance_path=sys.argv[4])
def hang(submission):
    print("grading", flush=True)
    time.sleep(600)
submissions.run_grader = hang
with app.app_context():
    submissions.grade_submission(int(sys.argv[3]))
"""


def test_a_grader_killed_mid_grade_leaves_a_submission_that_still_finishes(
    site, monkeypatch, tmp_path
):
    submission_id = queued(site)
    url = site.config["SQLALCHEMY_DATABASE_URI"]
    args = [url, str(EXERCISES), str(submission_id), str(tmp_path / "other")]
    grader = subprocess.Popen(
        [sys.executable, "-c", KILLED_GRADER, *args],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    with grader:
        assert grader.stdout.readline().strip() == "grading"  # it holds the claim now
        os.kill(grader.pid, signal.SIGKILL)
        grader.wait(30)
    held = row(site, submission_id)
    assert (held.status, held.tries) == ("running", 1)
    monkeypatch.setattr(submissions_module, "run_grader", a_grade)
    after_the_lease = held.lease_until + timedelta(seconds=1)
    with site.app_context():
        recover_stalled(after_the_lease)
        grade_submission(submission_id)
    finished = row(site, submission_id)
    assert (finished.status, finished.score, finished.tries) == ("graded", 10.0, 2)


def test_the_recovery_hands_what_it_finds_to_the_queue(site):
    old = queued(site, queued_at=utcnow() - MARGIN - timedelta(seconds=5))
    recording = site.extensions["grading_queue"] = RecordingQueue()
    assert site.extensions[RECOVERY_KEY].run_once() == [old]
    assert (recording.requeued, recording.sent) == ([old], [])


def test_a_restarted_process_starts_recovering_at_its_first_request(make_app):
    # A learner whose grader died only polls the result page: that must be enough.
    app = make_app(ACADEMY_RECOVERY_SECONDS=3600)
    recovery = app.extensions[RECOVERY_KEY]
    assert recovery.thread is None
    app.test_client().get("/")
    assert recovery.thread is not None and recovery.thread.is_alive()
    recovery.stop()
    assert not recovery.thread.is_alive()
    app.test_client().get("/")
    assert not recovery.thread.is_alive()  # stopped for good


def test_the_lease_is_the_exercises_deadline_plus_the_configured_margin(site):
    site.config["ACADEMY_LEASE_MARGIN_SECONDS"] = 7
    submission_id = queued(site)
    with site.app_context():
        submission = db.session.get(Submission, submission_id)
        assert submissions_module.claim(submission)
        held = submission.lease_until - submission.started_at
    assert held == timedelta(seconds=60 + 7)  # sq101-first-queries: total_seconds 60


def test_a_grader_that_outlived_its_lease_does_not_overwrite_the_next_grade(site, monkeypatch):
    submission_id = queued(site)

    def late_grader(submission):
        # While this grader is still busy its lease lapses, and another grader
        # takes the submission again and finishes it first.
        monkeypatch.setattr(
            submissions_module, "run_grader", lambda s: replace(a_grade(s), score=5.0)
        )
        recover_stalled(submission.lease_until + timedelta(seconds=1))
        grade_submission(submission.id)
        return a_grade(submission)  # 10 points, too late to count

    monkeypatch.setattr(submissions_module, "run_grader", late_grader)
    with site.app_context():
        grade_submission(submission_id)
    found = row(site, submission_id)
    assert (found.status, found.score, found.tries) == ("graded", 5.0, 2)
