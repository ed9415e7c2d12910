"""Catalogue: the public list of modules, each module's page and the persona paths."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from app.catalogue import routes  # noqa: E402,F401  (registers the views on bp)
