"""Reading the answers a learner's kernel exported, treating every byte as hostile.

The kernel (see ``sandbox.cells``) writes ``<qid>.json`` or ``<qid>.parquet``
into the answers folder and ``export-done.json`` last. Its code ran after the
learner's, so anything in the folder may have been forged: files are opened
without following links, size-capped, and parsed as strict JSON or Parquet,
never unpickled.
"""

from __future__ import annotations

import io
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from app.grading.exercises.authored import Exercise
from app.grading.grader import bounds

# Starts with a letter: the sandboxed executor copies out only files named like that.
DONE_FILE = "export-done.json"
MAX_JSON_BYTES = bounds.MAX_JSON_BYTES
MAX_TABLE_BYTES = bounds.MAX_TABLE_BYTES
MAX_TABLE_ROWS = 1_000_000


@dataclass(frozen=True)
class Answer:
    """One exported answer: a plain value, a table, or why there is none."""

    kind: str  # value, table, missing, unsupported, invalid, not_exported
    value: Any = None
    table: pa.Table | None = None
    type_name: str = ""  # for unsupported: the Python type the learner used
    reason: str = ""  # for invalid: what was wrong with it


class _Unreadable(Exception):
    """An answer file that is not a plain, small file."""


def _read_file(path: Path, limit: int) -> bytes:
    """A regular file's bytes, refusing links (which could point outside) and big files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        raise _Unreadable("the exported answer could not be opened") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("the exported answer is not a file")
        data = handle.read(limit + 1)  # the file may have grown since fstat
        if info.st_size > limit or len(data) > limit:
            raise _Unreadable(f"the answer is too big (over {limit // 2**20} MB)")
        return data


def _no_constants(name: str) -> Any:
    """Refuse NaN and Infinity, which strict JSON does not have."""
    raise ValueError(f"{name} is not allowed")


def _decode_json(data: bytes) -> Answer:
    """The answer from ``<qid>.json``: strict JSON (no NaN or Infinity) of a known shape."""
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Answer("invalid", reason="the exported answer is not valid JSON")
    kind = doc.get("kind") if isinstance(doc, dict) else None
    if kind == "value" and "value" in doc:
        return Answer("value", value=doc["value"])
    if kind == "unsupported" and isinstance(doc.get("type"), str):
        return Answer("unsupported", type_name=doc["type"][:80])
    if kind == "missing":
        return Answer("missing")
    if kind == "invalid" and isinstance(doc.get("reason"), str):
        return Answer("invalid", reason=doc["reason"][:300])
    return Answer("invalid", reason="the exported answer has an unknown shape")


def _decode_parquet(data: bytes) -> Answer:
    """The answer from ``<qid>.parquet``, refused when its footer or its data is over the bounds.

    The footer's rows, columns and uncompressed size are checked before any
    data is read; then the data is read a batch at a time and weighed again,
    because the footer was written by the learner's kernel and may lie.
    """
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        meta = parquet.metadata
        if meta.num_rows > MAX_TABLE_ROWS:
            return Answer("invalid", reason=f"the table has over {MAX_TABLE_ROWS:,} rows")
        bounds.check_shape(meta.num_rows, meta.num_columns)
        bounds.check_bytes(
            sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        )
        batches, size = [], 0
        for batch in parquet.iter_batches(batch_size=bounds.FETCH_ROWS * 16):
            size += batch.nbytes
            bounds.check_bytes(size)
            batches.append(batch)
        table = pa.Table.from_batches(batches, schema=parquet.schema_arrow)
    except bounds.TooBig as too_big:
        return Answer("invalid", reason=f"the table is too big to check: {too_big}")
    except (pa.ArrowException, OSError, ValueError):
        return Answer("invalid", reason="the exported table could not be read")
    return Answer("table", table=table)


def read_answer(folder: Path, qid: str) -> Answer:
    """The exported answer to one question, or a reason there is none."""
    try:
        if (folder / f"{qid}.parquet").exists() or (folder / f"{qid}.parquet").is_symlink():
            return _decode_parquet(_read_file(folder / f"{qid}.parquet", MAX_TABLE_BYTES))
        if (folder / f"{qid}.json").exists() or (folder / f"{qid}.json").is_symlink():
            return _decode_json(_read_file(folder / f"{qid}.json", MAX_JSON_BYTES))
    except _Unreadable as unreadable:
        return Answer("invalid", reason=str(unreadable))
    return Answer("missing")


def read_answers(folder: Path | None, exercise: Exercise) -> dict[str, Answer]:
    """Every question's exported answer; ``not_exported`` for all when the export never ran."""
    if folder is None or not (folder / DONE_FILE).is_file():
        return {q.id: Answer("not_exported") for q in exercise.questions}
    return {q.id: read_answer(folder, q.id) for q in exercise.questions}
