"""Open in JupyterLab, the page that waits for a server, reset to starter, submit my copy.

For exercises (``/exercises/<id>/lab...``) and lesson notebooks (``/modules/<code>/lab...``).
Only POSTs change anything in a workspace; every failure comes back to the exercise or
module page as a plain message, where downloading and uploading still work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.grading.routes import learners_starter, take_submission
from app.grading.submissions import MAX_UPLOAD_BYTES, find_exercise
from app.hub import bp
from app.hub.client import (
    HubError,
    HubUnavailable,
    ServerNotRunning,
    SpawnFailed,
    TokenRefused,
    hub_clients,
)
from app.hub.forms import OpenForm
from app.hub.lab import exercise_path, lesson_path
from app.hub.lessons import read_lesson
from app.hub.opening import (
    CopyTooLarge,
    Next,
    NoCopy,
    Notebook,
    SignInRefused,
    Step,
    open_copy,
    read_copy,
    reset_copy,
    server_state,
)
from app.lake.privacy.grants import active_grant, record_restricted_notebook
from app.views import module_or_404, require_action_form

log = logging.getLogger(__name__)

AREA = "/<any(exercises, modules):area>/<key>/lab"
SAFE = "Your files are safe."


@dataclass(frozen=True)
class Target:
    """What is opened: its notebook, its page, how the page names it, what works without it."""

    notebook: Notebook
    page: str
    what: str  # "this exercise", "this lesson"
    fallback: str


def _target(area: str, key: str) -> Target:
    """The exercise or lesson a JupyterLab URL names; 404 when there is none."""
    if area == "exercises":
        exercise = find_exercise(key)
        if exercise is None:
            abort(404)
        return Target(
            Notebook(exercise_path(exercise.id), learners_starter(exercise)),
            url_for("grading.exercise_page", exercise_id=exercise.id),
            "this exercise",
            "You can still download the starter and upload.",
        )
    module = module_or_404(key)
    lesson = read_lesson(module.code)
    if lesson is None:
        abort(404)
    return Target(
        Notebook(lesson_path(module.code), lesson),
        url_for("catalogue.module", code=module.code),
        "this lesson",
        "The lesson itself is still here on this page.",
    )


def _hub_name() -> str:
    # The hub's user name is the email the academy tells it, which it lowercases.
    return current_user.email.lower()


def _message(error: Exception, target: Target) -> str:
    """What the learner reads when JupyterLab cannot do what they asked."""
    if isinstance(error, HubUnavailable):
        return (
            "The notebook server is not reachable right now; your files are safe. "
            f"{target.fallback}"
        )
    if isinstance(error, SpawnFailed):
        return (
            f"Your notebook server did not start. {SAFE} Try again in a few minutes. "
            f"{target.fallback}"
        )
    if isinstance(error, SignInRefused):
        return (
            "The notebook hub did not accept your sign-in, so your server cannot start. "
            f"{SAFE} Sign out of the academy and in again. {target.fallback}"
        )
    if isinstance(error, TokenRefused):
        return (
            "The notebook server refused the academy's access (its token has expired or "
            f"was revoked). {SAFE} {target.fallback}"
        )
    if isinstance(error, ServerNotRunning):
        minutes = current_app.config["ACADEMY_HUB_IDLE_MINUTES"]
        return (
            f"Your JupyterLab is not running: it stops after {minutes} idle minutes, and "
            "your work is kept. Open it in JupyterLab again (your copy is still there). "
            f"{target.fallback}"
        )
    if isinstance(error, NoCopy):
        return (
            f"You have no JupyterLab copy of {target.what} yet: open it in JupyterLab "
            "first, or upload a notebook."
        )
    if isinstance(error, CopyTooLarge):
        return (
            f"Your JupyterLab copy is {error.size / 2**20:.1f} MB; a submission may be at "
            f"most {MAX_UPLOAD_BYTES // 2**20} MB. Clear its outputs (Edit > Clear Outputs "
            "of All Cells), save, and submit again."
        )
    return f"The notebook server could not do that. {SAFE} {target.fallback}"


FAILURES = (HubError, NoCopy, CopyTooLarge)


def _fail(target: Target, error: Exception):
    """Back to the page the learner came from, with a plain message (the details go to the log)."""
    log.warning("JupyterLab for %s: %s", _hub_name(), error)
    flash(_message(error, target), "error")
    return redirect(target.page, 303)


def _through_hub_sign_in(path: str) -> str:
    """The hub signs the learner in (automatically), then sends them to ``path`` here."""
    hub = current_app.config["ACADEMY_HUB_URL"].rstrip("/")
    return f"{hub}/hub/academy-return?{urlencode({'to': path})}"


@bp.route(AREA, methods=["POST"])
@login_required
def open_in_lab(area: str, key: str):
    """Open the notebook in the learner's JupyterLab: start it, copy the notebook in if absent."""
    target = _target(area, key)
    form = OpenForm()
    if not form.validate_on_submit():
        abort(400)
    step = Step(form.step.data or Step.FIRST)
    try:
        opened = open_copy(hub_clients.get(), _hub_name(), target.notebook, step)
    except FAILURES as error:
        return _fail(target, error)
    if opened.next is Next.LAB:
        grant = active_grant(current_user)
        if grant is not None:
            record_restricted_notebook(current_user, grant, target.notebook.path)
            db.session.commit()
        return redirect(opened.url, 303)
    if opened.next is Next.WAIT:
        return redirect(url_for(".starting", area=area, key=key, step=Step.STARTED), 303)
    back = url_for(".starting", area=area, key=key, step=Step.SIGNED_IN)
    return redirect(_through_hub_sign_in(back), 303)


def _step_arg() -> Step:
    step = request.args.get("step")
    return Step.SIGNED_IN if step == Step.SIGNED_IN else Step.STARTED


@bp.route(f"{AREA}/starting")
@login_required
def starting(area: str, key: str):
    """Starting your notebook server: its progress, then on to the open (which the POST does)."""
    target = _target(area, key)
    step = _step_arg()
    try:
        state = server_state(hub_clients.get(), _hub_name())
    except HubError as error:
        return _fail(target, error)
    return render_template(
        "hub/starting.html",
        target=target,
        state=state,
        form=OpenForm(step=step.value),
        action=url_for(".open_in_lab", area=area, key=key),
        status_url=url_for(".status", area=area, key=key),
    )


@bp.route(f"{AREA}/status.json")
@login_required
def status(area: str, key: str):
    """The learner's server, for the starting page: its state and progress, and whether to go on."""
    _target(area, key)
    try:
        state = server_state(hub_clients.get(), _hub_name())
    except HubError:
        # Going on makes the open itself say what is wrong, on the page the learner came from.
        return jsonify({"state": "unavailable", "progress": None, "message": "", "continue": True})
    return jsonify(
        {
            "state": state.state,
            "progress": state.progress,
            "message": state.message,
            "continue": state.settled,
        }
    )


@bp.route(f"{AREA}/reset", methods=["POST"])
@login_required
def reset(area: str, key: str):
    """Reset to the starter: the current copy is kept under a dated name beside the new one."""
    target = _target(area, key)
    require_action_form()
    try:
        kept = reset_copy(hub_clients.get(), _hub_name(), target.notebook, datetime.now(UTC))
    except FAILURES as error:
        return _fail(target, error)
    name = target.notebook.path
    if kept:
        flash(f"{name} is a fresh copy again; your previous copy is kept as {kept}.", "info")
    else:
        flash(f"{name} is a fresh copy in your JupyterLab.", "info")
    return redirect(target.page, 303)


@bp.route("/exercises/<exercise_id>/lab/submit", methods=["POST"])
@login_required
def submit_copy(exercise_id: str):
    """Submit my JupyterLab copy: its saved file, graded exactly as an upload is."""
    target = _target("exercises", exercise_id)
    require_action_form()
    exercise = find_exercise(exercise_id)
    try:
        data = read_copy(hub_clients.get(), _hub_name(), target.notebook.path, MAX_UPLOAD_BYTES)
    except FAILURES as error:
        return _fail(target, error)
    return take_submission(exercise, data)
