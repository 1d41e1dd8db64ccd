"""The Ray engine on a local Ray with 2 CPUs: the same rows as the process pool, and a
worker process killed mid-run loses no document and writes none twice.

One Ray start-up serves the module (it takes seconds): few tests, marked slow.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from okf.batch.runner import RunPlan, run_batch
from okf.batch.telemetry import BatchTelemetry
from okf.batch.work import BatchJob
from okf.batch.writers import read_rows
from okf.extraction import ExtractionOptions

from .corpus import EN, PT, mixed_texts, write_folder, write_jsonl

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


def write_bad_inputs(folder: Path) -> list[Path]:
    """The same documents as JSON Lines, CSV and Parquet, each with bad rows: no id, no
    text, a text that is a number, an empty text, non-UTF-8 bytes, and (JSON Lines) a
    malformed line, a line that is a list and ids of mixed JSON types."""
    folder.mkdir()
    good = mixed_texts(12)
    jsonl = folder / "in.jsonl"
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(good[:6])]
    lines += [
        '{"id": "s1", "text": "broken',
        '["a", "list"]',
        json.dumps({"text": PT}),  # no id: "line N" on both engines
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "number", "text": 42}),
        json.dumps({"id": "empty", "text": "  "}),
        "",
        json.dumps({"text": EN, "lang": "en"}),
    ]
    lines += [json.dumps({"id": f"s{i}", "text": t}) for i, t in enumerate(good[6:])]
    data = "\n".join(lines).encode() + b'\n{"id": "latin", "text": "a\xe7\xe3o"}\n'
    jsonl.write_bytes(data)
    csv_path = folder / "in.csv"
    quoted = [f'c{i},"{t}",' for i, t in enumerate(good)]  # the texts hold commas
    rows = [b"id,text,lang", *(r.encode() for r in quoted)]
    rows += [b",sem id nenhum mas com texto,pt", b"bad,caf\xe9 com leite,", b"blank,,"]
    csv_path.write_bytes(b"\n".join(rows) + b"\n")
    parquet = folder / "in.parquet"
    table = [{"id": f"p{i}", "text": t} for i, t in enumerate(good)]
    table += [{"id": None, "text": PT}, {"id": "none", "text": None}, {"id": "", "text": EN}]
    pq.write_table(pa.Table.from_pylist(table), parquet)
    return [jsonl, csv_path, parquet]


def test_bad_rows_never_stop_ray_and_both_engines_write_the_same_rows(
    local_ray: None, tmp_path: Path
) -> None:
    for source in write_bad_inputs(tmp_path / "in"):
        kind = source.suffix
        local, (local_summary, _) = run(source, tmp_path / f"local{kind}.jsonl", "local")
        on_ray, (ray_summary, _) = run(source, tmp_path / f"ray{kind}.jsonl", "ray")
        assert on_ray == local, kind
        assert ray_summary.documents == local_summary.documents == len(local)
        errors = {r["id"]: r["error"] for r in local if r["error"]}
        ok = [r for r in local if not r["error"]]
        assert len(ok) >= 12 and all(r["keywords"] for r in ok)
        if kind == ".jsonl":
            assert errors == {
                "line 7": "invalid",
                "line 8": "invalid",
                "no-text": "invalid",
                "number": "invalid",
                "empty": "empty",
                "line 21": "undecodable",
            }
            assert {"line 9", "line 14"} <= {r["id"] for r in ok}
        elif kind == ".csv":
            assert errors == {"bad": "undecodable", "blank": "empty"}
            assert "row 14" in {r["id"] for r in ok}
        else:
            assert errors == {"none": "invalid"}
            assert {"row 13", "row 15"} <= {r["id"] for r in ok}


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
