"""Logins are throttled, sessions live on the server and end when asked, no cookie holds the
CSRF token, and every response carries the security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from rarex.api.app import create_app
from rarex.clock import Clock
from rarex.io.storage.db import upgrade
from rarex.settings import Settings
from tests.api.conftest import AUDIT_KEY, PASSWORD, SECRET
from tests.api.test_api import auth

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class Moment:
    """A time that a test moves by hand."""

    def __init__(self) -> None:
        self.value = START

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def moment() -> Moment:
    return Moment()


@pytest.fixture
def timed_client(database_url: str, moment: Moment) -> Iterator[TestClient]:
    upgrade(database_url)
    app = create_app(
        Settings(database_url=database_url, secret_key=SECRET, audit_key=AUDIT_KEY),
        clock=Clock(source=moment),
    )
    with TestClient(app) as test_client:
        yield test_client


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> int:
    return client.post("/api/auth/login", json={"email": email, "password": password}).status_code


def test_many_wrong_passwords_lock_the_account_even_against_the_right_one(
    timed_client: TestClient, tokens: dict[str, str], moment: Moment
) -> None:
    email = "applicant@acme.test"
    codes = []
    for _ in range(60):
        codes.append(log_in(timed_client, email, "wrong password"))
        moment.value += timedelta(milliseconds=125)  # 8 a second
    assert codes[:6] == [401] * 5 + [429]
    # once the wait is over one more password is checked, then the wait doubles
    assert codes.count(401) <= 8 and set(codes) == {401, 429}
    refused = timed_client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "login_throttled"
    assert "try again in" in refused.json()["error"]["message"]
    wait = int(refused.headers["retry-after"])
    assert wait >= 1
    moment.value += timedelta(seconds=wait)
    assert log_in(timed_client, email) == 200
    events = timed_client.get("/api/audit", headers=auth(tokens["reviewer"])).json()
    actions = [e["action"] for e in events if e["entity"] == "user"]
    assert actions.count("login.failed") == codes.count(401)
    assert "login.refused" in actions and actions[-1] == "login"


def test_the_delay_grows_with_each_failure(
    timed_client: TestClient, tokens: dict[str, str], moment: Moment
) -> None:
    email = "viewer@acme.test"
    waits = []
    for _ in range(13):
        response = timed_client.post(
            "/api/auth/login", json={"email": email, "password": "wrong password"}
        )
        if response.status_code == 429:
            wait = int(response.headers["retry-after"])
            waits.append(wait)
            moment.value += timedelta(seconds=wait)
    assert len(waits) >= 3
    assert waits == sorted(waits) and waits[-1] > waits[0]


def test_one_address_trying_many_accounts_is_throttled(
    timed_client: TestClient, tokens: dict[str, str]
) -> None:
    for number in range(20):
        assert log_in(timed_client, f"nobody{number}@acme.test", "wrong password") == 401
    assert log_in(timed_client, "analyst@acme.test") == 429


def test_logout_ends_the_session_for_good(client: TestClient, tokens: dict[str, str]) -> None:
    login = client.post("/api/auth/login", json={"email": "viewer@acme.test", "password": PASSWORD})
    assert login.status_code == 200
    assert set(login.cookies) == {"rarex_session"}  # no cookie holds the CSRF token
    assert "httponly" in login.headers["set-cookie"].lower()
    cookie = client.cookies.get("rarex_session")
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    assert client.get("/api/applications").status_code == 200
    assert client.post("/api/auth/logout", headers=csrf).status_code == 200
    client.cookies.set("rarex_session", str(cookie))  # the old cookie, replayed
    assert client.get("/api/applications").status_code == 401


def test_logout_everywhere_ends_every_session_of_the_user(
    client: TestClient, tokens: dict[str, str]
) -> None:
    body = {"email": "viewer@acme.test", "password": PASSWORD}
    first = client.post("/api/auth/login", json=body)
    first_cookie = str(client.cookies.get("rarex_session"))
    client.cookies.clear()
    second = client.post("/api/auth/login", json=body)
    assert first.status_code == second.status_code == 200
    csrf = {"X-CSRF-Token": second.json()["csrf_token"]}
    ended = client.post("/api/auth/logout?everywhere=true", headers=csrf)
    assert ended.json()["sessions_ended"] == 2
    client.cookies.set("rarex_session", first_cookie)
    assert client.get("/api/applications").status_code == 401


def test_a_session_ends_when_it_expires(
    timed_client: TestClient, tokens: dict[str, str], moment: Moment
) -> None:
    assert log_in(timed_client, "viewer@acme.test") == 200
    assert timed_client.get("/api/applications").status_code == 200
    moment.value += timedelta(hours=12, seconds=1)
    assert timed_client.get("/api/applications").status_code == 401


@pytest.mark.parametrize("path", ["/api/health", "/api/nowhere", "/openapi.json", "/docs", "/"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "http" not in policy and "unsafe-eval" not in policy
    assert "strict-transport-security" not in response.headers


def test_the_api_documentation_loads_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources
    policy = client.get("/docs").headers["content-security-policy"]
    assert (
        "'sha256-" in policy
        and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(
    database_url: str, tokens: dict[str, str]
) -> None:
    app = create_app(
        Settings(database_url=database_url, secret_key=SECRET, audit_key=AUDIT_KEY, behind_tls=True)
    )
    with TestClient(app) as client:
        response = client.post(
            "/api/auth/login", json={"email": "viewer@acme.test", "password": PASSWORD}
        )
        assert response.status_code == 200
        assert "secure" in response.headers["set-cookie"].lower()
        assert response.headers["strict-transport-security"].startswith("max-age=")
