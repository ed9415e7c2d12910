"""Clearing what killed processes left: only a gone owner's folders and cgroups, nobody else's."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from app.grading.sandbox import cgroup
from app.grading.sandbox.leftovers import stale_entries, sweep
from app.grading.sandbox.owner import Owner, this_process
from tests.grading.support import dead_owner, kill_all_in, private_cgroup

KINDS = ("acx-", "academy-grade-")


def _folder(parent: Path, name: str) -> Path:
    path = parent / name
    (path / "ipc").mkdir(parents=True)
    (path / "ipc" / "kernel.json").write_text("{}")
    return path


def test_only_folders_whose_owner_has_gone_are_removed(tmp_path):
    me, gone = this_process(), dead_owner()
    reused = Owner(me.pid, me.start - 1)  # our pid, once another process's
    mine = _folder(tmp_path, me.prefix("acx-") + "live1234")
    dead_run = _folder(tmp_path, gone.prefix("acx-") + "dead1234")
    dead_work = _folder(tmp_path, gone.prefix("academy-grade-") + "dead5678")
    reused_run = _folder(tmp_path, reused.prefix("acx-") + "old12345")
    legacy = _folder(tmp_path, "acx-k3j2h1ab")  # an older version's: owner unknown
    other = _folder(tmp_path, gone.prefix("build-") + "notours1")  # not a kernel's folder
    afile = tmp_path / (gone.prefix("acx-") + "afile123")
    afile.write_text("not a folder")
    swept = sweep(tmp_path, KINDS, None)
    assert sorted(swept.folders) == sorted([dead_run, dead_work, reused_run])
    assert [p.exists() for p in (dead_run, dead_work, reused_run)] == [False] * 3
    assert all(p.exists() for p in (mine, legacy, other, afile))


def test_another_users_folders_are_never_judged(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can make a folder another user owns")
    theirs = _folder(tmp_path, dead_owner().prefix("acx-") + "theirs12")
    os.chown(theirs, 12345, 12345)
    assert stale_entries(tmp_path, "acx-") == []


def test_nothing_is_removed_when_no_process_can_be_looked_up(tmp_path):
    # /proc missing or unreadable: every owner would look dead, the live ones too.
    dead_run = _folder(tmp_path, dead_owner().prefix("acx-") + "dead1234")
    swept = sweep(tmp_path, KINDS, None, looked_up=lambda pid: None)
    assert swept.folders == [] and dead_run.exists()


def test_a_stale_cgroup_is_emptied_by_killing_what_runs_in_it_then_removed():
    if not cgroup.available():
        if os.environ.get("CI"):
            pytest.fail("no memory cgroup: leftover cgroups cannot be tested")
        pytest.skip("no memory cgroup here")
    with private_cgroup() as parent:
        stale = parent / (dead_owner().prefix(cgroup.PREFIX) + "0123456789abcdef")
        live = parent / (this_process().prefix(cgroup.PREFIX) + "fedcba9876543210")
        stale.mkdir()
        live.mkdir()
        # A kernel that outlived its owner: still running inside the stale cgroup.
        orphan = subprocess.Popen(cgroup.enter_command(stale, ["sleep", "60"]))
        deadline = time.monotonic() + 10
        while not (stale / "cgroup.procs").read_text().split() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (stale / "cgroup.procs").read_text().split() == [str(orphan.pid)]
        swept = sweep(Path("/nonexistent"), KINDS, parent)
        assert orphan.wait(10) == -9
        assert (swept.cgroups, swept.stuck) == ([stale], [])
        assert not stale.exists() and live.exists()
        kill_all_in(live)
