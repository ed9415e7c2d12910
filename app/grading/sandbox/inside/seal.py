"""Runs INSIDE the learner's kernel, first: refuse connect() for the rest of the kernel's life.

Sent as text by the set-up cell, before any of the learner's code. The filter
(``seccomp.seal_program()``) comes on top of the one the kernel started with and
applies to every thread at once (SECCOMP_FILTER_FLAG_TSYNC), so the kernel's
IOPub and control threads are sealed too. Raising here fails the set-up cell,
and so the grade, rather than let a notebook run unsealed.
"""

import ctypes

_SET_MODE_FILTER, _FILTER_FLAG_TSYNC = 1, 1


class _SockFprog(ctypes.Structure):
    """struct sock_fprog: the number of instructions and where they are."""

    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def seal(code, seccomp_syscall):
    """Load ``code`` (struct sock_filter[]) on every thread of this process."""
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    done = libc.syscall(
        ctypes.c_long(seccomp_syscall),
        ctypes.c_long(_SET_MODE_FILTER),
        ctypes.c_long(_FILTER_FLAG_TSYNC),
        ctypes.byref(program),
    )
    if done != 0:
        raise OSError(ctypes.get_errno(), f"the grader could not seal the kernel ({done})")
