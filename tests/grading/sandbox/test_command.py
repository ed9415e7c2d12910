"""The command that starts a kernel: bubblewrap's mounts, prlimit, the environment, seccomp.

Nothing here starts a kernel; see test_execute.py for runs.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.grading.sandbox import command, seccomp
from app.grading.sandbox.contract import RESTRICTED_GID, Limits, SandboxUnavailable, Workspace


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


def test_the_seal_is_a_whole_program_that_ends_in_allow_or_deny():
    for machine in ("x86_64", "aarch64"):
        code = seccomp.seal_program(machine)
        assert code is not None and len(code) // 8 == 6
        assert code[-16:-8] == struct.pack("=HBBI", 0x06, 0, 0, 0x7FFF0000)  # allow
    assert seccomp.seal_program("riscv64") is None


def test_the_fallback_wall_reads_only_what_a_kernel_needs(tmp_path):
    args = command.wall_args(tmp_path / "lake", tmp_path / "run", 7)
    reads = {args[i + 1] for i, a in enumerate(args) if a == "--read"}
    writes = {args[i + 1] for i, a in enumerate(args) if a == "--write"}
    assert str(tmp_path / "lake") in reads and "/usr" in reads
    assert writes == {str(tmp_path / "run"), "/dev/null"}
    assert not any(p == "/" or p.startswith(str(PROJECT_ROOT)) and ".venv" not in p for p in reads)
    assert args[args.index("--seccomp-fd") + 1] == "7" and args[-1] == "--"


def test_a_granted_lab_kernel_gets_the_restricted_folder_as_its_lake_and_the_build_beside(
    tmp_path: Path,
):
    build = tmp_path / ".lake.builds" / "build-0001"
    restricted = build.with_name("build-0001.restricted")
    for folder in (build, restricted, tmp_path / "home" / ".academy-scratch"):
        folder.mkdir(parents=True)
    home = tmp_path / "home"
    plain = Workspace(home, home / ".academy-scratch", uid=1_000_000_003, setup="")
    granted = Workspace(
        home, home / ".academy-scratch", uid=1_000_000_003, setup="", base_lake=build
    )
    for workspace, lake in ((plain, build), (granted, restricted)):
        args = command.bwrap_args(Limits(), lake, tmp_path / "ipc", 9, workspace=workspace)
        binds = [args[i + 1 : i + 3] for i, a in enumerate(args) if a == "--ro-bind"]
        assert [str(lake), "/lake"] in binds
        assert [str(build), str(build)] in binds  # where the views name its files
        assert ([str(restricted), str(restricted)] in binds) is (workspace is granted)
    assert plain.gid == plain.uid and granted.gid == RESTRICTED_GID
    if command.can_switch_uid():
        assert f"--regid={RESTRICTED_GID}" in command.drop_privileges_args(7, granted.gid)
        assert "--regid=7" in command.drop_privileges_args(7)


@pytest.mark.parametrize("module", command.PRELOAD)
def test_what_every_kernel_imports_is_installed_compiled(module):
    """A kernel may not write .pyc files (the installation is read-only in the sandbox and
    PYTHONDONTWRITEBYTECODE is set), so without them each kernel compiles these from
    source: `make install` compiles them (uv sync --compile-bytecode)."""
    import importlib
    import importlib.util

    source = importlib.import_module(module).__file__
    assert source is not None
    assert Path(importlib.util.cache_from_source(source)).is_file(), (
        f"{module} has no bytecode: install with `uv sync --compile-bytecode`"
    )
