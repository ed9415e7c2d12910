"""The register-interest form."""

from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional


class InterestForm(FlaskForm):
    """I want this module written, and here is what I hope to learn."""

    note = TextAreaField(
        "What do you hope to learn? (optional)",
        validators=[Optional(), Length(max=500)],
        description="Instructors read these when they write the module.",
    )
    submit = SubmitField("I want this module")
