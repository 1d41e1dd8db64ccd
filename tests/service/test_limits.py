"""The body guard at the ASGI level, and the token bucket with a fake clock."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from okf.service.limits import (
    BodyGuardMiddleware,
    TokenBucketLimiter,
    json_content_type_problem,
    retry_after_header,
)


class Recorder:
    """An inner app that records the body it was given."""

    def __init__(self) -> None:
        self.body: bytes | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        self.body = b"".join(chunks)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/v1/keywords/extract", "headers": headers}


def _run(guard: BodyGuardMiddleware, scope: dict[str, Any], chunks: list[bytes]) -> tuple:
    """Drive the guard; returns (status, response body, chunks the client had to send)."""
    sent: list[dict[str, Any]] = []
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {
                "type": "http.request",
                "body": chunks[pulled - 1],
                "more_body": pulled < len(chunks),
            }
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(guard(scope, receive, send))
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, body, pulled


JSON_CT = (b"content-type", b"application/json")
PATHS = {"/v1/keywords/extract"}


def test_chunked_body_over_limit_stops_reading_early() -> None:
    inner = Recorder()
    guard = BodyGuardMiddleware(inner, max_bytes=1000, paths=PATHS)
    chunks = [b"x" * 100] * 1000  # 100 KB in 1,000 chunks, no Content-Length
    status, body, pulled = _run(guard, _scope([JSON_CT]), chunks)
    assert status == 413
    assert pulled == 11  # stopped at the first chunk past 1,000 bytes
    assert inner.body is None
    assert json.loads(body)["status"] == 413


def test_content_length_over_limit_is_refused_without_reading() -> None:
    inner = Recorder()
    guard = BodyGuardMiddleware(inner, max_bytes=1000, paths=PATHS)
    scope = _scope([JSON_CT, (b"content-length", b"5000")])
    status, _, pulled = _run(guard, scope, [b"x" * 5000])
    assert (status, pulled) == (413, 0)


def test_body_at_the_limit_is_replayed_whole_to_the_app() -> None:
    inner = Recorder()
    guard = BodyGuardMiddleware(inner, max_bytes=1000, paths=PATHS)
    chunks = [b"a" * 250] * 4
    status, _, _ = _run(guard, _scope([JSON_CT]), chunks)
    assert status == 200
    assert inner.body == b"a" * 1000


def test_utf8_split_across_chunks_is_fine() -> None:
    inner = Recorder()
    guard = BodyGuardMiddleware(inner, max_bytes=1000, paths=PATHS)
    encoded = '{"text": "ação"}'.encode()
    status, _, _ = _run(guard, _scope([JSON_CT]), [encoded[:12], encoded[12:]])
    assert status == 200 and inner.body == encoded


def test_invalid_content_length_is_400() -> None:
    guard = BodyGuardMiddleware(Recorder(), max_bytes=1000, paths=PATHS)
    status, _, _ = _run(guard, _scope([JSON_CT, (b"content-length", b"-1")]), [b"{}"])
    assert status == 400


def test_other_paths_and_methods_pass_through() -> None:
    inner = Recorder()
    guard = BodyGuardMiddleware(inner, max_bytes=10, paths=PATHS)
    scope = _scope([(b"content-type", b"text/plain")]) | {"path": "/healthz"}
    status, _, _ = _run(guard, scope, [b"x" * 100])
    assert status == 200


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/problem+json", True),
        ("application/json; charset=utf8", True),
        (None, False),
        ("text/json", False),
        ("application/jsonx", False),
        ("application/json; charset=iso-8859-1", False),
        ("multipart/form-data; boundary=x", False),
    ],
)
def test_content_types(content_type: str | None, ok: bool) -> None:
    assert (json_content_type_problem(content_type) is None) is ok


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_burst_then_refill() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("k") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.take("k") == 0.0
    assert limiter.take("k") > 0
    clock.now += 100  # refills to the burst, not beyond
    assert [limiter.take("k") for _ in range(4)][-1] > 0
    assert limiter.take("other") == 0.0


def test_token_bucket_prunes_refilled_buckets() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=1.0, burst=1, clock=clock)
    limiter._MAX_BUCKETS = 10
    for i in range(10):
        limiter.take(f"ip{i}")
    clock.now += 5
    limiter.take("new")
    assert len(limiter._buckets) == 1


@pytest.mark.parametrize(("wait", "header"), [(0.01, "1"), (1.0, "1"), (1.2, "2"), (99.5, "100")])
def test_retry_after_rounds_up(wait: float, header: str) -> None:
    assert retry_after_header(wait) == header
