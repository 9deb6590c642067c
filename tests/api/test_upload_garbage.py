"""Malformed uploads get 422 with the file (as the user named it), row, column and reason, never
a 500, never a server path, and nothing is stored."""

from __future__ import annotations

import tempfile
import time

from fastapi.testclient import TestClient
from pydantic import SecretStr

from rarex.api.app import create_app
from rarex.settings import Settings
from tests.garbage import BOM, CASES, PARTS, Garbage, zip_bomb

UPLOADABLE = [c for c in CASES if c.option != "json"]  # the API takes CSV files or a workbook
TEMPORARY = tempfile.gettempdir()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload_files(case: Garbage) -> dict[str, tuple[str, bytes]]:
    if case.option == "workbook":
        return {"workbook": (case.file_name, case.data)}
    files = {"parts": ("parts.csv", PARTS.encode()), "bom": ("bom.csv", BOM.encode())}
    files[case.option] = (case.file_name, case.data)
    return files


def test_bad_uploads_are_422_naming_file_row_column_and_reason(
    client: TestClient, tokens: dict[str, str]
) -> None:
    analyst = auth(tokens["analyst"])
    for case in UPLOADABLE:
        response = client.post(
            "/api/datasets", data={"name": "bad"}, files=upload_files(case), headers=analyst
        )
        assert response.status_code == 422, (case.name, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_input", case.name
        first = error["details"][0]
        assert (first["file"], first["row"], first["field"]) == (
            case.shown_file,
            case.row,
            case.column,
        ), case.name
        assert case.reason in first["message"], case.name
        assert TEMPORARY not in response.text, case.name
    assert client.get("/api/datasets", headers=analyst).json() == []


def test_a_zip_bomb_upload_is_refused_quickly_and_not_stored(
    client: TestClient, tokens: dict[str, str]
) -> None:
    analyst = auth(tokens["analyst"])
    bomb = zip_bomb()
    started = time.perf_counter()
    response = client.post(
        "/api/datasets",
        data={"name": "bomb"},
        files={"workbook": ("bomb.xlsx", bomb)},
        headers=analyst,
    )
    assert time.perf_counter() - started < 5
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("bomb.xlsx: the workbook unpacks to")
    assert client.get("/api/datasets", headers=analyst).json() == []


def test_the_server_takes_its_limits_from_the_settings(
    database_url: str, tokens: dict[str, str]
) -> None:
    settings = Settings(
        database_url=database_url,
        secret_key=SecretStr("s" * 40),
        audit_key=SecretStr("a" * 40),
        import_max_rows=20,
    )
    with TestClient(create_app(settings)) as limited:
        response = limited.post(
            "/api/datasets",
            data={"name": "demo"},
            files={"parts": ("parts.csv", PARTS.encode()), "bom": ("bom.csv", BOM.encode())},
            headers=auth(tokens["analyst"]),
        )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "parts.csv: row 22: more than 20 rows (the limit is RAREX_IMPORT_MAX_ROWS)"
    )
