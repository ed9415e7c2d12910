"""End to end: asking for a stub, enrolling, booking, nominating, and teaching."""

import pytest

from tests.e2e.support import sign_in, sign_out

pytestmark = pytest.mark.e2e


def test_learner_asks_for_a_stub_then_enrols_and_books(page):
    sign_in(page, "scientist@academy.example")
    page.goto("/modules/DS301")
    page.get_by_label("What do you hope to learn? (optional)").fill("Uplift models for adverts")
    page.get_by_role("button", name="I want this module").click()
    assert page.get_by_text("we'll tell you when DS301 is written").is_visible()
    assert page.get_by_text("Your note: “Uplift models for adverts”").is_visible()

    page.goto("/modules/DP101")
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_text("You're enrolled in DP101.").is_visible()
    page.get_by_role("button", name="Book a seat").first.click()
    assert page.get_by_text("You have a seat. Add it to your calendar.").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").first.click()
    assert download.value.suggested_filename.startswith("DP101-")

    page.get_by_role("link", name="My learning").click()
    assert page.get_by_role("heading", name="My sessions").is_visible()
    assert page.locator("text=DP101 Introduction to the Data Platform").first.is_visible()
    assert page.get_by_text("Uplift models for adverts").is_visible()


def test_prerequisites_refusal_links_the_missing_modules(page):
    sign_in(page, "analyst@academy.example")
    page.goto("/modules/DM201")
    page.get_by_role("button", name="Enrol").click()
    flash = page.locator(".flash-error")
    assert "You can't enrol yet: first complete" in flash.inner_text()
    flash.get_by_role("link", name="DP102").click()
    page.wait_for_url("**/modules/DP102")


def test_full_session_waitlist_and_promotion(page):
    sign_in(page, "instructor@academy.example")
    page.goto("/teach/modules/DP101")
    page.locator("#sessions-heading + ul a").first.click()
    page.get_by_role("spinbutton", name="Seats").fill("2")
    page.get_by_role("button", name="Change seats").click()
    assert page.get_by_text("Seats changed").is_visible()
    sign_out(page)
    for who in ("analyst", "product-manager", "technical-support"):
        sign_in(page, f"{who}@academy.example")
        page.goto("/modules/DP101")
        page.locator(".sessions li").first.get_by_role("button").click()
        sign_out(page)
    sign_in(page, "technical-support@academy.example")
    page.goto("/learning")
    assert "number 1 on the waitlist" in page.locator("#sessions-heading + ul").inner_text()
    sign_out(page)
    sign_in(page, "analyst@academy.example")
    page.goto("/learning")
    page.get_by_role("button", name="Give up my seat").click()
    sign_out(page)
    sign_in(page, "technical-support@academy.example")
    page.goto("/learning")
    assert "You have a seat" in page.locator("#sessions-heading + ul").inner_text()
    assert page.locator(".badge-count").inner_text().startswith("1")


def test_nomination_and_instructor_completion(page):
    sign_in(page, "developer@academy.example")
    page.goto("/modules/DP101")
    page.get_by_role("link", name="Nominate a colleague").click()
    page.get_by_label("Colleague's email").fill("customer-development@academy.example")
    page.get_by_label("Why should they take it?").fill("You'll answer retailers faster")
    page.get_by_role("button", name="Nominate").click()
    assert page.get_by_text("You nominated Demo Customer Development for DP101.").is_visible()
    sign_out(page)

    sign_in(page, "customer-development@academy.example")
    page.goto("/learning")
    assert page.get_by_text("You'll answer retailers faster").is_visible()
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_text("You're enrolled in DP101.").is_visible()
    sign_out(page)

    sign_in(page, "instructor@academy.example")
    page.get_by_role("link", name="Teach").click()
    page.get_by_role("link", name="DP101 Introduction to the Data Platform").click()
    page.get_by_role("button", name="Mark complete for Demo Customer Development").click()
    assert page.get_by_text("Demo Customer Development has completed DP101.").is_visible()
    page.goto("/teach/nominations")
    assert page.get_by_text("1 nominations: 1 became enrolments (100.0%)").is_visible()
