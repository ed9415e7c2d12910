"""Turn DuckDB values and exceptions into the playground's JSON-safe shapes (pure)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
from decimal import Decimal
from typing import Any

from app.lake.playground import types as t

ELLIPSIS = "…"

# DuckDB's exception class names (and "exception_type" in its JSON errors),
# mapped to the kinds the page understands.
_KINDS = {
    "Parser": t.SYNTAX,
    "Catalog": t.CATALOG,
    "Binder": t.BINDER,
    "Out of Memory": t.MEMORY,
    "OutOfMemory": t.MEMORY,
    "INTERRUPT": t.TIMEOUT,
    "Interrupt": t.TIMEOUT,
    "Permission": t.REFUSED,
}
_PREFIX = re.compile(r"^(?P<type>[A-Za-z][A-Za-z ]*?) Error: ", re.DOTALL)
_CARET_LINE = re.compile(r"^LINE (?P<line>\d+): (?P<text>.*)\n(?P<pad> *)\^", re.MULTILINE)


def json_value(value: Any, duck_type: str = "") -> Any:
    """Make one value JSON-safe: ISO dates, decimals as strings, bytes as hex, NaN as text."""
    return _convert(value, duck_type.upper())


def column_values(column: Any) -> list[Any]:
    """An Arrow column as Python values; DuckDB's infinite and far-off dates survive.

    DuckDB stores dates Python cannot (``'infinity'::DATE``, 5877642 BC), and
    Arrow raises converting them; such values come back as text instead.
    """
    try:
        return column.to_pylist()
    except (OverflowError, ValueError):
        return [_scalar(value) for value in column]


def _scalar(scalar: Any) -> Any:
    """One Arrow value; dates Python cannot hold become text."""
    try:
        return scalar.as_py()
    except (OverflowError, ValueError):
        # Only this rare path needs pyarrow's types: importing the module (the statement
        # filter does, in the web process and the graders) should not load pyarrow.
        import pyarrow as pa

        raw = None
        for width in (pa.int32(), pa.int64()):  # date32 or date64/timestamp
            with contextlib.suppress(pa.ArrowException, OverflowError, ValueError):
                raw = scalar.cast(width).as_py()
                break
        if raw in (2**31 - 1, 2**63 - 1):
            return "infinity"
        if raw in (-(2**31) + 1, -(2**63) + 1):
            return "-infinity"
        return "<out of range>"


def clip(value: Any, max_chars: int) -> tuple[Any, bool]:
    """Cut a long string (or a nested value's JSON text) so one cell cannot swamp the page.

    Returns the value to show and whether it was cut; ``max_chars`` 0 means no limit.
    """
    if not max_chars:
        return value, False
    if isinstance(value, str) and len(value) > max_chars:
        return value[:max_chars] + ELLIPSIS, True
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        if len(text) > max_chars:
            return text[:max_chars] + ELLIPSIS, True
    return value, False


def _convert(value: Any, duck_type: str) -> Any:
    """The conversion behind json_value, recursing into lists, structs and maps."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, Decimal):
        # Arrow carries HUGEINT (e.g. any sum of integers) as a decimal: it is an integer.
        if duck_type in ("HUGEINT", "UHUGEINT"):
            return int(value)
        # Strings keep every digit of a DECIMAL, which a JSON float would not.
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return _bits(raw) if duck_type == "BIT" else raw.hex()
    if type(value).__name__ == "MonthDayNano":  # an INTERVAL, from Arrow
        return _interval(value.months, value.days, value.nanoseconds)
    if isinstance(value, dict):
        return {str(k): _convert(v, "") for k, v in value.items()}
    if isinstance(value, list | tuple):
        # Arrow hands a MAP over as a list of (key, value) pairs.
        if value and all(isinstance(p, tuple) and len(p) == 2 for p in value):
            return {str(k): _convert(v, "") for k, v in value}
        return [_convert(v, "") for v in value]
    return str(value)


def _bits(raw: bytes) -> str:
    """DuckDB's BIT layout: the first byte counts padding bits, the rest are the bits."""
    if not raw:
        return ""
    bits = "".join(f"{b:08b}" for b in raw[1:])
    return bits[raw[0] :]


def _interval(months: int, days: int, nanoseconds: int) -> str:
    """An INTERVAL spelled the way DuckDB prints it, e.g. "1 year 2 months 3 days 04:05:06"."""
    parts = []
    years, months = divmod(months, 12)
    for amount, unit in ((years, "year"), (months, "month"), (days, "day")):
        if amount:
            parts.append(f"{amount} {unit}{'' if abs(amount) == 1 else 's'}")
    if nanoseconds or not parts:
        sign = "-" if nanoseconds < 0 else ""
        micros = abs(nanoseconds) // 1000
        seconds, micros = divmod(micros, 1_000_000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        clock = f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"
        parts.append(clock + (f".{micros:06d}" if micros else ""))
    return " ".join(parts)


def csv_cell(value: Any, duck_type: str = "") -> str:
    """One CSV cell: JSON-safe text, nested values as JSON, and no spreadsheet formulas.

    Lake data includes free text typed by anyone (survey answers); a cell that
    starts with = + - @ would run as a formula when the export is opened in a
    spreadsheet, so such text gets a leading apostrophe (OWASP's advice).
    """
    converted = json_value(value, duck_type)
    if converted is None:
        return ""
    if isinstance(converted, dict | list):
        return json.dumps(converted, ensure_ascii=False)
    if isinstance(converted, str) and isinstance(value, str) and converted[:1] in "=+-@\t\r":
        return "'" + converted
    return str(converted)


def position(sql: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of a 0-based character offset in ``sql``."""
    before = sql[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


def error_from_exception(
    exc: BaseException, sql: str = "", statement: str = "", statement_offset: int = 0
) -> t.QueryError:
    """Describe a DuckDB exception for the learner, placed in the submitted SQL.

    ``statement`` is the text DuckDB ran and ``statement_offset`` where it
    starts in ``sql``: DuckDB's positions count UTF-8 bytes into the statement.
    Errors from outside DuckDB are internal: their text is not shown. (DuckDB
    errors raised while Arrow streams a result arrive as OSError, with
    DuckDB's JSON text, which is how they are recognised.)
    """
    text = str(exc)
    match = _PREFIX.match(text)
    body = text[match.end() :] if match else text
    details = _json_details(body)
    from_duckdb = type(exc).__module__.startswith(("duckdb", "_duckdb"))
    if not from_duckdb and not (details and "exception_type" in details):
        return t.QueryError("The playground failed to run this query.", t.INTERNAL)
    duck_type = match.group("type") if match else type(exc).__name__.removesuffix("Exception")
    message = details.get("exception_message", body) if details else body
    kind = _kind(duck_type, message, details)
    offset = _offset(details, message, statement, statement_offset)
    if details is None:
        message = _CARET_LINE.sub("", message).strip()
    message = _learner_message(kind, f"{duck_type} Error: {message.strip()}")
    where: dict[str, int] = {}
    if offset is not None and sql:
        where["line"], where["column"] = position(sql, offset)
    candidates = tuple(c for c in (details or {}).get("candidates", "").split(",") if c)
    return t.QueryError(message, kind, offset=offset, candidates=candidates, **where)


def _json_details(body: str) -> dict[str, Any] | None:
    """DuckDB's error details when errors_as_json produced them, else None."""
    if not body.startswith("{"):
        return None
    try:
        details = json.loads(body)
    except ValueError:
        return None
    return details if isinstance(details, dict) else None


def _kind(duck_type: str, message: str, details: dict | None) -> str:
    """Which kind of error this is, from DuckDB's error type and message."""
    if duck_type == "IO" and ((details or {}).get("errno") == "27" or "File too large" in message):
        return t.QUOTA
    if "Could not set lock" in message or "Conflicting lock" in message:
        return t.BUSY
    if "attached in read-only mode" in message or "configuration has been locked" in message:
        return t.REFUSED
    return _KINDS.get(duck_type, t.RUNTIME)


def _offset(
    details: dict | None, message: str, statement: str, statement_offset: int
) -> int | None:
    """A character offset into the submission, from DuckDB's byte position or its caret."""
    if details and str(details.get("position", "")).isdigit():
        raw = statement.encode()[: int(details["position"])]
        return statement_offset + len(raw.decode(errors="ignore"))
    caret = _CARET_LINE.search(message)
    if caret is None:
        return None
    lines = statement.split("\n")
    line = int(caret.group("line"))
    column = len(caret.group("pad")) - len(f"LINE {line}: ")
    if not 1 <= line <= len(lines) or column < 0:
        return None
    return statement_offset + sum(len(x) + 1 for x in lines[: line - 1]) + column


def _learner_message(kind: str, message: str) -> str:
    """Reword the errors a learner can act on (memory, quota, busy, refused)."""
    if kind == t.MEMORY:
        first = message.split("\n", 1)[0]
        return (
            "The query needed more memory than the playground allows. Filter or "
            f"aggregate earlier, or select fewer columns. ({first})"
        )
    if kind == t.QUOTA:
        return "Your scratch space is full: drop tables you no longer need in the user zone."
    if kind == t.BUSY:
        return "Your scratch space is in use by another of your queries; try again shortly."
    if kind == t.REFUSED:
        return f"Not allowed in the playground. {message}"
    return message
