"""Learners' own JupyterLab on JupyterHub: its settings, the academy's client, its launcher.

The pages that open notebooks there, reset them and submit them are on ``bp``,
registered when create_app imports ``app.hub.routes``. See README.md beside this file.
"""

from flask import Blueprint

bp = Blueprint("hub", __name__)
