"""``okf research INPUT -o REPORT_DIR``: keyword research over a site (tables → CSV/JSON/XLSX)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from okf.text import CHOICES

#: What to tell a user whose install lacks the research dependencies.
EXTRA_HINT = "pip install 'okf[research]'"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "research",
        help="keyword research over a corpus: keywords, clusters, intent, gap, exports",
    )
    parser.add_argument("input", help="folder of .txt/.md/.html, or a .jsonl/.csv file")
    parser.add_argument("-o", "--output", required=True, help="report folder (created)")
    parser.add_argument("--compare", help="a competitor corpus (same formats as INPUT)")
    parser.add_argument("--metrics", help="Search Console or Keyword Planner export")
    parser.add_argument(
        "--brand", action="append", default=[], help="a brand name (navigational); repeatable"
    )
    parser.add_argument("--model", default=None, help="model name (default: the default model)")
    parser.add_argument("--lang", default="auto", choices=CHOICES, help="documents' language")
    parser.add_argument("--top", type=int, default=20, help="keywords kept per document")
    parser.add_argument(
        "--spread", type=float, default=1.0, help="weight of page spread in the corpus score"
    )
    parser.add_argument(
        "--opportunity-weights",
        default=None,
        help="e.g. volume=0.5,impressions=0.2,position=0.2,competition=0,relevance=0.1",
    )
    parser.add_argument(
        "--no-vectors", action="store_true", help="cluster on documents and stems only"
    )
    parser.add_argument(
        "--engine",
        default="local",
        choices=("local", "ray", "inline"),
        help="batch engine that extracts (local process pool, ray), or inline (this process)",
    )
    parser.add_argument("--workers", type=int, default=None, help="engine workers (CPUs)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import importlib.util

    # Found, not imported: scikit-learn's import (~1.5 s) runs while extraction does.
    for module in ("sklearn", "xlsxwriter"):
        if importlib.util.find_spec(module) is None:
            raise RuntimeError(f"okf research needs {module}: {EXTRA_HINT}")
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from okf.extraction import build_extractor
    from okf.research.cluster import ClusterParams
    from okf.research.export import write_report
    from okf.research.feed import FeedStats
    from okf.research.metrics import parse_weights
    from okf.research.pipeline import ResearchOptions, build_report
    from okf.research.telemetry import ResearchTelemetry

    if args.top < 1:
        raise ValueError("--top must be at least 1")
    if args.spread < 0:
        raise ValueError("--spread must be 0 or more")
    options = ResearchOptions(
        model=args.model,
        lang=args.lang,
        top_n=args.top,
        brands=tuple(args.brand),
        spread=args.spread,
        cluster=ClusterParams(),
        weights=parse_weights(args.opportunity_weights),
        encoders={} if args.no_vectors else None,
    )
    metrics_file = Path(args.metrics) if args.metrics else None
    if metrics_file is not None and not metrics_file.is_file():
        raise FileNotFoundError(f"--metrics {args.metrics}: no such file")
    _configure_logs()
    telemetry = ResearchTelemetry()
    extractor = build_extractor()
    extractor.registry.add_observer(telemetry.observe)
    stats, their_stats = FeedStats(), FeedStats()
    yours = _feed(args, args.input, extractor, options, telemetry, stats)
    theirs = _feed(args, args.compare, extractor, options, telemetry, their_stats)
    report = build_report(yours, options, telemetry, competitor=theirs, metrics_file=metrics_file)
    if not report.yours.corpus.docs:
        raise ValueError(f"{args.input}: no readable documents")
    with telemetry.stage("export"):
        written = write_report(report, Path(args.output))
    counts = {
        **report.summary,
        "skipped_documents": len(stats.skipped) + len(their_stats.skipped),
        "model": extractor.model(args.model).name,
    }
    fields = telemetry.finish(counts)
    for doc_id, why in stats.skipped + their_stats.skipped:
        print(f"okf research: skipped {doc_id}: {why}", file=sys.stderr)
    for key, value in report.summary.items():
        print(f"{key}: {value}")
    print(f"seconds: {fields['duration']}")
    print(f"report: {written['xlsx'].parent}")
    return 0


def _feed(args, source, extractor, options, telemetry, stats):  # type: ignore[no-untyped-def]
    """The DocResult stream of one corpus (None without a source)."""
    from okf.research.feed import engine_results, inline_results, read_records

    if source is None:
        return None
    if args.engine == "inline":
        return inline_results(read_records(source), extractor, options, stats)
    read_records(source)  # a missing input fails now, before any worker starts
    return engine_results(
        source, options, telemetry, stats, engine=args.engine, workers=args.workers
    )


def _configure_logs() -> None:
    """JSON log lines on stderr: stdout carries the command's own output."""
    from okf.monitoring.logging import configure_logging
    from okf.settings import Settings

    settings = Settings()
    configure_logging(
        level=settings.log_level, service_name=settings.service_name, stream=sys.stderr
    )
