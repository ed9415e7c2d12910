"""The playground's query history, and who may read the restricted tier, with its audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, utcnow
from app.extensions import db
from app.types import UTCDateTime


class PlaygroundQuery(db.Model):
    """One query a learner ran, with how it went."""

    __tablename__ = "playground_queries"
    __table_args__ = (Index("ix_playground_queries_user_recent", "user_id", "ran_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sql: Mapped[str] = mapped_column(Text)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    row_count: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))


class RestrictedGrant(db.Model):
    """An admin's permission for one learner to read the restricted tier, and why.

    Active from ``granted_at`` until revoked or, if set, until ``expires_at``.
    Rows are never deleted: a revoked grant stays as the record of who had access.
    """

    __tablename__ = "restricted_grants"
    __table_args__ = (Index("ix_restricted_grants_user", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])

    def active_at(self, when: datetime) -> bool:
        """Whether the grant lets its learner read restricted values at ``when``."""
        return self.revoked_at is None and (self.expires_at is None or when < self.expires_at)


class RestrictedAudit(db.Model):
    """One entry of the restricted tier's audit log: a grant, a revoke or a query.

    ``actor`` did it (the admin for grants and revokes, the learner for queries);
    ``subject`` is the learner whose access it concerns. Kept as text too, so the
    log still says who after an account is deleted.
    """

    __tablename__ = "restricted_audit"
    __table_args__ = (Index("ix_restricted_audit_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(16))  # grant, revoke, query, notebook
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject_email: Mapped[str] = mapped_column(String(254))
    grant_id: Mapped[int | None] = mapped_column(
        ForeignKey("restricted_grants.id", ondelete="SET NULL")
    )
    reason: Mapped[str | None] = mapped_column(Text)  # grants, revokes; what a notebook opened
    sql: Mapped[str | None] = mapped_column(Text)  # for queries
    columns: Mapped[str | None] = mapped_column(Text)  # "raw.responses.buyer_email, ..."
