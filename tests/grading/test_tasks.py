"""The Celery workers, killed and their broker lost: every submission is still graded once.

Each test starts a redis-server of its own (never the machine's shared one)
and real ``celery -A app.worker worker`` processes, and kills them with
SIGKILL. The test process is the web side: it takes the uploads and runs the
recovery thread, every second, with leases of the exercise's 15 seconds plus
2. Notebooks of the ``held`` exercise wait in their answer cell until the test
releases them, so "mid-grade" is a state the test sees, not a guess.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from app.accounts.models import utcnow
from app.grading.sandbox import cgroup
from app.grading.sandbox.owner import owner_in
from app.grading.tasks import TASK_NAME
from tests.grading.processes import held_notebook, wait_for
from tests.grading.support import notebook_bytes, require_bwrap

pytestmark = pytest.mark.slow

QUICK = notebook_bytes({"q1": "answer_q1 = 6 * 7"})


@pytest.fixture(autouse=True)
def _sandbox():
    """Workers grade in bubblewrap, as in production."""
    require_bwrap()


def _kernels_running(pid: int) -> list[str]:
    """The processes still in the memory cgroups of the kernels process ``pid`` started."""
    found = cgroup.layout()
    if found is None:
        return []
    running = []
    for path in found.parent.glob(f"{cgroup.PREFIX}{pid}-*"):
        owner = owner_in(path.name, cgroup.PREFIX)
        if owner is not None and owner.pid == pid:
            try:
                running += (path / "cgroup.procs").read_text().split()
            except FileNotFoundError:
                continue  # removed meanwhile by a process clearing leftovers
    return running


def _wait_for_hand_out(site, ids: list[int], since: datetime) -> datetime:
    """Wait until recovery has handed each of ``ids`` to the queue after ``since``; the latest."""

    def times():
        rows = [site.submission(i) for i in ids]
        for row in rows:
            assert (row.status, row.reason) == ("queued", None)  # never failed for a broker down
        return [r.queued_at for r in rows] if all(r.queued_at > since for r in rows) else None

    return max(wait_for(times, "recovery to hand the lost submissions out"))


def test_a_worker_killed_mid_grade_leaves_a_submission_another_grades_once(celery_site):
    first, second = celery_site.worker("first"), celery_site.worker("second")
    data, release = held_notebook(celery_site.lake)
    submission_id = celery_site.upload(data)
    held = celery_site.wait_until(submission_id, "running")
    # A copy recovery sent while it was queued may have reached the other worker
    # too; that one's claim was refused, and it is idle.
    [holder] = wait_for(lambda: [w for w in (first, second) if w.busy()], "the grader")
    other = second if holder is first else first
    holder.kill()
    assert (held.tries, other.busy()) == (1, False)  # one grader had it, and it alone
    # Its kernel died with it (bubblewrap's --die-with-parent): the killed grade
    # cannot still be running when another grader takes the submission.
    wait_for(lambda: not _kernels_running(holder.pid), "the killed worker's kernels to end")
    release.touch()
    graded = celery_site.wait_until(submission_id, "graded", "error")
    assert (graded.status, graded.score, graded.tries) == ("graded", 1.0, 2)
    assert other.received() >= 1 and other.finished() >= 1


def test_messages_lost_with_a_restarted_broker_are_sent_again_and_each_graded_once(
    celery_site,
):
    worker = celery_site.worker("only")
    data, release = held_notebook(celery_site.lake)
    busy = celery_site.upload(data)
    celery_site.wait_until(busy, "running")  # the worker's one slot is taken
    waiting = [celery_site.upload(QUICK) for _ in range(2)]
    # Held by the broker, nowhere else (recovery may have sent copies already).
    assert celery_site.broker.waiting() >= 2
    celery_site.broker.kill()
    release.touch()
    celery_site.wait_until(busy, "graded", "error")  # the grade under way carried on
    # Recovery hands them out again while the broker is down, and must leave them
    # queued (not failed) when it cannot send them: the hand-out after the first
    # since the kill begins only once that one's sends have all given up.
    first = _wait_for_hand_out(celery_site, waiting, utcnow())
    _wait_for_hand_out(celery_site, waiting, first)
    celery_site.broker.start()  # the same port, empty: no persistence
    for submission_id in waiting:
        celery_site.wait_until(submission_id, "graded", "error")
    finished = [celery_site.submission(i) for i in [busy, *waiting]]
    assert [(s.status, s.score, s.tries) for s in finished] == [("graded", 1.0, 1)] * 3
    assert worker.process.poll() is None  # it reconnected rather than died


def test_a_message_delivered_again_never_grades_a_submission_again(celery_site):
    workers = celery_site.worker("first"), celery_site.worker("second")
    data, release = held_notebook(celery_site.lake)
    submission_id = celery_site.upload(data)
    running = celery_site.wait_until(submission_id, "running")
    celery = celery_site.app.extensions["celery"]

    def finished() -> int:
        return sum(w.finished() for w in workers)

    before = finished()  # a copy recovery sent while it was queued, refused already
    celery.send_task(TASK_NAME, args=[submission_id])  # while it is being graded
    wait_for(lambda: finished() > before, "the copy to be refused")
    assert celery_site.submission(submission_id).status == "running"
    release.touch()
    graded = celery_site.wait_until(submission_id, "graded", "error")
    before = wait_for(lambda: not any(w.busy() for w in workers) and finished(), "idle workers")
    celery.send_task(TASK_NAME, args=[submission_id])  # and once it has been graded
    wait_for(lambda: finished() > before, "the late copy to be refused")
    again = celery_site.submission(submission_id)
    assert (graded.status, graded.tries, running.tries) == ("graded", 1, 1)
    assert (again.tries, again.finished_at, again.score) == (1, graded.finished_at, 1.0)
