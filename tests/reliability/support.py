"""Helpers of the reliability tests: the service in a child process, steady traffic,
metric reading, and a black-hole socket (accepts connections, never answers)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from okf.testing import free_port, metric_sum, wait_http_ok

REPO = Path(__file__).resolve().parents[2]
SHORT_TEXT = "Search engines rank web pages by keywords, links and the words of the query."

# Runs an app factory the way `okf serve` does (no server header, JSON logs only).
_UVICORN = (
    "import sys, uvicorn; uvicorn.run(sys.argv[1], factory=True, host='127.0.0.1', "
    "port=int(sys.argv[2]), server_header=False, log_config=None)"
)


class Service:
    """The service in a child process; its stdout lines are kept (or left unread)."""

    def __init__(
        self,
        tmp_path: Path,
        env: dict[str, str] | None = None,
        *,
        factory: str | None = "tests.reliability.apps:create_fault_app",
        stdout: int | None = None,
        workers: int = 1,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        full_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("OKF_", "OTEL_"))},
            "OKF_API_KEYS_FILE": str(tmp_path / "no-keys.json"),
            "OKF_WARMUP": "false",
            "OKF_DEFAULT_MODEL": "statistical",
            "OKF_RATE_LIMIT_PER_S": "0",
            # This tree's okf (src/) and its tests, whatever okf the venv has installed.
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
            **(env or {}),
        }
        full_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if factory is None:
            cmd = [sys.executable, "-m", "okf.cli", "serve", "--port", str(self.port)]
            cmd += ["--workers", str(workers)]
        else:
            cmd = [sys.executable, "-c", _UVICORN, factory, str(self.port)]
        out = stdout if stdout is not None else subprocess.PIPE
        self.proc = subprocess.Popen(
            cmd, env=full_env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
        )
        if stdout is None:
            threading.Thread(target=self._read, daemon=True).start()
        self._wait_healthy()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def _wait_healthy(self) -> None:
        try:
            wait_http_ok(f"{self.base}/healthz", 60, proc=self.proc, interval=0.1)
        except RuntimeError as exc:
            if self.proc.poll() is None:
                self.stop()
            raise RuntimeError(f"{exc}: {self.lines[-20:]}") from None

    def records(self) -> list[dict[str, Any]]:
        """Every stdout line that is a JSON object (uvicorn's and ours alike)."""
        out = []
        for line in list(self.lines):
            if line.startswith("{"):
                out.append(json.loads(line))
        return out

    def sigterm(self) -> None:
        self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        time.sleep(0.1)  # let the reader thread take the last lines
        return self.proc.returncode


def metric(base: str, name: str, **labels: str) -> float:
    """Sum of the samples ``name`` whose labels include ``labels``, from /metrics."""
    return metric_sum(httpx.get(f"{base}/metrics", timeout=10).text, name, **labels)


def series(base: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """The (name, labels) of every sample the service exposes: its memory of metrics."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return {
        (s.name, tuple(sorted(s.labels.items())))
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }


class Traffic:
    """Steady traffic from ``threads`` clients until stopped; counts each outcome."""

    def __init__(
        self,
        base: str,
        *,
        threads: int = 4,
        body: dict[str, Any] | None = None,
        timeout: float = 10.0,
        path: str = "/v1/keywords/extract",
        on_response: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        self.outcomes: Counter[int | str] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._body = body or {"text": SHORT_TEXT, "language": "en", "top_n": 5}
        self._on_response = on_response
        self._threads = [
            threading.Thread(target=self._run, args=(base + path, timeout), daemon=True)
            for _ in range(threads)
        ]
        for t in self._threads:
            t.start()

    def _run(self, url: str, timeout: float) -> None:
        with httpx.Client(timeout=timeout) as client:
            while not self._stop.is_set():
                outcome: int | str
                try:
                    response = client.post(url, json=self._body)
                    outcome = response.status_code
                    if self._on_response is not None:
                        self._on_response(response)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                with self._lock:
                    self.outcomes[outcome] += 1

    def run_until(self, served: int, max_s: float) -> Counter[int | str]:
        """Keep going until ``served`` requests were answered (or ``max_s``), then stop."""
        deadline = time.monotonic() + max_s
        while sum(self.outcomes.values()) < served and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.stop()

    def stop(self) -> Counter[int | str]:
        self._stop.set()
        for t in self._threads:
            t.join(30)
        return self.outcomes


class BlackHole:
    """A TCP listener that accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)  # held open, never read, never answered

    def close(self) -> None:
        self._closed = True
        for conn in self.accepted:
            conn.close()
        self.sock.close()
