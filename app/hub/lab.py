"""The rules for the academy's notebooks in a learner's JupyterLab, with no hub and no Flask.

Where a copy lives in the workspace, what the old copy is called after a reset, the
first cell that tells a learner where to submit, and which paths a hub sign-in may send
a browser back to. ``opening.py`` applies them through the hub client.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from app.grading.sandbox.provisioner import KERNEL_DISPLAY_NAME, KERNEL_NAME

EXERCISES_FOLDER = "exercises"
LESSONS_FOLDER = "lessons"
# Exercise ids are folder names and module codes are letters and digits: nothing else
# may become a file name in a learner's workspace.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# A reset keeps the old copy; after this many names taken in one second, something is wrong.
MAX_RESET_NAMES = 100

METADATA_KEY = "academy"
SUBMIT_CELL_ROLE = "where-to-submit"
SUBMIT_CELL_ID = "academy-where-to-submit"


def _file_name(text: str) -> str:
    if not _SAFE_NAME.fullmatch(text) or ".." in text:
        raise ValueError(f"{text!r} cannot name a notebook in a workspace")
    return text


def exercise_path(exercise_id: str) -> str:
    """Where an exercise's copy lives in the learner's workspace."""
    return f"{EXERCISES_FOLDER}/{_file_name(exercise_id)}.ipynb"


def lesson_path(module_code: str) -> str:
    """Where a module's lesson notebook lives in the learner's workspace."""
    return f"{LESSONS_FOLDER}/{_file_name(module_code.lower())}.ipynb"


def contents_path_ok(path: str) -> bool:
    """Whether a path may be sent to the contents API: relative, and never out of the workspace."""
    if not path or "\\" in path or "\x00" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def reset_names(path: str, now: datetime) -> Iterator[str]:
    """Names for the copy a reset keeps, best first: the minute, then seconds, then a counter.

    Times are UTC, with dots (colons are not allowed in file names everywhere).
    """
    folder, _, file = path.rpartition("/")
    stem = file.removesuffix(".ipynb")
    prefix = f"{folder}/" if folder else ""
    moment = now.astimezone(UTC)
    minute = moment.strftime("%Y-%m-%d %H.%M")
    second = moment.strftime("%Y-%m-%d %H.%M.%S")
    yield f"{prefix}{stem} (before reset {minute}).ipynb"
    yield f"{prefix}{stem} (before reset {second}).ipynb"
    for count in itertools.count(2):
        yield f"{prefix}{stem} (before reset {second}, {count}).ipynb"


def reset_name(path: str, now: datetime, taken: Callable[[str], bool]) -> str:
    """The first of ``reset_names`` that is not ``taken``: a reset never overwrites a file."""
    for name in itertools.islice(reset_names(path, now), MAX_RESET_NAMES):
        if not taken(name):
            return name
    raise ValueError(f"no free name to keep {path} under")


def _markdown_link_text(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def submit_cell_source(exercise_title: str, exercise_url: str) -> str:
    """What the first cell says: where and how to submit this notebook."""
    return (
        "**Where to submit.** When your answers are ready, submit this notebook from the "
        f"exercise page, [{_markdown_link_text(exercise_title)}]({exercise_url}): with "
        "**Submit my JupyterLab copy** if you work in the academy's JupyterLab (save the "
        "notebook first: it reads the saved file), or by uploading it."
    )


def is_submit_cell(cell: dict[str, Any]) -> bool:
    """Whether a cell is the academy's "where to submit" cell."""
    tag = (cell.get("metadata") or {}).get(METADATA_KEY)
    return isinstance(tag, dict) and tag.get("role") == SUBMIT_CELL_ROLE


def with_submit_cell(notebook: dict[str, Any], exercise_title: str, exercise_url: str) -> dict:
    """A copy of the notebook whose first cell says where to submit it.

    An older such cell (recognised by its metadata, wherever it is) is replaced, never
    repeated. The grader takes only answer cells from a learner's notebook, so this
    cell changes no grade.
    """
    result = copy.deepcopy(notebook)
    cell: dict[str, Any] = {
        "cell_type": "markdown",
        "metadata": {METADATA_KEY: {"role": SUBMIT_CELL_ROLE}},
        "source": submit_cell_source(exercise_title, exercise_url),
    }
    # Cell ids exist from nbformat 4.5; an older notebook must not get one.
    if (result.get("nbformat"), result.get("nbformat_minor", 0)) >= (4, 5):
        cell = {"id": SUBMIT_CELL_ID, **cell}
    result["cells"] = [cell] + [c for c in result.get("cells", []) if not is_submit_cell(c)]
    return result


def with_academy_kernel(notebook: dict[str, Any]) -> dict:
    """A copy of the notebook that names the academy's kernel, the only one a learner's
    JupyterLab has: a starter naming ``python3`` would open with a "select kernel" prompt."""
    result = copy.deepcopy(notebook)
    metadata = result.setdefault("metadata", {})
    metadata["kernelspec"] = {
        "name": KERNEL_NAME,
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
    }
    return result


def safe_return_path(to: str) -> str | None:
    """``to`` if it is a path on the academy (one leading ``/``, no host), else None.

    The hub's sign-in sends browsers back to the academy with it; anything else
    (``//elsewhere``, ``https://elsewhere``, a backslash or a control character that
    a browser would read as one) would make the hub an open redirect.
    """
    if not to.startswith("/") or to.startswith("//"):
        return None
    if "\\" in to or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in to):
        return None
    parts = urlsplit(to)
    if parts.scheme or parts.netloc:
        return None
    return to
