"""The embedded hub's spawner: each learner's server on their workspace, kernels sandboxed.

JupyterHub's ``SimpleLocalProcessSpawner`` runs every server as the hub's own user; that
is the embedded mode (one machine, no system accounts per learner). What keeps learners
apart is that no learner code runs in the server: every kernel is started by the
academy's provisioner in the grading sandbox, as the learner's own uid, seeing only
their workspace (``app/grading/sandbox/provisioner.py``), and the server's files stay in
that workspace (``singleuser.py``). The server itself is kept clear of what kernels write:
its home, settings and runtime files are in a folder of its own under the hub's state,
it starts there, and its Python ignores the user site and the working folder, so
nothing a kernel leaves in the workspace is ever imported or read as configuration.

At scale the same configuration switches to DockerSpawner or KubeSpawner (see
``samples/``), which give each learner a container and mount the same workspace.
"""

from __future__ import annotations

import os
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Int, Unicode, default

from app.grading.sandbox.command import LEARNER_UID_FIRST, can_switch_uid
from app.grading.sandbox.provisioner import KERNEL_NAME

# Server extensions installed beside JupyterLab (as its dependencies) and turned off.
UNUSED_EXTENSIONS = {
    "jupyter_lsp": False,
    "jupyter_server_terminals": False,
    "notebook_shim": False,
}


def workspace_for(root: str | Path, username: str) -> Path:
    """The learner's workspace below ``root``; a name that would lead elsewhere is refused."""
    root = Path(root).resolve()
    path = (root / username).resolve()
    if path.parent != root:
        raise ValueError(f"no workspace for the hub user {username!r}")
    return path


def learner_uid(hub_user_id: int) -> int:
    """The uid every kernel of this learner runs as: theirs alone, far from real accounts."""
    return LEARNER_UID_FIRST + hub_user_id


def server_args(
    *,
    workspace: str,
    uid: int,
    owner_uid: int,
    lake_dir: str,
    memory_mb: int,
    processes: int,
    cpu_minutes: int,
) -> list[str]:
    """A learner's server's options, whatever starts it: the sandboxed kernel, and no
    other; their workspace, kept to itself; the kernels' limits. ``owner_uid`` is who
    the server gives what it saves to (0: its own uid, when kernels run as it too)."""
    return [
        # JupyterLab only: no terminals, no language servers, no classic-notebook shim
        # (a few MB each per idle server, and nothing learners here use).
        "--ServerApp.terminals_enabled=False",
        f"--ServerApp.jpserver_extensions={UNUSED_EXTENSIONS!r}",
        "--ServerApp.kernel_spec_manager_class=app.hub.singleuser.AcademyKernelSpecs",
        "--KernelSpecManager.ensure_native_kernel=False",
        f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
        "--ServerApp.contents_manager_class=app.hub.singleuser.WorkspaceContents",
        f"--WorkspaceContents.owner_uid={owner_uid}",
        f"--SandboxProvisioner.workspace={workspace}",
        f"--SandboxProvisioner.uid={uid}",
        f"--SandboxProvisioner.lake_dir={lake_dir}",
        f"--SandboxProvisioner.memory_mb={memory_mb}",
        f"--SandboxProvisioner.processes={processes}",
        f"--SandboxProvisioner.cpu_minutes={cpu_minutes}",
    ]


class WorkspaceSpawner(SimpleLocalProcessSpawner):
    """A local server per learner on their own workspace, its kernels in the sandbox."""

    workspaces_dir = Unicode(config=True, help="The folder holding one workspace per learner.")
    servers_dir = Unicode(config=True, help="The folder holding each server's own home.")
    jupyter_path = Unicode(config=True, help="Where the academy's kernelspec is.")
    lake_dir = Unicode(config=True, help="The lake, mounted read-only into every kernel.")
    # From ACADEMY_LAB_KERNEL_* through the settings file: declared in app/config.py only.
    kernel_memory_mb = Int(config=True)
    kernel_processes = Int(config=True)
    kernel_cpu_minutes = Int(config=True)

    @default("home_dir")
    def _default_home_dir(self) -> str:
        # The server's own home (and working folder), not the workspace.
        return str(workspace_for(self.servers_dir, self.user.name))

    @property
    def workspace(self) -> Path:
        """The learner's workspace: what their JupyterLab shows and their kernels write."""
        return workspace_for(self.workspaces_dir, self.user.name)

    @property
    def uid(self) -> int:
        """The learner's kernels' uid."""
        return learner_uid(self.user.id)

    def get_args(self) -> list[str]:
        """The server's options: only the academy's kernel, sandboxed for this learner."""
        uid = self.uid
        return [
            *super().get_args(),
            *server_args(
                workspace=str(self.workspace),
                uid=uid,
                owner_uid=uid if can_switch_uid() else 0,
                lake_dir=self.lake_dir,
                memory_mb=self.kernel_memory_mb,
                processes=self.kernel_processes,
                cpu_minutes=self.kernel_cpu_minutes,
            ),
        ]

    def user_env(self, env: dict) -> dict:
        """The server's environment: its own home; the academy's kernelspec, and no other."""
        env = super().user_env(env)
        home = self.home_dir
        env.update(
            JUPYTER_PATH=self.jupyter_path,
            JUPYTER_CONFIG_DIR=f"{home}/.jupyter",
            JUPYTER_DATA_DIR=f"{home}/.local/share/jupyter",
            JUPYTER_RUNTIME_DIR=f"{home}/.local/share/jupyter/runtime",
            PYTHONNOUSERSITE="1",
            # One malloc arena per thread grows an idle server's resident memory for
            # nothing: the server's threads are few and rarely busy at once.
            MALLOC_ARENA_MAX="2",
        )
        return env

    async def start(self):
        """Create the workspace and the server's home, both private, then start the server."""
        workspace = self.workspace
        workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
        if can_switch_uid():
            # The learner's kernels write here as their uid; the server, as root, still can.
            os.chown(workspace, self.uid, self.uid, follow_symlinks=False)
        Path(self.home_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
        self.notebook_dir = str(workspace)
        return await super().start()
