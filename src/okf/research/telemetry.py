"""Monitoring of a research run: predictions per model, one span per stage, one log event.

The registry reports every model call to :meth:`ResearchTelemetry.observe` (it is
added as a registry observer, as the service's recorder is), which counts it in the
spec's ``model_predictions_total{model,status}`` and ``model_latency_seconds{model}``.
Each stage (extract, aggregate, intent, cluster, gap, metrics, export) is a span under
one ``okf.research`` span when tracing is configured (OTLP endpoint), and timed either
way; :meth:`finish` writes the ``research_run`` log event with the counts. A tracing or
logging backend that fails never fails the run.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from okf.models.base import PredictionEvent
from okf.monitoring.metrics import ServiceMetrics


class ResearchTelemetry:
    def __init__(self, *, span_exporter: Any = None, metrics: ServiceMetrics | None = None) -> None:
        self.metrics = metrics or ServiceMetrics()
        self.predictions: Counter[tuple[str, str]] = Counter()
        self.stage_seconds: dict[str, float] = {}
        self._tracer = self._provider = self._root = None
        with contextlib.suppress(Exception):  # tracing is optional
            from okf.monitoring.tracing import TRACER_NAME, setup_tracing

            self._provider = setup_tracing(service_name="okf", exporter=span_exporter)
            if self._provider is not None:
                self._tracer = self._provider.get_tracer(TRACER_NAME)
                self._root = self._tracer.start_span("okf.research")

    def observe(self, event: PredictionEvent) -> None:
        """Registry observer: one count (and latency) per model call."""
        self.count_prediction(event.model, event.status, event.duration)

    def count_prediction(self, model: str, status: str, duration: float) -> None:
        """One model call (reported by the registry, or by a batch worker's chunk)."""
        self.predictions[(model, status)] += 1
        self.metrics.track_model_prediction(model, status, duration)

    @contextlib.contextmanager
    def stage(self, name: str, **attributes: Any) -> Iterator[None]:
        start = time.perf_counter()
        span = None
        if self._tracer is not None:
            from opentelemetry import trace

            context = trace.set_span_in_context(self._root)
            span = self._tracer.start_span(f"research.{name}", context=context)
            for key, value in attributes.items():
                span.set_attribute(f"okf.research.{key}", value)
        try:
            yield
        finally:
            self.stage_seconds[name] = self.stage_seconds.get(name, 0.0) + (
                time.perf_counter() - start
            )
            if span is not None:
                span.end()

    def finish(self, counts: dict[str, Any], *, log: bool = True) -> dict[str, Any]:
        """End the spans and log ``research_run``; returns the logged fields."""
        fields = {
            **counts,
            "predictions": {f"{m}:{s}": n for (m, s), n in sorted(self.predictions.items())},
            "stage_seconds": {k: round(v, 4) for k, v in self.stage_seconds.items()},
            "duration": round(sum(self.stage_seconds.values()), 4),
        }
        if self._root is not None:
            with contextlib.suppress(Exception):
                for key, value in counts.items():
                    if isinstance(value, int | float | str):
                        self._root.set_attribute(f"okf.research.{key}", value)
                self._root.end()
                self._provider.shutdown()
            self._root = None
        if log:
            with contextlib.suppress(Exception):  # a logging backend never fails the run
                from okf.monitoring import logging as okf_logging

                okf_logging._log("info", "research_run", fields)
        return fields
