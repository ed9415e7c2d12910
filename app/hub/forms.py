"""The one-button forms of JupyterLab's pages: open (from a given step), reset, submit."""

from wtforms import HiddenField
from wtforms.validators import AnyOf, Optional

from app.forms import ActionForm
from app.hub.opening import Step


class OpenForm(ActionForm):
    """Open a notebook in JupyterLab; ``step`` says where the open has got to."""

    step = HiddenField(validators=[Optional(), AnyOf([step.value for step in Step])])
