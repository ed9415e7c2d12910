"""Class sessions: scheduling, booking seats, the waitlist and attendance.

Every change of a seat or a booking is one conditional UPDATE that names the
state it starts from (``seats_taken < capacity``, ``status = 'booked'``), and
acts only when exactly one row matched. So two requests racing for the last
seat, a double-clicked cancel, or a learner leaving the waitlist just as they
are promoted each change the row once: the database serialises the updates and
the loser matches nothing. Whatever mix of book, cancel, promote and capacity
change runs at once, ``seats_taken`` equals the number of booked learners and
never exceeds the capacity.

On PostgreSQL each change first locks the session's row (``FOR UPDATE``), so
all of one session's changes queue in one order and can never deadlock on each
other's booking rows; SQLite serialises every writer anyway. A check
constraint on the table backs the seat count up. Callers commit.
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
    db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == session_id, ClassSession.seats_taken > 0)
        .values(seats_taken=ClassSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _lock_session(session_id: int) -> None:
    """Hold the session's row until commit (PostgreSQL), so its changes queue in one order."""
    db.session.execute(
        select(ClassSession.id).where(ClassSession.id == session_id).with_for_update()
    )


def _move(booking_id: int, from_status: BookingStatus, **values) -> bool:
    """Change a booking only if it is still in ``from_status``; True when this call changed it."""
    result = db.session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.status == from_status.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


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
    _lock_session(session.id)
    db.session.refresh(session)
    if session.cancelled_at is not None:
        raise SessionError("This session has been cancelled.")
    seated = _take_seat(session.id)
    status = (BookingStatus.BOOKED if seated else BookingStatus.WAITLISTED).value
    if booking is None:
        booking = _new_booking(session.id, user.id, status)
    elif not _move(
        booking.id,
        BookingStatus.CANCELLED,
        status=status,
        queued_at=utcnow(),
        cancelled_at=None,
        promoted_at=None,
    ):
        booking = None  # the same learner's other request re-booked it first
    if booking is None:
        if seated:
            _free_seat(session.id)
        booking = booking_for(session.id, user.id)
        assert booking is not None
    db.session.flush()
    db.session.refresh(booking)
    db.session.refresh(session)
    return booking


def _new_booking(session_id: int, user_id: int, status: str) -> Booking | None:
    """Insert the learner's booking; None when their other request inserted it first."""
    booking = Booking(session_id=session_id, user_id=user_id, status=status)
    try:
        with db.session.begin_nested():
            db.session.add(booking)
    except IntegrityError:
        return None
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
    """Give up a seat or a waitlist place; returns the booking promoted into the seat, if any.

    Cancelling twice, or at the same time from two requests, cancels once.
    """
    _lock_session(booking.session_id)
    now = utcnow()
    promoted = None
    if _move(
        booking.id, BookingStatus.BOOKED, status=BookingStatus.CANCELLED.value, cancelled_at=now
    ):
        _free_seat(booking.session_id)
        promoted = next(iter(_fill_seats(booking.session_id, limit=1)), None)
    else:
        _move(
            booking.id,
            BookingStatus.WAITLISTED,
            status=BookingStatus.CANCELLED.value,
            cancelled_at=now,
        )
    db.session.flush()
    db.session.refresh(booking)
    return promoted


def _fill_seats(session_id: int, limit: int | None = None) -> list[Booking]:
    """Give free seats to the waitlist in order (at most ``limit``); the bookings promoted."""
    promoted: list[Booking] = []
    while limit is None or len(promoted) < limit:
        if not _take_seat(session_id):
            break
        booking = _promote_next(session_id)
        if booking is None:
            _free_seat(session_id)  # nobody is waiting: give the seat back
            break
        promoted.append(booking)
    return promoted


def _promote_next(session_id: int) -> Booking | None:
    """Move the head of the waitlist into the seat just taken for it; None if nobody waits."""
    while True:
        head = db.session.scalar(
            select(Booking.id)
            .where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED)
            .order_by(Booking.queued_at, Booking.id)
            .limit(1)
        )
        if head is None:
            return None
        if _move(
            head, BookingStatus.WAITLISTED, status=BookingStatus.BOOKED.value, promoted_at=utcnow()
        ):
            booking = db.session.get(Booking, head)
            assert booking is not None
            db.session.refresh(booking)
            _tell_promoted(booking)
            return booking
        # The head left the queue (cancelled) between the two statements: next in line.


def _tell_promoted(booking: Booking) -> None:
    """Tell a learner they moved off the waitlist into a seat."""
    session = booking.session
    notify(
        booking.user,
        kind="waitlist_promoted",
        message=f"A seat came free: you now have a place in {session.module.code} on "
        f"{session.starts_at:%d %b %Y at %H:%M} UTC.",
        link=f"/sessions/{session.id}",
        subject=f"You have a seat in {session.module.code}",
    )


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
    _lock_session(session.id)
    resized = db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == session.id, ClassSession.seats_taken <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(session)
    if resized.rowcount != 1:
        raise SessionError(
            f"{session.seats_taken} learners already have seats; the capacity can't go below that."
        )
    promoted = _fill_seats(session.id)
    db.session.flush()
    db.session.refresh(session)
    return promoted


def cancel_class_session(session: ClassSession) -> bool:
    """Cancel a session and tell everyone booked or waiting; False if it already was."""
    _lock_session(session.id)
    cancelled = db.session.execute(
        update(ClassSession)
        .where(ClassSession.id == session.id, ClassSession.cancelled_at.is_(None))
        .values(cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(session)
    if cancelled.rowcount != 1:
        return False
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
