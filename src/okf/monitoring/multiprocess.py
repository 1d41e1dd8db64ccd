"""Several uvicorn workers, one set of metrics: prometheus_client's multiprocess mode.

``okf serve --workers N`` empties a shared directory (:func:`reset_multiprocess_dir`)
and tells every worker of it; each worker writes its counters and histograms to files
there and :class:`~okf.monitoring.metrics.ServiceMetrics` merges them at scrape time.
A worker that ends marks itself dead; one that died without doing so is found by its
pid at the next start (:func:`retire_dead_workers`).
"""

from __future__ import annotations

import os

from prometheus_client import multiprocess


def mark_worker_dead(pid: int, path: str) -> None:
    """Tell the multi-worker files that a worker is gone (its live gauges disappear)."""
    multiprocess.mark_process_dead(pid, path)


def retire_dead_workers(path: str) -> None:
    """Mark workers that died without a clean shutdown (their pid is in a file name)."""
    import re

    import psutil

    pids = {int(m.group(1)) for m in (re.search(r"_(\d+)\.db$", n) for n in os.listdir(path)) if m}
    for pid in pids:
        if not psutil.pid_exists(pid):
            multiprocess.mark_process_dead(pid, path)


def reset_multiprocess_dir(path: str) -> None:
    """Empty the shared directory before workers start, so old runs do not add up."""
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))
