"""Landlock: let a process read and write only where it is told (Linux 5.13+, no privileges).

One home for the raw system calls, used by the two places that confine
learners' code without bubblewrap: the playground's worker processes (which
import this module) and the grader's fallback kernels (which run its text
before anything of the learner's, see ``app/grading/sandbox/inside/wall.py``).
It imports only the standard library for that reason. A ruleset, once applied,
binds the calling thread and everything it starts or executes afterwards, and
can never be lifted.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from pathlib import Path

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same on every architecture
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_DIR, MAKE_REG, MAKE_SOCK = 1 << 4, 1 << 5, 1 << 7, 1 << 8, 1 << 9
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1


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


def restrict(read_only: list[Path], read_write: list[Path]) -> None:
    """Apply a Landlock ruleset to this thread and everything it starts afterwards.

    Reading and executing are allowed beneath ``read_only``; creating, writing
    and removing files, folders and local sockets beneath ``read_write`` too. Where the kernel
    supports it, TCP is refused and signals and abstract sockets cannot reach
    outside the ruleset.
    """
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
        writing = reading | WRITE_FILE | MAKE_REG | MAKE_DIR | MAKE_SOCK | REMOVE_FILE | REMOVE_DIR
        writing |= TRUNCATE if abi >= 3 else 0
        for paths, rights in ((read_only, reading), (read_write, writing)):
            for path in paths:
                _allow(libc, ruleset, Path(path), rights & handled)
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
