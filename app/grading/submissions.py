"""Submitting notebooks, grading them in the background, and what the pages show.

The web request only stores the upload and queues it (callers commit);
``grade_submission`` runs in the grading queue, calls the pure grader and
records its result as its own unit of work.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.accounts.models import User, utcnow
from app.catalogue.models import Module
from app.enrolment.rules import CompletionEvidence, is_complete
from app.enrolment.services import mark_complete
from app.extensions import db
from app.grading.exercises.authored import Exercise
from app.grading.exercises.cache import exercise_cache
from app.grading.grader.grade import grade
from app.grading.grader.results import GradeResult, failures_in
from app.grading.models import Submission, SubmissionStatus
from app.grading.ratelimit import RateLimit
from app.grading.runtime import executor_and_sandbox, exercises_dir, lake_for_grading
from app.grading.tallies import count_grade, exercise_tallies, question_pass_rates

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 2**20


class SubmissionRefused(Exception):
    """The upload can't be accepted (too big, too often, unknown exercise)."""


def all_exercises() -> dict[str, Exercise]:
    """Every exercise that loads without errors, by id (read again only when a file changes)."""
    return exercise_cache.get(exercises_dir()).by_id


def find_exercise(exercise_id: str) -> Exercise | None:
    """The exercise with this id, or None when there is none (or it has errors)."""
    return all_exercises().get(exercise_id)


def rate_limit() -> RateLimit:
    """How often a learner may submit to one exercise, from the settings."""
    config = current_app.config
    return RateLimit(
        count=int(config["ACADEMY_SUBMISSIONS_PER_WINDOW"]),
        window=timedelta(minutes=int(config["ACADEMY_SUBMISSION_WINDOW_MIN"])),
    )


def submit(user: User, exercise: Exercise, data: bytes) -> Submission:
    """Store an upload and create its queued submission; raises SubmissionRefused."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SubmissionRefused(f"The notebook is over {MAX_UPLOAD_BYTES // 2**20} MB.")
    if not data.strip():
        raise SubmissionRefused("The file is empty.")
    _one_upload_at_a_time(user)
    recent = list(
        db.session.scalars(
            select(Submission.created_at).where(
                Submission.user_id == user.id, Submission.exercise_id == exercise.id
            )
        )
    )
    wait = rate_limit().retry_after(recent, utcnow())
    if wait is not None:
        minutes = max(1, round(wait.total_seconds() / 60))
        raise SubmissionRefused(
            f"You have submitted this exercise {len(recent)} times recently; "
            f"try again in about {minutes} minute{'s' if minutes != 1 else ''}."
        )
    submission = Submission(
        user_id=user.id,
        exercise_id=exercise.id,
        attempt=len(recent) + 1,
        notebook=data,
        status=SubmissionStatus.QUEUED.value,
    )
    db.session.add(submission)
    db.session.flush()
    return submission


def _one_upload_at_a_time(user: User) -> None:
    """Make the learner's simultaneous uploads take their turn, until the caller commits.

    A write to the learner's row is the lock: PostgreSQL holds that row, SQLite
    the whole database. Without it, 20 uploads at once each counted the same
    earlier attempts, so 6 got past a limit of 5 with repeated attempt numbers
    (and attempt numbers are what learners see).
    """
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(active=User.active)
        .execution_options(synchronize_session=False)
    )


MAX_TRIES = 3


def lease_margin() -> timedelta:
    """ACADEMY_LEASE_MARGIN_SECONDS: a grade's lease beyond the exercise's own deadline."""
    return timedelta(seconds=int(current_app.config["ACADEMY_LEASE_MARGIN_SECONDS"]))


def claim(submission: Submission) -> bool:
    """Take a queued submission for grading; False when another grader has it (or it is done).

    One conditional UPDATE, so of two graders handed the same submission (a
    redelivered Celery message, a submission queued again) only one wins.
    """
    exercise = find_exercise(submission.exercise_id)
    seconds = exercise.limits.total_seconds if exercise is not None else 0
    now = utcnow()
    claimed = db.session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.status == SubmissionStatus.QUEUED.value)
        .values(
            status=SubmissionStatus.RUNNING.value,
            started_at=now,
            lease_until=now + timedelta(seconds=seconds) + lease_margin(),
            tries=Submission.tries + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(submission)
    return claimed.rowcount == 1


def grade_submission(submission_id: int) -> Submission:
    """Grade one queued submission and record the result (commits); others' claims are left."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or not claim(submission):
        return submission
    mine = submission.tries
    try:
        result = run_grader(submission)
    except Exception as exc:  # never leave a submission running forever
        db.session.rollback()
        if _still_mine(submission, mine):
            submission.status = SubmissionStatus.ERROR.value
            submission.reason = f"The grader failed: {exc}"[:500]
            submission.finished_at = utcnow()
        db.session.commit()
        raise
    if _still_mine(submission, mine):
        _record(submission, result)
    db.session.commit()
    return submission


def _still_mine(submission: Submission, tries: int) -> bool:
    """True while this grader's claim holds: no one queued and claimed it again meanwhile.

    A conditional UPDATE, so it also holds the row (PostgreSQL) or the database
    (SQLite) until the caller commits the result.
    """
    held = db.session.execute(
        update(Submission)
        .where(
            Submission.id == submission.id,
            Submission.status == SubmissionStatus.RUNNING.value,
            Submission.tries == tries,
        )
        .values(lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(submission)
    return held.rowcount == 1


def recover_stalled(now: datetime | None = None) -> list[int]:
    """Queue again the submissions whose grader died; fail those out of tries (commits).

    A running submission whose lease has lapsed lost its grader (a killed web
    process or worker): it goes back to the queue, at most MAX_TRIES times in
    all, then it is an error with the reason. A submission handed to the queue
    over a lease margin ago and still queued may have been lost with the
    process that held it in memory, or with a broker restarted without
    persistence: it is handed out again. The claim makes a second hand-out
    harmless. Returns the ids to send to the queue now.
    """
    now = now or utcnow()
    lapsed = (Submission.status == SubmissionStatus.RUNNING.value) & (Submission.lease_until < now)
    db.session.execute(
        update(Submission)
        .where(lapsed, Submission.tries >= MAX_TRIES)
        .values(
            status=SubmissionStatus.ERROR.value,
            finished_at=now,
            reason=f"The grader stopped before finishing, {MAX_TRIES} times; "
            "please submit the notebook again.",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Submission)
        .where(lapsed)
        .values(status=SubmissionStatus.QUEUED.value, lease_until=None, queued_at=None)
        .execution_options(synchronize_session=False)
    )
    # Taking the hand-out in the same UPDATE that records it means one process
    # sends each waiting submission once per margin: every web process runs a
    # recovery thread, and a backlog re-sent by each of them at every run would
    # pile up copies in the broker.
    waiting = (Submission.status == SubmissionStatus.QUEUED.value) & (
        Submission.queued_at.is_(None) | (Submission.queued_at < now - lease_margin())
    )
    taken = db.session.execute(
        update(Submission)
        .where(waiting)
        .values(queued_at=now)
        .returning(Submission.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(taken.scalars())
    db.session.commit()
    return ids


def grade_queued(submission_id: int) -> None:
    """Grade a queued submission in the current app context, for the grading queue's workers.

    Never raises: a failure is recorded on the submission and logged.
    """
    try:
        grade_submission(submission_id)
    except Exception:  # the submission is marked as an error inside; log the rest
        log.exception("grading submission %s failed", submission_id)


def give_up(submission_id: int, reason: str) -> None:
    """Mark a submission that will never be graded as an error, with the reason (commits)."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.is_finished:
        return
    submission.status = SubmissionStatus.ERROR.value
    submission.reason = reason[:500]
    submission.finished_at = utcnow()
    db.session.commit()


def run_grader(submission: Submission) -> GradeResult:
    """Call the pure grader for a submission, with the configured executor."""
    exercise = find_exercise(submission.exercise_id)
    if exercise is None:
        raise RuntimeError(f"exercise {submission.exercise_id} no longer exists")
    execute, sandbox = executor_and_sandbox()
    return grade(
        exercise,
        submission.notebook,
        execute=execute,
        lake_dir=lake_for_grading(),
        attempt=submission.attempt,
        failures=earlier_failures(submission),
        sandbox=sandbox,
    )


def earlier_failures(submission: Submission) -> dict[str, int]:
    """How often each question failed in the learner's graded attempts before this one."""
    earlier = db.session.scalars(
        select(Submission.result_json).where(
            Submission.user_id == submission.user_id,
            Submission.exercise_id == submission.exercise_id,
            Submission.status == SubmissionStatus.GRADED,
            Submission.id < submission.id,
        )
    )
    return failures_in(json.loads(text) for text in earlier if text)


def _record(submission: Submission, result: GradeResult) -> None:
    """Write the grader's result onto the submission (the caller commits)."""
    submission.finished_at = utcnow()
    document = result.to_json()
    # The page also shows the executed notebook, with the failing cells marked.
    document["notebook"] = result.notebook
    document["failed_cells"] = list(result.failed_cells)
    submission.result_json = json.dumps(document)
    if result.status != "graded":
        submission.status = SubmissionStatus.ERROR.value
        submission.reason = (result.reason or "The notebook could not be graded.")[:500]
        return
    submission.status = SubmissionStatus.GRADED.value
    submission.score = result.score
    submission.max_score = result.max_score
    submission.passed = result.passed
    count_grade(submission.user_id, result)
    if result.passed:
        _complete_module_if_all_passed(submission)


def _complete_module_if_all_passed(submission: Submission) -> None:
    """Passing every exercise of a module completes it (the completion rule's exercise path)."""
    exercise = find_exercise(submission.exercise_id)
    module = db.session.scalar(select(Module).where(Module.code == exercise.module))
    user = db.session.get(User, submission.user_id)
    if module is None or user is None:
        return
    required = frozenset(module.exercises) & set(all_exercises())
    passed = frozenset(
        db.session.scalars(
            select(Submission.exercise_id).where(
                Submission.user_id == user.id, Submission.passed.is_(True)
            )
        )
    )
    evidence = CompletionEvidence(required_exercises=required, passed_exercises=passed)
    if is_complete(evidence):
        mark_complete(user, module, source="exercises")


def attempts(user_id: int, exercise_id: str) -> list[Submission]:
    """A learner's attempts at an exercise, newest first."""
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.user_id == user_id, Submission.exercise_id == exercise_id)
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )


def best(submissions: list[Submission]) -> Submission | None:
    """The attempt that counts: the highest score, the earliest among equals."""
    graded = [s for s in submissions if s.status == SubmissionStatus.GRADED]
    return max(graded, key=lambda s: (s.score or 0, -s.id), default=None)


@dataclass(frozen=True)
class ExerciseStats:
    """How learners are doing on one exercise, for instructors."""

    exercise_id: str
    title: str
    attempts: int
    learners: int
    passed_learners: int
    question_pass_rates: dict[str, float]

    @property
    def pass_rate(self) -> float:
        return self.passed_learners / self.learners if self.learners else 0.0


def exercise_stats() -> list[ExerciseStats]:
    """Per exercise: attempts, learners, pass rate, and the pass rate of each question.

    From the totals kept as grades are recorded (``tallies``): one row per exercise and
    per question, whatever the number of submissions.
    """
    totals = exercise_tallies()
    rates = question_pass_rates()
    stats = []
    for exercise_id, exercise in sorted(all_exercises().items()):
        tally = totals.get(exercise_id)
        attempts, learners, passers = (
            (tally.attempts, tally.learners, tally.passers) if tally else (0, 0, 0)
        )
        shares = rates.get(exercise_id, {})
        stats.append(
            ExerciseStats(
                exercise_id,
                exercise.title,
                attempts,
                learners,
                passers,
                {q.id: shares.get(q.id, 0.0) for q in exercise.questions},
            )
        )
    return stats
