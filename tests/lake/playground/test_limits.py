"""Time, memory, size and concurrency limits: a runaway query stays contained."""

from __future__ import annotations

import statistics
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


def timed(call, *args):
    """Call and time: the result and the seconds it took."""
    started = time.monotonic()
    result = call(*args)
    return result, time.monotonic() - started


def test_a_runaway_query_is_stopped_at_the_time_limit_and_the_pool_answers_next(playground):
    result, took = timed(playground.run, RUNAWAY, "alice")
    assert result.error.kind == "timeout"
    assert result.error.message.startswith("Stopped after 1.0 s")
    assert 0.9 <= took < 3.0
    after, took = timed(playground.run, "SELECT count(*) FROM raw.x", "alice")
    assert after.rows == [[3]] and took < 1.0


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
    result = playground.run(
        "CREATE TABLE user.big AS SELECT range, md5(range::VARCHAR) AS h FROM range(2000000)",
        "carol",
    )
    assert result.error.kind == "quota"
    assert playground.run("CREATE TABLE user.small AS SELECT 1 AS one", "carol").error is None


def test_a_runaway_query_does_not_hold_up_another_learner(playground):
    slow = threading.Thread(target=playground.run, args=(RUNAWAY, "alice"))
    slow.start()
    try:
        time.sleep(0.1)
        result, took = timed(playground.run, "SELECT count(*) FROM raw.x", "dave")
        assert result.rows == [[3]] and took < 0.5
    finally:
        slow.join()


def test_the_process_hop_costs_well_under_100_ms(playground):
    for _ in range(3):
        playground.run("SELECT 1", "erin")
    times = sorted(timed(playground.run, "SELECT * FROM raw.x", "erin")[1] for _ in range(30))
    p95 = times[int(len(times) * 0.95) - 1]
    assert statistics.median(times) < 0.1 and p95 < 0.25, times


def test_a_worker_that_overruns_the_hard_deadline_is_killed_and_replaced(lake):
    pool = WorkerPool(lake.settings(timeout_s=5, workers=1, kill_grace_s=0.2))
    try:
        assert pool.request({"op": "run", "sql": "SELECT 1", "key": "k"}, 5).failure is None
        outcome, took = timed(pool.request, {"op": "run", "sql": RUNAWAY, "key": "k"}, 0.1)
        assert outcome.failure == "killed" and took < 2
        assert pool.replaced == 1
        again = pool.request({"op": "run", "sql": "SELECT 42 AS n", "key": "k"}, 5)
        assert again.result["rows"] == [[42]]
    finally:
        pool.close()


def test_a_busy_pool_says_so_instead_of_queueing_forever(lake):
    pool = WorkerPool(lake.settings(timeout_s=2, workers=1, queue_timeout_s=0.2))
    try:
        pool.request({"op": "run", "sql": "SELECT 1", "key": "k"}, 5)
        slow = threading.Thread(
            target=pool.request, args=({"op": "run", "sql": RUNAWAY, "key": "k"}, 2)
        )
        slow.start()
        time.sleep(0.2)
        assert pool.request({"op": "run", "sql": "SELECT 1", "key": "j"}, 2).failure == "busy"
        slow.join()
    finally:
        pool.close()


def test_the_web_layer_gets_results_for_pool_failures(playground, monkeypatch):
    for failure, kind in (("killed", "timeout"), ("busy", "busy"), ("crashed", "internal")):
        monkeypatch.setattr(playground._pool, "request", lambda *a, f=failure: Outcome(failure=f))
        result = playground.run("SELECT 1", "alice")
        assert result.error.kind == kind
        assert playground.csv("SELECT 1", "alice").error.kind == kind


def test_a_playground_that_requires_confinement_refuses_to_run_without_it(lake):
    with Playground(lake.settings(confine=False, require_confinement=True)) as engine:
        result = engine.run("SELECT 1", "alice")
    assert result.error.kind == "internal"
    assert "cannot be confined" in result.error.message
