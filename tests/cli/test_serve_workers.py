"""``rarex serve --workers 2``: real server processes on one database, prepared once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from rarex.io.storage.db import database, unit_of_work, upgrade
from rarex.io.storage.tables import Organisation, ScreeningJobRow
from tests.clock import TODAY


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def test_two_worker_processes_serve_one_prepared_database(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    with database(database_url) as factory, unit_of_work(factory) as session:
        created = datetime(2026, 11, 22, tzinfo=UTC)
        org = Organisation(
            name="acme", created_at=created, audit_head_seq=0, audit_head_hash="0" * 64
        )
        session.add(org)
        session.flush()
        session.add(
            ScreeningJobRow(
                id="a" * 32,
                org_id=org.id,
                total=3,
                done=1,
                state="running",
                created_at=created,
            )
        )
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RAREX_")},
        "RAREX_DATABASE_URL": database_url,
        "RAREX_SECRET_KEY": "s" * 40,
        "RAREX_AUDIT_KEY": "a" * 40,
        "RAREX_TODAY": TODAY.isoformat(),
    }
    command = [sys.executable, "-m", "rarex", "serve", "--workers", "2", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        answered = 0
        while answered < 10 and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                url = f"http://127.0.0.1:{port}/api/health"
                with urllib.request.urlopen(url, timeout=2) as response:
                    answered += response.status == 200
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        assert answered == 10
        assert len(_children(server.pid)) >= 2  # the worker processes
    finally:
        server.terminate()
        server.wait(timeout=60)
    with database(database_url) as factory, unit_of_work(factory) as session:
        job = session.scalars(select(ScreeningJobRow)).one()
        # prepared once, before the workers: the job a stopped server left is failed
        assert (job.state, job.done) == ("failed", 1)
