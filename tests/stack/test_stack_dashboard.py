"""The Grafana dashboard and provisioning: generated JSON up to date, shaped as Grafana's
dashboard model, the spec's panels with aggregated queries, and every query parsed by
the real PromQL parser (promtool)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import jsonschema
import pytest
import yaml

from .support import (
    DASHBOARD,
    DASHBOARDS,
    GENERATOR,
    GRAFANA_DIR,
    REPO,
    SLO_DASHBOARD,
    dashboard_queries,
)

_DS = {"type": "object", "required": ["type", "uid"],
       "properties": {"type": {"const": "prometheus"}, "uid": {"const": "${datasource}"}}}
_TARGET = {
    "type": "object",
    "required": ["refId", "expr", "datasource", "legendFormat"],
    "properties": {"refId": {"type": "string", "pattern": "^[A-Z]$"},
                   "expr": {"type": "string", "minLength": 1}, "datasource": _DS,
                   "legendFormat": {"type": "string"}, "exemplar": {"type": "boolean"}},
}
_GRID = {"type": "object", "required": ["h", "w", "x", "y"],
         "properties": {"w": {"type": "integer", "minimum": 1, "maximum": 24},
                        "x": {"type": "integer", "minimum": 0, "maximum": 23},
                        "h": {"type": "integer", "minimum": 1},
                        "y": {"type": "integer", "minimum": 0}}}
_PANEL = {
    "type": "object",
    "required": ["id", "type", "title", "gridPos", "datasource", "targets", "fieldConfig",
                 "options"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "type": {"enum": ["timeseries", "gauge", "stat"]},
        "title": {"type": "string", "minLength": 1},
        "datasource": _DS,
        "gridPos": _GRID,
        "targets": {"type": "array", "minItems": 1, "items": _TARGET},
        "fieldConfig": {"type": "object", "required": ["defaults", "overrides"]},
    },
}
# A row header (expanded): a full-width, one-unit-high bar; its panels follow it in the
# list (a collapsed row would hold them in its own "panels").
_ROW = {
    "type": "object",
    "required": ["id", "type", "title", "gridPos", "collapsed", "panels"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "type": {"const": "row"},
        "title": {"type": "string", "minLength": 1},
        "collapsed": {"const": False},
        "panels": {"type": "array", "maxItems": 0},
        "gridPos": {**_GRID, "properties": {**_GRID["properties"], "w": {"const": 24},
                                            "x": {"const": 0}, "h": {"const": 1}}},
    },
    "not": {"required": ["targets"]},
}
# The parts of Grafana's dashboard model (schemaVersion 39) that provisioning needs and
# that a hand edit most easily breaks.
SCHEMA = {
    "type": "object",
    "required": ["uid", "title", "schemaVersion", "panels", "templating", "time"],
    "properties": {
        "uid": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
        "schemaVersion": {"type": "integer", "minimum": 39},
        "id": {"type": "null"},
        "time": {"type": "object", "required": ["from", "to"]},
        "templating": {"type": "object", "required": ["list"]},
        "panels": {"type": "array", "minItems": 1, "items": {"oneOf": [_PANEL, _ROW]}},
    },
}


def load(path=DASHBOARD) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))




def test_dashboard_json_is_what_the_generator_writes():
    out = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_matches_the_schema_and_lays_out_cleanly(path):
    d = load(path)
    jsonschema.validate(d, SCHEMA)
    ids = [p["id"] for p in d["panels"]]
    assert len(ids) == len(set(ids))
    cells = set()
    for p in d["panels"]:
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24, p["title"]
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"])
                for y in range(g["y"], g["y"] + g["h"])}
        assert not (cells & mine), f"{p['title']} overlaps another panel"
        cells |= mine
        refs = [t["refId"] for t in p.get("targets", [])]
        assert len(refs) == len(set(refs)), p["title"]
    (var,) = d["templating"]["list"]
    assert var["type"] == "datasource" and var["query"] == "prometheus"


def test_spec_panels_and_the_added_ones():
    panels = {p["title"]: p for p in load()["panels"]}
    for title in ["Requests per Second", "API Latency", "Model Predictions",
                  "System Resources", "API Latency Percentiles", "Error Ratio by Endpoint",
                  "Model Latency Percentiles", "Error Budget Left (30d)"]:
        assert title in panels, title
    assert panels["System Resources"]["type"] == "gauge"
    assert panels["Error Budget Left (30d)"]["type"] == "stat"
    assert panels["Requests per Second"]["type"] == "timeseries"
    for title, by in [("API Latency Percentiles", "endpoint"),
                      ("Model Latency Percentiles", "model")]:
        exprs = [t["expr"] for t in panels[title]["targets"]]
        assert [re.match(r"histogram_quantile\(([\d.]+),", e).group(1) for e in exprs] == [
            "0.5", "0.95", "0.99"]
        assert all(f"sum by ({by}, le)" in e for e in exprs)
    legends = [t["legendFormat"] for t in panels["System Resources"]["targets"]]
    assert legends[0].startswith("Memory") and legends[1].startswith("CPU")


def test_research_jobs_row():
    """A "Research jobs" row: jobs by state, queue depth, oldest wait (red at the
    ResearchQueueStuck threshold), transitions, duration quantiles by end state, documents
    per second; every panel below the row header, before any other row."""
    from .support import RULES, alerting_rules, load_yaml

    panels = load()["panels"]
    (i,) = [n for n, p in enumerate(panels) if p["type"] == "row"]
    header = panels[i]
    assert header["title"] == "Research jobs"
    below = panels[i + 1:]
    assert all(p["gridPos"]["y"] > header["gridPos"]["y"] for p in below)
    assert all(p["gridPos"]["y"] <= header["gridPos"]["y"] for p in panels[:i])
    exprs = {p["title"]: [t["expr"] for t in p["targets"]] for p in below}
    assert exprs["Research Jobs by State"] == ["sum by (state) (okf:research_jobs:max)"]
    assert exprs["Research Queue Depth"] == ["sum(okf:research_queue_depth:max)"]
    assert exprs["Oldest Queued Research Job"] == [
        "sum(okf:research_oldest_queued_seconds:max)"]
    assert "okf:research_job_transitions:rate5m" in exprs["Research Job Transitions"][0]
    assert [re.match(r"histogram_quantile\(([\d.]+), sum by \(state, le\) "
                     r"\(okf:research_job_duration_seconds_bucket:rate1h\)\)", e).group(1)
            for e in exprs["Research Job Duration"]] == ["0.5", "0.95", "0.99"]
    assert exprs["Research Documents per Second"] == [
        "sum(okf:research_documents_processed:rate5m)"]
    # the red line of the oldest wait is the alert's threshold
    (stuck,) = [r for r in alerting_rules(load_yaml(RULES)) if r["alert"] == "ResearchQueueStuck"]
    limit = float(re.search(r"> (\d+)", stuck["expr"]).group(1))
    (wait,) = [p for p in below if p["title"] == "Oldest Queued Research Job"]
    steps = wait["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps[-1] == {"color": "red", "value": limit}


RAW = re.compile(r"(?<![:\w])(api_requests_total|api_latency_seconds_\w+|model_predictions_total|"
                 r"model_latency_seconds_\w+)\b")


def test_queries_aggregate_and_read_recorded_series():
    """Panels read the recording rules' okf:* series, never rates over raw series; the
    one exception is the exemplar panel (exemplars live on the raw histogram only)."""
    exemplar_panels = []
    for path in DASHBOARDS:
        for panel in load(path)["panels"]:
            for t in panel.get("targets", []):
                expr = t["expr"]
                assert re.search(r"\bsum(?: by \([^)]*\) )?\(", expr), panel["title"]
                windows = re.findall(r"\[([^\]]+)\]", expr)
                assert all(w == "$__rate_interval" for w in windows), (panel["title"], windows)
                if t.get("exemplar"):
                    exemplar_panels.append(panel["title"])
                    assert RAW.search(expr), "an exemplar query must read the raw histogram"
                else:
                    assert not RAW.search(expr), f"{panel['title']}: raw series {expr}"
                    assert not windows, panel["title"]
    assert exemplar_panels == ["Request Latency p99 with Exemplars"]


def test_recorded_series_used_by_the_panels_are_recorded():
    from .support import RULES, load_yaml

    recorded = {r["record"] for g in load_yaml(RULES)["groups"] for r in g["rules"]
                if "record" in r}
    used = {name for _, _, expr in dashboard_queries()
            for name in re.findall(r"\b(okf:[a-z0-9_:]+)", expr)}
    assert used and used <= recorded, used - recorded


def test_resource_gauges_scale_to_the_container_limits():
    """CPU against the okf container's CPU limit (2 cores = 200 %), memory against its
    1 GiB limit: the same numbers as deploy/k8s/okf.yaml and Compose."""
    docs = list(yaml.safe_load_all((REPO / "deploy/k8s/okf.yaml").read_text()))
    (deploy,) = [d for d in docs if d and d["kind"] == "Deployment"]
    (okf,) = deploy["spec"]["template"]["spec"]["containers"]
    limits = okf["resources"]["limits"]
    assert limits == {"cpu": "2", "memory": "1Gi"}
    compose = yaml.safe_load((REPO / "deploy/docker/docker-compose.yml").read_text())
    assert compose["services"]["okf"]["cpus"] == 2
    assert compose["services"]["okf"]["mem_limit"] == "1g"
    (panel,) = [p for p in load()["panels"] if p["title"] == "System Resources"]
    cpu = panel["fieldConfig"]["defaults"]
    assert cpu["max"] == 200
    assert [s["value"] for s in cpu["thresholds"]["steps"]] == [None, 140, 180]
    (mem,) = panel["fieldConfig"]["overrides"]
    props = {p["id"]: p["value"] for p in mem["properties"]}
    assert props["max"] == 1024**3
    assert [s["value"] for s in props["thresholds"]["steps"]][1:] == [
        int(0.7 * 1024**3), int(0.9 * 1024**3)]


def test_slo_dashboard_panels():
    panels = {p["title"]: p for p in load(SLO_DASHBOARD)["panels"]}
    assert set(panels) == {"Availability SLO (30d)", "Latency SLO (30d)",
                           "Error Budget Remaining (30d)", "Burn Rate per Window (availability)",
                           "Burn Rate per Window (latency)", "Alerts' State"}
    for slo in ("availability", "latency"):
        legends = [t["legendFormat"] for t in panels[f"Burn Rate per Window ({slo})"]["targets"]]
        assert legends == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    assert "ALERTS" in panels["Alerts' State"]["targets"][0]["expr"]
    assert "ratio_30d" in panels["Error Budget Remaining (30d)"]["targets"][0]["expr"]


def test_every_query_parses_with_promtool(promtool, tmp_path):
    """Each panel query becomes a recording rule; promtool parses it with Prometheus'
    own PromQL parser (so a typo in a dashboard fails here, not in Grafana)."""
    queries = dashboard_queries()
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:q{i}", "expr": expr.replace("$__rate_interval", "1m")}
        for i, (_, _, expr) in enumerate(queries)]}]}
    path = tmp_path / "queries.yaml"
    path.write_text(yaml.safe_dump(rules))
    out = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"SUCCESS: {len(queries)} rules found" in out.stdout
    # and the check does fail on a broken query
    rules["groups"][0]["rules"][0]["expr"] = "sum by (endpoint (rate(x[1m]))"
    path.write_text(yaml.safe_dump(rules))
    bad = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode != 0


def _datasource(name: str) -> dict:
    ds = yaml.safe_load((GRAFANA_DIR / "provisioning/datasources" / name).read_text())
    assert ds["apiVersion"] == 1
    (source,) = ds["datasources"]
    return source


def test_provisioning_files():
    source = _datasource("okf-prometheus.yaml")
    assert source["type"] == "prometheus"
    assert source["uid"] == load()["templating"]["list"][0]["current"]["value"]
    assert source["url"] == "${OKF_PROMETHEUS_URL}"
    prov = yaml.safe_load((GRAFANA_DIR / "provisioning/dashboards/okf.yaml").read_text())
    (provider,) = prov["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"] == "${OKF_GRAFANA_DASHBOARDS}"


def test_datasources_link_metrics_to_traces_to_logs():
    """Exemplar trace_id -> Jaeger datasource -> log lines in Elasticsearch by trace_id,
    with the label and field names the service really writes."""
    prom, jaeger, es = (_datasource(f"okf-{n}.yaml")
                        for n in ("prometheus", "jaeger", "elasticsearch"))
    # The exemplar is set on the request fast path (monitoring/fastpath.py).
    metrics_py = (REPO / "src/okf/monitoring/fastpath.py").read_text()
    (dest,) = prom["jsonData"]["exemplarTraceIdDestinations"]
    assert dest["name"] == "trace_id" and '{"trace_id": trace_id}' in metrics_py
    assert dest["datasourceUid"] == jaeger["uid"] and jaeger["type"] == "jaeger"
    assert jaeger["url"] == "${OKF_JAEGER_URL}"
    logs = jaeger["jsonData"]["tracesToLogsV2"]
    assert logs["datasourceUid"] == es["uid"] and es["type"] == "elasticsearch"
    assert logs["customQuery"] is True
    assert logs["query"] == 'trace_id:"${__trace.traceId}"'
    template = json.loads((REPO / "monitoring/elk/okf-logs-template.json").read_text())
    fields = template["template"]["mappings"]["properties"]
    assert fields["trace_id"]["type"] == "keyword" and fields["@timestamp"]["type"] == "date"
    assert es["url"] == "${OKF_ELASTICSEARCH_URL}"
    assert es["jsonData"]["index"] == "okf-logs*"
    assert re.fullmatch(es["jsonData"]["index"].replace("*", ".*"), "okf-logs")  # the stream
    assert es["jsonData"]["timeField"] == "@timestamp"
    assert es["jsonData"]["logLevelField"] == "log.level"
    assert es["secureJsonData"]["basicAuthPassword"] == "${OKF_ELASTICSEARCH_PASSWORD}"
