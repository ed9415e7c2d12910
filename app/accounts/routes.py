"""Sign-in and sign-out views."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp
from app.accounts.forms import LoginForm
from app.accounts.services import authenticate, end_sessions, normalise_email, start_session
from app.extensions import db, limiter

TOO_MANY = (
    "Too many failed sign-ins for this account or from your address. "
    "Wait a few minutes, then try again."
)


def _safe_next(target: str | None) -> str:
    """Only follow ``next`` to a path on this site, never to another host or a header break."""
    if target and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("main.home")


def _account_key() -> str:
    """The throttle's key for the account being tried, whatever case it is typed in."""
    return "sign-in:" + normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    """Only failed sign-ins count against the limits (the form answers 400)."""
    return response.status_code == 400


def _throttled(setting: str, key_func):
    """Count failed sign-ins against the limit ``setting`` names, per ``key_func``'s key."""
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=key_func,
        methods=["POST"],
        deduct_when=_failed,
        error_message=TOO_MANY,
    )


@bp.route("/login", methods=["GET", "POST"])
@_throttled("ACADEMY_LOGIN_LIMIT_ACCOUNT", _account_key)
@_throttled("ACADEMY_LOGIN_LIMIT_ADDRESS", get_remote_address)
def login():
    """Sign in with a local account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password don't match an active account.")
        else:
            start_session(user)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out everywhere (a POST, so another site can't sign people out with a link)."""
    end_sessions(current_user)
    db.session.commit()
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("main.home"))
