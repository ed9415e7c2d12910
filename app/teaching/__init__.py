"""Teaching: instructors' pages for demand, sessions, rosters and completions."""

from flask import Blueprint

bp = Blueprint("teaching", __name__, url_prefix="/teach")
# Views are registered on bp when create_app imports this package's routes module.
