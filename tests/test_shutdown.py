"""SIGTERM stops the web process cleanly: its warm kernels' folders and cgroups go with it.

A real process serves the app (werkzeug, as ``flask run`` under ``make run``'s honcho),
with a pool of real sandboxed kernels booted; it is stopped as a supervisor stops it. A
SIGKILL, which no process can handle, shows what the test would find otherwise.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.grading.runtime import clear_leftovers
from app.grading.sandbox import cgroup
from app.grading.sandbox.kernel import RUN_PREFIX
from app.grading.sandbox.owner import process_at
from app.shutdown import EXIT_STATUS, exit_on_sigterm
from tests.grading.support import require_bwrap

pytestmark = pytest.mark.slow

SERVE = """
import json, sys, time
from werkzeug.serving import make_server
from app import create_app
from app.grading.runtime import POOL_KEY

settings = json.loads(sys.argv[1])
app = create_app(settings, instance_path=settings.pop("INSTANCE"))
with app.app_context():
    pool = app.extensions[POOL_KEY].get()
while pool.ready_count() < 2:
    time.sleep(0.1)
server = make_server("127.0.0.1", 0, app, threaded=True)
print("ready", flush=True)
server.serve_forever()
"""


def _serving(tmp_path: Path, lake: Path) -> subprocess.Popen:
    """The app served by a process of its own, with two warm kernels booted."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'academy.sqlite'}",
        "SECRET_KEY": "test",
        "ACADEMY_LAKE_DIR": str(lake),
        "ACADEMY_KERNEL_POOL": 2,
        "ACADEMY_GRADING_SANDBOX": "bwrap",
        "INSTANCE": str(tmp_path / "instance"),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, json.dumps(settings)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert line.strip() == "ready", f"the app did not start its kernels ({process.poll()})"
    return process


def _left_by(owner_prefix: str) -> list[Path]:
    """Run folders and kernel cgroups named as this owner's."""
    found = [
        p
        for p in Path(tempfile.gettempdir()).glob(f"{RUN_PREFIX}*")
        if p.name.startswith(RUN_PREFIX + owner_prefix)
    ]
    layout = cgroup.layout()
    if layout is not None:
        found += [p for p in layout.parent.glob(f"{cgroup.PREFIX}{owner_prefix}*")]
    return found


def _stop(process: subprocess.Popen, signum: int) -> tuple[int, list[Path]]:
    """Stop the process with ``signum``; its exit status and what it left behind."""
    owner = process_at(process.pid)
    assert owner is not None
    prefix = f"{owner.pid}-{owner.start}-"
    assert _left_by(prefix), "the running app should hold its kernels' folders"
    process.send_signal(signum)
    status = process.wait(timeout=60)
    process.stdout.close()
    return status, _left_by(prefix)


def test_sigterm_stops_the_warm_kernels_and_removes_their_folders(tmp_path, built_lake):
    require_bwrap()
    status, left = _stop(_serving(tmp_path, built_lake.lake), signal.SIGTERM)
    assert status == EXIT_STATUS
    assert left == []


def test_a_sigkill_leaves_them_for_the_next_start_to_sweep(tmp_path, built_lake):
    require_bwrap()
    status, left = _stop(_serving(tmp_path, built_lake.lake), signal.SIGKILL)
    assert status == -signal.SIGKILL
    try:
        assert left, "a killed process cannot clean up: the SIGTERM test would prove nothing"
    finally:
        clear_leftovers()


def test_a_handler_someone_else_installed_is_left_alone_and_threads_cannot_set_one():
    def theirs(signum, frame):
        pass

    previous = signal.signal(signal.SIGTERM, theirs)
    try:
        assert exit_on_sigterm() is False
        assert signal.getsignal(signal.SIGTERM) is theirs
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        answers = []
        thread = threading.Thread(target=lambda: answers.append(exit_on_sigterm()))
        thread.start()
        thread.join()
        assert answers == [False]
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        assert exit_on_sigterm() is True and exit_on_sigterm() is True
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)
