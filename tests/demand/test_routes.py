"""Registering interest from the module page, and the publication notice from sync."""

from sqlalchemy import select

from app.demand.models import Interest
from app.extensions import db
from tests.factories import course_text, make_module, make_user, notifications_for, write_course


def test_a_learner_registers_and_withdraws_interest(client, auth, app):
    make_module("DS301", level=300, planned=True)
    learner = make_user("ana@example.com")
    auth.login("ana@example.com")
    page = client.get("/modules/DS301").get_data(as_text=True)
    assert "I want this module" in page and "0</strong> of 5" in page
    response = client.post("/modules/DS301/interest", data={"note": "Feature stores please"})
    assert response.status_code == 302
    page = client.get("/modules/DS301").get_data(as_text=True)
    assert "we'll tell you when it's written" in page and "Feature stores please" in page
    client.post("/modules/DS301/interest/withdraw")
    assert db.session.scalar(select(Interest).where(Interest.user_id == learner.id)) is None


def test_interest_needs_sign_in_and_a_real_module(client, auth, app):
    make_module("DS301", level=300, planned=True)
    assert client.post("/modules/DS301/interest").status_code == 302  # to sign in
    make_user("ana@example.com")
    auth.login("ana@example.com")
    assert client.post("/modules/NOPE999/interest").status_code == 404


def test_a_note_that_is_too_long_is_a_form_error(client, auth, app):
    make_module("DS301", level=300, planned=True)
    make_user("ana@example.com")
    auth.login("ana@example.com")
    response = client.post("/modules/DS301/interest", data={"note": "x" * 501})
    assert response.status_code == 400
    assert "Field cannot be longer than 500 characters" in response.get_data(as_text=True)


def test_learners_never_see_each_others_notes(client, auth, app):
    stub = make_module("DS301", level=300, planned=True)
    other = make_user("other@example.com")
    db.session.add(Interest(user_id=other.id, module_id=stub.id, note="my secret hope"))
    db.session.commit()
    make_user("ana@example.com")
    auth.login("ana@example.com")
    assert "my secret hope" not in client.get("/modules/DS301").get_data(as_text=True)
    assert client.get("/teach/demand").status_code == 403


def test_sync_announces_a_published_stub_once(runner, courses_dir, app):
    write_course(courses_dir, "ds301.md", course_text("DS301", level=300))
    runner.invoke(args=["academy", "sync"])
    learner = make_user()
    stub = db.session.scalar(select(Interest.__table__.c.id).limit(1))
    assert stub is None
    from app.catalogue.services import get_module
    from app.demand.services import register_interest

    register_interest(learner, get_module("DS301"))
    db.session.commit()
    write_course(courses_dir, "ds301.md", course_text("DS301", level=300, body="Now written."))
    result = runner.invoke(args=["academy", "sync"])
    assert "told 1 interested learner" in result.output
    assert len(notifications_for(learner, "published")) == 1
    write_course(courses_dir, "ds301.md", course_text("DS301", level=300, body="Edited again."))
    runner.invoke(args=["academy", "sync"])
    assert len(notifications_for(learner, "published")) == 1
