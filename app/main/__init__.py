"""Main: the home page and the error pages."""

from flask import Blueprint

bp = Blueprint("main", __name__)
# Views are registered on bp when create_app imports this package's routes module.
