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
    return redirect(url_for("admin.restricted"))
