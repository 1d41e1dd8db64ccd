#!/usr/bin/env python3
"""Writes the service's Grafana dashboards: monitoring/grafana/dashboards/okf-api.json
(traffic, errors, latency, models, resources) and okf-slo.json (the SLOs).

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

DASHBOARDS = Path(__file__).resolve().parent / "dashboards"
OUT = DASHBOARDS / "okf-api.json"
SLO_OUT = DASHBOARDS / "okf-slo.json"
# The okf container's limits (deploy/k8s/okf.yaml, Compose's okf service; a test checks
# they agree): the resource gauges measure against them. cpu_usage_percent is 100 per
# core, so a 2-core limit is 200 %.
CPU_LIMIT_CORES = 2
MEMORY_LIMIT_BYTES = 1024**3
SLO_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
RI = "$__rate_interval"


def target(expr: str, legend: str, ref: str) -> dict:
    return {
        "datasource": DATASOURCE,
        "editorMode": "code",
        "expr": expr,
        "legendFormat": legend,
        "range": True,
        "refId": ref,
    }


def quantiles(recorded: str, by: str) -> list[dict]:
    """p50/p95/p99 from a recorded per-``by`` bucket rate (okf:..._bucket:rate5m)."""
    return [
        target(
            f"histogram_quantile({q}, sum by ({by}, le) ({recorded}))",
            f"p{round(q * 100)} {{{{{by}}}}}",
            ref,
        )
        for q, ref in ((0.5, "A"), (0.95, "B"), (0.99, "C"))
    ]


class Layout:
    """Places panels left to right on Grafana's 24-column grid, with unique ids."""

    def __init__(self) -> None:
        self.panels: list[dict] = []
        self.x = 0
        self.y = 0
        self.row_h = 0

    def add(self, panel: dict, w: int, h: int) -> None:
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        panel["id"] = len(self.panels) + 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.row_h = max(self.row_h, h)
        self.panels.append(panel)


def timeseries(title: str, description: str, targets: list[dict], unit: str) -> dict:
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "targets": targets,
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "custom": {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10,
                           "showPoints": "never", "spanNulls": False},
            },
            "overrides": [],
        },
        "options": {
            "legend": {"displayMode": "table", "placement": "bottom", "showLegend": True,
                       "calcs": ["mean", "max", "lastNotNull"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def thresholds(*steps: tuple[float | None, str]) -> dict:
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in steps]}


def build() -> dict:
    lay = Layout()
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
    return dashboard("okf-api", "OKF — API Metrics",
                     "Omni Keywords Finder: traffic, errors, latency, models, SLOs.",
                     lay.panels)


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


def dashboard(uid: str, title: str, description: str, panels: list[dict]) -> dict:
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["okf", "slo"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "schemaVersion": 39,
        "version": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "weekStart": "",
        "links": [],
        "annotations": {"list": [{
            "builtIn": 1,
            "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard",
        }]},
        "templating": {"list": [{
            "name": "datasource",
            "label": "Prometheus",
            "type": "datasource",
            "query": "prometheus",
            "current": {"selected": False, "text": "okf-prometheus",
                        "value": "okf-prometheus"},
            "hide": 0, "includeAll": False, "multi": False, "options": [],
            "refresh": 1, "regex": "", "skipUrlSync": False,
        }]},
        "panels": panels,
    }


def stat(title: str, description: str, targets: list[dict], unit: str, decimals: int,
         steps: dict, text_mode: str = "value_and_name") -> dict:
    return {
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit, "decimals": decimals,
                                     "thresholds": steps},
                        "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                      "values": False},
                    "colorMode": "background", "graphMode": "area", "textMode": text_mode,
                    "orientation": "horizontal", "justifyMode": "auto"},
    }


def burn_rates(slo: str) -> list[dict]:
    """One burn-rate series per SLI window: bad ratio / the SLO's error budget."""
    return [
        target(f'sum by (slo) (okf:slo_errors:ratio_rate{w}{{slo="{slo}"}}) / on (slo) '
               f'sum by (slo) (okf:slo_error_budget:ratio{{slo="{slo}"}})', w, chr(65 + i))
        for i, w in enumerate(SLO_WINDOWS)
    ]


def build_slo() -> dict:
    """The SLO dashboard: attainment, budget left, burn rates per window, alert states."""
    lay = Layout()
    for slo, objective in (("availability", "99.9 % of requests without a 5xx"),
                           ("latency", "99 % of requests within 1 s")):
        lay.add(stat(
            f"{slo.capitalize()} SLO (30d)",
            f"Share of good requests over 30 days; objective: {objective} "
            "(okf:slo_objective:ratio).",
            [target(f'1 - sum by (slo) (okf:slo_errors:ratio_rate30d{{slo="{slo}"}})',
                    "{{slo}}", "A")],
            "percentunit", 3, thresholds((None, "red"), (0.99 if slo == "latency" else 0.999,
                                                         "green"))), w=6, h=5)
    lay.add(stat(
        "Error Budget Remaining (30d)",
        "Share of each SLO's 30-day error budget not yet spent. Below 0: overspent.",
        [target("sum by (slo) (okf:slo_error_budget_remaining:ratio_30d)", "{{slo}}", "A")],
        "percentunit", 1, thresholds((None, "red"), (0.25, "orange"), (0.5, "green"))),
        w=12, h=5)
    for slo in ("availability", "latency"):
        lay.add(timeseries(
            f"Burn Rate per Window ({slo})",
            "Bad-request ratio over each window divided by the error budget: 1 spends the "
            "budget in exactly 30 days. Pages at 14.4 (1h and 5m) or 6 (6h and 30m); "
            "tickets at 3 (1d and 2h) or 1 (3d and 6h).",
            burn_rates(slo), "none"), w=12, h=8)
    lay.add(timeseries(
        "Alerts' State",
        "Every okf alert pending or firing, by name and state (ALERTS). The Watchdog "
        "always fires: if it disappears, Prometheus is not evaluating rules.",
        [target("sum by (alertname, alertstate) (ALERTS)", "{{alertname}} {{alertstate}}",
                "A")], "none"), w=24, h=8)
    return dashboard("okf-slo", "OKF — SLOs",
                     "Omni Keywords Finder: service level objectives, error budget, burn "
                     "rates and alerts.", lay.panels)


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
