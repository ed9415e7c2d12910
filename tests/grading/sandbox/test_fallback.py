"""The fallback sandbox (no bubblewrap) against a notebook that looks for secrets and servers.

A real kernel is started the way the fallback starts one (prlimit, the Landlock
and seccomp wall, setpriv) on the host's own file system and network, next to
real servers on loopback that it must not reach: a TCP listener (where
PostgreSQL or Redis would be), a UDP socket and a local socket in a folder
anyone may enter (where PostgreSQL's socket is).
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from app.config import PROJECT_ROOT
from app.grading.sandbox.contract import COMPLETED
from app.grading.sandbox.execute import execute
from tests.grading.support import EXPORT, ROOMY, SETUP, answer, fingerprint, text

pytestmark = [pytest.mark.slow]


class Listener:
    """Servers on loopback that record every connection or datagram that reaches them."""

    def __init__(self, folder: Path):
        self.reached: list[str] = []
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.unix_path = folder / "db.sock"
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind(str(self.unix_path))
        self.unix_path.chmod(0o777)  # as PostgreSQL's own socket is
        self.unix.listen()
        for sock, kind in ((self.tcp, "tcp"), (self.unix, "unix")):
            threading.Thread(target=self._accept, args=(sock, kind), daemon=True).start()
        threading.Thread(target=self._receive, daemon=True).start()

    def _accept(self, sock: socket.socket, kind: str) -> None:
        with contextlib.suppress(OSError):
            while True:
                sock.accept()[0].close()
                self.reached.append(kind)

    def _receive(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.udp.recv(100)
                self.reached.append("udp")

    def close(self) -> None:
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    folder = Path(tempfile.mkdtemp(prefix="academy-listener-"))
    folder.chmod(0o755)
    servers = Listener(folder)
    yield servers
    servers.close()
    servers.unix_path.unlink(missing_ok=True)
    folder.rmdir()


def attempt(code: str) -> str:
    """A cell printing ``ok`` when ``code`` works, else the error's type."""
    report = "except Exception as exc:\n    print(type(exc).__name__)"
    return f"try:\n    {code}\n    print('ok')\n{report}"


def test_the_fallback_keeps_secrets_and_servers_out_of_reach(site, tmp_path, listener):
    before = fingerprint(site["root"])
    tcp_port = listener.tcp.getsockname()[1]
    udp_port = listener.udp.getsockname()[1]
    reads = [
        site["exercises"] / "solution.py",
        site["instance"] / "academy.sqlite",
        site["instance"] / "scratch" / "bob.duckdb",
        PROJECT_ROOT / "exercises",
        PROJECT_ROOT / "app" / "config.py",
    ]
    cells = [new_code_cell("answer = lake.execute('SELECT max(n) FROM numbers').fetchall()[0][0]")]
    cells += [new_code_cell(attempt(f"open({str(p)!r}, 'rb').read(1)")) for p in reads[:3]]
    cells += [new_code_cell(attempt(f"__import__('os').listdir({str(reads[3])!r})"))]
    cells += [new_code_cell(attempt(f"open({str(reads[4])!r}).read(1)"))]
    cells += [
        new_code_cell("import socket"),
        new_code_cell(attempt(f"socket.create_connection(('127.0.0.1', {tcp_port}), timeout=2)")),
        new_code_cell(
            attempt(f"socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', "
                    f"('127.0.0.1', {udp_port}))")
        ),
        new_code_cell(attempt(f"socket.socket(socket.AF_UNIX).connect({str(listener.unix_path)!r})")),
        new_code_cell(attempt("open(__import__('os').environ['ACADEMY_SCRATCH'] + '/mine', 'w')")),
    ]  # fmt: skip
    execution = execute(
        new_notebook(cells=cells),
        lake_dir=site["lake"],
        work_dir=tmp_path / "work",
        limits=ROOMY,
        setup_source=SETUP,
        export_source=EXPORT,
        sandbox="fallback",
    )
    assert execution.sandbox == "fallback" and execution.status == COMPLETED
    assert answer(execution) == 9  # the lake stays readable
    assert [text(execution, i).strip() for i in range(1, 6)] == ["PermissionError"] * 5
    assert [text(execution, i).strip() for i in range(7, 10)] == ["PermissionError"] * 3
    assert text(execution, 10).strip() == "ok"  # its own scratch folder is writable
    assert listener.reached == []
    assert fingerprint(site["root"]) == before


def test_no_kernel_connects_anywhere_once_sealed(run):
    # In bubblewrap nothing of the host's is there to reach; the seal is checked
    # on a server inside the kernel's own sandbox.
    execution = run(
        "import socket, os\n"
        "server = socket.socket(socket.AF_UNIX)\n"
        "server.bind('/tmp/own.sock'); server.listen()",
        attempt("socket.socket(socket.AF_UNIX).connect('/tmp/own.sock')"),
        "answer = 1",
    )
    assert execution.status == COMPLETED and answer(execution) == 1
    assert text(execution, 1).strip() == "PermissionError"
