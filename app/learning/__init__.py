"""Learning: what each learner has completed, and what they should take next."""

from flask import Blueprint

bp = Blueprint("learning", __name__)
# Views are registered on bp when create_app imports this package's routes module.
