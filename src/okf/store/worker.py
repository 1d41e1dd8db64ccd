"""Running one job: the task, its lease kept alive, its progress and stages reported.

A task is any function ``task(ctx: JobContext) -> dict[str, list[dict]]`` (result tables
by name) named ``"module:function"``. It reads its inputs through ``ctx`` and calls
``ctx.progress(done)`` and ``with ctx.stage(name):`` as it goes; these are cheap (no
database write) and are where a cancel, a shutdown or a lost lease stops the task. A
heartbeat thread writes the progress and renews the lease every ``lease_s / 3`` seconds
(at most once a second), so a long stage without progress calls does not lose its job.

Workers report what happens as plain dicts on an ``emit`` callable (a process queue to
the service, which turns them into metrics, log lines and spans).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from okf.cpus import pin_to, spare_cpus
from okf.store.jobs import JobStore, JobView, LeaseLostError

Tables = dict[str, list[dict[str, Any]]]
Task = Callable[["JobContext"], Tables]
Emit = Callable[[dict[str, Any]], None]

log = logging.getLogger("okf.store")


class JobCancelledError(Exception):
    """The owner cancelled the job while it ran."""


class JobInterruptedError(Exception):
    """The worker is shutting down; the job goes back to the queue."""


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker process needs; plain values, so it crosses a process boundary."""

    database_url: str
    task: str
    lease_s: float = 30.0
    poll_s: float = 1.0
    nice: int = 10
    max_attempts: int = 2
    idle: bool = True
    #: CPUs the worker keeps to (:func:`okf.cpus.spare_cpus`): None = all but one.
    cpus: int | None = None

    @classmethod
    def from_settings(cls, settings: Any, database_url: str, task: str) -> WorkerConfig:
        """The job settings of ``okf.settings.Settings`` (``job_*``), for ``task``."""
        return cls(
            database_url,
            task,
            lease_s=settings.job_lease_s,
            nice=settings.job_nice,
            idle=settings.job_idle,
            cpus=settings.job_cpus,
            max_attempts=settings.job_max_attempts,
        )


def resolve_task(ref: str) -> Task:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


class JobContext:
    """A running job as its task sees it: inputs, options, progress."""

    def __init__(
        self,
        store: JobStore,
        job: JobView,
        worker: str,
        lease_s: float,
        emit: Emit,
        stop: Any = None,
    ) -> None:
        self.store, self.job, self.worker, self.lease_s = store, job, worker, lease_s
        self._emit, self._stop = emit, stop
        self.done, self.total, self.stage_name = 0, job.total, "starting"
        self._cancelled = threading.Event()
        self._lost: LeaseLostError | None = None
        self._quit = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, daemon=True, name="okf-lease")

    @property
    def options(self) -> dict[str, Any]:
        return self.job.options

    def documents(self, corpus: str = "own") -> list[dict[str, Any]]:
        return self.store.documents(self.job.id, corpus)

    def file(self, role: str) -> tuple[str, bytes] | None:
        return self.store.file(self.job.id, role)

    def progress(self, done: int | None = None, total: int | None = None) -> None:
        """Record progress; raise if the job must stop (cancel, shutdown, lost lease)."""
        if done is not None:
            self.done = done
        if total is not None:
            self.total = total
        self.check()

    def check(self) -> None:
        if self._lost is not None:
            raise self._lost
        if self._cancelled.is_set():
            raise JobCancelledError(self.job.id)
        if self._stop is not None and self._stop.is_set():
            raise JobInterruptedError(self.job.id)

    @contextlib.contextmanager
    def stage(self, name: str, **attributes: Any) -> Iterator[None]:
        """A named step of the job: shown as its ``stage``, reported as one span."""
        self.check()
        previous, self.stage_name = self.stage_name, name
        start = time.time()
        try:
            yield
        finally:
            self.stage_name = previous
            self._emit(
                {
                    "type": "stage",
                    "job": self.job.id,
                    "stage": name,
                    "start": start,
                    "end": time.time(),
                    "attributes": {
                        k: v
                        for k, v in attributes.items()
                        if isinstance(v, int | float | str | bool)
                    },
                    "traceparent": self.job.traceparent,
                }
            )

    def __enter__(self) -> JobContext:
        self._beat.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._quit.set()
        self._beat.join(timeout=5)

    def _heartbeat(self) -> None:
        every = max(0.2, min(1.0, self.lease_s / 3))
        while not self._quit.wait(every):
            try:
                asked = self.store.renew(
                    self.job.id,
                    self.worker,
                    self.lease_s,
                    done=self.done,
                    total=self.total,
                    stage=self.stage_name,
                )
            except LeaseLostError as exc:
                self._lost = exc
                return
            except Exception:  # database briefly unreachable: try again next beat
                log.warning("lease renewal of job %s failed", self.job.id, exc_info=True)
                continue
            if asked:
                self._cancelled.set()


def run_job(
    store: JobStore,
    task: Task,
    job: JobView,
    worker: str,
    *,
    lease_s: float,
    emit: Emit,
    stop: Any = None,
    idle: bool = False,
) -> str:
    """Run a claimed job to its end; the state it was left in. ``idle``: the task runs
    in a thread of its own at SCHED_IDLE (see :func:`call_at_idle`)."""
    started = time.time()
    emit(_state(job, "running", started))
    documents = job.total
    with JobContext(store, job, worker, lease_s, emit, stop) as ctx:
        try:
            tables = call_at_idle(task, ctx) if idle else task(ctx)
            ctx.check()
        except JobCancelledError:
            state = "cancelled" if store.mark_cancelled(job.id, worker) else "lost"
            error = "cancelled by its owner"
        except JobInterruptedError:
            state = "queued" if store.release(job.id, worker) else "lost"
            error = "worker stopped; job returned to the queue"
        except LeaseLostError as exc:
            state, error = "lost", str(exc)
        except Exception as exc:  # the task's own failure: the reason is kept for the owner
            error = f"{type(exc).__name__}: {exc}"
            state = "failed" if store.fail(job.id, worker, error) else "lost"
        else:
            error = None
            if store.complete(job.id, worker, tables):
                state = "done"
            elif store.mark_cancelled(job.id, worker):
                state, error = "cancelled", "cancelled by its owner"
            else:
                state = "lost"
    emit(
        _state(job, state, time.time(), error=error, duration=time.time() - started)
        | {"documents": documents if state == "done" else ctx.done}
    )
    return state


def call_at_idle(task: Task, ctx: JobContext) -> Tables:
    """``task(ctx)`` in a new thread at Linux's SCHED_IDLE, so it gets a CPU only when no
    other thread wants one; threads it starts (thread pools of numpy or torch) inherit
    that. Niceness is only a weight: a niced job still takes its share of the CPU from
    the request path when both are busy. The calling thread, which starts the lease
    heartbeat of each job, keeps its policy: a busy CPU slows the job, never loses it."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # this thread only
        except (AttributeError, OSError):  # not Linux: the niceness alone
            log.info("SCHED_IDLE unavailable; the job runs at its niceness")
        try:
            out["tables"] = task(ctx)
        except BaseException as exc:
            out["error"] = exc

    thread = threading.Thread(target=run, name="okf-job-task")
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["tables"]  # type: ignore[no-any-return]


def _state(job: JobView, state: str, at: float, **extra: Any) -> dict[str, Any]:
    return {
        "type": "state",
        "job": job.id,
        "owner": job.owner,
        "state": state,
        "at": at,
        "attempt": job.attempts,
        "traceparent": job.traceparent,
        **extra,
    }


class _StopOrOrphaned:
    """``stop`` as seen by a worker: set, or the service process that started it is gone
    (a worker must not outlive a killed service; its job goes back to the queue)."""

    def __init__(self, stop: Any) -> None:
        self.stop = stop
        self.parent = os.getppid()

    def is_set(self) -> bool:
        return bool(self.stop.is_set()) or os.getppid() != self.parent


def worker_main(config: WorkerConfig, name: str, events: Any, wake: Any, stop: Any) -> None:
    """A worker process: claim, run, repeat until ``stop``; lower CPU priority than the
    request path, so a running job takes the CPU the service leaves over, and kept to
    the spare CPUs (all but one by default) before any thread or model exists, so its
    encoder threads (sized by the usable CPUs) never take every core from the service."""
    pin_to(spare_cpus(config.cpus))
    if config.nice:
        os.nice(config.nice)
    stop = _StopOrOrphaned(stop)
    store = JobStore(config.database_url, run_migrations=False)
    task = resolve_task(config.task)
    try:
        while not stop.is_set():
            try:
                job = store.claim(name, config.lease_s, max_attempts=config.max_attempts)
            except Exception:
                log.warning("claiming a job failed; retrying", exc_info=True)
                job = None
            if job is None:
                wake.wait(config.poll_s)  # a submission wakes one idle worker early
                continue
            run_job(
                store,
                task,
                job,
                name,
                lease_s=config.lease_s,
                emit=events.put,
                stop=stop,
                idle=config.idle,
            )
    finally:
        store.dispose()
