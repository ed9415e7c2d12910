"""Delivering the outbox to a real SMTP server, and never in the way of a request."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from flask import request
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.notifications import mail
from app.notifications.mail import MAX_ATTEMPTS, deliver_pending, dispatcher, send_command
from app.notifications.models import OutboxEmail, OutboxStatus
from app.notifications.services import notify
from tests.factories import make_user
from tests.notifications.support import free_port


def only_email() -> OutboxEmail:
    db.session.rollback()  # end any read, so the mail worker's writes are visible
    return db.session.scalars(select(OutboxEmail)).one()


def wait_until(check, timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def queue_mail_view():
    """A page that notifies someone, as the enrolment pages will."""
    user = db.session.get(User, int(request.args["user"]))
    notify(user, kind="published", message="DM201 is published.", link="/modules/DM201")
    db.session.commit()
    return "queued"


def with_queue_page(app):
    app.add_url_rule("/test/queue-mail", view_func=queue_mail_view)
    return app


def test_pending_mail_reaches_the_smtp_server(make_mail_app, smtp_server):
    inbox, port = smtp_server
    app = make_mail_app(port)
    with app.app_context():
        ana = make_user("ana@example.com")
        notify(ana, kind="published", message="DM201 is published.", link="/modules/DM201")
        notify(ana, kind="demand", message="Not by mail.", email=False)
        db.session.commit()
        assert deliver_pending() == (1, 0)
        [message] = inbox.messages
        assert inbox.recipients == [["ana@example.com"]]
        assert message["To"] == "ana@example.com"
        assert message["From"] == "academy@example.com"
        assert message["Subject"] == "DM201 is published."
        assert message.get_content().splitlines() == [
            "DM201 is published.",
            "",
            "https://academy.example.com/modules/DM201",
        ]
        email = only_email()
        assert (email.status, email.attempts, email.last_error) == (OutboxStatus.SENT, 1, None)
        assert email.sent_at is not None
        assert deliver_pending() == (0, 0)  # nothing is sent twice
        assert len(inbox.messages) == 1


def test_delivery_signs_in_when_a_username_is_set(make_mail_app, smtp_server_with_login):
    inbox, accounts, port = smtp_server_with_login
    app = make_mail_app(port, MAIL_USERNAME="academy", MAIL_PASSWORD="s3cret")
    with app.app_context():
        notify(make_user(), kind="demand", message="Signed in")
        db.session.commit()
        assert deliver_pending() == (1, 0)
    assert accounts.logins == ["academy"]
    assert [m["Subject"] for m in inbox.messages] == ["Signed in"]


def test_a_wrong_password_fails_the_attempt(make_mail_app, smtp_server_with_login):
    inbox, accounts, port = smtp_server_with_login
    app = make_mail_app(port, MAIL_USERNAME="academy", MAIL_PASSWORD="wrong")
    with app.app_context():
        notify(make_user(), kind="demand", message="Not signed in")
        db.session.commit()
        assert deliver_pending() == (0, 1)
        assert "SMTPAuthenticationError" in only_email().last_error
    assert inbox.messages == []


def test_tls_is_required_when_asked_for(make_mail_app, smtp_server):
    inbox, port = smtp_server  # offers no STARTTLS
    app = make_mail_app(port, MAIL_USE_TLS=True)
    with app.app_context():
        notify(make_user(), kind="demand", message="Never in clear text")
        db.session.commit()
        assert deliver_pending() == (0, 1)
        assert "STARTTLS extension not supported" in only_email().last_error
    assert inbox.messages == []


def test_held_and_sent_mail_is_left_alone(make_mail_app, smtp_server):
    inbox, port = smtp_server
    app = make_mail_app(port)
    with app.app_context():
        for status in (OutboxStatus.HELD, OutboxStatus.SENT, OutboxStatus.FAILED):
            db.session.add(
                OutboxEmail(to_address="a@example.com", subject="s", body="b", status=status)
            )
        db.session.commit()
        assert deliver_pending() == (0, 0)
        assert inbox.messages == []


def test_delivery_sends_at_most_the_limit(make_mail_app, smtp_server):
    inbox, port = smtp_server
    app = make_mail_app(port)
    with app.app_context():
        for n in range(3):
            notify(make_user(), kind="demand", message=f"message {n}")
        db.session.commit()
        assert deliver_pending(limit=2) == (2, 0)
        assert deliver_pending(limit=2) == (1, 0)
        assert [m["Subject"] for m in inbox.messages] == ["message 0", "message 1", "message 2"]


@pytest.mark.postgres
def test_a_message_another_process_is_sending_is_skipped(make_mail_app, smtp_server):
    inbox, port = smtp_server
    app = make_mail_app(port)
    with app.app_context():
        notify(make_user(), kind="demand", message="being sent elsewhere")
        notify(make_user(), kind="demand", message="free")
        db.session.commit()
        busy = select(OutboxEmail.id).where(OutboxEmail.subject == "being sent elsewhere")
        with db.engine.connect() as other_worker:
            other_worker.execute(busy.with_for_update())
            assert deliver_pending() == (1, 0)
            other_worker.rollback()
        assert deliver_pending() == (1, 0)
        assert [m["Subject"] for m in inbox.messages] == ["free", "being sent elsewhere"]


def test_an_unreachable_server_fails_the_message_after_three_attempts(make_mail_app):
    app = make_mail_app(free_port())  # nothing listens there: connection refused
    with app.app_context():
        notify(make_user(), kind="demand", message="DM201 is in demand.")
        db.session.commit()
        for attempt in range(1, MAX_ATTEMPTS):
            assert deliver_pending() == (0, 1)
            email = only_email()
            assert (email.status, email.attempts) == (OutboxStatus.PENDING, attempt)
        assert deliver_pending() == (0, 1)
        email = only_email()
        assert (email.status, email.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
        assert "ConnectionRefusedError" in email.last_error
        assert email.sent_at is None
        assert deliver_pending() == (0, 0)  # given up on


def test_a_message_the_server_refuses_does_not_stop_the_rest(make_mail_app, smtp_server):
    inbox, port = smtp_server
    app = make_mail_app(port)
    with app.app_context():
        inbox.refuse.add("gone@example.com")
        notify(make_user("gone@example.com"), kind="demand", message="To someone who left")
        notify(make_user("bo@example.com"), kind="demand", message="To Bo")
        db.session.commit()
        assert deliver_pending() == (1, 1)
        assert [m["To"] for m in inbox.messages] == ["bo@example.com"]
        rows = db.session.execute(
            select(OutboxEmail.to_address, OutboxEmail.status, OutboxEmail.last_error)
        )
        outcome = {to: (status, error) for to, status, error in rows}
        assert outcome["bo@example.com"] == (OutboxStatus.SENT, None)
        status, error = outcome["gone@example.com"]
        assert status == OutboxStatus.PENDING  # tried again next time, up to three times
        assert "SMTPRecipientsRefused" in error and "No such user" in error


def test_the_send_mail_command(make_mail_app, smtp_server):
    inbox, port = smtp_server
    app = make_mail_app(port)
    with app.app_context():
        notify(make_user(), kind="demand", message="DM201 is in demand.")
        db.session.commit()
        result = app.test_cli_runner().invoke(send_command)
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed attempt(s)" in result.output
    assert len(inbox.messages) == 1


def test_the_send_mail_command_needs_a_mail_server(runner):
    result = runner.invoke(send_command)
    assert result.exit_code != 0
    assert "MAIL_SERVER is not set" in result.output


# The background worker.


def test_a_request_that_queues_mail_has_it_sent_in_the_background(make_mail_app, smtp_server):
    inbox, port = smtp_server
    app = with_queue_page(make_mail_app(port))
    with app.app_context():
        ana = make_user("ana@example.com")
        response = app.test_client().get(f"/test/queue-mail?user={ana.id}")
        assert response.status_code == 200
        [message] = inbox.wait_for(1)
        assert message["Subject"] == "DM201 is published."
        assert wait_until(lambda: only_email().status == OutboxStatus.SENT)


def test_a_hung_mail_server_does_not_slow_the_request(make_mail_app, monkeypatch):
    # The server takes the connection and says nothing until the test lets go, so
    # the order of events is fixed: the page answers, then the worker connects and
    # waits, then the attempt fails. A request that waited for the server could
    # not answer before its attempt had ended.
    monkeypatch.setattr(mail, "SMTP_TIMEOUT_SECONDS", 60)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(30)
        app = with_queue_page(make_mail_app(listener.getsockname()[1]))
        with app.app_context():
            ana = make_user("ana@example.com")
            response = app.test_client().get(f"/test/queue-mail?user={ana.id}")
            assert response.status_code == 200
            assert only_email().attempts == 0
            connection, _ = listener.accept()  # the worker, waiting for a greeting
            with connection:
                assert only_email().attempts == 0
            assert wait_until(lambda: only_email().attempts == 1)
            email = only_email()
            assert email.status == OutboxStatus.PENDING
            assert "closed" in email.last_error.lower()


def test_the_worker_swallows_its_errors(make_mail_app, monkeypatch, caplog):
    ran = threading.Event()

    def broken_delivery(limit=100):
        ran.set()
        raise RuntimeError("the database went away")

    monkeypatch.setattr(mail, "deliver_pending", broken_delivery)
    app = with_queue_page(make_mail_app(free_port()))
    with app.app_context():
        ana = make_user("ana@example.com")
        client = app.test_client()
        assert client.get(f"/test/queue-mail?user={ana.id}").status_code == 200
        assert ran.wait(5)
        dispatcher.stop(app)
    assert "Outbox delivery failed" in caplog.text
    assert "the database went away" in caplog.text


def test_without_a_mail_server_there_is_no_worker(app):
    dispatcher.init_app(app)
    assert mail.EXTENSION_KEY not in app.extensions
    notify(make_user(), kind="demand", message="Held")
    db.session.commit()
    assert only_email().status == OutboxStatus.HELD


@pytest.fixture(autouse=True)
def _no_stray_workers():
    """Every test here stops the worker threads it started."""
    yield
    assert not [t for t in threading.enumerate() if t.name == "academy-mail" and t.is_alive()]
