"""Turn how a run ended into the status and the sentence a learner reads.

Cells are numbered for learners from 1, counting every cell of the notebook
(Markdown too), as they appear on the page; ``failed_cells`` holds 0-based
indices.
"""

from __future__ import annotations

from nbformat import NotebookNode

from app.grading.sandbox.contract import (
    CELL_TIMEOUT,
    KERNEL_DIED,
    MEMORY,
    OUTPUT_LIMIT,
    TOTAL_TIMEOUT,
    Limits,
)

# Exceptions that mean "out of memory": Python's own, numpy's and pyarrow's
# subclasses of it, and DuckDB's.
_MEMORY_ERRORS = ("MemoryError", "OutOfMemoryException")


def error_of(cell: NotebookNode) -> dict | None:
    """The cell's error output, if it raised."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None


def failed_cells(nb: NotebookNode) -> list[int]:
    """Indices of the cells that raised."""
    return [i for i, cell in enumerate(nb.cells) if error_of(cell) is not None]


def ran_out_of_memory(nb: NotebookNode) -> int | None:
    """The index of the first cell that raised an out-of-memory error, if any."""
    for index, cell in enumerate(nb.cells):
        error = error_of(cell)
        if error is not None and str(error.get("ename", "")).endswith(_MEMORY_ERRORS):
            return index
    return None


def stopped_note(status: str, limits: Limits) -> str | None:
    """The note added to the cell where a run was stopped."""
    if status == CELL_TIMEOUT:
        return f"Stopped: this cell ran longer than {_seconds(limits.cell_seconds)} s."
    if status == TOTAL_TIMEOUT:
        return f"Stopped: the notebook ran longer than {_seconds(limits.total_seconds)} s."
    if status == KERNEL_DIED:
        return "The Python kernel stopped unexpectedly while running this cell."
    if status == OUTPUT_LIMIT:
        return f"Stopped: the output passed {limits.output_bytes // 1024} KB and was cut off."
    if status == MEMORY:
        return f"Stopped: the notebook went over its memory limit ({limits.memory_mb} MB) here."
    return None


def explain(
    status: str, cell: int | None, failed: list[int], limits: Limits, stopped: bool = False
) -> str:
    """One or two sentences for the learner about how the run went.

    ``stopped``: the run ended at ``cell`` (for MEMORY: the kernel was killed
    for its memory, rather than a cell raising MemoryError and the run going on).
    """
    # No cell: the run stopped in the hidden export cell, while saving answers.
    where = f"Cell {cell + 1}" if cell is not None else "Saving your answers"
    later = (
        " Cells after it did not run, so their answers were not saved."
        if cell is not None
        else " Your answers were not saved."
    )
    if status == CELL_TIMEOUT:
        return f"{where} ran longer than {_seconds(limits.cell_seconds)} s and was stopped.{later}"
    if status == TOTAL_TIMEOUT:
        return (
            f"The notebook ran longer than {_seconds(limits.total_seconds)} s in total and was "
            f"stopped at {where.lower()}.{later}"
        )
    if status == KERNEL_DIED:
        return (
            f"The Python kernel stopped unexpectedly while running {where.lower()} (for example "
            f"it ran out of memory, or the code ended the process).{later}"
        )
    if status == OUTPUT_LIMIT:
        return (
            f"{where} printed more than {limits.output_bytes // 1024} KB of output, so the run was "
            f"stopped there. Print less, for example df.head() instead of df.{later}"
        )
    if status == MEMORY:
        return (
            f"{where} ran out of memory (the limit is {limits.memory_mb} MB). Work on less data "
            "at a time, or let DuckDB aggregate before loading into pandas."
            + (later if stopped else "")
        )
    if failed:
        return f"{_cells(failed)} raised an error; the other cells ran."
    return "All cells ran."


def _cells(indices: list[int]) -> str:
    """ "Cell 3" or "Cells 3, 5 and 7"."""
    numbers = [str(i + 1) for i in indices]
    if len(numbers) == 1:
        return f"Cell {numbers[0]}"
    return f"Cells {', '.join(numbers[:-1])} and {numbers[-1]}"


def _seconds(value: float) -> str:
    """10.0 -> "10", 2.5 -> "2.5"."""
    return f"{value:g}"
