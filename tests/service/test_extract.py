"""The happy paths: extraction, batch == single, the model list, health and readiness."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from okf.models.base import ModelRegistry
from okf.testing import DiverseWordModel

from .support import SlowModel, WordCountModel, assert_problem

EN = (
    "Keyword extraction ranks the phrases of a text. Keyword extraction helps search: "
    "search engines index phrases, and editors tag articles with keyword lists."
)
PT = (
    "A extração de palavras-chave ordena as expressões de um texto. A extração ajuda a "
    "busca: motores de busca indexam expressões e editores marcam artigos."
)


def test_extract_returns_keywords_with_offsets_into_the_text(client: TestClient) -> None:
    r = client.post("/v1/keywords/extract", json={"text": EN, "top_n": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["language"] == "en"
    assert body["model"] == {"name": "wordcount", "version": "1.0", "encoder": None}
    assert isinstance(body["took_ms"], float) and body["took_ms"] >= 0
    assert len(body["keywords"]) == 3
    top = body["keywords"][0]
    assert set(top) == {"phrase", "score", "count", "offsets", "variants"}
    assert top["phrase"] == "keyword" and top["count"] == 3
    for start, end in top["offsets"]:
        assert EN[start:end].lower() == "keyword"


def test_language_auto_detects_portuguese_and_explicit_language_is_kept(
    client: TestClient,
) -> None:
    assert client.post("/v1/keywords/extract", json={"text": PT}).json()["language"] == "pt"
    r = client.post("/v1/keywords/extract", json={"text": PT, "language": "en"})
    assert r.json()["language"] == "en"


def test_batch_results_equal_single_results_in_input_order(client: TestClient) -> None:
    docs = [
        {"id": "a", "text": EN},
        {"id": 7, "text": PT, "language": "pt"},
        {"text": "Tokenizers split text; tokenizers keep offsets."},
    ]
    options = {"top_n": 4, "max_ngram": 2, "diversity": 0.5}
    r = client.post("/v1/keywords/extract/batch", json={"documents": docs, **options})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["id"] for x in results] == ["a", 7, None]
    for doc, got in zip(docs, results, strict=True):
        single = client.post(
            "/v1/keywords/extract",
            json={"text": doc["text"], "language": doc.get("language", "auto"), **options},
        ).json()
        assert got["keywords"] == single["keywords"]
        assert got["language"] == single["language"]
        assert got["model"] == single["model"]
    assert results[1]["language"] == "pt"


def test_diversity_absent_or_null_is_the_models_default(
    make_client: Callable[..., TestClient],
) -> None:
    # A model whose default diversity (0.5) is not 0 and changes the list, so "absent"
    # (the model's default) can be told from "0" (none) and from another value.
    registry = ModelRegistry()
    registry.register(DiverseWordModel(), default=True)
    client = make_client(registry)

    def keywords(**options: object) -> list[str]:
        r = client.post("/v1/keywords/extract", json={"text": EN, **options})
        assert r.status_code == 200, r.text
        return [k["phrase"] for k in r.json()["keywords"]]

    absent, null, zero = keywords(), keywords(diversity=None), keywords(diversity=0)
    assert absent == null == keywords(diversity=DiverseWordModel.default_diversity)
    assert absent != zero
    assert len({p[0] for p in absent}) == len(absent)  # the default really diversified
    assert len({p[0] for p in zero}) < len(zero)


def test_named_model_is_used(client: TestClient) -> None:
    SlowModel.release.set()  # answer at once
    r = client.post("/v1/keywords/extract", json={"text": EN, "model": "slow"})
    assert r.status_code == 200, r.text
    assert r.json()["model"] == {"name": "slow", "version": "0.1", "encoder": None}


def test_models_lists_names_versions_languages_default_availability(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["default"] == "wordcount"
    by_name = {m["name"]: m for m in body["models"]}
    assert set(by_name) == {"wordcount", "slow", "busy", "broken", "needs-extra"}
    assert by_name["wordcount"]["default"] is True
    assert by_name["slow"]["default"] is False
    assert by_name["wordcount"]["languages"] == ["pt", "en"]
    assert by_name["wordcount"]["available"] is True
    assert by_name["needs-extra"]["available"] is False
    assert "[embedding]" in by_name["needs-extra"]["unavailable_reason"]


def test_healthz_and_openapi_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/v1/keywords/extract" in schema["paths"]
    top_n = schema["components"]["schemas"]["ExtractRequest"]["properties"]["top_n"]
    assert top_n["maximum"] == 100  # the settings' bound, documented


def test_readyz_turns_ready_after_warmup(make_client: Callable[..., TestClient]) -> None:
    registry = ModelRegistry()
    registry.register(WordCountModel(), default=True)
    client = make_client(registry, warmup=True)
    deadline = time.monotonic() + 10
    while (r := client.get("/readyz")).status_code != 200 and time.monotonic() < deadline:
        assert_problem(r, 503)
        time.sleep(0.02)
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "models": {"wordcount": "ready"}}


def test_readyz_reports_failed_default_model(make_client: Callable[..., TestClient]) -> None:
    class Exploding(WordCountModel):
        name = "exploding"

        def load(self) -> None:
            raise OSError("weights missing")

    registry = ModelRegistry()
    registry.register(Exploding(), default=True)
    client = make_client(registry, warmup=True)
    deadline = time.monotonic() + 10
    while client.app.state.loader.finished is False and time.monotonic() < deadline:
        time.sleep(0.02)
    body = assert_problem(client.get("/readyz"), 503)
    assert body["models"] == {"exploding": "failed"}


def test_docs_can_be_disabled(make_client: Callable[..., TestClient]) -> None:
    client = make_client(docs_enabled=False)
    assert_problem(client.get("/docs"), 404)
