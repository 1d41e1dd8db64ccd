"""Research job monitoring: worker events become okf_research_* metrics, one
research_job log event per state change, and one trace per job (a root span linked to
the submitting request, a child per stage); queue gauges are read at scrape time."""

from __future__ import annotations

import io

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from okf.monitoring.jobs import JobTelemetry, current_traceparent, parse_traceparent
from okf.monitoring.logging import configure_logging
from okf.monitoring.metrics import ServiceMetrics

from .helpers import log_lines

SUBMITTER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def samples(metrics: ServiceMetrics) -> dict[tuple[str, tuple], float]:
    body, _ = metrics.render(None)
    out = {}
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def run_events(job: str = "j1") -> list[dict]:
    return [
        {
            "type": "state",
            "job": job,
            "owner": "key:a",
            "state": "queued",
            "at": 100.0,
            "attempt": 0,
            "documents": 3,
            "traceparent": SUBMITTER,
        },
        {
            "type": "state",
            "job": job,
            "owner": "key:a",
            "state": "running",
            "at": 101.0,
            "attempt": 1,
            "traceparent": SUBMITTER,
        },
        {
            "type": "stage",
            "job": job,
            "stage": "extract",
            "start": 101.0,
            "end": 103.0,
            "attributes": {"documents": 3},
            "traceparent": SUBMITTER,
        },
        {
            "type": "stage",
            "job": job,
            "stage": "cluster",
            "start": 103.0,
            "end": 104.0,
            "attributes": {},
            "traceparent": SUBMITTER,
        },
        {
            "type": "state",
            "job": job,
            "owner": "key:a",
            "state": "done",
            "at": 104.5,
            "attempt": 1,
            "duration": 3.5,
            "documents": 3,
            "traceparent": SUBMITTER,
        },
    ]


def test_events_become_metrics_logs_and_one_linked_trace():
    stream = io.StringIO()
    configure_logging(stream=stream)
    metrics = ServiceMetrics()
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry = JobTelemetry(metrics, provider)
    for event in run_events():
        telemetry(event)
    got = samples(metrics)
    assert got[("okf_research_job_transitions_total", (("state", "done"),))] == 1
    assert got[("okf_research_job_transitions_total", (("state", "failed"),))] == 0
    assert got[("okf_research_job_duration_seconds_count", (("state", "done"),))] == 1
    assert got[("okf_research_job_duration_seconds_sum", (("state", "done"),))] == 3.5
    assert got[("okf_research_documents_processed_total", ())] == 3
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert set(spans) == {"research.job", "research.extract", "research.cluster"}
    root = spans["research.job"]
    assert root.parent is None and root.attributes["okf.job.state"] == "done"
    assert root.links[0].context.trace_id == parse_traceparent(SUBMITTER).trace_id
    assert (root.end_time - root.start_time) / 1e9 == 3.5
    for stage in ("research.extract", "research.cluster"):
        assert spans[stage].parent.span_id == root.context.span_id
        assert spans[stage].context.trace_id == root.context.trace_id
    assert spans["research.extract"].attributes["okf.research.documents"] == 3
    events = [ln for ln in log_lines(stream) if ln.get("message") == "research_job"]
    assert [e["state"] for e in events] == ["queued", "running", "done"]
    assert events[-1]["job"] == "j1" and events[-1]["documents"] == 3
    assert events[-1]["duration"] == 3.5


def test_a_failed_job_marks_its_span_and_counts():
    metrics = ServiceMetrics()
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry = JobTelemetry(metrics, provider)
    events = [
        *run_events("j2")[:2],
        {
            "type": "state",
            "job": "j2",
            "state": "failed",
            "at": 102.0,
            "attempt": 1,
            "duration": 1.0,
            "error": "ValueError: x",
            "traceparent": SUBMITTER,
        },
    ]
    for event in events:
        telemetry(event)
    assert samples(metrics)[("okf_research_job_transitions_total", (("state", "failed"),))] == 1
    (root,) = exporter.get_finished_spans()
    assert not root.status.is_ok and "ValueError" in root.status.description


def test_queue_gauges_read_at_scrape_and_a_down_database_drops_them():
    metrics = ServiceMetrics()
    telemetry = JobTelemetry(metrics, None)
    state = {"counts": ({"queued": 3, "running": 1}, 0.0), "down": False}

    def counts():
        if state["down"]:
            raise ConnectionError("database down")
        return state["counts"]

    telemetry.watch(counts)
    got = samples(metrics)
    assert got[("okf_research_jobs", (("state", "queued"),))] == 3
    assert got[("okf_research_jobs", (("state", "done"),))] == 0
    assert got[("okf_research_queue_depth", ())] == 3
    assert got[("okf_research_oldest_queued_seconds", ())] > 1e9  # queued at epoch 0
    state["down"] = True
    got = samples(metrics)  # the scrape still works, without the job gauges
    assert ("okf_research_queue_depth", ()) not in got
    assert ("okf_research_job_transitions_total", (("state", "done"),)) in got


def test_traceparent_round_trip_and_untraced_is_none():
    assert current_traceparent() is None
    assert parse_traceparent("garbage") is None
    ctx = parse_traceparent(SUBMITTER)
    assert format(ctx.span_id, "016x") == "b7ad6b7169203331"
