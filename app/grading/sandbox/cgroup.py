"""A memory cgroup per kernel: one cap on everything the notebook's processes hold together.

RLIMIT_AS (set by prlimit) caps each process's address space, so a notebook
allowed 64 processes could still hold 64 times its allowance. A cgroup caps the
memory the kernel and all its children actually use, including what they write
to the in-memory /scratch and /tmp, and counts the processes the kernel's
out-of-memory killer ends, so a grade can say "out of memory" rather than
"the kernel died".

Used where this process may create child cgroups with a memory limit: cgroup v1's
memory controller (the usual case in containers and VMs that grant it) or a
delegated cgroup v2 subtree. Elsewhere ``available()`` is False and kernels
keep the per-process limits only; the executor says which in its docs.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from app.grading.sandbox.owner import this_process

MOUNT = Path("/sys/fs/cgroup")
# Each cgroup is named for the process that made it (owner.py), so one killed
# before it could remove its cgroups is cleaned up by the next (leftovers.py).
PREFIX = "academy-kernel-"


@dataclass(frozen=True)
class Layout:
    """Where child cgroups go and which files set and report their memory."""

    parent: Path
    limit_file: str  # memory.limit_in_bytes (v1) or memory.max (v2)
    swap_file: str | None  # so swap cannot extend the limit
    events_file: str  # holds an "oom_kill N" line in both versions


def _own_path(controller: str) -> str | None:
    """This process's cgroup path for ``controller`` ("" means the v2 unified hierarchy)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                return path
    return None


def _candidates() -> list[Layout]:
    layouts = []
    v1 = _own_path("memory")
    if v1 is not None and (MOUNT / "memory").is_dir():
        parent = MOUNT / "memory" / v1.lstrip("/")
        layouts.append(
            Layout(
                parent, "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.oom_control"
            )
        )
    v2 = _own_path("")
    if v2 is not None:
        root = MOUNT / "unified" if (MOUNT / "unified").is_dir() else MOUNT
        layouts.append(
            Layout(root / v2.lstrip("/"), "memory.max", "memory.swap.max", "memory.events")
        )
    return layouts


@functools.cache
def layout() -> Layout | None:
    """The first hierarchy where a trial child cgroup accepts a memory limit, or None."""
    for candidate in _candidates():
        trial = candidate.parent / f"{this_process().prefix(PREFIX)}probe{secrets.token_hex(4)}"
        try:
            trial.mkdir()
        except OSError:
            continue
        try:
            (trial / candidate.limit_file).write_text(str(64 * 2**20))
            (trial / candidate.events_file).read_text()
            return candidate
        except OSError:
            continue
        finally:
            with contextlib.suppress(OSError):
                trial.rmdir()
    return None


def available() -> bool:
    """Whether kernels here get a memory cgroup each."""
    return layout() is not None


def create(limit_bytes: int) -> Path | None:
    """A new cgroup capped at ``limit_bytes`` (swap included), or None where unavailable."""
    found = layout()
    if found is None:
        return None
    path = found.parent / f"{this_process().prefix(PREFIX)}{secrets.token_hex(8)}"
    path.mkdir()
    try:
        (path / found.limit_file).write_text(str(limit_bytes))
        if found.swap_file and (path / found.swap_file).exists():
            # v1: memory plus swap, so equal to the limit means no swap; v2: swap alone.
            swap = limit_bytes if found.swap_file.startswith("memory.memsw") else 0
            with contextlib.suppress(OSError):  # swap accounting may be off
                (path / found.swap_file).write_text(str(swap))
    except BaseException:
        remove(path)
        raise
    return path


def enter_command(path: Path, command: list[str]) -> list[str]:
    """``command``, started from inside the cgroup so all it starts is counted from the first.

    A shell moves itself in and then execs the command: no child can be
    forked before the move, as it could if we moved the process afterwards.
    """
    return ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(path), *command]


def oom_kills(path: Path) -> int:
    """How many processes the out-of-memory killer ended in this cgroup."""
    found = layout()
    if found is None:
        return 0
    with contextlib.suppress(OSError, ValueError):
        for line in (path / found.events_file).read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == "oom_kill":
                return int(value)
    return 0


def remove(path: Path, timeout_s: float = 5.0) -> None:
    """Delete the cgroup once its processes have gone (they are being killed)."""
    end = time.monotonic() + timeout_s
    while True:
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > end:
                return  # left behind empty-ish; harmless, and named so it can be found
            time.sleep(0.02)
