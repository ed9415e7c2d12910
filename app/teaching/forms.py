"""Instructors' forms: scheduling sessions, overriding prerequisites, marking progress."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SessionForm(FlaskForm):
    """When and where a class session runs, and how many it seats."""

    starts_at = DateTimeLocalField(
        "Starts (UTC)", format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    duration_minutes = IntegerField(
        "Length in minutes", default=90, validators=[InputRequired(), NumberRange(15, 8 * 60)]
    )
    capacity = IntegerField("Seats", default=12, validators=[InputRequired(), NumberRange(1, 500)])
    location = StringField("Room", validators=[Optional(), Length(max=200)], filters=[_strip])
    online_url = URLField(
        "Online link", validators=[Optional(), URL(), Length(max=500)], filters=[_strip]
    )
    submit = SubmitField("Schedule session")

    def validate_online_url(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError("Use an http or https link.")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not (self.location.data or self.online_url.data):
            self.location.errors.append("Give a room, an online link, or both.")
            return False
        return ok


class CapacityForm(FlaskForm):
    """Change how many seats a session has."""

    capacity = IntegerField("Seats", validators=[InputRequired(), NumberRange(1, 500)])
    submit = SubmitField("Change seats")


class OverrideForm(FlaskForm):
    """Let a learner in without the prerequisites, and say why."""

    email = EmailField(
        "Learner's email", validators=[DataRequired(), Email(), Length(max=254)], filters=[_strip]
    )
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired(), Length(min=5, max=500)],
        description="Recorded and shown with the enrolment.",
    )
    submit = SubmitField("Enrol without prerequisites")


class ProgressForm(FlaskForm):
    """Mark one learner's attendance or completion."""

    user_id = HiddenField(validators=[DataRequired()])
    value = BooleanField()
    submit = SubmitField("Save")
