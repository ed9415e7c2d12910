"""Fixtures: a live academy and a real JupyterHub (with its real proxy) on free loopback ports.

A support module, so that tests elsewhere (the browser journey in tests/e2e) can use the
same hub; tests/hub/conftest.py makes them the fixtures of every hub test.

Both are shared by the module that asks for them: the hub takes several seconds to start.
The academy here always keeps its data in a SQLite file of its own, on PostgreSQL runs
too, because it lives for the whole module beside other tests that empty the shared
database; the OAuth provider's queries are run on PostgreSQL by tests/oauth.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading

import pytest
import requests
from werkzeug.serving import make_server

from app import create_app
from app.accounts.models import Role
from app.config import PROJECT_ROOT, TestConfig
from app.extensions import db
from app.hub.launch import hub_command
from tests.factories import make_module, make_user
from tests.hub.support import ADMIN, INACTIVE, LEARNER, free_port, wait_for


@pytest.fixture(scope="module")
def hub_academy_settings():
    """Settings a test module adds to its live academy (override it in the module)."""
    return {}


@pytest.fixture(scope="module")
def hub_academy(tmp_path_factory, built_lake, hub_academy_settings):
    """The academy's live server: a learner, an admin, an inactive account; SQ101 and NB101.

    It has the shipped exercises and lesson notebooks, so "Open in JupyterLab" works;
    learners' kernels get the shared sample lake and a small memory allowance.
    """
    folder = tmp_path_factory.mktemp("hub")
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings.update(
        WTF_CSRF_ENABLED=True,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'academy.sqlite'}",
        ACADEMY_COURSES_DIR=str(folder / "courses"),
        ACADEMY_EXERCISES_DIR=str(PROJECT_ROOT / "exercises"),
        ACADEMY_NOTEBOOKS_DIR=str(PROJECT_ROOT / "notebooks"),
        ACADEMY_HUB_URL=f"http://127.0.0.1:{free_port()}",
        ACADEMY_HUB_API_BIND_URL=f"http://127.0.0.1:{free_port()}",
        ACADEMY_HUB_PROXY_API_URL=f"http://127.0.0.1:{free_port()}",
        ACADEMY_HUB_CLIENT_SECRET=None,
        ACADEMY_HUB_SERVICE_TOKEN=None,
        ACADEMY_HUB_DIR=None,
        ACADEMY_WORKSPACES_DIR=None,
        ACADEMY_LAKE_DIR=str(built_lake.lake),
        ACADEMY_LAB_KERNEL_MEMORY_MB=256,
    )
    settings.update(hub_academy_settings)
    app = create_app(settings, instance_path=str(folder / "instance"))
    with app.app_context():
        db.create_all()
        make_user(LEARNER, role=Role.LEARNER)
        make_user(ADMIN, role=Role.ADMIN)
        make_user(INACTIVE, active=False)
        make_module("SQ101")
        make_module("NB101")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["ACADEMY_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    thread.join(timeout=30)
    with app.app_context():
        db.engine.dispose()


def _hub_answers(api_url: str) -> bool:
    try:
        return requests.get(api_url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


@pytest.fixture(scope="module")
def hub(hub_academy):
    """JupyterHub as ``flask academy hub start`` runs it; its address. Stopped afterwards."""
    command, environment, folder = hub_command(hub_academy)
    log = open(folder / "hub.log", "wb")  # noqa: SIM115 (closed after the hub stops)
    process = subprocess.Popen(
        command,
        env=environment,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = hub_academy.config["ACADEMY_HUB_URL"]
    try:
        started = wait_for(lambda: process.poll() is not None or _hub_answers(f"{url}/hub/api/"))
        assert started and process.poll() is None, (folder / "hub.log").read_text()[-3000:]
        yield url
    finally:
        process.send_signal(signal.SIGTERM)  # the hub stops its proxy and servers itself
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        # Whatever the hub started and left behind (it shares the hub's new session).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
