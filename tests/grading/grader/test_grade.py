"""The grading pipeline with an in-process executor: scores, feedback, hints, and errors."""

from __future__ import annotations

import pytest

from app.grading.exercises.load import load_exercise
from app.grading.grader.grade import grade
from tests.grading.support import (
    SIMPLE_SOLUTION,
    SIMPLE_YAML,
    grade_answers,
    notebook_bytes,
    run_in_process,
)


def messages(result) -> dict[str, str]:
    return {q.id: q.message for q in result.questions}


def test_the_solution_gets_full_marks(simple_exercise, lake_dir):
    result = grade_answers(simple_exercise, lake_dir, SIMPLE_SOLUTION)
    assert (result.status, result.score, result.max_score, result.passed) == ("graded", 3, 3, True)
    assert messages(result) == {"q1": "correct", "q2": "correct"}


def test_empty_and_missing_answers_say_so(simple_exercise, lake_dir):
    result = grade_answers(simple_exercise, lake_dir, {"q1": "answer_q1 = '  '", "q2": "# later"})
    assert result.score == 0 and not result.passed
    assert messages(result) == {
        "q1": "no answer: answer_q1 is empty",
        "q2": "no answer: answer_q2 was not set",
    }


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DROP TABLE trusted.product", "the query was refused: the answer must be a SELECT query"),
        ("SELECT 1; SELECT 2", "the query was refused: the answer must be one SELECT query"),
        ("SELECT * FROM read_csv('/etc/passwd')", "the query was refused: read_csv()"),
        ("SELECT nope FROM trusted.product", "the query failed: Binder Error"),
        ("SELECT product_code, product_name FROM trusted.product", "expected 1 column, got 2"),
        (
            "SELECT product_code AS code FROM trusted.product",
            "column names differ: expected product_code got code",
        ),
        ("SELECT product_code FROM trusted.product LIMIT 1", "2 rows missing"),
    ],
)
def test_sql_answers_are_rerun_by_the_grader(simple_exercise, lake_dir, sql, message):
    result = grade_answers(simple_exercise, lake_dir, {"q1": f"answer_q1 = {sql!r}"})
    assert messages(result)["q1"].startswith(message)
    assert "standard" not in messages(result)["q1"]  # a product code: an expected value


def test_a_sql_answer_must_be_text(simple_exercise, lake_dir):
    result = grade_answers(simple_exercise, lake_dir, {"q1": "answer_q1 = 3"})
    assert messages(result)["q1"] == "answer_q1 must be a SQL query as text, not a number"


def test_value_answers_accept_a_one_cell_table_and_refuse_objects(simple_exercise, lake_dir):
    table = "answer_q2 = lake.sql('SELECT count(*) AS n FROM trusted.product').df()"
    assert messages(grade_answers(simple_exercise, lake_dir, {"q2": table}))["q2"] == "correct"
    cheat = "class Yes:\n    def __eq__(self, other):\n        return True\nanswer_q2 = Yes()"
    result = grade_answers(simple_exercise, lake_dir, {"q2": cheat})
    assert messages(result)["q2"] == "answer_q2 must be a table, number or text, not Yes"
    assert messages(grade_answers(simple_exercise, lake_dir, {"q2": "answer_q2 = 99"}))["q2"] == (
        "the number is not right"
    )


def test_hints_come_in_tiers_after_the_questions_own_failures(simple_exercise, lake_dir):
    wrong = {"q1": SIMPLE_SOLUTION["q1"], "q2": "answer_q2 = 99"}
    tiers = []
    for failed_before in (0, 1, 4):
        failures = {"q2": failed_before, "q1": 7}
        q2 = grade_answers(simple_exercise, lake_dir, wrong, 6, failures).questions[1]
        tiers.append((q2.hint_tier, q2.hint))
    assert tiers == [
        (1, "Count the rows of trusted.product."),
        (2, "Use count(*)."),
        (2, "Use count(*)."),
    ]
    right = grade_answers(simple_exercise, lake_dir, SIMPLE_SOLUTION, 3, {"q2": 2}).questions[1]
    assert (right.hint_tier, right.hint) == (0, None)


def test_a_question_failing_first_on_a_later_attempt_shows_its_first_hint(
    simple_exercise, lake_dir
):
    wrong = {"q1": SIMPLE_SOLUTION["q1"], "q2": "answer_q2 = 99"}
    q2 = grade_answers(simple_exercise, lake_dir, wrong, attempt=2).questions[1]
    assert (q2.hint_tier, q2.hint) == (1, "Count the rows of trusted.product.")


def test_the_pass_mark_is_a_fraction_of_the_points(simple_exercise, lake_dir):
    only_q1 = grade_answers(simple_exercise, lake_dir, {"q1": SIMPLE_SOLUTION["q1"]})
    assert (only_q1.score, only_q1.passed) == (2, True)  # 2 of 3 >= 0.6
    only_q2 = grade_answers(simple_exercise, lake_dir, {"q2": SIMPLE_SOLUTION["q2"]})
    assert (only_q2.score, only_q2.passed) == (1, False)


PYTHON_YAML = (
    SIMPLE_YAML
    + """\
  - id: q3
    points: 2
    kind: python
    prompt: Two numbers.
    check: check_q3
"""
)
CHECKS = """\
def check_q3(answer, lake):
    products = lake.execute("SELECT count(*) FROM trusted.product").fetchall()[0][0]
    if answer == "boom":
        raise ValueError("the secret is " + str(products))
    if answer == "bad":
        return "yes"
    right = [answer.get("a") == products, answer.get("b") == 2 * products]
    return sum(right) / 2, "" if all(right) else "b is not right"
"""


def python_exercise(write_exercise):
    solution = {**SIMPLE_SOLUTION, "q3": "answer_q3 = {'a': 3, 'b': 6}"}
    starter = {"q1": "", "q2": "", "q3": ""}
    exercise, problems = load_exercise(
        write_exercise(yaml_text=PYTHON_YAML, solution=solution, starter=starter, checks=CHECKS)
    )
    assert exercise is not None, problems
    return exercise


def test_python_checks_give_partial_credit_without_showing_their_code(write_exercise, lake_dir):
    exercise = python_exercise(write_exercise)
    half = grade_answers(exercise, lake_dir, {"q3": "answer_q3 = {'a': 3, 'b': 1}"}).questions[2]
    assert (half.points, half.max_points, half.passed, half.message) == (
        1,
        2,
        False,
        "b is not right",
    )
    full = grade_answers(exercise, lake_dir, {"q3": "answer_q3 = {'a': 3, 'b': 6}"}).questions[2]
    assert (full.points, full.passed, full.message) == (2, True, "correct")
    boom = grade_answers(exercise, lake_dir, {"q3": "answer_q3 = 'boom'"}).questions[2]
    assert boom.message == "your answer could not be checked (ValueError)"


def test_a_broken_check_is_no_grade_rather_than_a_zero(write_exercise, lake_dir):
    exercise = python_exercise(write_exercise)
    result = grade_answers(exercise, lake_dir, {"q3": "answer_q3 = 'bad'"})
    assert result.status == "error" and result.questions == ()
    assert "the exercise is broken: the check of q3 is broken" in result.reason


def test_a_broken_reference_query_is_no_grade(write_exercise, lake_dir):
    exercise, _ = load_exercise(
        write_exercise(
            yaml_text=SIMPLE_YAML.replace("FROM trusted.product\n", "FROM trusted.nothing\n", 1)
        )
    )
    result = grade_answers(exercise, lake_dir, SIMPLE_SOLUTION)
    assert result.status == "error"
    assert result.reason.startswith("the exercise is broken: the reference query of q1 failed")


def test_an_unreadable_upload_is_no_grade_with_the_reason(simple_exercise, lake_dir):
    result = grade(simple_exercise, b"not a notebook", execute=run_in_process, lake_dir=lake_dir)
    assert (result.status, result.score, result.passed) == ("error", 0, False)
    assert result.reason.startswith("the file is not JSON")


def test_an_executor_that_cannot_run_is_no_grade(simple_exercise, lake_dir):
    def broken(notebook, **kwargs):
        raise RuntimeError("bubblewrap is not installed")

    result = grade(
        simple_exercise, notebook_bytes(SIMPLE_SOLUTION), execute=broken, lake_dir=lake_dir
    )
    assert result.status == "error"
    assert result.reason == "the notebook could not be run: bubblewrap is not installed"


def test_the_executor_gets_the_resolved_lake_and_the_exercise_limits(simple_exercise, lake_dir):
    seen = {}

    def spy(notebook, **kwargs):
        seen.update(kwargs)
        return run_in_process(notebook, **kwargs)

    grade(
        simple_exercise,
        notebook_bytes(SIMPLE_SOLUTION),
        execute=spy,
        lake_dir=lake_dir,
        sandbox="bwrap",
    )
    assert seen["lake_dir"] == lake_dir.resolve() and seen["lake_dir"] != lake_dir
    assert seen["limits"] == simple_exercise.limits and seen["sandbox"] == "bwrap"
    assert "ACADEMY_ANSWERS" in seen["export_source"]


def test_the_json_has_exactly_the_documented_keys(simple_exercise, lake_dir):
    document = grade_answers(simple_exercise, lake_dir, SIMPLE_SOLUTION).to_json()
    assert set(document) == {
        "exercise",
        "status",
        "reason",
        "score",
        "max_score",
        "passed",
        "attempt",
        "questions",
        "failed_cells",
        "sandbox",
        "elapsed_s",
    }
    assert set(document["questions"][0]) == {
        "id",
        "points",
        "max_points",
        "passed",
        "message",
        "hint",
        "hint_tier",
    }
    assert document["sandbox"] == "in-process"


@pytest.mark.parametrize("code", ["answer_q2 = [[1, 10**400]]", "answer_q2 = -10**400"])
def test_a_number_too_large_for_a_float_is_a_clear_message_not_a_traceback(
    simple_exercise, lake_dir, code
):
    result = grade_answers(simple_exercise, lake_dir, {"q2": code})
    assert result.status == "graded"
    assert (
        messages(result)["q2"]
        == "answer_q2 could not be checked: it holds a number too large to compare"
    )


def test_a_notebook_nested_100000_deep_is_no_grade_with_the_reason(simple_exercise, lake_dir):
    deep = (
        b'{"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {"x": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}"
    )
    result = grade(simple_exercise, deep, execute=run_in_process, lake_dir=lake_dir)
    assert result.status == "error"
    assert result.reason == "the notebook is nested too deeply to read, so it cannot be graded"
