"""Interest in planned modules: the demand signal that decides what gets written."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import utcnow
from app.extensions import db
from app.types import UTCDateTime


class Interest(db.Model):
    """A learner wants a planned module written; at most one per learner and module."""

    __tablename__ = "interests"
    __table_args__ = (
        UniqueConstraint("module_id", "user_id"),
        # The demand page ranks each module's interest newest first.
        Index("ix_interests_module_recent", "module_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
