"""Log in and out with the API's session cookie. The login form carries its own
double-submit CSRF token, since there is no session yet to bind one to."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarex.api.security import DbSession, csrf_matches, log_in, log_out
from rarex.services.sessions import LoginThrottled
from rarex.web.base import PageRoute, Viewer, check_csrf, page, viewer

router = APIRouter(route_class=PageRoute)

LOGIN_CSRF_COOKIE = "rarex_login_csrf"


def safe_next(target: str | None) -> str:
    """Only a path on this server: never an absolute or scheme-relative URL."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _login_form(
    request: Request, target: str, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = page(
        request, "login.html.j2", None, status_code, next=target, error=error, login_csrf=token
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=3600, path="/login"
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_form(request, safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = safe_next(next)
    if not csrf_matches(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        return _login_form(request, target, "The form had expired; please try again.", 403)
    response = RedirectResponse(target, status_code=303)
    try:
        login = log_in(request, response, session, email, password)
    except LoginThrottled as exc:
        return _login_form(request, target, f"Too many failed logins: {exc.message}.", 429)
    if login is None:
        return _login_form(request, target, "Wrong e-mail or password.", 401)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(
    request: Request,
    session: DbSession,
    who: Annotated[Viewer, Depends(viewer)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    everywhere: Annotated[bool, Form()] = False,
) -> Response:
    """Log out of this session, or (``everywhere``) of every session of the user."""
    check_csrf(who, csrf_token)
    response = RedirectResponse("/login", status_code=303)
    log_out(request, response, session, everywhere)
    return response
