"""Background screening jobs with progress: a file of parties is screened in a worker thread
with its own transaction, while the caller polls how far it has got."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from rarex.core.screening import PartyQuery
from rarex.io.storage.db import unit_of_work
from rarex.services.errors import NotFoundError
from rarex.services.screening import ScreeningService

KEEP_FINISHED = 200  # finished jobs remembered per process, for their progress pages


@dataclass
class Job:
    id: str
    org_id: int
    total: int
    done: int = 0
    state: str = "running"  # running, finished, failed
    run_id: int | None = None
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def advance(self, n: int) -> None:
        with self.lock:
            self.done += n

    def document(self) -> dict[str, object]:
        return {
            "job_id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "run_id": self.run_id,
            "error": self.error,
        }


class Jobs:
    """The screening jobs of this server process, run one at a time in submission order."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screening")
        self.jobs: dict[str, Job] = {}

    def start(
        self,
        factory: sessionmaker[Session],
        service: Callable[[Session], ScreeningService],
        org_id: int,
        queries: Sequence[PartyQuery],
        day: date,
    ) -> Job:
        job = Job(uuid.uuid4().hex, org_id, len(queries))
        done = [k for k, j in self.jobs.items() if j.state != "running"]
        for key in done[: max(0, len(done) - KEEP_FINISHED)]:
            del self.jobs[key]  # the runs stay stored; only the progress records go
        self.jobs[job.id] = job
        self.executor.submit(self._run, job, factory, service, queries, day)
        return job

    @staticmethod
    def _run(
        job: Job,
        factory: sessionmaker[Session],
        service: Callable[[Session], ScreeningService],
        queries: Sequence[PartyQuery],
        day: date,
    ) -> None:
        try:
            with unit_of_work(factory) as session:
                outcome = service(session).screen(queries, day, progress=job.advance)
                run_id = outcome.run.id
            job.run_id, job.state = run_id, "finished"  # only once the run is committed
        except Exception as exc:  # the job reports any failure instead of dying silently
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"

    def get(self, org_id: int, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None or job.org_id != org_id:
            raise NotFoundError("not_found", f"no screening job {job_id}")
        return job

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True)
