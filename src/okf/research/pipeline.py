"""One research run: documents → per-document keywords → tables → report.

:mod:`okf.research.feed` yields :class:`DocResult` per document (the batch engine's
rows, or the one extraction path in this process); :func:`build_report` does the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from okf.research.aggregate import Corpus, KeywordRow, evolve
from okf.research.cluster import (
    Cluster,
    ClusterParams,
    EncoderPrefetch,
    PhraseEncoder,
    cluster_keywords,
)
from okf.research.documents import DocResult
from okf.research.feed import FeedStats, inline_results
from okf.research.gap import CannibalRow, GapRow, cannibalization, content_gap
from okf.research.intent import IntentClassifier
from okf.research.metrics import DEFAULT_WEIGHTS, Joined, index, opportunity, read_metrics
from okf.research.questions import merge
from okf.research.telemetry import ResearchTelemetry

#: Keywords kept per document: more than a page's usual 10, so that the corpus sees
#: secondary topics, and ranks 1–3 (cannibalization) stay the model's own.
TOP_N = 20
#: The in-process feed under its old name (okf.store's research task uses it).
extract_results = inline_results
__all__ = ["FeedStats", "Report", "ResearchOptions", "build_report", "extract_results"]


@dataclass
class ResearchOptions:
    model: str | None = None
    lang: str = "auto"
    top_n: int = TOP_N
    brands: tuple[str, ...] = ()
    spread: float = 1.0
    cluster: ClusterParams = field(default_factory=ClusterParams)
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    #: None: the default encoder per language (MiniLM for en); {}: none at all.
    encoders: dict[str, PhraseEncoder | None] | None = None


@dataclass
class Analysis:
    corpus: Corpus
    keywords: list[KeywordRow]
    clusters: list[Cluster]


@dataclass
class Report:
    yours: Analysis
    questions: list[tuple[str, list[str]]]
    cannibalization: list[CannibalRow]
    gap: list[GapRow] = field(default_factory=list)
    competitor: Analysis | None = None
    joined: list[Joined] | None = None
    summary: dict[str, object] = field(default_factory=dict)


def analyse(
    results: Iterable[DocResult], options: ResearchOptions, telemetry: ResearchTelemetry
) -> Analysis:
    """Corpus table with intents and clusters (``extract`` consumes the feed lazily)."""
    prefetch = EncoderPrefetch(options.encoders)
    with telemetry.stage("extract"):
        corpus = Corpus().extend(_announced(results, prefetch))
    with telemetry.stage("aggregate", documents=len(corpus.docs)):
        rows = corpus.table(spread=options.spread)
    with telemetry.stage("intent", keywords=len(rows)):
        classifiers = {lang: IntentClassifier(options.brands, lang) for lang in ("pt", "en")}
        rows = [_with_intent(r, classifiers.get(r.lang)) for r in rows]
    with telemetry.stage("cluster"):
        encoders = prefetch.encoders({r.lang for r in rows})
        rows, clusters = cluster_keywords(corpus, rows, options.cluster, encoders)
    return Analysis(corpus, rows, clusters)


def _announced(results: Iterable[DocResult], prefetch: EncoderPrefetch) -> Iterator[DocResult]:
    """The results, each language announced to ``prefetch`` as it first appears."""
    for result in results:
        prefetch.see(result.lang)
        yield result


def _with_intent(row: KeywordRow, classifier: IntentClassifier | None) -> KeywordRow:
    if classifier is None:
        classifier = IntentClassifier()
    got = classifier.classify(row.phrase)
    return evolve(
        row, intent=got.intent, funnel=got.funnel, modifiers=got.modifiers, intent_reason=got.reason
    )


def build_report(
    yours: Iterable[DocResult],
    options: ResearchOptions,
    telemetry: ResearchTelemetry,
    *,
    competitor: Iterable[DocResult] | None = None,
    metrics_file: Path | None = None,
) -> Report:
    mine = analyse(yours, options, telemetry)
    report = Report(mine, [], [])
    with telemetry.stage("questions"):
        labels = mine.corpus.docs
        report.questions = merge((q, labels[i].label) for q, i in mine.corpus.questions)
    with telemetry.stage("cannibalization"):
        report.cannibalization = cannibalization(mine.corpus, mine.keywords)
    if competitor is not None:
        report.competitor = analyse(competitor, options, telemetry)
        with telemetry.stage("gap"):
            theirs = report.competitor
            report.gap = content_gap(mine.keywords, theirs.keywords, theirs.clusters)
    if metrics_file is not None:
        with telemetry.stage("metrics"):
            found = index(read_metrics(metrics_file))
            report.joined = opportunity(mine.keywords, found, options.weights)
    report.summary = summarise(report)
    return report


def summarise(report: Report) -> dict[str, object]:
    mine = report.yours
    langs = sorted({d.lang for d in mine.corpus.docs})
    summary: dict[str, object] = {
        "documents": len(mine.corpus.docs),
        "languages": ", ".join(langs),
        "keywords": len(mine.keywords),
        "clusters": len(mine.clusters),
        "questions": len(report.questions),
        "cannibalized_keywords": len(report.cannibalization),
    }
    if report.competitor is not None:
        summary["competitor_documents"] = len(report.competitor.corpus.docs)
        summary["gap_rows"] = len(report.gap)
        summary["gap_absent"] = sum(r.status == "absent" for r in report.gap)
    if report.joined is not None:
        summary["keywords_with_search_data"] = sum(j.metrics is not None for j in report.joined)
    return summary


def intent_mix(rows: Sequence[KeywordRow]) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows:
        out[row.intent] = out.get(row.intent, 0) + 1
    return out
