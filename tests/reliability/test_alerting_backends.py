"""Alertmanager down, then Prometheus gone: the service never notices.

The service talks to neither (Prometheus pulls /metrics; Prometheus pushes alerts to
Alertmanager), so the proof is end to end with the real Prometheus (Debian package,
installed by scripts/ensure-debian-tools.sh): it scrapes the service under traffic, an
alert on that traffic fires, its Alertmanager is a dead port (the failed notifications
are Prometheus's to count), then Prometheus is stopped while traffic goes on.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from okf.testing import free_port

from .support import Service, Traffic, metric


def _prometheus_metric(base: str, name: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    return sum(
        s.value for f in text_string_to_metric_families(text) for s in f.samples if s.name == name
    )


def _query(base: str, expr: str) -> list[dict[str, object]]:
    r = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=5)
    return r.json()["data"]["result"]  # type: ignore[no-any-return]


def test_alertmanager_down_then_prometheus_gone(tmp_path: Path) -> None:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("`prometheus` not installed (scripts/ensure-debian-tools.sh installs it)")
    service = Service(tmp_path)
    prom_port = free_port()
    prom = f"http://127.0.0.1:{prom_port}"
    (tmp_path / "rules.yml").write_text(
        yaml.safe_dump(
            {
                "groups": [
                    {
                        "name": "reliability",
                        "rules": [
                            {
                                "alert": "OkfServesTraffic",
                                "expr": "sum(rate(api_requests_total[5s])) > 0",
                            }
                        ],
                    }
                ]
            }
        )
    )
    (tmp_path / "prometheus.yml").write_text(
        yaml.safe_dump(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(tmp_path / "rules.yml")],
                "alerting": {
                    "alertmanagers": [
                        {
                            "timeout": "1s",
                            "static_configs": [{"targets": [f"127.0.0.1:{free_port()}"]}],
                        }
                    ]
                },
                "scrape_configs": [
                    {
                        "job_name": "okf",
                        "static_configs": [{"targets": [f"127.0.0.1:{service.port}"]}],
                    }
                ],
            }
        )
    )
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        traffic = Traffic(service.base)
        # Scraped, alert firing, and its notifications failing (Alertmanager is down).
        deadline = time.monotonic() + 40
        state = {"up": False, "firing": False, "errors": 0.0}
        while time.monotonic() < deadline:
            try:
                state["up"] = bool(_query(prom, 'up{job="okf"} == 1'))
                state["firing"] = bool(
                    _query(prom, 'ALERTS{alertname="OkfServesTraffic",alertstate="firing"}')
                )
                state["errors"] = _prometheus_metric(prom, "prometheus_notifications_errors_total")
            except (httpx.TransportError, KeyError, ValueError):
                pass
            if state["up"] and state["firing"] and state["errors"] > 0:
                break
            time.sleep(0.5)
        assert state["up"] and state["firing"] and state["errors"] > 0, state
        # Prometheus gone: nobody scrapes any more.
        proc.terminate()
        proc.wait(20)
        time.sleep(2)
        outcomes = traffic.stop()
        assert set(outcomes) == {200}, outcomes
        endpoint = "/v1/keywords/extract"
        assert metric(service.base, "api_requests_total", endpoint=endpoint) == outcomes[200]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        log.close()
        service.stop()
