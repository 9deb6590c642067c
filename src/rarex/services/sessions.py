"""Browser logins: throttled attempts and sessions stored on the server.

- **Throttling.** After ``free_failures`` failed attempts on one account in a row (within the
  window, since its last success), each further attempt waits twice as long as the one before,
  up to ``max_delay``; an address gets ``address_free_failures`` across all accounts. While an
  account or address waits, even the right password is refused with the time it may retry
  (``LoginThrottled``). Failed, refused and successful logins of known accounts go into the
  organisation's audit trail.
- **Sessions.** The cookie carries a random token; only its sha256 is stored. A session ends
  when it expires, when its user logs out (that session) or ends all of their sessions, or
  when the user is deactivated. Each session has its own CSRF token, which the server keeps:
  no cookie holds it, so no script can read it from one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from rarex.io.storage import repositories as repo
from rarex.io.storage.tables import LoginAttempt, LoginSession, User
from rarex.services import accounts
from rarex.services.errors import ServiceError


class LoginThrottled(ServiceError):
    """Too many failed logins for the account or the address: retry after ``until``."""

    def __init__(self, until: datetime, now: datetime) -> None:
        self.retry_after = max(1, int((until - now).total_seconds() + 0.999))
        super().__init__(
            "login_throttled",
            f"too many failed logins; try again in {self.retry_after} s "
            f"(after {until:%Y-%m-%d %H:%M:%S} UTC)",
        )


@dataclass(frozen=True)
class Throttle:
    free_failures: int = 5
    address_free_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)

    def wait_until(self, failures: int, last: datetime | None, free: int) -> datetime | None:
        """When the next attempt may come after ``failures`` in a row, the last at ``last``."""
        if last is None or failures < free:
            return None
        delay: timedelta = self.first_delay * 2 ** min(failures - free, 20)
        until: datetime = last + min(delay, self.max_delay)
        return until


@dataclass(frozen=True)
class Login:
    user: User
    token: str
    csrf: str
    expires_at: datetime


def log_in(
    session: Session,
    email: str,
    password: str,
    address: str,
    now: datetime,
    lifetime: timedelta,
    throttle: Throttle = Throttle(),
) -> Login | None:
    """A new session for the right password; ``None`` for a wrong one; ``LoginThrottled``
    while the account or the address must wait. Every attempt is recorded."""
    email = email.strip().lower()
    address = address[:64]
    known = repo.user_by_email(session, email)
    until = _waiting(session, throttle, now, email=email, address=address)
    if until is not None:
        _audit(session, known, now, "login.refused", f"throttled until {until.isoformat()}")
        raise LoginThrottled(until, now)
    user = accounts.authenticate(session, email, password)
    session.add(LoginAttempt(email=email, address=address, at=now, succeeded=user is not None))
    if user is None:
        _audit(session, known, now, "login.failed", f"from {address}")
        session.flush()
        return None
    token = secrets.token_urlsafe(32)
    row = LoginSession(
        user_id=user.id,
        token_hash=_digest(token),
        csrf=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + lifetime,
        revoked_at=None,
    )
    session.add(row)
    _audit(session, user, now, "login", f"from {address}")
    session.flush()
    return Login(user, token, row.csrf, row.expires_at)


def session_of(session: Session, token: str, now: datetime) -> tuple[User, LoginSession] | None:
    """The active user and session of a cookie token, or ``None``."""
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def end_session(session: Session, token: str, now: datetime) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _digest(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def end_all_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every open session of the user; returns how many there were."""
    open_ids = session.scalars(
        select(LoginSession.id).where(
            LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)
        )
    ).all()
    session.execute(
        update(LoginSession).where(LoginSession.id.in_(open_ids)).values(revoked_at=now)
    )
    _audit(session, session.get(User, user_id), now, "logout.everywhere", f"{len(open_ids)} ended")
    return len(open_ids)


def _waiting(
    session: Session, throttle: Throttle, now: datetime, *, email: str, address: str
) -> datetime | None:
    """The latest time the account or the address must wait until, if any."""
    by_account = _failures(session, LoginAttempt.email == email, throttle, now)
    by_address = _failures(session, LoginAttempt.address == address, throttle, now)
    waits = [
        throttle.wait_until(*by_account, throttle.free_failures),
        throttle.wait_until(*by_address, throttle.address_free_failures),
    ]
    pending = [w for w in waits if w is not None and w > now]
    return max(pending) if pending else None


def _failures(
    session: Session, who: ColumnElement[bool], throttle: Throttle, now: datetime
) -> tuple[int, datetime | None]:
    """Failed attempts in a row (since the last success, within the window) and the last one."""
    since = now - throttle.window
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            who, LoginAttempt.succeeded, LoginAttempt.at > since
        )
    )
    start = max(since, _aware(last_success)) if last_success is not None else since
    count, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            who,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > start,
        )
    ).one()
    return int(count), _aware(last) if last is not None else None


def _audit(session: Session, user: User | None, now: datetime, action: str, note: str) -> None:
    if user is None:
        return
    repo.AuditLog(session, user.org_id).append(
        at=now,
        actor=user.email,
        action=action,
        entity="user",
        entity_id=str(user.id),
        before=None,
        after=None,
        rulebook_sha256="",
        note=note,
    )


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone columns; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
