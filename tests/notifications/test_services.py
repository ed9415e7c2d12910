"""Notifying people: the notification, the outbox row, and reading them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification, OutboxEmail, OutboxStatus
from app.notifications.services import (
    mark_all_read,
    mark_read,
    notify,
    notify_many,
    recent,
    unread_count,
)
from tests.factories import make_user


def outbox() -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_notify_adds_a_notification_and_holds_the_email_without_a_mail_server(make_app):
    app = make_app(ACADEMY_BASE_URL="https://academy.example.com/")
    with app.app_context():
        ana = make_user("ana@example.com")
        note = notify(
            ana, kind="published", message="DM201 is published: enrol now.", link="/modules/DM201"
        )
        db.session.commit()
        assert (note.user_id, note.kind, note.link, note.read_at) == (
            ana.id,
            "published",
            "/modules/DM201",
            None,
        )
        [email] = outbox()
        assert email.status == OutboxStatus.HELD
        assert (email.to_address, email.user_id, email.attempts) == ("ana@example.com", ana.id, 0)
        assert email.subject == "DM201 is published: enrol now."
        assert email.body == (
            "DM201 is published: enrol now.\n\nhttps://academy.example.com/modules/DM201\n"
        )


def test_email_waits_for_the_worker_when_a_mail_server_is_set(make_app):
    app = make_app(MAIL_SERVER="smtp.example.com")
    with app.app_context():
        notify(make_user(), kind="demand", message="DM201 is in demand.", subject="Demand")
        [email] = outbox()
        assert email.status == OutboxStatus.PENDING
        assert email.subject == "Demand"


def test_deactivated_accounts_get_the_notification_but_no_email(app):
    gone = make_user(active=False)
    notify(gone, kind="nomination", message="Bo nominated you for DP101.")
    assert unread_count(gone.id) == 1
    assert outbox() == []


def test_email_can_be_left_out(app):
    ana = make_user()
    notify(ana, kind="waitlist_promoted", message="You have a place.", email=False)
    assert unread_count(ana.id) == 1
    assert outbox() == []


def test_long_messages_are_clipped_to_fit_rather_than_failing(app):
    note = notify(make_user(), kind="demand", message="word " * 200)
    db.session.commit()
    assert len(note.message) == 500 and note.message.endswith("…")
    [email] = outbox()
    assert len(email.subject) == 200
    assert email.body.startswith("word " * 200)  # the e-mail has room for all of it


@pytest.mark.parametrize("link", ["https://evil.example.com/", "//evil.example.com", "modules"])
def test_links_must_be_paths_on_this_site(app, link):
    with pytest.raises(ValueError, match="path on this site"):
        notify(make_user(), kind="demand", message="Look", link=link)


def test_notify_many_tells_each_person(app):
    people = [make_user(), make_user(), make_user(active=False)]
    notes = notify_many(people, kind="published", message="DM201 is published.")
    assert [n.user_id for n in notes] == [p.id for p in people]
    assert len(outbox()) == 2


def test_recent_is_newest_first_and_only_yours(app):
    ana, bo = make_user(), make_user()
    first = notify(ana, kind="demand", message="first")
    second = notify(ana, kind="demand", message="second")
    first.created_at = second.created_at - timedelta(minutes=5)
    notify(bo, kind="demand", message="not Ana's")
    db.session.commit()
    assert [n.message for n in recent(ana.id)] == ["second", "first"]
    assert [n.message for n in recent(ana.id, limit=1)] == ["second"]


def test_mark_all_read_touches_only_your_unread_notifications(app):
    ana, bo = make_user(), make_user()
    notify_many([ana, ana, bo], kind="demand", message="Hello", email=False)
    assert mark_all_read(ana.id) == 2
    db.session.commit()
    assert (unread_count(ana.id), unread_count(bo.id)) == (0, 1)
    assert mark_all_read(ana.id) == 0


def test_mark_read_refuses_someone_elses_notification(app):
    ana, bo = make_user(), make_user()
    bos = notify(bo, kind="nomination", message="For Bo", email=False)
    db.session.commit()
    assert mark_read(ana.id, bos.id) is False
    assert mark_read(ana.id, 999_999) is False
    db.session.refresh(bos)
    assert bos.read_at is None
    assert mark_read(bo.id, bos.id) is True
    db.session.commit()
    assert db.session.get(Notification, bos.id).read_at is not None
    assert unread_count(bo.id) == 0
