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

import contextlib
import ctypes
import os
import resource
import signal
import sys
import sysconfig
import threading
from pathlib import Path
from typing import Any

from app.lake.playground.types import PlaygroundSettings

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same on every architecture
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_FILE, MAKE_REG = 1 << 5, 1 << 8
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1

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


class _RulesetAttr(ctypes.Structure):
    """struct landlock_ruleset_attr (fields the running kernel does not know are cut by size)."""

    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    """struct landlock_path_beneath_attr (packed, as the kernel declares it)."""

    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    """The C library, for the raw Landlock system calls and prctl."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 where Landlock is unavailable."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        version = _libc().syscall(
            _CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION
        )
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


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
    paths.update(Path(p) for k, p in sysconfig.get_paths().items() if k.endswith("lib"))
    paths.update(Path(m.__file__).parent.parent for m in (duckdb, pyarrow))
    paths.update(Path(p) for p in SYSTEM_READS)
    # A Python installed at "/" would open everything: never allow the root itself.
    return sorted(p for p in paths if p.exists() and p != Path(p.anchor))


def restrict(read_only: list[Path], read_write: list[Path]) -> None:
    """Apply a Landlock ruleset to this thread and everything it starts afterwards."""
    abi = landlock_abi()
    libc = _libc()
    handled = (1 << 13) - 1 | (REFER if abi >= 2 else 0)
    handled |= (TRUNCATE if abi >= 3 else 0) | (IOCTL_DEV if abi >= 5 else 0)
    net = _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0
    scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    attr = _RulesetAttr(handled, net, scoped)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _check(libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0))
    try:
        reading = READ_FILE | READ_DIR | EXECUTE
        writing = reading | WRITE_FILE | MAKE_REG | REMOVE_FILE | (TRUNCATE if abi >= 3 else 0)
        for paths, rights in ((read_only, reading), (read_write, writing)):
            for path in paths:
                _allow(libc, ruleset, path, rights & handled)
        _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        _check(libc.syscall(_RESTRICT_SELF, ruleset, 0))
    finally:
        os.close(ruleset)


def _allow(libc: ctypes.CDLL, ruleset: int, path: Path, rights: int) -> None:
    """Add one path-beneath rule granting ``rights`` under ``path``."""
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not path.is_dir():
            rights &= _FILE_RIGHTS  # directory rights on a file are an error
        rule = _PathBeneathAttr(rights, fd)
        _check(libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0))
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def _check(result: int) -> int:
    """Raise OSError for a failed system call (a negative result)."""
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result
