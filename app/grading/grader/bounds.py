"""How much of a learner's answer the trusted grader will read: cells and bytes.

The grader runs in the web process (threads backend) or a Celery worker, beside
other learners' grades, so an answer is refused before it is read in full when
it is bigger than any exercise needs: a table of a million rows by sixty
columns took 7.5 GB to check before these bounds existed.
"""

from __future__ import annotations

from typing import Any

# The largest exported answer file read, by kind (the export cell refuses to write more:
# sandbox/cells.py); a table at most the executor's own cap per answer file
# (sandbox.contract.Limits.answer_bytes).
MAX_JSON_BYTES = 1 * 2**20
MAX_TABLE_BYTES = 5 * 2**20

MAX_CELLS = 2_000_000  # rows x columns of one answer, from SQL or Parquet
MAX_BYTES = 64 * 2**20  # the text and binary values of one answer, uncompressed
FETCH_ROWS = 256  # rows fetched at a time, so a burst of huge values is seen early


class TooBig(Exception):
    """An answer over the bounds; the message says which, for the learner."""


def check_shape(rows: int, columns: int) -> None:
    """Refuse a result of ``rows`` x ``columns`` cells beyond MAX_CELLS."""
    if rows * max(columns, 1) > MAX_CELLS:
        raise TooBig(
            f"it has {rows:,} rows of {columns} columns, over the {MAX_CELLS:,} cells "
            "the grader reads; no exercise needs that many"
        )


def check_bytes(size: int) -> None:
    """Refuse an answer whose values add up to more than MAX_BYTES."""
    if size > MAX_BYTES:
        raise TooBig(f"its values add up to over {MAX_BYTES // 2**20} MB; no exercise needs that")


def row_bytes(row: tuple[Any, ...]) -> int:
    """What a fetched row's text and binary values weigh (numbers count 8 bytes)."""
    return sum(len(v) if isinstance(v, str | bytes | bytearray) else 8 for v in row)
