"""Many learners asking at the same instant: no overbooking, one crossing notification.

These run real concurrent requests, each in its own thread with its own
database connection: on PostgreSQL when TEST_DATABASE_URL is set (as in CI),
else on a SQLite file.
"""

from sqlalchemy import func, select

from app.accounts.models import Role
from app.enrolment.models import Booking, ClassSession
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import make_module, make_session, make_user
from tests.support import all_at_once, signed_in_clients

LEARNERS = 8


def test_two_or_more_learners_racing_for_the_last_seat_never_overbook(shared_app):
    module = make_module("DP101")
    session = make_session(module, capacity=1)
    learners = [make_user(f"racer{i}@example.com") for i in range(LEARNERS)]
    clients = signed_in_clients(shared_app, [u.email for u in learners])
    session_id = session.id
    db.session.remove()

    statuses = all_at_once(clients, f"/sessions/{session_id}/book")

    assert statuses == [302] * LEARNERS
    booked = db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.status == "booked")
    )
    waiting = db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.status == "waitlisted")
    )
    assert (booked, waiting) == (1, LEARNERS - 1)
    assert db.session.get(ClassSession, session_id).seats_taken == 1


def test_simultaneous_interest_crosses_the_threshold_exactly_once(shared_app):
    admin = make_user("boss@example.com", role=Role.ADMIN, persona=None)
    stub = make_module("DS301", level=300, planned=True)
    stub.demand_threshold = 3
    db.session.commit()
    learners = [make_user(f"keen{i}@example.com") for i in range(LEARNERS)]
    clients = signed_in_clients(shared_app, [u.email for u in learners])
    admin_id = admin.id
    db.session.remove()

    statuses = all_at_once(clients, "/modules/DS301/interest")

    assert statuses == [302] * LEARNERS
    demand_notes = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.kind == "demand", Notification.user_id == admin_id)
    )
    assert demand_notes == 1
