"""Checks for ts301-reconcile, run by the grader (never in the learner's notebook).

Messages name the reasons that are off and whether the account balances, never the
expected numbers.
"""

KEYS = ("bots", "malformed_timestamp", "missing_advert", "orphan_advert")

# One reason per row, in the order the trusted build applies them, so the four add up.
REASONS = """
SELECT
  count(*) FILTER (WHERE is_bot),
  count(*) FILTER (WHERE NOT is_bot AND received_at IS NULL),
  count(*) FILTER (WHERE NOT is_bot AND received_at IS NOT NULL AND advert_id IS NULL),
  count(*) FILTER (WHERE NOT is_bot AND received_at IS NOT NULL AND advert_id IS NOT NULL
                   AND advert_id NOT IN (SELECT advert_id FROM refined.advert))
FROM refined.response
"""
GAP = "SELECT (SELECT count(*) FROM refined.response) - (SELECT count(*) FROM trusted.response)"


def _number(value) -> float | None:
    """The answer as a number, or None if it is not one (True is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def check_refined_to_trusted(answer, lake):
    """q2: all four reasons right, or nothing: an account that does not balance explains nothing."""
    if not isinstance(answer, dict):
        return False, "answer_q2 must be a dict with the keys " + ", ".join(KEYS)
    missing = [key for key in KEYS if key not in answer]
    if missing:
        return False, "missing keys: " + ", ".join(missing)
    given = {key: _number(answer[key]) for key in KEYS}
    texts = [key for key, value in given.items() if value is None]
    if texts:
        return False, "not a number: " + ", ".join(texts)
    expected = dict(zip(KEYS, lake.execute(REASONS).fetchall()[0], strict=True))
    gap = lake.execute(GAP).fetchall()[0][0]
    wrong = [key for key in KEYS if given[key] != expected[key]]
    if not wrong:
        return True, "correct"
    balance = "they add up to the gap" if sum(given.values()) == gap else "they do not add up to the gap"
    return False, f"not right: {', '.join(wrong)}; {balance}"
