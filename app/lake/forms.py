"""Forms for the lake pages: the join finder and the SQL playground."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


def dataset_choices(datasets) -> list[SelectChoice]:
    """One option per dataset, grouped by zone."""
    return [
        SelectChoice(ds.qualified_name, ds.qualified_name, optgroup=ds.zone.capitalize())
        for ds in datasets
    ]


class JoinForm(FlaskForm):
    """Which two datasets to join (a GET form, so answers can be linked to)."""

    class Meta:
        csrf = False

    start = SelectField("From", validators=[DataRequired()])
    goal = SelectField("To", validators=[DataRequired()])
    submit = SubmitField("Find the join")


MAX_SQL = 20_000


class QueryForm(FlaskForm):
    """A query to run, explain or download."""

    sql = TextAreaField(
        "SQL",
        validators=[DataRequired(), Length(max=MAX_SQL)],
        render_kw={"rows": 8, "spellcheck": "false", "autocapitalize": "off"},
    )
    run = SubmitField("Run")
    explain = SubmitField("Explain")
    download = SubmitField("Download CSV")
