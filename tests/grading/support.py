"""Helpers for the grading tests: exercises and notebooks, stand-in executors, sandbox sites.

Constants and builders live here, fixtures in the conftest.py files, so no test
module imports another or a conftest. The sandbox helpers check every run
against a fingerprint of a fake lake and a fake instance folder (secret key,
app database, exercises with solutions, another learner's scratch file), so an
attack that "fails" but still changes a file is caught.

``run_in_process`` is a kernel-less executor for fast tests of the pipeline:
it runs set-up, the notebook's code cells and the export with ``exec`` in
this process. The local runner (a real kernel, no sandbox) is used where the
kernel itself matters; those tests are marked slow.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import duckdb
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from app.config import PROJECT_ROOT
from app.grading.grader.grade import grade
from app.grading.sandbox import cgroup, forkserver, leftovers
from app.grading.sandbox.cells import ENV_ANSWERS, ENV_LAKE, ENV_SCRATCH
from app.grading.sandbox.command import bwrap_problem
from app.grading.sandbox.contract import Execution, Limits
from app.grading.sandbox.execute import execute
from app.grading.sandbox.owner import Owner, process_at
from app.grading.sandbox.pool import KernelPool
from tests.factories import PASSWORD, make_module, make_user

SIMPLE_YAML = """\
title: Simple
module: SQ101
questions:
  - id: q1
    points: 2
    kind: sql
    prompt: Every product code.
    reference: SELECT product_code FROM trusted.product
  - id: q2
    points: 1
    kind: value
    prompt: How many products are there?
    reference: SELECT count(*) FROM trusted.product
    hints: [Count the rows of trusted.product., Use count(*).]
"""
SIMPLE_SOLUTION = {
    "q1": 'answer_q1 = "SELECT product_code FROM trusted.product"',
    "q2": 'answer_q2 = lake.execute("SELECT count(*) FROM trusted.product").fetchall()[0][0]',
}
SIMPLE_STARTER = {"q1": 'answer_q1 = ""', "q2": "answer_q2 = None"}


def answer_cell(qid: str, source: str) -> nbformat.NotebookNode:
    """A code cell tagged as the answer cell of ``qid``."""
    cell = new_code_cell(source)
    cell.metadata["academy"] = {"answer": qid}
    return cell


def make_notebook(answers: dict[str, str], intro: str = "# Exercise") -> nbformat.NotebookNode:
    """A notebook with an intro, a set-up cell and one answer cell per question."""
    cells = [new_markdown_cell(intro), new_code_cell("x = 1")]
    cells += [answer_cell(qid, source) for qid, source in answers.items()]
    return new_notebook(cells=cells)


def notebook_bytes(answers: dict[str, str], **kwargs) -> bytes:
    """``make_notebook(answers)`` as the bytes of an .ipynb file."""
    return nbformat.writes(make_notebook(answers, **kwargs)).encode()


@dataclass
class FakeExecution:
    """The executor's result, as the fakes below produce it."""

    notebook: nbformat.NotebookNode
    answers_dir: Path
    status: str = "completed"
    failed_cells: list[int] = field(default_factory=list)
    message: str = ""
    sandbox: str = "in-process"
    elapsed_s: float = 0.0


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_in_process(
    notebook, *, lake_dir, scratch_dir, work_dir, limits, setup_source, export_source, sandbox
):
    """A kernel-less executor: exec each cell in one namespace, recording failures."""
    started = time.monotonic()
    answers = work_dir / "answers"
    answers.mkdir(parents=True)
    scratch_dir.mkdir(parents=True, exist_ok=True)
    namespace: dict = {"__name__": "__main__"}
    failed = []
    env = {ENV_LAKE: str(lake_dir), ENV_SCRATCH: str(scratch_dir), ENV_ANSWERS: str(answers)}
    with _environment(env):
        exec(setup_source, namespace)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            try:
                exec(cell.source, namespace)
            except Exception:
                failed.append(index)
        exec(export_source, namespace)
        namespace["lake"].close()
    return FakeExecution(
        notebook, answers, failed_cells=failed, elapsed_s=time.monotonic() - started
    )


def answers_json(folder: Path) -> dict[str, dict]:
    """The JSON answers an export wrote, by question id."""
    return {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}


# The site's tests: the shipped exercise they upload to.
EXERCISES = PROJECT_ROOT / "exercises"
EXERCISE = "sq101-first-queries"


def signed_in_learner(app):
    """A test client signed in as a learner, on a site with the shipped exercise's module."""
    with app.app_context():
        make_module("SQ101")
        make_user("ana@example.com")
    client = app.test_client()
    client.post("/login", data={"email": "ana@example.com", "password": PASSWORD})
    return client


def upload(client, data=b'{"cells": []}', name="mine.ipynb"):
    """Post a notebook to the exercise's upload endpoint, as the exercise page does."""
    return client.post(
        f"/exercises/{EXERCISE}/submissions",
        data={"notebook": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


# The sandboxed executor's tests: a fake site and cells to run in bubblewrap.
FAST = Limits(cell_seconds=2, total_seconds=8, memory_mb=256, processes=64)
# FAST's kernel (so pooled kernels fit) with clocks no machine comes near: a test
# of another limit (memory, output, system calls) is then never won by the clock
# when the machine is busy. Tests of the clocks pass FAST itself.
ROOMY = dataclasses.replace(FAST, cell_seconds=60, total_seconds=120)
SETUP = """\
import os, duckdb
lake = duckdb.connect(os.path.join(os.environ['ACADEMY_LAKE'], 'lake.duckdb'), read_only=True)
"""
EXPORT = """\
import json as _json, os as _os
with open(_os.path.join(_os.environ['ACADEMY_ANSWERS'], 'answer.json'), 'w') as _f:
    _json.dump(globals().get('answer'), _f)
"""


def require_bwrap() -> None:
    """Fail on CI, skip elsewhere, when bubblewrap is missing or broken."""
    problem = bwrap_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)  # CI installs bubblewrap; a skip there would hide that
        pytest.skip(problem)


def require_fork_server() -> None:
    """Fail on CI (which runs as root), skip elsewhere, where kernels cannot be forked."""
    require_bwrap()
    if not forkserver.usable("bwrap"):
        why = "the fork server needs root: each kernel it forks takes a uid of its own"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@contextlib.contextmanager
def temporary_site() -> Iterator[dict[str, Path]]:
    """A tiny lake (a table and a view over a CSV by absolute path) and a fake instance.

    Not under pytest's tmp_path, which only root may enter: the fallback's
    kernel runs as another uid on the host's file system, like a real lake's.
    """
    root = Path(tempfile.mkdtemp(prefix="academy-executor-"))
    root.chmod(0o755)
    try:
        yield _build_site(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _build_site(root: Path) -> dict[str, Path]:
    """Write the lake, the instance folder and an exercise under ``root``."""
    lake = root / "instance" / "lake"
    (lake / "raw").mkdir(parents=True)
    (lake / "raw" / "numbers.csv").write_text("n\n1\n2\n3\n")
    # Careless permissions: only the read-only mount keeps this file safe.
    (lake / "raw" / "careless.csv").write_text("n\n1\n")
    (lake / "raw" / "careless.csv").chmod(0o666)
    with duckdb.connect(str(lake / "lake.duckdb")) as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(10)")
        con.execute(f"CREATE VIEW csv_numbers AS SELECT * FROM read_csv('{lake}/raw/numbers.csv')")
    instance = root / "instance"
    (instance / "secret_key").write_text("s3cret-key")
    (instance / "secret_key").chmod(0o600)
    (instance / "academy.sqlite").write_bytes(b"SQLite format 3\0 fake")
    (instance / "scratch").mkdir()
    (instance / "scratch" / "bob.duckdb").write_bytes(b"bob's tables")
    exercises = root / "exercises" / "sq101"
    exercises.mkdir(parents=True)
    (exercises / "solution.py").write_text("answer = 42")
    return {"root": root, "lake": lake, "instance": instance, "exercises": exercises}


def fingerprint(*folders: Path) -> str:
    """A hash of every file's path, mode and content under ``folders``."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            digest.update(f"{path}:{path.lstat().st_mode}".encode())
            if path.is_file() and not path.is_symlink():
                digest.update(path.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def warm_pool(site: dict[str, Path], fork_server: bool = True) -> Iterator[KernelPool]:
    """Warm bubblewrap kernels for FAST runs on the tiny lake (forked where root may)."""
    require_bwrap()
    kernels = KernelPool(site["lake"], FAST, size=2, sandbox="bwrap", fork_server=fork_server)
    kernels.start()
    try:
        yield kernels
    finally:
        kernels.close()


@contextlib.contextmanager
def checked_runner(
    site: dict[str, Path], pool: KernelPool, tmp_path: Path
) -> Iterator[Callable[..., Execution]]:
    """Run cells (strings) in the bubblewrap sandbox; the site must be unchanged after."""
    before = fingerprint(site["root"])

    def runner(*cells: str, limits: Limits = ROOMY, **options) -> Execution:
        options.setdefault("pool", pool)
        options.setdefault("sandbox", "bwrap")
        nb = new_notebook(cells=[new_code_cell(source) for source in cells])
        return execute(
            nb,
            lake_dir=site["lake"],
            work_dir=tmp_path / "work",
            limits=limits,
            setup_source=options.pop("setup", SETUP),
            export_source=options.pop("export", EXPORT),
            **options,
        )

    yield runner
    assert fingerprint(site["root"]) == before


def text(execution: Execution, cell: int) -> str:
    """Everything a cell printed (stdout, stderr and error names)."""
    parts = []
    for out in execution.notebook.cells[cell].get("outputs", []):
        parts.append(out.get("text") or f"{out.get('ename')}: {out.get('evalue')}")
    return "".join(parts)


def answer(execution: Execution):
    """The exported answer, or None when nothing was exported."""
    path = execution.answers_dir / "answer.json"
    return json.loads(path.read_text()) if path.exists() else None


def processes_of(uid: int) -> list[int]:
    """Pids of live (not zombie) processes running as ``uid``.

    Orphans of a fallback kernel are reparented to the host's init, which may
    take a while to reap them; a zombie has already stopped running.
    """
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if int(fields["Uid"].split()[0]) == uid and not fields["State"].startswith("Z"):
            found.append(int(status.parent.name))
    return found


def descendants(pid: int) -> list[int]:
    """Pids of the live processes started by ``pid``, their children, and so on."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] not in ("Z", "X"):
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class RecordingQueue:
    """A grading queue that only remembers the submissions sent to it, and sent again."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.requeued: list[int] = []

    def submit(self, submission_id: int) -> None:
        self.sent.append(submission_id)

    def requeue(self, submission_id: int) -> None:
        self.requeued.append(submission_id)

    def warm(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


def grade_answers(exercise, lake_dir, answers: dict[str, str], attempt: int = 1, failures=None):
    """Grade, with the in-process executor, a notebook whose answer cells hold ``answers``."""
    return grade(
        exercise,
        notebook_bytes(answers),
        execute=run_in_process,
        lake_dir=lake_dir,
        attempt=attempt,
        failures=failures,
    )


def dead_owner() -> Owner:
    """The identity of a process that ran a moment ago and has now gone (reaped)."""
    with subprocess.Popen(["sleep", "30"]) as child:
        owner = process_at(child.pid)
        child.kill()
    assert owner is not None
    return owner


@contextlib.contextmanager
def private_cgroup() -> Iterator[Path | None]:
    """A memory cgroup of the test's own (None where there are none) for processes to start in.

    Their kernels' cgroups then go inside it, where no other test's start-up
    can clear them before the test looks; afterwards everything in it is killed
    and removed.
    """
    found = cgroup.layout()
    if found is None:
        yield None
        return
    path = found.parent / f"academy-test-{secrets.token_hex(4)}"
    path.mkdir()
    try:
        yield path
    finally:
        kill_all_in(path)  # first, so none of them makes another cgroup meanwhile
        for inner in path.glob(f"{cgroup.PREFIX}*"):
            leftovers.remove_cgroup(inner)
        leftovers.remove_cgroup(path)


def kill_all_in(path: Path) -> None:
    """SIGKILL every process in a cgroup."""
    with contextlib.suppress(OSError):
        for pid in (path / "cgroup.procs").read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
