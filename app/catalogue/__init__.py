"""Catalogue: the public list of modules, each module's page and the persona paths."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)
# Views are registered on bp when create_app imports this package's routes module.
