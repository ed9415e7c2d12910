"""A small pool of worker processes that run playground queries.

A runaway query never shares the web process's GIL or memory: each query runs
in one of ``settings.workers`` separate Python processes. DuckDB's interrupt
(a timer in the worker) stops most queries at the time limit; if a worker has
not answered ``kill_grace_s`` later it is killed and replaced, and only that
query fails.

Workers are plain subprocesses (``python -m app.lake.playground.worker``)
rather than multiprocessing children: nothing of the web process is re-imported
or inherited, not even its environment, which holds the secret key and the
database URL. They answer in JSON, never pickle: a worker runs hostile SQL, so
nothing it sends may build objects in the web process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from app.lake.playground.confine import KEPT_ENVIRONMENT
from app.lake.playground.export import CHUNK_CHARS
from app.lake.playground.fairness import FairHandout
from app.lake.playground.protocol import send, settings_to_dict
from app.lake.playground.types import PlaygroundSettings

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Worker:
    """One worker process and the web process's end of its socket."""

    process: subprocess.Popen
    conn: Connection
    confinement: dict[str, Any] | None = None


@dataclass
class Outcome:
    """What a request got back: the final message's payload and any chunks, or a failure.

    ``failure`` is "busy" (no free worker), "killed" (stopped by the hard
    deadline), "unconfined" (``require_confinement`` is set and Landlock could
    not be applied) or "crashed" (the worker died or sent garbage).
    """

    result: dict[str, Any] | None = None
    chunks: list[str] = field(default_factory=list)
    failure: str | None = None


class WorkerPool:
    """Hands each request to an idle worker, with a hard deadline."""

    def __init__(self, settings: PlaygroundSettings) -> None:
        """Nothing starts yet: workers are spawned on the first request or start()."""
        self._settings = settings
        self._handout: FairHandout[Worker] = FairHandout()
        self._workers: list[Worker] = []
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.replaced = 0
        # A message holds a page of results or one CSV chunk, never more.
        self._max_message = 4 * max(settings.max_result_bytes, CHUNK_CHARS) + 2**20

    def start(self) -> None:
        """Start the workers (idempotent); they boot in the background."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the playground has been closed")
            if not self._started:
                self._started = True
                for _ in range(self._settings.workers):
                    self._handout.add(self._spawn())

    def _spawn(self) -> Worker:
        """Start one worker with a scrubbed environment and send it the settings."""
        ours, theirs = socket.socketpair()
        env = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        command = [sys.executable, "-m", "app.lake.playground.worker", str(theirs.fileno())]
        process = subprocess.Popen(
            command, pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL
        )
        theirs.close()
        worker = Worker(process, Connection(ours.detach()))
        send(worker.conn, settings_to_dict(self._settings))
        self._workers.append(worker)
        return worker

    def request(self, payload: dict[str, Any], limit_s: float) -> Outcome:
        """Send ``payload`` to a worker and collect its answer within ``limit_s`` + grace."""
        self.start()
        learner = str(payload.get("key", ""))
        worker = self._handout.take(learner, self._settings.queue_timeout_s)
        if worker is None:
            return Outcome(failure="busy")
        healthy = False
        try:
            failure = self._await_ready(worker) if worker.confinement is None else None
            if failure:
                return Outcome(failure=failure)
            send(worker.conn, payload)
            deadline = time.monotonic() + limit_s + self._settings.kill_grace_s
            outcome = self._collect(worker, deadline)
            healthy = outcome.failure is None
            return outcome
        except (EOFError, OSError, ValueError):
            return Outcome(failure="crashed")
        finally:
            self._release(learner, worker, healthy)

    def _await_ready(self, worker: Worker) -> str | None:
        """Wait for a new worker's first message: None when ready, else the failure."""
        if not worker.conn.poll(self._settings.boot_timeout_s):
            return "crashed"
        message = self._receive(worker)
        if message.get("type") != "ready":
            log.error("playground worker refused to start: %s", message.get("confinement"))
            return "unconfined"
        worker.confinement = message["confinement"]
        return None

    def _collect(self, worker: Worker, deadline: float) -> Outcome:
        """Read CSV chunks and the final result until the hard deadline."""
        chunks: list[str] = []
        size = 0
        while True:
            if not worker.conn.poll(max(deadline - time.monotonic(), 0)):
                return Outcome(failure="killed")
            message = self._receive(worker)
            if message.get("type") == "result":
                return Outcome(result=message.get("result"), chunks=chunks)
            text = message.get("text", "")
            size += len(text)
            if message.get("type") != "chunk" or size > 2 * self._settings.max_csv_bytes:
                return Outcome(failure="crashed")
            chunks.append(text)

    def _receive(self, worker: Worker) -> dict[str, Any]:
        """One message from a worker, size-capped and checked to be a JSON object."""
        message = json.loads(worker.conn.recv_bytes(self._max_message))
        if not isinstance(message, dict):
            raise ValueError("malformed message from a playground worker")
        return message

    def _release(self, learner: str, worker: Worker, healthy: bool) -> None:
        """Back to the next waiting request, or killed and replaced (the last resort)."""
        with self._lock:
            if healthy and not self._closed:
                self._handout.give_back(learner, worker)
                return
            self._stop(worker, graceful=False)
            if self._closed:
                self._handout.give_back(learner, None)
                return
            self.replaced += 1
            self._handout.give_back(learner, self._spawn())

    def _stop(self, worker: Worker, graceful: bool) -> None:
        """End a worker (politely first if ``graceful``) and forget it."""
        if worker not in self._workers:
            return  # already stopped by close()
        self._workers.remove(worker)
        if graceful:
            with contextlib.suppress(OSError):
                send(worker.conn, {"op": "stop"})
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(2)
        if worker.process.poll() is None:
            worker.process.kill()
        worker.process.wait(10)
        worker.conn.close()

    def idle_workers(self) -> int:
        """How many workers wait for a request now."""
        return self._handout.idle()

    def confinement(self) -> dict[str, Any] | None:
        """How the first booted worker was confined (None until one has answered)."""
        return next((w.confinement for w in list(self._workers) if w.confinement), None)

    def close(self) -> None:
        """Stop every worker: idle ones politely, busy ones by force."""
        with self._lock:
            self._closed = True
            for worker in list(self._workers):
                self._stop(worker, graceful=True)
