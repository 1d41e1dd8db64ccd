"""Every log line is one JSON object with the spec's event names and fields."""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime

from fastapi.testclient import TestClient

from okf.monitoring.logging import input_text_fields, log_error

from .helpers import log_lines

BASE_FIELDS = {"@timestamp", "log.level", "message", "ecs.version", "service.name"}


def test_api_request_and_model_prediction_events(
    client: TestClient, log_stream: io.StringIO
) -> None:
    response = client.post(
        "/v1/items/3", json={"text": "keywords matter " * 50}, headers={"X-Request-ID": "req-abc.1"}
    )
    assert response.headers["x-request-id"] == "req-abc.1"
    lines = log_lines(log_stream)
    assert lines, "nothing logged"
    for line in lines:
        assert line.keys() >= BASE_FIELDS, line
        stamp = datetime.fromisoformat(line["@timestamp"].replace("Z", "+00:00"))
        assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0
    by_event = {line["message"]: line for line in lines}
    request = by_event["api_request"]
    assert {"method", "path", "client", "user", "duration", "status", "error"} <= request.keys()
    assert (request["method"], request["path"], request["status"]) == ("POST", "/v1/items/3", 200)
    assert request["request_id"] == "req-abc.1"
    prediction = by_event["model_prediction"]
    assert {"model", "input_text", "duration", "status", "error"} <= prediction.keys()
    assert prediction["model"] == "echo" and prediction["status"] == "ok"
    assert prediction["request_id"] == "req-abc.1", "the worker thread lost the request id"
    assert len(prediction["input_text"]) == 200 and len(prediction["input_sha256"]) == 64


def test_generated_request_ids_are_unguessable_and_bad_ones_replaced(client: TestClient) -> None:
    ids = {client.get("/healthz").headers["x-request-id"] for _ in range(20)}
    assert len(ids) == 20 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    injected = client.get("/healthz", headers={"X-Request-ID": 'x"\n{"evil": 1}'}).headers[
        "x-request-id"
    ]
    assert re.fullmatch(r"[0-9a-f]{32}", injected)


def test_error_event_for_a_failing_model(client: TestClient, log_stream: io.StringIO) -> None:
    client.post("/v1/items/9", json={"text": "boom"})
    lines = log_lines(log_stream)
    errors = [line for line in lines if line["message"] == "error"]
    assert errors and errors[0]["error_type"] == "RuntimeError"
    assert errors[0]["error_message"] == "model exploded"
    assert errors[0]["context"]["path"] == "/v1/items/9"
    failed = [line for line in lines if line["message"] == "model_prediction"]
    assert failed[0]["status"] == "error" and "model exploded" in failed[0]["error"]


def test_log_error_context_cannot_clobber_reserved_fields(
    log_stream: io.StringIO, client: TestClient
) -> None:
    log_error(ValueError("bad"), {"event": "x", "level": "debug", "message": "y"})
    line = log_lines(log_stream)[-1]
    assert line["message"] == "error" and line["log.level"] == "error"
    assert line["context"] == {"event": "x", "level": "debug", "message": "y"}


def test_secrets_never_reach_a_log_line(client: TestClient, log_stream: io.StringIO) -> None:
    secret = "okf_live_SECRET_9f8e7d6c5b4a"
    client.post(
        "/v1/items/1",
        json={"text": "hello"},
        headers={"Authorization": f"Bearer {secret}", "X-API-Key": secret},
    )
    logging.getLogger("okf.test").info("request headers", extra={"authorization": secret})
    assert secret not in log_stream.getvalue()


def test_stdlib_and_uvicorn_logs_use_the_same_renderer(
    client: TestClient, log_stream: io.StringIO
) -> None:
    logging.getLogger("uvicorn.error").warning("server is starting")
    line = log_lines(log_stream)[-1]
    assert line["message"] == "server is starting" and line["log.level"] == "warning"
    assert line.keys() >= BASE_FIELDS


def test_input_text_policies() -> None:
    text = "é" * 500
    assert input_text_fields(text, "off") == {}
    hashed = input_text_fields(text, "hash")
    assert "input_text" not in hashed and len(hashed["input_sha256"]) == 64
    assert input_text_fields(text, "truncate")["input_text"] == "é" * 200
    assert input_text_fields(text, "full")["input_text"] == text
