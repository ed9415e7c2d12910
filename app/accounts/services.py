"""Account rules: finding, creating and authenticating staff. Callers commit."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.extensions import db


class AccountError(Exception):
    """A request about accounts that the rules refuse."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    """The account with this email, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active account these credentials belong to, else None."""
    user = find_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def create_user(
    email: str,
    name: str,
    *,
    password: str | None = None,
    persona: str | None = None,
    role: Role | str = Role.LEARNER,
) -> User:
    """Add a new account; raises AccountError if the email is taken."""
    if find_by_email(email) is not None:
        raise AccountError(f"An account for {normalise_email(email)} already exists.")
    user = User(email=normalise_email(email), name=name.strip(), persona=persona, role=Role(role))
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def count_admins(active_only: bool = True) -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN)
    if active_only:
        query = query.where(User.active.is_(True))
    return db.session.scalar(query) or 0
