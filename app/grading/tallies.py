"""The results page's totals, kept as grades are recorded rather than counted on each view.

Counting attempts, learners and per-question passes from the submissions made the page
cost grow with every grade (and it parsed each result's JSON, the executed notebook
included). Instead each recorded grade adds itself to three small tables in the same
transaction (``models.ExerciseTally``, ``QuestionTally``, ``ExerciseLearner``), and the
page reads one row per exercise and per question. Every change is one statement that
adds to a column in place (``attempts = attempts + 1``), so concurrent grades of one
exercise serialise on its row and none is lost.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.grading.grader.results import GradeResult
from app.grading.models import (
    ExerciseLearner,
    ExerciseTally,
    QuestionTally,
    Submission,
    SubmissionStatus,
)


def _insert_new(model, **values) -> int:
    """Insert a row unless one with its key exists; how many were inserted (0 or 1).

    Told by RETURNING, which yields no row on a conflict: the row count of an INSERT
    that did nothing is -1 on PostgreSQL's driver, not 0.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = model.__table__.primary_key.columns.values()[0]
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return 0 if db.session.execute(statement).first() is None else 1


def count_grade(user_id: int, result: GradeResult) -> None:
    """Add one graded attempt to the totals (the caller commits it with the grade)."""
    exercise = result.exercise_id
    new_learner = _insert_new(ExerciseLearner, user_id=user_id, exercise_id=exercise, passed=False)
    new_passer = 0
    if result.passed:
        new_passer = db.session.execute(
            update(ExerciseLearner)
            .where(
                ExerciseLearner.user_id == user_id,
                ExerciseLearner.exercise_id == exercise,
                ExerciseLearner.passed.is_(False),
            )
            .values(passed=True)
        ).rowcount
    _insert_new(ExerciseTally, exercise_id=exercise, attempts=0, learners=0, passers=0)
    db.session.execute(
        update(ExerciseTally)
        .where(ExerciseTally.exercise_id == exercise)
        .values(
            attempts=ExerciseTally.attempts + 1,
            learners=ExerciseTally.learners + new_learner,
            passers=ExerciseTally.passers + new_passer,
        )
    )
    for question in sorted(result.questions, key=lambda q: q.id):  # one order: no deadlock
        _insert_new(
            QuestionTally, exercise_id=exercise, question_id=question.id, attempts=0, passes=0
        )
        db.session.execute(
            update(QuestionTally)
            .where(QuestionTally.exercise_id == exercise, QuestionTally.question_id == question.id)
            .values(
                attempts=QuestionTally.attempts + 1,
                passes=QuestionTally.passes + (1 if question.passed else 0),
            )
        )


def exercise_tallies() -> dict[str, ExerciseTally]:
    """Every exercise's totals, by id."""
    return {t.exercise_id: t for t in db.session.scalars(select(ExerciseTally))}


def question_pass_rates() -> dict[str, dict[str, float]]:
    """Per exercise and question, the share of graded attempts in which it passed."""
    rates: dict[str, dict[str, float]] = {}
    for tally in db.session.scalars(select(QuestionTally)):
        share = tally.passes / tally.attempts if tally.attempts else 0.0
        rates.setdefault(tally.exercise_id, {})[tally.question_id] = share
    return rates


def recount() -> int:
    """Rebuild every total from the graded submissions (each result read once); how many
    submissions were counted. For totals that were never kept, or that need repair; the
    caller commits. A grade recorded meanwhile would be lost, so run it with grading off."""
    db.session.execute(delete(QuestionTally))
    db.session.execute(delete(ExerciseTally))
    db.session.execute(delete(ExerciseLearner))
    exercises: dict[str, list[int]] = {}
    questions: dict[tuple[str, str], list[int]] = {}
    learners: dict[tuple[int, str], bool] = {}
    rows = db.session.execute(
        select(
            Submission.user_id, Submission.exercise_id, Submission.passed, Submission.result_json
        )
        .where(Submission.status == SubmissionStatus.GRADED)
        .execution_options(yield_per=1000)
    )
    counted = 0
    for user_id, exercise_id, passed, result_json in rows:
        counted += 1
        exercises.setdefault(exercise_id, [0])[0] += 1
        learners[user_id, exercise_id] = learners.get((user_id, exercise_id), False) or bool(passed)
        for question in json.loads(result_json or "{}").get("questions", []):
            tally = questions.setdefault((exercise_id, question["id"]), [0, 0])
            tally[0] += 1
            tally[1] += 1 if question["passed"] else 0
    for (user_id, exercise_id), passed in learners.items():
        db.session.add(ExerciseLearner(user_id=user_id, exercise_id=exercise_id, passed=passed))
    for exercise_id, (attempts,) in exercises.items():
        mine = [passed for (_, e), passed in learners.items() if e == exercise_id]
        db.session.add(
            ExerciseTally(
                exercise_id=exercise_id, attempts=attempts, learners=len(mine), passers=sum(mine)
            )
        )
    for (exercise_id, question_id), (attempts, passes) in questions.items():
        db.session.add(
            QuestionTally(
                exercise_id=exercise_id, question_id=question_id, attempts=attempts, passes=passes
            )
        )
    db.session.flush()
    return counted
