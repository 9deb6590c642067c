"""Licence applications: create, add items and documents, move through the workflow, issue
licences, record shipments, and compute deadlines. Every change is audited."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from rarex.core.licences import (
    KEY_ELEMENTS,
    Draw,
    LicenceRefused,
    LicenceTerms,
    LicenceType,
    amendment_kind,
    balance,
    check_draw,
    check_terms,
)
from rarex.core.vocab import EndUse
from rarex.core.workdays import (
    AMENDMENT_WORKING_DAYS,
    Deadline,
    Pause,
    WorkdayCalendar,
    add_workdays,
    review_deadline,
)
from rarex.core.workflow import (
    ISSUE_LICENCE,
    Action,
    AppState,
    Document,
    Facts,
    PauseReason,
    Role,
    TransitionRefused,
    check_date,
    decide,
    decide_step,
)
from rarex.io.storage import repositories as repo
from rarex.io.storage.tables import (
    AmendmentRow,
    Application,
    ApplicationItem,
    ClockPause,
    DocumentRow,
    LicenceRow,
    ShipmentRow,
)
from rarex.services.accounts import Actor
from rarex.services.errors import Conflict, Forbidden, Invalid, NotFoundError, ServiceError

WRITERS = frozenset({Role.APPLICANT, Role.ADMIN})
# licence details that an amendment may change (the key elements need a new application)
AMENDABLE = frozenset({"valid_until", "quantity", "value", "consignee_address", "contact"})
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class NewApplication:
    reference: str
    exporter: str
    consignee: str
    end_user: str
    end_use: EndUse
    destination: str
    watch_listed: bool = False


@dataclass(frozen=True)
class NewItem:
    part_id: str
    description: str
    control_code: str | None
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class Details:
    """An application with what its document shows."""

    app: Application
    deadline: Deadline
    items: Sequence[Row[Any]]  # application_items rows
    documents: Sequence[Row[Any]]  # documents rows


def snapshot(app: Application) -> dict[str, Any]:
    """The audited view of an application."""
    return {
        "state": app.state,
        "version": app.lock_version,
        "reference": app.reference,
        "exporter": app.exporter,
        "consignee": app.consignee,
        "end_user": app.end_user,
        "end_use": app.end_use,
        "destination": app.destination,
        "watch_listed": app.watch_listed,
        "accepted_on": app.accepted_on.isoformat() if app.accepted_on else None,
    }


class ApplicationService:
    def __init__(
        self,
        session: Session,
        actor: Actor,
        rulebook_sha256: str,
        calendar: WorkdayCalendar,
        now: Callable[[], datetime],
        on_submit: Callable[[Application, date], object] | None = None,
        today: Callable[[], date] | None = None,
    ) -> None:
        self.session = session
        self.on_submit = on_submit  # screens the application's parties when it is submitted
        self.actor = actor
        self.rulebook_sha256 = rulebook_sha256
        self.calendar = calendar
        self.now = now
        # the server's day, the latest an event may be dated (the entry point's clock)
        self.today = today or (lambda: now().date())
        self.apps = repo.Applications(session, actor.org_id)
        self.audit = repo.AuditLog(session, actor.org_id)

    # ------------------------------------------------------------------ helpers

    def _require(self, roles: frozenset[Role], what: str) -> None:
        if self.actor.role not in roles:
            raise Forbidden("forbidden_role", f"role {self.actor.role.value} may not {what}")

    def get(self, application_id: int) -> Application:
        try:
            return self.apps.get(application_id)
        except repo.NotFound:
            raise NotFoundError("not_found", f"no application {application_id}") from None

    def _record(
        self, action: str, app: Application, before: dict[str, Any] | None, note: str | None = None
    ) -> None:
        self.audit.append(
            at=self.now(),
            actor=self.actor.email,
            action=action,
            entity="application",
            entity_id=str(app.id),
            before=before,
            after=snapshot(app),
            rulebook_sha256=self.rulebook_sha256,
            note=note,
        )

    def _check_version(self, app: Application, expected: int | None) -> None:
        if expected is not None and app.lock_version != expected:
            raise Conflict(
                "stale_update",
                f"application {app.id} is at version "
                f"{app.lock_version}, not {expected}; reload and try again",
            )

    def _touch(self, app: Application) -> None:
        """Mark the application changed, so that its version moves on (optimistic locking)."""
        app.updated_at = self.now()
        flag_modified(app, "updated_at")

    def _refresh_due(self, app: Application) -> None:
        """Keep the stored due date that "due within N working days" queries by."""
        deadline = self.deadline(app)
        app.due_on = deadline.due
        app.due_provisional = deadline.provisional

    def _refused(self, exc: TransitionRefused) -> ServiceError:
        if exc.code in ("forbidden_role", "second_person_required"):
            return Forbidden(exc.code, str(exc))
        return Invalid(exc.code, str(exc), "on" if exc.code == "invalid_date" else None)

    def _dated(self, on: date, earlier: list[tuple[str, date | None]]) -> None:
        """``on`` is neither after the server's day nor before the events it follows."""
        try:
            check_date(on, self.today(), earlier)
        except TransitionRefused as exc:
            raise self._refused(exc) from None

    def _history(self, app: Application) -> list[tuple[str, date | None]]:
        """The application's dated events so far."""
        events: list[tuple[str, date | None]] = [
            ("the submission", app.submitted_on),
            ("the acceptance", app.accepted_on),
            ("the decision", app.decided_on),
        ]
        for pause in self.apps.pauses(app.id):
            events += [("the clock's pause", pause.start), ("the clock's resumption", pause.end)]
        return events

    def _flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError:
            raise Conflict(
                "stale_update", "the application was changed by someone else; reload and try again"
            ) from None

    # ------------------------------------------------------------------ commands

    def create(self, data: NewApplication, idempotency_key: str | None = None) -> Application:
        self._require(WRITERS, "create applications")
        if idempotency_key:
            existing = self.apps.by_idempotency_key(idempotency_key)
            if existing is not None:
                return existing
        if len(data.destination) != 2:
            raise Invalid(
                "invalid_destination", "destination is an ISO 3166-1 alpha-2 code", "destination"
            )
        moment = self.now()
        app = Application(
            org_id=self.actor.org_id,
            reference=data.reference,
            state=AppState.DRAFT.value,
            exporter=data.exporter,
            consignee=data.consignee,
            end_user=data.end_user,
            end_use=data.end_use.value,
            destination=data.destination.upper(),
            watch_listed=data.watch_listed,
            referred_to_state_council=False,
            idempotency_key=idempotency_key,
            created_by=self.actor.user_id,
            created_at=moment,
            updated_at=moment,
        )
        self.session.add(app)
        self._flush()
        self._record("application.created", app, None)
        return app

    EDITABLE = frozenset({"exporter", "consignee", "watch_listed"})

    def edit(
        self, application_id: int, changes: dict[str, Any], expected_version: int
    ) -> Application:
        """Change non-key details of a draft; key elements need a new application."""
        self._require(WRITERS, "edit applications")
        app = self.get(application_id)
        self._check_version(app, expected_version)
        unknown = set(changes) - self.EDITABLE
        if unknown:
            raise Invalid(
                "not_editable",
                f"cannot change {', '.join(sorted(unknown))} here",
                sorted(unknown)[0],
            )
        if app.state != AppState.DRAFT.value and set(changes) - {"watch_listed"}:
            raise Invalid(
                "not_editable",
                f"the application is {app.state}; only a draft's details can change",
            )
        before = snapshot(app)
        for name, value in changes.items():
            setattr(app, name, value)
        self._touch(app)
        self._refresh_due(app)
        self._flush()
        self._record("application.edited", app, before)
        return app

    def add_item(
        self, application_id: int, item: NewItem, expected_version: int | None = None
    ) -> ApplicationItem:
        self._require(WRITERS, "edit applications")
        app = self.get(application_id)
        self._check_version(app, expected_version)
        if app.state != AppState.DRAFT.value:
            raise Invalid(
                "not_editable",
                f"items can only change while the application is a draft (it is {app.state})",
            )
        if item.quantity <= 0 or item.value < 0:
            raise Invalid(
                "invalid_item", "quantity must be positive and value not negative", "quantity"
            )
        before = snapshot(app)
        row = ApplicationItem(
            application_id=app.id,
            part_id=item.part_id,
            control_code=item.control_code,
            description=item.description,
            quantity=item.quantity,
            value=item.value,
            assessment_id=None,
        )
        self.session.add(row)
        self._touch(app)
        self._flush()
        self._record("application.item_added", app, before, note=item.part_id)
        return row

    def add_document(
        self, application_id: int, kind: Document, filename: str, media_type: str, content: bytes
    ) -> DocumentRow:
        self._require(WRITERS, "upload documents")
        app = self.get(application_id)
        if len(content) > MAX_DOCUMENT_BYTES:
            raise Invalid("document_too_large", "a document is at most 20 MB", "content")
        digest = hashlib.sha256(content).hexdigest()
        before = snapshot(app)
        self._touch(app)
        row = DocumentRow(
            org_id=self.actor.org_id,
            application_id=app.id,
            kind=kind.value,
            filename=filename,
            media_type=media_type,
            sha256=digest,
            size=len(content),
            content=content,
            uploaded_by=self.actor.user_id,
            uploaded_at=self.now(),
        )
        self.session.add(row)
        self._flush()
        self._record(
            "application.document_added",
            app,
            before,
            note=f"{kind.value} {filename} sha256={digest}",
        )
        return row

    def transition(
        self,
        application_id: int,
        action: Action,
        *,
        on: date,
        expected_version: int | None = None,
        pause_reason: PauseReason | None = None,
    ) -> Application:
        app = self.get(application_id)
        self._check_version(app, expected_version)
        facts = Facts(
            documents=frozenset(Document(d.kind) for d in self.apps.documents(app.id)),
            item_count=len(self.items(app.id)),
            pause_reason=pause_reason,
            actor=self.actor.user_id,
            submitted_by=app.submitted_by,
        )
        try:
            transition = decide(AppState(app.state), action, self.actor.role, facts)
        except TransitionRefused as exc:
            raise self._refused(exc) from None
        self._dated(on, self._history(app))
        before = snapshot(app)
        app.state = transition.target.value
        self._touch(app)
        if action is Action.SUBMIT:
            app.submitted_on = on
            app.submitted_by = self.actor.user_id
        elif action is Action.ACCEPT:
            app.accepted_on = on
        elif action is Action.PAUSE_CLOCK:
            assert pause_reason is not None
            self.session.add(
                ClockPause(application_id=app.id, start=on, end=None, reason=pause_reason.value)
            )
        elif action is Action.RESUME_CLOCK:
            for pause in self.apps.pauses(app.id):
                if pause.end is None:
                    pause.end = on
        elif action in (Action.APPROVE, Action.DENY, Action.WITHDRAW):
            app.decided_on = on
        self._refresh_due(app)
        self._flush()
        self._record(
            f"application.{action.value}",
            app,
            before,
            note=pause_reason.value if pause_reason else None,
        )
        if action is Action.SUBMIT and self.on_submit is not None:
            self.on_submit(app, on)
        return app

    def issue_licence(self, application_id: int, number: str, terms: LicenceTerms) -> LicenceRow:
        app = self.get(application_id)
        facts = Facts(actor=self.actor.user_id, submitted_by=app.submitted_by)
        try:
            decide_step(ISSUE_LICENCE, AppState(app.state), self.actor.role, facts)
        except TransitionRefused as exc:
            raise self._refused(exc) from None
        if self.apps.licence(app.id) is not None:
            raise Conflict("licence_exists", f"application {app.id} already has a licence")
        try:
            check_terms(terms)
        except LicenceRefused as exc:
            raise Invalid(exc.code, str(exc)) from None
        row = LicenceRow(
            org_id=self.actor.org_id,
            application_id=app.id,
            number=number,
            licence_type=terms.licence_type.value,
            valid_from=terms.valid_from,
            valid_until=terms.valid_until,
            quantity=terms.quantity,
            value=terms.value,
            end_users=list(terms.end_users),
        )
        self.session.add(row)
        self._flush()
        self._record("licence.issued", app, snapshot(app), note=number)
        return row

    def request_amendment(
        self, application_id: int, changes: dict[str, Any], on: date
    ) -> AmendmentRow:
        """Ask MOFCOM to change non-key details of a licence (Reg. Art. 18(3))."""
        self._require(WRITERS, "request amendments")
        app = self.get(application_id)
        licence = self.apps.licence(app.id)
        if licence is None:
            raise NotFoundError("no_licence", f"application {app.id} has no licence")
        if not changes:
            raise Invalid("no_changes", "say what changes", "changes")
        if amendment_kind(changes) == "new_application":
            key = sorted(set(changes) & KEY_ELEMENTS)
            raise Invalid(
                "key_element_change",
                f"changing {', '.join(key)} needs a new application; return the "
                "licence and stop exporting under it (Reg. Art. 18(2))",
                key[0],
            )
        if self._pending_amendment(licence.id) is not None:
            raise Conflict("amendment_pending", "a change of this licence is already pending")
        self._dated(on, [("the approval", app.decided_on)])
        unknown = set(changes) - AMENDABLE
        if unknown:
            raise Invalid(
                "not_amendable", f"cannot amend {', '.join(sorted(unknown))}", sorted(unknown)[0]
            )
        row = AmendmentRow(
            org_id=self.actor.org_id,
            licence_id=licence.id,
            changes={k: str(v) for k, v in changes.items()},
            state="pending",
            accepted_on=on,
            decided_on=None,
            requested_by=self.actor.user_id,
        )
        self.session.add(row)
        self._flush()
        self._record("licence.amendment_requested", app, snapshot(app), note=str(row.changes))
        return row

    def decide_amendment(
        self, application_id: int, amendment_id: int, approve: bool, on: date
    ) -> AmendmentRow:
        self._require(frozenset({Role.REVIEWER, Role.ADMIN}), "record amendment decisions")
        app = self.get(application_id)
        licence = self.apps.licence(app.id)
        row = self.session.get(AmendmentRow, amendment_id)
        if licence is None or row is None or row.licence_id != licence.id:
            raise NotFoundError("not_found", f"no amendment {amendment_id}")
        if row.state != "pending":
            raise Invalid("already_decided", f"the amendment is already {row.state}")
        self._dated(on, [("the request", row.accepted_on)])
        if approve:
            updated = licence_terms(licence)
            values = dict(row.changes)
            terms = LicenceTerms(
                updated.licence_type,
                updated.valid_from,
                date.fromisoformat(values["valid_until"])
                if "valid_until" in values
                else updated.valid_until,
                Decimal(values.get("quantity", updated.quantity)),
                Decimal(values.get("value", updated.value)),
                updated.end_users,
            )
            try:
                check_terms(terms)
            except LicenceRefused as exc:
                raise Invalid(exc.code, str(exc)) from None
            licence.valid_until, licence.quantity, licence.value = (
                terms.valid_until,
                terms.quantity,
                terms.value,
            )
        row.state = "approved" if approve else "denied"
        row.decided_on = on
        self._flush()
        self._record(f"licence.amendment_{row.state}", app, snapshot(app), note=str(row.changes))
        return row

    def amendment_deadline(self, row: AmendmentRow) -> Deadline:
        if row.state != "pending":
            return Deadline(None, None, 0, False, f"decided ({row.state}) on {row.decided_on}")
        return review_deadline(
            self.calendar,
            row.accepted_on,
            working_days=AMENDMENT_WORKING_DAYS,
            basis="Reg. Art. 18(3)",
        )

    def _pending_amendment(self, licence_id: int) -> AmendmentRow | None:
        return self.session.scalar(
            select(AmendmentRow).where(
                AmendmentRow.licence_id == licence_id, AmendmentRow.state == "pending"
            )
        )

    def record_shipment(
        self, application_id: int, draw: Draw, report: dict[str, Any]
    ) -> ShipmentRow:
        self._require(WRITERS, "record shipments")
        app = self.get(application_id)
        licence = self.apps.licence(app.id)
        if licence is None:
            raise NotFoundError("no_licence", f"application {app.id} has no licence")
        if self._pending_amendment(licence.id) is not None:
            raise Invalid(
                "licence_suspended",
                "the licence cannot be used while a change of "
                "it is being decided (Reg. Art. 18(3))",
            )
        terms = licence_terms(licence)
        done = [Draw(s.shipped_on, s.quantity, s.value) for s in self.apps.shipments(licence.id)]
        try:
            check_draw(terms, done, draw)
        except LicenceRefused as exc:
            raise Invalid(exc.code, str(exc)) from None
        row = ShipmentRow(
            licence_id=licence.id,
            shipped_on=draw.shipped_on,
            quantity=draw.quantity,
            value=draw.value,
            report=report,
        )
        self.session.add(row)
        self._flush()
        self._record(
            "licence.shipment",
            app,
            snapshot(app),
            note=f"{draw.shipped_on} quantity {draw.quantity} value {draw.value}",
        )
        return row

    # ------------------------------------------------------------------ queries

    def items(self, application_id: int) -> Sequence[ApplicationItem]:
        return self.session.scalars(
            select(ApplicationItem).where(ApplicationItem.application_id == application_id)
        ).all()

    def details(self, apps: Sequence[Application]) -> list[Details]:
        """Each application with its deadline, items and documents, in four queries."""
        ids = [a.id for a in apps]
        pauses = self.apps.children(ClockPause, ids)
        items = self.apps.children(ApplicationItem, ids)
        documents = self.apps.children(DocumentRow, ids)
        return [
            Details(a, self.deadline(a, pauses[a.id]), items[a.id], documents[a.id]) for a in apps
        ]

    def deadline(
        self, app: Application, stored: Sequence[ClockPause] | Sequence[Row[Any]] | None = None
    ) -> Deadline:
        """The statutory deadline (``stored``: the pauses, if already loaded)."""
        rows = self.apps.pauses(app.id) if stored is None else stored
        return _review(self.calendar, app, rows)

    def due(
        self, today: date, within: int, offset: int = 0, limit: int | None = None
    ) -> list[tuple[Application, Deadline, int]]:
        """Open applications that are overdue or due within ``within`` working days, the most
        urgent first: one indexed query on the stored due dates, then the page's deadlines."""
        beyond, _, _ = add_workdays(self.calendar, today, within + 1)
        apps = self.apps.due_before(beyond, offset, limit)
        pauses = self.apps.children(ClockPause, [a.id for a in apps])
        out = []
        for app in apps:
            deadline = _review(self.calendar, app, pauses[app.id])
            left = deadline.days_left(today, self.calendar)
            if left is not None and left <= within:
                out.append((app, deadline, left))
        return out

    def balance_of(self, application_id: int) -> dict[str, Any]:
        app = self.get(application_id)
        licence = self.apps.licence(app.id)
        if licence is None:
            raise NotFoundError("no_licence", f"application {app.id} has no licence")
        draws = [Draw(s.shipped_on, s.quantity, s.value) for s in self.apps.shipments(licence.id)]
        left = balance(licence_terms(licence), draws)
        return {
            "licence": licence.number,
            "quantity": str(left.quantity),
            "value": str(left.value),
            "shipments": left.shipments,
        }


def licence_terms(row: LicenceRow) -> LicenceTerms:
    return LicenceTerms(
        LicenceType(row.licence_type),
        row.valid_from,
        row.valid_until,
        Decimal(row.quantity),
        Decimal(row.value),
        tuple(row.end_users),
    )


def _review(
    calendar: WorkdayCalendar, app: Application, rows: Sequence[ClockPause] | Sequence[Row[Any]]
) -> Deadline:
    """The statutory deadline of ``app`` with its pauses ``rows``."""
    if app.state in (AppState.DRAFT.value, AppState.SUBMITTED.value):
        return review_deadline(calendar, None)
    if app.state in (AppState.APPROVED.value, AppState.DENIED.value, AppState.WITHDRAWN.value):
        return Deadline(None, None, 0, False, f"decided ({app.state}) on {app.decided_on}")
    return review_deadline(
        calendar,
        app.accepted_on,
        [Pause(p.start, p.end, p.reason) for p in rows],
        watch_listed=app.watch_listed,
        referred_to_state_council=app.referred_to_state_council,
    )


OPEN_STATES = (AppState.ACCEPTED.value, AppState.UNDER_REVIEW.value, AppState.CLOCK_PAUSED.value)


def refresh_due_dates(session: Session, calendar: WorkdayCalendar) -> int:
    """Work out again the stored due date of every application whose clock runs, in every
    organisation: after a migration, and at server start, since a calendar update can turn a
    provisional due date into another. Returns how many changed."""
    changed = 0
    apps = session.scalars(select(Application).where(Application.state.in_(OPEN_STATES))).all()
    by_org: dict[int, list[Application]] = {}
    for app in apps:
        by_org.setdefault(app.org_id, []).append(app)
    for org_id, mine in by_org.items():
        pauses = repo.Applications(session, org_id).children(ClockPause, [a.id for a in mine])
        for app in mine:
            deadline = _review(calendar, app, pauses[app.id])
            if (app.due_on, app.due_provisional) != (deadline.due, deadline.provisional):
                app.due_on, app.due_provisional = deadline.due, deadline.provisional
                changed += 1
    session.flush()
    return changed
