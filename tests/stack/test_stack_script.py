"""`make stack` (scripts/stack.sh): starts the service, Prometheus and Alertmanager with
the repository's files, prints their URLs, Prometheus scrapes the service, and Ctrl-C
stops every process it started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time

import pytest

from .support import REPO, free_port, http_json, prom_query, wait_until

pytestmark = [pytest.mark.stack, pytest.mark.slow]


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_make_stack_runs_and_ctrl_c_stops_everything(prometheus_bin, alertmanager_bin,
                                                     tmp_path):
    ports = {"OKF_PORT": free_port(), "PROMETHEUS_PORT": free_port(),
             "ALERTMANAGER_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()},
           "OKF_STACK_DIR": str(tmp_path / "state")}
    env.pop("SLACK_WEBHOOK_URL_FILE", None)
    env.pop("HEARTBEAT_URL", None)
    proc = subprocess.Popen(["bash", "scripts/stack.sh"], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        wait_until(lambda: any("Ctrl-C stops everything" in line for line in lines), 90,
                   what="the stack banner")
        out = "".join(lines)
        for name, port in ports.items():
            assert f"http://127.0.0.1:{port}" in out, name
        prom = f"http://127.0.0.1:{ports['PROMETHEUS_PORT']}"
        wait_until(lambda: prom_query(prom, 'up{job="okf"} == 1'), 40,
                   what="Prometheus scraping the service started by the stack")
        # rules.yaml is loaded (first evaluation within one 15s interval)
        rules = wait_until(lambda: prom_query(prom, "okf:slo_objective:ratio"), 40,
                           what="the rules evaluated")
        assert {r["metric"]["slo"] for r in rules} == {"availability", "latency"}
        ams = http_json(f"{prom}/api/v1/alertmanagers")["data"]["activeAlertmanagers"]
        assert [a["url"] for a in ams] == [
            f"http://127.0.0.1:{ports['ALERTMANAGER_PORT']}/api/v2/alerts"]
        status = http_json(f"http://127.0.0.1:{ports['ALERTMANAGER_PORT']}/api/v2/status")
        assert "slack-notifications" in status["config"]["original"]
        assert "receiver: heartbeat" in status["config"]["original"]
        assert "Heartbeat     http://127.0.0.1:" in out
        flags = http_json(f"{prom}/api/v1/status/flags")["data"]
        assert flags["enable-feature"] == "exemplar-storage"
        assert flags["web.external-url"] == prom
        assert status["uptime"] and "http://127.0.0.1:" in out
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C delivers to the script
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        reader.join(5)
    assert "stack: stopping" in "".join(lines)
    time.sleep(0.5)
    still = [name for name, port in ports.items() if listening(port)]
    assert not still, f"still listening after Ctrl-C: {still}"
