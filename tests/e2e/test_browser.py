"""End to end in a real browser: browse, sign in, follow a path, manage accounts."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.support import sign_in, sign_out

pytestmark = pytest.mark.e2e


def test_visitor_browses_and_filters_the_catalogue(page):
    page.goto("/modules")
    expect(page.get_by_role("heading", name="Modules", exact=True)).to_be_visible()
    page.get_by_label("Status").select_option("planned")
    page.get_by_role("button", name="Filter").click()
    # The unfiltered page has cards too: count only once the filtered page has loaded.
    page.wait_for_url(re.compile(r"/modules\?(.*&)?status=planned(&|$)"))
    cards = page.locator(".card")
    expect(cards.first).to_be_visible()
    expect(page.locator(".card .badge-published")).to_have_count(0)
    expect(page.locator(".card .badge-planned")).to_have_count(cards.count())
    page.goto("/modules/DP101")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^DP101"), use_inner_text=True
    )
    expect(page.locator("script")).to_have_count(0)


def test_learner_signs_in_and_sees_their_path(page, tmp_path):
    sign_in(page, "analyst@academy.example")
    expect(page.get_by_text("Welcome back, Demo Analyst.")).to_be_visible()
    next_module = page.locator("#next-heading + p + ul .card").first
    expect(next_module).to_contain_text("DP101", use_inner_text=True)
    page.goto("/paths/analyst")
    graph = page.locator("svg.path-graph")
    expect(graph).to_be_visible()
    box = graph.bounding_box()
    assert box["width"] > 500 and box["height"] > 100
    expect(page.locator("svg.path-graph a.node").nth(4)).to_be_attached()  # at least 5
    expect(page.locator("svg.path-graph a.node.planned").first).to_be_attached()  # at least 1
    page.screenshot(path=str(tmp_path / "analyst-path.png"), full_page=True)
    page.locator('svg.path-graph a.node[data-code="DP101"]').click()
    page.wait_for_url("**/modules/DP101")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_admin_creates_an_account_that_can_sign_in(page):
    sign_in(page, "admin@academy.example")
    page.get_by_role("link", name="Admin").click()
    page.wait_for_url("**/admin/users")
    page.get_by_role("link", name="New account").click()
    page.wait_for_url("**/admin/users/new")
    page.get_by_label("Email").fill("new.starter@academy.example")
    page.get_by_label("Name").fill("New Starter")
    page.get_by_label("Persona").select_option("technical-support")
    page.get_by_label("Initial password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Created an account for new.starter@academy.example.")).to_be_visible()
    sign_out(page)
    sign_in(page, "new.starter@academy.example", "a long enough password")
    expect(page.get_by_text("Welcome back, New Starter.")).to_be_visible()


def test_learner_is_refused_admin_pages(page):
    sign_in(page, "developer@academy.example")
    response = page.goto("/admin/users")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You can't do that")).to_be_visible()
