"""The exposure page and the overview's "what is at risk": the figures are the exposure
service's own for the demo company, the resumption case answers from a form, missing inputs
are said in words, and the sales and inventory upload checks roles, the CSRF token and every
row."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from rarex.cli.assess_cmd import demo_dataset_paths
from rarex.services.exposure import ExposureReport, demo_exposure
from rarex.services.stored_exposure import PAGE_DRAWS, PAGE_SEED, summarise
from tests.clock import TODAY
from tests.web.conftest import form_token, log_in


def money(value: float) -> str:
    return f"{value:,.0f}"


def row_of(page: str, table_class: str, key: str) -> str:
    """The text of the row headed ``key`` in the table of class ``table_class``."""
    table = page[page.index(f'<table class="{table_class}">') :]
    table = table[: table.index("</table>")]
    header = re.compile(rf'<th scope="row(?:group)?"[^>]*>{re.escape(key)}<')
    for row in table.split("<tr")[1:]:
        if header.search(row):
            return html.unescape(re.sub(r"<[^>]+>", " ", row))
    raise AssertionError(f"no row {key} in table {table_class}")


@pytest.fixture(scope="module")
def demo() -> ExposureReport:
    return demo_exposure(TODAY, draws=PAGE_DRAWS, seed=PAGE_SEED)


def test_the_page_shows_the_figures_of_the_exposure_service(
    demo_client: TestClient, demo: ExposureReport
) -> None:
    log_in(demo_client, "viewer")
    page = demo_client.get("/exposure").text
    assert "demo company v1" in page
    exposure, lead = demo.exposure, demo.lead_time
    summary = summarise(exposure.risks)
    assert summary.at_risk and summary.if_refused  # the demo has something at risk
    assert f"{money(summary.at_risk)} EUR" in page
    assert f"{money(summary.if_refused)} EUR" in page
    assert f"decision due <strong>{lead.due}</strong>, {lead.calendar_days} calendar days" in page
    assert f"{PAGE_DRAWS:,} draws, seed {PAGE_SEED}" in page
    assert exposure.simulation is not None
    simulated = {p.part_id: p for p in exposure.simulation.products}
    for risk in exposure.risks:
        row = row_of(page, "revenue", risk.part_id)
        sim = simulated[risk.part_id]
        expected = [risk.revenue_at_risk, risk.revenue_at_risk_if_refused]
        expected += [
            sim.revenue_at_risk_mean,
            sim.revenue_at_risk_p50,
            sim.revenue_at_risk_p90,
            sim.revenue_at_risk_p95,
        ]
        for value in expected:
            assert value is not None and money(value) in row, (risk.part_id, value, row)
        assert f"{sim.probability_of_stockout:.1%}" in row
    for item in exposure.items:
        row = row_of(page, "runway", item.part_id)
        assert f"{item.gap_days:.1f}" in row
        if item.days_of_cover is not None:
            assert f"{item.days_of_cover:.1f}" in row
    # a gap is said in words, in the table and beside the bar
    assert "Gap: stock runs out 35 days before the statutory decision day" in row_of(
        page, "runway", "DY-METAL"
    )
    assert ">gap 35 d</text>" in page
    assert 'role="img" aria-labelledby="runway-title runway-desc"' in page


def test_concentration_and_duties_carry_their_sources(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    page = demo_client.get("/exposure").text
    dysprosium = row_of(page, "concentration", "Dy")
    assert "Rare earths (REO equivalent), mine production 2024 (estimate)" in dysprosium
    assert "lower bound" in page and "S04" in dysprosium and "official" in dysprosium
    assert "No market figure in the rulebook for W" in html.unescape(page)
    duties = row_of(page, "duties", "GAN-WAFER")
    assert "US-SECTION-122" in duties and "Legal basis:" in duties
    assert "Estimate, not a customs ruling" in page


def test_the_resume_form_shows_what_changes(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    tomorrow = TODAY + timedelta(days=1)
    form = demo_client.get("/exposure").text
    assert f'id="resume_on" name="resume_on" value="{tomorrow}"' in form
    assert 'id="resume-result"' not in form
    on = TODAY + timedelta(days=30)
    page = demo_client.get(f"/exposure?version=1&resume_on={on}").text
    expected = demo_exposure(TODAY, draws=0, resume_on=on).resumption
    assert expected is not None and expected.revenue_newly_at_risk
    n = len(expected.changes)
    assert f'If they resume on <time datetime="{on}">{on}</time>: {n} products change.' in page
    assert f"{money(expected.revenue_newly_at_risk)} EUR" in page
    for change in expected.changes:
        row = row_of(page, "compact", change.part_id)
        if change.revenue_at_risk_after is not None:
            assert money(change.revenue_at_risk_after) in row
    assert "(by CN-2025-70)" in page and "CN-2025-61, CN-2025-62" in page


def test_the_overview_says_what_is_at_risk(demo_client: TestClient, demo: ExposureReport) -> None:
    log_in(demo_client, "viewer")
    page = demo_client.get("/").text
    panel = page[page.index('id="risk-heading"') :]
    panel = panel[: panel.index("</section>")]
    summary = summarise(demo.exposure.risks)
    assert summary.at_risk is not None and summary.if_refused is not None
    assert f"{money(summary.at_risk)} EUR" in panel
    assert f"{money(summary.if_refused)} EUR" in panel
    for product, days in summary.stopping:
        count = f"{days:.0f}"
        assert f"{product} ({count} day{'' if count == '1' else 's'})" in panel
    assert 'href="/exposure?version=1&amp;as_of=' in panel


def test_missing_inputs_are_said_not_counted_as_zero(
    demo_client: TestClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    log_in(demo_client, "analyst")
    parts, bom = demo_dataset_paths()
    # the wafer without its HS code: which US duties apply cannot be decided
    text = parts.read_text(encoding="utf-8").replace(",3818009001,", ",,")
    token = form_token(demo_client.get("/upload").text)
    stored = demo_client.post(
        "/upload",
        data={"name": "no commercial facts", "as_of": str(TODAY), "csrf_token": token},
        files={
            "parts": ("parts.csv", text.encode(), "text/csv"),
            "bom": ("bom.csv", bom.read_bytes(), "text/csv"),
        },
        follow_redirects=False,
    )
    assert stored.status_code == 303, stored.text
    page = html.unescape(demo_client.get("/exposure").text)  # the newest version
    assert "no commercial facts v1" in page
    assert "No sales file stored: revenue at risk is unknown" in page
    assert "No inventory file stored: every licensed input counts as having no stock" in page
    assert "Cover unknown (no stock record): counted as none" in row_of(page, "runway", "DY-METAL")
    assert "unknown: no sales figures" in page
    assert "revenue unknown: no sales figures" in page  # beside the missing bars
    wafer = row_of(page, "duties", "GAN-WAFER")
    assert "none given" in wafer and "not determined" in wafer
    overview = html.unescape(demo_client.get("/").text)
    assert "No sales file stored" in overview


def test_only_analysts_upload_and_only_with_the_form_token(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    page = demo_client.get("/exposure").text
    assert 'action="/exposure/commercial"' not in page
    files = {"sales": ("sales.csv", b"product_id,annual_volume,annual_revenue,currency\n")}
    refused = demo_client.post(
        "/exposure/commercial",
        data={"version_id": "1", "csrf_token": form_token(page)},
        files=files,
    )
    assert refused.status_code == 403
    log_in(demo_client, "analyst")
    page = demo_client.get("/exposure").text
    assert 'action="/exposure/commercial"' in page
    forged = demo_client.post(
        "/exposure/commercial", data={"version_id": "1", "csrf_token": "forged"}, files=files
    )
    assert forged.status_code == 403


def test_bad_rows_are_listed_and_nothing_is_stored(demo_client: TestClient) -> None:
    log_in(demo_client, "analyst")
    before = demo_client.get("/exposure").text
    token = form_token(before)
    sales = (
        b"product_id,annual_volume,annual_revenue,currency\n"
        b"EVM-200,1000,2000000,EUR\nNOPE,1,1,EUR\nRADAR-X,many,1,EUR\n"
    )
    inventory = b"part_id,on_hand,monthly_usage\nDY-METAL,5,\n"  # valid on its own
    bad = demo_client.post(
        "/exposure/commercial",
        data={"version_id": "1", "csrf_token": token},
        files={
            "sales": ("my sales.csv", sales, "text/csv"),
            "inventory": ("inventory.csv", inventory, "text/csv"),
        },
    )
    assert bad.status_code == 422
    listed = html.unescape(bad.text)
    assert "Nothing was stored." in listed
    assert "my_sales.csv: row 3: product_id: unknown part 'NOPE' (not in parts)" in listed
    assert "my_sales.csv: row 4: annual_volume: not a number: 'many'" in listed
    after = demo_client.get("/exposure").text
    assert "sales.csv</code> (8 rows" in after and "inventory.csv</code> (8 rows" in after
    assert row_of(after, "revenue", "EVM-200") == row_of(before, "revenue", "EVM-200")
    good = demo_client.post(
        "/exposure/commercial",
        data={"version_id": "1", "csrf_token": token},
        files={"inventory": ("inventory.csv", inventory, "text/csv")},
        follow_redirects=False,
    )
    assert good.status_code == 303
    page = demo_client.get(good.headers["location"]).text
    assert "Stored. The figures above use the new files." in page
    assert "inventory.csv</code> (1 rows" in page
    # the other inputs now have no stock record: said, and counted as none
    assert "Cover unknown (no stock record)" in row_of(page, "runway", "TB-METAL")
