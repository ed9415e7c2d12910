"""The fork server's host side: start it, ask it for kernels, and know each one by its pid.

A kernel started on its own spends about a second of CPU importing ipykernel, DuckDB,
pandas and pyarrow before it can grade anything. The fork server (``inside/zygote.py``)
imports them once, inside a bubblewrap sandbox of its own, and forks a kernel per
request; each forked kernel builds its own walls before it runs (its own mount, PID,
network and IPC namespaces, in-memory /tmp, /scratch and /answers, a uid of its own, no
capabilities, the same resource limits, seccomp filter and memory cgroup as any graded
kernel), so nothing is shared between two kernels but the read-only pages of what was
imported.

The host learns each kernel's pid from the kernel-checked credentials on its report
(``SO_PASSCRED``), watches it through a pidfd (it is not our child), reads its answers
through ``/proc/<pid>/root`` and kills it as any sandboxed kernel is killed. Only where
kernels can get a uid each (we are root) and bubblewrap works; elsewhere the pool starts
kernels one by one as before. Lab kernels never come from here: they belong to a learner.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
from pathlib import Path

from app.grading.sandbox import cgroup, command, seccomp
from app.grading.sandbox.contract import ANSWERS_PATH, BWRAP, ExecutorError, Limits
from app.grading.sandbox.kernel import (
    RUN_PREFIX,
    OutputTail,
    SandboxedKernel,
    bwrap_child_pid,
    cgroup_bytes,
    connection_info,
    private_dir,
    write_connection,
)
from app.grading.sandbox.owner import this_process

ZYGOTE = Path(__file__).parent / "inside" / "zygote.py"
READY_TIMEOUT_S = 60.0  # the imports, on a loaded 2-core machine
SPAWN_TIMEOUT_S = 10.0
_UCRED = struct.Struct("iII")  # struct ucred: pid, uid, gid


def usable(mode: str) -> bool:
    """Whether kernels can come from a fork server here: bubblewrap, as root."""
    return mode == BWRAP and command.can_switch_uid()


class ForkedProcess:
    """A forked kernel's first process, seen from the host: not our child, so a pidfd.

    Offers what the executor uses of ``subprocess.Popen``: ``poll``, ``wait``, ``kill``
    and ``returncode`` (-1 once it has gone: a non-child's exit status cannot be read).
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._fd: int | None = os.pidfd_open(pid)

    def poll(self) -> int | None:
        """None while it runs, else its (unknown) return code."""
        if self._fd is not None and select.select([self._fd], [], [], 0)[0]:
            self._gone()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for it to end; TimeoutExpired if it does not in ``timeout`` seconds."""
        if self._fd is not None:
            if not select.select([self._fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            self._gone()
        return self.returncode if self.returncode is not None else -1

    def kill(self) -> None:
        """SIGKILL, through the pidfd (never a pid reused since)."""
        if self._fd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._fd, signal.SIGKILL)

    def _gone(self) -> None:
        self.returncode = -1
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class ForkServer:
    """One fork server for one lake and one set of kernel-side limits."""

    def __init__(self, lake_dir: Path, limits: Limits) -> None:
        """Nothing starts until ``start``."""
        self.lake_dir = lake_dir
        self.limits = limits
        self.run_dir: Path | None = None
        self.process: subprocess.Popen | None = None
        self.output: OutputTail | None = None
        self._control: socket.socket | None = None
        self.sandbox_pid: int | None = None  # the host pid of the sandbox's first process
        # bubblewrap's report: open while the server runs (bwrap dies of SIGPIPE otherwise)
        self._info_fd: int | None = None
        self._lock = threading.Lock()  # one request at a time: each waits for its report

    @property
    def kernels_dir(self) -> Path:
        """The host folder holding every kernel's folder (the server's /ipc)."""
        assert self.run_dir is not None
        return self.run_dir / "k"

    def start(self) -> None:
        """Start the server and wait until it has imported everything.

        Call from a long-lived thread: bubblewrap dies with the thread that started it,
        and every kernel with it.
        """
        self.run_dir = Path(tempfile.mkdtemp(prefix=this_process().prefix(RUN_PREFIX)))
        self.run_dir.chmod(0o711)
        self.kernels_dir.mkdir(mode=0o711)
        host, inside = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        host.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        info_read, info_write = os.pipe()
        layout = cgroup.layout()
        argv = command.fork_server_args(
            self.limits,
            self.lake_dir,
            self.kernels_dir,
            info_write,
            layout.parent if layout is not None else None,
        )
        code = seccomp.program()
        config = {
            "preload": [*command.PRELOAD, "ipykernel.kernelapp"],
            "seccomp": code.hex() if code else "",
        }
        launcher = (
            "import sys\n"
            "zygote = {'__name__': 'academy_zygote'}\n"
            f"exec(compile({ZYGOTE.read_text(encoding='utf-8')!r}, 'zygote.py', 'exec'), zygote)\n"
            "zygote['main'](sys.argv[1:])\n"
        )
        argv += [*command.python_args(), "-c", launcher, "--control", str(inside.fileno())]
        argv += ["--config", json.dumps(config)]
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=command.kernel_env("/lake", "/scratch", ANSWERS_PATH, "/tmp"),
                cwd=self.run_dir,
                pass_fds=(info_write, inside.fileno()),
                start_new_session=True,
            )
        except BaseException:
            os.close(info_read)
            host.close()
            self.close()
            raise
        finally:
            os.close(info_write)
            inside.close()
        self.output = OutputTail(self.process.stdout)
        self._control = host
        self._info_fd = info_read
        try:
            self.sandbox_pid = bwrap_child_pid(info_read, READY_TIMEOUT_S)
            message, _ = self._receive(READY_TIMEOUT_S)
            if not message.get("ready"):
                raise ExecutorError(f"the fork server did not start:\n{self.log()}")
        except BaseException:
            self.close()
            raise

    def alive(self) -> bool:
        """Whether the server still runs (and so can fork)."""
        return self.process is not None and self.process.poll() is None

    def log(self, limit: int = 2000) -> str:
        """The end of the server's own output."""
        return self.output.text(limit) if self.output is not None else ""

    def spawn(self) -> SandboxedKernel:
        """A new kernel, forked and walled off, booting while we return."""
        uid = command.pick_uid()
        folder = secrets.token_hex(6)
        run_dir = self.kernels_dir / folder
        run_dir.mkdir(mode=0o711)
        memory = None
        read_end = write_end = None
        try:
            ipc = run_dir / "ipc"
            private_dir(ipc, uid)
            key = secrets.token_hex(32)
            write_connection(ipc / "kernel.json", f"{command.IPC_PATH}/kernel", key)
            memory = cgroup.create(cgroup_bytes(self.limits))
            request = {
                "folder": folder,
                "uid": uid,
                "cgroup": memory.name if memory is not None else None,
                "rlimits": command.limit_values(self.limits),
                "argv": command.kernel_options(f"{command.IPC_PATH}/kernel.json"),
                **command.tmpfs_bytes(self.limits),
            }
            read_end, write_end = os.pipe()
            with self._lock:
                if self._control is None or not self.alive():
                    raise ExecutorError(f"the fork server has stopped:\n{self.log()}")
                socket.send_fds(self._control, [json.dumps(request).encode()], [write_end])
                os.close(write_end)
                write_end = None
                report, pid = self._receive(SPAWN_TIMEOUT_S)
            if report.get("folder") != folder or "error" in report or pid is None:
                raise ExecutorError(f"the fork server could not start a kernel: {report}")
            process = ForkedProcess(pid)
        except BaseException:
            for fd in (read_end, write_end):
                if fd is not None:
                    os.close(fd)
            if memory is not None:
                cgroup.remove(memory)
            shutil.rmtree(run_dir, ignore_errors=True)
            raise
        return SandboxedKernel(
            BWRAP,
            uid,
            self.limits,
            self.lake_dir,
            run_dir,
            connection_info(str(ipc / "kernel"), key),
            process,  # type: ignore[arg-type]  # what the executor uses of a Popen
            sandbox_pid=pid,
            cgroup=memory,
            output=OutputTail(os.fdopen(read_end, "rb")),
        )

    def _receive(self, timeout_s: float) -> tuple[dict, int | None]:
        """The next report and the host pid of the process that sent it."""
        assert self._control is not None
        ready = select.select([self._control], [], [], timeout_s)[0]
        if not ready:
            raise ExecutorError(
                f"the fork server did not answer in {timeout_s:.0f} s:\n{self.log()}"
            )
        data, ancillary, _flags, _address = self._control.recvmsg(
            65536, socket.CMSG_SPACE(_UCRED.size)
        )
        if not data:
            raise ExecutorError(f"the fork server has stopped:\n{self.log()}")
        pid = None
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = _UCRED.unpack(value[: _UCRED.size])[0]
        return json.loads(data), pid

    def close(self) -> None:
        """Stop the server, and with it (its PID namespace) every kernel it forked."""
        if self._control is not None:
            self._control.close()
            self._control = None
        if self.sandbox_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.sandbox_pid, signal.SIGKILL)  # ends its PID namespace
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
        if self._info_fd is not None:
            os.close(self._info_fd)
            self._info_fd = None
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
