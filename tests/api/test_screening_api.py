"""Screening through the HTTP API on a real database: list versions and freshness, stored runs
with matcher and list versions, reviewer decisions, re-screening after a list change, the
background job with progress, and screening on submission."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rarex.api.app import create_app
from rarex.core.workflow import Document
from rarex.io.storage.db import database, unit_of_work
from rarex.io.storage.tables import Organisation, ScreeningJobRow
from rarex.settings import Settings
from tests.api.conftest import AUDIT_KEY, SECRET
from tests.api.test_api import auth, create
from tests.clock import TODAY

# The project's own sample in the cn_sanctions layout (see tests/data/CN_SANCTIONS_SAMPLE.md).
CN_SANCTIONS_SAMPLE = Path(__file__).parents[1] / "data" / "cn_sanctions_sample.csv"
# The public data set, present only when the shared data sits beside the clone.
CN_SANCTIONS = Path(__file__).parents[3] / "shared" / "data" / "cn_sanctions" / "sanctions.csv"
NOT_BESIDE = (
    "the public cn_sanctions data set is not beside the clone (../shared/data/cn_sanctions)"
)
LIST_V1 = (
    "name,aliases,country,identifiers,list,start,end\n"
    "Nova Tech Systems,,US,,CN-WATCH-LIST,2025-01-01,\n"
    "Orbital Defence Works,ODW,US,,CN-CONTROL-LIST,2025-01-01,\n"
)
LIST_V2 = LIST_V1.replace("Nova Tech Systems,,", "Nova Tech Systems,Nova Technology Systems,")


def upload_list(client: TestClient, token: str, text: str, name: str = "mylist.csv") -> Any:
    response = client.post(
        "/api/screening/lists",
        data={"kind": "custom", "source": "partners"},
        files={"file": (name, text.encode(), "text/csv")},
        headers=auth(token),
    )
    assert response.status_code == 201, response.text
    return response.json()


def screen(client: TestClient, token: str, *names: str, as_of: str = "2026-01-05") -> Any:
    response = client.post(
        "/api/screening/runs",
        json={"parties": [{"name": n, "country": "US"} for n in names], "as_of": as_of},
        headers=auth(token),
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_list_versions_and_freshness(client: TestClient, tokens: dict[str, str]) -> None:
    analyst = tokens["analyst"]
    first = upload_list(client, analyst, LIST_V1)
    assert (first["version"], first["entries"], first["new_version"]) == (1, 2, True)
    assert upload_list(client, analyst, LIST_V1)["new_version"] is False
    assert upload_list(client, analyst, LIST_V2)["version"] == 2
    fresh = client.get("/api/screening/lists?as_of=2026-11-22", headers=auth(analyst)).json()
    by_source = {row["source"]: row for row in fresh["lists"]}
    assert by_source["partners"]["version"].startswith("2:")
    assert by_source["partners"]["lists"] == ["CN-CONTROL-LIST", "CN-WATCH-LIST"]
    assert by_source["rulebook"]["latest_listing"] is not None
    assert by_source["rulebook"]["age_days"] >= 0
    bad = client.post(
        "/api/screening/lists",
        data={"kind": "custom"},
        files={
            "file": ("bad.csv", b"name,aliases,country,identifiers,list,start,end\n,,XX,,,x,\n")
        },
        headers=auth(analyst),
    )
    assert bad.status_code == 422
    fields = {(e["row"], e["field"]) for e in bad.json()["error"]["details"]}
    assert {e["file"] for e in bad.json()["error"]["details"]} == {"bad.csv"}
    assert {(2, "name"), (2, "list"), (2, "country"), (2, "start")} <= fields
    assert len(client.get("/api/screening/lists", headers=auth(analyst)).json()["lists"]) == 2


def test_decisions_suppress_until_the_entry_changes_and_rescreen_reports_it(
    client: TestClient, tokens: dict[str, str]
) -> None:
    analyst, reviewer = tokens["analyst"], tokens["reviewer"]
    upload_list(client, analyst, LIST_V1)
    run = screen(client, analyst, "Nova Tech Systems Inc.", "Acme Widgets Ltd")
    assert run["matcher"] == "name_v1" and set(run["list_versions"]) == {"rulebook", "partners"}
    nova, acme = run["parties"]
    assert acme["hits"] == [] and acme["open_hits"] == 0
    hit = nova["hits"][0]
    assert (hit["list"], hit["listing_status"]) == ("CN-WATCH-LIST", "in_force")
    assert any(e["feature"] == "token" for e in hit["explanation"])
    refused = client.post(
        "/api/screening/decisions",
        json={
            "party_id": nova["party_id"],
            "entry_key": hit["entry_key"],
            "verdict": "false_positive",
        },
        headers=auth(reviewer),
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "reason_required"
    decided = client.post(
        "/api/screening/decisions",
        json={
            "party_id": nova["party_id"],
            "entry_key": hit["entry_key"],
            "verdict": "false_positive",
            "reason": "a different company in Ohio",
        },
        headers=auth(reviewer),
    )
    assert decided.status_code == 201, decided.text
    again = screen(client, analyst, "Nova Tech Systems Inc.")["parties"][0]
    assert again["hits"][0]["suppressed"] and again["open_hits"] == 0
    quiet = client.post(
        "/api/screening/rescreen", json={"as_of": "2026-01-05"}, headers=auth(analyst)
    )
    assert quiet.status_code == 200 and quiet.json()["changes"] == []
    upload_list(client, analyst, LIST_V2)  # the entry gains an alias: the decision lapses
    report = client.post(
        "/api/screening/rescreen", json={"as_of": "2026-01-05"}, headers=auth(analyst)
    ).json()
    kinds = {(c["party"], c["change"]) for c in report["changes"]}
    assert ("Nova Tech Systems Inc.", "entry_changed") in kinds
    assert ("Nova Tech Systems Inc.", "decision_lapsed") in kinds
    stored = client.get(f"/api/screening/runs/{report['run_id']}", headers=auth(analyst)).json()
    nova_now = next(p for p in stored["parties"] if p["name"] == "Nova Tech Systems Inc.")
    assert nova_now["open_hits"] == 1
    assert nova_now["hits"][0]["earlier_decision_on_changed_entry"]["reason"] == (
        "a different company in Ohio"
    )


def test_background_job_reports_progress_and_stores_the_run(
    client: TestClient, tokens: dict[str, str]
) -> None:
    csv_text = "name,country\n" + "".join(f"Company {i} Ltd,DE\n" for i in range(30))
    csv_text += "Lockheed Martin Corp.,US\n"
    started = client.post(
        "/api/screening/jobs",
        data={"as_of": "2025-02-01"},
        files={"file": ("parties.csv", csv_text.encode(), "text/csv")},
        headers=auth(tokens["analyst"]),
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["total"] == 31
    for _ in range(200):
        job = client.get(
            f"/api/screening/jobs/{job['job_id']}", headers=auth(tokens["viewer"])
        ).json()
        if job["state"] != "running":
            break
        time.sleep(0.05)
    assert job["state"] == "finished", job
    assert job["done"] == 31
    run = client.get(f"/api/screening/runs/{job['run_id']}", headers=auth(tokens["viewer"])).json()
    hits = [p for p in run["parties"] if p["open_hits"]]
    assert [p["name"] for p in hits] == ["Lockheed Martin Corp."]
    other_org = client.get(f"/api/screening/jobs/{job['job_id']}", headers=auth(tokens["globex"]))
    assert other_org.status_code == 404
    bad = client.post(
        "/api/screening/jobs",
        files={"file": ("p.csv", b"name,country\n,DE\nX,ZZ\n", "text/csv")},
        headers=auth(tokens["analyst"]),
    )
    assert bad.status_code == 422
    assert {(e["row"], e["field"]) for e in bad.json()["error"]["details"]} == {
        (2, "name"),
        (3, "country"),
    }


def _another_process(database_url: str) -> TestClient:
    """A second server process on the same database, as ``rarex serve --workers 2`` runs."""
    return TestClient(
        create_app(
            Settings(database_url=database_url, secret_key=SECRET, audit_key=AUDIT_KEY, today=TODAY)
        )
    )


def test_a_job_is_answered_by_every_server_process(
    client: TestClient, tokens: dict[str, str], database_url: str
) -> None:
    upload_list(client, tokens["analyst"], LIST_V1)
    started = client.post(
        "/api/screening/jobs",
        data={"as_of": "2026-01-05"},
        files={"file": ("parties.csv", b"name,country\nNova Tech Systems,US\n", "text/csv")},
        headers=auth(tokens["analyst"]),
    )
    assert started.status_code == 202, started.text
    path = f"/api/screening/jobs/{started.json()['job_id']}"
    with _another_process(database_url) as other:
        # known to the other process from the moment it is accepted
        assert other.get(path, headers=auth(tokens["viewer"])).status_code == 200
        for _ in range(200):
            job = other.get(path, headers=auth(tokens["viewer"])).json()
            if job["state"] != "running":
                break
            time.sleep(0.05)
        assert job == client.get(path, headers=auth(tokens["viewer"])).json()
        assert job["state"] == "finished" and job["done"] == 1 and job["run_id"]
        assert other.get(path, headers=auth(tokens["globex"])).status_code == 404


def test_a_job_left_running_by_a_stopped_server_is_reported_as_failed(
    client: TestClient, tokens: dict[str, str], database_url: str
) -> None:
    with database(database_url) as factory, unit_of_work(factory) as session:
        org_id = session.scalars(select(Organisation.id).where(Organisation.name == "acme")).one()
        session.add(
            ScreeningJobRow(
                id="f" * 32,
                org_id=org_id,
                total=10,
                done=4,
                state="running",
                created_at=datetime(2026, 11, 22, tzinfo=UTC),
            )
        )
    with _another_process(database_url) as restarted:  # a server starting again
        job = restarted.get(f"/api/screening/jobs/{'f' * 32}", headers=auth(tokens["viewer"]))
    assert job.json()["state"] == "failed"
    assert "stopped before the job finished" in job.json()["error"]


def test_submission_screens_every_party(client: TestClient, tokens: dict[str, str]) -> None:
    applicant = auth(tokens["applicant"])
    app = create(
        client, tokens["applicant"], end_user="Lockheed Martin Corporation", destination="US"
    )
    path = f"/api/applications/{app['id']}"
    assert client.get(path, headers=applicant).json()["screening"] is None
    client.post(
        f"{path}/items",
        json={"part_id": "SM", "description": "Sm metal", "quantity": "1", "value": "10"},
        headers=applicant,
    )
    for kind in Document:
        client.post(
            f"{path}/documents",
            data={"kind": kind.value},
            files={"file": (f"{kind.value}.pdf", b"%PDF-1.4 test", "application/pdf")},
            headers=applicant,
        )
    submitted = client.post(
        f"{path}/transitions", json={"action": "submit", "on": "2026-03-02"}, headers=applicant
    )
    assert submitted.status_code == 200, submitted.text
    screening = submitted.json()["screening"]
    names = [p["name"] for p in screening["parties"]]
    assert names == ["Exporter Co.", "Consignee GmbH", "Lockheed Martin Corporation"]
    flagged = {p["name"]: p["hits"] for p in screening["parties"] if p["open_hits"]}
    assert list(flagged) == ["Lockheed Martin Corporation"]
    assert flagged["Lockheed Martin Corporation"][0]["limb"] == "CN-CONTROL-LIST/ann-1-2025"
    runs = client.get("/api/screening/runs", headers=applicant).json()
    assert runs[0]["trigger"] == "application" and runs[0]["application_id"] == app["id"]


def import_cn_sanctions_and_screen_the_chinese_name(
    client: TestClient, token: str, path: Path
) -> int:
    """Import ``path`` as a cn_sanctions list, screen 洛克希德·马丁公司; the entries imported."""
    response = client.post(
        "/api/screening/lists",
        data={"kind": "cn_sanctions"},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
        headers=auth(token),
    )
    assert response.status_code == 201, response.text
    run = screen(client, token, "洛克希德·马丁公司", as_of="2025-02-01")
    hits = run["parties"][0]["hits"]
    imported = [h for h in hits if h["source"] == "cn_sanctions"]
    assert imported, hits
    assert imported[0]["limb"] == "CN-CONTROL-LIST/ann-1-2025"
    assert imported[0]["citation"].startswith("http")
    entries: int = response.json()["entries"]
    return entries


def test_cn_sanctions_import_meets_chinese_names(
    client: TestClient, tokens: dict[str, str]
) -> None:
    entries = import_cn_sanctions_and_screen_the_chinese_name(
        client, tokens["analyst"], CN_SANCTIONS_SAMPLE
    )
    assert entries == 12  # the sample's Control, Watch and UEL rows; the AFSL row is left out


@pytest.mark.skipif(not CN_SANCTIONS.is_file(), reason=NOT_BESIDE)
def test_cn_sanctions_public_import_meets_chinese_names(
    client: TestClient, tokens: dict[str, str]
) -> None:
    entries = import_cn_sanctions_and_screen_the_chinese_name(
        client, tokens["analyst"], CN_SANCTIONS
    )
    assert entries > 200


def test_organisations_never_share_imported_lists(
    client: TestClient, tokens: dict[str, str]
) -> None:
    entity = '{"id": "x-1", "schema": "Company", "properties": {"name": ["Quiet Harbour Ltd"]}}\n'
    for token, list_id in (
        (tokens["analyst"], "CN-CONTROL-LIST"),
        (tokens["globex"], "CN-WATCH-LIST"),
    ):
        response = client.post(
            "/api/screening/lists",
            data={"kind": "ftm", "list": list_id},
            files={"file": ("entities.jsonl", entity.encode(), "application/json")},
            headers=auth(token),
        )
        assert response.status_code == 201, response.text
        hit = screen(client, token, "Quiet Harbour Ltd")["parties"][0]["hits"][0]
        assert hit["list"] == list_id  # each organisation screens its own import
    viewer = screen(client, tokens["analyst"], "Quiet Harbour Ltd")["parties"][0]
    assert [h["list"] for h in viewer["hits"]] == ["CN-CONTROL-LIST"]
    globex_runs = client.get("/api/screening/runs", headers=auth(tokens["globex"])).json()
    acme_run = screen(client, tokens["analyst"], "Acme Only GmbH")["run_id"]
    assert acme_run not in {r["run_id"] for r in globex_runs}
    other = client.get(f"/api/screening/runs/{acme_run}", headers=auth(tokens["globex"]))
    assert other.status_code == 404


def test_a_list_file_that_is_not_utf8_is_refused_by_name(
    client: TestClient, tokens: dict[str, str]
) -> None:
    body = "name,aliases,country,identifiers,list,start,end\nSoci\xe9t\xe9 X,,FR,,CN-WATCH-LIST,,\n"
    response = client.post(
        "/api/screening/lists",
        data={"kind": "custom"},
        files={"file": ("latin1.csv", body.encode("latin-1"), "text/csv")},
        headers=auth(tokens["analyst"]),
    )
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["file"] == "latin1.csv" and "not UTF-8" in detail["message"]


def test_a_confirmed_match_is_no_longer_to_review_but_stays_a_hit(
    client: TestClient, tokens: dict[str, str]
) -> None:
    upload_list(client, tokens["analyst"], LIST_V1)
    party = screen(client, tokens["analyst"], "Orbital Defence Works")["parties"][0]
    decided = client.post(
        "/api/screening/decisions",
        json={
            "party_id": party["party_id"],
            "entry_key": party["hits"][0]["entry_key"],
            "verdict": "true_match",
            "reason": "same registered office",
        },
        headers=auth(tokens["reviewer"]),
    )
    assert decided.status_code == 201
    again = screen(client, tokens["analyst"], "Orbital Defence Works")["parties"][0]
    assert again["open_hits"] == 1  # a listed party stays a hit
    assert again["hits"][0]["decision"]["verdict"] == "true_match"
