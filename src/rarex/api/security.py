"""Who is calling, and may they? Session cookies (pages), bearer tokens (scripts), CSRF on
cookie-authenticated writes, and one permission table for the role x endpoint matrix."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session, sessionmaker

from rarex.api.errors import CsrfRefused, Unauthorised
from rarex.clock import Clock
from rarex.core.workflow import Role
from rarex.io.storage.db import unit_of_work
from rarex.io.storage.tables import User
from rarex.services import accounts
from rarex.services import sessions as sessions_service
from rarex.services.accounts import Actor, actor_of
from rarex.services.errors import Forbidden
from rarex.services.sessions import Login

SESSION_COOKIE = "rarex_session"
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
    """Signs the session cookie's token (a forged cookie is refused before any lookup) and
    knows how long a session lasts. The sessions themselves live in the database."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="rarex-session")
        self.max_age = max_age_seconds

    def sign(self, token: str) -> str:
        return self._serializer.dumps(token)

    def token(self, cookie: str) -> str | None:
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:
            return None
        return data if isinstance(data, str) else None


def db_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    with unit_of_work(factory) as session:
        yield session


# The transaction ends (commits) before the response is sent ("function" scope), so a client
# never sees a 2xx for a change that is not yet visible to its next request. At most as many
# requests wait for a connection as the pool can serve, so waiting requests cannot take all
# worker threads while the ones holding connections need a thread to finish.
DbSession = Annotated[Session, Depends(db_session, scope="function", max_concurrency=10)]


def client_address(request: Request) -> str:
    """The caller's address (behind a trusted proxy, the one it forwarded)."""
    return request.client.host if request.client else "unknown"


def log_in(
    request: Request, response: Response, session: Session, email: str, password: str
) -> Login | None:
    """Check the password (throttled) and, if right, start a session and set its cookie."""
    sessions: Sessions = request.app.state.sessions
    login = sessions_service.log_in(
        session,
        email,
        password,
        client_address(request),
        clock_of(request).now(),
        timedelta(seconds=sessions.max_age),
    )
    if login is not None:
        response.set_cookie(
            SESSION_COOKIE,
            sessions.sign(login.token),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https" or request.app.state.behind_tls,
            max_age=sessions.max_age,
        )
    return login


def _cookie_token(request: Request) -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    sessions: Sessions = request.app.state.sessions
    return sessions.token(cookie) if cookie else None


def log_out(request: Request, response: Response, session: Session, everywhere: bool) -> int:
    """End this session (or every session of its user) and clear the cookie."""
    token = _cookie_token(request)
    now = clock_of(request).now()
    ended = 0
    if token is not None:
        found = sessions_service.session_of(session, token, now)
        if everywhere and found is not None:
            ended = sessions_service.end_all_sessions(session, found[0].id, now)
        else:
            sessions_service.end_session(session, token, now)
            ended = 1
    response.delete_cookie(SESSION_COOKIE)
    return ended


def session_user(request: Request, session: Session) -> tuple[User, str] | None:
    """The active user of the request's session cookie and the session's CSRF token."""
    token = _cookie_token(request)
    if token is None:
        return None
    found = sessions_service.session_of(session, token, clock_of(request).now())
    if found is None:
        return None
    user, row = found
    return user, row.csrf


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
