"""The code run inside the kernel: set-up opens a locked lake, export sends data, never objects."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from app.grading.grader.exported import DONE_FILE, read_answer
from app.grading.sandbox.cells import export_source, setup_source
from app.lake import lockdown
from tests.grading.support import answers_json


class AlwaysEqual:
    """The classic cheat: an object equal to anything."""

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class SneakyInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


def export(simple_exercise, tmp_path: Path, namespace: dict) -> Path:
    """Run the export code the kernel would run, with ``namespace`` as the learner's globals."""
    folder = tmp_path / "answers"
    os.environ["ACADEMY_ANSWERS"] = str(folder)
    try:
        exec(export_source(simple_exercise), namespace)
    finally:
        del os.environ["ACADEMY_ANSWERS"]
    return folder


def test_plain_values_become_strict_json(simple_exercise, tmp_path):
    folder = export(simple_exercise, tmp_path, {"answer_q1": "SELECT 1", "answer_q2": np.int64(3)})
    assert answers_json(folder)["q1"] == {"kind": "value", "value": "SELECT 1"}
    assert answers_json(folder)["q2"] == {"kind": "value", "value": 3}
    assert (folder / DONE_FILE).is_file()


def test_objects_with_a_custom_eq_are_refused_by_type_name(simple_exercise, tmp_path):
    folder = export(
        simple_exercise, tmp_path, {"answer_q1": AlwaysEqual(), "answer_q2": SneakyInt(3)}
    )
    assert answers_json(folder)["q1"] == {"kind": "unsupported", "type": "AlwaysEqual"}
    assert answers_json(folder)["q2"] == {"kind": "unsupported", "type": "SneakyInt"}
    nested = export(simple_exercise, tmp_path, {"answer_q1": [1, AlwaysEqual()]})
    assert answers_json(nested)["q1"] == {"kind": "unsupported", "type": "AlwaysEqual"}


def test_nan_unset_and_odd_keys(simple_exercise, tmp_path):
    folder = export(simple_exercise, tmp_path, {"answer_q1": [1.0, float("nan")]})
    assert answers_json(folder)["q1"] == {
        "kind": "invalid",
        "reason": "it contains NaN or infinity",
    }
    assert answers_json(folder)["q2"] == {"kind": "missing"}
    folder = export(simple_exercise, tmp_path, {"answer_q1": {1: "a"}})
    assert answers_json(folder)["q1"]["kind"] == "invalid"


def test_tables_become_parquet_with_groups_kept_as_columns(simple_exercise, tmp_path):
    frame = pd.DataFrame({"channel": ["email", "phone", "email"], "n": [1, 2, 3]})
    folder = export(
        simple_exercise,
        tmp_path,
        {
            "answer_q1": frame,
            "answer_q2": frame.groupby("channel")["n"].sum(),
        },
    )
    first = read_answer(folder, "q1")
    assert first.kind == "table" and first.table.column_names == ["channel", "n"]
    grouped = read_answer(folder, "q2")
    assert grouped.table.to_pydict() == {"channel": ["email", "phone"], "n": [4, 2]}


def test_rebinding_builtins_in_the_notebook_does_not_break_the_export(simple_exercise, tmp_path):
    namespace = {"answer_q1": "SELECT 1", "list": None, "json": None, "type": len, "exec": None}
    folder = export(simple_exercise, tmp_path, namespace)
    assert answers_json(folder)["q1"]["value"] == "SELECT 1"


def test_setup_opens_a_locked_lake_with_the_zones_and_a_user_catalog(lake_dir, tmp_path):
    lake = lockdown.connect_in_kernel(str(lake_dir), str(tmp_path), "256MB")
    assert lake.execute("SELECT count(*) FROM raw.responses").fetchall()[0][0] > 0
    lake.execute("CREATE TABLE mine AS SELECT 1 AS x")
    assert lake.execute("SELECT x FROM user.mine").fetchall() == [(1,)]
    with pytest.raises(duckdb.Error):
        lake.execute("CREATE TABLE lake.trusted.hack AS SELECT 1")
    with pytest.raises(duckdb.Error, match="locked"):
        lake.execute("SET enable_external_access = true")
    with pytest.raises(duckdb.Error):
        lake.execute("SELECT * FROM read_text('/etc/passwd')").fetchall()
    lake.close()


def test_setup_says_so_when_the_lake_files_are_not_where_the_views_say(tmp_path):
    built = tmp_path / "built"
    (built / "trusted" / "x").mkdir(parents=True)
    with duckdb.connect(str(built / "lake.duckdb")) as con:
        parquet = built / "trusted" / "x" / "x.parquet"
        con.execute(f"COPY (SELECT 1 AS a) TO '{parquet}' (FORMAT parquet)")
        for zone in lockdown.ZONES:
            con.execute(f"CREATE SCHEMA {zone}")
        con.execute(f"CREATE VIEW trusted.x AS SELECT * FROM read_parquet('{parquet}')")
    assert lockdown.connect_in_kernel(str(built), str(tmp_path), "256MB").execute(
        "SELECT a FROM trusted.x"
    ).fetchall() == [(1,)]
    built.rename(tmp_path / "moved")  # as if mounted elsewhere without its host path
    with pytest.raises(RuntimeError, match="the lake's files cannot be read at"):
        lockdown.connect_in_kernel(str(tmp_path / "moved"), str(tmp_path), "256MB")


def test_setup_source_is_standalone_code(simple_exercise):
    source = setup_source(simple_exercise)
    assert "from app" not in source and "import app" not in source
    assert "'256MB'" in source  # half of the exercise's 512 MB for DuckDB
    compile(source, "<setup>", "exec")
    compile(export_source(simple_exercise), "<export>", "exec")
