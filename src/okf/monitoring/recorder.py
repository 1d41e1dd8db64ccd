"""Turns each model prediction reported by the registry into a metric, a log and a span.

The registry calls this observer once per prediction, in the thread that ran the model
(so the request's context, and its span, are current). Models know nothing of it.
"""

from __future__ import annotations

from opentelemetry.trace import SpanKind

from okf.events import PredictionEvent
from okf.monitoring.logging import InputTextPolicy, log_model_prediction
from okf.monitoring.metrics import ServiceMetrics
from okf.monitoring.spans import LeanSpans


class PredictionRecorder:
    """A registry observer feeding the three signals."""

    def __init__(
        self,
        metrics: ServiceMetrics,
        spans: LeanSpans | None = None,
        input_text_policy: InputTextPolicy = "truncate",
    ) -> None:
        self.metrics = metrics
        self.spans = spans
        self.policy = input_text_policy

    def __call__(self, event: PredictionEvent) -> None:
        documents = event.documents
        if len(documents) == 1:  # the usual request: no list or set to build
            texts = [getattr(documents[0], "text", "")]
            language = getattr(documents[0], "language", "?")
        else:
            texts = [getattr(doc, "text", "") for doc in documents]
            language = ",".join(sorted({getattr(doc, "language", "?") for doc in documents}))
        trace_id = self._span(event, texts, language)
        self.metrics.track_model_prediction(event.model, event.status, event.duration, trace_id)
        log_model_prediction(  # the parameters positional, the extra fields by name
            event.model,
            "\n".join(texts),
            event.duration,
            event.status,
            f"{type(event.error).__name__}: {event.error}" if event.error else None,
            policy=self.policy,
            model_version=event.version,
            language=language,
            batch_size=len(texts),
            n_keywords=event.n_keywords,
        )

    def _span(self, event: PredictionEvent, texts: list[str], language: str) -> str | None:
        if self.spans is None:
            return None
        name = f"model.predict {event.model}"
        # The request's span is current here (the worker thread runs in its context).
        context, parent = self.spans.start(name, SpanKind.INTERNAL)
        self.spans.finish(
            name,
            context,
            parent,
            SpanKind.INTERNAL,
            event.started_ns,
            event.started_ns + int(event.duration * 1e9),
            {
                "okf.model.name": event.model,
                "okf.model.version": event.version,
                "okf.language": language,
                "okf.text.length": sum(map(len, texts)),
                "okf.keywords.count": event.n_keywords,
            },
            event.error,
            event.status != "ok",  # failed
        )
        return format(context[0], "032x")  # .trace_id, by index (see okf.monitoring.spans)
