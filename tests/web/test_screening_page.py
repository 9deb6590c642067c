"""The screening page: freshness, explained hits, ownership flags, reviewer decisions, a file
screened in the background with progress, and re-screening."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient

from tests.web.conftest import form_token, log_in


def test_page_shows_freshness_hits_ownership_and_cleared_parties(demo_client: TestClient) -> None:
    log_in(demo_client, "viewer")
    html = demo_client.get("/screening").text
    assert "Lists and their freshness" in html and "rulebook" in html
    row = html[html.index('<th scope="row">Lockheed Martin Corporation') :]
    assert "1 hit to review" in row[:400]
    assert "Control List: <strong>Lockheed Martin</strong>" in html
    assert "token: lockheed → lockheed: exact" in html
    assert "60.0 % owned</strong> by Lockheed Martin Corporation" in html
    assert "Cleared: false positive" in html  # the demo's recorded decision
    assert 'action="/screening/decisions"' not in html, "a viewer cannot decide"
    assert 'action="/screening/file"' not in html, "a viewer cannot screen"


def test_reviewer_records_a_decision_with_the_csrf_token(demo_client: TestClient) -> None:
    log_in(demo_client, "reviewer")
    html = demo_client.get("/screening").text
    form = re.search(
        r'name="party_id" value="(\d+)">\s*<input type="hidden" name="entry_key" value="([^"]+)"',
        html,
    )
    assert form, "the reviewer sees a decision form on an open hit"
    data = {
        "party_id": form.group(1),
        "entry_key": form.group(2).replace("&#39;", "'"),
        "verdict": "false_positive",
        "reason": "",
        "csrf_token": form_token(html),
    }
    refused = demo_client.post("/screening/decisions", data=data)
    assert refused.status_code == 422 and "needs a reason" in refused.text
    no_token = demo_client.post("/screening/decisions", data={**data, "csrf_token": "x"})
    assert no_token.status_code == 403
    data["reason"] = "checked: a namesake"
    done = demo_client.post("/screening/decisions", data=data, follow_redirects=True)
    assert done.status_code == 200
    assert "false positive (checked: a namesake)" in done.text


def test_a_confirmed_match_leaves_review_and_shows_as_listed(demo_client: TestClient) -> None:
    log_in(demo_client, "reviewer")
    html = demo_client.get("/screening").text
    row = html[html.index('<th scope="row">Lockheed Martin Corporation') :]
    form = re.search(
        r'name="party_id" value="(\d+)">\s*<input type="hidden" name="entry_key" '
        r'value="([^"]+)"',
        row,
    )
    assert form
    data = {
        "party_id": form.group(1),
        "entry_key": form.group(2).replace("&#39;", "'"),
        "verdict": "true_match",
        "reason": "our prospective customer is the listed company",
        "csrf_token": form_token(html),
    }
    page = demo_client.post("/screening/decisions", data=data, follow_redirects=True).text
    row = page[page.index('<th scope="row">Lockheed Martin Corporation') :]
    assert "Listed: confirmed match" in row[:600]
    assert "confirmed match (our prospective customer is the listed company)" in page


def test_file_is_screened_in_the_background_with_progress(demo_client: TestClient) -> None:
    log_in(demo_client, "analyst")
    token = form_token(demo_client.get("/screening").text)
    body = "name,country\n" + "".join(f"Widget Maker {i} GmbH,DE\n" for i in range(40))
    started = demo_client.post(
        "/screening/file",
        data={"csrf_token": token},
        files={"file": ("customers.csv", body.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert started.status_code == 303
    job_page = started.headers["location"]
    for _ in range(200):
        html = demo_client.get(job_page).text
        if "Finished" in html or "failed" in html:
            break
        assert '<progress id="job-progress" max="40"' in html
        time.sleep(0.05)
    assert "Finished: run" in html and "40 of 40 screened" in html
    bad = demo_client.post(
        "/screening/file",
        data={"csrf_token": token},
        files={"file": ("customers.csv", b"name,country\n,DE\n", "text/csv")},
    )
    assert bad.status_code == 422 and "customers.csv: row 2: name: required" in bad.text


def test_rescreen_reports_no_change_when_lists_did_not_change(demo_client: TestClient) -> None:
    log_in(demo_client, "analyst")
    token = form_token(demo_client.get("/screening").text)
    html = demo_client.post("/screening/rescreen", data={"csrf_token": token}).text
    assert "Re-screened" in html and "No party's result changed." in html
