"""Exercise pages, uploads, the background queue, results and instructors' statistics.

The grader itself is tested on its own (tests/grading/grader and sandbox); here a
stand-in grade function keeps these tests about the web and the queue.
"""

import json

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.catalogue.models import Module
from app.enrolment.models import Completion
from app.extensions import db
from app.grading import submissions as submissions_module
from app.grading.grader.results import GradeResult, QuestionResult
from app.grading.models import Submission
from tests.factories import PASSWORD, make_user
from tests.grading.support import EXERCISE, EXERCISES, signed_in_learner, upload

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Intro <script>x()</script>"},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 1,
            "outputs": [
                {
                    "output_type": "error",
                    "ename": "ValueError",
                    "evalue": "bad",
                    "traceback": ["\x1b[31mValueError\x1b[0m: bad"],
                }
            ],
            "source": "raise ValueError('bad')",
        },
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def fake_result(passed: bool, attempt: int = 1) -> GradeResult:
    return GradeResult(
        exercise_id=EXERCISE,
        score=3.0 if passed else 1.0,
        max_score=3.0,
        passed=passed,
        questions=(
            QuestionResult("q1", 1.0, 1.0, True, "Right."),
            QuestionResult(
                "q2",
                2.0 if passed else 0.0,
                2.0,
                passed,
                "Right." if passed else "3 rows missing",
                None if passed else "Group by",
            ),
        ),
        attempt=attempt,
        notebook=NOTEBOOK,
        failed_cells=(1,),
        sandbox="bwrap",
    )


@pytest.fixture
def grading_app(make_app, monkeypatch):
    app = make_app(ACADEMY_GRADING_INLINE=True, ACADEMY_EXERCISES_DIR=str(EXERCISES))
    outcomes = []
    monkeypatch.setattr(
        submissions_module,
        "run_grader",
        lambda submission: outcomes.pop(0) if outcomes else fake_result(False, submission.attempt),
    )
    app.outcomes = outcomes
    with app.app_context():
        yield app


@pytest.fixture
def learner_client(grading_app):
    return signed_in_learner(grading_app)


def test_exercise_page_offers_the_starter_not_the_solution(learner_client):
    page = learner_client.get(f"/exercises/{EXERCISE}").get_data(as_text=True)
    assert "Download the starter" in page and "answer_q1" in page
    response = learner_client.get(f"/exercises/{EXERCISE}/starter.ipynb")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    notebook = json.loads(response.data)
    assert notebook["nbformat"] == 4
    assert learner_client.get(f"/exercises/{EXERCISE}/solution.ipynb").status_code == 404
    assert learner_client.get("/exercises/nope").status_code == 404


def test_upload_is_graded_and_the_result_shown_with_failing_cells(learner_client, grading_app):
    response = upload(learner_client)
    assert response.status_code == 302
    page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1.0 of 3.0 points: not passed yet" in page
    assert "3 rows missing" in page and "Hint: Group by" in page
    assert "This cell raised an error." in page and 'id="cell-1"' in page
    assert "<script>x()" not in page  # notebook Markdown is sanitised
    assert "\x1b[" not in page
    status = learner_client.get(response.headers["Location"] + ".json").get_json()
    assert status["status"] == "graded" and status["finished"] is True


def test_best_attempt_counts_and_passing_completes_the_module(learner_client, grading_app):
    module = db.session.scalar(select(Module))
    module.exercises = [EXERCISE]
    db.session.commit()
    grading_app.outcomes += [fake_result(True, 1), fake_result(False, 2)]
    upload(learner_client)
    upload(learner_client)
    page = learner_client.get(f"/exercises/{EXERCISE}").get_data(as_text=True)
    assert "3.0/3.0" in page and "(best)" in page
    assert db.session.scalar(select(Completion).where(Completion.source == "exercises"))


def test_bad_uploads_are_refused_with_a_message(learner_client):
    page = upload(learner_client, name="notes.txt").headers["Location"]
    assert "/exercises/" in page
    text = learner_client.get(page).get_data(as_text=True)
    assert "Upload the .ipynb file itself." in text
    text = learner_client.get(upload(learner_client, data=b"   ").headers["Location"]).get_data(
        as_text=True
    )
    assert "The file is empty." in text
    assert db.session.scalar(select(Submission)) is None


def test_a_notebook_over_the_size_limit_is_refused(grading_app):
    from app.grading.submissions import SubmissionRefused, find_exercise, submit

    with pytest.raises(SubmissionRefused, match="over 5 MB"):
        submit(make_user(), find_exercise(EXERCISE), b"{" + b" " * (6 * 2**20) + b"}")


def test_rate_limit_stops_the_grader_being_an_oracle(learner_client):
    for _ in range(5):
        upload(learner_client)
    response = upload(learner_client)
    page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "try again in about" in page
    assert len(db.session.scalars(select(Submission)).all()) == 5


def test_a_grader_crash_marks_the_submission_not_graded(learner_client, monkeypatch):
    def boom(submission):
        raise RuntimeError("kernel exploded")

    monkeypatch.setattr(submissions_module, "run_grader", boom)
    location = upload(learner_client).headers["Location"]
    page = learner_client.get(location).get_data(as_text=True)
    assert "Could not be graded" in page and "kernel exploded" in page


def test_others_cannot_see_my_submission(learner_client, grading_app):
    location = upload(learner_client).headers["Location"]
    make_user("eve@example.com")
    other = grading_app.test_client()
    other.post("/login", data={"email": "eve@example.com", "password": PASSWORD})
    assert other.get(location).status_code == 403
    assert other.get(location + ".json").status_code == 403
    make_user("teacher@example.com", role=Role.INSTRUCTOR)
    teacher = grading_app.test_client()
    teacher.post("/login", data={"email": "teacher@example.com", "password": PASSWORD})
    assert teacher.get(location).status_code == 200


def test_instructors_see_pass_rates_per_question(learner_client, grading_app):
    grading_app.outcomes += [fake_result(True), fake_result(False)]
    upload(learner_client)
    upload(learner_client)
    make_user("teacher@example.com", role=Role.INSTRUCTOR)
    teacher = grading_app.test_client()
    teacher.post("/login", data={"email": "teacher@example.com", "password": PASSWORD})
    page = teacher.get("/teach/exercises").get_data(as_text=True)
    assert "2 graded attempts by 1 learners · 1 passed (100%)" in page
    assert "<td><code>q2</code></td><td>50%</td>" in page
    assert learner_client.get("/teach/exercises").status_code == 403


def test_the_queue_grades_in_the_background(make_app, monkeypatch, tmp_path):
    import threading

    release = threading.Event()

    def slow(submission):
        release.wait(10)
        return fake_result(True)

    monkeypatch.setattr(submissions_module, "run_grader", slow)
    app = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'q.sqlite'}",
        ACADEMY_EXERCISES_DIR=str(EXERCISES),
    )
    client = signed_in_learner(app)
    location = upload(client).headers["Location"]
    assert client.get(location + ".json").get_json()["finished"] is False
    assert "data-submission-status" in client.get(location).get_data(as_text=True)
    release.set()
    app.extensions["grading_queue"].shutdown()
    assert client.get(location + ".json").get_json()["status"] == "graded"


@pytest.mark.slow
def test_a_real_notebook_is_graded_end_to_end_in_the_sandbox(make_app, built_lake, tmp_path):
    """The site, the queue, the real sandboxed executor and the lake, together."""
    app = make_app(
        ACADEMY_GRADING_INLINE=True,
        ACADEMY_EXERCISES_DIR=str(EXERCISES),
        ACADEMY_LAKE_DIR=str(built_lake.lake),
    )
    client = signed_in_learner(app)
    solution = (EXERCISES / EXERCISE / "solution.ipynb").read_bytes()
    location = upload(client, data=solution).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "10.0 of 10.0 points: passed" in page, page[page.find("<main") :][:2000]
    starter = (EXERCISES / EXERCISE / "starter.ipynb").read_bytes()
    location = upload(client, data=starter).headers["Location"]
    assert "0.0 of 10.0 points" in client.get(location).get_data(as_text=True)


def test_admins_are_warned_when_grading_would_run_without_bubblewrap(make_app, monkeypatch):
    import app.grading.sandbox.command as executor

    monkeypatch.setattr(executor, "bwrap_problem", lambda: "/usr/bin/bwrap is not installed")
    app = make_app()
    with app.app_context():
        make_user("boss@example.com", role=Role.ADMIN)
    client = app.test_client()
    client.post("/login", data={"email": "boss@example.com", "password": PASSWORD})
    page = client.get("/admin/users").get_data(as_text=True)
    assert "graded without the bubblewrap sandbox (/usr/bin/bwrap is not installed)" in page
    strict = make_app(ACADEMY_GRADING_SANDBOX="bwrap")
    with strict.app_context():
        make_user("chief@example.com", role=Role.ADMIN)
    client = strict.test_client()
    client.post("/login", data={"email": "chief@example.com", "password": PASSWORD})
    assert "Grading is refused: the sandbox is mandatory" in client.get("/admin/users").get_data(
        as_text=True
    )


def test_no_warning_where_bubblewrap_works(make_app, monkeypatch):
    import app.grading.sandbox.command as executor

    monkeypatch.setattr(executor, "bwrap_problem", lambda: None)
    app = make_app()
    with app.app_context():
        make_user("boss@example.com", role=Role.ADMIN)
    client = app.test_client()
    client.post("/login", data={"email": "boss@example.com", "password": PASSWORD})
    assert "bubblewrap" not in client.get("/admin/users").get_data(as_text=True)


def test_each_questions_hint_follows_its_own_earlier_failures(learner_client, grading_app):
    grading_app.outcomes.extend([fake_result(False), fake_result(True)])
    upload(learner_client)
    upload(learner_client)
    latest = db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    # q1 was right both times, q2 failed once: q2's next hint is its second, q1's its first.
    assert submissions_module.earlier_failures(latest) == {"q2": 1}
    first = db.session.scalars(select(Submission).order_by(Submission.id)).first()
    assert submissions_module.earlier_failures(first) == {}
