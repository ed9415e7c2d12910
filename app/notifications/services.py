"""Telling people things: in-app notifications, and e-mail queued in the outbox. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import func, select, update

from app.accounts.models import User, utcnow
from app.extensions import db
from app.notifications.mail import mail_configured, note_mail_queued
from app.notifications.models import Notification, OutboxEmail, OutboxStatus

MESSAGE_LENGTH = 500
SUBJECT_LENGTH = 200


def _clip(text: str, length: int) -> str:
    """Fit ``text`` in a column, on one line, rather than fail the request that sent it."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _check_link(link: str | None) -> None:
    # Links are rendered as hrefs and put in e-mail; only paths on this site
    # (not "//other.host" or "javascript:") may go there.
    if link is not None and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"A notification link must be a path on this site, not {link!r}.")


def _email_body(message: str, link: str | None) -> str:
    lines = [message]
    if link:
        lines += ["", current_app.config["ACADEMY_BASE_URL"].rstrip("/") + link]
    return "\n".join(lines) + "\n"


def _outbox_email(user: User, message: str, link: str | None, subject: str | None) -> OutboxEmail:
    configured = mail_configured()
    email = OutboxEmail(
        to_address=user.email,
        subject=_clip(subject or message, SUBJECT_LENGTH),
        body=_email_body(message, link),
        status=(OutboxStatus.PENDING if configured else OutboxStatus.HELD).value,
        attempts=0,
        user_id=user.id,
    )
    if configured:
        note_mail_queued()
    return email


def notify(
    user: User,
    *,
    kind: str,
    message: str,
    link: str | None = None,
    email: bool = True,
    subject: str | None = None,
) -> Notification:
    """Tell one person something in the site and, unless ``email`` is False, by e-mail.

    Deactivated accounts still get the in-app notification (it is there if they
    come back) but no e-mail. Without a mail server the e-mail is held in the
    outbox for admins to read; with one, it waits for the mail worker.
    """
    _check_link(link)
    notification = Notification(
        user_id=user.id, kind=kind, message=_clip(message, MESSAGE_LENGTH), link=link
    )
    db.session.add(notification)
    if email and user.active:
        db.session.add(_outbox_email(user, message, link, subject))
    db.session.flush()
    return notification


def notify_many(users: Iterable[User], **details) -> list[Notification]:
    """Tell each of ``users`` the same thing; takes the same keywords as ``notify``."""
    return [notify(user, **details) for user in users]


def unread_count(user_id: int) -> int:
    """How many of this person's notifications they have not read."""
    query = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return db.session.scalar(query) or 0


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    """This person's latest notifications, newest first."""
    query = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of this person read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


def mark_read(user_id: int, notification_id: int) -> bool:
    """Mark one of this person's notifications read; False if it is not theirs."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        return False
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return True
