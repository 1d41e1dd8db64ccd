"""Hardening of deploy/k8s: the tested Prometheus / Alertmanager line deployed, external
URLs and exemplar storage; a PodDisruptionBudget that fits the HPA and pods that drain
before SIGTERM; /metrics behind a token only Prometheus holds; Elasticsearch ready on a
local check with replicas that fit the node count."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import ELK, K8S, MONITORING
from tests.deploy.kustomize import render
from tests.deploy.test_k8s_manifests import by_kind, container, pod_spec


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    return render(K8S)


def test_prometheus_and_alertmanager_are_the_tested_versions_with_external_urls(objects):
    """Deploy what is tested: the images are the Prometheus / Alertmanager line whose
    Debian binaries run the rules, promtool and amtool tests (tests/stack)."""
    prometheus = container(by_kind(objects, "StatefulSet")["prometheus"], "prometheus")
    alertmanager = container(by_kind(objects, "StatefulSet")["alertmanager"], "alertmanager")
    assert prometheus["image"] == "prom/prometheus:v2.42.0"
    assert alertmanager["image"] == "prom/alertmanager:v0.25.0"
    for tool, line in (("promtool", "2.42."), ("amtool", "0.25.")):
        path = shutil.which(tool)
        if path:  # where the stack tests run, the binaries are that line
            out = subprocess.run([path, "--version"], capture_output=True, text=True)
            assert f"version {line}" in out.stdout + out.stderr, tool
    assert "--enable-feature=exemplar-storage" in prometheus["args"]
    assert any(a.startswith("--web.external-url=http") for a in prometheus["args"])
    assert any(a.startswith("--web.external-url=http") for a in alertmanager["args"])
    grafana = {e["name"]: e for e in container(by_kind(objects, "Deployment")["grafana"],
                                                "grafana")["env"]}
    assert grafana["OKF_JAEGER_URL"]["value"] == "http://jaeger.monitoring.svc:16686"
    assert grafana["OKF_ELASTICSEARCH_URL"]["value"] == (
        "http://elasticsearch.monitoring.svc:9200")


def test_pdb_fits_the_hpa_and_pods_drain_before_sigterm(objects):
    pdb = by_kind(objects, "PodDisruptionBudget")["okf"]
    assert pdb["spec"] == {"maxUnavailable": 1,
                           "selector": {"matchLabels": {"app.kubernetes.io/name": "okf"}}}
    deployment = by_kind(objects, "Deployment")["okf"]
    okf = container(deployment, "okf")
    command = okf["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pause = int(command[1])
    env = {e["name"]: e.get("value") for e in okf["env"]}
    request_timeout = float(env["OKF_REQUEST_TIMEOUT_S"])
    grace = pod_spec(deployment)["terminationGracePeriodSeconds"]
    assert pause >= 5 and grace > pause + request_timeout, (pause, request_timeout, grace)


def test_metrics_token_is_shared_by_okf_and_prometheus_only(objects):
    okf = container(by_kind(objects, "Deployment")["okf"], "okf")
    env = {e["name"]: e.get("value") for e in okf["env"]}
    mounts = {m["name"]: m["mountPath"] for m in okf["volumeMounts"]}
    assert Path(env["OKF_METRICS_TOKEN_FILE"]).parent.as_posix() == mounts["metrics-token"]
    prometheus = by_kind(objects, "StatefulSet")["prometheus"]
    pmounts = {m["name"]: m["mountPath"] for m in container(prometheus, "prometheus")[
        "volumeMounts"]}
    cfg = yaml.safe_load((MONITORING / "prometheus" / "prometheus-k8s.yml").read_text())
    (job,) = [j for j in cfg["scrape_configs"] if j["job_name"] == "okf"]
    token = job["authorization"]["credentials_file"]
    assert Path(token).parent.as_posix() == pmounts["metrics-token"]
    secrets = {
        (v["secret"]["secretName"], o["metadata"]["namespace"])
        for o in (by_kind(objects, "Deployment")["okf"], prometheus)
        for v in pod_spec(o)["volumes"] if v["name"] == "metrics-token"
    }
    assert secrets == {("okf-metrics-token", "okf"), ("okf-metrics-token", "monitoring")}
    assert Path(env["OKF_METRICS_TOKEN_FILE"]).name == Path(token).name == "token"


def test_elasticsearch_ready_on_a_local_check_and_replicas_fit_the_node_count(objects):
    es = by_kind(objects, "StatefulSet")["elasticsearch"]
    probe = " ".join(container(es, "elasticsearch")["readinessProbe"]["exec"]["command"])
    assert "local=true" in probe and "wait_for_status" not in probe
    settings = json.loads((ELK / "okf-logs-template.json").read_text())["template"][
        "settings"]["index"]
    # 0 replicas on one node (Compose: green, ILM can roll over), 1 on the 3-node cluster
    assert settings["auto_expand_replicas"] == "0-1" and "number_of_replicas" not in settings
    assert es["spec"]["replicas"] == 3
