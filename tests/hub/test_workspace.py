"""The embedded spawner's part in the restricted tier: which lake a granted learner's
server gets, and that a server whose grant ends is stopped (a real process here; the
whole path through a real hub is in test_restricted_lab.py)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.hub.settings import RESTRICTED_CLAIM
from app.hub.workspace import Grant, WorkspaceSpawner, grant_in

SOON = datetime.now(UTC) + timedelta(days=1)
PAST = datetime.now(UTC) - timedelta(seconds=1)


def _spawner(tmp_path, claims: dict | None) -> WorkspaceSpawner:
    """A spawner for one learner whose hub sign-in holds ``claims`` (the academy's userinfo)."""

    async def auth_state():
        return None if claims is None else {"oauth_user": claims}

    user = SimpleNamespace(name="a@b.example", id=3, url="/user/a@b.example/")
    user.get_auth_state = auth_state
    build = tmp_path / ".lake.builds" / "build-0001"
    (build.parent / "build-0001.restricted").mkdir(parents=True)
    build.mkdir()
    (tmp_path / "lake").symlink_to(build)
    (tmp_path / "lake.restricted").symlink_to(build.parent / "build-0001.restricted")
    return WorkspaceSpawner(
        user=user,
        lake_dir=str(build),
        restricted_lake_dir=str(tmp_path / "lake.restricted"),
        workspaces_dir=str(tmp_path / "workspaces"),
        servers_dir=str(tmp_path / "servers"),
        kernel_memory_mb=256,
        kernel_processes=64,
        kernel_cpu_minutes=10,
    )


def _run(coroutine):
    """Run ``coroutine`` on a thread of its own: a browser test before may have left an
    event loop running on this one (Playwright's sync API does)."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def _option(args: list[str], name: str) -> str | None:
    prefix = f"--SandboxProvisioner.{name}="
    return next((a.removeprefix(prefix) for a in args if a.startswith(prefix)), None)


@pytest.mark.parametrize(
    "claims, grant",
    [
        ({}, None),
        ({RESTRICTED_CLAIM: None}, None),
        ({RESTRICTED_CLAIM: "yes"}, None),
        ({RESTRICTED_CLAIM: {"until": "next Tuesday"}}, None),  # unreadable: no access
        ({RESTRICTED_CLAIM: {"until": None}}, Grant(None)),
        ({RESTRICTED_CLAIM: {"until": SOON.isoformat()}}, Grant(SOON)),
    ],
)
def test_the_grant_is_read_from_the_academys_claims(claims, grant):
    assert grant_in(claims) == grant


def test_an_ungranted_server_gets_the_masked_lake(tmp_path):
    spawner = _spawner(tmp_path, {"email": "a@b.example"})
    spawner.grant = _run(spawner.current_grant())
    assert spawner.grant is None
    args = spawner.get_args()
    assert _option(args, "lake_dir") == spawner.lake_dir
    assert _option(args, "base_lake_dir") is None


def test_a_granted_server_gets_the_restricted_folder_and_the_build_it_reads(tmp_path):
    spawner = _spawner(tmp_path, {RESTRICTED_CLAIM: {"until": SOON.isoformat()}})
    spawner.grant = _run(spawner.current_grant())
    assert spawner.grant == Grant(SOON)
    args = spawner.get_args()
    builds = (tmp_path / ".lake.builds").resolve()
    assert _option(args, "lake_dir") == str(builds / "build-0001.restricted")
    assert _option(args, "base_lake_dir") == str(builds / "build-0001")
    # The hub keeps it with the server, so a restarted hub still polls the grant.
    again = _spawner(tmp_path / "again", {})
    again.load_state(spawner.get_state())
    assert again.grant == Grant(SOON)
    again.clear_state()
    assert again.grant is None


def test_a_grant_already_over_gives_the_masked_lake(tmp_path):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    spawner = _spawner(tmp_path, {RESTRICTED_CLAIM: {"until": past}})
    assert _run(spawner.current_grant()) is None


def _running(spawner: WorkspaceSpawner) -> subprocess.Popen:
    """A real process as the learner's server, reaped when it dies (as the hub's would be)."""
    process = subprocess.Popen(["sleep", "600"])
    threading.Thread(target=process.wait, daemon=True).start()
    spawner.pid = process.pid
    return process


@pytest.mark.parametrize(
    "grant, claims, stopped",
    [
        (Grant(SOON), {RESTRICTED_CLAIM: {"until": SOON.isoformat()}}, False),
        (Grant(None), {RESTRICTED_CLAIM: {"until": None}}, False),
        # Its end has passed.
        (
            Grant(datetime.now(UTC) - timedelta(seconds=1)),
            {RESTRICTED_CLAIM: {"until": None}},
            True,
        ),
        # Revoked: the claims the hub refreshed since no longer hold it.
        (Grant(None), {"email": "a@b.example"}, True),
    ],
)
def test_polling_stops_a_server_whose_grant_has_ended(tmp_path, grant, claims, stopped):
    spawner = _spawner(tmp_path, claims)
    spawner.grant = grant
    process = _running(spawner)
    try:
        status = _run(spawner.poll())
        assert (status == 0) is stopped
        assert (process.poll() is not None) is stopped
    finally:
        if process.poll() is None:
            process.kill()


def test_polling_an_ungranted_server_is_the_local_spawners(tmp_path):
    spawner = _spawner(tmp_path, {})
    process = _running(spawner)
    try:
        assert _run(spawner.poll()) is None
        process.kill()
        process.wait()
        assert _run(spawner.poll()) is not None
    finally:
        if process.poll() is None:
            os.kill(process.pid, 9)
