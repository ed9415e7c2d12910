"""Forms for creating and editing accounts."""

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    PasswordField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from app.accounts.models import Role
from app.personas import choices

ROLE_CHOICES = [SelectChoice(r.value, r.value.capitalize()) for r in Role]
PERSONA_CHOICES = [SelectChoice("", "None"), *(SelectChoice(v, n) for v, n in choices())]


class UserForm(FlaskForm):
    """An account's persona and role (the email is fixed once created)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    persona = SelectField("Persona", choices=PERSONA_CHOICES, validate_choice=True)
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Save")


class NewUserForm(UserForm):
    """A new local account."""

    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[lambda value: value.strip() if value else value],
    )
    password = PasswordField(
        "Initial password",
        validators=[
            Optional(),
            Length(min=10, max=200, message="Use at least 10 characters (and at most 200)."),
        ],
        description="At least 10 characters. Leave empty for a single sign-on only account.",
    )
    submit = SubmitField("Create account")


class UserSearchForm(FlaskForm):
    """Find accounts by name or email."""

    class Meta:
        csrf = False

    q = SearchField("Search", validators=[Optional(), Length(max=100)])


class ToggleActiveForm(FlaskForm):
    """A button that deactivates or reactivates an account (CSRF-protected)."""

    submit = SubmitField("Deactivate")


class GrantForm(FlaskForm):
    """Grant one learner the lake's restricted tier, with the reason the audit log keeps."""

    email = EmailField(
        "Learner's email",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[lambda value: value.strip().lower() if value else value],
    )
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired(message="Give the reason: it is kept in the audit log."),
            Length(max=2000),
        ],
        filters=[lambda value: value.strip() if value else value],
        description="Why this learner needs to see personal data (kept in the audit log).",
    )
    expires_at = DateTimeLocalField(
        "Expires (UTC, optional)",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    submit = SubmitField("Grant access")


class RevokeForm(FlaskForm):
    """End a learner's access to the restricted tier, with a reason."""

    reason = StringField(
        "Reason",
        validators=[DataRequired(message="Give the reason for revoking."), Length(max=2000)],
        filters=[lambda value: value.strip() if value else value],
    )
    submit = SubmitField("Revoke")
