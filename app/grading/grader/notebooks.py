"""Notebooks as the grader sees them: reading uploads, finding answer cells, assembling.

An answer cell is a cell whose metadata says ``{"academy": {"answer": "<question id>"}}``.
Only those cells are taken from a learner's upload: everything else comes from
the server's starter, so edited instructions or deleted set-up cells change nothing.
"""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any

import nbformat
from nbformat import NotebookNode

from app.grading.exercises.authored import Exercise
from app.grading.grader.results import GradingError

MAX_NOTEBOOK_BYTES = 5 * 2**20
METADATA_KEY = "academy"


def answer_id(cell: dict[str, Any]) -> str | None:
    """The question id an answer cell is tagged with, or None for any other cell."""
    tag = (cell.get("metadata") or {}).get(METADATA_KEY)
    if isinstance(tag, dict) and isinstance(tag.get("answer"), str):
        return tag["answer"].strip()
    return None


def answer_cells(notebook: dict[str, Any]) -> dict[str, list[int]]:
    """Each tagged question id with the indexes of the cells tagged with it, in order."""
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(notebook.get("cells") or []):
        qid = answer_id(cell)
        if qid is not None:
            found.setdefault(qid, []).append(index)
    return found


def _megabytes(size: int) -> str:
    """A size in MB with one decimal, for messages."""
    return f"{size / 2**20:.1f} MB"


def _decode(data: bytes, max_bytes: int) -> dict[str, Any]:
    """The upload as a JSON object, or a GradingError saying plainly what it is instead."""
    if len(data) > max_bytes:
        raise GradingError(
            f"the file is {_megabytes(len(data))}; a notebook may be at most "
            f"{_megabytes(max_bytes)} (clear the outputs and upload it again)"
        )
    if not data.strip():
        raise GradingError("the file is empty")
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise GradingError("the file is not text, so it is not a notebook (.ipynb)") from None
    except RecursionError:
        raise GradingError(
            "the notebook is nested too deeply to read, so it cannot be graded"
        ) from None
    except json.JSONDecodeError as exc:
        raise GradingError(
            f"the file is not JSON (line {exc.lineno}: {exc.msg}), so it is not a notebook "
            "(.ipynb); download the notebook from Jupyter with File > Download"
        ) from None
    if not isinstance(raw, dict) or "cells" not in raw or "nbformat" not in raw:
        raise GradingError("the file is JSON but not a Jupyter notebook (it has no cells)")
    return raw


def parse_notebook(data: bytes, max_bytes: int = MAX_NOTEBOOK_BYTES) -> NotebookNode:
    """Read an uploaded notebook, refusing anything that is not a valid nbformat 4 notebook."""
    raw = _decode(data, max_bytes)
    # Old notebooks warn about missing cell ids; the upgrade below adds them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            notebook = nbformat.reads(json.dumps(raw), as_version=4)
            _changes, normalised = nbformat.validator.normalize(notebook)
            notebook = nbformat.from_dict(normalised)
            nbformat.validate(notebook)
        except Exception as exc:  # nbformat raises many types for one cause: bad structure
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise GradingError(f"the notebook is not valid nbformat: {first_line}") from None
    return notebook


def _answer_source(notebook: dict[str, Any], indexes: list[int]) -> str:
    """The learner's code for one question; a duplicated answer cell runs in order."""
    sources = []
    for index in indexes:
        source = notebook["cells"][index].get("source", "")
        sources.append("".join(source) if isinstance(source, list) else str(source))
    return "\n\n".join(sources)


def assemble(exercise: Exercise, submission: bytes | NotebookNode) -> NotebookNode:
    """The notebook to run: the server's starter with only the learner's answer cells in it.

    A question whose answer cell was deleted keeps the starter's cell, so it
    is graded as not answered rather than failing the whole attempt.
    """
    learner = submission if isinstance(submission, dict) else parse_notebook(submission)
    starter = read_notebook_file(exercise.starter)
    learner_cells = answer_cells(learner)
    result = copy.deepcopy(starter)
    for cell in result.cells:
        qid = answer_id(cell)
        if qid is not None and qid in learner_cells and exercise.question(qid) is not None:
            cell.source = _answer_source(learner, learner_cells[qid])
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return result


def read_notebook_file(path) -> NotebookNode:
    """A notebook from the exercise folder (trusted content), without a size limit."""
    return parse_notebook(path.read_bytes(), max_bytes=1 << 62)
