"""Nominations: one colleague suggesting a module to another."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, utcnow
from app.catalogue.models import Module
from app.extensions import db
from app.types import UTCDateTime


class NominationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Nomination(db.Model):
    """Someone thinks a colleague should take a module, and says why."""

    __tablename__ = "nominations"
    __table_args__ = (UniqueConstraint("module_id", "nominator_id", "nominee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    nominator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nominee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=NominationStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="SET NULL")
    )

    module: Mapped[Module] = relationship()
    nominator: Mapped[User] = relationship(foreign_keys=[nominator_id])
    nominee: Mapped[User] = relationship(foreign_keys=[nominee_id])
