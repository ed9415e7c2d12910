"""Start one sandboxed ipykernel, find what it wrote, and destroy it with everything it started.

A kernel is used for exactly one notebook run. It talks to us over ZeroMQ IPC
sockets in a directory of its own (the sandbox has no network namespace shared
with the host, so TCP on 127.0.0.1 would not reach us). Each kernel gets a
private run directory on the host::

    <tmp>/acx-<pid>-<start>-XXXX/   root, 0711 (named for its owner: owner.py)
        ipc/                 the sockets and the connection file (bound at /ipc)
        (no log file: the kernel's own stdout/stderr goes to a pipe whose last
         64 KB are kept in memory, for boot failures; a notebook writing
         through ipykernel's original stream cannot fill the host's disk)
        scratch/ answers/ home/   fallback only: in bubblewrap these are tmpfs mounts

In bubblewrap, /scratch, /answers and /tmp are size-capped in-memory mounts
that vanish with the sandbox, so a notebook cannot fill the host's disk;
answers are copied out through ``/proc/<pid>/root`` before the kernel is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.grading.sandbox import cgroup, command, seccomp
from app.grading.sandbox.contract import (
    ANSWERS_PATH,
    BWRAP,
    ExecutorError,
    Limits,
    SandboxUnavailable,
    Workspace,
)
from app.grading.sandbox.owner import this_process

PORTS = {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes; "-N" and the NUL come on top
OUTPUT_TAIL_BYTES = 64 * 1024  # of the kernel's own stdout/stderr, kept to explain a failed boot
RUN_PREFIX = "acx-"  # short: the sockets' paths inside the run folder must fit in 108 bytes


class OutputTail:
    """Drains a kernel's stdout/stderr pipe on a thread, keeping only the last ``keep`` bytes."""

    def __init__(self, stream, keep: int = OUTPUT_TAIL_BYTES) -> None:
        self._tail = bytearray()
        self._keep = keep
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._drain, args=(stream,), name="kernel-output", daemon=True
        )
        self._thread.start()

    def _drain(self, stream) -> None:
        with stream:
            while chunk := stream.read1(65536):
                with self._lock:
                    self._tail += chunk
                    del self._tail[: max(0, len(self._tail) - self._keep)]

    def text(self, limit: int) -> str:
        """The last ``limit`` bytes, as text."""
        with self._lock:
            return bytes(self._tail[-limit:]).decode(errors="replace")


@dataclass(eq=False)
class SandboxedKernel:
    """One started kernel and what is needed to reach, inspect and destroy it."""

    mode: str
    uid: int
    limits: Limits
    lake_dir: Path
    run_dir: Path
    connection: dict[str, Any]
    process: subprocess.Popen
    started: float = field(default_factory=time.monotonic)
    info_fd: int | None = None
    sandbox_pid: int | None = None
    stopped: bool = False
    cgroup: Path | None = None  # its memory cgroup, where the machine allows one
    output: OutputTail | None = None  # the end of its own stdout/stderr
    # A JupyterLab kernel shares its learner's uid with their other kernels: it is never
    # stopped by signalling the whole uid.
    workspace: Workspace | None = None

    @property
    def ipc_dir(self) -> Path:
        """The host directory holding the kernel's sockets."""
        return self.run_dir / "ipc"


def start_kernel(
    lake_dir: Path, limits: Limits, mode: str, workspace: Workspace | None = None
) -> SandboxedKernel:
    """Launch a kernel in the background (it boots while we return).

    With ``workspace`` it is a kernel of the learner's JupyterLab (see ``Workspace``).
    """
    run_dir = Path(tempfile.mkdtemp(prefix=this_process().prefix(RUN_PREFIX)))
    memory = cgroup.create(cgroup_bytes(limits))
    try:
        kernel = _launch(run_dir, lake_dir, limits, mode, memory, workspace)
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)
        if memory is not None:
            cgroup.remove(memory)
        raise
    kernel.cgroup = memory
    return kernel


def cgroup_bytes(limits: Limits) -> int:
    """The kernel's whole memory, all processes together: the notebook's allowance, what
    the kernel itself holds, and the in-memory /scratch and /tmp it may fill."""
    total_mb = limits.memory_mb + command.RESIDENT_OVERHEAD_MB + limits.scratch_mb + limits.tmp_mb
    return total_mb * 2**20


def _launch(
    run_dir: Path,
    lake_dir: Path,
    limits: Limits,
    mode: str,
    memory: Path | None,
    workspace: Workspace | None,
) -> SandboxedKernel:
    """Write the connection files, build the command and start it."""
    run_dir.chmod(0o711)
    uid = command.pick_uid() if workspace is None else workspace.uid
    ipc = run_dir / "ipc"
    if len(str(ipc / "kernel")) > MAX_SOCKET_PATH:
        raise ExecutorError(f"socket path too long under {run_dir.parent}: set TMPDIR shorter")
    private_dir(ipc, uid)
    key = secrets.token_hex(32)
    inside_ipc = command.IPC_PATH if mode == BWRAP else str(ipc)
    write_connection(ipc / "kernel.json", f"{inside_ipc}/kernel", key)
    setup_file = None
    if workspace is not None:
        if mode != BWRAP:
            # Its uid is shared by the learner's kernels, so the fallback's last resort
            # (killing everything of the uid) is not open to it; and its workspace is
            # persistent, so there is no run folder to be the only place it writes.
            raise SandboxUnavailable("a JupyterLab kernel runs only in bubblewrap")
        _own_dirs(workspace)
        (ipc / "setup.py").write_text(workspace.setup, encoding="utf-8")
        (ipc / "setup.py").chmod(0o644)
        setup_file = f"{inside_ipc}/setup.py"
    argv = command.limit_args(limits)
    info_read = info_write = None
    filter_fd = _seccomp_pipe()
    if mode != BWRAP and filter_fd is None:
        raise SandboxUnavailable("no seccomp filter for this CPU: the fallback needs one")
    if mode == BWRAP:
        info_read, info_write = os.pipe()
        argv += command.bwrap_args(limits, lake_dir, ipc, info_write, filter_fd, workspace)
        env = command.kernel_env("/lake", "/scratch", ANSWERS_PATH, "/tmp")
        cwd = run_dir
    else:
        for name in ("scratch", "answers", "home"):
            private_dir(run_dir / name, uid)
        env = command.kernel_env(
            str(lake_dir), str(run_dir / "scratch"), str(run_dir / "answers"), str(run_dir / "home")
        )
        cwd = run_dir / "scratch"
    if mode != BWRAP:
        # Before setpriv: only a process that may still read the interpreter's
        # folder (root's, often 0700) can execute it once the uid is switched.
        argv += command.wall_args(lake_dir, run_dir, filter_fd)
    argv += command.drop_privileges_args(uid, None if workspace is None else workspace.gid)
    argv += command.kernel_args(f"{inside_ipc}/kernel.json", setup_file)
    if memory is not None:
        argv = cgroup.enter_command(memory, argv)
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            pass_fds=tuple(fd for fd in (info_write, filter_fd) if fd is not None),
            start_new_session=True,  # our terminal's signals are not the kernel's
        )
    except BaseException:
        for fd in (info_read, info_write, filter_fd):
            if fd is not None:
                os.close(fd)
        raise
    for fd in (info_write, filter_fd):
        if fd is not None:
            os.close(fd)
    connection = connection_info(str(ipc / "kernel"), key)
    return SandboxedKernel(
        mode,
        uid,
        limits,
        lake_dir,
        run_dir,
        connection,
        process,
        info_fd=info_read,
        output=OutputTail(process.stdout),
        workspace=workspace,
    )


def _own_dirs(workspace: Workspace) -> None:
    """The learner's workspace and scratch folders, theirs (the kernel's uid) to write.

    Only the two folders themselves: what is inside was written by their kernels (as
    this uid) or by their JupyterLab server, which gives what it writes to the same uid.
    """
    workspace.scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    if command.can_switch_uid():
        for folder in (workspace.home, workspace.scratch):
            os.chown(folder, workspace.uid, workspace.uid, follow_symlinks=False)


def _seccomp_pipe() -> int | None:
    """A pipe holding the seccomp filter for bwrap to read, or None on an unknown CPU."""
    code = seccomp.program()
    if code is None:
        return None
    read, write = os.pipe()
    try:
        os.write(write, code)  # a few hundred bytes: far below a pipe's buffer
    finally:
        os.close(write)
    return read


def private_dir(path: Path, uid: int) -> None:
    """A directory only the kernel's uid may use."""
    path.mkdir(mode=0o700)
    if command.can_switch_uid():
        os.chown(path, uid, uid)


def connection_info(ip: str, key: str) -> dict[str, Any]:
    """Connection info for IPC sockets named ``<ip>-<port>``."""
    return {
        **PORTS,
        "transport": "ipc",
        "ip": ip,
        "key": key,
        "signature_scheme": "hmac-sha256",
        "kernel_name": "",
    }


def write_connection(path: Path, ip: str, key: str) -> None:
    """The kernel's connection file (it binds its sockets under ``ip``)."""
    path.write_text(json.dumps(connection_info(ip, key)))
    path.chmod(0o644)  # the kernel's uid must read it; the directory is private


def lock_ipc_dir(kernel: SandboxedKernel) -> None:
    """Once the kernel has bound its sockets, take the directory back from it.

    The sockets keep working (connecting needs rights on the socket, not the
    directory), but notebook code can no longer create files on the host disk.
    """
    if command.can_switch_uid():
        os.chown(kernel.ipc_dir, 0, 0)
        kernel.ipc_dir.chmod(0o755)


def is_alive(kernel: SandboxedKernel) -> bool:
    """Whether the kernel's process is still running."""
    return not kernel.stopped and kernel.process.poll() is None


def boot_log(kernel: SandboxedKernel, limit: int = 2000) -> str:
    """The end of the kernel's own output, to explain a kernel that failed to start."""
    return kernel.output.text(limit) if kernel.output is not None else ""


def answers_source(kernel: SandboxedKernel) -> Path | None:
    """Where the host can read the kernel's /answers while the kernel is alive."""
    if kernel.mode != BWRAP:
        return kernel.run_dir / "answers"
    pid = _sandbox_pid(kernel)
    return None if pid is None else Path(f"/proc/{pid}/root{ANSWERS_PATH}")


def _sandbox_pid(kernel: SandboxedKernel, wait_s: float = 2.0) -> int | None:
    """The host pid of the sandbox's first process, as bwrap reports it on --info-fd."""
    if kernel.sandbox_pid is None and kernel.info_fd is not None:
        kernel.sandbox_pid = bwrap_child_pid(kernel.info_fd, wait_s)
    return kernel.sandbox_pid


def bwrap_child_pid(info_fd: int, wait_s: float) -> int | None:
    """The "child-pid" of bubblewrap's --info-fd report, waiting up to ``wait_s`` for it.

    bubblewrap writes the report in several pieces, so this reads until it is whole.
    The descriptor must stay open while the sandbox runs: bubblewrap dies of SIGPIPE
    writing to a reader gone.
    """
    report = b""
    deadline = time.monotonic() + wait_s
    while True:
        left = max(0.0, deadline - time.monotonic())
        if not select.select([info_fd], [], [], left)[0]:
            return None
        chunk = os.read(info_fd, 4096)
        if not chunk:
            return None
        report += chunk
        with contextlib.suppress(ValueError, KeyError, TypeError):
            return int(json.loads(report)["child-pid"])


def freeze(kernel: SandboxedKernel) -> None:
    """Stop every process of the kernel in place, so nothing changes while we read."""
    _signal_uid(kernel.uid, "STOP")


def stop_kernel(kernel: SandboxedKernel) -> None:
    """Kill the kernel and everything it started, and delete its run directory."""
    if kernel.stopped:
        return
    kernel.stopped = True
    # Killing the sandbox's first process ends its PID namespace: Linux then
    # kills every process in it, however many a notebook forked.
    pid = _sandbox_pid(kernel, wait_s=0) if kernel.mode == BWRAP else None
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        kernel.process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        kernel.process.wait(10)
    if pid is not None:
        _wait_for_exit(pid)
    # Whatever escaped the process tree (double-forked daemons in fallback mode)
    # still runs as the kernel's uid, which nothing else uses (a JupyterLab kernel, always
    # in bubblewrap, shares its uid with its learner's other kernels: the PID namespace
    # is what ends it).
    if kernel.workspace is None:
        _signal_uid(kernel.uid, "KILL")
        if kernel.mode != BWRAP:
            _wait_for_uid(kernel.uid)
    if kernel.info_fd is not None:
        os.close(kernel.info_fd)
        kernel.info_fd = None
    if kernel.cgroup is not None:
        cgroup.remove(kernel.cgroup)
    shutil.rmtree(kernel.run_dir, ignore_errors=True)


def _wait_for_exit(pid: int, timeout_s: float = 5.0) -> None:
    """Wait until the sandbox's init has exited, which it does only after everything in it."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return
        if stat.rpartition(")")[2].split()[0] in ("Z", "X"):
            return
        time.sleep(0.01)


def _wait_for_uid(uid: int, timeout_s: float = 5.0) -> None:
    """Wait until no process of ``uid`` runs any more (zombies have stopped running)."""
    if not command.can_switch_uid():
        return
    end = time.monotonic() + timeout_s
    while _running_as(uid) and time.monotonic() < end:
        time.sleep(0.02)


def _running_as(uid: int) -> bool:
    """Whether a process that is not a zombie runs as ``uid``."""
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            text = status.read_text()
            owner = int(text.split("\nUid:\t", 1)[1].split()[0])
            state = text.split("\nState:\t", 1)[1][:1]
            if owner == uid and state not in ("Z", "X"):
                return True
    return False


def _signal_uid(uid: int, name: str) -> None:
    """Send a signal to every process of ``uid``: kill(-1) run as that uid."""
    if not command.can_switch_uid():
        return
    argv = [*command.drop_privileges_args(uid), shutil.which("kill") or "/bin/kill"]
    # kill(-1) is atomic with respect to fork, so a fork bomb cannot outrun it.
    subprocess.run([*argv, f"-{name}", "--", "-1"], env={}, capture_output=True, check=False)
