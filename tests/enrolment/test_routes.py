"""Enrolling and booking through the site."""

import pytest
from icalendar import Calendar

from app.enrolment.models import Booking
from app.extensions import db
from tests.factories import complete, make_module, make_session, make_user


@pytest.fixture
def learner(client, auth, app):
    user = make_user("ana@example.com", name="Ana")
    auth.login("ana@example.com")
    return user


def test_refusal_names_and_links_each_missing_prerequisite(client, learner):
    intro = make_module("DP101")
    sql = make_module("SQ101", prerequisites=(intro,))
    make_module("DM201", level=200, prerequisites=(intro, sql))
    page = client.get("/modules/DM201").get_data(as_text=True)
    assert "Before you can enrol, complete:" in page
    response = client.post("/modules/DM201/enrol", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "You can&#39;t enrol yet: first complete" in page or "You can't enrol yet" in page
    assert '<a href="/modules/DP101">DP101</a>, <a href="/modules/SQ101">SQ101</a>' in page


def test_enrol_and_leave(client, learner):
    make_module("DP101")
    page = client.post("/modules/DP101/enrol", follow_redirects=True).get_data(as_text=True)
    assert "You&#39;re enrolled in DP101." in page
    assert "Leave this module" in page
    page = client.post("/modules/DP101/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "You have left DP101." in page


def test_completed_prerequisites_let_the_learner_in(client, learner):
    intro = make_module("DP101")
    make_module("DP102", prerequisites=(intro,))
    complete(learner, intro)
    page = client.post("/modules/DP102/enrol", follow_redirects=True).get_data(as_text=True)
    assert "enrolled in DP102" in page


def test_booking_shows_seat_then_waitlist_position(client, auth, app):
    module = make_module("DP101")
    session = make_session(module, capacity=1)
    make_user("first@example.com")
    make_user("second@example.com")
    auth.login("first@example.com")
    page = client.post(f"/sessions/{session.id}/book", follow_redirects=True).get_data(as_text=True)
    assert "You have a seat" in page
    auth.logout()
    auth.login("second@example.com")
    page = client.post(f"/sessions/{session.id}/book", follow_redirects=True).get_data(as_text=True)
    assert "you are number 1 on the waitlist" in page
    assert "number 1</strong> on the waitlist" in client.get("/modules/DP101").get_data(
        as_text=True
    )


def test_cancelling_promotes_and_the_promoted_learner_sees_it(client, auth, app):
    module = make_module("DP101")
    session = make_session(module, capacity=1)
    make_user("first@example.com")
    make_user("second@example.com", name="Second")
    auth.login("first@example.com")
    client.post(f"/sessions/{session.id}/book")
    auth.logout()
    auth.login("second@example.com")
    client.post(f"/sessions/{session.id}/book")
    auth.logout()
    auth.login("first@example.com")
    client.post(f"/sessions/{session.id}/cancel")
    auth.logout()
    auth.login("second@example.com")
    mine = client.get("/learning").get_data(as_text=True)
    assert "You have a seat" in mine
    assert "A seat came free" in client.get("/notifications").get_data(as_text=True)


def test_cancel_without_a_booking_says_so_and_unknown_session_is_404(client, learner):
    session = make_session(make_module("DP101"))
    response = client.post(f"/sessions/{session.id}/cancel", follow_redirects=True)
    assert response.status_code == 200
    assert "You have no place in this session to give up." in response.get_data(as_text=True)
    assert client.post("/sessions/999/book").status_code == 404
    assert client.get("/sessions/999").status_code == 404


def test_calendar_download_is_a_valid_ics(client, learner):
    session = make_session(make_module("DP101", title="Intro"))
    response = client.get(f"/sessions/{session.id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["summary"]) == "DP101 Intro"
    assert event.decoded("dtstart") == session.starts_at.replace(microsecond=0)
    assert str(event["location"]) == "Room 4"


def test_session_page_and_bookings_need_sign_in(client, app):
    session = make_session(make_module("DP101"))
    assert client.get(f"/sessions/{session.id}").status_code == 200
    assert client.post(f"/sessions/{session.id}/book").status_code == 302
    assert db.session.query(Booking).count() == 0
