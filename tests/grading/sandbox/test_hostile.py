"""Hostile notebooks against the bubblewrap sandbox: each is stopped, and nothing else changes.

Every run is checked against a fingerprint of the fake lake and instance
folder (see tests.grading.support). The fork bombs start kernels of their own
so processes can be counted.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from app.config import PROJECT_ROOT
from app.grading.sandbox import cgroup
from app.grading.sandbox.contract import (
    CELL_TIMEOUT,
    COMPLETED,
    KERNEL_DIED,
    MEMORY,
    OUTPUT_LIMIT,
    TOTAL_TIMEOUT,
    Limits,
)
from app.grading.sandbox.execute import execute
from tests.grading.support import (
    FAST,
    ROOMY,
    answer,
    descendants,
    processes_of,
    text,
)

pytestmark = [pytest.mark.slow]


def test_files_outside_the_sandbox_cannot_be_read(run, site):
    targets = [
        PROJECT_ROOT / "instance" / "secret_key",
        PROJECT_ROOT / "instance" / "academy.sqlite",
        PROJECT_ROOT / "exercises" / "README.md",
        PROJECT_ROOT / "app" / "grading" / "sandbox" / "execute.py",
        site["instance"] / "secret_key",
        site["instance"] / "academy.sqlite",
        site["instance"] / "scratch" / "bob.duckdb",
        site["exercises"] / "solution.py",
        Path("/etc/shadow"),
        Path("/root/.bash_history"),
    ]
    probe = (
        "try:\n    open({!r}).read()\n    print('READ')\n"
        "except OSError as e:\n    print(type(e).__name__)"
    )
    execution = run(*(probe.format(str(t)) for t in targets), "import app")
    for index, target in enumerate(targets):
        assert text(execution, index).strip() in ("FileNotFoundError", "PermissionError"), target
    assert text(execution, len(targets)).startswith("ModuleNotFoundError")


def test_dangerous_system_calls_are_refused(run):
    """No user namespaces, memfd or SysV shared memory; threads, fork and subprocess work."""
    execution = run(
        "import ctypes, os, platform, subprocess, threading\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "names = {'x86_64': (319, 29), 'aarch64': (279, 194)}[platform.machine()]\n"
        "print([(libc.syscall(n, b'x', 0, 0o1600), ctypes.get_errno()) for n in names])",
        # Captured here: the child's own stderr reaches the notebook through
        # ipykernel's fd watcher, whose output can land after the cell has ended.
        "done = subprocess.run(['unshare', '--user', 'true'], capture_output=True, text=True)\n"
        "print(done.returncode, done.stderr.strip())",
        "t = threading.Thread(target=print, args=('thread',))\nt.start()\nt.join()\n"
        "pid = os.fork()\nif pid == 0:\n    os._exit(7)\n"
        "print(os.waitpid(pid, 0)[1] >> 8, subprocess.run(['true']).returncode)",
    )
    assert text(execution, 0) == "[(-1, 1), (-1, 1)]\n"  # EPERM
    assert text(execution, 1).startswith("1 unshare") and "Operation not permitted" in text(
        execution, 1
    )
    assert text(execution, 2) == "thread\n7 0\n"


def test_the_network_is_unreachable(run):
    """Neither a port we listen on here nor any outside address can be reached."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    abstract = socket.socket(socket.AF_UNIX)
    abstract.bind("\0academy-executor-test")
    abstract.listen()
    try:
        execution = run(
            f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)",
            "import socket\nprint(socket.if_nameindex())",
            # connect() on UDP only looks up a route: no packet is ever sent.
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.connect(('192.0.2.1', 53))",
            "s = socket.socket(socket.AF_UNIX)\ns.connect('\\0academy-executor-test')",
        )
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
        abstract.close()
    # The seal refuses connect() and seccomp UDP sockets before the empty network
    # namespace (only "lo" in it) would have to.
    assert text(execution, 0).startswith("PermissionError")
    assert text(execution, 1) == "[(1, 'lo')]\n"
    assert text(execution, 2).startswith("PermissionError")
    assert text(execution, 3).startswith("PermissionError")


def test_the_lake_is_read_only(run, site):
    execution = run(
        "open('/lake/raw/careless.csv', 'a').write('666\\n')",
        f"open({str(site['lake'] / 'raw' / 'careless.csv')!r}, 'w')",
        "import shutil\nshutil.rmtree('/lake', ignore_errors=True)\n"
        "print(sorted(os.listdir('/lake')))",
        "lake.execute('CREATE TABLE hacked AS SELECT 1')",
    )
    assert text(execution, 0).startswith("OSError: [Errno 30] Read-only file system")
    assert text(execution, 1).startswith("OSError: [Errno 30] Read-only file system")
    assert text(execution, 2) == "['lake.duckdb', 'raw']\n"
    assert "read-only" in text(execution, 3).lower()
    # The run fixture then checks every lake file is unchanged.


def test_an_infinite_loop_times_out_and_the_next_run_is_fine(run):
    execution = run("answer = 1", "while True:\n    pass", "answer = 2", limits=FAST)
    # Stopped by the cell's own deadline (not the whole run's), where the loop ran:
    assert execution.status == CELL_TIMEOUT
    assert execution.message.startswith("Cell 2 ran longer than 2 s and was stopped.")
    assert "Stopped: this cell ran longer than 2 s." in text(execution, 1)
    assert execution.notebook.cells[2].execution_count is None  # cell 3 never ran
    assert answer(execution) is None  # no export after a timeout
    assert run("answer = 3").status == COMPLETED


def test_the_whole_run_has_a_deadline(run):
    limits = Limits(cell_seconds=30, total_seconds=4, memory_mb=256, processes=64)
    execution = run("answer = 1", "answer = 2", "import time; time.sleep(60)", limits=limits)
    # The third cell is far inside its own 30 s: the run's deadline stopped it.
    assert execution.status == TOTAL_TIMEOUT
    assert "in total and was stopped at cell 3" in execution.message
    assert "Stopped: the notebook ran longer than 4 s." in text(execution, 2)
    assert [cell.execution_count for cell in execution.notebook.cells[:2]] == [1, 2]


def test_a_memory_bomb_hits_the_limit(run):
    execution = run(
        "x = bytearray(10**10)",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(10**7))",
        "del chunks\nanswer = 'survived'",
    )
    assert execution.status == MEMORY
    assert execution.failed_cells == [0, 1]
    assert execution.message.startswith("Cell 1 ran out of memory (the limit is 256 MB).")
    assert answer(execution) == "survived"


MEMORY_IN_CHILDREN = """\
import os, time
children = []
for _ in range(4):  # each under the per-process limit; together far over the kernel's cap
    pid = os.fork()
    if pid == 0:
        block = bytearray(200 * 2**20)
        block[:: 4096] = b"x" * len(block[:: 4096])  # touch every page: really resident
        time.sleep(0.2)
        os._exit(0)
    children.append(pid)
codes = [os.waitpid(pid, 0)[1] for pid in children]
print(sum(code != 0 for code in codes))
"""


def test_memory_spread_over_processes_is_capped_for_the_whole_kernel(run):
    """RLIMIT_AS is per process; the kernel's memory cgroup caps them all together."""
    if not cgroup.available():
        if os.environ.get("CI"):
            pytest.fail("no memory cgroup: kernels are limited per process only")
        pytest.skip("no memory cgroup here")
    # Touching 1.2 GB and the OOM killer's work take seconds on a busy machine.
    roomy = dataclasses.replace(ROOMY, scratch_mb=16, tmp_mb=16)
    execution = run(MEMORY_IN_CHILDREN, "answer = 'after'", limits=roomy, pool=None)
    if execution.status == MEMORY:  # the kernel itself was the one killed
        assert execution.message.startswith("Cell 1 ran out of memory (the limit is 256 MB).")
        assert "did not run" in execution.message
    else:
        assert int(text(execution, 0)) >= 1  # at least one child was killed
        assert "went over the memory limit (256 MB) and was stopped" in execution.message
        assert answer(execution) == "after"
    assert run("answer = 'fine'").status == COMPLETED


def test_a_fork_bomb_is_contained(run):
    # Counted under this process only: other tests and programs on the machine
    # start and end processes meanwhile.
    baseline = len(descendants(os.getpid()))
    execution = run(
        "import os\nprint(os.getuid())",
        "while True:\n    os.fork()",
        pool=None,
        limits=FAST,  # if nothing else stops it first, the 2 s clock does
    )
    uid = int(text(execution, 0))
    # Stopped by the process limit (BlockingIOError), the clock, or the memory cap
    # (each fork's page tables count), whichever comes first on this machine.
    assert execution.status in (COMPLETED, CELL_TIMEOUT, MEMORY)
    assert "BlockingIOError" in text(execution, 1) or execution.status != COMPLETED
    assert processes_of(uid) == []
    assert len(descendants(os.getpid())) <= baseline + 8  # pool refills at most
    assert run("answer = 'fine'").status == COMPLETED


@pytest.mark.parametrize(
    "flood",
    [
        "while True:\n    print('x' * 1000)",  # messages too big to receive: dropped
        "import time\nwhile True:\n    print('y' * 100)\n    time.sleep(0.0005)",  # many small
    ],
)
def test_an_output_flood_is_cut_off(run, flood):
    # With the runner's roomy clocks, the output cap is what stops the flood.
    execution = run("print('before')", flood, "answer = 1")
    assert execution.status == OUTPUT_LIMIT
    assert execution.message.startswith("Cell 2 printed more than 256 KB of output")
    # The cap counts outputs as compact JSON; a written .ipynb splits and indents lines.
    size = len(nbformat.writes(execution.notebook))
    assert size < FAST.output_bytes * 1.2 + 16 * 1024
    assert text(execution, 0) == "before\n"
    assert "Stopped: the output passed 256 KB" in text(execution, 1)
    assert answer(execution) is None


def test_a_kernel_that_kills_itself(run):
    execution = run("answer = 1", "import os\nos.kill(os.getpid(), 9)", "answer = 2")
    assert execution.status == KERNEL_DIED
    assert "stopped unexpectedly while running cell 2" in execution.message
    assert answer(execution) is None


def test_killing_every_process_reaches_only_the_sandbox(run):
    execution = run("import os, signal\nos.kill(-1, signal.SIGKILL)\nos.kill(1, 9)")
    assert execution.status in (KERNEL_DIED, COMPLETED)  # we are still here to look


def test_exported_links_cannot_be_made_and_odd_or_oversized_files_are_not_copied(run, site):
    # Links are refused by the seccomp filter; copyout.py refuses any that exist anyway
    # (tests/grading/sandbox/test_copyout.py makes them on the host).
    secret = site["instance"] / "secret_key"
    export = (
        "import os\nd = os.environ['ACADEMY_ANSWERS']\n"
        "open(d + '/ok.json', 'w').write('1')\n"
        f"targets = (({str(secret)!r}, 'host_link'), ('/lake/lake.duckdb', 'lake_link'))\n"
        "for target, name in targets:\n"
        "    for make in (os.symlink, os.link):\n"
        "        try:\n"
        "            make(target, f'{d}/{name}-{make.__name__}.json')\n"
        "        except PermissionError:\n"
        "            pass\n"
        "os.mkfifo(d + '/fifo.json')\n"
        "open(d + '/big.bin', 'wb').write(b'x' * (6 * 2**20))\n"
    )
    limits = dataclasses.replace(ROOMY, answer_bytes=2**20)
    execution = run("answer = 1", export=export, limits=limits, pool=None)
    assert execution.status == COMPLETED
    assert sorted(p.name for p in execution.answers_dir.iterdir()) == ["ok.json"]
    assert "link" not in execution.message
    assert "fifo.json" in execution.message and "big.bin" in execution.message


def test_a_fork_bomb_is_contained_in_the_fallback_too(site, tmp_path):
    # The uid is flushed (and given a moment to leave) before the bomb: a buffered print can
    # die with the kernel, and the test needs the uid to look for survivors.
    bomb = "import os, time\nprint(os.getuid(), flush=True)\ntime.sleep(0.5)\nwhile True: os.fork()"
    nb = new_notebook(cells=[new_code_cell(bomb)])
    execution = execute(
        nb,
        lake_dir=site["lake"],
        work_dir=tmp_path / "work",
        limits=FAST,
        setup_source="",
        export_source="",
        sandbox="fallback",
    )
    uid = int(text(execution, 0).split()[0])
    assert execution.status in (COMPLETED, CELL_TIMEOUT, MEMORY)  # whichever limit comes first
    assert processes_of(uid) == []
    assert subprocess.run(["true"], check=False).returncode == 0


STARTED = time.time()  # run folders older than this session are another run's leftovers


def test_writing_through_the_kernels_own_stream_fills_no_disk(run, tmp_path):
    # ipykernel keeps the process's original stdout; it used to go to a log file on
    # the host, where a notebook could write hundreds of MB. Now it is a drained pipe.
    flood = (
        "import os, sys\n"
        "fd = sys.stdout._original_stdstream_copy\n"
        "for _ in range(64):\n"
        "    os.write(fd, b'x' * 2**20)"
    )
    ours = set(Path(tempfile.gettempdir()).glob("acx-*"))  # the pool's kernels, booted
    execution = run(flood, "answer = 1")
    assert execution.status == COMPLETED and answer(execution) == 1
    ours |= set(Path(tempfile.gettempdir()).glob("acx-*"))  # and the ones booted since
    old = {p for p in ours if (p / "kernel.log").exists() and p.stat().st_mtime < STARTED}
    assert [p for p in ours - old if (p / "kernel.log").exists()] == []
