"""The default model ``omni``: signals combined per language, CLI, API, quality floor."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from okf.bench.datasets import load_dataset
from okf.bench.scoring import Scorer
from okf.cli import main
from okf.models.backend import default_backend
from okf.models.base import ExtractOptions
from okf.models.catalog import build_registry
from okf.models.omni import OmniModel, OmniParams, Weights, standardise
from okf.service.app import create_app
from okf.settings import Settings
from okf.text import prepare

from ._contract import check_contract, check_options, check_variants_merged

REPO = Path(__file__).resolve().parents[2]
DATASETS = Path(os.environ.get("OKF_DATASETS") or REPO.parent / "shared" / "datasets")
INSPEC = DATASETS / "Inspec-test-SIFRank"
EN = (
    "Wavelet transforms compress medical images. The wavelet transform keeps the edges "
    "of medical images, and image compression with wavelets beats the cosine transform."
)
PT = (
    "O governo português aprovou o orçamento do Estado. A aprovação do orçamento "
    "permite ao governo investir em hospitais e escolas públicas."
)


@pytest.fixture(scope="session")
def omni() -> OmniModel:
    model = OmniModel()
    assert model.unavailable_reason() is None, model.unavailable_reason()
    model.load()
    return model


class FixedBackend:
    """Every phrase gets the same vector except ``favourite``, which matches the text."""

    name = "fixed"

    def __init__(self, favourite: str) -> None:
        self.favourite = favourite
        self.phrase_calls = 0

    def unavailable_reason(self) -> str | None:
        return None

    def load(self) -> None:
        return None

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.eye(2, dtype=np.float32)[0], (len(texts), 1))

    def encode_phrases(self, phrases: Sequence[str]) -> np.ndarray:
        self.phrase_calls += 1
        rows = [[1.0, 0.0] if p == self.favourite else [0.0, 1.0] for p in phrases]
        return np.asarray(rows, dtype=np.float32)


def test_omni_is_the_default_and_keeps_the_contract(omni: OmniModel) -> None:
    assert build_registry().default == "omni"
    keywords = omni.extract(prepare(EN, "en"), ExtractOptions(top_n=5))
    assert 0 < len(keywords) <= 5
    assert [k.score for k in keywords] == sorted((k.score for k in keywords), reverse=True)
    for k in keywords:
        assert all(EN[a:b] in k.variants for a, b in k.offsets)
        assert 0.0 <= k.score <= 1.0 and k.count == len(k.offsets)
    assert any("wavelet" in k.phrase.lower() for k in keywords[:2])
    assert omni.extract(prepare(EN, "en"), ExtractOptions(top_n=5)) == keywords


def test_semantic_weight_follows_the_language() -> None:
    """A phrase the encoder loves wins in English, not where the weight is zero."""
    weights = {
        "en": Weights(semantic=5.0, statistical=(1.0, 1.0)),
        "pt": Weights(semantic=0.0, statistical=(1.0, 1.0)),
    }
    backend = FixedBackend("escolas públicas")
    model = OmniModel(backend=backend, params=OmniParams(weights=weights))  # type: ignore[arg-type]
    options = ExtractOptions(top_n=3)
    as_en = model.extract(prepare(PT, "en"), options)
    assert as_en[0].phrase == "escolas públicas"
    as_pt = model.extract(prepare(PT, "pt"), options)
    assert as_pt[0].phrase != "escolas públicas"
    calls = backend.phrase_calls
    model.extract(prepare(PT, "pt"), options)
    assert backend.phrase_calls == calls  # no encoder work where it has no weight


def test_position_weighs_in_long_texts_only() -> None:
    """An early term beats a more frequent late one in a long text, when position counts."""
    filler = " ".join(["The annual report covers the climate."] * 150)  # ~800 words
    text = f"Wind turbines. {filler} Solar panels. Solar panels. Solar panels."

    def ranked(position: float) -> list[str]:
        weights = {"en": Weights(1.0, statistical=(1.0, 1.0), position=(0.0, position))}
        model = OmniModel(backend=FixedBackend("-"), params=OmniParams(weights=weights))  # type: ignore[arg-type]
        found = model.extract(prepare(text, "en"), ExtractOptions(top_n=40))
        return [k.phrase.lower() for k in found]

    without, with_position = ranked(0.0), ranked(3.0)
    assert without.index("solar panels") < without.index("wind turbines")
    assert with_position.index("wind turbines") < with_position.index("solar panels")


def test_frequency_keeps_a_long_texts_repeated_terms() -> None:
    """Cosine alone puts a one-off phrase above the term a long text keeps using."""
    filler = " ".join(["The pension fund reported its mission again."] * 120)
    text = f"Quarterly notes. Green bond markets. {filler}"

    def ranked(frequency: float) -> list[str]:
        weights = {"en": Weights(1.0, statistical=(0.0, 0.0), frequency=(0.0, frequency))}
        backend = FixedBackend("green bond markets")
        model = OmniModel(backend=backend, params=OmniParams(weights=weights))  # type: ignore[arg-type]
        found = model.extract(prepare(text, "en"), ExtractOptions(top_n=40, diversity=0.0))
        return [k.phrase.lower() for k in found]

    without, with_frequency = ranked(0.0), ranked(2.0)
    assert without.index("green bond markets") < without.index("mission")
    assert with_frequency.index("mission") < with_frequency.index("green bond markets")
    assert Weights(1.0, statistical=(1.0, 1.0)).frequency[1] > 0  # on by default


def test_unset_diversity_is_the_models_default(omni: OmniModel) -> None:
    """None means omni's MMR default on English; Portuguese (no encoder) keeps none."""
    doc = prepare(EN, "en")
    unset = omni.extract(doc, ExtractOptions(top_n=8))
    assert unset == omni.extract(doc, ExtractOptions(top_n=8, diversity=omni.default_diversity))
    assert unset != omni.extract(doc, ExtractOptions(top_n=8, diversity=0.0))
    pt = prepare(PT, "pt")
    assert omni.extract(pt, ExtractOptions(top_n=8)) == omni.extract(
        pt, ExtractOptions(top_n=8, diversity=0.0)
    )


def test_standardise_is_safe_on_constant_input() -> None:
    assert standardise([2.0, 2.0]).tolist() == [0.0, 0.0]
    assert standardise([1.0, 3.0]).tolist() == [-1.0, 1.0]


def test_cli_extract_defaults_to_omni(
    omni: OmniModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "doc.txt"
    source.write_text(EN, encoding="utf-8")
    assert main(["extract", str(source), "--top", "4", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["model"] == "omni" and len(body["keywords"]) == 4


def test_api_extract_and_batch_with_omni(omni: OmniModel, tmp_path: Path) -> None:
    settings = Settings(api_keys_file=tmp_path / "keys.json", warmup=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        r = client.post("/v1/keywords/extract", json={"text": EN, "top_n": 3})
        assert r.status_code == 200, r.text
        assert r.json()["model"]["name"] == "omni"
        docs = [{"id": 1, "text": EN}, {"id": 2, "text": PT}]
        batch = client.post("/v1/keywords/extract/batch", json={"documents": docs, "top_n": 3})
        assert batch.status_code == 200, batch.text
        assert batch.json()["results"][0]["keywords"] == r.json()["keywords"]


def test_shares_one_encoder_with_embedding(omni: OmniModel) -> None:
    assert omni.backend is default_backend()


@pytest.mark.skipif(not INSPEC.is_dir(), reason=f"benchmark datasets not found at {INSPEC}")
def test_quality_floor_on_fixed_inspec_subset(omni: OmniModel) -> None:
    """The first 25 Inspec test documents (sorted ids), standard scoring.

    Measured: F1@5 37.50, F1@10 43.07 (omni 1.2.0; 1.1.0: 35.80 / 42.22; 1.0.0: 34.66 /
    39.66); the floors sit a little under.
    """
    dataset = load_dataset(INSPEC, max_docs=25)
    scorer = Scorer("en")
    docs = [prepare(s.text, "en") for s in dataset.samples]
    results = omni.extract_many(docs, ExtractOptions(top_n=10))
    for sample, keywords in zip(dataset.samples, results, strict=True):
        scorer.add([k.phrase for k in keywords], sample.keys)
    figures = scorer.figures()
    assert figures["f1@10"] >= FLOOR_F1_AT_10, figures
    assert figures["f1@5"] >= FLOOR_F1_AT_5, figures


FLOOR_F1_AT_10 = 41.5
FLOOR_F1_AT_5 = 35.5


def test_shared_model_contract(omni: OmniModel) -> None:
    """The checks every model of the catalog passes (offsets, variants, options)."""
    check_contract(omni)
    check_options(omni)
    check_variants_merged(omni)
