"""The list and deadline endpoints under load, at 10^4 applications per organisation, on
PostgreSQL, side by side with the same server at an earlier revision in one run.

    scripts/with-postgres .venv/bin/python benchmarks/load_lists.py \\
        [--applications 10000] [--organisations 2] [--clients 10] [--seconds 60] \\
        [--workers 2 ...] [--baseline-rev REV]

1. Migrates the database, then fills each organisation directly (bulk inserts, not the API):
   ``--applications`` applications in every state (a tenth drafts, a tenth submitted, most
   accepted or under review on days spread over the last 70 working days, some with a paused
   and resumed clock, some watch-listed, a quarter decided), each with 1-3 items and the seven
   Art. 16 documents, and as many parties. The stored due dates are worked out once, as the
   server does at start, and the tables are analysed (a database in use has statistics).
2. Starts ``rarex serve`` on a free loopback port and issues a bearer token per client.
3. Runs ``--clients`` concurrent clients (arriving 0.2 s apart, then asking without pause) for
   ``--seconds``; each request is one of: a page of
   applications (``?after=`` a random id, 100 a page), the deadlines due within 10 working days,
   a page of the deadlines due within 45 (a random offset), a page of parties. It reports
   p50/p95/p99 per endpoint and overall, and any status other than 200. It does this with one
   server process and again with each ``--workers`` count (``rarex serve --workers N``).
4. With ``--baseline-rev``, does the same against the server of that git revision (checked out
   into a temporary worktree; it reads the same database, ignoring the newer columns and
   parameters), so that both are measured on the same data, machine and minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(Path(__file__).parent))
from load_api import AUDIT_KEY, free_port, percentile, stop_server, tail

from rarex.core.workflow import Document, Role
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.storage.db import database, unit_of_work, upgrade
from rarex.io.storage.tables import (
    Application,
    ApplicationItem,
    ClockPause,
    DocumentRow,
    Party,
)
from rarex.services import accounts
from rarex.services.applications import refresh_due_dates

ROOT = Path(__file__).parent.parent
TODAY = date(2026, 11, 2)
ENDPOINTS = ("applications page", "deadlines within 10", "deadlines within 45 page", "parties page")


@dataclass
class Sample:
    endpoint: str
    status: int
    seconds: float


def fill(url: str, organisation: str, count: int, rng: random.Random) -> tuple[int, str]:
    """One organisation with ``count`` applications and parties; returns its id and a token."""
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    with database(url) as factory, unit_of_work(factory) as session:
        user = accounts.add_user(
            session,
            organisation=organisation,
            email=f"viewer@{organisation}.example",
            name="viewer",
            role=Role.VIEWER,
            password=secrets.token_urlsafe(18),
            now=now,
        )
        token = accounts.issue_token(session, user, "load", now)
        org_id = user.org_id
        apps = []
        for number in range(count):
            draw = rng.random()
            accepted = TODAY - timedelta(days=rng.randint(0, 100))
            state, accepted_on, decided_on = "under_review", accepted, None
            if draw < 0.1:
                state, accepted_on = "draft", None
            elif draw < 0.2:
                state, accepted_on = "submitted", None
            elif draw < 0.3:
                state = "accepted"
            elif draw < 0.55:
                state, decided_on = "approved", accepted + timedelta(days=40)
            apps.append(
                {
                    "org_id": org_id,
                    "reference": f"LOAD-{number}",
                    "state": state,
                    "lock_version": 1,
                    "exporter": "Exporter Co.",
                    "consignee": "Consignee GmbH",
                    "end_user": f"End user {number}",
                    "end_use": "civil",
                    "destination": "DE",
                    "watch_listed": rng.random() < 0.03,
                    "referred_to_state_council": False,
                    "submitted_on": accepted_on,
                    "accepted_on": accepted_on,
                    "decided_on": decided_on,
                    "idempotency_key": None,
                    "created_by": user.id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        ids = list(session.scalars(insert(Application).returning(Application.id), apps))
        items, documents, pauses = [], [], []
        for app_id, app in zip(ids, apps, strict=True):
            for n in range(rng.randint(1, 3)):
                items.append(
                    {
                        "application_id": app_id,
                        "part_id": f"P-{n}",
                        "description": "part",
                        "control_code": None,
                        "quantity": 1,
                        "value": 100,
                        "assessment_id": None,
                    }
                )
            for kind in Document:
                documents.append(
                    {
                        "org_id": org_id,
                        "application_id": app_id,
                        "kind": kind.value,
                        "filename": f"{kind.value}.pdf",
                        "media_type": "application/pdf",
                        "sha256": "0" * 64,
                        "size": 1,
                        "content": b"x",
                        "uploaded_by": user.id,
                        "uploaded_at": now,
                    }
                )
            if app["state"] == "under_review" and rng.random() < 0.1:
                start = app["accepted_on"] + timedelta(days=5)
                pauses.append(
                    {
                        "application_id": app_id,
                        "start": start,
                        "end": start + timedelta(days=10),
                        "reason": "site_check",
                    }
                )
        session.execute(insert(ApplicationItem), items)
        session.execute(insert(DocumentRow), documents)
        if pauses:
            session.execute(insert(ClockPause), pauses)
        session.execute(
            insert(Party),
            [
                {
                    "org_id": org_id,
                    "name": f"Party {n}",
                    "country": "DE",
                    "kind": "end_user",
                    "identifiers": {},
                    "created_at": now,
                }
                for n in range(count)
            ],
        )
        refresh_due_dates(session, ChinaCalendar())
        return org_id, token


def request_for(rng: random.Random, count: int) -> tuple[str, str]:
    endpoint = rng.choice(ENDPOINTS)
    if endpoint == "applications page":
        return endpoint, f"/api/applications?limit=100&after={rng.randint(0, count)}"
    if endpoint == "deadlines within 10":
        return endpoint, f"/api/applications/deadlines?within=10&as_of={TODAY}"
    if endpoint == "deadlines within 45 page":
        offset = rng.randint(0, 20) * 100
        return endpoint, f"/api/applications/deadlines?within=45&as_of={TODAY}&offset={offset}"
    return endpoint, f"/api/parties?limit=100&after={rng.randint(0, count)}"


async def load(
    base_url: str, tokens: list[str], clients: int, seconds: float, count: int, timeout: float
) -> list[Sample]:
    samples: list[Sample] = []
    stop = time.monotonic() + seconds

    async def client(number: int) -> None:
        rng = random.Random(number)
        headers = {"Authorization": f"Bearer {tokens[number % len(tokens)]}"}
        # Clients arrive 0.2 s apart, as users do. Ten keep-alive connections opened in the
        # same instant would all be accepted by one of several server processes (each is woken,
        # the first takes them all) and stay there.
        await asyncio.sleep(number * 0.2)
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout) as http:
            while time.monotonic() < stop:
                endpoint, path = request_for(rng, count)
                started = time.perf_counter()
                try:
                    status = (await http.get(path)).status_code
                except httpx.HTTPError:
                    status = 0
                samples.append(Sample(endpoint, status, time.perf_counter() - started))

    await asyncio.gather(*(client(n) for n in range(clients)))
    return samples


def table(samples: list[Sample]) -> list[dict[str, Any]]:
    rows = []
    for endpoint in (*ENDPOINTS, "overall"):
        chosen = [s for s in samples if endpoint in ("overall", s.endpoint)]
        if not chosen:
            continue
        answered = sorted(s.seconds * 1000 for s in chosen if s.status == 200)
        statuses: dict[int, int] = defaultdict(int)
        for s in chosen:
            statuses[s.status] += 1
        rows.append(
            {
                "endpoint": endpoint,
                "requests": len(chosen),
                "ok": len(answered),
                "p50_ms": round(percentile(answered, 50), 1),
                "p95_ms": round(percentile(answered, 95), 1),
                "p99_ms": round(percentile(answered, 99), 1),
                "statuses": dict(statuses),
            }
        )
    return rows


def serve(
    source: Path, url: str, log: Path, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "RAREX_DATABASE_URL": url,
        "RAREX_SECRET_KEY": secrets.token_urlsafe(48),
        "RAREX_AUDIT_KEY": AUDIT_KEY,
        "PYTHONPATH": str(source),
    }
    command = [sys.executable, "-m", "rarex", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    with log.open("wb") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(480):
        if server.poll() is not None:
            raise SystemExit(f"the server exited:\n{tail(log, 30)}")
        try:
            if httpx.get(base_url + "/api/health", timeout=2).status_code == 200:
                return server, base_url
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    stop_server(server)
    raise SystemExit(f"the server did not start:\n{tail(log, 30)}")


def measure(
    name: str,
    source: Path,
    url: str,
    args: argparse.Namespace,
    tokens: list[str],
    work: Path,
    workers: int = 1,
) -> list[dict[str, Any]]:
    server, base_url = serve(source, url, work / f"{name}.log", workers)
    try:
        samples = asyncio.run(
            load(base_url, tokens, args.clients, args.seconds, args.applications, args.timeout)
        )
    finally:
        stop_server(server)
    rows = table(samples)
    print(f"\n{name}: {args.clients} clients, {args.seconds:.0f} s")
    print("| endpoint | requests | 200 | p50 ms | p95 ms | p99 ms | statuses |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['endpoint']} | {r['requests']} | {r['ok']} | {r['p50_ms']} | {r['p95_ms']} "
            f"| {r['p99_ms']} | {r['statuses']} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=2)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request (s)")
    parser.add_argument(
        "--workers",
        type=int,
        nargs="*",
        default=[2],
        help="also measure this revision with this many server processes (rarex serve --workers)",
    )
    parser.add_argument("--baseline-rev", default=None, help="also measure this git revision")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    url = os.environ.get("RAREX_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("run under scripts/with-postgres (RAREX_TEST_DATABASE_URL)")
    upgrade(url)
    rng = random.Random(1)
    started = time.perf_counter()
    tokens = [fill(url, f"org{n}", args.applications, rng)[1] for n in range(args.organisations)]
    # Bulk-loaded tables have no planner statistics until autovacuum gets to them (a minute or
    # more); a database in use has them. Without, PostgreSQL scans whole tables.
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("ANALYZE"))
    print(
        f"filled {args.organisations} x {args.applications} applications "
        f"in {time.perf_counter() - started:.0f} s"
    )
    work = Path(tempfile.mkdtemp(prefix="rarex-load-lists-"))
    figures = {"this": measure("this revision", ROOT / "src", url, args, tokens, work)}
    for workers in args.workers:
        name = f"this revision, {workers} worker processes"
        figures[name] = measure(name, ROOT / "src", url, args, tokens, work, workers)
    if args.baseline_rev:
        tree = work / "baseline"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.baseline_rev],
            check=True,
            capture_output=True,
        )
        try:
            figures["baseline"] = measure(
                f"baseline {args.baseline_rev}", tree / "src", url, args, tokens, work
            )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"\nserver logs in {work}")


if __name__ == "__main__":
    main()
