"""HTTP routes. Each parses the request, calls one service, and renders the answer."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse

from rarex.api.errors import RESPONSES, ErrorBody
from rarex.api.errors import body as error_body
from rarex.api.pages import DEFAULT_LIMIT, MAX_LIMIT, Page, page_of, paginated
from rarex.api.schemas import (
    MAX_ID,
    AmendmentDecisionIn,
    AmendmentIn,
    ApplicationEdit,
    ApplicationIn,
    AssessmentIn,
    Day,
    Id,
    ItemIn,
    LicenceIn,
    Login,
    PartyIn,
    ShipmentIn,
    Text,
    TokenRequest,
    TransitionIn,
)
from rarex.api.security import (
    AppClock,
    Caller,
    DbSession,
    caller,
    clock_of,
    log_in,
    log_out,
    require,
)
from rarex.api.uploads import import_limits, safe_name, saved_uploads
from rarex.cli.render import measure_json
from rarex.core.licences import Draw, LicenceTerms
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import Shipment
from rarex.core.vocab import Status
from rarex.core.workflow import AppState, Document
from rarex.io.storage.tables import Application, Party, User
from rarex.reports.render import render_document, report_headers
from rarex.services import accounts
from rarex.services import audit as audit_service
from rarex.services import parties as parties_service
from rarex.services.accounts import Actor
from rarex.services.applications import ApplicationService, NewApplication, NewItem, snapshot
from rarex.services.datasets import DatasetService
from rarex.services.errors import Invalid
from rarex.services.screening import ScreeningService, applications_screening
from rarex.services.sessions import LoginThrottled

router = APIRouter(responses=RESPONSES)


def _rulebook(request: Request) -> RuleBook:
    rulebook: RuleBook = request.app.state.rulebook
    return rulebook


def _apps(request: Request, session: DbSession, actor: Actor) -> ApplicationService:
    state = request.app.state
    screening = ScreeningService(
        session,
        actor,
        _rulebook(request),
        state.matcher,
        clock_of(request).now,
        state.screener_cache,
    )
    return ApplicationService(
        session,
        actor,
        _rulebook(request).sha256,
        state.calendar,
        clock_of(request).now,
        on_submit=screening.screen_application,
        today=clock_of(request).today,
    )


def _application(app: Application, svc: ApplicationService) -> dict[str, Any]:
    return _applications([app], svc)[0]


def _applications(apps: Sequence[Application], svc: ApplicationService) -> list[dict[str, Any]]:
    """The documents of many applications, in a fixed number of queries."""
    screenings = applications_screening(svc.session, svc.actor.org_id, [a.id for a in apps])
    return [
        {
            "id": d.app.id,
            **snapshot(d.app),
            "submitted_on": d.app.submitted_on,
            "decided_on": d.app.decided_on,
            "deadline": {
                "due": d.deadline.due,
                "provisional": d.deadline.provisional,
                "reason": d.deadline.reason,
                "paused_working_days": d.deadline.paused_working_days,
            },
            "items": [
                {
                    "part_id": i.part_id,
                    "description": i.description,
                    "control_code": i.control_code,
                    "quantity": str(i.quantity),
                    "value": str(i.value),
                }
                for i in d.items
            ],
            "documents": [
                {
                    "id": doc.id,
                    "kind": doc.kind,
                    "filename": doc.filename,
                    "sha256": doc.sha256,
                    "size": doc.size,
                }
                for doc in d.documents
            ],
            "screening": screenings[d.app.id],
        }
        for d in svc.details(apps)
    ]


# ------------------------------------------------------------------ health and accounts


@router.get("/health", tags=["meta"])
def health(request: Request) -> dict[str, str]:
    return {"status": "ok", "rulebook_sha256": _rulebook(request).sha256}


@router.post(
    "/auth/login",
    tags=["accounts"],
    responses={429: {"model": ErrorBody, "description": "Too many failed logins; wait"}},
)
def login(body: Login, request: Request, response: Response, session: DbSession) -> Any:
    """Start a browser session (an HttpOnly cookie). Writes with the cookie send the returned
    ``csrf_token`` as the ``X-CSRF-Token`` header; no cookie holds it."""
    # a refusal is answered, not raised, so that the attempt and its audit event are kept
    try:
        login = log_in(request, response, session, body.email, body.password)
    except LoginThrottled as exc:
        return JSONResponse(
            error_body(exc.code, exc.message),
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if login is None:
        return JSONResponse(
            error_body("invalid_credentials", "wrong e-mail or password"), status_code=401
        )
    return {
        "email": login.user.email,
        "role": login.user.role,
        "csrf_token": login.csrf,
        "expires_at": login.expires_at.isoformat(),
    }


@router.post("/auth/logout", tags=["accounts"])
def logout(
    request: Request,
    response: Response,
    session: DbSession,
    who: Annotated[Caller, Depends(caller)],
    everywhere: bool = False,
) -> dict[str, Any]:
    """End this session; with ``everywhere=true``, every session of the user."""
    ended = log_out(request, response, session, everywhere)
    return {"status": "logged out", "sessions_ended": ended}


@router.post("/auth/tokens", tags=["accounts"], status_code=201)
def create_token(
    clock: AppClock,
    body: TokenRequest,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("tokens:write"))],
) -> dict[str, str]:
    user = session.get(User, actor.user_id)
    assert user is not None
    return {
        "token": accounts.issue_token(session, user, body.label, clock.now()),
        "note": "shown once; store it safely",
    }


# ------------------------------------------------------------------ rules


@router.get("/rules", tags=["rules"])
def rules_list(
    clock: AppClock,
    request: Request,
    _: Annotated[Actor, Depends(require("rules:read"))],
    as_of: Day | None = None,
    status: Status | None = None,
) -> dict[str, Any]:
    rulebook = _rulebook(request)
    snapshot_ = rulebook.at(as_of or clock.today())
    measures = [
        measure_json(snapshot_, snapshot_.measure(m), rulebook.instruments[m])
        for m in rulebook.instruments
        if status is None or snapshot_.status(m) is status
    ]
    return {"as_of": snapshot_.as_of, "rulebook_sha256": rulebook.sha256, "measures": measures}


@router.get("/rules/{measure_id}", tags=["rules"])
def rules_show(
    measure_id: str, request: Request, _: Annotated[Actor, Depends(require("rules:read"))]
) -> dict[str, Any]:
    rulebook = _rulebook(request)
    rulebook.resolve_ref(measure_id)
    return {
        "instrument": rulebook.instruments[measure_id].model_dump(mode="json"),
        "rulebook_sha256": rulebook.sha256,
    }


@router.get("/rules/{measure_id}/status", tags=["rules"])
def rules_status(
    clock: AppClock,
    measure_id: str,
    request: Request,
    _: Annotated[Actor, Depends(require("rules:read"))],
    as_of: Day | None = None,
) -> dict[str, Any]:
    rulebook = _rulebook(request)
    rulebook.resolve_ref(measure_id)
    snap = rulebook.at(as_of or clock.today())
    return measure_json(snap, snap.measure(measure_id), rulebook.instruments[measure_id])


# ------------------------------------------------------------------ data and assessments


@router.post("/datasets", tags=["assessments"], status_code=201)
def upload_dataset(
    clock: AppClock,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:write"))],
    name: Annotated[Text, Form(min_length=1, max_length=200)],
    workbook: Annotated[UploadFile | None, File()] = None,
    parts: Annotated[UploadFile | None, File()] = None,
    bom: Annotated[UploadFile | None, File()] = None,
) -> dict[str, Any]:
    if (workbook is None) == (parts is None):
        raise Invalid(
            "invalid_upload", "upload a workbook, or parts (and bom) CSV files", "workbook"
        )
    files = {"workbook": workbook, "parts": parts, "bom": bom}
    with saved_uploads(files, safe_name) as paths:  # errors name the files, not the folder
        version = DatasetService(session, actor, clock.now).import_files(
            name, limits=import_limits(request), **paths
        )
    return {
        "id": version.id,
        "name": version.name,
        "version": version.version,
        "sha256": version.sha256,
        "parts": version.part_count,
        "edges": version.edge_count,
    }


@router.get("/datasets", tags=["assessments"])
def list_datasets(
    clock: AppClock,
    request: Request,
    response: Response,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:read"))],
    page: Annotated[Page, Depends(page_of)],
) -> list[dict[str, Any]]:
    versions = DatasetService(session, actor, clock.now).page(page.after, page.limit)
    rows = [
        {
            "id": v.id,
            "name": v.name,
            "version": v.version,
            "sha256": v.sha256,
            "parts": v.part_count,
            "edges": v.edge_count,
            "created_at": v.created_at,
        }
        for v in versions
    ]
    return paginated(request, response, page, rows)


@router.get("/datasets/{version_id}", tags=["assessments"])
def get_dataset(
    clock: AppClock,
    version_id: Id,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:read"))],
) -> dict[str, Any]:
    svc = DatasetService(session, actor, clock.now)
    v = svc.version(version_id)
    return {
        "id": v.id,
        "name": v.name,
        "version": v.version,
        "sha256": v.sha256,
        "parts": svc.parts(version_id),
        "bom": svc.bom(version_id),
    }


@router.post("/assessments", tags=["assessments"], status_code=201)
def run_assessment(
    clock: AppClock,
    body: AssessmentIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("assessments:run"))],
) -> dict[str, Any]:
    rulebook = _rulebook(request)
    for ref in body.assume:
        rulebook.resolve_ref(ref)
    shipment = Shipment(
        body.export_from, body.destination, body.end_user, body.end_user_type, body.end_use
    )
    row = DatasetService(session, actor, clock.now).assess(
        body.version_id, rulebook, body.as_of, shipment, body.products, dict(body.assume)
    )
    return {"id": row.id, **row.result}


@router.get("/assessments/{assessment_id}", tags=["assessments"])
def get_assessment(
    clock: AppClock,
    assessment_id: Id,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:read"))],
) -> dict[str, Any]:
    row = DatasetService(session, actor, clock.now).assessment(assessment_id)
    return {"id": row.id, "version_id": row.version_id, **row.result}


@router.get("/assessments/{assessment_id}/replay", tags=["assessments"])
def replay_assessment(
    clock: AppClock,
    assessment_id: Id,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:read"))],
) -> dict[str, Any]:
    """Run a stored assessment again on its own data version and compare the outcomes."""
    return DatasetService(session, actor, clock.now).replay(assessment_id, _rulebook(request))


@router.get(
    "/assessments/{assessment_id}/report",
    tags=["assessments"],
    responses={200: {"content": {"text/html": {}, "text/markdown": {}}}},
)
def assessment_report(
    clock: AppClock,
    assessment_id: Id,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:read"))],
    fmt: Annotated[str, Query(alias="format", pattern="^(html|md)$")] = "html",
) -> Response:
    row = DatasetService(session, actor, clock.now).assessment(assessment_id)
    text = render_document(row.result, _rulebook(request), fmt)
    headers = report_headers(f"rarex-assessment-{assessment_id}.{fmt}")
    if fmt == "md":
        return PlainTextResponse(text, media_type="text/markdown", headers=headers)
    return HTMLResponse(text, headers=headers)


@router.get("/parties", tags=["parties"])
def list_parties(
    request: Request,
    response: Response,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:read"))],
    page: Annotated[Page, Depends(page_of)],
) -> list[dict[str, Any]]:
    rows = parties_service.parties(session, actor, page.after, page.limit)
    return paginated(request, response, page, [_party(p) for p in rows])


@router.post("/parties", tags=["parties"], status_code=201)
def add_party(
    clock: AppClock,
    body: PartyIn,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("parties:write"))],
) -> dict[str, Any]:
    party = parties_service.add_party(
        session,
        actor,
        name=body.name,
        country=body.country,
        kind=body.kind,
        identifiers=body.identifiers,
        now=clock.now(),
    )
    return _party(party)


def _party(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "name": party.name,
        "country": party.country,
        "kind": party.kind,
        "identifiers": party.identifiers,
    }


# ------------------------------------------------------------------ applications


@router.post("/applications", tags=["applications"], status_code=201)
def create_application(
    body: ApplicationIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:write"))],
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    app = svc.create(
        NewApplication(
            body.reference,
            body.exporter,
            body.consignee,
            body.end_user,
            body.end_use,
            body.destination,
            body.watch_listed,
        ),
        idempotency_key,
    )
    return _application(app, svc)


@router.get("/applications", tags=["applications"])
def list_applications(
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:read"))],
    page: Annotated[Page, Depends(page_of)],
    response: Response,
    state: AppState | None = None,
) -> list[dict[str, Any]]:
    svc = _apps(request, session, actor)
    apps = svc.apps.page(page.after, page.limit, [state.value] if state else None)
    return paginated(request, response, page, _applications(apps, svc))


@router.get("/applications/deadlines", tags=["applications"])
def deadlines(
    clock: AppClock,
    request: Request,
    response: Response,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:read"))],
    within: Annotated[int, Query(ge=0, le=365)] = 10,
    as_of: Day | None = None,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> list[dict[str, Any]]:
    """Open applications overdue or due within ``within`` working days, the most urgent first
    (``?offset=&limit=`` pages through them)."""
    svc = _apps(request, session, actor)
    rows = [
        {
            "id": a.id,
            "reference": a.reference,
            "state": a.state,
            "due": d.due,
            "working_days_left": left,
            "overdue": left < 0,
            "reason": d.reason,
        }
        for a, d, left in svc.due(as_of or clock.today(), within, offset, limit)
    ]
    if len(rows) == limit:
        following = request.url.include_query_params(offset=offset + limit, limit=limit)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return rows


@router.get("/applications/{application_id}", tags=["applications"])
def get_application(
    application_id: Id,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:read"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    return _application(svc.get(application_id), svc)


@router.patch("/applications/{application_id}", tags=["applications"])
def edit_application(
    application_id: Id,
    body: ApplicationEdit,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:write"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    changes = body.model_dump(exclude={"version"}, exclude_none=True)
    app = svc.edit(application_id, changes, body.version)
    return _application(app, svc)


@router.post("/applications/{application_id}/items", tags=["applications"], status_code=201)
def add_item(
    application_id: Id,
    body: ItemIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:write"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    svc.add_item(
        application_id,
        NewItem(body.part_id, body.description, body.control_code, body.quantity, body.value),
        body.version,
    )
    return _application(svc.get(application_id), svc)


@router.post("/applications/{application_id}/documents", tags=["applications"], status_code=201)
def upload_document(
    application_id: Id,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:write"))],
    kind: Annotated[Document, Form()],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    content = file.file.read()  # a plain function: database work must not block the loop
    row = svc.add_document(
        application_id,
        kind,
        file.filename or "document",
        file.content_type or "application/octet-stream",
        content,
    )
    return {"id": row.id, "kind": row.kind, "sha256": row.sha256, "size": row.size}


@router.post("/applications/{application_id}/transitions", tags=["applications"])
def transition(
    application_id: Id,
    body: TransitionIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:transition"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    app = svc.transition(
        application_id,
        body.action,
        on=body.on,
        expected_version=body.version,
        pause_reason=body.pause_reason,
    )
    return _application(app, svc)


@router.post("/applications/{application_id}/licence", tags=["licences"], status_code=201)
def issue_licence(
    application_id: Id,
    body: LicenceIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("licences:write"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    svc.issue_licence(
        application_id,
        body.number,
        LicenceTerms(
            body.licence_type,
            body.valid_from,
            body.valid_until,
            body.quantity,
            body.value,
            tuple(body.end_users),
        ),
    )
    return svc.balance_of(application_id)


@router.get("/applications/{application_id}/licence", tags=["licences"])
def licence_balance(
    application_id: Id,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:read"))],
) -> dict[str, Any]:
    return _apps(request, session, actor).balance_of(application_id)


@router.post("/applications/{application_id}/shipments", tags=["licences"], status_code=201)
def record_shipment(
    application_id: Id,
    body: ShipmentIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("shipments:write"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    svc.record_shipment(
        application_id, Draw(body.shipped_on, body.quantity, body.value), body.report
    )
    return svc.balance_of(application_id)


@router.post("/applications/{application_id}/amendments", tags=["licences"], status_code=201)
def request_amendment(
    application_id: Id,
    body: AmendmentIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("shipments:write"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    row = svc.request_amendment(application_id, dict(body.changes), body.on)
    deadline = svc.amendment_deadline(row)
    return {
        "id": row.id,
        "state": row.state,
        "changes": row.changes,
        "due": deadline.due,
        "reason": deadline.reason,
    }


@router.post("/applications/{application_id}/amendments/{amendment_id}/decision", tags=["licences"])
def decide_amendment(
    application_id: Id,
    amendment_id: Id,
    body: AmendmentDecisionIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("licences:write"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    row = svc.decide_amendment(application_id, amendment_id, body.approve, body.on)
    return {"id": row.id, "state": row.state, **svc.balance_of(application_id)}


# ------------------------------------------------------------------ audit


AUDIT_COLUMNS = [
    "seq",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "note",
    "rulebook_sha256",
    "prev_hash",
    "hash",
]
SPOOL_BYTES = 8 * 1024 * 1024  # a CSV export larger than this is spooled to a temporary file


def _spooled_csv(
    rows: Iterable[dict[str, Any]], columns: list[str]
) -> tempfile.SpooledTemporaryFile[bytes]:
    """``rows`` as CSV in memory up to :data:`SPOOL_BYTES`, then on disk; read from the start.
    The caller closes it (a streamed response does, when it is sent)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b")  # noqa: SIM115
    try:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.DictWriter(text, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        text.flush()
        text.detach()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


@router.get(
    "/audit",
    tags=["audit"],
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
    description=(
        "The organisation's audit events in chain order. As JSON, a page of them "
        "(`?after=SEQ&limit=N`, with a `Link` header to the next page). As CSV, an export of "
        "every matching event after `after`, read in batches."
    ),
)
def audit_log(
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("audit:read"))],
    page: Annotated[Page, Depends(page_of)],
    entity: Text | None = None,
    entity_id: Text | None = None,
    action: Text | None = None,
    fmt: Annotated[str, Query(alias="format", pattern="^(json|csv)$")] = "json",
) -> Response:
    filters = {"entity": entity, "entity_id": entity_id, "action": action}
    if fmt == "csv":
        spool = _spooled_csv(
            audit_service.export_all(session, actor.org_id, page.after, **filters), AUDIT_COLUMNS
        )

        def chunks() -> Iterator[bytes]:
            with spool:
                while chunk := spool.read(64 * 1024):
                    yield chunk

        return StreamingResponse(
            chunks(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
    events = audit_service.export(
        session, actor.org_id, after=page.after, limit=page.limit, **filters
    )
    response = Response(json.dumps(events, default=str), media_type="application/json")
    paginated(request, response, page, events, key="seq")
    return response


@router.get("/audit/verify", tags=["audit"])
def audit_verify(
    session: DbSession, actor: Annotated[Actor, Depends(require("audit:read"))]
) -> dict[str, Any]:
    problems = audit_service.verify(session, actor.org_id)
    return {"intact": not problems, "problems": [str(p) for p in problems]}
