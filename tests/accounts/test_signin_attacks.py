"""Sign-in under attack: guessing is throttled, accounts don't reveal themselves, cookies die.

Each test reproduces an attack found against the site: hundreds of guesses at
one password, telling real accounts from unknown ones, reusing a cookie after
signing out, a header break in ``next``, and a forged list in the proxy's header.
"""

from __future__ import annotations

import os

import pytest
import redis
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import User
from app.extensions import db
from tests.factories import PASSWORD, make_user

TOO_MANY = "Too many failed sign-ins for this account or from your address."


def sign_in(client, email: str, password: str, address: str = "10.0.0.1", **kwargs):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )


def test_guessing_one_accounts_password_is_stopped_and_the_right_one_waits(client):
    make_user("ana@example.com")
    statuses = [sign_in(client, "ana@example.com", f"guess{i}").status_code for i in range(8)]
    assert statuses == [400] * 5 + [429] * 3  # ACADEMY_LOGIN_LIMIT_ACCOUNT: 5 a minute
    right = sign_in(client, "ANA@example.com", PASSWORD, address="10.9.9.9")
    assert right.status_code == 429  # the account is throttled, from any address, any case
    assert TOO_MANY in right.get_data(as_text=True)
    other = sign_in(client, "bob@example.com", "guess")  # other accounts are unaffected
    assert other.status_code == 400


def test_guessing_across_many_accounts_from_one_address_is_stopped(make_app):
    app = make_app(ACADEMY_LOGIN_LIMIT_ADDRESS="10/minute")
    client = app.test_client()
    statuses = [sign_in(client, f"u{i}@example.com", "guess").status_code for i in range(12)]
    assert statuses == [400] * 10 + [429] * 2
    assert sign_in(client, "u99@example.com", "guess", address="10.0.0.2").status_code == 400


def test_successful_sign_ins_do_not_count_against_the_limit(client):
    make_user("ana@example.com")
    for _ in range(8):
        assert sign_in(client, "ana@example.com", PASSWORD).status_code == 302
        client.post("/logout")


@pytest.mark.redis
def test_with_redis_every_web_process_counts_the_same_guesses(make_app):
    url = os.environ["TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    first, second = (make_app(RATELIMIT_STORAGE_URI=url) for _ in range(2))  # two "processes"
    for _ in range(3):
        assert sign_in(first.test_client(), "ana@example.com", "guess").status_code == 400
    for _ in range(2):
        assert sign_in(second.test_client(), "ana@example.com", "guess").status_code == 400
    assert sign_in(first.test_client(), "ana@example.com", "guess").status_code == 429


@pytest.mark.parametrize("kind", ["unknown", "inactive", "single sign-on only", "real"])
def test_every_failed_sign_in_checks_a_password_hash(app, monkeypatch, kind):
    # A wrong guess costs one hash check whether or not the account exists, so
    # the time it takes no longer tells an attacker which accounts are real.
    if kind == "inactive":
        make_user("who@example.com", active=False)
    elif kind == "single sign-on only":
        make_user("who@example.com").password_hash = None
    elif kind == "real":
        make_user("who@example.com")
    checked = []
    real_check = services.check_password_hash
    monkeypatch.setattr(
        services, "check_password_hash", lambda h, p: checked.append(h) or real_check(h, p)
    )
    assert services.authenticate("who@example.com", "wrong") is None
    assert len(checked) == 1 and checked[0].startswith(("scrypt:", "pbkdf2:"))


def test_a_cookie_kept_from_before_signing_out_no_longer_works(make_app):
    app = make_app()
    with app.app_context():
        make_user("ana@example.com", name="Ana")
    browser = app.test_client()
    assert sign_in(browser, "ana@example.com", PASSWORD).status_code == 302
    stolen = browser.get_cookie("session").value
    browser.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    page = thief.get("/learning")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_signing_out_ends_the_remember_me_cookie_too(make_app):
    app = make_app()
    with app.app_context():
        make_user("ana@example.com")
    browser = app.test_client()
    browser.post("/login", data={"email": "ana@example.com", "password": PASSWORD, "remember": "y"})
    remembered = browser.get_cookie("remember_token").value
    browser.post("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remembered)
    assert thief.get("/learning").status_code == 302


def test_a_header_break_in_next_redirects_home(client):
    make_user("ana@example.com")
    data = {"email": "ana@example.com", "password": PASSWORD}
    response = client.post("/login?next=/%0D%0AX:%201", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "X" not in response.headers


@pytest.mark.parametrize(
    "headers",
    [
        [("X-Forwarded-User", "a@x.example"), ("X-Forwarded-User", "b@y.example")],
        [("X-Forwarded-User", "a@x.example,b@y.example")],
        [("X-Forwarded-User", "Boss <boss@x.example>")],
        [("X-Forwarded-User", "not-an-email")],
    ],
)
def test_the_proxy_header_must_name_exactly_one_address(make_app, headers):
    app = make_app(ACADEMY_SSO_HEADER="X-Forwarded-User")
    page = app.test_client().get("/", headers=headers)
    assert "Sign in" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
