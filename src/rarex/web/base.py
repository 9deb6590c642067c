"""What every dashboard page shares: the templates, who is looking (the API's session cookie),
CSRF on forms, the navigation, and a route class that answers domain errors with an HTML page
(the JSON API under ``/api`` keeps its own error table).

A page is one handler on an ``APIRouter(route_class=PageRoute)`` and one template; its
navigation entry is one line in ``NAV``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined

from rarex.api.errors import STATUS, CsrfRefused
from rarex.api.security import PERMISSIONS, DbSession, clock_of, csrf_matches, session_user
from rarex.core.rulebook import RuleBook, UnknownReference
from rarex.core.vocab import Status
from rarex.reports.render import OUTCOME_LABEL
from rarex.services.accounts import Actor, actor_of
from rarex.services.errors import Forbidden, ServiceError

STATUS_LABEL = {
    Status.IN_FORCE.value: "In force",
    Status.SUSPENDED.value: "Suspended",
    Status.UNCERTAIN.value: "Uncertain",
    Status.NOT_YET_IN_FORCE.value: "Not yet in force",
    Status.EXPIRED.value: "Expired",
}

# Everything a page's HTML may load comes from this server.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True)
class NavEntry:
    path: str
    label: str
    permission: str


NAV: tuple[NavEntry, ...] = (
    NavEntry("/", "Overview", "data:read"),
    NavEntry("/exposure", "Exposure", "data:read"),
    NavEntry("/rules/timeline", "Rules timeline", "rules:read"),
    NavEntry("/applications", "Applications", "applications:read"),
    NavEntry("/screening", "Screening", "screening:read"),
    NavEntry("/upload", "Upload data", "data:write"),
)


@dataclass(frozen=True)
class Viewer:
    """The logged-in user of a page and the CSRF token its forms carry."""

    actor: Actor
    csrf: str

    def may(self, permission: str) -> bool:
        return self.actor.role in PERMISSIONS[permission]


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to the login form."""


def viewer(request: Request, session: DbSession) -> Viewer:
    found = session_user(request, session)
    if found is None:
        raise LoginRequired
    user, csrf = found
    return Viewer(actor_of(user), csrf)


def need(permission: str) -> Callable[..., Viewer]:
    """A dependency that lets through only the roles of ``permission`` (the API's table)."""

    def dependency(who: Annotated[Viewer, Depends(viewer)]) -> Viewer:
        if not who.may(permission):
            raise Forbidden(
                "forbidden_role",
                f"role {who.actor.role.value} may not use this page ({permission})",
            )
        return who

    return dependency


def check_csrf(who: Viewer, token: str) -> None:
    if not csrf_matches(token, who.csrf):
        raise CsrfRefused("csrf_failed", "the form has expired; reload the page and try again")


def rulebook_of(request: Request) -> RuleBook:
    rulebook: RuleBook = request.app.state.rulebook
    return rulebook


def _environment() -> Environment:
    # Every template is HTML (with SVG inside): every value is escaped, whatever the file's
    # name; nothing is marked safe.
    env = Environment(
        loader=PackageLoader("rarex.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["label"] = lambda outcome: OUTCOME_LABEL.get(str(outcome), str(outcome))
    env.filters["status_label"] = lambda status: STATUS_LABEL.get(str(status), str(status))
    env.filters["pct"] = lambda value: "—" if value is None else f"{value:.4%}"
    # a value inside a URL path: every character but letters, digits and "-._~" encoded
    env.filters["segment"] = lambda value: quote(str(value), safe="")
    return env


TEMPLATES = Jinja2Templates(env=_environment())


def page(
    request: Request,
    template: str,
    who: Viewer | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page template with the navigation the viewer's role may use."""
    nav = [n for n in NAV if who is not None and who.may(n.permission)]
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "who": who,
            "nav": nav,
            "path": request.url.path,
            "today": clock_of(request).today(),
            **context,
        },
        status_code=status_code,
    )
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    return page(request, "error.html.j2", None, status_code, title=title, message=message)


class PageRoute(APIRoute):
    """Anonymous visitors go to the login form; domain errors become an HTML page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            except ServiceError as exc:
                status = next((s for t, s in STATUS.items() if isinstance(exc, t)), 400)
                return error_page(request, status, _TITLES.get(status, "Refused"), exc.message)
            except UnknownReference as exc:
                return error_page(request, 404, "Not found", str(exc))
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ()))
                message = f"{where}: {first.get('msg', 'invalid value')}"
                return error_page(request, 422, "Invalid request", message)

        return handler


_TITLES = {403: "Not allowed", 404: "Not found", 409: "Changed meanwhile", 422: "Not accepted"}
