"""The academy as an OAuth 2 identity provider (Authlib's Flask server) for the notebook hub."""

from flask import Blueprint

bp = Blueprint("oauth", __name__, url_prefix="/oauth")
# Views are registered on bp when create_app imports this package's routes module.
