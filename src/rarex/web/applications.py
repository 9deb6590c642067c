"""The applications board: a column per state, each card with its statutory due date
(overdue and due-soon marked), and the transitions the viewer's role may make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarex.api.errors import STATUS
from rarex.api.schemas import MAX_ID, Id
from rarex.api.screening_routes import screening_for
from rarex.api.security import DbSession, clock_of
from rarex.core.workdays import Deadline
from rarex.core.workflow import Action, AppState, PauseReason, allowed_actions
from rarex.io.storage.tables import Application
from rarex.services.applications import ApplicationService
from rarex.services.errors import ServiceError
from rarex.services.screening import applications_screening
from rarex.web.base import PageRoute, Viewer, check_csrf, need, page, rulebook_of

router = APIRouter(route_class=PageRoute)

DUE_SOON_WORKING_DAYS = 10  # as the API's and the CLI's default "due within"
DECIDED = (AppState.APPROVED, AppState.DENIED, AppState.WITHDRAWN)
COLUMNS: tuple[tuple[str, tuple[AppState, ...]], ...] = (
    ("Draft", (AppState.DRAFT,)),
    ("Submitted", (AppState.SUBMITTED,)),
    ("Accepted", (AppState.ACCEPTED,)),
    ("Under review", (AppState.UNDER_REVIEW,)),
    ("Clock paused", (AppState.CLOCK_PAUSED,)),
    ("Decided", DECIDED),
)
ACTION_LABEL = {
    Action.SUBMIT: "Submit",
    Action.ACCEPT: "Record acceptance",
    Action.START_REVIEW: "Start review",
    Action.PAUSE_CLOCK: "Pause clock",
    Action.RESUME_CLOCK: "Resume clock",
    Action.APPROVE: "Approve",
    Action.DENY: "Deny",
    Action.WITHDRAW: "Withdraw",
}


@dataclass(frozen=True)
class Card:
    app: Application
    deadline: Deadline
    working_days_left: int | None
    actions: tuple[Action, ...]
    screening: dict[str, Any] | None = None

    @property
    def overdue(self) -> bool:
        return self.working_days_left is not None and self.working_days_left < 0

    @property
    def due_soon(self) -> bool:
        left = self.working_days_left
        return left is not None and 0 <= left <= DUE_SOON_WORKING_DAYS


def _service(request: Request, session: DbSession, who: Viewer) -> ApplicationService:
    return ApplicationService(
        session,
        who.actor,
        rulebook_of(request).sha256,
        request.app.state.calendar,
        clock_of(request).now,
        on_submit=screening_for(request, session, who.actor).screen_application,
        today=clock_of(request).today,
    )


def _board(
    request: Request,
    svc: ApplicationService,
    who: Viewer,
    moved: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    today = clock_of(request).today()
    may_move = who.may("applications:transition")
    cards = []
    apps = svc.apps.list()
    screenings = applications_screening(svc.session, who.actor.org_id, [a.id for a in apps])
    for details in svc.details(apps):
        app, deadline = details.app, details.deadline
        actions = allowed_actions(AppState(app.state), [who.actor.role]) if may_move else []
        cards.append(
            Card(
                app,
                deadline,
                deadline.days_left(today, svc.calendar),
                tuple(actions),
                screenings[app.id],
            )
        )
    columns = [
        (title, [c for c in cards if AppState(c.app.state) in states]) for title, states in COLUMNS
    ]
    return page(
        request,
        "applications.html.j2",
        who,
        status_code,
        columns=columns,
        moved=next((c.app for c in cards if c.app.id == moved), None),
        error=error,
        action_label=ACTION_LABEL,
        pause_reasons=list(PauseReason),
        due_soon_days=DUE_SOON_WORKING_DAYS,
    )


@router.get("/applications", response_class=HTMLResponse)
def applications_board(
    request: Request,
    session: DbSession,
    who: Annotated[Viewer, Depends(need("applications:read"))],
    moved: int | None = None,
) -> HTMLResponse:
    return _board(request, _service(request, session, who), who, moved)


@router.post("/applications/{application_id}/transitions", response_class=HTMLResponse)
def move_application(
    application_id: Id,
    request: Request,
    session: DbSession,
    who: Annotated[Viewer, Depends(need("applications:transition"))],
    action: Annotated[Action, Form()],
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    pause_reason: Annotated[PauseReason | None, Form()] = None,
) -> Response:
    check_csrf(who, csrf_token)
    svc = _service(request, session, who)
    try:
        svc.transition(
            application_id,
            action,
            on=clock_of(request).today(),
            expected_version=version,
            pause_reason=pause_reason,
        )
    except ServiceError as exc:
        session.rollback()
        status = next((s for t, s in STATUS.items() if isinstance(exc, t)), 400)
        return _board(request, svc, who, error=exc.message, status_code=status)
    return RedirectResponse(
        f"/applications?moved={application_id}#app-{application_id}", status_code=303
    )
