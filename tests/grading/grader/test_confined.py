"""The checking step's child process: what it may touch, and its memory and time bounds.

The checks here are authors' check functions (checks.py), which run in the
same confined child as the re-run of learners' SQL, so they can try what a
learner's SQL could only try if both the statement filter and the locked
connection let it through: a fresh, unlocked DuckDB writing into the lake.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from app.grading.exercises.load import load_exercise
from app.grading.grader.confined import CHECK_MEMORY_MB, check_answers
from app.grading.grader.exported import DONE_FILE
from tests.grading.support import SIMPLE_SOLUTION, SIMPLE_YAML, grade_answers

PROBE_YAML = SIMPLE_YAML + "  - {id: q3, points: 1, kind: python, prompt: Probe, check: probe}\n"
PROBE = """\
import os, duckdb

def attempt(action):
    try:
        action()
        return "done"
    except Exception as exc:
        return type(exc).__name__

def probe(answer, lake):
    lake_dir = os.path.dirname(lake.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = 'lake'").fetchone()[0])
    def copy_into_the_lake():
        con = duckdb.connect()  # not the locked one: the filter and the lock both bypassed
        con.execute(f"COPY (SELECT 1 AS x) TO '{lake_dir}/trusted/x.csv'")
    def attach_for_writing():
        duckdb.connect().execute(f"ATTACH '{lake_dir}/trusted/new.duckdb' AS w")
    results = [
        attempt(copy_into_the_lake),
        attempt(attach_for_writing),
        attempt(lambda: open(os.path.join(lake_dir, "planted.txt"), "w")),
        attempt(lambda: open(SECRET).read()),
        attempt(lambda: os.environ["ACADEMY_SECRET"]),
        attempt(lambda: lake.execute("SELECT count(*) FROM trusted.product").fetchall()),
    ]
    return True, " ".join(results)
"""
SLOW = "def probe(answer, lake):\n    while True:\n        pass\n"


def exercise_with(write_exercise, checks: str):
    solution = {**SIMPLE_SOLUTION, "q3": "answer_q3 = 1"}
    starter = {"q1": "", "q2": "", "q3": ""}
    folder = write_exercise(yaml_text=PROBE_YAML, solution=solution, starter=starter, checks=checks)
    exercise, problems = load_exercise(folder)
    assert exercise is not None, problems
    return exercise


def test_the_checker_writes_nothing_and_reads_only_what_it_checks(
    write_exercise, lake_dir, monkeypatch
):
    secret = Path(tempfile.mkdtemp()) / "secret_key"
    secret.write_text("s3cret")
    monkeypatch.setenv("ACADEMY_SECRET", "from-the-environment")
    exercise = exercise_with(write_exercise, PROBE.replace("SECRET", repr(str(secret))))
    before = sorted(p.name for p in Path(lake_dir).resolve().rglob("*"))
    result = grade_answers(exercise, lake_dir, {**SIMPLE_SOLUTION, "q3": "answer_q3 = 1"})
    q3 = {q.id: q for q in result.questions}["q3"]
    copy, attach, planted, read, env, query = q3.message.split()
    assert copy in ("IOException", "PermissionException")
    assert attach in ("IOException", "PermissionException")
    assert (planted, read, env) == ("PermissionError", "PermissionError", "KeyError")
    assert query == "done"  # and the lake itself is there to check against
    assert sorted(p.name for p in Path(lake_dir).resolve().rglob("*")) == before


def test_a_check_that_never_ends_is_stopped_at_the_deadline(write_exercise, lake_dir, tmp_path):
    exercise = exercise_with(write_exercise, SLOW)
    answers = tmp_path / "answers"  # as the export leaves them: q3 answered
    answers.mkdir()
    (answers / DONE_FILE).write_text("{}")
    (answers / "q3.json").write_text(json.dumps({"kind": "value", "value": 1}))
    checked = check_answers(exercise, answers, Path(lake_dir).resolve(), {}, seconds=2)
    assert checked.refused == "checking the answers took longer than 2 s"


def test_an_answer_too_big_for_the_checkers_memory_is_refused(simple_exercise, lake_dir):
    # 800 MB of one value inside DuckDB's own vector, before any row is fetched.
    sql = "SELECT repeat('x', 2000000) AS x FROM range(400)"
    result = grade_answers(
        simple_exercise, lake_dir, {**SIMPLE_SOLUTION, "q1": f"answer_q1 = {sql!r}"}
    )
    if result.status == "error":
        assert f"more memory than the {CHECK_MEMORY_MB} MB" in result.reason
    else:
        message = {q.id: q.message for q in result.questions}["q1"]
        assert "over 64 MB" in message  # no cgroup here: the fetch bounds refused it
