"""End to end: Open in JupyterLab waits for the server with its progress, then goes on by itself.

The hub is the in-memory one of tests/hub/support.py, so this is about the page in a real
browser at a phone's width: the progress it shows, its accessibility, and its script
pressing Continue once the server is ready.
"""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.config import PROJECT_ROOT
from tests.e2e.support import sign_in, violations
from tests.factories import PASSWORD, make_module, make_user
from tests.hub.support import FakeHub

pytestmark = pytest.mark.e2e

ANA = "ana@example.com"
EXERCISE = "sq101-first-queries"


@pytest.fixture
def lab_site(make_app, tmp_path):
    """The site with CSRF on and a hub in memory that knows Ana; its address and the hub."""
    app = make_app(
        WTF_CSRF_ENABLED=True,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'lab.sqlite'}",
        ACADEMY_EXERCISES_DIR=str(PROJECT_ROOT / "exercises"),
    )
    with app.app_context():
        make_module("SQ101")
        make_user(ANA)
    hub = FakeHub()
    hub.add(ANA, None)
    hub.start = False  # a start under way
    app.extensions["hub_client"] = hub
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    hub.lab_base = f"{url}/modules/SQ101?lab="  # where "JupyterLab" is, for this test
    yield url, hub
    server.shutdown()
    thread.join(timeout=5)


def test_the_starting_page_shows_progress_then_opens_the_copy(browser, lab_site):
    url, hub = lab_site
    # axe is injected as a script, which the site's Content-Security-Policy would block.
    context = browser.new_context(
        base_url=url, viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, ANA, PASSWORD)
    page.goto(f"/exercises/{EXERCISE}")
    assert violations(page) == []
    page.get_by_role("button", name="Open in JupyterLab").click()
    expect(page.get_by_role("heading", name="Starting your notebook server")).to_be_visible()
    hub.progress = {"progress": 50, "message": "Spawning server..."}
    expect(page.get_by_role("status").filter(has_text="Spawning server...")).to_be_visible()
    expect(page.get_by_label("Progress")).to_have_attribute("value", "50")
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    hub.users[ANA]["servers"][""] = {"ready": True, "pending": None}
    page.wait_for_url(f"**/modules/SQ101?lab=/user/{ANA}/lab/tree/exercises/{EXERCISE}.ipynb")
    assert (ANA, f"exercises/{EXERCISE}.ipynb") in hub.files
    context.close()
