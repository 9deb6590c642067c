"""The API refuses what its schema does not allow, bounds every id and list, declares its
errors, and stays whole when parties repeat."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rarex.services import audit as audit_service
from tests.api.test_api import APPLICATION, auth, create


@pytest.mark.parametrize(
    "path",
    [
        "/api/datasets/99999999999999999999",
        "/api/datasets/9223372036854775808",
        "/api/assessments/2147483648",
        "/api/applications/99999999999999999999",
        "/api/applications/0",
        "/api/screening/runs/-1",
    ],
)
def test_an_id_out_of_range_is_refused_not_a_server_error(
    client: TestClient, tokens: dict[str, str], path: str
) -> None:
    response = client.get(path, headers=auth(tokens["viewer"]))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"destination": "AA"}, "destination"),
        ({"destination": "de"}, "destination"),
        ({"watch_listed": 0}, "watch_listed"),
        ({"watch_listed": "no"}, "watch_listed"),
    ],
)
def test_an_application_with_a_value_the_schema_does_not_allow_is_refused(
    client: TestClient, tokens: dict[str, str], change: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/api/applications", json={**APPLICATION, **change}, headers=auth(tokens["applicant"])
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


@pytest.mark.parametrize("as_of", ["0", "1700000000", "2026-1-5", "05.01.2026", "2026-02-30"])
def test_a_day_is_only_yyyy_mm_dd(client: TestClient, tokens: dict[str, str], as_of: str) -> None:
    for path in ("/api/rules", "/api/applications/deadlines", "/api/screening/lists"):
        response = client.get(path, params={"as_of": as_of}, headers=auth(tokens["viewer"]))
        assert response.status_code == 422, (path, response.text)
    application = create(client, tokens["applicant"])
    moved = client.post(
        f"/api/applications/{application['id']}/transitions",
        json={"action": "submit", "on": 0},
        headers=auth(tokens["applicant"]),
    )
    assert moved.status_code == 422
    assert moved.json()["error"]["field"] == "on"


@pytest.mark.parametrize("as_of", ["9999-12-30", "0001-01-02", "1989-12-31", "2101-01-01"])
def test_a_day_far_outside_the_rules_is_refused_at_once(
    client: TestClient, tokens: dict[str, str], as_of: str
) -> None:
    # walking the working-day calendar to year 9999 would hold the server for a minute
    create(client, tokens["applicant"])
    response = client.get(
        "/api/applications/deadlines",
        params={"as_of": as_of, "within": 365},
        headers=auth(tokens["viewer"]),
    )
    assert response.status_code == 422, response.text
    assert "1990-01-01 to 2100-12-31" in response.json()["error"]["message"]
    last = {"as_of": "2100-12-31"}
    viewer = auth(tokens["viewer"])
    assert client.get("/api/applications/deadlines", params=last, headers=viewer).is_success


def test_the_openapi_document_declares_the_errors(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "ErrorBody" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            missing = {"401", "403", "404", "409", "413", "422"} - declared
            assert not missing, f"{method.upper()} {path} does not declare {sorted(missing)}"


def test_a_repeated_party_is_a_conflict_and_rescreening_stays_whole(
    client: TestClient, tokens: dict[str, str]
) -> None:
    party = {"name": "Nova Tech Systems", "country": "US"}
    analyst = auth(tokens["analyst"])
    first = client.post("/api/parties", json=party, headers=analyst)
    assert first.status_code == 201, first.text
    screened = client.post(
        "/api/screening/runs", json={"parties": [party], "as_of": "2026-01-05"}, headers=analyst
    )
    assert screened.status_code == 201, screened.text
    again = client.post("/api/parties", json=party, headers=analyst)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate_party"
    assert f"party {first.json()['id']}" in again.json()["error"]["message"]
    rescreened = client.post("/api/screening/rescreen", json={}, headers=analyst)
    assert rescreened.status_code == 200, rescreened.text
    listed = client.get("/api/parties", headers=analyst).json()
    assert [p["name"] for p in listed].count("Nova Tech Systems") == 1


def test_lists_are_paginated_with_a_next_link(client: TestClient, tokens: dict[str, str]) -> None:
    analyst = auth(tokens["analyst"])
    for number in range(5):
        response = client.post("/api/parties", json={"name": f"Party {number}"}, headers=analyst)
        assert response.status_code == 201
    seen: list[str] = []
    url = "/api/parties?limit=2"
    while url:
        response = client.get(url, headers=analyst)
        assert response.status_code == 200
        page = response.json()
        assert len(page) <= 2
        seen += [p["name"] for p in page]
        link = response.headers.get("link", "")
        url = link[1 : link.index(">")] if link else ""
    assert seen == [f"Party {n}" for n in range(5)]
    too_many = client.get("/api/parties?limit=100000", headers=analyst)
    assert too_many.status_code == 422


def _follow(client: TestClient, url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        seen += response.json()
        link = response.headers.get("link", "")
        url = link[1 : link.index(">")] if link else ""
    return seen


def test_the_audit_log_pages_as_json_and_exports_whole_as_csv(
    client: TestClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reviewer = auth(tokens["reviewer"])
    ids = [str(create(client, tokens["applicant"])["id"]) for _ in range(7)]
    paged = _follow(client, "/api/audit?limit=3&entity=application", reviewer)
    assert [e["entity_id"] for e in paged] == ids
    assert [e["seq"] for e in paged] == sorted({e["seq"] for e in paged})
    first = client.get("/api/audit?limit=3&entity=application", headers=reviewer)
    assert len(first.json()) == 3 and 'rel="next"' in first.headers["link"]
    assert client.get("/api/audit?limit=1001", headers=reviewer).status_code == 422
    # the CSV export has every event, read in batches (here of 2) rather than all at once
    monkeypatch.setattr(audit_service, "EXPORT_BATCH", 2)
    export = client.get("/api/audit?format=csv&entity=application", headers=reviewer)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["entity_id"] for r in rows] == ids
    after = f"/api/audit?format=csv&entity=application&after={paged[4]['seq']}"
    rest = csv.DictReader(io.StringIO(client.get(after, headers=reviewer).text))
    assert [r["entity_id"] for r in rest] == ids[5:]


def test_a_nul_character_is_refused_wherever_text_comes_in(
    client: TestClient, tokens: dict[str, str]
) -> None:
    analyst, applicant = auth(tokens["analyst"]), auth(tokens["applicant"])
    body = client.post(
        "/api/applications", json={**APPLICATION, "end_user": "A\x00B"}, headers=applicant
    )
    assert body.status_code == 422 and "NUL" in body.json()["error"]["message"]
    nested = client.post(
        "/api/parties", json={"name": "P", "identifiers": {"lei": "1\x00"}}, headers=analyst
    )
    assert nested.status_code == 422
    query = client.get("/api/audit?entity=a%00b", headers=auth(tokens["reviewer"]))
    assert query.status_code == 422
    form = client.post(
        "/api/datasets",
        data={"name": "x\x00y"},
        files={"parts": ("parts.csv", b"part_id\n", "text/csv")},
        headers=analyst,
    )
    assert form.status_code == 422 and form.json()["error"]["field"] == "name"


def test_adding_a_party_is_recorded_in_the_audit_trail(
    client: TestClient, tokens: dict[str, str]
) -> None:
    added = client.post(
        "/api/parties",
        json={"name": "Nova Tech Systems", "country": "US"},
        headers=auth(tokens["analyst"]),
    )
    assert added.status_code == 201
    events = client.get("/api/audit?entity=party", headers=auth(tokens["reviewer"])).json()
    assert [(e["action"], e["entity_id"], e["actor"]) for e in events] == [
        ("party.added", str(added.json()["id"]), "analyst@acme.test")
    ]
    assert events[0]["after"]["name"] == "Nova Tech Systems"
    assert client.get("/api/audit/verify", headers=auth(tokens["reviewer"])).json()["intact"]
