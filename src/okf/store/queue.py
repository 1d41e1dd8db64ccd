"""The service's job pool: worker processes apart from the request path, and a janitor.

Jobs run in their own processes (never in the extraction executor, never on the event
loop): a research run is long CPU work, and a process at a lower CPU priority cannot
hold the service's GIL or starve its request threads. The pool is bounded (``workers``
processes, one job each); more jobs wait ``queued`` in the database, where any replica's
workers may take them. The supervisor thread restarts a worker that died (its job is
taken again once the lease runs out), fails jobs that have used up their attempts,
deletes results past the retention, and hands worker events to an observer (metrics,
logs, traces live in the service process).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from okf.store.jobs import JobStore
from okf.store.worker import WorkerConfig, worker_main

log = logging.getLogger("okf.store")

Observer = Callable[[dict[str, Any]], None]


class SharedFlag:
    """A flag the pool sets and its workers read: one byte of shared memory, no lock.

    Not a ``multiprocessing.Event``: that is a Condition, whose ``set()`` waits until
    every process counted as waiting has woken, so a worker killed while waiting (the
    OOM killer, a SIGTERM sent to the whole process group) made ``set()`` hang for ever.
    """

    def __init__(self, ctx: Any) -> None:
        self._value = ctx.RawValue("b", 0)

    def set(self) -> None:
        self._value.value = 1

    def is_set(self) -> bool:
        return bool(self._value.value)


class Wakeup:
    """Wakes idle workers early: a bounded semaphore that ``notify`` releases (never
    blocks) and an idle worker takes with a timeout (its poll interval). A killed worker
    leaves nothing for anyone to wait on."""

    def __init__(self, ctx: Any, workers: int) -> None:
        self._sem = ctx.BoundedSemaphore(max(1, workers))
        while self._sem.acquire(False):  # start at 0, bounded by the worker count
            pass

    def notify(self, n: int = 1) -> None:
        for _ in range(n):
            try:
                self._sem.release()
            except ValueError:  # every worker has a wake-up pending already
                return

    def wait(self, timeout: float) -> bool:
        return bool(self._sem.acquire(True, timeout))


@dataclass(frozen=True)
class PoolConfig:
    workers: int = 1
    retention_s: float = 7 * 86400.0
    janitor_s: float = 30.0


class JobPool:
    """``workers`` processes running jobs from ``store``; start(), notify(), stop()."""

    def __init__(
        self,
        store: JobStore,
        worker: WorkerConfig,
        pool: PoolConfig,
        observer: Observer | None = None,
    ) -> None:
        self.store, self.worker, self.pool = store, worker, pool
        self.observer = observer
        self._ctx = multiprocessing.get_context("spawn")
        self._events: Any = self._ctx.Queue()
        self._wake = Wakeup(self._ctx, pool.workers)
        self._stop = SharedFlag(self._ctx)
        self._procs: dict[str, Any] = {}
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._supervise, daemon=True, name="okf-jobs")
        self._prefix = uuid.uuid4().hex[:8]
        self._n = 0

    @property
    def processes(self) -> dict[str, Any]:
        return dict(self._procs)

    def start(self) -> JobPool:
        for _ in range(self.pool.workers):
            self._spawn()
        self._thread.start()
        return self

    def notify(self) -> None:
        """A job was submitted: wake an idle worker now rather than at its next poll."""
        self._wake.notify()

    def _spawn(self) -> None:
        self._n += 1
        name = f"{self._prefix}-{self._n}"
        proc = self._ctx.Process(
            target=worker_main,
            args=(self.worker, name, self._events, self._wake, self._stop),
            name=f"okf-job-worker-{self._n}",
            daemon=True,
        )
        proc.start()
        self._procs[name] = proc

    def _supervise(self) -> None:
        next_janitor = 0.0
        while not self._halt.is_set():
            self._drain(timeout=0.25)
            for name, proc in list(self._procs.items()):
                if not proc.is_alive() and not self._stop.is_set():
                    log.warning(
                        "job worker %s exited (code %s); starting another", name, proc.exitcode
                    )
                    del self._procs[name]
                    self._spawn()
            if time.monotonic() >= next_janitor:
                next_janitor = time.monotonic() + self.pool.janitor_s
                self.sweep()

    def sweep(self) -> None:
        """Fail jobs that used up their attempts; delete expired ones."""
        try:
            for job_id in self.store.fail_exhausted(self.worker.max_attempts):
                self._observe(
                    {
                        "type": "state",
                        "job": job_id,
                        "state": "failed",
                        "at": time.time(),
                        "error": "worker lost",
                    }
                )
            self.store.expire(self.pool.retention_s)
        except Exception:  # a database that is down must not stop the supervisor
            log.warning("job janitor failed; will retry", exc_info=True)

    def _drain(self, timeout: float) -> None:
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            return
        self._observe(event)
        while True:
            try:
                self._observe(self._events.get_nowait())
            except queue.Empty:
                return

    def _observe(self, event: dict[str, Any]) -> None:
        if self.observer is None:
            return
        try:
            self.observer(event)
        except Exception:
            log.warning("job event observer failed", exc_info=True)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask workers to stop (a running job goes back to the queue), then end them."""
        self._stop.set()
        self._wake.notify(len(self._procs))
        deadline = time.monotonic() + timeout
        for proc in self._procs.values():
            proc.join(max(0.0, deadline - time.monotonic()))
        for proc in self._procs.values():
            if proc.is_alive():
                proc.terminate()
                proc.join(2)
        self._halt.set()
        if self._thread.is_alive():
            self._thread.join(2)
        self._drain(timeout=0)
