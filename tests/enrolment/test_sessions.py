"""Booking seats, the waitlist, promotion, capacity and attendance."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import utcnow
from app.enrolment.models import ClassSession
from app.enrolment.services import EnrolmentRefused
from app.enrolment.sessions import (
    SessionError,
    book,
    cancel,
    cancel_class_session,
    change_capacity,
    position,
    roster,
    set_attendance,
)
from app.extensions import db
from app.notifications.models import OutboxEmail
from tests.factories import make_module, make_session, make_user, notifications_for


@pytest.fixture
def session(app):
    return make_session(make_module("DP101"), capacity=2)


def test_seats_then_waitlist_in_order(session):
    a, b, c, d = (make_user() for _ in range(4))
    assert book(session, a).status == "booked"
    assert book(session, b).status == "booked"
    third, fourth = book(session, c), book(session, d)
    db.session.commit()
    assert (third.status, fourth.status) == ("waitlisted", "waitlisted")
    assert (position(third), position(fourth)) == (1, 2)
    assert session.seats_taken == 2 and session.seats_left == 0


def test_booking_twice_changes_nothing(session):
    learner = make_user()
    first = book(session, learner)
    assert book(session, learner).id == first.id
    db.session.refresh(session)
    assert session.seats_taken == 1


def test_cancelling_a_seat_promotes_the_first_in_the_queue_and_tells_them(session):
    a, b, c, d = (make_user() for _ in range(4))
    seat_a, _ = book(session, a), book(session, b)
    waiting_c, waiting_d = book(session, c), book(session, d)
    db.session.commit()
    promoted = cancel(seat_a)
    db.session.commit()
    assert promoted.id == waiting_c.id and waiting_c.status == "booked"
    assert position(waiting_d) == 1
    db.session.refresh(session)
    assert session.seats_taken == 2
    (note,) = notifications_for(c, "waitlist_promoted")
    assert "A seat came free" in note.message and note.link == f"/sessions/{session.id}"
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == c.email))
    assert notifications_for(d, "waitlist_promoted") == []


def test_cancelling_with_nobody_waiting_frees_the_seat(session):
    learner = make_user()
    booking = book(session, learner)
    assert cancel(booking) is None
    db.session.refresh(session)
    assert session.seats_taken == 0
    assert cancel(booking) is None  # twice is harmless


def test_leaving_the_waitlist_keeps_everyone_else_in_order(session):
    users = [make_user() for _ in range(5)]
    bookings = [book(session, u) for u in users]
    cancel(bookings[2])  # first in the queue leaves
    assert position(bookings[3]) == 1 and position(bookings[4]) == 2
    db.session.refresh(session)
    assert session.seats_taken == 2


def test_rebooking_after_cancelling_joins_the_back_of_the_queue(session):
    a, b, c, d = (make_user() for _ in range(4))
    book(session, a), book(session, b)
    waiting_c = book(session, c)
    book(session, d)
    cancel(waiting_c)
    again = book(session, c)
    assert again.id == waiting_c.id and position(again) == 2


def test_booking_enrols_and_respects_prerequisites(app):
    intro = make_module("DP101")
    joins = make_module("DM201", level=200, prerequisites=(intro,))
    session = make_session(joins)
    with pytest.raises(EnrolmentRefused):
        book(session, make_user())
    db.session.refresh(session)
    assert session.seats_taken == 0


def test_cancelled_and_past_sessions_cannot_be_booked(session):
    session.cancelled_at = utcnow()
    with pytest.raises(SessionError, match="cancelled"):
        book(session, make_user())
    session.cancelled_at = None
    session.starts_at = utcnow() - timedelta(hours=1)
    with pytest.raises(SessionError, match="started"):
        book(session, make_user())


def test_more_seats_go_to_the_waitlist_and_fewer_than_taken_is_refused(session):
    users = [make_user() for _ in range(5)]
    bookings = [book(session, u) for u in users]
    promoted = change_capacity(session, 3)
    assert [b.id for b in promoted] == [bookings[2].id]
    assert session.seats_taken == 3
    with pytest.raises(SessionError, match="can't go below"):
        change_capacity(session, 2)


def test_the_database_refuses_overbooking_even_if_code_tries(session):
    from sqlalchemy.exc import IntegrityError

    session.seats_taken = session.capacity + 1
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_roster_lists_seats_then_queue_and_attendance_needs_a_seat(session):
    users = [make_user(name=f"L{i}") for i in range(3)]
    bookings = [book(session, u) for u in users]
    assert [b.user.name for b in roster(session.id)] == ["L0", "L1", "L2"]
    set_attendance(bookings[0], True)
    assert bookings[0].attended is True
    with pytest.raises(SessionError):
        set_attendance(bookings[2], True)


def test_sessions_table_has_a_capacity_check(app):
    assert any("seats" in (c.name or "") for c in ClassSession.__table__.constraints)


def test_cancelling_a_session_tells_the_booked_and_the_waiting_once(session):
    seated, waiting, bystander = make_user(), make_user(), make_user()
    book(session, seated), book(session, make_user()), book(session, waiting)
    db.session.commit()
    assert cancel_class_session(session) is True
    assert cancel_class_session(session) is False  # a second click tells nobody again
    db.session.commit()
    assert session.cancelled_at is not None
    assert len(notifications_for(seated, "session_cancelled")) == 1
    assert len(notifications_for(waiting, "session_cancelled")) == 1
    assert notifications_for(bystander, "session_cancelled") == []
