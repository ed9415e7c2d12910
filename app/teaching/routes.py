"""Instructors' views: what to write next, module rosters, sessions and progress."""

from __future__ import annotations

from datetime import UTC

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.decorators import instructor_required
from app.accounts.models import User, utcnow
from app.accounts.services import find_by_email
from app.catalogue.models import Module, ModuleStatus
from app.demand.services import demand_ranking
from app.enrolment.models import Booking, ClassSession, Enrolment
from app.enrolment.services import EnrolmentRefused, mark_complete, override_enrol, unmark_complete
from app.enrolment.sessions import SessionError, change_capacity, roster, schedule, set_attendance
from app.extensions import db
from app.forms import ActionForm
from app.learning.models import Completion
from app.nominations.services import all_nominations, summary
from app.notifications.services import notify
from app.teaching import bp
from app.teaching.forms import CapacityForm, OverrideForm, ProgressForm, SessionForm
from app.teaching.permissions import can_run, can_teach
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
    live = db.session.scalars(
        select(Module)
        .where(Module.status != ModuleStatus.RETIRED)
        .order_by(Module.level, Module.code)
    )
    mine = [m for m in live if can_teach(current_user, m)]
    sessions = db.session.scalars(
        select(ClassSession)
        .where(ClassSession.starts_at > utcnow(), ClassSession.cancelled_at.is_(None))
        .where(
            ClassSession.module_id.in_([m.id for m in mine])
            | (ClassSession.instructor_id == current_user.id)
        )
        .options(joinedload(ClassSession.module))
        .order_by(ClassSession.starts_at)
    ).all()
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
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.module_id == module.id)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.override_by))
        .order_by(Enrolment.created_at)
    ).all()
    completed = set(
        db.session.scalars(select(Completion.user_id).where(Completion.module_id == module.id))
    )
    sessions = db.session.scalars(
        select(ClassSession)
        .where(ClassSession.module_id == module.id)
        .order_by(ClassSession.starts_at)
    ).all()
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
        enrolments=enrolments,
        completed=completed,
        sessions=sessions,
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
    completed = set(
        db.session.scalars(
            select(Completion.user_id).where(Completion.module_id == session.module_id)
        )
    )
    return render_template(
        "teaching/session.html",
        session=session,
        roster=roster(session.id),
        completed=completed,
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
    booking = db.session.scalar(
        select(Booking).where(Booking.session_id == session.id, Booking.user_id == learner.id)
    )
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
    if session.cancelled_at is None:
        session.cancelled_at = utcnow()
        for booking in roster(session.id):
            notify(
                booking.user,
                kind="session_cancelled",
                message=f"The {session.module.code} session on "
                f"{session.starts_at:%d %b %Y at %H:%M} UTC has been cancelled.",
                link=f"/modules/{session.module.code}",
                subject=f"{session.module.code} session cancelled",
            )
        db.session.commit()
        flash("Session cancelled; everyone booked or waiting has been told.", "info")
    return redirect(url_for("teaching.module", code=session.module.code))
