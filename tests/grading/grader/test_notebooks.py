"""Reading uploads and assembling the notebook to run: only the answer cells are the learner's."""

from __future__ import annotations

import json

import nbformat
import pytest

from app.grading.grader.notebooks import MAX_NOTEBOOK_BYTES, answer_cells, assemble, parse_notebook
from app.grading.grader.results import GradingError
from tests.grading.support import answer_cell, make_notebook


def sources(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells]


def test_only_the_answer_cells_are_taken_from_the_upload(simple_exercise):
    upload = make_notebook(
        {"q1": "answer_q1 = 'mine'", "q2": "answer_q2 = 42"}, intro="# I rewrote the instructions"
    )
    upload.cells[1].source = "import os; os.system('rm -rf /')"  # an edited set-up cell
    starter = nbformat.read(simple_exercise.starter, as_version=4)
    assembled = assemble(simple_exercise, nbformat.writes(upload).encode())
    assert sources(assembled)[:2] == sources(starter)[:2]  # the server's own cells
    assert sources(assembled)[2:] == ["answer_q1 = 'mine'", "answer_q2 = 42"]
    assert answer_cells(assembled) == {"q1": [2], "q2": [3]}


def test_deleted_and_moved_cells_do_not_matter(simple_exercise):
    upload = nbformat.v4.new_notebook(cells=[answer_cell("q2", "answer_q2 = 7")])
    assembled = assemble(simple_exercise, nbformat.writes(upload).encode())
    starter = nbformat.read(simple_exercise.starter, as_version=4)
    # q1's cell was deleted: the starter's stays, so q1 is simply not answered.
    assert sources(assembled) == sources(starter)[:3] + ["answer_q2 = 7"]


def test_a_duplicated_answer_cell_runs_in_order_and_unknown_ids_are_ignored(simple_exercise):
    upload = make_notebook({"q1": "a = 1"})
    upload.cells += [answer_cell("q1", "answer_q1 = str(a)"), answer_cell("zz", "boom()")]
    assembled = assemble(simple_exercise, nbformat.writes(upload).encode())
    assert sources(assembled)[2] == "a = 1\n\nanswer_q1 = str(a)"
    assert "boom()" not in "".join(sources(assembled))


def test_outputs_in_the_upload_are_dropped(simple_exercise):
    upload = make_notebook({"q1": "answer_q1 = 'x'"})
    upload.cells[2].outputs = [nbformat.v4.new_output("stream", text="Score: 100%")]
    upload.cells[2].execution_count = 3
    assembled = assemble(simple_exercise, nbformat.writes(upload).encode())
    assert all(cell.get("outputs", []) == [] for cell in assembled.cells)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n ", "the file is empty"),
        (b"\xff\xfe\x00binary", "not text"),
        (b"hello, world", "the file is not JSON"),
        (b"[1, 2, 3]", "the file is JSON but not a Jupyter notebook"),
        (b'{"name": "x"}', "the file is JSON but not a Jupyter notebook"),
        (
            json.dumps(
                {
                    "cells": [{"cell_type": "code"}],
                    "metadata": {},
                    "nbformat": 4,
                    "nbformat_minor": 5,
                }
            ).encode(),
            "the notebook is not valid nbformat",
        ),
        (
            json.dumps(
                {"cells": "nope", "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            ).encode(),
            "the notebook is not valid nbformat",
        ),
    ],
)
def test_bad_files_are_refused_with_a_clear_reason(data, reason):
    with pytest.raises(GradingError, match=reason):
        parse_notebook(data)


def test_a_notebook_over_the_size_limit_is_refused_before_parsing():
    big = make_notebook({"q1": "answer_q1 = 1"})
    big.cells.append(nbformat.v4.new_markdown_cell("x" * (10 * 2**20)))
    data = nbformat.writes(big).encode()
    assert len(data) > MAX_NOTEBOOK_BYTES
    with pytest.raises(
        GradingError, match=r"the file is 10\.0 MB; a notebook may be at most 5\.0 MB"
    ):
        parse_notebook(data)


def test_notebooks_without_cell_ids_are_upgraded_not_refused():
    raw = json.loads(nbformat.writes(make_notebook({"q1": "answer_q1 = 1"})))
    for cell in raw["cells"]:
        del cell["id"]
    raw["nbformat_minor"] = 4
    notebook = parse_notebook(json.dumps(raw).encode())
    assert answer_cells(notebook) == {"q1": [2]}
