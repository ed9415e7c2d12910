"""End to end: download a starter, upload an answer, watch it graded, read the feedback."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.config import PROJECT_ROOT
from tests.e2e.support import sign_in, violations

pytestmark = pytest.mark.e2e

EXERCISE = PROJECT_ROOT / "exercises" / "sq101-first-queries"


def test_learner_downloads_uploads_and_reads_a_graded_result(page, tmp_path: Path):
    sign_in(page, "analyst@academy.example")
    page.goto("/modules/SQ101")
    page.get_by_role("link", name="sq101-first-queries").click()
    page.wait_for_url("**/exercises/sq101-first-queries")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the starter").click()
    assert download.value.suggested_filename == "sq101-first-queries.ipynb"
    page.get_by_label("Your completed notebook (.ipynb)").set_input_files(
        str(EXERCISE / "solution.ipynb")
    )
    page.get_by_role("button", name="Submit for grading").click()
    # The status page reloads itself when grading is done; only the graded page has a score.
    expect(page.locator("#score-heading")).to_contain_text(
        "points: passed", use_inner_text=True, timeout=60_000
    )
    expect(page.locator(".feedback li.done").first).to_be_attached()  # at least one
    expect(page.locator(".notebook .nb-cell").first).to_be_attached()  # at least one
    page.goto("/exercises/sq101-first-queries")
    expect(page.get_by_text("(best)")).to_be_visible()


def test_exercise_pages_are_accessible(browser, live_server):
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    sign_in(page, "instructor@academy.example")
    problems = {}
    for url in ["/exercises/sq101-first-queries", "/exercises/dm201-joins", "/teach/exercises"]:
        page.goto(url)
        found = violations(page)
        if found:
            problems[url] = found
    context.close()
    assert problems == {}
