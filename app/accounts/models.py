"""The staff account model."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.personas import BY_SLUG, Persona
from app.types import UTCDateTime


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the models use."""
    return datetime.now(UTC)


class Role(StrEnum):
    """What an account may do beyond learning."""

    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    """A member of staff: a learner with a persona, possibly also an instructor or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # None for accounts that only ever sign in through the company's single sign-on.
    password_hash: Mapped[str | None] = mapped_column(String(256))
    persona: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Part of every session cookie's identity: signing out replaces it, so a copied
    # or stolen cookie stops working on the server's side, not only in the browser.
    session_token: Mapped[str | None] = mapped_column(String(64))

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and remember cookies: id and session token."""
        return f"{self.id}:{self.session_token or ''}"

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_instructor(self) -> bool:
        """Instructors and admins both see the teaching side of the academy."""
        return self.role in (Role.INSTRUCTOR, Role.ADMIN)

    @property
    def persona_info(self) -> Persona | None:
        return BY_SLUG.get(self.persona) if self.persona else None

    def __repr__(self) -> str:
        return f"<User {self.email}>"
