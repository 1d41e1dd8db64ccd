"""CPU cost of monitoring per request: off, okf's own, and the usual stack, in one run.

Each variant is the same small FastAPI app driven in-process through ASGI (no sockets),
so what differs is only the monitoring. CPU time of the whole process is measured
(``time.process_time``), which includes background export threads. Variants are run
interleaved, several rounds, and the median is kept: the machine is shared and noisy.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from pydantic import BaseModel

from okf.models.base import ExtractOptions, ModelRegistry
from okf.monitoring.logsink import LineQueueWriter
from okf.testing import FirstWordModel

NO_NATIVE_TELEMETRY = {"tracing": False, "metrics": False, "logs": False}


class DiscardingExporter(SpanExporter):
    """A local exporter that accepts and drops spans: export cost without a network."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


class _Doc(BaseModel):
    """A request's document, with the ``text`` and ``language`` every prepared document
    the registry reports has (``okf.events.PredictionEvent``)."""

    text: str
    language: str = "en"


def _base_app() -> tuple[FastAPI, ModelRegistry]:
    app = FastAPI(telemetry=NO_NATIVE_TELEMETRY)  # type: ignore[call-arg]
    registry = ModelRegistry()
    registry.register(FirstWordModel())

    @app.post("/v1/items/{item_id}")
    async def extract(item_id: str, doc: _Doc) -> dict[str, Any]:
        result = registry.predict(None, [doc], ExtractOptions())
        return {"id": item_id, "keywords": [k.phrase for k in result[0]]}

    return app, registry


def app_off() -> FastAPI:
    return _base_app()[0]


def app_okf(log_stream: TextIO) -> FastAPI:
    from okf.monitoring import MonitoringConfig, instrument
    from okf.monitoring import logging as okf_logging

    app, registry = _base_app()
    instrument(
        app,
        registry,
        MonitoringConfig(configure_logging=False),
        span_exporter=DiscardingExporter(),
    )
    # As in production: lines leave through the bounded queue and its writer thread.
    okf_logging.configure_logging(stream=LineQueueWriter(log_stream))
    return app


def app_okf_sdk_batch(log_stream: TextIO) -> FastAPI:
    """okf's monitoring with the OpenTelemetry SDK's ``BatchSpanProcessor`` in place of
    okf's bounded span queue: the comparison the choice of drainer was made on."""
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from okf.monitoring import tracing

    own = tracing.BoundedSpanProcessor
    tracing.BoundedSpanProcessor = lambda exporter, **_: BatchSpanProcessor(exporter)  # type: ignore[assignment,misc]
    try:
        return app_okf(log_stream)
    finally:
        tracing.BoundedSpanProcessor = own  # type: ignore[misc]


def app_usual(log_stream: TextIO) -> FastAPI:
    """The common recipe: instrumentator + structlog request logging + OTel instrumentor."""
    import structlog
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from prometheus_client import CollectorRegistry
    from prometheus_fastapi_instrumentator import Instrumentator
    from starlette.middleware.base import BaseHTTPMiddleware

    app, _ = _base_app()
    Instrumentator(registry=CollectorRegistry()).instrument(app)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.WriteLoggerFactory(log_stream),
    )
    log = structlog.get_logger()

    async def log_requests(request: Any, call_next: Callable[..., Any]) -> Any:
        start = time.perf_counter()
        response = await call_next(request)
        log.info(
            "api_request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            duration=time.perf_counter() - start,
        )
        return response

    app.add_middleware(BaseHTTPMiddleware, dispatch=log_requests)
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(DiscardingExporter()))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)
    return app


async def _drive(app: Any, n: int) -> None:
    body = b'{"text": "keyword extraction for search engines"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    for i in range(n):
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": f"/v1/items/{i}",
            "raw_path": f"/v1/items/{i}".encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 0

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        if status != 200:
            raise RuntimeError(f"benchmark request failed with {status}")


def cpu_us_per_request(app: Any, n: int) -> float:
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_drive(app, 50))  # warm-up: routes, caches, lazy imports
        start = time.process_time()
        loop.run_until_complete(_drive(app, n))
        return (time.process_time() - start) / n * 1e6
    finally:
        loop.close()


def measure(requests: int = 2000, rounds: int = 5) -> dict[str, float]:
    """Median CPU µs/request of each variant over interleaved rounds."""
    logging.getLogger().setLevel(logging.WARNING)
    sink = open(os.devnull, "w")  # noqa: SIM115 - kept open for the whole measurement
    apps = {"off_us": app_off(), "on_us": app_okf(sink), "usual_us": app_usual(sink)}
    samples: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(rounds):
        for name, app in apps.items():
            samples[name].append(cpu_us_per_request(app, requests))
    sink.close()
    result = {name: round(statistics.median(values), 1) for name, values in samples.items()}
    result["overhead_us"] = round(result["on_us"] - result["off_us"], 1)
    result["usual_over_on"] = round(result["usual_us"] / result["on_us"], 2)
    result["requests_per_round"] = requests
    result["rounds"] = rounds
    return result


def _run_variant(variant: str, requests: int) -> None:
    """Drive one variant (for instruction counting under valgrind, where time is moot)."""
    sink = open(os.devnull, "w")  # noqa: SIM115 - the process ends right after
    builders = {
        "off": app_off,
        "on": lambda: app_okf(sink),
        "on-sdk-batch": lambda: app_okf_sdk_batch(sink),
        "usual": lambda: app_usual(sink),
    }
    app = builders[variant]()
    logging.getLogger().setLevel(logging.WARNING)
    cpu_us_per_request(app, requests)


if __name__ == "__main__":
    import sys

    _run_variant(sys.argv[1], int(sys.argv[2]))
