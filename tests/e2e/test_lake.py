"""End to end: exploring the lake and querying it in the playground."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.support import sign_in

pytestmark = pytest.mark.e2e


def test_explore_a_dataset_and_find_a_join(page):
    page.goto("/lake/")
    page.get_by_role("link", name="trusted.response").first.click()
    page.wait_for_url("**/lake/datasets/trusted/response")
    expect(page.locator("svg.path-graph a.node.focus")).to_have_count(1)
    page.locator('svg.path-graph a.node[data-code="refined.response"]').click()
    page.wait_for_url("**/lake/datasets/refined/response")
    page.goto("/lake/joins")
    page.get_by_label("From").select_option("trusted.customer")
    page.get_by_label("To").select_option("trusted.response")
    page.get_by_role("button", name="Find the join").click()
    page.wait_for_url(re.compile(r"/lake/joins\?.*trusted\.response"))
    expect(page.locator("pre")).to_contain_text("JOIN trusted.response", use_inner_text=True)


def test_query_save_to_scratch_and_download(page):
    sign_in(page, "analyst@academy.example")
    page.goto("/lake/playground")
    page.get_by_role("link", name="Save a result in your own scratch space").click()
    # The example link fills in the SQL: wait for that page, or "Run" runs the empty form.
    page.wait_for_url(re.compile(r"/lake/playground\?sql=CREATE"))
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("Created table")).to_be_visible()
    page.get_by_label("SQL").fill("SELECT * FROM user.customers_by_region ORDER BY customers DESC")
    page.get_by_role("button", name="Run").click()
    # This run posts to the same address as the last: wait for its own result's columns.
    results = page.locator("table.results")
    expect(results.locator("thead")).to_contain_text("customers")
    expect(results.locator("tbody tr").first).to_be_attached()  # at least one row
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "query.csv"
    page.get_by_label("SQL").fill("SELECT *\nFROM trusted.customer\nWHER 1")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_role("alert")).to_contain_text("line 3", use_inner_text=True)
    expect(page.locator(".recent li").nth(2)).to_be_attached()  # at least 3
