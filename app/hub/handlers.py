"""The hub's one page of the academy's own: back to the academy once signed in to the hub.

JupyterHub sends a browser on after its sign-in only to its own pages, so the academy
sends a learner the hub does not know yet (or whose hub sign-in has lapsed) to
``/hub/academy-return?to=<academy path>``. The hub signs them in first, by itself (the
academy is its identity provider and they are signed in there), and this handler then
sends them to that path on the academy, never elsewhere. ``jupyterhub_config.py`` adds it
to the hub; it runs in the hub's process and runs no learner code.
"""

from __future__ import annotations

from jupyterhub.handlers.base import BaseHandler
from tornado import web

from app.hub.lab import safe_return_path

RETURN_PATH = r"/academy-return"


class AcademyReturnHandler(BaseHandler):
    """Sends a signed-in hub user to a path on the academy."""

    def initialize(self, academy_url: str) -> None:
        """Remember where the academy is (from the hub's settings)."""
        super().initialize()
        self.academy_url = academy_url.rstrip("/")

    @web.authenticated
    def get(self) -> None:
        """Redirect to the academy path in ``to``; 400 for anything that is not one."""
        path = safe_return_path(self.get_argument("to", ""))
        if path is None:
            raise web.HTTPError(400, "to must be a path on the academy, starting with one /")
        self.redirect(self.academy_url + path)


def academy_return_handler(academy_url: str) -> tuple:
    """The handler as ``c.JupyterHub.extra_handlers`` takes it (below the hub's ``/hub/``)."""
    return (RETURN_PATH, AcademyReturnHandler, {"academy_url": academy_url})
