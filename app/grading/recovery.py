"""Recovery: each grading process hands the submissions a dead grader left to the queue again.

A grader killed mid-grade (a web process or a Celery worker, with SIGKILL or
a lost machine) leaves its submission running until the lease lapses; a
submission queued in a killed process's memory, or in a broker restarted
without persistence, is lost. ``submissions.recover_stalled`` finds both; this
thread runs it in every grading process and sends what it finds to the queue.
The claim makes a submission sent twice harmless.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from flask import Flask

from app.grading.submissions import recover_stalled

log = logging.getLogger(__name__)

RECOVERY_KEY = "grading_recovery"


class Requeue(Protocol):
    """The part of a grading queue recovery uses."""

    def requeue(self, submission_id: int) -> None:
        """Hand a stalled submission out again; when that fails, leave it for the next run."""
        ...


class Recovery:
    """A daemon thread per process that hands stalled submissions to the queue again.

    Started by the first request a web process serves (or its first grade) and
    by a Celery worker when it starts, not when the app is made: commands never
    start it, a forking server starts one in each worker process, and a web
    process restarted after a crash starts it as soon as a learner's result
    page asks, not only when someone uploads. It runs at once, then every
    ACADEMY_RECOVERY_SECONDS.
    """

    def __init__(self, app: Flask, every: int, queue: Callable[[], Requeue]) -> None:
        """Recover ``app``'s submissions every ``every`` seconds (0: never), into ``queue()``."""
        self.app = app
        self.every = every
        self.queue = queue
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def ensure_running(self) -> None:
        """Start the thread if it is switched on and not yet running."""
        if self.every <= 0 or (self.thread is not None and self.thread.is_alive()):
            return  # the common case, on every request: no lock
        with self._lock:
            if not self._stopped.is_set() and (self.thread is None or not self.thread.is_alive()):
                self.thread = threading.Thread(
                    target=self._run, name="academy-recovery", daemon=True
                )
                self.thread.start()

    def stop(self) -> None:
        """End the thread after its current run, for good (tests, and a process shutting down)."""
        self._stopped.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=30)

    def run_once(self) -> list[int]:
        """Queue again what a dead grader left (see ``recover_stalled``); the ids sent."""
        with self.app.app_context():
            ids = recover_stalled()
            queue = self.queue()
            for submission_id in ids:
                queue.requeue(submission_id)
        return ids

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the next run tries again
                log.warning("recovering stalled submissions failed", exc_info=True)
            self._stopped.wait(self.every)


def ensure_recovery(app: Flask) -> None:
    """Start ``app``'s recovery thread in this process, if it is switched on and not running."""
    app.extensions[RECOVERY_KEY].ensure_running()
