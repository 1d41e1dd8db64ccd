"""The one thing a batch worker does: turn records into rows, with the model loaded once.

Both engines run this code unchanged (the process pool calls :func:`run_chunk` in each
worker process, the Ray actor holds a :class:`Worker`), so they give the same rows for
the same input. Each document goes through the same path as ``okf extract`` and the
API; here only the bytes are decoded and a failure becomes an error row instead of an
exit. Every model call is logged as the spec's ``model_prediction`` event (with the
batch id and the document id) and returned as a :class:`Prediction`, so the driver
counts it in ``model_predictions_total`` / ``model_latency_seconds``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

from okf.batch.readers import MAX_BYTES
from okf.batch.records import (
    BINARY,
    EMPTY,
    INVALID,
    MODEL_ERROR,
    MODEL_TIMEOUT,
    TOO_LONG,
    UNDECODABLE,
    Record,
    Row,
)
from okf.extraction import DEFAULTS, ExtractionOptions
from okf.models.base import PredictionEvent
from okf.text import MAX_CHARS
from okf.text.errors import (
    EmptyTextError,
    InvalidEncodingError,
    InvalidTextError,
    TextTooLargeError,
)


@dataclass(frozen=True)
class BatchJob:
    """What every worker needs to know; small and picklable (sent once per worker)."""

    batch_id: str
    options: ExtractionOptions = DEFAULTS  # model, language, top_n, max_ngram, diversity
    budget_s: float | None = 10.0  # per document; a slower call becomes model_timeout
    log_input_text: str = "truncate"
    log_level: str = "INFO"
    service_name: str = "okf"


@dataclass(frozen=True, slots=True)
class Prediction:
    """One model call, for the driver's metrics."""

    model: str
    status: str
    duration: float


@dataclass
class ChunkResult:
    """A chunk's rows, its model calls and when the worker ran it (for its span)."""

    rows: list[Row]
    predictions: list[Prediction]
    started_ns: int
    ended_ns: int
    worker_pid: int


class TextProblem(Exception):
    """A document that cannot be extracted from: its error reason and message."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def decode(record: Record) -> str:
    """The text of a record, checked the way ``okf extract`` checks a file."""
    data = record.get("data")
    if data is not None:
        if len(data) > MAX_BYTES:
            raise TextProblem(TOO_LONG, f"the file has over {MAX_BYTES:,} bytes")
        if b"\x00" in data:
            raise TextProblem(BINARY, "the file holds binary data (NUL bytes)")
        try:
            return bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TextProblem(UNDECODABLE, f"not UTF-8: bad byte at {exc.start}") from None
    text = record.get("text")
    if not isinstance(text, str):
        raise TextProblem(INVALID, "the record has no text")
    if len(text) > MAX_CHARS:
        raise TextProblem(
            TOO_LONG, f"the text has {len(text):,} characters; the limit is {MAX_CHARS:,}"
        )
    if "\x00" in text:
        raise TextProblem(BINARY, "the text holds binary data (NUL characters)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise TextProblem(UNDECODABLE, f"not UTF-8 text at character {exc.start}") from None
    return text


def text_problem(exc: InvalidTextError) -> TextProblem:
    """The error reason of a text the extraction path refused."""
    if isinstance(exc, EmptyTextError):
        return TextProblem(EMPTY, str(exc))
    if isinstance(exc, TextTooLargeError):
        return TextProblem(TOO_LONG, str(exc))
    if isinstance(exc, InvalidEncodingError):
        return TextProblem(UNDECODABLE, str(exc))
    return TextProblem(INVALID, str(exc))


def content_type(record: Record) -> str:
    """The record's content type when a converter handles it, else ``text/plain``.

    Markdown and HTML converters (``okf.text.markup``) register in
    ``okf.extraction.CONVERTERS``; until they do, such files are read as plain text
    rather than refused.
    """
    from okf.extraction import CONVERTERS

    kind = str(record.get("content_type") or "text/plain")
    return kind if kind.split(";", 1)[0].strip().lower() in CONVERTERS else "text/plain"


class Worker:
    """One loaded model and the path a document takes through it."""

    def __init__(self, job: BatchJob, *, configure_logs: bool = True) -> None:
        from okf.extraction import Extractor
        from okf.models.catalog import build_registry

        if configure_logs:
            from okf.monitoring.logging import configure_logging

            # Straight to stdout (no background queue): a worker process may end with
            # os._exit, which would drop queued lines; stdout is flushed per chunk.
            configure_logging(level=job.log_level, service_name=job.service_name, stream=sys.stdout)
        self.job = job
        registry = build_registry()
        self.extractor = Extractor(registry, default_model=job.options.model, budget_s=job.budget_s)
        self.model = self.extractor.model(job.options.model)
        self.extractor.ensure_loaded(self.model)
        registry.add_observer(self._observe)
        self._predictions: list[Prediction] = []
        self._doc_id = ""

    def _observe(self, event: PredictionEvent) -> None:
        from okf.monitoring.logging import log_model_prediction

        self._predictions.append(Prediction(event.model, event.status, event.duration))
        docs = event.documents
        log_model_prediction(
            model=event.model,
            input_text="\n".join(getattr(d, "text", "") for d in docs),
            duration=event.duration,
            status=event.status,
            error=f"{type(event.error).__name__}: {event.error}" if event.error else None,
            policy=self.job.log_input_text,  # type: ignore[arg-type]
            model_version=event.version,
            language=",".join(sorted({getattr(d, "language", "?") for d in docs})),
            batch_size=len(docs),
            n_keywords=event.n_keywords,
            batch_id=self.job.batch_id,
            document_id=self._doc_id,
        )

    def run_chunk(self, records: list[Record]) -> ChunkResult:
        import os

        started = time.time_ns()
        self._predictions = []
        rows = [self.run_one(record) for record in records]
        sys.stdout.flush()
        return ChunkResult(rows, self._predictions, started, time.time_ns(), os.getpid())

    def run_one(self, record: Record) -> Row:
        row: Row = {
            "id": str(record.get("id")),
            "title": record.get("title"),
            "url": record.get("url"),
            "language": None,
            "model": self.model.name,
            "model_version": self.model.version,
            "keywords": [],
            "error": None,
            "error_message": None,
        }
        if "reason" in record:  # the reader could not parse this line
            row["error"], row["error_message"] = record["reason"], record.get("message")
            return row
        try:
            language, keywords = self._extract(record)
        except TextProblem as exc:
            row["error"], row["error_message"] = exc.reason, str(exc)
            return row
        row["language"] = language
        row["keywords"] = keywords
        return row

    def _extract(self, record: Record) -> tuple[str | None, list[dict[str, Any]]]:
        """One document through the extraction path (one model call, so one metric)."""
        from okf.extraction import ExtractionInput

        item = ExtractionInput(
            decode(record),
            title=record.get("title"),
            content_type=content_type(record),
            lang=record.get("lang"),
            id=str(record.get("id")),
        )
        self._doc_id = str(record.get("id"))
        before = len(self._predictions)
        try:
            result = self.extractor.run([item], self.job.options, errors="keep")[0]
        except Exception as exc:  # a model bug on one document must not stop the run
            raise TextProblem(MODEL_ERROR, f"{type(exc).__name__}: {exc}") from None
        if result.error is not None:
            raise text_problem(result.error)
        if any(p.status == "timeout" for p in self._predictions[before:]):
            raise TextProblem(
                MODEL_TIMEOUT, f"the model took over the budget of {self.job.budget_s:g} s"
            )
        return result.language, [k.as_dict() for k in result.keywords]


# -- the process pool's entry points (module level, so they pickle by name) -----------
_worker: Worker | None = None


def init_worker(job: BatchJob) -> None:
    """Pool initializer: load the model once per worker process."""
    global _worker
    _worker = Worker(job)


def run_chunk(records: list[Record]) -> ChunkResult:
    if _worker is None:  # pragma: no cover - the pool always runs init_worker first
        raise RuntimeError("worker not initialised")
    return _worker.run_chunk(records)
