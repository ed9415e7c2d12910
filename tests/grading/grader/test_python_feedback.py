"""Feedback the grader adds to python checks: numbers given as text, the starter's None."""

from __future__ import annotations

from app.grading.exercises.load import load_exercise
from app.grading.grader.exported import Answer
from app.grading.grader.questions import grade_question
from tests.grading.support import SIMPLE_SOLUTION, SIMPLE_STARTER, SIMPLE_YAML

YAML = (
    SIMPLE_YAML
    + """\
  - id: q3
    points: 1
    kind: python
    prompt: Two numbers.
    check: check_pair
"""
)
CHECKS = """\
def check_pair(answer, lake):
    return answer == {"a": 1, "b": 2} or answer == 7
"""


def test_python_checks_say_numbers_given_as_text_and_starter_none_is_no_answer(write_exercise):
    exercise, problems = load_exercise(
        write_exercise(
            yaml_text=YAML,
            checks=CHECKS,
            starter={**SIMPLE_STARTER, "q3": "answer_q3 = None"},
            solution={**SIMPLE_SOLUTION, "q3": "answer_q3 = 7"},
        )
    )
    assert exercise is not None, problems
    q3 = exercise.question("q3")

    def message(value):
        return grade_question(exercise, q3, Answer("value", value), None).message

    assert message("7") == (
        "not right yet; you gave the number as text: give it as a number (no quotes)"
    )
    assert message({"a": "1", "b": 2}) == (
        "not right yet; you gave the number as text for `a`: give numbers without quotes"
    )
    assert message({"a": 1, "b": None}) == "not right yet; no answer yet for `b`"
    assert message({"a": None, "b": None}) == "no answer: answer_q3 is empty"
    assert message(None) == "no answer: answer_q3 is empty"
    assert message(7) == "correct"
