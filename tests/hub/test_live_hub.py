"""Against a real JupyterHub and proxy: signing in through the academy, servers, scopes."""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest
import requests

from app.accounts.services import find_by_email
from app.extensions import db
from app.hub.client import HubClients, HubError
from tests.factories import PASSWORD, make_user
from tests.hub.support import (
    ADMIN,
    INACTIVE,
    LEARNER,
    academy_session,
    academy_sign_in,
    hub_sign_in,
    wait_for,
)

pytestmark = pytest.mark.slow


def _signed_in_to_hub(academy, hub, email):
    session = academy_session(academy.config["ACADEMY_BASE_URL"], email, PASSWORD)
    return session, hub_sign_in(session, hub)


def _hub_self(session, hub) -> dict:
    """Who the hub's session cookie says this is (GET needs no XSRF token)."""
    response = session.get(f"{hub}/hub/api/user", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_authlib_needs_no_insecure_transport_switch_on_loopback():
    # Authlib treats http://127.0.0.1 as secure (RFC 8252 loopback), so the flow below
    # runs with the switch off, as it would in production over HTTPS.
    assert "AUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_a_learner_signs_in_to_the_hub_through_the_academy(hub_academy, hub):
    session, landed = _signed_in_to_hub(hub_academy, hub, LEARNER)
    academy = hub_academy.config["ACADEMY_BASE_URL"]
    visited = [r.url for r in landed.history]
    assert any(url.startswith(f"{academy}/oauth/authorize") for url in visited)
    assert landed.url.startswith(f"{hub}/hub/")
    me = _hub_self(session, hub)
    assert me["name"] == LEARNER and me["admin"] is False and me["groups"] == ["learner"]


def test_an_academy_admin_becomes_a_hub_admin(hub_academy, hub):
    session, _ = _signed_in_to_hub(hub_academy, hub, ADMIN)
    me = _hub_self(session, hub)
    assert me["name"] == ADMIN and me["admin"] is True
    assert session.get(f"{hub}/hub/admin", timeout=30).status_code == 200


def test_a_learner_cannot_open_the_hubs_admin_page(hub_academy, hub):
    session, _ = _signed_in_to_hub(hub_academy, hub, LEARNER)
    assert session.get(f"{hub}/hub/admin", timeout=30).status_code == 403


def test_an_inactive_account_cannot_sign_in_to_the_academy_or_the_hub(hub_academy, hub):
    academy = hub_academy.config["ACADEMY_BASE_URL"]
    session = requests.Session()
    assert academy_sign_in(session, academy, INACTIVE, PASSWORD).status_code == 400
    landed = hub_sign_in(session, hub)
    assert landed.url.startswith(f"{academy}/login")
    assert session.get(f"{hub}/hub/api/user", timeout=30).status_code == 403


def test_an_account_deactivated_after_signing_in_is_refused_by_the_hub(hub_academy, hub):
    with hub_academy.app_context():
        make_user("leaver@academy.example")
    academy = hub_academy.config["ACADEMY_BASE_URL"]
    session = academy_session(academy, "leaver@academy.example", PASSWORD)
    with hub_academy.app_context():
        find_by_email("leaver@academy.example").active = False
        db.session.commit()
    landed = hub_sign_in(session, hub)
    assert landed.url.startswith(f"{academy}/login")
    assert session.get(f"{hub}/hub/api/user", timeout=30).status_code == 403


def test_an_account_deactivated_since_it_signed_in_to_the_hub_gets_no_server(hub_academy, hub):
    with hub_academy.app_context():
        make_user("mover@academy.example")
    session, _ = _signed_in_to_hub(hub_academy, hub, "mover@academy.example")
    assert _hub_self(session, hub)["name"] == "mover@academy.example"
    with hub_academy.app_context():
        find_by_email("mover@academy.example").active = False
        db.session.commit()
    # Before a server starts the hub shows the academy the learner's token again, whoever
    # asks: the academy's service, or the learner's browser (JupyterHub 6.1.1 answers the
    # browser with a 500, as its refresh check trips over its own missing attribute).
    client = HubClients.get(hub_academy)
    with pytest.raises(HubError, match="refused to start mover@academy.example's server \\(403\\)"):
        client.start_server("mover@academy.example")
    refused = session.get(f"{hub}/hub/spawn", timeout=60, allow_redirects=False)
    assert refused.status_code in (403, 500)
    assert client.server("mover@academy.example") is None


def test_the_academy_starts_a_learners_server_which_answers_then_stops_it(hub_academy, hub):
    session, _ = _signed_in_to_hub(hub_academy, hub, LEARNER)
    client = HubClients.get(hub_academy)
    client.start_server(LEARNER)
    ready = wait_for(lambda: (client.server(LEARNER) or {}).get("ready"))
    assert ready is True
    server = hub + client.server(LEARNER)["url"].rstrip("/")
    session.get(f"{server}/lab", timeout=120)  # the single-user OAuth dance sets its cookie
    status = session.get(f"{server}/api/status", timeout=60)
    assert status.status_code == 200 and "started" in status.json()
    assert session.get(f"{server}/api/terminals", timeout=60).status_code == 404
    workspace = hub_academy.config["ACADEMY_WORKSPACES_DIR"] + "/" + LEARNER
    assert os.path.isdir(workspace) and os.stat(workspace).st_mode & 0o077 == 0
    client.stop_server(LEARNER)
    assert wait_for(lambda: client.server(LEARNER) is None) is True


def test_the_service_token_cannot_do_more_than_its_scopes(hub_academy, hub):
    client = HubClients.get(hub_academy)
    api = client.api_url
    headers = {"Authorization": f"token {hub_academy.config['ACADEMY_HUB_SERVICE_TOKEN']}"}

    def call(method, path, **kwargs):
        return requests.request(method, api + path, headers=headers, timeout=30, **kwargs)

    assert call("GET", "/users").status_code == 403  # cannot list everyone
    assert call("POST", "/users/intruder%40example.com").status_code == 403
    assert call("PATCH", f"/users/{quote(LEARNER)}", json={"admin": True}).status_code == 403
    assert call("DELETE", f"/users/{quote(LEARNER)}").status_code == 403
    assert call("GET", f"/users/{quote(LEARNER)}/tokens").status_code == 403
    assert call("POST", f"/users/{quote(LEARNER)}/tokens", json={}).status_code == 403
    assert call("GET", "/groups").status_code == 403
    with pytest.raises(HubError, match="refused"):
        client.start_server("nobody@academy.example")
