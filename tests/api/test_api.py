"""The HTTP API against a real database: login, CSRF, the role x endpoint matrix, tenants,
optimistic locking, idempotency, uploads, errors and limits."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import SecretStr

from rarex.api import routes as api_routes
from rarex.api import screening_routes
from rarex.api.app import ConfigurationError, create_app
from rarex.api.security import PERMISSIONS
from rarex.cli.assess_cmd import demo_dataset_paths
from rarex.core.workflow import Document, Role
from rarex.io.storage.db import database, unit_of_work
from rarex.io.storage.repositories import user_by_email
from rarex.settings import Settings
from tests.api.conftest import PASSWORD, SECRET


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


APPLICATION = {
    "reference": "REF-1",
    "exporter": "Exporter Co.",
    "consignee": "Consignee GmbH",
    "end_user": "Consignee GmbH",
    "end_use": "civil",
    "destination": "DE",
}


def create(client: TestClient, token: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/applications", json={**APPLICATION, **extra}, headers=auth(token))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_login_session_and_csrf(client: TestClient, tokens: dict[str, str]) -> None:
    assert (
        client.post(
            "/api/auth/login", json={"email": "applicant@acme.test", "password": "wrong"}
        ).status_code
        == 401
    )
    login = client.post(
        "/api/auth/login", json={"email": "applicant@acme.test", "password": PASSWORD}
    )
    assert login.status_code == 200
    csrf = login.json()["csrf_token"]
    assert client.get("/api/applications").status_code == 200  # the session cookie
    refused = client.post("/api/applications", json=APPLICATION)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    accepted = client.post("/api/applications", json=APPLICATION, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201
    client.cookies.clear()
    assert client.get("/api/applications").status_code == 401


def guarded_routes(client: TestClient) -> list[tuple[str, APIRoute, str]]:
    """(path, route, permission) for every API route; the permission is "" if unguarded."""
    out = []
    for route in (*api_routes.router.routes, *screening_routes.router.routes):
        assert isinstance(route, APIRoute)
        permissions = [getattr(d.call, "permission", None) for d in route.dependant.dependencies]
        found = [p for p in permissions if p]
        out.append(("/api" + route.path, route, found[0] if found else ""))
    return out


def test_every_route_but_login_and_health_is_guarded(client: TestClient) -> None:
    open_routes = {path for path, _, permission in guarded_routes(client) if not permission}
    assert open_routes == {"/api/health", "/api/auth/login", "/api/auth/logout"}


def test_role_by_endpoint_matrix(client: TestClient, tokens: dict[str, str]) -> None:
    checked = 0
    for full_path, route, permission in guarded_routes(client):
        if not permission:
            continue
        path = re.sub(r"\{[^}]+\}", "999999", full_path)
        path = path.replace("/rules/999999", "/rules/CN-2025-61")
        for method in route.methods or set():
            for role in Role:
                response = client.request(
                    method,
                    path,
                    headers=auth(tokens[role.value]),
                    json={} if method != "GET" else None,
                )
                allowed = role in PERMISSIONS[permission]
                assert response.status_code < 500, (method, path, role, response.text)
                if allowed:
                    assert response.status_code != 403, (method, path, role, response.text)
                else:
                    assert response.status_code == 403, (method, path, role, response.text)
                    assert response.json()["error"]["code"] == "forbidden_role"
                checked += 1
    assert checked >= 5 * 20


def test_tenants_cannot_read_or_change_each_other(
    client: TestClient, tokens: dict[str, str]
) -> None:
    app_id = create(client, tokens["applicant"])["id"]
    other = auth(tokens["globex"])
    assert client.get(f"/api/applications/{app_id}", headers=other).status_code == 404
    assert (
        client.patch(
            f"/api/applications/{app_id}", json={"version": 1, "exporter": "X"}, headers=other
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/applications/{app_id}/transitions",
            json={"action": "submit", "on": "2026-03-02"},
            headers=other,
        ).status_code
        == 404
    )
    assert client.get("/api/applications", headers=other).json() == []


def test_stale_update_returns_409_and_keeps_the_first(
    client: TestClient, tokens: dict[str, str]
) -> None:
    app = create(client, tokens["applicant"])
    path = f"/api/applications/{app['id']}"
    first = client.patch(
        path,
        json={"version": app["version"], "exporter": "First Co."},
        headers=auth(tokens["applicant"]),
    )
    assert first.status_code == 200
    stale = client.patch(
        path,
        json={"version": app["version"], "exporter": "Second Co."},
        headers=auth(tokens["applicant"]),
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_update"
    assert client.get(path, headers=auth(tokens["viewer"])).json()["exporter"] == "First Co."


def test_idempotency_key(client: TestClient, tokens: dict[str, str]) -> None:
    headers = {**auth(tokens["applicant"]), "Idempotency-Key": "abc-1"}
    one = client.post("/api/applications", json=APPLICATION, headers=headers).json()
    two = client.post("/api/applications", json=APPLICATION, headers=headers).json()
    assert one["id"] == two["id"]
    assert len(client.get("/api/applications", headers=headers).json()) == 1


def test_invalid_input_names_the_field(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post(
        "/api/applications",
        json={**APPLICATION, "destination": "Germany"},
        headers=auth(tokens["applicant"]),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "destination"
    unknown = client.post(
        "/api/applications",
        json={**APPLICATION, "colour": "red"},
        headers=auth(tokens["applicant"]),
    )
    assert unknown.status_code == 422


def test_request_size_limit(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post(
        "/api/applications",
        content=b"x" * 2_100_000,
        headers={**auth(tokens["applicant"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_no_default_secret_outside_the_demo(database_url: str) -> None:
    with pytest.raises(ConfigurationError):
        create_app(Settings(database_url=database_url))
    create_app(Settings(database_url=database_url), demo=True)


def test_no_audit_key_outside_the_demo(database_url: str) -> None:
    with pytest.raises(ConfigurationError, match="set RAREX_AUDIT_KEY"):
        create_app(Settings(database_url=database_url, secret_key=SECRET))
    with pytest.raises(ConfigurationError, match="RAREX_AUDIT_KEY: an audit key has at least 32"):
        create_app(
            Settings(database_url=database_url, secret_key=SECRET, audit_key=SecretStr("short"))
        )
    create_app(Settings(database_url=database_url, secret_key=SECRET), demo=True)


def test_application_through_review_with_documents_and_deadline(
    client: TestClient, tokens: dict[str, str]
) -> None:
    applicant, reviewer = auth(tokens["applicant"]), auth(tokens["reviewer"])
    app = create(client, tokens["applicant"])
    path = f"/api/applications/{app['id']}"
    client.post(
        f"{path}/items",
        json={
            "part_id": "SM-METAL",
            "description": "Sm metal",
            "control_code": "1C902.a",
            "quantity": "100",
            "value": "25000",
        },
        headers=applicant,
    )
    submit = {"action": "submit", "on": "2026-09-14"}
    refused = client.post(f"{path}/transitions", json=submit, headers=applicant)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "documents_incomplete"
    for kind in Document:
        upload = client.post(
            f"{path}/documents",
            data={"kind": kind.value},
            files={"file": (f"{kind.value}.pdf", b"%PDF-1.4 test", "application/pdf")},
            headers=applicant,
        )
        assert upload.status_code == 201, upload.text
        assert len(upload.json()["sha256"]) == 64
    assert client.post(f"{path}/transitions", json=submit, headers=applicant).status_code == 200
    for action in ("accept", "start_review"):
        response = client.post(
            f"{path}/transitions", json={"action": action, "on": "2026-09-14"}, headers=reviewer
        )
        assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "under_review"
    assert body["deadline"]["due"] == "2026-11-20"
    due = client.get(
        "/api/applications/deadlines?within=10&as_of=2026-11-10", headers=applicant
    ).json()
    assert [(d["id"], d["working_days_left"]) for d in due] == [(app["id"], 8)]
    assert (
        client.post(
            f"{path}/transitions", json={"action": "approve", "on": "2026-10-20"}, headers=applicant
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{path}/transitions", json={"action": "approve", "on": "2026-10-20"}, headers=reviewer
        ).status_code
        == 200
    )
    licence = client.post(
        f"{path}/licence",
        json={
            "number": "LIC-1",
            "licence_type": "general",
            "valid_from": "2026-10-20",
            "valid_until": "2029-10-19",
            "quantity": "100",
            "value": "25000",
            "end_users": ["Consignee GmbH"],
        },
        headers=reviewer,
    )
    assert licence.status_code == 201, licence.text
    shipment = client.post(
        f"{path}/shipments",
        json={"shipped_on": "2026-11-01", "quantity": "30", "value": "7500"},
        headers=applicant,
    )
    assert shipment.json()["quantity"] == "70.000000"
    key_change = client.post(
        f"{path}/amendments",
        json={"changes": {"end_user": "Other AG"}, "on": "2026-11-02"},
        headers=applicant,
    )
    assert key_change.status_code == 422
    assert key_change.json()["error"]["code"] == "key_element_change"
    amendment = client.post(
        f"{path}/amendments",
        json={"changes": {"quantity": "150"}, "on": "2026-11-02"},
        headers=applicant,
    )
    assert amendment.status_code == 201, amendment.text
    assert amendment.json()["due"] == "2026-11-30"  # 20 working days (Reg. Art. 18(3))
    suspended = client.post(
        f"{path}/shipments",
        json={"shipped_on": "2026-11-03", "quantity": "1", "value": "1"},
        headers=applicant,
    )
    assert suspended.json()["error"]["code"] == "licence_suspended"
    decided = client.post(
        f"{path}/amendments/{amendment.json()['id']}/decision",
        json={"approve": True, "on": "2026-11-20"},
        headers=reviewer,
    )
    assert decided.json()["quantity"] == "120.000000"  # 150 less the 30 already shipped
    audit = client.get("/api/audit?format=csv", headers=reviewer)
    assert audit.status_code == 200
    assert "application.approve" in audit.text and audit.text.startswith("seq,at,actor")
    assert client.get("/api/audit/verify", headers=reviewer).json()["intact"] is True


def test_upload_workbook_assess_and_report(client: TestClient, tokens: dict[str, str]) -> None:
    parts, bom = demo_dataset_paths()
    analyst = auth(tokens["analyst"])
    upload = client.post(
        "/api/datasets",
        data={"name": "demo"},
        files={
            "parts": ("parts.csv", parts.read_bytes(), "text/csv"),
            "bom": ("bom.csv", bom.read_bytes(), "text/csv"),
        },
        headers=analyst,
    )
    assert upload.status_code == 201, upload.text
    version = upload.json()
    assert version["version"] == 1
    again = client.post(
        "/api/datasets",
        data={"name": "demo"},
        files={
            "parts": ("parts.csv", parts.read_bytes(), "text/csv"),
            "bom": ("bom.csv", bom.read_bytes(), "text/csv"),
        },
        headers=analyst,
    )
    assert again.json()["version"] == 2
    run = client.post(
        "/api/assessments",
        json={
            "version_id": version["id"],
            "as_of": "2026-11-22",
            "export_from": "DE",
            "destination": "US",
            "end_user_type": "civil",
            "end_use": "civil",
            "products": ["EVM-200"],
            "assume": {"CN-2025-61": "in_force"},
        },
        headers=analyst,
    )
    assert run.status_code == 201, run.text
    result = run.json()
    assert result["results"][0]["outcome"] == "licence_required"
    fetched = client.get(f"/api/assessments/{result['id']}", headers=auth(tokens["viewer"]))
    assert fetched.json()["rulebook"]["sha256"] == result["rulebook"]["sha256"]
    replay = client.get(f"/api/assessments/{result['id']}/replay", headers=analyst).json()
    assert (replay["same_outcomes"], replay["rulebook_changed"]) == (True, False)
    report = client.get(f"/api/assessments/{result['id']}/report", headers=analyst)
    assert report.status_code == 200 and "EVM-200" in report.text
    bad = client.post(
        "/api/datasets",
        data={"name": "bad"},
        files={"parts": ("parts.csv", b"part_id\nA\n", "text/csv")},
        headers=analyst,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_input"
    assert len(client.get("/api/datasets", headers=analyst).json()) == 2


def test_rules_endpoints(client: TestClient, tokens: dict[str, str]) -> None:
    viewer = auth(tokens["viewer"])
    status = client.get("/api/rules/CN-2025-61/status?as_of=2026-11-22", headers=viewer)
    assert status.json()["status"] == "uncertain"
    assert client.get("/api/rules/CN-2099-1", headers=viewer).status_code == 404
    listed = client.get("/api/rules?as_of=2025-11-10&status=suspended", headers=viewer).json()
    assert "CN-2025-58" in {m["id"] for m in listed["measures"]}
    assert client.get("/docs").status_code == 200
    assert io.BytesIO(client.get("/openapi.json").content).getbuffer().nbytes > 1000


def test_user_listing_in_fixture(database_url: str, tokens: dict[str, str]) -> None:
    with database(database_url) as factory, unit_of_work(factory) as session:
        assert user_by_email(session, "admin@globex.test") is not None


def test_a_second_person_approves_and_dates_come_in_order(
    client: TestClient, tokens: dict[str, str]
) -> None:
    admin, reviewer = auth(tokens["admin"]), auth(tokens["reviewer"])
    path = f"/api/applications/{create(client, tokens['admin'])['id']}"
    item = {"part_id": "SM-METAL", "quantity": "1", "value": "1"}
    assert client.post(f"{path}/items", json=item, headers=admin).status_code == 201
    for kind in Document:
        files = {"file": (f"{kind.value}.pdf", b"%PDF-1.4 test", "application/pdf")}
        client.post(f"{path}/documents", data={"kind": kind.value}, files=files, headers=admin)

    def move(action: str, on: str, headers: dict[str, str]) -> Any:
        body = {"action": action, "on": on}
        return client.post(f"{path}/transitions", json=body, headers=headers)

    assert move("submit", "2026-03-01", admin).status_code == 200
    for on, words in [
        ("1999-01-01", "1999-01-01 is before the submission on 2026-03-01"),
        ("2026-11-23", "2026-11-23 is in the future (today is 2026-11-22)"),
    ]:
        refused = move("accept", on, admin)
        assert refused.status_code == 422
        error = refused.json()["error"]
        assert (error["code"], error["field"]) == ("invalid_date", "on")
        assert words in error["message"]
    assert move("accept", "2026-03-02", admin).status_code == 200
    assert move("start_review", "2026-03-02", admin).status_code == 200
    own = move("approve", "2026-11-22", admin)
    assert own.status_code == 403
    assert own.json()["error"]["code"] == "second_person_required"
    assert client.get(path, headers=admin).json()["state"] == "under_review"
    assert move("approve", "2026-11-22", reviewer).status_code == 200
