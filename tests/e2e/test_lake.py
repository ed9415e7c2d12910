"""End to end: exploring the lake and querying it in the playground."""

import pytest

from tests.e2e.support import sign_in

pytestmark = pytest.mark.e2e


def test_explore_a_dataset_and_find_a_join(page):
    page.goto("/lake/")
    page.get_by_role("link", name="trusted.response").first.click()
    assert page.locator("svg.path-graph a.node.focus").count() == 1
    page.locator('svg.path-graph a.node[data-code="refined.response"]').click()
    page.wait_for_url("**/lake/datasets/refined/response")
    page.goto("/lake/joins")
    page.get_by_label("From").select_option("trusted.customer")
    page.get_by_label("To").select_option("trusted.response")
    page.get_by_role("button", name="Find the join").click()
    assert "JOIN trusted.response" in page.locator("pre").inner_text()


def test_query_save_to_scratch_and_download(page):
    sign_in(page, "analyst@academy.example")
    page.goto("/lake/playground")
    page.get_by_role("link", name="Save a result in your own scratch space").click()
    page.get_by_role("button", name="Run").click()
    assert page.get_by_text("Created table").is_visible()
    page.get_by_label("SQL").fill("SELECT * FROM user.customers_by_region ORDER BY customers DESC")
    page.get_by_role("button", name="Run").click()
    assert page.locator("table.results tbody tr").count() > 0
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "query.csv"
    page.get_by_label("SQL").fill("SELECT *\nFROM trusted.customer\nWHER 1")
    page.get_by_role("button", name="Run").click()
    assert "line 3" in page.get_by_role("alert").inner_text()
    assert page.locator(".recent li").count() >= 3
