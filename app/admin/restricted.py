"""Admin views for the lake's restricted tier: grant and revoke access, read the audit log."""

from datetime import UTC

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.accounts.decorators import admin_required
from app.accounts.models import User, utcnow
from app.admin import bp
from app.admin.forms import GrantForm, RevokeForm
from app.extensions import db
from app.hub.client import HubError, hub_clients
from app.hub.opening import stop_if_running
from app.lake.models import RestrictedGrant
from app.lake.privacy.grants import (
    GrantError,
    audit_log,
    current_grants,
    grant_access,
    revoke_access,
)


@bp.route("/restricted", methods=["GET", "POST"])
@admin_required
def restricted():
    """Who may read the restricted tier, a form to grant it, and the audit log."""
    form = GrantForm()
    if form.validate_on_submit():
        learner = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data))
        expires = form.expires_at.data.replace(tzinfo=UTC) if form.expires_at.data else None
        if learner is None:
            form.email.errors.append("No account has that email.")
        else:
            try:
                grant_access(learner, current_user, form.reason.data, expires)
            except GrantError as exc:
                form.reason.errors.append(str(exc))
            else:
                db.session.commit()
                flash(f"{learner.email} may now read the restricted tier.", "success")
                _restart_lab(learner, "reads the real values")
                return redirect(url_for("admin.restricted"))
    return render_template(
        "admin/restricted.html",
        form=form,
        revoke=RevokeForm(),
        grants=current_grants(),
        audit=audit_log(),
        now=utcnow(),
    ), (400 if form.errors else 200)


@bp.route("/restricted/<int:grant_id>/revoke", methods=["POST"])
@admin_required
def revoke_restricted(grant_id: int):
    """End one grant now, with a reason."""
    grant = db.session.get(RestrictedGrant, grant_id)
    if grant is None:
        abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("Give the reason for revoking.", "error")
        return redirect(url_for("admin.restricted"))
    try:
        revoke_access(grant, current_user, form.reason.data)
    except GrantError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"{grant.user.email} can no longer read the restricted tier.", "success")
        _restart_lab(grant.user, "reads the masked lake again")
    return redirect(url_for("admin.restricted"))


def _restart_lab(learner: User, change: str) -> None:
    """Stop the learner's JupyterLab, which sees a change of access only when it starts."""
    try:
        stopped = stop_if_running(hub_clients.get(), learner.email.lower())
    except HubError:
        flash(
            f"The notebook hub could not be reached to stop {learner.email}'s JupyterLab. "
            f"Its next start {change}; stop it now from the hub's admin page.",
            "error",
        )
        return
    if stopped:
        flash(
            f"{learner.email}'s JupyterLab was stopped (their saved work is kept): "
            f"its next start {change}.",
            "info",
        )
