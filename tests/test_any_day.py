"""The web and CLI smoke path with the clock pinned to three different days.

Every expectation is worked out for the day itself (from the rulebook, the services or the
command's own JSON), so a figure that silently assumes one day fails here in CI, not on the day
the calendar reaches it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.core.rulebook import RuleBook
from rarex.io.rule_loader import load_rules
from rarex.services.exposure import demo_exposure
from rarex.services.stored_exposure import PAGE_DRAWS, PAGE_SEED
from rarex.web.overview import uncertain_measures
from tests.web.conftest import demo_workspace, log_in
from tests.web.test_pages import PAGES

DAYS = [date(2026, 11, 22), date(2027, 3, 1), date(2028, 1, 1)]
runner = CliRunner()


@pytest.fixture(scope="module")
def rulebook() -> RuleBook:
    return load_rules().rulebook


@pytest.fixture(params=DAYS, ids=str)
def day(request: pytest.FixtureRequest) -> date:
    value: date = request.param
    return value


@pytest.fixture
def workspace(day: date, tmp_path: Path) -> Iterator[tuple[str, TestClient]]:
    url = f"sqlite:///{tmp_path / 'rarex.db'}"
    with demo_workspace(url, day) as client:
        yield url, client


def cli(day: date, url: str, *args: str) -> str:
    env = {"RAREX_TODAY": day.isoformat(), "RAREX_DATABASE_URL": url, "COLUMNS": "200"}
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_every_page_answers_for_the_pinned_day(
    day: date, workspace: tuple[str, TestClient], rulebook: RuleBook
) -> None:
    _, client = workspace
    log_in(client, "analyst")
    for path in [*PAGES, "/upload"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
    overview = client.get("/").text
    assert f'value="{day}"' in overview  # the day field shows the pinned day
    uncertain = uncertain_measures(rulebook, day)
    assert f"Measures of uncertain status: {len(uncertain)}" in text_of(overview)
    screening = client.get("/screening").text
    assert f'datetime="{day}"' in screening


def test_the_exposure_page_counts_from_the_pinned_day(
    day: date, workspace: tuple[str, TestClient]
) -> None:
    _, client = workspace
    log_in(client, "viewer")
    page = text_of(client.get("/exposure").text)
    expected = demo_exposure(day, draws=PAGE_DRAWS, seed=PAGE_SEED).exposure
    for item in expected.items:
        if item.gap_days > 0:
            days = f"{item.gap_days:.0f}"
            days += " day" if days == "1" else " days"
            sentence = f"Gap: stock runs out {days} before the statutory decision day"
            assert sentence in page, item.part_id
    for risk in expected.risks:
        if risk.revenue_at_risk is not None:
            assert f"{risk.revenue_at_risk:,.0f}" in page, risk.part_id


def test_the_board_and_the_cli_count_working_days_from_the_pinned_day(
    day: date, workspace: tuple[str, TestClient]
) -> None:
    url, client = workspace
    document = json.loads(cli(day, url, "apps", "list", "--format", "json"))
    assert document["as_of"] == day.isoformat()
    assert f"Applications as of {day}" in cli(day, url, "apps", "list")
    log_in(client, "viewer")
    board = text_of(client.get("/applications").text)
    counted = [a for a in document["applications"] if a["working_days_left"] is not None]
    assert counted, "the demo has applications with a running clock"
    for application in counted:
        left = application["working_days_left"]
        said = f"Overdue by {-left} working days" if left < 0 else f"{left} working days left"
        assert said in board, application["reference"]


def test_commands_without_a_date_answer_for_the_pinned_day(
    day: date, rulebook: RuleBook, tmp_path: Path
) -> None:
    status = cli(day, "sqlite://", "rules", "status", "CN-2025-61")
    expected = rulebook.at(day).status("CN-2025-61").value
    assert f"CN-2025-61 as of {day}: {expected}" in status
    demo = cli(day, "sqlite://", "demo", "--output-dir", str(tmp_path / "demo"))
    assert f"Licence requirements as of {day}" in demo
    assert f"Outcome on {day}" in demo
    document = json.loads(
        cli(day, "sqlite://", "demo", "--output-dir", str(tmp_path / "d2"), "--format", "json")
    )
    assert {a["as_of"] for a in document["assessments"]} == {day.isoformat()}
