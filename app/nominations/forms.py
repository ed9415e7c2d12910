"""The nominate-a-colleague form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length


class NominateForm(FlaskForm):
    """Suggest this module to a colleague, and say why."""

    email = EmailField(
        "Colleague's email",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[lambda value: value.strip() if value else value],
    )
    reason = TextAreaField(
        "Why should they take it?", validators=[DataRequired(), Length(min=5, max=500)]
    )
    submit = SubmitField("Nominate")
