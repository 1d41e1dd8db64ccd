"""Turns each model prediction reported by the registry into a metric, a log and a span.

The registry calls this observer once per prediction, in the thread that ran the model
(so the request's context, and its span, are current). Models know nothing of it.
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from okf.models.base import PredictionEvent
from okf.monitoring.logging import InputTextPolicy, log_model_prediction
from okf.monitoring.metrics import ServiceMetrics


class PredictionRecorder:
    """A registry observer feeding the three signals."""

    def __init__(
        self,
        metrics: ServiceMetrics,
        tracer: trace.Tracer | None = None,
        input_text_policy: InputTextPolicy = "truncate",
    ) -> None:
        self.metrics = metrics
        self.tracer = tracer
        self.policy = input_text_policy

    def __call__(self, event: PredictionEvent) -> None:
        texts = [getattr(doc, "text", "") for doc in event.documents]
        languages = sorted({getattr(doc, "language", "?") for doc in event.documents})
        trace_id = self._span(event, texts, languages)
        self.metrics.track_model_prediction(event.model, event.status, event.duration, trace_id)
        log_model_prediction(
            model=event.model,
            input_text="\n".join(texts),
            duration=event.duration,
            status=event.status,
            error=f"{type(event.error).__name__}: {event.error}" if event.error else None,
            policy=self.policy,
            model_version=event.version,
            language=",".join(languages),
            batch_size=len(texts),
            n_keywords=event.n_keywords,
        )

    def _span(self, event: PredictionEvent, texts: list[str], languages: list[str]) -> str | None:
        if self.tracer is None:
            return None
        span = self.tracer.start_span(
            f"model.predict {event.model}",
            start_time=event.started_ns,
            attributes={
                "okf.model.name": event.model,
                "okf.model.version": event.version,
                "okf.language": ",".join(languages),
                "okf.text.length": sum(len(t) for t in texts),
                "okf.batch.size": len(texts),
                "okf.keywords.count": event.n_keywords,
            },
        )
        if event.error is not None:
            span.record_exception(event.error)
        if event.status != "ok":
            span.set_status(Status(StatusCode.ERROR, event.status))
        span.end(end_time=event.started_ns + int(event.duration * 1e9))
        context = span.get_span_context()
        return format(context.trace_id, "032x") if context.is_valid else None
