"""Checks for dm201-joins, run by the grader (never in the learner's notebook).

Each check gets the learner's exported answer as plain Python (or a pandas
DataFrame) and a read-only connection to the lake, and returns True/False, a
fraction for partial credit, or either with a message. Messages must not give
the expected numbers away.
"""

CUSTOMER = "C10076"
KEYS = ("colleague_count", "vehicles_today")


def _number(value) -> float | None:
    """The answer as a number, or None if it is not one (True is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def check_fan_out(answer, lake):
    """q3: the fanned-out count and the true count for one retailer; half the points each."""
    if not isinstance(answer, dict):
        return False, "answer_q3 must be a dict with the keys colleague_count and vehicles_today"
    missing = [key for key in KEYS if key not in answer]
    if missing:
        return False, "missing keys: " + ", ".join(missing)
    colleague = lake.execute(
        "SELECT count(*) FROM trusted.customer AS c JOIN trusted.stock AS s "
        "USING (customer_id) WHERE c.customer_id = ?",
        [CUSTOMER],
    ).fetchone()[0]
    today = lake.execute(
        "SELECT count(*) FROM trusted.stock WHERE customer_id = ? "
        "AND snapshot_date = (SELECT max(snapshot_date) FROM trusted.stock)",
        [CUSTOMER],
    ).fetchone()[0]
    live_adverts = lake.execute(
        "SELECT count(*) FROM trusted.advert WHERE customer_id = ? AND withdrawn_at IS NULL",
        [CUSTOMER],
    ).fetchone()[0]
    score, problems = 0.0, []
    if _number(answer["colleague_count"]) == colleague:
        score += 0.5
    else:
        problems.append("colleague_count is not what the colleague's query returns")
    if _number(answer["vehicles_today"]) == today:
        score += 0.5
    elif _number(answer["vehicles_today"]) == colleague:
        problems.append("vehicles_today repeats the fanned-out count: count one day only")
    elif _number(answer["vehicles_today"]) == live_adverts:
        problems.append("vehicles_today counts live adverts: count the vehicles in stock")
    else:
        problems.append("vehicles_today is not right")
    return score, "; ".join(problems) or "correct"
