"""Every label of the service's metrics takes values from a bounded set, whatever
clients send: `model` only catalog names, `endpoint` only route templates (or
"unmatched"), `status` only HTTP codes the service answers, `method` the standard
methods or "other". Unknown model names, random paths, methods and bodies add no series."""

from __future__ import annotations

import random
import string

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from okf.monitoring.metrics import KNOWN_METHODS, OTHER_METHOD, UNMATCHED_ENDPOINT
from okf.service.web.routes import router as web_router

from .support import build_test_registry


def label_values(client: TestClient) -> dict[str, dict[str, set[str]]]:
    """metric -> label -> values seen at /metrics."""
    seen: dict[str, dict[str, set[str]]] = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            for name, value in sample.labels.items():
                seen.setdefault(family.name, {}).setdefault(name, set()).add(value)
    return seen


def hostile_traffic(client: TestClient, n: int, rng: random.Random) -> None:
    letters = string.ascii_letters + string.digits + "-_./{}"
    for _ in range(n):
        junk = "".join(rng.choices(letters, k=rng.randint(1, 30)))
        client.post("/v1/keywords/extract", json={"text": "alpha beta gamma", "model": junk})
        client.post("/v1/keywords/batch",
                    json={"items": [{"id": "1", "text": "alpha beta"}], "model": junk})
        client.request(rng.choice(["GET", "POST", "BREW", junk.upper() or "X"]), f"/{junk}")
        client.post("/v1/keywords/extract", content=junk.encode(),
                    headers={"Content-Type": rng.choice(["text/plain", "application/json"])})


def test_labels_stay_bounded_under_hostile_traffic(client: TestClient) -> None:
    rng = random.Random(16)
    # normal traffic first: the series every label legitimately has
    assert client.post("/v1/keywords/extract", json={"text": "alpha beta gamma"}).status_code == 200
    for method in ("GET", "POST", "BREW"):  # the web page at "/" (random paths such as "/./")
        client.request(method, "/")
    hostile_traffic(client, 300, rng)
    seen = label_values(client)

    catalog = set(build_test_registry().names())
    for metric in ("model_predictions", "model_latency_seconds"):
        assert seen[metric]["model"] <= catalog, seen[metric]["model"] - catalog

    # the route templates: the API's (OpenAPI) and the web pages' (not in the schema)
    templates = set(client.get("/openapi.json").json()["paths"])
    templates |= {route.path for route in web_router.routes}  # type: ignore[attr-defined]
    assert "/v1/keywords/extract" in templates
    endpoints = seen["api_requests"]["endpoint"]
    assert endpoints <= templates | {UNMATCHED_ENDPOINT}, endpoints - templates
    statuses = seen["api_requests"]["status"]
    assert all(s.isdigit() and len(s) == 3 for s in statuses), statuses
    assert seen["api_requests"]["method"] <= KNOWN_METHODS | {OTHER_METHOD}

    # and more of the same adds no series at all
    before = len(client.get("/metrics").text.splitlines())
    hostile_traffic(client, 300, random.Random(61))
    assert len(client.get("/metrics").text.splitlines()) == before


def test_the_check_sees_an_unbounded_label(client: TestClient) -> None:
    """The assertion above can fail: a label fed from the request shows in label_values."""
    metrics = client.app.state.monitoring.metrics
    metrics.track_model_prediction("not-in-the-catalog", "ok", 0.01)
    seen = label_values(client)
    assert "not-in-the-catalog" in seen["model_predictions"]["model"]
    assert not seen["model_predictions"]["model"] <= set(build_test_registry().names())
