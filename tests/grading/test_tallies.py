"""The results page's totals, kept as grades are recorded: right, and right under concurrency."""

from __future__ import annotations

import threading

from sqlalchemy import select

import app.grading.submissions as submissions_module
from app.extensions import db
from app.grading.grader.results import GradeResult, QuestionResult
from app.grading.models import ExerciseTally, QuestionTally
from app.grading.submissions import exercise_stats
from tests.factories import make_user
from tests.grading.support import EXERCISE, EXERCISES, upload
from tests.support import USING_POSTGRES, signed_in_clients


def fake_result(passed: bool, attempt: int = 1) -> GradeResult:
    """A grade of the exercise's two questions: q1 always right, q2 as ``passed`` says."""
    questions = (
        QuestionResult("q1", 1.0, 1.0, True, "Right."),
        QuestionResult("q2", 2.0 if passed else 0.0, 2.0, passed, "Right." if passed else "No."),
    )
    score = sum(q.points for q in questions)
    return GradeResult(EXERCISE, score, 3.0, passed, questions, attempt=attempt, notebook={})


def _totals():
    db.session.rollback()  # a fresh read of what the graders committed
    exercise = db.session.get(ExerciseTally, EXERCISE)
    questions = {
        q.question_id: (q.attempts, q.passes)
        for q in db.session.scalars(
            select(QuestionTally).where(QuestionTally.exercise_id == EXERCISE)
        )
    }
    return (exercise.attempts, exercise.learners, exercise.passers), questions


def test_each_grade_adds_to_the_totals_and_a_learner_counts_once(make_app, monkeypatch):
    outcomes = [fake_result(False), fake_result(True), fake_result(True), fake_result(False)]
    monkeypatch.setattr(submissions_module, "run_grader", lambda submission: outcomes.pop(0))
    app = make_app(ACADEMY_GRADING_INLINE=True, ACADEMY_EXERCISES_DIR=str(EXERCISES))
    with app.app_context():
        for email in ("ana@example.com", "ben@example.com"):
            make_user(email)
        ana, ben = signed_in_clients(app, ["ana@example.com", "ben@example.com"])
        for client in (ana, ana, ana, ben):  # Ana fails, passes, passes; Ben fails
            upload(client)
        assert _totals() == ((4, 2, 1), {"q1": (4, 4), "q2": (4, 2)})
        stats = next(s for s in exercise_stats() if s.exercise_id == EXERCISE)
        assert (stats.attempts, stats.learners, stats.passed_learners) == (4, 2, 1)
        assert stats.question_pass_rates["q2"] == 0.5 and stats.pass_rate == 0.5
        # Rebuilt from the submissions (the CLI's recount-results), they come out the same.
        output = app.test_cli_runner().invoke(args=["academy", "recount-results"]).output
        assert "Counted 4 graded submission(s)" in output
        assert _totals() == ((4, 2, 1), {"q1": (4, 4), "q2": (4, 2)})


def test_grades_recorded_at_the_same_moment_are_all_counted(make_app, monkeypatch, tmp_path):
    # Real grading threads recording at once, on a database file (or PostgreSQL) shared by
    # their connections: each grade's totals must land, and each learner count once.
    learners, each = 4, 3
    release = threading.Barrier(learners * each, timeout=60)

    def together(submission):
        release.wait()  # every grader holds its result until all have one
        return fake_result(submission.user_id % 2 == 0, submission.attempt)

    monkeypatch.setattr(submissions_module, "run_grader", together)
    settings = (
        {} if USING_POSTGRES else {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}"}
    )
    app = make_app(
        ACADEMY_EXERCISES_DIR=str(EXERCISES), ACADEMY_GRADING_WORKERS=learners * each, **settings
    )
    with app.app_context():
        emails = [f"l{n}@example.com" for n in range(learners)]
        passing = sum(1 for email in emails if make_user(email).id % 2 == 0)
        for client in signed_in_clients(app, emails):
            for _ in range(each):
                upload(client)
        app.extensions["grading_queue"].shutdown()
        graded = learners * each
        passes = passing * each
        assert _totals() == (
            (graded, learners, passing),
            {"q1": (graded, graded), "q2": (graded, passes)},
        )
