"""Real servers: ``okf serve`` end to end, the CLI's key commands, and a health check
answered while a long extraction holds a worker thread."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import uvicorn

from okf.cli import main
from okf.models.base import ModelRegistry
from okf.service.app import create_app
from okf.service.keys import KeyStore
from okf.settings import Settings

from .support import BusyModel, WordCountModel, free_port

TEXT = "Keyword extraction ranks phrases; extraction of keywords helps search engines."


def test_health_answers_while_a_long_extraction_runs(
    serve_app: Callable[..., str], make_settings: Callable[..., Settings]
) -> None:
    registry = ModelRegistry()
    registry.register(WordCountModel(), default=True)
    registry.register(BusyModel())
    base = serve_app(create_app(make_settings(), registry))
    result: dict[str, object] = {}

    def extract() -> None:
        r = httpx.post(f"{base}/v1/keywords/extract", json={"text": TEXT, "model": "busy"})
        result["status"] = r.status_code
        result["done_at"] = time.monotonic()

    worker = threading.Thread(target=extract)
    started = time.monotonic()
    worker.start()
    time.sleep(0.3)  # the extraction is now burning CPU in the pool
    latencies = []
    with httpx.Client(base_url=base) as client:
        for _ in range(5):
            t0 = time.monotonic()
            assert client.get("/healthz").status_code == 200
            latencies.append(time.monotonic() - t0)
        checked_at = time.monotonic()
    worker.join(timeout=10)
    assert result["status"] == 200
    assert checked_at < result["done_at"]  # type: ignore[operator]
    assert float(result["done_at"]) - started >= BusyModel.seconds  # type: ignore[arg-type]
    assert max(latencies) < 1.0, latencies  # blocked loop: >= 1.2 s


def test_okf_serve_runs_open_on_loopback_and_says_so(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "OKF_API_KEYS_FILE": str(tmp_path / "none.json"),
        "HOME": str(tmp_path),
        "OKF_WARMUP": "false",  # neural models take many seconds to load; not the point here
    }
    cmd = [sys.executable, "-m", "okf.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "okf serve did not become ready"
            time.sleep(0.1)
        payload = {"text": TEXT, "model": "statistical"}
        r = httpx.post(f"http://127.0.0.1:{port}/v1/keywords/extract", json=payload)
        assert r.status_code == 200, r.text
        assert r.json()["keywords"]
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert "OPEN" in err and "loopback" in err


def test_okf_serve_refuses_public_bind_without_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(a))
    keys = str(tmp_path / "keys.json")
    assert main(["serve", "--host", "0.0.0.0", "--keys-file", keys]) == 1
    assert "refusing" in capsys.readouterr().err
    assert started == []
    assert main(["serve", "--host", "0.0.0.0", "--keys-file", keys, "--insecure"]) == 0
    assert started == [("okf.service.app:create_app_from_env",)]
    assert "OPEN" in capsys.readouterr().err


def test_okf_serve_flags_reach_the_workers_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_4242.db").write_bytes(b"stale")
    monkeypatch.setenv("OKF_METRICS_MULTIPROC_DIR", str(shared))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # restored after the test
    keys = tmp_path / "keys.json"
    assert main(["keys", "add", "ops", "--file", str(keys)]) == 0
    argv = ["serve", "--host", "0.0.0.0", "--port", "9123", "--workers", "3"]
    assert main([*argv, "--keys-file", str(keys)]) == 0
    assert calls[0]["factory"] is True
    assert (calls[0]["host"], calls[0]["port"], calls[0]["workers"]) == ("0.0.0.0", 9123, 3)
    settings = Settings()  # what a worker's create_app_from_env will read
    assert (settings.host, settings.port, settings.api_keys_file) == ("0.0.0.0", 9123, keys)
    # Several workers share their metrics through a directory emptied at start.
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(shared)
    assert list(shared.iterdir()) == []


def test_okf_keys_add_prints_key_once_and_stores_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "k" / "keys.json"
    assert (
        main(["keys", "add", "ci-bot", "--user", "ana", "--client", "ci", "--file", str(path)]) == 0
    )
    out, err = capsys.readouterr()
    key = out.strip()
    assert key.startswith("okf_") and "\n" not in key
    assert "only once" in err
    assert key not in path.read_text()
    record = KeyStore(path).lookup(key)
    assert record is not None and (record.user, record.client) == ("ana", "ci")
    assert main(["keys", "list", "--file", str(path)]) == 0
    listing = capsys.readouterr().out
    assert "ci-bot" in listing and key not in listing
    assert main(["keys", "add", "ci-bot", "--file", str(path)]) == 1  # duplicate name
    assert main(["keys", "remove", "ci-bot", "--file", str(path)]) == 0
    assert KeyStore(path).lookup(key) is None
    assert main(["keys", "remove", "ci-bot", "--file", str(path)]) == 1


def test_okf_keys_default_file_comes_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "env-keys.json"
    monkeypatch.setenv("OKF_API_KEYS_FILE", str(path))
    assert main(["keys", "add", "svc"]) == 0
    assert KeyStore(path).lookup(capsys.readouterr().out.strip()) is not None


def test_okf_keys_rejects_names_with_spaces() -> None:
    with pytest.raises(SystemExit):
        main(["keys", "add", "has space"])
