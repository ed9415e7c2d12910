"""Completions: the record that a learner finished a module."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import utcnow
from app.extensions import db
from app.types import UTCDateTime


class Completion(db.Model):
    """A learner completed a module; at most one per learner and module."""

    __tablename__ = "completions"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How it was earned: marked by an instructor, or (later) by passing graded exercises.
    source: Mapped[str] = mapped_column(String(32), default="instructor")
