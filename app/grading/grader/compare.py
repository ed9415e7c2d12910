"""Comparing a learner's result with the expected one, with feedback that gives nothing away.

Messages say what is wrong by counts and column names ("3 rows missing",
"column `price` differs in 12 rows"), never by the expected values: names
are part of the question, values are the answer. A reference column the
author did not alias is named by its expression (``CAST('2012-08-31' AS
TIMESTAMP)``), which is the answer, so such a column is named by position.
Text cells compare without their surrounding spaces, as single values do.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from app.grading.grader.normalise import (
    NULL,
    NUMBER,
    TEXT,
    Cell,
    Table,
    cell,
    column_name,
    describe,
    number_in_text,
    table_from_value,
)

AS_TEXT = "you gave the number as text: give it as a number (no quotes)"

# Above this many leftover pairs the tolerant second pass is skipped (it is quadratic).
MAX_TOLERANT_PAIRS = 250_000
# A name feedback may show: a plain identifier, as an alias or a table's column is.
SHOWABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Wider tables are not searched for a swapped pair of columns (the search is quadratic).
MAX_SWAP_WIDTH = 12


@dataclass(frozen=True)
class Verdict:
    """Whether an answer is right, and what to tell the learner."""

    ok: bool
    message: str


RIGHT = Verdict(True, "correct")


def _plural(count: int, word: str) -> str:
    """'1 row', '3 rows'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _digits(tolerance: float) -> int:
    """Significant digits to round to so equal keys are always within ``tolerance``."""
    if tolerance <= 0:
        return 17
    return min(17, max(1, math.ceil(-math.log10(tolerance)) + 1))


def _trimmed(item: Cell) -> Cell:
    """A cell as compared: numbers as they are, text without surrounding spaces."""
    return (TEXT, item[1].strip()) if item[0] == TEXT else item


def _key(row: tuple[Cell, ...], digits: int) -> tuple[Cell, ...]:
    """A row with its numbers rounded, so rows within tolerance usually share a key."""
    return tuple(
        (NUMBER, float(f"{v:.{digits}g}")) if t == NUMBER else _trimmed((t, v)) for t, v in row
    )


def _close(a: Cell, b: Cell, tolerance: float) -> bool:
    """Two cells equal, numbers within ``tolerance``, text apart from surrounding spaces."""
    if a[0] == NUMBER and b[0] == NUMBER:
        return math.isclose(a[1], b[1], rel_tol=tolerance, abs_tol=tolerance * 1e-3)
    return _trimmed(a) == _trimmed(b)


def _rows_close(a: tuple[Cell, ...], b: tuple[Cell, ...], tolerance: float) -> bool:
    """Two rows equal cell by cell, numbers within ``tolerance``."""
    return len(a) == len(b) and all(_close(x, y, tolerance) for x, y in zip(a, b, strict=True))


def unmatched(expected: list, actual: list, tolerance: float) -> tuple[list, list]:
    """The expected rows with no partner in ``actual`` and the actual rows left over."""
    digits = _digits(tolerance)
    remaining = Counter(_key(row, digits) for row in actual)
    missing = []
    for row in expected:
        key = _key(row, digits)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            missing.append(row)
    extra = []  # what is left in ``remaining`` is unmatched; take those rows in order
    for row in actual:
        key = _key(row, digits)
        if remaining[key] > 0:
            remaining[key] -= 1
            extra.append(row)
    if missing and extra and len(missing) * len(extra) <= MAX_TOLERANT_PAIRS:
        # Values within tolerance can round to different keys; pair those up here.
        still_missing = []
        for row in missing:
            partner = next(
                (i for i, other in enumerate(extra) if _rows_close(row, other, tolerance)), None
            )
            if partner is None:
                still_missing.append(row)
            else:
                extra.pop(partner)
        missing = still_missing
    return missing, extra


def _counts_message(missing: int, extra: int) -> str:
    """'3 rows missing and 2 unexpected rows', leaving out a zero."""
    parts = []
    if missing:
        parts.append(f"{_plural(missing, 'row')} missing")
    if extra:
        parts.append(f"{_plural(extra, 'unexpected row')}")
    return " and ".join(parts)


def showable(name: str) -> bool:
    """True when a column name can appear in feedback: an identifier, never an expression."""
    return bool(SHOWABLE_NAME.match(name))


def _name(table: Table, index: int) -> str:
    """A column as feedback names it: by name, or by position when unnamed or an expression."""
    if table.columns and showable(table.columns[index]):
        return f"`{table.columns[index]}`"
    return f"column {index + 1}"


def _column(table: Table, index: int) -> str:
    """'column `price`', or 'column 3' when its name cannot be shown."""
    name = _name(table, index)
    return f"column {name}" if name.startswith("`") else name


def _names(table: Table) -> str:
    """Every column of a table as feedback names them."""
    return ", ".join(_name(table, i).strip("`") for i in range(table.width))


def _swapped(rows: list, first: int, second: int) -> list:
    """The rows with two columns exchanged."""
    order = list(range(len(rows[0]))) if rows else []
    order[first], order[second] = second, first
    return [tuple(row[i] for i in order) for row in rows]


def _swap_message(
    expected: Table, actual: Table, tolerance: float, order_matters: bool
) -> str | None:
    """'columns 2 and 3 are swapped' when exchanging one pair makes the rows right."""
    if not actual.rows or expected.width > MAX_SWAP_WIDTH or len(actual.rows) != len(expected.rows):
        return None
    for first in range(expected.width):
        for second in range(first + 1, expected.width):
            rows = _swapped(actual.rows, first, second)
            if order_matters:
                right = all(
                    _rows_close(e, a, tolerance) for e, a in zip(expected.rows, rows, strict=True)
                )
            else:
                right = unmatched(expected.rows, rows, tolerance) == ([], [])
            if right:
                return (
                    f"columns {first + 1} and {second + 1} are swapped: "
                    f"{_name(expected, first)} is given where {_name(expected, second)} belongs"
                )
    return None


def _without(rows: list, index: int) -> list:
    """The rows without the column at ``index``."""
    return [row[:index] + row[index + 1 :] for row in rows]


def _differing_column(expected: Table, actual: Table, tolerance: float) -> str | None:
    """'column `x` differs in N rows' when one column explains every difference."""
    missing, _ = unmatched(expected.rows, actual.rows, tolerance)
    for index in range(expected.width):
        left, _ = unmatched(_without(expected.rows, index), _without(actual.rows, index), tolerance)
        if not left:
            return f"{_column(expected, index)} differs in {_plural(len(missing), 'row')}"
    return None


def _positional(expected: Table, actual: Table, tolerance: float) -> Verdict:
    """Rows compared in order, for questions where the order is part of the answer."""
    if all(_rows_close(e, a, tolerance) for e, a in zip(expected.rows, actual.rows, strict=True)):
        return RIGHT
    missing, extra = unmatched(expected.rows, actual.rows, tolerance)
    if not missing and not extra:
        return Verdict(False, "the rows are right but not in the order asked for")
    parts = []
    for index in range(expected.width):
        wrong = sum(
            not _close(e[index], a[index], tolerance)
            for e, a in zip(expected.rows, actual.rows, strict=True)
        )
        if wrong:
            parts.append(f"{_column(expected, index)} differs in {_plural(wrong, 'row')}")
    return Verdict(False, "; ".join(parts))


def _align(expected: Table, actual: Table, names_must_match: bool) -> Table | Verdict:
    """The learner's table with its columns in the expected order, or why it cannot be."""
    if actual.width != expected.width:
        return Verdict(False, f"expected {_plural(expected.width, 'column')}, got {actual.width}")
    if not names_must_match or expected.columns is None or actual.columns is None:
        return actual
    wanted = [column_name(c) for c in expected.columns]
    given = [column_name(c) for c in actual.columns]
    if sorted(wanted) != sorted(given) or len(set(given)) != len(given):
        return Verdict(
            False,
            f"column names differ: expected {_names(expected)} got {', '.join(actual.columns)}",
        )
    order = [given.index(name) for name in wanted]
    rows = [tuple(row[i] for i in order) for row in actual.rows]
    return Table(tuple(actual.columns[i] for i in order), rows)


def compare_tables(
    expected: Table,
    actual: Table,
    *,
    tolerance: float = 1e-6,
    order_matters: bool = False,
    names_must_match: bool = True,
) -> Verdict:
    """Is ``actual`` the same result as ``expected``? Rows in any order unless asked."""
    aligned = _align(expected, actual, names_must_match)
    if isinstance(aligned, Verdict):
        return aligned
    if order_matters and len(aligned.rows) == len(expected.rows):
        verdict = _positional(expected, aligned, tolerance)
        swap = None if verdict.ok else _swap_message(expected, aligned, tolerance, True)
        return Verdict(False, swap) if swap else verdict
    missing, extra = unmatched(expected.rows, aligned.rows, tolerance)
    if not missing and not extra:
        return RIGHT
    swap = _swap_message(expected, aligned, tolerance, False)
    if swap:
        return Verdict(False, swap)
    if len(missing) == len(extra) and expected.width > 1:
        explained = _differing_column(expected, aligned, tolerance)
        if explained:
            return Verdict(False, explained)
    return Verdict(False, _counts_message(len(missing), len(extra)))


def _compare_list(expected: list, actual: list, tolerance: float, order_matters: bool) -> Verdict:
    """Two lists as multisets of items, or in order if asked."""
    want = [(cell(v),) for v in expected]
    got = [(cell(v),) for v in actual]
    in_order = len(want) == len(got) and all(
        _rows_close(a, b, tolerance) for a, b in zip(want, got, strict=True)
    )
    if order_matters and in_order:
        return RIGHT
    missing, extra = unmatched(want, got, tolerance)
    if not missing and not extra:
        return (
            RIGHT
            if not order_matters
            else Verdict(False, "the items are right but not in the order asked for")
        )
    parts = [f"{_plural(len(missing), 'item')} missing"] if missing else []
    parts += [_plural(len(extra), "unexpected item")] if extra else []
    return Verdict(False, " and ".join(parts))


def _compare_dict(expected: dict, actual: dict, tolerance: float, order_matters: bool) -> Verdict:
    """Two dicts key by key, naming keys (part of the question) but not values."""
    missing = [k for k in expected if k not in actual]
    extra = [k for k in actual if k not in expected]
    if missing or extra:
        parts = [f"missing keys: {', '.join(map(str, missing))}"] if missing else []
        parts += [f"unexpected keys: {', '.join(map(str, extra))}"] if extra else []
        return Verdict(False, "; ".join(parts))
    wrong = [
        k
        for k in expected
        if not compare_values(
            expected[k], actual[k], tolerance=tolerance, order_matters=order_matters
        ).ok
    ]
    if wrong:
        return Verdict(False, "; ".join(_wrong_value(k, actual[k]) for k in wrong))
    return RIGHT


def _wrong_value(key: Any, value: Any) -> str:
    """Why one value of a dict is wrong, without the expected value."""
    if cell(value)[0] == NULL:
        return f"no answer for `{key}`"
    return f"the value for `{key}` is not right"


def _rows_of_lists(value: Any) -> bool:
    """True for a list of equally long lists: a table whose columns are known by position."""
    return isinstance(value, list) and bool(value) and all(isinstance(r, list) for r in value)


def compare_values(
    expected: Any, actual: Any, *, tolerance: float = 1e-6, order_matters: bool = False
) -> Verdict:
    """Is the plain value ``actual`` the expected one? Numbers within ``tolerance``."""
    want, got = cell(expected), cell(actual)
    if _rows_of_lists(expected) and _rows_of_lists(actual):
        left, right = table_from_value(expected), table_from_value(actual)
        if left is not None and right is not None:
            return compare_tables(
                left,
                right,
                tolerance=tolerance,
                order_matters=order_matters,
                names_must_match=False,
            )
    if isinstance(expected, list) and isinstance(actual, list):
        return _compare_list(expected, actual, tolerance, order_matters)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return _compare_dict(expected, actual, tolerance, order_matters)
    if got[0] == NULL and want[0] != NULL:
        return Verdict(False, "no answer: it is still None")
    if want[0] == NUMBER and got[0] == TEXT and number_in_text(actual):
        if _close(want, cell(float(actual.strip().replace(",", ""))), tolerance):
            return Verdict(False, AS_TEXT)
        return Verdict(False, f"{AS_TEXT}; the number is not right either")
    if want[0] != got[0] or isinstance(expected, list | dict) != isinstance(actual, list | dict):
        return Verdict(False, f"expected {describe(expected)}, got {describe(actual)}")
    if _close(want, got, tolerance):
        return RIGHT
    if want[0] == TEXT and str(want[1]).strip() == str(got[1]).strip():
        return RIGHT
    if want[0] == TEXT and str(want[1]).strip().casefold() == str(got[1]).strip().casefold():
        return Verdict(False, "the text differs only in upper/lower case")
    if want[0] == NUMBER:
        return Verdict(False, "the number is not right")
    return Verdict(False, "the answer is not right")
