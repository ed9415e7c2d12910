"""Nominating colleagues, answering nominations, and the academy's view of them."""

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import NominationError, nominate, summary
from tests.factories import make_module, make_user, notifications_for


@pytest.fixture
def people(app):
    return make_user("nina@example.com", name="Nina"), make_user("omar@example.com", name="Omar")


def test_nominee_is_told_and_sees_it(client, auth, people):
    nina, omar = people
    make_module("DP101")
    auth.login("nina@example.com")
    response = client.post(
        "/modules/DP101/nominate",
        data={"email": "omar@example.com", "reason": "You ask about zones daily"},
    )
    assert response.status_code == 302
    (note,) = notifications_for(omar, "nomination")
    assert "Nina nominated you for DP101" in note.message
    auth.logout()
    auth.login("omar@example.com")
    page = client.get("/learning").get_data(as_text=True)
    assert "Nina</strong> nominated you for" in page and "You ask about zones daily" in page


def test_accepting_enrols_and_counts_as_converted(client, auth, people):
    nina, omar = people
    module = make_module("DP101")
    nomination = nominate(nina, "omar@example.com", module, "Great start")
    db.session.commit()
    auth.login("omar@example.com")
    page = client.post(f"/nominations/{nomination.id}/accept", follow_redirects=True)
    assert "enrolled in DP101" in page.get_data(as_text=True)
    db.session.refresh(nomination)
    assert nomination.status == "accepted" and nomination.enrolment_id is not None
    assert summary().accepted == 1 and summary().conversion == 1.0


def test_accepting_without_prerequisites_is_refused_and_stays_pending(client, auth, people):
    nina, omar = people
    intro = make_module("DP101")
    joins = make_module("DM201", level=200, prerequisites=(intro,))
    nomination = nominate(nina, "omar@example.com", joins, "You need joins")
    db.session.commit()
    auth.login("omar@example.com")
    page = client.post(f"/nominations/{nomination.id}/accept", follow_redirects=True)
    assert "first complete" in page.get_data(as_text=True)
    db.session.refresh(nomination)
    assert nomination.status == "pending"


def test_declining(client, auth, people):
    nina, omar = people
    nomination = nominate(nina, "omar@example.com", make_module("DP101"), "Try it")
    db.session.commit()
    auth.login("omar@example.com")
    client.post(f"/nominations/{nomination.id}/decline")
    db.session.refresh(nomination)
    assert nomination.status == "declined"
    assert summary().declined == 1 and summary().conversion == 0.0


def test_only_the_nominee_can_answer(client, auth, people):
    nina, omar = people
    nomination = nominate(nina, "omar@example.com", make_module("DP101"), "Try it")
    db.session.commit()
    make_user("eve@example.com")
    auth.login("eve@example.com")
    assert client.post(f"/nominations/{nomination.id}/accept").status_code == 403
    assert client.post(f"/nominations/{nomination.id}/decline").status_code == 403
    assert client.post("/nominations/999/accept").status_code == 404


def test_bad_nominations_are_form_errors(client, auth, people):
    make_module("DP101")
    auth.login("nina@example.com")
    for data, message in [
        ({"email": "nobody@example.com", "reason": "Because"}, "no active colleague"),
        ({"email": "nina@example.com", "reason": "Because"}, "can&#39;t nominate yourself"),
        ({"email": "not-an-email", "reason": "Because"}, "Invalid email address"),
        ({"email": "omar@example.com", "reason": ""}, "This field is required"),
    ]:
        response = client.post("/modules/DP101/nominate", data=data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True), message
    assert db.session.query(Nomination).count() == 0


def test_the_same_nomination_twice_is_refused(people):
    nina, omar = people
    module = make_module("DP101")
    nominate(nina, "omar@example.com", module, "Once")
    with pytest.raises(NominationError, match="already nominated"):
        nominate(nina, "omar@example.com", module, "Twice")


def test_the_academy_sees_who_nominated_whom(client, auth, people):
    nina, omar = people
    nominate(nina, "omar@example.com", make_module("DP101"), "Try it")
    db.session.commit()
    make_user("teacher@example.com", role=Role.INSTRUCTOR)
    auth.login("teacher@example.com")
    page = client.get("/teach/nominations").get_data(as_text=True)
    assert "1 nominations: 0 became enrolments" in page
    assert "<td>Nina</td>" in page and "<td>Omar</td>" in page
    auth.logout()
    auth.login("omar@example.com")
    assert client.get("/teach/nominations").status_code == 403
