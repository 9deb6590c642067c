"""The exposure page: for a stored dataset version as of a day, how long each licensed input
lasts against the licence lead time, the revenue at risk (statutory day, refusal, Monte
Carlo), supply concentration, the case of the suspended October-2025 measures resuming, and
the US duty overlay; and the upload of the version's sales and inventory files."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarex.api.schemas import MAX_ID, Day
from rarex.api.security import DbSession, clock_of
from rarex.api.uploads import error_lines, given, import_limits, safe_name, saved_uploads
from rarex.core.exposure_analysis import resumption_assumptions
from rarex.io.importers import InputInvalid
from rarex.services.commercial import CommercialService
from rarex.services.datasets import DatasetService
from rarex.services.stored_exposure import newest_version, stored_exposure
from rarex.web.base import PageRoute, Viewer, check_csrf, need, page, rulebook_of
from rarex.web.exposure_charts import revenue_chart, runway_chart

router = APIRouter(route_class=PageRoute)

Reader = Annotated[Viewer, Depends(need("data:read"))]
Writer = Annotated[Viewer, Depends(need("data:write"))]


def _render(
    request: Request,
    session: DbSession,
    who: Viewer,
    version_id: int | None,
    as_of: date | None,
    resume_on: date | None,
    *,
    upload_errors: list[str] | None = None,
    stored: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    today = clock_of(request).today()
    day = as_of or today
    datasets = DatasetService(session, who.actor, clock_of(request).now)
    version = datasets.version(version_id) if version_id is not None else newest_version(datasets)
    context: dict[str, Any] = {
        "day": day,
        "versions": sorted(datasets.versions(), key=lambda v: -v.id),
        "version": version,
        "resume_on": resume_on,
        "resume_default": resume_on or today + timedelta(days=1),
        "upload_errors": upload_errors or [],
        "stored": stored,
        "view": None,
        "data_errors": [],
    }
    if version is None:
        return page(request, "exposure.html.j2", who, status_code, **context)
    rulebook = rulebook_of(request)
    assumed, assumed_by = resumption_assumptions(rulebook)
    context |= {"assumed": sorted(assumed), "assumed_by": assumed_by}
    try:
        view = stored_exposure(
            datasets,
            rulebook,
            request.app.state.calendar,
            version.id,
            day,
            resume_on=resume_on,
        )
    except InputInvalid as exc:
        context["data_errors"] = [str(e) for e in exc.errors]
        return page(request, "exposure.html.j2", who, status_code, **context)
    exposure = view.report.exposure
    low, high = view.reported
    return page(
        request,
        "exposure.html.j2",
        who,
        status_code,
        **{
            **context,
            "view": view,
            "exposure": exposure,
            "runway": runway_chart(exposure.items, view.report.lead_time, low, high),
            "revenue": revenue_chart(exposure.risks, exposure.simulation, view.summary.currency),
            "simulated": {p.part_id: p for p in exposure.simulation.products}
            if exposure.simulation is not None
            else {},
            "sources": rulebook.sources,
        },
    )


@router.get("/exposure", response_class=HTMLResponse)
def exposure_page(
    request: Request,
    session: DbSession,
    who: Reader,
    version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    as_of: Day | None = None,
    resume_on: Day | None = None,
    stored: bool = False,
) -> HTMLResponse:
    return _render(request, session, who, version, as_of, resume_on, stored=stored)


@router.post("/exposure/commercial", response_class=HTMLResponse)
def upload_commercial(
    request: Request,
    session: DbSession,
    who: Writer,
    version_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    sales: Annotated[UploadFile | None, File()] = None,
    inventory: Annotated[UploadFile | None, File()] = None,
) -> Response:
    check_csrf(who, csrf_token)
    files = {"sales": given(sales), "inventory": given(inventory)}
    if all(f is None for f in files.values()):
        return _render(
            request,
            session,
            who,
            version_id,
            None,
            None,
            upload_errors=["Files: choose a sales file, an inventory file or both"],
            status_code=422,
        )
    service = CommercialService(
        DatasetService(session, who.actor, clock_of(request).now), clock_of(request).now
    )
    try:
        with saved_uploads(files, safe_name) as paths:
            service.import_files(version_id, limits=import_limits(request), **paths)
    except InputInvalid as exc:
        session.rollback()
        return _render(
            request,
            session,
            who,
            version_id,
            None,
            None,
            upload_errors=error_lines(exc),
            status_code=422,
        )
    return RedirectResponse(f"/exposure?version={version_id}&stored=true#upload", status_code=303)
