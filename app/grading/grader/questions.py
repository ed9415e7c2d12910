"""Grading one answer to one question: the rules for each kind (sql, value, python)."""

from __future__ import annotations

from typing import Any

import duckdb

from app.grading.exercises.authored import Exercise, Question
from app.grading.grader.compare import AS_TEXT, Verdict, compare_tables, compare_values
from app.grading.grader.exported import Answer
from app.grading.grader.lakedb import QueryFailed, refusal, run_query
from app.grading.grader.normalise import (
    Table,
    describe,
    is_blank,
    number_in_text,
    table_from_arrow,
    table_from_rows,
    table_from_value,
)
from app.grading.grader.pycheck import CheckError, load_check, run_check
from app.grading.grader.results import GradingError, QuestionResult


def hint_for(question: Question, failed_before: int, passed: bool) -> tuple[int, str | None]:
    """The hint tier for a failed answer: the first hint the first time this question fails.

    The tier counts this question's own failures (``failed_before`` earlier ones
    plus this one), never the attempt number: a question that was right on
    attempt 1 and fails on attempt 2 has failed once, and gets the first hint.
    """
    if passed or not question.hints or failed_before < 0:
        return 0, None
    tier = min(failed_before + 1, len(question.hints))
    return tier, question.hints[tier - 1]


def _no_answer(question: Question, answer: Answer) -> str | None:
    """Why there is nothing to check, or None when there is an answer."""
    name = question.variable
    if answer.kind == "not_exported":
        return "no answer: the notebook stopped before the answers were saved"
    if answer.kind == "missing":
        return f"no answer: {name} was not set"
    if answer.kind == "invalid":
        return f"{name} could not be checked: {answer.reason}"
    if answer.kind == "unsupported":
        wanted = "a SQL query as text" if question.kind == "sql" else "a table, number or text"
        return f"{name} must be {wanted}, not {answer.type_name}"
    if answer.kind == "value" and is_blank(answer.value):
        # The starter's placeholders (None, "", {"x": None}): nothing was answered yet.
        return f"no answer: {name} is empty"
    return None


def _learner_value(answer: Answer) -> Any:
    """The answer as plain Python, or as a Table when it is one."""
    return table_from_arrow(answer.table) if answer.kind == "table" else answer.value


def _reference(con: duckdb.DuckDBPyConnection, question: Question) -> Table:
    """The reference query's result; a broken reference is the author's error, not the learner's."""
    try:
        result = run_query(con, question.reference or "")
    except QueryFailed as failed:
        raise GradingError(f"the reference query of {question.id} failed: {failed}") from None
    return table_from_rows(result.columns, result.rows)


def _grade_sql(question: Question, answer: Answer, con) -> Verdict:
    """Run the learner's SQL on the grader's connection and compare with the reference."""
    sql = answer.value
    if answer.kind != "value" or not isinstance(sql, str):
        got = "a table" if answer.kind == "table" else describe(sql)
        return Verdict(False, f"{question.variable} must be a SQL query as text, not {got}")
    refused = refusal(sql)
    if refused:
        return Verdict(False, f"the query was refused: {refused}")
    try:
        result = run_query(con, sql)
    except QueryFailed as failed:
        return Verdict(False, f"the query failed: {failed}")
    return compare_tables(
        _reference(con, question),
        table_from_rows(result.columns, result.rows),
        tolerance=question.float_tolerance,
        order_matters=question.order_matters,
        names_must_match=question.columns_must_match_names,
    )


def _expected_value(question: Question, con) -> Any:
    """The expected literal, the reference's single value, or the reference's Table."""
    if question.has_expected:
        return question.expected
    table = _reference(con, question)
    return table.rows[0][0][1] if table.is_single_value else table


def _grade_value(question: Question, answer: Answer, con) -> Verdict:
    """Compare an exported value or table with the expected one."""
    expected = _expected_value(question, con)
    actual = _learner_value(answer)
    if isinstance(expected, Table):
        table = actual if isinstance(actual, Table) else table_from_value(actual)
        if table is None:
            wanted = "a table (a pandas DataFrame)"
            return Verdict(False, f"{question.variable} must be {wanted}, not {describe(actual)}")
        return compare_tables(
            expected,
            table,
            tolerance=question.float_tolerance,
            order_matters=question.order_matters,
            names_must_match=question.columns_must_match_names,
        )
    if isinstance(actual, Table):
        if actual.is_single_value:
            actual = actual.rows[0][0][1]
        elif actual.width == 1 and isinstance(expected, list):
            actual = [row[0][1] for row in actual.rows]
        else:
            return Verdict(False, f"expected {describe(expected)}, got a table")
    return compare_values(
        expected, actual, tolerance=question.float_tolerance, order_matters=question.order_matters
    )


def _grade_python(exercise: Exercise, question: Question, answer: Answer, con) -> tuple[float, str]:
    """Call the author's check; a broken check is a GradingError, not a zero."""
    value = answer.table.to_pandas() if answer.kind == "table" else answer.value
    try:
        fraction, message = run_check(load_check(exercise, question.check or ""), value, con)
    except CheckError as broken:
        raise GradingError(f"the check of {question.id} is broken: {broken}") from None
    if fraction < 1 and answer.kind == "value":
        message = _python_feedback(question, value, message)
    return fraction, message


def _texts_of_numbers(value: Any) -> list[str]:
    """Where an answer holds a number as text: "" for the answer itself, else the dict keys."""
    if number_in_text(value):
        return [""]
    if isinstance(value, dict):
        return [str(k) for k, v in value.items() if number_in_text(v)]
    return []


def _python_feedback(question: Question, value: Any, message: str) -> str:
    """The check's message, with what the grader can tell without the answer: blanks, text."""
    if isinstance(value, dict):
        blank = [str(k) for k, v in value.items() if is_blank(v)]
        if blank:
            message += f"; no answer yet for {', '.join(f'`{k}`' for k in blank)}"
    where = _texts_of_numbers(value)
    if where == [""]:
        message += f"; {AS_TEXT}"
    elif where:
        listed = ", ".join(f"`{k}`" for k in where)
        message += f"; you gave the number as text for {listed}: give numbers without quotes"
    return message


def _checked(exercise: Exercise, question: Question, answer: Answer, con) -> tuple[float, str]:
    """The fraction of the points an answer earns, and the feedback."""
    if question.kind == "python":
        return _grade_python(exercise, question, answer, con)
    grader = _grade_sql if question.kind == "sql" else _grade_value
    verdict = grader(question, answer, con)
    return (1.0 if verdict.ok else 0.0), verdict.message


def _why(error: Exception) -> str:
    """Why an answer's data could not be compared, in words for the learner."""
    if isinstance(error, OverflowError):
        return "it holds a number too large to compare"
    return "it is nested too deeply to compare"


def grade_question(
    exercise: Exercise, question: Question, answer: Answer, con, failed_before: int = 0
) -> QuestionResult:
    """Points and feedback for one answer. GradingError if the exercise itself is broken.

    ``failed_before`` is how often this learner failed this question before: it picks the hint.
    """
    fraction, message = 0.0, _no_answer(question, answer)
    if message is None:
        try:
            fraction, message = _checked(exercise, question, answer, con)
        except (OverflowError, RecursionError) as error:
            # The learner's data, not the exercise: a number no float holds
            # (10**400), or nesting deeper than Python compares.
            fraction, message = 0.0, f"{question.variable} could not be checked: {_why(error)}"
    passed = fraction >= 1
    tier, hint = hint_for(question, failed_before, passed)
    return QuestionResult(
        id=question.id,
        points=round(question.points * fraction, 2),
        max_points=question.points,
        passed=passed,
        message=message,
        hint=hint,
        hint_tier=tier,
    )
