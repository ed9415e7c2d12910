"""What staff ran in the SQL playground, so they can find and rerun it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import utcnow
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
