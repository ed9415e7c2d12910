"""Which executor grades submissions, and against which lake."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import current_app

from app.lake.location import lake_dir

log = logging.getLogger(__name__)
_pool_lock = threading.Lock()  # two grading threads must not each start a pool


def lake_for_grading() -> Path:
    return lake_dir()


def exercises_dir(courses_dir: Path | None = None) -> Path:
    """ACADEMY_EXERCISES_DIR, else the ``exercises/`` folder beside the course folder."""
    configured = current_app.config.get("ACADEMY_EXERCISES_DIR")
    if configured and courses_dir is None:
        return Path(configured)
    courses = courses_dir or Path(current_app.config["ACADEMY_COURSES_DIR"])
    return courses.parent / "exercises"


def executor_and_sandbox():
    """The sandboxed executor and the sandbox mode from ACADEMY_GRADING_SANDBOX.

    "auto" uses bubblewrap where it works and otherwise falls back to resource
    limits and a scrubbed environment (admins are warned); "bwrap" makes the
    sandbox mandatory.
    """
    from app.grading.executors import sandboxed

    mode = current_app.config.get("ACADEMY_GRADING_SANDBOX", "auto")
    return sandboxed(kernel_pool(mode)).execute, mode


def kernel_pool(mode: str):
    """The process's pool of kernels booted ahead of time, or None when it is switched off.

    Started on first use, so each web process (after a fork) has its own.
    """
    size = int(current_app.config.get("ACADEMY_KERNEL_POOL", 0))
    if size <= 0:
        return None
    app = current_app._get_current_object()
    with _pool_lock:
        pool = app.extensions.get("kernel_pool")
        if pool is None:
            from app.grading.executor import KernelPool, Limits

            pool = KernelPool(lake_for_grading().resolve(), Limits(), size=size, sandbox=mode)
            pool.start()
            app.extensions["kernel_pool"] = pool
    return pool


def warm_kernels() -> None:
    """Start this process's kernel pool booting, if it has one; never raises.

    Called where a grade is likely soon (a learner opens an exercise, a worker
    starts), so that even the first one finds a kernel ready. A sandbox that is
    mandatory but missing is reported when grading, not here.
    """
    try:
        kernel_pool(current_app.config.get("ACADEMY_GRADING_SANDBOX", "auto"))
    except Exception:  # noqa: BLE001 - warming is an optimisation
        log.warning("could not start the kernel pool", exc_info=True)


def sandbox_warning() -> str | None:
    """What admins should know when notebooks would be graded without bubblewrap.

    Checked once per process (it starts a trial sandbox), so pages that show it
    stay fast.
    """
    app = current_app._get_current_object()
    if "grading_sandbox_warning" not in app.extensions:
        from app.grading.executor import bwrap_problem

        problem = bwrap_problem()
        mode = app.config.get("ACADEMY_GRADING_SANDBOX", "auto")
        if problem is None:
            warning = None
        elif mode == "bwrap":
            warning = f"Grading is refused: the sandbox is mandatory but {problem}."
        else:
            warning = (
                f"Notebooks are graded without the bubblewrap sandbox ({problem}): only "
                "resource limits and a scrubbed environment contain them. Install bubblewrap, "
                "or set ACADEMY_GRADING_SANDBOX=bwrap to refuse grading instead."
            )
        app.extensions["grading_sandbox_warning"] = warning
    return app.extensions["grading_sandbox_warning"]
