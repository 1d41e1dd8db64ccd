"""deploy/k8s renders to valid Kubernetes objects whose ConfigMaps are the monitoring/
files, byte for byte, and whose wiring (names, ports, paths, flags) holds together."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.conftest import ELK, JAEGER, K8S, MONITORING, ROOT
from tests.deploy.kustomize import generator_files, kustomize_hash, render

K8S_VERSION = "1.37.0"

# Files under monitoring/ that are not cluster configuration, each with the reason.
NOT_FOR_THE_CLUSTER = {
    "prometheus/prometheus.yml": "local runs (make stack); cluster: prometheus-k8s.yml",
    "prometheus/prometheus-compose.yml": "Compose; cluster: prometheus-k8s.yml",
    "alertmanager/dev_slack_sink.py": "a local stand-in for Slack",
    "grafana/generate_dashboard.py": "generates the dashboard JSON",
    "grafana/panels.py": "part of the dashboard generator",
    "grafana/slo_dashboard.py": "part of the dashboard generator",
    "grafana/research_panels.py": "part of the dashboard generator",
    "elk/inputs.d/docker.yml": "the Compose input",
    "elk/elasticsearch.yaml": "a manifest (a resource, not a ConfigMap)",
    "elk/filebeat.yaml": "a manifest (a resource, not a ConfigMap)",
    "jaeger/jaeger.yaml": "a manifest (a resource, not a ConfigMap)",
}
NOT_FOR_THE_CLUSTER_DIRS = ("prometheus/tests/",)


def duration_s(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([smhdw])", text))


def longest_rule_window_s() -> int:
    rules = (MONITORING / "prometheus" / "rules.yaml").read_text()
    windows = re.findall(r"\[(\d+[smhdw])\]", rules)
    assert windows
    return max(duration_s(w) for w in windows)


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return render(K8S)


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]


def container(obj: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in pod_spec(obj)["containers"] if c["name"] == name)


def test_every_rendered_object_is_valid_for_current_kubernetes_strict(objects):
    assert len(objects) > 30
    failures = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            failures.append(
                f"{obj['kind']}/{obj['metadata']['name']}: {e.message} at {list(e.path)}"
            )
    assert not failures, "\n".join(failures)


def test_secret_templates_are_valid_and_hold_no_value():
    files = sorted((K8S / "secrets").glob("*.example.yaml"))
    assert files
    for path in files:
        for secret in (d for d in yaml.safe_load_all(path.read_text()) if d):
            kubernetes_validate.validate(secret, K8S_VERSION, strict=True)
            values = {**secret.get("stringData", {}), **secret.get("data", {})}
            assert values, path
            for key, value in values.items():
                assert value == "" or key == "username", f"{path.name}: {key} has a value"


def test_the_validator_rejects_what_it_should(objects):
    # Strict mode must catch a misspelt field and a wrong type, or the test above is idle.
    deployment = dict(by_kind(objects, "Deployment")["okf"])
    bad = yaml.safe_load(yaml.safe_dump(deployment))
    bad["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSION, strict=True)
    bad = yaml.safe_load(yaml.safe_dump(deployment))
    bad["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSION, strict=True)


def test_configmaps_hold_exactly_the_monitoring_files_byte_for_byte(objects):
    configmaps = by_kind(objects, "ConfigMap")
    generated = generator_files(K8S)
    assert generated
    for (_, name), files in generated.items():
        [cm] = [c for n, c in configmaps.items() if n.rsplit("-", 1)[0] == name]
        assert set(cm["data"]) == {f.name for f in files}
        for f in files:
            assert cm["data"][f.name].encode("utf-8") == f.read_bytes(), f
        # The suffix changes with the content, so pods roll when a file changes.
        assert cm["metadata"]["name"] == f"{name}-{kustomize_hash(cm['data'])}"


def test_every_cluster_config_file_under_monitoring_is_in_a_configmap():
    used = {
        f.relative_to(MONITORING).as_posix() for fs in generator_files(K8S).values() for f in fs
    }
    present = {
        p.relative_to(MONITORING).as_posix()
        for p in MONITORING.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    expected = {
        p
        for p in present
        if p not in NOT_FOR_THE_CLUSTER and not p.startswith(NOT_FOR_THE_CLUSTER_DIRS)
    }
    assert used == expected, (
        f"in a ConfigMap but absent: {sorted(used - present)}; "
        f"present but in no ConfigMap: {sorted(expected - used)}"
    )


def test_renderer_matches_kubectl_kustomize_when_present(objects):
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("missing input: kubectl (for the cross-check with the real kustomize)")
    out = subprocess.run(
        [kubectl, "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(K8S)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    real = [d for d in yaml.safe_load_all(out) if d]

    def key(o):
        return (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])

    assert sorted(map(key, objects)) == sorted(map(key, real))
    real_by_key = {key(o): o for o in real}
    for obj in objects:
        assert obj == real_by_key[key(obj)], key(obj)


def test_pods_reference_only_configmaps_that_exist(objects):
    names = set(by_kind(objects, "ConfigMap"))
    for kind in ("Deployment", "StatefulSet", "DaemonSet"):
        for obj in by_kind(objects, kind).values():
            for volume in pod_spec(obj).get("volumes", []):
                refs = [volume["configMap"]] if "configMap" in volume else []
                refs += [
                    s["configMap"]
                    for s in volume.get("projected", {}).get("sources", [])
                    if "configMap" in s
                ]
                for ref in refs:
                    assert ref["name"] in names, (obj["metadata"]["name"], ref["name"])
                    cm = by_kind(objects, "ConfigMap")[ref["name"]]
                    for item in ref.get("items", []):
                        assert item["key"] in cm["data"], (ref["name"], item["key"])


def test_secrets_referenced_by_pods_have_templates(objects):
    templates = {
        s["metadata"]["name"]: s
        for p in (K8S / "secrets").glob("*.example.yaml")
        for s in yaml.safe_load_all(p.read_text())
        if s
    }
    for kind in ("Deployment", "StatefulSet", "DaemonSet"):
        for obj in by_kind(objects, kind).values():
            spec = pod_spec(obj)
            for volume in spec.get("volumes", []):
                if "secret" in volume:
                    assert volume["secret"]["secretName"] in templates
                for source in volume.get("projected", {}).get("sources", []):
                    if "secret" in source:
                        assert source["secret"]["name"] in templates
            for c in spec["containers"]:
                for env in c.get("env", []):
                    ref = env.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        secret = templates[ref["name"]]
                        assert ref["key"] in {
                            **secret.get("stringData", {}),
                            **secret.get("data", {}),
                        }


def test_service_deployment_is_replicated_probed_limited_and_locked_down(objects):
    deployment = by_kind(objects, "Deployment")["okf"]
    spec = pod_spec(deployment)
    okf = container(deployment, "okf")
    assert deployment["spec"]["replicas"] >= 2
    assert okf["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert okf["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert {"cpu", "memory"} <= set(okf["resources"]["requests"])
    assert {"cpu", "memory"} <= set(okf["resources"]["limits"])
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    assert okf["securityContext"]["readOnlyRootFilesystem"] is True
    assert okf["securityContext"]["allowPrivilegeEscalation"] is False
    assert okf["securityContext"]["capabilities"]["drop"] == ["ALL"]
    env = {e["name"]: e for e in okf["env"]}
    # Keys come from a Secret; binding to 0.0.0.0 then requires them (no open mode).
    assert env["OKF_HOST"]["value"] == "0.0.0.0"
    assert "OKF_INSECURE" not in env
    keys_mount = next(m for m in okf["volumeMounts"] if m["name"] == "api-keys")
    assert env["OKF_API_KEYS_FILE"]["value"].startswith(keys_mount["mountPath"] + "/")
    assert next(v for v in spec["volumes"] if v["name"] == "api-keys")["secret"]["secretName"]
    # Prometheus discovery (monitoring/prometheus/prometheus-k8s.yml) keeps pods labelled
    # app.kubernetes.io/name=okf with a container port named "http".
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] == "okf"
    assert any(p["name"] == "http" for p in okf["ports"])
    hpa = by_kind(objects, "HorizontalPodAutoscaler")["okf"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "okf"
    assert hpa["spec"]["minReplicas"] >= 2
    service = by_kind(objects, "Service")["okf"]
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "okf"}


def test_traces_go_to_jaeger_otlp_http(objects):
    okf = container(by_kind(objects, "Deployment")["okf"], "okf")
    endpoint = {e["name"]: e.get("value") for e in okf["env"]}["OTEL_EXPORTER_OTLP_ENDPOINT"]
    assert endpoint == "http://jaeger.monitoring.svc:4318"
    jaeger_service = by_kind(objects, "Service")["jaeger"]
    assert jaeger_service["metadata"]["namespace"] == "monitoring"
    ports = {p["port"] for p in jaeger_service["spec"]["ports"]}
    assert {4317, 4318, 16686} <= ports and 6831 not in ports
    jaeger = by_kind(objects, "StatefulSet")["jaeger"]
    assert jaeger["spec"]["replicas"] == 1
    assert container(jaeger, "jaeger")["image"].startswith("jaegertracing/jaeger:2.")


def test_jaeger_config_sets_storage_and_trace_retention():
    config = yaml.safe_load((JAEGER / "config.yaml").read_text())
    backends = config["extensions"]["jaeger_storage"]["backends"]
    [(store, backend)] = backends.items()
    assert backend["badger"]["ephemeral"] is False
    assert backend["badger"]["ttl"]["spans"] == "168h"
    assert config["extensions"]["jaeger_query"]["storage"]["traces"] == store
    assert config["exporters"]["jaeger_storage_exporter"]["trace_storage"] == store
    protocols = config["receivers"]["otlp"]["protocols"]
    assert protocols["http"]["endpoint"].endswith(":4318")
    assert protocols["grpc"]["endpoint"].endswith(":4317")
    pipeline = config["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"] and pipeline["exporters"] == [
        "jaeger_storage_exporter"
    ]


def test_prometheus_and_alertmanager_retention_and_config_paths(objects):
    prometheus = by_kind(objects, "StatefulSet")["prometheus"]
    args = container(prometheus, "prometheus")["args"]
    assert "--storage.tsdb.retention.time=35d" in args
    # history must cover the longest window any rule reads (the 30-day SLO windows)
    retention = next(a for a in args if a.startswith("--storage.tsdb.retention.time="))
    assert duration_s(retention.split("=")[1]) >= longest_rule_window_s()
    assert any(a.startswith("--storage.tsdb.retention.size=") for a in args)
    config_file = next(a for a in args if a.startswith("--config.file=")).split("=", 1)[1]
    mount = next(
        m for m in container(prometheus, "prometheus")["volumeMounts"] if m["name"] == "config"
    )
    cm_name = next(v for v in pod_spec(prometheus)["volumes"] if v["name"] == "config")[
        "configMap"
    ]["name"]
    cm = by_kind(objects, "ConfigMap")[cm_name]
    assert Path(config_file).parent.as_posix() == mount["mountPath"]
    assert Path(config_file).name in cm["data"]
    for rule_file in yaml.safe_load(cm["data"][Path(config_file).name])["rule_files"]:
        assert rule_file in cm["data"]

    alertmanager = by_kind(objects, "StatefulSet")["alertmanager"]
    am = container(alertmanager, "alertmanager")
    assert "--data.retention=120h" in am["args"]
    mounts = {m["name"]: m["mountPath"] for m in am["volumeMounts"]}
    am_config = yaml.safe_load((MONITORING / "alertmanager" / "config.yaml").read_text())
    receivers = {r["name"]: r for r in am_config["receivers"]}
    url_file = receivers["slack-notifications"]["slack_configs"][0]["api_url_file"]
    token_file = receivers["heartbeat"]["webhook_configs"][0]["http_config"]["authorization"][
        "credentials_file"]
    slack_volume = next(v for v in pod_spec(alertmanager)["volumes"] if v["name"] == "slack")
    secrets = {s["secret"]["name"] for s in slack_volume["projected"]["sources"]}
    for path, template in ((url_file, "alertmanager-slack"),
                           (token_file, "alertmanager-heartbeat")):
        assert Path(path).parent.as_posix() == mounts["slack"]
        secret = yaml.safe_load((K8S / "secrets" / f"{template}.example.yaml").read_text())
        assert secret["metadata"]["name"] in secrets
        assert Path(path).name in secret["stringData"]
    # Prometheus (prometheus-k8s.yml) looks for Alertmanager pods in "monitoring".
    assert alertmanager["metadata"]["namespace"] == "monitoring"
    assert (
        pod_spec(alertmanager)
        and alertmanager["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        == "alertmanager"
    )


def test_elasticsearch_forms_one_cluster_with_storage(objects):
    es = by_kind(objects, "StatefulSet")["elasticsearch"]
    replicas = es["spec"]["replicas"]
    assert replicas == 3
    env = {e["name"]: e.get("value") for e in container(es, "elasticsearch")["env"]}
    assert "discovery.type" not in env
    assert env["cluster.initial_master_nodes"].split(",") == [
        f"elasticsearch-{i}" for i in range(replicas)
    ]
    headless = by_kind(objects, "Service")[es["spec"]["serviceName"]]
    assert headless["spec"]["clusterIP"] == "None"
    assert env["discovery.seed_hosts"] == headless["metadata"]["name"]
    assert es["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
    heap = env["ES_JAVA_OPTS"]
    assert "-Xms" in heap and "-Xmx" in heap
    limits = container(es, "elasticsearch")["resources"]["limits"]["memory"]
    assert int(heap.split("-Xmx")[1].rstrip("g").split()[0]) * 2 <= int(limits.rstrip("Gi"))
    assert container(es, "elasticsearch")["image"].split(":")[1].startswith("8.")


def test_filebeat_daemonset_mounts_what_filebeat_yml_reads(objects):
    ds = by_kind(objects, "DaemonSet")["filebeat"]
    fb = container(ds, "filebeat")
    args = fb["args"]
    config_dir = args[args.index("--path.config") + 1]
    mount = next(m for m in fb["volumeMounts"] if m["name"] == "config")
    assert mount["mountPath"] == config_dir
    volume = next(v for v in pod_spec(ds)["volumes"] if v["name"] == "config")
    paths = set()
    configmaps = by_kind(objects, "ConfigMap")
    for source in volume["projected"]["sources"]:
        cm = configmaps[source["configMap"]["name"]]
        items = source["configMap"].get("items")
        paths |= {i["path"] for i in items} if items else set(cm["data"])
    filebeat_yml = yaml.safe_load((ELK / "filebeat.yml").read_text())
    assert "filebeat.yml" in paths
    assert "inputs.d/kubernetes.yml" in paths
    for key in ("setup.template", "setup.ilm"):
        assert key in filebeat_yml
    assert filebeat_yml["setup.template"]["json.path"] == "${path.config}/okf-logs-template.json"
    assert "okf-logs-template.json" in paths
    assert filebeat_yml["setup.ilm"]["policy_file"] == "${path.config}/okf-logs-ilm-policy.json"
    assert "okf-logs-ilm-policy.json" in paths
    host_paths = {v["hostPath"]["path"] for v in pod_spec(ds)["volumes"] if "hostPath" in v}
    assert {"/var/log/containers", "/var/log/pods"} <= host_paths
    inputs = yaml.safe_load((ELK / "inputs.d" / "kubernetes.yml").read_text())
    assert all(p.startswith("/var/log/containers/") for p in inputs[0]["paths"])
    env = {e["name"]: e.get("value") for e in fb["env"]}
    assert env["ELASTICSEARCH_HOSTS"] == "http://elasticsearch.monitoring.svc:9200"


def test_no_manifest_is_applied_from_outside_the_repository():
    text = (K8S / "kustomization.yaml").read_text()
    for line in text.splitlines():
        if line.strip().startswith("- ../"):
            target = (K8S / line.strip()[2:]).resolve()
            assert target.is_relative_to(ROOT) and target.exists(), line
