"""Running a lesson notebook top to bottom the way a learner's kernel runs it.

The lesson runs in the grader's sandboxed kernel (``app.grading.sandbox``) with
the same set-up cell, so ``lake`` is open read-only on the lake and ``user`` is
an empty scratch zone, and nothing is exported. Used by the test that every
shipped lesson executes against a fresh lake; the result names each failed
cell with its error, so an author can find it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from app.grading.sandbox.cells import lake_source
from app.grading.sandbox.contract import COMPLETED, Limits

# A lesson is longer than an exercise, and a learner may run it on a slow day.
LESSON_LIMITS = Limits(cell_seconds=60, total_seconds=300, memory_mb=1024)


@dataclass(frozen=True)
class CellError:
    """One lesson cell that raised: its position among the lesson's cells, and the error."""

    index: int
    name: str
    value: str

    def __str__(self) -> str:
        return f"cell {self.index}: {self.name}: {self.value}"


@dataclass(frozen=True)
class Rehearsal:
    """How a lesson ran: the executor's status and message, and every cell that raised."""

    status: str
    message: str
    errors: tuple[CellError, ...]

    @property
    def ok(self) -> bool:
        return self.status == COMPLETED and not self.errors

    def __str__(self) -> str:
        lines = [f"{self.status}: {self.message}", *map(str, self.errors)]
        return "\n".join(lines)


def cell_errors(notebook: nbformat.NotebookNode) -> tuple[CellError, ...]:
    """Every error output of an executed notebook, by cell."""
    return tuple(
        CellError(index, out.get("ename", ""), out.get("evalue", ""))
        for index, cell in enumerate(notebook.cells)
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    )


def rehearse(path: Path, lake_dir: Path, limits: Limits = LESSON_LIMITS) -> Rehearsal:
    """Execute the lesson at ``path`` in a fresh sandboxed kernel with ``lake`` open."""
    # Imported here: starting kernels needs jupyter_client, which pages need not load.
    from app.grading.sandbox.execute import execute

    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="academy-lesson-") as work:
        result = execute(
            notebook,
            lake_dir=lake_dir.resolve(),
            work_dir=Path(work),
            limits=limits,
            setup_source=lake_source(limits.memory_mb),
            export_source="pass",
        )
    return Rehearsal(result.status, result.message, cell_errors(result.notebook))
