"""Forms shared across areas."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A bare form for a one-button action: it carries only the CSRF token."""
