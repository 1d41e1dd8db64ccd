"""The hot-path shortcuts give exactly what the libraries' own paths give.

Logs, metrics and spans each have a shorter path for the per-request work (see
``okf bench-overhead``); these tests hold each one to the generic path it replaces.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    DEFAULT_OFF,
    DEFAULT_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    TraceFlags,
    TraceState,
    set_span_in_context,
)
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.openmetrics.exposition import generate_latest

from okf.monitoring import logging as okf_logging
from okf.monitoring.context import request_id_var, trace_ids_var
from okf.monitoring.fastpath import LeanSeries
from okf.monitoring.logsink import LineQueueWriter
from okf.monitoring.metrics import API_LATENCY_BUCKETS
from okf.monitoring.spans import LeanSpans, static_decisions

NOW = 1_700_000_000.25


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.time", lambda: NOW)


@pytest.fixture
def in_request() -> Iterator[None]:
    tokens = (request_id_var.set("req-1"), trace_ids_var.set(("ab" * 16, "cd" * 8)))
    yield
    request_id_var.reset(tokens[0])
    trace_ids_var.reset(tokens[1])


def _reference_lines(level: str, calls: Callable[[], None]) -> list[str]:
    """What a plain structlog logger with the same renderer writes for ``calls``."""
    out = io.StringIO()
    plain = structlog.wrap_logger(
        structlog.WriteLogger(out),
        processors=[okf_logging.EcsJsonRenderer("okf")],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )
    saved = okf_logging.logger
    okf_logging.logger = plain
    try:
        calls()
    finally:
        okf_logging.logger = saved
    return out.getvalue().splitlines()


def _events() -> None:
    okf_logging.log_request("POST", "/v1/x", "1.2.3.4", None, 0.002, 200, client_name=None)
    okf_logging.log_request("GET", "/v1/y", None, "ana", 0.1, 404, "nope")
    okf_logging.log_request("GET", "/v1/z", None, None, 0.3, 503, api_key="secret", level="x")
    okf_logging.log_model_prediction("m", "text " * 100, 0.001, "ok", model_version="1")
    okf_logging.log_model_prediction("m", "t", 0.5, "error", "boom", policy="full")
    okf_logging.logger.info("plain", token="secret", n=1)
    okf_logging.logger.bind(user="bound").warning("bound", n=2)


@pytest.mark.parametrize("level", ["INFO", "WARNING"])
@pytest.mark.parametrize("queued", [False, True])
def test_okf_logger_writes_what_plain_structlog_writes(
    level: str, queued: bool, frozen_clock: None, in_request: None
) -> None:
    out = io.StringIO()
    queue = LineQueueWriter(out) if queued else None
    okf_logging.configure_logging(level=level, stream=queue or out)
    short_path = okf_logging.logger
    assert short_path._renderer is not None, "the okf logger lost its short path"
    assert (short_path._queue_out is not None) == queued
    _events()
    if queue is not None:
        assert queue.drain(5)
    assert out.getvalue().splitlines() == _reference_lines(level, _events)


def test_impossible_keywords_still_raise(in_request: None) -> None:
    okf_logging.configure_logging(stream=io.StringIO())
    with pytest.raises(TypeError):
        okf_logging.log_request("GET", "/", None, None, 0.1, 200, event="clash")
    with pytest.raises(TypeError):
        okf_logging.log_model_prediction("m", "t", 0.1, "ok", input_sha256="clash")


def _exposition(update: Callable[[object, object], None]) -> bytes:
    registry = CollectorRegistry()
    counter = Counter("c", "c", ["k"], registry=registry)
    histogram = Histogram("h", "h", ["k"], buckets=API_LATENCY_BUCKETS, registry=registry)
    update(counter.labels("a"), histogram.labels("a"))
    return generate_latest(registry)


def test_lean_series_takes_the_direct_path_in_one_process() -> None:
    registry = CollectorRegistry()
    series = LeanSeries(
        Counter("c", "c", ["k"], registry=registry).labels("a"),
        Histogram("h", "h", ["k"], registry=registry).labels("a"),
    )
    assert series._direct, "prometheus_client's MutexValue changed: no direct updates"


OBSERVATIONS = [
    (0.001, "f" * 32),  # exactly on a bound
    (0.0011, None),
    (0.3, "e" * 32),
    (99.0, "d" * 32),  # +Inf bucket
    (float("nan"), "c" * 32),  # no bucket at all
    (0.0, ""),
]


def test_lean_series_updates_what_inc_and_observe_update(frozen_clock: None) -> None:
    def public(counter, histogram) -> None:  # type: ignore[no-untyped-def]
        for duration, trace_id in OBSERVATIONS:
            counter.inc()
            histogram.observe(duration, {"trace_id": trace_id} if trace_id else None)

    def lean(counter, histogram) -> None:  # type: ignore[no-untyped-def]
        series = LeanSeries(counter, histogram)
        for duration, trace_id in OBSERVATIONS:
            series.record(duration, trace_id)

    assert _exposition(lean) == _exposition(public)


def test_lean_series_rejects_an_oversized_exemplar_like_observe() -> None:
    registry = CollectorRegistry()
    series = LeanSeries(
        Counter("c", "c", ["k"], registry=registry).labels("a"),
        Histogram("h", "h", ["k"], registry=registry).labels("a"),
    )
    with pytest.raises(ValueError, match="128"):
        series.record(0.1, "x" * 121)


def _parent(remote: bool, sampled: bool) -> object:
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    context = SpanContext(
        0x1234, 0x5678, is_remote=remote, trace_flags=flags, trace_state=TraceState([("k", "v")])
    )
    return set_span_in_context(NonRecordingSpan(context))


SAMPLERS = [
    ALWAYS_ON,
    ALWAYS_OFF,
    DEFAULT_ON,
    DEFAULT_OFF,
    ParentBased(ALWAYS_ON, remote_parent_sampled=ALWAYS_OFF, local_parent_not_sampled=ALWAYS_ON),
]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.get_description())
def test_decision_table_agrees_with_the_sampler(sampler: Sampler) -> None:
    spans = LeanSpans(TracerProvider(sampler=sampler))
    parents = [None] + [_parent(r, s) for r in (True, False) for s in (True, False)]
    for parent in parents:
        context, _ = spans.start("n", SpanKind.SERVER, parent)  # type: ignore[arg-type]
        expected = sampler.should_sample(parent, context.trace_id, "n", SpanKind.SERVER)  # type: ignore[arg-type]
        assert context.trace_flags.sampled == expected.decision.is_sampled()
        assert context.trace_state == (expected.trace_state or TraceState())


def test_other_samplers_are_asked_every_time() -> None:
    assert static_decisions(TraceIdRatioBased(0.5)) is None
    assert static_decisions(ParentBased(TraceIdRatioBased(0.5))) is None
    spans = LeanSpans(TracerProvider(sampler=TraceIdRatioBased(0.0)))
    context, _ = spans.start("n", SpanKind.SERVER)
    assert not context.trace_flags.sampled


def test_lean_span_context_is_what_span_context_builds() -> None:
    """The tuple built without SpanContext.__new__, and read by index, is the same."""
    spans = LeanSpans(TracerProvider())
    for parent in [None, _parent(remote=True, sampled=True), _parent(remote=False, sampled=False)]:
        context, parent_context = spans.start("n", SpanKind.SERVER, parent)  # type: ignore[arg-type]
        rebuilt = SpanContext(
            context.trace_id, context.span_id, False, context.trace_flags, context.trace_state
        )
        assert type(context) is SpanContext and tuple(context) == tuple(rebuilt)
        assert context.is_valid and not context.is_remote
        fields = (context.trace_id, context.span_id, context.is_remote, context.trace_flags)
        assert tuple(context[:4]) == fields
        assert (context[4], context[5]) == (context.trace_state, context.is_valid)
        if parent is None:
            assert parent_context is None and context.trace_state == TraceState()
        else:  # found under the key get_current_span reads
            found = trace.get_current_span(parent).get_span_context()  # type: ignore[arg-type]
            assert parent_context == found and context.trace_id == found.trace_id


def test_lean_span_is_what_the_sdk_reads_and_reaches_every_processor() -> None:
    provider = TracerProvider()
    first, later = InMemorySpanExporter(), InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(first))
    spans = LeanSpans(provider)
    spans.finish("warm", *spans.start("warm", SpanKind.SERVER), SpanKind.SERVER, 1, 2, {})
    provider.add_span_processor(SimpleSpanProcessor(later))  # after the first span
    context, parent = spans.start("n", SpanKind.SERVER)
    error = ValueError("boom")
    spans.finish("n", context, parent, SpanKind.SERVER, 5, 9, {"a": 1}, error, True)
    expected = ReadableSpan(
        name="n",
        context=context,
        parent=parent,
        resource=provider.resource,
        attributes={"a": 1},
        events=first.get_finished_spans()[-1].events,
        kind=SpanKind.SERVER,
        status=first.get_finished_spans()[-1].status,
        start_time=5,
        end_time=9,
        instrumentation_scope=first.get_finished_spans()[-1].instrumentation_scope,
    )
    assert len(first.get_finished_spans()) == 2 and len(later.get_finished_spans()) == 1
    for exported in (first.get_finished_spans()[-1], later.get_finished_spans()[0]):
        assert exported.to_json() == expected.to_json()
        assert exported.status.status_code.name == "ERROR"
        assert exported.events[0].attributes["exception.type"] == "ValueError"  # type: ignore[index]
