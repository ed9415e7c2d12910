"""Where submissions wait to be graded, away from the web request.

Two backends, chosen by ACADEMY_GRADING_BACKEND:

- ``threads`` (the embedded default): a small thread pool in the web process.
  The heavy work happens in sandboxed kernel processes, so threads are enough
  to keep several going, and no other server is needed.
- ``celery``: each submission's id goes to a broker (ACADEMY_BROKER_URL, e.g.
  Redis) for Celery workers on any number of machines (``app.grading.tasks``).

Tests (and a single-process demo, if wanted) can grade inline by setting
ACADEMY_GRADING_INLINE. Both are wired from create_app: ``celery_apps``
builds the Celery app (celery backend only) and ``grading_queues`` the queue
after it; ``grading_queue()`` is the current app's.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from types import ModuleType
from typing import Protocol

from flask import Flask, current_app

from app.grading.recovery import RECOVERY_KEY, Recovery
from app.grading.runtime import warm_kernels
from app.grading.submissions import grade_queued

log = logging.getLogger(__name__)

BACKENDS = ("threads", "celery")
QUEUE_KEY = "grading_queue"
CELERY_KEY = "celery"


class GradingQueue(Protocol):
    """What the web side needs from a backend."""

    def submit(self, submission_id: int) -> object:
        """Have the submission graded soon; never raises into the request that queued it."""
        ...

    def requeue(self, submission_id: int) -> None:
        """Hand a stalled submission out again; when that fails, leave it for the next recovery."""
        ...

    def warm(self) -> None:
        """Get ready for a grade that is probably coming (boot kernels)."""
        ...

    def shutdown(self) -> None:
        """Finish what was queued here, then stop."""
        ...


class ThreadQueue:
    """A pool of grading threads bound to one app (threads start with the first submission)."""

    def __init__(self, app: Flask):
        """Grade inline when ACADEMY_GRADING_INLINE, else on ACADEMY_GRADING_WORKERS threads."""
        self.app = app
        self.inline = bool(app.config["ACADEMY_GRADING_INLINE"])
        workers = int(app.config["ACADEMY_GRADING_WORKERS"])
        self.pool = None if self.inline else ThreadPoolExecutor(workers, "grading")

    def submit(self, submission_id: int) -> Future | None:
        """Grade now (inline) or on a grading thread."""
        if self.pool is None:
            self._grade(submission_id)
            return None
        return self.pool.submit(self._grade, submission_id)

    def requeue(self, submission_id: int) -> None:
        """Grade it again here, like a new one (a thread pool cannot lose it)."""
        self.submit(submission_id)

    def _grade(self, submission_id: int) -> None:
        """Grade one submission in an app context of its own."""
        with self.app.app_context():
            grade_queued(submission_id)

    def warm(self) -> None:
        """Start this process's kernels booting."""
        with self.app.app_context():
            warm_kernels()

    def shutdown(self) -> None:
        """Wait for the grades under way and queued here."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)


def uses_celery(app: Flask) -> bool:
    """Whether submissions go to Celery workers: the celery backend, unless grading inline."""
    config = app.config
    return config["ACADEMY_GRADING_BACKEND"] == "celery" and not config["ACADEMY_GRADING_INLINE"]


def _celery_side() -> ModuleType:
    """``app.grading.tasks``, the Celery half of the scale-out backend."""
    # Imported here, not at the top: celery is an optional dependency (the `scale`
    # extra), needed only where ACADEMY_GRADING_BACKEND=celery.
    from app.grading import tasks

    return tasks


def make_queue(app: Flask) -> GradingQueue:
    """The backend ACADEMY_GRADING_BACKEND names; ValueError for an unknown one."""
    backend = app.config["ACADEMY_GRADING_BACKEND"]
    if backend not in BACKENDS:
        raise ValueError(f"ACADEMY_GRADING_BACKEND must be one of {BACKENDS}, not {backend!r}")
    if uses_celery(app):
        return _celery_side().CeleryQueue(app.extensions[CELERY_KEY])
    return ThreadQueue(app)


class CeleryApps:
    """Gives an app on the celery backend its Celery app, in ``app.extensions["celery"]``."""

    def init_app(self, app: Flask) -> None:
        """Build the Celery app (RuntimeError without ACADEMY_BROKER_URL); connect to nothing."""
        if uses_celery(app):
            app.extensions[CELERY_KEY] = _celery_side().make_celery(app)


class GradingQueues:
    """Gives each app its grading queue and its recovery, in ``app.extensions``."""

    def init_app(self, app: Flask) -> None:
        """Make the app's queue (after ``celery_apps.init_app``); ValueError for a bad backend."""
        app.extensions[QUEUE_KEY] = make_queue(app)
        recovery = Recovery(
            app, int(app.config["ACADEMY_RECOVERY_SECONDS"]), lambda: app.extensions[QUEUE_KEY]
        )
        app.extensions[RECOVERY_KEY] = recovery
        app.before_request(recovery.ensure_running)


celery_apps = CeleryApps()
grading_queues = GradingQueues()


def grading_queue() -> GradingQueue:
    """The current app's queue (and, from the first use on, its recovery thread)."""
    current_app.extensions[RECOVERY_KEY].ensure_running()
    return current_app.extensions[QUEUE_KEY]
