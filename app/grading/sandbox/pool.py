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
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import logging
import threading
from pathlib import Path

from app.grading.sandbox.command import choose_sandbox
from app.grading.sandbox.contract import AUTO, Limits
from app.grading.sandbox.kernel import SandboxedKernel, is_alive, start_kernel, stop_kernel

log = logging.getLogger(__name__)


def _kernel_side(limits: Limits) -> tuple:
    """The limits fixed when a kernel starts (the rest are applied while it runs)."""
    fixed = (limits.memory_mb, limits.processes, limits.answer_bytes)
    return (*fixed, limits.scratch_mb, limits.tmp_mb)


class KernelPool:
    """Keeps ``size`` kernels for ``lake_dir`` booting or ready; hands each out once."""

    def __init__(
        self, lake_dir: Path, limits: Limits | None = None, size: int = 2, sandbox: str = AUTO
    ) -> None:
        """Decide the sandbox now (failing if "bwrap" is unavailable); start nothing yet."""
        self.lake_dir = lake_dir
        self.limits = limits or Limits()
        self.size = size
        self.mode = choose_sandbox(sandbox)
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
            while self._ready:
                kernel = self._ready.popleft()
                self._wanted.notify()
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
                kernel = start_kernel(self.lake_dir, self.limits, self.mode)
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
