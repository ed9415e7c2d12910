"""Grading's settings and process-wide objects: declared once, wired at start-up, booted lazily."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

import app.grading
from app import create_app
from app.config import PROJECT_ROOT, Config, is_production
from app.grading import runtime
from app.grading.grader.grade import WORK_PREFIX
from app.grading.queue import ThreadQueue
from app.grading.runtime import POOL_KEY, WarmKernels, warm_kernels
from app.grading.sandbox import cgroup, command
from app.grading.sandbox.contract import SandboxUnavailable
from app.grading.sandbox.kernel import RUN_PREFIX
from app.grading.sandbox.owner import owner_in
from tests.grading.support import private_cgroup, require_bwrap

PACKAGE = Path(app.grading.__file__).parent
GRADING_SETTINGS = (
    "ACADEMY_EXERCISES_DIR",
    "ACADEMY_GRADING_SANDBOX",
    "ACADEMY_GRADING_WORKERS",
    "ACADEMY_GRADING_INLINE",
    "ACADEMY_SUBMISSIONS_PER_WINDOW",
    "ACADEMY_SUBMISSION_WINDOW_MIN",
    "ACADEMY_GRADING_BACKEND",
    "ACADEMY_BROKER_URL",
    "ACADEMY_KERNEL_POOL",
    "ACADEMY_RECOVERY_SECONDS",
    "ACADEMY_LEASE_MARGIN_SECONDS",
)


class FakePool:
    """Stands in for KernelPool: records how it was made and started, boots nothing."""

    made: list[FakePool] = []

    def __init__(self, lake_dir, limits, size, sandbox):
        self.lake_dir, self.size, self.sandbox = lake_dir, size, sandbox
        self.started = self.closed = False
        FakePool.made.append(self)

    def start(self):
        self.started = True

    def close(self):
        self.closed = True


@pytest.fixture
def fake_pools(monkeypatch) -> list[FakePool]:
    """Every pool the app makes, fake."""
    FakePool.made = []
    monkeypatch.setattr(runtime, "KernelPool", FakePool)
    return FakePool.made


def test_every_setting_grading_reads_is_declared_in_config_and_read_without_a_default():
    sources = {p: p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}
    reads = r'config\["(ACADEMY_\w+)"\]'
    read = {name for text in sources.values() for name in re.findall(reads, text)}
    assert set(GRADING_SETTINGS) <= read
    assert [name for name in read if not hasattr(Config, name)] == []
    for path, text in sources.items():
        assert not re.search(r"config\.get\(\s*\"ACADEMY_", text), path


def test_an_app_made_from_a_dict_gets_configs_grading_settings(tmp_path):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path)
    )
    for name in GRADING_SETTINGS:
        assert app.config[name] == getattr(Config, name), name


def test_making_an_app_starts_no_thread_and_no_kernel_even_with_a_pool(tmp_path, fake_pools):
    before = set(threading.enumerate())
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "ACADEMY_KERNEL_POOL": 2},
        instance_path=str(tmp_path),
    )
    started = set(threading.enumerate()) - before
    # The sign-in throttle's in-memory counters expire on short threading.Timers
    # (limits' MemoryStorage), in any app of this process; those are not ours.
    assert {t.name for t in started if not isinstance(t, threading.Timer)} == set()
    assert fake_pools == []
    assert isinstance(app.extensions[POOL_KEY], WarmKernels)
    assert isinstance(app.extensions["grading_queue"], ThreadQueue)


def test_the_pool_boots_on_first_warm_up_once_per_app(make_app, fake_pools, tmp_path):
    app = make_app(ACADEMY_KERNEL_POOL=2, ACADEMY_GRADING_SANDBOX="fallback")
    with app.app_context():
        warm_kernels()
        warm_kernels()
        assert runtime.executor_and_sandbox()[1] == "fallback"
    [pool] = fake_pools
    assert (pool.started, pool.size, pool.sandbox) == (True, 2, "fallback")
    assert app.extensions[POOL_KEY].pool is pool
    app.extensions[POOL_KEY].close()
    assert pool.closed


def test_the_test_settings_switch_the_pool_off(app, fake_pools):
    warm_kernels()
    assert app.extensions[POOL_KEY].get() is None
    assert fake_pools == []


def test_a_pool_that_cannot_start_does_not_break_warming_up(make_app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no bubblewrap")

    monkeypatch.setattr(runtime, "KernelPool", broken)
    app = make_app(ACADEMY_KERNEL_POOL=1)
    with app.app_context():
        warm_kernels()  # logged, not raised
        with pytest.raises(RuntimeError, match="no bubblewrap"):
            runtime.executor_and_sandbox()  # but a grade says so


def _settings(**values) -> dict:
    base = {
        "ACADEMY_ENV": "",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite",
        "ACADEMY_GRADING_SANDBOX": "auto",
        "ACADEMY_ALLOW_UNSANDBOXED_GRADING": False,
    }
    return base | values


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, False),
        ({"ACADEMY_ENV": "production"}, True),
        ({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/academy"}, True),
        ({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/x", "ACADEMY_ENV": "test"}, False),
    ],
)
def test_production_is_said_or_seen_in_a_server_database(values, expected):
    assert is_production(_settings(**values)) is expected


def test_in_production_auto_means_bubblewrap_unless_an_admin_opts_in():
    production = {"ACADEMY_ENV": "production"}
    assert runtime.sandbox_mode(_settings()) == "auto"
    assert runtime.sandbox_mode(_settings(**production)) == "bwrap"
    opted_in = _settings(**production, ACADEMY_ALLOW_UNSANDBOXED_GRADING=True)
    assert runtime.sandbox_mode(opted_in) == "auto"
    assert runtime.sandbox_mode(_settings(**production, ACADEMY_GRADING_SANDBOX="fallback")) == (
        "fallback"  # named outright: that is the admin's explicit choice
    )


def test_production_without_bubblewrap_refuses_to_grade_and_says_why(make_app, monkeypatch):
    monkeypatch.setattr(command, "bwrap_problem", lambda: "/usr/bin/bwrap is not installed")
    app = make_app(ACADEMY_ENV="production")
    with app.app_context():
        _execute, mode = runtime.executor_and_sandbox()
        with pytest.raises(SandboxUnavailable, match="not installed"):
            command.choose_sandbox(mode)
        warning = runtime.sandbox_warning()
    assert warning.startswith("Grading is refused: the sandbox is mandatory in production")


# A grading process: its app's pool boots kernels (argv[3] of them, none for a
# process that only starts up), then it says so and stays, or exits.
GRADER = """
import sys, time
from app import create_app
from app.grading import runtime
from app.grading.sandbox import cgroup
settings = {"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "x",
            "ACADEMY_LAKE_DIR": sys.argv[2], "ACADEMY_KERNEL_POOL": int(sys.argv[3]),
            "ACADEMY_GRADING_SANDBOX": "bwrap"}
app = create_app(settings, instance_path=sys.argv[4])
with app.app_context():
    runtime.warm_kernels()
pool = app.extensions[runtime.POOL_KEY].pool
deadline = time.monotonic() + 60
while pool is not None and pool.ready_count() < pool.size and time.monotonic() < deadline:
    time.sleep(0.05)
print("ready", cgroup.available(), flush=True)
if pool is not None:
    time.sleep(600)
"""


@contextlib.contextmanager
def _grader(kernels: int, lake: Path, tmp: Path, group: Path | None, home: Path):
    """A grading process with TMPDIR ``tmp``, started inside the cgroup ``group``; killed after."""
    url = f"sqlite:///{home / 'unused.sqlite'}"
    argv = [sys.executable, "-c", GRADER, url, str(lake), str(kernels), str(home / "instance")]
    if group is not None:
        argv = cgroup.enter_command(group, argv)
    env = os.environ | {"TMPDIR": str(tmp)}
    with subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True) as p:
        try:
            yield p
        finally:
            p.kill()


def _owned_by(pid: int, *parents: Path | None) -> list[Path]:
    """The kernel folders and cgroups in ``parents`` named for process ``pid``."""
    kinds = (RUN_PREFIX, WORK_PREFIX, cgroup.PREFIX)
    return [
        entry
        for parent in parents
        if parent is not None
        for entry in sorted(parent.iterdir())
        for kind in kinds
        if (owner := owner_in(entry.name, kind)) is not None and owner.pid == pid
    ]


@pytest.mark.slow
def test_a_restarted_process_clears_what_a_killed_one_left_and_nothing_else(built_lake, tmp_path):
    require_bwrap()
    lake = built_lake.lake
    # A temp folder and a cgroup of this test's own, so no other test's start-up
    # clears the killed process's leftovers before they are looked at.
    tmp = Path(tempfile.mkdtemp(prefix="academy-tmp-"))
    tmp.chmod(0o755)
    try:
        with (
            private_cgroup() as group,
            _grader(1, lake, tmp, group, tmp_path / "killed") as killed,
            _grader(1, lake, tmp, group, tmp_path / "live") as live,
        ):
            assert killed.stdout.readline().split()[0] == "ready"
            has_cgroups = live.stdout.readline().split() == ["ready", "True"]
            os.kill(killed.pid, signal.SIGKILL)
            killed.wait(30)
            left = _owned_by(killed.pid, tmp, group)
            kept = _owned_by(live.pid, tmp, group)
            assert [p.name.startswith(RUN_PREFIX) for p in left].count(True) == 1
            assert any(p.name.startswith(cgroup.PREFIX) for p in left) == has_cgroups
            with _grader(0, lake, tmp, group, tmp_path / "restarted") as restarted:
                assert restarted.stdout.readline().split()[0] == "ready"
                assert restarted.wait(30) == 0
            assert [p for p in left if p.exists()] == []
            assert kept and _owned_by(live.pid, tmp, group) == kept
            for path in kept:
                if path.name.startswith(cgroup.PREFIX):  # its kernel still runs in it
                    assert (path / "cgroup.procs").read_text().split()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
