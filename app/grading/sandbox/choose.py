"""Choosing what runs notebooks: the sandboxed executor when installed, else the local runner.

The sandboxed executor (``app.grading.executor``) has limits of its own type
and a ``sandbox`` mode ("auto" or "bwrap"); ``sandboxed()`` adapts it to the
``Execute`` shape grade() calls. When the package is absent the local runner
stands in, which has NO sandbox: callers must say so to whoever is watching.
When the package is present but broken, that is an error, never a silent
fall-back to running without a sandbox.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any

from app.grading.exercises.authored import Limits
from app.grading.grader.grade import Execute
from app.grading.sandbox.local_runner import execute_locally

EXECUTOR_MODULE = "app.grading.sandbox.execute"


@dataclass(frozen=True)
class Executor:
    """An execute function and how to describe it to people."""

    execute: Execute
    name: str
    sandboxed: bool


LOCAL = Executor(
    execute_locally, "the local runner (NO sandbox: only for notebooks you trust)", False
)


def sandboxed(pool: Any = None) -> Executor:
    """The sandboxed executor, adapted to grade()'s call; ImportError if it is not installed.

    ``pool`` is an optional executor.KernelPool of kernels booted ahead of time.
    """
    executor = importlib.import_module(EXECUTOR_MODULE)

    def execute(notebook, *, limits: Limits, sandbox: Any, **paths: Any):
        """Run through the sandboxed executor with its own Limits type."""
        own = executor.Limits(
            cell_seconds=limits.cell_seconds,
            total_seconds=limits.total_seconds,
            memory_mb=limits.memory_mb,
        )
        mode = sandbox if isinstance(sandbox, str) else "auto"
        return executor.execute(notebook, limits=own, sandbox=mode, pool=pool, **paths)

    return Executor(execute, f"the sandboxed executor ({EXECUTOR_MODULE})", True)


def choose_executor(local: bool = False) -> Executor:
    """The sandboxed executor if it is installed (unless ``local``), else the local runner."""
    if local or importlib.util.find_spec(EXECUTOR_MODULE) is None:
        return LOCAL
    return sandboxed()
