"""The academy's client for the hub's REST API, as the registered service ``academy``.

``hub_clients.init_app(app)`` (called by ``create_app``) makes one client per app from
its settings; nothing connects until a call. Every failure to reach the hub, or an
answer it should not give, is a ``HubError`` that says what went wrong.

Besides the hub's own API it reaches each learner's Jupyter Server contents API, through
the hub's proxy (``/user/<name>/api/contents/<path>``) and never through the workspace
folder on disk: at scale the servers are containers elsewhere. It can read a file, put a
notebook, rename a file and make a folder, and deliberately nothing that deletes; and
start a notebook's kernel (the server's sessions API), so that it boots while the
learner's browser is still loading JupyterLab.
"""

from __future__ import annotations

import json
from contextlib import closing
from urllib.parse import quote

import requests
from flask import Flask, current_app

from app.grading.sandbox.provisioner import KERNEL_NAME
from app.hub.lab import contents_path_ok

EXTENSION_KEY = "hub_client"
# The only methods sent to a learner's contents API: the academy never deletes their files.
CONTENTS_METHODS = ("GET", "PUT", "PATCH")
# How long to wait for the next event of a server's start before answering with the last.
PROGRESS_PAUSE_SECONDS = 0.25


class HubError(Exception):
    """The hub refused a request, or answered in a way the academy cannot use."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class HubUnavailable(HubError):
    """The hub could not be reached, or did not answer in time."""


class TokenRefused(HubError):
    """A 403: the hub or the learner's server refused the credentials it was shown."""


class ServerNotRunning(HubError):
    """The learner's server is not running, so its files cannot be reached now."""


class SpawnFailed(HubError):
    """The hub tried to start the learner's server and it failed."""


def hub_name_path(name: str) -> str:
    """A hub user name as the hub writes it in URLs (JupyterHub's ``url_escape_path``)."""
    return quote(name, safe="@~")


class HubClient:
    """Looks up learners' servers, starts and stops them, and moves notebooks in and out."""

    def __init__(self, hub_url: str, token: str, timeout: float) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.api_url = self.hub_url + "/hub/api"
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"token {token}"

    def _send(self, method: str, url: str, **options) -> requests.Response:
        """Send one request; HubUnavailable when nothing answers (in time)."""
        options.setdefault("timeout", self.timeout)
        try:
            return self._session.request(method, url, **options)
        except requests.Timeout as error:
            raise HubUnavailable(
                f"The notebook hub at {self.api_url} did not answer within {self.timeout:g} s."
            ) from error
        except requests.ConnectionError as error:
            raise HubUnavailable(
                f"The notebook hub at {self.api_url} is not reachable; is it running?"
            ) from error

    def _call(self, method: str, path: str, **options) -> requests.Response:
        """Call the hub's API; HubUnavailable also when the hub fails (5xx)."""
        response = self._send(method, self.api_url + path, **options)
        if response.status_code >= 500:
            raise HubUnavailable(
                f"The notebook hub at {self.api_url} failed ({response.status_code}).",
                response.status_code,
            )
        return response

    @staticmethod
    def _refused(response: requests.Response, what: str) -> HubError:
        try:
            message = response.json().get("message", "")
        except (ValueError, AttributeError):
            message = response.text[:200]
        kind = TokenRefused if response.status_code == 403 else HubError
        return kind(
            f"The notebook hub refused to {what} ({response.status_code}): {message}",
            response.status_code,
        )

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
        try:
            response = self._call("POST", f"/users/{quote(name, safe='')}/server")
        except HubUnavailable as error:
            if error.status != 500:
                raise
            # The hub answered: it is up, but starting this server failed.
            raise SpawnFailed(f"{name}'s server failed to start.", 500) from error
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

    def server_progress(self, name: str) -> dict | None:
        """The latest event of the server's start, or None when no start is under way or failed.

        An event is the hub's ``{"progress": 0-100, "message": ...}``, with ``"ready"`` or
        ``"failed"`` once it is over. The hub streams them (server-sent events) until the
        server is ready; this reads what has come and stops at the first pause.
        """
        try:
            response = self._call(
                "GET",
                f"/users/{quote(name, safe='')}/server/progress",
                stream=True,
                timeout=(self.timeout, PROGRESS_PAUSE_SECONDS),
            )
        except HubUnavailable as error:
            # The pause also bounds the wait for the answer's headers, which a busy hub can
            # take longer than that to send: no event yet, not a hub that is down (callers
            # have just had an answer from it, and ask again on their next poll).
            if isinstance(error.__cause__, requests.ReadTimeout):
                return None
            raise
        with closing(response):
            if response.status_code in (400, 404):
                return None
            if response.status_code != 200:
                raise self._refused(response, f"show how {name}'s server is starting")
            return _latest_event(response)

    def user_url(self, name: str) -> str:
        """The learner's server, as browsers reach it through the hub's proxy."""
        return f"{self.hub_url}/user/{hub_name_path(name)}"

    def lab_url(self, name: str, path: str) -> str:
        """The address that opens ``path`` in the learner's JupyterLab."""
        return f"{self.user_url(name)}/lab/tree/{quote(path)}"

    def _contents(self, method: str, name: str, path: str, **options) -> requests.Response:
        if method not in CONTENTS_METHODS:
            raise ValueError(f"the academy never sends {method} to a learner's files")
        if not contents_path_ok(path):
            raise ValueError(f"{path!r} is not a path inside a workspace")
        url = f"{self.user_url(name)}/api/contents/{quote(path)}"
        # Not followed: a redirect goes to the hub, which means the server is not running
        # (the hub then answers 424); the proxy answers 503 for one that has just gone.
        response = self._send(method, url, allow_redirects=False, **options)
        if response.is_redirect or response.status_code in (424, 503):
            raise ServerNotRunning(f"{name}'s server is not running.", response.status_code)
        if response.status_code == 403:
            raise TokenRefused(
                f"{name}'s server refused the academy's token (403) for {path}.", 403
            )
        if response.status_code >= 500:
            raise HubUnavailable(
                f"{name}'s server failed ({response.status_code}) on {path}.",
                response.status_code,
            )
        return response

    def _contents_refused(self, response: requests.Response, what: str) -> HubError:
        try:
            message = response.json().get("message", "")
        except (ValueError, AttributeError):
            message = response.text[:200]
        return HubError(
            f"The notebook server refused to {what} ({response.status_code}): {message}",
            response.status_code,
        )

    def get_file(self, name: str, path: str, *, content: bool = False) -> dict | None:
        """The contents API's model of a file (its text too, with ``content``), or None."""
        params = {"type": "file", "format": "text", "content": "1"} if content else {"content": "0"}
        response = self._contents("GET", name, path, params=params)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._contents_refused(response, f"read {path}")
        return response.json()

    def put_notebook(self, name: str, path: str, notebook: dict) -> dict:
        """Save a notebook at ``path`` (callers check first: this replaces a file that is there)."""
        body = {"type": "notebook", "format": "json", "content": notebook}
        response = self._contents("PUT", name, path, json=body)
        if response.status_code not in (200, 201):
            raise self._contents_refused(response, f"save {path}")
        return response.json()

    def make_directory(self, name: str, path: str) -> None:
        """Make a folder at ``path``, if there is none yet."""
        response = self._contents("PUT", name, path, json={"type": "directory"})
        if response.status_code not in (200, 201):
            raise self._contents_refused(response, f"make the folder {path}")

    def rename(self, name: str, path: str, new_path: str) -> None:
        """Rename a file; refused (409) by the server when ``new_path`` exists."""
        if not contents_path_ok(new_path):
            raise ValueError(f"{new_path!r} is not a path inside a workspace")
        response = self._contents("PATCH", name, path, json={"path": new_path})
        if response.status_code != 200:
            raise self._contents_refused(response, f"rename {path} to {new_path}")

    def start_session(self, name: str, path: str) -> None:
        """Start the academy kernel for the notebook at ``path``, as JupyterLab would on
        opening it (JupyterLab then finds the session by its path and joins it); a session
        already there for that path is left as it is."""
        if not contents_path_ok(path):
            raise ValueError(f"{path!r} is not a path inside a workspace")
        body = {
            "path": path,
            "name": path.rpartition("/")[2],
            "type": "notebook",
            "kernel": {"name": KERNEL_NAME},
        }
        url = f"{self.user_url(name)}/api/sessions"
        response = self._send("POST", url, json=body, allow_redirects=False)
        if response.is_redirect or response.status_code in (424, 503):
            raise ServerNotRunning(f"{name}'s server is not running.", response.status_code)
        if response.status_code not in (200, 201):
            raise self._refused(response, f"start the kernel of {path}")

    def close(self) -> None:
        """Release the client's connections."""
        self._session.close()


def _latest_event(response: requests.Response) -> dict | None:
    """The last server-sent event read before the stream ends, finishes the start, or pauses."""
    latest = None
    try:
        for line in response.iter_lines():
            if line.startswith(b"data:"):
                latest = json.loads(line[len(b"data:") :])
                if latest.get("ready") or latest.get("failed"):
                    break
    except (requests.ConnectionError, requests.Timeout):
        pass  # the pause: the hub has nothing newer to say yet
    return latest


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
