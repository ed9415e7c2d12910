"""``flask academy grade`` and the exercise half of ``academy check``: output, exit codes."""

from __future__ import annotations

import json

import pytest

from app.config import PROJECT_ROOT
from app.grading import cli as grading_cli
from app.grading.sandbox.choose import LOCAL
from tests.factories import course_text, write_course
from tests.grading.support import SIMPLE_SOLUTION, SIMPLE_YAML, notebook_bytes

pytestmark = pytest.mark.slow


@pytest.fixture
def grading_app(make_app, lake_dir, tmp_path, write_exercise, monkeypatch):
    """An app whose lake is the shared one and whose exercises are in tmp_path/exercises."""
    write_exercise()
    # The sandboxed executor may be installed; these tests are about the CLI, not it.
    monkeypatch.setattr(grading_cli, "choose_executor", lambda local=False: LOCAL)
    return make_app(
        ACADEMY_LAKE_DIR=str(lake_dir), ACADEMY_EXERCISES_DIR=str(tmp_path / "exercises")
    )


def invoke(application, *args: str):
    with application.app_context():
        return application.test_cli_runner().invoke(args=["academy", *args])


def test_grade_prints_the_score_and_feedback(grading_app, tmp_path):
    upload = tmp_path / "attempt.ipynb"
    upload.write_bytes(notebook_bytes({"q1": SIMPLE_SOLUTION["q1"], "q2": "answer_q2 = 99"}))
    result = invoke(grading_app, "grade", "simple", str(upload), "--attempt", "3", "--failed", "q2")
    assert result.exit_code == 0, result.output
    assert "simple: 2/3 (pass mark 1.8): passed" in result.output
    assert "q1  2/2  right: correct" in result.output
    assert "q2  0/1  wrong: the number is not right" in result.output
    assert "hint: Use count(*)." in result.output
    assert "running the notebook with the local runner (NO sandbox" in result.output


def test_grade_json_has_the_documented_shape_and_exits_0_for_a_zero(grading_app, tmp_path):
    upload = tmp_path / "attempt.ipynb"
    upload.write_bytes(notebook_bytes({"q1": "answer_q1 = ''"}))
    result = invoke(grading_app, "grade", "simple", str(upload), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["score"], document["max_score"], document["passed"]) == (0, 3, False)
    assert [q["id"] for q in document["questions"]] == ["q1", "q2"]
    assert set(document["questions"][0]) >= {"id", "points", "max_points", "passed", "message"}
    assert document["status"] == "graded" and document["exercise"] == "simple"


def test_grade_fails_when_it_cannot_grade(grading_app, tmp_path):
    unknown = invoke(grading_app, "grade", "nope", str(tmp_path / "x.ipynb"))
    assert unknown.exit_code == 1
    assert "unknown exercise 'nope' (known: simple)" in unknown.output
    unreadable = invoke(grading_app, "grade", "simple", str(tmp_path / "missing.ipynb"))
    assert unreadable.exit_code == 1
    assert "cannot read" in unreadable.output and "No such file" in unreadable.output
    (tmp_path / "bad.ipynb").write_text("{}")
    bad = invoke(grading_app, "grade", "simple", str(tmp_path / "bad.ipynb"), "--json")
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["status"] == "error"
    assert "could not grade: the file is JSON but not a Jupyter notebook" in bad.output


def test_grade_needs_a_built_lake(make_app, tmp_path, write_exercise):
    write_exercise()
    (tmp_path / "a.ipynb").write_bytes(notebook_bytes(SIMPLE_SOLUTION))
    application = make_app(
        ACADEMY_LAKE_DIR=str(tmp_path / "nolake"), ACADEMY_EXERCISES_DIR=str(tmp_path / "exercises")
    )
    result = invoke(application, "grade", "simple", str(tmp_path / "a.ipynb"))
    assert result.exit_code == 1
    assert "no lake is built at" in result.output


TRAPS = """\
traps:
  - wrong: half
    question: q2
    says: forgets q2
  - wrong: blank
    question: q1
    says: answers nothing
"""


def test_check_grades_the_exercises_beside_the_courses_and_names_a_broken_one(
    make_app, lake_dir, tmp_path, write_exercise, monkeypatch
):
    monkeypatch.setattr(grading_cli, "choose_executor", lambda local=False: LOCAL)
    courses = tmp_path / "courses"
    courses.mkdir()
    write_course(courses, "sq101.md", course_text("SQ101", extra="exercises: [simple]\n"))
    half = {"q1": SIMPLE_SOLUTION["q1"]}  # 2 of 3: passes
    write_exercise(yaml_text=SIMPLE_YAML + TRAPS, wrong={"half": half, "blank": {}})
    application = make_app(ACADEMY_LAKE_DIR=str(lake_dir))
    result = invoke(application, "check")
    assert result.exit_code == 1
    assert "exercises/simple/solution.ipynb: 3/3 (graded)" in result.output
    assert (
        "exercises/simple/wrong/half.ipynb:1: error: exercise simple: wrong variant 'half' "
        "does not prove its trap on q2 (forgets q2): it scores 2, not below the pass mark (1.8)"
    ) in result.output
    assert "1 module(s) and 1 exercise(s) checked: 1 error(s)" in result.output
    write_exercise(yaml_text=SIMPLE_YAML + TRAPS, wrong={"half": {}, "blank": {}})
    assert invoke(application, "check").exit_code == 0


def test_check_builds_a_temporary_lake_when_none_is_built(
    make_app, tmp_path, write_exercise, monkeypatch
):
    monkeypatch.setattr(grading_cli, "choose_executor", lambda local=False: LOCAL)
    (tmp_path / "courses").mkdir()
    write_course(
        tmp_path / "courses", "sq101.md", course_text("SQ101", extra="exercises: [simple]\n")
    )
    write_exercise(yaml_text=SIMPLE_YAML + TRAPS, wrong={"half": {}, "blank": {}})
    result = invoke(make_app(ACADEMY_LAKE_DIR=str(tmp_path / "nolake")), "check")
    assert result.exit_code == 0, result.output
    assert "building a temporary one to check exercises" in result.output
    assert not (tmp_path / "nolake").exists()


def test_the_shipped_exercises_are_where_check_looks_by_default():
    assert (PROJECT_ROOT / "courses").parent / "exercises" == PROJECT_ROOT / "exercises"
