"""End to end on the real hub: from the exercise page into JupyterLab, and back with a grade.

A learner signs in to the academy in Chromium, presses Open in JupyterLab (the hub signs
them in by itself through the academy, starts their server and opens their copy of the
starter), types the answers into the answer cells, runs them in the sandboxed kernel,
saves, goes back to the exercise page and submits their JupyterLab copy: the grader marks
it, as it would an upload.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.hub.client import HubClients
from tests.e2e.support import sign_in
from tests.factories import PASSWORD, make_user
from tests.hub.live import hub, hub_academy, hub_academy_settings  # noqa: F401 (fixtures)
from tests.hub.support import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WAIT_MS = 120_000  # a cold server and kernel on a busy 2-core machine

EMAIL = "journey@academy.example"
EXERCISE = "sq101-first-queries"
ANSWERS = {
    "q1": 'answer_q1 = "SELECT advert_id, price_gbp FROM trusted.advert '
    'WHERE withdrawn_at IS NULL AND price_gbp > 20000"',
    "q2": 'answer_q2 = lake.sql("SELECT channel, count(*) AS responses '
    'FROM trusted.response GROUP BY channel").df(); answer_q2',
}


def _answer_cell(page, question: str):
    """The code cell right after the one that says it is the answer cell for ``question``."""
    label = page.locator(".jp-Cell").filter(has_text=f"Answer cell for {question}")
    return label.locator("xpath=following-sibling::div[contains(@class,'jp-Cell')][1]")


def _no_dialog(page) -> None:
    """Fail with JupyterLab's own words if it has put up a dialog (a kernel that died...)."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        raise AssertionError(f"JupyterLab says: {dialog.first.inner_text()}")


def test_open_in_jupyterlab_answer_save_and_submit_the_copy(browser, hub_academy, hub):  # noqa: F811
    with hub_academy.app_context():
        make_user(EMAIL)
    academy = hub_academy.config["ACADEMY_BASE_URL"]
    context = browser.new_context(base_url=academy, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        sign_in(page, EMAIL, PASSWORD)
        page.goto(f"/exercises/{EXERCISE}")
        page.get_by_role("button", name="Open in JupyterLab").click()

        # Through the hub's own sign-in and the starting page, into the learner's copy.
        page.wait_for_url(re.compile(rf"/user/.+/lab/tree/exercises/{EXERCISE}\.ipynb"))
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        expect(notebook.locator(".jp-Notebook")).to_be_visible(timeout=WAIT_MS)
        # The status bar names the kernel once JupyterLab is connected to it (the execution
        # indicator reads idle before any kernel exists; a cell run then asks for one).
        kernel = page.get_by_role("button", name=re.compile(r"Data Academy lake\) \| Idle"))
        expect(kernel).to_be_visible(timeout=WAIT_MS)
        for question, code in ANSWERS.items():
            editor = _answer_cell(page, question).locator(".cm-content")
            _no_dialog(page)
            editor.click()
            # Typing goes to the cell only once the notebook is in edit mode on it.
            expect(notebook.locator(".jp-Notebook.jp-mod-editMode")).to_be_visible()
            expect(editor).to_be_focused()
            page.keyboard.press("Control+a")
            page.keyboard.insert_text(code)
            expect(editor).to_have_text(code)
            page.keyboard.press("Shift+Enter")
        expect(page.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
            "data-status", "idle", timeout=WAIT_MS
        )
        _no_dialog(page)
        # The q2 cell ran in the sandboxed kernel, on the lake: its table is on the page.
        expect(_answer_cell(page, "q2").locator(".jp-OutputArea")).to_contain_text(
            "responses", timeout=WAIT_MS
        )
        page.keyboard.press("Control+s")
        expect(page.locator(".jp-mod-current.jp-mod-dirty")).to_have_count(0)

        page.goto(f"{academy}/exercises/{EXERCISE}")
        page.get_by_role("button", name="Submit my JupyterLab copy").click()
        page.wait_for_url(re.compile(rf"/exercises/{EXERCISE}/submissions/\d+$"))
        expect(page.locator("#score-heading")).to_contain_text(
            "10.0 of 10.0 points: passed", use_inner_text=True, timeout=WAIT_MS
        )
    finally:
        context.close()
        client = HubClients.get(hub_academy)
        client.stop_server(EMAIL)
        wait_for(lambda: client.server(EMAIL) is None)
