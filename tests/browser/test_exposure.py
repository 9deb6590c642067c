"""The exposure page in a real browser at 1366x768: the demo company's runway and revenue at
risk, and the "suspended measures resume" case asked by keyboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, screenshot


def test_exposure_page_answers_the_resume_case_by_keyboard(page: Page) -> None:
    log_in(page, "viewer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exposure").click()
    # other tests may have stored newer data sets: choose the demo company by keyboard
    page.get_by_label("Data set").select_option(label="demo company v1")
    page.get_by_label("As of").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("demo company v1")
    runway = page.get_by_role("img", name=re.compile("Days of cover of .* licensed inputs"))
    expect(runway).to_be_visible()
    # the dysprosium stock runs out before the statutory decision day: said in words
    expect(page.locator("table.runway tr", has_text="DY-METAL")).to_contain_text(
        "Gap: stock runs out"
    )
    expect(page.get_by_role("img", name=re.compile("Revenue at risk of"))).to_be_visible()
    expect(page.locator("text=Estimate, not a customs ruling")).to_be_visible()

    resume_on = date.today() + timedelta(days=1)
    field = page.get_by_label("Resume on")
    expect(field).to_have_value(resume_on.isoformat())
    # Tab from the date field (through its day, month and year segments) to the button
    field.focus()
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Show what changes":
            break
    expect(page.get_by_role("button", name="Show what changes")).to_be_focused()
    page.keyboard.press("Enter")
    result = page.locator("#resume-result")
    expect(result).to_contain_text(f"If they resume on {resume_on}")
    expect(result).to_contain_text("Revenue newly at risk")
    # the magnet motor needs a licence once the extraterritorial rule is back
    expect(result.get_by_role("row").filter(has_text="EVM-200")).to_contain_text("Licence required")
    expect(page).to_have_url(re.compile(rf"resume_on={resume_on}"))
    screenshot(page, "exposure-resume")  # scrolled to the answer (the form's #resume)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "exposure")
    screenshot(page, "exposure-full", full_page=True)
