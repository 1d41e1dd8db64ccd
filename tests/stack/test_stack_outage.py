"""End to end on the real servers: the service scraped by a real Prometheus (rules and
config derived from the repository's, time shrunk 30x: `for: 2m` -> 4s, 1s scrape and
evaluation intervals) alerting a real Alertmanager (config.yaml with 1-2s timers), with
a fake Slack webhook and a fake dead man's switch on loopback.

Proves: the Watchdog heartbeat arrives on its own receiver (with its bearer token) and
never in Slack; when the service process is stopped, OkfTargetDown reaches the Slack
webhook as a rendered FIRING message; and the traced service's exemplars, with the
trace ids of real requests, come back from Prometheus' query API."""

from __future__ import annotations

import secrets
import time

import httpx
import pytest

from .support import (
    alertmanager_config,
    http_json,
    prom_query,
    start_monitoring,
    start_scraping_prometheus,
    start_service,
    wait_until,
)

SHRINK = 30
pytestmark = [pytest.mark.stack, pytest.mark.slow]


def test_service_stopped_pages_and_heartbeat_goes_to_its_own_receiver(
        prometheus_bin, alertmanager_bin, tmp_path, procs, slack_sink, heartbeat_sink):
    t0 = time.monotonic()
    service = start_service(tmp_path, procs, tmp_path / "never-fail")
    okf = procs[-1]
    cfg = alertmanager_config(slack_sink.url_file, fast=True, heartbeat_url=heartbeat_sink.url,
                              heartbeat_token_file=heartbeat_sink.token_file)
    am, prom = start_monitoring(tmp_path, procs, service, cfg, SHRINK)

    ping = heartbeat_sink.wait_for_message(
        lambda m: [a["labels"]["alertname"] for a in m["payload"]["alerts"]] == ["Watchdog"], 60)
    assert ping is not None, f"no heartbeat; got {heartbeat_sink.messages}"
    assert ping["headers"].get("Authorization") == f"Bearer {heartbeat_sink.token}"
    assert ping["payload"]["receiver"] == "heartbeat"
    assert ping["payload"]["externalURL"] == am
    t_ping = time.monotonic() - t0
    assert not prom_query(prom, 'ALERTS{alertname="OkfTargetDown"}'), "down while up?"

    okf.stop()  # the service is gone; Prometheus' scrapes now fail
    down = slack_sink.wait_for(
        lambda p: p["attachments"][0]["title"].startswith("[FIRING") and
        "OkfTargetDown" in p["attachments"][0]["title"], 90)
    t_down = time.monotonic() - t0
    assert down is not None, f"no OkfTargetDown in Slack; got {slack_sink.messages}"
    att = down["attachments"][0]
    assert att["title"] == "[FIRING:1] OkfTargetDown (critical)"
    assert "*Resumo:* O serviço okf não responde ao Prometheus" in att["text"]
    assert "docs/runbooks/okf-target-down.md>" in att["text"]
    assert att["color"] == "danger"
    # the heartbeat kept going, and never through Slack
    n = len(heartbeat_sink.messages)
    wait_until(lambda: len(heartbeat_sink.messages) > n, 40, what="a later heartbeat")
    titles = [m["payload"]["attachments"][0]["title"] for m in slack_sink.messages]
    assert not [t for t in titles if "Watchdog" in t], titles
    print(f"\nheartbeat after {t_ping:.1f}s, OkfTargetDown in Slack {t_down - t_ping:.1f}s "
          f"after the first ping ({t_down:.1f}s in all)")


def test_exemplars_with_real_trace_ids_come_back_from_the_query_api(
        prometheus_bin, tmp_path, procs):
    """Prometheus started with --enable-feature=exemplar-storage (as compose, k8s and
    `make stack` run it) keeps the trace ids the traced service attaches to its
    histograms; /api/v1/query_exemplars returns them for the requests we sent."""
    # spans go to a closed port: exporting fails (counted as dropped), tracing still runs
    service = start_service(tmp_path, procs, tmp_path / "never-fail",
                            otlp="http://127.0.0.1:9")
    prom = start_scraping_prometheus(tmp_path, procs, service, "127.0.0.1:9", SHRINK)
    sent = []
    with httpx.Client(base_url=service, timeout=5) as client:
        for _ in range(5):
            trace_id = secrets.token_hex(16)
            r = client.post("/v1/keywords/extract",
                            json={"text": "exemplars link metrics to traces", "top_n": 3},
                            headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
            assert r.status_code == 200, r.text
            sent.append(trace_id)
            time.sleep(1.2)  # one scrape apart: each bucket's latest exemplar is kept

    def exemplar_trace_ids(metric: str) -> set[str]:
        now = time.time()
        out = http_json(f"{prom}/api/v1/query_exemplars?query={metric}"
                        f"&start={now - 120}&end={now + 5}")
        assert out["status"] == "success", out
        return {e["labels"].get("trace_id") for s in out["data"] for e in s["exemplars"]}

    for metric in ("api_latency_seconds_bucket", "model_latency_seconds_bucket"):
        got = wait_until(lambda m=metric: exemplar_trace_ids(m) & set(sent), 60,
                         what=f"exemplars of {metric}")
        assert len(got) >= 2, (metric, got)  # several requests, not one lucky sample
    # the exemplar's trace id is a real one: the W3C trace id of a request we made
    assert all(len(t) == 32 and int(t, 16) for t in got)
