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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Int, Unicode, default

from app.grading.sandbox.command import LEARNER_UID_FIRST, can_switch_uid
from app.grading.sandbox.provisioner import KERNEL_NAME
from app.hub.settings import RESTRICTED_CLAIM

# Server extensions installed beside JupyterLab (as its dependencies) and turned off.
UNUSED_EXTENSIONS = {
    "jupyter_lsp": False,
    "jupyter_server_terminals": False,
    "notebook_shim": False,
}
# What JupyterLab's page is told: no check whether its own build is current. Each page
# load asks the server for it, which takes 1-2 s of the server's CPU on this machine while
# the notebook is opening, and nothing here ever rebuilds JupyterLab.
LAB_PAGE_CONFIG = {"page_config_data": {"buildCheck": False, "buildAvailable": False}}


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


@dataclass(frozen=True)
class Grant:
    """A learner's grant of the restricted tier, as the academy's sign-in claims say."""

    until: datetime | None  # None: until revoked

    def holds(self, now: datetime) -> bool:
        """Whether the grant still lets the learner's kernels read real values at ``now``."""
        return self.until is None or now < self.until

    def as_state(self) -> dict:
        """The grant as the hub's database keeps it with the server's state."""
        return {"until": None if self.until is None else self.until.isoformat()}


def grant_in(claims: dict | None) -> Grant | None:
    """The grant in the academy's claims (or saved state), or None when they name none."""
    claim = (claims or {}).get(RESTRICTED_CLAIM)
    if not isinstance(claim, dict):
        return None
    until = claim.get("until")
    try:
        return Grant(datetime.fromisoformat(until) if until else None)
    except (TypeError, ValueError):
        return None  # unreadable: no access, rather than access without an end


def server_args(
    *,
    workspace: str,
    uid: int,
    owner_uid: int,
    lake_dir: str,
    memory_mb: int,
    processes: int,
    cpu_minutes: int,
    base_lake_dir: str | None = None,
) -> list[str]:
    """A learner's server's options, whatever starts it: the sandboxed kernel, and no
    other; their workspace, kept to itself; the kernels' limits. ``owner_uid`` is who
    the server gives what it saves to (0: its own uid, when kernels run as it too).
    Under a grant of the restricted tier ``lake_dir`` is the build's restricted folder
    and ``base_lake_dir`` the build itself."""
    granted = [f"--SandboxProvisioner.base_lake_dir={base_lake_dir}"] if base_lake_dir else []
    return [
        # JupyterLab only: no terminals, no language servers, no classic-notebook shim
        # (a few MB each per idle server, and nothing learners here use).
        "--ServerApp.terminals_enabled=False",
        f"--ServerApp.jpserver_extensions={UNUSED_EXTENSIONS!r}",
        f"--ServerApp.tornado_settings={LAB_PAGE_CONFIG!r}",
        # No announcements fetched from the internet, no update checks: kernels have no
        # network, servers need none, and learners do not upgrade the academy's JupyterLab.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
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
        *granted,
    ]


class WorkspaceSpawner(SimpleLocalProcessSpawner):
    """A local server per learner on their own workspace, its kernels in the sandbox."""

    workspaces_dir = Unicode(config=True, help="The folder holding one workspace per learner.")
    servers_dir = Unicode(config=True, help="The folder holding each server's own home.")
    jupyter_path = Unicode(config=True, help="Where the academy's kernelspec is.")
    lake_dir = Unicode(config=True, help="The lake, mounted read-only into every kernel.")
    restricted_lake_dir = Unicode(
        config=True, help="The link to the lake's restricted folder: granted learners' lake."
    )
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

    # The grant this server was started under, if any (kept in the hub's database).
    grant: Grant | None = None

    def lakes(self) -> tuple[str, str | None]:
        """The kernels' lake, and the build it reads beside it under a grant.

        A grant's lake is the restricted folder the link points at now, and the build
        whose files its views read: both fixed for the server's life, as the ungranted
        lake is (resolved when the hub starts). A lake swap keeps the previous build and
        its restricted folder; one swap more removes them from under a running server.
        """
        if self.grant is None:
            return self.lake_dir, None
        # Imported here: only a granted start needs the lake's path rules in the hub.
        from app.lake.pipeline.restrict import build_of

        restricted = Path(os.path.realpath(self.restricted_lake_dir))
        return str(restricted), str(build_of(restricted))

    def get_args(self) -> list[str]:
        """The server's options: only the academy's kernel, sandboxed for this learner."""
        uid = self.uid
        lake, base = self.lakes()
        return [
            *super().get_args(),
            *server_args(
                workspace=str(self.workspace),
                uid=uid,
                owner_uid=uid if can_switch_uid() else 0,
                lake_dir=lake,
                memory_mb=self.kernel_memory_mb,
                processes=self.kernel_processes,
                cpu_minutes=self.kernel_cpu_minutes,
                base_lake_dir=base,
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

    async def _claims(self) -> dict:
        """What the academy said of the learner at their last sign-in or refresh."""
        auth_state = await self.user.get_auth_state()
        return (auth_state or {}).get("oauth_user") or {}

    async def current_grant(self) -> Grant | None:
        """The learner's grant of the restricted tier, if their claims hold one in force."""
        grant = grant_in(await self._claims())
        return grant if grant is not None and grant.holds(datetime.now(UTC)) else None

    async def start(self):
        """Create the workspace and the server's home, both private, then start the server."""
        # The hub refreshed the learner's claims just now (refresh_pre_spawn, strict).
        self.grant = await self.current_grant()
        if self.grant is not None:
            self.log.info("%s's server starts with the restricted tier granted", self.user.name)
        workspace = self.workspace
        workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
        if can_switch_uid():
            # The learner's kernels write here as their uid; the server, as root, still can.
            os.chown(workspace, self.uid, self.uid, follow_symlinks=False)
        Path(self.home_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
        self.notebook_dir = str(workspace)
        return await super().start()

    async def poll(self):
        """As the local spawner's, but a server whose grant has ended is stopped.

        The hub polls every server every ``poll_interval`` (30 s): a grant past its end,
        or gone from the claims the hub refreshed since, stops the server, and the next
        start has the masked lake. (The academy also stops it when an admin revokes.)
        """
        status = await super().poll()
        if status is not None or self.grant is None:
            return status
        if self.grant.holds(datetime.now(UTC)) and await self.current_grant() is not None:
            return None
        self.log.info("%s's grant of the restricted tier has ended: stopping", self.user.name)
        self.grant = None  # first: stopping polls again, and must not come back here
        await self.stop()
        return 0

    def get_state(self) -> dict:
        """The local spawner's state, and the grant the server runs under."""
        state = super().get_state()
        if self.grant is not None:
            state[RESTRICTED_CLAIM] = self.grant.as_state()
        return state

    def load_state(self, state: dict) -> None:
        """Restore a running server after the hub restarts, with its grant."""
        super().load_state(state)
        self.grant = grant_in(state)

    def clear_state(self) -> None:
        """Forget the server once stopped, its grant with it."""
        super().clear_state()
        self.grant = None
