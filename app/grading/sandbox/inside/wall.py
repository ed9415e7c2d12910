"""Runs as the fallback kernel's first program: confine, then become the kernel.

Where bubblewrap is missing, nothing hides the host's files or network from a
kernel, so this takes its place as far as an unprivileged process can:
Landlock (``app/landlock.py``, given as ``landlock``) lets the kernel read only
the Python installation, the system files it needs and the lake, and write only
its own run folder, so the exercises' checks and solutions, the instance folder
(database, secrets) and the app stay unreadable; then the seccomp filter read
from ``--seccomp-fd`` refuses every socket but a local one and every connect(),
so no database, Redis or network service can be reached. Only then does it
execute the kernel, which inherits both and can never lift them.

Sent as text and run with ``python -I -S``, so it imports only the standard
library. It refuses to start the kernel (exit 126, with the reason on stderr)
rather than run it unconfined.
"""

import ctypes
import os
import sys

_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
REFUSED = 126


class _SockFprog(ctypes.Structure):
    """struct sock_fprog: the number of instructions and where they are."""

    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _parse(argv):
    """(read-only paths, writable paths, seccomp fd or None, the kernel's command)."""
    reads, writes, seccomp_fd = [], [], None
    i = 0
    while i < len(argv) and argv[i] != "--":
        option, value = argv[i], argv[i + 1]
        if option == "--read":
            reads.append(value)
        elif option == "--write":
            writes.append(value)
        elif option == "--seccomp-fd":
            seccomp_fd = int(value)
        else:
            raise SystemExit(f"wall: unknown option {option}")
        i += 2
    return reads, writes, seccomp_fd, argv[i + 1 :]


def _read_all(fd):
    """Everything the pipe holds (the filter is a few hundred bytes)."""
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def _install_seccomp(code):
    """Load the filter into this process; it then applies to everything it executes."""
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp filter refused")


def _refuse(reason):
    """Stop here, before the kernel runs: the kernel's boot log shows the reason."""
    sys.stderr.write(f"academy sandbox: the fallback kernel was not started: {reason}\n")
    sys.stderr.flush()
    os._exit(REFUSED)


def main(argv, landlock):
    """Confine this process by ``argv``'s options, then execute the command after ``--``."""
    reads, writes, seccomp_fd, command = _parse(argv)
    if not command:
        _refuse("no kernel command given")
    if not landlock.landlock_abi():
        _refuse("Landlock is not available (Linux 5.13 or newer is needed without bubblewrap)")
    try:
        landlock.restrict([p for p in reads if os.path.exists(p)], writes)
        if seccomp_fd is not None:
            _install_seccomp(_read_all(seccomp_fd))
    except OSError as exc:
        _refuse(f"confinement failed: {exc}")
    os.execv(command[0], command)
