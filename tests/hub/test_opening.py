"""Opening, resetting and reading back a learner's copy: the decisions, with a hub in memory."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app.hub.client import ServerNotRunning, SpawnFailed, TokenRefused
from app.hub.lab import with_academy_kernel
from app.hub.opening import (
    CopyTooLarge,
    Next,
    NoCopy,
    Notebook,
    SignInRefused,
    Step,
    copy_if_absent,
    open_copy,
    read_copy,
    reset_copy,
    server_state,
)
from tests.hub.support import FakeHub

ANA = "ana@example.com"
NOTEBOOK = Notebook("exercises/sq101.ipynb", {"cells": [], "metadata": {}, "nbformat": 4})
READY = {"ready": True, "pending": None}
NOW = datetime(2026, 12, 2, 7, 45, 12, tzinfo=UTC)


def _hub(server: dict | None = READY) -> FakeHub:
    hub = FakeHub()
    hub.add(ANA, server)
    return hub


def test_a_ready_server_gets_the_starter_copied_in_and_the_lab_opened():
    hub = _hub()
    opened = open_copy(hub, ANA, NOTEBOOK, Step.FIRST)
    assert opened.next is Next.LAB and opened.url.endswith("/lab/tree/exercises/sq101.ipynb")
    assert json.loads(hub.files[ANA, NOTEBOOK.path]) == with_academy_kernel(NOTEBOOK.content)
    assert ("make_directory", ANA, "exercises") in hub.calls
    assert not [call for call in hub.calls if call[0] == "start_server"]


def test_a_copy_already_there_is_never_overwritten():
    hub = _hub()
    hub.files[ANA, NOTEBOOK.path] = "my work"
    assert open_copy(hub, ANA, NOTEBOOK, Step.FIRST).next is Next.LAB
    assert hub.files[ANA, NOTEBOOK.path] == "my work"
    assert copy_if_absent(hub, ANA, NOTEBOOK) is False
    assert not [call for call in hub.calls if call[0] == "put_notebook"]


def test_a_stopped_server_is_started_and_the_learner_waits_while_it_starts():
    hub = _hub(None)
    hub.start = False
    assert open_copy(hub, ANA, NOTEBOOK, Step.FIRST).next is Next.WAIT
    assert ("start_server", ANA) in hub.calls and not hub.files
    # Pressing Open again while it starts starts nothing more.
    assert open_copy(hub, ANA, NOTEBOOK, Step.FIRST).next is Next.WAIT
    assert [call[0] for call in hub.calls].count("start_server") == 1


def test_a_learner_the_hub_does_not_know_is_sent_to_sign_in_there_once():
    hub = FakeHub()
    assert open_copy(hub, ANA, NOTEBOOK, Step.FIRST).next is Next.SIGN_IN
    with pytest.raises(SignInRefused):
        open_copy(hub, ANA, NOTEBOOK, Step.SIGNED_IN)
    assert hub.writes() == []


def test_a_refused_start_sends_the_learner_to_sign_in_again_then_says_so():
    hub = _hub(None)
    hub.start = TokenRefused("refused (403)", 403)
    assert open_copy(hub, ANA, NOTEBOOK, Step.FIRST).next is Next.SIGN_IN
    with pytest.raises(SignInRefused):
        open_copy(hub, ANA, NOTEBOOK, Step.SIGNED_IN)


def test_a_start_that_ended_without_a_server_failed_and_is_not_tried_again():
    hub = _hub(None)
    hub.progress = {"progress": 100, "failed": True, "message": "Spawn failed: disk full"}
    with pytest.raises(SpawnFailed):
        open_copy(hub, ANA, NOTEBOOK, Step.STARTED)
    assert hub.writes() == []


def test_a_reset_keeps_the_current_copy_under_a_dated_name_and_puts_a_fresh_one():
    hub = _hub()
    hub.files[ANA, NOTEBOOK.path] = "my work"
    kept = reset_copy(hub, ANA, NOTEBOOK, NOW)
    assert kept == "exercises/sq101 (before reset 2026-12-02 07.45).ipynb"
    assert hub.files[ANA, kept] == "my work"
    assert json.loads(hub.files[ANA, NOTEBOOK.path]) == with_academy_kernel(NOTEBOOK.content)
    hub.files[ANA, NOTEBOOK.path] = "more work"
    again = reset_copy(hub, ANA, NOTEBOOK, NOW)  # the same minute: a name with seconds
    assert again == "exercises/sq101 (before reset 2026-12-02 07.45.12).ipynb"
    assert hub.files[ANA, kept] == "my work" and hub.files[ANA, again] == "more work"


def test_a_reset_without_a_copy_just_puts_one_and_needs_a_running_server():
    hub = _hub()
    assert reset_copy(hub, ANA, NOTEBOOK, NOW) is None
    assert (ANA, NOTEBOOK.path) in hub.files
    with pytest.raises(ServerNotRunning):
        reset_copy(_hub(None), ANA, NOTEBOOK, NOW)


def test_reading_a_copy_gives_the_saved_file_byte_for_byte():
    hub = _hub()
    hub.files[ANA, NOTEBOOK.path] = '{"cells": [], "é": 1}'
    assert read_copy(hub, ANA, NOTEBOOK.path, 1000) == '{"cells": [], "é": 1}'.encode()
    assert hub.writes() == []


def test_reading_says_why_there_is_nothing_to_read():
    with pytest.raises(NoCopy):
        read_copy(FakeHub(), ANA, NOTEBOOK.path, 1000)  # never signed in to the hub
    with pytest.raises(ServerNotRunning):
        read_copy(_hub(None), ANA, NOTEBOOK.path, 1000)
    with pytest.raises(NoCopy):
        read_copy(_hub(), ANA, NOTEBOOK.path, 1000)
    hub = _hub()
    hub.files[ANA, NOTEBOOK.path] = "x" * 1001
    with pytest.raises(CopyTooLarge):
        read_copy(hub, ANA, NOTEBOOK.path, 1000)


def test_the_server_state_says_when_waiting_is_over():
    assert server_state(FakeHub(), ANA).state == "unknown"
    assert server_state(_hub(), ANA).state == "ready"
    starting = _hub({"ready": False, "pending": "spawn"})
    starting.progress = {"progress": 50, "message": "Spawning server..."}
    state = server_state(starting, ANA)
    assert (state.state, state.progress, state.message) == ("starting", 50, "Spawning server...")
    assert state.settled is False
    failed = _hub(None)
    failed.progress = {"progress": 100, "failed": True, "message": "Spawn failed: /srv/x"}
    state = server_state(failed, ANA)
    assert state.state == "failed" and state.settled and "/srv" not in state.message
    assert server_state(_hub(None), ANA).state == "stopped"
