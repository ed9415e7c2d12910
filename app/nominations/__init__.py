"""Nominations: colleagues bringing each other into the academy."""

from flask import Blueprint

bp = Blueprint("nominations", __name__)
# Views are registered on bp when create_app imports this package's routes module.
