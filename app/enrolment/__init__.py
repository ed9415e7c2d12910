"""Enrolment: taking modules, booking class sessions, the waitlist."""

from flask import Blueprint

bp = Blueprint("enrolment", __name__)
# Views are registered on bp when create_app imports this package's routes module.
