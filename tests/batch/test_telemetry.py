"""Batch monitoring: workers' model calls counted by the driver, one span per chunk,
/metrics while running, and the final figures pushed to a real Pushgateway."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from okf.batch.runner import RunPlan, run_batch
from okf.batch.telemetry import BatchTelemetry
from okf.batch.work import BatchJob
from okf.extraction import ExtractionOptions
from okf.testing import free_port, okf_cli

from .corpus import mixed_texts, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def sample(telemetry: BatchTelemetry, name: str, **labels: str) -> float:
    value = telemetry.metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def metric_value(exposition: str, name: str, **labels: str) -> float | None:
    """The value of the first series of ``name`` whose labels include ``labels``."""
    for line in exposition.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_worker_predictions_reach_the_driver_with_one_span_per_chunk(tmp_path: Path) -> None:
    texts = [*mixed_texts(40), "   ", "\u0000bin"]
    source = write_jsonl(tmp_path / "in.jsonl", texts)
    exporter = InMemorySpanExporter()
    telemetry = BatchTelemetry("b-test", models=["statistical"], span_exporter=exporter)
    plan = RunPlan(str(source), tmp_path / "out.jsonl", workers=2, chunk_size=5, progress=False)
    summary = run_batch(
        plan, BatchJob(batch_id="b-test", options=ExtractionOptions(model="statistical")), telemetry
    )
    assert summary.documents == 42 and dict(summary.errors) == {"empty": 1, "binary": 1}
    labels = {"model": "statistical", "status": "ok"}
    assert sample(telemetry, "model_predictions_total", **labels) == 40
    assert sample(telemetry, "model_latency_seconds_count", model="statistical") == 40
    assert sample(telemetry, "okf_batch_documents_total", outcome="ok") == 40
    assert sample(telemetry, "okf_batch_documents_total", outcome="empty") == 1
    spans = exporter.get_finished_spans()
    chunks = [s for s in spans if s.name == "batch.chunk"]
    (root,) = [s for s in spans if s.name == "okf.batch"]
    assert len(chunks) == 9  # 42 documents in chunks of 5
    assert sum(s.attributes["okf.batch.documents"] for s in chunks) == 42
    assert all(s.parent.span_id == root.context.span_id for s in chunks)
    assert {s.attributes["okf.batch.id"] for s in chunks} == {"b-test"}
    assert 1 <= len({s.attributes["okf.batch.worker_pid"] for s in chunks}) <= 2
    assert all(s.start_time <= s.end_time for s in chunks)


def test_metrics_endpoint_serves_the_batch_registry() -> None:
    telemetry = BatchTelemetry("b-port", models=["statistical"], metrics_port=0)
    try:
        body = scrape(f"http://127.0.0.1:{telemetry.metrics_port}/metrics")
        assert 'model_predictions_total{model="statistical",status="ok"} 0.0' in body
    finally:
        telemetry.finish()
    assert telemetry.push() is False  # no gateway configured: nothing pushed, no raise


@pytest.fixture
def pushgateway(tmp_path: Path):  # type: ignore[no-untyped-def]
    binary = shutil.which("prometheus-pushgateway")
    if binary is None:
        pytest.skip("prometheus-pushgateway missing: scripts/ensure-debian-tools.sh installs it")
    port = free_port()
    proc = subprocess.Popen(
        [binary, f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                scrape(url + "/-/ready")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_metrics_while_running_and_final_push_to_a_real_pushgateway(
    tmp_path: Path, pushgateway: str
) -> None:
    n = 2500
    source = write_jsonl(tmp_path / "in.jsonl", [*mixed_texts(n - 1), ""])
    port = free_port()
    argv = okf_cli(
        "batch", str(source), "-o", str(tmp_path / "out.parquet"), "--model", "statistical",
        "--workers", "2", "--metrics-port", str(port), "--pushgateway", pushgateway,
        "--progress-every", "500",
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen_while_running = None
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            body = scrape(f"http://127.0.0.1:{port}/metrics")
        except OSError:
            time.sleep(0.05)
            continue
        value = metric_value(body, "model_predictions_total", model="statistical", status="ok")
        if value and proc.poll() is None:
            seen_while_running = value
            break
        time.sleep(0.05)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert seen_while_running is not None and 0 < seen_while_running <= n - 1
    assert re.search(rb"okf batch: \d+/2500 documents, [\d.]+ docs/s", err)  # not a TTY
    pushed = scrape(pushgateway + "/metrics")
    labels = {"job": "okf-batch", "model": "statistical"}
    assert metric_value(pushed, "model_predictions_total", status="ok", **labels) == n - 1
    assert metric_value(pushed, "model_latency_seconds_count", **labels) == n - 1
    assert metric_value(pushed, "okf_batch_documents_total", outcome="empty") == 1


def test_a_pushgateway_that_is_down_never_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from okf.cli import main

    source = write_jsonl(tmp_path / "in.jsonl", mixed_texts(3))
    gone = f"http://127.0.0.1:{free_port()}"
    code = main(
        [
            "batch",
            str(source),
            "-o",
            str(tmp_path / "o.jsonl"),
            "--workers",
            "1",
            "--model",
            "statistical",
            "--pushgateway",
            gone,
        ]
    )
    err = capsys.readouterr().err
    assert code == 0 and "push to" in err and "failed" in err and "3 documents" in err
