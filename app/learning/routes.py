"""The learner's own page."""

from flask import render_template
from flask_login import current_user, login_required

from app.demand.forms import InterestForm
from app.forms import ActionForm
from app.learning import bp
from app.learning.services import my_learning


@bp.route("/learning")
@login_required
def mine():
    """My enrolments, sessions, completions, interests, nominations and next modules."""
    return render_template(
        "learning/mine.html",
        data=my_learning(current_user),
        action=ActionForm(),
        interest_form=InterestForm(),
    )
