"""A fresh database per test: SQLite by default, PostgreSQL when RAREX_TEST_DATABASE_URL is set
(the CI script starts a real server and sets it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from rarex.io.storage.db import make_engine, upgrade


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("RAREX_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'rarex.db'}"
        return
    engine = make_engine(url)
    _reset(engine)
    engine.dispose()
    yield url
    engine = make_engine(url)
    _reset(engine)
    engine.dispose()


def _reset(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
