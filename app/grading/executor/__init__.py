"""Run learners' notebooks for grading, in a sandboxed, resource-limited, single-use kernel.

``execute()`` runs a notebook between the grader's hidden setup and export
cells and returns an ``Execution``: the executed notebook (hidden cells
removed, outputs capped), the exported answer files, a status and a message
for the learner. Walls between a notebook and the server:

1. bubblewrap (executor.sandbox): the kernel sees /usr, the Python
   installation, the lake read-only at /lake, and in-memory /scratch,
   /answers and /tmp; no app code, instance folder, other learners' files or
   network. Where bubblewrap is missing ``sandbox="auto"`` falls back to
   running without it and says so (``Execution.sandbox == "fallback"``), so
   admins can be warned; ``sandbox="bwrap"`` refuses instead.
2. A uid of its own per kernel and resource limits (address space,
   processes, file size, open files, CPU), so a memory or fork bomb stops
   at its own limits and cannot reach another kernel.
3. Time and output limits enforced from outside (executor.run,
   executor.client): a cell timeout, a wall-clock deadline for the whole run
   and a cap on the outputs kept; the kernel is killed, never reused.
4. Answers are copied out distrustfully (executor.answers): regular files
   only, no links followed, each size-capped.

``KernelPool`` keeps kernels booted ahead of time for one lake so a trivial
grade takes well under a second.
"""

from __future__ import annotations

from app.grading.executor.pool import KernelPool
from app.grading.executor.run import execute
from app.grading.executor.sandbox import bwrap_problem, choose_sandbox
from app.grading.executor.types import (
    ANSWERS_PATH,
    CELL_TIMEOUT,
    COMPLETED,
    KERNEL_DIED,
    LAKE_PATH,
    MEMORY,
    OUTPUT_LIMIT,
    SCRATCH_PATH,
    STATUSES,
    TOTAL_TIMEOUT,
    Execution,
    ExecutorError,
    Limits,
    SandboxUnavailable,
    SetupFailed,
)

__all__ = [
    "ANSWERS_PATH",
    "CELL_TIMEOUT",
    "COMPLETED",
    "KERNEL_DIED",
    "LAKE_PATH",
    "MEMORY",
    "OUTPUT_LIMIT",
    "SCRATCH_PATH",
    "STATUSES",
    "TOTAL_TIMEOUT",
    "Execution",
    "ExecutorError",
    "KernelPool",
    "Limits",
    "SandboxUnavailable",
    "SetupFailed",
    "bwrap_problem",
    "choose_sandbox",
    "execute",
]
