"""Runs INSIDE the learner's kernel, last: save every ``answer_<id>`` for the grader.

This file is sent to the kernel as text (the app is not importable there), so
it imports only the standard library, and pandas, numpy and pyarrow when the
kernel already has them. It is run by ``exec`` with a namespace of its own, so
a learner who rebinds ``list`` or ``json`` in the notebook cannot break it.

Only data leaves the kernel, never objects: plain values as strict JSON,
tables as Parquet. Anything else is reported by its type name, so an object
whose ``__eq__`` always says True is refused rather than compared.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
import os
import sys

# Starts with a letter: the sandboxed executor copies out only files named like that.
DONE_FILE = "export-done.json"
MAX_DEPTH = 20
PRIMITIVES = (str, int, float, bool, type(None))


class Unsupported(Exception):
    """The answer is an object of a type the grader does not accept."""


class Invalid(Exception):
    """The answer is of an accepted type but cannot be sent (NaN, too big, ...)."""


def _scalar(value):
    """Dates, decimals and numpy scalars as plain values; None if ``value`` is none of those."""
    kind = type(value)
    if kind in (datetime.date, datetime.datetime):
        return value.isoformat()
    if kind is decimal.Decimal:
        return float(value)
    pandas = sys.modules.get("pandas")
    if pandas is not None and kind is pandas.Timestamp:
        return value.isoformat()
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        item = value.item()
        if type(item) in PRIMITIVES:
            return item
    return None


def plain(value, depth: int = 0):
    """``value`` as JSON-ready data, checking exact types: a subclass could redefine ==."""
    kind = type(value)
    if kind in PRIMITIVES:
        if kind is float and not math.isfinite(value):
            raise Invalid("it contains NaN or infinity")
        return value
    if depth > MAX_DEPTH:
        raise Invalid("it is nested too deeply")
    converted = _scalar(value)
    if converted is not None:
        return plain(converted, depth + 1)
    numpy = sys.modules.get("numpy")
    if numpy is not None and kind is numpy.ndarray:
        return plain(value.tolist(), depth + 1)
    if kind in (list, tuple, set, frozenset):
        return [plain(item, depth + 1) for item in value]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise Invalid("the keys of a dict must be text")
        return {key: plain(item, depth + 1) for key, item in value.items()}
    raise Unsupported(kind.__name__)


def as_frame(value):
    """A pandas DataFrame or Series as a plain DataFrame with text column names, or None."""
    pandas = sys.modules.get("pandas")
    if pandas is None or not isinstance(value, pandas.DataFrame | pandas.Series):
        return None
    default_index = isinstance(value.index, pandas.RangeIndex) and value.index.start == 0
    if isinstance(value, pandas.Series):
        # After groupby the index holds the groups: keep them as columns.
        frame = value.to_frame() if default_index else value.reset_index()
    else:
        frame = pandas.DataFrame(value) if default_index else pandas.DataFrame(value).reset_index()
    frame.columns = [str(name) for name in frame.columns]
    return frame


def _write(path: str, data: bytes) -> None:
    """Write bytes to a file, replacing what a learner may have put there."""
    with open(path, "wb") as handle:
        handle.write(data)


def _write_json(folder: str, qid: str, doc: dict, max_bytes: int) -> None:
    """Write one answer's JSON, or an 'invalid' marker when it is too big."""
    text = json.dumps(doc, allow_nan=False, ensure_ascii=False)
    if len(text.encode("utf-8")) > max_bytes:
        text = json.dumps({"kind": "invalid", "reason": "it is too big to check"})
    _write(os.path.join(folder, qid + ".json"), text.encode("utf-8"))


def _write_table(folder: str, qid: str, frame, max_bytes: int) -> None:
    """Write a DataFrame as Parquet; Invalid if it cannot be saved or is too big."""
    import pyarrow
    import pyarrow.parquet

    if len(set(frame.columns)) != len(frame.columns):
        raise Invalid("the table has two columns with the same name")
    try:
        table = pyarrow.Table.from_pandas(frame, preserve_index=False)
    except (pyarrow.ArrowException, TypeError, ValueError) as error:
        raise Invalid("the table could not be saved: " + str(error)[:200]) from None
    path = os.path.join(folder, qid + ".parquet")
    pyarrow.parquet.write_table(table, path)
    if os.path.getsize(path) > max_bytes:
        os.remove(path)
        raise Invalid("the table is too big to check")


def export_one(namespace: dict, qid: str, folder: str, max_json: int, max_table: int) -> None:
    """Write one question's answer: a value, a table, or why there is none."""
    name = "answer_" + qid
    if name not in namespace:
        _write_json(folder, qid, {"kind": "missing"}, max_json)
        return
    value = namespace[name]
    try:
        frame = as_frame(value)
        if frame is not None:
            _write_table(folder, qid, frame, max_table)
            return
        _write_json(folder, qid, {"kind": "value", "value": plain(value)}, max_json)
    except Unsupported as unsupported:
        _write_json(folder, qid, {"kind": "unsupported", "type": str(unsupported)}, max_json)
    except Invalid as invalid:
        _write_json(folder, qid, {"kind": "invalid", "reason": str(invalid)}, max_json)
    except Exception as error:  # the learner's object misbehaved while being read
        reason = "it could not be read (" + type(error).__name__ + ")"
        _write_json(folder, qid, {"kind": "invalid", "reason": reason}, max_json)


def export(namespace: dict, question_ids, folder: str, max_json: int, max_table: int) -> None:
    """Export every question's answer, then the marker saying the export finished."""
    os.makedirs(folder, exist_ok=True)
    for qid in question_ids:
        export_one(namespace, qid, folder, max_json, max_table)
    _write(os.path.join(folder, DONE_FILE), json.dumps({"questions": list(question_ids)}).encode())
