"""Where submissions wait to be graded, away from the web request.

Two backends, chosen by ACADEMY_GRADING_BACKEND:

- ``threads`` (the embedded default): a small thread pool in the web process.
  The heavy work happens in sandboxed kernel processes, so threads are enough
  to keep several going, and no other server is needed.
- ``celery``: each submission's id goes to a broker (ACADEMY_BROKER_URL, e.g.
  Redis) for Celery workers on any number of machines (``app.grading.tasks``).

Tests (and a single-process demo, if wanted) can grade inline by setting
ACADEMY_GRADING_INLINE.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from flask import Flask, current_app

log = logging.getLogger(__name__)

BACKENDS = ("threads", "celery")


def grade_now(submission_id: int) -> None:
    """Grade one submission in the current app context; failures are recorded and logged."""
    from app.grading.submissions import grade_submission

    try:
        grade_submission(submission_id)
    except Exception:  # the submission is marked as an error inside; log the rest
        log.exception("grading submission %s failed", submission_id)


class GradingQueue(Protocol):
    """What the web side needs from a backend."""

    def submit(self, submission_id: int) -> object:
        """Have the submission graded soon; never raises into the request that queued it."""
        ...

    def warm(self) -> None:
        """Get ready for a grade that is probably coming (boot kernels)."""
        ...

    def shutdown(self) -> None:
        """Finish what was queued here, then stop."""
        ...


class ThreadQueue:
    """A pool of grading threads bound to one app."""

    def __init__(self, app: Flask):
        self.app = app
        self.inline = bool(app.config.get("ACADEMY_GRADING_INLINE"))
        workers = int(app.config.get("ACADEMY_GRADING_WORKERS", 2))
        self.pool = None if self.inline else ThreadPoolExecutor(workers, "grading")

    def submit(self, submission_id: int) -> Future | None:
        if self.pool is None:
            self._grade(submission_id)
            return None
        return self.pool.submit(self._grade, submission_id)

    def _grade(self, submission_id: int) -> None:
        with self.app.app_context():
            grade_now(submission_id)

    def warm(self) -> None:
        from app.grading.runtime import warm_kernels

        with self.app.app_context():
            warm_kernels()

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)


class CeleryQueue:
    """Sends submissions to Celery workers through the broker."""

    def __init__(self, app: Flask):
        from app.grading.tasks import celery_init_app

        self.celery = app.extensions.get("celery") or celery_init_app(app)

    def submit(self, submission_id: int) -> None:
        from app.grading.tasks import TASK_NAME

        try:
            self.celery.send_task(TASK_NAME, args=[submission_id])
        except Exception:  # noqa: BLE001 - the broker is unreachable
            log.exception("could not send submission %s to the broker", submission_id)
            from app.grading.submissions import give_up

            # Say so on the submission page rather than leave it "queued" for ever.
            give_up(submission_id, "The grading service could not be reached. Please try again.")

    def warm(self) -> None:
        """Nothing to do here: workers boot their kernels when they start."""

    def shutdown(self) -> None:
        """Nothing is held here: queued work waits in the broker."""


def make_queue(app: Flask) -> GradingQueue:
    """The backend ACADEMY_GRADING_BACKEND names; ValueError for an unknown one."""
    backend = app.config.get("ACADEMY_GRADING_BACKEND", "threads")
    if backend == "celery" and not app.config.get("ACADEMY_GRADING_INLINE"):
        return CeleryQueue(app)
    if backend not in BACKENDS:
        raise ValueError(f"ACADEMY_GRADING_BACKEND must be one of {BACKENDS}, not {backend!r}")
    return ThreadQueue(app)


def grading_queue() -> GradingQueue:
    """The app's queue, created on first use."""
    app = current_app._get_current_object()
    queue = app.extensions.get("grading_queue")
    if queue is None:
        queue = app.extensions["grading_queue"] = make_queue(app)
    return queue
