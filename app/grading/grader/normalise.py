"""Values from DuckDB, Parquet and JSON brought to one comparable form.

The same answer arrives as different Python types depending on its road:
DuckDB gives ``Decimal`` and ``date``, pandas gives ``float`` and midnight
timestamps, JSON gives strings. Every cell becomes a small tagged tuple so
that ``True`` and ``1`` stay different (Python says they are equal) and
numbers compare as numbers whatever their type.
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

# The tag is first so sorting and hashing never compare a number with text.
NULL, BOOL, NUMBER, TEXT, NESTED = 0, 1, 2, 3, 4
Cell = tuple[int, Any]


def _when(value: datetime.datetime) -> str:
    """A timestamp as text: UTC, and just the day when it is midnight (as a date would be)."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    if value.time() == datetime.time(0):
        return value.date().isoformat()
    return value.isoformat(sep=" ")


def cell(value: Any) -> Cell:
    """One value in comparable form: (tag, plain value)."""
    if value is None:
        return (NULL, None)
    if isinstance(value, bool):
        return (BOOL, value)
    if isinstance(value, int | decimal.Decimal):
        return (NUMBER, float(value))
    if isinstance(value, float):
        return (NULL, None) if math.isnan(value) else (NUMBER, value)
    if isinstance(value, datetime.datetime):
        return (TEXT, _when(value))
    if isinstance(value, datetime.date | datetime.time):
        return (TEXT, value.isoformat())
    if isinstance(value, datetime.timedelta):
        return (NUMBER, value.total_seconds())
    if isinstance(value, list | tuple):
        return (NESTED, tuple(cell(item) for item in value))
    if isinstance(value, dict):
        return (NESTED, tuple(sorted((str(k), cell(v)) for k, v in value.items())))
    return (TEXT, str(value))


def describe(value: Any) -> str:
    """What kind of thing a plain value is, in words for feedback."""
    if value is None:
        return "nothing (None)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | decimal.Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a dict"
    return "a " + type(value).__name__


@dataclass(frozen=True)
class Table:
    """A result to compare: column names (None when unnamed) and rows of cells."""

    columns: tuple[str, ...] | None
    rows: list[tuple[Cell, ...]]

    @property
    def width(self) -> int:
        """How many columns the table has."""
        if self.columns is not None:
            return len(self.columns)
        return len(self.rows[0]) if self.rows else 0

    @property
    def is_single_value(self) -> bool:
        """True for a 1x1 result, which compares as a scalar."""
        return len(self.rows) == 1 and self.width == 1


def table_from_rows(columns: Sequence[str] | None, rows: Sequence[Sequence[Any]]) -> Table:
    """A Table from column names and rows of raw values (DuckDB's fetchall)."""
    return Table(
        tuple(columns) if columns is not None else None,
        [tuple(cell(v) for v in row) for row in rows],
    )


def table_from_arrow(table: pa.Table) -> Table:
    """A Table from an exported Parquet answer."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = list(zip(*columns, strict=True)) if columns else []
    return table_from_rows(table.column_names, rows)


def table_from_value(value: Any) -> Table | None:
    """A Table from a JSON answer shaped like one (a list of dicts or of lists), else None."""
    if not isinstance(value, list) or not value:
        return None
    if all(isinstance(row, dict) for row in value):
        columns = list(value[0])
        if any(list(row) != columns for row in value):
            return None
        return table_from_rows(columns, [list(row.values()) for row in value])
    if all(isinstance(row, list) for row in value) and len({len(r) for r in value}) == 1:
        return table_from_rows(None, value)
    return None


def column_name(name: str) -> str:
    """A column name as compared: case, surrounding spaces and quotes do not matter."""
    return name.strip().strip("\"'`").strip().lower()


def number_in_text(value: Any) -> bool:
    """True for text that reads as a number, such as ``"42"`` or ``" 660.00"``."""
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        float(value.strip().replace(",", ""))
    except ValueError:
        return False
    return True


def is_blank(value: Any) -> bool:
    """True for the starter's placeholders: None, blank text, or containers of nothing else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    # An empty container is an answer (no rows, no keys), not a placeholder.
    if isinstance(value, dict):
        return bool(value) and all(is_blank(v) for v in value.values())
    if isinstance(value, list | tuple):
        return bool(value) and all(is_blank(v) for v in value)
    return False
