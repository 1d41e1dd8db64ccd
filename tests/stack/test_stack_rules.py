"""The Prometheus rules and configs: valid for the real promtool, unit-tested with
`promtool test rules`, and shaped as the issue asks (aggregated ratios, objectives in one
place, runbooks in the repository)."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from .support import (
    PROM_CONFIG,
    PROM_K8S_CONFIG,
    PROM_TESTS,
    REPO,
    RULES,
    alerting_rules,
    fast_rules,
    load_yaml,
    seconds,
    shrink,
)

SPEC_ERROR_EXPR = (
    'rate(api_requests_total{status=~"5.."}[5m]) / rate(api_requests_total[5m]) > 0.05'
)
WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]


def run(cmd: list[str], cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=120)


def test_promtool_check_rules(promtool):
    out = run([promtool, "check", "rules", str(RULES)])
    assert out.returncode == 0, out.stdout + out.stderr
    n = len([r for g in load_yaml(RULES)["groups"] for r in g["rules"]])
    assert f"SUCCESS: {n} rules found" in out.stdout


def test_promtool_check_config_local(promtool):
    out = run([promtool, "check", "config", str(PROM_CONFIG)])
    assert out.returncode == 0, out.stdout + out.stderr
    cfg = load_yaml(PROM_CONFIG)
    assert cfg["rule_files"] == ["rules.yaml"]
    job = next(j for j in cfg["scrape_configs"] if j["job_name"] == "okf")
    assert job["static_configs"][0]["targets"] == ["127.0.0.1:8000"]
    am = cfg["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert am == ["127.0.0.1:9093"]


def test_promtool_check_config_kubernetes(promtool, tmp_path):
    """Debian builds Prometheus without Kubernetes discovery, so promtool rejects
    kubernetes_sd_configs; everything else of the cluster config (relabelling, rules,
    alerting, the bearer token) is checked by swapping each discovery block for a static
    one and the mounted token's path for a local file."""
    cfg = load_yaml(PROM_K8S_CONFIG)
    okf = next(j for j in cfg["scrape_configs"] if j["job_name"] == "okf")
    assert okf["kubernetes_sd_configs"] == [{"role": "pod"}]
    keep = {tuple(r["source_labels"]): r["regex"] for r in okf["relabel_configs"]
            if r.get("action") == "keep"}
    assert keep[("__meta_kubernetes_pod_label_app_kubernetes_io_name",)] == "okf"
    assert cfg["alerting"]["alertmanagers"][0]["kubernetes_sd_configs"][0]["role"] == "pod"
    token = tmp_path / "token"  # the mounted Secret's file (promtool checks it exists)
    token.write_text("t")
    for block in [*cfg["scrape_configs"], *cfg["alerting"]["alertmanagers"]]:
        block.pop("kubernetes_sd_configs")
        block["static_configs"] = [{"targets": ["127.0.0.1:1"]}]
        if "authorization" in block:
            assert block["authorization"]["credentials_file"].startswith("/etc/prometheus/")
            block["authorization"]["credentials_file"] = str(token)
    (tmp_path / "rules.yaml").write_text(RULES.read_text())
    path = tmp_path / "prometheus-k8s.yml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    out = run([promtool, "check", "config", str(path)])
    assert out.returncode == 0, out.stdout + out.stderr


def test_promtool_unit_tests_pass(promtool):
    assert len(PROM_TESTS) >= 2
    out = run([promtool, "test", "rules", *map(str, PROM_TESTS)], cwd=REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("SUCCESS") == len(PROM_TESTS)


def _unit_tests() -> list[dict]:
    return [t for p in PROM_TESTS for t in yaml.safe_load(p.read_text())["tests"]]


def test_unit_tests_cover_the_issue_cases():
    names = " | ".join(t["name"] for t in _unit_tests())
    for needle in ["one percent", "ten percent", "one failing endpoint", "no traffic",
                   "latency above", "latency below", "availability fast burn",
                   "availability 5x burn", "latency fast burn", "latency slow burn",
                   "single 500 in a quiet minute", "no okf target at all"]:
        assert needle in names, needle
    tested = {
        a["alertname"]
        for t in _unit_tests()
        for a in t.get("alert_rule_test", []) if a.get("exp_alerts")
    }
    assert tested == {r["alert"] for r in alerting_rules()}, "every alert is seen firing"


@pytest.mark.parametrize("case", ["healthy", "no traffic", "one error"])
def test_every_alert_stays_quiet_in_the_three_quiet_cases(case):
    """Each quiet case checks every alert of rules.yaml: nothing but the Watchdog fires."""
    (test,) = [t for t in _unit_tests() if t["name"].startswith(f"{case}:")]
    checked = {a["alertname"]: a["exp_alerts"] for a in test["alert_rule_test"]}
    assert set(checked) == {r["alert"] for r in alerting_rules()}
    for name, expected in checked.items():
        if name == "Watchdog":
            assert [e["exp_labels"]["severity"] for e in expected] == ["none"]
        else:
            assert expected == [], name


def test_the_traffic_guard_is_what_keeps_a_quiet_endpoint_from_paging(promtool, tmp_path):
    """Without HighErrorRate's minimum-traffic guard, the quiet-endpoint test fails."""
    rules = load_yaml(RULES)
    for rule in alerting_rules(rules):
        if rule["alert"] == "HighErrorRate":
            guarded = rule["expr"]
            rule["expr"] = guarded.split("and on (endpoint)")[0]
            assert rule["expr"] != guarded
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False))
    tests = tmp_path / "tests"
    tests.mkdir()
    src = RULES.parent / "tests" / "meta_model_alerts_test.yaml"
    (tests / "meta.yaml").write_text(src.read_text())
    out = run([promtool, "test", "rules", str(tests / "meta.yaml")])
    assert out.returncode != 0
    assert "errors on a quiet endpoint" in out.stdout + out.stderr


def test_the_spec_expression_fails_the_unit_tests(promtool, tmp_path):
    """The unit tests catch the spec's label-by-label ratio (which fires on 1 %)."""
    rules = load_yaml(RULES)
    for rule in alerting_rules(rules):
        if rule["alert"] == "HighErrorRate":
            rule["expr"] = SPEC_ERROR_EXPR
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False))
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "api.yaml").write_text((RULES.parent / "tests" / "api_alerts_test.yaml").read_text())
    out = run([promtool, "test", "rules", str(tests / "api.yaml")])
    assert out.returncode != 0
    assert "name: one percent of errors does not fire" in out.stdout + out.stderr


def test_error_and_latency_ratios_are_aggregated_and_guard_zero_traffic():
    alerts = {r["alert"]: r for r in alerting_rules()}
    err = " ".join(alerts["HighErrorRate"]["expr"].split())
    assert err.count("sum by (endpoint) (rate(api_requests_total") == 3
    assert "> 0)" in err, "denominator must be filtered to > 0 (no 0/0 NaN)"
    assert "and on (endpoint) (sum by (endpoint) (rate(api_requests_total[5m])) >= 0.1)" in err
    lat = " ".join(alerts["HighLatency"]["expr"].split())
    assert "sum by (endpoint) (rate(api_latency_seconds_sum[5m]))" in lat
    assert "(sum by (endpoint) (rate(api_latency_seconds_count[5m])) > 0)" in lat
    assert alerts["HighErrorRate"]["labels"]["severity"] == "critical"
    assert alerts["HighLatency"]["labels"]["severity"] == "warning"
    assert alerts["HighErrorRate"]["for"] == alerts["HighLatency"]["for"] == "5m"


def test_objectives_are_set_once_and_sli_rules_are_uniform():
    groups = {g["name"]: g for g in load_yaml(RULES)["groups"]}
    rules = [r for g in groups.values() for r in g["rules"]]
    objectives = [r for r in rules if r.get("record") == "okf:slo_objective:ratio"]
    assert {o["labels"]["slo"]: o["expr"] for o in objectives} == {
        "availability": "vector(0.999)", "latency": "vector(0.99)"}
    text = RULES.read_text()
    assert "0.999" not in text.replace("vector(0.999)", ""), "objective repeated"
    # short windows read the raw counters, per SLO, with the same expression per window
    raw = {(r["record"], r["labels"]["slo"]): r["expr"] for r in rules
           if r.get("record", "").startswith(("okf:slo_requests:", "okf:slo_bad_requests:"))}
    assert {w for (name, _) in raw for w in [name.rsplit("rate", 1)[1]]} == {"5m", "1h"}
    for (name, slo), expr in raw.items():
        if name.endswith("rate1h"):
            assert expr == raw[(name.replace("1h", "5m"), slo)].replace("[5m]", "[1h]")
    # every other window is built from the recorded 5m rates: no raw counter in them
    ratio = {r["record"].rsplit("rate", 1)[1]: " ".join(r["expr"].split()) for r in rules
             if r.get("record", "").startswith("okf:slo_errors:ratio_rate")}
    assert set(ratio) == set(WINDOWS)
    for w in WINDOWS:
        if w in ("5m", "1h"):
            assert ratio[w] == (f"okf:slo_bad_requests:rate{w} / on (slo) "
                                f"(okf:slo_requests:rate{w} > 0)")
        else:
            assert ratio[w] == (f"avg_over_time(okf:slo_bad_requests:rate5m[{w}]) / on (slo) "
                                f"(avg_over_time(okf:slo_requests:rate5m[{w}]) > 0)")
    # every burn-rate alert compares against the budget derived from the objective
    for rule in alerting_rules():
        if "Budget" in rule["alert"]:
            assert "okf:slo_error_budget:ratio" in rule["expr"]
            assert not re.search(r"\b0\.0\d+", rule["expr"]), "no hard-coded budget"


def test_long_windows_live_in_a_slower_group_and_the_paging_group_stays_light():
    groups = {g["name"]: g for g in load_yaml(RULES)["groups"]}
    long_ = groups["okf-sli-long"]
    assert seconds(long_["interval"]) >= 60, "slower than the global 15s"
    assert seconds(long_["interval"]) < 300, "under the 5m lookback: never stale"
    long_windows = {r["record"] for r in long_["rules"]}
    assert {f"okf:slo_errors:ratio_rate{w}" for w in ("2h", "6h", "1d", "3d", "30d")} <= (
        long_windows)
    page = groups["okf-slo"]
    assert "interval" not in page, "the paging group runs at the global interval"
    assert {r["alert"] for r in page["rules"] if "alert" in r} == {
        "AvailabilityBudgetBurnFast", "AvailabilityBudgetBurnSlow",
        "LatencyBudgetBurnFast", "LatencyBudgetBurnSlow"}
    # no raw range over an hour anywhere but the long group's recorded series
    for g in groups.values():
        for r in g["rules"]:
            for w in re.findall(r"\[(\d+[smhd])\]", r["expr"]):
                if seconds(w) > 3600:
                    assert g["name"] == "okf-sli-long" and "okf:" in r["expr"], (
                        r.get("record") or r.get("alert"), w)


@pytest.mark.parametrize("rule", alerting_rules(), ids=lambda r: r["alert"])
def test_every_alert_has_summary_severity_and_a_runbook_in_the_repo(rule):
    severity = rule["labels"]["severity"]
    assert severity in {"critical", "warning", "none"}
    assert (severity == "none") == (rule["alert"] == "Watchdog"), "none is the heartbeat's"
    ann = rule["annotations"]
    assert ann["summary"] and ann["description"]
    path = REPO / ann["runbook_url"]
    assert ann["runbook_url"].startswith("docs/runbooks/") and path.is_file()
    assert rule["alert"] in path.read_text(), "the runbook names its alert"


def test_outage_and_heartbeat_alerts():
    alerts = {r["alert"]: r for r in alerting_rules()}
    down = " ".join(alerts["OkfTargetDown"]["expr"].split())
    assert 'absent(up{job="okf"})' in down and 'up{job="okf"}) == 0' in down
    assert alerts["OkfTargetDown"]["for"] == "2m"
    assert alerts["OkfTargetDown"]["labels"]["severity"] == "critical"
    assert alerts["Watchdog"]["expr"] == "vector(1)" and "for" not in alerts["Watchdog"]
    assert alerts["ModelErrorRate"]["for"] == alerts["ModelLatencyHigh"]["for"] == "10m"
    assert alerts["TelemetryDropped"]["for"] == "15m"
    assert "okf_telemetry_dropped_total" in alerts["TelemetryDropped"]["expr"]


def test_fast_rules_shrink_only_time(promtool, tmp_path):
    fast = fast_rules(30)
    orig = alerting_rules()
    derived = alerting_rules(fast)
    assert [r["alert"] for r in derived] == [r["alert"] for r in orig]
    err = next(r for r in derived if r["alert"] == "HighErrorRate")
    assert "[10s]" in err["expr"] and "[5m]" not in err["expr"] and err["for"] == "10s"
    assert shrink("30d", 30) == "86400s"
    path = tmp_path / "fast.yaml"
    path.write_text(yaml.safe_dump(fast, sort_keys=False))
    out = run([promtool, "check", "rules", str(path)])
    assert out.returncode == 0, out.stdout + out.stderr
