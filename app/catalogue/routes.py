"""Catalogue views: the module list, a module's page and the persona paths."""

from __future__ import annotations

import io
from itertools import groupby

from flask import abort, render_template, request, send_file, url_for
from flask_login import current_user

from app.catalogue import bp
from app.catalogue.forms import CatalogueFilterForm
from app.catalogue.graph import LEVEL_NAMES, GraphNode, layout
from app.catalogue.models import ModuleStatus
from app.catalogue.services import dependents, list_modules, persona_path
from app.catalogue.svg import render_svg
from app.demand.forms import InterestForm
from app.enrolment.participation import participation
from app.enrolment.rules import next_steps
from app.enrolment.services import completed_codes, completed_ids
from app.forms import ActionForm
from app.hub.lessons import MEDIA_TYPE, lesson_file
from app.personas import BY_SLUG, PERSONAS
from app.teaching.permissions import can_teach
from app.views import module_or_404


@bp.route("/modules")
def catalogue():
    """Every live module, grouped by level, filterable by persona and status."""
    form = CatalogueFilterForm(request.args)
    form.validate()  # an unknown persona or status is shown as an error and ignored
    persona = "" if form.persona.errors else form.persona.data
    status = "" if form.status.errors else form.status.data
    cards = list_modules(persona=persona or None, status=status or None)
    levels = [(LEVEL_NAMES[lvl], list(group)) for lvl, group in groupby(cards, lambda c: c.level)]
    return render_template(
        "catalogue/catalogue.html", form=form, levels=levels, count=len(cards), personas=BY_SLUG
    )


@bp.route("/modules/<code>")
def module(code: str):
    """One module: what it teaches, what it needs, and whether you have it."""
    found = module_or_404(code)
    user = current_user if current_user.is_authenticated else None
    done_codes = completed_codes(user.id) if user else set()
    return render_template(
        "catalogue/module.html",
        module=found,
        done={m.id for m in found.prerequisites if m.code in done_codes},
        unlocks=dependents(found),
        personas=BY_SLUG,
        level_name=LEVEL_NAMES.get(found.level, str(found.level)),
        part=participation(user, found, done_codes),
        can_teach=bool(user) and can_teach(user, found),
        interest_form=InterestForm(),
        action=ActionForm(),
        lesson=lesson_file(found.code) is not None,
        show_kit=sees_kits(user) and bool(found.kit_html),
    )


def sees_kits(user) -> bool:
    """Instructors' kits hold the answers: only instructors and admins may read them."""
    return user is not None and (user.is_instructor or user.is_admin)


@bp.route("/modules/<code>/kit")
def kit(code: str):
    """A module's instructors' kit on a page of its own; not found for anyone else."""
    found = module_or_404(code)
    user = current_user if current_user.is_authenticated else None
    # 404, not 403: a learner is not told that there is something here to be refused.
    if not sees_kits(user) or not found.kit_html:
        abort(404)
    return render_template("catalogue/kit.html", module=found)


@bp.route("/modules/<code>/lesson.ipynb")
def lesson_download(code: str):
    """The module's lesson notebook as a file, for those who work without JupyterLab."""
    found = module_or_404(code)
    path = lesson_file(found.code)
    if path is None:
        abort(404)
    # Read whole, not streamed: a lesson is small, and no file stays open after the response.
    return send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=MEDIA_TYPE,
        as_attachment=True,
        download_name=path.name,
    )


@bp.route("/paths")
def paths():
    """The six persona paths."""
    return render_template("catalogue/paths.html", personas=PERSONAS)


@bp.route("/paths/<persona>")
def path(persona: str):
    """A persona's modules and their prerequisites, drawn as a graph."""
    info = BY_SLUG.get(persona)
    if info is None:
        abort(404)
    found = persona_path(persona)
    done_codes: set[str] = set()
    if current_user.is_authenticated:
        done = completed_ids(current_user.id)
        done_codes = {c.code for c in found.cards if c.id in done}
    nodes = [
        GraphNode(
            code=c.code,
            title=c.title,
            level=c.level,
            planned=c.status == ModuleStatus.PLANNED,
            on_path=c.code in found.on_path,
            completed=c.code in done_codes,
        )
        for c in found.cards
    ]
    suggestions = next_steps(found.steps(), done_codes) if current_user.is_authenticated else []
    by_code = {c.code: c for c in found.cards}
    return render_template(
        "catalogue/path.html",
        persona=info,
        path=found,
        graph=render_svg(
            layout(nodes, found.edges),
            f"Prerequisite graph of the {info.name} path",
            lambda code: url_for("catalogue.module", code=code),
        ),
        next_cards=[by_code[s.code] for s in suggestions],
        needs=found.needs,
        done_codes=done_codes,
        level_names=LEVEL_NAMES,
    )
