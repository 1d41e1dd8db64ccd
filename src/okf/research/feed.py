"""Where research gets its per-document keywords: the batch engine, or in-process.

``engine_results`` runs the batch engine (``okf.batch``: the local process pool, or Ray)
over a source and turns its output rows into :class:`DocResult`; ``inline_results``
runs the one extraction path in this process (small corpora, tests, the job worker).
Both read with the batch readers (folder, JSON Lines, CSV, Parquet), so inputs mean the
same everywhere. Batch rows carry no text, so the driver reads the source once more,
in step with the engine, for what research needs from the text itself (questions and
context words); only documents whose rows have not come back yet are held.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okf.extraction import CONVERTERS, ExtractionInput, ExtractionOptions, Extractor
from okf.models.base import ModelRegistry
from okf.research.documents import DocResult, context_terms, from_row, keywords_of
from okf.research.questions import find_questions

Record = dict[str, Any]
CHUNK = 32
ENGINES = ("local", "ray", "inline")


@dataclass
class FeedStats:
    documents: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, why)


def read_records(source: str) -> Iterator[Record]:
    """The batch readers' records (a missing or unknown input raises at once)."""
    from okf.batch.readers import input_kind
    from okf.batch.readers import read_records as batch_records

    input_kind(source)
    return batch_records(source)


def record_text(record: Record) -> str:
    """A record's text as the batch worker decodes it; HTML without a registered
    converter is reduced to its visible text here."""
    from okf.batch.work import decode

    text = decode(record)
    if _kind(record) == "text/html" and "text/html" not in CONVERTERS:
        from okf.research.sources import html_text

        return html_text(text)
    return text


def _kind(record: Record) -> str:
    return str(record.get("content_type") or "text/plain").split(";", 1)[0].strip().lower()


def _side(record: Record, text: str) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """Questions and context words; read from HTML's visible text even when the
    extraction path converts HTML itself (its tags are no question)."""
    if _kind(record) == "text/html" and "text/html" in CONVERTERS:
        from okf.research.sources import html_text

        text = html_text(text)
    return tuple(find_questions(text)), context_terms(text)


def inline_results(
    records: Iterable[Record],
    extractor: Extractor | ModelRegistry,
    options: Any,
    stats: FeedStats | None = None,
) -> Iterator[DocResult]:
    """Keywords through :class:`okf.extraction.Extractor` in this process, in chunks; a
    bare registry is wrapped in an Extractor (no time budget)."""
    if isinstance(extractor, ModelRegistry):
        extractor = Extractor(extractor)
    stats = stats if stats is not None else FeedStats()
    run_options = ExtractionOptions(top_n=options.top_n, language=options.lang, model=options.model)
    chunk: list[tuple[Record, str]] = []
    for record in records:
        stats.documents += 1
        try:
            if record.get("reason"):
                raise ValueError(record.get("message") or record["reason"])
            chunk.append((record, record_text(record)))
        except Exception as exc:  # the batch decoder's TextProblem, a reader's error record
            stats.skipped.append((str(record.get("id")), str(exc)))
        if len(chunk) >= CHUNK:
            yield from _run_chunk(chunk, extractor, run_options, stats)
            chunk = []
    if chunk:
        yield from _run_chunk(chunk, extractor, run_options, stats)


def _input(record: Record, text: str) -> ExtractionInput:
    kind = _kind(record)
    return ExtractionInput(
        text,
        title=record.get("title"),
        content_type=kind if kind in CONVERTERS else "text/plain",
        lang=record.get("lang") or None,
        id=str(record["id"]),
    )


def _run_chunk(
    chunk: list[tuple[Record, str]],
    extractor: Extractor,
    options: ExtractionOptions,
    stats: FeedStats,
) -> Iterator[DocResult]:
    results = extractor.run([_input(r, t) for r, t in chunk], options, errors="keep")
    for (record, text), result in zip(chunk, results, strict=True):
        if result.error is not None:
            stats.skipped.append((str(record["id"]), str(result.error)))
            continue
        questions, terms = _side(record, text)
        yield DocResult(
            id=str(record["id"]),
            lang=result.language or "en",
            keywords=keywords_of(result.keywords),
            url=record.get("url") or None,
            title=record.get("title") or None,
            questions=questions,
            terms=terms,
        )


def engine_results(
    source: str,
    options: Any,
    telemetry: Any,
    stats: FeedStats | None = None,
    *,
    engine: str = "local",
    workers: int | None = None,
    chunk_size: int = CHUNK,
) -> Iterator[DocResult]:
    """Keywords from the batch engine's rows; its model calls are counted in
    ``telemetry`` (``count_prediction``), its error rows in ``stats``."""
    from okf.batch.runner import RunPlan, engine_chunks
    from okf.batch.work import BatchJob

    stats = stats if stats is not None else FeedStats()
    run_options = ExtractionOptions(top_n=options.top_n, language=options.lang, model=options.model)
    job = BatchJob(batch_id=f"research-{uuid.uuid4().hex[:8]}", options=run_options)
    plan = RunPlan(source=source, output=Path("-"), engine=engine, workers=workers,
                   chunk_size=chunk_size, progress=False)  # fmt: skip
    side = _SideReader(read_records(source))
    for chunk in engine_chunks(plan, job, set()):
        for p in chunk.predictions:
            telemetry.count_prediction(p.model, p.status, p.duration)
        for row in chunk.rows:
            stats.documents += 1
            questions, terms = side.pop(str(row["id"]))
            if row.get("error"):
                stats.skipped.append(
                    (str(row["id"]), str(row.get("error_message") or row["error"]))
                )
                continue
            result = from_row(row)
            yield DocResult(result.id, result.lang, result.keywords, result.url, result.title,
                            questions=questions, terms=terms)  # fmt: skip


class _SideReader:
    """Reads the source in step with the engine; holds only the rows still to come."""

    def __init__(self, records: Iterator[Record]) -> None:
        self.records = records
        self.held: dict[str, tuple[tuple[str, ...], tuple[tuple[str, int], ...]]] = {}

    def pop(self, doc_id: str) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
        while doc_id not in self.held:
            record = next(self.records, None)
            if record is None:
                return (), ()
            try:
                self.held[str(record.get("id"))] = _side(record, record_text(record))
            except Exception:  # the engine reports the same record as an error row
                self.held[str(record.get("id"))] = ((), ())
        return self.held.pop(doc_id)
