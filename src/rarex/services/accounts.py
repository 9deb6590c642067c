"""Organisations, users (argon2-hashed passwords) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarex.core.workflow import Role
from rarex.io.storage import repositories as repo
from rarex.io.storage.tables import ApiToken, User
from rarex.services.errors import Conflict, Invalid

_hasher = PasswordHasher()
MIN_PASSWORD = 10


@dataclass(frozen=True)
class Actor:
    """Who is acting: every service call is scoped to the actor's organisation."""

    user_id: int
    org_id: int
    email: str
    role: Role


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.org_id, user.email, Role(user.role))


def add_user(
    session: Session,
    *,
    organisation: str,
    email: str,
    name: str,
    role: Role,
    password: str,
    now: datetime,
    by: str = "rarex users add",
) -> User:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            "weak_password", f"a password has at least {MIN_PASSWORD} characters", "password"
        )
    email = email.strip().lower()
    if "@" not in email:
        raise Invalid("invalid_email", f"not an e-mail address: {email!r}", "email")
    if repo.user_by_email(session, email) is not None:
        raise Conflict("user_exists", f"a user {email} already exists", "email")
    org = repo.organisation_by_name(session, organisation) or repo.add_organisation(
        session, organisation, now
    )
    user = User(
        org_id=org.id,
        email=email,
        name=name,
        password_hash=_hasher.hash(password),
        role=role.value,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    repo.AuditLog(session, org.id).append(
        at=now,
        actor=by,
        action="user.added",
        entity="user",
        entity_id=str(user.id),
        before=None,
        after={"email": email, "role": role.value},
        rulebook_sha256="",
    )
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = repo.user_by_email(session, email)
    if user is None or not user.active:
        _hasher.hash(password)  # same work either way, so timing does not reveal accounts
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def issue_token(session: Session, user: User, label: str, now: datetime) -> str:
    """A new bearer token; only its sha256 is stored, the token is shown once."""
    token = "rx_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id, token_hash=_digest(token), label=label, created_at=now, revoked_at=None
        )
    )
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
