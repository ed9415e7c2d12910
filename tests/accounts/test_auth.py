"""Signing in and out, password hashing, cookies, CSRF and single sign-on."""

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from tests.factories import PASSWORD, make_user


def test_password_is_stored_hashed(app):
    user = make_user("ana@example.com")
    assert PASSWORD not in (user.password_hash or "")
    assert user.check_password(PASSWORD)
    assert not user.check_password("wrong")


def test_sign_in_and_out(client, auth):
    make_user("ana@example.com", name="Ana")
    response = auth.login("ANA@example.com ")
    assert response.status_code == 302
    assert "Ana" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, auth):
    make_user("ana@example.com")
    response = auth.login("ana@example.com", "not the password")
    assert response.status_code == 400
    assert "don&#39;t match an active account" in response.get_data(as_text=True)


def test_deactivated_accounts_cannot_sign_in(client, auth):
    make_user("gone@example.com", active=False)
    assert auth.login("gone@example.com").status_code == 400


def test_a_deactivated_account_loses_its_session(client, auth):
    user = make_user("ana@example.com")
    auth.login("ana@example.com")
    user.active = False
    db.session.commit()
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_next_only_follows_paths_on_this_site(client):
    make_user("ana@example.com")
    data = {"email": "ana@example.com", "password": PASSWORD}
    ok = client.post("/login?next=/modules", data=data)
    assert ok.headers["Location"] == "/modules"
    client.post("/logout")
    for hostile in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        response = client.post(f"/login?next={hostile}", data=data)
        assert response.headers["Location"] == "/", hostile
        client.post("/logout")


def test_logout_needs_post(client, auth):
    make_user("ana@example.com")
    auth.login("ana@example.com")
    assert client.get("/logout").status_code == 405


def test_session_cookie_is_http_only_and_same_site(client, auth):
    make_user("ana@example.com")
    response = auth.login("ana@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookies_can_be_required(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        make_user("ana@example.com")
    response = app.test_client().post(
        "/login", data={"email": "ana@example.com", "password": PASSWORD}
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_forms_need_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user("ana@example.com")
    client = app.test_client()
    response = client.post("/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_single_sign_on_header_is_ignored_by_default(client):
    response = client.get("/", headers={"X-Forwarded-User": "boss@example.com"})
    assert "Sign in" in response.get_data(as_text=True)


def test_single_sign_on_header_signs_people_in_when_enabled(make_app):
    app = make_app(ACADEMY_SSO_HEADER="X-Forwarded-User")
    client = app.test_client()
    with app.app_context():
        make_user("known@example.com", name="Known Person")
        make_user("off@example.com", active=False)
    page = client.get("/", headers={"X-Forwarded-User": "Known@Example.com"})
    assert "Known Person" in page.get_data(as_text=True)
    newcomer = client.get("/", headers={"X-Forwarded-User": "new@example.com"})
    assert "Sign out" in newcomer.get_data(as_text=True)
    with app.app_context():
        created = db.session.scalar(select(User).where(User.email == "new@example.com"))
        assert created is not None and created.password_hash is None
    blocked = app.test_client().get("/", headers={"X-Forwarded-User": "off@example.com"})
    assert "Sign in" in blocked.get_data(as_text=True)
