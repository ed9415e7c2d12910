"""Checks for pe301-monitoring-checks, run by the grader (never in the learner's notebook).

Each check gets the learner's exported answer as plain Python and a read-only connection to
the lake, and returns a score with a message that names no expected number.
"""

DAY = "2024-03-15"
KEYS = ("landed", "duplicates", "bots", "not_published", "trusted")

EXPECTED_SQL = """
WITH landed AS (SELECT count(*) AS n FROM raw.responses WHERE load_date = CAST(? AS DATE)),
     refined AS (SELECT * FROM refined.response WHERE load_date = CAST(? AS DATE))
SELECT (SELECT n FROM landed),
       (SELECT n FROM landed) - (SELECT count(*) FROM refined),
       (SELECT count(*) FROM refined WHERE is_bot),
       (SELECT count(*) FROM refined
         WHERE NOT is_bot
           AND response_id NOT IN (SELECT response_id FROM trusted.response)),
       (SELECT count(*) FROM trusted.response JOIN refined USING (response_id))
"""


def _number(value) -> float | None:
    """The answer as a number, or None if it is not one (True is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def check_reconciliation(answer, lake):
    """q3: all five steps of the reconciliation, all or nothing: one wrong step means the
    steps no longer explain the gap, which is the point of reconciling."""
    if not isinstance(answer, dict):
        return False, "answer_q3 must be a dict with the keys " + ", ".join(KEYS)
    missing = [key for key in KEYS if key not in answer]
    if missing:
        return False, "missing keys: " + ", ".join(missing)
    if all(answer[key] is None for key in KEYS):
        return False, "no answer: fill in the five numbers"
    expected = dict(zip(KEYS, lake.execute(EXPECTED_SQL, [DAY, DAY]).fetchall()[0], strict=True))
    wrong = [key for key in KEYS if _number(answer[key]) != expected[key]]
    if not wrong:
        return True, "correct"
    return False, "not right: " + ", ".join(wrong)
