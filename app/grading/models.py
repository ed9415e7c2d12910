"""Submissions: each notebook a learner uploads for grading, and how it went."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import utcnow
from app.extensions import db
from app.types import UTCDateTime


class SubmissionStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    GRADED = "graded"
    ERROR = "error"  # could not be graded (a bad file, or the grader failed)


class Submission(db.Model):
    """One attempt at one exercise; attempts are kept and the best one counts."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_user_exercise", "user_id", "exercise_id", "created_at"),
        Index("ix_submissions_exercise", "exercise_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    exercise_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=SubmissionStatus.QUEUED.value)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    # The uploaded file, in the database rather than on the web server's disk, so
    # a grading worker on another machine needs only the database and the broker.
    # No kernel can see the database. Deferred: pages listing attempts never load it.
    notebook: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    result_json: Mapped[str | None] = mapped_column(Text)  # the grader's result, as documented
    reason: Mapped[str | None] = mapped_column(String(500))  # why it could not be graded
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A grader that claims the submission holds it until then; a grader that died
    # (a killed web process or worker) lets it lapse, and it is queued again.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When it was last handed to the queue. A broker restarted without persistence,
    # or a web process killed with it in memory, loses it; recovery hands out again
    # what has waited too long since (None: not yet handed out since it was queued again).
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_finished(self) -> bool:
        return self.status in (SubmissionStatus.GRADED, SubmissionStatus.ERROR)


class ExerciseTally(db.Model):
    """Running totals of one exercise's graded attempts, for the instructors' results page.

    Kept by ``tallies.count_grade`` in the transaction that records each grade, so the
    page reads one row per exercise however many submissions there are.
    """

    __tablename__ = "exercise_tallies"

    exercise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # graded submissions
    learners: Mapped[int] = mapped_column(Integer, default=0)  # with a graded submission
    passers: Mapped[int] = mapped_column(Integer, default=0)  # with a passing one


class QuestionTally(db.Model):
    """Running totals of one question: graded attempts at it, and how many it passed in."""

    __tablename__ = "question_tallies"

    exercise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    passes: Mapped[int] = mapped_column(Integer, default=0)


class ExerciseLearner(db.Model):
    """That a learner has a graded attempt at an exercise, and whether one passed.

    Its row appears once and its flag turns once, each by a single statement whose row
    count says whether it was this grade that did it: two grades recorded at the same
    moment never count one learner twice.
    """

    __tablename__ = "exercise_learners"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    exercise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
