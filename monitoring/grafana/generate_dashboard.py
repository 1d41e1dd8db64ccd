#!/usr/bin/env python3
"""Writes monitoring/grafana/dashboards/okf-api.json, the service's Grafana dashboard.

The dashboard is code: edit this file, run it (``.venv/bin/python
monitoring/grafana/generate_dashboard.py``) and commit both; a test fails when the JSON
is not what this script writes. The JSON is Grafana's dashboard model (schemaVersion 39,
Grafana >= 10.4) with ``timeseries``, ``gauge`` and ``stat`` panels.

Every query aggregates with ``sum by (...)`` (so a dashboard shows the service, not one
pod) and uses ``$__rate_interval`` as its rate window.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "dashboards" / "okf-api.json"
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


def quantiles(metric: str, by: str) -> list[dict]:
    return [
        target(
            f"histogram_quantile({q}, sum by ({by}, le) (rate({metric}_bucket[{RI}])))",
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
                f'sum(rate(api_requests_total{{status=~"5.."}}[{RI}]))'
                f" / (sum(rate(api_requests_total[{RI}])) > 0)", "5xx", "A")],
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
            [target(f"sum by (endpoint, method) (rate(api_requests_total[{RI}]))",
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
            [target(f'sum by (endpoint) (rate(api_requests_total{{status=~"5.."}}[{RI}]))'
                    f" / (sum by (endpoint) (rate(api_requests_total[{RI}])) > 0)",
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
            [target(f"sum by (endpoint) (rate(api_latency_seconds_sum[{RI}]))"
                    f" / (sum by (endpoint) (rate(api_latency_seconds_count[{RI}])) > 0)",
                    "{{endpoint}}", "A")],
            "s",
        ),
        w=12, h=8,
    )
    lay.add(
        timeseries(
            "API Latency Percentiles",
            "p50, p95 and p99 request duration by endpoint, from the histogram.",
            quantiles("api_latency_seconds", "endpoint"),
            "s",
        ),
        w=12, h=8,
    )
    lay.add(
        timeseries(
            "Model Predictions",
            "Predictions per second by model and outcome (ok, error, timeout).",
            [target(f"sum by (model, status) (rate(model_predictions_total[{RI}]))",
                    "{{model}} - {{status}}", "A")],
            "ops",
        ),
        w=12, h=8,
    )
    lay.add(
        timeseries(
            "Model Latency Percentiles",
            "p50, p95 and p99 prediction duration by model.",
            quantiles("model_latency_seconds", "model"),
            "s",
        ),
        w=12, h=8,
    )
    lay.add(
        {
            "type": "gauge",
            "title": "System Resources",
            "description": "Resident memory and CPU of each service process.",
            "datasource": DATASOURCE,
            "targets": [
                target("sum by (instance) (memory_usage_bytes)", "Memory {{instance}}", "A"),
                target("sum by (instance) (cpu_usage_percent)", "CPU {{instance}}", "B"),
            ],
            "fieldConfig": {
                "defaults": {"unit": "percent", "min": 0, "max": 100,
                             "thresholds": thresholds((None, "green"), (70, "orange"),
                                                      (90, "red"))},
                "overrides": [
                    {"matcher": {"id": "byFrameRefID", "options": "A"},
                     "properties": [
                         {"id": "unit", "value": "bytes"},
                         {"id": "max", "value": 4 * 1024**3},
                         {"id": "thresholds",
                          "value": thresholds((None, "green"), (2 * 1024**3, "orange"),
                                              (3 * 1024**3, "red"))},
                     ]},
                ],
            },
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                          "values": False},
                        "showThresholdLabels": False, "showThresholdMarkers": True,
                        "orientation": "auto"},
        },
        w=24, h=7,
    )
    return {
        "uid": "okf-api",
        "title": "OKF — API Metrics",
        "description": "Omni Keywords Finder: traffic, errors, latency, models, SLOs.",
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
        "panels": lay.panels,
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
