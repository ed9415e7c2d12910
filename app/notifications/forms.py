"""Forms for notifications: buttons that change state, so they carry a CSRF token."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField

from app.notifications.models import OutboxStatus

STATUS_CHOICES = [
    SelectChoice("", "Any status"),
    *(SelectChoice(s.value, s.value.capitalize()) for s in OutboxStatus),
]


class MarkReadForm(FlaskForm):
    """A button that marks notifications read."""

    submit = SubmitField("Mark all as read")


class OutboxFilterForm(FlaskForm):
    """Narrow the outbox to one status."""

    class Meta:
        csrf = False  # it only reads

    status = SelectField("Status", choices=STATUS_CHOICES, default="")
    submit = SubmitField("Filter")
