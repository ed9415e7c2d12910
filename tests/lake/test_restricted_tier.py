"""The restricted tier in the playground and the admin pages: masks, grants, audit, revoke."""

import html

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.config import PROJECT_ROOT
from app.extensions import db
from app.hub.client import HubUnavailable
from app.lake.engine import playground_engine
from app.lake.models import RestrictedAudit, RestrictedGrant
from app.lake.pipeline.database import open_lake
from app.lake.pipeline.restrict import restricted_folder
from app.lake.privacy.grants import grant_access
from tests.factories import make_module, make_user
from tests.hub.support import FakeHub

QUERY = (
    "SELECT buyer_email FROM raw.responses WHERE buyer_email LIKE '%@%' "
    "ORDER BY response_id LIMIT 1"
)
PASSWORD = "correct horse battery"


@pytest.fixture
def lake_app(make_app, built_lake, tmp_path):
    application = make_app(
        ACADEMY_LAKE_DIR=str(built_lake.lake), ACADEMY_SCRATCH_DIR=str(tmp_path / "scratch")
    )
    with application.app_context():
        yield application
    playground_engine.close(application)


@pytest.fixture
def real_email(built_lake):
    """The e-mail QUERY finds in the real values."""
    with open_lake(restricted_folder(built_lake.lake)) as con:
        return con.execute(QUERY).fetchone()[0]


def _client(app, email, role=Role.LEARNER):
    make_user(email, role=role)
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _run(client, sql=QUERY):
    response = client.post("/lake/playground", data={"sql": sql, "run": "Run"})
    return response.get_data(as_text=True)


def _grant(admin, email, reason="Investigating a complaint, ticket 4711"):
    return admin.post("/admin/restricted", data={"email": email, "reason": reason})


def test_an_ungranted_learner_sees_masks_and_nothing_is_audited(lake_app, real_email):
    learner = _client(lake_app, "ana@example.com")
    page = _run(learner, "SELECT buyer_email FROM raw.responses ORDER BY response_id LIMIT 3")
    assert "<td>[restricted]</td>" in page
    assert real_email not in _run(learner, "SELECT * FROM raw.responses LIMIT 500")
    assert db.session.scalars(select(RestrictedAudit)).all() == []


def test_a_grant_shows_real_values_audits_them_and_revoke_ends_it(lake_app, real_email):
    admin = _client(lake_app, "admin@example.com", Role.ADMIN)
    learner = _client(lake_app, "ana@example.com")
    response = _grant(admin, "ana@example.com")
    assert response.status_code == 302
    assert real_email in _run(learner)
    assert "1 row" in _run(learner, "SELECT count(*) AS n FROM raw.responses")
    (grant,) = db.session.scalars(select(RestrictedGrant)).all()
    assert grant.reason == "Investigating a complaint, ticket 4711"
    entries = db.session.scalars(select(RestrictedAudit).order_by(RestrictedAudit.id)).all()
    assert [(e.action, e.actor_email, e.subject_email) for e in entries] == [
        ("grant", "admin@example.com", "ana@example.com"),
        ("query", "ana@example.com", "ana@example.com"),  # the count read no restricted column
    ]
    assert entries[1].sql == QUERY and entries[1].columns == "raw.responses.buyer_email"
    log = admin.get("/admin/restricted").get_data(as_text=True)
    assert "ticket 4711" in log and "raw.responses.buyer_email" in log

    refused = _run(learner, "CREATE TABLE user.copy AS SELECT buyer_email FROM raw.responses")
    assert "can be read here but not copied" in refused

    response = admin.post(
        f"/admin/restricted/{grant.id}/revoke", data={"reason": "Complaint closed"}
    )
    assert response.status_code == 302
    assert real_email not in _run(learner)
    masked = _run(learner, "SELECT buyer_email FROM raw.responses ORDER BY response_id LIMIT 3")
    assert "<td>[restricted]</td>" in masked
    last = db.session.scalars(select(RestrictedAudit).order_by(RestrictedAudit.id.desc())).first()
    assert (last.action, last.reason) == ("revoke", "Complaint closed")


def test_the_grant_form_refuses_an_empty_reason(lake_app):
    admin = _client(lake_app, "admin@example.com", Role.ADMIN)
    make_user("ana@example.com")
    response = _grant(admin, "ana@example.com", reason="   ")
    assert response.status_code == 400
    assert "Give the reason" in response.get_data(as_text=True)
    assert db.session.scalars(select(RestrictedGrant)).all() == []


def test_a_revoke_needs_a_reason(lake_app):
    admin = _client(lake_app, "admin@example.com", Role.ADMIN)
    make_user("ana@example.com")
    _grant(admin, "ana@example.com")
    (grant,) = db.session.scalars(select(RestrictedGrant)).all()
    admin.post(f"/admin/restricted/{grant.id}/revoke", data={"reason": ""})
    db.session.refresh(grant)
    assert grant.revoked_at is None


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR])
@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/admin/restricted"),
        ("post", "/admin/restricted"),
        ("post", "/admin/restricted/1/revoke"),
    ],
)
def test_non_admins_get_403(lake_app, role, method, url):
    client = _client(lake_app, "someone@example.com", role)
    assert (
        getattr(client, method)(
            url, data={"email": "someone@example.com", "reason": "x"}
        ).status_code
        == 403
    )
    assert db.session.scalars(select(RestrictedGrant)).all() == []


@pytest.fixture
def fake_hub(lake_app):
    """The hub in memory, with a running server for Bea."""
    hub = FakeHub()
    hub.add("bea@example.com", {"ready": True, "pending": None})
    lake_app.extensions["hub_client"] = hub
    return hub


def _page(client, url: str, **data) -> str:
    """The page a form's POST leads to, as text (entities decoded)."""
    return html.unescape(client.post(url, data=data, follow_redirects=True).get_data(as_text=True))


def test_a_grant_and_its_revoke_each_stop_the_learners_jupyterlab(lake_app, fake_hub):
    # A server takes its lake when it starts: the change reaches the kernels at the next.
    admin = _client(lake_app, "admin@example.com", Role.ADMIN)
    make_user("bea@example.com")
    page = _page(admin, "/admin/restricted", email="bea@example.com", reason="Ticket 4712")
    assert ("stop_server", "bea@example.com") in fake_hub.calls
    assert "JupyterLab was stopped (their saved work is kept)" in page
    assert "next start reads the real values" in page
    grant = db.session.scalars(select(RestrictedGrant)).one()
    fake_hub.calls.clear()
    page = _page(admin, f"/admin/restricted/{grant.id}/revoke", reason="Done")
    # No server runs since the grant stopped it: nothing to stop, nothing said about it.
    assert ("stop_server", "bea@example.com") not in fake_hub.calls
    assert "can no longer read the restricted tier" in page and "was stopped" not in page
    # A server still starting is stopped too.
    fake_hub.add("bea@example.com", {"ready": False, "pending": "spawn"})
    assert _grant(admin, "bea@example.com").status_code == 302
    assert ("stop_server", "bea@example.com") in fake_hub.calls


def test_a_hub_that_is_down_leaves_the_grant_made_and_says_what_to_do(lake_app, fake_hub):
    def down(name):  # as a hub that cannot be reached
        raise HubUnavailable("not reachable")

    fake_hub.user = down
    admin = _client(lake_app, "admin@example.com", Role.ADMIN)
    make_user("bea@example.com")
    page = _page(admin, "/admin/restricted", email="bea@example.com", reason="Ticket 4712")
    assert "may now read the restricted tier" in page
    assert "could not be reached to stop bea@example.com's JupyterLab" in page
    assert db.session.scalars(select(RestrictedGrant)).one().revoked_at is None


def test_a_granted_learners_opening_of_a_notebook_in_jupyterlab_is_audited(make_app, built_lake):
    app = make_app(
        ACADEMY_LAKE_DIR=str(built_lake.lake),
        ACADEMY_EXERCISES_DIR=str(PROJECT_ROOT / "exercises"),
    )
    hub = FakeHub()
    app.extensions["hub_client"] = hub
    with app.app_context():
        make_module("SQ101")
        admin = make_user("admin@example.com", role=Role.ADMIN)
        for email in ("bea@example.com", "cy@example.com"):
            hub.add(email, {"ready": True, "pending": None})
        bea, cy = make_user("bea@example.com"), make_user("cy@example.com")
        grant_access(bea, admin, "Ticket 4713")
        db.session.commit()
        for email in (bea.email, cy.email):
            client = app.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            assert client.post("/exercises/sq101-first-queries/lab").status_code == 303
        entries = db.session.scalars(select(RestrictedAudit).order_by(RestrictedAudit.id)).all()
        assert [(e.action, e.subject_email) for e in entries] == [
            ("grant", "bea@example.com"),
            ("notebook", "bea@example.com"),
        ]
        assert entries[1].reason == "Opened exercises/sq101-first-queries.ipynb in JupyterLab"
