"""The fork server: each kernel it forks has the walls of a kernel started on its own.

Against the real thing: bubblewrap, root, the fork server's namespaces and mounts. The
hostile suite (test_hostile.py) runs through it as well (the ``pool`` fixture's
"forked" kernels); these check what is particular to forking: nothing of the server and
nothing of another kernel reaches a kernel.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from app.grading.sandbox import cgroup, command
from app.grading.sandbox.contract import COMPLETED
from app.grading.sandbox.forkserver import ForkedProcess, ForkServer
from app.grading.sandbox.kernel import is_alive, stop_kernel
from tests.grading import support
from tests.grading.support import FAST, text

pytestmark = [pytest.mark.slow]

REPORT = """
import json, os, resource, socket
status = dict(line.split(':\\t', 1) for line in open('/proc/self/status').read().splitlines())
mounts = [line.split()[4] for line in open('/proc/self/mountinfo')]
limits = {name: resource.getrlimit(getattr(resource, name))[0] for name in %r}
print(json.dumps({
    'uid': os.getuid(), 'gid': os.getgid(), 'groups': os.getgroups(),
    'caps': [status[k].strip() for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb')],
    'no_new_privs': status['NoNewPrivs'].strip(), 'seccomp': status['Seccomp'].strip(),
    'pids': sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),
    'interfaces': [name for _, name in socket.if_nameindex()],
    'ipc': sorted(os.listdir('/ipc')),
    'cgroup': os.listdir('/cgroup') if os.path.isdir('/cgroup') else None,
    'stage': os.listdir('/.stage') if os.path.isdir('/.stage') else None,
    'limits': limits, 'mounts': mounts,
    'tmp': sorted(os.listdir('/tmp')),
}))
"""


@pytest.fixture(scope="module")
def forked(site):
    """Warm kernels from a fork server."""
    support.require_fork_server()
    with support.warm_pool(site, fork_server=True) as kernels:
        assert kernels.forking
        yield kernels


@pytest.fixture
def run(site, forked, tmp_path):
    """Run cells in a forked kernel and check nothing on the site changed."""
    with support.checked_runner(site, forked, tmp_path) as runner:
        yield runner


def _report(run) -> dict:
    execution = run(REPORT % (sorted(command.limit_values(FAST)),))
    assert execution.status == COMPLETED, execution.message
    return json.loads(text(execution, 0))


def test_a_forked_kernel_has_its_own_uid_no_capabilities_and_every_limit(run):
    first, second = _report(run), _report(run)
    assert first["uid"] != second["uid"]
    for seen in (first, second):
        assert seen["uid"] >= command.UID_FIRST and seen["gid"] == seen["uid"]
        assert seen["groups"] == []
        assert set(seen["caps"]) == {"0000000000000000"}
        assert seen["no_new_privs"] == "1"
        assert seen["seccomp"] == "2"  # filter mode
        assert seen["limits"] == command.limit_values(FAST)


def test_a_forked_kernel_sees_only_its_own_processes_sockets_and_network(run):
    seen = _report(run)
    # Its first process (the reaper) and the kernel; none of the server's, no sibling's.
    assert seen["pids"] == [1, 2]
    assert seen["interfaces"] == ["lo"]
    assert set(seen["ipc"]) <= {"kernel.json", *(f"kernel-{n}" for n in range(1, 6))}
    assert seen["cgroup"] in (None, [])  # the mount point, emptied
    assert seen["stage"] in (None, [])
    assert not {"/cgroup", "/.stage"} & set(seen["mounts"])


def test_two_forked_kernels_share_no_writable_folder(run):
    marks = "\n".join(
        f"open('{folder}/mark-from-first', 'w').write('x')"
        for folder in ("/tmp", "/scratch", "/answers")
    )
    run(marks)
    look = (
        "import os\n"
        "print(sorted(f for d in ('/tmp', '/scratch', '/answers') for f in os.listdir(d)))"
    )
    execution = run(look)
    assert "mark-from-first" not in text(execution, 0)


def test_a_forked_kernel_reads_the_lake_and_its_imports_are_the_servers(run):
    execution = run(
        "import sys\nprint('pandas' in sys.modules, 'duckdb' in sys.modules)",
        "print(lake.sql('SELECT 41 + 1').fetchall())",
    )
    assert text(execution, 0).split() == ["True", "True"]
    assert "42" in text(execution, 1)


def test_forked_kernels_draw_different_random_numbers(run):
    draw = "import random, numpy\nprint(random.random(), numpy.random.rand())"
    assert text(run(draw), 0) != text(run(draw), 0)


@pytest.fixture
def server(site):
    """A fork server of its own for the kernel tests that kill things."""
    support.require_fork_server()
    made = ForkServer(site["lake"], FAST)
    made.start()
    yield made
    made.close()


def test_a_forked_kernel_lives_in_its_own_memory_cgroup(server):
    if not cgroup.available():
        pytest.skip("no memory cgroups on this machine")
    kernel = server.spawn()
    try:
        assert kernel.cgroup is not None
        procs = (kernel.cgroup / "cgroup.procs").read_text().split()
        assert str(kernel.sandbox_pid) in procs
    finally:
        stop_kernel(kernel)
    assert not kernel.cgroup.exists()
    assert not kernel.run_dir.exists()


def test_stopping_the_fork_server_ends_every_kernel_it_forked(server):
    kernels = [server.spawn() for _ in range(2)]
    assert all(is_alive(kernel) for kernel in kernels)
    server.close()
    for kernel in kernels:
        assert isinstance(kernel.process, ForkedProcess)
        kernel.process.wait(10)
        assert not is_alive(kernel)
        stop_kernel(kernel)
    assert server.run_dir is not None and not server.run_dir.exists()


def test_a_killed_kernel_is_seen_gone_and_its_pid_is_never_signalled_again(server):
    kernel = server.spawn()
    pid = kernel.sandbox_pid
    assert pid is not None and Path(f"/proc/{pid}").exists()
    os.kill(pid, 9)
    kernel.process.wait(10)
    assert kernel.process.poll() == -1
    kernel.process.kill()  # through the closed pidfd: a no-op, never a reused pid
    stop_kernel(kernel)


def test_a_kernel_that_cannot_be_walled_off_is_refused_and_the_server_serves_on(server):
    # A request the server's side cannot carry out: its folder does not exist.
    bad = {"folder": "missing", "uid": command.pick_uid(), "cgroup": None, "rlimits": {},
           "argv": [], **command.tmpfs_bytes(FAST)}  # fmt: skip
    read_end, write_end = os.pipe()
    try:
        import socket

        socket.send_fds(server._control, [json.dumps(bad).encode()], [write_end])
        report, pid = server._receive(10)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert report["folder"] == "missing" and "mount /ipc" in report["error"]
    kernel = server.spawn()  # the next request is served as usual
    deadline = time.monotonic() + 5
    while not is_alive(kernel) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert is_alive(kernel)
    stop_kernel(kernel)
