"""Spans reach a real OTLP receiver, linked to the logs; a dead backend costs nothing."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from okf.monitoring import MonitoringConfig, trace_request, tracing
from okf.monitoring.tracing import BoundedSpanProcessor

from .helpers import OtlpReceiver, attributes, free_port, log_lines


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    tap = OtlpReceiver()
    yield tap
    tap.stop()


def test_spans_reach_a_real_otlp_receiver_and_match_the_logs(
    receiver: OtlpReceiver,
    make_app,
    log_stream: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "okf-test")
    app = make_app(MonitoringConfig())
    with TestClient(app) as client:
        response = client.post("/v1/items/5", json={"text": "tracing works"})
        assert response.status_code == 200
    app.state.monitoring.shutdown()  # flushes the queue
    server = receiver.wait_for(lambda s: s["name"] == "POST /v1/items/{item_id}")[0]
    model = receiver.wait_for(lambda s: s["name"] == "model.predict echo")[0]
    assert model["traceId"] == server["traceId"]
    assert model["parentSpanId"] == server["spanId"], "model span is not a child of the request"
    server_attrs = attributes(server)
    assert server_attrs["http.route"] == "/v1/items/{item_id}"
    assert server_attrs["http.request.method"] == "POST"
    assert int(server_attrs["http.response.status_code"]) == 200
    model_attrs = attributes(model)
    assert model_attrs["okf.model.name"] == "echo" and model_attrs["okf.model.version"] == "1"
    assert int(model_attrs["okf.text.length"]) == len("tracing works")
    assert int(model_attrs["okf.keywords.count"]) == 1
    assert "tracing works" not in str(model), "the raw text must not be in a span"
    lines = [
        line
        for line in log_lines(log_stream)
        if line.get("request_id") == response.headers["x-request-id"]
    ]
    assert {line["message"] for line in lines} >= {"api_request", "model_prediction"}
    assert {line["trace_id"] for line in lines} == {server["traceId"]}


def test_w3c_traceparent_is_continued(make_app, spans: InMemorySpanExporter) -> None:  # type: ignore[no-untyped-def]
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    app = make_app(MonitoringConfig(), exporter=spans)
    with TestClient(app) as client:
        client.post(
            "/v1/items/1",
            json={"text": "continue"},
            headers={"traceparent": f"00-{trace_id}-{parent_id}-01"},
        )
    app.state.monitoring.shutdown()
    server = next(s for s in spans.get_finished_spans() if s.name.startswith("POST"))
    assert format(server.context.trace_id, "032x") == trace_id
    assert server.parent is not None and format(server.parent.span_id, "016x") == parent_id


def test_requests_succeed_and_drops_are_counted_with_the_endpoint_down(
    make_app,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1")
    app = make_app(MonitoringConfig())
    with TestClient(app) as client:
        codes = [client.post("/v1/items/1", json={"text": "down"}).status_code for _ in range(20)]
        app.state.monitoring.tracer_provider.force_flush(5000)
        text = client.get("/metrics").text
    app.state.monitoring.shutdown()
    assert codes == [200] * 20
    dropped = [
        s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name == "okf_telemetry_dropped_total" and s.labels == {"signal": "traces"}
    ]
    assert dropped and dropped[0] >= 40  # a request span and a model span each


def test_the_span_queue_is_bounded_and_counts_what_it_drops() -> None:
    class StuckExporter(InMemorySpanExporter):
        def export(self, spans):  # type: ignore[no-untyped-def]
            import time

            time.sleep(0.2)
            return super().export(spans)

    dropped: list[int] = []
    processor = BoundedSpanProcessor(
        StuckExporter(), on_drop=dropped.append, max_queue_size=10, max_batch_size=5
    )
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider()
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("t")
    for _ in range(100):
        tracer.start_span("s").end()
    assert sum(dropped) >= 80
    provider.shutdown()


def test_trace_request_on_sync_and_async_functions_records_exceptions(
    spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))

    @trace_request
    def add(a: int, b: int) -> int:
        return a + b

    @trace_request
    async def slow_fail() -> None:
        await asyncio.sleep(0.05)
        raise ValueError("nope")

    monkeypatch.setattr(tracing, "_provider", provider)
    assert add(2, 3) == 5
    with pytest.raises(ValueError, match="nope"):
        asyncio.run(slow_fail())
    finished = {s.name.rsplit(".", 1)[-1]: s for s in spans.get_finished_spans()}
    assert finished["add"].status.is_ok
    failed = finished["slow_fail"]
    assert not failed.status.is_ok
    assert failed.events and failed.events[0].name == "exception"
    assert (failed.end_time - failed.start_time) >= 40_000_000, "the async body was not timed"
