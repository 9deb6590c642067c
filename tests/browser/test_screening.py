"""The screening page in a real browser at 1366x768: a reviewer opens a hit's explanation,
records a false positive by keyboard, and the party leaves the review list."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, screenshot


def test_reviewer_clears_a_false_positive_by_keyboard(page: Page) -> None:
    log_in(page, "reviewer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Screening").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Party screening")
    expect(page.get_by_role("heading", name="Lists and their freshness")).to_be_visible()
    lockheed = page.locator(
        "tr", has=page.get_by_role("rowheader", name="Lockheed Martin Corporation")
    )
    expect(lockheed).to_contain_text("to review")
    lockheed.locator("summary").first.click()
    expect(lockheed).to_contain_text("lockheed → lockheed: exact")
    avionics = page.locator(
        "tr", has=page.get_by_role("rowheader", name="Demo Avionics Subsidiary LLC")
    )
    expect(avionics).to_contain_text("60.0 % owned")
    screenshot(page, "screening")
    # the reviewer decides on the hit with the keyboard only
    lockheed.get_by_label("Decision").select_option("false_positive")
    reason = lockheed.get_by_label("Reason")
    reason.fill("our customer is a different company of the same name")
    reason.press("Tab")
    expect(lockheed.get_by_role("button", name="Record")).to_be_focused()
    page.keyboard.press("Enter")
    cleared = page.locator(
        "tr", has=page.get_by_role("rowheader", name="Lockheed Martin Corporation")
    )
    expect(cleared).to_contain_text("Cleared: false positive")
    screenshot(page, "screening-decided")
