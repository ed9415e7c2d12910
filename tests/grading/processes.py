"""Real servers for the Celery backend's tests, started and killed by the tests themselves.

``RedisServer`` is a redis-server of the test's own on a free loopback port,
with no persistence, so a test can kill it and restart it empty, as a broker
restarted without persistence comes back; the machine's shared Redis is never
touched. ``CeleryWorker`` is a real ``celery -A app.worker worker`` process,
with its own log file to read what it received, and a pid to SIGKILL.

A notebook made by ``held_notebook`` waits in its answer cell until the test
creates its release file in the lake, so a test decides when a grade is "mid-grade"
and when it may end, instead of guessing how long a sleep will last.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
import redis

from app.config import PROJECT_ROOT
from app.extensions import db
from app.grading.models import Submission
from app.grading.recovery import RECOVERY_KEY
from app.grading.tasks import QUEUE
from tests.grading.support import notebook_bytes

DEADLINE_S = 120  # for anything a test waits on; generous, for a busy 2-core machine
HELD = "held"  # the exercise whose notebooks wait for their release
HELD_YAML = """\
title: Held
module: SQ101
limits:
  cell_seconds: 15
  total_seconds: 15
questions:
  - id: q1
    points: 1
    kind: value
    prompt: Six times seven.
    expected: 42
"""


def wait_for(condition: Callable[[], object], what: str, timeout_s: float = DEADLINE_S):
    """Poll ``condition`` until it returns something true (returned); fail after the deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def require_redis_server() -> str:
    """The redis-server command: fail on CI, skip elsewhere, when it is not installed."""
    found = shutil.which("redis-server")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")  # .ci/run installs it
        pytest.skip("redis-server is not installed")
    return found


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own: loopback only, nothing saved to disk."""

    def __init__(self, folder: Path) -> None:
        self.command = require_redis_server()
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it on this server's port and wait until it answers."""
        argv = [self.command, "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        with (self.folder / "redis.log").open("a") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self._answers, f"redis-server on port {self.port}", timeout_s=30)

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"redis-server exited: {(self.folder / 'redis.log').read_text()[-2000:]}")
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        """SIGKILL it: whatever it held in memory is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def waiting(self) -> int:
        """How many messages wait in the grading queue."""
        with self.client() as client:
            return client.llen(QUEUE)


def worker_environment(app, broker: str) -> dict[str, str]:
    """What a worker process needs to grade for ``app``: its database, broker, exercises, lake."""
    config = app.config
    return os.environ | {
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "worker-test",
        "ACADEMY_ENV": "test",
        "ACADEMY_BROKER_URL": broker,
        "ACADEMY_EXERCISES_DIR": config["ACADEMY_EXERCISES_DIR"],
        "ACADEMY_COURSES_DIR": config["ACADEMY_COURSES_DIR"],
        "ACADEMY_LAKE_DIR": config["ACADEMY_LAKE_DIR"],
        "ACADEMY_KERNEL_POOL": "1",
        "ACADEMY_LEASE_MARGIN_SECONDS": str(config["ACADEMY_LEASE_MARGIN_SECONDS"]),
        "ACADEMY_RECOVERY_SECONDS": str(config["ACADEMY_RECOVERY_SECONDS"]),  # workers recover too
    }


class CeleryWorker:
    """A real ``celery -A app.worker worker`` process, one grade at a time."""

    def __init__(self, name: str, env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.env = env
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryWorker:
        """Start it and wait until it is ready to take tasks."""
        argv = [sys.executable, "-m", "celery", "-A", "app.worker", "worker"]
        argv += ["--pool", "threads", "--concurrency", "1", "--hostname", f"{self.name}@%h"]
        argv += ["--loglevel", "INFO", "--logfile", str(self.log), "--queues", QUEUE]
        # Gossip and mingle would have workers talk to each other at start-up: not needed.
        argv += ["--without-gossip", "--without-mingle"]
        self.process = subprocess.Popen(
            argv, cwd=PROJECT_ROOT, env=self.env, stdin=subprocess.DEVNULL
        )
        wait_for(self._ready, f"worker {self.name} to be ready")
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"worker {self.name} exited: {self.text()[-3000:]}")
        return " ready." in self.text()

    def text(self) -> str:
        """Its log so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def received(self) -> int:
        """How many grading messages it has taken from the broker."""
        return len(re.findall(r"Task academy\.grade_submission\[[^]]+\] received", self.text()))

    def finished(self) -> int:
        """How many grading tasks it has run to the end (a refused claim included)."""
        return len(re.findall(r"Task academy\.grade_submission\[[^]]+\] succeeded", self.text()))

    def busy(self) -> bool:
        """Whether it is running a grading task (received one it has not finished)."""
        return self.received() > self.finished()

    def kill(self) -> None:
        """SIGKILL it, mid-grade or not."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    @property
    def pid(self) -> int:
        return self.process.pid


def held_notebook(lake: Path) -> tuple[bytes, Path]:
    """A notebook whose answer cell waits for a release file in the lake; and that file."""
    release = lake / f"release-{secrets.token_hex(4)}"
    source = (
        "import os, time\n"
        f"while not os.path.exists(os.path.join(os.environ['ACADEMY_LAKE'], {release.name!r})):\n"
        "    time.sleep(0.05)\n"
        "answer_q1 = 6 * 7"
    )
    return notebook_bytes({"q1": source}), release


class CelerySite:
    """A site on the celery backend with a Redis of its own, and the workers a test starts.

    The test process is the web side: it takes uploads and runs the recovery
    thread; the workers are other processes that share its database and lake.
    """

    def __init__(self, app, client, broker: RedisServer, lake: Path, folder: Path) -> None:
        self.app = app
        self.client = client
        self.broker = broker
        self.lake = lake
        self.folder = folder
        self.workers: list[CeleryWorker] = []

    def worker(self, name: str) -> CeleryWorker:
        """Start a worker process (killed when the test ends)."""
        started = CeleryWorker(name, worker_environment(self.app, self.broker.url), self.folder)
        self.workers.append(started)
        return started.start()

    def upload(self, data: bytes) -> int:
        """Upload through the real endpoint, as a learner does; the submission's id."""
        response = self.client.post(
            f"/exercises/{HELD}/submissions",
            data={"notebook": (BytesIO(data), "mine.ipynb")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        return int(response.headers["Location"].rsplit("/", 1)[1])

    def submission(self, submission_id: int) -> Submission:
        """The submission as the database has it now (detached)."""
        with self.app.app_context():
            found = db.session.get(Submission, submission_id)
            db.session.expunge(found)
            return found

    def wait_until(self, submission_id: int, *statuses: str) -> Submission:
        """Wait until the submission is in one of ``statuses``; it, then."""

        def reached():
            found = self.submission(submission_id)
            return found if found.status in statuses else None

        return wait_for(reached, f"submission {submission_id} to be {' or '.join(statuses)}")

    def close(self) -> None:
        """Stop recovery, kill the workers and the broker."""
        self.app.extensions[RECOVERY_KEY].stop()
        for started in self.workers:
            started.kill()
        self.broker.kill()
