"""Jobs in a running service: the store opened on first use, the worker pool, exports.

The store is opened (and migrated) the first time it is needed, and the pool is started
at service start only when there is a jobs database to serve (``OKF_DATABASE_URL`` set,
or the SQLite file already there), else at the first submission: an app that never
sees a research job never creates a database or a worker process.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from okf.store import exports
from okf.store.database import is_sqlite
from okf.store.jobs import JobStore, JobView, NewJob
from okf.store.queue import JobPool, Observer, PoolConfig
from okf.store.worker import WorkerConfig

log = logging.getLogger("okf.store")

RESEARCH_TASK = "okf.store.tasks:run_research"


class JobRuntime:
    """What the API's research routes use: ``store``, ``submit``, ``export``."""

    def __init__(
        self,
        settings: Any,
        *,
        observer: Observer | None = None,
        task: str = RESEARCH_TASK,
        store: JobStore | None = None,
    ) -> None:
        self.settings = settings
        self.url: str = store.url if store is not None else settings.jobs_database_url()
        self.observer = observer
        self.task = task
        self._store = store
        self._pool: JobPool | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def store(self) -> JobStore:
        with self._lock:
            if self._store is None:
                self._store = JobStore(self.url)
            return self._store

    @property
    def pool(self) -> JobPool | None:
        return self._pool

    def database_exists(self) -> bool:
        if not is_sqlite(self.url):
            return True
        path = make_url(self.url).database
        return bool(path) and Path(path).exists()

    def start(self) -> None:
        """At service start: serve the queue if there is one (resumes others' jobs)."""
        if self.settings.job_workers > 0 and self.database_exists():
            try:
                self._ensure_pool()
            except Exception:  # a database that is down must not stop the service
                log.warning(
                    "jobs database unavailable at start; jobs start with the first submission",
                    exc_info=True,
                )

    def _ensure_pool(self) -> None:
        with self._lock:
            if self._pool is not None or self._closed or self.settings.job_workers == 0:
                return
        store = self.store
        s = self.settings
        worker = WorkerConfig.from_settings(s, self.url, self.task)
        pool_config = PoolConfig(workers=s.job_workers, retention_s=s.job_retention_s)
        pool = JobPool(store, worker, pool_config, self.observer)
        with self._lock:
            if self._pool is None and not self._closed:
                self._pool = pool.start()

    def queue_summary(self) -> tuple[dict[str, int], float | None]:
        """Jobs by state and the oldest queued job's submission time, for metrics;
        empty while there is no database (a scrape never creates one)."""
        if self._store is None and not self.database_exists():
            return {}, None
        return self.store.queue_summary()

    def submit(self, new: NewJob) -> JobView:
        view = self.store.submit(new)
        self._ensure_pool()
        if self._pool is not None:
            self._pool.notify()
        if self.observer is not None:
            self.observer(
                {
                    "type": "state",
                    "job": view.id,
                    "owner": view.owner,
                    "state": "queued",
                    "at": view.created_at,
                    "attempt": 0,
                    "documents": view.total,
                    "traceparent": view.traceparent,
                }
            )
        return view

    def export(self, job_id: str, fmt: str) -> tuple[str, bytes]:
        """The job's report file in ``fmt``: built from its tables once, then kept."""
        store = self.store
        found = store.get_export(job_id, fmt)
        if found is not None:
            return found
        tables = {name: store.rows(job_id, name)[1] for name in exports.REPORT_TABLES}
        content = exports.build(fmt, tables)
        store.put_export(job_id, fmt, exports.FORMATS[fmt], content)
        return exports.FORMATS[fmt], content

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()
        if self._store is not None:
            self._store.dispose()
