"""Checks for pm301-rates-and-intervals, run by the grader (never in the learner's notebook).

Messages say which part is wrong, never the expected numbers.
"""

KEYS = ("proportion", "low", "high")
# The interval's ends are compared to three decimal places' worth: learners round.
TOLERANCE = 0.0015


def _number(value) -> float | None:
    """The answer as a number, or None if it is not one (True is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def check_interval(answer, lake):
    """q2: the share of Spotlight adverts with a human response and its 95% interval."""
    if not isinstance(answer, dict):
        return False, "answer_q2 must be a dict with the keys proportion, low and high"
    missing = [key for key in KEYS if key not in answer]
    if missing:
        return False, "missing keys: " + ", ".join(missing)
    texts = [key for key in KEYS if isinstance(answer[key], str)]
    if texts:
        return False, "give numbers, not text: " + ", ".join(texts)
    adverts, answered = lake.execute(
        "SELECT count(*), count(*) FILTER (WHERE n > 0) FROM ("
        " SELECT a.advert_id, count(r.response_id) AS n FROM trusted.advert AS a"
        " LEFT JOIN trusted.response AS r USING (advert_id)"
        " WHERE a.product_code = 'spotlight' GROUP BY a.advert_id)"
    ).fetchall()[0]
    p = answered / adverts
    half = 1.96 * (p * (1 - p) / adverts) ** 0.5
    expected = {"proportion": p, "low": p - half, "high": p + half}
    given = {key: _number(answer[key]) for key in KEYS}
    if given["proportion"] is None or abs(given["proportion"] - p) > TOLERANCE:
        return False, "the proportion is not right: adverts with at least one human response, over all Spotlight adverts"
    wrong = [key for key in ("low", "high") if given[key] is None or abs(given[key] - expected[key]) > TOLERANCE]
    if wrong:
        return False, "the proportion is right; the interval is not (" + ", ".join(wrong) + "): check which n you used"
    return True, "correct"
