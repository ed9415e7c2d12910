"""Admin user management: only admins, and the academy always keeps an admin."""

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User
from app.extensions import db
from tests.factories import make_user


@pytest.fixture
def admin(app, auth):
    user = make_user("admin@example.com", role=Role.ADMIN, persona=None)
    auth.login("admin@example.com")
    return user


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR])
@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/admin/users"),
        ("get", "/admin/users/new"),
        ("post", "/admin/users/new"),
        ("get", "/admin/users/1"),
        ("post", "/admin/users/1/active"),
    ],
)
def test_admin_pages_answer_403_to_others(client, auth, role, method, url):
    make_user("someone@example.com", role=role)
    auth.login("someone@example.com")
    assert getattr(client, method)(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_admin_lists_and_searches_accounts(client, admin):
    make_user("zoe@example.com", name="Zoe Analyst")
    make_user("yan@example.com", name="Yan Developer", persona="developer")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "zoe@example.com" in page and "yan@example.com" in page
    found = client.get("/admin/users?q=ZOE").get_data(as_text=True)
    assert "zoe@example.com" in found and "yan@example.com" not in found


def test_admin_creates_an_account(client, admin):
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New@Example.com",
            "name": "New Person",
            "persona": "scientist",
            "role": "instructor",
            "password": "a long password",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.persona == "scientist" and user.role == Role.INSTRUCTOR
    assert user.check_password("a long password")


def test_create_form_shows_its_errors(client, admin):
    make_user("taken@example.com")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "taken@example.com",
            "name": "",
            "persona": "wizard",
            "role": "emperor",
            "password": "short",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This field is required." in page
    assert "Not a valid choice" in page
    assert "at least 10 characters" in page


def test_duplicate_email_is_a_form_error(client, admin):
    make_user("taken@example.com")
    response = client.post(
        "/admin/users/new",
        data={"email": "taken@example.com", "name": "X", "persona": "", "role": "learner"},
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_admin_changes_persona_and_role(client, admin):
    user = make_user("ana@example.com", persona="analyst")
    response = client.post(
        f"/admin/users/{user.id}",
        data={"name": "Ana B", "persona": "product-manager", "role": "instructor"},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.persona, user.role) == ("Ana B", "product-manager", "instructor")


def test_deactivate_and_reactivate(client, admin):
    user = make_user("ana@example.com")
    client.post(f"/admin/users/{user.id}/active")
    db.session.refresh(user)
    assert user.active is False
    client.post(f"/admin/users/{user.id}/active")
    db.session.refresh(user)
    assert user.active is True


def test_the_last_admin_cannot_be_demoted_or_deactivated(client, admin):
    response = client.post(
        f"/admin/users/{admin.id}", data={"name": "Me", "persona": "", "role": "learner"}
    )
    assert response.status_code == 400
    assert "at least one active admin" in response.get_data(as_text=True)
    client.post(f"/admin/users/{admin.id}/active")
    db.session.refresh(admin)
    assert admin.active and admin.role == Role.ADMIN


def test_an_admin_can_be_demoted_when_another_remains(client, admin):
    other = make_user("other-admin@example.com", role=Role.ADMIN)
    response = client.post(
        f"/admin/users/{other.id}", data={"name": "O", "persona": "", "role": "learner"}
    )
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.role == Role.LEARNER


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/9999").status_code == 404
    assert client.post("/admin/users/9999/active").status_code == 404
