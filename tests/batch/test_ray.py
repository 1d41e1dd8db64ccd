"""The Ray engine on a local Ray with 2 CPUs: the same rows as the process pool, and a
worker process killed mid-run loses no document and writes none twice.

One Ray start-up serves the module (it takes seconds): few tests, marked slow.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from okf.batch.runner import RunPlan, run_batch
from okf.batch.telemetry import BatchTelemetry
from okf.batch.work import BatchJob
from okf.batch.writers import read_rows
from okf.extraction import ExtractionOptions

from .corpus import mixed_texts, write_folder, write_jsonl

ray = pytest.importorskip("ray", reason="missing input: the okf[ray] extra (make install)")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray():  # type: ignore[no-untyped-def]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="error")
    yield
    ray.shutdown()


def run(source: Path, out: Path, engine: str, **plan: object) -> tuple[list[dict], object]:
    telemetry = BatchTelemetry(f"t-{engine}", models=["statistical"])
    job = BatchJob(batch_id=f"t-{engine}", options=ExtractionOptions(model="statistical"))
    options = {"workers": 2, "chunk_size": 8, "progress": False, **plan}
    summary = run_batch(RunPlan(str(source), out, engine=engine, **options), job, telemetry)
    rows = sorted(read_rows(out), key=lambda r: r["id"])
    return rows, (summary, telemetry)


def test_ray_gives_the_same_rows_and_metrics_as_the_process_pool(
    local_ray: None, tmp_path: Path
) -> None:
    write_folder(tmp_path / "in")
    for i, text in enumerate(mixed_texts(30)):
        (tmp_path / "in" / "news" / f"n{i}.txt").write_text(text, encoding="utf-8")
    local, _ = run(tmp_path / "in", tmp_path / "local.jsonl", "local")
    on_ray, (summary, telemetry) = run(tmp_path / "in", tmp_path / "ray.parquet", "ray")
    assert len(local) == 36 and on_ray == local
    assert summary.documents == 36 and summary.errors["binary"] == 1
    ok = telemetry.metrics.registry.get_sample_value(
        "model_predictions_total", {"model": "statistical", "status": "ok"}
    )
    assert ok == 33  # every document that reached a model on an actor, counted once


def _map_workers() -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or ())
        if "MapWorker" in cmdline and "BatchActor" in cmdline:
            found.append(proc)
    return found


def test_a_killed_actor_process_loses_and_duplicates_nothing(
    local_ray: None, tmp_path: Path
) -> None:
    n = 2400
    source = write_jsonl(tmp_path / "in.jsonl", mixed_texts(n))
    out = tmp_path / "out.jsonl"
    parts = tmp_path / ".out.jsonl.parts"
    killed: list[int] = []

    def kill_one_mid_run() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not list(parts.glob("part-*.jsonl")):
            time.sleep(0.02)
        for proc in _map_workers()[:1]:
            os.kill(proc.pid, signal.SIGKILL)
            killed.append(proc.pid)

    killer = threading.Thread(target=kill_one_mid_run, daemon=True)
    killer.start()
    rows, (summary, _) = run(source, out, "ray", part_rows=200)
    killer.join(5)
    assert killed, "no actor process was found to kill"
    assert summary.documents == n == len(rows) == len({r["id"] for r in rows})
    assert not any(r["error"] for r in rows)
