"""What the site grades with: the exercises and the lake, the executor and its warm kernels.

Each app's kernel pool is wired once, by ``kernel_pools.init_app`` from
create_app, and boots on first use: when a learner opens an exercise page, a
Celery worker starts or a grade needs a kernel. So a forking web server boots
kernels in each worker process (never in the parent), and an app that never
grades starts no thread and no kernel. Just before, once per process, the run
folders and memory cgroups of processes killed mid-grade are removed
(``sandbox/leftovers.py``): this is where a restarted process starts grading.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from app.config import is_production
from app.grading.grader.confined import start_checker
from app.grading.grader.grade import WORK_PREFIX, Execute
from app.grading.sandbox import cgroup, command, leftovers
from app.grading.sandbox.choose import sandboxed
from app.grading.sandbox.contract import AUTO, BWRAP, Limits
from app.grading.sandbox.kernel import RUN_PREFIX
from app.grading.sandbox.pool import KernelPool
from app.lake.location import lake_dir

log = logging.getLogger(__name__)

POOL_KEY = "kernel_pool"


def lake_for_grading() -> Path:
    """The lake submissions are graded against: the site's own."""
    return lake_dir()


def exercises_dir(courses_dir: Path | None = None) -> Path:
    """ACADEMY_EXERCISES_DIR, else the ``exercises/`` folder beside the course folder."""
    configured = current_app.config["ACADEMY_EXERCISES_DIR"]
    if configured and courses_dir is None:
        return Path(configured)
    courses = courses_dir or Path(current_app.config["ACADEMY_COURSES_DIR"])
    return courses.parent / "exercises"


class WarmKernels:
    """One app's pool of kernels booted ahead of time: made and started on first use."""

    def __init__(self, size: int, sandbox: str) -> None:
        """A pool of ``size`` kernels (none when 0) in the ``sandbox`` mode; nothing starts yet."""
        self.size = size
        self.sandbox = sandbox
        self.pool: KernelPool | None = None
        self._lock = threading.Lock()  # two grading threads must not each start a pool
        self._cleared_in: int | None = None  # the pid that cleared leftovers (a fork must again)

    def get(self) -> KernelPool | None:
        """The started pool, or None when it is switched off; needs an app context (the lake).

        The first call in a process first clears what killed processes left, pool or not.
        """
        with self._lock:
            if self._cleared_in != os.getpid():
                self._cleared_in = os.getpid()
                clear_leftovers()
            if self.size <= 0:
                return None
            if self.pool is None:
                pool = KernelPool(
                    lake_for_grading().resolve(), Limits(), size=self.size, sandbox=self.sandbox
                )
                pool.start()
                self.pool = pool
        return self.pool

    def warm(self) -> None:
        """Start the pool booting, where a grade is likely soon; never raises.

        A sandbox that is mandatory but missing is reported when grading, not here.
        """
        try:
            start_checker()  # the checking step's fork server: ~1 s to start, once
            self.get()
        except Exception:  # noqa: BLE001 - warming is an optimisation
            log.warning("could not start the kernel pool", exc_info=True)

    def close(self) -> None:
        """Stop the pool's kernels, if it was ever started."""
        if self.pool is not None:
            self.pool.close()


class KernelPools:
    """Gives each app its WarmKernels, from ACADEMY_KERNEL_POOL and ACADEMY_GRADING_SANDBOX."""

    def init_app(self, app: Flask) -> None:
        """Store the app's (not yet started) pool in ``app.extensions``."""
        app.extensions[POOL_KEY] = WarmKernels(
            int(app.config["ACADEMY_KERNEL_POOL"]), sandbox_mode(app.config)
        )


kernel_pools = KernelPools()


def clear_leftovers() -> None:
    """Remove the kernel folders and cgroups of processes no longer running; never raises."""
    try:
        found = cgroup.layout()
        swept = leftovers.sweep(
            Path(tempfile.gettempdir()),
            (RUN_PREFIX, WORK_PREFIX),
            found.parent if found is not None else None,
        )
    except Exception:  # noqa: BLE001 - a leftover folder must never stop grading
        log.warning("could not clear what killed processes left", exc_info=True)
        return
    leftovers.report(swept)


def warm_kernels() -> None:
    """Start the current app's kernel pool booting, if it has one; never raises."""
    current_app.extensions[POOL_KEY].warm()


def executor_and_sandbox() -> tuple[Execute, str]:
    """The sandboxed executor (with the app's warm kernels) and ACADEMY_GRADING_SANDBOX.

    "auto" uses bubblewrap where it works and otherwise falls back to resource
    limits and a scrubbed environment (admins are warned); "bwrap" makes the
    sandbox mandatory.
    """
    pool = current_app.extensions[POOL_KEY].get()
    return sandboxed(pool).execute, sandbox_mode(current_app.config)


def sandbox_mode(config: Mapping[str, Any]) -> str:
    """ACADEMY_GRADING_SANDBOX, except that "auto" means "bwrap" in production.

    There a notebook is never graded in the fallback (resource limits only)
    unless an admin sets ACADEMY_ALLOW_UNSANDBOXED_GRADING.
    """
    mode = config["ACADEMY_GRADING_SANDBOX"]
    if mode == AUTO and is_production(config) and not config["ACADEMY_ALLOW_UNSANDBOXED_GRADING"]:
        return BWRAP
    return mode


def sandbox_warning() -> str | None:
    """What admins should know when notebooks would be graded without bubblewrap.

    bubblewrap is tried once per process (``bwrap_problem`` starts a trial
    sandbox and remembers the answer), so pages that show this stay fast.
    """
    problem = command.bwrap_problem()
    if problem is None:
        return None
    if sandbox_mode(current_app.config) == BWRAP:
        why = (
            "mandatory"
            if current_app.config["ACADEMY_GRADING_SANDBOX"] == BWRAP
            else (
                "mandatory in production (ACADEMY_ALLOW_UNSANDBOXED_GRADING=true accepts the "
                "weaker fallback)"
            )
        )
        return f"Grading is refused: the sandbox is {why} but {problem}."
    return (
        f"Notebooks are graded without the bubblewrap sandbox ({problem}): only "
        "resource limits and a scrubbed environment contain them. Install bubblewrap, "
        "or set ACADEMY_GRADING_SANDBOX=bwrap to refuse grading instead."
    )
