"""Admin: managing staff accounts and their roles."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
# Views are registered on bp when create_app imports this package's routes module.
