"""The research job: the documents stored with the job → ``okf.research`` → tables.

Runs in a job worker process (see :mod:`okf.store.worker`), so it builds the model
registry once per process and keeps it. Options are the ``okf research`` ones, already
checked by the API (:func:`research_options` is the one place they become a
``ResearchOptions``). The report's tables are the same rows ``okf research`` writes as
CSV/JSON/XLSX (``okf.research.export.tables``), so the API serves what the CLI writes.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from okf.store.worker import JobContext, Tables

_registry: Any = None

#: The options a research job accepts, with their defaults (the CLI's).
RESEARCH_OPTIONS: dict[str, Any] = {
    "model": None,
    "lang": "auto",
    "top_n": 20,
    "brands": [],
    "spread": 1.0,
    "opportunity_weights": None,
    "vectors": True,
}


def research_options(options: Mapping[str, Any]) -> Any:
    """``ResearchOptions`` from a job's options; ValueError names a bad one."""
    from okf.research.cluster import ClusterParams
    from okf.research.metrics import parse_weights
    from okf.research.pipeline import ResearchOptions

    unknown = sorted(set(options) - set(RESEARCH_OPTIONS))
    if unknown:
        raise ValueError(
            f"unknown option(s) {', '.join(unknown)}; valid: {', '.join(RESEARCH_OPTIONS)}"
        )
    o = {**RESEARCH_OPTIONS, **options}
    weights = o["opportunity_weights"]
    if isinstance(weights, Mapping):
        weights = ",".join(f"{k}={v}" for k, v in weights.items())
    return ResearchOptions(
        model=o["model"],
        lang=o["lang"],
        top_n=int(o["top_n"]),
        brands=tuple(o["brands"]),
        spread=float(o["spread"]),
        cluster=ClusterParams(),
        weights=parse_weights(weights),
        encoders=None if o["vectors"] else {},
    )


def registry() -> Any:
    global _registry
    if _registry is None:
        from okf.models.catalog import build_registry

        _registry = build_registry()
    return _registry


class _Stages:
    """What ``build_report`` calls ``telemetry``: its stages become the job's."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx

    def stage(self, name: str, **attributes: Any) -> contextlib.AbstractContextManager[None]:
        return self.ctx.stage(name, **attributes)


def _counted(records: Iterable[dict[str, Any]], ctx: JobContext, start: int) -> Iterator[Any]:
    for n, record in enumerate(records, start + 1):
        yield record
        ctx.progress(done=n)


def run_research(ctx: JobContext) -> Tables:
    """The job worker's task for ``kind == "research"``."""
    from okf.research.export import tables
    from okf.research.pipeline import FeedStats, build_report, extract_results

    options = research_options(ctx.options)
    reg = registry()
    own, compare = ctx.documents("own"), ctx.documents("compare")
    stats, their_stats = FeedStats(), FeedStats()
    yours = extract_results(_counted(own, ctx, 0), reg, options, stats)
    theirs = (
        extract_results(_counted(compare, ctx, len(own)), reg, options, their_stats)
        if compare
        else None
    )
    with tempfile.TemporaryDirectory(prefix="okf-job-") as tmp:
        metrics_file = None
        if (found := ctx.file("metrics")) is not None:
            metrics_file = Path(tmp) / "metrics"
            metrics_file.write_bytes(found[1])
        report = build_report(
            yours, options, _Stages(ctx), competitor=theirs, metrics_file=metrics_file
        )
    if not report.yours.corpus.docs:
        raise ValueError(
            "no readable documents: " + "; ".join(f"{i}: {why}" for i, why in stats.skipped[:5])
        )
    out = tables(report)
    out["skipped"] = [{"id": i, "reason": why} for i, why in stats.skipped + their_stats.skipped]
    return out
