"""Jobs and their results, kept in SQLite (one replica) or PostgreSQL (several).

``JobStore`` is every read and write; ``JobPool`` runs jobs in worker processes;
``okf.store.worker`` is what a worker does with one job.
"""

from okf.store.database import default_url, is_sqlite, migrate
from okf.store.jobs import JobStore, JobView, LeaseLostError, NewJob
from okf.store.models import FINISHED_STATES, JOB_STATES
from okf.store.queue import JobPool, PoolConfig
from okf.store.worker import JobContext, WorkerConfig, run_job

__all__ = [
    "FINISHED_STATES",
    "JOB_STATES",
    "JobContext",
    "JobPool",
    "JobStore",
    "JobView",
    "LeaseLostError",
    "NewJob",
    "PoolConfig",
    "WorkerConfig",
    "default_url",
    "is_sqlite",
    "migrate",
    "run_job",
]
