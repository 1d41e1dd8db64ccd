"""The spec's tracing (``api/monitoring/tracing.py``), on OTLP instead of Jaeger thrift.

opentelemetry-python dropped the Jaeger thrift exporter and Jaeger (since 1.35) takes
OTLP, so spans leave by OTLP/HTTP, configured by the standard ``OTEL_*`` variables
(endpoint, service name, sampler, timeout). Tracing is off when no endpoint is set.

Exporting must never slow or fail a request: spans go to a bounded queue drained by one
background thread; when the queue is full or the backend is down they are dropped and
counted, never waited for.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status, StatusCode

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

    Finishing a span is a bounded ``deque.append``: the export thread is not woken per
    span (that costs a GIL hand-off on every request) but every ``schedule_delay_s``, or
    at once when a full batch is waiting. ``on_drop(n)`` is told of every span lost to a
    full queue or a failed export. The thread is (re)started lazily in the process that
    ends spans, so a provider built before a fork still exports from the child.
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
        self._on_drop = on_drop
        self._spans: collections.deque[ReadableSpan] = collections.deque()
        self._max_queue = max_queue_size
        self._max_batch = max_batch_size
        self._delay = schedule_delay_s
        self._wake = threading.Event()
        self._flush_requests: collections.deque[threading.Event] = collections.deque()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        if self._closed or not span.context.trace_flags.sampled:
            return
        if self._pid != os.getpid():
            self._start_worker()
        if len(self._spans) >= self._max_queue:
            self._on_drop(1)
            return
        self._spans.append(span)
        if len(self._spans) == self._max_batch:
            self._wake.set()

    def _start_worker(self) -> None:
        with self._start_lock:
            if self._pid == os.getpid():
                return
            self._spans.clear()  # spans inherited from the parent are its to export
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="okf-span-export", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._delay)
            self._wake.clear()
            flushes = []
            while self._flush_requests:
                flushes.append(self._flush_requests.popleft())
            self._drain()
            for done in flushes:
                done.set()
            if self._closed:
                return

    def _drain(self) -> None:
        while self._spans:
            batch = []
            while self._spans and len(batch) < self._max_batch:
                batch.append(self._spans.popleft())
            self._export(batch)

    def _export(self, batch: Sequence[ReadableSpan]) -> None:
        try:
            result = self._exporter.export(batch)
        except Exception:
            result = SpanExportResult.FAILURE
        if result is not SpanExportResult.SUCCESS:
            self._on_drop(len(batch))

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            return True
        done = threading.Event()
        self._flush_requests.append(done)
        self._wake.set()
        return done.wait(timeout_millis / 1000)

    def shutdown(self, timeout_millis: int = 5000) -> None:
        if self._closed:
            return
        self.force_flush(timeout_millis)
        self._closed = True
        if self._thread is not None and self._pid == os.getpid():
            self._wake.set()
            self._thread.join(timeout_millis / 1000)
        self._exporter.shutdown()


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

    def start() -> Any:
        return current_tracer().start_as_current_span(span_name, record_exception=False)

    if asyncio.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            with start() as span:
                span.set_attribute("code.function", span_name)
                try:
                    result = await func(*args, **kwargs)
                except BaseException as exc:
                    _record_failure(span, exc)
                    raise
                span.set_status(Status(StatusCode.OK))
                return result

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with start() as span:
            span.set_attribute("code.function", span_name)
            try:
                result = func(*args, **kwargs)
            except BaseException as exc:
                _record_failure(span, exc)
                raise
            span.set_status(Status(StatusCode.OK))
            return result

    return wrapper  # type: ignore[return-value]


def _record_failure(span: trace.Span, exc: BaseException) -> None:
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
