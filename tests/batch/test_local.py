"""``okf batch`` on the process pool: one row per document, bad ones as error rows, the
same keywords as ``okf extract`` and the API, and --resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from okf.batch.writers import read_rows
from okf.cli import main
from okf.service.app import create_app
from okf.settings import Settings
from okf.testing import okf_cli
from okf.text import MAX_CHARS

from .corpus import EN, PT, mixed_texts, write_folder, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def batch(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["batch", *argv])
    return code, capsys.readouterr().err


def test_folder_batch_gives_one_row_per_document_with_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = write_folder(tmp_path / "in")
    out = tmp_path / "out.jsonl"
    code, err = batch(
        [
            str(tmp_path / "in"),
            "-o",
            str(out),
            "--model",
            "statistical",
            "--workers",
            "2",
            "--chunk-size",
            "2",
        ],
        capsys,
    )
    assert code == 0
    rows = {r["id"]: r for r in read_rows(out)}
    assert {i: r["error"] for i, r in rows.items()} == expected
    assert rows["a.txt"]["language"] == "pt" and rows["news/b.md"]["language"] == "en"
    assert all(r["keywords"] for i, r in rows.items() if expected[i] is None)
    assert all(r["model"] == "statistical" and r["model_version"] for r in rows.values())
    assert "6 documents" in err and "binary 1, empty 1, undecodable 1" in err


def test_too_long_and_model_timeout_are_error_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    with source.open("w") as f:
        f.write(json.dumps({"id": "big", "text": "word " * (MAX_CHARS // 5 + 1)}) + "\n")
        f.write(json.dumps({"id": "nul", "text": "a\u0000b"}) + "\n")
        f.write(json.dumps({"id": "fr", "text": EN, "lang": "fr"}) + "\n")
        f.write(json.dumps({"id": "ok", "text": EN}) + "\n")
    out = tmp_path / "out.jsonl"
    code, _ = batch(
        [str(source), "-o", str(out), "--model", "statistical", "--workers", "1"], capsys
    )
    assert code == 0
    errors = {r["id"]: r["error"] for r in read_rows(out)}
    assert errors == {"big": "too_long", "nul": "binary", "fr": "invalid", "ok": None}
    # A budget no model call can meet: every document that reached the model timed out.
    code, _ = batch(
        [
            str(source),
            "-o",
            str(out),
            "--model",
            "statistical",
            "--workers",
            "1",
            "--timeout",
            "1e-9",
            "--overwrite",
        ],
        capsys,
    )
    assert {r["id"]: r["error"] for r in read_rows(out)}["ok"] == "model_timeout"


def test_batch_extract_and_api_give_the_same_keywords(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("OKF_")]:
        monkeypatch.delenv(name)
    texts = {"pt": PT, "en": EN}
    write_jsonl(tmp_path / "in.jsonl", list(texts.values()))
    out = tmp_path / "out.parquet"
    options = ["--model", "statistical", "--top", "4", "--max-ngram", "2"]
    code, _ = batch([str(tmp_path / "in.jsonl"), "-o", str(out), *options], capsys)
    assert code == 0
    from_batch = {r["id"]: r for r in read_rows(out)}
    client = TestClient(create_app(Settings(warmup=False)))
    for i, text in enumerate(texts.values()):
        (tmp_path / "t.txt").write_text(text, encoding="utf-8")
        assert main(["extract", str(tmp_path / "t.txt"), "--format", "json", *options]) == 0
        from_cli = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        body = {"text": text, "model": "statistical", "top_n": 4, "max_ngram": 2}
        from_api = client.post("/v1/keywords/extract", json=body).json()
        row = from_batch[f"doc-{i}"]
        assert row["keywords"] == from_cli["keywords"] == from_api["keywords"]
        assert row["language"] == from_cli["language"] == from_api["language"]
        assert len(row["keywords"]) == 4


def _okf(*args: str) -> list[str]:
    return okf_cli("batch", *args)


def test_resume_after_a_kill_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", mixed_texts(1500))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    common = ["--model", "statistical", "--workers", "2", "--chunk-size", "8", "--quiet"]
    whole = tmp_path / "whole.jsonl"
    subprocess.run(
        _okf(str(source), "-o", str(whole), *common), env=env, check=True, stdout=subprocess.DEVNULL
    )
    out = tmp_path / "resumed.jsonl"
    parts = tmp_path / ".resumed.jsonl.parts"
    proc = subprocess.Popen(
        _okf(str(source), "-o", str(out), *common),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(parts.glob("part-*.jsonl"))) < 1:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, mid-run
    proc.wait()
    assert not out.exists()
    committed = sum(1 for p in parts.glob("part-*.jsonl") for _ in p.open())
    assert 0 < committed < 1500
    subprocess.run(
        _okf(str(source), "-o", str(out), *common, "--resume"),
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    resumed = read_rows(out)
    assert len(resumed) == 1500 == len({r["id"] for r in resumed})
    key = lambda r: r["id"]  # noqa: E731
    assert sorted(resumed, key=key) == sorted(read_rows(whole), key=key)


def test_bad_arguments_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [EN])
    out = str(tmp_path / "o.jsonl")
    assert batch([str(source), "-o", out, "--model", "nope"], capsys)[0] == 1
    assert batch([str(tmp_path / "missing"), "-o", out], capsys)[1].startswith("okf batch: error")
    assert batch([str(source), "-o", str(tmp_path / "o.txt")], capsys)[0] == 1
    code, err = batch([str(source), "-o", out, "--top", "0"], capsys)
    assert code == 1 and "top_n" in err
