"""Verify and export the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarex.core.audit import ChainProblem, verify_chain
from rarex.io.storage import repositories as repo
from rarex.io.storage.tables import Organisation


def verify(session: Session, org_id: int) -> list[ChainProblem]:
    log = repo.AuditLog(session, org_id)
    seq, digest = log.head()
    return verify_chain(log.stored(), seq, digest)


def verify_all(session: Session) -> dict[str, list[ChainProblem]]:
    """Every organisation's chain, by organisation name."""
    return {
        org.name: verify(session, org.id)
        for org in session.scalars(select(Organisation).order_by(Organisation.id))
    }


def export(session: Session, org_id: int, **filters: str | None) -> list[dict[str, Any]]:
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
        }
        for e in repo.AuditLog(session, org_id).events(**filters)
    ]
