"""Parties of an organisation. A party is identified by its exact name and country, as the
screening identifies it: adding one that exists is a conflict, not a second record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarex.io.storage import repositories as repo
from rarex.io.storage.tables import Party
from rarex.services.accounts import Actor
from rarex.services.errors import Conflict


def add_party(
    session: Session,
    actor: Actor,
    *,
    name: str,
    country: str | None,
    kind: str,
    identifiers: dict[str, Any],
    now: datetime,
) -> Party:
    """Store a party; ``Conflict`` (naming the stored one) if the name and country exist."""
    existing = session.scalars(
        select(Party)
        .where(Party.org_id == actor.org_id, Party.name == name, Party.country == country)
        .order_by(Party.id)
        .limit(1)
    ).first()
    if existing is not None:
        raise Conflict(
            "duplicate_party",
            f"party {existing.id} already has the name {name!r} and country "
            f"{country or '(none)'}; parties are identified by both",
            "name",
        )
    party = Party(
        org_id=actor.org_id,
        name=name,
        country=country,
        kind=kind,
        identifiers=identifiers,
        created_at=now,
    )
    session.add(party)
    session.flush()
    repo.AuditLog(session, actor.org_id).append(
        at=now,
        actor=actor.email,
        action="party.added",
        entity="party",
        entity_id=str(party.id),
        before=None,
        after={"name": name, "country": country, "kind": kind, "identifiers": identifiers},
        rulebook_sha256="",
    )
    return party


def parties(session: Session, actor: Actor, after: int, limit: int) -> Sequence[Party]:
    """The organisation's parties with ids above ``after``, in id order, at most ``limit``."""
    return session.scalars(
        select(Party)
        .where(Party.org_id == actor.org_id, Party.id > after)
        .order_by(Party.id)
        .limit(limit)
    ).all()
