"""Fixtures for notifications: a real local SMTP server, a dead one, and apps that send mail."""

from __future__ import annotations

import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.accounts.models import Role
from app.notifications.mail import dispatcher
from tests.factories import make_user
from tests.notifications.support import free_port
from tests.support import USING_POSTGRES


class Inbox:
    """An aiosmtpd handler that keeps every message it receives.

    Recipients in ``refuse`` are turned away, as a server does for an unknown mailbox.
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


class Accounts:
    """An aiosmtpd authenticator that knows one user and records who signed in."""

    def __init__(self, username: str, password: str) -> None:
        self.credentials = LoginPassword(username.encode(), password.encode())
        self.logins: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if auth_data == self.credentials:
            self.logins.append(auth_data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def smtp_server() -> tuple[Inbox, int]:
    """A real SMTP server on 127.0.0.1; yields its inbox and port."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def smtp_server_with_login() -> tuple[Inbox, Accounts, int]:
    """A real SMTP server that offers AUTH (over plain text: it is only on 127.0.0.1)."""
    inbox, accounts = Inbox(), Accounts("academy", "s3cret")
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=accounts,
        auth_require_tls=False,
    )
    controller.start()
    yield inbox, accounts, controller.port
    controller.stop()


@pytest.fixture
def make_mail_app(make_app, tmp_path) -> Callable:
    """An app that sends mail to ``port``, with its mail worker wired and stopped afterwards.

    The worker thread needs its own database connection, which an in-memory
    SQLite database cannot give it, so these apps use a file.
    """
    made = []

    def factory(port: int, **overrides):
        if not USING_POSTGRES:
            overrides.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'mail.sqlite'}")
        application = make_app(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=port,
            MAIL_DEFAULT_SENDER="academy@example.com",
            ACADEMY_BASE_URL="https://academy.example.com",
            **overrides,
        )
        dispatcher.init_app(application)  # a no-op once create_app wires it
        made.append(application)
        return application

    yield factory
    for application in made:
        dispatcher.stop(application)


@pytest.fixture
def admin(app, auth):
    user = make_user("admin@example.com", role=Role.ADMIN, persona=None)
    auth.login("admin@example.com")
    return user
