"""The grading sandbox as a jupyter_client kernel provisioner, for learners' JupyterLab.

A learner's JupyterLab server starts every kernel through this provisioner (the
``academy`` kernelspec names it; the server offers no other). It launches the kernel
with ``kernel.start_kernel``, exactly as the grader does: bubblewrap, the learner's
own uid, no network, the same resource limits and memory cgroup, the lake read-only,
and, run as the kernel starts, the grader's hidden set-up (``cells``), so ``lake`` is
opened the same way. What differs is only what an hour's work needs (``Workspace``):
the learner's workspace and persistent scratch are mounted, and the kernel lives until
the learner stops it rather than for one run.

The server talks to the kernel over IPC sockets in the kernel's run folder, as the
grader does; interrupting is by message (the kernelspec says so), since a signal cannot
name a process inside the sandbox's PID namespace.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import KernelProvisionerBase
from traitlets import Int, Unicode

from app.grading.sandbox.cells import workspace_setup_source
from app.grading.sandbox.command import choose_sandbox
from app.grading.sandbox.contract import BWRAP, Limits, Workspace
from app.grading.sandbox.kernel import (
    SandboxedKernel,
    is_alive,
    lock_ipc_dir,
    start_kernel,
    stop_kernel,
)

NAME = "academy-sandbox"  # the entry point (pyproject.toml) and the kernelspec's provisioner
KERNEL_NAME = "academy"  # the one kernelspec learners' servers offer (app/hub/launch.py)
KERNEL_DISPLAY_NAME = "Python 3 (Data Academy lake)"
SCRATCH_FOLDER = ".academy-scratch"  # in the workspace: the learner's `user` zone
SOCKETS_WAIT_S = 120  # how long a booting kernel may take to bind its sockets


class SandboxProvisioner(KernelProvisionerBase):  # type: ignore[misc]
    """Starts, watches and stops one sandboxed kernel for a JupyterLab server."""

    lake_dir = Unicode(config=True, help="The lake's build folder, mounted read-only.")
    workspace = Unicode(config=True, help="The learner's workspace (the server's root folder).")
    uid = Int(config=True, help="The learner's own uid, shared by all their kernels.")
    base_lake_dir = Unicode(
        "",
        config=True,
        help="Set only for a learner granted the restricted tier: the build that lake_dir "
        "(then the build's restricted folder) reads for everything not restricted.",
    )
    # Given by the spawner from ACADEMY_LAB_KERNEL_* (app/config.py): no defaults here.
    memory_mb = Int(config=True, help="What a notebook may allocate.")
    processes = Int(config=True, help="Processes and threads, all together.")
    cpu_minutes = Int(config=True, help="CPU time per kernel, all cores together.")
    scratch_mb = Int(256, config=True, help="The largest file a kernel may write.")
    tmp_mb = Int(256, config=True, help="The kernel's in-memory /tmp.")

    kernel: SandboxedKernel | None = None
    _locker: asyncio.Task | None = None

    @property
    def has_process(self) -> bool:
        """Whether a kernel was started (and not yet cleaned up)."""
        return self.kernel is not None

    def limits(self) -> Limits:
        """The grader's limits, sized for interactive work."""
        # The CPU backstop (command.limit_args) is computed from total_seconds.
        cores = os.cpu_count() or 1
        return Limits(
            total_seconds=max(60.0, self.cpu_minutes * 60 / cores - 60),
            memory_mb=self.memory_mb,
            processes=self.processes,
            scratch_mb=self.scratch_mb,
            tmp_mb=self.tmp_mb,
        )

    def folders(self, cwd: str | None) -> Workspace:
        """The learner's folders, with the kernel starting in ``cwd`` (the notebook's)."""
        home = Path(self.workspace).resolve()
        relative = ""
        if cwd:
            start = Path(cwd).resolve()
            if start.is_relative_to(home):
                relative = str(start.relative_to(home))
        return Workspace(
            home=home,
            scratch=home / SCRATCH_FOLDER,
            uid=self.uid,
            setup=workspace_setup_source(self.memory_mb),
            cwd=relative,
            base_lake=Path(self.base_lake_dir) if self.base_lake_dir else None,
        )

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """The kernelspec's command is not used: ``launch_kernel`` builds the sandbox's."""
        needed = ("lake_dir", "workspace", "uid", "memory_mb", "processes", "cpu_minutes")
        missing = [name for name in needed if not getattr(self, name)]
        if missing:
            raise RuntimeError(f"the academy's kernels need {', '.join(missing)} set")
        kwargs.setdefault("cmd", list(self.kernel_spec.argv))
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict[str, Any]:
        """Start the sandboxed kernel; its IPC connection info for the kernel manager."""
        folders = self.folders(kwargs.get("cwd"))
        # Always bubblewrap: without it a lab kernel does not start (the reason is logged).
        mode = choose_sandbox(BWRAP)
        self.kernel = await asyncio.to_thread(
            start_kernel, Path(self.lake_dir), self.limits(), mode, folders
        )
        info = dict(self.kernel.connection)
        info["key"] = info["key"].encode()
        self.connection_info = info
        return info

    async def post_launch(self, **kwargs: Any) -> None:
        """Once the kernel has bound its sockets, take their folder back from it."""
        self._locker = asyncio.create_task(self._lock_when_bound())

    async def _lock_when_bound(self) -> None:
        kernel = self.kernel
        if kernel is None:
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + SOCKETS_WAIT_S
        sockets = [kernel.ipc_dir / f"kernel-{port}" for port in range(1, 6)]
        while loop.time() < end and is_alive(kernel):
            if all(path.exists() for path in sockets):
                lock_ipc_dir(kernel)
                return
            await asyncio.sleep(0.1)

    async def poll(self) -> int | None:
        """None while the kernel runs, else its exit status."""
        if self.kernel is None:
            return 0
        return None if is_alive(self.kernel) else (self.kernel.process.returncode or 0)

    async def wait(self) -> int | None:
        """Wait until the kernel has ended; its exit status."""
        while (status := await self.poll()) is None:
            await asyncio.sleep(0.1)
        return status

    async def send_signal(self, signum: int) -> None:
        """Only killing reaches a sandboxed kernel (interrupts go by message)."""
        if signum == signal.SIGKILL:
            await self.kill()

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel and everything it started; its run folder goes too."""
        if self.kernel is not None:
            await asyncio.to_thread(stop_kernel, self.kernel)

    async def terminate(self, restart: bool = False) -> None:
        """As ``kill``: the kernel has already been asked to shut down by message."""
        await self.kill(restart)

    async def cleanup(self, restart: bool = False) -> None:
        """Make sure nothing of the kernel is left: processes, run folder, cgroup."""
        if self._locker is not None:
            self._locker.cancel()
            self._locker = None
        await self.kill(restart)
        self.kernel = None

    async def get_provisioner_info(self) -> dict[str, Any]:
        """Nothing to persist: a kernel does not outlive its server."""
        return await super().get_provisioner_info()
