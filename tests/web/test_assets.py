"""Nothing is loaded from another server: the templates and static files reference no external
asset, served pages forbid it by their Content-Security-Policy, and the BOM tree marks paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rarex.web import bom_tree
from tests.web.conftest import log_in

WEB = Path(__file__).parent.parent.parent / "src" / "rarex" / "web"
ASSET_FILES = sorted(p for p in WEB.rglob("*") if p.suffix in {".j2", ".css", ".js", ".svg"})
# an asset reference: src/href/url()/@import/import/fetch pointing to a scheme or "//host"
EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?|"""
    r"""\bimport\s*\(?\s*["']|\bfetch\(\s*["'])(?:[a-z][a-z0-9+.-]*:|//)""",
    re.I,
)


def test_there_are_assets_to_scan() -> None:
    assert {p.suffix for p in ASSET_FILES} >= {".j2", ".css", ".js"}


@pytest.mark.parametrize("path", ASSET_FILES, ids=lambda p: p.name)
def test_no_asset_file_references_another_server(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not EXTERNAL.search(text), EXTERNAL.search(text)


def test_the_scan_would_catch_an_external_asset() -> None:
    for bad in (
        '<script src="https://cdn.example/x.js">',
        "<link rel=stylesheet href=//fonts.example/css>",
        "body { background: url('http://img.example/a.png') }",
        '@import "https://x.example/y.css";',
    ):
        assert EXTERNAL.search(bad), bad
    assert not EXTERNAL.search('<a href="/applications">')


@pytest.mark.parametrize("path", ["/", "/rules/timeline", "/applications", "/upload", "/exposure"])
def test_served_pages_load_only_from_this_server(demo_client: TestClient, path: str) -> None:
    log_in(demo_client, "admin")
    response = demo_client.get(path)
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assets = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', response.text)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        served = demo_client.get(asset)
        assert served.status_code == 200
        assert not EXTERNAL.search(served.text)


def test_bom_tree_marks_the_paths_of_findings() -> None:
    parts = [{"part_id": p, "description": p, "origin": "CN"} for p in ("A", "B", "C", "D")]
    bom = [
        {"parent_id": "A", "child_id": "B", "quantity": "2.000000"},
        {"parent_id": "B", "child_id": "C", "quantity": "0.5"},
        {"parent_id": "A", "child_id": "D", "quantity": "1"},
    ]
    findings = [{"measure": "M", "limb": "l1", "paths": [["A", "B", "C"]]}]
    tree = bom_tree.build("A", parts, bom, findings)
    assert tree.root is not None
    b, d = tree.root.children
    assert (tree.root.on_path, b.on_path, d.on_path) == (True, True, False)
    assert b.quantity == "2" and b.children[0].quantity == "0.5"
    assert b.children[0].triggers == ("M/l1",) and b.triggers == ()
    assert bom_tree.build("Z", parts, bom, findings).root is None
