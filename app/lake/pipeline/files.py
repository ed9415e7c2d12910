"""Where each zone's files live inside a lake, and writing deliveries byte for byte.

JSON lines and CSV are written by hand rather than by a library so the bytes
depend only on the rows: fixed key order, ``\\n`` line ends, UTF-8.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from app.lake.dictionary import Dataset

DATABASE = "lake.duckdb"
MANIFEST = "manifest.json"
DATA_ZONES = ("transient", "raw", "refined", "trusted")


def drop_name(raw_name: str, day: date, file_format: str) -> str:
    """The file name a source gives one day's delivery, e.g. responses_2024-05-14.json."""
    return f"{raw_name}_{day.isoformat()}.{file_format}"


def partition(lake: Path, raw_name: str, day: date) -> Path:
    """The raw folder for one load date: raw/<name>/load_date=YYYY-MM-DD."""
    return lake / "raw" / raw_name / f"load_date={day.isoformat()}"


def parquet_path(lake: Path, ds: Dataset) -> Path:
    """refined/<name>/<name>.parquet or trusted/<name>/<name>.parquet."""
    return lake / ds.zone / ds.name / f"{ds.name}.parquet"


def source_glob(lake: Path, ds: Dataset) -> str:
    """The pattern a view reads: every file of the dataset, by absolute path."""
    folder = lake.resolve() / ds.zone / ds.name
    if ds.zone == "raw":
        return str(folder / "*" / f"*.{ds.file_format}")
    if ds.zone == "transient":
        return str(folder / f"*.{ds.file_format}")
    return str(folder / f"{ds.name}.parquet")


def write_rows(path: Path, columns: tuple[str, ...], rows: Iterable[list], file_format: str):
    """Write rows as JSON lines or as CSV with a header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        if file_format == "json":
            for row in rows:
                out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False))
                out.write("\n")
        else:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)


def sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_files(lake: Path) -> dict[str, str]:
    """Every data file in the lake by path relative to it (POSIX style), with its SHA-256."""
    found = {}
    for zone in DATA_ZONES:
        for path in sorted((lake / zone).rglob("*")):
            if path.is_file():
                found[path.relative_to(lake).as_posix()] = sha256(path)
    return found
