"""Notifications: what the academy tells people, in the site and by e-mail through an outbox."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
# Views are registered on bp when create_app imports this package's routes module.
