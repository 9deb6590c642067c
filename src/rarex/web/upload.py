"""Upload a workbook or parts and BOM CSV files, assess them for a shipment, and show the
answer. Bad input is listed by file, row, field and reason, and nothing is stored."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarex.api.schemas import Text
from rarex.api.security import DbSession, clock_of
from rarex.api.uploads import error_lines, given, import_limits, safe_name, saved_uploads
from rarex.core.verdict import Shipment
from rarex.core.vocab import EndUse, EndUserType
from rarex.io.importers import COUNTRIES, InputInvalid
from rarex.services.datasets import DatasetService
from rarex.services.errors import ServiceError
from rarex.web.base import PageRoute, Viewer, check_csrf, need, page, rulebook_of

router = APIRouter(route_class=PageRoute)

Writer = Annotated[Viewer, Depends(need("data:write"))]


def _form(
    request: Request,
    who: Viewer,
    values: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    defaults = {
        "name": "",
        "as_of": clock_of(request).today().isoformat(),
        "export_from": "",
        "destination": "",
        "end_user": "",
        "end_user_type": EndUserType.UNKNOWN.value,
        "end_use": EndUse.UNKNOWN.value,
    }
    return page(
        request,
        "upload.html.j2",
        who,
        status_code,
        values={**defaults, **(values or {})},
        errors=errors or [],
        end_user_types=list(EndUserType),
        end_uses=list(EndUse),
    )


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, who: Writer) -> HTMLResponse:
    return _form(request, who)


def _country(value: str, label: str, errors: list[str]) -> str | None:
    code = value.strip().upper()
    if not code:
        return None
    if code not in COUNTRIES:
        errors.append(f"{label}: {value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


@router.post("/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    session: DbSession,
    who: Annotated[Viewer, Depends(need("assessments:run"))],
    name: Annotated[Text, Form(max_length=200)],
    as_of: Annotated[date, Form()],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    export_from: Annotated[str, Form(max_length=2)] = "",
    destination: Annotated[str, Form(max_length=2)] = "",
    end_user: Annotated[Text, Form(max_length=300)] = "",
    end_user_type: Annotated[EndUserType, Form()] = EndUserType.UNKNOWN,
    end_use: Annotated[EndUse, Form()] = EndUse.UNKNOWN,
    workbook: Annotated[UploadFile | None, File()] = None,
    parts: Annotated[UploadFile | None, File()] = None,
    bom: Annotated[UploadFile | None, File()] = None,
) -> Response:
    check_csrf(who, csrf_token)
    values = {
        "name": name,
        "as_of": as_of.isoformat(),
        "export_from": export_from,
        "destination": destination,
        "end_user": end_user,
        "end_user_type": end_user_type.value,
        "end_use": end_use.value,
    }
    errors: list[str] = []
    files = {"workbook": given(workbook), "parts": given(parts), "bom": given(bom)}
    if not name.strip():
        errors.append("Name: give the data set a name")
    if (files["workbook"] is None) == (files["parts"] is None):
        errors.append("Files: upload a workbook (.xlsx), or a parts CSV file (and a BOM CSV file)")
    shipment = Shipment(
        _country(export_from, "Exported from", errors),
        _country(destination, "Destination", errors),
        end_user.strip() or None,
        end_user_type,
        end_use,
    )
    if errors:
        return _form(request, who, values, errors, 422)
    datasets = DatasetService(session, who.actor, clock_of(request).now)
    try:
        with saved_uploads(files, safe_name) as paths:
            version = datasets.import_files(name.strip(), limits=import_limits(request), **paths)
            row = datasets.assess(version.id, rulebook_of(request), as_of, shipment, None, {})
    except InputInvalid as exc:
        session.rollback()
        return _form(request, who, values, error_lines(exc), 422)
    except ServiceError as exc:
        session.rollback()
        return _form(request, who, values, [exc.message], 422)
    return RedirectResponse(f"/assessments/{row.id}", status_code=303)
