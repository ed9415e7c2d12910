"""Who made a run folder or cgroup, from its name; and whether that process still runs."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from app.grading.sandbox.owner import (
    Owner,
    is_stale,
    owner_in,
    process_at,
    start_time,
    this_process,
)


def test_a_name_records_its_owner_after_its_prefix():
    assert owner_in("acx-4182-99123-k3j2_h1a", "acx-") == Owner(4182, 99123)
    assert owner_in("academy-kernel-7-8-probe1a2b", "academy-kernel-") == Owner(7, 8)
    assert Owner(4182, 99123).prefix("acx-") == "acx-4182-99123-"


def test_names_from_older_versions_or_other_programs_record_no_owner():
    assert owner_in("acx-k3j2h1ab", "acx-") is None  # mkdtemp's suffix alone
    assert owner_in("academy-kernel-0123456789abcdef", "academy-kernel-") is None
    assert owner_in("academy-kernel-probe-1a2b3c4d", "academy-kernel-") is None
    assert owner_in("acx-12-34-", "acx-") is None  # nothing after the owner
    assert owner_in("acx-12-34-abc", "academy-grade-") is None


def test_only_a_recorded_owner_that_is_gone_makes_a_leftover():
    owner = Owner(4182, 99123)
    assert is_stale(owner, None)  # no process with that pid any more
    assert is_stale(owner, Owner(4182, 150000))  # the pid was given to another process
    assert not is_stale(owner, owner)  # still running
    assert not is_stale(None, None)  # nobody recorded: never judged


def test_the_start_time_is_read_past_a_command_name_with_spaces_and_parentheses():
    rest = " ".join(str(n) for n in range(4, 53))  # fields 4 to 52
    state, start = start_time(f"1234 (a (b) c) S {rest}")
    assert (state, start) == ("S", 22)


def test_this_process_is_the_one_proc_shows_and_a_child_is_another():
    me = this_process()
    assert me.pid == os.getpid()
    assert me.start == start_time(Path("/proc/self/stat").read_text())[1]
    with subprocess.Popen(["sleep", "30"]) as child:
        try:
            assert process_at(child.pid) not in (None, me)
        finally:
            child.kill()


def test_a_process_that_exited_is_gone_even_before_it_is_reaped():
    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while process_at(child.pid) is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process_at(child.pid) is None  # a zombie: it runs no more
    assert Path(f"/proc/{child.pid}").exists()  # though not yet reaped
    child.wait()
