"""``okf batch INPUT -o OUTPUT``: keywords of a whole corpus, on a process pool or Ray.

Only I/O and wiring: the documents go through the same extraction as ``okf extract``
and the API (see :mod:`okf.batch.work`); defaults come from :class:`okf.settings.Settings`
(default model, per-document budget, log policy), flags override them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from okf.batch.runner import ENGINES, RunPlan, check_model, new_batch_id, run_batch
from okf.batch.telemetry import BatchTelemetry
from okf.batch.work import BatchJob
from okf.commands.options import add_extraction_flags, extraction_options
from okf.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "batch",
        help="extract keywords from a folder, JSON Lines, CSV or Parquet corpus",
        description="One output row per document (JSON Lines or Parquet, by extension); "
        "a document that fails gets an error row with its reason, never stops the run.",
    )
    parser.add_argument("input", help="folder (.txt/.md/.html), .jsonl, .csv, .parquet or -")
    parser.add_argument("-o", "--output", required=True, help="OUTPUT.jsonl or OUTPUT.parquet")
    add_extraction_flags(parser, unit="keywords per document")
    parser.add_argument("--engine", default="local", choices=ENGINES, help="local or ray")
    parser.add_argument("--workers", type=int, default=None, help="default: usable CPUs")
    parser.add_argument("--chunk-size", type=int, default=32, help="documents per task")
    parser.add_argument("--resume", action="store_true", help="skip ids already written")
    parser.add_argument("--overwrite", action="store_true", help="start again over OUTPUT")
    parser.add_argument("--ray-address", default=None, help="auto or ray://host:10001")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="model budget per document, s (default: OKF_REQUEST_TIMEOUT_S)",
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help="serve /metrics on this port while running (0: any free port)",
    )
    parser.add_argument("--metrics-host", default="127.0.0.1", help="address of /metrics")
    parser.add_argument("--pushgateway", default=None, help="push final metrics to this URL")
    parser.add_argument(
        "--progress-every",
        type=int,
        default=1000,
        help="documents per progress line when stderr is not a terminal",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    parser.add_argument("--summary-json", default=None, help="also write the summary here")
    parser.set_defaults(func=run)


def check_args(args: argparse.Namespace) -> None:
    if args.workers is not None and args.workers < 1:
        raise ValueError("--workers must be at least 1")
    if args.chunk_size < 1:
        raise ValueError("--chunk-size must be at least 1")
    if args.resume and args.overwrite:
        raise ValueError("--resume and --overwrite exclude each other")
    if args.input == "-" and args.engine == "ray":
        raise ValueError("the ray engine reads files; pipe stdin with --engine local")


def run(args: argparse.Namespace) -> int:
    check_args(args)
    settings = Settings()
    options = extraction_options(args, settings.default_model)  # as okf extract and the API
    job = BatchJob(
        batch_id=new_batch_id(),
        options=options,
        budget_s=args.timeout if args.timeout is not None else settings.request_timeout_s,
        log_input_text=settings.log_input_text,
        log_level=settings.log_level,
        service_name=settings.service_name,
    )
    names = check_model(job)
    plan = RunPlan(
        source=args.input,
        output=Path(args.output),
        engine=args.engine,
        workers=args.workers,
        chunk_size=args.chunk_size,
        resume=args.resume,
        overwrite=args.overwrite,
        ray_address=args.ray_address,
        progress=not args.quiet,
        progress_every=args.progress_every,
    )
    telemetry = BatchTelemetry(
        job.batch_id,
        models=names,
        metrics_port=args.metrics_port,
        metrics_host=args.metrics_host,
        pushgateway=args.pushgateway,
        service_name=settings.service_name,
    )
    if telemetry.metrics_port is not None:
        print(f"okf batch: /metrics on port {telemetry.metrics_port}", file=sys.stderr)
    from okf.batch.progress import Summary

    summary = Summary(batch_id=job.batch_id, engine=args.engine)
    try:
        run_batch(plan, job, telemetry, summary)
    finally:
        if summary.started:
            print(summary.render(), file=sys.stderr)
        if summary.started and args.summary_json:
            Path(args.summary_json).write_text(json.dumps(summary.as_dict()) + "\n")
    return 0
