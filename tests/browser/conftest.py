"""A real server and a real browser: ``rarex demo --serve`` on a free port with its own SQLite
database, driven by the distribution's headless Chromium through Playwright.
``make browser-test`` (``scripts/with-chromium``) installs Chromium if it is missing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from rarex.demo.seed import DEMO_PASSWORD

ROOT = Path(__file__).parent.parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("RAREX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
STARTUP_SECONDS = 120


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the demo server stopped: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.25)
    raise RuntimeError(f"the demo server did not answer within {STARTUP_SECONDS} s")


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo workspace served by the project's own ``rarex demo --serve``."""
    folder = tmp_path_factory.mktemp("demo")
    port = _free_port()
    log = folder / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAREX_")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rarex",
                "demo",
                "--serve",
                "--port",
                str(port),
                "--output-dir",
                str(folder),
                "--format",
                "json",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=folder,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process, log)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=base_url, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, role: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(f"{role}@demo.rarex")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out", exact=True).click()
    page.wait_for_url("**/login")


def screenshot(page: Page, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
