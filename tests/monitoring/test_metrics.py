"""The spec's six metrics, by name, type and label, after real traffic."""

from __future__ import annotations

import random
import re
import string
import uuid

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from okf.monitoring import MonitoringConfig
from okf.monitoring.metrics import (
    API_LATENCY_BUCKETS,
    KNOWN_METHODS,
    OTHER_METHOD,
    UNMATCHED_ENDPOINT,
)


def scrape(client: TestClient) -> dict[str, object]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {f.name: f for f in text_string_to_metric_families(response.text)}


def samples(client: TestClient, name: str) -> list:  # type: ignore[type-arg]
    return [
        s
        for f in text_string_to_metric_families(client.get("/metrics").text)
        for s in f.samples
        if s.name == name
    ]


def test_all_six_metrics_with_their_labels_after_traffic(client: TestClient) -> None:
    assert client.post("/v1/items/7", json={"text": "hello world"}).status_code == 200
    assert client.post("/v1/items/8", json={"text": "boom now"}).status_code == 500
    assert client.get("/no/such/route").status_code == 404
    families = scrape(client)
    expected = {
        "api_requests": ("counter", {"endpoint", "method", "status"}),
        "api_latency_seconds": ("histogram", {"endpoint", "le"}),
        "model_predictions": ("counter", {"model", "status"}),
        "model_latency_seconds": ("histogram", {"model", "le"}),
        "memory_usage_bytes": ("gauge", set()),
        "cpu_usage_percent": ("gauge", set()),
    }
    for name, (kind, labels) in expected.items():
        family = families[name]
        assert family.type == kind, name  # type: ignore[attr-defined]
        seen = set().union(*(s.labels.keys() for s in family.samples))  # type: ignore[attr-defined]
        assert seen == labels, (name, seen)
    requests = {
        (s.labels["endpoint"], s.labels["method"], s.labels["status"]): s.value
        for s in samples(client, "api_requests_total")
    }
    assert requests[("/v1/items/{item_id}", "POST", "200")] == 1
    assert requests[("/v1/items/{item_id}", "POST", "500")] == 1
    assert requests[(UNMATCHED_ENDPOINT, "GET", "404")] == 1
    predictions = {
        s.labels["status"]: s.value
        for s in samples(client, "model_predictions_total")
        if s.labels["model"] == "echo"
    }
    assert predictions == {"ok": 1.0, "error": 1.0, "timeout": 0.0}


def test_handler_that_raises_is_counted_as_500_and_answers_problem_json(client: TestClient) -> None:
    response = client.get("/crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["request_id"] == response.headers["x-request-id"]
    counted = [s for s in samples(client, "api_requests_total") if s.labels["endpoint"] == "/crash"]
    assert [(s.labels["status"], s.value) for s in counted] == [("500", 1.0)]


def test_random_paths_add_no_series(client: TestClient) -> None:
    client.get("/warm-up-unmatched")
    before = len(client.get("/metrics").text.splitlines())
    for _ in range(10_000):
        client.get(f"/{uuid.uuid4().hex}/{uuid.uuid4().hex[:6]}")
    text = client.get("/metrics").text
    assert len(text.splitlines()) == before
    unmatched = [
        s
        for s in samples(client, "api_requests_total")
        if s.labels["endpoint"] == UNMATCHED_ENDPOINT
    ]
    assert sum(s.value for s in unmatched) == 10_001


def test_random_methods_share_one_series(client: TestClient) -> None:
    rng = random.Random(7)
    letters = string.ascii_uppercase
    methods = {"".join(rng.choices(letters, k=rng.randint(3, 12))) for _ in range(1_000)}
    methods -= KNOWN_METHODS
    for method in methods:
        client.request(method, "/v1/items/1")
        client.request(method, f"/{uuid.uuid4().hex}")
    requests = samples(client, "api_requests_total")
    assert {s.labels["method"] for s in requests} <= KNOWN_METHODS | {OTHER_METHOD}
    other = [s for s in requests if s.labels["method"] == OTHER_METHOD]
    assert sum(s.value for s in other) == 2 * len(methods)
    # Two endpoints (the route, unmatched) and their statuses: a handful of series, not 2,000.
    assert len(other) <= 4


def test_buckets_keep_the_spec_boundaries_and_see_fast_requests() -> None:
    assert {0.1, 0.5, 1.0, 2.0, 5.0} <= set(API_LATENCY_BUCKETS)
    assert min(API_LATENCY_BUCKETS) <= 0.003


def test_probes_and_metrics_are_not_api_traffic_by_default(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/metrics")
    endpoints = {s.labels["endpoint"] for s in samples(client, "api_requests_total")}
    assert "/healthz" not in endpoints and "/metrics" not in endpoints


def test_system_gauges_are_live_not_stale(client: TestClient) -> None:
    memory = [s.value for s in samples(client, "memory_usage_bytes")]
    assert memory and memory[0] > 10_000_000
    # Burn CPU between two scrapes: a primed, long-lived handle must see it.
    deadline_sum = sum(i * i for i in range(3_000_000))
    assert deadline_sum > 0
    cpu = [s.value for s in samples(client, "cpu_usage_percent")]
    assert cpu and cpu[0] > 0.0


def test_openmetrics_negotiation_carries_trace_exemplars(traced_client: TestClient) -> None:
    traced_client.post("/v1/items/1", json={"text": "exemplar please"})
    response = traced_client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    for name in ("api_latency_seconds_bucket", "model_latency_seconds_bucket"):
        pattern = name + r'\{.*\} 1\.0 # \{trace_id="[0-9a-f]{32}"\}'
        assert re.search(pattern, response.text), f"no trace_id exemplar on {name}"

    plain = traced_client.get("/metrics").text
    assert "# {trace_id" not in plain


def test_two_apps_in_one_process_do_not_collide(make_app) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        with TestClient(make_app(MonitoringConfig())) as c:
            assert c.post("/v1/items/1", json={"text": "a b"}).status_code == 200
            total = [s.value for s in samples(c, "api_requests_total")]
            assert total == [1.0]


def test_metrics_token_protects_the_endpoint(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(MonitoringConfig(metrics_token="s3cret-token"))) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200 and "api_requests_total" in ok.text
