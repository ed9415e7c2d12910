"""Nominating a colleague, and the nominee accepting or declining."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.enrolment.routes import refusal_message
from app.enrolment.services import EnrolmentRefused
from app.extensions import db
from app.nominations import bp
from app.nominations.forms import NominateForm
from app.nominations.models import Nomination, NominationStatus
from app.nominations.services import NominationError, accept, decline, nominate
from app.views import module_or_404, require_action_form


@bp.route("/modules/<code>/nominate", methods=["GET", "POST"])
@login_required
def nominate_colleague(code: str):
    """Suggest a module to a colleague, who sees it on their learning page."""
    module = module_or_404(code)
    form = NominateForm()
    if form.validate_on_submit():
        try:
            nomination = nominate(current_user, form.email.data, module, form.reason.data)
        except NominationError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"You nominated {nomination.nominee.name} for {module.code}.", "success")
            return redirect(url_for("catalogue.module", code=module.code))
    status = 400 if form.errors else 200
    return render_template("nominations/nominate.html", module=module, form=form), status


def _own_pending(nomination_id: int) -> Nomination:
    """A pending nomination addressed to the signed-in learner; 404 or 403 otherwise."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None:
        abort(404)
    if nomination.nominee_id != current_user.id:
        abort(403)
    require_action_form()
    return nomination


@bp.route("/nominations/<int:nomination_id>/accept", methods=["POST"])
@login_required
def accept_nomination(nomination_id: int):
    """Enrol in the module you were nominated for."""
    nomination = _own_pending(nomination_id)
    if nomination.status != NominationStatus.PENDING:
        flash("You have already answered this nomination.", "info")
        return redirect(url_for("learning.mine"))
    try:
        accept(nomination)
    except EnrolmentRefused as refused:
        flash(refusal_message(refused), "error")
        return redirect(url_for("learning.mine"))
    db.session.commit()
    flash(f"You're enrolled in {nomination.module.code}.", "success")
    return redirect(url_for("learning.mine"))


@bp.route("/nominations/<int:nomination_id>/decline", methods=["POST"])
@login_required
def decline_nomination(nomination_id: int):
    """Decline a nomination."""
    nomination = _own_pending(nomination_id)
    if nomination.status == NominationStatus.PENDING:
        decline(nomination)
        db.session.commit()
        flash("Nomination declined.", "info")
    return redirect(url_for("learning.mine"))
