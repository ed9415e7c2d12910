"""Account rules: finding, creating and authenticating staff. Callers commit."""

from __future__ import annotations

import functools
import hmac
import secrets

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import Role, User
from app.extensions import db


class AccountError(Exception):
    """A request about accounts that the rules refuse."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    """The account with this email, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@functools.cache
def _decoy_hash() -> str:
    """A hash of nothing anyone types, to check against when there is no account."""
    return generate_password_hash(secrets.token_hex(16))


def authenticate(email: str, password: str) -> User | None:
    """The active account these credentials belong to, else None.

    A password is always checked against a hash, a decoy one when the email
    has no account, is inactive or signs in only through single sign-on, so a
    wrong guess takes as long whether or not the account exists.
    """
    user = find_by_email(email)
    usable = user is not None and user.active and user.password_hash is not None
    matched = check_password_hash(user.password_hash if usable else _decoy_hash(), password)
    return user if usable and matched else None


def start_session(user: User) -> None:
    """Give the account a session token, if it has none, before a cookie carries it."""
    if user.session_token is None:
        user.session_token = secrets.token_hex(16)
        db.session.flush()


def end_sessions(user: User) -> None:
    """Sign the account out everywhere: every cookie made with the old token stops working."""
    user.session_token = secrets.token_hex(16)
    db.session.flush()


def user_for_session(session_id: str) -> User | None:
    """The account a session or remember cookie names (``id:token``), if the token still holds."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token is None:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None


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
