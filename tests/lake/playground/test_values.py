"""JSON-safe values, CSV cells and error placement (pure)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import duckdb
import pytest

from app.lake.playground.types import (
    Column,
    PlaygroundSettings,
    QueryError,
    QueryResult,
    validate_learner_key,
)
from app.lake.playground.values import (
    clip,
    column_values,
    csv_cell,
    error_from_exception,
    json_value,
    position,
)


@pytest.mark.parametrize(
    ("value", "duck_type", "expected"),
    [
        (None, "", None),
        (True, "", True),
        (12, "", 12),
        (1.5, "", 1.5),
        (float("nan"), "", "NaN"),
        (float("inf"), "", "Infinity"),
        (float("-inf"), "", "-Infinity"),
        (Decimal("1.50"), "", "1.50"),
        (Decimal("170141183460469231731687303715884105727"), "HUGEINT", 2**127 - 1),
        (dt.date(2024, 1, 2), "", "2024-01-02"),
        (dt.datetime(2024, 1, 2, 3, 4, 5), "", "2024-01-02T03:04:05"),
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "", "2024-01-02T03:04:05+00:00"),
        (dt.time(10, 11, 12), "", "10:11:12"),
        (b"\xaa\x01", "BLOB", "aa01"),
        (b"\x05\xfd", "BIT", "101"),
        ({"a": Decimal("1"), "b": [float("nan")]}, "", {"a": "1", "b": ["NaN"]}),
        ([("k", 1), ("j", 2)], "", {"k": 1, "j": 2}),
        ("é😀", "", "é😀"),
    ],
)
def test_values_become_json_safe(value, duck_type, expected):
    converted = json_value(value, duck_type)
    assert converted == expected
    json.dumps(converted, allow_nan=False)


def test_every_duckdb_type_converts_to_json_through_arrow():
    with duckdb.connect() as con:
        relation = con.sql("SELECT * FROM test_all_types()")
        kinds = [str(t) for t in relation.types]
        batch = relation.to_arrow_reader().read_all()
    columns = [column_values(batch.column(i)) for i in range(batch.num_columns)]
    table = zip(*columns, strict=True)
    rows = [[json_value(v, k) for v, k in zip(r, kinds, strict=True)] for r in table]
    assert len(rows) == 3
    json.dumps(rows, allow_nan=False)


def test_dates_python_cannot_hold_come_back_as_text():
    with duckdb.connect() as con:
        sql = "SELECT 'infinity'::DATE, '-infinity'::TIMESTAMP, DATE '5877642-06-25 (BC)'"
        batch = con.sql(sql).to_arrow_reader().read_all()
    values = [column_values(batch.column(i))[0] for i in range(batch.num_columns)]
    assert values == ["infinity", "-infinity", "<out of range>"]


def test_intervals_read_like_duckdb_prints_them():
    with duckdb.connect() as con:
        relation = con.sql("SELECT INTERVAL '1 year 2 months 3 days 04:05:06.5', INTERVAL 0 DAY")
        row = relation.to_arrow_reader().read_all().to_pylist()[0]
    assert [json_value(v) for v in row.values()] == [
        "1 year 2 months 3 days 04:05:06.500000",
        "00:00:00",
    ]


def test_long_values_are_clipped_and_say_so():
    assert clip("x" * 20, 5) == ("xxxxx…", True)
    assert clip(["a" * 20], 10)[1] is True
    assert clip("short", 5) == ("short", False)


def test_csv_cells_neutralise_spreadsheet_formulas_but_not_numbers():
    assert csv_cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell(-5) == "-5"
    assert csv_cell(None) == ""
    assert csv_cell({"a": 1}) == '{"a": 1}'


def test_position_is_one_based_line_and_column():
    sql = "SELECT 1,\n  2 FROM t\n WHERE x = = 3"
    offset = sql.rindex("=")
    assert position(sql, offset) == (3, 12)


def _duck_error(sql: str) -> duckdb.Error:
    """The DuckDB error (with JSON details) that ``sql`` raises."""
    with duckdb.connect(config={"errors_as_json": True}) as con:
        con.execute("CREATE TABLE advert (id INT, title VARCHAR)")
        with pytest.raises(duckdb.Error) as caught:
            con.execute(sql)
    return caught.value


def test_a_parser_error_is_placed_by_character_even_after_multibyte_text():
    sql = "SELECT '😀é',\n  1 +"
    error = error_from_exception(_duck_error(sql), sql, sql, 0)
    assert (error.kind, error.line) == ("syntax", 2)
    assert sql[error.offset] == "+"
    assert (error.line, error.column) == (2, 5)


def test_a_catalog_error_lists_duckdbs_candidates_and_where():
    sql = "SELECT * FROM adverts"
    error = error_from_exception(_duck_error(sql), "-- hi\n" + sql, sql, 6)
    assert error.kind == "catalog"
    assert error.candidates == ("advert",)
    assert (error.line, error.column) == (2, 15)


def test_an_error_without_json_falls_back_to_the_caret_line():
    with duckdb.connect() as con, pytest.raises(duckdb.Error) as caught:
        con.execute("SELECT 1,\n 2 +")
    sql = "SELECT 1,\n 2 +"
    error = error_from_exception(caught.value, sql, sql, 0)
    assert sql[error.offset] == "+"
    assert (error.line, error.column) == (2, 4)
    assert "LINE" not in error.message


def test_errors_from_outside_duckdb_are_internal_and_say_nothing_more():
    error = error_from_exception(KeyError("secret detail"))
    assert error.kind == "internal"
    assert "secret" not in error.message


def test_a_result_survives_the_trip_through_json():
    result = QueryResult(
        columns=(Column("a", "INTEGER"),),
        rows=[[1]],
        total_rows=1,
        messages=("Created table user.x (1 row)",),
        error=QueryError("boom", "runtime", 1, 2, 1, ("x",)),
    )
    assert QueryResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    assert result.message == "Created table user.x (1 row)"


@pytest.mark.parametrize("key", ["", "../u1", "u 1", "u1;", "a" * 65, "-u1", None, True])
def test_learner_keys_must_be_safe_tokens(key):
    with pytest.raises(ValueError):
        validate_learner_key(key)


def test_learner_keys_may_be_ids():
    assert validate_learner_key(42) == "42"
    assert validate_learner_key("u42_a-b") == "u42_a-b"


def test_settings_refuse_nested_directories_and_odd_memory_limits(tmp_path):
    with pytest.raises(ValueError):
        PlaygroundSettings(lake_dir=tmp_path, scratch_dir=tmp_path / "scratch")
    with pytest.raises(ValueError):
        PlaygroundSettings(lake_dir=tmp_path / "lake" / "x", scratch_dir=tmp_path / "lake")
    with pytest.raises(ValueError):
        PlaygroundSettings(tmp_path / "a", tmp_path / "b", memory_limit="1GB'; SET x=1; --")
