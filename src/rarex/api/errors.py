"""The one table that maps domain errors to HTTP. Every error body is
``{"error": {"code": ..., "message": ..., "field": ...}}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rarex.core.rulebook import UnknownReference
from rarex.io.importers import InputInvalid
from rarex.services.errors import Conflict, Forbidden, Invalid, NotFoundError, ServiceError
from rarex.services.sessions import LoginThrottled

STATUS: dict[type[ServiceError], int] = {
    Forbidden: 403,
    NotFoundError: 404,
    Conflict: 409,
    Invalid: 422,
}


class Unauthorised(ServiceError):
    """No valid session or token."""


class CsrfRefused(ServiceError):
    """A cookie-authenticated write without the matching CSRF token."""


STATUS[Unauthorised] = 401
STATUS[CsrfRefused] = 403
STATUS[LoginThrottled] = 429


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """Every error the API answers with."""

    error: ErrorDetail


def _declared(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# The errors every route may answer with, declared in the OpenAPI document.
RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _declared("Not logged in, or the token is unknown or revoked"),
    403: _declared("The caller's role may not do this, or the CSRF token is missing"),
    404: _declared("No such resource in the caller's organisation"),
    409: _declared("A concurrent change won (stale version) or a duplicate"),
    413: _declared("The request body is larger than the server accepts"),
    422: _declared("The request does not satisfy the schema or the domain rules"),
    503: _declared("The database was busy; retry"),
}


def body(code: str, message: str, field: str | None = None, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def install(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(_: Request, exc: ServiceError) -> JSONResponse:
        status = next((s for t, s in STATUS.items() if isinstance(exc, t)), 400)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, LoginThrottled) else None
        return JSONResponse(
            body(exc.code, exc.message, exc.field), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
        return JSONResponse(
            body(
                "invalid_request",
                str(first.get("msg", "invalid request")),
                field or None,
                details=[
                    {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
                    for e in errors
                ],
            ),
            status_code=422,
        )

    @app.exception_handler(InputInvalid)
    async def _input(_: Request, exc: InputInvalid) -> JSONResponse:
        first = exc.errors[0]
        return JSONResponse(
            body(
                "invalid_input",
                str(first),
                first.column or None,
                details=[
                    {"file": e.file, "row": e.row, "field": e.column, "message": e.reason}
                    for e in exc.errors
                ],
            ),
            status_code=422,
        )

    @app.exception_handler(UnknownReference)
    async def _unknown(_: Request, exc: UnknownReference) -> JSONResponse:
        return JSONResponse(body("unknown_reference", str(exc)), status_code=404)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        return JSONResponse(
            body("conflict", "the change conflicts with a concurrent one; reload and retry"),
            status_code=409,
        )

    @app.exception_handler(OperationalError)
    async def _busy(_: Request, exc: OperationalError) -> JSONResponse:
        return JSONResponse(
            body("database_busy", "the database could not complete the request; retry"),
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(body(code, str(exc.detail)), status_code=exc.status_code)
