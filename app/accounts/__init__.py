"""Accounts: staff identities, roles, sign-in and the demo accounts."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
# Views are registered on bp when create_app imports this package's routes module.
