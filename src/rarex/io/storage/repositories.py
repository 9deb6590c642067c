"""Small repositories over the tables. They never commit; every query is scoped to one
organisation. Domain rules live in ``rarex.core``, orchestration in ``rarex.services``."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ARRAY, ColumnElement, Integer, Row, any_, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from rarex.core.audit import GENESIS, KEYED, AuditKeyRequired, Event, StoredEvent, link
from rarex.io.storage.db import audit_key_of
from rarex.io.storage.tables import (
    Application,
    ApplicationItem,
    AuditEvent,
    ClockPause,
    DocumentRow,
    LicenceRow,
    Organisation,
    ShipmentRow,
    User,
)


class NotFound(LookupError):
    """No such record in the caller's organisation (never says whether it exists elsewhere)."""


def organisation_by_name(session: Session, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == name))


def add_organisation(session: Session, name: str, now: datetime) -> Organisation:
    org = Organisation(name=name, created_at=now, audit_head_seq=0, audit_head_hash=GENESIS)
    session.add(org)
    session.flush()
    return org


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


ChildTable = TypeVar("ChildTable", ClockPause, ApplicationItem, DocumentRow)


class Applications:
    def __init__(self, session: Session, org_id: int) -> None:
        self.session = session
        self.org_id = org_id

    def get(self, application_id: int) -> Application:
        row = self.session.scalar(
            select(Application).where(
                Application.id == application_id, Application.org_id == self.org_id
            )
        )
        if row is None:
            raise NotFound(f"application {application_id}")
        return row

    def by_idempotency_key(self, key: str) -> Application | None:
        return self.session.scalar(
            select(Application).where(
                Application.org_id == self.org_id, Application.idempotency_key == key
            )
        )

    def list(self, states: Sequence[str] | None = None) -> Sequence[Application]:
        query = select(Application).where(Application.org_id == self.org_id)
        if states:
            query = query.where(Application.state.in_(states))
        return self.session.scalars(query.order_by(Application.id)).all()

    def page(
        self, after: int, limit: int, states: Sequence[str] | None = None
    ) -> Sequence[Application]:
        """At most ``limit`` applications with ids above ``after``, in id order."""
        query = select(Application).where(Application.org_id == self.org_id, Application.id > after)
        if states:
            query = query.where(Application.state.in_(states))
        return self.session.scalars(query.order_by(Application.id).limit(limit)).all()

    def due_before(
        self, day: date, offset: int = 0, limit: int | None = None
    ) -> Sequence[Application]:
        """Applications whose stored due date is before ``day``, the earliest first."""
        query = (
            select(Application)
            .where(
                Application.org_id == self.org_id,
                Application.due_on.is_not(None),
                Application.due_on < day,
            )
            .order_by(Application.due_on, Application.id)
            .offset(offset)
        )
        return self.session.scalars(query if limit is None else query.limit(limit)).all()

    def children(
        self, table: type[ChildTable], application_ids: Sequence[int]
    ) -> dict[int, builtins.list[Row[Any]]]:
        """The rows of ``table`` (pauses, items, documents) of many applications at once, by
        application, in id order, as read-only rows with the table's columns as attributes (a
        page of applications has a thousand of them, which would take longer to make into ORM
        objects than to read). The ids must be this organisation's (as ``page`` gives)."""
        found: dict[int, builtins.list[Row[Any]]] = {i: [] for i in application_ids}
        if application_ids:
            rows = self.session.execute(
                select(*table.__table__.columns)
                .where(one_of(self.session, table.application_id, application_ids))
                .order_by(table.id)
            )
            for row in rows:
                found[row.application_id].append(row)
        return found

    def pauses(self, application_id: int) -> Sequence[ClockPause]:
        return self.session.scalars(
            select(ClockPause)
            .where(ClockPause.application_id == self.get(application_id).id)
            .order_by(ClockPause.id)
        ).all()

    def documents(self, application_id: int) -> Sequence[DocumentRow]:
        return self.session.scalars(
            select(DocumentRow).where(
                DocumentRow.application_id == self.get(application_id).id,
                DocumentRow.org_id == self.org_id,
            )
        ).all()

    def licence(self, application_id: int) -> LicenceRow | None:
        return self.session.scalar(
            select(LicenceRow).where(
                LicenceRow.application_id == application_id, LicenceRow.org_id == self.org_id
            )
        )

    def shipments(self, licence_id: int) -> Sequence[ShipmentRow]:
        return self.session.scalars(
            select(ShipmentRow).where(ShipmentRow.licence_id == licence_id).order_by(ShipmentRow.id)
        ).all()


def one_of(
    session: Session, column: InstrumentedAttribute[Any], ids: Sequence[int]
) -> ColumnElement[bool]:
    """``column IN ids``. On PostgreSQL as ``= ANY(array)``: one parameter however many ids,
    so the statement is the same text each time (a page of 100 ids is otherwise 100
    parameters to render, send and parse on every request)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


class AuditLog:
    """Appends events to the organisation's hash chain and reads them back.

    Events are keyed with the session's audit key (``db.audit_key_of``). Without one, an event
    is bare, and only while the chain has no keyed head: a bare event after a keyed one would
    read as a rewrite, so it is refused (``AuditKeyRequired``).
    """

    def __init__(self, session: Session, org_id: int) -> None:
        self.session = session
        self.org_id = org_id

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        rulebook_sha256: str,
        note: str | None = None,
    ) -> AuditEvent:
        # Lock the organisation row so that concurrent appends serialise. FOR NO KEY UPDATE
        # (key_share) does not conflict with the key-share locks that inserts referencing the
        # organisation already hold, so two writers cannot deadlock on it (PostgreSQL).
        org = self.session.scalar(
            select(Organisation)
            .where(Organisation.id == self.org_id)
            .with_for_update(key_share=True)
        )
        assert org is not None
        event = Event(
            org.audit_head_seq + 1,
            at,
            actor,
            action,
            entity,
            entity_id,
            before,
            after,
            rulebook_sha256,
            note,
        )
        key = audit_key_of(self.session)
        if key is None and self._scheme(org.audit_head_seq) == KEYED:
            raise AuditKeyRequired(
                f"the audit chain of {org.name} is keyed: set RAREX_AUDIT_KEY to add to it"
            )
        stored = link(org.audit_head_hash, event, key, self.org_id)
        row = AuditEvent(
            org_id=self.org_id,
            seq=event.seq,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
            rulebook_sha256=rulebook_sha256,
            prev_hash=stored.prev_hash,
            hash=stored.hash,
            note=note,
            scheme=stored.scheme,
        )
        self.session.add(row)
        org.audit_head_seq = event.seq
        org.audit_head_hash = stored.hash
        self.session.flush()
        return row

    def events(
        self,
        entity: str | None = None,
        entity_id: str | None = None,
        action: str | None = None,
        *,
        after: int = 0,
        limit: int | None = None,
    ) -> Sequence[AuditEvent]:
        """The events in chain order; with ``limit``, at most that many after sequence ``after``."""
        query = select(AuditEvent).where(AuditEvent.org_id == self.org_id, AuditEvent.seq > after)
        if entity:
            query = query.where(AuditEvent.entity == entity)
        if entity_id:
            query = query.where(AuditEvent.entity_id == entity_id)
        if action:
            query = query.where(AuditEvent.action == action)
        return self.session.scalars(query.order_by(AuditEvent.seq).limit(limit)).all()

    def stored(self) -> list[StoredEvent]:
        return [
            StoredEvent(
                Event(
                    r.seq,
                    r.at,
                    r.actor,
                    r.action,
                    r.entity,
                    r.entity_id,
                    r.before,
                    r.after,
                    r.rulebook_sha256,
                    r.note,
                ),
                r.prev_hash,
                r.hash,
                r.scheme,
            )
            for r in self.events()
        ]

    def _scheme(self, seq: int) -> str | None:
        """The scheme of event ``seq`` (None if there is none)."""
        return self.session.scalar(
            select(AuditEvent.scheme).where(AuditEvent.org_id == self.org_id, AuditEvent.seq == seq)
        )

    def head(self) -> tuple[int, str]:
        org = self.session.get(Organisation, self.org_id)
        assert org is not None
        return org.audit_head_seq, org.audit_head_hash

    def count(self) -> int:
        return int(
            self.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.org_id == self.org_id)
            )
            or 0
        )
