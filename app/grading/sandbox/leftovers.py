"""Removing the run folders and memory cgroups that killed processes left behind.

A kernel's run folder (``<tmp>/acx-...``), the grader's work folder
(``<tmp>/academy-grade-...``) and the kernel's memory cgroup
(``academy-kernel-...``) are removed when the kernel stops. A process killed
with SIGKILL never gets there, so the next process to start its kernels calls
``sweep``: it removes those whose owner (``owner.py``) has gone and leaves
every other process's alone, whoever else shares the machine.

Only entries this user owns are looked at, so a process that cannot see
another user's processes (``/proc`` mounted with ``hidepid``) never takes
them for dead. Processes still inside a stale cgroup (a kernel that outlived
its parent) are killed first: a cgroup can only be removed empty.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.grading.sandbox import cgroup
from app.grading.sandbox.owner import Owner, is_stale, owner_in, process_at

log = logging.getLogger(__name__)

ProcessAt = Callable[[int], Owner | None]


@dataclass
class Swept:
    """What one sweep removed, and the stale cgroups it could not."""

    folders: list[Path] = field(default_factory=list)
    cgroups: list[Path] = field(default_factory=list)
    stuck: list[Path] = field(default_factory=list)


def stale_entries(parent: Path, kind: str, looked_up: ProcessAt = process_at) -> list[Path]:
    """The directories in ``parent`` named ``kind...`` whose recorded owner has gone.

    Only directories of this user, so another user's are never judged; a
    missing ``parent`` has none.
    """
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if not entry.name.startswith(kind):
                continue
            with contextlib.suppress(OSError):
                details = entry.stat(follow_symlinks=False)
                if not stat.S_ISDIR(details.st_mode) or details.st_uid != os.geteuid():
                    continue
                recorded = owner_in(entry.name, kind)
                if recorded is not None and is_stale(recorded, looked_up(recorded.pid)):
                    found.append(Path(entry.path))
    return sorted(found)


def remove_cgroup(path: Path, wait_s: float = 5.0) -> bool:
    """Kill what still runs in a stale cgroup, then remove it; whether it is gone."""
    with contextlib.suppress(OSError, ValueError):
        for pid in (path / "cgroup.procs").read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
    cgroup.remove(path, timeout_s=wait_s)
    return not path.exists()


def sweep(
    tmp_dir: Path,
    kinds: Iterable[str],
    cgroup_parent: Path | None,
    looked_up: ProcessAt = process_at,
) -> Swept:
    """Remove the folders named ``kinds`` in ``tmp_dir``, and the kernel cgroups in
    ``cgroup_parent``, that processes no longer running left behind."""
    swept = Swept()
    if looked_up(os.getpid()) is None:
        log.warning("cannot read /proc: left kernel folders and cgroups where they are")
        return swept  # every owner would look dead, the live ones too
    for kind in kinds:
        for folder in stale_entries(tmp_dir, kind, looked_up):
            shutil.rmtree(folder, ignore_errors=True)
            swept.folders.append(folder)
    if cgroup_parent is not None:
        for path in stale_entries(cgroup_parent, cgroup.PREFIX, looked_up):
            (swept.cgroups if remove_cgroup(path) else swept.stuck).append(path)
    return swept


def report(swept: Swept) -> None:
    """Log what a sweep did, for admins wondering where a temp folder went."""
    if swept.folders or swept.cgroups:
        log.info(
            "removed %d kernel folders and %d memory cgroups left by processes that had died",
            len(swept.folders),
            len(swept.cgroups),
        )
    for path in swept.stuck:
        log.warning("could not remove the memory cgroup %s: processes are still in it", path)
