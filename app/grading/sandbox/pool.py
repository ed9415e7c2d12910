"""Warm kernels: a few sandboxed kernels booting ahead of time, each used for one run only.

A fresh ipykernel takes about 0.6 s to boot, too slow for a sub-second
grade. The pool keeps ``size`` kernels for one lake started in the
background; ``execute`` takes one that is ready (never reusing a kernel: the
previous notebook's variables, files and processes would leak into the next)
and a replacement is started at once.

Kernels are spawned by one long-lived thread of the pool, never by the request
that took a kernel: bubblewrap's --die-with-parent (and setpriv's
--pdeathsig) tie a kernel's life to the *thread* that started it, and a
request thread may end long before the next grade needs the kernel.

Pool kernels are started before any submission is known, which is why every
run gets an empty /scratch rather than the learner's own scratch files.

Where it can (bubblewrap, as root), the pool's kernels come from a fork server
(``forkserver.py``) that imported their libraries once: a kernel then costs a fork
and its own walls instead of a second of imports, and a run that finds the pool
empty waits the moment it takes to fork one rather than starting a kernel cold.
If the server cannot start, or dies three times, the pool starts kernels one by
one as it always could.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import logging
import threading
from pathlib import Path

from app.grading.sandbox import forkserver
from app.grading.sandbox.command import choose_sandbox
from app.grading.sandbox.contract import AUTO, Limits
from app.grading.sandbox.forkserver import ForkServer
from app.grading.sandbox.kernel import SandboxedKernel, is_alive, start_kernel, stop_kernel

log = logging.getLogger(__name__)

# How long a run waits for the fork server to hand the pool a kernel (it takes tens of
# milliseconds to fork one) before it starts one cold.
FORKED_WAIT_S = 5.0
FORK_SERVER_FAILURES = 3  # then the pool starts kernels one by one


def _kernel_side(limits: Limits) -> tuple:
    """The limits fixed when a kernel starts (the rest are applied while it runs)."""
    fixed = (limits.memory_mb, limits.processes, limits.answer_bytes)
    return (*fixed, limits.scratch_mb, limits.tmp_mb)


class KernelPool:
    """Keeps ``size`` kernels for ``lake_dir`` booting or ready; hands each out once."""

    def __init__(
        self,
        lake_dir: Path,
        limits: Limits | None = None,
        size: int = 2,
        sandbox: str = AUTO,
        fork_server: bool = True,
    ) -> None:
        """Decide the sandbox now (failing if "bwrap" is unavailable); start nothing yet.

        ``fork_server`` False starts every kernel on its own, even where a fork server
        could be used.
        """
        self.lake_dir = lake_dir
        self.limits = limits or Limits()
        self.size = size
        self.mode = choose_sandbox(sandbox)
        self.forking = fork_server and forkserver.usable(self.mode)
        self._server: ForkServer | None = None
        self._server_failures = 0
        self._ready: collections.deque[SandboxedKernel] = collections.deque()
        self._wanted = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the spawner thread (idempotent); it fills the pool in the background."""
        with self._wanted:
            if self._closed:
                raise RuntimeError("the kernel pool has been closed")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._spawn_forever, name="kernel-pool", daemon=True
                )
                self._thread.start()
                atexit.register(self.close)

    def fits(self, lake_dir: Path, limits: Limits, sandbox: str) -> bool:
        """Whether this pool's kernels suit a run with these settings."""
        return (
            lake_dir.resolve() == self.lake_dir.resolve()
            and _kernel_side(limits) == _kernel_side(self.limits)
            and sandbox in (AUTO, self.mode)
        )

    def take(self) -> SandboxedKernel | None:
        """A started kernel for one run (the caller stops it), or None if none is left."""
        self.start()
        with self._wanted:
            if not self._ready and self.forking:
                self._wanted.wait_for(lambda: self._ready or self._closed, FORKED_WAIT_S)
            while self._ready:
                kernel = self._ready.popleft()
                self._wanted.notify_all()
                if is_alive(kernel):
                    return kernel
                stop_kernel(kernel)  # died while waiting (killed by an admin, say)
        return None

    def ready_count(self) -> int:
        """How many kernels are waiting, for health pages and tests."""
        with self._wanted:
            return len(self._ready)

    def close(self) -> None:
        """Stop the spawner and every waiting kernel."""
        with self._wanted:
            self._closed = True
            waiting = list(self._ready)
            self._ready.clear()
            self._wanted.notify_all()
        for kernel in waiting:
            stop_kernel(kernel)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        if self._server is not None:
            self._server.close()
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)

    def _spawn_forever(self) -> None:
        """Top the pool up whenever a kernel is taken, until closed."""
        while True:
            with self._wanted:
                while not self._closed and len(self._ready) >= self.size:
                    self._wanted.wait()
                if self._closed:
                    return
            try:
                kernel = self._start_one()
            except Exception:  # noqa: BLE001 - keep the pool alive; runs fall back to cold starts
                log.exception("could not start a pooled kernel")
                with self._wanted:
                    self._wanted.wait(timeout=5)
                continue
            with self._wanted:
                if self._closed:
                    stop_kernel(kernel)
                    return
                self._ready.append(kernel)
                self._wanted.notify_all()

    def _start_one(self) -> SandboxedKernel:
        """A kernel from the fork server, or started on its own where there is none."""
        if self.forking:
            try:
                if self._server is None or not self._server.alive():
                    if self._server is not None:
                        self._server.close()
                    self._server = ForkServer(self.lake_dir, self.limits)
                    self._server.start()  # on this thread: the kernels die with it
                return self._server.spawn()
            except Exception:  # noqa: BLE001 - a kernel started on its own will do
                self._server_failures += 1
                log.exception("the fork server failed (%d)", self._server_failures)
                if self._server_failures >= FORK_SERVER_FAILURES:
                    self.forking = False
                    log.warning("kernels are started one by one from now on")
        return start_kernel(self.lake_dir, self.limits, self.mode)
