"""Exercise pages: download the starter, upload an attempt, follow its grading, read the result."""

from __future__ import annotations

import json
from io import BytesIO

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.decorators import instructor_required
from app.catalogue.models import Module
from app.extensions import db
from app.grading import bp
from app.grading.exercises.authored import Exercise
from app.grading.forms import UploadForm
from app.grading.models import Submission, SubmissionStatus
from app.grading.queue import grading_queue
from app.grading.render import render_notebook
from app.grading.runtime import sandbox_warning
from app.grading.submissions import (
    SubmissionRefused,
    attempts,
    best,
    exercise_stats,
    find_exercise,
    submit,
)
from app.hub.lab import with_submit_cell

STATUS_LABELS = {
    SubmissionStatus.QUEUED: "Queued: waiting for a grader",
    SubmissionStatus.RUNNING: "Running your notebook",
    SubmissionStatus.GRADED: "Graded",
    SubmissionStatus.ERROR: "Could not be graded",
}


def _exercise_or_404(exercise_id: str):
    exercise = find_exercise(exercise_id)
    if exercise is None:
        abort(404)
    return exercise


@bp.route("/exercises/<exercise_id>")
def exercise_page(exercise_id: str):
    """An exercise: what it asks, the starter, your attempts and the best one."""
    exercise = _exercise_or_404(exercise_id)
    module = db.session.scalar(select(Module).where(Module.code == exercise.module))
    mine = attempts(current_user.id, exercise.id) if current_user.is_authenticated else []
    grading_queue().warm()  # an upload may follow: have a kernel booted by then
    return render_template(
        "grading/exercise.html",
        exercise=exercise,
        module=module,
        attempts=mine,
        best=best(mine),
        form=UploadForm(),
        labels=STATUS_LABELS,
    )


def exercise_link(exercise: Exercise) -> str:
    """The exercise page's absolute address, at ACADEMY_BASE_URL when that is set."""
    base = current_app.config["ACADEMY_BASE_URL"].rstrip("/")
    if base:
        return base + url_for("grading.exercise_page", exercise_id=exercise.id)
    return url_for("grading.exercise_page", exercise_id=exercise.id, _external=True)


def learners_starter(exercise: Exercise) -> dict:
    """The starter as learners get it, downloaded or in JupyterLab: first, where to submit."""
    starter = json.loads(exercise.starter.read_text(encoding="utf-8"))
    return with_submit_cell(starter, exercise.title, exercise_link(exercise))


@bp.route("/exercises/<exercise_id>/starter.ipynb")
def starter(exercise_id: str):
    """Download the starter notebook (never the solution)."""
    exercise = _exercise_or_404(exercise_id)
    return send_file(
        BytesIO(json.dumps(learners_starter(exercise), indent=1, ensure_ascii=False).encode()),
        mimetype="application/x-ipynb+json",
        as_attachment=True,
        download_name=f"{exercise.id}.ipynb",
    )


def take_submission(exercise: Exercise, data: bytes) -> Response:
    """Store a notebook and queue it, then its page; refused ones go back with the reason.

    Uploads and JupyterLab copies both come this way: the same checks, the same rate
    limit, the same queue and the same page.
    """
    try:
        submission = submit(current_user, exercise, data)
    except SubmissionRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("grading.exercise_page", exercise_id=exercise.id))
    db.session.commit()
    grading_queue().submit(submission.id)
    return redirect(
        url_for("grading.submission_page", exercise_id=exercise.id, submission_id=submission.id)
    )


@bp.route("/exercises/<exercise_id>/submissions", methods=["POST"])
@login_required
def upload(exercise_id: str):
    """Take an uploaded notebook and queue it; grading never runs in this request."""
    exercise = _exercise_or_404(exercise_id)
    form = UploadForm()
    if not form.validate_on_submit():
        for error in form.notebook.errors:
            flash(error, "error")
        return redirect(url_for("grading.exercise_page", exercise_id=exercise.id))
    return take_submission(exercise, form.notebook.data.read())


def _own_submission(exercise_id: str, submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.exercise_id != exercise_id:
        abort(404)
    if submission.user_id != current_user.id and not current_user.is_instructor:
        abort(403)
    return submission


@bp.route("/exercises/<exercise_id>/submissions/<int:submission_id>")
@login_required
def submission_page(exercise_id: str, submission_id: int):
    """One attempt: its state while grading, then the score, feedback and executed notebook."""
    exercise = _exercise_or_404(exercise_id)
    submission = _own_submission(exercise_id, submission_id)
    result = json.loads(submission.result_json) if submission.result_json else None
    notebook_html = None
    if result and result.get("notebook"):
        notebook_html = render_notebook(result["notebook"], set(result.get("failed_cells", [])))
    return render_template(
        "grading/submission.html",
        exercise=exercise,
        submission=submission,
        result=result,
        notebook_html=notebook_html,
        label=STATUS_LABELS[SubmissionStatus(submission.status)],
    )


@bp.route("/exercises/<exercise_id>/submissions/<int:submission_id>.json")
@login_required
def submission_status(exercise_id: str, submission_id: int):
    """The state of an attempt, for the page that updates itself."""
    submission = _own_submission(exercise_id, submission_id)
    return jsonify(
        status=submission.status,
        status_label=STATUS_LABELS[SubmissionStatus(submission.status)],
        finished=submission.is_finished,
        score=submission.score,
        max_score=submission.max_score,
        passed=submission.passed,
    )


@bp.route("/teach/exercises")
@instructor_required
def results():
    """Per exercise: attempts, pass rate, and which questions learners miss."""
    warning = sandbox_warning() if current_user.is_admin else None
    return render_template("grading/results.html", stats=exercise_stats(), sandbox_warning=warning)
