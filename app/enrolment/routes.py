"""Enrolling in modules and booking class sessions."""

from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from app.enrolment import bp
from app.enrolment.calendar import session_ics
from app.enrolment.models import BookingStatus, ClassSession
from app.enrolment.participation import upcoming_sessions
from app.enrolment.services import EnrolmentRefused, enrol, withdraw
from app.enrolment.sessions import SessionError, book, booking_for, cancel, position
from app.extensions import db
from app.forms import ActionForm
from app.views import module_or_404, require_action_form


def refusal_message(refused: EnrolmentRefused) -> Markup:
    """The reason, naming and linking each missing prerequisite."""
    decision = refused.decision
    if not decision.missing:
        return Markup(escape(decision.reason))
    links = ", ".join(
        f'<a href="{url_for("catalogue.module", code=code)}">{escape(code)}</a>'
        for code in decision.missing
    )
    return Markup(f"You can't enrol yet: first complete {links}.")


def _session_or_404(session_id: int) -> ClassSession:
    session = db.session.get(ClassSession, session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/modules/<code>/enrol", methods=["POST"])
@login_required
def enrol_in(code: str):
    """Enrol in a module, if its prerequisites are complete."""
    module = module_or_404(code)
    require_action_form()
    try:
        enrol(current_user, module)
    except EnrolmentRefused as refused:
        flash(refusal_message(refused), "error")
    else:
        db.session.commit()
        flash(f"You're enrolled in {module.code}.", "success")
    return redirect(url_for("catalogue.module", code=module.code))


@bp.route("/modules/<code>/withdraw", methods=["POST"])
@login_required
def withdraw_from(code: str):
    """Leave a module."""
    module = module_or_404(code)
    require_action_form()
    if withdraw(current_user, module):
        db.session.commit()
        flash(f"You have left {module.code}.", "info")
    return redirect(url_for("catalogue.module", code=module.code))


@bp.route("/sessions/<int:session_id>")
def session_page(session_id: int):
    """One class session: when, where, seats, and your place."""
    session = _session_or_404(session_id)
    views = upcoming_sessions(
        session.module_id, current_user if current_user.is_authenticated else None
    )
    view = next((v for v in views if v.session.id == session.id), None)
    return render_template(
        "enrolment/session.html", session=session, view=view, action=ActionForm()
    )


def _back(session: ClassSession):
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return redirect(target)
    return redirect(url_for("enrolment.session_page", session_id=session.id))


@bp.route("/sessions/<int:session_id>/book", methods=["POST"])
@login_required
def book_session(session_id: int):
    """Take a seat, or join the waitlist when the session is full."""
    session = _session_or_404(session_id)
    require_action_form()
    try:
        booking = book(session, current_user)
    except EnrolmentRefused as refused:
        flash(refusal_message(refused), "error")
        return _back(session)
    except SessionError as exc:
        flash(str(exc), "error")
        return _back(session)
    db.session.commit()
    if booking.status == BookingStatus.BOOKED:
        flash("You have a seat. Add it to your calendar.", "success")
    else:
        flash(f"The session is full: you are number {position(booking)} on the waitlist.", "info")
    return _back(session)


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel_booking(session_id: int):
    """Give up your seat or waitlist place; the next in the queue gets the seat."""
    session = _session_or_404(session_id)
    require_action_form()
    booking = booking_for(session.id, current_user.id)
    if booking is None or booking.status == BookingStatus.CANCELLED:
        # A second click, or a request racing the first: the normal page, not an error.
        flash("You have no place in this session to give up.", "info")
        return _back(session)
    cancel(booking)
    db.session.commit()
    flash("Your place has been given up.", "info")
    return _back(session)


@bp.route("/sessions/<int:session_id>/calendar.ics")
def calendar(session_id: int):
    """The session as an .ics file for any calendar."""
    session = _session_or_404(session_id)
    page = url_for("enrolment.session_page", session_id=session.id, _external=True)
    body = session_ics(session, request.host.split(":")[0] or "academy", page)
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="{session.module.code}-{session.id}.ics"'
        },
    )
