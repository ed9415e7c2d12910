"""Instructors' views: what to write next, module rosters, sessions and progress."""

from __future__ import annotations

from datetime import UTC

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.decorators import instructor_required
from app.accounts.models import User, utcnow
from app.accounts.services import find_by_email
from app.catalogue.models import Module
from app.demand.services import demand_ranking
from app.enrolment.models import ClassSession
from app.enrolment.services import (
    EnrolmentRefused,
    completers,
    mark_complete,
    override_enrol,
    unmark_complete,
)
from app.enrolment.sessions import (
    SessionError,
    booking_for,
    cancel_class_session,
    change_capacity,
    roster,
    schedule,
    set_attendance,
)
from app.extensions import db
from app.forms import ActionForm
from app.nominations.services import all_nominations, summary
from app.teaching import bp
from app.teaching.forms import CapacityForm, OverrideForm, ProgressForm, SessionForm
from app.teaching.permissions import can_run, can_teach
from app.teaching.services import module_roster, modules_taught_by, upcoming_sessions_for
from app.views import module_or_404, require_action_form


def _teachable(code: str) -> Module:
    module = module_or_404(code)
    if not can_teach(current_user, module):
        abort(403)
    return module


def _runnable(session_id: int) -> ClassSession:
    session = db.session.get(ClassSession, session_id)
    if session is None:
        abort(404)
    if not can_run(current_user, session):
        abort(403)
    return session


@bp.route("/")
@instructor_required
def dashboard():
    """The modules you teach and your upcoming sessions."""
    mine = modules_taught_by(current_user)
    sessions = upcoming_sessions_for(current_user, mine)
    return render_template("teaching/dashboard.html", modules=mine, sessions=sessions)


@bp.route("/demand")
@instructor_required
def demand():
    """Planned modules ranked by how many learners want them, with their notes."""
    ranking = demand_ranking(page=request.args.get("page", 1, type=int))
    return render_template("teaching/demand.html", ranking=ranking, rows=ranking.rows)


@bp.route("/nominations")
@instructor_required
def nominations():
    """Who nominated whom, and how many nominations became enrolments."""
    page = all_nominations(request.args.get("page", 1, type=int))
    return render_template("teaching/nominations.html", page=page, summary=summary())


def _module_page(module: Module, **forms):
    listed = module_roster(module)
    context = {
        "session_form": SessionForm(),
        "override_form": OverrideForm(),
        "progress": ProgressForm(),
    }
    context.update(forms)
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render_template(
        "teaching/module.html",
        module=module,
        enrolments=listed.enrolments,
        completed=listed.completed,
        sessions=listed.sessions,
        now=utcnow(),
        **context,
    ), status


@bp.route("/modules/<code>")
@instructor_required
def module(code: str):
    """A module's enrolments, completions and sessions, with the forms to manage them."""
    return _module_page(_teachable(code))


@bp.route("/modules/<code>/sessions", methods=["POST"])
@instructor_required
def schedule_session(code: str):
    """Put a new class session on the module's timetable."""
    module = _teachable(code)
    form = SessionForm()
    if not form.validate_on_submit():
        return _module_page(module, session_form=form)
    session = schedule(
        module,
        starts_at=form.starts_at.data.replace(tzinfo=UTC),
        duration_minutes=form.duration_minutes.data,
        capacity=form.capacity.data,
        instructor=current_user,
        location=form.location.data,
        online_url=form.online_url.data,
    )
    db.session.commit()
    flash(f"Session scheduled for {session.starts_at:%d %b %Y %H:%M} UTC.", "success")
    return redirect(url_for("teaching.module", code=module.code))


@bp.route("/modules/<code>/override", methods=["POST"])
@instructor_required
def override(code: str):
    """Enrol a learner without the prerequisites, with a recorded reason."""
    module = _teachable(code)
    form = OverrideForm()
    if form.validate_on_submit():
        learner = find_by_email(form.email.data)
        if learner is None or not learner.active:
            form.email.errors.append("There is no active account with that email.")
        else:
            try:
                override_enrol(learner, module, current_user, form.reason.data)
            except EnrolmentRefused as refused:
                form.email.errors.append(refused.decision.reason)
            else:
                db.session.commit()
                flash(f"{learner.name} is enrolled in {module.code}.", "success")
                return redirect(url_for("teaching.module", code=module.code))
    return _module_page(module, override_form=form)


def _learner_from(form: ProgressForm) -> User:
    if not form.validate_on_submit():
        abort(400)
    learner = db.session.get(User, int(form.user_id.data)) if form.user_id.data.isdigit() else None
    if learner is None:
        abort(404)
    return learner


@bp.route("/modules/<code>/completion", methods=["POST"])
@instructor_required
def completion(code: str):
    """Mark (or unmark) a learner as having completed the module."""
    module = _teachable(code)
    form = ProgressForm()
    learner = _learner_from(form)
    if form.value.data:
        mark_complete(learner, module)
        message = f"{learner.name} has completed {module.code}."
    else:
        unmark_complete(learner, module)
        message = f"{learner.name}'s completion of {module.code} was removed."
    db.session.commit()
    flash(message, "success")
    return redirect(request.form.get("next") or url_for("teaching.module", code=module.code))


@bp.route("/sessions/<int:session_id>")
@instructor_required
def session_roster(session_id: int):
    """Who has a seat and who is waiting, with attendance."""
    session = _runnable(session_id)
    return render_template(
        "teaching/session.html",
        session=session,
        roster=roster(session.id),
        completed=completers(session.module_id),
        progress=ProgressForm(),
        capacity_form=CapacityForm(capacity=session.capacity),
        action=ActionForm(),
    )


@bp.route("/sessions/<int:session_id>/attendance", methods=["POST"])
@instructor_required
def attendance(session_id: int):
    """Mark whether a booked learner attended."""
    session = _runnable(session_id)
    form = ProgressForm()
    learner = _learner_from(form)
    booking = booking_for(session.id, learner.id)
    if booking is None:
        abort(404)
    try:
        set_attendance(booking, bool(form.value.data))
    except SessionError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
    return redirect(url_for("teaching.session_roster", session_id=session.id))


@bp.route("/sessions/<int:session_id>/capacity", methods=["POST"])
@instructor_required
def capacity(session_id: int):
    """Change a session's seats; new seats go to the waitlist in order."""
    session = _runnable(session_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        flash("Seats must be a whole number from 1 to 500.", "error")
    else:
        try:
            promoted = change_capacity(session, form.capacity.data)
        except SessionError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Seats changed; {len(promoted)} learner(s) moved off the waitlist.", "success")
    return redirect(url_for("teaching.session_roster", session_id=session.id))


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@instructor_required
def cancel_session(session_id: int):
    """Cancel a session and tell everyone booked or waiting."""
    session = _runnable(session_id)
    require_action_form()
    if cancel_class_session(session):
        db.session.commit()
        flash("Session cancelled; everyone booked or waiting has been told.", "info")
    return redirect(url_for("teaching.module", code=session.module.code))
