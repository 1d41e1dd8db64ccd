"""The whole service killed mid-job (SIGKILL to its process group: server and job
workers, no clean-up), then started again on the same database: the job is taken again
and finishes. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from okf.store import JobStore
from okf.testing import start_okf_serve

pytestmark = pytest.mark.slow

PAGE = (
    "Como fazer café coado em casa: água quente, pó de café moído na hora e filtro de "
    "papel. Qual a melhor moagem para café coado? Página {i} do guia de café."
)


def serve(tmp_path: Path, database_url: str) -> tuple[subprocess.Popen, str]:
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "OKF_API_KEYS_FILE": str(tmp_path / "k.json"),
        "OKF_WARMUP": "false",
        "OKF_DATABASE_URL": database_url,
        "OKF_JOB_LEASE_S": "2",
        "OKF_JOB_NICE": "0",
        "OKF_RATE_LIMIT_PER_S": "0",
    }
    return start_okf_serve(env, timeout=60)


def test_killed_service_job_is_taken_again_after_restart(tmp_path, database_url):
    docs = [{"id": str(i), "text": PAGE.format(i=i)} for i in range(600)]
    proc, base = serve(tmp_path, database_url)
    try:
        r = httpx.post(
            f"{base}/v1/research",
            json={"documents": docs, "options": {"vectors": False}},
            timeout=30,
        )
        assert r.status_code == 202, r.text
        location = base + r.headers["location"]
        deadline = time.monotonic() + 120
        while httpx.get(location).json()["progress"]["done"] == 0:
            assert time.monotonic() < deadline, httpx.get(location).json()
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the server and its job workers, at once
        proc.wait(10)
    store = JobStore(database_url)
    job_id = r.json()["id"]
    assert store.get(job_id).state == "running"  # what the dead process left behind

    proc, base = serve(tmp_path, database_url)
    try:
        deadline = time.monotonic() + 240
        while (job := store.get(job_id)).state not in ("done", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        keywords = httpx.get(f"{base}/v1/research/{job_id}/keywords").json()
    finally:
        proc.terminate()
        proc.wait(30)
        store.dispose()
    assert job.state == "done" and job.attempts == 2 and job.done == len(docs)
    assert keywords["items"][0]["phrase"].startswith("café")
