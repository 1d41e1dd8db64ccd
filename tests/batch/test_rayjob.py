"""deploy/k8s/batch/rayjob.yaml holds what KubeRay (ray.io/v1) requires of a RayJob,
its pod templates are valid Kubernetes, and it runs `okf batch --engine ray` on the
Ray version that okf[ray] pins."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from okf.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
RAYJOB = ROOT / "deploy" / "k8s" / "batch" / "rayjob.yaml"
K8S_VERSION = "1.37.0"
SUBMISSION_MODES = {"K8sJobMode", "HTTPMode", "InteractiveMode"}


@pytest.fixture(scope="module")
def job() -> dict[str, Any]:
    (document,) = [d for d in yaml.safe_load_all(RAYJOB.read_text()) if d]
    return document


def groups(job: dict[str, Any]) -> list[dict[str, Any]]:
    cluster = job["spec"]["rayClusterSpec"]
    return [cluster["headGroupSpec"], *cluster["workerGroupSpecs"]]


def test_kuberay_required_fields(job: dict[str, Any]) -> None:
    assert job["apiVersion"] == "ray.io/v1" and job["kind"] == "RayJob"
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", job["metadata"]["name"])
    spec = job["spec"]
    assert spec["entrypoint"].strip()  # required in K8sJobMode and HTTPMode
    assert spec["submissionMode"] in SUBMISSION_MODES
    assert "rayClusterSpec" in spec or "clusterSelector" in spec
    head = spec["rayClusterSpec"]["headGroupSpec"]
    assert set(head) >= {"rayStartParams", "template"}
    names = [w["groupName"] for w in spec["rayClusterSpec"]["workerGroupSpecs"]]
    assert names and len(set(names)) == len(names)
    for worker in spec["rayClusterSpec"]["workerGroupSpecs"]:
        assert set(worker) >= {
            "groupName",
            "minReplicas",
            "maxReplicas",
            "rayStartParams",
            "template",
        }
        assert 0 <= worker["minReplicas"] <= worker.get("replicas", 0) <= worker["maxReplicas"]
    for group in groups(job):  # map[string]string in the CRD: "4", not 4
        assert all(isinstance(v, str) for v in group["rayStartParams"].values())


def test_pod_templates_are_valid_kubernetes(job: dict[str, Any]) -> None:
    for i, group in enumerate(groups(job)):
        template = {
            "apiVersion": "v1",
            "kind": "PodTemplate",
            "metadata": {"name": f"group-{i}", "namespace": "okf"},
            "template": group["template"],
        }
        kubernetes_validate.validate(template, K8S_VERSION, strict=True)
        containers = group["template"]["spec"]["containers"]
        assert containers and containers[0]["image"]
        resources = containers[0]["resources"]
        assert resources["requests"]["memory"] == resources["limits"]["memory"]
        mounts = {m["mountPath"] for m in containers[0]["volumeMounts"]}
        assert "/data" in mounts  # actors read the input, the head writes the output


def test_entrypoint_is_a_valid_okf_batch_on_ray_with_the_pinned_version(
    job: dict[str, Any],
) -> None:
    argv = shlex.split(job["spec"]["entrypoint"])
    assert argv[:2] == ["okf", "batch"]
    args = build_parser().parse_args(argv[1:])
    assert args.engine == "ray" and args.ray_address == "auto" and args.resume
    assert args.output.startswith("/data/")
    pin = re.search(r'"ray\[data\]==([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pin and job["spec"]["rayClusterSpec"]["rayVersion"] == pin.group(1)
    head_params = job["spec"]["rayClusterSpec"]["headGroupSpec"]["rayStartParams"]
    assert head_params.get("num-cpus") == "0"  # the driver's node runs no actors
    worker_cpus = sum(
        int(w["rayStartParams"]["num-cpus"]) * w["replicas"]
        for w in job["spec"]["rayClusterSpec"]["workerGroupSpecs"]
    )
    assert args.workers == worker_cpus  # one actor per worker CPU
