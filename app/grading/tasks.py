"""Grading on Celery workers: the scale-out backend (ACADEMY_GRADING_BACKEND=celery).

The web process only sends a submission's id to the broker (Redis, say); any
number of workers, on any machines that reach the same database and lake,
take them. Workers start with::

    ACADEMY_BROKER_URL=redis://host:6379/0 \\
        celery -A app.worker worker --pool threads --concurrency 2

Threads suffice because every notebook runs in a sandboxed kernel process of
its own; one worker process then shares one pool of warm kernels between its
threads. Nothing is returned through Celery: the grade is recorded in the
database, where the submission page reads it.

Only ``app.grading.queue`` imports this module, when the celery backend is
chosen: celery is an optional dependency.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task
from celery import current_app as current_celery
from celery.concurrency import get_implementation
from celery.concurrency.thread import TaskPool as ThreadTaskPool
from celery.signals import worker_init, worker_process_init
from flask import Flask

from app.grading.exercises.authored import MAX_TOTAL_SECONDS
from app.grading.recovery import ensure_recovery
from app.grading.runtime import warm_kernels
from app.grading.submissions import give_up, grade_queued

log = logging.getLogger(__name__)

# The name workers know the task by: the web side and the workers must agree on it.
TASK_NAME = "academy.grade_submission"
QUEUE = "grading"


def visibility_timeout(lease_margin_s: int) -> int:
    """Three times the longest lease a grade may hold: the longest exercise plus the margin."""
    return 3 * (MAX_TOTAL_SECONDS + lease_margin_s)


def make_celery(app: Flask) -> Celery:
    """A Celery app whose tasks run inside ``app``'s context (it connects to nothing yet)."""
    broker = app.config["ACADEMY_BROKER_URL"]
    if not broker:
        raise RuntimeError(
            "ACADEMY_GRADING_BACKEND=celery needs ACADEMY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)"
        )

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=broker,
        broker_connection_retry_on_startup=True,
        task_default_queue=QUEUE,
        task_ignore_result=True,  # the grade is in the database
        # A worker that dies mid-grade (a machine lost, not a hostile notebook, whose
        # kernel is a separate process) hands the submission back to the queue.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a grade takes seconds: don't hoard them
        # Redis hands an unacknowledged message to another worker after this long
        # (Kombu's default is an hour): a few times the longest grade, so a killed
        # worker's submission comes back soon but a slow one is never graded twice
        # at once (the claim in grade_submission refuses the second anyway).
        broker_transport_options={
            "visibility_timeout": visibility_timeout(app.config["ACADEMY_LEASE_MARGIN_SECONDS"])
        },
        # On a lost broker connection, a grade under way carries on: its result goes
        # to the database, and the copy Redis may hand out again is refused by the
        # claim. (Celery 6 would cancel it by default, to have it delivered again.)
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
    )
    celery.flask_app = app  # for the warm-up signals below

    @celery.task(name=TASK_NAME, shared=False)  # each Celery app has its own Flask app
    def grade(submission_id: int) -> None:
        grade_queued(submission_id)

    return celery


class CeleryQueue:
    """Sends submissions to Celery workers through the broker."""

    def __init__(self, celery: Celery):
        """Send through ``celery``, the app's Celery app."""
        self.celery = celery

    def submit(self, submission_id: int) -> None:
        """Send the submission's id; if the broker can't be reached, fail the submission."""
        try:
            self.celery.send_task(TASK_NAME, args=[submission_id])
        except Exception:  # noqa: BLE001 - the broker is unreachable
            log.exception("could not send submission %s to the broker", submission_id)
            # Say so on the submission page rather than leave it "queued" for ever.
            give_up(submission_id, "The grading service could not be reached. Please try again.")

    def requeue(self, submission_id: int) -> None:
        """Send a stalled submission again; if the broker can't be reached, leave it queued.

        Unlike a new upload, nobody is waiting on the request to be told to try
        again, and the broker may be down only while it restarts: the next
        recovery run after a lease margin sends it again.
        """
        try:
            self.celery.send_task(TASK_NAME, args=[submission_id])
        except Exception:  # noqa: BLE001 - the broker is unreachable
            log.warning("could not send submission %s to the broker again", submission_id)

    def warm(self) -> None:
        """Nothing to do here: workers boot their kernels when they start."""

    def shutdown(self) -> None:
        """Nothing is held here: queued work waits in the broker."""


def _warm(celery: Celery) -> None:
    """Boot the worker's kernels now, so the first grade doesn't wait for one; start recovery.

    A worker recovers too, so a killed worker's submission comes back within
    its lease even when no web process is serving requests.
    """
    app = getattr(celery, "flask_app", None)
    if app is None:
        return
    with app.app_context():
        warm_kernels()
    ensure_recovery(app)


@worker_process_init.connect
def _warm_process(**_: Any) -> None:
    """In each prefork child (and the solo pool's one process): its own kernel pool."""
    _warm(current_celery._get_current_object())


@worker_init.connect
def _warm_threads(sender: Any = None, **_: Any) -> None:
    """With the threads pool, the worker's own process grades: warm it there.

    (Prefork and solo pools send worker_process_init in the grading process.)
    """
    pool = getattr(sender, "pool_cls", None)
    if pool is not None and get_implementation(pool) is ThreadTaskPool:
        _warm(sender.app)
