"""The fork server: one sandboxed process that imports a kernel's libraries once and forks
a kernel per graded notebook, each walled off as a kernel started on its own would be.

Runs as the first program of a bubblewrap sandbox (``forkserver.py`` starts it) that has
everything a graded kernel's sandbox has (the read-only root, the lake, no network) plus
what only this process needs: the kernels' folders at /ipc (one sub-folder each), the
memory cgroups' parent at /cgroup, and the capabilities to build each kernel's own walls.
It never runs a learner's code: it imports ipykernel, DuckDB, pandas and pyarrow (the
~1 s of CPU every kernel used to pay), then waits for requests on its control socket.

For each request it forks; the child joins the kernel's memory cgroup and takes new
mount, PID, network, IPC, UTS and cgroup namespaces, then forks the kernel's first
process (pid 1 of its namespace, so killing it from outside ends everything the kernel
started). That process, still privileged:

1. makes its mounts private and mounts what is the kernel's alone: a fresh /proc for
   its PID namespace, fresh size-capped in-memory /tmp, /scratch and /answers, its own
   folder over /ipc (the other kernels' folders are then out of sight), and unmounts
   /cgroup;
2. reports to the host on the control socket, whose kernel-checked credentials tell the
   host this process's pid, then closes every descriptor but its output pipe;
3. drops every capability from its bounding set, takes the kernel's own uid and gid with
   no other groups, sets no-new-privileges, the resource limits and the seccomp filter;
4. forks the kernel itself, and reaps whatever its namespace leaves until the kernel ends.

A failure at any step before the kernel runs is reported (or written to the output pipe)
and the process exits: nothing runs half-walled. Sent as text, never imported by the app;
standard library only until the preload.
"""

import ctypes
import json
import os
import random
import socket
import sys
import threading
import traceback

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
MNT_DETACH = 2
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 24, 38, 22, 2
LAST_CAP = 63
_CAPABILITY_VERSION_3 = 0x20080522
STAGE = "/.stage"  # where a kernel's /tmp is assembled before it is moved into place
MESSAGE_BYTES = 65536
REFUSED = 126

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p]  # fmt: skip
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4


class _SockFprog(ctypes.Structure):
    """struct sock_fprog: the number of instructions and where they are."""

    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _check(result, what):
    """Raise OSError for a libc call that returned -1."""
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def _mount(source, target, fstype, flags, data=None):
    encode = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(
        _libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)),
        f"mount {target}",
    )


def _tmpfs(target, size, mode):
    """A fresh in-memory folder of at most ``size`` bytes over ``target``."""
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode:o}")


def _mounts_below(top):
    """The mount points strictly inside ``top``, outermost only, from mountinfo."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8") as lines:
        for line in lines:
            point = line.split()[4].replace("\\040", " ")
            if point.startswith(top.rstrip("/") + "/"):
                found.append(point)
    outer = [p for p in found if not any(p != q and p.startswith(q + "/") for q in found)]
    return sorted(set(outer))


def _fresh_tmp(size):
    """A private /tmp that still holds what the sandbox bound below /tmp (read-only).

    A Python installation or the lake may live under the host's /tmp (a checkout in
    CI); bubblewrap bound them on top of the shared /tmp, and a new tmpfs laid over it
    would hide them, so they are bound again into the new one before it moves in.
    """
    inner = _mounts_below("/tmp")
    _tmpfs(STAGE, size, 0o1777)
    for point in inner:
        target = STAGE + point[len("/tmp") :]
        os.makedirs(target, mode=0o755, exist_ok=True)
        _mount(point, target, None, MS_BIND | MS_REC)
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _mount(STAGE, "/tmp", None, MS_MOVE)


def _wall_off(request):
    """Step 1: the mounts that are this kernel's alone."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _fresh_tmp(request["tmp_bytes"])
    _tmpfs("/scratch", request["scratch_bytes"], 0o777)
    _tmpfs("/answers", request["answers_bytes"], 0o777)
    own = "/ipc/" + request["folder"] + "/ipc"
    _mount(own, "/ipc", None, MS_BIND)
    if os.path.ismount("/cgroup"):
        _check(_libc.umount2(b"/cgroup", MNT_DETACH), "umount /cgroup")


def _clear_capabilities():
    """capset(2) with empty sets: the uid switch emptied the others, not the inheritable."""
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # two of {effective, permitted, inheritable}
    _check(_libc.capset(header, data), "capset")


def _drop(request, seccomp_code):
    """Step 3: no capability, the kernel's own uid, its limits and the seccomp filter."""
    for cap in range(LAST_CAP + 1):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:
            _check(-1, f"drop capability {cap}")
    uid = request["uid"]
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _clear_capabilities()
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    import resource

    for name, value in request["rlimits"].items():
        limit = getattr(resource, name)
        resource.setrlimit(limit, (value, value))
    if seccomp_code:
        buffer = ctypes.create_string_buffer(seccomp_code, len(seccomp_code))
        program = _SockFprog(len(seccomp_code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
        _check(
            _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(program), 0, 0),
            "seccomp",
        )


def _close_inherited():
    """Close every descriptor above stderr: the kernel inherits none of the server's."""
    os.closerange(3, 1 << 20)


def _kernel(request):
    """Step 4's child: become the kernel (ipykernel, as ``python -m ipykernel_launcher``)."""
    # Forked children would otherwise all draw the same "random" numbers.
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()
    os.chdir("/scratch")
    sys.argv = ["ipykernel_launcher", *request["argv"]]
    from ipykernel import kernelapp

    kernelapp.IPKernelApp.launch_instance(argv=request["argv"])


def _first_process(control, request, output, seccomp_code):
    """The kernel's pid 1: wall off, report, drop, start the kernel and reap."""
    try:
        _wall_off(request)
    except BaseException:  # noqa: BLE001 - reported, and nothing runs
        control.send(json.dumps({"folder": request["folder"], "error": traceback.format_exc()})
                     .encode())  # fmt: skip
        os._exit(REFUSED)
    control.send(json.dumps({"folder": request["folder"]}).encode())
    control.close()
    try:
        devnull = os.open("/dev/null", os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        _close_inherited()
        _drop(request, seccomp_code)
        kernel = os.fork()
    except BaseException:  # noqa: BLE001 - the host reads this as the boot log
        os.write(2, f"academy sandbox: the kernel was not started:\n{traceback.format_exc()}"
                 .encode())  # fmt: skip
        os._exit(REFUSED)
    if kernel == 0:
        try:
            _kernel(request)
        except SystemExit as done:
            os._exit(done.code if isinstance(done.code, int) else 1)
        except BaseException:  # noqa: BLE001
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    while True:  # init's job: reap every orphan until the kernel itself ends
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if pid == kernel:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _spawn(control, request, output, seccomp_code):
    """Fork the kernel's walled-off first process; returns once its parent has gone."""
    child = os.fork()
    if child == 0:
        try:
            if request.get("cgroup"):
                with open(f"/cgroup/{request['cgroup']}/cgroup.procs", "w") as procs:
                    procs.write("0")
            flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
            _check(_libc.unshare(flags | CLONE_NEWCGROUP), "unshare")
            if os.fork() == 0:
                _first_process(control, request, output, seccomp_code)
        except BaseException:  # noqa: BLE001 - reported, and nothing runs
            message = {"folder": request["folder"], "error": traceback.format_exc()}
            try:
                control.send(json.dumps(message).encode())
            finally:
                os._exit(REFUSED)
        os._exit(0)
    os.waitpid(child, 0)
    os.close(output)


def _preload(modules):
    """Import what every kernel needs, then make sure no thread was started (fork keeps
    only the calling thread: a lock another thread held would stay held forever)."""
    for name in modules:
        __import__(name)
    if threading.active_count() != 1 or len(os.listdir("/proc/self/task")) != 1:
        raise SystemExit("academy fork server: a preloaded module started a thread")


def main(argv):
    """``--control FD --config JSON``: preload, say ready, then serve requests forever."""
    control_fd = int(argv[argv.index("--control") + 1])
    config = json.loads(argv[argv.index("--config") + 1])
    control = socket.socket(fileno=control_fd)
    seccomp_code = bytes.fromhex(config["seccomp"])  # empty where no filter is known
    _preload(config["preload"])
    control.send(json.dumps({"ready": True}).encode())
    while True:
        message, fds, _flags, _address = socket.recv_fds(control, MESSAGE_BYTES, 1)
        if not message:
            return  # the host closed its end: the pool is closing
        request = json.loads(message)
        _spawn(control, request, fds[0], seccomp_code)
