"""Every main page passes axe-core's WCAG 2 A and AA rules in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e.support import sign_in, violations

pytestmark = pytest.mark.e2e


@pytest.fixture
def a11y_page(browser, live_server):
    # axe is injected as a script, which the site's Content-Security-Policy would block.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


PUBLIC = [
    "/",
    "/modules",
    "/modules?persona=analyst&status=planned",
    "/modules/DM201",
    "/modules/DS301",
    "/paths",
    "/paths/analyst",
    "/login",
    "/modules/NOPE999",
]


def test_public_pages_are_accessible(a11y_page):
    problems = {}
    for url in PUBLIC:
        a11y_page.goto(url)
        found = violations(a11y_page)
        if found:
            problems[url] = found
    assert problems == {}


def test_signed_in_and_admin_pages_are_accessible(a11y_page):
    sign_in(a11y_page, "admin@academy.example")
    problems = {}
    for url in [
        "/",
        "/admin/users",
        "/admin/users/new",
        "/admin/users/1",
        "/paths/developer",
        "/learning",
        "/notifications",
        "/admin/outbox",
        "/teach/",
        "/teach/demand",
        "/teach/nominations",
        "/teach/modules/DP101",
        "/teach/sessions/1",
        "/sessions/1",
        "/modules/DS301",
        "/modules/DP101/nominate",
    ]:
        a11y_page.goto(url)
        found = violations(a11y_page)
        if found:
            problems[url] = found
    assert problems == {}


def test_playground_results_and_errors_are_accessible(a11y_page):
    sign_in(a11y_page, "analyst@academy.example")
    problems = {}
    for sql in [
        "SELECT region, count(*) AS n FROM trusted.customer GROUP BY region",
        "SELEC oops",
        "EXPLAIN SELECT * FROM trusted.advert",
    ]:
        a11y_page.goto("/lake/playground")
        a11y_page.get_by_label("SQL").fill(sql)
        a11y_page.get_by_role("button", name="Run").click()
        # Check the page with the result, not the empty form the click was made on.
        expect(a11y_page.locator("#result-heading")).to_be_visible()
        found = violations(a11y_page)
        if found:
            problems[sql] = found
    assert problems == {}
