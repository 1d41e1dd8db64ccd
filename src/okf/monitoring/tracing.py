"""The spec's tracing (``api/monitoring/tracing.py``), on OTLP instead of Jaeger thrift.

opentelemetry-python dropped the Jaeger thrift exporter and Jaeger (since 1.35) takes
OTLP, so spans leave by OTLP/HTTP, configured by the standard ``OTEL_*`` variables
(endpoint, service name, sampler, timeout). Tracing is off when no endpoint is set.

Exporting must never slow or fail a request: spans go to a bounded queue drained by one
background thread (:mod:`okf.monitoring.drain`, the code logs leave by too); when the
queue is full or the backend is down they are dropped and counted, never waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status, StatusCode

from okf.monitoring.drain import BackgroundDrainer

TRACER_NAME = "okf"
# The provider of this process, set by setup_tracing. It is deliberately not made the
# global OpenTelemetry provider: FastAPI's own telemetry would then trace every request a
# second time, and the global can be set only once per process (tests build many apps).
_provider: TracerProvider | None = None
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class OtlpConfig:
    """Where spans go: the standard ``OTEL_*`` variables, as read by ``okf.settings``."""

    enabled: bool = False
    timeout_s: float = 3.0
    #: ``OTEL_SERVICE_NAME``: wins over okf's own service name when set.
    service_name: str | None = None

    @classmethod
    def from_settings(cls, settings: Any = None) -> OtlpConfig:
        """From ``settings`` (default: a fresh ``Settings()``, i.e. the environment)."""
        if settings is None:
            from okf.settings import Settings

            settings = Settings()
        return cls(
            enabled=settings.tracing_enabled,
            timeout_s=settings.otel_exporter_otlp_timeout,
            service_name=settings.otel_service_name,
        )


class BoundedSpanProcessor(SpanProcessor):
    """Batches finished spans to an exporter from a background thread; never blocks.

    Finishing a span is a bounded append to a :class:`~okf.monitoring.drain.BackgroundDrainer`
    (the queue logs use too): the export thread is not woken per span but every
    ``schedule_delay_s``, or at once when a full batch is waiting. ``on_drop(n)`` is
    told of every span lost to a full queue or a failed export.
    """

    def __init__(
        self,
        exporter: SpanExporter,
        *,
        on_drop: Callable[[int], None] = lambda n: None,
        max_queue_size: int = 2048,
        max_batch_size: int = 256,
        schedule_delay_s: float = 0.5,
    ) -> None:
        self._exporter = exporter
        self._queue: BackgroundDrainer[ReadableSpan] = BackgroundDrainer(
            self._export,
            name="okf-span-export",
            capacity=max_queue_size,
            batch_size=max_batch_size,
            interval_s=schedule_delay_s,
            on_drop=on_drop,
        )
        self._put = self._queue.put
        #: ``on_end`` for a span known to be sampled (okf's lean spans check it first):
        #: the queue's own ``put``, which takes nothing once the queue is closed.
        self.on_sampled_end = self._queue.put

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        if not self._queue.closed and span.context.trace_flags.sampled:
            self._put(span)

    def _export(self, batch: Sequence[ReadableSpan]) -> bool:
        return self._exporter.export(batch) is SpanExportResult.SUCCESS

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._queue.flush(timeout_millis / 1000)

    def shutdown(self, timeout_millis: int = 5000) -> None:
        self._queue.close(timeout_millis / 1000)


def setup_tracing(
    app: Any = None,
    *,
    service_name: str = "okf",
    exporter: SpanExporter | None = None,
    on_drop: Callable[[int], None] = lambda n: None,
    otlp: OtlpConfig | None = None,
) -> TracerProvider | None:
    """Build this process's tracer provider; None (tracing off) without an endpoint.

    ``app`` is accepted for the spec's signature; requests are traced by the monitoring
    middleware (one lean span per request), not by the FastAPI instrumentor.
    """
    otlp = otlp or OtlpConfig.from_settings()
    if exporter is None:
        if not otlp.enabled:
            return None
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The exporter reads the endpoint from the OTEL_* variables itself.
        exporter = OTLPSpanExporter(timeout=otlp.timeout_s)
    name = otlp.service_name or service_name
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BoundedSpanProcessor(exporter, on_drop=on_drop))
    global _provider
    _provider = provider
    return provider


def current_tracer() -> trace.Tracer:
    """The okf tracer: this process's provider when tracing is on, else the global one."""
    provider = _provider or trace.get_tracer_provider()
    return provider.get_tracer(TRACER_NAME)


def trace_request(func: F) -> F:
    """Wrap a sync or async function in a span that records its exceptions.

    The spec's version timed coroutines wrongly (the span closed before they ran) and
    raised NameError on its error path (``Status`` was never imported).
    """
    span_name = getattr(func, "__qualname__", getattr(func, "__name__", "call"))

    @contextlib.contextmanager
    def span() -> Iterator[None]:
        with current_tracer().start_as_current_span(span_name, record_exception=False) as sp:
            sp.set_attribute("code.function", span_name)
            try:
                yield
            except BaseException as exc:
                _record_failure(sp, exc)
                raise
            sp.set_status(Status(StatusCode.OK))

    if asyncio.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            with span():
                return await func(*args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with span():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _record_failure(span: trace.Span, exc: BaseException) -> None:
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
