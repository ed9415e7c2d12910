"""Instructors' pages: rights, scheduling, rosters, attendance, completion, overrides."""

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.enrolment.models import Booking, ClassSession, Completion, Enrolment
from app.enrolment.sessions import book
from app.extensions import db
from tests.factories import make_module, make_session, make_user


@pytest.fixture
def course(app):
    intro = make_module("DP101")
    joins = make_module("DM201", level=200, prerequisites=(intro,))
    for module in (intro, joins):
        module.instructors = ["teacher@example.com"]
    db.session.commit()
    return intro, joins


@pytest.fixture
def teacher(client, auth, course):
    user = make_user("teacher@example.com", role=Role.INSTRUCTOR, name="Tess")
    auth.login("teacher@example.com")
    return user


def test_learners_get_403_everywhere_in_teaching(client, auth, course):
    session = make_session(course[0])
    make_user("ana@example.com")
    auth.login("ana@example.com")
    for url in [
        "/teach/",
        "/teach/demand",
        "/teach/nominations",
        "/teach/modules/DP101",
        f"/teach/sessions/{session.id}",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post("/teach/modules/DP101/sessions").status_code == 403


def test_an_instructor_who_does_not_teach_the_module_gets_403(client, auth, course):
    session = make_session(course[0])
    make_user("stranger@example.com", role=Role.INSTRUCTOR)
    auth.login("stranger@example.com")
    assert client.get("/teach/modules/DP101").status_code == 403
    assert client.get(f"/teach/sessions/{session.id}").status_code == 403
    assert client.get("/teach/demand").status_code == 200  # every instructor sees demand


def test_admins_teach_everything(client, auth, course):
    make_user("admin@example.com", role=Role.ADMIN)
    auth.login("admin@example.com")
    assert client.get("/teach/modules/DM201").status_code == 200


def test_unknown_module_or_session_is_404(client, teacher):
    assert client.get("/teach/modules/NOPE999").status_code == 404
    assert client.get("/teach/sessions/999").status_code == 404


def test_scheduling_a_session(client, teacher):
    response = client.post(
        "/teach/modules/DP101/sessions",
        data={
            "starts_at": "2031-03-04T10:00",
            "duration_minutes": "90",
            "capacity": "10",
            "location": "Room 2",
            "online_url": "",
        },
    )
    assert response.status_code == 302
    session = db.session.scalar(select(ClassSession))
    assert session.capacity == 10 and session.instructor_id == teacher.id
    assert session.starts_at.isoformat() == "2031-03-04T10:00:00+00:00"
    assert "Room 2" in client.get("/modules/DP101").get_data(as_text=True)


def test_scheduling_validates_every_field(client, teacher):
    response = client.post(
        "/teach/modules/DP101/sessions",
        data={
            "starts_at": "next tuesday",
            "duration_minutes": "5",
            "capacity": "0",
            "online_url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Not a valid datetime value" in page
    assert "Number must be between 15 and 480" in page
    assert "Number must be between 1 and 500" in page
    assert "Invalid URL" in page
    assert db.session.scalar(select(ClassSession)) is None


def test_roster_attendance_and_completion_unlocks_the_next_module(client, teacher, course):
    intro, joins = course
    session = make_session(intro, capacity=1, instructor=teacher)
    first, second = make_user(name="First"), make_user(name="Second")
    book(session, first)
    book(session, second)
    db.session.commit()
    page = client.get(f"/teach/sessions/{session.id}").get_data(as_text=True)
    assert page.index("First") < page.index("Second") and "Waitlist #1" in page
    client.post(
        f"/teach/sessions/{session.id}/attendance", data={"user_id": first.id, "value": "y"}
    )
    booking = db.session.scalar(select(Booking).where(Booking.user_id == first.id))
    db.session.refresh(booking)
    assert booking.attended is True
    response = client.post(
        f"/teach/sessions/{session.id}/attendance",
        data={"user_id": second.id, "value": "y"},
        follow_redirects=True,
    )
    assert "Only learners with a seat" in response.get_data(as_text=True)
    client.post("/teach/modules/DP101/completion", data={"user_id": first.id, "value": "y"})
    assert db.session.scalar(select(Completion).where(Completion.user_id == first.id))
    from app.enrolment.services import enrol

    assert enrol(first, joins).is_active  # DP101 done, so DM201 is open


def test_override_is_recorded_and_shown(client, teacher, course):
    learner = make_user("ana@example.com", name="Ana")
    response = client.post(
        "/teach/modules/DM201/override",
        data={"email": "ana@example.com", "reason": "Already writes SQL daily"},
    )
    assert response.status_code == 302
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolment.override_by_id == teacher.id
    page = client.get("/teach/modules/DM201").get_data(as_text=True)
    assert "By Tess: “Already writes SQL daily”" in page


def test_override_for_an_unknown_learner_is_a_form_error(client, teacher):
    response = client.post(
        "/teach/modules/DM201/override", data={"email": "ghost@example.com", "reason": "Because"}
    )
    assert response.status_code == 400
    assert "no active account with that email" in response.get_data(as_text=True)


def test_capacity_change_and_cancellation(client, teacher, course):
    session = make_session(course[0], capacity=1, instructor=teacher)
    a, b = make_user(), make_user()
    book(session, a)
    book(session, b)
    db.session.commit()
    client.post(f"/teach/sessions/{session.id}/capacity", data={"capacity": "2"})
    db.session.refresh(session)
    assert session.seats_taken == 2
    page = client.post(
        f"/teach/sessions/{session.id}/capacity", data={"capacity": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "can&#39;t go below that" in page
    client.post(f"/teach/sessions/{session.id}/cancel")
    db.session.refresh(session)
    assert session.cancelled_at is not None


def test_dashboard_lists_my_modules(client, teacher):
    page = client.get("/teach/").get_data(as_text=True)
    assert "DP101" in page and "DM201" in page
