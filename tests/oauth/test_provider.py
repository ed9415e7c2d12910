"""The academy's OAuth 2 provider, driven through the test client as the hub would drive it."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.hub.settings import RESTRICTED_CLAIM, oauth_redirect_uri
from app.hub.workspace import Grant, grant_in
from app.lake.privacy.grants import grant_access, revoke_access
from app.oauth.models import AccessToken, AuthorizationCode
from tests.factories import make_user

VERIFIER = "a-verifier-that-is-long-enough-for-rfc-7636-0123456789"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")


def _authorize(client, app, **changes):
    params = {
        "response_type": "code",
        "client_id": app.config["ACADEMY_HUB_CLIENT_ID"],
        "redirect_uri": oauth_redirect_uri(app),
        "scope": "profile",
        "state": "the-hubs-state",
        "code_challenge": CHALLENGE.decode(),
        "code_challenge_method": "S256",
    }
    params.update(changes)
    return client.get("/oauth/authorize", query_string=params)


def _code(response) -> str:
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == ["the-hubs-state"]
    return query["code"][0]


def _token(client, app, code, **changes):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": oauth_redirect_uri(app),
        "code_verifier": VERIFIER,
        "client_id": app.config["ACADEMY_HUB_CLIENT_ID"],
        "client_secret": app.config["ACADEMY_HUB_CLIENT_SECRET"],
    }
    data.update(changes)
    return client.post("/oauth/token", data=data)


@pytest.fixture
def learner(app):
    return make_user("learner@academy.example", role=Role.INSTRUCTOR)


def test_the_hub_gets_a_code_a_token_and_the_learners_claims(app, client, auth, learner):
    auth.login(learner.email)
    response = _authorize(client, app)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(oauth_redirect_uri(app) + "?")
    token = _token(client, app, _code(response))
    assert token.status_code == 200, token.json
    access = token.json["access_token"]
    claims = client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {access}"})
    assert claims.status_code == 200
    assert claims.json == {
        "sub": str(learner.id),
        "email": "learner@academy.example",
        "name": learner.name,
        "groups": ["instructor"],
    }


def test_codes_and_tokens_are_kept_only_as_hashes_and_a_code_works_once(app, client, auth, learner):
    auth.login(learner.email)
    code = _code(_authorize(client, app))
    stored = db.session.scalars(select(AuthorizationCode.code_hash)).all()
    assert len(stored) == 1 and code not in stored
    access = _token(client, app, code).json["access_token"]
    assert access not in db.session.scalars(select(AccessToken.token_hash)).all()
    again = _token(client, app, code)
    assert again.status_code == 400 and again.json["error"] == "invalid_grant"


def test_someone_not_signed_in_is_sent_to_sign_in_first(app, client):
    response = _authorize(client, app)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login" and "/oauth/authorize" in parse_qs(location.query)["next"][0]


def test_a_code_is_never_sent_to_another_address(app, client, auth, learner):
    auth.login(learner.email)
    response = _authorize(client, app, redirect_uri="https://attacker.example/callback")
    assert response.status_code == 400
    assert "attacker" not in response.headers.get("Location", "")


def test_an_unknown_client_gets_no_code(app, client, auth, learner):
    auth.login(learner.email)
    assert _authorize(client, app, client_id="someone-else").status_code == 400


def test_a_wrong_client_secret_or_verifier_gets_no_token(app, client, auth, learner):
    auth.login(learner.email)
    wrong_secret = _token(client, app, _code(_authorize(client, app)), client_secret="guess")
    assert wrong_secret.status_code == 401 and wrong_secret.json["error"] == "invalid_client"
    wrong_verifier = _token(client, app, _code(_authorize(client, app)), code_verifier="x" * 50)
    assert wrong_verifier.status_code == 400


def test_an_account_deactivated_before_the_code_is_redeemed_gets_no_token(
    app, client, auth, learner
):
    auth.login(learner.email)
    code = _code(_authorize(client, app))
    learner.active = False
    db.session.commit()
    refused = _token(client, app, code)
    assert refused.status_code == 400 and refused.json["error"] == "invalid_grant"


def test_the_claims_of_an_account_deactivated_since_are_refused(app, client, auth, learner):
    auth.login(learner.email)
    access = _token(client, app, _code(_authorize(client, app))).json["access_token"]
    learner.active = False
    db.session.commit()
    response = client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 403


def test_userinfo_needs_a_valid_token(app, client):
    assert client.get("/oauth/userinfo").status_code == 401
    bad = client.get("/oauth/userinfo", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


def test_the_claims_say_until_when_a_grant_of_the_restricted_tier_holds(app, client, auth, learner):
    admin = make_user("admin@academy.example", role=Role.ADMIN)
    auth.login(learner.email)
    access = _token(client, app, _code(_authorize(client, app))).json["access_token"]

    def said():
        response = client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {access}"})
        return response.json.get(RESTRICTED_CLAIM, "absent")

    assert said() == "absent"
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    grant = grant_access(learner, admin, "Ticket 4714", until)
    db.session.commit()
    # Read back by the hub's spawner (app/hub/workspace.py) from the same claim.
    assert grant_in({RESTRICTED_CLAIM: said()}) == Grant(until)
    revoke_access(grant, admin, "Done")
    db.session.commit()
    assert said() == "absent"
    grant_access(learner, admin, "Ticket 4715")
    db.session.commit()
    assert said() == {"until": None}
