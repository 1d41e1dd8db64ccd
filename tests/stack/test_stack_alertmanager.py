"""Alertmanager: the config passes amtool, the Slack templates render what a person on
call needs, and a real Alertmanager routes to the (fake) Slack webhook read from
api_url_file and applies the inhibit rules."""

from __future__ import annotations

import json
import subprocess

import yaml

from .support import (
    AM_CONFIG,
    AM_TEMPLATES,
    alertmanager_config,
    http_json,
    load_yaml,
    start_alertmanager,
    wait_until,
)


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_amtool_check_config(amtool):
    out = run([amtool, "check-config", str(AM_CONFIG)])
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout and "1 templates" in out.stdout


def test_routing_receiver_and_secret_handling():
    cfg = load_yaml(AM_CONFIG)
    assert cfg["global"]["resolve_timeout"] == "5m"
    route = cfg["route"]
    assert route["group_by"] == ["alertname", "severity"]
    assert (route["group_wait"], route["group_interval"], route["repeat_interval"]) == (
        "30s", "5m", "4h")
    receivers = {r["name"]: r for r in cfg["receivers"]}
    assert set(receivers) == {"slack-notifications", "heartbeat"}
    assert route["receiver"] == "slack-notifications"
    (slack,) = receivers["slack-notifications"]["slack_configs"]
    assert slack["channel"] == "#alerts" and slack["send_resolved"] is True
    assert slack["api_url_file"].startswith("/")
    assert "api_url" not in slack and "slack_api_url" not in cfg["global"]
    assert "hooks.slack.com" not in AM_CONFIG.read_text()
    assert slack["title"] == '{{ template "slack.title" . }}'
    assert slack["text"] == '{{ template "slack.text" . }}'
    # the heartbeat: its own webhook receiver, never Slack, token from a file
    (watchdog_route,) = route["routes"]
    assert watchdog_route["matchers"] == ['alertname="Watchdog"']
    assert watchdog_route["receiver"] == "heartbeat" and not watchdog_route.get("continue")
    assert set(receivers["heartbeat"]) == {"name", "webhook_configs"}
    (hook,) = receivers["heartbeat"]["webhook_configs"]
    assert hook["send_resolved"] is False
    assert hook["http_config"]["authorization"]["credentials_file"].startswith(
        "/etc/alertmanager/secrets/")


def test_routing_tree_sends_watchdog_to_heartbeat_only(amtool):
    """amtool's own routing test: Watchdog reaches the heartbeat and nothing else; every
    other alert (the research job warnings too) reaches Slack."""
    for labels, expected in [
        (["alertname=Watchdog", "severity=none"], "heartbeat"),
        (["alertname=OkfTargetDown", "severity=critical", "job=okf"], "slack-notifications"),
        (["alertname=HighErrorRate", "severity=critical", "endpoint=/x"], "slack-notifications"),
        (["alertname=TelemetryDropped", "severity=warning", "signal=logs"],
         "slack-notifications"),
        (["alertname=ResearchQueueStuck", "severity=warning"], "slack-notifications"),
        (["alertname=ResearchJobsFailing", "severity=warning"], "slack-notifications"),
    ]:
        out = run([amtool, "config", "routes", "test", f"--config.file={AM_CONFIG}",
                   "--verify.receivers=" + expected, *labels])
        assert out.returncode == 0, (labels, out.stdout + out.stderr)
        assert out.stdout.strip() == expected, (labels, out.stdout)


def test_inhibit_rules_shape():
    rules = load_yaml(AM_CONFIG)["inhibit_rules"]
    by_endpoint = next(r for r in rules if r["equal"] == ["endpoint"])
    assert 'severity="critical"' in by_endpoint["source_matchers"]
    assert by_endpoint["target_matchers"] == ['severity="warning"']
    # one page per cause: the service-wide availability page holds HighErrorRate back
    burn = next(r for r in rules if r["target_matchers"] == ['alertname="HighErrorRate"'])
    assert burn["source_matchers"] == ['alertname="AvailabilityBudgetBurnFast"']


def _alert(status: str, name: str, severity: str, endpoint: str, ends: str) -> dict:
    return {
        "status": status,
        "labels": {"alertname": name, "severity": severity, "endpoint": endpoint},
        "annotations": {
            "summary": f"Alta taxa de erros na API ({endpoint})",
            "description": f"12.5% das requisições a {endpoint} responderam 5xx.",
            "runbook_url": "docs/runbooks/high-error-rate.md",
        },
        "startsAt": "2026-01-02T03:04:05Z",
        "endsAt": ends,
        "generatorURL": "http://prometheus/graph",
        "fingerprint": "0123456789abcdef",
    }


def _render(amtool: str, tmp_path, data: dict) -> tuple[str, str]:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    out = run([amtool, "template", "render", f"--template.glob={AM_TEMPLATES}/*.tmpl",
               f"--template.data={path}",
               '--template.text={{ template "slack.title" . }}\n===\n'
               '{{ template "slack.text" . }}'])
    assert out.returncode == 0, out.stdout + out.stderr
    title, text = out.stdout.split("\n===\n", 1)
    return title.strip(), text


def test_templates_render_firing_and_resolved(amtool, tmp_path):
    base = {"receiver": "slack-notifications", "externalURL": "http://am:9093",
            "groupLabels": {"alertname": "HighErrorRate", "severity": "critical"},
            "commonLabels": {"alertname": "HighErrorRate", "severity": "critical"},
            "commonAnnotations": {}}
    firing = _alert("firing", "HighErrorRate", "critical", "/v1/keywords/extract",
                    "0001-01-01T00:00:00Z")
    title, text = _render(amtool, tmp_path, {**base, "status": "firing", "alerts": [firing]})
    assert title == "[FIRING:1] HighErrorRate (critical)"
    assert "*FIRING* HighErrorRate [critical] `/v1/keywords/extract`" in text
    assert "*Resumo:* Alta taxa de erros na API (/v1/keywords/extract)" in text
    assert "*Descrição:* 12.5% das requisições" in text
    assert "/blob/main/docs/runbooks/high-error-rate.md|docs/runbooks/high-error-rate.md>" in text
    assert "*Desde:* 2026-01-02 03:04:05 UTC" in text

    resolved = _alert("resolved", "HighErrorRate", "critical", "/v1/keywords/extract",
                      "2026-01-02T03:14:05Z")
    title, text = _render(amtool, tmp_path,
                          {**base, "status": "resolved", "alerts": [resolved]})
    assert title == "[RESOLVED] HighErrorRate (critical)"
    assert "*RESOLVED* HighErrorRate" in text and "*Resolvido:* 2026-01-02 03:14:05 UTC" in text
    assert "FIRING" not in text


def test_templates_escape_what_slack_reads_as_markup(amtool, tmp_path):
    alert = _alert("firing", "LatencyBudgetBurnFast", "critical", "/v1/a<b>&c",
                   "0001-01-01T00:00:00Z")
    alert["annotations"]["summary"] = "Orçamento (SLO 99% < 1s) & p99 > 5s"
    alert["annotations"]["description"] = "<!channel> a & b"
    data = {"receiver": "slack-notifications", "externalURL": "http://am:9093",
            "status": "firing", "alerts": [alert], "groupLabels": {},
            "commonLabels": {"alertname": "LatencyBudgetBurnFast", "severity": "critical"},
            "commonAnnotations": {}}
    _, text = _render(amtool, tmp_path, data)
    assert "*Resumo:* Orçamento (SLO 99% &lt; 1s) &amp; p99 &gt; 5s" in text
    assert "*Descrição:* &lt;!channel&gt; a &amp; b" in text
    assert "`/v1/a&lt;b&gt;&amp;c`" in text
    # the runbook stays a Slack link
    assert "<https://github.com/" in text and "|docs/runbooks/high-error-rate.md>" in text


def test_live_alertmanager_sends_to_slack_file_url_and_inhibits(
        alertmanager_bin, tmp_path, procs, slack_sink):
    cfg = alertmanager_config(slack_sink.url_file, fast=True)
    base = start_alertmanager(tmp_path, cfg, procs)
    crit = {"labels": {"alertname": "HighErrorRate", "severity": "critical",
                       "endpoint": "/v1/keywords/extract"},
            "annotations": {"summary": "Alta taxa de erros na API (/v1/keywords/extract)",
                            "description": "desc", "runbook_url":
                            "docs/runbooks/high-error-rate.md"}}
    warn_same = {"labels": {"alertname": "HighLatency", "severity": "warning",
                            "endpoint": "/v1/keywords/extract"},
                 "annotations": {"summary": "Alta latência", "description": "d"}}
    warn_other = {"labels": {"alertname": "HighLatency", "severity": "warning",
                             "endpoint": "/v1/models"},
                  "annotations": {"summary": "Alta latência", "description": "d"}}
    http_json(f"{base}/api/v2/alerts", [crit, warn_same, warn_other])

    def alerts_state():
        got = {(a["labels"]["alertname"], a["labels"]["endpoint"]): a["status"]
               for a in http_json(f"{base}/api/v2/alerts")}
        return got if len(got) == 3 else None

    states = wait_until(alerts_state, 30, what="3 alerts in Alertmanager")
    assert states[("HighLatency", "/v1/keywords/extract")]["state"] == "suppressed"
    assert states[("HighLatency", "/v1/keywords/extract")]["inhibitedBy"]
    assert states[("HighLatency", "/v1/models")]["state"] == "active"
    assert states[("HighErrorRate", "/v1/keywords/extract")]["state"] == "active"

    def title_has(s):
        return lambda p: s in p["attachments"][0]["title"]

    msg = slack_sink.wait_for(title_has("HighErrorRate"), 40)
    assert msg is not None, "no HighErrorRate message reached the fake Slack webhook"
    assert msg["channel"] == "#alerts"
    att = msg["attachments"][0]
    assert att["title"] == "[FIRING:1] HighErrorRate (critical)"
    assert "`/v1/keywords/extract`" in att["text"] and "high-error-rate.md" in att["text"]
    assert att["color"] == "danger"
    latency = slack_sink.wait_for(title_has("HighLatency"), 30)
    assert latency is not None
    assert "/v1/models" in latency["attachments"][0]["text"]
    assert "/v1/keywords/extract" not in latency["attachments"][0]["text"], "inhibited"
    assert latency["attachments"][0]["title"] == "[FIRING:1] HighLatency (warning)"


def test_derived_config_keeps_routes_and_inhibits(tmp_path, amtool):
    derived = alertmanager_config(tmp_path / "url", fast=True)
    orig = load_yaml(AM_CONFIG)
    assert derived["inhibit_rules"] == orig["inhibit_rules"]
    assert derived["route"]["group_by"] == orig["route"]["group_by"]
    path = tmp_path / "am.yml"
    path.write_text(yaml.safe_dump(derived))
    out = run([amtool, "check-config", str(path)])
    assert out.returncode == 0, out.stdout + out.stderr


def test_live_watchdog_reaches_the_heartbeat_only_and_burn_page_holds_back_error_rate(
        alertmanager_bin, tmp_path, procs, slack_sink, heartbeat_sink):
    cfg = alertmanager_config(slack_sink.url_file, fast=True, heartbeat_url=heartbeat_sink.url,
                              heartbeat_token_file=heartbeat_sink.token_file)
    base = start_alertmanager(tmp_path, cfg, procs)
    ann = {"summary": "s", "description": "d"}
    watchdog = {"labels": {"alertname": "Watchdog", "severity": "none"}, "annotations": ann}
    burn = {"labels": {"alertname": "AvailabilityBudgetBurnFast", "severity": "critical",
                       "slo": "availability"}, "annotations": ann}
    errors = {"labels": {"alertname": "HighErrorRate", "severity": "critical",
                         "endpoint": "/v1/keywords/extract"}, "annotations": ann}
    http_json(f"{base}/api/v2/alerts", [watchdog, burn, errors])

    ping = heartbeat_sink.wait_for_message(
        lambda m: [a["labels"]["alertname"] for a in m["payload"]["alerts"]] == ["Watchdog"], 40)
    assert ping is not None, f"no heartbeat; got {heartbeat_sink.messages}"
    assert ping["payload"]["receiver"] == "heartbeat" and ping["payload"]["status"] == "firing"
    assert ping["headers"].get("Authorization") == f"Bearer {heartbeat_sink.token}"
    # re-sent while it fires (repeat_interval 2s in this fast copy): a heartbeat, not one ping
    wait_until(lambda: len(heartbeat_sink.messages) >= 2, 40, what="a second heartbeat")

    page = slack_sink.wait_for(lambda p: "AvailabilityBudgetBurnFast" in
                               p["attachments"][0]["title"], 40)
    assert page is not None, f"no burn page; got {slack_sink.messages}"
    states = wait_until(
        lambda: {a["labels"]["alertname"]: a["status"] for a in
                 http_json(f"{base}/api/v2/alerts")} or None, 30, what="alerts")
    assert states["HighErrorRate"]["state"] == "suppressed", states
    titles = [m["payload"]["attachments"][0]["title"] for m in slack_sink.messages]
    assert not [t for t in titles if "HighErrorRate" in t or "Watchdog" in t], titles
    assert all("attachments" not in m["payload"] for m in heartbeat_sink.messages)
