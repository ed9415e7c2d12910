"""The home page."""

from flask import render_template
from flask_login import current_user

from app.catalogue.services import persona_path, status_counts
from app.enrolment.rules import next_steps
from app.enrolment.services import completed_ids
from app.main import bp, errors  # noqa: F401  (errors registers the error pages)
from app.personas import BY_SLUG, PERSONAS


@bp.route("/")
def home():
    """What the academy is, and for a signed-in learner, what to take next."""
    suggestions, persona = [], None
    if current_user.is_authenticated and current_user.persona in BY_SLUG:
        persona = BY_SLUG[current_user.persona]
        path = persona_path(persona.slug)
        done = completed_ids(current_user.id)
        done_codes = {c.code for c in path.cards if c.id in done}
        by_code = {c.code: c for c in path.cards}
        suggestions = [by_code[s.code] for s in next_steps(path.steps(), done_codes)]
    counts = status_counts()
    return render_template(
        "main/home.html",
        personas=PERSONAS,
        persona=persona,
        suggestions=suggestions,
        published=counts.get("published", 0),
        planned=counts.get("planned", 0),
    )
