"""Run a model (and optional peers) over a dataset: quality figures and speed.

Timing covers text preparation plus extraction for every document; model loading is
done (and excluded) before the clock starts. Besides wall-clock ``docs_per_s``, the
result has ``cpu_docs_per_s`` (process CPU time): on a shared machine the wall clock
also counts time spent waiting for a core, the CPU figure much less so. Peers run on
the same documents, in the same process, one after the other, so their figures are
directly comparable.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from okf.bench.content import ContentScorer
from okf.bench.datasets import Dataset, Sample
from okf.bench.peers import Extractor as PeerExtractor
from okf.bench.peers import get_peer
from okf.bench.scoring import Scorer
from okf.extraction import ExtractionInput, ExtractionOptions, Extractor
from okf.models.base import ModelRegistry
from okf.text import detect_language
from okf.text.markup import structure

#: Predictions asked for per document: more than the largest cut-off, so removing
#: duplicates after stemming still leaves ten.
PREDICTIONS = 20

Progress = Callable[[Iterable[Sample], str], Iterable[Sample]]


def no_progress(samples: Iterable[Sample], _label: str) -> Iterable[Sample]:
    return samples


def tty_progress(samples: Iterable[Sample], label: str) -> Iterable[Sample]:
    """A tqdm bar on stderr when stderr is a terminal; plain iteration otherwise."""
    if not sys.stderr.isatty():
        return samples
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm comes with the bench extra
        return samples
    return tqdm(samples, desc=label, file=sys.stderr, leave=False, unit="doc")


def dataset_language(dataset: Dataset, requested: str) -> str:
    """Scoring language: the explicit one, else the declared one, else the majority."""
    if requested != "auto":
        return requested
    if dataset.language:
        return dataset.language
    votes = [detect_language(s.text.lower().split()) for s in dataset.samples[:50]]
    return max(sorted(set(votes)), key=votes.count)


class Scorers:
    """The standard scorer, and the web-content one when the set has titles."""

    def __init__(self, dataset: Dataset, language: str) -> None:
        self.standard = Scorer(language)
        has_titles = any(s.title is not None for s in dataset.samples)
        self.content = ContentScorer(language) if has_titles else None

    def add(self, phrases: list[str], sample: Sample) -> None:
        self.standard.add(phrases, sample.keys)
        if self.content is not None:
            self.content.add(phrases, sample.keys, sample.text, sample.title or "")


def sample_input(sample: Sample) -> ExtractionInput:
    """What okf is given: the post's Markdown when the set is read as Markdown."""
    if sample.raw is not None:
        return ExtractionInput(sample.raw, content_type="text/markdown")
    return ExtractionInput(sample.text)


def _run_model(
    dataset: Dataset,
    registry: ModelRegistry,
    name: str,
    language: str,
    progress: Progress,
    batch: int = 1,
) -> tuple[Scorers, float, float]:
    """Time the one extraction path, ``batch`` documents per call (1: one per request);
    a text the path refuses scores as no predictions. With Markdown input (``raw``),
    parsing the Markdown is part of the timed work."""
    extractor = Extractor(registry)
    extractor.ensure_loaded(extractor.model(name))
    options = ExtractionOptions(top_n=PREDICTIONS, language=language, model=name)
    scorers = Scorers(dataset, dataset_language(dataset, language))
    clock = [0.0, 0.0]  # wall, CPU

    def run(group: list[Sample]) -> None:
        start, start_cpu = time.perf_counter(), time.process_time()
        inputs = [sample_input(s) for s in group]
        found = extractor.run(inputs, options, errors="keep")
        clock[0] += time.perf_counter() - start
        clock[1] += time.process_time() - start_cpu
        for sample, result in zip(group, found, strict=True):
            scorers.add([k.phrase for k in result.keywords], sample)

    group: list[Sample] = []
    for sample in progress(dataset.samples, name):
        group.append(sample)
        if len(group) >= batch:
            run(group)
            group = []
    if group:
        run(group)
    return scorers, clock[0], clock[1]


def _run_peer(
    dataset: Dataset, extract: PeerExtractor, language: str, label: str, progress: Progress
) -> tuple[Scorers, float, float]:
    """A peer takes plain text: with Markdown input, the text okf's parser made of it."""
    scorers = Scorers(dataset, language)
    elapsed = cpu = 0.0
    for sample in progress(dataset.samples, label):
        given = sample_input(sample)
        text = structure(given.text, given.content_type).text if sample.raw else given.text
        start, start_cpu = time.perf_counter(), time.process_time()
        phrases = extract(text, language, PREDICTIONS)
        elapsed += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        scorers.add(phrases, sample)
    return scorers, elapsed, cpu


def _summary(scorers: Scorers, elapsed: float, cpu: float) -> dict[str, Any]:
    scorer = scorers.standard
    figures: dict[str, Any] = dict(scorer.figures())
    if scorers.content is not None:
        figures.update(scorers.content.figures())
    figures["seconds"] = round(elapsed, 3)
    figures["docs_per_s"] = round(scorer.n_docs / elapsed, 1) if elapsed > 0 else 0.0
    figures["cpu_docs_per_s"] = round(scorer.n_docs / cpu, 1) if cpu > 0 else 0.0
    return figures


def run_benchmark(
    dataset: Dataset,
    registry: ModelRegistry,
    model: str | None = None,
    language: str = "auto",
    peers: Sequence[str] = (),
    progress: Progress = no_progress,
    batch: int = 1,
) -> dict[str, Any]:
    """Score ``model`` (and ``peers``) on ``dataset``; the result is JSON-ready.

    ``batch`` documents go to the model per call (peers always take one at a time).
    """
    chosen = registry.get(model)
    scorers, elapsed, cpu = _run_model(dataset, registry, chosen.name, language, progress, batch)
    scorer = scorers.standard
    result: dict[str, Any] = {
        "dataset": dataset.name,
        "model": chosen.name,
        "version": chosen.version,
        "language": scorer.language,
        "n_docs": scorer.n_docs,
        "batch": batch,
        "input_format": "markdown" if any(s.raw is not None for s in dataset.samples) else "text",
        **_summary(scorers, elapsed, cpu),
    }
    peer_results: dict[str, Any] = {}
    ratios: dict[str, Any] = {}
    for name in peers:
        peer = get_peer(name)
        extract = peer.load()
        p_scorer, p_elapsed, p_cpu = _run_peer(dataset, extract, scorer.language, name, progress)
        figures = {"version": peer.version, **_summary(p_scorer, p_elapsed, p_cpu)}
        peer_results[name] = figures
        ratios[name] = {
            key: round(result[key] / figures[key], 2) if figures[key] else None
            for key in ("f1@5", "f1@10", "docs_per_s", "cpu_docs_per_s")
        }
    if peers:
        result["peers"] = peer_results
        result["ratios"] = ratios
    return result
