"""Steps the browser tests share (not fixtures): signing in and out, running axe.

A click that submits a form or follows a link returns before the next page has loaded, and
``count()``, ``is_visible()`` and ``inner_text()`` read the page as it is at that moment. So
each step here ends by waiting (with Playwright's auto-retrying ``expect``) for something only
the destination page shows, and the tests do the same before they read a page.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect


def sign_in(page, email: str, password: str = "academy-demo") -> None:
    """Sign in from the login page; returns once a signed-in page has loaded."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # The login page has no "Sign out" button: seeing one means the redirect has landed.
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page) -> None:
    """Sign out; returns once the signed-out page has loaded."""
    page.get_by_role("button", name="Sign out").click()
    # Only a signed-out page has "Sign in" in the main navigation.
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()


AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
