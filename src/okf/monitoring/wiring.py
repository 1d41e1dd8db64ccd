"""Wiring the spec's monitoring into an app: :func:`instrument` and its configuration.

One call adds ``/metrics``, the request middleware (metrics, logs, a span per request)
and the prediction recorder (the registry's observer) to an app. The registry is seen
only through :class:`okf.events.ObservableRegistry`: monitoring knows no keyword logic.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from okf.events import ObservableRegistry
from okf.monitoring.context import request_id_var
from okf.monitoring.logging import InputTextPolicy, configure_logging
from okf.monitoring.logsink import count_log_drops, drain_logs
from okf.monitoring.metrics import ServiceMetrics
from okf.monitoring.middleware import ClientAddress, MonitoringMiddleware
from okf.monitoring.multiprocess import mark_worker_dead, retire_dead_workers
from okf.monitoring.recorder import PredictionRecorder
from okf.monitoring.spans import LeanSpans
from okf.monitoring.tracing import OtlpConfig, setup_tracing
from okf.problem_details import MEDIA_TYPE, problem_body

PROBE_PATHS = ("/healthz", "/readyz", "/metrics")


@dataclass(frozen=True)
class MonitoringConfig:
    """What the service's settings decide about monitoring (see ``okf.settings``)."""

    service_name: str = "okf"
    log_level: str = "INFO"
    input_text_policy: InputTextPolicy = "truncate"
    count_probes: bool = False
    trusted_proxies: tuple[str, ...] = ()
    metrics_token: str | None = None
    configure_logging: bool = True
    #: prometheus_client's shared directory when ``okf serve`` runs several workers.
    multiprocess_dir: str | None = None
    #: Where spans go; None = the standard OTEL_* variables (read through okf.settings).
    otlp: OtlpConfig | None = None


@dataclass
class Monitoring:
    """What :func:`instrument` built, kept on ``app.state.monitoring``."""

    metrics: ServiceMetrics
    tracer_provider: TracerProvider | None

    def shutdown(self) -> None:
        """Flush buffered spans and log lines (bounded waits), retire this worker's metrics."""
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()
        drain_logs()
        if self.metrics.multiprocess_path:
            mark_worker_dead(os.getpid(), self.metrics.multiprocess_path)


def instrument(
    app: Any,
    registry: ObservableRegistry,
    config: MonitoringConfig,
    *,
    span_exporter: SpanExporter | None = None,
) -> Monitoring:
    """Add ``/metrics``, the request middleware and the prediction observer to ``app``.

    Call it last when building the app, so the middleware is the outermost one. Spans go
    to OTLP when ``config.otlp`` is enabled (by default: ``OTEL_EXPORTER_OTLP_ENDPOINT``
    set), or to ``span_exporter`` (tests, benchmarks); otherwise tracing is off.
    """
    if config.configure_logging:
        configure_logging(level=config.log_level, service_name=config.service_name)
    shared_dir = config.multiprocess_dir
    if shared_dir:
        retire_dead_workers(shared_dir)
    metrics = ServiceMetrics(multiprocess_path=shared_dir)
    metrics.declare_models(registry.names())
    dropped_spans = metrics.telemetry_dropped_total.labels("traces")
    count_log_drops(metrics.telemetry_dropped_total.labels("logs").inc)
    provider = setup_tracing(
        app,
        service_name=config.service_name,
        exporter=span_exporter,
        on_drop=dropped_spans.inc,
        otlp=config.otlp,
    )
    spans = LeanSpans(provider) if provider is not None else None
    registry.add_observer(PredictionRecorder(metrics, spans, config.input_text_policy))
    app.add_route("/metrics", _metrics_endpoint(metrics, config.metrics_token), ["GET"], False)
    app.add_middleware(
        MonitoringMiddleware,
        metrics=metrics,
        spans=spans,
        untracked_paths=() if config.count_probes else PROBE_PATHS,
        client_address=ClientAddress(config.trusted_proxies),
    )
    monitoring = Monitoring(metrics=metrics, tracer_provider=provider)
    app.state.monitoring = monitoring
    return monitoring


def _metrics_endpoint(metrics: ServiceMetrics, token: str | None):  # type: ignore[no-untyped-def]
    expected = f"Bearer {token}".encode() if token else None

    async def serve_metrics(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                body = problem_body(
                    401,
                    "/metrics needs the configured bearer token",
                    instance="/metrics",
                    request_id=request_id_var.get(),
                )
                return JSONResponse(body, status_code=401, media_type=MEDIA_TYPE)
        body, content_type = metrics.render(request.headers.get("accept"))
        return Response(body, media_type=content_type)

    return serve_metrics
