"""Choosing what runs notebooks: the sandboxed executor, or the local runner when asked for.

The sandboxed executor (``sandbox.execute``) has limits of its own type and a
``sandbox`` mode ("auto" or "bwrap"); ``sandboxed()`` adapts it to the
``Execute`` shape grade() calls. The local runner has NO sandbox: it runs only
when asked for (``academy grade --local``, tests), and callers must say so to
whoever is watching. Where bubblewrap is missing the sandboxed executor falls
back (or refuses) by itself; it never falls back to the local runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.grading.exercises.authored import Limits
from app.grading.grader.grade import Execute
from app.grading.sandbox import contract
from app.grading.sandbox.execute import execute as execute_sandboxed
from app.grading.sandbox.local_runner import execute_locally
from app.grading.sandbox.pool import KernelPool


@dataclass(frozen=True)
class Executor:
    """An execute function and how to describe it to people."""

    execute: Execute
    name: str
    sandboxed: bool


LOCAL = Executor(
    execute_locally, "the local runner (NO sandbox: only for notebooks you trust)", False
)


def sandboxed(pool: KernelPool | None = None) -> Executor:
    """The sandboxed executor, adapted to grade()'s call.

    ``pool`` is an optional KernelPool of kernels booted ahead of time.
    """

    def execute(notebook, *, limits: Limits, sandbox: Any, **paths: Any):
        """Run through the sandboxed executor with its own Limits type."""
        own = contract.Limits(
            cell_seconds=limits.cell_seconds,
            total_seconds=limits.total_seconds,
            memory_mb=limits.memory_mb,
        )
        mode = sandbox if isinstance(sandbox, str) else contract.AUTO
        return execute_sandboxed(notebook, limits=own, sandbox=mode, pool=pool, **paths)

    return Executor(execute, "the sandboxed executor (app.grading.sandbox)", True)


def choose_executor(local: bool = False) -> Executor:
    """The local runner when ``local`` asks for it, else the sandboxed executor."""
    return LOCAL if local else sandboxed()
