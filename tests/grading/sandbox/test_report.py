"""How a run ended, in the words a learner reads: the cell, the limit, what did not run."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from app.grading.sandbox.contract import (
    CELL_TIMEOUT,
    KERNEL_DIED,
    OUTPUT_LIMIT,
    TOTAL_TIMEOUT,
    Limits,
)
from app.grading.sandbox.report import explain, failed_cells, ran_out_of_memory


def _error(ename: str):
    return new_output("error", ename=ename, evalue="", traceback=[])


def test_failed_cells_and_memory_errors_are_found():
    nb = new_notebook(
        cells=[
            new_code_cell("ok", outputs=[new_output("stream", name="stdout", text="hi")]),
            new_code_cell("boom", outputs=[_error("ZeroDivisionError")]),
            new_code_cell("big", outputs=[_error("_ArrayMemoryError")]),
            new_code_cell("duck", outputs=[_error("OutOfMemoryException")]),
        ]
    )
    assert failed_cells(nb) == [1, 2, 3]
    assert ran_out_of_memory(nb) == 2


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (CELL_TIMEOUT, "Cell 4 ran longer than 2.5 s"),
        (TOTAL_TIMEOUT, "longer than 60 s in total"),
        (KERNEL_DIED, "stopped unexpectedly while running cell 4"),
        (OUTPUT_LIMIT, "Cell 4 printed more than 256 KB"),
    ],
)
def test_messages_name_the_cell_and_the_limit(status: str, words: str):
    message = explain(status, 3, [], Limits(cell_seconds=2.5))
    assert words in message
    assert "did not run" in message


def test_message_for_errors_lists_the_cells():
    assert explain("completed", None, [0, 2, 4], Limits()) == (
        "Cells 1, 3 and 5 raised an error; the other cells ran."
    )
    assert explain("completed", None, [], Limits()) == "All cells ran."
