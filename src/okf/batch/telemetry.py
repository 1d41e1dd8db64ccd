"""Monitoring of a batch run, in the driver: metrics, ``/metrics``, Pushgateway, spans.

Workers (processes or Ray actors) return each model call with their rows; the driver
counts them here in the spec's ``model_predictions_total{model,status}`` and
``model_latency_seconds{model}``, so the figures hold every document whichever engine
ran it. ``okf_batch_documents_total{outcome}`` counts documents by outcome (``ok`` or
the error reason), including those that never reached a model. Each chunk becomes one
span (``batch.chunk``, with the worker's own start and end) under one ``okf.batch``
span. A monitoring backend that is down never fails the run: a failed push is a
warning on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, push_to_gateway, start_http_server

from okf.batch.records import REASONS, Row
from okf.batch.work import ChunkResult
from okf.monitoring.metrics import ServiceMetrics

PUSH_JOB = "okf-batch"


class BatchTelemetry:
    """The driver's metrics registry, its optional HTTP endpoint, and the batch spans."""

    def __init__(
        self,
        batch_id: str,
        *,
        models: Iterable[str] = (),
        metrics_port: int | None = None,
        metrics_host: str = "127.0.0.1",
        pushgateway: str | None = None,
        span_exporter: Any = None,
        service_name: str = "okf",
    ) -> None:
        self.batch_id = batch_id
        self.pushgateway = pushgateway
        self.metrics = ServiceMetrics()
        self.metrics.declare_models(models)
        self.documents = Counter(
            "okf_batch_documents_total",
            "Documents of okf batch runs, by outcome (ok or the error reason)",
            ["outcome"],
            registry=self.metrics.registry,
        )
        for outcome in ("ok", *REASONS):
            self.documents.labels(outcome)
        self._server = None
        self.metrics_port: int | None = None
        if metrics_port is not None:
            self._server, _ = start_http_server(
                metrics_port, metrics_host, registry=self.metrics.registry
            )
            self.metrics_port = self._server.server_port
        self._tracer, self._provider, self._root = self._start_tracing(span_exporter, service_name)

    def _start_tracing(self, exporter: Any, service_name: str) -> tuple[Any, Any, Any]:
        from okf.monitoring.tracing import TRACER_NAME, setup_tracing

        provider = setup_tracing(service_name=service_name, exporter=exporter)
        if provider is None:
            return None, None, None
        tracer = provider.get_tracer(TRACER_NAME)
        root = tracer.start_span("okf.batch", attributes={"okf.batch.id": self.batch_id})
        return tracer, provider, root

    def record_chunk(self, chunk: ChunkResult, index: int) -> None:
        """Count a chunk's model calls and documents, and emit its span."""
        for p in chunk.predictions:
            self.metrics.track_model_prediction(p.model, p.status, p.duration)
        errors = 0
        for row in chunk.rows:
            outcome = row.get("error") or "ok"
            errors += outcome != "ok"
            self.documents.labels(outcome).inc()
        if self._tracer is not None:
            self._chunk_span(chunk, index, errors)

    def _chunk_span(self, chunk: ChunkResult, index: int, errors: int) -> None:
        from opentelemetry import trace

        span = self._tracer.start_span(
            "batch.chunk",
            context=trace.set_span_in_context(self._root),
            start_time=chunk.started_ns,
            attributes={
                "okf.batch.id": self.batch_id,
                "okf.batch.chunk": index,
                "okf.batch.documents": len(chunk.rows),
                "okf.batch.errors": errors,
                "okf.batch.worker_pid": chunk.worker_pid,
            },
        )
        span.end(end_time=max(chunk.ended_ns, chunk.started_ns))

    def finish(self, *, push: bool = True) -> None:
        """End the root span, flush spans, push the final figures, stop ``/metrics``."""
        if self._root is not None:
            self._root.end()
            self._provider.shutdown()
            self._root = None
        if push and self.pushgateway:
            self.push()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def push(self) -> bool:
        """Push every metric to the Pushgateway (job ``okf-batch``); False if it failed."""
        try:
            push_to_gateway(
                self.pushgateway or "", job=PUSH_JOB, registry=self.metrics.registry, timeout=10
            )
        except Exception as exc:  # a backend that is down never fails the run
            print(f"okf batch: warning: push to {self.pushgateway} failed: {exc}", file=sys.stderr)
            return False
        return True


def outcome_counts(rows: Iterable[Row]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        outcome = row.get("error") or "ok"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
