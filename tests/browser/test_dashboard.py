"""The dashboard in a real browser at 1366x768, as a compliance team would use it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from rarex.cli.assess_cmd import demo_dataset_paths
from tests.browser.conftest import VIEWPORT, log_in, log_out, screenshot


def test_anonymous_visitor_logs_in_and_sees_the_overview(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    screenshot(page, "login")
    log_in(page, "viewer")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overview")
    # the October-2025 measures are uncertain after their suspension ran out: the demo's
    # magnet products hang on them
    hanging = page.locator(".panel", has_text="Depend on measures of uncertain status")
    expect(hanging).to_contain_text("EVM-200")
    # the materials exported from China need a licence whatever happens to the suspension
    expect(page.locator(".panel", has_text="Need a licence")).to_contain_text("DY-METAL")
    expect(page.locator("section.uncertain")).to_contain_text("CN-2025-61")
    screenshot(page, "overview")
    # a viewer gets no upload entry in the navigation
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Overview", "Exposure", "Rules timeline", "Applications", "Screening"]
    )


def test_history_slider_replays_the_answers_by_keyboard(page: Page) -> None:
    log_in(page, "analyst")
    slider = page.get_by_label("Replay the rulebook's changes")
    first_day = slider.get_attribute("data-days").split(",")[0]  # type: ignore[union-attr]
    slider.focus()
    page.keyboard.press("Home")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"as of {first_day}")
    expect(page).to_have_url(re.compile(rf"as_of={first_day}"))
    expect(page.get_by_label("or any day")).to_have_value(first_day)
    page.get_by_label("or any day").fill("2025-10-20")
    page.get_by_label("or any day").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("as of 2025-10-20")
    # in October 2025 the extraterritorial rule was in force: the radar unit for the listed
    # military end user needed a licence that would in principle be denied
    licence = page.locator(".panel", has_text="Need a licence")
    expect(licence).to_contain_text("RADAR-X Licence in principle denied")
    screenshot(page, "overview-2025-10-20")


def test_upload_a_workbook_and_see_the_outcome(page: Page, tmp_path: Path) -> None:
    log_in(page, "analyst")
    page.get_by_role("link", name="Upload data").click()
    parts, bom = demo_dataset_paths()
    page.get_by_label("Name of the data set").fill("uploaded in the browser")
    page.get_by_label("Parts (.csv)").set_input_files(str(parts))
    page.get_by_label("BOM (.csv: parent_id, child_id, quantity)").set_input_files(str(bom))
    page.get_by_label("Exported from (country code)").fill("de")
    page.get_by_label("Destination (country code)").fill("US")
    page.get_by_label("End user", exact=True).fill("Example Automotive Inc.")
    page.get_by_label("End-user type").select_option("civil")
    page.get_by_label("End use", exact=True).select_option("civil")
    screenshot(page, "upload")
    page.get_by_role("button", name="Upload and assess").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("uploaded in the browser v1")
    row = page.get_by_role("row").filter(has_text="EVM-200")
    expect(row).to_contain_text("No licence required")
    expect(row).to_contain_text("depends on uncertain status")
    screenshot(page, "assessment")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download report (PDF)").click()
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")


def test_a_bad_file_is_refused_with_its_row_and_field(page: Page, tmp_path: Path) -> None:
    log_in(page, "analyst")
    page.goto("/upload")
    bad = tmp_path / "parts.csv"
    bad.write_text(
        "part_id,description,unit_value,currency,origin,control_code,hs_code,form,elements,"
        "attributes,tech_origin\nP1,Widget,not-a-number,EUR,DE,,,,,,\n",
        encoding="utf-8",
    )
    page.get_by_label("Name of the data set").fill("broken")
    page.get_by_label("Parts (.csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and assess").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was stored")
    expect(alert).to_contain_text("parts.csv: row 2: unit_value")


def test_open_a_product_with_its_bom_and_findings(page: Page) -> None:
    log_in(page, "viewer")
    page.locator("table.products").get_by_role("link", name="EVM-200").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("EVM-200")
    tree = page.get_by_role("list", name="Bill of materials of EVM-200")
    expect(tree).to_contain_text("ROT-200")
    # the magnet's Dy and Tb inputs set off the extraterritorial rule
    expect(tree.locator(".trigger").first).to_contain_text("CN-2025-61/cl1.1")
    finding = page.locator("article.finding").filter(has_text="CN-2025-61/cl1.1")
    expect(finding).to_contain_text("Uncertain")
    expect(finding.get_by_role("link").first).to_have_attribute("href", re.compile("^https?://"))
    screenshot(page, "product", full_page=True)


def test_rules_timeline_shows_the_suspension_and_what_follows(page: Page) -> None:
    log_in(page, "viewer")
    page.get_by_role("link", name="Rules timeline").click()
    chart = page.get_by_role("img", name=re.compile("Status windows"))
    expect(chart).to_be_visible()
    table_row = page.get_by_role("row").filter(has_text="CN-2025-61")
    expect(table_row).to_contain_text("Suspended 2025-11-07 to 2026-11-10")
    expect(table_row).to_contain_text("Uncertain 2026-11-11")
    screenshot(page, "timeline")


def test_an_application_moves_through_review(page: Page) -> None:
    log_in(page, "applicant")
    page.get_by_role("link", name="Applications").click()
    page.get_by_role("button", name="Submit DEMO-DRAFT").click()
    expect(page.get_by_role("status")).to_have_text("DEMO-DRAFT is now submitted.")
    # an applicant cannot record MOFCOM's steps
    expect(page.get_by_role("button", name="Record acceptance DEMO-DRAFT")).to_have_count(0)
    log_out(page)
    log_in(page, "reviewer")
    page.goto("/applications")
    for action, state in (
        ("Record acceptance", "accepted"),
        ("Start review", "under review"),
        ("Approve", "approved"),
    ):
        page.get_by_role("button", name=f"{action} DEMO-DRAFT").click()
        expect(page.get_by_role("status")).to_have_text(f"DEMO-DRAFT is now {state}.")
    decided = page.get_by_role("region", name=re.compile("^Decided"))
    expect(decided).to_contain_text("DEMO-DRAFT")
    # the case near the end of its 45 working days is flagged in words, not only colour
    expect(page.locator("article.card", has_text="DEMO-REVIEW")).to_contain_text("Due soon")
    screenshot(page, "applications")


def test_log_out_everywhere_ends_the_session_in_another_browser(
    page: Page, browser: Browser, base_url: str
) -> None:
    other = browser.new_context(viewport=VIEWPORT, base_url=base_url)
    try:
        elsewhere = other.new_page()
        log_in(elsewhere, "viewer")
        log_in(page, "viewer")
        page.get_by_role("button", name="Log out everywhere").click()
        page.wait_for_url("**/login")
        # the session in the other browser is gone as well: its next page asks for a login
        elsewhere.goto("/applications")
        expect(elsewhere).to_have_url(re.compile(r"/login"))
    finally:
        other.close()
