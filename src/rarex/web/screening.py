"""Screening results: each list's freshness, every screened party's newest result with its
explained hits and ownership flags, reviewer decisions, a file of parties screened in the
background with a progress bar, and re-screening with the report of what changed."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarex.api.errors import STATUS
from rarex.api.schemas import Text
from rarex.api.screening_routes import screening_for
from rarex.api.security import DbSession, clock_of
from rarex.api.uploads import error_lines, import_limits, safe_name, saved_uploads
from rarex.core.screening import Verdict
from rarex.io.importers import InputInvalid
from rarex.io.screening_inputs import read_parties_csv
from rarex.services.errors import ServiceError
from rarex.services.screening import Reviewed, ScreeningService
from rarex.services.screening_jobs import Jobs
from rarex.web.base import PageRoute, Viewer, check_csrf, need, page

router = APIRouter(route_class=PageRoute)
Reader = Annotated[Viewer, Depends(need("screening:read"))]
LIST_LABEL = {
    "CN-CONTROL-LIST": "Control List",
    "CN-WATCH-LIST": "Watch List",
    "CN-UNRELIABLE-ENTITY-LIST": "Unreliable Entity List",
}


def _rows(svc: ScreeningService) -> list[Reviewed]:
    """The newest result of every screened party, those needing review first."""
    rows = svc.reviewed()
    rows.sort(
        key=lambda r: (
            -(r.to_review + r.confirmed + len(r.result.ownership)),
            r.party.name.casefold(),
        )
    )
    return rows


def _page(
    request: Request,
    svc: ScreeningService,
    who: Viewer,
    *,
    notice: str | None = None,
    errors: list[str] | None = None,
    changes: list[Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    today = clock_of(request).today()
    return page(
        request,
        "screening.html.j2",
        who,
        status_code,
        lists=svc.lists.freshness(today),
        rows=_rows(svc),
        runs=svc.runs(10),
        list_label=LIST_LABEL,
        notice=notice,
        errors=errors or [],
        changes=changes,
        verdicts=list(Verdict),
    )


@router.get("/screening", response_class=HTMLResponse)
def screening_page(request: Request, session: DbSession, who: Reader) -> HTMLResponse:
    return _page(request, screening_for(request, session, who.actor), who)


@router.post("/screening/decisions", response_class=HTMLResponse)
def record_decision(
    request: Request,
    session: DbSession,
    who: Annotated[Viewer, Depends(need("screening:decide"))],
    party_id: Annotated[int, Form()],
    entry_key: Annotated[Text, Form(max_length=600)],
    verdict: Annotated[Verdict, Form()],
    reason: Annotated[Text, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(who, csrf_token)
    svc = screening_for(request, session, who.actor)
    try:
        svc.decide(party_id, entry_key, verdict, reason)
    except ServiceError as exc:
        session.rollback()
        status = next((s for t, s in STATUS.items() if isinstance(exc, t)), 400)
        return _page(request, svc, who, errors=[exc.message], status_code=status)
    return RedirectResponse(f"/screening#party-{party_id}", status_code=303)


@router.post("/screening/file", response_class=HTMLResponse)
def screen_file(
    request: Request,
    session: DbSession,
    who: Annotated[Viewer, Depends(need("screening:run"))],
    file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Screen a CSV of parties in the background; the job page shows its progress."""
    check_csrf(who, csrf_token)
    svc = screening_for(request, session, who.actor)
    try:
        with saved_uploads({"parties": file}, safe_name) as paths:
            queries = read_parties_csv(paths["parties"], import_limits(request))
    except InputInvalid as exc:
        return _page(request, svc, who, errors=error_lines(exc), status_code=422)
    state = request.app.state
    jobs: Jobs = state.screening_jobs
    job = jobs.start(
        partial(
            ScreeningService,
            actor=who.actor,
            rulebook=state.rulebook,
            matcher=state.matcher,
            now=clock_of(request).now,
            cache=state.screener_cache,
        ),
        who.actor.org_id,
        queries,
        clock_of(request).today(),
    )
    return RedirectResponse(f"/screening/jobs/{job.id}", status_code=303)


@router.get("/screening/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: str, request: Request, who: Reader) -> HTMLResponse:
    jobs: Jobs = request.app.state.screening_jobs
    return page(request, "screening_job.html.j2", who, job=jobs.get(who.actor.org_id, job_id))


@router.post("/screening/rescreen", response_class=HTMLResponse)
def rescreen(
    request: Request,
    session: DbSession,
    who: Annotated[Viewer, Depends(need("screening:run"))],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    check_csrf(who, csrf_token)
    svc = screening_for(request, session, who.actor)
    try:
        report = svc.rescreen(clock_of(request).today())
    except ServiceError as exc:
        session.rollback()
        return _page(request, svc, who, errors=[exc.message], status_code=422)
    notice = f"Re-screened {report.parties} parties (run {report.run.id})."
    return _page(request, svc, who, notice=notice, changes=report.changes)
