"""The catalogue's filter form (a GET form, so filtered views can be bookmarked)."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField

from app.personas import choices


class CatalogueFilterForm(FlaskForm):
    """Filter the catalogue by persona and by status."""

    class Meta:
        csrf = False  # it only reads

    persona = SelectField(
        "Persona",
        choices=[SelectChoice("", "All personas"), *(SelectChoice(v, n) for v, n in choices())],
        default="",
    )
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Published and planned"),
            SelectChoice("published", "Published"),
            SelectChoice("planned", "Planned"),
        ],
        default="",
    )
    submit = SubmitField("Filter")
