"""Engines, sessions and the unit of work. SQLite and PostgreSQL differences live here only.

The default database is the SQLite file ``./rarex.db`` in WAL mode; ``RAREX_DATABASE_URL``
selects PostgreSQL (``postgresql+psycopg://…``). Repositories never commit: the caller owns
the transaction through ``unit_of_work``, which commits on success and rolls back on error.
The sessions of a factory carry the audit key the entry point gives it (``audit_key_of``), so
that every service that audits keys the chain with it; the key is never stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError as AlembicError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from rarex.core.audit import AuditKey

DEFAULT_URL = "sqlite:///./rarex.db"


def make_engine(url: str = DEFAULT_URL) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


_AUDIT_KEY = "rarex.audit_key"


def session_factory(engine: Engine, audit_key: AuditKey | None = None) -> sessionmaker[Session]:
    """Sessions on ``engine`` whose audit events are keyed with ``audit_key`` (bare without)."""
    return sessionmaker(engine, expire_on_commit=False, info={_AUDIT_KEY: audit_key})


def audit_key_of(session: Session) -> AuditKey | None:
    key = session.info.get(_AUDIT_KEY)
    return key if isinstance(key, AuditKey) else None


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back if it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def database(url: str, audit_key: AuditKey | None = None) -> Iterator[sessionmaker[Session]]:
    """A session factory on ``url`` whose engine (and its pooled connections) is closed after."""
    engine = make_engine(url)
    try:
        yield session_factory(engine, audit_key)
    finally:
        engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("rarex.io.storage") / "migrations")
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the latest by default)."""
    command.upgrade(alembic_config(url), revision)


UPGRADE = "Run `rarex db upgrade` to create or migrate it."


class DatabaseNotReady(Exception):
    """The database is missing, unreachable or not at the latest schema; nothing was changed."""

    def __init__(self, where: str, problem: str, remedy: str = UPGRADE) -> None:
        self.where = where
        self.problem = problem
        self.remedy = remedy
        super().__init__(f"{problem}: {where}. {remedy}")


def describe(url: str) -> str:
    """The database a URL names, for messages: the absolute file of SQLite, no password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return f"{url} (the file {Path(str(parsed.database)).resolve()})"
    return parsed.render_as_string(hide_password=True)


def check_ready(url: str) -> None:
    """Raise ``DatabaseNotReady`` unless ``url`` is a database at the latest migration.

    The check creates nothing: a missing SQLite file is reported, not made, and the schema is
    only read.
    """
    where = describe(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database
        if name in (None, "", ":memory:"):
            raise DatabaseNotReady(
                where,
                "an in-memory database holds no workspace",
                "Set RAREX_DATABASE_URL to a database file or server.",
            )
        if not Path(str(name)).is_file():
            raise DatabaseNotReady(where, "the database does not exist")
    script = ScriptDirectory.from_config(alembic_config(url))
    heads = set(script.get_heads())
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        raise DatabaseNotReady(
            where,
            f"cannot open the database: {reason}",
            "Check RAREX_DATABASE_URL and that the database server is running.",
        ) from None
    finally:
        engine.dispose()
    if not current:
        raise DatabaseNotReady(where, "the database has no rarex schema")
    if current != heads:
        if not all(_known(script, revision) for revision in current):
            raise DatabaseNotReady(
                where,
                f"the schema is at revision {', '.join(sorted(current))}, which this version "
                "of rarex does not know (a newer rarex migrated it)",
                "Use the rarex that migrated it, or a newer one.",
            )
        raise DatabaseNotReady(
            where,
            f"the schema is at revision {', '.join(sorted(current))}, not the latest "
            f"({', '.join(sorted(heads))})",
        )


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except AlembicError:
        return False
