"""Runs Schemathesis (its CLI, `st run`) against a real `okf serve` with a valid key.

Shared by the quick pass of the suite (tests/reliability/test_fuzz.py) and the long run
(benchmarks/fuzz.py). Every operation of the service's own /openapi.json, every check,
positive and negative data. Returns the run's figures and the server's log lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okf.testing import free_port, wait_http_ok

REPO = Path(__file__).resolve().parents[2]


@dataclass
class FuzzRun:
    exit_code: int
    generated: int
    failures: int
    errored: int
    operations_tested: int
    output: str
    key: str
    log_lines: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


def run_fuzz(max_examples: int, *, seed: int | None = None, workdir: Path | None = None) -> FuzzRun:
    with tempfile.TemporaryDirectory(prefix="okf-fuzz-") as tmp:
        work = workdir or Path(tmp)
        keys = work / "keys.json"
        key = subprocess.run(
            [sys.executable, "-m", "okf.cli", "keys", "add", "fuzz", "--file", str(keys)],
            capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("OKF_", "OTEL_"))},
            "OKF_API_KEYS_FILE": str(keys),
            "OKF_RATE_LIMIT_PER_S": "0",  # the fuzzer is one fast client: no 429s
            "OKF_DEFAULT_MODEL": "statistical",
            "OKF_WARMUP": "true",  # every model loaded before the first case
            "OKF_LOG_LEVEL": "DEBUG",
            # Research jobs: a database in the work folder; no worker, so submitted
            # jobs wait (the per-key limit then answers 429, a documented status).
            "OKF_DATA_DIR": str(work / "data"),
            "OKF_JOB_WORKERS": "0",
        }
        log_path = work / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "okf.cli", "serve", "--port", str(port)],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base)
            report = work / "report.json"
            cmd = [
                f"{sys.prefix}/bin/st", "run", f"{base}/openapi.json",
                "-H", f"Authorization: Bearer {key}",
                "--checks", "all", "--mode", "all",
                "--max-examples", str(max_examples),
                "--request-timeout", "30",
                "--report", "json", "--report-json-path", str(report),
                "--workers", "1",
            ]
            if seed is not None:
                cmd += ["--seed", str(seed)]
            st_env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.reliability.fuzz_hooks",
                      "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=work, env=st_env)
            data: dict[str, Any] = json.loads(report.read_text())
        finally:
            server.terminate()
            server.wait(30)
        # split("\n"), not splitlines(): U+2028 or U+0085 may sit inside a JSON string.
        lines = log_path.read_text(encoding="utf-8", errors="replace").split("\n")
    statuses: dict[int, int] = {}
    for line in lines:
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("message") == "api_request":
                statuses[record["status"]] = statuses.get(record["status"], 0) + 1
    cases = data["test_cases"]
    return FuzzRun(
        exit_code=done.returncode,
        generated=cases["generated"],
        failures=cases["with_failures"],
        errored=cases["errored"],
        operations_tested=data["operations"]["tested"],
        output=done.stdout[-6000:] + done.stderr[-2000:],
        key=key,
        log_lines=lines,
        statuses=statuses,
    )


def _wait_ready(base: str) -> None:
    wait_http_ok(f"{base}/readyz", 180, interval=0.3)
