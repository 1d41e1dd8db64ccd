"""The jobs database in the deployments: a PostgreSQL StatefulSet with its own volume in
Kubernetes, and every okf replica given the same OKF_DATABASE_URL from a Secret; a
postgres service in Compose. (Validity against Kubernetes 1.37 is checked for every
rendered object by test_k8s_manifests.)"""

from __future__ import annotations

import yaml

from tests.deploy.conftest import K8S, ROOT
from tests.deploy.kustomize import render


def test_k8s_postgres_statefulset_and_okf_url_from_secret():
    objects = render(K8S)
    kinds = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    sts = kinds[("StatefulSet", "postgres")]
    assert sts["metadata"]["namespace"] == "okf"
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    pod = sts["spec"]["template"]["spec"]
    pg = pod["containers"][0]
    mounts = {m["name"]: m["mountPath"] for m in pg["volumeMounts"]}
    env = {e["name"]: e for e in pg["env"]}
    assert env["PGDATA"]["value"].startswith(mounts["data"] + "/")
    assert env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "okf-database"
    assert pod["securityContext"]["runAsNonRoot"] is True  # namespace okf is "restricted"
    assert pg["securityContext"]["capabilities"]["drop"] == ["ALL"]
    service = kinds[("Service", "postgres")]
    assert service["spec"]["selector"] == sts["spec"]["selector"]["matchLabels"]
    assert sts["spec"]["serviceName"] == "postgres"
    okf = kinds[("Deployment", "okf")]["spec"]["template"]["spec"]["containers"][0]
    url = next(e for e in okf["env"] if e["name"] == "OKF_DATABASE_URL")
    assert url["valueFrom"]["secretKeyRef"] == {"name": "okf-database", "key": "url"}
    template = yaml.safe_load((K8S / "secrets" / "okf-database.example.yaml").read_text())
    assert "postgres.okf.svc:5432" in (K8S / "secrets" / "okf-database.example.yaml").read_text()
    assert set(template["stringData"]) == {"password", "url"}


def test_compose_postgres_and_okf_database_url_outside_git():
    compose = yaml.safe_load((ROOT / "deploy" / "docker" / "docker-compose.yml").read_text())
    pg = compose["services"]["postgres"]
    assert pg["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")
    assert "postgres-data" in compose["volumes"]
    okf = compose["services"]["okf"]
    assert okf["env_file"] == ["./secrets/okf-database.env"]
    assert "OKF_DATABASE_URL" not in okf["environment"]
    assert okf["depends_on"]["postgres"]["condition"] == "service_healthy"
