"""deploy/k8s's NetworkPolicies evaluated as Kubernetes does (a pod selected by a policy
of a type is isolated for it; a connection needs the destination's ingress AND the
source's egress to allow it): the paths the stack needs are open, the rest closed."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.deploy.conftest import K8S
from tests.deploy.kustomize import render

Pod = tuple[str, dict[str, str]]  # (namespace, labels)


def app(namespace: str, name: str) -> Pod:
    return namespace, {"app.kubernetes.io/name": name}


INGRESS = app("ingress-nginx", "ingress-nginx")
PROMETHEUS = app("monitoring", "prometheus")
GRAFANA = app("monitoring", "grafana")
ALERTMANAGER = app("monitoring", "alertmanager")
ES = app("monitoring", "elasticsearch")
FILEBEAT = app("monitoring", "filebeat")
JAEGER = app("monitoring", "jaeger")
OKF = app("okf", "okf")
POSTGRES = app("okf", "postgres")
STRANGER = app("default", "someone")


@pytest.fixture(scope="module")
def policies() -> list[dict[str, Any]]:
    return [o for o in render(K8S) if o["kind"] == "NetworkPolicy"]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, "the evaluator knows matchLabels only"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def peer_matches(peer: dict[str, Any], pod: Pod, policy_ns: str) -> bool:
    if "ipBlock" in peer:
        return pod[0] == "<outside>"
    ns, labels = pod
    if "namespaceSelector" in peer:
        ns_ok = selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": ns})
    else:
        ns_ok = ns == policy_ns
    return ns_ok and selects(peer.get("podSelector", {}), labels)


def side_allows(policies, pod: Pod, other: Pod, port: int, kind: str) -> bool:
    ns, labels = pod
    mine = [p for p in policies if p["metadata"]["namespace"] == ns
            and kind in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], labels)]
    if not mine:
        return True  # not isolated
    key, peers_key = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
    for policy in mine:
        for rule in policy["spec"].get(key, []):
            peers_ok = not rule.get(peers_key) or any(
                peer_matches(peer, other, ns) for peer in rule.get(peers_key, []))
            ports_ok = not rule.get("ports") or any(p["port"] == port for p in rule["ports"])
            if peers_ok and ports_ok:
                return True
    return False


def allowed(policies, src: Pod, dst: Pod, port: int) -> bool:
    return (side_allows(policies, dst, src, port, "Ingress")
            and side_allows(policies, src, dst, port, "Egress"))


OPEN = [
    (INGRESS, OKF, 8000), (PROMETHEUS, OKF, 8000), (OKF, JAEGER, 4318), (OKF, POSTGRES, 5432),
    (PROMETHEUS, ALERTMANAGER, 9093), (GRAFANA, PROMETHEUS, 9090),
    (GRAFANA, JAEGER, 16686), (GRAFANA, ES, 9200), (FILEBEAT, ES, 9200), (ES, ES, 9300),
    (INGRESS, GRAFANA, 3000),
]
CLOSED = [
    (STRANGER, OKF, 8000), (GRAFANA, OKF, 8000), (JAEGER, OKF, 8000),
    # the jobs database: from okf only, and it calls out nowhere
    (STRANGER, POSTGRES, 5432), (PROMETHEUS, POSTGRES, 5432), (POSTGRES, OKF, 8000),
    # Prometheus' API and --web.enable-lifecycle (/-/reload, /-/quit): never from apps
    (OKF, PROMETHEUS, 9090), (STRANGER, PROMETHEUS, 9090), (FILEBEAT, PROMETHEUS, 9090),
    # Elasticsearch only from Filebeat and Grafana
    (OKF, ES, 9200), (JAEGER, ES, 9200), (PROMETHEUS, ES, 9200), (STRANGER, ES, 9200),
    (OKF, ALERTMANAGER, 9093), (GRAFANA, ALERTMANAGER, 9093), (OKF, GRAFANA, 3000),
    (STRANGER, JAEGER, 4318), (OKF, JAEGER, 16686),
]


@pytest.mark.parametrize(("src", "dst", "port"), OPEN)
def test_paths_the_stack_needs_are_open(policies, src, dst, port):
    assert allowed(policies, src, dst, port), (src, dst, port)


@pytest.mark.parametrize(("src", "dst", "port"), CLOSED)
def test_everything_else_is_closed(policies, src, dst, port):
    assert not allowed(policies, src, dst, port), (src, dst, port)


def test_both_namespaces_deny_by_default(policies):
    defaults = {p["metadata"]["namespace"] for p in policies
                if p["spec"]["podSelector"] == {} and
                set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"} and
                not p["spec"].get("ingress") and not p["spec"].get("egress")}
    assert defaults == {"okf", "monitoring"}


def test_every_workload_is_selected_by_a_policy_of_its_own(policies):
    workloads = [o for o in render(K8S) if o["kind"] in {"Deployment", "StatefulSet",
                                                            "DaemonSet"}]
    for w in workloads:
        labels = w["spec"]["template"]["metadata"]["labels"]
        ns = w["metadata"]["namespace"]
        own = [p for p in policies if p["metadata"]["namespace"] == ns
               and p["spec"]["podSelector"] and selects(p["spec"]["podSelector"], labels)]
        assert own, w["metadata"]["name"]


def test_the_evaluator_sees_a_hole():
    """Without the default deny and with an open rule, a stranger gets in."""
    doc = yaml.safe_load("""
    metadata: {name: open, namespace: okf}
    spec:
      podSelector: {matchLabels: {app.kubernetes.io/name: okf}}
      policyTypes: [Ingress]
      ingress: [{ports: [{port: 8000}]}]
    """)
    assert allowed([doc], STRANGER, OKF, 8000)
    assert not allowed([doc], STRANGER, OKF, 9999)
