"""Background screening jobs with progress: a file of parties is screened in a worker thread
with its own transaction, while the caller polls how far it has got.

A job is stored (table ``screening_jobs``) when it starts and when it ends, so that every
server process (``rarex serve --workers N``) can answer for it. Its progress while it runs is
counted in the process that runs it and, on PostgreSQL, stored twice a second; on SQLite the
screening transaction holds the database's one write lock until it ends, so another process
sees the job's progress only when it has finished.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from rarex.core.screening import PartyQuery
from rarex.io.storage.db import unit_of_work
from rarex.io.storage.tables import ScreeningJobRow
from rarex.services.errors import NotFoundError
from rarex.services.screening import ScreeningService

PUBLISH_SECONDS = 0.5  # how often a running job's progress is stored (PostgreSQL)
STOPPED = "the server stopped before the job finished; screen the file again"


@dataclass(frozen=True)
class Job:
    id: str
    org_id: int
    total: int
    done: int = 0
    state: str = "running"  # running, finished, failed
    run_id: int | None = None
    error: str | None = None

    def document(self) -> dict[str, object]:
        return {
            "job_id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "run_id": self.run_id,
            "error": self.error,
        }


class _Progress:
    """A running job's count, kept in memory and stored now and then."""

    def __init__(self, job: Job, store: Callable[[int], None] | None) -> None:
        self.job = job
        self.done = 0
        self.store = store
        self.stored_at = time.monotonic()
        self.lock = threading.Lock()

    def advance(self, n: int) -> None:
        with self.lock:
            self.done += n
            done = self.done
        if self.store is not None and time.monotonic() - self.stored_at >= PUBLISH_SECONDS:
            self.stored_at = time.monotonic()
            self.store(done)

    def snapshot(self) -> Job:
        with self.lock:
            return replace(self.job, done=self.done)


class Jobs:
    """The screening jobs: this process runs its own one at a time, in submission order, and
    answers for any job of the database."""

    def __init__(self, factory: sessionmaker[Session], now: Callable[[], datetime]) -> None:
        self.factory = factory
        self.now = now
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screening")
        self.running: dict[str, _Progress] = {}
        bind = factory.kw.get("bind")
        self.concurrent_writes = bind is not None and bind.dialect.name == "postgresql"

    def start(
        self,
        service: Callable[[Session], ScreeningService],
        org_id: int,
        queries: Sequence[PartyQuery],
        day: date,
    ) -> Job:
        job = Job(uuid.uuid4().hex, org_id, len(queries))
        with unit_of_work(self.factory) as session:
            session.add(
                ScreeningJobRow(
                    id=job.id,
                    org_id=org_id,
                    total=job.total,
                    done=0,
                    state=job.state,
                    created_at=self.now(),
                )
            )
        progress = _Progress(job, self._store_progress(job.id) if self.concurrent_writes else None)
        self.running[job.id] = progress
        self.executor.submit(self._run, progress, service, queries, day)
        return job

    def _store_progress(self, job_id: str) -> Callable[[int], None]:
        def store(done: int) -> None:
            with unit_of_work(self.factory) as session:
                session.execute(
                    update(ScreeningJobRow).where(ScreeningJobRow.id == job_id).values(done=done)
                )

        return store

    def _run(
        self,
        progress: _Progress,
        service: Callable[[Session], ScreeningService],
        queries: Sequence[PartyQuery],
        day: date,
    ) -> None:
        job = progress.job
        try:
            with unit_of_work(self.factory) as session:
                outcome = service(session).screen(queries, day, progress=progress.advance)
                run_id = outcome.run.id
            ended = replace(job, done=job.total, state="finished", run_id=run_id)
        except Exception as exc:  # the job reports any failure instead of dying silently
            ended = replace(
                progress.snapshot(), state="failed", error=f"{type(exc).__name__}: {exc}"
            )
        try:
            with unit_of_work(self.factory) as session:
                session.execute(
                    update(ScreeningJobRow)
                    .where(ScreeningJobRow.id == job.id)
                    .values(
                        done=ended.done, state=ended.state, run_id=ended.run_id, error=ended.error
                    )
                )
        finally:
            self.running.pop(job.id, None)

    def get(self, org_id: int, job_id: str) -> Job:
        progress = self.running.get(job_id)
        if progress is not None and progress.job.org_id == org_id:
            return progress.snapshot()
        with unit_of_work(self.factory) as session:
            row = session.get(ScreeningJobRow, job_id)
            if row is None or row.org_id != org_id:
                raise NotFoundError("not_found", f"no screening job {job_id}")
            return Job(row.id, row.org_id, row.total, row.done, row.state, row.run_id, row.error)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True)


def stop_orphaned_jobs(session: Session) -> int:
    """Mark as failed the jobs stored as running: called before any server process starts, when
    no job can be running. Returns how many."""
    stale = session.scalars(select(ScreeningJobRow).where(ScreeningJobRow.state == "running")).all()
    for row in stale:
        row.state, row.error = "failed", STOPPED
    session.flush()
    return len(stale)
