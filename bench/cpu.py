"""CPU time of this benchmark and everything it starts, and of nothing else on the machine.

The benchmark moves itself into a CPU-accounting cgroup of its own, so every process it
starts from then on (kernels, their sandboxes, nbgrader's processes) is counted there, and
other load on a shared machine is not. Where no such cgroup can be made (cgroup v2 only,
where moving this process would stop the sandbox from making its kernels' memory cgroups
below it), it falls back to ``getrusage``: this process and every child it has waited
for, which covers kernels once they are stopped.
"""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
from pathlib import Path

CPUACCT = Path("/sys/fs/cgroup/cpuacct")


class CpuMeter:
    """Reads the CPU seconds spent so far by the benchmark's own processes."""

    def __init__(self) -> None:
        self.cgroup: Path | None = None
        self.method = "getrusage (this process and its reaped children)"
        with contextlib.suppress(OSError):
            if (CPUACCT / "cpuacct.usage").is_file():
                group = CPUACCT / f"academy-bench-{os.getpid()}-{secrets.token_hex(4)}"
                group.mkdir()
                try:
                    (group / "cgroup.procs").write_text(str(os.getpid()))
                except OSError:
                    group.rmdir()
                    raise
                self.cgroup = group
                self.method = f"cgroup v1 cpuacct ({group.name})"

    def seconds(self) -> float:
        """CPU seconds (user and system) spent by the benchmark's processes so far."""
        if self.cgroup is not None:
            return int((self.cgroup / "cpuacct.usage").read_text()) / 1e9
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def close(self) -> None:
        """Move back to the parent cgroup and remove the benchmark's own."""
        if self.cgroup is None:
            return
        with contextlib.suppress(OSError):
            for pid in (self.cgroup / "cgroup.procs").read_text().split():
                (CPUACCT / "cgroup.procs").write_text(pid)
            self.cgroup.rmdir()
        self.cgroup = None
