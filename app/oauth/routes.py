"""The OAuth 2 endpoints the hub uses: authorize (browser), token and userinfo (server)."""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import current_token
from authlib.oauth2 import OAuth2Error
from flask import jsonify, redirect, request, url_for
from flask_login import current_user

from app.extensions import csrf, db
from app.hub.settings import OAUTH_SCOPE
from app.oauth import bp
from app.oauth.server import authorization, claims, require_oauth


@bp.route("/authorize")
def authorize():
    """Send a signed-in learner back to the hub with a code; others sign in first."""
    # Inactive accounts are never authenticated, so they are sent to sign in, which refuses them.
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path))
    try:
        grant = authorization.get_consent_grant(end_user=current_user)
    except OAuth2Error as error:
        return authorization.handle_error_response(request, error)
    response = authorization.create_authorization_response(grant=grant, grant_user=current_user)
    db.session.commit()
    return response


@bp.route("/token", methods=["POST"])
@csrf.exempt  # called by the hub's server with its client secret, not by a browser form
def token():
    """Exchange a code (and the hub's client secret) for an access token."""
    response = authorization.create_token_response()
    db.session.commit()
    return response


@bp.route("/userinfo")
@require_oauth(OAUTH_SCOPE)
def userinfo():
    """Who the token's account is, while that account is active."""
    user = current_token.user
    if not user.active:
        return jsonify(error="access_denied", error_description="This account is inactive."), 403
    return jsonify(claims(user))
