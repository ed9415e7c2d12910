"""Handing freed workers out fairly between learners (the pure dispatcher, with threads)."""

from __future__ import annotations

import threading
import time

from app.lake.playground.fairness import FairHandout


def wait_for(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def waiter(handout, learner, got):
    """Start a request of ``learner`` that records the worker it is handed."""
    thread = threading.Thread(target=lambda: got.append((learner, handout.take(learner, 30))))
    thread.start()
    return thread


def test_an_idle_worker_is_taken_at_once_and_none_means_busy():
    handout = FairHandout()
    handout.add("w1")
    assert handout.take("alice", 1) == "w1"
    assert handout.take("bob", 0.05) is None  # nobody gave one back in time
    assert handout.held("alice") == 1 and handout.held("bob") == 0


def test_a_freed_worker_goes_to_whoever_waited_not_to_a_newcomer():
    handout = FairHandout()
    handout.add("w1")
    assert handout.take("alice", 1) == "w1"
    got: list = []
    carol = waiter(handout, "carol", got)
    assert wait_for(lambda: handout._waiting)
    handout.give_back("alice", "w1")  # alice loops: her next request comes straight after
    assert handout.take("alice", 0.05) is None
    carol.join()
    assert got == [("carol", "w1")]


def test_while_others_wait_nobody_gets_a_second_worker():
    handout = FairHandout()
    for name in ("w1", "w2"):
        handout.add(name)
    assert handout.take("alice", 1) and handout.take("bob", 1)  # both workers busy
    got: list = []
    alice_again = waiter(handout, "alice", got)  # asked first, but already holds one
    assert wait_for(lambda: len(handout._waiting) == 1)
    carol = waiter(handout, "carol", got)
    assert wait_for(lambda: len(handout._waiting) == 2)
    handout.give_back("bob", "w2")
    carol.join(10)
    assert got == [("carol", "w2")]
    handout.give_back("carol", "w2")
    alice_again.join(10)
    assert got[-1] == ("alice", "w2") and handout.held("alice") == 2


def test_a_request_that_gives_up_leaves_the_line():
    handout = FairHandout()
    assert handout.take("alice", 0.05) is None
    assert handout._waiting == []
    handout.add("w1")
    assert handout.take("bob", 1) == "w1"
