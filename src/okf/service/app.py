"""The application factory: everything is built from a Settings and a ModelRegistry.

Building from arguments (no module-level app, no global state) lets tests make fresh,
independent apps, and lets each uvicorn worker build its own through
:func:`create_app_from_env` (``uvicorn --factory``).

ASGI layers, outermost first::

    MonitoringMiddleware  request id, metrics, logs, traces (okf.monitoring)
    AccessMiddleware      401 / 429, sets user and client for the logs
    BodyGuardMiddleware   415 / 413 / 400 before any parsing
    FastAPI               422 validation, routes, problem+json for every error
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from okf import __version__
from okf.extraction import build_extractor
from okf.models.base import ModelRegistry
from okf.monitoring import MonitoringConfig, instrument
from okf.monitoring.jobs import JobTelemetry
from okf.monitoring.tracing import OtlpConfig
from okf.service import web
from okf.service.api import ROUTERS, json_body_paths, research
from okf.service.auth import AccessMiddleware, check_open_mode, is_loopback
from okf.service.dependencies import document_limits
from okf.service.executor import ModelExecutor
from okf.service.keys import KeyStore
from okf.service.limits import BodyGuardMiddleware, TokenBucketLimiter
from okf.service.problems import install_error_handlers
from okf.service.warmup import ModelLoader
from okf.settings import Settings
from okf.store.jobs import JobStore
from okf.store.runtime import JobRuntime

log = logging.getLogger("okf.service")

DESCRIPTION = """Keyword and keyphrase extraction for Portuguese and English.

Send `Authorization: Bearer <key>` or `X-API-Key: <key>` (keys come from `okf keys add`).
Every error is an RFC 9457 problem document (`application/problem+json`)."""


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Warm up in the background (/healthz answers at once, /readyz once warm); at the
    end drop queued model work and flush monitoring."""
    settings: Settings = app.state.settings
    executor: ModelExecutor = app.state.executor
    loader: ModelLoader = app.state.loader
    task = None
    if settings.warmup:
        task = asyncio.create_task(executor.run(loader.warm_all, budget_s=None))
    else:
        loader.skip_warmup()
    jobs: JobRuntime = app.state.jobs
    await asyncio.to_thread(jobs.start)  # resumes queued jobs, retakes dead workers' ones
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
        await asyncio.to_thread(jobs.close)  # a running job goes back to the queue
        executor.shutdown()
        app.state.monitoring.shutdown()  # flush spans, retire this worker's metrics


def create_app(
    settings: Settings | None = None,
    registry: ModelRegistry | None = None,
    store: JobStore | None = None,
) -> FastAPI:
    """Build the service (``store``: a jobs store to use instead of the settings' one).
    Raises :class:`~okf.service.auth.InsecureBindError` when it would run without keys
    on a non-loopback address without ``insecure``."""
    settings = settings or Settings()
    extractor = build_extractor(settings, registry)  # fails at start on a bad model name
    registry = extractor.registry

    keys = KeyStore(settings.api_keys_file)
    open_notice = check_open_mode(settings.host, len(keys), settings.insecure)

    executor = ModelExecutor(settings.executor_threads)
    loader = ModelLoader(extractor)

    app = FastAPI(
        title="Omni Keywords Finder",
        version=__version__,
        description=DESCRIPTION,
        lifespan=_lifespan,
        # FastAPI's own OpenTelemetry would trace every request a second time.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.settings = settings
    app.state.extractor = extractor
    app.state.executor = executor
    app.state.loader = loader
    app.state.keys = keys
    app.state.open_notice = open_notice
    app.state.jobs = JobRuntime(settings, store=store)

    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    web.install(app)  # the pages and /static (not JSON routes: no body guard)
    _guard(app, settings, keys)

    # Last, so that the monitoring middleware is the outermost layer and sees every
    # answer; it sets the request id that error bodies carry.
    monitoring = instrument(app, registry, monitoring_config(settings))
    telemetry = JobTelemetry(monitoring.metrics, monitoring.tracer_provider)
    telemetry.watch(app.state.jobs.queue_summary)
    app.state.jobs.observer = telemetry
    _document_openapi(app, registry, settings)
    if open_notice:
        log.warning(open_notice)
    return app


def _guard(app: FastAPI, settings: Settings, keys: KeyStore) -> None:
    """The transport checks in front of the routes: the JSON body guard, and outside
    it the access check (API key, rate limit). add_middleware wraps: the last added is
    the outermost."""
    app.add_middleware(
        BodyGuardMiddleware, max_bytes=settings.max_body_bytes, paths=json_body_paths()
    )
    app.add_middleware(
        AccessMiddleware,
        keys=keys,
        limiter=TokenBucketLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
        open_when_no_keys=is_loopback(settings.host) or settings.insecure,
        prefix=("/v1/", web.AUTH_PREFIX),
    )


def _document_openapi(app: FastAPI, registry: ModelRegistry, settings: Settings) -> None:
    """State in the OpenAPI schema this app's limits and which `model` values are
    accepted (an enum of the available models), so that a schema-valid request is an
    accepted one; the field stays a plain string at run time, where an unknown name
    gets its own 422."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            document_limits(schema, settings)
            names = [m.name for m in registry if m.unavailable_reason() is None]
            for component in schema.get("components", {}).get("schemas", {}).values():
                model = component.get("properties", {}).get("model", {})
                for choice in model.get("anyOf", ()):
                    if choice.get("type") == "string":
                        choice["enum"] = names
            research.document_schema(schema, names, settings)
        return app.openapi_schema or schema

    app.openapi = openapi  # type: ignore[method-assign]


def monitoring_config(settings: Settings) -> MonitoringConfig:
    token_file = settings.metrics_token_file
    return MonitoringConfig(
        service_name=settings.service_name,
        log_level=settings.log_level,
        input_text_policy=settings.log_input_text,
        count_probes=settings.metrics_count_probes,
        trusted_proxies=tuple(settings.trusted_proxies),
        metrics_token=token_file.read_text().strip() if token_file else None,
        multiprocess_dir=str(shared) if (shared := settings.prometheus_multiproc_dir) else None,
        otlp=OtlpConfig.from_settings(settings),
    )


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory``: each worker builds its app from ``OKF_*``."""
    return create_app(Settings())
