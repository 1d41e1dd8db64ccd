"""Open-source peers behind one callable shape, for side-by-side benchmarks.

A peer is ``Peer(name, version, load)``: ``load()`` returns an extractor
``(text, language, top) -> list[str]`` (phrases, best first), so loading cost stays out
of the timing. Add a peer (e.g. ``keybert``) by writing a loader and one line in
:data:`PEERS`.
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


PEERS: dict[str, Peer] = {
    "yake": Peer("yake", "yake", _load_yake),
    "multi-rake": Peer("multi-rake", "multi-rake", _load_multi_rake),
}


def get_peer(name: str) -> Peer:
    try:
        return PEERS[name]
    except KeyError:
        raise PeerUnavailableError(f"unknown peer {name!r}; valid: {', '.join(PEERS)}") from None
