"""The workspace commands: db upgrade, users add, apps list with deadlines, audit verify."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.core.vocab import EndUse
from rarex.core.workflow import Action, Document, Role
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.storage.db import database, make_engine, unit_of_work, upgrade
from rarex.io.storage.repositories import user_by_email
from rarex.io.storage.tables import AuditEvent
from rarex.services.accounts import actor_of
from rarex.services.applications import ApplicationService, NewApplication, NewItem

runner = CliRunner()


def cli(url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(
        app,
        list(args),
        env={"RAREX_DATABASE_URL": url, "RAREX_NEW_PASSWORD": "correct horse battery"},
    )
    assert result.exit_code == code, result.output
    return result.output


def test_workspace_commands(database_url: str) -> None:
    cli(database_url, "db", "upgrade")
    cli(
        database_url,
        "users",
        "add",
        "app@acme.test",
        "--organisation",
        "acme",
        "--role",
        "applicant",
    )
    cli(
        database_url,
        "users",
        "add",
        "rev@acme.test",
        "--organisation",
        "acme",
        "--role",
        "reviewer",
    )
    assert "already exists" in cli(
        database_url,
        "users",
        "add",
        "rev@acme.test",
        "--organisation",
        "acme",
        "--role",
        "reviewer",
        code=2,
    )
    with database(database_url) as factory, unit_of_work(factory) as session:
        applicant = user_by_email(session, "app@acme.test")
        reviewer = user_by_email(session, "rev@acme.test")
        assert applicant is not None and reviewer is not None
        clock = lambda: datetime(2026, 9, 14, tzinfo=UTC)  # noqa: E731
        svc = ApplicationService(session, actor_of(applicant), "0" * 64, ChinaCalendar(), clock)
        new = svc.create(
            NewApplication("REF-7", "Exporter", "Consignee", "End User", EndUse.CIVIL, "DE")
        )
        svc.add_item(new.id, NewItem("P", "p", None, Decimal(1), Decimal(1)))
        for kind in Document:
            svc.add_document(new.id, kind, "f.pdf", "application/pdf", b"x")
        svc.transition(new.id, Action.SUBMIT, on=date(2026, 9, 14))
        rev = ApplicationService(session, actor_of(reviewer), "0" * 64, ChinaCalendar(), clock)
        rev.transition(new.id, Action.ACCEPT, on=date(2026, 9, 14))
        assert reviewer.role == Role.REVIEWER.value
    out = json.loads(
        cli(
            database_url,
            "apps",
            "list",
            "--as",
            "app@acme.test",
            "--as-of",
            "2026-11-10",
            "--due-within",
            "10",
            "--format",
            "json",
        )
    )
    [row] = out["applications"]
    assert row["due"] == "2026-11-20"
    assert row["working_days_left"] == 8
    none_due = json.loads(
        cli(
            database_url,
            "apps",
            "list",
            "--as",
            "app@acme.test",
            "--as-of",
            "2026-10-12",
            "--due-within",
            "10",
            "--format",
            "json",
        )
    )
    assert none_due["applications"] == []
    late = json.loads(
        cli(
            database_url,
            "apps",
            "list",
            "--as",
            "app@acme.test",
            "--as-of",
            "2026-11-24",
            "--due-within",
            "0",
            "--format",
            "json",
        )
    )
    assert late["applications"][0]["working_days_left"] == -2
    assert "intact" in cli(database_url, "audit", "verify")
    with database(database_url) as factory, unit_of_work(factory) as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 1).values(note="edited"))
    assert "changed after it was written" in cli(database_url, "audit", "verify", code=1)


DATABASE_COMMANDS = [
    ["apps", "list"],
    ["audit", "verify"],
    ["users", "add", "x@acme.test", "--organisation", "acme", "--role", "viewer"],
    ["serve"],
    ["lists", "status", "--as", "x@acme.test"],
    ["lists", "import", "custom", "{parties}", "--as", "x@acme.test"],
    ["screen", "Acme", "--as", "x@acme.test"],
    ["screening", "rescreen", "--as", "x@acme.test"],
    ["screening", "decide", "1", "k", "--verdict", "false_positive", "--as", "x@acme.test"],
]


def _tables(url: str) -> list[str]:
    if url.startswith("sqlite"):
        return []
    engine = make_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_database_command_on_a_missing_database_says_what_to_run(
    database_url: str, tmp_path: Path, command: list[str]
) -> None:
    parties = tmp_path / "parties.csv"
    parties.write_text("name,aliases,country,identifiers,list,start,end\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [arg.format(parties=parties) for arg in command],
        env={
            "RAREX_DATABASE_URL": database_url,
            "RAREX_NEW_PASSWORD": "correct horse battery",
            "RAREX_SECRET_KEY": "k" * 40,
        },
    )
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "rarex db upgrade" in message
    assert ("does not exist" if database_url.startswith("sqlite") else "no rarex schema") in message
    assert make_url(database_url).render_as_string(hide_password=True) in message
    assert "Traceback" not in result.output
    if database_url.startswith("sqlite"):
        file = Path(str(make_url(database_url).database))
        assert not file.exists() and not list(file.parent.glob("rarex.db*"))
    assert _tables(database_url) == []


def test_an_unmigrated_or_older_database_is_refused_and_left_alone(database_url: str) -> None:
    upgrade(database_url, "0002")
    output = cli(database_url, "apps", "list", code=2)
    assert "revision 0002, not the latest" in " ".join(output.split())
    cli(database_url, "db", "upgrade")
    assert json.loads(cli(database_url, "apps", "list", "--format", "json"))["applications"] == []
