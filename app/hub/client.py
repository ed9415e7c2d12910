"""The academy's client for the hub's REST API, as the registered service ``academy``.

``hub_clients.init_app(app)`` (called by ``create_app``) makes one client per app from
its settings; nothing connects until a call. Every failure to reach the hub, or an
answer it should not give, is a ``HubError`` that says what went wrong.
"""

from __future__ import annotations

from urllib.parse import quote

import requests
from flask import Flask, current_app

EXTENSION_KEY = "hub_client"


class HubError(Exception):
    """The hub refused a request, or answered in a way the academy cannot use."""


class HubUnavailable(HubError):
    """The hub could not be reached, or did not answer in time."""


class HubClient:
    """Looks up learners' servers and starts and stops them (the service's scopes allow no more)."""

    def __init__(self, hub_url: str, token: str, timeout: float) -> None:
        self.api_url = hub_url.rstrip("/") + "/hub/api"
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"token {token}"

    def _call(self, method: str, path: str) -> requests.Response:
        url = self.api_url + path
        try:
            response = self._session.request(method, url, timeout=self.timeout)
        except requests.Timeout as error:
            raise HubUnavailable(
                f"The notebook hub at {self.api_url} did not answer within {self.timeout:g} s."
            ) from error
        except requests.ConnectionError as error:
            raise HubUnavailable(
                f"The notebook hub at {self.api_url} is not reachable; is it running?"
            ) from error
        if response.status_code >= 500:
            raise HubUnavailable(
                f"The notebook hub at {self.api_url} failed ({response.status_code})."
            )
        return response

    @staticmethod
    def _refused(response: requests.Response, what: str) -> HubError:
        try:
            message = response.json().get("message", "")
        except ValueError:
            message = response.text[:200]
        return HubError(f"The notebook hub refused to {what} ({response.status_code}): {message}")

    def user(self, name: str) -> dict | None:
        """The hub's record of this learner (with their servers), or None if it has none."""
        response = self._call("GET", f"/users/{quote(name, safe='')}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._refused(response, f"look up {name}")
        return response.json()

    def server(self, name: str) -> dict | None:
        """The learner's default server as the hub describes it, or None when none runs."""
        user = self.user(name)
        return None if user is None else user.get("servers", {}).get("")

    def start_server(self, name: str) -> bool:
        """Ask for the learner's server; True once it is ready, False while it is starting."""
        response = self._call("POST", f"/users/{quote(name, safe='')}/server")
        if response.status_code == 201:
            return True
        if response.status_code == 202:
            return False
        if response.status_code == 400 and "already running" in response.text:
            return True
        raise self._refused(response, f"start {name}'s server")

    def stop_server(self, name: str) -> bool:
        """Stop the learner's server; True once it has stopped, False while it is stopping."""
        response = self._call("DELETE", f"/users/{quote(name, safe='')}/server")
        if response.status_code in (202, 204):
            return response.status_code == 204
        if response.status_code == 400 and "not running" in response.text:
            return True
        raise self._refused(response, f"stop {name}'s server")

    def close(self) -> None:
        """Release the client's connections."""
        self._session.close()


class HubClients:
    """Wires a hub client into each app, from its settings."""

    def init_app(self, app: Flask) -> None:
        """Make ``app``'s client (it connects on its first call, not now)."""
        app.extensions[EXTENSION_KEY] = HubClient(
            app.config["ACADEMY_HUB_URL"],
            app.config["ACADEMY_HUB_SERVICE_TOKEN"],
            float(app.config["ACADEMY_HUB_TIMEOUT"]),
        )

    @staticmethod
    def get(app: Flask | None = None) -> HubClient:
        """The hub client of ``app``, or of the current app."""
        return (app or current_app).extensions[EXTENSION_KEY]


hub_clients = HubClients()
