"""End to end on the real servers: the service (real app factory, a model that fails on
demand) scraped by a real Prometheus evaluating rules derived from rules.yaml (time
shrunk 30x: 5m windows -> 10s, `for: 5m` -> 10s), alerting a real Alertmanager (config
derived from config.yaml: 1s grouping timers) that posts to a local fake Slack webhook
whose URL it reads from api_url_file. Proves: a FIRING AvailabilityBudgetBurnFast page
rendered by the templates while HighErrorRate, firing in Prometheus, is held back by
the inhibit rule (one page per cause), every dashboard query returning data (a small
research job run by the service's job worker fills the research row), then the RESOLVED
page."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from .support import (
    alertmanager_config,
    dashboard_queries,
    http_json,
    prom_query,
    start_monitoring,
    start_service,
    wait_until,
)

SHRINK = 30  # 5m -> 10s, 1h -> 120s, 30d -> 1d
pytestmark = [pytest.mark.stack, pytest.mark.slow]


class Traffic(threading.Thread):
    """Steady requests to the service: keyword extraction plus a few model listings."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stop_event = threading.Event()
        self.codes: dict[int, int] = {}

    def run(self) -> None:
        body = {"text": "Prometheus scrapes the keyword service and Alertmanager "
                        "routes alerts to Slack", "top_n": 5}
        with httpx.Client(base_url=self.base, timeout=5) as client:
            i = 0
            while not self.stop_event.is_set():
                r = (client.get("/v1/models") if i % 10 == 9
                     else client.post("/v1/keywords/extract", json=body))
                self.codes[r.status_code] = self.codes.get(r.status_code, 0) + 1
                i += 1
                time.sleep(0.01)

    def stop(self) -> None:
        self.stop_event.set()
        self.join(10)


RESEARCH_DOCS = [
    {"id": f"d{i}", "text": f"Prometheus scrapes the keyword service {i}. Alertmanager "
                           "routes alerts to Slack; Grafana draws the research queue."}
    for i in range(3)
]


def submit_research_job(service: str) -> str:
    """A 3-document research job (no phrase vectors: nothing to load); its status URL."""
    r = httpx.post(f"{service}/v1/research", timeout=30,
                   json={"documents": RESEARCH_DOCS, "options": {"vectors": False}})
    assert r.status_code == 202, r.text
    return service + r.headers["location"]


def test_error_burst_pages_once_resolves_and_dashboard_has_data(
        prometheus_bin, alertmanager_bin, tmp_path, procs, slack_sink):
    t0 = time.monotonic()
    flag = tmp_path / "fail"
    service = start_service(tmp_path, procs, flag)
    metrics = httpx.get(f"{service}/metrics", timeout=5)
    assert metrics.status_code == 200 and "api_requests_total" in metrics.text, (
        "the service exposes no api_requests_total at /metrics")

    am_cfg = alertmanager_config(slack_sink.url_file, fast=True)
    am, prom = start_monitoring(tmp_path, procs, service, am_cfg, SHRINK)

    job = submit_research_job(service)
    traffic = Traffic(service)
    traffic.start()
    try:
        wait_until(lambda: prom_query(prom, "okf:slo_errors:ratio_rate5m"), 30,
                   what="the SLI recording rules")
        healthy = slack_sink.messages[:]
        flag.touch()  # every other extraction now fails: ~45 % of the requests are 5xx

        def is_burn_page(status: str):
            return lambda p: p["attachments"][0]["title"].startswith(f"[{status}") and (
                "AvailabilityBudgetBurnFast" in p["attachments"][0]["title"])

        firing = slack_sink.wait_for(is_burn_page("FIRING"), 90)
        t_fire = time.monotonic() - t0
        assert firing is not None, f"no FIRING burn page; got {slack_sink.messages}"
        assert not healthy, f"alerts before any error: {healthy}"
        att = firing["attachments"][0]
        assert firing["channel"] == "#alerts"
        assert att["title"] == "[FIRING:1] AvailabilityBudgetBurnFast (critical)"
        text = att["text"]
        assert "*FIRING* AvailabilityBudgetBurnFast [critical] SLO availability" in text
        assert "*Resumo:* Orçamento de erros de disponibilidade queimando rápido" in text
        assert "das requisições responderam 5xx" in text
        assert "docs/runbooks/slo-availability.md>" in text
        assert att["color"] == "danger"
        # HighErrorRate fires in Prometheus for the endpoint, and Alertmanager holds it
        # back behind the burn page: one page for one cause.
        wait_until(lambda: prom_query(prom, 'ALERTS{alertname="HighErrorRate",'
                                            'alertstate="firing"}'), 90,
                   what="HighErrorRate firing in Prometheus")

        def error_rate_state():
            got = [a["status"]["state"] for a in http_json(f"{am}/api/v2/alerts")
                   if a["labels"]["alertname"] == "HighErrorRate"]
            return got or None

        assert wait_until(error_rate_state, 40, what="HighErrorRate in Alertmanager") == [
            "suppressed"]
        # the errors came from the service, through the metrics
        ratio = prom_query(prom, 'sum(rate(api_requests_total{status="500"}[10s]))'
                                 " / sum(rate(api_requests_total[10s]))")
        assert ratio and float(ratio[0]["value"][1]) > 0.05

        # the research job ran in the service's worker and is counted once, as done
        wait_until(lambda: httpx.get(job, timeout=5).json()["state"] == "done", 120,
                   what="the research job done")
        wait_until(lambda: prom_query(prom, 'okf:research_jobs:max{state="done"} == 1'), 30,
                   what="the done job in the research recording rules")
        done = prom_query(prom, 'sum(okf_research_job_transitions_total{state="done"})')
        assert float(done[0]["value"][1]) == 1
        docs = prom_query(prom, "sum(okf_research_documents_processed_total)")
        assert float(docs[0]["value"][1]) == len(RESEARCH_DOCS)
        # its run time is in the duration panel's series (a number, not NaN: the
        # histogram's series start at 0, so the rate sees the job's end)
        took = wait_until(lambda: prom_query(
            prom, 'histogram_quantile(0.5, sum by (state, le) '
                  '(okf:research_job_duration_seconds_bucket:rate1h{state="done"})) > 0'), 30,
            what="the job's duration in the recorded histogram")
        assert 0 < float(took[0]["value"][1]) <= 7200
        # every dashboard query returns data from the live Prometheus
        empty = [f"{title} [{ref}]: {expr}" for title, ref, expr in dashboard_queries()
                 if not prom_query(prom, expr.replace("$__rate_interval", "1m"))]
        assert not empty, "dashboard queries without data:\n" + "\n".join(empty)

        flag.unlink()  # errors stop
        # the 30m window (60s here) of the 6h/30m clause decides when the page resolves
        resolved = slack_sink.wait_for(is_burn_page("RESOLVED"), 150)
        t_resolve = time.monotonic() - t0
        assert resolved is not None, f"no RESOLVED burn page; got {slack_sink.messages}"
        att = resolved["attachments"][0]
        assert att["title"] == "[RESOLVED] AvailabilityBudgetBurnFast (critical)"
        assert "*RESOLVED* AvailabilityBudgetBurnFast [critical]" in att["text"]
        assert "*Resolvido:*" in att["text"] and att["color"] == "good"
        titles = [m["payload"]["attachments"][0]["title"] for m in slack_sink.messages]
        assert not [t for t in titles if "HighErrorRate" in t], titles
    finally:
        traffic.stop()
    assert traffic.codes.get(500, 0) > 0 and traffic.codes.get(200, 0) > 0, traffic.codes
    print(f"\nfired after {t_fire:.1f}s, resolved after {t_resolve:.1f}s; "
          f"responses {traffic.codes}")
