"""Malformed files uploaded on the dashboard: 422 with the file, row, column and reason listed,
never a server path, and nothing stored."""

from __future__ import annotations

import html
import tempfile

from fastapi.testclient import TestClient

from tests.garbage import BOM, CASES, PARTS
from tests.web.conftest import form_token, log_in

TEMPORARY = tempfile.gettempdir()


def test_bad_files_are_listed_and_nothing_is_stored(demo_client: TestClient) -> None:
    log_in(demo_client, "analyst")
    before = demo_client.get("/api/datasets").json()
    token = form_token(demo_client.get("/upload").text)
    for case in (c for c in CASES if c.option != "json"):
        if case.option == "workbook":
            files = {"workbook": (case.file_name, case.data)}
        else:
            files = {"parts": ("parts.csv", PARTS.encode()), "bom": ("bom.csv", BOM.encode())}
            files[case.option] = (case.file_name, case.data)
        response = demo_client.post(
            "/upload",
            data={"name": "garbage", "as_of": "2026-11-22", "csrf_token": token},
            files=files,
        )
        assert response.status_code == 422, case.name
        page = html.unescape(response.text)
        row = f" row {case.row}:" if case.row else ""
        column = f" {case.column}:" if case.column else ""
        assert f"{case.shown_file}:{row}{column} {case.reason}" in page, case.name
        assert "Nothing was stored" in page
        assert TEMPORARY not in page, case.name
    assert demo_client.get("/api/datasets").json() == before


def test_bad_sales_and_parties_files_are_listed(demo_client: TestClient) -> None:
    log_in(demo_client, "analyst")
    token = form_token(demo_client.get("/exposure").text)
    sales = "product_id,annual_volume,annual_revenue,currency\nEVM-200,1e400,1,EUR\n"
    response = demo_client.post(
        "/exposure/commercial",
        data={"version_id": "1", "csrf_token": token},
        files={"sales": ("sales.csv", sales.encode("utf-16"))},
    )
    assert response.status_code == 422
    assert "sales.csv: row 1: UTF-16 text; save it as UTF-8" in html.unescape(response.text)
    response = demo_client.post(
        "/exposure/commercial",
        data={"version_id": "1", "csrf_token": token},
        files={"sales": ("sales.csv", sales.encode())},
    )
    assert response.status_code == 422
    assert "sales.csv: row 2: annual_volume: too large to compute with: '1e400'" in (
        html.unescape(response.text)
    )
    token = form_token(demo_client.get("/screening").text)
    response = demo_client.post(
        "/screening/file",
        data={"csrf_token": token},
        files={"file": ("customers.csv", b"name,country\nAcme\x00 GmbH,DE\n")},
    )
    assert response.status_code == 422
    assert "customers.csv: row 2: name: contains a NUL character" in html.unescape(response.text)
