"""Handing idle workers to waiting requests fairly between learners (no processes, no I/O).

A plain queue lets whoever asks at the right instant take a freed worker: two
learners looping 5-second queries re-asked faster than a woken waiter could
take its turn, and a third learner's ``SELECT 1`` waited until "busy" every
time. Here a freed worker is handed straight to a waiting request, never left
for a newcomer to grab, and the request chosen is the one whose learner holds
the fewest workers, then the one that has waited longest. So while others
wait, nobody gets a second worker.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

W = TypeVar("W")


@dataclass(eq=False)
class _Ticket(Generic[W]):
    """One waiting request: whose it is, its place in line, and the worker handed to it."""

    learner: str
    order: int
    handed: threading.Event = field(default_factory=threading.Event)
    worker: W | None = None


class FairHandout(Generic[W]):
    """Idle workers and the requests waiting for one, with who holds how many."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: deque[W] = deque()
        self._waiting: list[_Ticket[W]] = []
        self._held: Counter[str] = Counter()
        self._order = itertools.count()

    def take(self, learner: str, timeout: float) -> W | None:
        """A worker for ``learner``'s request, or None when none came within ``timeout``."""
        with self._lock:
            if self._idle and not self._waiting:
                self._held[learner] += 1
                return self._idle.popleft()
            ticket: _Ticket[W] = _Ticket(learner, next(self._order))
            self._waiting.append(ticket)
        ticket.handed.wait(timeout)
        with self._lock:
            if ticket.worker is None:  # not handed one, even at the last instant
                self._waiting.remove(ticket)
            return ticket.worker

    def give_back(self, learner: str, worker: W | None) -> None:
        """``learner``'s request is done: its worker (if it has one to give) goes to the next."""
        with self._lock:
            self._held[learner] -= 1
            if self._held[learner] <= 0:
                del self._held[learner]
        if worker is not None:
            self.add(worker)

    def add(self, worker: W) -> None:
        """A worker is free (new, replaced or given back): hand it out or keep it idle."""
        with self._lock:
            if not self._waiting:
                self._idle.append(worker)
                return
            ticket = min(self._waiting, key=lambda t: (self._held[t.learner], t.order))
            self._waiting.remove(ticket)
            self._held[ticket.learner] += 1
            ticket.worker = worker
            ticket.handed.set()

    def held(self, learner: str) -> int:
        """How many workers ``learner``'s requests hold now."""
        with self._lock:
            return self._held[learner]

    def idle(self) -> int:
        """How many workers wait for a request."""
        with self._lock:
            return len(self._idle)
