"""A stored assessment: its answers, each product's BOM tree and findings with their
citations, and the report as HTML or PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from rarex.api.schemas import Day, Id
from rarex.api.security import DbSession, clock_of
from rarex.core.rulebook import RuleBook
from rarex.reports.pdf import render_pdf
from rarex.reports.render import render_document, report_headers
from rarex.reports.serialise import assessment_document
from rarex.services.datasets import DatasetService
from rarex.services.errors import NotFoundError
from rarex.web import bom_tree
from rarex.web.base import PageRoute, Viewer, need, page, rulebook_of

router = APIRouter(route_class=PageRoute)

Reader = Annotated[Viewer, Depends(need("data:read"))]


def _datasets(request: Request, session: DbSession, who: Viewer) -> DatasetService:
    return DatasetService(session, who.actor, clock_of(request).now)


def _document(
    datasets: DatasetService, assessment_id: int, rulebook: RuleBook, as_of: date | None
) -> dict[str, Any]:
    """The stored answer, or the same assessment run again as of another day."""
    row = datasets.assessment(assessment_id)
    if as_of is None or as_of == row.as_of:
        return dict(row.result)
    return assessment_document(datasets.rerun(assessment_id, rulebook, as_of), rulebook)


def _instruments(rulebook: RuleBook) -> dict[str, dict[str, str]]:
    return {
        i.id: {
            "title": i.title.en,
            "number": (i.number if isinstance(i.number, str) else i.number.value)
            if i.number
            else "",
        }
        for i in rulebook.instruments.values()
    }


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def assessment_page(
    assessment_id: Id, request: Request, session: DbSession, who: Reader
) -> HTMLResponse:
    datasets = _datasets(request, session, who)
    row = datasets.assessment(assessment_id)
    return page(
        request,
        "assessment.html.j2",
        who,
        assessment_id=assessment_id,
        dataset=datasets.version(row.version_id),
        doc=row.result,
    )


# A part id may hold any character, "/" too: the links encode it, and the route takes the rest
# of the path.
@router.get("/assessments/{assessment_id}/products/{part_id:path}", response_class=HTMLResponse)
def product_page(
    assessment_id: Id,
    part_id: str,
    request: Request,
    session: DbSession,
    who: Reader,
    as_of: Day | None = None,
) -> HTMLResponse:
    rulebook = rulebook_of(request)
    datasets = _datasets(request, session, who)
    row = datasets.assessment(assessment_id)
    doc = _document(datasets, assessment_id, rulebook, as_of)
    product = next((r for r in doc["results"] if r["part_id"] == part_id), None)
    if product is None:
        raise NotFoundError("not_found", f"assessment {assessment_id} has no product {part_id}")
    tree = bom_tree.build(
        part_id,
        datasets.parts(row.version_id),
        datasets.bom(row.version_id),
        product["findings"],
    )
    return page(
        request,
        "product.html.j2",
        who,
        assessment_id=assessment_id,
        dataset=datasets.version(row.version_id),
        doc=doc,
        product=product,
        tree=tree,
        instruments=_instruments(rulebook),
        replayed=doc["as_of"] != row.as_of.isoformat(),
    )


@router.get("/assessments/{assessment_id}/report.html")
def report_html(assessment_id: Id, request: Request, session: DbSession, who: Reader) -> Response:
    row = _datasets(request, session, who).assessment(assessment_id)
    return HTMLResponse(
        render_document(row.result, rulebook_of(request), "html"),
        headers=report_headers(f"rarex-assessment-{assessment_id}.html"),
    )


@router.get("/assessments/{assessment_id}/report.pdf")
def report_pdf(assessment_id: Id, request: Request, session: DbSession, who: Reader) -> Response:
    row = _datasets(request, session, who).assessment(assessment_id)
    return Response(
        render_pdf(row.result, rulebook_of(request)),
        media_type="application/pdf",
        headers=report_headers(f"rarex-assessment-{assessment_id}.pdf"),
    )
