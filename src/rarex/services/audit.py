"""Verify and export the audit trail; write signed checkpoints and check the chains against one.

The audit key comes with the session (``db.audit_key_of``): the chain's keyed events are checked
with it and checkpoints are signed with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarex.core.audit import (
    KEYED,
    AuditKey,
    AuditKeyRequired,
    ChainProblem,
    Checkpoint,
    Head,
    check_against,
    checkpoint_document,
    unkeyed,
    verify_chain,
)
from rarex.io.storage import repositories as repo
from rarex.io.storage.db import audit_key_of
from rarex.io.storage.tables import Organisation


@dataclass(frozen=True)
class ChainReport:
    """One organisation's chain: its problems, its bare events, the checkpoint it was held to."""

    organisation: str
    head: int  # the recorded head's sequence number
    problems: tuple[ChainProblem, ...]
    unkeyed: tuple[int, int] | None = None  # the first and last event written without a key
    keyed_after: bool = False  # a keyed event follows the bare ones, and so covers them
    checkpoint: int | None = None  # the checkpoint's head for this organisation

    @property
    def intact(self) -> bool:
        return not self.problems


class ChainBroken(Exception):
    """A checkpoint of a broken chain was asked for; nothing was signed."""

    def __init__(self, reports: list[ChainReport]) -> None:
        super().__init__("the audit trail is broken; no checkpoint was written")
        self.reports = reports


def verify(session: Session, org_id: int) -> list[ChainProblem]:
    org = session.get(Organisation, org_id)
    assert org is not None
    return list(_report(session, org).problems)


def _report(session: Session, org: Organisation, held_to: Head | None = None) -> ChainReport:
    log = repo.AuditLog(session, org.id)
    seq, digest = log.head()
    events = log.stored()
    try:
        problems = verify_chain(events, seq, digest, audit_key_of(session), org.id)
    except AuditKeyRequired:
        raise AuditKeyRequired(
            f"the audit chain of {org.name} is keyed: set RAREX_AUDIT_KEY to verify it"
        ) from None
    if held_to is not None:
        if held_to.organisation != org.name:
            problems.append(
                ChainProblem(
                    held_to.seq, f"the checkpoint names the organisation {held_to.organisation}"
                )
            )
        problems += check_against(events, held_to)
    bare = unkeyed(events)
    return ChainReport(
        organisation=org.name,
        head=seq,
        problems=tuple(problems),
        unkeyed=(bare[0], bare[-1]) if bare else None,
        keyed_after=bool(bare)
        and any(s.scheme == KEYED and s.event.seq > bare[-1] for s in events),
        checkpoint=held_to.seq if held_to else None,
    )


def verify_all(session: Session, checkpoint: Checkpoint | None = None) -> list[ChainReport]:
    """Every organisation's chain, held to ``checkpoint`` if one is given. An organisation in
    the checkpoint that is no longer in the database is reported too."""
    held = {h.org_id: h for h in checkpoint.heads} if checkpoint else {}
    reports = [
        _report(session, org, held.pop(org.id, None))
        for org in session.scalars(select(Organisation).order_by(Organisation.id))
    ]
    for head in held.values():
        problem = ChainProblem(head.seq, "is in the checkpoint, but the organisation is gone")
        reports.append(ChainReport(head.organisation, 0, (problem,), checkpoint=head.seq))
    return reports


def checkpoint(session: Session, key: AuditKey, created_at: datetime) -> dict[str, Any]:
    """A signed checkpoint of every organisation's head, once every chain verifies."""
    reports = verify_all(session)
    if not all(r.intact for r in reports):
        raise ChainBroken(reports)
    heads = [
        Head(org.id, org.name, org.audit_head_seq, org.audit_head_hash)
        for org in session.scalars(select(Organisation).order_by(Organisation.id))
    ]
    return checkpoint_document(key, created_at, heads)


EXPORT_BATCH = 1000


def export(
    session: Session,
    org_id: int,
    *,
    after: int = 0,
    limit: int | None = None,
    **filters: str | None,
) -> list[dict[str, Any]]:
    """The events (at most ``limit`` after sequence ``after``) as plain records."""
    return [
        {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "entity": e.entity,
            "entity_id": e.entity_id,
            "before": e.before,
            "after": e.after,
            "rulebook_sha256": e.rulebook_sha256,
            "note": e.note,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
            "scheme": e.scheme,
        }
        for e in repo.AuditLog(session, org_id).events(after=after, limit=limit, **filters)
    ]


def export_all(
    session: Session, org_id: int, after: int = 0, **filters: str | None
) -> Iterator[dict[str, Any]]:
    """Every event after sequence ``after``, read :data:`EXPORT_BATCH` at a time so that a
    long log is never held whole."""
    while batch := export(session, org_id, after=after, limit=EXPORT_BATCH, **filters):
        yield from batch
        after = batch[-1]["seq"]
