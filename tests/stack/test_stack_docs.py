"""The docs cite the rules as they are: docs/alerts.md's table holds every alert of
rules.yaml with its group, expression, `for`, severity, receiver and runbook, and every
alert or rule-group name that the monitoring docs and runbooks mention exists."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from .support import AM_CONFIG, REPO, RULES, load_yaml

ALERTS_MD = REPO / "docs" / "alerts.md"
CITING = [ALERTS_MD, REPO / "docs" / "monitoring.md",
          *sorted((REPO / "docs" / "runbooks").glob("*.md"))]
# Backticked names in those docs that are not rule groups (index, dashboards, datasources).
NOT_GROUPS = {"okf-logs", "okf-logs*", "okf-logs-*", "okf-api.json", "okf-slo.json",
              "okf-prometheus", "okf-jaeger", "okf-elasticsearch"}


def rules_by_alert() -> dict[str, tuple[str, dict]]:
    return {r["alert"]: (g["name"], r) for g in load_yaml(RULES)["groups"]
            for r in g["rules"] if "alert" in r}


def table_rows() -> dict[str, list[str]]:
    section = ALERTS_MD.read_text().split("## Alerts\n", 1)[1].split("\n## ", 1)[0]
    table = section.split("| alert | group |", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows[cells[0].strip("`")] = cells
    return rows


def receiver_of(amtool: str, labels: dict[str, str]) -> str:
    out = subprocess.run([amtool, "config", "routes", "test", f"--config.file={AM_CONFIG}",
                          *[f"{k}={v}" for k, v in labels.items()]],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_alert_table_lists_every_alert_once():
    assert set(table_rows()) == set(rules_by_alert())


@pytest.mark.parametrize("alert", sorted(rules_by_alert()))
def test_each_row_matches_the_rule_and_the_routing(alert, amtool):
    group, rule = rules_by_alert()[alert]
    _, g, expr, for_, severity, receiver, runbook = table_rows()[alert]
    assert g == f"`{group}`"
    assert expr.strip("`").replace("\\|", "|") == " ".join(rule["expr"].split())
    assert for_ == rule.get("for", "—")
    assert severity == rule["labels"]["severity"]
    assert receiver == receiver_of(amtool, {"alertname": alert, **rule["labels"]})
    link = re.fullmatch(r"\[[^\]]+\]\(([^)]+)\)", runbook)
    assert link and "docs/" + link.group(1) == rule["annotations"]["runbook_url"]


def test_alert_names_cited_in_the_docs_exist():
    alerts = set(rules_by_alert())
    wrong = []
    for path in CITING:
        text = path.read_text()
        cited = set(re.findall(r"`([A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\*?)`", text))
        title = re.match(r"# Runbook: (.*)", text)
        if title:
            cited |= set(re.findall(r"([A-Z][A-Za-z]+) \(", title.group(1)))
        for name in cited:
            ok = (any(a.startswith(name[:-1]) for a in alerts) if name.endswith("*")
                  else name in alerts)
            if not ok:
                wrong.append(f"{path.relative_to(REPO)}: {name}")
    assert not wrong, wrong


def test_rule_groups_cited_in_the_docs_exist():
    groups = {g["name"] for g in load_yaml(RULES)["groups"]}
    wrong = [f"{p.relative_to(REPO)}: {name}" for p in CITING
             for name in set(re.findall(r"`(okf-[a-z0-9*.-]+)`", p.read_text()))
             if name not in groups | NOT_GROUPS]
    assert not wrong, wrong


def test_the_checks_catch_drift(tmp_path):
    """A renamed group or alert in the text is caught by the same patterns."""
    text = "the `okf-slo-objectives` group; see `AvailabilityBurnFast`"
    assert set(re.findall(r"`(okf-[a-z0-9*.-]+)`", text)) - {
        g["name"] for g in load_yaml(RULES)["groups"]} == {"okf-slo-objectives"}
    assert set(re.findall(r"`([A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\*?)`", text)) - set(
        rules_by_alert()) == {"AvailabilityBurnFast"}


RUNBOOKS = sorted((REPO / "docs" / "runbooks").glob("*.md"))
SERVICE_METRICS = {"api_requests_total", "api_latency_seconds_bucket",
                   "api_latency_seconds_sum", "api_latency_seconds_count",
                   "model_predictions_total", "model_latency_seconds_bucket",
                   "model_latency_seconds_sum", "model_latency_seconds_count",
                   "okf_telemetry_dropped_total", "memory_usage_bytes", "cpu_usage_percent",
                   "up", "okf_research_jobs", "okf_research_queue_depth",
                   "okf_research_oldest_queued_seconds", "okf_research_job_transitions_total",
                   "okf_research_job_duration_seconds_bucket",
                   "okf_research_documents_processed_total"}


def _code_spans(path) -> list[str]:
    return re.findall(r"`([^`\n]+)`", path.read_text())


def _promql(span: str) -> bool:
    """A query, not the notation metric{label,label} that names a metric's labels."""
    if re.fullmatch(r"[a-z_]+\{[a-z_,]+\}", span):
        return False
    return bool(re.match(r"(sum|max|avg|absent|histogram_quantile)\b|[a-z_]+\{", span))


def test_runbook_queries_parse_and_name_real_metrics(promtool, tmp_path):
    """Every PromQL query a runbook gives parses with promtool and reads metrics that
    exist (the service's, the recorded okf:* ones, Prometheus' and Alertmanager's own)."""
    recorded = {r["record"] for g in load_yaml(RULES)["groups"] for r in g["rules"]
                if "record" in r}
    queries = [(p.name, s) for p in RUNBOOKS for s in _code_spans(p)
               if _promql(s) and "…" not in s]
    assert len(queries) >= 5
    wrong, seen = [], set()
    for name, q in queries:
        bare = re.sub(r"\{[^}]*\}", "", re.sub(r"\b(by|on|without)\s*\([^)]*\)", "", q))
        for metric in re.findall(r"(?<![\w:\"])([a-z_][a-z0-9_:]*)(?=\s*[\[)]|$)", bare):
            if metric in {"sum", "max", "avg", "by", "rate", "absent", "histogram_quantile",
                          "increase", "on"}:
                continue
            seen.add(metric)
            if not (metric in SERVICE_METRICS or metric in recorded
                    or metric.startswith(("prometheus_", "alertmanager_"))):
                wrong.append(f"{name}: {metric}")
    assert not wrong, wrong
    assert {"api_requests_total", "okf_telemetry_dropped_total", "up",
            "alertmanager_notifications_failed_total", "okf_research_jobs",
            "okf_research_job_transitions_total"} <= seen, seen
    rules = {"groups": [{"name": "runbooks", "rules": [
        {"record": f"runbook:q{i}", "expr": re.sub(r"<\w+>", "x", q)}
        for i, (_, q) in enumerate(queries)]}]}
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(rules))
    out = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_runbook_log_searches_use_mapped_fields():
    """`field:value AND ...` searches in the runbooks name fields of the index template."""
    import json

    template = json.loads((REPO / "monitoring/elk/okf-logs-template.json").read_text())

    def flat(props: dict, prefix: str = "") -> set[str]:
        out = set()
        for k, v in props.items():
            out.add(prefix + k)
            out |= flat(v.get("properties", {}), f"{prefix}{k}.")
            out |= {f"{prefix}{k}.{f}" for f in v.get("fields", {})}
        return out

    fields = flat(template["template"]["mappings"]["properties"])
    searches = [(p.name, s) for p in RUNBOOKS for s in _code_spans(p)
                if re.match(r"[a-z_.]+:[^/ ]", s) and " AND " in s]
    assert searches
    for name, s in searches:
        for field in re.findall(r"([a-z_.]+):", s):
            assert field in fields, f"{name}: {field}"
    # and `"event": ...` (a field the service never writes) is not cited anywhere
    assert not [p.name for p in RUNBOOKS if '"event"' in p.read_text()]
