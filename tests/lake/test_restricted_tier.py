"""The restricted tier in the playground and the admin pages: masks, grants, audit, revoke."""

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.lake.engine import playground_engine
from app.lake.models import RestrictedAudit, RestrictedGrant
from app.lake.pipeline.database import open_lake
from app.lake.pipeline.restrict import restricted_folder
from tests.factories import make_user

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
