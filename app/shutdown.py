"""SIGTERM ends the process as an exit does, so what it started is stopped and removed.

Python's default for SIGTERM is to die on the spot: no ``atexit`` handler runs, so the
warm kernels' run folders and memory cgroups, and the playground's workers, are left for
the next start to sweep (``grading/sandbox/leftovers.py``). SIGTERM is how honcho (``make
run``), systemd and container runtimes stop a process, so the web process raises
``SystemExit`` instead, and the usual exit path (non-daemon threads finish, then
``atexit``: ``KernelPool.close``, ``Playground.close``) cleans up.

Only where nobody has claimed SIGTERM already: gunicorn's and Celery's workers install
handlers of their own (both end with a normal exit), and those are left alone.
"""

from __future__ import annotations

import signal
import sys
import threading

# What a process killed by SIGTERM reports, so supervisors read the stop the same way.
EXIT_STATUS = 128 + signal.SIGTERM


def _exit(signum: int, frame: object) -> None:
    sys.exit(EXIT_STATUS)


def exit_on_sigterm() -> bool:
    """Make SIGTERM an exit in this process, unless something else handles it; whether
    it now does. Only the main thread may set a handler, so elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return False
    current = signal.getsignal(signal.SIGTERM)
    if current is _exit:
        return True
    if current is not signal.SIG_DFL:
        return False
    signal.signal(signal.SIGTERM, _exit)
    return True
