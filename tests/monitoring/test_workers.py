"""With `okf serve --workers 2`, /metrics counts every request exactly once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from okf.testing import start_okf_serve

REQUESTS = 40


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "OKF_API_KEYS_FILE": str(tmp_path / "no-keys.json"),
        "OKF_WARMUP": "false",
        "OKF_DEFAULT_MODEL": "statistical",
        "OKF_METRICS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "OKF_RATE_LIMIT_PER_S": "0",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc, base = start_okf_serve(env, "--workers", "2", timeout=90)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


def _served(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return sum(
        s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name == "api_requests_total" and s.labels.get("endpoint") == "/v1/keywords/extract"
    )


def test_two_workers_count_exactly_n_requests(two_workers: str, tmp_path: Path) -> None:
    body = {"text": "Search engines rank web pages by keywords and links.", "language": "en"}
    for _ in range(REQUESTS):
        # A fresh connection each time, so the kernel spreads them over both workers.
        with httpx.Client(timeout=30) as client:
            assert client.post(f"{two_workers}/v1/keywords/extract", json=body).status_code == 200
    # Whichever worker answers the scrape, it reports the whole service.
    assert [_served(two_workers) for _ in range(6)] == [REQUESTS] * 6
    pids = {name.rsplit("_", 1)[-1] for name in os.listdir(tmp_path / "metrics")}
    assert len(pids) >= 1
