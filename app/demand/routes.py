"""Registering and withdrawing interest in a planned module."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.demand import bp
from app.demand.forms import InterestForm
from app.demand.services import DemandError, register_interest, withdraw_interest
from app.extensions import db
from app.views import module_or_404, require_action_form


@bp.route("/modules/<code>/interest", methods=["POST"])
@login_required
def register(code: str):
    """Say you want a planned module written."""
    module = module_or_404(code)
    form = InterestForm()
    if not form.validate_on_submit():
        return render_template("demand/interest_error.html", module=module, form=form), 400
    try:
        register_interest(current_user, module, form.note.data)
    except DemandError as exc:
        flash(str(exc), "error")
        return redirect(url_for("catalogue.module", code=module.code))
    db.session.commit()
    flash(f"Thanks: we'll tell you when {module.code} is written.", "success")
    return redirect(url_for("catalogue.module", code=module.code))


@bp.route("/modules/<code>/interest/withdraw", methods=["POST"])
@login_required
def withdraw(code: str):
    """Take back your interest in a planned module."""
    module = module_or_404(code)
    require_action_form()
    if withdraw_interest(current_user, module):
        db.session.commit()
        flash(f"You no longer want {module.code}.", "info")
    return redirect(url_for("catalogue.module", code=module.code))
