"""The notebook upload form."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField


class UploadForm(FlaskForm):
    """A completed notebook to grade."""

    notebook = FileField(
        "Your completed notebook (.ipynb)",
        validators=[FileRequired(), FileAllowed(["ipynb"], "Upload the .ipynb file itself.")],
    )
    submit = SubmitField("Submit for grading")
