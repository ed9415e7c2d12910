"""The sample data lake: its datasets, their catalogue and lineage, and the SQL playground.

Content and engine live in plain modules (catalog, generate, build, check,
playground); the web pages are on ``bp``, registered when create_app imports
``app.lake.routes``.
"""

from flask import Blueprint

bp = Blueprint("lake", __name__, url_prefix="/lake")
