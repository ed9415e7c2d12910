"""The restricted tier in JupyterLab, on a real hub: a learner an admin granted it reads
real values in their kernels, until the admin revokes it; everyone else reads masks.

The grant reaches the hub through the academy's sign-in claims (app/oauth/server.py),
which the hub refreshes before each start; the spawner then gives the server the build's
restricted folder as its lake (app/hub/workspace.py); a revoke on the admin page stops the
learner's server, and the next start has the masked lake.
"""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.hub.client import HubClients
from app.lake.models import RestrictedGrant
from app.lake.pipeline.database import open_lake
from app.lake.pipeline.restrict import restricted_folder
from app.lake.privacy.grants import grant_access
from tests.factories import PASSWORD, make_user
from tests.hub.kernels import ServerKernel
from tests.hub.support import ADMIN, CSRF, academy_session, hub_sign_in, learner_server, wait_for

pytestmark = pytest.mark.slow

CARA = "cara@academy.example"  # granted
DEV = "dev@academy.example"  # never granted
FIRST_EMAIL = (
    "SELECT buyer_email FROM raw.responses WHERE buyer_email <> '' ORDER BY response_id LIMIT 1"
)


def _kernel_reads(session, hub, email, client) -> str:
    """What a kernel in the learner's (started) server reads as the first buyer's e-mail."""
    server, headers = learner_server(session, hub, email, client)
    kernel = ServerKernel(server, headers)
    try:
        done = kernel.run(f"print(lake.sql({FIRST_EMAIL!r}).fetchall()[0][0])")
    finally:
        kernel.close()
    assert done["status"] == "ok", done
    return done["stdout"].strip()


def test_a_granted_learner_reads_real_values_in_jupyterlab_until_the_admin_revokes(
    hub_academy, hub, built_lake
):
    with open_lake(restricted_folder(built_lake.lake)) as con:
        real = con.execute(FIRST_EMAIL).fetchone()[0]
    base = hub_academy.config["ACADEMY_BASE_URL"]
    client = HubClients.get(hub_academy)
    with hub_academy.app_context():
        make_user(CARA)
        make_user(DEV)
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        cara = db.session.scalar(select(User).where(User.email == CARA))
        grant_id = grant_access(cara, admin, "Investigating a complaint, ticket 4716").id
        db.session.commit()
    sessions = {email: academy_session(base, email, PASSWORD) for email in (CARA, DEV)}
    for session in sessions.values():
        hub_sign_in(session, hub)
    try:
        assert _kernel_reads(sessions[DEV], hub, DEV, client) == "[restricted]"
        assert _kernel_reads(sessions[CARA], hub, CARA, client) == real != "[restricted]"

        # The admin revokes on the admin page: the academy stops Cara's server at once.
        admin_session = academy_session(base, ADMIN, PASSWORD)
        token = CSRF.search(admin_session.get(f"{base}/admin/restricted", timeout=30).text)
        response = admin_session.post(
            f"{base}/admin/restricted/{grant_id}/revoke",
            data={"reason": "Complaint closed", "csrf_token": token.group(1)},
            timeout=60,
        )
        assert response.status_code == 200, response.status_code  # followed to the page
        page = html.unescape(response.text)
        assert "cara@academy.example can no longer read the restricted tier" in page
        assert "JupyterLab was stopped (their saved work is kept)" in page
        assert wait_for(lambda: client.server(CARA) is None) is True
        with hub_academy.app_context():
            assert db.session.get(RestrictedGrant, grant_id).revoked_at is not None
        # Started again, its kernels have the masked lake.
        assert _kernel_reads(sessions[CARA], hub, CARA, client) == "[restricted]"
    finally:
        for email in (CARA, DEV):
            client.stop_server(email)
        for email in (CARA, DEV):
            wait_for(lambda email=email: client.server(email) is None)
