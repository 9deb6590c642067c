"""Fixtures of the HTTP API tests: an app on a real database and a token per role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from rarex.api.app import create_app
from rarex.core.workflow import Role
from rarex.io.storage.db import database, unit_of_work, upgrade
from rarex.services import accounts
from rarex.settings import Settings
from tests.clock import TODAY

PASSWORD = "correct horse battery"
SECRET = SecretStr("s" * 40)
AUDIT_KEY = SecretStr("a" * 40)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    upgrade(database_url)
    app = create_app(
        Settings(
            database_url=database_url,
            secret_key=SECRET,
            audit_key=AUDIT_KEY,
            max_request_bytes=2_000_000,
            today=TODAY,
        )
    )
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def tokens(client: TestClient, database_url: str) -> dict[str, str]:
    """A bearer token per role in "acme", and an admin in "globex"."""
    now = datetime.now(UTC)
    out = {}
    with database(database_url) as factory, unit_of_work(factory) as session:
        for org, role in [*(("acme", r) for r in Role), ("globex", Role.ADMIN)]:
            user = accounts.add_user(
                session,
                organisation=org,
                email=f"{role.value}@{org}.test",
                name=role.value,
                role=role,
                password=PASSWORD,
                now=now,
            )
            key = role.value if org == "acme" else "globex"
            out[key] = accounts.issue_token(session, user, "tests", now)
    return out
