"""Authorization codes and access tokens the academy has issued, kept as hashes only."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, TokenMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User, utcnow
from app.extensions import db
from app.types import UTCDateTime

# RFC 6749 section 4.1.2 recommends at most ten minutes; the hub redeems it at once.
CODE_LIFETIME = timedelta(minutes=5)


def digest(secret: str) -> str:
    """What is stored for a code or token: a stolen table cannot be replayed."""
    return hashlib.sha256(secret.encode()).hexdigest()


class AuthorizationCode(db.Model, AuthorizationCodeMixin):
    """A one-time code the academy gave a client for a signed-in account."""

    __tablename__ = "oauth_authorization_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return utcnow() > self.created_at + CODE_LIFETIME


class AccessToken(db.Model, TokenMixin):
    """A bearer token a client holds for an account, good for its scope until it expires."""

    __tablename__ = "oauth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_in: Mapped[int] = mapped_column(Integer)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()

    def check_client(self, client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return utcnow() >= self.issued_at + timedelta(seconds=self.expires_in)

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> User:
        return self.user
