"""Checks for dl110-responses, run by the grader (never in the learner's notebook).

Each check gets the learner's exported answer as plain Python and a read-only
connection to the lake, and returns a score with a message. Messages must not
give the expected numbers away.
"""

KEYS = ("no_advert", "orphan", "no_time")

# Each human response in refined, in the first reason trusted leaves it out for.
REASONS = """
SELECT CASE
         WHEN r.advert_id IS NULL   THEN 'no_advert'
         WHEN a.advert_id IS NULL   THEN 'orphan'
         WHEN r.received_at IS NULL THEN 'no_time'
       END AS reason,
       count(*) AS responses
FROM refined.response AS r
LEFT JOIN trusted.advert AS a ON a.advert_id = r.advert_id
WHERE NOT r.is_bot
GROUP BY reason
"""


def _number(value) -> float | None:
    """The answer as a number, or None if it is not one (True is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def check_missing_from_trusted(answer, lake):
    """q3: the three reasons refined's human responses miss trusted; a third of the points each."""
    if not isinstance(answer, dict):
        return False, "answer_q3 must be a dict with the keys no_advert, orphan and no_time"
    missing = [key for key in KEYS if key not in answer]
    if missing:
        return False, "missing keys: " + ", ".join(missing)
    expected = {reason: count for reason, count in lake.execute(REASONS).fetchall() if reason}
    text = [key for key in KEYS if isinstance(answer[key], str)]
    if text:
        return False, "give numbers, not text: " + ", ".join(text)
    wrong = [key for key in KEYS if _number(answer[key]) != expected.get(key, 0)]
    score = (len(KEYS) - len(wrong)) / len(KEYS)
    if not wrong:
        return 1.0, "correct"
    return score, "not right: " + ", ".join(wrong)
