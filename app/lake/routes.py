"""Lake pages: zones and datasets, lineage pictures, the glossary, joins and the playground."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from app.catalogue.svg import render_svg
from app.extensions import db
from app.lake import bp
from app.lake.dictionary import DATASETS, GLOSSARY, ZONES, by_zone, dataset
from app.lake.engine import learner_key
from app.lake.explore.browse import sample_rows
from app.lake.explore.examples import EXAMPLES
from app.lake.explore.joins import example_sql, join_path, snapshot_days
from app.lake.explore.lineage import lineage_layout
from app.lake.forms import MAX_SQL, JoinForm, QueryForm, dataset_choices
from app.lake.location import lake_is_built
from app.lake.models import PlaygroundQuery
from app.lake.privacy.access import playground_for
from app.lake.privacy.grants import active_grant


def dataset_url(qualified_name: str) -> str:
    zone, name = qualified_name.split(".", 1)
    return url_for("lake.dataset_page", zone=zone, name=name)


@bp.route("/")
def zones():
    """The five zones of the lake and the datasets in each."""
    return render_template(
        "lake/zones.html", zones=ZONES, datasets=by_zone(), built=lake_is_built()
    )


@bp.route("/datasets/<zone>/<name>")
def dataset_page(zone: str, name: str):
    """One dataset: kind, grain, keys, columns, sample rows and its lineage, drawn."""
    found = dataset(f"{zone}.{name}")
    if found is None:
        abort(404)
    picture = render_svg(
        lineage_layout(list(DATASETS), found.qualified_name),
        f"Lineage of {found.qualified_name}",
        dataset_url,
        description=(
            f"Where {found.qualified_name} comes from and what is made from it: zones run left "
            "to right, arrows from each dataset to the one derived from it. The lists beside "
            "the picture say the same."
        ),
    )
    downstream = [ds for ds in DATASETS if found.qualified_name in ds.lineage]
    referenced_by = [
        (ds, fk)
        for ds in DATASETS
        for fk in ds.foreign_keys
        if fk.references == found.qualified_name
    ]
    return render_template(
        "lake/dataset.html",
        ds=found,
        sample=sample_rows(found),
        lineage=picture,
        downstream=downstream,
        referenced_by=referenced_by,
        dataset_url=dataset_url,
    )


@bp.route("/glossary")
def glossary():
    """The business's words and the data words, defined once."""
    return render_template(
        "lake/glossary.html", terms=sorted(GLOSSARY, key=lambda t: t.name.lower())
    )


@bp.route("/joins")
def joins():
    """How do I join A to B: the foreign-key path between two datasets, or that there is none."""
    form = JoinForm(request.args)
    choices = dataset_choices(DATASETS)
    form.start.choices = choices
    form.goal.choices = choices
    path = sql = None
    days = []
    asked = "start" in request.args
    if asked and form.validate():
        path = join_path(DATASETS, form.start.data, form.goal.data)
        if path:
            sql = example_sql(DATASETS, path, form.start.data)
            days = snapshot_days(DATASETS, path, form.start.data)
    return render_template(
        "lake/joins.html",
        form=form,
        asked=asked and not form.errors,
        path=path,
        days=days,
        sql=sql,
        dataset_url=dataset_url,
    )


def _record(sql: str, result) -> None:
    error = result.error.message[:500] if result.error else None
    db.session.add(
        PlaygroundQuery(
            user_id=current_user.id,
            sql=sql,
            elapsed_ms=round(result.elapsed_ms),
            row_count=None if error else result.total_rows,
            error=error,
        )
    )


def _recent(limit: int = 10) -> list[PlaygroundQuery]:
    return list(
        db.session.scalars(
            select(PlaygroundQuery)
            .where(PlaygroundQuery.user_id == current_user.id)
            .order_by(PlaygroundQuery.ran_at.desc(), PlaygroundQuery.id.desc())
            .limit(limit)
        )
    )


@bp.route("/playground", methods=["GET", "POST"])
@login_required
def playground():
    """Run SQL against the lake: read-only, except your own scratch space in ``user``."""
    form = QueryForm()
    if request.method == "GET" and request.args.get("sql"):
        form.sql.data = request.args["sql"][:MAX_SQL]
    result = None
    if form.validate_on_submit():
        key = learner_key(current_user.id)
        if form.download.data:
            return _download(form.sql.data, key)
        access = playground_for(current_user, form.sql.data)
        engine = access.playground
        result = access.refusal or (
            engine.explain(form.sql.data, key)
            if form.explain.data
            else engine.run(form.sql.data, key)
        )
        if not form.explain.data and access.refusal is None:
            access.audit(current_user, form.sql.data)
        _record(form.sql.data, result)
        db.session.commit()
    return render_template(
        "lake/playground.html",
        form=form,
        result=result,
        recent=_recent(),
        grant=active_grant(current_user),
        examples=EXAMPLES,
        built=lake_is_built(),
    ), (400 if form.errors else 200)


def _download(sql: str, key: str):
    access = playground_for(current_user, sql)
    if access.refusal is not None:
        flash(f"Could not download: {access.refusal.error.message}", "error")
        return redirect(url_for("lake.playground", sql=sql))
    export = access.playground.csv(sql, key)
    access.audit(current_user, sql)
    db.session.commit()
    if not export.ok:
        flash(f"Could not download: {export.error.message}", "error")
        return redirect(url_for("lake.playground", sql=sql))
    # The export was collected by the worker already, so the chunks need no request context.
    return Response(
        iter(export),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="query.csv"'},
    )
