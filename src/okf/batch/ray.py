"""The distributed engine: Ray Data read → ``map_batches`` on an actor pool → driver.

Each actor holds one :class:`~okf.batch.work.Worker` (the model loaded once) and runs
the same code as a process-pool worker, so both engines give the same rows. Ray Data
streams the input: a folder with ``read_binary_files``, a JSON Lines, CSV or Parquet file
through okf's own readers in a Ray read task (:mod:`okf.batch.ray_read`: a bad line is
an error row and a record without an id gets its line number, as on the local engine,
where Ray's strict readers would fail the whole read). Ray restarts an actor that dies
and retries its chunk (Ray Data's defaults for actor pools: ``max_restarts=-1``,
``max_task_retries=-1``); a retried chunk's first output is never used, so no
document is lost or written twice.

Rows come back to the driver (``iter_batches``) and are committed by the same part
writer as the local engine instead of Ray's ``write_*``: that keeps one output file,
``--resume`` and exactly-once commits (Ray's writers put one file per block, and a
block written before a crash is written again by the retry). The cost is that every
row passes through the driver, which bounds throughput at its write speed
(see docs/batch.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from okf.batch.readers import InputError, input_kind, is_skipped_part
from okf.batch.records import CONTENT_TYPES, Record
from okf.batch.work import BatchJob, ChunkResult, Prediction, Worker
from okf.cpus import available_cpus

# Reads are I/O: they ask for no CPU, or actors holding every CPU would starve them
# (Ray Data then backpressures the read forever).
READ_CPUS = 0


def init_ray(address: str | None, workers: int | None) -> bool:
    """Join ``address`` (``auto``, ``ray://host:10001``) or start a local Ray with the
    usable CPUs; True when this call started it (and so must shut it down)."""
    import ray

    if ray.is_initialized():
        return False
    quiet = {"log_to_driver": False, "include_dashboard": False, "logging_level": "warning"}
    if address:
        ray.init(address=address, log_to_driver=False, logging_level="warning")
        return True
    ray.init(num_cpus=max(workers or 0, available_cpus()), **quiet)
    return True


def read_dataset(source: str) -> tuple[Any, str | None]:
    """The Ray dataset of ``source`` and, for a folder, its root (ids are relative)."""
    import ray.data

    kind = input_kind(source)
    if kind == "folder":
        root = os.path.abspath(source)
        extensions = [ext.lstrip(".") for ext in CONTENT_TYPES]
        dataset = ray.data.read_binary_files(
            root, include_paths=True, file_extensions=extensions, num_cpus=READ_CPUS
        )
        return dataset, root
    if source == "-":
        raise InputError("reading stdin needs the local engine (--engine local)")
    from okf.batch.ray_read import RecordsDatasource

    source_data = RecordsDatasource(os.path.abspath(source), kind)
    return ray.data.read_datasource(source_data, num_cpus=READ_CPUS), None


def to_record(row: dict[str, Any], root: str | None) -> Record | None:
    """The record of a Ray row, or None for a file the local reader would not read."""
    if root is None:
        from okf.batch.ray_read import unpack

        return unpack(row)
    relative = PurePosixPath(Path(os.path.relpath(row["path"], root)).as_posix())
    if any(is_skipped_part(part) for part in relative.parts):
        return None
    suffix = relative.suffix.lower()
    return {"id": str(relative), "data": row["bytes"], "content_type": CONTENT_TYPES[suffix]}


class BatchActor:
    """A Ray actor: one loaded model; a batch of input rows in, a batch of rows out."""

    def __init__(self, job: BatchJob, root: str | None, skip: Any = None) -> None:
        import ray

        self.worker = Worker(job)
        self.root = root
        if isinstance(skip, ray.ObjectRef):
            skip = ray.get(skip)
        self.skip: frozenset[str] = frozenset(skip or ())
        self.chunks = 0

    def __call__(self, batch: Any) -> dict[str, list[Any]]:
        records = [to_record(row, self.root) for row in batch.to_pylist()]
        todo = [r for r in records if r is not None and str(r.get("id")) not in self.skip]
        result = self.worker.run_chunk(todo)
        self.chunks += 1
        chunk_id = f"{result.worker_pid}-{self.chunks}-{time.time_ns()}"
        predictions = iter(result.predictions)
        columns: dict[str, list[Any]] = {
            k: [] for k in ("row", "model", "status", "duration", "chunk", "started", "ended")
        }
        for row in result.rows:
            # A document made at most one model call: the rows that reached the model
            # are the ones with a language or a model_* error, in order.
            p = next(predictions) if _reached_model(row) else None
            columns["row"].append(orjson.dumps(row))
            columns["model"].append(p.model if p else None)
            columns["status"].append(p.status if p else None)
            columns["duration"].append(p.duration if p else None)
            columns["chunk"].append(chunk_id)
            columns["started"].append(result.started_ns)
            columns["ended"].append(result.ended_ns)
        return columns


def _reached_model(row: dict[str, Any]) -> bool:
    return row["language"] is not None or row["error"] in ("model_timeout", "model_error")


def chunk_results(batch: dict[str, Any]) -> Iterator[ChunkResult]:
    """The driver side: output rows back into one ChunkResult per actor chunk."""
    by_chunk: dict[str, ChunkResult] = {}
    for i, chunk_id in enumerate(batch["chunk"]):
        chunk = by_chunk.get(chunk_id)
        if chunk is None:
            pid = int(str(chunk_id).split("-", 1)[0])
            started, ended = int(batch["started"][i]), int(batch["ended"][i])
            chunk = by_chunk[chunk_id] = ChunkResult([], [], started, ended, pid)
        chunk.rows.append(orjson.loads(batch["row"][i]))
        if batch["model"][i] is not None:
            chunk.predictions.append(
                Prediction(batch["model"][i], batch["status"][i], float(batch["duration"][i]))
            )
    yield from by_chunk.values()


def run_ray(
    source: str,
    job: BatchJob,
    *,
    workers: int | None = None,
    chunk_size: int = 32,
    skip: set[str] | None = None,
    address: str | None = None,
) -> Iterator[ChunkResult]:
    """Run ``job`` over ``source`` on Ray; yield each chunk's result as it arrives."""
    import ray
    import ray.data

    started = init_ray(address, workers)
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        dataset, root = read_dataset(source)
        actors = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        skip_ref = ray.put(set(skip)) if skip else None
        rows = dataset.map_batches(
            BatchActor,
            fn_constructor_kwargs={"job": job, "root": root, "skip": skip_ref},
            batch_size=chunk_size,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=1,
        )
        for batch in rows.iter_batches(batch_size=None, batch_format="numpy"):
            yield from chunk_results(batch)
    finally:
        if started:
            ray.shutdown()
