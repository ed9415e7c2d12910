"""Small helpers the views of several areas share."""

from __future__ import annotations

from flask import abort

from app.catalogue.models import Module
from app.catalogue.services import get_module
from app.forms import ActionForm


def module_or_404(code: str) -> Module:
    """The module with this code, or the 404 page."""
    module = get_module(code)
    if module is None:
        abort(404)
    return module


def require_action_form() -> None:
    """Refuse (400) a one-button POST whose CSRF token is missing or wrong."""
    if not ActionForm().validate_on_submit():
        abort(400)
