"""The executor's pure parts: answer copying, messages, the sandbox command, pool matching.

Nothing here starts a kernel; see test_executor_kernels.py for runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from app.grading.sandbox import command, seccomp
from app.grading.sandbox.contract import (
    CELL_TIMEOUT,
    KERNEL_DIED,
    OUTPUT_LIMIT,
    TOTAL_TIMEOUT,
    Limits,
    SandboxUnavailable,
)
from app.grading.sandbox.copyout import copy_answers
from app.grading.sandbox.pool import KernelPool
from app.grading.sandbox.report import explain, failed_cells, ran_out_of_memory


def test_copy_answers_keeps_regular_files_only(tmp_path: Path):
    """Links, FIFOs, folders, odd names and oversized files never reach the grader."""
    source, dest = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    secret = tmp_path / "secret_key"
    secret.write_text("do not read")
    (source / "q1.json").write_text("42")
    (source / "link.json").symlink_to(secret)
    os.mkfifo(source / "pipe.json")
    (source / "folder").mkdir()
    (source / "big.bin").write_bytes(b"x" * 2048)
    (source / ".hidden").write_text("x")

    notes = copy_answers(source, dest, max_bytes=1024, max_files=10)

    assert sorted(p.name for p in dest.iterdir()) == ["q1.json"]
    assert (dest / "q1.json").read_text() == "42"
    joined = " ".join(notes)
    for name in ("link.json", "pipe.json", "folder", "big.bin", ".hidden"):
        assert name in joined


def test_copy_answers_caps_the_number_of_files(tmp_path: Path):
    source = tmp_path / "in"
    source.mkdir()
    for i in range(5):
        (source / f"q{i}.txt").write_text(str(i))
    notes = copy_answers(source, tmp_path / "out", max_bytes=100, max_files=3)
    assert len(list((tmp_path / "out").iterdir())) == 3
    assert notes == ["only the first 3 of 5 answer files were kept"]


def test_copy_answers_without_a_source_makes_an_empty_folder(tmp_path: Path):
    assert copy_answers(None, tmp_path / "out", 10, 10) == []
    assert copy_answers(tmp_path / "missing", tmp_path / "out", 10, 10) == []
    assert list((tmp_path / "out").iterdir()) == []


def _error(ename: str):
    return new_output("error", ename=ename, evalue="", traceback=[])


def test_failed_cells_and_memory_errors_are_found():
    nb = new_notebook(
        cells=[
            new_code_cell("ok", outputs=[new_output("stream", name="stdout", text="hi")]),
            new_code_cell("boom", outputs=[_error("ZeroDivisionError")]),
            new_code_cell("big", outputs=[_error("_ArrayMemoryError")]),
            new_code_cell("duck", outputs=[_error("OutOfMemoryException")]),
        ]
    )
    assert failed_cells(nb) == [1, 2, 3]
    assert ran_out_of_memory(nb) == 2


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (CELL_TIMEOUT, "Cell 4 ran longer than 2.5 s"),
        (TOTAL_TIMEOUT, "longer than 60 s in total"),
        (KERNEL_DIED, "stopped unexpectedly while running cell 4"),
        (OUTPUT_LIMIT, "Cell 4 printed more than 256 KB"),
    ],
)
def test_messages_name_the_cell_and_the_limit(status: str, words: str):
    message = explain(status, 3, [], Limits(cell_seconds=2.5))
    assert words in message
    assert "did not run" in message


def test_message_for_errors_lists_the_cells():
    assert explain("completed", None, [0, 2, 4], Limits()) == (
        "Cells 1, 3 and 5 raised an error; the other cells ran."
    )
    assert explain("completed", None, [], Limits()) == "All cells ran."


def test_bwrap_command_mounts_only_what_the_kernel_needs(tmp_path: Path):
    """The app, the instance folder and the repository are never mounted."""
    lake = tmp_path / "instance" / "lake"
    lake.mkdir(parents=True)
    args = command.bwrap_args(Limits(), lake, tmp_path / "ipc", info_fd=9)
    binds = [args[i + 1 : i + 3] for i, a in enumerate(args) if a in ("--bind", "--ro-bind")]
    sources = {source for source, _ in binds}
    project = str(Path(command.__file__).resolve().parents[3])
    assert project not in sources
    assert not any(s == str(tmp_path / "instance") for s in sources)
    assert [str(lake.resolve()), "/lake"] in binds
    assert [str(tmp_path / "ipc"), "/ipc"] in binds
    for flag in ("--unshare-pid", "--unshare-net", "--die-with-parent", "--new-session"):
        assert flag in args
    writable = [args[i + 1] for i, a in enumerate(args) if a == "--bind"]
    assert writable == [str(tmp_path / "ipc")]


def test_limits_become_prlimit_options():
    args = command.limit_args(Limits(memory_mb=100, processes=7))
    overhead = command.ADDRESS_SPACE_OVERHEAD_MB
    assert f"--as={(100 + overhead) * 2**20}" in args
    assert "--core=0" in args
    if command.can_switch_uid():
        assert "--nproc=7" in args


def test_kernel_environment_holds_no_secrets(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://x")
    env = command.kernel_env("/lake", "/scratch", "/answers", "/tmp")
    assert "SECRET_KEY" not in env and "DATABASE_URL" not in env
    assert env["ACADEMY_LAKE"] == "/lake" and env["HOME"] == "/tmp"


def test_a_required_bwrap_that_is_missing_fails_loudly(monkeypatch):
    monkeypatch.setattr(command, "BWRAP_PATH", "/nonexistent/bwrap")
    command.bwrap_problem.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="not installed"):
            command.choose_sandbox("bwrap")
        assert command.choose_sandbox("auto") == "fallback"
    finally:
        command.bwrap_problem.cache_clear()
    with pytest.raises(ValueError):
        command.choose_sandbox("docker")


def test_the_seccomp_filter_is_a_whole_program():
    for machine in ("x86_64", "aarch64"):
        code = seccomp.program(machine)
        assert code is not None and len(code) % 8 == 0 and len(code) // 8 < 100
    assert seccomp.program("riscv64") is None


def test_pool_fits_only_its_lake_and_kernel_limits(tmp_path: Path):
    pool = KernelPool(tmp_path, Limits(), size=1, sandbox="fallback")
    assert pool.fits(tmp_path, Limits(cell_seconds=3, total_seconds=9), "auto")
    assert not pool.fits(tmp_path / "other", Limits(), "auto")
    assert not pool.fits(tmp_path, Limits(memory_mb=64), "auto")
    assert not pool.fits(tmp_path, Limits(), "bwrap")
    pool.close()
