"""Comparing a learner's result with the expected one, with feedback that gives nothing away.

Messages say what is wrong by counts and column names ("3 rows missing",
"column `price` differs in 12 rows"), never by the expected values: names
are part of the question, values are the answer.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from app.grading.grader.normalise import NUMBER, TEXT, Cell, Table, cell, column_name, describe

# Above this many leftover pairs the tolerant second pass is skipped (it is quadratic).
MAX_TOLERANT_PAIRS = 250_000


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


def _key(row: tuple[Cell, ...], digits: int) -> tuple[Cell, ...]:
    """A row with its numbers rounded, so rows within tolerance usually share a key."""
    return tuple((NUMBER, float(f"{v:.{digits}g}")) if t == NUMBER else (t, v) for t, v in row)


def _close(a: Cell, b: Cell, tolerance: float) -> bool:
    """Two cells equal, numbers within ``tolerance``."""
    if a[0] == NUMBER and b[0] == NUMBER:
        return math.isclose(a[1], b[1], rel_tol=tolerance, abs_tol=tolerance * 1e-3)
    return a == b


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


def _name(table: Table, index: int) -> str:
    """A column as feedback names it: by name, or by position when unnamed."""
    return f"`{table.columns[index]}`" if table.columns else f"column {index + 1}"


def _without(rows: list, index: int) -> list:
    """The rows without the column at ``index``."""
    return [row[:index] + row[index + 1 :] for row in rows]


def _differing_column(expected: Table, actual: Table, tolerance: float) -> str | None:
    """'column `x` differs in N rows' when one column explains every difference."""
    missing, _ = unmatched(expected.rows, actual.rows, tolerance)
    for index in range(expected.width):
        left, _ = unmatched(_without(expected.rows, index), _without(actual.rows, index), tolerance)
        if not left:
            return f"column {_name(expected, index)} differs in {_plural(len(missing), 'row')}"
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
            parts.append(f"column {_name(expected, index)} differs in {_plural(wrong, 'row')}")
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
            f"column names differ: expected {', '.join(expected.columns)} "
            f"got {', '.join(actual.columns)}",
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
        return _positional(expected, aligned, tolerance)
    missing, extra = unmatched(expected.rows, aligned.rows, tolerance)
    if not missing and not extra:
        return RIGHT
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
        return Verdict(False, "; ".join(f"the value for `{k}` is not right" for k in wrong))
    return RIGHT


def compare_values(
    expected: Any, actual: Any, *, tolerance: float = 1e-6, order_matters: bool = False
) -> Verdict:
    """Is the plain value ``actual`` the expected one? Numbers within ``tolerance``."""
    want, got = cell(expected), cell(actual)
    if isinstance(expected, list) and isinstance(actual, list):
        return _compare_list(expected, actual, tolerance, order_matters)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return _compare_dict(expected, actual, tolerance, order_matters)
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
