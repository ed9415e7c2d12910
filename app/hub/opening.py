"""Opening a notebook in a learner's JupyterLab, resetting it and reading it back.

Each function takes the hub client and the learner's hub name and says what the web
edge should do next; failures are the client's ``HubError`` kinds, ``NoCopy`` or
``CopyTooLarge``. Nothing here deletes or overwrites a learner's file: a copy is put
only where none is, and a reset renames the old copy first (``lab.py`` has the rules).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.hub.client import HubClient, HubError, ServerNotRunning, SpawnFailed, TokenRefused
from app.hub.lab import reset_name, with_academy_kernel

log = logging.getLogger(__name__)


class Step(StrEnum):
    """Where an open comes from, so that it bounces through the hub's sign-in once, at most."""

    FIRST = "first"  # the learner pressed Open
    SIGNED_IN = "signed-in"  # back from the hub's sign-in
    STARTED = "started"  # the starting page saw the start end


class Next(StrEnum):
    """What the browser should do after an open."""

    LAB = "lab"  # go to the copy in JupyterLab
    WAIT = "wait"  # the server is starting: the page that shows its progress
    SIGN_IN = "sign-in"  # through the hub's sign-in, then back to continue


class SignInRefused(HubError):
    """After signing in to the hub the learner is still unknown to it, or still refused."""


class NoCopy(Exception):
    """The learner has no copy of this notebook in their workspace."""


class CopyTooLarge(Exception):
    """The learner's copy is larger than a submission may be."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the copy is {size} bytes")
        self.size = size


@dataclass(frozen=True)
class Notebook:
    """A notebook the academy copies into a workspace: where it goes, and what it holds."""

    path: str
    content: dict


@dataclass(frozen=True)
class Opened:
    """The outcome of an open: what to do next, and the JupyterLab address once it is ``LAB``."""

    next: Next
    url: str = ""


@dataclass(frozen=True)
class ServerState:
    """How the learner's server is, for the page that waits for it."""

    state: str  # ready, starting, failed, stopped, unknown
    progress: int | None = None
    message: str = ""

    @property
    def settled(self) -> bool:
        """Whether waiting is over: the open can continue (to JupyterLab, or a message)."""
        return self.state != "starting"


def open_copy(client: HubClient, name: str, notebook: Notebook, step: Step) -> Opened:
    """Start the learner's server if needed, copy the notebook in if absent, say where to go."""
    waiting = _start(client, name, step)
    if waiting is not None:
        return Opened(waiting)
    copy_if_absent(client, name, notebook)
    if step is not Step.FIRST:
        # The learner waited for (or signed in before) this open, so their server has only
        # just started and the notebook has no kernel yet: starting it here lets it boot
        # while the browser loads JupyterLab, which would otherwise start it only then.
        _start_kernel_early(client, name, notebook.path)
    return Opened(Next.LAB, client.lab_url(name, notebook.path))


def _start_kernel_early(client: HubClient, name: str, path: str) -> None:
    """Start the notebook's kernel now if the server will; JupyterLab starts it otherwise."""
    try:
        client.start_session(name, path)
    except HubError as error:
        log.warning("%s's kernel for %s was not started early: %s", name, path, error)


def _start(client: HubClient, name: str, step: Step) -> Next | None:
    """None once the server is ready; else what the browser does while it is not."""
    user = client.user(name)
    if user is None:
        # The hub creates its users when they first sign in; the academy's token cannot.
        if step is Step.FIRST:
            return Next.SIGN_IN
        raise SignInRefused(f"the hub does not know {name} after signing in")
    server = (user.get("servers") or {}).get("")
    if server and server.get("ready"):
        return None
    if server and server.get("pending") == "spawn":
        return Next.WAIT
    if step is Step.STARTED:
        # The start the learner waited for is over and no server runs: it failed.
        event = client.server_progress(name) or {}
        log.warning("%s's server did not start: %s", name, event.get("message", "stopped"))
        raise SpawnFailed(f"{name}'s server did not start")
    try:
        ready = client.start_server(name)
    except TokenRefused as refused:
        # The hub asks the academy again whether the learner's sign-in holds before each
        # start; when it no longer does, a fresh sign-in through the hub mends it, once.
        if step is Step.FIRST:
            return Next.SIGN_IN
        raise SignInRefused(f"the hub refused to start {name}'s server") from refused
    return None if ready else Next.WAIT


def copy_if_absent(client: HubClient, name: str, notebook: Notebook) -> bool:
    """Put the notebook in the workspace unless a file is already there; whether it did."""
    if client.get_file(name, notebook.path) is not None:
        return False
    folder = notebook.path.rpartition("/")[0]
    if folder:
        client.make_directory(name, folder)
    client.put_notebook(name, notebook.path, with_academy_kernel(notebook.content))
    return True


def stop_if_running(client: HubClient, name: str) -> bool:
    """Stop the learner's server if one runs or is starting; whether there was one.

    For a change to what the learner's kernels may read (a grant of the restricted tier,
    or its end), which a server takes on only when it starts.
    """
    user = client.user(name)
    if not (user and (user.get("servers") or {}).get("")):
        return False
    client.stop_server(name)
    return True


def _is_ready(user: dict | None) -> bool:
    server = ((user or {}).get("servers") or {}).get("")
    return bool(server and server.get("ready"))


def _require_running(client: HubClient, name: str) -> None:
    if not _is_ready(client.user(name)):
        raise ServerNotRunning(f"{name}'s server is not running")


def reset_copy(client: HubClient, name: str, notebook: Notebook, now: datetime) -> str | None:
    """Keep the current copy under a dated name and put a fresh one; the kept name, if any."""
    _require_running(client, name)
    kept = None
    if client.get_file(name, notebook.path) is not None:
        kept = reset_name(notebook.path, now, lambda path: client.get_file(name, path) is not None)
        client.rename(name, notebook.path, kept)
    copy_if_absent(client, name, notebook)
    return kept


def read_copy(client: HubClient, name: str, path: str, max_bytes: int) -> bytes:
    """The learner's copy as last saved (the file, byte for byte), for grading."""
    user = client.user(name)
    if user is None:
        raise NoCopy(path)  # never signed in to the hub, so never opened anything there
    if not _is_ready(user):
        raise ServerNotRunning(f"{name}'s server is not running")
    found = client.get_file(name, path)
    if found is None:
        raise NoCopy(path)
    if (found.get("size") or 0) > max_bytes:
        raise CopyTooLarge(found["size"])
    model = client.get_file(name, path, content=True)
    if model is None:
        raise NoCopy(path)
    return str(model.get("content") or "").encode("utf-8")


def server_state(client: HubClient, name: str) -> ServerState:
    """How the learner's server is right now, with the hub's progress while it starts."""
    user = client.user(name)
    if user is None:
        return ServerState("unknown")
    server = (user.get("servers") or {}).get("")
    if _is_ready(user):
        return ServerState("ready", 100, "Your server is ready.")
    event = client.server_progress(name) or {}
    if event.get("ready"):
        return ServerState("ready", 100, "Your server is ready.")
    if server and server.get("pending") == "spawn":
        progress = event.get("progress")
        return ServerState(
            "starting",
            progress if isinstance(progress, int) else None,
            str(event.get("message") or "Your server is starting."),
        )
    if event.get("failed"):
        return ServerState("failed", 100, "Your server did not start.")
    return ServerState("stopped")
