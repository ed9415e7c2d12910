"""Comparing results: fair (order, names, floats) and never giving the expected values away."""

from __future__ import annotations

import datetime
import decimal

import pytest

from app.grading.grader.compare import compare_tables, compare_values
from app.grading.grader.normalise import table_from_rows, table_from_value

COLUMNS = ("customer_id", "region", "price")
EXPECTED_ROWS = [
    ("C10001", "North West", decimal.Decimal("12995.00")),
    ("C10002", "Scotland", decimal.Decimal("8450.50")),
    ("C10003", "Wales", decimal.Decimal("21000.00")),
    ("C10004", "London", decimal.Decimal("5999.99")),
]
EXPECTED = table_from_rows(COLUMNS, EXPECTED_ROWS)
SECRETS = ["C1000", "North West", "Scotland", "Wales", "London", "12995", "8450", "21000", "5999"]


def check(rows, columns=COLUMNS, **options):
    """Compare rows with EXPECTED and make sure the message leaks none of its values."""
    verdict = compare_tables(EXPECTED, table_from_rows(columns, rows), **options)
    for secret in SECRETS:
        assert secret not in verdict.message, verdict.message
    return verdict


def test_the_same_rows_in_another_order_are_right():
    assert check(list(reversed(EXPECTED_ROWS))).ok


def test_order_counts_only_when_asked():
    verdict = check(list(reversed(EXPECTED_ROWS)), order_matters=True)
    assert not verdict.ok
    assert verdict.message == "the rows are right but not in the order asked for"
    assert check(EXPECTED_ROWS, order_matters=True).ok


def test_column_names_are_compared_without_case_quotes_or_spaces_and_in_any_order():
    rows = [(r[2], r[0], r[1]) for r in EXPECTED_ROWS]
    assert check(rows, columns=(' "PRICE" ', "Customer_ID", "region")).ok


def test_column_names_that_differ_are_named_but_values_are_not():
    verdict = check(EXPECTED_ROWS, columns=("customer_id", "area", "price"))
    assert verdict.message == (
        "column names differ: expected customer_id, region, price got customer_id, area, price"
    )
    assert check(EXPECTED_ROWS, columns=("a", "b", "c"), names_must_match=False).ok


def test_the_number_of_columns_is_checked_first():
    rows = [(*r, "extra") for r in EXPECTED_ROWS]
    assert check(rows, columns=(*COLUMNS, "x")).message == "expected 3 columns, got 4"


def test_floats_within_the_tolerance_are_equal():
    close = [(a, b, float(c) * (1 + 4e-7)) for a, b, c in EXPECTED_ROWS]
    assert check(close).ok
    far = [(a, b, float(c) * (1 + 1e-4)) for a, b, c in EXPECTED_ROWS]
    assert check(far).message == "column `price` differs in 4 rows"
    assert check(far, tolerance=1e-3).ok


def test_missing_and_unexpected_rows_are_counted():
    assert check(EXPECTED_ROWS[:1]).message == "3 rows missing"
    extra = [*EXPECTED_ROWS, ("C10009", "Wales", 1), ("C10010", "Wales", 2)]
    assert check(extra).message == "2 unexpected rows"
    assert check(EXPECTED_ROWS[:3] + [("C10099", "Mars", 1)]).message == (
        "1 row missing and 1 unexpected row"
    )
    assert check(EXPECTED_ROWS * 2).message == "4 unexpected rows"  # fan-out: duplicates


def test_one_wrong_column_is_named_with_the_rows_it_spoils():
    rows = [(a, b.upper(), c) for a, b, c in EXPECTED_ROWS[:2]] + EXPECTED_ROWS[2:]
    assert check(rows).message == "column `region` differs in 2 rows"
    in_order = check(rows, order_matters=True)
    assert in_order.message == "column `region` differs in 2 rows"


def test_types_are_normalised_across_duckdb_pandas_and_json():
    expected = table_from_rows(("day", "n", "ok"), [(datetime.date(2024, 5, 31), 3, True)])
    from_pandas = table_from_rows(("day", "n", "ok"), [(datetime.datetime(2024, 5, 31), 3.0, True)])
    assert compare_tables(expected, from_pandas).ok
    as_json = table_from_value([{"day": "2024-05-31", "n": 3, "ok": True}])
    assert compare_tables(expected, as_json).ok
    not_bool = table_from_rows(("day", "n", "ok"), [("2024-05-31", 3, 1)])
    assert not compare_tables(expected, not_bool).ok  # True is not 1 here
    nan = table_from_rows(("x",), [(float("nan"),)])
    assert compare_tables(table_from_rows(("x",), [(None,)]), nan).ok


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        (42, 42.0000001, "correct"),
        (42, 43, "the number is not right"),
        (42, "42", "you gave the number as text: give it as a number (no quotes)"),
        (
            42,
            " 41 ",
            "you gave the number as text: give it as a number (no quotes); "
            "the number is not right either",
        ),
        (42, "forty-two", "expected a number, got text"),
        (42, True, "expected a number, got true/false"),
        ("Scotland", " Scotland ", "correct"),
        ("Scotland", "scotland", "the text differs only in upper/lower case"),
        ("Scotland", "Wales", "the answer is not right"),
        (True, False, "the answer is not right"),
        ([1, 2, 3], [3, 2, 1], "correct"),
        ([1, 2, 3], [1, 2], "1 item missing"),
        ([1, 2], [1, 2, 5, 6], "2 unexpected items"),
        ({"a": 1, "b": 2}, {"a": 1, "b": 3}, "the value for `b` is not right"),
        ({"a": 1, "b": 2}, {"a": 1, "c": 2}, "missing keys: b; unexpected keys: c"),
        (datetime.date(2024, 5, 31), "2024-05-31", "correct"),
        (decimal.Decimal("9.99"), 9.99, "correct"),
        (7, None, "no answer: it is still None"),
        ({"a": 1, "b": 2}, {"a": 1, "b": None}, "no answer for `b`"),
        ([1, 2], 3, "expected a list, got a number"),
    ],
)
def test_values_and_their_feedback(expected, actual, message):
    verdict = compare_values(expected, actual)
    assert verdict.message == message
    assert verdict.ok == (message == "correct")


def test_list_order_counts_only_when_asked():
    verdict = compare_values([1, 2, 3], [3, 2, 1], order_matters=True)
    assert verdict.message == "the items are right but not in the order asked for"


def test_value_feedback_never_contains_the_expected_value():
    for expected, actual in [
        (13579, 24680),
        ("Summit Vehicle Sales", "Taunton Cars"),
        ([13579, 97531], [1]),
        ({"k": 13579}, {"k": 2}),
    ]:
        message = compare_values(expected, actual).message
        assert "13579" not in message and "97531" not in message and "Summit" not in message


def test_surrounding_spaces_in_table_cells_are_ignored():
    expected = table_from_rows(("total",), [("660.00",), ("12.50",)])
    assert compare_tables(expected, table_from_rows(("total",), [(" 660.00",), ("12.50 ",)])).ok
    assert not compare_tables(expected, table_from_rows(("total",), [("660",), ("12.50",)])).ok
    ordered = compare_tables(
        expected, table_from_rows(("total",), [("660.00 ",), (" 12.50",)]), order_matters=True
    )
    assert ordered.ok


@pytest.mark.parametrize("order_matters", [False, True])
def test_columns_compared_by_position_say_when_two_are_swapped(order_matters):
    rows = [(r[1], r[0], r[2]) for r in EXPECTED_ROWS]
    verdict = check(rows, names_must_match=False, order_matters=order_matters)
    assert not verdict.ok
    assert verdict.message == (
        "columns 1 and 2 are swapped: `customer_id` is given where `region` belongs"
    )


def test_a_list_of_rows_with_swapped_columns_is_told_so():
    verdict = compare_values([[1, "a"], [2, "b"]], [["a", 1], ["b", 2]], order_matters=True)
    assert verdict.message.startswith("columns 1 and 2 are swapped")
    assert compare_values([[1, "a"], [2, "b"]], [[2, "b"], [1, "a"]]).ok


def test_an_unaliased_reference_column_is_named_by_position_never_by_its_expression():
    expression = "CAST('2012-08-31 01:00:00' AS TIMESTAMP)"
    expected = table_from_rows(("member_id", expression), [(1, "2012-08-31 01:00:00")])
    for actual in [
        table_from_rows(("member_id", "x"), [(1, "2012-08-31 01:00:00")]),
        table_from_rows(("member_id", expression), [(1, "2012-09-01 01:00:00")]),
        table_from_rows(("member_id", expression), [(1, "2012-09-01 01:00:00")] * 2),
    ]:
        for order_matters in (False, True):
            verdict = compare_tables(expected, actual, order_matters=order_matters)
            assert not verdict.ok
            assert "2012-08-31" not in verdict.message and "CAST" not in verdict.message
    named = compare_tables(expected, table_from_rows(("member_id", "x"), [(1, "2012-08-31")]))
    assert named.message == "column names differ: expected member_id, column 2 got member_id, x"
    wrong = compare_tables(
        expected, table_from_rows(("member_id", expression), [(1, "2012-09-01 01:00:00")])
    )
    assert wrong.message == "column 2 differs in 1 row"
