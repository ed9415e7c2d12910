"""Delivering the outbox by SMTP, always outside the request that queued the mail.

A request only adds rows to ``outbox_emails`` and, at most, sets an event. One
daemon thread per process does the slow part, so a slow or broken mail server
can never slow down or break a page.
"""

from __future__ import annotations

import smtplib
import threading
from email.message import EmailMessage

import click
from flask import Flask, current_app, g
from sqlalchemy import select

from app.accounts.models import utcnow
from app.extensions import db
from app.notifications.models import OutboxEmail, OutboxStatus

MAX_ATTEMPTS = 3
SMTP_TIMEOUT_SECONDS = 10
# How often the worker looks at the outbox without being woken: it retries
# failed attempts and picks up mail that command-line runs queued.
POLL_SECONDS = 60
EXTENSION_KEY = "academy_mail"
_QUEUED_FLAG = "_notifications_mail_queued"


def mail_configured() -> bool:
    """True when a mail server is set, so queued mail is really sent."""
    return bool(current_app.config["MAIL_SERVER"])


def note_mail_queued() -> None:
    """Remember that this request queued mail, so the worker is woken when it ends."""
    setattr(g, _QUEUED_FLAG, True)


def _message(email: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message.set_content(email.body)
    return message


def _connect(config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _record_failure(email: OutboxEmail, error: Exception) -> None:
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"
    if email.attempts >= MAX_ATTEMPTS:
        email.status = OutboxStatus.FAILED.value


def _next_pending(after_id: int) -> OutboxEmail | None:
    # SKIP LOCKED lets several web processes drain the outbox at once on
    # PostgreSQL without sending a message twice; SQLite ignores the clause
    # (and the embedded mode runs one process anyway).
    return db.session.scalar(
        select(OutboxEmail)
        .where(OutboxEmail.status == OutboxStatus.PENDING, OutboxEmail.id > after_id)
        .order_by(OutboxEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def _send(smtp: smtplib.SMTP, email: OutboxEmail, sender: str) -> bool:
    """Send one message and record the outcome on its row; True when it went."""
    try:
        smtp.send_message(_message(email, sender))
    # Anything wrong with one message (a refused recipient, a header the email
    # package rejects, a dropped connection) must fail that message, not stop
    # the queue behind it.
    except Exception as error:
        _record_failure(email, error)
        return False
    email.attempts += 1
    email.status = OutboxStatus.SENT.value
    email.sent_at = utcnow()
    return True


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Send up to ``limit`` pending messages; returns (sent, failed attempts).

    Its own unit of work, committing after each message so that a crash resends
    at most one. A message that fails stays pending until it has failed
    ``MAX_ATTEMPTS`` times, then is marked failed with its last error.
    """
    config = current_app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    sent = failed = last_id = 0
    smtp: smtplib.SMTP | None = None
    try:
        while sent + failed < limit and (email := _next_pending(last_id)) is not None:
            last_id = email.id
            try:
                smtp = smtp or _connect(config)
            except Exception as error:
                # The rest of the queue would wait out the same timeout and fail
                # the same way; leave it for the next run.
                _record_failure(email, error)
                db.session.commit()
                return sent, failed + 1
            if _send(smtp, email, sender):
                sent += 1
            else:
                failed += 1
                _close(smtp)  # the connection may be unusable now; open a new one
                smtp = None
            db.session.commit()
    finally:
        _close(smtp)
    return sent, failed


class _Worker:
    """One long-lived daemon thread per process that drains the outbox when woken."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.event = threading.Event()
        self.stopping = False
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def wake(self) -> None:
        """Ask for a delivery run soon; returns at once."""
        with self._lock:
            # Started on first use rather than at start-up, so command-line runs
            # never start it and a forking server starts it in each worker process.
            if self.thread is None or not self.thread.is_alive():
                self.stopping = False
                self.thread = threading.Thread(target=self._run, name="academy-mail", daemon=True)
                self.thread.start()
        self.event.set()

    def stop(self, timeout: float | None = None) -> None:
        """End the thread after its current run (used by tests and shutdown)."""
        self.stopping = True
        self.event.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        while not self.stopping:
            self.event.wait(POLL_SECONDS)
            if self.stopping:
                break
            # Cleared before the run, so mail queued during it wakes another.
            self.event.clear()
            self._deliver()

    def _deliver(self) -> None:
        try:
            with self.app.app_context():
                sent, failed = deliver_pending()
                if failed:
                    self.app.logger.warning("Outbox: %d sent, %d failed attempts", sent, failed)
        except Exception:
            self.app.logger.exception("Outbox delivery failed")


def _wake_after_request(error: BaseException | None) -> None:
    """Wake the worker if the request queued mail; never raises into the request."""
    if not g.pop(_QUEUED_FLAG, False):
        return
    try:
        current_app.extensions[EXTENSION_KEY].wake()
    except Exception:
        current_app.logger.exception("Could not wake the outbox worker")


class MailDispatcher:
    """Sends queued mail in the background when a mail server is configured."""

    def init_app(self, app: Flask) -> None:
        """Wire the worker into ``app``; without ``MAIL_SERVER`` mail stays held in the outbox."""
        if not app.config["MAIL_SERVER"] or EXTENSION_KEY in app.extensions:
            return
        app.extensions[EXTENSION_KEY] = _Worker(app)
        app.teardown_request(_wake_after_request)

    @staticmethod
    def stop(app: Flask, timeout: float | None = 5) -> None:
        """Stop ``app``'s worker thread, if it has one."""
        worker = app.extensions.get(EXTENSION_KEY)
        if worker is not None:
            worker.stop(timeout)


dispatcher = MailDispatcher()


@click.command("send-mail")
@click.option("--limit", default=100, show_default=True, help="Most messages to send.")
def send_command(limit: int) -> None:
    """Send pending outbox e-mail now."""
    if not mail_configured():
        raise click.ClickException("MAIL_SERVER is not set; mail stays held in the outbox.")
    sent, failed = deliver_pending(limit)
    click.echo(f"{sent} sent, {failed} failed attempt(s)")
