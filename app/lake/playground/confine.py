"""Confine a playground worker process: Landlock and resource limits (the third wall).

DuckDB's ``allowed_directories`` lets a query *write* wherever it may read, so
a COPY TO could overwrite lake files if the statement filter ever let one
through. Landlock (Linux 5.13+, no privileges needed) makes the kernel refuse
instead: once a worker is confined it can read only the lake, the Python
installation and a few /proc and /sys files DuckDB needs, write only in the
scratch directory, open no TCP connections and signal no process outside
itself. Confinement cannot be lifted, which is why it happens once, in the
worker, before any query runs. Where Landlock is missing the worker still
runs behind the other two walls, and reports that it is unconfined.
"""

from __future__ import annotations

import os
import resource
import signal
import sysconfig
import threading
from pathlib import Path
from typing import Any

from app.lake.playground.types import PlaygroundSettings
from app.landlock import landlock_abi, restrict

# Read-only system files DuckDB consults when it starts an instance (CPU count,
# cgroup memory), and time zone data; nothing here is secret.
SYSTEM_READS = (
    "/sys/devices/system/cpu",
    "/sys/fs/cgroup",
    "/proc/stat",
    "/proc/meminfo",
    "/proc/self/cgroup",
    "/usr/share/zoneinfo",
    "/etc/localtime",
)
# The worker keeps only what a query could need from the web process's environment
# (which holds the secret key and database passwords).
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")


def confine_worker(settings: PlaygroundSettings) -> dict[str, Any]:
    """Limit this (fresh, single-threaded) worker process; say what was applied."""
    for name in list(os.environ):
        if name not in KEPT_ENVIRONMENT:
            del os.environ[name]
    _set_limits(settings)
    _warm_up()
    report: dict[str, Any] = {"landlock": False, "landlock_abi": landlock_abi()}
    if not settings.confine:
        report["reason"] = "disabled in settings"
    elif not report["landlock_abi"]:
        report["reason"] = "Landlock is not available on this system"
    elif threading.active_count() != 1:
        # Landlock binds the calling thread and its future children only.
        report["reason"] = "the worker already runs other threads"
    else:
        try:
            restrict(read_only=read_only_paths(settings), read_write=[settings.scratch_dir])
            report["landlock"] = True
        except OSError as exc:
            report["reason"] = f"Landlock failed: {exc}"
    return report


def _set_limits(settings: PlaygroundSettings) -> None:
    """Cap file sizes (the scratch quota) and switch off core dumps of learners' data."""
    # Over the cap, writes fail with EFBIG (a clean DuckDB error) instead of a signal.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    quota = settings.scratch_quota_bytes
    resource.setrlimit(resource.RLIMIT_FSIZE, (quota, quota))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _warm_up() -> None:
    """Load what queries import lazily while the Python installation is still readable."""
    # Imported here, not at the top: the web process imports this module too (for
    # KEPT_ENVIRONMENT) and has no use for pyarrow; a worker must load it before Landlock.
    import zoneinfo

    import pyarrow  # noqa: F401 - loaded now, used by DuckDB's Arrow export

    zoneinfo.ZoneInfo("UTC")


def read_only_paths(settings: PlaygroundSettings) -> list[Path]:
    """The lake, the Python installation (for lazy imports) and the system files above."""
    # Here for the same reason as in _warm_up: only a worker asks where they are installed.
    import duckdb
    import pyarrow

    paths = {settings.lake_dir, settings.lake_dir.resolve()}
    if settings.base_lake_dir is not None:
        paths.update({settings.base_lake_dir, settings.base_lake_dir.resolve()})
    paths.update(Path(p) for k, p in sysconfig.get_paths().items() if k.endswith("lib"))
    paths.update(Path(m.__file__).parent.parent for m in (duckdb, pyarrow))
    paths.update(Path(p) for p in SYSTEM_READS)
    # A Python installed at "/" would open everything: never allow the root itself.
    return sorted(p for p in paths if p.exists() and p != Path(p.anchor))
