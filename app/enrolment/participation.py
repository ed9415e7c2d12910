"""A learner's part in one module: interest, enrolment, completion and the sessions to book.

Each function runs a fixed number of queries, whatever the number of learners,
enrolments or sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User, utcnow
from app.catalogue.models import Module, ModuleStatus
from app.demand.models import Interest
from app.demand.services import threshold_for
from app.enrolment.models import Booking, BookingStatus, ClassSession, Enrolment
from app.enrolment.rules import EnrolmentDecision, decide_enrolment
from app.extensions import db


@dataclass(frozen=True)
class SessionView:
    """A session as one learner sees it: seats left, and their booking if any."""

    session: ClassSession
    booking: Booking | None = None
    position: int | None = None  # on the waitlist

    @property
    def status(self) -> str | None:
        if self.booking is None or self.booking.status == BookingStatus.CANCELLED:
            return None
        return self.booking.status


def queue_positions(bookings: list[Booking]) -> dict[int, int]:
    """Waitlist position of each of these bookings, in one query."""
    waiting = [b for b in bookings if b.status == BookingStatus.WAITLISTED]
    if not waiting:
        return {}
    # Count, for each of the learner's waitlisted bookings, the queue entries
    # in the same session that were queued before it.
    other = Booking.__table__.alias("other")
    ahead = (
        select(Booking.id, func.count(other.c.id))
        .join(
            other,
            (other.c.session_id == Booking.session_id)
            & (other.c.status == BookingStatus.WAITLISTED.value)
            & (
                (other.c.queued_at < Booking.queued_at)
                | ((other.c.queued_at == Booking.queued_at) & (other.c.id < Booking.id))
            ),
            isouter=True,
        )
        .where(Booking.id.in_([b.id for b in waiting]))
        .group_by(Booking.id)
    )
    return {booking_id: count + 1 for booking_id, count in db.session.execute(ahead)}


def upcoming_sessions(module_id: int, user: User | None) -> list[SessionView]:
    """The module's future, uncancelled sessions, with this learner's bookings."""
    sessions = list(
        db.session.scalars(
            select(ClassSession)
            .where(
                ClassSession.module_id == module_id,
                ClassSession.cancelled_at.is_(None),
                ClassSession.starts_at > utcnow(),
            )
            .options(joinedload(ClassSession.instructor))
            .order_by(ClassSession.starts_at)
        )
    )
    if user is None or not sessions:
        return [SessionView(s) for s in sessions]
    bookings = {
        b.session_id: b
        for b in db.session.scalars(
            select(Booking).where(
                Booking.user_id == user.id, Booking.session_id.in_([s.id for s in sessions])
            )
        )
    }
    positions = queue_positions(list(bookings.values()))
    return [
        SessionView(s, bookings.get(s.id), positions.get(getattr(bookings.get(s.id), "id", -1)))
        for s in sessions
    ]


@dataclass
class Participation:
    """A signed-in learner's part in one module."""

    interest: Interest | None = None
    interest_count: int = 0
    threshold: int = 0
    enrolment: Enrolment | None = None
    completed: bool = False
    decision: EnrolmentDecision | None = None
    sessions: list[SessionView] = field(default_factory=list)


def participation(user: User | None, module: Module, done_codes: set[str]) -> Participation:
    """Interest, enrolment, completion and sessions for the module page."""
    result = Participation()
    if module.status == ModuleStatus.PLANNED:
        result.interest_count = (
            db.session.scalar(
                select(func.count()).select_from(Interest).where(Interest.module_id == module.id)
            )
            or 0
        )
        result.threshold = threshold_for(module)
        if user is not None:
            result.interest = db.session.scalar(
                select(Interest).where(Interest.user_id == user.id, Interest.module_id == module.id)
            )
        return result
    result.sessions = upcoming_sessions(module.id, user)
    if user is None:
        return result
    result.enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.module_id == module.id)
    )
    result.completed = module.code in done_codes
    override = result.enrolment is not None and result.enrolment.override_by_id is not None
    result.decision = decide_enrolment(
        module.status, [m.code for m in module.prerequisites], done_codes, override=override
    )
    return result
