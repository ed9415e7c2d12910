"""Sign-in wiring (sessions and optional single sign-on) and response headers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Request, current_app
from sqlalchemy import select

from app.extensions import db, login_manager

# Inline SVG needs no script; everything the pages load comes from this site.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@login_manager.user_loader
def load_user(session_id: str):
    """The account behind a session cookie, while its session token still holds."""
    # Imported here: accounts' models and services import this module's extensions.
    from app.accounts.services import user_for_session

    return user_for_session(session_id)


@login_manager.request_loader
def load_user_from_proxy(request: Request):
    """Company single sign-on: trust the reverse proxy's user header, if configured.

    Only the proxy can set the header, so this must be enabled only where the
    site cannot be reached except through that proxy.
    """
    header = current_app.config["ACADEMY_SSO_HEADER"]
    if not header:
        return None
    email = proxy_email(request.headers.getlist(header))
    if email is None:
        return None
    from app.accounts.models import User
    from app.accounts.services import create_user

    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = create_user(email, email.split("@")[0])
        db.session.commit()
    return user if user.active else None


# One plain address: no list, no display name, no spaces or control characters.
_ONE_EMAIL = re.compile(r"[^\s@,;<>\"']+@[^\s@,;<>\"']+\.[^\s@,;<>\"']+")


def proxy_email(values: list[str]) -> str | None:
    """The one email address the proxy's header carries, or None.

    A header sent twice, or holding a list (``a@x,b@y``), names nobody: the
    request is treated as not signed in rather than as a new account.
    """
    if len(values) != 1:
        return None
    email = values[0].strip().lower()
    return email if _ONE_EMAIL.fullmatch(email) else None


def _follow_proxy_identity():
    """With single sign-on, the proxy's header wins over any earlier session.

    Otherwise a browser that signed in as one person would stay that person
    after the proxy starts vouching for another.
    """
    from flask import request, session

    header = current_app.config["ACADEMY_SSO_HEADER"]
    if header and request.headers.get(header):
        for key in ("_user_id", "_id", "_fresh"):
            session.pop(key, None)


def content_security_policy(hub_url: str) -> str:
    """The site's policy, with the learners' hub as a place forms may lead to.

    Open in JupyterLab, and signing in to the hub, are forms whose answer redirects
    to the hub; browsers hold such redirects to form-action too.
    """
    parts = urlsplit(hub_url)
    if not (parts.scheme and parts.netloc):
        return CONTENT_SECURITY_POLICY
    origin = f"{parts.scheme}://{parts.netloc}"
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


def _security_headers(response):
    policy = content_security_policy(current_app.config["ACADEMY_HUB_URL"])
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    """Configure sign-in pages and add security headers to every response."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to do that."
    login_manager.login_message_category = "info"
    # "strong" drops a session whose browser fingerprint changed; behind a
    # single sign-on proxy the header is the identity, so "basic" is enough.
    app.config.setdefault(
        "SESSION_PROTECTION", "basic" if app.config["ACADEMY_SSO_HEADER"] else "strong"
    )
    app.before_request(_follow_proxy_identity)
    app.after_request(_security_headers)
