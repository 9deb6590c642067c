"""A load benchmark of the HTTP API on a real PostgreSQL server, with lost-update checks.

    scripts/with-postgres .venv/bin/python benchmarks/load_api.py [--clients 50] [--seconds 120]

``scripts/with-postgres`` starts a throwaway PostgreSQL server and exports
``RAREX_TEST_DATABASE_URL``; this script refuses to run without it. It then:

1. migrates that database (``rarex db upgrade``) and adds one organisation with one applicant and
   one reviewer per client (through the account service, argon2 and all);
2. starts the real server as a subprocess (``rarex serve`` on a free loopback port, a random
   ``RAREX_SECRET_KEY`` and ``RAREX_AUDIT_KEY``), waits for ``GET /api/health``, logs every user in
   (``POST /api/auth/login``) and issues each a bearer token (``POST /api/auth/tokens``);
3. runs ``--clients`` concurrent clients (asyncio + httpx, loopback only) for ``--seconds``.
   Each loops: create an application with an ``Idempotency-Key`` (every fifth create is sent
   twice: the replay must return the same application), add 1-3 items, upload the 7 documents
   of the Art. 16 checklist, submit; then, as the client's reviewer, accept, start_review and
   approve. Every ``--race-every``-th client first races two concurrent
   ``PATCH /api/applications/{id}`` with the same ``version``: exactly one must win (200), the
   other must get 409. Items and transitions send the version the client expects (each upload
   moves it on by one), so a lost or extra update shows up as an unexpected 409. No flow
   starts after ``--seconds``; running flows finish; ``--max-flows`` bounds the flows per
   client;
4. reports the requests, throughput, p50/p95/p99 latency per request kind and overall, and the
   statuses (any 5xx or transport error is a failure; 409 is expected only from race losers);
5. verifies that no update was lost: every application a client moved to ``approved`` is approved
   in the database with the version, items and documents (kind and sha256) the client sent;
   every other application is in the state the client last saw; each race has exactly one winner
   whose value is stored; replays created nothing; the audit chain verifies
   (``GET /api/audit/verify``); and the audit events match, by action and by application, the
   successful operations (created, edited, item_added, document_added, one per transition).

If no request completes for ``--stall-seconds`` while some are in flight, the run stops: it
records who waits for whom in PostgreSQL (``pg_stat_activity``, ``pg_blocking_pids``) and the
server's thread stacks (the server runs with ``PYTHONFAULTHANDLER=1`` and gets SIGABRT), and
reports the stall as a failure. The server is stopped at the end, also on errors. Its log and
a JSON file with every figure are kept in a temporary directory whose path is printed.

Exit status: 0 when every check passes, 1 when one fails, 2 when the setup fails.
Timings on a small machine are noisy (the clients, the server and PostgreSQL share its cores):
read the medians and percentiles, not single runs.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarex.core.audit import AuditKey
from rarex.core.workflow import Action, Document, Role
from rarex.io.storage.db import database, unit_of_work
from rarex.io.storage.tables import Application, ApplicationItem, AuditEvent, DocumentRow
from rarex.services import accounts
from rarex.services import audit as audit_service

RAREX = Path(sys.executable).with_name("rarex")
AUDIT_KEY = secrets.token_urlsafe(48)  # the server's and this script's, for this run only
KINDS = (
    "create",
    "create_replay",
    "patch_race",
    "add_item",
    "upload_document",
    "submit",
    "accept",
    "start_review",
    "approve",
)
REVIEW_STEPS = (Action.ACCEPT, Action.START_REVIEW, Action.APPROVE)
NO_RESPONSE = 0  # transport error or timeout
CANCELLED = -1  # still in flight when the run was stopped


class SetupError(RuntimeError):
    pass


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Sample:
    kind: str
    status: int
    seconds: float
    expected: bool


@dataclass(frozen=True)
class Failure:
    kind: str
    method: str
    path: str
    status: int
    at_seconds: float
    request: str
    response: str


@dataclass
class Race:
    values: tuple[str, str]
    statuses: tuple[int, int]
    winner: str | None = None
    loser_reason: str | None = None


@dataclass
class Flow:
    client: int
    index: int
    key: str
    app_id: int | None = None
    version: int = 0
    state: str = ""
    items_sent: int = 0
    documents: list[tuple[str, str]] = field(default_factory=list)
    race: Race | None = None
    replayed: bool = False
    completed: bool = False
    uncertain: bool = False  # a request of this flow got no answer: its outcome is unknown
    events: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class User:
    email: str
    password: str
    role: Role
    token: str = ""


@dataclass(frozen=True)
class Client:
    number: int
    applicant: str
    reviewer: str
    races: bool


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


class Recorder:
    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self.failures: list[Failure] = []
        self.problems: list[str] = []
        self.in_flight = 0
        self.t0 = time.monotonic()
        self.last_progress = self.t0
        self.last_done = self.t0

    def start(self) -> None:
        self.t0 = self.last_progress = self.last_done = time.monotonic()


@dataclass
class Run:
    http: httpx.AsyncClient
    recorder: Recorder
    stop: asyncio.Event
    deadline: float
    max_flows: int
    today: str
    flows: list[Flow] = field(default_factory=list)
    stalled: bool = False


# ------------------------------------------------------------------ requests


async def call(
    run: Run,
    kind: str,
    method: str,
    path: str,
    *,
    token: str,
    expect: frozenset[int],
    flow: Flow | None = None,
    json_body: dict[str, Any] | None = None,
    data: dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response | None:
    """One timed request. Returns the response, or None if no answer came."""
    rec = run.recorder
    sent_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
    rec.in_flight += 1
    start = time.perf_counter()
    response: httpx.Response | None = None
    try:
        response = await run.http.request(
            method, path, headers=sent_headers, json=json_body, data=data, files=files
        )
        status, text = response.status_code, response.text
    except httpx.HTTPError as exc:
        status, text = NO_RESPONSE, f"{type(exc).__name__}: {exc}"
    except asyncio.CancelledError:
        _record(run, kind, method, path, CANCELLED, time.perf_counter() - start, expect, "", "")
        if flow is not None:
            flow.uncertain = True
        raise
    finally:
        rec.in_flight -= 1
    elapsed = time.perf_counter() - start
    rec.last_progress = time.monotonic()
    described = json.dumps(json_body) if json_body is not None else json.dumps(data or {})
    _record(run, kind, method, path, status, elapsed, expect, described, text)
    if status == NO_RESPONSE and flow is not None:
        flow.uncertain = True
    return response


def _record(
    run: Run,
    kind: str,
    method: str,
    path: str,
    status: int,
    elapsed: float,
    expect: frozenset[int],
    request: str,
    response: str,
) -> None:
    rec = run.recorder
    expected = status in expect
    rec.samples.append(Sample(kind, status, elapsed, expected))
    if status != CANCELLED:
        rec.last_done = time.monotonic()
    if not expected:
        rec.failures.append(
            Failure(
                kind,
                method,
                path,
                status,
                round(time.monotonic() - rec.t0, 3),
                request[:500],
                response[:2000],
            )
        )


# ------------------------------------------------------------------ the client's work


async def client_loop(run: Run, client: Client) -> None:
    index = 0
    while not run.stop.is_set() and time.monotonic() < run.deadline and index < run.max_flows:
        flow = Flow(client.number, index, f"load-{client.number}-{index}-{uuid.uuid4().hex}")
        run.flows.append(flow)
        await one_flow(run, client, flow)
        index += 1


async def one_flow(run: Run, client: Client, flow: Flow) -> None:
    ok201 = frozenset({201})
    body = {
        "reference": f"LOAD-{client.number}-{flow.index}",
        "exporter": f"Exporter {client.number}",
        "consignee": "Consignee GmbH",
        "end_user": "End User GmbH",
        "end_use": "civil",
        "destination": "DE",
    }
    idem = {"Idempotency-Key": flow.key}
    response = await call(
        run,
        "create",
        "POST",
        "/api/applications",
        token=client.applicant,
        expect=ok201,
        flow=flow,
        json_body=body,
        headers=idem,
    )
    if response is None or response.status_code != 201:
        return
    created = response.json()
    flow.app_id, flow.version, flow.state = created["id"], created["version"], created["state"]
    flow.events["application.created"] += 1
    path = f"/api/applications/{flow.app_id}"

    if flow.index % 5 == 0:
        response = await call(
            run,
            "create_replay",
            "POST",
            "/api/applications",
            token=client.applicant,
            expect=ok201,
            flow=flow,
            json_body=body,
            headers=idem,
        )
        if response is None or response.status_code != 201:
            return
        flow.replayed = True
        replay = response.json()
        if replay["id"] != flow.app_id or replay["version"] != flow.version:
            run.recorder.problems.append(
                f"idempotent replay of {flow.key} returned application {replay['id']} "
                f"v{replay['version']}, not {flow.app_id} v{flow.version}"
            )
            return

    if client.races and not await race(run, client, flow, path):
        return

    for n in range(1 + flow.index % 3):
        response = await call(
            run,
            "add_item",
            "POST",
            f"{path}/items",
            token=client.applicant,
            expect=ok201,
            flow=flow,
            json_body={
                "version": flow.version,
                "part_id": f"P-{client.number}-{flow.index}-{n}",
                "description": "load-test item",
                "control_code": "1C902.a",
                "quantity": str(10 + n),
                "value": "1000.50",
            },
        )
        if response is None or response.status_code != 201:
            return
        flow.items_sent += 1
        flow.events["application.item_added"] += 1
        flow.version = response.json()["version"]

    for kind in Document:
        content = secrets.token_bytes(512 + secrets.randbelow(3584))
        response = await call(
            run,
            "upload_document",
            "POST",
            f"{path}/documents",
            token=client.applicant,
            expect=ok201,
            flow=flow,
            data={"kind": kind.value},
            files={"file": (f"{kind.value}.pdf", content, "application/pdf")},
        )
        if response is None or response.status_code != 201:
            return
        digest = hashlib.sha256(content).hexdigest()
        flow.documents.append((kind.value, digest))
        flow.events["application.document_added"] += 1
        flow.version += 1  # each upload moves the application's version on
        if response.json().get("sha256") != digest:
            run.recorder.problems.append(f"{path}: document {kind.value} stored another sha256")

    steps = [(Action.SUBMIT, client.applicant)] + [(a, client.reviewer) for a in REVIEW_STEPS]
    for action, token in steps:
        response = await call(
            run,
            action.value,
            "POST",
            f"{path}/transitions",
            token=token,
            expect=frozenset({200}),
            flow=flow,
            json_body={"action": action.value, "on": run.today, "version": flow.version},
        )
        if response is None or response.status_code != 200:
            return
        moved = response.json()
        flow.version, flow.state = moved["version"], moved["state"]
        flow.events[f"application.{action.value}"] += 1
    flow.completed = flow.state == "approved"


async def race(run: Run, client: Client, flow: Flow, path: str) -> bool:
    """Two PATCHes with the same version at once: exactly one may win."""
    values = (f"Exporter A {flow.key}", f"Exporter B {flow.key}")
    base = flow.version

    async def patch(value: str) -> httpx.Response | None:
        return await call(
            run,
            "patch_race",
            "PATCH",
            path,
            token=client.applicant,
            expect=frozenset({200, 409}),
            flow=flow,
            json_body={"version": base, "exporter": value},
        )

    first, second = await asyncio.gather(patch(values[0]), patch(values[1]))
    responses = (first, second)
    statuses = (
        first.status_code if first else NO_RESPONSE,
        second.status_code if second else NO_RESPONSE,
    )
    flow.race = Race(values, statuses)
    winners = [i for i in (0, 1) if statuses[i] == 200]
    flow.events["application.edited"] += len(winners)
    if sorted(statuses) != [200, 409]:
        run.recorder.problems.append(
            f"race on {path} (version {base}): statuses {statuses}, not one 200 and one 409"
        )
        return False
    won, lost = responses[winners[0]], responses[1 - winners[0]]
    assert won is not None and lost is not None
    flow.race.winner = values[winners[0]]
    message = str(lost.json().get("error", {}).get("message", ""))
    flow.race.loser_reason = (
        "pre-check" if "is at version" in message else "row lock + versioned UPDATE"
    )
    flow.version = won.json()["version"]
    return True


async def watchdog(run: Run, stall_seconds: float) -> None:
    """Stop the run when nothing completes for ``stall_seconds`` while requests are in flight."""
    rec = run.recorder
    while not run.stop.is_set():
        await asyncio.sleep(0.5)
        if rec.in_flight == 0:
            rec.last_progress = time.monotonic()
        elif time.monotonic() - rec.last_progress > stall_seconds:
            run.stalled = True
            run.stop.set()


# ------------------------------------------------------------------ setup


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def add_users(url: str, organisation: str, clients: int, run_id: str) -> tuple[int, list[User]]:
    """One applicant and one reviewer per client, in one organisation (the account service)."""
    from datetime import UTC, datetime

    users: list[User] = []
    org_id = 0
    with database(url, AuditKey(AUDIT_KEY)) as factory, unit_of_work(factory) as session:
        for n in range(clients):
            for role in (Role.APPLICANT, Role.REVIEWER):
                user = User(
                    f"{role.value}{n}.{run_id}@load.example", secrets.token_urlsafe(18), role
                )
                row = accounts.add_user(
                    session,
                    organisation=organisation,
                    email=user.email,
                    name=f"{role.value} {n}",
                    role=role,
                    password=user.password,
                    now=datetime.now(UTC),
                )
                org_id = row.org_id
                users.append(user)
    return org_id, users


async def issue_tokens(base_url: str, users: list[User]) -> list[User]:
    """Log each user in (session cookie + CSRF token), then POST /api/auth/tokens."""
    gate = asyncio.Semaphore(4)

    async def one(user: User) -> User:
        async with gate, httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            login = await http.post(
                "/api/auth/login", json={"email": user.email, "password": user.password}
            )
            if login.status_code != 200:
                raise SetupError(f"login of {user.email}: {login.status_code} {login.text}")
            issued = await http.post(
                "/api/auth/tokens",
                json={"label": "load benchmark"},
                headers={"X-CSRF-Token": login.json()["csrf_token"]},
            )
            if issued.status_code != 201:
                raise SetupError(f"token for {user.email}: {issued.status_code} {issued.text}")
            return User(user.email, user.password, user.role, issued.json()["token"])

    return list(await asyncio.gather(*(one(u) for u in users)))


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [str(RAREX), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as sink:
        return subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)


async def wait_healthy(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as http:
        for _ in range(240):
            if server.poll() is not None:
                raise SetupError(f"the server exited ({server.returncode}):\n{tail(log, 30)}")
            try:
                if (await http.get("/api/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.25)
    raise SetupError(f"the server did not answer GET /api/health within 60 s:\n{tail(log, 30)}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 20.0), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        server.send_signal(sig)
        try:
            server.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ------------------------------------------------------------------ diagnostics of a stall


def lock_waits(url: str) -> list[str]:
    """Who waits for whom in the database right now."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    query = """
        SELECT pid, pg_blocking_pids(pid), state, coalesce(wait_event_type, ''),
               coalesce(wait_event, ''),
               round(extract(epoch FROM now() - xact_start)::numeric, 1),
               left(regexp_replace(query, '\\s+', ' ', 'g'), 150)
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND backend_type = 'client backend'
        ORDER BY xact_start NULLS LAST"""
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
            rows = conn.execute(query).fetchall()
    except psycopg.Error as exc:
        return [f"could not query pg_stat_activity: {exc}"]
    out = ["pid  blocked_by  state  wait  xact_age_s  query"]
    out += [f"{r[0]}  {r[1]}  {r[2]}  {r[3]}:{r[4]}  {r[5]}  {r[6]}" for r in rows]
    return out


def dump_server_stacks(server: subprocess.Popen[bytes], log: Path) -> list[str]:
    """SIGABRT the server (it runs with PYTHONFAULTHANDLER=1) and summarise its thread stacks."""
    if server.poll() is not None:
        return ["the server had already exited"]
    server.send_signal(signal.SIGABRT)
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        return ["the server did not dump its stacks within 15 s"]
    text = log.read_text(errors="replace")
    start = text.rfind("Fatal Python error")
    if start < 0:
        return ["no faulthandler dump in the server log"]
    blocks = re.split(r"\n(?=(?:Current thread|Thread) 0x)", text[start:])
    summary: Counter[str] = Counter()
    loop_stack: list[str] = []
    for block in blocks[1:]:
        frames = re.findall(r'File "([^"]+)", line (\d+) in (\S+)', block)
        if not frames:
            continue
        own = [f"{Path(f).name}:{line} {fn}" for f, line, fn in frames if "/rarex/" in f]
        innermost = f"{Path(frames[0][0]).name}:{frames[0][1]} {frames[0][2]}"
        if any("asyncio/base_events.py" in f or "uvicorn/server.py" in f for f, _, _ in frames):
            loop_stack = [f"  {Path(f).name}:{line} {fn}" for f, line, fn in frames[:40]]
        elif own:
            summary[f"innermost {innermost}; rarex frames {' <- '.join(own[:4])}"] += 1
        else:
            summary[f"idle: innermost {innermost}"] += 1
    out = ["event-loop thread (most recent call first):", *loop_stack, "other threads:"]
    out += [f"  {count} x {what}" for what, count in summary.most_common()]
    return out


def first_traceback(log: Path) -> str:
    """The first exception traceback in the server log, if any (a 5xx)."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            end = i + 1
            while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
                end += 1
            block = lines[max(0, i - 2) : end + 1]
            return "\n".join([*block[:6], "  ...", *block[-24:]] if len(block) > 30 else block)
    return ""


def server_errors_by_type(log: Path) -> dict[str, int]:
    """The exceptions the server logged (the last line of each traceback), counted."""
    text = log.read_text(errors="replace") if log.exists() else ""
    # psycopg's own errors appear again, wrapped, as sqlalchemy.exc.*: count those
    found = re.findall(r"^(sqlalchemy[\w.]*: .{0,120}|[A-Z]\w+Error: .{0,120})", text, re.M)
    return dict(Counter(line.split(" (Background")[0] for line in found).most_common())


# ------------------------------------------------------------------ report


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def latency_table(samples: list[Sample]) -> list[dict[str, Any]]:
    rows = []
    answered = [s for s in samples if s.status > 0]
    for kind in (*KINDS, "overall"):
        chosen = answered if kind == "overall" else [s for s in answered if s.kind == kind]
        if not chosen:
            continue
        ordered = sorted(s.seconds * 1000 for s in chosen)
        rows.append(
            {
                "kind": kind,
                "requests": len(chosen),
                "p50_ms": round(percentile(ordered, 50), 1),
                "p95_ms": round(percentile(ordered, 95), 1),
                "p99_ms": round(percentile(ordered, 99), 1),
                "max_ms": round(ordered[-1], 1),
            }
        )
    return rows


def audit_counts(session: Session, org_id: int) -> dict[str, Counter[str]]:
    """The organisation's audit events counted by entity ("application:7") and action."""
    events: dict[str, Counter[str]] = {}
    for entity, entity_id, action, n in session.execute(
        select(AuditEvent.entity, AuditEvent.entity_id, AuditEvent.action, func.count())
        .where(AuditEvent.org_id == org_id)
        .group_by(AuditEvent.entity, AuditEvent.entity_id, AuditEvent.action)
    ).all():
        events.setdefault(f"{entity}:{entity_id}", Counter())[action] += n
    return events


def audit_baseline(url: str, org_id: int) -> dict[str, Counter[str]]:
    with database(url, AuditKey(AUDIT_KEY)) as factory, unit_of_work(factory) as session:
        return audit_counts(session, org_id)


def verify(
    url: str,
    org_id: int,
    flows: list[Flow],
    http_verdict: dict[str, Any] | None,
    baseline: dict[str, Counter[str]],
) -> list[Check]:
    """Compare what the clients did with what the database holds."""
    checks: list[Check] = []
    with database(url, AuditKey(AUDIT_KEY)) as factory, unit_of_work(factory) as session:
        apps = {
            a.id: a
            for a in session.scalars(select(Application).where(Application.org_id == org_id))
        }
        items: Counter[int] = Counter()
        for app_id, n in session.execute(
            select(ApplicationItem.application_id, func.count())
            .join(Application, Application.id == ApplicationItem.application_id)
            .where(Application.org_id == org_id)
            .group_by(ApplicationItem.application_id)
        ).all():
            items[app_id] = n
        documents: dict[int, list[tuple[str, str]]] = {}
        for app_id, kind, digest in session.execute(
            select(DocumentRow.application_id, DocumentRow.kind, DocumentRow.sha256).where(
                DocumentRow.org_id == org_id
            )
        ).all():
            documents.setdefault(app_id, []).append((kind, digest))
        events = audit_counts(session, org_id)
        chain = audit_service.verify(session, org_id)

    known = [f for f in flows if f.app_id is not None]
    certain = [f for f in known if not f.uncertain]
    approved = [f for f in certain if f.completed]

    # 1. every approved application is approved, with its version, items and documents
    bad: list[str] = []
    for f in approved:
        row = apps.get(f.app_id or -1)
        if row is None:
            bad.append(f"application {f.app_id} is missing")
            continue
        got = (row.state, row.lock_version, items[row.id], sorted(documents.get(row.id, [])))
        want = ("approved", f.version, f.items_sent, sorted(f.documents))
        if got != want:
            bad.append(
                f"application {row.id}: state/version/items/docs {got[:3]} + {len(got[3])} docs, "
                f"client expected {want[:3]} + {len(want[3])} docs"
            )
    checks.append(
        Check(
            "approved applications stored as sent",
            not bad and bool(approved),
            f"{len(approved)} approved by the clients; {len(bad)} differ"
            + (f": {bad[:3]}" if bad else ""),
        )
    )

    # 2. applications whose flow stopped early are in the state the client last saw
    partial = [f for f in certain if not f.completed]
    off = []
    for f in partial:
        row = apps.get(f.app_id or -1)
        if row is None or (row.state, row.lock_version, items[row.id]) != (
            f.state,
            f.version,
            f.items_sent,
        ):
            off.append(f.app_id)
    checks.append(
        Check(
            "unfinished applications as the clients left them",
            not off,
            f"{len(partial)} unfinished (with a known outcome), {len(off)} differ {off[:5]}; "
            f"{len(known) - len(certain)} with an unanswered request not checked",
        )
    )

    # 3. races: exactly one winner each, and its value is the one stored
    races = [f for f in known if f.race is not None]
    lost_updates = []
    for f in races:
        assert f.race is not None
        row = apps.get(f.app_id or -1)
        if f.race.winner is None or row is None or row.exporter != f.race.winner:
            lost_updates.append((f.app_id, f.race.statuses, row.exporter if row else None))
    reasons = Counter(f.race.loser_reason for f in races if f.race and f.race.loser_reason)
    checks.append(
        Check(
            "each race has one winner whose value is stored",
            not lost_updates,
            f"{len(races)} races; losers refused by {dict(reasons)}; "
            f"{len(lost_updates)} wrong {lost_updates[:3]}",
        )
    )

    # 4. no application that no client created (the idempotent replays made none); an
    # application whose create got no answer may exist (found by its key), one refused may not
    ours = {f.app_id for f in known}
    by_key = {f.key: f for f in flows}
    strays, unanswered, refused_but_stored = [], [], []
    for app_id, row in apps.items():
        if app_id in ours:
            continue
        owner = by_key.get(row.idempotency_key or "")
        if owner is None:
            strays.append(app_id)
        elif owner.uncertain:
            unanswered.append(app_id)
            ours.add(app_id)
        else:
            refused_but_stored.append(app_id)
    replays = sum(f.replayed for f in flows)
    checks.append(
        Check(
            "no duplicate, unknown or refused-but-stored application",
            not strays and not refused_but_stored,
            f"{len(apps)} in the database, {len(known)} created by clients, {replays} idempotent "
            f"replays; {len(unanswered)} created without an answer; strays {strays[:5]}; "
            f"refused but stored {refused_but_stored[:5]}",
        )
    )

    # 5. the audit chain verifies
    intact = not chain and (http_verdict is None or bool(http_verdict.get("intact")))
    via = "GET /api/audit/verify and the audit service" if http_verdict else "the audit service"
    problems = [str(p) for p in chain] + list((http_verdict or {}).get("problems", []))
    checks.append(
        Check("audit chain verifies", intact, f"via {via}; problems: {problems[:3] or 'none'}")
    )

    # 6. audit events = successful operations (by application and action, and in total)
    expected = Counter[str]()
    observed = Counter[str]()
    wrong_apps = []
    for f in certain:
        found = events.get(f"application:{f.app_id}", Counter())
        expected.update(f.events)
        observed.update(found)
        if +found != +f.events:
            wrong_apps.append((f.app_id, dict(found), dict(f.events)))
    unsure = [f for f in known if f.uncertain]
    unsure_events = sum(
        sum(events.get(f"application:{f.app_id}", Counter()).values()) for f in unsure
    )
    # events of anything else (the users added in the setup, ...) are as before the load
    strays_audit = sorted(
        key
        for key in set(events) | set(baseline)
        if not key.startswith("application:")
        and +events.get(key, Counter()) != +baseline.get(key, Counter())
    )
    strays_audit += sorted(
        key
        for key in events
        if key.startswith("application:") and key[12:] not in {str(a) for a in ours}
    )
    total = sum(sum(c.values()) for c in events.values())
    before = sum(sum(c.values()) for c in baseline.values())
    checks.append(
        Check(
            "audit events match the successful operations",
            not wrong_apps and not strays_audit and +expected == +observed,
            f"{total} events; expected {sum(expected.values())} on {len(certain)} applications, "
            f"found {sum(observed.values())}; by action {dict(sorted(observed.items()))}; "
            f"{len(wrong_apps)} applications differ {wrong_apps[:2]}; unexpected events on "
            f"entities {strays_audit[:3]}; {before} before the load; {unsure_events} events "
            f"on {len(unsure)} applications with an unanswered request (not compared)",
        )
    )
    return checks


# ------------------------------------------------------------------ main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--seconds", type=float, default=120.0, help="load duration (120)")
    parser.add_argument("--max-flows", type=int, default=100_000, help="flows per client at most")
    parser.add_argument(
        "--race-every", type=int, default=5, help="every N-th client races PATCHes (5)"
    )
    parser.add_argument(
        "--stall-seconds", type=float, default=20.0, help="stop if nothing completes this long"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout (s)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.race_every < 1:
        parser.error("--clients, --seconds and --race-every must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = os.environ.get("RAREX_TEST_DATABASE_URL")
    if not url:
        print(
            "load_api: RAREX_TEST_DATABASE_URL is not set; run me as\n"
            "  scripts/with-postgres .venv/bin/python benchmarks/load_api.py",
            file=sys.stderr,
        )
        return 2
    if not url.startswith("postgresql"):
        print(f"load_api: {url} is not a PostgreSQL URL", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="rarex-load-"))
    log = workdir / "server.log"
    env = {
        **os.environ,
        "RAREX_DATABASE_URL": url,
        "RAREX_SECRET_KEY": secrets.token_urlsafe(48),
        "RAREX_AUDIT_KEY": AUDIT_KEY,
        "PYTHONFAULTHANDLER": "1",
    }
    print(f"load_api: work directory {workdir}", flush=True)
    upgraded = subprocess.run(
        [str(RAREX), "db", "upgrade"], env=env, capture_output=True, text=True, check=False
    )
    if upgraded.returncode != 0:
        print(f"load_api: rarex db upgrade failed:\n{upgraded.stderr}", file=sys.stderr)
        return 2
    run_id = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    org_id, users = add_users(url, f"Load test {run_id}", args.clients, run_id)
    print(f"load_api: {len(users)} users in {time.perf_counter() - started:.1f} s", flush=True)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = start_server(env, port, log)
    try:
        return asyncio.run(benchmark(args, url, org_id, users, base_url, server, log, workdir))
    except SetupError as exc:
        print(f"load_api: setup failed: {exc}", file=sys.stderr)
        return 2
    finally:
        stop_server(server)
        print(f"load_api: server stopped; its log is {log}", flush=True)


async def benchmark(
    args: argparse.Namespace,
    url: str,
    org_id: int,
    users: list[User],
    base_url: str,
    server: subprocess.Popen[bytes],
    log: Path,
    workdir: Path,
) -> int:
    await wait_healthy(base_url, server, log)
    started = time.perf_counter()
    users = await issue_tokens(base_url, users)
    print(f"load_api: {len(users)} logins and tokens in {time.perf_counter() - started:.1f} s")
    clients = [
        Client(n, users[2 * n].token, users[2 * n + 1].token, n % args.race_every == 0)
        for n in range(args.clients)
    ]
    limits = httpx.Limits(max_connections=2 * args.clients + 10, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=base_url, timeout=args.timeout, limits=limits) as http:
        recorder = Recorder()
        run = Run(
            http,
            recorder,
            asyncio.Event(),
            time.monotonic() + args.seconds,
            args.max_flows,
            date.today().isoformat(),
        )
        print(
            f"load_api: {args.clients} clients for {args.seconds:.0f} s "
            f"({sum(c.races for c in clients)} racing) against {base_url}",
            flush=True,
        )
        baseline = await asyncio.to_thread(audit_baseline, url, org_id)
        recorder.start()
        run.deadline = recorder.t0 + args.seconds
        tasks = [asyncio.create_task(client_loop(run, c)) for c in clients]
        guard = asyncio.create_task(watchdog(run, args.stall_seconds))
        stall_report: list[str] = []
        hard_stop = recorder.t0 + args.seconds + max(args.timeout, args.stall_seconds) + 30
        pending: set[asyncio.Task[None]] = set(tasks)
        while pending and not run.stalled and time.monotonic() < hard_stop:
            _, pending = await asyncio.wait(pending, timeout=0.5)
        if run.stalled:
            stall_report = await stall_diagnostics(base_url, url, server, log)
        elif pending:
            recorder.problems.append(f"{len(pending)} clients still busy at the hard stop")
        run.stop.set()
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await guard
        for task in tasks:
            if not task.cancelled() and task.exception() is not None:
                raise RuntimeError("a client failed") from task.exception()
        elapsed = recorder.last_done - recorder.t0

        http_verdict: dict[str, Any] | None = None
        if server.poll() is None:
            reviewer = clients[0].reviewer
            answer = await http.get(
                "/api/audit/verify", headers={"Authorization": f"Bearer {reviewer}"}
            )
            http_verdict = answer.json() if answer.status_code == 200 else {"intact": False}
    checks = await asyncio.to_thread(verify, url, org_id, run.flows, http_verdict, baseline)
    return report(args, run, elapsed, checks, stall_report, log, workdir)


async def stall_diagnostics(
    base_url: str, url: str, server: subprocess.Popen[bytes], log: Path
) -> list[str]:
    out = []
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=5) as probe:
            health = await probe.get("/api/health")
            out.append(f"GET /api/health during the stall: {health.status_code}")
    except httpx.HTTPError as exc:
        out.append(f"GET /api/health during the stall: no answer in 5 s ({type(exc).__name__})")
    out.append("PostgreSQL sessions during the stall:")
    out += ["  " + line for line in await asyncio.to_thread(lock_waits, url)]
    out += await asyncio.to_thread(dump_server_stacks, server, log)
    return out


def sample_failures(failures: list[Failure], per_kind: int = 20) -> list[Failure]:
    """The first ``per_kind`` failing requests of each kind and status."""
    seen: Counter[tuple[str, int]] = Counter()
    out = []
    for failure in failures:
        seen[(failure.kind, failure.status)] += 1
        if seen[(failure.kind, failure.status)] <= per_kind:
            out.append(failure)
    return out


def report(
    args: argparse.Namespace,
    run: Run,
    elapsed: float,
    checks: list[Check],
    stall_report: list[str],
    log: Path,
    workdir: Path,
) -> int:
    rec = run.recorder
    samples = rec.samples
    statuses = Counter(s.status for s in samples)
    unexpected = Counter(f"{s.kind} {s.status}" for s in samples if not s.expected)
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    race_409 = sum(1 for s in samples if s.kind == "patch_race" and s.status == 409)
    table = latency_table(samples)
    throughput = len(samples) / elapsed if elapsed > 0 else 0.0
    flows = run.flows
    checks = [
        Check(
            "no 5xx, transport error or unexpected status",
            not unexpected,
            f"5xx: {server_errors}; unexpected: {dict(unexpected) or 'none'}",
        ),
        Check("no stall", not run.stalled, "the server stopped answering" if run.stalled else ""),
        Check(
            "no inconsistent answer",
            not rec.problems,
            "; ".join(rec.problems[:3]) or "none",
        ),
        *checks,
    ]

    print()
    print(f"clients {args.clients}, load phase {elapsed:.1f} s (asked {args.seconds:.0f} s)")
    print(
        f"requests {len(samples)}, throughput {throughput:.1f} req/s; flows started "
        f"{len(flows)}, approved {sum(f.completed for f in flows)}, races "
        f"{sum(f.race is not None for f in flows)}"
    )
    print(f"statuses {dict(sorted(statuses.items()))} (409 from race losers: {race_409})")
    print()
    print(f"{'kind':<16}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for row in table:
        print(
            f"{row['kind']:<16}{row['requests']:>9}{row['p50_ms']:>9}{row['p95_ms']:>9}"
            f"{row['p99_ms']:>9}{row['max_ms']:>9}"
        )
    if rec.failures:
        print(f"\n{len(rec.failures)} failing requests; the first of each kind and status:")
        for failure in sample_failures(rec.failures, 1):
            print(
                f"  t={failure.at_seconds}s {failure.method} {failure.path} ({failure.kind}) -> "
                f"{failure.status}\n    request: {failure.request[:200]}\n"
                f"    response: {failure.response[:300]}"
            )
        print("exceptions in the server log:")
        for what, count in server_errors_by_type(log).items():
            print(f"  {count} x {what}")
        trace = first_traceback(log)
        if trace:
            print(f"\nfirst traceback in the server log:\n{trace}")
    if stall_report:
        print("\nSTALL: no request completed for", args.stall_seconds, "s")
        print("\n".join(stall_report))
    print()
    for check in checks:
        print(f"[{'PASS' if check.ok else 'FAIL'}] {check.name}: {check.detail}")
    figures = {
        "clients": args.clients,
        "seconds_asked": args.seconds,
        "seconds": round(elapsed, 2),
        "requests": len(samples),
        "throughput_rps": round(throughput, 1),
        "flows": len(flows),
        "approved": sum(f.completed for f in flows),
        "races": sum(f.race is not None for f in flows),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "race_409": race_409,
        "unexpected": dict(unexpected),
        "latency": table,
        "checks": [asdict(c) for c in checks],
        "stall": stall_report,
        "failures": [asdict(f) for f in sample_failures(rec.failures)],
        "server_exceptions": server_errors_by_type(log),
        "python": platform.python_version(),
        "server_log": str(log),
    }
    text = json.dumps(figures, indent=2)
    (workdir / "figures.json").write_text(text)
    if args.json:
        args.json.write_text(text)
    ok = all(c.ok for c in checks)
    print(f"\nload_api: {'all checks passed' if ok else 'FAILED'}; figures in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
