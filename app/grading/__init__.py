"""Grading: exercises as folders in ``exercises/``, a sandboxed notebook grader, and the pages.

The grader (``grade``) is pure: an upload in, a result out, nothing written.
``submissions`` records results and the grading queue runs it away from the
request. The web pages are on ``bp``, registered when create_app imports
``app.grading.routes``.
"""

from flask import Blueprint

bp = Blueprint("grading", __name__)
