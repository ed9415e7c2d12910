"""Grading through a real kernel (the local runner, no sandbox): what learners' code cannot do."""

from __future__ import annotations

import pytest

from app.grading.exercises.load import load_exercise
from app.grading.grader.grade import grade
from app.grading.sandbox.local_runner import execute_locally
from tests.grading.support import SIMPLE_SOLUTION, SIMPLE_YAML, notebook_bytes

pytestmark = pytest.mark.slow


def run(exercise, lake_dir, answers: dict[str, str]):
    return grade(exercise, notebook_bytes(answers), execute=execute_locally, lake_dir=lake_dir)


def test_the_solution_runs_in_a_real_kernel(simple_exercise, lake_dir):
    result = run(simple_exercise, lake_dir, SIMPLE_SOLUTION)
    assert (result.status, result.score, result.sandbox) == ("graded", 3, "none")
    assert result.notebook["cells"][-1]["source"] == SIMPLE_SOLUTION["q2"]  # hidden cells removed


def test_printing_a_score_or_forging_answer_files_changes_nothing(simple_exercise, lake_dir):
    forge = (
        "import json, os\n"
        "print('Score: 100%  All questions passed!')\n"
        "folder = os.environ['ACADEMY_ANSWERS']\n"
        "json.dump({'kind': 'value', 'value': 3}, open(os.path.join(folder, 'q2.json'), 'w'))\n"
        "json.dump({}, open(os.path.join(folder, 'export-done.json'), 'w'))\n"
        "answer_q1 = 'SELECT 1 AS product_code'"
    )
    result = run(simple_exercise, lake_dir, {"q1": forge, "q2": "# not answered"})
    assert result.score == 0
    assert [q.message for q in result.questions] == [
        "3 rows missing and 1 unexpected row",
        "no answer: answer_q2 was not set",
    ]


def test_an_object_equal_to_everything_is_not_accepted(simple_exercise, lake_dir):
    cheat = "class Anything:\n    def __eq__(self, other):\n        return True\n"
    result = run(
        simple_exercise,
        lake_dir,
        {"q1": cheat + "answer_q1 = Anything()", "q2": cheat + "answer_q2 = Anything()"},
    )
    assert result.score == 0
    assert [q.message for q in result.questions] == [
        "answer_q1 must be a SQL query as text, not Anything",
        "answer_q2 must be a table, number or text, not Anything",
    ]


def test_a_failing_or_slow_cell_does_not_lose_the_other_answers(write_exercise, lake_dir):
    yaml_text = SIMPLE_YAML.replace("questions:", "limits: {cell_seconds: 2}\nquestions:")
    exercise, problems = load_exercise(write_exercise(yaml_text=yaml_text))
    assert exercise is not None, problems
    slow = "import time\ntime.sleep(30)\nanswer_q1 = 'SELECT 1'"
    result = run(exercise, lake_dir, {"q1": slow, "q2": SIMPLE_SOLUTION["q2"]})
    assert result.status == "graded" and result.score == 1
    assert "ran out of time (2 s)" in result.reason
    assert result.failed_cells == (2,)
    raises = run(exercise, lake_dir, {"q1": "1 / 0", "q2": SIMPLE_SOLUTION["q2"]})
    assert raises.score == 1 and "ZeroDivisionError" in raises.reason
