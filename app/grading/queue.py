"""Where submissions wait to be graded, away from the web request.

The embedded default is a small thread pool in the web process: the heavy
work happens in sandboxed kernel processes, so threads are enough to keep
several going. Tests (and a single-process demo, if wanted) can grade inline
by setting ACADEMY_GRADING_INLINE.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app

log = logging.getLogger(__name__)


class GradingQueue:
    """A pool of grading threads bound to one app."""

    def __init__(self, app: Flask):
        self.app = app
        self.inline = bool(app.config.get("ACADEMY_GRADING_INLINE"))
        workers = int(app.config.get("ACADEMY_GRADING_WORKERS", 2))
        self.pool = None if self.inline else ThreadPoolExecutor(workers, "grading")

    def submit(self, submission_id: int) -> Future | None:
        """Grade a submission soon; never raises into the request that queued it."""
        if self.pool is None:
            self._grade(submission_id)
            return None
        return self.pool.submit(self._grade, submission_id)

    def _grade(self, submission_id: int) -> None:
        from app.grading.submissions import grade_submission

        with self.app.app_context():
            try:
                grade_submission(submission_id)
            except Exception:  # the submission is marked as an error inside; log the rest
                log.exception("grading submission %s failed", submission_id)

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)


def grading_queue() -> GradingQueue:
    """The app's queue, created on first use."""
    app = current_app._get_current_object()
    queue = app.extensions.get("grading_queue")
    if queue is None:
        queue = app.extensions["grading_queue"] = GradingQueue(app)
    return queue
