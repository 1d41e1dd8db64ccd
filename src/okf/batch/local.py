"""The embedded engine: a process pool, one model per worker process, loaded once.

The driver reads records lazily and keeps at most ``2 × workers`` chunks in flight, so
its memory does not grow with the corpus; results come back as chunks finish (the
output is in completion order, not input order). Processes rather than threads: the
statistical and graph models are pure Python, so only processes use two cores.
Workers are *spawned*, not forked: the driver runs threads (``/metrics``, span
export) that a fork would copy in an unknown state.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from itertools import islice

from okf.batch.readers import read_records
from okf.batch.records import Record
from okf.batch.work import BatchJob, ChunkResult, init_worker, run_chunk
from okf.cpus import available_cpus

DEFAULT_CHUNK = 32


def default_workers() -> int:
    """The usable CPUs (affinity mask and container quota), as ``okf.cpus`` counts them."""
    return available_cpus()


def chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def unseen(records: Iterable[Record], skip: set[str]) -> Iterator[Record]:
    """Records whose id was not written yet (``--resume``)."""
    if not skip:
        yield from records
        return
    for record in records:
        if str(record.get("id")) not in skip:
            yield record


def run_local(
    source: str,
    job: BatchJob,
    *,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    skip: set[str] | None = None,
) -> Iterator[ChunkResult]:
    """Run ``job`` over ``source`` and yield each chunk's result as it finishes."""
    n = workers or default_workers()
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(n, mp_context=context, initializer=init_worker, initargs=(job,))
    pending: set[Future[ChunkResult]] = set()
    try:
        for chunk in chunks(unseen(read_records(source), skip or set()), chunk_size):
            while len(pending) >= 2 * n:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
            pending.add(pool.submit(run_chunk, chunk))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in done)
    finally:
        # On an error or Ctrl-C the chunks still queued are dropped: their documents
        # were not written, so --resume runs them.
        pool.shutdown(wait=True, cancel_futures=True)
