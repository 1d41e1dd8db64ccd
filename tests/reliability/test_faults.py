"""Backend faults under steady traffic: no request fails because monitoring is down.

Each test runs the real service (uvicorn, child process) with 4 clients sending requests
all along, breaks one backend, and checks that every request still got its answer and
that what monitoring lost is bounded and counted.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from okf.testing import free_port

from .support import SHORT_TEXT, BlackHole, Service, Traffic, metric, series

QUEUE = 2048  # BoundedSpanProcessor's max_queue_size
BATCH = 256  # its max_batch_size: at most one batch is in the exporter's hands
# uvicorn re-raises SIGTERM after its graceful shutdown, so -15 is a clean exit too.
GRACEFUL = (0, -signal.SIGTERM)


def _spans_bound_check(base: str, served: int) -> float:
    """Every span beyond what the bounded queue may hold was dropped and counted."""
    dropped = metric(base, "okf_telemetry_dropped_total", signal="traces")
    # Two spans per extraction (request + model); /metrics scrapes add a few more.
    assert dropped >= 2 * served - QUEUE - BATCH, (dropped, served)
    return dropped


def test_otlp_receiver_down(tmp_path: Path) -> None:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{free_port()}",  # nobody listens
        "OTEL_EXPORTER_OTLP_TIMEOUT": "1",
    }
    service = Service(tmp_path, env)
    try:
        outcomes = Traffic(service.base).run_until(1600, max_s=20)
        assert set(outcomes) == {200}, outcomes
        served = outcomes[200]
        assert 2 * served > QUEUE + BATCH + 500, "too little traffic to show the queue bound"
        time.sleep(1.5)  # connection refused is immediate: queued spans fail fast
        _spans_bound_check(service.base, served)
    finally:
        assert service.stop() in GRACEFUL


def test_otlp_receiver_black_hole_and_shutdown_stays_bounded(tmp_path: Path) -> None:
    hole = BlackHole()
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{hole.port}",
        "OTEL_EXPORTER_OTLP_TIMEOUT": "1",
    }
    service = Service(tmp_path, env)
    try:
        outcomes = Traffic(service.base).run_until(1600, max_s=20)
        assert set(outcomes) == {200}, outcomes
        assert hole.accepted, "the exporter never reached the black hole"
        _spans_bound_check(service.base, outcomes[200])
        # Shutdown flushes spans within a bounded wait even when the receiver hangs.
        start = time.monotonic()
        service.sigterm()
        service.proc.wait(30)
        assert time.monotonic() - start < 20
        assert service.proc.returncode in GRACEFUL
    finally:
        service.stop()
        hole.close()


def test_stdout_reader_stalled_does_not_stall_requests(tmp_path: Path) -> None:
    """Log store down, as the service sees it: nobody reads its stdout any more."""
    read_fd, write_fd = os.pipe()  # 64 KiB of buffer, never read while traffic runs
    try:
        # Whole input texts in the logs (8 KB a line): the 64 KiB pipe is full at once.
        service = Service(tmp_path, {"OKF_LOG_INPUT_TEXT": "full"}, stdout=write_fd)
        os.close(write_fd)
        try:
            big = {"text": (SHORT_TEXT + " ") * 105, "language": "en"}
            outcomes = Traffic(service.base, timeout=5, body=big).run_until(300, max_s=15)
            assert set(outcomes) == {200}, outcomes
            assert outcomes[200] >= 160, outcomes  # over 1.3 MB of log: 20 pipes' worth
            # The reader comes back: lines flow again, the newest request among them.
            marker = httpx.post(
                f"{service.base}/v1/keywords/extract", json={"text": SHORT_TEXT}, timeout=5
            ).headers["x-request-id"]
            data = b""
            deadline = time.monotonic() + 15
            while marker.encode() not in data and time.monotonic() < deadline:
                data += os.read(read_fd, 1 << 20)
            assert marker.encode() in data
        finally:
            service.stop()
    finally:
        os.close(read_fd)


def test_the_log_queue_is_bounded_and_counts_drops() -> None:
    """The queue in front of stdout: a write never blocks, memory stays bounded."""
    import threading

    from okf.monitoring.logsink import LineQueueWriter

    class StuckStream:
        def __init__(self) -> None:
            self.release = threading.Event()
            self.written: list[str] = []

        def write(self, text: str) -> int:
            self.release.wait()
            self.written.append(text)
            return len(text)

        def flush(self) -> None:
            pass

    stream = StuckStream()
    writer = LineQueueWriter(stream, max_pending_chars=10_000, interval_s=0.01)  # type: ignore[arg-type]
    dropped: list[int] = []
    writer.on_drop = dropped.append
    line = "x" * 99 + "\n"
    start = time.monotonic()
    for _ in range(1000):
        writer.write(line)
    assert time.monotonic() - start < 1.0  # never waited for the stuck stream
    # At most 10,000 characters queued: 100 lines kept, the other 900 dropped and counted.
    assert sum(dropped) == writer.dropped == 900
    stream.release.set()
    assert writer.drain(5)
    assert "".join(stream.written) == line * 100


def test_stdout_closed_does_not_fail_requests(tmp_path: Path) -> None:
    read_fd, write_fd = os.pipe()
    service = Service(tmp_path, stdout=write_fd)
    os.close(write_fd)
    os.close(read_fd)  # every write to stdout now fails with EPIPE
    try:
        traffic = Traffic(service.base, timeout=5)
        time.sleep(3)
        outcomes = traffic.stop()
        assert set(outcomes) == {200}, outcomes
        assert metric(service.base, "okf_telemetry_dropped_total", signal="logs") > 0
    finally:
        service.stop()


def test_raising_model_gives_500_an_error_event_and_a_500_metric(tmp_path: Path) -> None:
    service = Service(tmp_path)
    try:
        traffic = Traffic(service.base)
        ids = []
        for _ in range(5):
            r = httpx.post(
                f"{service.base}/v1/keywords/extract",
                json={"text": SHORT_TEXT, "model": "broken"},
                timeout=10,
            )
            assert r.status_code == 500
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["request_id"] == r.headers["x-request-id"]
            assert "secret internal detail" not in r.text
            ids.append(r.headers["x-request-id"])
        outcomes = traffic.stop()
        assert set(outcomes) == {200}, outcomes
        endpoint = "/v1/keywords/extract"
        assert metric(service.base, "api_requests_total", endpoint=endpoint, status="500") == 5
        assert metric(service.base, "model_predictions_total", model="broken", status="error") == 5
        time.sleep(0.3)  # the log writer thread flushes every 50 ms
        records = service.records()
        for request_id in ids:
            mine = [r for r in records if r.get("request_id") == request_id]
            events = {r["message"] for r in mine}
            assert {"error", "api_request", "model_prediction"} <= events, events
            error = next(r for r in mine if r["message"] == "error")
            assert error["error_type"] == "RuntimeError" and error["log.level"] == "error"
    finally:
        service.stop()


def _wait_until_loaded(base: str, within_s: float = 30.0) -> int:
    """Ask the default model until it answers; how many 504s its load cost (a load
    outlives a short budget)."""
    deadline = time.monotonic() + within_s
    timeouts = 0
    while time.monotonic() < deadline:
        r = httpx.post(f"{base}/v1/keywords/extract", json={"text": SHORT_TEXT}, timeout=10)
        if r.status_code == 200:
            return timeouts
        assert r.status_code == 504, r.text
        timeouts += 1
        time.sleep(0.2)
    raise AssertionError(f"the default model did not load within {within_s} s")


def test_slow_model_gives_504_counted_as_timeout(tmp_path: Path) -> None:
    env = {"OKF_REQUEST_TIMEOUT_S": "0.5", "OKF_EXECUTOR_THREADS": "8", "RELIABILITY_SLOW_S": "1.5"}
    service = Service(tmp_path, env)
    try:
        loading = _wait_until_loaded(service.base)  # a first load outlives this budget
        traffic = Traffic(service.base)
        for _ in range(3):
            r = httpx.post(
                f"{service.base}/v1/keywords/extract",
                json={"text": SHORT_TEXT, "model": "slow"},
                timeout=10,
            )
            assert r.status_code == 504
            assert r.json()["budget_s"] == 0.5
        time.sleep(1.5)  # the abandoned calls finish in the background, then are reported
        outcomes = traffic.stop()
        assert set(outcomes) == {200}, outcomes
        assert metric(service.base, "model_predictions_total", model="slow", status="timeout") == 3
        assert metric(service.base, "model_predictions_total", model="slow", status="ok") == 0
        endpoint = "/v1/keywords/extract"
        timeouts = metric(service.base, "api_requests_total", endpoint=endpoint, status="504")
        assert timeouts == 3 + loading
    finally:
        service.stop()


def test_unscraped_metrics_lose_nothing_and_do_not_grow(tmp_path: Path) -> None:
    """Prometheus not scraping: counters are cumulative, series are bounded."""
    service = Service(tmp_path)
    try:
        warm = Traffic(service.base)
        time.sleep(1)
        before = warm.stop()
        known = series(service.base)
        traffic = Traffic(service.base)
        time.sleep(4)  # no scrape at all meanwhile
        outcomes = traffic.stop()
        assert set(outcomes) == {200}, outcomes
        served = before[200] + outcomes[200]
        endpoint = "/v1/keywords/extract"
        assert metric(service.base, "api_requests_total", endpoint=endpoint, status="200") == served
        grown = series(service.base) - known
        # Only the /metrics request's own series may be new (it is not counted as traffic).
        assert not {name for name, _ in grown if name.startswith(("api_", "model_"))}, grown
    finally:
        service.stop()
