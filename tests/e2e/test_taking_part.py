"""End to end: asking for a stub, enrolling, booking, nominating, and teaching."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.support import sign_in, sign_out

pytestmark = pytest.mark.e2e


def test_learner_asks_for_a_stub_then_enrols_and_books(page):
    sign_in(page, "scientist@academy.example")
    page.goto("/modules/DS302")
    page.get_by_label("What do you hope to learn? (optional)").fill("Uplift models for adverts")
    page.get_by_role("button", name="I want this module").click()
    expect(page.get_by_text("we'll tell you when DS302 is written")).to_be_visible()
    expect(page.get_by_text("Your note: “Uplift models for adverts”")).to_be_visible()

    page.goto("/modules/DP101")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("You're enrolled in DP101.")).to_be_visible()
    page.get_by_role("button", name="Book a seat").first.click()
    expect(page.get_by_text("You have a seat. Add it to your calendar.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").first.click()
    assert download.value.suggested_filename.startswith("DP101-")

    page.get_by_role("link", name="My learning").click()
    expect(page.get_by_role("heading", name="My sessions")).to_be_visible()
    expect(page.locator("text=DP101 Introduction to the Data Platform").first).to_be_visible()
    expect(page.get_by_text("Uplift models for adverts")).to_be_visible()


def test_prerequisites_refusal_links_the_missing_modules(page):
    sign_in(page, "analyst@academy.example")
    page.goto("/modules/DM201")
    page.get_by_role("button", name="Enrol").click()
    flash = page.locator(".flash-error")
    expect(flash).to_contain_text("You can't enrol yet: first complete", use_inner_text=True)
    flash.get_by_role("link", name="DP102").click()
    page.wait_for_url("**/modules/DP102")


def test_full_session_waitlist_and_promotion(page):
    sign_in(page, "instructor@academy.example")
    page.goto("/teach/modules/DP101")
    page.locator("#sessions-heading + ul a").first.click()
    page.wait_for_url(re.compile(r"/teach/sessions/\d+$"))
    page.get_by_role("spinbutton", name="Seats").fill("2")
    page.get_by_role("button", name="Change seats").click()
    expect(page.get_by_text("Seats changed")).to_be_visible()
    sign_out(page)
    # Signing out while a booking is still being posted could cancel it: wait for its answer.
    for who, answer in [
        ("analyst", "You have a seat."),
        ("product-manager", "You have a seat."),
        ("technical-support", "The session is full: you are number 1 on the waitlist."),
    ]:
        sign_in(page, f"{who}@academy.example")
        page.goto("/modules/DP101")
        page.locator(".sessions li").first.get_by_role("button").click()
        expect(page.locator(".flashes")).to_contain_text(answer)
        sign_out(page)
    sign_in(page, "technical-support@academy.example")
    page.goto("/learning")
    expect(page.locator("#sessions-heading + ul")).to_contain_text(
        "number 1 on the waitlist", use_inner_text=True
    )
    sign_out(page)
    sign_in(page, "analyst@academy.example")
    page.goto("/learning")
    page.get_by_role("button", name="Give up my seat").click()
    expect(page.get_by_text("Your place has been given up.")).to_be_visible()
    sign_out(page)
    sign_in(page, "technical-support@academy.example")
    page.goto("/learning")
    expect(page.locator("#sessions-heading + ul")).to_contain_text(
        "You have a seat", use_inner_text=True
    )
    expect(page.locator(".badge-count")).to_have_text(re.compile(r"^1"), use_inner_text=True)


def test_nomination_and_instructor_completion(page):
    sign_in(page, "developer@academy.example")
    page.goto("/modules/DP101")
    page.get_by_role("link", name="Nominate a colleague").click()
    page.wait_for_url("**/modules/DP101/nominate")
    page.get_by_label("Colleague's email").fill("customer-development@academy.example")
    page.get_by_label("Why should they take it?").fill("You'll answer retailers faster")
    page.get_by_role("button", name="Nominate").click()
    expect(page.get_by_text("You nominated Demo Customer Development for DP101.")).to_be_visible()
    sign_out(page)

    sign_in(page, "customer-development@academy.example")
    page.goto("/learning")
    expect(page.get_by_text("You'll answer retailers faster")).to_be_visible()
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("You're enrolled in DP101.")).to_be_visible()
    sign_out(page)

    sign_in(page, "instructor@academy.example")
    page.get_by_role("link", name="Teach").click()
    # The page the click was made on may list DP101 too: choose it from the teaching page.
    page.wait_for_url("**/teach/")
    page.get_by_role("link", name="DP101 Introduction to the Data Platform").click()
    page.wait_for_url("**/teach/modules/DP101")
    page.get_by_role("button", name="Mark complete for Demo Customer Development").click()
    expect(page.get_by_text("Demo Customer Development has completed DP101.")).to_be_visible()
    page.goto("/teach/nominations")
    expect(page.get_by_text("1 nominations: 1 became enrolments (100.0%)")).to_be_visible()
