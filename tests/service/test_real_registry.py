"""The service over the real default registry (``okf.models.catalog.build_registry``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from okf.models.catalog import build_registry
from okf.service.app import create_app
from okf.settings import Settings

from .support import assert_problem

EN = (
    "Keyword extraction ranks the phrases of a text. Search engines index documents, "
    "and editors tag articles with keyword extraction tools."
)
PT = (
    "A extração de palavras-chave ordena as expressões de um texto. Motores de busca "
    "indexam documentos e editores marcam artigos com ferramentas de extração."
)


@pytest.fixture
def real(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    app = create_app(make_settings(warmup=True, rate_limit_per_s=0))  # default registry
    with TestClient(app, raise_server_exceptions=False) as client:
        deadline = time.monotonic() + 30
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, client.get("/readyz").text
            time.sleep(0.05)
        yield client


def test_ready_means_every_available_model_warmed(real: TestClient) -> None:
    body = real.get("/readyz").json()
    assert set(body["models"]) == set(build_registry().names())
    available = {m["name"] for m in real.get("/v1/models").json()["models"] if m["available"]}
    assert available and all(body["models"][name] == "ready" for name in available)


@pytest.mark.parametrize(("text", "language"), [(EN, "en"), (PT, "pt")])
def test_real_extraction(real: TestClient, text: str, language: str) -> None:
    r = real.post("/v1/keywords/extract", json={"text": text, "top_n": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["language"] == language
    assert body["model"]["name"] == build_registry().default
    assert 0 < len(body["keywords"]) <= 5
    for kw in body["keywords"]:
        for start, end in kw["offsets"]:
            assert text[start:end] in kw["variants"]


def test_real_batch_equals_single_for_every_model(real: TestClient) -> None:
    models = [m["name"] for m in real.get("/v1/models").json()["models"] if m["available"]]
    for model in models:
        options = {"model": model, "top_n": 6, "max_ngram": 2, "diversity": 0.3}
        docs = [{"id": 1, "text": EN}, {"id": 2, "text": PT}, {"id": 3, "text": EN[:60]}]
        batch = real.post("/v1/keywords/extract/batch", json={"documents": docs, **options})
        assert batch.status_code == 200, batch.text
        for doc, got in zip(docs, batch.json()["results"], strict=True):
            single = real.post("/v1/keywords/extract", json={"text": doc["text"], **options})
            assert got["id"] == doc["id"]
            assert got["keywords"] == single.json()["keywords"]
            assert got["language"] == single.json()["language"]


def test_real_unknown_model_lists_the_catalog(real: TestClient) -> None:
    body = assert_problem(real.post("/v1/keywords/extract", json={"text": EN, "model": "x"}), 422)
    assert body["valid"] == build_registry().names()


def test_real_text_without_candidates_gives_no_keywords(real: TestClient) -> None:
    r = real.post("/v1/keywords/extract", json={"text": "the of and 123 !!!", "language": "en"})
    assert r.status_code == 200, r.text
    assert r.json()["keywords"] == []


def test_health_answers_during_a_large_real_extraction(
    serve_app: Callable[..., str],
    make_settings: Callable[..., Settings],
) -> None:
    base = serve_app(create_app(make_settings(rate_limit_per_s=0)))
    text = EN + " " + ("Search engines index documents and editors tag articles. " * 8000)
    assert 400_000 < len(text.encode()) < 1_048_576
    done: dict[str, float | int] = {}

    def extract() -> None:
        payload = {"text": text, "model": "statistical"}  # CPU-bound, ~2 s on 500 KB
        r = httpx.post(f"{base}/v1/keywords/extract", json=payload, timeout=60)
        done["status"], done["at"] = r.status_code, time.monotonic()

    worker = threading.Thread(target=extract)
    worker.start()
    time.sleep(0.3)
    with httpx.Client(base_url=base) as client:
        for _ in range(5):
            assert client.get("/healthz").status_code == 200
        answered_at = time.monotonic()
    worker.join(timeout=60)
    assert done["status"] == 200
    assert answered_at < done["at"], "health checks must be answered *during* the extraction"
    # All five answers came before the extraction ended: the loop was never blocked by it
    # (no absolute time bound: the machine may be loaded).
