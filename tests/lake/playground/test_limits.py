"""Time, memory, size and concurrency limits: a runaway query stays contained.

No verdict here reads the clock: each test asserts what the code enforces
(which limit stopped a query and what it said, which worker was killed and
replaced, who got an answer while whom was still running). How long a query
takes is measured by bench/lake.py instead.
"""

from __future__ import annotations

import re
import signal
import threading
import time

import pytest

from app.lake.playground import Playground
from app.lake.playground.pool import Outcome, WorkerPool

RUNAWAY = "SELECT count(*) FROM range(10000000000) a, range(1000) b"


@pytest.fixture(scope="module")
def playground(lake):
    """A playground with short limits: 1 s, 64 MB, 50 rows, a 4 MB scratch quota."""
    settings = lake.settings(
        timeout_s=1.0, memory_limit="64MB", max_rows=50, scratch_quota_bytes=4 * 2**20
    )
    with Playground(settings) as engine:
        engine.start()
        yield engine


def wait_until(condition, seconds: float = 10.0) -> None:
    """Poll until ``condition()`` holds; fail if it still does not after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


def idle_workers(pool: WorkerPool) -> int:
    """How many of the pool's workers wait for a request."""
    return pool.idle_workers()


def test_a_runaway_query_is_stopped_by_its_own_time_limit_and_the_pool_answers_next(playground):
    replaced = playground.replaced_workers
    result = playground.run(RUNAWAY, "alice")
    assert result.error.kind == "timeout"
    limit = r"Stopped after \d+\.\d s: the playground's time limit is 1 s per query\."
    assert re.match(limit, result.error.message), result.error.message
    # DuckDB's interrupt stopped it: the worker was not killed, so it answers next.
    assert "ended by force" not in result.error.message
    assert playground.replaced_workers == replaced
    after = playground.run("SELECT count(*) FROM raw.x", "alice")
    assert after.rows == [[3]]


def test_a_recursive_query_without_end_is_stopped(playground):
    result = playground.run(
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
        "alice",
    )
    assert result.error.kind in ("timeout", "memory")


def test_counting_a_huge_result_stops_at_the_limit_but_keeps_the_rows(playground):
    result = playground.run("SELECT range FROM range(100000000000)", "alice")
    assert result.error is None
    assert len(result.rows) == 50 and not result.total_exact and result.total_rows > 50
    assert result.notes[0].startswith("Counting stopped at the time limit: at least")


def test_a_query_over_the_memory_limit_gets_a_clear_message(playground):
    result = playground.run("SELECT list(range) FROM range(200000000)", "alice")
    assert result.error.kind == "memory"
    assert "more memory than the playground allows" in result.error.message


def test_a_full_scratch_space_is_reported_and_recovers(playground):
    # About 10 MB of hashes, over the 4 MB quota; few enough rows to be written well inside
    # the 1 s limit on a loaded machine (2 million timed out there instead).
    result = playground.run(
        "CREATE TABLE user.big AS SELECT range, md5(range::VARCHAR) AS h FROM range(300000)",
        "carol",
    )
    assert result.error.kind == "quota"
    assert playground.run("CREATE TABLE user.small AS SELECT 1 AS one", "carol").error is None


@pytest.mark.slow
def test_a_runaway_query_does_not_hold_up_another_learner(lake):
    # Alice's query may run for a minute: Dave must get his answer while it still runs.
    finished = []
    with Playground(lake.settings(timeout_s=60, kill_grace_s=0.5)) as engine:
        engine.start()
        slow = threading.Thread(target=lambda: finished.append(engine.run(RUNAWAY, "alice")))
        slow.start()
        wait_until(lambda: idle_workers(engine._pool) == 1)  # alice's query has its worker
        result = engine.run("SELECT count(*) FROM raw.x", "dave")
        assert result.rows == [[3]]
        assert slow.is_alive() and finished == []
    slow.join()  # closing the playground ended alice's query
    assert finished[0].error is not None


def test_answers_come_back_to_whoever_asked_in_the_order_they_asked(playground):
    answers: dict[str, list] = {}

    def ask(key: str) -> None:
        answers[key] = [
            playground.run(f"SELECT {n} AS n, '{key}' AS who", key).rows for n in range(15)
        ]

    askers = [threading.Thread(target=ask, args=(key,)) for key in ("erin", "frank")]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    for key in ("erin", "frank"):
        assert answers[key] == [[[n, key]] for n in range(15)]


def test_a_worker_that_overruns_the_hard_deadline_is_killed_and_replaced(lake):
    pool = WorkerPool(lake.settings(timeout_s=5, workers=1, kill_grace_s=0.2))
    try:
        assert pool.request({"op": "run", "sql": "SELECT 1", "key": "k"}, 5).failure is None
        (first,) = pool._workers
        # The pool's deadline (0.1 s + 0.2 s grace) comes long before the worker's own (5 s).
        outcome = pool.request({"op": "run", "sql": RUNAWAY, "key": "k"}, 0.1)
        assert outcome.failure == "killed"
        assert first.process.returncode == -signal.SIGKILL
        assert pool.replaced == 1 and first not in pool._workers
        again = pool.request({"op": "run", "sql": "SELECT 42 AS n", "key": "k"}, 5)
        assert again.result["rows"] == [[42]]
    finally:
        pool.close()


@pytest.mark.slow
def test_a_busy_pool_says_so_instead_of_queueing_forever(lake):
    pool = WorkerPool(lake.settings(timeout_s=2, workers=1, queue_timeout_s=0.2))
    try:
        pool.request({"op": "run", "sql": "SELECT 1", "key": "k"}, 5)
        slow = threading.Thread(
            target=pool.request, args=({"op": "run", "sql": RUNAWAY, "key": "k"}, 2)
        )
        slow.start()
        wait_until(lambda: idle_workers(pool) == 0)  # the runaway has the only worker
        assert pool.request({"op": "run", "sql": "SELECT 1", "key": "j"}, 2).failure == "busy"
        slow.join()
    finally:
        pool.close()


def test_the_web_layer_gets_results_for_pool_failures(playground, monkeypatch):
    for failure, kind in (("killed", "timeout"), ("busy", "busy"), ("crashed", "internal")):
        monkeypatch.setattr(playground._pool, "request", lambda *a, f=failure: Outcome(failure=f))
        result = playground.run("SELECT 1", "alice")
        assert result.error.kind == kind
        assert ("ended by force" in result.error.message) == (failure == "killed")
        assert playground.csv("SELECT 1", "alice").error.kind == kind


def test_a_playground_that_requires_confinement_refuses_to_run_without_it(lake):
    with Playground(lake.settings(confine=False, require_confinement=True)) as engine:
        result = engine.run("SELECT 1", "alice")
    assert result.error.kind == "internal"
    assert "cannot be confined" in result.error.message


def test_two_learners_looping_slow_queries_cannot_starve_a_third(lake):
    # Each of them always has a query running; the third learner's SELECT 1 must
    # get the next worker freed, not lose it to their next query every time.
    pool = WorkerPool(lake.settings(timeout_s=1, workers=2, queue_timeout_s=6))
    stop = threading.Event()

    def loop(key: str) -> None:
        while not stop.is_set():
            pool.request({"op": "run", "sql": RUNAWAY, "key": key}, 1)

    try:
        pool.start()
        loopers = [threading.Thread(target=loop, args=(key,)) for key in ("ann", "ben")]
        for looper in loopers:
            looper.start()
        wait_until(lambda: idle_workers(pool) == 0)  # both workers are theirs
        outcomes = [pool.request({"op": "run", "sql": "SELECT 1", "key": "cat"}, 2)]
        outcomes += [pool.request({"op": "run", "sql": "SELECT 1", "key": "cat"}, 2)]
        assert [o.failure for o in outcomes] == [None, None]
        assert [o.result["rows"] for o in outcomes] == [[[1]], [[1]]]
    finally:
        stop.set()
        for looper in loopers:
            looper.join(30)
        pool.close()
