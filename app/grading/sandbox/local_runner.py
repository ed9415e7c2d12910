"""A stand-in executor: runs the notebook with nbclient on this machine, with NO sandbox.

For tests and authors' own notebooks only (``academy grade --local``); learners'
notebooks run in the sandboxed executor (``sandbox.execute``). It honours the
executor's contract: set-up first, every learner cell even after one fails,
the export last, and a time limit per cell and in total. It does not limit memory or confine
files or the network; never use it for notebooks from learners.
"""

from __future__ import annotations

import contextlib
import copy
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from app.grading.exercises.authored import Limits
from app.grading.sandbox.cells import ENV_ANSWERS, ENV_LAKE, ENV_SCRATCH

SANDBOX = "none"


class SetupFailed(RuntimeError):
    """The grader's set-up cell raised: the lake or the exercise is broken, not the attempt."""


EXPORT_SECONDS = 60
# Only what a kernel needs to start: the server's secrets stay out of it.
PASSED_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


@dataclass
class LocalExecution:
    """What running the notebook produced, in the shape the sandboxed executor returns."""

    notebook: NotebookNode
    answers_dir: Path | None
    status: str  # as the sandboxed executor's: completed, cell_timeout, total_timeout, ...
    failed_cells: list[int] = field(default_factory=list)
    message: str = ""
    sandbox: str = SANDBOX
    elapsed_s: float = 0.0


def _environment(lake_dir: Path, scratch_dir: Path, answers_dir: Path) -> dict[str, str]:
    """The kernel's environment: the folders it needs, none of the server's secrets."""
    env = {key: os.environ[key] for key in PASSED_ENVIRONMENT if key in os.environ}
    env |= {
        ENV_LAKE: str(lake_dir),
        ENV_SCRATCH: str(scratch_dir),
        ENV_ANSWERS: str(answers_dir),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    return env


def _error_of(cell: NotebookNode) -> str | None:
    """``Name: message`` of the error a cell raised, or None if it raised none."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
    return None


class _Run:
    """One notebook run: the client, the clock and what went wrong so far."""

    def __init__(self, client: NotebookClient, limits: Limits):
        """Start the clock for a run of ``client`` under ``limits``."""
        self.client = client
        self.limits = limits
        self.started = time.monotonic()
        self.failed: list[int] = []
        self.notes: list[str] = []

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    def cell(self, cell: NotebookNode, index: int, seconds: float) -> None:
        """Run one cell; an error or a timeout is recorded, not raised."""
        self.client.timeout = seconds
        began = time.monotonic()
        # A timeout is recorded below, from the interrupted cell's output.
        with contextlib.suppress(CellTimeoutError):
            self.client.execute_cell(cell, index)
        if _error_of(cell) is not None:
            self.failed.append(index - 1)  # the set-up cell is index 0
            if time.monotonic() - began >= seconds:
                self.notes.append(f"cell {index} ran out of time ({seconds:g} s)")


def execute_locally(
    notebook: NotebookNode,
    *,
    lake_dir: Path,
    scratch_dir: Path,
    work_dir: Path,
    limits: Limits,
    setup_source: str,
    export_source: str,
    sandbox: object = None,
) -> LocalExecution:
    """Run set-up, the notebook's cells and the export in a fresh local kernel."""
    answers_dir = work_dir / ".academy-answers"
    answers_dir.mkdir(parents=True, exist_ok=True)
    scratch_dir.mkdir(parents=True, exist_ok=True)
    run_nb = copy.deepcopy(notebook)
    setup_cell = nbformat.v4.new_code_cell(setup_source)
    export_cell = nbformat.v4.new_code_cell(export_source)
    run_nb.cells = [setup_cell, *run_nb.cells, export_cell]
    client = NotebookClient(
        run_nb,
        timeout=limits.cell_seconds,
        allow_errors=True,
        interrupt_on_timeout=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(work_dir)}},
    )
    run = _Run(client, limits)
    env = _environment(lake_dir, scratch_dir, answers_dir)
    try:
        with client.setup_kernel(env=env, stderr=subprocess.DEVNULL):
            run.cell(setup_cell, 0, EXPORT_SECONDS)
            if run.failed:
                # Not the learner's doing: the lake or the exercise is broken.
                raise SetupFailed(f"the set-up cell failed: {_error_of(setup_cell)}")
            status, message = _run_learner_cells(run, run_nb.cells[1:-1])
            run.cell(export_cell, len(run_nb.cells) - 1, EXPORT_SECONDS)
    except DeadKernelError:
        status, message = (
            "kernel_died",
            "the kernel stopped (did the notebook use too much memory?)",
        )
    learner_failed = [i for i in run.failed if 0 <= i < len(notebook.cells)]
    run_nb.cells = run_nb.cells[1:-1]
    return LocalExecution(
        notebook=run_nb,
        answers_dir=answers_dir,
        status=status,
        failed_cells=learner_failed,
        message=message,
        elapsed_s=run.elapsed(),
    )


def _run_learner_cells(run: _Run, cells: list[NotebookNode]) -> tuple[str, str]:
    """Run the notebook's own code cells in order until the total time runs out."""
    for offset, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        left = run.limits.total_seconds - run.elapsed()
        if left <= 0:
            return "total_timeout", f"the notebook ran out of time ({run.limits.total_seconds:g} s)"
        run.cell(cell, offset + 1, min(run.limits.cell_seconds, left))
    if run.notes:
        return "cell_timeout", "; ".join(run.notes)
    raised = [f"cell {i + 1} raised {_error_of(cells[i])}" for i in run.failed]
    return "completed", "; ".join(raised)
