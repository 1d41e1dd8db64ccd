"""The driver of a batch run: an engine's chunks → the writer, telemetry and progress.

Engines only produce :class:`~okf.batch.work.ChunkResult` objects; everything the
driver does with them (commit rows, count metrics, draw progress, summarise) is here,
once, so both engines write the same output the same way.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from okf.batch.progress import ProgressView, Summary
from okf.batch.readers import count_records, input_kind
from okf.batch.telemetry import BatchTelemetry
from okf.batch.work import BatchJob, ChunkResult
from okf.batch.writers import PartWriter

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class RunPlan:
    """How to run: where from and to, which engine, and the monitoring knobs."""

    source: str
    output: Path
    engine: str = "local"
    workers: int | None = None
    chunk_size: int = 32
    resume: bool = False
    overwrite: bool = False
    ray_address: str | None = None
    part_rows: int = 1000
    progress: bool = True
    progress_every: int = 1000


def new_batch_id() -> str:
    return uuid.uuid4().hex[:12]


def check_model(job: BatchJob) -> list[str]:
    """Fail before any worker starts on an unknown or unavailable model; the names."""
    from okf.models.catalog import build_registry

    registry = build_registry()
    registry.resolve(job.options.model)
    return registry.names()


def engine_chunks(plan: RunPlan, job: BatchJob, skip: set[str]) -> Iterator[ChunkResult]:
    if plan.engine == "local":
        from okf.batch.local import run_local

        return run_local(
            plan.source, job, workers=plan.workers, chunk_size=plan.chunk_size, skip=skip
        )
    if plan.engine == "ray":
        from okf.batch.ray import run_ray

        return run_ray(
            plan.source,
            job,
            workers=plan.workers,
            chunk_size=plan.chunk_size,
            skip=skip,
            address=plan.ray_address,
        )
    raise ValueError(f"unknown engine {plan.engine!r}; valid: {', '.join(ENGINES)}")


def run_batch(
    plan: RunPlan, job: BatchJob, telemetry: BatchTelemetry, summary: Summary | None = None
) -> Summary:
    """Run the whole batch into ``summary``; on Ctrl-C or a failure commit the rows
    that finished (``summary.interrupted``), then re-raise."""
    summary = summary or Summary(batch_id=job.batch_id, engine=plan.engine)
    try:
        input_kind(plan.source)  # a missing input fails before anything starts
        writer = PartWriter(
            plan.output, resume=plan.resume, overwrite=plan.overwrite, part_rows=plan.part_rows
        )
    except BaseException:
        telemetry.finish(push=False)
        raise
    skip = writer.written_ids() if plan.resume else set()
    total = count_records(plan.source)
    view = ProgressView(
        None if total is None else max(0, total - len(skip)),
        every=plan.progress_every,
        enabled=plan.progress,
    )
    summary.skipped = len(skip)
    summary.started = True
    start = time.perf_counter()
    try:
        for index, chunk in enumerate(engine_chunks(plan, job, skip)):
            writer.write(chunk.rows)
            telemetry.record_chunk(chunk, index)
            errors = [r["error"] for r in chunk.rows if r.get("error")]
            summary.documents += len(chunk.rows)
            summary.errors.update(errors)
            view.advance(len(chunk.rows), len(errors))
        writer.finish()
    except BaseException as exc:
        writer.flush()  # finished rows are kept: --resume goes on from them
        summary.interrupted = True
        summary.failure = None if isinstance(exc, KeyboardInterrupt) else exc
        raise
    finally:
        summary.wall_s = time.perf_counter() - start
        view.close()
        telemetry.finish()
    return summary
