"""Many learners asking at the same instant: no overbooking, one crossing notification.

These run real concurrent requests, each in its own thread with its own
database connection: on PostgreSQL when TEST_DATABASE_URL is set (as in CI),
else on a SQLite file.
"""

import threading

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.enrolment.models import Booking, ClassSession
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import PASSWORD, make_module, make_session, make_user
from tests.support import USING_POSTGRES

LEARNERS = 8


@pytest.fixture
def shared_app(make_app, tmp_path):
    """An app whose database every thread reaches through its own connection."""
    if USING_POSTGRES:
        application = make_app()
    else:
        application = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'race.sqlite'}")
    with application.app_context():
        yield application


def _signed_in_clients(app, emails):
    clients = []
    for email in emails:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    return clients


def _all_at_once(clients, url):
    """POST ``url`` from every client at the same moment; the status codes."""
    barrier = threading.Barrier(len(clients))
    statuses = [None] * len(clients)

    def go(i, client):
        barrier.wait()
        statuses[i] = client.post(url).status_code

    threads = [threading.Thread(target=go, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def test_two_or_more_learners_racing_for_the_last_seat_never_overbook(shared_app):
    module = make_module("DP101")
    session = make_session(module, capacity=1)
    learners = [make_user(f"racer{i}@example.com") for i in range(LEARNERS)]
    clients = _signed_in_clients(shared_app, [u.email for u in learners])
    session_id = session.id
    db.session.remove()

    statuses = _all_at_once(clients, f"/sessions/{session_id}/book")

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
    clients = _signed_in_clients(shared_app, [u.email for u in learners])
    admin_id = admin.id
    db.session.remove()

    statuses = _all_at_once(clients, "/modules/DS301/interest")

    assert statuses == [302] * LEARNERS
    demand_notes = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.kind == "demand", Notification.user_id == admin_id)
    )
    assert demand_notes == 1
