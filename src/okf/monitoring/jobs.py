"""Monitoring of research jobs: ``okf_research_*`` metrics, one log event per state
change, one trace per job.

Job workers are separate processes; they report plain events (see
:mod:`okf.store.worker`) that :class:`JobTelemetry` turns into metrics, ``research_job``
log lines and spans here, in the service process. Jobs by state, the queue depth and the
age of the oldest queued job are read from the database at scrape time (the database is
shared, so every replica reports the same figures: alert on ``max``); a database that
is down makes those series disappear from the scrape, never fails it.

The trace of a job is its own (it outlives the request that submitted it): a root span
``research.job`` linked to the submitting request's span, and one child span per stage,
each with the times the worker measured.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Link, SpanContext, Status, StatusCode, TraceFlags
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from okf.monitoring.metrics import ServiceMetrics

log = logging.getLogger("okf.monitoring")

JOB_DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")


class JobStateCollector(Collector):
    """Gauges read from the jobs database when scraped."""

    def __init__(self, counts: Callable[[], tuple[dict[str, int], float | None]]) -> None:
        self.counts = counts

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """Names only: registering must not read (or create) the database."""
        yield GaugeMetricFamily("okf_research_jobs", "Research jobs by state", labels=["state"])
        yield GaugeMetricFamily("okf_research_queue_depth", "Research jobs waiting")
        yield GaugeMetricFamily("okf_research_oldest_queued_seconds", "Oldest queued job age")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            by_state, oldest = self.counts()
        except Exception:
            log.warning("jobs database unavailable for metrics", exc_info=True)
            return
        jobs = GaugeMetricFamily("okf_research_jobs", "Research jobs by state", labels=["state"])
        for state in JOB_STATES:
            jobs.add_metric([state], by_state.get(state, 0))
        yield jobs
        yield GaugeMetricFamily(
            "okf_research_queue_depth",
            "Research jobs waiting for a worker",
            value=by_state.get("queued", 0),
        )
        yield GaugeMetricFamily(
            "okf_research_oldest_queued_seconds",
            "Age of the oldest queued research job (0 when none waits)",
            value=0.0 if oldest is None else max(0.0, time.time() - oldest),
        )


class JobTelemetry:
    """The observer of job events: counters, histogram, log lines, spans."""

    def __init__(self, metrics: ServiceMetrics, provider: TracerProvider | None) -> None:
        own = None if metrics.multiprocess_path else metrics.registry
        self.transitions = Counter(
            "okf_research_job_transitions_total",
            "Research job state changes seen by this process",
            ["state"],
            registry=own,
        )
        for state in (*JOB_STATES, "lost"):
            self.transitions.labels(state)
        self.duration = Histogram(
            "okf_research_job_duration_seconds",
            "Research job run time, from start to its end state",
            ["state"],
            buckets=JOB_DURATION_BUCKETS,
            registry=own,
        )
        for state in ("done", "failed", "cancelled", "lost"):  # 0 before the first job, so
            self.duration.labels(state)  # a rate over the first job's end sees it
        self.documents = Counter(
            "okf_research_documents_processed_total",
            "Documents read by research jobs that finished",
            registry=own,
        )
        self.metrics = metrics
        self.tracer = provider.get_tracer("okf.research.jobs") if provider else None
        self._roots: dict[str, Any] = {}

    def watch(self, counts: Callable[[], tuple[dict[str, int], float | None]]) -> None:
        """Report jobs by state and queue depth from ``counts`` at every scrape."""
        self.metrics.registry.register(JobStateCollector(counts))

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("type") == "stage":
            self._stage(event)
            return
        state = event["state"]
        self.transitions.labels(state).inc()
        if "duration" in event and state != "queued":
            self.duration.labels(state).observe(event["duration"])
        if state == "done":
            self.documents.inc(event.get("documents") or 0)
        fields = {
            k: event[k]
            for k in ("job", "owner", "state", "attempt", "error", "duration", "documents")
            if event.get(k) is not None
        }
        from okf.monitoring import logging as okf_logging

        level = "warning" if state in ("failed", "lost") else "info"
        okf_logging._log(level, "research_job", fields)
        self._trace_state(event)

    # --- traces ------------------------------------------------------------------------
    def _trace_state(self, event: dict[str, Any]) -> None:
        if self.tracer is None:
            return
        job, state = event["job"], event["state"]
        if state == "running":
            links = []
            parent = parse_traceparent(event.get("traceparent"))
            if parent is not None:
                links.append(Link(parent, {"okf.link": "submitted_by"}))
            root = self.tracer.start_span(
                "research.job",
                context=trace.set_span_in_context(trace.INVALID_SPAN),
                links=links,
                start_time=_ns(event["at"]),
                attributes={"okf.job.id": job, "okf.job.attempt": event.get("attempt", 0)},
            )
            self._roots[job] = root
        elif state != "queued" and (root := self._roots.pop(job, None)) is not None:
            root.set_attribute("okf.job.state", state)
            if state in ("failed", "lost"):
                root.set_status(Status(StatusCode.ERROR, str(event.get("error") or state)))
            root.end(end_time=_ns(event["at"]))

    def _stage(self, event: dict[str, Any]) -> None:
        root = self._roots.get(event["job"])
        if self.tracer is None or root is None:
            return
        span = self.tracer.start_span(
            f"research.{event['stage']}",
            context=trace.set_span_in_context(root),
            start_time=_ns(event["start"]),
            attributes={f"okf.research.{k}": v for k, v in (event.get("attributes") or {}).items()},
        )
        span.end(end_time=_ns(event["end"]))


def _ns(seconds: float) -> int:
    return int(seconds * 1e9)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span (the request's), None if untraced."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


def parse_traceparent(value: str | None) -> SpanContext | None:
    try:
        _, trace_id, span_id, flags = (value or "").split("-")
        ctx = SpanContext(
            int(trace_id, 16),
            int(span_id, 16),
            is_remote=True,
            trace_flags=TraceFlags(int(flags, 16)),
        )
    except ValueError:
        return None
    return ctx if ctx.is_valid else None
