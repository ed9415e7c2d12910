"""Which process made a kernel's run folder or memory cgroup, written into its name.

A process killed with SIGKILL cannot clean up after itself, and several web
processes and workers may share one machine, one temp folder and one cgroup
parent. So every such folder and cgroup is named for its owner, and a process
starting up removes only those whose owner is no longer running.

An owner is a pid and that process's start time (clock ticks after boot,
field 22 of ``/proc/<pid>/stat``): a pid alone may have been given to another
process since, but a pid and a start time name one process for as long as the
machine runs. A name reads ``<prefix><pid>-<start>-<anything>``. Names without
an owner (made by older versions) are never judged stale.

This assumes the processes that share a temp folder share a pid namespace, as
processes on one host or in one container do; containers that share a temp
volume need a TMPDIR each.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
_OWNED = re.compile(r"(\d+)-(\d+)-.")


@dataclass(frozen=True)
class Owner:
    """One process, told apart from any later process given the same pid."""

    pid: int
    start: int  # clock ticks after boot

    def prefix(self, kind: str) -> str:
        """The start of a name this process owns, e.g. ``acx-4182-99123-``."""
        return f"{kind}{self.pid}-{self.start}-"


def owner_in(name: str, kind: str) -> Owner | None:
    """The owner a name records after ``kind`` (its prefix), or None when it records none."""
    if not name.startswith(kind):
        return None
    found = _OWNED.match(name, len(kind))
    return Owner(int(found.group(1)), int(found.group(2))) if found else None


def is_stale(recorded: Owner | None, running: Owner | None) -> bool:
    """Whether what ``recorded`` made is left over: its owner is not the process now at its pid.

    ``running`` is the live process with that pid (None when there is none, or
    only a zombie). Without a recorded owner nothing is known, so nothing is stale.
    """
    return recorded is not None and running != recorded


def start_time(stat: str) -> tuple[str, int]:
    """A process's state letter and start time, from the text of its ``/proc/<pid>/stat``.

    The command name, in parentheses, may hold spaces and parentheses itself,
    so the fields are counted from the last ")".
    """
    fields = stat.rpartition(")")[2].split()
    return fields[0], int(fields[19])  # fields 3 and 22 of proc(5)


def process_at(pid: int) -> Owner | None:
    """The live process with this pid now, or None (no such process, or a zombie)."""
    try:
        state, start = start_time((PROC / str(pid) / "stat").read_text())
    except (OSError, ValueError, IndexError):
        return None
    return None if state in ("Z", "X") else Owner(pid, start)


def this_process() -> Owner:
    """The calling process (read each time: a forked child is another owner)."""
    found = process_at(os.getpid())
    if found is None:
        raise RuntimeError("cannot read this process's start time from /proc")
    return found
