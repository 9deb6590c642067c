"""Who is calling, and may they? Session cookies (pages), bearer tokens (scripts), CSRF on
cookie-authenticated writes, and one permission table for the role x endpoint matrix."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session, sessionmaker

from rarex.api.errors import CsrfRefused, Unauthorised
from rarex.clock import Clock
from rarex.core.workflow import Role
from rarex.io.storage.db import unit_of_work
from rarex.io.storage.tables import User
from rarex.services import accounts
from rarex.services.accounts import Actor, actor_of
from rarex.services.errors import Forbidden

SESSION_COOKIE = "rarex_session"
CSRF_COOKIE = "rarex_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_ALL = frozenset(Role)
_ANALYSTS = frozenset({Role.ANALYST, Role.ADMIN})
_APPLICANTS = frozenset({Role.APPLICANT, Role.ADMIN})
_REVIEWERS = frozenset({Role.REVIEWER, Role.ADMIN})

# The role x permission table; every guarded route names one permission.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "rules:read": _ALL,
    "data:read": _ALL,
    "data:write": _ANALYSTS,
    "assessments:run": _ANALYSTS,
    "parties:write": _ANALYSTS | _APPLICANTS,
    "applications:read": _ALL,
    "applications:write": _APPLICANTS,
    "applications:transition": _APPLICANTS | _REVIEWERS,
    "licences:write": _REVIEWERS,
    "shipments:write": _APPLICANTS,
    "audit:read": _REVIEWERS,
    "tokens:write": _ALL,
    "screening:read": _ALL,
    "screening:run": _ANALYSTS | _APPLICANTS | _REVIEWERS,
    "screening:decide": _REVIEWERS,
    "lists:write": _ANALYSTS,
}


def clock_of(request: Request) -> Clock:
    """The app's one clock, which the app factory builds from the settings."""
    clock: Clock = request.app.state.clock
    return clock


AppClock = Annotated[Clock, Depends(clock_of)]


@dataclass(frozen=True)
class Caller:
    actor: Actor
    via: str  # "token" or "session"


class Sessions:
    """Signs and reads session cookies."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="rarex-session")
        self.max_age = max_age_seconds

    def issue(self, user_id: int) -> tuple[str, str]:
        csrf = secrets.token_urlsafe(24)
        return self._serializer.dumps({"uid": user_id, "csrf": csrf}), csrf

    def read(self, cookie: str) -> dict[str, Any] | None:
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None


def db_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    with unit_of_work(factory) as session:
        yield session


# The transaction ends (commits) before the response is sent ("function" scope), so a client
# never sees a 2xx for a change that is not yet visible to its next request. At most as many
# requests wait for a connection as the pool can serve, so waiting requests cannot take all
# worker threads while the ones holding connections need a thread to finish.
DbSession = Annotated[Session, Depends(db_session, scope="function", max_concurrency=10)]


def start_session(request: Request, response: Response, user_id: int) -> str:
    """Set the session and CSRF cookies for ``user_id``; returns the CSRF token."""
    sessions: Sessions = request.app.state.sessions
    cookie, csrf = sessions.issue(user_id)
    secure = request.url.scheme == "https"
    for name, value, httponly in ((SESSION_COOKIE, cookie, True), (CSRF_COOKIE, csrf, False)):
        response.set_cookie(
            name, value, httponly=httponly, samesite="lax", secure=secure, max_age=sessions.max_age
        )
    return csrf


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


def session_user(request: Request, session: Session) -> tuple[User, str] | None:
    """The active user of the request's session cookie and the session's CSRF token."""
    cookie = request.cookies.get(SESSION_COOKIE)
    data = request.app.state.sessions.read(cookie) if cookie else None
    if data is None:
        return None
    user = session.get(User, data.get("uid"))
    if user is None or not user.active:
        return None
    return user, str(data.get("csrf", ""))


def csrf_matches(sent: str, expected: str) -> bool:
    return bool(expected) and secrets.compare_digest(sent.encode(), expected.encode())


def caller(request: Request, session: DbSession) -> Caller:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = accounts.user_for_token(session, header[7:].strip())
        if user is None:
            raise Unauthorised("invalid_token", "the API token is not valid")
        return Caller(actor_of(user), "token")
    found = session_user(request, session)
    if found is None:
        raise Unauthorised("not_authenticated", "log in or send an API token")
    user, csrf = found
    if request.method not in SAFE_METHODS and not csrf_matches(
        request.headers.get(CSRF_HEADER, ""), csrf
    ):
        raise CsrfRefused(
            "csrf_failed",
            f"cookie-authenticated writes need the {CSRF_HEADER} header from the login response",
        )
    return Caller(actor_of(user), "session")


def require(permission: str) -> Callable[..., Actor]:
    """A dependency that lets through only the roles of ``permission``."""
    roles = PERMISSIONS[permission]

    def dependency(who: Annotated[Caller, Depends(caller)]) -> Actor:
        if who.actor.role not in roles:
            raise Forbidden(
                "forbidden_role", f"role {who.actor.role.value} may not use this ({permission})"
            )
        return who.actor

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
