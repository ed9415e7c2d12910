"""Seats under concurrent cancels, rebookings and capacity changes: the count never drifts.

Real concurrent requests, each in a thread with its own database connection, on
PostgreSQL when TEST_DATABASE_URL is set (as in CI) and on a SQLite file
otherwise. After every burst the invariants are checked against the rows:
``seats_taken`` equals the number of booked learners, never more than the
capacity, and nobody waits while a seat is free.
"""

from __future__ import annotations

import random

from sqlalchemy import func, select

from app.accounts.models import Role
from app.enrolment.models import Booking, BookingStatus, ClassSession
from app.enrolment.sessions import book
from app.extensions import db
from tests.factories import make_module, make_session, make_user
from tests.support import all_at_once, signed_in_clients

BURSTS = 4


def counts(session_id: int) -> dict[str, int]:
    """Bookings of a session by status, read from the rows."""
    db.session.remove()
    rows = db.session.execute(
        select(Booking.status, func.count())
        .where(Booking.session_id == session_id)
        .group_by(Booking.status)
    ).all()
    return {status: count for status, count in rows}


def assert_seats_add_up(session_id: int) -> dict[str, int]:
    """The invariants of a session's seats, from the rows; returns the counts."""
    found = counts(session_id)
    session = db.session.get(ClassSession, session_id)
    booked = found.get(BookingStatus.BOOKED.value, 0)
    waiting = found.get(BookingStatus.WAITLISTED.value, 0)
    assert session.seats_taken == booked, found
    assert booked <= session.capacity, (found, session.capacity)
    assert waiting == 0 or booked == session.capacity, (found, session.capacity)
    return found


def full_session(capacity: int, waiting: int):
    """A session with every seat booked and ``waiting`` learners queued, in order."""
    session = make_session(make_module("DP101"), capacity=capacity)
    learners = [make_user(f"learner{i}@example.com") for i in range(capacity + waiting)]
    for learner in learners:
        book(session, learner)
    db.session.commit()
    return session.id, learners


def test_a_seated_learner_cancelling_many_times_at_once_frees_one_seat(shared_app):
    session_id, learners = full_session(capacity=3, waiting=10)
    emails = [u.email for u in learners]
    for clicks in (2, 6, 10):
        seated = emails.pop(0)  # the first still seated, in booking order
        clients = signed_in_clients(shared_app, [seated] * clicks)
        db.session.remove()
        statuses = all_at_once(clients, f"/sessions/{session_id}/cancel")
        assert statuses == [302] * clicks
        found = assert_seats_add_up(session_id)
        assert found["booked"] == 3  # one promoted per cancelled seat, not one per click
    assert found["cancelled"] == 3 and found["waitlisted"] == 7


def test_the_head_of_the_queue_leaving_while_seats_free_up_loses_no_seat(shared_app):
    session_id, learners = full_session(capacity=3, waiting=6)
    seated, queued = learners[:3], learners[3:]
    # Two seated learners cancel while the first two in the queue leave it.
    leaving = [seated[0], seated[1], queued[0], queued[1]]
    leaving_ids = {u.id for u in leaving}
    clients = signed_in_clients(shared_app, [u.email for u in leaving])
    db.session.remove()
    statuses = all_at_once(clients, f"/sessions/{session_id}/cancel")
    assert statuses == [302] * 4
    found = assert_seats_add_up(session_id)
    assert found == {"booked": 3, "waitlisted": 2, "cancelled": 4}
    cancelled = set(
        db.session.scalars(
            select(Booking.user_id).where(
                Booking.session_id == session_id, Booking.status == BookingStatus.CANCELLED
            )
        )
    )
    assert cancelled == leaving_ids  # nobody who left holds a seat


def test_a_learner_booking_many_times_at_once_gets_the_normal_page_and_one_booking(shared_app):
    session = make_session(make_module("DP101"), capacity=2)
    learner = make_user("eager@example.com")
    session_id, learner_id = session.id, learner.id
    clients = signed_in_clients(shared_app, [learner.email] * 6)
    db.session.remove()
    statuses = all_at_once(clients, f"/sessions/{session_id}/book")
    assert statuses == [302] * 6
    assert counts(session_id) == {"booked": 1}
    assert assert_seats_add_up(session_id) == {"booked": 1}
    mine = db.session.scalars(select(Booking).where(Booking.user_id == learner_id)).all()
    assert len(mine) == 1


def test_any_mix_of_book_cancel_and_capacity_changes_keeps_the_seats_adding_up(shared_app):
    rng = random.Random(20261202)
    module = make_module("DP101")
    teacher = make_user("teacher@example.com", role=Role.INSTRUCTOR, persona=None)
    session = make_session(module, capacity=3, instructor=teacher)
    learners = [make_user(f"mixer{i}@example.com") for i in range(10)]
    db.session.commit()
    session_id, teacher_email = session.id, teacher.email
    emails = [u.email for u in learners]
    for _ in range(BURSTS):
        chosen = rng.sample(emails, 7)
        clients = signed_in_clients(shared_app, [*chosen, teacher_email])
        requests = [
            (f"/sessions/{session_id}/{rng.choice(['book', 'cancel'])}", None) for _ in chosen
        ]
        requests.append(
            (f"/teach/sessions/{session_id}/capacity", {"capacity": str(rng.randint(2, 6))})
        )
        db.session.remove()
        statuses = all_at_once(clients, requests=requests)
        assert set(statuses) == {302}, statuses
        assert_seats_add_up(session_id)
