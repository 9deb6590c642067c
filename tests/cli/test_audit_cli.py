"""``rarex audit verify`` and ``rarex audit checkpoint`` on a real database: each kind of
tampering exits 1 naming the organisation and the event; the key stays out of the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.core.audit import GENESIS, PLAIN, AuditKey, Event, chain_hash
from rarex.core.vocab import EndUse
from rarex.core.workflow import Document, Role
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.storage.db import database, unit_of_work, upgrade
from rarex.io.storage.tables import AuditEvent, Base, Organisation
from rarex.services import accounts
from rarex.services.accounts import actor_of
from rarex.services.applications import ApplicationService, NewApplication, NewItem

runner = CliRunner()
SECRET = "audit-key-for-the-tests-" + "x" * 16
KEY = AuditKey(SECRET)


def cli(url: str, *args: str, code: int = 0, key: str | None = SECRET) -> str:
    env = {"RAREX_DATABASE_URL": url, "RAREX_NEW_PASSWORD": "correct horse battery"}
    if key is not None:
        env["RAREX_AUDIT_KEY"] = key
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return " ".join(result.output.split())


def now() -> datetime:
    return datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def add_user(session: Session, org: str, role: Role) -> ApplicationService:
    user = accounts.add_user(
        session,
        organisation=org,
        email=f"{role.value}@{org}.test",
        name=role.value,
        role=role,
        password="correct horse battery",
        now=now(),
    )
    return ApplicationService(session, actor_of(user), "f" * 64, ChinaCalendar(), now)


def some_work(url: str, key: AuditKey | None = KEY) -> None:
    """Users in acme and globex, and an application in acme taken to review."""
    with database(url, key) as factory, unit_of_work(factory) as session:
        applicant = add_user(session, "acme", Role.APPLICANT)
        add_user(session, "acme", Role.REVIEWER)
        add_user(session, "globex", Role.ADMIN)
        new = applicant.create(
            NewApplication("REF-1", "Exporter", "Consignee", "End User", EndUse.CIVIL, "DE")
        )
        applicant.add_item(new.id, NewItem("P", "p", None, Decimal(1), Decimal(1)))
        for kind in list(Document)[:2]:
            applicant.add_document(new.id, kind, "f.pdf", "application/pdf", b"x")


def more_work(url: str) -> None:
    with database(url, KEY) as factory, unit_of_work(factory) as session:
        add_user(session, "acme", Role.ANALYST)
        add_user(session, "acme", Role.VIEWER)


@pytest.fixture
def workspace(database_url: str) -> str:
    upgrade(database_url)
    some_work(database_url)
    return database_url


def acme_events(session: Session) -> list[AuditEvent]:
    org = session.scalar(select(Organisation).where(Organisation.name == "acme"))
    assert org is not None
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.org_id == org.id).order_by("seq"))
    )


def acme(session: Session) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == "acme"))
    assert org is not None
    return org


def tamper(url: str, change: Callable[[Session], None]) -> None:
    with database(url) as factory, unit_of_work(factory) as session:
        change(session)


# ---------------------------------------------------------------- the kinds of tampering


def edit(session: Session) -> None:
    session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="m@acme.test"))


def gap(session: Session) -> None:
    session.execute(delete(AuditEvent).where(AuditEvent.seq == 3))


def truncate_tail(session: Session) -> None:
    session.delete(acme_events(session)[-1])


def reorder(session: Session) -> None:
    second, third = acme_events(session)[1:3]
    second.seq, third.seq = -1, 2
    session.flush()
    second.seq = 3


def truncate_tail_and_move_head(session: Session) -> None:
    *rest, newest = acme_events(session)
    session.delete(newest)
    org = acme(session)
    org.audit_head_seq, org.audit_head_hash = rest[-1].seq, rest[-1].hash


def stored_event(row: AuditEvent) -> Event:
    return Event(
        row.seq,
        row.at,
        row.actor,
        row.action,
        row.entity,
        row.entity_id,
        row.before,
        row.after,
        row.rulebook_sha256,
        row.note,
    )


def _rehash(session: Session, start: int, scheme: str | None) -> None:
    """Edit event ``start`` and rehash the chain from it as anyone without the key can."""
    prev = GENESIS
    for row in acme_events(session):
        if row.seq == start:
            row.note = "nothing happened here"
        if row.seq >= start:
            row.prev_hash, row.hash = prev, chain_hash(prev, stored_event(row))
            row.scheme = scheme or row.scheme
        prev = row.hash
    org = acme(session)
    org.audit_head_hash = prev


def edit_and_rehash(session: Session) -> None:
    _rehash(session, 2, None)


def edit_and_rehash_bare(session: Session) -> None:
    _rehash(session, 2, PLAIN)


def edit_and_rehash_everything_bare(session: Session) -> None:
    _rehash(session, 1, PLAIN)


def reset(session: Session) -> None:
    org = acme(session)
    session.execute(delete(AuditEvent).where(AuditEvent.org_id == org.id))
    org.audit_head_seq, org.audit_head_hash = 0, GENESIS


# name, tampering, what verify says about acme (N: acme's last event), caught without checkpoint
TAMPERING = [
    ("edited", edit, "event 2: its content was changed after it was written", True),
    ("gap", gap, "event 3: missing (next present is 4)", True),
    (
        "truncated tail",
        truncate_tail,
        "event N: the chain ends at event N-1 but the recorded head is event N",
        True,
    ),
    ("reordered", reorder, "event 2: does not follow the previous event's hash", True),
    (
        "newest removed, head moved",
        truncate_tail_and_move_head,
        "event N: is in the checkpoint, but the chain ends at event N-1: events were removed",
        False,
    ),
    (
        "edited and rehashed",
        edit_and_rehash,
        "event 2: its content was changed after it was written",
        True,
    ),
    (
        "edited and rehashed bare",
        edit_and_rehash_bare,
        "event 2: is not keyed, but event 1 before it is: it was written or rewritten without "
        "the audit key",
        True,
    ),
    (
        "everything rehashed bare",
        edit_and_rehash_everything_bare,
        "event N: does not match the checkpoint: it, or an event before it, was rewritten",
        False,
    ),
    (
        "reset",
        reset,
        "event N: is in the checkpoint, but the chain ends at event 0: every event was removed",
        False,
    ),
]


@pytest.mark.parametrize(
    ("change", "said", "alone"), [t[1:] for t in TAMPERING], ids=[t[0] for t in TAMPERING]
)
def test_verify_catches_the_tampering_and_names_the_organisation_and_the_event(
    workspace: str, tmp_path: Path, change: Callable[[Session], None], said: str, alone: bool
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    cli(workspace, "audit", "checkpoint", "-o", str(checkpoint))
    with database(workspace) as factory, unit_of_work(factory) as session:
        newest = acme(session).audit_head_seq
    tamper(workspace, change)
    expected = "acme: " + said.replace("N-1", str(newest - 1)).replace("N", str(newest))
    out = cli(workspace, "audit", "verify", "--checkpoint", str(checkpoint), code=1)
    assert expected in out
    assert "globex: the audit chain is intact (1 event; it holds the checkpoint's event 1)" in out
    if alone:
        assert expected in cli(workspace, "audit", "verify", code=1)


def test_a_chain_that_grew_after_the_checkpoint_holds_it(workspace: str, tmp_path: Path) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    written = cli(workspace, "audit", "checkpoint", "-o", str(checkpoint))
    assert "acme: event 6" in written and "globex: event 1" in written
    document = json.loads(checkpoint.read_text(encoding="utf-8"))
    assert [(o["name"], o["seq"]) for o in document["organisations"]] == [
        ("acme", 6),
        ("globex", 1),
    ]
    assert document["key_id"] == KEY.id
    more_work(workspace)
    out = cli(workspace, "audit", "verify", "--checkpoint", str(checkpoint))
    assert "acme: the audit chain is intact (8 events; it holds the checkpoint's event 6)" in out
    report = json.loads(
        cli(workspace, "audit", "verify", "--checkpoint", str(checkpoint), "--format", "json")
    )
    assert report["intact"] is True
    assert [(o["organisation"], o["head"], o["checkpoint"]) for o in report["organisations"]] == [
        ("acme", 8, 6),
        ("globex", 1, 1),
    ]


def test_a_broken_chain_gets_no_checkpoint(workspace: str, tmp_path: Path) -> None:
    tamper(workspace, edit)
    checkpoint = tmp_path / "checkpoint.json"
    out = cli(workspace, "audit", "checkpoint", "-o", str(checkpoint), code=1)
    assert "acme: event 2: its content was changed after it was written" in out
    assert "no checkpoint was written" in out
    assert not checkpoint.exists()


def test_a_checkpoint_changed_or_signed_with_another_key_is_refused(
    workspace: str, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    cli(workspace, "audit", "checkpoint", "-o", str(checkpoint))
    document = json.loads(checkpoint.read_text(encoding="utf-8"))
    tamper(workspace, truncate_tail_and_move_head)
    document["organisations"][0]["seq"] = 5
    document["organisations"][0]["hash"] = "0" * 64
    checkpoint.write_text(json.dumps(document), encoding="utf-8")
    out = cli(workspace, "audit", "verify", "--checkpoint", str(checkpoint), code=1)
    assert f"the checkpoint {checkpoint}: it was changed after it was signed" in out
    other = "another-audit-key-" + "y" * 20
    assert "signed with the audit key" in cli(
        workspace, "audit", "verify", "--checkpoint", str(checkpoint), key=other, code=2
    )


def test_the_key_is_needed_to_check_and_to_extend_a_keyed_chain(
    workspace: str, tmp_path: Path
) -> None:
    assert "the audit chain of acme is keyed: set RAREX_AUDIT_KEY to verify it" in cli(
        workspace, "audit", "verify", key=None, code=2
    )
    checkpoint = str(tmp_path / "checkpoint.json")
    assert "set RAREX_AUDIT_KEY" in cli(
        workspace, "audit", "checkpoint", "-o", checkpoint, key=None, code=2
    )
    added = cli(
        workspace,
        *("users", "add", "late@acme.test", "--organisation", "acme", "--role", "viewer"),
        key=None,
        code=2,
    )
    assert "the audit chain of acme is keyed: set RAREX_AUDIT_KEY to add to it" in added
    assert "audit key has at least 32 characters" in cli(
        workspace, "audit", "verify", key="short", code=2
    )
    wrong = cli(workspace, "audit", "verify", key="not-the-key-" + "z" * 30, code=1)
    assert "acme: event 1: none of the 6 keyed events from here on matches the audit key" in wrong


def test_the_key_is_not_stored_in_the_database(workspace: str, tmp_path: Path) -> None:
    cli(workspace, "audit", "checkpoint", "-o", str(tmp_path / "checkpoint.json"))
    with database(workspace) as factory, unit_of_work(factory) as session:
        stored = " ".join(
            str(row)
            for table in Base.metadata.sorted_tables
            for row in session.execute(table.select())
        )
    assert "audit_events" in {t.name for t in Base.metadata.sorted_tables}
    assert KEY.id not in stored and SECRET not in stored and "hmac-sha256" in stored


def test_events_written_before_the_key_are_covered_once_a_keyed_event_follows(
    database_url: str,
) -> None:
    upgrade(database_url)
    some_work(database_url, key=None)  # a database from before audit keys
    out = cli(database_url, "audit", "verify")
    assert "acme: the audit chain is intact (6 events)" in out
    assert (
        "acme: events 1 to 6 are not keyed (written without RAREX_AUDIT_KEY); no keyed event "
        "follows them yet, so only a checkpoint shows them rewritten"
    ) in out
    cli(database_url, "users", "add", "ana@acme.test", "--organisation", "acme", "--role", "viewer")
    out = cli(database_url, "audit", "verify")
    assert "acme: the audit chain is intact (7 events)" in out
    assert "events 1 to 6 are not keyed (written without RAREX_AUDIT_KEY); the keyed events " in out

    def rewrite_the_bare_events(session: Session) -> None:
        prev = GENESIS
        for row in acme_events(session):
            if row.scheme == PLAIN:
                row.note = "rewritten"
                row.prev_hash, row.hash = prev, chain_hash(prev, stored_event(row))
                prev = row.hash

    tamper(database_url, rewrite_the_bare_events)
    assert "acme: event 7: does not follow the previous event's hash" in cli(
        database_url, "audit", "verify", code=1
    )


def test_an_unreadable_checkpoint_is_an_error(workspace: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    assert f"cannot read the checkpoint {missing}" in cli(
        workspace, "audit", "verify", "--checkpoint", str(missing), code=2
    )
    other = tmp_path / "other.json"
    other.write_text('{"seq": 3}', encoding="utf-8")
    assert "it is not a rarex audit checkpoint" in cli(
        workspace, "audit", "verify", "--checkpoint", str(other), code=2
    )
