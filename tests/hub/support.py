"""Steps the hub tests share (not fixtures): signing in to the academy and through to the hub."""

from __future__ import annotations

import json
import re
import socket
import time
from urllib.parse import urlsplit

import requests

LEARNER = "learner@academy.example"
ADMIN = "admin@academy.example"
INACTIVE = "gone@academy.example"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def academy_sign_in(session: requests.Session, academy_url: str, email: str, password: str):
    """Submit the academy's real sign-in form (with its CSRF token); the response."""
    page = session.get(f"{academy_url}/login", timeout=30)
    data = {"email": email, "password": password, "csrf_token": CSRF.search(page.text).group(1)}
    return session.post(f"{academy_url}/login", data=data, timeout=30, allow_redirects=False)


def academy_session(academy_url: str, email: str, password: str) -> requests.Session:
    """A cookie jar signed in to the academy."""
    session = requests.Session()
    response = academy_sign_in(session, academy_url, email, password)
    assert response.status_code == 302, response.text[:500]
    return session


def hub_sign_in(session: requests.Session, hub_url: str) -> requests.Response:
    """Follow the hub's OAuth sign-in through the academy and back; the last response.

    It lands on the hub's home page, so signing in starts no server (the hub's default).
    """
    return session.get(f"{hub_url}/hub/oauth_login", params={"next": "/hub/home"}, timeout=60)


def learner_server(session: requests.Session, hub_url: str, email: str, client) -> tuple:
    """Start ``email``'s server through the academy's client and open it as their browser
    would (signed in to the hub); its URL and the headers JupyterLab's own calls carry."""
    client.start_server(email)
    assert wait_for(lambda: (client.server(email) or {}).get("ready")) is True
    server = hub_url + client.server(email)["url"].rstrip("/")
    session.get(f"{server}/lab", timeout=120)  # the single-user OAuth dance sets its cookies
    # What the browser would send to the server's path (the hub's own _xsrf is for /hub/).
    path = urlsplit(server).path
    sent = [c for c in session.cookies if path.startswith(c.path.rstrip("/"))]
    xsrf = next((c.value for c in sent if c.name == "_xsrf"), "")
    headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in sent), "X-XSRFToken": xsrf}
    return server, headers


def wait_for(check, *, attempts: int = 240, pause: float = 0.5):
    """Call ``check`` until it returns something truthy; that value (or the last one)."""
    value = None
    for _ in range(attempts):
        value = check()
        if value:
            return value
        time.sleep(pause)
    return value


def free_port() -> int:
    """A loopback port nobody listens on now (the hub's three ports are chosen this way)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakeHub:
    """Stands in for the HubClient in fast tests: servers and files in memory, calls recorded.

    ``start`` is what a start answers: True (ready), False (starting) or an exception.
    """

    WRITES = (
        "start_server",
        "stop_server",
        "start_session",
        "put_notebook",
        "make_directory",
        "rename",
    )

    def __init__(self) -> None:
        self.users: dict[str, dict] = {}
        self.files: dict[tuple[str, str], str] = {}
        self.folders: set[tuple[str, str]] = set()
        self.calls: list[tuple] = []
        self.start: object = True
        self.session: object = None  # what starting a notebook's kernel raises, if anything
        self.progress: dict | None = None
        self.lab_base = "http://hub.test"

    def add(self, name: str, server: dict | None = None) -> None:
        """A learner the hub knows, with their server as the hub describes it (or none)."""
        self.users[name] = {"name": name, "servers": {"": server} if server else {}}

    def user(self, name):
        self.calls.append(("user", name))
        return self.users.get(name)

    def server(self, name):
        self.calls.append(("server", name))
        return (self.users.get(name) or {}).get("servers", {}).get("")

    def start_server(self, name):
        self.calls.append(("start_server", name))
        if isinstance(self.start, Exception):
            raise self.start
        self.users[name]["servers"][""] = {
            "ready": self.start,
            "pending": None if self.start else "spawn",
        }
        return self.start

    def stop_server(self, name):
        self.calls.append(("stop_server", name))
        self.users[name]["servers"].pop("", None)
        return True

    def start_session(self, name, path):
        self.calls.append(("start_session", name, path))
        if isinstance(self.session, Exception):
            raise self.session

    def server_progress(self, name):
        self.calls.append(("server_progress", name))
        return self.progress

    def get_file(self, name, path, *, content=False):
        self.calls.append(("get_file", name, path))
        if (name, path) not in self.files:
            return None
        text = self.files[name, path]
        return {"path": path, "size": len(text), **({"content": text} if content else {})}

    def put_notebook(self, name, path, notebook):
        self.calls.append(("put_notebook", name, path))
        self.files[name, path] = json.dumps(notebook)
        return {"path": path}

    def make_directory(self, name, path):
        self.calls.append(("make_directory", name, path))
        self.folders.add((name, path))

    def rename(self, name, path, new_path):
        self.calls.append(("rename", name, path, new_path))
        assert (name, new_path) not in self.files, "a rename must never overwrite"
        self.files[name, new_path] = self.files.pop((name, path))

    def lab_url(self, name, path):
        return f"{self.lab_base}/user/{name}/lab/tree/{path}"

    def writes(self) -> list[tuple]:
        """The calls that change something on the hub or in a workspace."""
        return [call for call in self.calls if call[0] in self.WRITES]
