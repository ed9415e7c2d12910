"""Grading: exercises as folders in ``exercises/``, a sandboxed notebook grader, and the pages.

``exercises/`` reads and checks the folders, ``grader/`` grades one attempt
(pure: an upload in, a result out, nothing written) and ``sandbox/`` runs the
notebook. ``submissions`` records results and the grading queue runs the
grader away from the request. The web pages are on ``bp``, registered when
create_app imports ``app.grading.routes``. See README.md beside this file.
"""

from flask import Blueprint

bp = Blueprint("grading", __name__)
