"""Oversized answers are refused before the grader has read them in full.

Each case is an answer measured against the old grader: it read all of it and
took gigabytes (a 1e6 x 60 Parquet table 7.5 GB, a 200k x 120 SQL result
2.9 GB, 400 values of 2 MB each 1.8 GB).
"""

from __future__ import annotations

import io

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.grading.grader import bounds
from app.grading.grader.exported import _decode_parquet
from app.grading.grader.lakedb import QueryFailed, run_query


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def test_a_wide_sql_result_is_refused_by_its_cells(con):
    columns = ", ".join(f"range AS c{i}" for i in range(120))
    with pytest.raises(QueryFailed, match="columns, over the 2,000,000 cells"):
        run_query(con, f"SELECT {columns} FROM range(200000)")


def test_a_sql_result_of_huge_values_is_refused_by_its_bytes(con):
    with pytest.raises(QueryFailed, match="add up to over 64 MB"):
        run_query(con, "SELECT repeat('x', 2000000) AS big FROM range(400)")


def test_results_inside_the_bounds_are_read_whole(con):
    result = run_query(con, "SELECT range AS n, 'ok' AS t FROM range(5000)")
    assert len(result.rows) == 5000 and result.columns == ("n", "t")


def test_a_small_parquet_file_of_a_million_rows_by_sixty_columns_is_refused_unread():
    zeros = pa.array(np.zeros(1_000_000, dtype=np.int8))
    data = parquet_bytes(pa.table({f"c{i}": zeros for i in range(60)}))
    assert len(data) < 5 * 2**20  # small enough to be uploaded and exported
    answer = _decode_parquet(data)
    assert answer.kind == "invalid"
    assert "1,000,000 rows of 60 columns" in answer.reason


def test_a_parquet_table_of_huge_strings_is_refused_by_its_size():
    data = parquet_bytes(pa.table({"big": ["x" * 2**20] * 100}))
    assert len(data) < 5 * 2**20
    answer = _decode_parquet(data)
    assert answer.kind == "invalid" and "over 64 MB" in answer.reason


def test_a_parquet_table_inside_the_bounds_is_read():
    answer = _decode_parquet(parquet_bytes(pa.table({"n": list(range(1000))})))
    assert answer.kind == "table" and answer.table.num_rows == 1000


def test_a_row_weighs_its_text_and_binary_values():
    assert bounds.row_bytes(("abc", b"de", 7, None)) == 3 + 2 + 8 + 8
