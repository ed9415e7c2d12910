"""The checking step in a child process of its own: a memory limit, a deadline, Landlock.

Reading a learner's exported answers and re-running their SQL is the part of
grading that handles learner-made data on the trusted side. It runs in a
process forked for the one grade from multiprocessing's fork server (started
once, single-threaded, with the grader already imported, so a fork costs a few
milliseconds), which before it reads anything:

- forgets the parent's environment (secret key, database URL);
- joins a memory cgroup of its own capped at ``CHECK_MEMORY_MB`` where the
  machine allows one (``sandbox.cgroup``), with an address-space limit as the
  backstop elsewhere; may write no file; gets a CPU backstop;
- confines itself with Landlock (``app/landlock.py``): it may read the lake, the
  exported answers, the exercise folder (for ``checks.py``), the Python
  installation and the app's code, and write nowhere, so a learner's SQL that
  got past the statement filter still cannot COPY into or ATTACH the lake.

The parent waits at most ``CHECK_SECONDS`` and then kills it. Whatever goes
wrong in the child comes back as a reason the learner can read.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import sys
import sysconfig
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import app as app_package
from app.grading.exercises.authored import Exercise
from app.grading.grader.exported import read_answers
from app.grading.grader.lakedb import open_lake
from app.grading.grader.questions import grade_question
from app.grading.grader.results import GradingError, QuestionResult
from app.grading.sandbox import cgroup
from app.landlock import landlock_abi, restrict

log = logging.getLogger(__name__)

CHECK_MEMORY_MB = 512
CHECK_SECONDS = 30
DUCKDB_MEMORY = "256MB"  # DuckDB's own cap inside the child, below the address-space limit
# RLIMIT_AS counts reserved address space, not memory: DuckDB, Arrow and pandas
# reserve far more than they use (checking DM201's answers: 2.2 GB more address
# space at the peak, for under 100 MB more resident), so this backstop is generous
# and the cgroup is the real cap.
ADDRESS_SPACE_MB = 4096
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TZ")
# What DuckDB and the time zone code read while they start; nothing secret.
SYSTEM_READS = (
    "/sys/devices/system/cpu", "/sys/fs/cgroup", "/proc/self", "/proc/stat", "/proc/meminfo",
    "/usr/share/zoneinfo", "/etc/localtime",
)  # fmt: skip

# The fork server imports this module once, so each child starts with the grader loaded.
# "__main__" asks it to import the main script once too, but Python 3.11's fork server
# looks for the script's path under a key its preparation data does not use, so each
# child still imports the main script: about 0.1 s more a check under the `flask` and
# `celery` scripts (measured), nothing under `python -m pytest` (a __main__ module is
# skipped).
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["__main__", __name__])


def start_checker() -> None:
    """Start the fork server now (about a second) rather than in the first grade."""
    multiprocessing.forkserver.ensure_running()


@dataclass(frozen=True)
class Checked:
    """What the child sends back: the questions, or why they could not be checked."""

    questions: tuple[QuestionResult, ...] = ()
    broken: str | None = None  # the exercise's fault (a failing reference query)
    refused: str | None = None  # the answer's: too big, too slow, or it crashed the checker
    peak_mb: float = 0.0  # the child's peak resident memory, when it lived to say


def check_answers(
    exercise: Exercise,
    answers_dir: Path | None,
    lake_dir: Path,
    failures: Mapping[str, int],
    seconds: float = CHECK_SECONDS,
) -> Checked:
    """Read and check every answer in a confined child; never raises for the learner's doing."""
    receive, send = _CONTEXT.Pipe(duplex=False)
    memory = cgroup.create(CHECK_MEMORY_MB * 2**20)
    child = _CONTEXT.Process(
        target=_child,
        args=(send, exercise, answers_dir, lake_dir, dict(failures), memory),
        daemon=True,
    )
    try:
        child.start()
        send.close()
        if receive.poll(seconds):
            return receive.recv()
        if child.is_alive():
            return Checked(refused=f"checking the answers took longer than {seconds:g} s")
        return Checked(refused=_death(child))
    except EOFError:  # it died before it could answer
        child.join(5)
        return Checked(refused=_death(child))
    finally:
        receive.close()
        send.close()
        if child.pid is not None:  # it started
            if child.is_alive():
                child.kill()
            child.join(5)
        if memory is not None:
            cgroup.remove(memory)


def _death(child) -> str:
    """Why the checker stopped without an answer, for the learner."""
    if child.exitcode is not None and child.exitcode < 0:
        return (
            f"checking the answers needed more memory than the {CHECK_MEMORY_MB} MB the checker "
            "may use (or more time); make the answer smaller"
        )
    return "the checker stopped unexpectedly while reading the answers"


def _child(
    send,
    exercise: Exercise,
    answers_dir: Path | None,
    lake_dir: Path,
    failures: Mapping[str, int],
    memory: Path | None,
) -> None:
    """In the child: confine, check, send one Checked back."""
    try:
        if memory is not None:  # before anything is allocated, so all of it counts
            (memory / "cgroup.procs").write_text(str(os.getpid()))
        _confine(exercise, answers_dir, lake_dir)
        answers = read_answers(answers_dir, exercise)
        with closing(open_lake(lake_dir, memory_limit=DUCKDB_MEMORY)) as con:
            checked = Checked(
                tuple(grade_question(exercise, q, answers[q.id], con, failures.get(q.id, 0))
                      for q in exercise.questions)
            )  # fmt: skip
    except GradingError as broken:
        checked = Checked(broken=str(broken))
    except MemoryError:
        checked = Checked(
            refused=f"checking the answers needed more memory than the {CHECK_MEMORY_MB} MB "
            "the checker may use; make the answer smaller"
        )
    except RecursionError:
        checked = Checked(refused="the answer is nested too deeply to check")
    except Exception:  # noqa: BLE001 - the learner sees a reason, the log the traceback
        log.exception("checking the answers of %s failed", exercise.id)
        checked = Checked(refused="the checker failed while reading the answers")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    send.send(dataclasses.replace(checked, peak_mb=round(peak, 1)))
    send.close()


def _confine(exercise: Exercise, answers_dir: Path | None, lake_dir: Path) -> None:
    """Scrub the environment, set the limits, and apply Landlock where the kernel has it."""
    for name in list(os.environ):
        if name not in KEPT_ENVIRONMENT:
            del os.environ[name]
    inherited = _address_space()
    limit = inherited + ADDRESS_SPACE_MB * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = CHECK_SECONDS + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    if landlock_abi():
        restrict(read_only=_readable(exercise, answers_dir, lake_dir), read_write=[])


def _address_space() -> int:
    """This process's address space now (VmSize), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _readable(exercise: Exercise, answers_dir: Path | None, lake_dir: Path) -> list[Path]:
    """The lake, the answers, the exercise, Python and the app; never the root itself."""
    paths = {lake_dir, lake_dir.resolve(), exercise.folder, Path(app_package.__file__).parent}
    if answers_dir is not None:
        paths.add(answers_dir)
    paths.update(Path(p) for k, p in sysconfig.get_paths().items() if k.endswith("lib"))
    paths.update(Path(p) for p in (sys.prefix, sys.base_prefix, *SYSTEM_READS))
    return sorted(p for p in paths if p.exists() and p != Path(p.anchor))
