"""Reading the built lake for the dataset pages: sample rows, with personal data masked."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from app.lake.dictionary import MASK, Dataset
from app.lake.location import lake_database, lake_is_built


@dataclass(frozen=True)
class Sample:
    """The first rows of a dataset, or why they could not be read."""

    columns: list[str]
    rows: list[list[str]]
    error: str | None = None


def sample_rows(dataset: Dataset, limit: int = 10) -> Sample:
    """Up to ``limit`` rows as text; restricted columns are masked whoever is looking."""
    if not lake_is_built():
        return Sample(
            [], [], "The lake has not been built yet: run `flask --app app academy lake build`."
        )
    restricted = set(dataset.restricted_columns)
    try:
        with duckdb.connect(str(lake_database()), read_only=True) as connection:
            cursor = connection.execute(
                f'SELECT * FROM "{dataset.zone}"."{dataset.name}" LIMIT {int(limit)}'
            )
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
    except duckdb.Error as exc:
        return Sample([], [], f"Could not read the dataset: {exc}")
    return Sample(
        columns,
        [
            [
                MASK if name in restricted and value is not None else _text(value)
                for name, value in zip(columns, row, strict=True)
            ]
            for row in rows
        ],
    )


def _text(value) -> str:
    if value is None:
        return "NULL"
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"
