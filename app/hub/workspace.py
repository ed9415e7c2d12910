"""The embedded hub's spawner: each learner's server in a persistent workspace folder.

JupyterHub's ``SimpleLocalProcessSpawner`` runs every server as the hub's own user; that
is the embedded mode (one machine, no system accounts per learner). At scale the same
configuration switches to DockerSpawner or KubeSpawner (see ``samples/``), which give
each learner a container and mount the same workspace.
"""

from __future__ import annotations

from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode, default


def workspace_for(root: str | Path, username: str) -> Path:
    """The learner's workspace below ``root``; a name that would lead elsewhere is refused."""
    root = Path(root).resolve()
    path = (root / username).resolve()
    if path.parent != root:
        raise ValueError(f"no workspace for the hub user {username!r}")
    return path


class WorkspaceSpawner(SimpleLocalProcessSpawner):
    """A local server per learner, started in (and kept to) their own workspace folder."""

    workspaces_dir = Unicode(config=True, help="The folder holding one workspace per learner.")

    @default("home_dir")
    def _default_home_dir(self) -> str:
        return str(workspace_for(self.workspaces_dir, self.user.name))

    async def start(self):
        """Create the workspace, readable by the hub's user only, then start the server."""
        workspace = Path(self.home_dir)
        workspace.mkdir(mode=0o700, exist_ok=True)
        self.notebook_dir = str(workspace)
        return await super().start()
