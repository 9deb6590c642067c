"""Each dashboard page: who may see it, what it shows, and that its forms need the CSRF token."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from rarex.cli.assess_cmd import demo_dataset_paths
from rarex.core.vocab import Status
from rarex.demo.seed import DEMO_PASSWORD
from rarex.io.rule_loader import load_rules
from rarex.reports.pdf import MISSING, printable
from tests.web.conftest import form_token, log_in

PAGES = [
    "/",
    "/?as_of=2025-10-20",
    "/assessments/1",
    "/assessments/1/products/EVM-200",
    "/rules/timeline",
    "/applications",
    "/screening",
    "/exposure",
    "/exposure?resume_on=2027-01-04",
    "/assessments/1/report.html",
    "/assessments/1/report.pdf",
]


@pytest.mark.parametrize("path", [*PAGES, "/upload"])
def test_anonymous_visitors_are_sent_to_the_login_form(demo_client: TestClient, path: str) -> None:
    response = demo_client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_a_viewer(demo_client: TestClient, path: str) -> None:
    log_in(demo_client, "viewer")
    response = demo_client.get(path)
    assert response.status_code == 200, response.text


HUGE = "99999999999999999999"  # past a 64-bit integer


@pytest.mark.parametrize(
    "path",
    [
        f"/assessments/{HUGE}",
        f"/assessments/{HUGE}/products/EVM-200",
        f"/assessments/{HUGE}/report.html",
        f"/assessments/{HUGE}/report.pdf",
        f"/exposure?version={HUGE}",
        "/assessments/0",
        "/exposure?version=-1",
        "/?as_of=9999-12-31",
        "/exposure?resume_on=9999-12-31",
        "/rules/timeline?end=9999-12-31",
    ],
)
def test_an_id_or_day_no_record_can_have_is_refused_as_a_page_not_a_crash(
    demo_client: TestClient, path: str
) -> None:
    log_in(demo_client, "viewer")
    response = demo_client.get(path)
    assert response.status_code == 422, response.text
    assert "text/html" in response.headers["content-type"]
    assert "Traceback" not in response.text


def test_moving_an_application_with_an_overflowing_id_is_refused(demo_client: TestClient) -> None:
    log_in(demo_client, "reviewer")
    token = form_token(demo_client.get("/applications").text)
    response = demo_client.post(
        f"/applications/{HUGE}/transitions",
        data={"action": "accept", "version": "1", "csrf_token": token},
    )
    assert response.status_code == 422, response.text
    response = demo_client.post(
        "/applications/1/transitions",
        data={"action": "accept", "version": HUGE, "csrf_token": token},
    )
    assert response.status_code == 422, response.text


def test_login_refuses_wrong_passwords_and_foreign_redirects(demo_client: TestClient) -> None:
    token = form_token(demo_client.get("/login").text)
    wrong = demo_client.post(
        "/login",
        data={"email": "viewer@demo.rarex", "password": "not the password", "csrf_token": token},
    )
    assert wrong.status_code == 401
    assert "Wrong e-mail or password" in wrong.text
    stale = demo_client.post(
        "/login", data={"email": "viewer@demo.rarex", "password": "x", "csrf_token": "forged"}
    )
    assert stale.status_code == 403
    form = demo_client.get("/login?next=//elsewhere.example/").text
    assert 'name="next" value="/"' in form
    sent = demo_client.post(
        "/login",
        data={
            "email": "viewer@demo.rarex",
            "password": DEMO_PASSWORD,
            "csrf_token": form_token(form),
            "next": "//elsewhere.example/",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/"


def test_logout_needs_the_csrf_token(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    assert demo_client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert demo_client.get("/", follow_redirects=False).status_code == 200
    token = form_token(demo_client.get("/").text)
    out = demo_client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert demo_client.get("/", follow_redirects=False).status_code == 303


def _panel(html: str, heading: str) -> str:
    match = re.search(rf"<h2 id=\"{heading}\">(.*?)</section>", html, re.S)
    assert match, f"no panel {heading}"
    return match.group(1)


def test_overview_names_products_needing_a_licence_and_answers_on_uncertain_measures(
    demo_client: TestClient,
) -> None:
    log_in(demo_client, "viewer")
    html = demo_client.get("/?as_of=2026-11-22").text
    licence = _panel(html, "licence-heading")
    hanging = _panel(html, "hanging-heading")
    # the Chinese materials need a licence; the magnet products only if the October-2025
    # rules (uncertain after their suspension ran out) applied
    assert "DY-METAL" in licence and "EVM-200" not in licence
    assert "EVM-200" in hanging and "CN-2025-61/cl1.1" in hanging
    snapshot = load_rules().rulebook.at(date(2026, 11, 22))
    uncertain = _panel(html, "uncertain-heading")
    for measure_id, state in snapshot.measures.items():
        shown = f"<strong>{measure_id}</strong>" in uncertain
        assert shown == (state.status is Status.UNCERTAIN), measure_id


def test_overview_replays_an_earlier_day(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    html = demo_client.get("/?as_of=2025-10-20").text
    assert 'as of <time datetime="2025-10-20">' in html
    # CN-2025-61 was in force then: the radar unit for the listed military end user
    assert 'RADAR-X</a> <span class="o presumption_of_denial">' in _panel(html, "licence-heading")
    assert "CN-2025-61" not in _panel(html, "uncertain-heading")


def test_the_history_slider_steps_through_the_rulebooks_change_days(
    demo_client: TestClient,
) -> None:
    log_in(demo_client, "viewer")
    html = demo_client.get("/").text
    days = re.search(r'data-days="([^"]+)"', html)
    assert days
    stops = days.group(1).split(",")
    assert stops == sorted(stops)
    assert "2026-11-11" in stops  # the October-2025 measures become uncertain
    index = stops.index("2026-11-11")
    stepped = demo_client.get(f"/?step={index}").text
    assert 'as of <time datetime="2026-11-11">' in stepped
    assert "CN-2025-61 suspended → uncertain" in stepped


def test_product_page_marks_the_triggering_bom_path_and_cites_sources(
    demo_client: TestClient,
) -> None:
    log_in(demo_client, "viewer")
    html = demo_client.get("/assessments/1/products/EVM-200?as_of=2026-11-22").text
    assert re.search(r'<li class="on-path">\s*<span class="node"><span class="qty">16 \u00d7', html)
    assert "triggers CN-2025-61/cl1.1" in html
    assert "<strong>BRG-6208</strong>" in html  # parts off the path are shown too
    assert re.search(r"\[B07\] <a href=\"https?://", html)
    missing = demo_client.get("/assessments/1/products/NOPE")
    assert missing.status_code == 404
    assert "has no product NOPE" in missing.text


def test_timeline_draws_windows_with_a_text_alternative(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    html = demo_client.get("/rules/timeline?start=2025-01-01&end=2027-06-30").text
    assert '<svg viewBox="0 0' in html and 'role="img"' in html
    assert "CN-2025-61: suspended from 2025-11-07 to 2026-11-10" in html
    assert "CN-2025-61: uncertain from 2026-11-11 to 2027-06-30" in html
    bad = demo_client.get("/rules/timeline?start=2027-01-01&end=2026-01-01")
    assert bad.status_code == 422


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'<button type="submit" aria-label="([^"]+)"', html))


def test_board_shows_only_the_transitions_the_role_may_make(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    assert _buttons(demo_client.get("/applications").text) == set()
    log_in(demo_client, "applicant")
    applicant = _buttons(demo_client.get("/applications").text)
    assert "Submit DEMO-DRAFT" in applicant and "Withdraw DEMO-SUBMITTED" in applicant
    assert not any(b.startswith(("Record acceptance", "Approve")) for b in applicant)
    log_in(demo_client, "reviewer")
    reviewer = _buttons(demo_client.get("/applications").text)
    assert {"Record acceptance DEMO-SUBMITTED", "Approve DEMO-REVIEW"} <= reviewer
    assert not any(b.startswith(("Submit", "Withdraw")) for b in reviewer)


def _move(client: TestClient, token: str, action: str, **extra: str) -> int:
    board = client.get("/applications").text
    match = re.search(
        r'action="/applications/(\d+)/transitions".*?name="version" value="(\d+)">\s*'
        rf'<input type="hidden" name="action" value="{action}">',
        board,
        re.S,
    )
    assert match, f"no {action} form"
    response = client.post(
        f"/applications/{match.group(1)}/transitions",
        data={"csrf_token": token, "version": match.group(2), "action": action, **extra},
        follow_redirects=False,
    )
    return response.status_code


def test_moving_an_application_needs_the_csrf_token(demo_client: TestClient) -> None:
    log_in(demo_client, "reviewer")
    token = form_token(demo_client.get("/applications").text)
    assert _move(demo_client, "forged", "accept") == 403
    assert _move(demo_client, token, "accept") == 303
    assert "DEMO-SUBMITTED" in demo_client.get("/applications?moved=2").text
    assert _move(demo_client, token, "start_review") == 303
    assert "is now under review" in demo_client.get("/applications?moved=2").text
    # a refused move (here a stale version) is explained on the board
    stale = demo_client.post(
        "/applications/2/transitions",
        data={"csrf_token": token, "version": "1", "action": "approve"},
    )
    assert stale.status_code == 409
    assert "Not moved: application 2 is at version" in stale.text


def test_an_admin_who_submitted_an_application_cannot_approve_it(demo_client: TestClient) -> None:
    log_in(demo_client, "admin")
    token = form_token(demo_client.get("/applications").text)

    def form(action: str, app_id: str = r"\d+") -> re.Match[str]:
        found = re.search(
            rf'action="/applications/({app_id})/transitions"(?:(?!</form>).)*?'
            rf'name="version" value="(\d+)">\s*'
            rf'<input type="hidden" name="action" value="{action}">',
            demo_client.get("/applications").text,
            re.S,
        )
        assert found, f"no {action} form"
        return found

    app_id = form("submit").group(1)  # the demo's one draft

    def move(action: str) -> tuple[int, str]:
        response = demo_client.post(
            f"/applications/{app_id}/transitions",
            data={"csrf_token": token, "version": form(action, app_id).group(2), "action": action},
            follow_redirects=False,
        )
        return response.status_code, " ".join(response.text.split())

    for action in ("submit", "accept", "start_review"):
        assert move(action)[0] == 303
    status, page = move("approve")
    assert status == 403
    assert "Not moved: a second person must approve: you submitted this application" in page
    log_in(demo_client, "reviewer")
    token = form_token(demo_client.get("/applications").text)
    assert move("approve")[0] == 303
    assert "is now approved" in demo_client.get(f"/applications?moved={app_id}").text


def test_upload_is_for_analysts_and_shows_the_outcome(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    assert demo_client.get("/upload").status_code == 403
    log_in(demo_client, "analyst")
    token = form_token(demo_client.get("/upload").text)
    parts, bom = demo_dataset_paths()
    fields = {
        "name": "uploaded",
        "as_of": "2026-11-22",
        "export_from": "DE",
        "destination": "US",
        "end_user_type": "civil",
        "end_use": "civil",
    }
    files = {"parts": ("parts.csv", parts.read_bytes()), "bom": ("bom.csv", bom.read_bytes())}
    forged = demo_client.post("/upload", data={**fields, "csrf_token": "x"}, files=files)
    assert forged.status_code == 403
    done = demo_client.post(
        "/upload", data={**fields, "csrf_token": token}, files=files, follow_redirects=False
    )
    assert done.status_code == 303
    page = demo_client.get(done.headers["location"]).text
    assert "uploaded v1" in page and "EVM-200" in page and "Download report (PDF)" in page


def test_bad_upload_lists_file_row_and_field_and_stores_nothing(demo_client: TestClient) -> None:
    log_in(demo_client, "analyst")
    token = form_token(demo_client.get("/upload").text)
    header = "part_id,description,unit_value,currency,origin,control_code,hs_code,form,"
    header += "elements,attributes,tech_origin\n"
    bad = (header + "P1,Widget,lots,EUR,DE,,,,,,\n").encode()
    response = demo_client.post(
        "/upload",
        data={"name": "broken", "as_of": "2026-11-22", "csrf_token": token},
        files={"parts": ("mine.csv", bad)},
    )
    assert response.status_code == 422
    assert "mine.csv: row 2: unit_value:" in response.text
    assert "Nothing was stored" in response.text
    names = {d["name"] for d in demo_client.get("/api/datasets").json()}
    assert "broken" not in names


def test_reports_download_as_html_and_pdf(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    html = demo_client.get("/assessments/1/report.html")
    assert "attachment" in html.headers["content-disposition"]
    assert "Export-control assessment as of" in html.text
    pdf = demo_client.get("/assessments/1/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5000


def test_pdf_marks_text_its_font_cannot_show() -> None:
    assert printable("hk01, 商務部 text — 0.1 % ≥ µ") == f"hk01, {MISSING} text — 0.1 % ≥ µ"


def test_the_api_stays_json_and_pages_stay_out_of_its_schema(demo_client: TestClient) -> None:
    assert demo_client.get("/api/applications").status_code == 401
    paths = demo_client.get("/openapi.json").json()["paths"]
    assert "/api/health" in paths and "/" not in paths and "/applications" not in paths
