"""The sample data lake: its data dictionary, the pipeline that builds it, and the SQL playground.

Sub-packages by role (see README.md): ``dictionary`` (what the lake promises),
``pipeline`` (generate, build, check), ``explore`` (what the pages show beside
the dictionary) and ``playground`` (the sandboxed SQL engine). The web pages
are on ``bp``, registered when create_app imports ``app.lake.routes``.
"""

from flask import Blueprint

bp = Blueprint("lake", __name__, url_prefix="/lake")
