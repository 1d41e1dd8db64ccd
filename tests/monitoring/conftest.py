"""A small app instrumented like the service, so monitoring is tested on its own."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from okf.models.base import ExtractOptions, ModelRegistry
from okf.monitoring import MonitoringConfig, instrument
from okf.monitoring import logging as okf_logging
from okf.testing import FirstWordModel, span_sink


@dataclass(frozen=True)
class FakeDocument:
    text: str
    language: str = "en"


class EchoModel(FirstWordModel):
    """Returns the first word; fails on the word 'boom'."""

    name = "echo"


def build_app(config: MonitoringConfig, exporter: InMemorySpanExporter | None = None) -> FastAPI:
    app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})
    registry = ModelRegistry()
    registry.register(EchoModel())

    @app.post("/v1/items/{item_id}")
    def predict(item_id: str, body: dict) -> dict:  # type: ignore[type-arg]
        result = registry.predict(None, [FakeDocument(body["text"])], ExtractOptions())
        return {"id": item_id, "keywords": [k.phrase for k in result[0]]}

    @app.get("/crash")
    def crash() -> None:
        raise ZeroDivisionError("handler bug")

    @app.get("/healthz")
    def healthz() -> dict:  # type: ignore[type-arg]
        return {"status": "ok"}

    instrument(app, registry, config, span_exporter=exporter)
    return app


@pytest.fixture
def log_stream(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    original = okf_logging.configure_logging
    monkeypatch.setattr(
        "okf.monitoring.wiring.configure_logging",
        lambda **kw: original(**{**kw, "stream": stream}),
    )
    yield stream


@pytest.fixture
def make_app(log_stream: io.StringIO):  # type: ignore[no-untyped-def]
    """Build fresh instrumented apps (logs captured in ``log_stream``)."""
    return build_app


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return span_sink()


@pytest.fixture
def traced_client(log_stream: io.StringIO, spans: InMemorySpanExporter) -> Iterator[TestClient]:
    app = build_app(MonitoringConfig(), exporter=spans)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.monitoring.shutdown()


@pytest.fixture
def client(log_stream: io.StringIO) -> Iterator[TestClient]:
    app = build_app(MonitoringConfig())
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
