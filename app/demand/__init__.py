"""Demand: learners registering interest in planned modules."""

from flask import Blueprint

bp = Blueprint("demand", __name__)
# Views are registered on bp when create_app imports this package's routes module.
