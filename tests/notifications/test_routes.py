"""The notifications page, marking read, the unread badge and the admins' outbox."""

import pytest
from flask import render_template_string

from app.accounts.models import Role
from app.extensions import db
from app.notifications.models import OutboxEmail, OutboxStatus
from app.notifications.services import notify, unread_count
from tests.factories import make_user
from tests.support import count_queries


@pytest.fixture
def ana(app, auth):
    user = make_user("ana@example.com")
    auth.login("ana@example.com")
    return user


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_the_list_shows_only_your_notifications(client, ana):
    notify(ana, kind="published", message="DM201 is published.", link="/modules/DM201")
    notify(make_user(), kind="nomination", message="Someone else's news")
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert '<a href="/modules/DM201">DM201 is published.</a>' in page
    assert "Someone else" not in page
    assert "1 unread" in page and "Mark all as read" in page


def test_mark_all_read(client, ana):
    notify(ana, kind="demand", message="one")
    notify(ana, kind="demand", message="two")
    db.session.commit()
    response = client.post("/notifications/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notifications")
    assert unread_count(ana.id) == 0
    page = client.get("/notifications").get_data(as_text=True)
    assert "Marked 2 notifications as read." in page
    assert "0 unread" in page and "Mark all as read" not in page


def test_mark_one_read(client, ana):
    first = notify(ana, kind="demand", message="one")
    notify(ana, kind="demand", message="two")
    db.session.commit()
    assert client.post(f"/notifications/{first.id}/read").status_code == 302
    db.session.refresh(first)
    assert first.read_at is not None
    assert unread_count(ana.id) == 1


def test_someone_elses_notification_is_not_found(client, ana):
    theirs = notify(make_user(), kind="demand", message="theirs")
    db.session.commit()
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_unread_notifications_are_marked(client, ana):
    read = notify(ana, kind="demand", message="old news")
    notify(ana, kind="demand", message="fresh news")
    read.read_at = read.created_at
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('<span class="badge">Unread</span>') == 1
    assert page.index("Unread") < page.index("fresh news")
    assert 'Mark as read<span class="visually-hidden">: fresh news' in page
    assert 'Mark as read<span class="visually-hidden">: old news' not in page


def test_the_badge_count_is_zero_for_anonymous_visitors(app):
    with app.test_request_context():
        assert render_template_string("{{ unread_notifications }}") == "0"


def test_the_badge_costs_one_count_query(client, ana):
    for n in range(3):
        notify(ana, kind="demand", message=f"news {n}")
    db.session.commit()
    with count_queries() as statements:
        page = client.get("/notifications").get_data(as_text=True)
    assert "3 unread" in page
    counts = [s for s in statements if "count(" in s.lower() and "notifications" in s]
    assert len(counts) == 1


# The outbox.


def _email(status: OutboxStatus, to: str = "ana@example.com", **fields) -> OutboxEmail:
    fields.setdefault("body", "The body")
    email = OutboxEmail(to_address=to, subject=f"A {status} message", status=status, **fields)
    db.session.add(email)
    return email


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR])
def test_the_outbox_is_for_admins_only(client, auth, role):
    make_user("someone@example.com", role=role)
    auth.login("someone@example.com")
    assert client.get("/admin/outbox").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_for_the_outbox(client):
    response = client.get("/admin/outbox")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_admins_read_the_outbox(client, admin):
    _email(OutboxStatus.HELD, body="Dear Ana,\nDM201 is published.")
    _email(OutboxStatus.FAILED, attempts=3, last_error="ConnectionRefusedError: nope")
    db.session.commit()
    response = client.get("/admin/outbox")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 messages" in page
    assert "<summary>A held message</summary>" in page
    assert "Dear Ana,\nDM201 is published." in page
    assert "ConnectionRefusedError: nope" in page
    assert "No mail server is configured" in page
    # Newest first.
    assert page.index("A failed message") < page.index("A held message")


def test_the_outbox_filters_by_status(client, admin):
    _email(OutboxStatus.HELD)
    _email(OutboxStatus.SENT)
    db.session.commit()
    page = client.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert "A sent message" in page and "A held message" not in page
    unknown = client.get("/admin/outbox?status=lost").get_data(as_text=True)
    assert "A sent message" in unknown and "A held message" in unknown
    assert "Not a valid choice" in unknown


def test_the_outbox_is_paginated(client, admin):
    for n in range(51):
        _email(OutboxStatus.HELD, to=f"person{n}@example.com")
    db.session.commit()
    first = client.get("/admin/outbox?status=held").get_data(as_text=True)
    assert "person50@example.com" in first and "person0@example.com" not in first
    assert "/admin/outbox?page=2&amp;status=held" in first
    second = client.get("/admin/outbox?page=2&status=held").get_data(as_text=True)
    assert "person0@example.com" in second and "person50@example.com" not in second
