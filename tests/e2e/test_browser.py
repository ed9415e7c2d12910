"""End to end in a real browser: browse, sign in, follow a path, manage accounts."""

import pytest

from tests.e2e.support import sign_in

pytestmark = pytest.mark.e2e


def test_visitor_browses_and_filters_the_catalogue(page):
    page.goto("/modules")
    assert page.get_by_role("heading", name="Modules", exact=True).is_visible()
    page.get_by_label("Status").select_option("planned")
    page.get_by_role("button", name="Filter").click()
    cards = page.locator(".card")
    assert cards.count() > 0
    assert page.locator(".card .badge-published").count() == 0
    assert page.locator(".card .badge-planned").count() == cards.count()
    page.goto("/modules/DP101")
    assert page.get_by_role("heading", level=1).inner_text().startswith("DP101")
    assert page.locator("script").count() == 0


def test_learner_signs_in_and_sees_their_path(page, tmp_path):
    sign_in(page, "analyst@academy.example")
    assert page.get_by_text("Welcome back, Demo Analyst.").is_visible()
    next_module = page.locator("#next-heading + p + ul .card").first
    assert "DP101" in next_module.inner_text()
    page.goto("/paths/analyst")
    graph = page.locator("svg.path-graph")
    assert graph.is_visible()
    box = graph.bounding_box()
    assert box["width"] > 500 and box["height"] > 100
    assert page.locator("svg.path-graph a.node").count() >= 5
    assert page.locator("svg.path-graph a.node.planned").count() >= 1
    page.screenshot(path=str(tmp_path / "analyst-path.png"), full_page=True)
    page.locator('svg.path-graph a.node[data-code="DP101"]').click()
    page.wait_for_url("**/modules/DP101")
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("link", name="Sign in").is_visible()


def test_admin_creates_an_account_that_can_sign_in(page):
    sign_in(page, "admin@academy.example")
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="New account").click()
    page.get_by_label("Email").fill("new.starter@academy.example")
    page.get_by_label("Name").fill("New Starter")
    page.get_by_label("Persona").select_option("technical-support")
    page.get_by_label("Initial password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_text("Created an account for new.starter@academy.example.").is_visible()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "new.starter@academy.example", "a long enough password")
    assert page.get_by_text("Welcome back, New Starter.").is_visible()


def test_learner_is_refused_admin_pages(page):
    sign_in(page, "developer@academy.example")
    response = page.goto("/admin/users")
    assert response.status == 403
    assert page.get_by_role("heading", name="You can't do that").is_visible()
