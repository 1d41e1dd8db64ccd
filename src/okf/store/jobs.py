"""The job store: every read and write of jobs, their inputs and results.

A job's life: ``submit`` (queued) → a worker ``claim``s it with a lease (running) and
``renew``s the lease while it works → ``complete`` (done), ``fail`` (failed) or
``mark_cancelled``. A worker that dies stops renewing; once its lease has run out the
job is claimable again, until it has been tried ``max_attempts`` times, after which
``fail_exhausted`` fails it with the reason. So no job stays ``running`` forever.

Every transition is one conditional UPDATE on the job row (``WHERE state = … AND
lease_owner = …``), so two workers, two replicas or a worker and a DELETE racing for
the same job cannot both win. On PostgreSQL the claim also selects with ``FOR UPDATE
SKIP LOCKED``, so replicas polling at once take different jobs instead of queueing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from okf.store.database import create_store_engine, is_sqlite, migrate
from okf.store.models import (
    FINISHED_STATES,
    JOB_STATES,
    Job,
    JobDocument,
    JobExport,
    JobFile,
    JobRow,
)
from okf.store.results import ResultsMixin, insert_chunks, store_tables


class LeaseLostError(RuntimeError):
    """This worker no longer holds the job (its lease ran out, or the job was deleted)."""


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as read from the store (a snapshot, never live)."""

    id: str
    kind: str
    owner: str
    state: str
    options: dict[str, Any]
    done: int
    total: int
    stage: str
    created_at: float
    started_at: float | None
    finished_at: float | None
    heartbeat_at: float | None
    attempts: int
    cancel_requested: bool
    error: str | None
    traceparent: str | None
    lease_owner: str | None

    @classmethod
    def of(cls, job: Job) -> JobView:
        return cls(**{name: getattr(job, name) for name in cls.__slots__})

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES


@dataclass(frozen=True)
class NewJob:
    """What a submission carries: inputs are copied into the store at once."""

    owner: str
    options: Mapping[str, Any]
    documents: Sequence[Mapping[str, Any]]
    compare: Sequence[Mapping[str, Any]] = ()
    files: Mapping[str, tuple[str, bytes]] = field(default_factory=dict)
    traceparent: str | None = None
    kind: str = "research"


class JobStore(ResultsMixin):
    """Jobs in one database (SQLite file or PostgreSQL), migrated when opened."""

    def __init__(self, url: str, *, run_migrations: bool = True) -> None:
        self.url = url
        self.sqlite = is_sqlite(url)
        self.writer = create_store_engine(url, immediate=True)
        self.reader = create_store_engine(url) if self.sqlite else self.writer
        if run_migrations:
            migrate(self.writer)

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    def _write(self) -> Session:
        return Session(self.writer, expire_on_commit=False)

    def _read(self) -> Session:
        return Session(self.reader, expire_on_commit=False)

    # --- submission and reads -------------------------------------------------------
    def submit(self, new: NewJob, *, now: float | None = None) -> JobView:
        job = Job(
            id=uuid.uuid4().hex,
            kind=new.kind,
            owner=new.owner,
            state="queued",
            options=dict(new.options),
            done=0,
            total=len(new.documents) + len(new.compare),
            stage="queued",
            created_at=now if now is not None else time.time(),
            attempts=0,
            cancel_requested=False,
            traceparent=new.traceparent,
        )
        with self._write() as s, s.begin():
            s.add(job)
            s.flush()
            for corpus, docs in (("own", new.documents), ("compare", new.compare)):
                rows = [
                    {"job_id": job.id, "corpus": corpus, "position": i, "data": dict(d)}
                    for i, d in enumerate(docs)
                ]
                insert_chunks(s, JobDocument, rows)
            for role, (name, content) in new.files.items():
                s.add(JobFile(job_id=job.id, role=role, name=name, content=content))
        return JobView.of(job)

    def get(self, job_id: str, owner: str | None = None) -> JobView | None:
        """The job, or None when it does not exist or belongs to another owner."""
        with self._read() as s:
            job = s.get(Job, job_id)
            if job is None or (owner is not None and job.owner != owner):
                return None
            return JobView.of(job)

    def list_jobs(
        self, owner: str, *, state: str | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[int, list[JobView]]:
        """(how many, one page of) ``owner``'s jobs, newest first."""
        where = [Job.owner == owner]
        if state is not None:
            where.append(Job.state == state)
        with self._read() as s:
            total = int(s.scalar(select(func.count()).select_from(Job).where(*where)) or 0)
            q = select(Job).where(*where).order_by(Job.created_at.desc(), Job.id)
            jobs = s.scalars(q.offset(offset).limit(limit)).all()
            return total, [JobView.of(j) for j in jobs]

    def active_count(self, owner: str) -> int:
        with self._read() as s:
            q = select(func.count()).where(Job.owner == owner, Job.state.in_(("queued", "running")))
            return int(s.scalar(q) or 0)

    def counts_by_state(self) -> dict[str, int]:
        with self._read() as s:
            got = dict(s.execute(select(Job.state, func.count()).group_by(Job.state)).all())
        return {state: int(got.get(state, 0)) for state in JOB_STATES}

    def queue_summary(self) -> tuple[dict[str, int], float | None]:
        """Jobs by state, and when the oldest queued job was submitted (None: none)."""
        counts = self.counts_by_state()
        with self._read() as s:
            oldest = s.scalar(select(func.min(Job.created_at)).where(Job.state == "queued"))
        return counts, oldest

    def documents(self, job_id: str, corpus: str = "own") -> list[dict[str, Any]]:
        with self._read() as s:
            q = (
                select(JobDocument.data)
                .where(JobDocument.job_id == job_id, JobDocument.corpus == corpus)
                .order_by(JobDocument.position)
            )
            return [dict(d) for d in s.scalars(q)]

    def file(self, job_id: str, role: str) -> tuple[str, bytes] | None:
        with self._read() as s:
            f = s.get(JobFile, (job_id, role))
            return (f.name, bytes(f.content)) if f is not None else None

    # --- the worker's side ----------------------------------------------------------
    def claim(
        self,
        worker: str,
        lease_s: float,
        *,
        max_attempts: int | None = None,
        now: float | None = None,
    ) -> JobView | None:
        """Take the oldest queued job, or one whose worker's lease ran out and that has
        attempts left (the others are for :meth:`fail_exhausted`)."""
        now = now if now is not None else time.time()
        stale = (Job.state == "running") & (Job.lease_until < now)
        if max_attempts is not None:
            stale = stale & (Job.attempts < max_attempts)
        claimable = (Job.state == "queued") | stale
        with self._write() as s, s.begin():
            q = select(Job.id).where(claimable).order_by(Job.created_at).limit(1)
            job_id = s.scalar(q.with_for_update(skip_locked=True))
            if job_id is None:
                return None
            values = {
                "state": "running",
                "lease_owner": worker,
                "lease_until": now + lease_s,
                "heartbeat_at": now,
                "started_at": now,
                "finished_at": None,
                "attempts": Job.attempts + 1,
                "done": 0,
                "stage": "starting",
                "error": None,
            }
            res = s.execute(update(Job).where(Job.id == job_id, claimable).values(**values))
            if res.rowcount != 1:
                return None
            return JobView.of(s.get(Job, job_id, populate_existing=True))

    def renew(
        self,
        job_id: str,
        worker: str,
        lease_s: float,
        *,
        done: int | None = None,
        total: int | None = None,
        stage: str | None = None,
        now: float | None = None,
    ) -> bool:
        """Extend the lease (and record progress); True when a cancel was asked for.
        Raises :class:`LeaseLostError` when the job is no longer this worker's."""
        now = now if now is not None else time.time()
        values: dict[str, Any] = {"lease_until": now + lease_s, "heartbeat_at": now}
        for name, value in (("done", done), ("total", total), ("stage", stage)):
            if value is not None:
                values[name] = value
        with self._write() as s, s.begin():
            res = s.execute(update(Job).where(*_held(job_id, worker)).values(**values))
            if res.rowcount != 1:
                raise LeaseLostError(f"job {job_id} is no longer held by {worker}")
            return bool(s.scalar(select(Job.cancel_requested).where(Job.id == job_id)))

    def complete(
        self, job_id: str, worker: str, tables: Mapping[str, Iterable[Mapping[str, Any]]]
    ) -> bool:
        """Store the result tables and mark the job done, in one transaction."""
        now = time.time()
        with self._write() as s, s.begin():
            res = s.execute(
                update(Job)
                .where(*_held(job_id, worker), Job.cancel_requested.is_(False))
                .values(state="done", stage="done", finished_at=now, done=Job.total)
                .values(lease_owner=None, lease_until=None)
            )
            if res.rowcount != 1:
                return False
            store_tables(s, job_id, tables)
        return True

    def fail(self, job_id: str, worker: str, reason: str) -> bool:
        return self._finish_held(job_id, worker, "failed", reason)

    def mark_cancelled(self, job_id: str, worker: str) -> bool:
        return self._finish_held(job_id, worker, "cancelled", "cancelled by its owner")

    def release(self, job_id: str, worker: str) -> bool:
        """Give a job back to the queue (shutdown): not counted as an attempt."""
        with self._write() as s, s.begin():
            res = s.execute(
                update(Job)
                .where(*_held(job_id, worker))
                .values(state="queued", stage="queued", lease_owner=None, lease_until=None)
                .values(attempts=Job.attempts - 1, done=0)
            )
            return res.rowcount == 1

    def _finish_held(self, job_id: str, worker: str, state: str, reason: str) -> bool:
        with self._write() as s, s.begin():
            res = s.execute(
                update(Job)
                .where(*_held(job_id, worker))
                .values(state=state, stage=state, error=reason[:2000], finished_at=time.time())
                .values(lease_owner=None, lease_until=None)
            )
            return res.rowcount == 1

    def fail_exhausted(self, max_attempts: int, *, now: float | None = None) -> list[str]:
        """Fail the jobs whose lease ran out after their last allowed attempt."""
        now = now if now is not None else time.time()
        stale = (Job.state == "running") & (Job.lease_until < now) & (Job.attempts >= max_attempts)
        with self._write() as s, s.begin():
            ids = list(s.scalars(select(Job.id).where(stale)))
            if not ids:
                return []
            reason = (
                f"the worker running this job stopped (process killed or stuck) "
                f"{max_attempts} time(s); not retried again"
            )
            s.execute(
                update(Job)
                .where(Job.id.in_(ids), stale)
                .values(state="failed", stage="failed", error=reason, finished_at=now)
                .values(lease_owner=None, lease_until=None)
            )
            return ids

    # --- the owner's side -----------------------------------------------------------
    def cancel(self, job_id: str, owner: str) -> JobView | None:
        """Cancel a queued job at once; ask a running one to stop (its worker does)."""
        with self._write() as s, s.begin():
            job = s.get(Job, job_id)
            if job is None or job.owner != owner:
                return None
            if job.state == "queued":
                job.state, job.stage, job.finished_at = "cancelled", "cancelled", time.time()
                job.error = "cancelled by its owner"
            elif job.state == "running":
                job.cancel_requested = True
            s.flush()
            return JobView.of(job)

    def delete(
        self, job_id: str, owner: str | None = None, *, include_queued: bool = False
    ) -> bool:
        """Delete a finished (or, asked, a queued) job and everything stored for it. The
        row is locked first, so a worker cannot claim it half deleted."""
        states = (*FINISHED_STATES, "queued") if include_queued else FINISHED_STATES
        with self._write() as s, s.begin():
            q = select(Job).where(Job.id == job_id, Job.state.in_(states)).with_for_update()
            job = s.scalar(q)
            if job is None or (owner is not None and job.owner != owner):
                return False
            _delete_job(s, job_id)
            return True

    def expire(self, retention_s: float, *, now: float | None = None) -> int:
        """Delete finished jobs older than the retention; the number deleted."""
        now = now if now is not None else time.time()
        with self._write() as s, s.begin():
            q = select(Job.id).where(
                Job.state.in_(FINISHED_STATES), Job.finished_at < now - retention_s
            )
            ids = list(s.scalars(q))
            for job_id in ids:
                _delete_job(s, job_id)
            return len(ids)


def _held(job_id: str, worker: str) -> tuple[Any, ...]:
    return (Job.id == job_id, Job.state == "running", Job.lease_owner == worker)


def _delete_job(s: Session, job_id: str) -> None:
    # Explicit child deletes: correct even where foreign keys are not enforced.
    for model in (JobExport, JobRow, JobFile, JobDocument):
        s.execute(delete(model).where(model.job_id == job_id))  # type: ignore[attr-defined]
    s.execute(delete(Job).where(Job.id == job_id))
