"""The dashboard against a real database seeded with the demo workspace."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from rarex.api.app import create_app
from rarex.cli.assess_cmd import demo_dataset_paths
from rarex.demo.seed import DEMO_PASSWORD, seed
from rarex.io.storage.db import unit_of_work, upgrade
from rarex.settings import Settings
from tests.clock import TODAY


@contextmanager
def demo_workspace(database_url: str, today: date) -> Iterator[TestClient]:
    """The demo workspace seeded and served with the clock pinned to ``today``."""
    upgrade(database_url)
    app = create_app(
        Settings(
            database_url=database_url,
            secret_key=SecretStr("s" * 40),
            audit_key=SecretStr("a" * 40),
            today=today,
        )
    )
    parts, bom = demo_dataset_paths()
    with unit_of_work(app.state.session_factory) as session:
        seed(
            session,
            app.state.rulebook,
            app.state.calendar,
            today,
            parts,
            bom,
            app.state.clock.now,
            app.state.matcher,
        )
    with TestClient(app) as client:
        yield client


@pytest.fixture
def demo_client(database_url: str) -> Iterator[TestClient]:
    with demo_workspace(database_url, TODAY) as client:
        yield client


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def log_in(client: TestClient, role: str) -> None:
    token = form_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": f"{role}@demo.rarex", "password": DEMO_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
