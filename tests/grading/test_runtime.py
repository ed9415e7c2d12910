"""Grading's settings and process-wide objects: declared once, wired at start-up, booted lazily."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

import app.grading
from app import create_app
from app.config import Config, is_production
from app.grading import runtime
from app.grading.queue import ThreadQueue
from app.grading.runtime import POOL_KEY, WarmKernels, warm_kernels
from app.grading.sandbox import command
from app.grading.sandbox.contract import SandboxUnavailable

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
