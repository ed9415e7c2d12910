"""The executor's limits and results: plain data the grader passes in and reads back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

# How a run ended (Execution.status). Only "completed" and "memory" ran the export cell.
COMPLETED = "completed"  # every cell ran (some may have raised: see failed_cells)
CELL_TIMEOUT = "cell_timeout"  # one cell passed cell_seconds; the kernel was stopped
TOTAL_TIMEOUT = "total_timeout"  # the whole run passed total_seconds; the kernel was stopped
KERNEL_DIED = "kernel_died"  # the kernel process ended on its own (crash, os._exit, kill)
MEMORY = "memory"  # a cell ran out of memory (MemoryError) and the kernel survived it
OUTPUT_LIMIT = "output_limit"  # outputs passed output_bytes; the kernel was stopped
STATUSES = (COMPLETED, CELL_TIMEOUT, TOTAL_TIMEOUT, KERNEL_DIED, MEMORY, OUTPUT_LIMIT)

# Where the sandboxed kernel finds its directories (Execution.sandbox == "bwrap").
# In fallback mode the same environment variables hold host paths instead.
LAKE_PATH = "/lake"
SCRATCH_PATH = "/scratch"
ANSWERS_PATH = "/answers"
WORKSPACE_PATH = "/workspace"  # a JupyterLab kernel's own workspace (see Workspace)

BWRAP = "bwrap"
FALLBACK = "fallback"
AUTO = "auto"


class ExecutorError(RuntimeError):
    """The executor itself could not run a notebook (not something the learner did)."""


class SandboxUnavailable(ExecutorError):
    """bubblewrap was required but is missing or does not work on this machine."""


class SetupFailed(ExecutorError):
    """The grader's hidden setup cell raised: the exercise or the lake is broken."""


# The group that may read a build's restricted folder (its owner and this group only): the
# group of the JupyterLab kernels of a learner an admin granted the restricted tier, and of
# nothing else. Just below the learners' uids (command.LEARNER_UID_FIRST).
RESTRICTED_GID = 999_999_999


@dataclass(frozen=True)
class Limits:
    """What one notebook run may use.

    ``memory_mb`` is the memory a notebook may allocate on top of what the
    kernel and its libraries reserve (see command.ADDRESS_SPACE_OVERHEAD_MB);
    ``processes`` counts threads too, as the kernel does (ipykernel alone runs
    about a dozen, with DuckDB and pyarrow loaded about two dozen).
    ``scratch_mb`` and ``tmp_mb`` size the in-memory /scratch and /tmp of the
    bubblewrap sandbox; ``answer_bytes`` caps each exported answer file and
    ``max_answers`` their number. ``total_seconds`` counts from the first
    (hidden setup) cell: the kernel's boot is not the learner's time.
    """

    cell_seconds: float = 10.0
    total_seconds: float = 60.0
    memory_mb: int = 512
    processes: int = 64
    output_bytes: int = 256 * 1024
    answer_bytes: int = 5 * 2**20
    scratch_mb: int = 256
    tmp_mb: int = 64
    max_answers: int = 200


@dataclass(frozen=True)
class Workspace:
    """A learner's own folders, for a kernel of their JupyterLab rather than a grade.

    The sandbox is the grader's in every other way. The differences are what a person
    working for an hour needs: ``home`` (their workspace, read-write at WORKSPACE_PATH,
    the kernel starting in ``cwd`` below it) and ``scratch`` (their persistent ``user``
    zone at /scratch) outlive the kernel, and every kernel of theirs runs as ``uid``, so
    what one wrote the next may change. ``setup`` is run when the kernel starts: the
    grader's hidden set-up, so ``lake`` is opened exactly as when a notebook is graded.

    ``base_lake`` is set only for a learner an admin granted the restricted tier: the
    kernel's lake is then the build's restricted folder, and ``base_lake`` the build
    whose files its views read for everything else (mounted read-only at its host path);
    the kernel runs in the one group that may read a restricted folder.
    """

    home: Path
    scratch: Path
    uid: int
    setup: str
    cwd: str = ""  # relative to home
    base_lake: Path | None = None

    @property
    def gid(self) -> int:
        """The kernels' group: the learner's own, or the restricted tier's under a grant."""
        return self.uid if self.base_lake is None else RESTRICTED_GID


@dataclass
class Execution:
    """What running a learner's notebook produced, for the grader to check."""

    notebook: nbformat.NotebookNode
    answers_dir: Path
    status: str
    failed_cells: list[int]
    message: str
    sandbox: str
    elapsed_s: float
