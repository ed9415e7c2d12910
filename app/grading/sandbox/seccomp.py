"""A seccomp filter for the bubblewrap sandbox: refuse the system calls a notebook never needs.

Two reasons for each refusal:

- memory outside the kernel's limits: ``memfd_create`` and SysV ``shmget``
  make memory that RLIMIT_AS does not count (the tmpfs mounts are
  size-capped instead);
- the network, where no network namespace hides the host's (the fallback
  without bubblewrap): no sockets but local, netlink (ZeroMQ reads the
  interfaces through it) and TCP ones, whose bind and connect Landlock refuses;
  and once the kernel has booted, ``seal_program()`` refuses connect()
  altogether, so not even a local socket (PostgreSQL's, Redis's) is reached;
- attack surface: new namespaces (a user namespace would give "root" inside
  it and reach kernel code unprivileged users otherwise cannot),
  mounting, keyrings, BPF, perf events, userfaultfd, io_uring and ptrace;
- links: no symbolic or hard link is made, so a path in a learner's workspace
  always names a file in it (their JupyterLab server, which reads and writes the
  workspace outside the sandbox, is never led elsewhere by one).

``clone3`` answers ENOSYS, which makes glibc fall back to ``clone``, whose
flags a classic BPF filter can inspect (clone3 passes them in memory). System
calls of a foreign ABI (32-bit or x32 on x86-64) are refused outright, since
their numbers differ. Only x86-64 and aarch64 are known; elsewhere there is no
filter and ``program()`` returns None.
"""

from __future__ import annotations

import errno
import platform
import struct

_LD_ABS_W, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_X32_BIT = 0x40000000
_NEW_NAMESPACES = (
    0x7E020000  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
)

_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_NUMBERS: dict[str, tuple[int, int | None]] = {
    # name: (x86_64, aarch64)
    "memfd_create": (319, 279),
    "shmget": (29, 194),
    "unshare": (272, 97),
    "setns": (308, 268),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "open_tree": (428, 428),
    "move_mount": (429, 429),
    "fsopen": (430, 430),
    "fsconfig": (431, 431),
    "fsmount": (432, 432),
    "fspick": (433, 433),
    "mount_setattr": (442, 442),
    "keyctl": (250, 219),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    "ptrace": (101, 117),
    "symlinkat": (266, 36),
    "linkat": (265, 37),
    # Only x86-64 still has the old forms; aarch64 has just the *at ones.
    "symlink": (88, None),
    "link": (86, None),
}
_CLONE = (56, 220)
_CLONE3 = (435, 435)
_SOCKET = (41, 198)
_CONNECT = (42, 203)
SECCOMP_SYSCALL = {"x86_64": 317, "aarch64": 277}
_AF_UNIX, _AF_INET, _AF_NETLINK, _AF_INET6 = 1, 2, 16, 10
_SOCK_STREAM, _SOCK_TYPE_MASK = 1, 0xF  # the type without SOCK_NONBLOCK and SOCK_CLOEXEC
_ALU_AND_K = 0x54


def program(machine: str | None = None) -> bytes | None:
    """The filter as bwrap's --seccomp reads it (struct sock_filter[]), or None if unknown."""
    machine = machine or platform.machine()
    if machine not in _ARCH:
        return None
    column = 0 if machine == "x86_64" else 1
    denied = [numbers[column] for numbers in _NUMBERS.values() if numbers[column] is not None]
    code: list[tuple[int, str | int, str | int, int]] = [
        (_LD_ABS_W, 0, 0, 4),  # seccomp_data.arch
        (_JEQ, 0, "deny", _ARCH[machine]),
        (_LD_ABS_W, 0, 0, 0),  # seccomp_data.nr
    ]
    if machine == "x86_64":
        code.append((_JGE, "deny", 0, _X32_BIT))
    code += [(_JEQ, "deny", 0, number) for number in denied]
    code += [
        (_JEQ, "nosys", 0, _CLONE3[column]),
        (_JEQ, "socket", 0, _SOCKET[column]),
        (_JEQ, "clone", "allow", _CLONE[column]),
    ]
    # args[0], its low half (little-endian): clone's flags, socket's address family (an int).
    labels = {"clone": len(code)}
    code += [(_LD_ABS_W, 0, 0, 16), (_JSET, "deny", "allow", _NEW_NAMESPACES)]
    labels["socket"] = len(code)
    code += [
        (_LD_ABS_W, 0, 0, 16),
        (_JEQ, "allow", 0, _AF_UNIX),
        (_JEQ, "allow", 0, _AF_NETLINK),
        (_JEQ, "stream", 0, _AF_INET),
        (_JEQ, "stream", "deny", _AF_INET6),
    ]
    labels["stream"] = len(code)  # an IP socket: TCP only (no UDP, raw or ICMP)
    code += [
        (_LD_ABS_W, 0, 0, 24),  # args[1], the socket type
        (_ALU_AND_K, 0, 0, _SOCK_TYPE_MASK),
        (_JEQ, "allow", "deny", _SOCK_STREAM),
    ]
    labels |= {"allow": len(code), "deny": len(code) + 1, "nosys": len(code) + 2}
    code += [
        (_RET, 0, 0, _ALLOW),
        (_RET, 0, 0, _ERRNO | errno.EPERM),
        (_RET, 0, 0, _ERRNO | errno.ENOSYS),
    ]
    return b"".join(_encode(i, op, labels) for i, op in enumerate(code))


def seal_program(machine: str | None = None) -> bytes | None:
    """A second filter, loaded by the set-up cell: connect() is refused from then on.

    Loaded after boot because the kernel connects to its own ZeroMQ socket
    while it starts; learners' code only ever runs after it.
    """
    machine = machine or platform.machine()
    if machine not in _ARCH:
        return None
    column = 0 if machine == "x86_64" else 1
    code: list[tuple[int, str | int, str | int, int]] = [
        (_LD_ABS_W, 0, 0, 4),
        (_JEQ, 0, "deny", _ARCH[machine]),
        (_LD_ABS_W, 0, 0, 0),
        (_JEQ, "deny", "allow", _CONNECT[column]),
    ]
    labels = {"allow": len(code), "deny": len(code) + 1}
    code += [(_RET, 0, 0, _ALLOW), (_RET, 0, 0, _ERRNO | errno.EPERM)]
    return b"".join(_encode(i, op, labels) for i, op in enumerate(code))


def _encode(index: int, op: tuple[int, str | int, str | int, int], labels: dict[str, int]) -> bytes:
    """One struct sock_filter, with jump labels turned into forward offsets."""
    code, true, false, k = op

    def offset(target: str | int) -> int:
        if isinstance(target, int):
            return target
        jump = labels[target] - index - 1
        if not 0 <= jump <= 255:
            raise ValueError("seccomp jump out of range")
        return jump

    return struct.pack("=HBBI", code, offset(true), offset(false), k)
