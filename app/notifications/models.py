"""In-app notifications and the outbox of e-mail waiting to be (or already) sent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import utcnow
from app.extensions import db
from app.types import UTCDateTime


class OutboxStatus(StrEnum):
    """Where an outbox message stands."""

    PENDING = "pending"  # waiting for the mail worker
    SENT = "sent"
    FAILED = "failed"  # given up on after too many attempts
    HELD = "held"  # no mail server configured: kept for admins to read in the site


class Notification(db.Model):
    """One thing the academy told one person, shown in the site until they read it."""

    __tablename__ = "notifications"
    # Serves both "this person's notifications" and the unread count in the nav,
    # which runs on every page a signed-in person sees; user_id leads, so no
    # separate index on it is needed.
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(500))
    # A path on this site, such as /modules/DM201; never another host.
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} for user {self.user_id}>"


class OutboxEmail(db.Model):
    """An e-mail the academy means to send, kept after sending so admins can read it."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Kept when the account goes: the outbox is a record of what was sent to whom.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<OutboxEmail {self.id} {self.status} to {self.to_address}>"
