"""Persistence on a real database: migrations, accounts, the application lifecycle, optimistic
locking, tenant isolation, idempotency and the audit chain."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from rarex.core.licences import Draw, LicenceTerms, LicenceType
from rarex.core.vocab import EndUse
from rarex.core.workflow import Action, AppState, Document, PauseReason, Role
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.storage.db import alembic_config, session_factory, unit_of_work, upgrade
from rarex.io.storage.tables import Application, AuditEvent, Base, Organisation
from rarex.services import accounts, audit
from rarex.services.accounts import Actor, actor_of
from rarex.services.applications import ApplicationService, NewApplication, NewItem
from rarex.services.errors import Conflict, Forbidden, Invalid, NotFoundError

# the day the records are made: no transition below is dated after it
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SHA = "f" * 64


def now() -> datetime:
    return NOW


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def make_user(session: Session, org: str, role: Role, email: str | None = None) -> Actor:
    user = accounts.add_user(
        session,
        organisation=org,
        email=email or f"{role.value}@{org}.test",
        name=role.value,
        role=role,
        password="correct horse battery",
        now=NOW,
    )
    return actor_of(user)


def service(session: Session, actor: Actor) -> ApplicationService:
    return ApplicationService(session, actor, SHA, ChinaCalendar(), now)


NEW = NewApplication(
    "REF-1", "Example Exporter Co.", "Example GmbH", "Example GmbH", EndUse.CIVIL, "DE"
)


def ready_application(session: Session, applicant: Actor) -> int:
    svc = service(session, applicant)
    app = svc.create(NEW)
    svc.add_item(
        app.id, NewItem("SM-METAL", "Samarium metal", "1C902.a", Decimal("100"), Decimal("25000"))
    )
    for kind in Document:
        svc.add_document(app.id, kind, f"{kind.value}.pdf", "application/pdf", kind.value.encode())
    return app.id


def test_passwords_and_tokens(engine: Engine) -> None:
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        make_user(session, "acme", Role.ANALYST, "ana@acme.test")
    with unit_of_work(factory) as session:
        user = accounts.authenticate(session, "ANA@acme.test ", "correct horse battery")
        assert user is not None and user.password_hash.startswith("$argon2")
        assert accounts.authenticate(session, "ana@acme.test", "wrong password!") is None
        token = accounts.issue_token(session, user, "script", NOW)
        assert accounts.user_for_token(session, token) == user
        assert accounts.user_for_token(session, token + "x") is None
    with pytest.raises(Invalid), unit_of_work(factory) as session:
        accounts.add_user(
            session,
            organisation="acme",
            email="weak@acme.test",
            name="w",
            role=Role.VIEWER,
            password="short",
            now=NOW,
        )


def test_full_lifecycle_with_paused_clock_licence_and_shipments(engine: Engine) -> None:
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        applicant = make_user(session, "acme", Role.APPLICANT)
        reviewer = make_user(session, "acme", Role.REVIEWER)
        app_id = ready_application(session, applicant)
    with unit_of_work(factory) as session:
        service(session, applicant).transition(app_id, Action.SUBMIT, on=date(2026, 3, 2))
        rev = service(session, reviewer)
        rev.transition(app_id, Action.ACCEPT, on=date(2026, 3, 2))
        rev.transition(app_id, Action.START_REVIEW, on=date(2026, 3, 3))
        plain_due = rev.deadline(rev.apps.get(app_id)).due
        rev.transition(
            app_id,
            Action.PAUSE_CLOCK,
            on=date(2026, 3, 10),
            pause_reason=PauseReason.EXPERT_CONSULTATION,
        )
        assert rev.deadline(rev.apps.get(app_id)).due is None
        rev.transition(app_id, Action.RESUME_CLOCK, on=date(2026, 3, 17))
        deadline = rev.deadline(rev.apps.get(app_id))
        assert deadline.paused_working_days == 5
        assert plain_due is not None and deadline.due is not None and deadline.due > plain_due
        app = rev.transition(app_id, Action.APPROVE, on=date(2026, 4, 1))
        assert app.state == AppState.APPROVED.value
        rev.issue_licence(
            app_id,
            "LIC-1",
            LicenceTerms(
                LicenceType.SINGLE,
                date(2026, 4, 1),
                date(2027, 3, 31),
                Decimal("100"),
                Decimal("25000"),
                ("Example GmbH",),
            ),
        )
    with unit_of_work(factory) as session:
        svc = service(session, applicant)
        svc.record_shipment(
            app_id,
            Draw(date(2026, 4, 10), Decimal("60"), Decimal("15000")),
            {"arrived": "2026-04-20"},
        )
        assert svc.balance_of(app_id) == {
            "licence": "LIC-1",
            "quantity": "40.000000",
            "value": "10000.000000",
            "shipments": 1,
        }
        with pytest.raises(Invalid, match="single licence lapses"):
            svc.record_shipment(app_id, Draw(date(2026, 4, 11), Decimal("1"), Decimal("1")), {})
        actions = [e.action for e in svc.audit.events(entity="application")]
        assert actions[:3] == [
            "application.created",
            "application.item_added",
            "application.document_added",
        ]
        assert "application.approve" in actions and "licence.shipment" in actions
        assert audit.verify(session, applicant.org_id) == []


def test_submission_refused_without_the_documents(engine: Engine) -> None:
    with unit_of_work(session_factory(engine)) as session:
        applicant = make_user(session, "acme", Role.APPLICANT)
        svc = service(session, applicant)
        app = svc.create(NEW)
        svc.add_item(app.id, NewItem("X", "x", None, Decimal(1), Decimal(1)))
        with pytest.raises(Invalid) as info:
            svc.transition(app.id, Action.SUBMIT, on=date(2026, 3, 2))
        assert info.value.code == "documents_incomplete"


def test_roles_are_enforced(engine: Engine) -> None:
    with unit_of_work(session_factory(engine)) as session:
        viewer = make_user(session, "acme", Role.VIEWER)
        applicant = make_user(session, "acme", Role.APPLICANT)
        with pytest.raises(Forbidden):
            service(session, viewer).create(NEW)
        app_id = ready_application(session, applicant)
        service(session, applicant).transition(app_id, Action.SUBMIT, on=date(2026, 3, 2))
        with pytest.raises(Forbidden):
            service(session, applicant).transition(app_id, Action.ACCEPT, on=date(2026, 3, 2))


def test_stale_update_is_a_conflict_and_nothing_is_lost(engine: Engine) -> None:
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        applicant = make_user(session, "acme", Role.APPLICANT)
        app = service(session, applicant).create(NEW)
        app_id, version = app.id, app.lock_version
    with unit_of_work(factory) as session:
        service(session, applicant).add_item(
            app_id, NewItem("A", "a", None, Decimal(1), Decimal(1)), version
        )
    with pytest.raises(Conflict) as info, unit_of_work(factory) as session:
        service(session, applicant).add_item(
            app_id, NewItem("B", "b", None, Decimal(1), Decimal(1)), version
        )
    assert info.value.code == "stale_update"
    with unit_of_work(factory) as session:
        items = service(session, applicant).items(app_id)
        assert [i.part_id for i in items] == ["A"]


def test_tenants_cannot_reach_each_other(engine: Engine) -> None:
    with unit_of_work(session_factory(engine)) as session:
        ours = make_user(session, "acme", Role.ADMIN)
        theirs = make_user(session, "globex", Role.ADMIN)
        app = service(session, ours).create(NEW)
        other = service(session, theirs)
        with pytest.raises(NotFoundError):
            other.transition(app.id, Action.SUBMIT, on=date(2026, 3, 2))
        with pytest.raises(NotFoundError):
            other.add_document(app.id, Document.CONTRACT, "c.pdf", "application/pdf", b"x")
        assert other.apps.list() == []


def test_idempotency_key_returns_the_same_application(engine: Engine) -> None:
    with unit_of_work(session_factory(engine)) as session:
        applicant = make_user(session, "acme", Role.APPLICANT)
        svc = service(session, applicant)
        first = svc.create(NEW, idempotency_key="k-1")
        again = svc.create(NEW, idempotency_key="k-1")
        assert first.id == again.id
        assert len(svc.apps.list()) == 1


def test_a_failed_unit_of_work_leaves_nothing(engine: Engine) -> None:
    factory = session_factory(engine)
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        applicant = make_user(session, "acme", Role.APPLICANT)
        service(session, applicant).create(NEW)
        raise RuntimeError("killed halfway")
    with unit_of_work(factory) as session:
        assert session.query(Organisation).count() == 0
        assert session.query(AuditEvent).count() == 0


@pytest.mark.parametrize("tamper", ["edit", "delete", "truncate"])
def test_audit_verify_catches_tampering(engine: Engine, tamper: str) -> None:
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        applicant = make_user(session, "acme", Role.APPLICANT)
        ready_application(session, applicant)
        assert audit.verify(session, applicant.org_id) == []
        count = session.query(AuditEvent).count()
    with unit_of_work(factory) as session:
        if tamper == "edit":
            session.execute(
                update(AuditEvent).where(AuditEvent.seq == 2).values(actor="someone-else@acme.test")
            )
        else:
            seq = 3 if tamper == "delete" else count
            session.query(AuditEvent).filter(AuditEvent.seq == seq).delete()
    with unit_of_work(factory) as session:
        problems = audit.verify(session, applicant.org_id)
        assert problems, f"{tamper} was not detected"
        text = " ".join(str(p) for p in problems)
        expected = {"edit": "changed", "delete": "missing", "truncate": "recorded head"}[tamper]
        assert expected in text


TERMS = LicenceTerms(
    LicenceType.SINGLE,
    date(2026, 3, 20),
    date(2027, 3, 19),
    Decimal("100"),
    Decimal("25000"),
    ("Example GmbH",),
)


def under_review(svc: ApplicationService, app_id: int) -> None:
    svc.transition(app_id, Action.SUBMIT, on=date(2026, 3, 2))
    svc.transition(app_id, Action.ACCEPT, on=date(2026, 3, 3))
    svc.transition(app_id, Action.START_REVIEW, on=date(2026, 3, 3))


def test_a_lone_admin_cannot_approve_their_own_application(engine: Engine) -> None:
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        admin = make_user(session, "solo", Role.ADMIN, "first@solo.test")
        app_id = ready_application(session, admin)
        mine = service(session, admin)
        under_review(mine, app_id)  # one admin may still record MOFCOM's other steps
        with pytest.raises(Forbidden) as info:
            mine.transition(app_id, Action.APPROVE, on=date(2026, 3, 20))
        assert info.value.code == "second_person_required"
        assert "a second person must approve" in info.value.message
        assert mine.get(app_id).state == AppState.UNDER_REVIEW.value
    with unit_of_work(factory) as session:
        second = make_user(session, "solo", Role.ADMIN, "second@solo.test")
        service(session, second).transition(app_id, Action.APPROVE, on=date(2026, 3, 20))
        with pytest.raises(Forbidden) as info:
            service(session, admin).issue_licence(app_id, "LIC-1", TERMS)
        assert info.value.code == "second_person_required"
        assert "a second person must issue its licence" in info.value.message
        assert service(session, admin).apps.licence(app_id) is None
        service(session, second).issue_licence(app_id, "LIC-1", TERMS)


def test_transition_dates_follow_the_events_before_them_and_not_the_future(
    engine: Engine,
) -> None:
    with unit_of_work(session_factory(engine)) as session:
        applicant = make_user(session, "acme", Role.APPLICANT)
        reviewer = make_user(session, "acme", Role.REVIEWER)
        app_id = ready_application(session, applicant)
        service(session, applicant).transition(app_id, Action.SUBMIT, on=date(2026, 3, 1))
        rev = service(session, reviewer)

        def refused(action: Action, on: date, pause_reason: PauseReason | None = None) -> str:
            with pytest.raises(Invalid) as info:
                rev.transition(app_id, action, on=on, pause_reason=pause_reason)
            assert (info.value.code, info.value.field) == ("invalid_date", "on")
            return info.value.message

        assert refused(Action.ACCEPT, date(1999, 1, 1)) == (
            "1999-01-01 is before the submission on 2026-03-01; events come in order"
        )
        assert refused(Action.ACCEPT, date(2026, 4, 2)) == (
            "2026-04-02 is in the future (today is 2026-04-01)"
        )
        assert rev.get(app_id).accepted_on is None
        rev.transition(app_id, Action.ACCEPT, on=date(2026, 3, 3))
        rev.transition(app_id, Action.START_REVIEW, on=date(2026, 3, 3))
        reason = PauseReason.SITE_CHECK
        assert "before the acceptance on 2026-03-03" in refused(
            Action.PAUSE_CLOCK, date(2026, 3, 2), pause_reason=reason
        )
        rev.transition(app_id, Action.PAUSE_CLOCK, on=date(2026, 3, 10), pause_reason=reason)
        assert "before the clock's pause on 2026-03-10" in refused(
            Action.RESUME_CLOCK, date(2026, 3, 9)
        )
        rev.transition(app_id, Action.RESUME_CLOCK, on=date(2026, 3, 12))
        assert "before the clock's resumption on 2026-03-12" in refused(
            Action.APPROVE, date(2026, 3, 11)
        )
        rev.transition(app_id, Action.APPROVE, on=date(2026, 3, 20))
        rev.issue_licence(app_id, "LIC-1", TERMS)
        with pytest.raises(Invalid, match="before the approval on 2026-03-20") as info:
            service(session, applicant).request_amendment(
                app_id, {"quantity": "150"}, date(2026, 3, 19)
            )
        assert info.value.field == "on"
        amendment = service(session, applicant).request_amendment(
            app_id, {"quantity": "150"}, date(2026, 3, 25)
        )
        for day, words in [
            (date(2026, 3, 24), "before the request on 2026-03-25"),
            (date(2026, 4, 2), "in the future"),
        ]:
            with pytest.raises(Invalid, match=words):
                rev.decide_amendment(app_id, amendment.id, True, day)
        assert rev.decide_amendment(app_id, amendment.id, True, date(2026, 3, 30)).state == (
            "approved"
        )


def test_applications_submitted_before_the_upgrade_know_their_submitter(
    engine: Engine, database_url: str
) -> None:
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        admin = make_user(session, "acme", Role.ADMIN)
        make_user(session, "acme", Role.APPLICANT)
        app_id = ready_application(session, admin)
        under_review(service(session, admin), app_id)
        draft_id = ready_application(session, admin)
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0004")
    upgrade(database_url)
    with unit_of_work(factory) as session:
        submitted, draft = session.get(Application, app_id), session.get(Application, draft_id)
        assert submitted is not None and submitted.submitted_by == admin.user_id
        assert draft is not None and draft.submitted_by is None
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert {e.scheme for e in events} == {"sha256"}  # written before audit keys
        assert audit.verify(session, admin.org_id) == []
        with pytest.raises(Forbidden) as info:
            service(session, admin).transition(app_id, Action.APPROVE, on=date(2026, 3, 20))
        assert info.value.code == "second_person_required"
