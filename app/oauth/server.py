"""The authorization server: the one registered client (the hub), its grant, its tokens.

The academy has exactly one OAuth client, the notebook hub, registered by configuration
(ACADEMY_HUB_CLIENT_ID, its secret and the hub's callback), not in a table: there is no
client registration to secure. It uses the authorization code grant, with PKCE when the
client sends a challenge (JupyterHub's OAuthenticator does). Consent is implied: the hub
is part of the academy, so a signed-in learner is sent straight back.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, current_app
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.hub.settings import OAUTH_SCOPE, RESTRICTED_CLAIM, oauth_redirect_uri
from app.lake.privacy.grants import active_grant
from app.oauth.models import AccessToken, AuthorizationCode, digest

TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


@dataclass(frozen=True)
class RegisteredClient(ClientMixin):
    """A confidential client known from the settings: its id, secret and one callback."""

    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str = OAUTH_SCOPE

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str | None) -> str:
        asked = set((scope or "").split())
        return " ".join(sorted(asked & set(self.scope.split())))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in TOKEN_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


def hub_client(app: Flask) -> RegisteredClient:
    """The hub, as the academy's registered OAuth client."""
    return RegisteredClient(
        client_id=app.config["ACADEMY_HUB_CLIENT_ID"],
        client_secret=app.config["ACADEMY_HUB_CLIENT_SECRET"],
        redirect_uri=oauth_redirect_uri(app),
    )


def query_client(client_id: str) -> RegisteredClient | None:
    """The registered client with this id, if there is one."""
    client = hub_client(current_app)
    return client if hmac.compare_digest(client_id, client.client_id) else None


def save_token(token: dict, request) -> None:
    """Keep a hash of the access token the grant issued (the view commits)."""
    db.session.add(
        AccessToken(
            token_hash=digest(token["access_token"]),
            client_id=request.client.get_client_id(),
            user_id=request.user.id,
            scope=token.get("scope", ""),
            expires_in=int(token["expires_in"]),
        )
    )
    db.session.flush()


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    """Codes are stored as hashes, used once, and redeemed only for an active account."""

    TOKEN_ENDPOINT_AUTH_METHODS = list(TOKEN_AUTH_METHODS)

    def save_authorization_code(self, code: str, request) -> None:
        payload = request.payload
        db.session.add(
            AuthorizationCode(
                code_hash=digest(code),
                client_id=request.client.get_client_id(),
                user_id=request.user.id,
                redirect_uri=payload.redirect_uri or request.client.get_default_redirect_uri(),
                scope=request.scope or "",
                code_challenge=payload.data.get("code_challenge"),
                code_challenge_method=payload.data.get("code_challenge_method"),
            )
        )
        db.session.flush()

    def query_authorization_code(self, code: str, client) -> AuthorizationCode | None:
        found = db.session.scalar(
            select(AuthorizationCode).where(
                AuthorizationCode.code_hash == digest(code),
                AuthorizationCode.client_id == client.get_client_id(),
            )
        )
        return None if found is None or found.is_expired() else found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        db.session.delete(authorization_code)
        db.session.flush()

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User | None:
        user = authorization_code.user
        return user if user.active else None


class HashedBearerTokenValidator(BearerTokenValidator):
    """Finds a bearer token by its hash."""

    def authenticate_token(self, token_string: str) -> AccessToken | None:
        return db.session.scalar(
            select(AccessToken).where(AccessToken.token_hash == digest(token_string))
        )


authorization = AuthorizationServer()
authorization.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=False)])
require_oauth = ResourceProtector()
require_oauth.register_token_validator(HashedBearerTokenValidator())


def init_app(app: Flask) -> None:
    """Wire the authorization server into ``app``."""
    authorization.init_app(app, query_client=query_client, save_token=save_token)


def claims(user: User) -> dict:
    """What the hub learns about an account: who it is, its role as its one group, and,
    while an admin's grant of the restricted tier is in force, until when it holds."""
    found = {
        "sub": str(user.id),
        "email": user.email,
        "name": user.name,
        "groups": [str(user.role)],
    }
    grant = active_grant(user)
    if grant is not None:
        until = grant.expires_at
        found[RESTRICTED_CLAIM] = {"until": None if until is None else until.isoformat()}
    return found
