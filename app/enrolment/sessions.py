"""Class sessions: scheduling, booking seats, the waitlist and attendance.

Seats are taken with one conditional UPDATE (``seats_taken < capacity``), so two
learners asking for the last seat at the same instant cannot both get it: the
database serialises the two updates and the second one matches no row. A check
constraint on the table backs this up. Callers commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User, utcnow
from app.catalogue.models import Module
from app.enrolment.models import Booking, BookingStatus, ClassSession
from app.enrolment.services import enrol
from app.extensions import db
from app.notifications.services import notify


class SessionError(Exception):
    """A request about a session that the rules refuse."""


def schedule(
    module: Module,
    *,
    starts_at: datetime,
    duration_minutes: int,
    capacity: int,
    instructor: User | None,
    location: str | None = None,
    online_url: str | None = None,
) -> ClassSession:
    """Add a session to a module's timetable."""
    session = ClassSession(
        module_id=module.id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        capacity=capacity,
        seats_taken=0,
        instructor_id=instructor.id if instructor else None,
        location=location or None,
        online_url=online_url or None,
    )
    db.session.add(session)
    db.session.flush()
    return session


def booking_for(session_id: int, user_id: int) -> Booking | None:
    return db.session.scalar(
        select(Booking).where(Booking.session_id == session_id, Booking.user_id == user_id)
    )


def _take_seat(session_id: int) -> bool:
    """Atomically take a free seat; False when the session is full or cancelled."""
    result = db.session.execute(
        update(ClassSession)
        .where(
            ClassSession.id == session_id,
            ClassSession.seats_taken < ClassSession.capacity,
            ClassSession.cancelled_at.is_(None),
        )
        .values(seats_taken=ClassSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(session_id: int) -> None:
    # This UPDATE also locks the session's row until commit, so concurrent
    # cancellations promote from the waitlist one at a time.
    db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == session_id)
        .values(seats_taken=ClassSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def book(session: ClassSession, user: User) -> Booking:
    """A seat if one is free, else a place on the waitlist. Enrols the learner if needed.

    Raises EnrolmentRefused when the learner may not take the module, and
    SessionError when the session is cancelled or over.
    """
    if session.cancelled_at is not None:
        raise SessionError("This session has been cancelled.")
    if session.starts_at <= utcnow():
        raise SessionError("This session has already started.")
    enrol(user, session.module)
    booking = booking_for(session.id, user.id)
    if booking is not None and booking.status != BookingStatus.CANCELLED:
        return booking  # asking twice changes nothing
    seated = _take_seat(session.id)
    status = (BookingStatus.BOOKED if seated else BookingStatus.WAITLISTED).value
    if booking is None:
        booking = Booking(session_id=session.id, user_id=user.id, status=status)
        try:
            with db.session.begin_nested():
                db.session.add(booking)
        except IntegrityError:
            # The same learner's other request won the race; keep that booking.
            if seated:
                _free_seat(session.id)
            existing = booking_for(session.id, user.id)
            assert existing is not None
            return existing
    else:
        booking.status = status
        booking.queued_at = utcnow()
        booking.cancelled_at = None
        booking.promoted_at = None
    db.session.flush()
    db.session.refresh(session)
    return booking


def waitlist(session_id: int) -> list[Booking]:
    """The waitlisted bookings of a session, first served first."""
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED)
            .order_by(Booking.queued_at, Booking.id)
        )
    )


def position(booking: Booking) -> int | None:
    """1-based place on the waitlist, or None if the booking isn't waitlisted."""
    if booking.status != BookingStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.session_id == booking.session_id,
            Booking.status == BookingStatus.WAITLISTED,
            (Booking.queued_at < booking.queued_at)
            | and_(Booking.queued_at == booking.queued_at, Booking.id < booking.id),
        )
    )
    return (ahead or 0) + 1


def cancel(booking: Booking) -> Booking | None:
    """Give up a seat or a waitlist place; returns the booking promoted into the seat, if any."""
    if booking.status == BookingStatus.CANCELLED:
        return None
    was_booked = booking.status == BookingStatus.BOOKED
    booking.status = BookingStatus.CANCELLED.value
    booking.cancelled_at = utcnow()
    db.session.flush()
    if not was_booked:
        return None
    _free_seat(booking.session_id)
    queue = waitlist(booking.session_id)
    if not queue or not _take_seat(booking.session_id):
        return None
    return _promote(queue[0])


def _promote(booking: Booking) -> Booking:
    """Give a waitlisted learner the seat just taken for them, and tell them."""
    booking.status = BookingStatus.BOOKED.value
    booking.promoted_at = utcnow()
    db.session.flush()
    session = booking.session
    notify(
        booking.user,
        kind="waitlist_promoted",
        message=f"A seat came free: you now have a place in {session.module.code} on "
        f"{session.starts_at:%d %b %Y at %H:%M} UTC.",
        link=f"/sessions/{session.id}",
        subject=f"You have a seat in {session.module.code}",
    )
    return booking


def roster(session_id: int) -> list[Booking]:
    """Everyone booked or waitlisted for a session, seats first, then the queue in order."""
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status != BookingStatus.CANCELLED)
        .order_by(Booking.status, Booking.queued_at, Booking.id)
    )
    return sorted(bookings, key=lambda b: (b.status != BookingStatus.BOOKED, b.queued_at, b.id))


def set_attendance(booking: Booking, attended: bool) -> None:
    """Record whether a booked learner came."""
    if booking.status != BookingStatus.BOOKED:
        raise SessionError("Only learners with a seat can be marked as attending.")
    booking.attended = attended
    db.session.flush()


def change_capacity(session: ClassSession, capacity: int) -> list[Booking]:
    """Resize a session; extra seats go to the waitlist in order. Returns those promoted."""
    if capacity < session.seats_taken:
        raise SessionError(
            f"{session.seats_taken} learners already have seats; the capacity can't go below that."
        )
    session.capacity = capacity
    db.session.flush()
    promoted = []
    for booking in waitlist(session.id):
        if not _take_seat(session.id):
            break
        promoted.append(_promote(booking))
    db.session.flush()
    db.session.refresh(session)
    return promoted


def cancel_class_session(session: ClassSession) -> bool:
    """Cancel a session and tell everyone booked or waiting; False if it already was."""
    if session.cancelled_at is not None:
        return False
    session.cancelled_at = utcnow()
    for booking in roster(session.id):
        notify(
            booking.user,
            kind="session_cancelled",
            message=f"The {session.module.code} session on "
            f"{session.starts_at:%d %b %Y at %H:%M} UTC has been cancelled.",
            link=f"/modules/{session.module.code}",
            subject=f"{session.module.code} session cancelled",
        )
    db.session.flush()
    return True
