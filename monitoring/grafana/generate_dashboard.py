#!/usr/bin/env python3
"""Writes the service's Grafana dashboards: monitoring/grafana/dashboards/okf-api.json
(traffic, errors, latency, models, resources, research jobs) and okf-slo.json (the SLOs).

The dashboards are code: edit this file, run it (``.venv/bin/python
monitoring/grafana/generate_dashboard.py``) and commit the script and the JSON; a test
fails when the JSON is not what this script writes. The JSON is Grafana's dashboard
model (schemaVersion 39, Grafana >= 10.4) with ``timeseries``, ``gauge`` and ``stat``
panels.

Every query aggregates with ``sum by (...)`` (so a dashboard shows the service, not one
pod) and reads recorded series (``okf:...``, monitoring/prometheus/rules.yaml): no panel
computes rates over raw series, except the one exemplar panel, whose raw histogram is
where Prometheus keeps the exemplars (trace ids) that link a slow request to its trace.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from panels import (
    DATASOURCE,
    RI,
    Layout,
    dashboard,
    quantiles,
    target,
    thresholds,
    timeseries,
)
from research_panels import research_row
from slo_dashboard import build_slo

DASHBOARDS = Path(__file__).resolve().parent / "dashboards"
OUT = DASHBOARDS / "okf-api.json"
SLO_OUT = DASHBOARDS / "okf-slo.json"
# The okf container's limits (deploy/k8s/okf.yaml, Compose's okf service; a test checks
# they agree): the resource gauges measure against them. cpu_usage_percent is 100 per
# core, so a 2-core limit is 200 %.
CPU_LIMIT_CORES = 2
MEMORY_LIMIT_BYTES = 1024**3


def build() -> dict:
    """The API dashboard (okf-api.json)."""
    lay = Layout()
    slo_summary(lay)
    traffic(lay)
    latencies(lay)
    lay.add(
        timeseries(
            "Request Latency p99 with Exemplars",
            "p99 request duration of the whole service from the raw histogram, the one "
            "place Prometheus keeps exemplars: each dot is a request's trace id; click "
            "it to open the trace in Jaeger (and from the trace, its log lines).",
            [dict(target(f"histogram_quantile(0.99, sum by (le) "
                         f"(rate(api_latency_seconds_bucket[{RI}])))", "p99", "A"),
                  exemplar=True)],
            "s",
        ),
        w=24, h=8,
    )
    lay.add(resources(), w=24, h=7)
    research_row(lay)
    return dashboard("okf-api", "OKF — API Metrics",
                     "Omni Keywords Finder: traffic, errors, latency, models, SLOs, research jobs.",
                     lay.panels)


def slo_summary(lay: Layout) -> None:
    """Budget left, whole-service error ratio, 1h burn rate: the top row."""
    lay.add(
        {
            "type": "stat",
            "title": "Error Budget Left (30d)",
            "description": "Share of each SLO's 30-day error budget not yet spent "
            "(objectives in monitoring/prometheus/rules.yaml). Below 0: overspent.",
            "datasource": DATASOURCE,
            "targets": [target("sum by (slo) (okf:slo_error_budget_remaining:ratio_30d)",
                               "{{slo}}", "A")],
            "fieldConfig": {
                "defaults": {"unit": "percentunit", "decimals": 1,
                             "thresholds": thresholds((None, "red"), (0.25, "orange"),
                                                      (0.5, "green"))},
                "overrides": [],
            },
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                          "values": False},
                        "colorMode": "background", "graphMode": "area",
                        "textMode": "value_and_name", "orientation": "horizontal",
                        "justifyMode": "auto"},
        },
        w=8, h=6,
    )
    lay.add(
        {
            "type": "stat",
            "title": "Error Ratio (5xx, whole service)",
            "description": "Share of requests answered with a 5xx.",
            "datasource": DATASOURCE,
            "targets": [target(
                'sum by (slo) (okf:slo_errors:ratio_rate5m{slo="availability"})', "5xx",
                "A")],
            "fieldConfig": {
                "defaults": {"unit": "percentunit", "decimals": 2,
                             "thresholds": thresholds((None, "green"), (0.01, "orange"),
                                                      (0.05, "red"))},
                "overrides": [],
            },
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                          "values": False},
                        "colorMode": "background", "graphMode": "area",
                        "textMode": "auto", "orientation": "auto", "justifyMode": "auto"},
        },
        w=8, h=6,
    )
    lay.add(
        timeseries(
            "Error Budget Burn Rate (1h)",
            "Bad-request ratio over the last hour divided by the SLO's budget: 1 spends "
            "the budget in exactly 30 days; the page threshold is 14.4.",
            [target("sum by (slo) (okf:slo_errors:ratio_rate1h) / on (slo) "
                    "sum by (slo) (okf:slo_error_budget:ratio)", "{{slo}}", "A")],
            "none",
        ),
        w=8, h=6,
    )


def traffic(lay: Layout) -> None:
    """Requests, errors and mean latency per endpoint."""
    lay.add(
        timeseries(
            "Requests per Second",
            "API requests per second by endpoint (route template) and method.",
            [target("sum by (endpoint, method) (okf:api_requests:rate5m)",
                    "{{endpoint}} - {{method}}", "A")],
            "reqps",
        ),
        w=12, h=8,
    )
    lay.add(
        timeseries(
            "Error Ratio by Endpoint",
            "Share of each endpoint's requests answered with a 5xx (the HighErrorRate "
            "alert fires above 5 % for 5 minutes).",
            [target('sum by (endpoint) (okf:api_requests:rate5m{status=~"5.."})'
                    " / (sum by (endpoint) (okf:api_requests:rate5m) > 0)",
                    "{{endpoint}}", "A")],
            "percentunit",
        ),
        w=12, h=8,
    )
    lay.add(
        timeseries(
            "API Latency",
            "Mean request duration by endpoint (the HighLatency alert fires above 1 s "
            "for 5 minutes).",
            [target("sum by (endpoint) (okf:api_latency_seconds_sum:rate5m)"
                    " / (sum by (endpoint) (okf:api_latency_seconds_count:rate5m) > 0)",
                    "{{endpoint}}", "A")],
            "s",
        ),
        w=12, h=8,
    )


def latencies(lay: Layout) -> None:
    """Latency percentiles per endpoint and per model, and predictions per model."""
    lay.add(
        timeseries(
            "API Latency Percentiles",
            "p50, p95 and p99 request duration by endpoint, from the histogram.",
            quantiles("okf:api_latency_seconds_bucket:rate5m", "endpoint"),
            "s",
        ),
        w=12, h=8,
    )
    lay.add(
        timeseries(
            "Model Predictions",
            "Predictions per second by model and outcome (ok, error, timeout).",
            [target("sum by (model, status) (okf:model_predictions:rate5m)",
                    "{{model}} - {{status}}", "A")],
            "ops",
        ),
        w=12, h=8,
    )
    lay.add(
        timeseries(
            "Model Latency Percentiles",
            "p50, p95 and p99 prediction duration by model.",
            quantiles("okf:model_latency_seconds_bucket:rate5m", "model"),
            "s",
        ),
        w=12, h=8,
    )


def resources() -> dict:
    """Memory and CPU of each process, scaled to the container's limits."""
    cpu_max = 100 * CPU_LIMIT_CORES
    return {
        "type": "gauge",
        "title": "System Resources",
        "description": f"Resident memory (limit {MEMORY_LIMIT_BYTES // 1024**2} MiB) and "
        f"CPU (limit {CPU_LIMIT_CORES} cores = {cpu_max} %) of each service process; "
        "orange at 70 % of the limit, red at 90 %.",
        "datasource": DATASOURCE,
        "targets": [
            target("sum by (instance) (memory_usage_bytes)", "Memory {{instance}}", "A"),
            target("sum by (instance) (cpu_usage_percent)", "CPU {{instance}}", "B"),
        ],
        "fieldConfig": {
            "defaults": {"unit": "percent", "min": 0, "max": cpu_max,
                         "thresholds": thresholds((None, "green"), (0.7 * cpu_max, "orange"),
                                                  (0.9 * cpu_max, "red"))},
            "overrides": [
                {"matcher": {"id": "byFrameRefID", "options": "A"},
                 "properties": [
                     {"id": "unit", "value": "bytes"},
                     {"id": "max", "value": MEMORY_LIMIT_BYTES},
                     {"id": "thresholds",
                      "value": thresholds((None, "green"),
                                          (int(0.7 * MEMORY_LIMIT_BYTES), "orange"),
                                          (int(0.9 * MEMORY_LIMIT_BYTES), "red"))},
                 ]},
            ],
        },
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                      "values": False},
                    "showThresholdLabels": False, "showThresholdMarkers": True,
                    "orientation": "auto"},
    }


def render(board: dict | None = None) -> str:
    return json.dumps(board if board is not None else build(), indent=2,
                      ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    outputs = {OUT: render(build()), SLO_OUT: render(build_slo())}
    if "--check" in argv:
        stale = [p for p, text in outputs.items()
                 if not p.exists() or p.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path} is out of date: run {Path(__file__).name}", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
