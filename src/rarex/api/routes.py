"""HTTP routes. Each parses the request, calls one service, and renders the answer."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse

from rarex.api.errors import Unauthorised
from rarex.api.schemas import (
    AmendmentDecisionIn,
    AmendmentIn,
    ApplicationEdit,
    ApplicationIn,
    AssessmentIn,
    ItemIn,
    LicenceIn,
    Login,
    PartyIn,
    ShipmentIn,
    TokenRequest,
    TransitionIn,
)
from rarex.api.security import (
    AppClock,
    Caller,
    DbSession,
    caller,
    clock_of,
    end_session,
    require,
    start_session,
)
from rarex.api.uploads import import_limits, safe_name, saved_uploads
from rarex.cli.render import measure_json
from rarex.core.licences import Draw, LicenceTerms
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import Shipment
from rarex.core.vocab import Status
from rarex.core.workflow import Document
from rarex.io.storage.tables import Application, Party, User
from rarex.reports.render import render_document
from rarex.services import accounts
from rarex.services import audit as audit_service
from rarex.services.accounts import Actor
from rarex.services.applications import ApplicationService, NewApplication, NewItem, snapshot
from rarex.services.datasets import DatasetService
from rarex.services.errors import Invalid
from rarex.services.screening import ScreeningService, application_screening

router = APIRouter()


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
    )


def _application(app: Application, svc: ApplicationService) -> dict[str, Any]:
    deadline = svc.deadline(app)
    return {
        "id": app.id,
        **snapshot(app),
        "submitted_on": app.submitted_on,
        "decided_on": app.decided_on,
        "deadline": {
            "due": deadline.due,
            "provisional": deadline.provisional,
            "reason": deadline.reason,
            "paused_working_days": deadline.paused_working_days,
        },
        "items": [
            {
                "part_id": i.part_id,
                "description": i.description,
                "control_code": i.control_code,
                "quantity": str(i.quantity),
                "value": str(i.value),
            }
            for i in svc.items(app.id)
        ],
        "documents": [
            {"id": d.id, "kind": d.kind, "filename": d.filename, "sha256": d.sha256, "size": d.size}
            for d in svc.apps.documents(app.id)
        ],
        "screening": application_screening(svc.session, app.org_id, app.id),
    }


# ------------------------------------------------------------------ health and accounts


@router.get("/health", tags=["meta"])
def health(request: Request) -> dict[str, str]:
    return {"status": "ok", "rulebook_sha256": _rulebook(request).sha256}


@router.post("/auth/login", tags=["accounts"])
def login(body: Login, request: Request, response: Response, session: DbSession) -> dict[str, Any]:
    user = accounts.authenticate(session, body.email, body.password)
    if user is None:
        raise Unauthorised("invalid_credentials", "wrong e-mail or password")
    csrf = start_session(request, response, user.id)
    return {"email": user.email, "role": user.role, "csrf_token": csrf}


@router.post("/auth/logout", tags=["accounts"])
def logout(response: Response, who: Annotated[Caller, Depends(caller)]) -> dict[str, str]:
    end_session(response)
    return {"status": "logged out"}


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
    as_of: date | None = None,
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
    as_of: date | None = None,
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
    name: Annotated[str, Form(min_length=1, max_length=200)],
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
    clock: AppClock, session: DbSession, actor: Annotated[Actor, Depends(require("data:read"))]
) -> list[dict[str, Any]]:
    return [
        {
            "id": v.id,
            "name": v.name,
            "version": v.version,
            "sha256": v.sha256,
            "parts": v.part_count,
            "edges": v.edge_count,
            "created_at": v.created_at,
        }
        for v in DatasetService(session, actor, clock.now).versions()
    ]


@router.get("/datasets/{version_id}", tags=["assessments"])
def get_dataset(
    clock: AppClock,
    version_id: int,
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
    assessment_id: int,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:read"))],
) -> dict[str, Any]:
    row = DatasetService(session, actor, clock.now).assessment(assessment_id)
    return {"id": row.id, "version_id": row.version_id, **row.result}


@router.get("/assessments/{assessment_id}/replay", tags=["assessments"])
def replay_assessment(
    clock: AppClock,
    assessment_id: int,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:read"))],
) -> dict[str, Any]:
    """Run a stored assessment again on its own data version and compare the outcomes."""
    return DatasetService(session, actor, clock.now).replay(assessment_id, _rulebook(request))


@router.get(
    "/assessments/{assessment_id}/report", tags=["assessments"], response_class=HTMLResponse
)
def assessment_report(
    clock: AppClock,
    assessment_id: int,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("data:read"))],
    fmt: Annotated[str, Query(alias="format", pattern="^(html|md)$")] = "html",
) -> Response:
    row = DatasetService(session, actor, clock.now).assessment(assessment_id)
    text = render_document(row.result, _rulebook(request), fmt)
    if fmt == "md":
        return PlainTextResponse(text, media_type="text/markdown")
    return HTMLResponse(text)


@router.get("/parties", tags=["parties"])
def list_parties(
    session: DbSession, actor: Annotated[Actor, Depends(require("data:read"))]
) -> list[dict[str, Any]]:
    rows = session.query(Party).filter(Party.org_id == actor.org_id).order_by(Party.id).all()
    return [
        {
            "id": p.id,
            "name": p.name,
            "country": p.country,
            "kind": p.kind,
            "identifiers": p.identifiers,
        }
        for p in rows
    ]


@router.post("/parties", tags=["parties"], status_code=201)
def add_party(
    clock: AppClock,
    body: PartyIn,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("parties:write"))],
) -> dict[str, Any]:
    party = Party(
        org_id=actor.org_id,
        name=body.name,
        country=body.country,
        kind=body.kind,
        identifiers=body.identifiers,
        created_at=clock.now(),
    )
    session.add(party)
    session.flush()
    return {"id": party.id, "name": party.name, "country": party.country, "kind": party.kind}


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
    state: str | None = None,
) -> list[dict[str, Any]]:
    svc = _apps(request, session, actor)
    return [_application(a, svc) for a in svc.apps.list([state] if state else None)]


@router.get("/applications/deadlines", tags=["applications"])
def deadlines(
    clock: AppClock,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:read"))],
    within: Annotated[int, Query(ge=0, le=365)] = 10,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    svc = _apps(request, session, actor)
    return [
        {
            "id": a.id,
            "reference": a.reference,
            "state": a.state,
            "due": d.due,
            "working_days_left": left,
            "overdue": left < 0,
            "reason": d.reason,
        }
        for a, d, left in svc.due(as_of or clock.today(), within)
    ]


@router.get("/applications/{application_id}", tags=["applications"])
def get_application(
    application_id: int,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:read"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    return _application(svc.get(application_id), svc)


@router.patch("/applications/{application_id}", tags=["applications"])
def edit_application(
    application_id: int,
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
    application_id: int,
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
    application_id: int,
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
    application_id: int,
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
    application_id: int,
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
    application_id: int,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("applications:read"))],
) -> dict[str, Any]:
    return _apps(request, session, actor).balance_of(application_id)


@router.post("/applications/{application_id}/shipments", tags=["licences"], status_code=201)
def record_shipment(
    application_id: int,
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
    application_id: int,
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
    application_id: int,
    amendment_id: int,
    body: AmendmentDecisionIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("licences:write"))],
) -> dict[str, Any]:
    svc = _apps(request, session, actor)
    row = svc.decide_amendment(application_id, amendment_id, body.approve, body.on)
    return {"id": row.id, "state": row.state, **svc.balance_of(application_id)}


# ------------------------------------------------------------------ audit


@router.get("/audit", tags=["audit"])
def audit_log(
    session: DbSession,
    actor: Annotated[Actor, Depends(require("audit:read"))],
    entity: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    fmt: Annotated[str, Query(alias="format", pattern="^(json|csv)$")] = "json",
) -> Response:
    events = audit_service.export(
        session, actor.org_id, entity=entity, entity_id=entity_id, action=action
    )
    if fmt == "csv":
        buffer = io.StringIO()
        columns = [
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
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(events)
        return PlainTextResponse(buffer.getvalue(), media_type="text/csv")
    return Response(json.dumps(events, default=str), media_type="application/json")


@router.get("/audit/verify", tags=["audit"])
def audit_verify(
    session: DbSession, actor: Annotated[Actor, Depends(require("audit:read"))]
) -> dict[str, Any]:
    problems = audit_service.verify(session, actor.org_id)
    return {"intact": not problems, "problems": [str(p) for p in problems]}
