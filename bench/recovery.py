"""Benchmark: how long a submission waits when its grader is killed with SIGKILL mid-grade.

    make bench-recovery        # the shipped settings, then short ones
    python bench/recovery.py measure --runs 3 [--margin 120] [--every 60] [--total 60]

Two cases, each run a few times on a fresh lake, with the sandbox on:

- **threads**: the web process grading the submission is killed, and started
  again at once (as systemd or a container runtime would); the learner's page
  polls the submission once a second, which is what starts the new process's
  recovery;
- **celery**: the worker grading it is killed; another worker is running, and
  the recovery threads (the web process's and the surviving worker's) hand
  the submission out again. Redis is a redis-server of the benchmark's own
  (never the machine's shared one).

The notebook waits in its answer cell for a release file, so the kill always
lands mid-grade; the file is created right after the kill, so the second grade
is quick. Times run from the SIGKILL to the submission's ``finished_at``; the
"back in the queue" time is when the benchmark, polling the database, first
saw it handed out again. They depend on the lease (the exercise's
total_seconds plus ACADEMY_LEASE_MARGIN_SECONDS) and on
ACADEMY_RECOVERY_SECONDS, the recovery threads' period: after the lease ends,
the next run of any of them comes 0 to one period later. A restarted web
process's thread starts when its first request comes, so its phase follows
the restart; for Celery, each upload waits a random part of a period first, so
the runs sample where in the period the lease ends.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.config import PROJECT_ROOT  # noqa: E402
from app.extensions import db  # noqa: E402
from app.grading.models import Submission  # noqa: E402
from app.lake.pipeline.build import build_lake  # noqa: E402

EXERCISE = "held"
EMAIL, PASSWORD = "bench@example.com", "benchmark-password"
DEADLINE_S = 1800


def _exercise_yaml(total: int) -> str:
    return (
        f"title: Held\nmodule: SQ101\nlimits:\n  cell_seconds: {total}\n"
        f"  total_seconds: {total}\nquestions:\n  - id: q1\n    points: 1\n    kind: value\n"
        "    prompt: Six times seven.\n    expected: 42\n"
    )


def _notebook(source: str) -> bytes:
    cell = {"cell_type": "code", "metadata": {"academy": {"answer": "q1"}},
            "execution_count": None, "outputs": [], "source": source}  # fmt: skip
    return json.dumps(
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    ).encode()


def held_notebook(lake: Path) -> tuple[bytes, Path]:
    """A notebook that waits for a release file in the lake; and the file."""
    release = lake / f"release-{secrets.token_hex(4)}"
    source = (
        "import os, time\n"
        f"while not os.path.exists(os.path.join(os.environ['ACADEMY_LAKE'], {release.name!r})):\n"
        "    time.sleep(0.05)\n"
        "answer_q1 = 6 * 7"
    )
    return _notebook(source), release


def settings(workdir: Path, options: dict) -> dict:
    """The site's settings, shared by the web processes, the workers and this one."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite'}",
        "SECRET_KEY": "bench",
        "ACADEMY_LAKE_DIR": str(workdir / "lake"),
        "ACADEMY_EXERCISES_DIR": str(workdir / "exercises"),
        "ACADEMY_COURSES_DIR": str(workdir / "courses"),
        "ACADEMY_SUBMISSIONS_PER_WINDOW": 10_000,
        "ACADEMY_RECOVERY_SECONDS": options["every"],
        "ACADEMY_LEASE_MARGIN_SECONDS": options["margin"],
        "ACADEMY_GRADING_BACKEND": options["backend"],
        "ACADEMY_BROKER_URL": options.get("broker"),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, what: str, timeout_s: float = DEADLINE_S, every: float = 0.1):
    """Poll until ``condition`` returns something true; that."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(every)
    raise SystemExit(f"gave up waiting for {what}")


class Browser:
    """A learner's browser: a cookie jar and the site's forms (CSRF is off in the bench)."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(self, path: str) -> int:
        """GET a page; its status, or 0 when the server does not answer."""
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0

    def sign_in(self) -> None:
        data = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD}).encode()
        self.opener.open(self.base + "/login", data=data, timeout=10).close()

    def upload(self, notebook: bytes) -> int:
        """Upload through the real endpoint; the submission's id (from the redirect)."""
        boundary = secrets.token_hex(8)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="notebook"; '
                f'filename="mine.ipynb"\r\nContent-Type: application/json\r\n\r\n'
            ).encode()
            + notebook
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            f"{self.base}/exercises/{EXERCISE}/submissions",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with self.opener.open(request, timeout=30) as response:
            return int(response.url.rstrip("/").rsplit("/", 1)[1])


class Site:
    """The benchmark's database, read directly to see each submission's state."""

    def __init__(self, workdir: Path, options: dict) -> None:
        self.app = create_app(settings(workdir, options), instance_path=str(workdir / "inst"))

    def row(self, submission_id: int) -> Submission:
        with self.app.app_context():
            found = db.session.get(Submission, submission_id)
            db.session.expunge(found)
            return found


def start_web(workdir: Path, port: int, options: dict) -> subprocess.Popen:
    """A web process serving the site (its own grading threads when on the threads backend)."""
    argv = [sys.executable, __file__, "serve", "--workdir", str(workdir), "--port", str(port)]
    argv += ["--options", json.dumps(options)]
    log = (workdir / "web.log").open("a")
    return subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)


def start_worker(workdir: Path, name: str, options: dict) -> tuple[subprocess.Popen, Path]:
    """A Celery worker process, one grade at a time; it and its log file."""
    config = settings(workdir, options)
    env = os.environ | {
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "bench",
        "ACADEMY_BROKER_URL": options["broker"],
        "ACADEMY_EXERCISES_DIR": config["ACADEMY_EXERCISES_DIR"],
        "ACADEMY_LAKE_DIR": config["ACADEMY_LAKE_DIR"],
        "ACADEMY_KERNEL_POOL": "1",
        "ACADEMY_LEASE_MARGIN_SECONDS": str(options["margin"]),
        "ACADEMY_RECOVERY_SECONDS": str(options["every"]),  # workers recover too
    }
    log = workdir / f"{name}.log"
    argv = [sys.executable, "-m", "celery", "-A", "app.worker", "worker", "--pool", "threads"]
    argv += ["--concurrency", "1", "--hostname", f"{name}@%h", "--loglevel", "INFO"]
    argv += ["--logfile", str(log), "--without-gossip", "--without-mingle"]
    process = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL)
    wait_for(lambda: log.exists() and " ready." in log.read_text(), f"worker {name}")
    return process, log


def _busy(log: Path) -> bool:
    text = log.read_text()
    return text.count("] received") > text.count("] succeeded")


def _stop(process: subprocess.Popen) -> None:
    """End a process we started: SIGINT (its pool closes its kernels), else SIGKILL."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(15)


def one_grade_killed(
    site: Site, browser: Browser, lake: Path, kill, poll_page: bool, phase_s: float = 0
) -> dict:
    """Upload, wait until it is running, call ``kill()``; seconds until it is back and graded.

    Waiting ``phase_s`` first puts the lease's end at another point of the
    recovery threads' period: otherwise every run would lapse at the same point.
    """
    time.sleep(phase_s)
    notebook, release = held_notebook(lake)
    submission_id = browser.upload(notebook)
    wait_for(lambda: site.row(submission_id).status == "running", "a grader's claim")
    held = site.row(submission_id)
    killed_at = kill()
    release.touch()
    page = f"/exercises/{EXERCISE}/submissions/{submission_id}"
    back_at, polled_at = None, 0.0
    while (row := site.row(submission_id)).status not in ("graded", "error"):
        if back_at is None and (row.status != "running" or row.tries > held.tries):
            back_at = time.time()
        if poll_page and time.time() - polled_at >= 1:
            polled_at = time.time()
            browser.get(page)  # the learner's page polls once a second
        if time.time() - killed_at > DEADLINE_S:
            raise SystemExit(f"submission {submission_id} was not graded in time")
        time.sleep(0.2)
    if row.status != "graded" or row.tries != held.tries + 1:
        raise SystemExit(f"submission {submission_id}: {row.status}, {row.tries} tries")
    lease_left = held.lease_until.timestamp() - killed_at
    back = (back_at or time.time()) - killed_at
    graded = row.finished_at.timestamp() - killed_at
    return {
        "lease_left_s": round(lease_left, 1),
        "back_in_queue_s": round(back, 1),
        "graded_s": round(graded, 1),
        "after_lease_s": round(back - lease_left, 1),  # waiting for a recovery run
        "regrade_s": round(graded - back, 1),  # sent, taken, graded
    }


def measure_threads(workdir: Path, lake: Path, options: dict, runs: int) -> list[dict]:
    """Kill the web process mid-grade and start it again at once, ``runs`` times."""
    options = options | {"backend": "threads"}
    site = Site(workdir, options)
    port = free_port()
    web = start_web(workdir, port, options)
    results = []
    try:
        browser = Browser(port)
        wait_for(lambda: browser.get("/login") == 200, "the web process")
        browser.sign_in()
        for _ in range(runs):
            wait_for(lambda: browser.get(f"/exercises/{EXERCISE}") == 200, "the web process")
            time.sleep(2)  # opening the page started a kernel booting: let it finish

            def kill():
                nonlocal web
                web.kill()
                killed_at = time.time()
                web.wait()
                web = start_web(workdir, port, options)  # the supervisor restarts it
                return killed_at

            results.append(one_grade_killed(site, browser, lake, kill, poll_page=True))
            click.echo(f"threads: {results[-1]}")
    finally:
        _stop(web)
    return results


def measure_celery(workdir: Path, lake: Path, options: dict, runs: int) -> list[dict]:
    """Kill the Celery worker grading a submission, another worker running, ``runs`` times."""
    port = free_port()
    redis_dir = workdir / "redis"
    redis_dir.mkdir(exist_ok=True)
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(redis_dir)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    options = options | {"backend": "celery", "broker": f"redis://127.0.0.1:{port}/0"}
    site = Site(workdir, options)
    web_port = free_port()
    web = start_web(workdir, web_port, options)
    workers = [start_worker(workdir, f"w{n}", options) for n in range(2)]
    results = []
    try:
        browser = Browser(web_port)
        wait_for(lambda: browser.get("/login") == 200, "the web process")
        browser.sign_in()
        for run in range(runs):

            def kill():
                busy = wait_for(lambda: [w for w in workers if _busy(w[1])], "the grader")
                holder = busy[0]
                holder[0].kill()
                killed_at = time.time()
                holder[0].wait()
                workers.remove(holder)
                return killed_at

            phase = random.uniform(0, options["every"])  # where the lease ends in the period
            results.append(one_grade_killed(site, browser, lake, kill, False, phase))
            click.echo(f"celery: {results[-1]}")
            workers.append(start_worker(workdir, f"w{run + 2}", options))  # two again
    finally:
        for process, _ in workers:
            _stop(process)
        _stop(web)
        redis.kill()
    return results


def summary(results: list[dict]) -> dict:
    """Medians (and the spread) of each time."""
    return {
        key: {
            "median": round(statistics.median(r[key] for r in results), 1),
            "min": min(r[key] for r in results),
            "max": max(r[key] for r in results),
        }
        for key in results[0]
    }


def prepare(workdir: Path, total: int) -> Path:
    """The lake, the exercise and the learner; the lake's build folder."""
    lake = build_lake(workdir / "lake", seed=42, scale=1).lake.resolve()
    folder = workdir / "exercises" / EXERCISE
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text(_exercise_yaml(total))
    (folder / "starter.ipynb").write_bytes(_notebook("answer_q1 = None"))
    (folder / "solution.ipynb").write_bytes(_notebook("answer_q1 = 42"))
    app = create_app(settings(workdir, {"every": 0, "margin": 120, "backend": "threads"}),
                     instance_path=str(workdir / "inst"))  # fmt: skip
    with app.app_context():
        from app.accounts.services import create_user

        db.create_all()
        create_user(EMAIL, "Bench", password=PASSWORD)
        db.session.commit()
    return lake


@click.group()
def cli() -> None:
    """Recovery after a killed grader, measured end to end."""


@cli.command()
@click.option("--runs", default=3, show_default=True)
@click.option("--margin", default=120, show_default=True, help="ACADEMY_LEASE_MARGIN_SECONDS")
@click.option("--every", default=60, show_default=True, help="ACADEMY_RECOVERY_SECONDS")
@click.option("--total", default=60, show_default=True, help="The exercise's total_seconds.")
@click.option("--backend", type=click.Choice(["threads", "celery", "both"]), default="both")
@click.option("--out", type=click.Path(path_type=Path), default=None)
def measure(runs: int, margin: int, every: int, total: int, backend: str, out: Path | None):
    """Kill graders mid-grade and time each submission's way back to a grade."""
    workdir = Path(tempfile.mkdtemp(prefix="academy-recovery-bench-"))
    workdir.chmod(0o755)
    lake = prepare(workdir, total)
    options = {"margin": margin, "every": every}
    report: dict = {"settings": {"margin_s": margin, "every_s": every, "total_seconds": total}}
    if backend in ("threads", "both"):
        report["threads"] = summary(measure_threads(workdir, lake, options, runs))
    if backend in ("celery", "both"):
        report["celery"] = summary(measure_celery(workdir, lake, options, runs))
    click.echo(json.dumps(report, indent=2))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))


@cli.command()
@click.option("--workdir", type=click.Path(path_type=Path), required=True)
@click.option("--port", type=int, required=True)
@click.option("--options", required=True, help="JSON: margin, every, backend, broker.")
def serve(workdir: Path, port: int, options: str) -> None:
    """The web process (used by ``measure``): the site on the threads or celery backend."""
    chosen = json.loads(options)
    config = settings(workdir, chosen) | {
        "WTF_CSRF_ENABLED": False,
        "ACADEMY_KERNEL_POOL": 1 if chosen["backend"] == "threads" else 0,
        "ACADEMY_GRADING_WORKERS": 1,
    }
    app = create_app(config, instance_path=str(workdir / "inst"))
    app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    cli()
