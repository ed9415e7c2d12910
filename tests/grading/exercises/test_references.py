"""academy check's warnings about reference queries: unaliased expressions and ordered ties."""

from __future__ import annotations

from app.grading.exercises.load import load_exercise
from app.grading.exercises.verify import check_references

ORDERED = """\
title: Ordered
module: SQ101
questions:
  - id: q1
    points: 1
    kind: sql
    prompt: Products.
    order_matters: {order}
    reference: {sql}
"""


def warnings_for(write_exercise, lake_dir, tmp_path, sql: str, order: str = "true") -> list[str]:
    """The reference warnings of a one-question exercise with this reference."""
    folder = write_exercise(
        yaml_text=ORDERED.format(sql=sql, order=order),
        starter={"q1": 'answer_q1 = ""'},
        solution={"q1": f"answer_q1 = {sql!r}"},
    )
    exercise, problems = load_exercise(folder)
    assert exercise is not None, problems
    return [p.message for p in check_references(exercise, lake_dir, tmp_path / "exercises")]


def test_unaliased_expression_columns_are_warned_about(write_exercise, lake_dir, tmp_path):
    sql = "SELECT product_code, count(*), 1 + 1 AS two FROM trusted.product GROUP BY 1"
    assert warnings_for(write_exercise, lake_dir, tmp_path, sql, order="false") == [
        "the reference query of q1 has unaliased expression column(s) 2: name each with AS "
        "(feedback calls them by position, and learners cannot match such a name)"
    ]


def test_an_order_matters_reference_must_order_without_ties(write_exercise, lake_dir, tmp_path):
    unique = "SELECT product_code FROM trusted.product ORDER BY product_code"
    assert warnings_for(write_exercise, lake_dir, tmp_path, unique) == []
    by_position = "SELECT product_code, 1 AS one FROM trusted.product ORDER BY 2, 1"
    assert warnings_for(write_exercise, lake_dir, tmp_path, by_position) == []
    prefix = "the reference query of q1 has order_matters, but "
    tied = "SELECT product_code, 1 AS one FROM trusted.product ORDER BY one"
    assert warnings_for(write_exercise, lake_dir, tmp_path, tied) == [
        prefix + "its ORDER BY leaves ties: two different rows share their ORDER BY keys"
    ]
    unordered = "SELECT product_code FROM trusted.product"
    assert warnings_for(write_exercise, lake_dir, tmp_path, unordered) == [
        prefix + "it has no ORDER BY, so its order is whatever DuckDB returns"
    ]
    hidden = "SELECT product_code FROM trusted.product ORDER BY upper(product_code)"
    assert warnings_for(write_exercise, lake_dir, tmp_path, hidden) == [
        prefix + "an ORDER BY key is not a column of the result, so ties cannot be ruled out: "
        "order by result columns"
    ]
