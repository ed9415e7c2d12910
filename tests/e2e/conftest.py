"""A live server on a free local port and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.accounts.demo import ensure_demo_accounts
from app.accounts.services import find_by_email
from app.authoring.folder import load_folder
from app.authoring.sync import module_resolver, sync_courses
from app.config import PROJECT_ROOT
from app.enrolment.demo import ensure_demo_sessions
from app.extensions import db
from app.lake.explore.links import LINK_KINDS, RESOLVERS
from tests.support import USING_POSTGRES

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium (the test tools' own browser downloads are not used)."""
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def e2e_lake(built_lake) -> Path:
    """The shared sample lake (see tests/conftest.py)."""
    return built_lake.lake


@pytest.fixture
def live_server(make_app, tmp_path: Path, e2e_lake: Path):
    """The real site, with CSRF on, the shipped courses, the demo accounts and the lake."""
    settings = {
        "WTF_CSRF_ENABLED": True,
        "ACADEMY_COURSES_DIR": str(PROJECT_ROOT / "courses"),
        "ACADEMY_LAKE_DIR": str(e2e_lake),
        "ACADEMY_SCRATCH_DIR": str(tmp_path / "scratch"),
        "ACADEMY_EXERCISES_DIR": str(PROJECT_ROOT / "exercises"),
    }
    if not USING_POSTGRES:
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = make_app(**settings)
    with app.app_context():
        # The link kinds and resolvers `academy sync` uses: without them the first
        # [[glossary:...]] link is an unknown kind and sync refuses the whole folder.
        courses = load_folder(PROJECT_ROOT / "courses", LINK_KINDS)
        sync_courses(courses, module_resolver(courses, RESOLVERS))
        ensure_demo_accounts()
        ensure_demo_sessions(find_by_email("instructor@academy.example"))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    engine = app.extensions.get("lake_playground")
    if engine is not None:
        engine.close()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium not found: install Debian's chromium package or set CHROMIUM_PATH"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it; a skip there would hide a broken set-up
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
