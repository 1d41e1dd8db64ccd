"""``omni`` (the default): meaning, statistics and graph centrality in one score.

Each signal fails differently. Cosine to the document finds what a text is *about* but
is blind to term shape and, with an English-centric encoder, weak on Portuguese; the
statistical model knows term shape, position and repetition; the graph model knows
which words the text keeps coming back to. ``omni`` lets the statistical model choose
the ``pool`` candidates worth embedding (so cost stays bounded on long texts), then
scores each as a weighted sum of the signals, each standardised within the document
(z-scores, so no signal's scale dominates). Weights are measured, not guessed (see
docs/benchmarks.md): MiniLM helps English and hurts Portuguese (it rates unrelated
Portuguese phrases as similar), so it never sees a Portuguese text: ``encoders`` gives
Portuguese a multilingual encoder of its own (``Settings.multilingual_encoder``), and
without one Portuguese is ranked by statistics alone. The graph score added nothing on
top of the other two, so its default weight is 0 (the hook stays).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from okf.models._junk import drop_junk, judged
from okf.models._scoring import length_blend, mix
from okf.models._topic import ARTICLE_MAX_WORDS, topic_first
from okf.models.backend import EmbeddingBackend
from okf.models.base import ExtractOptions
from okf.models.embedding import EmbeddingModel, Pool, term_candidates
from okf.models.graph import GraphModel
from okf.models.statistical import StatisticalModel
from okf.text import Document, extract_candidates
from okf.text.tagging import load_tagger, noun_phrase_chunks, tagger_available
from okf.text.tokens import WORD


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the standardised signals; (short, long) pairs blend with text length.

    ``position`` rewards an early first occurrence (``-log(1 + token index)``): in a
    full paper, terms of the title, abstract and introduction are its keyphrases. The
    statistical prior knows position too, but it is a weak signal overall in long texts.
    SemEval2010 F1@10 with position weight 0 / 0.4 / 0.6 / 0.8 / 1.0 on long texts:
    20.28 / 21.20 / 21.75 / 21.52 / 21.33; abstracts (short) do not change.

    ``frequency`` (log of the phrase's count) keeps the terms a long text repeats in
    the list: cosine to the document ranked "mission" (39 uses in a 2,000-word post
    whose author tagged it "mission") below one-off phrases. Weight 0 / 0.3 / 0.6 / 1.0
    at the long end, present-tag R@10 on blogs-pt-dev (text): 52.9 / 51.4 / 55.7 /
    52.9, blogs-en-dev 36.2 / 40.4 / 40.4 / 40.4. Articles only (up to
    :data:`~okf.models._topic.ARTICLE_MAX_WORDS` words): a full paper's keyphrases are
    its technical terms, not its most repeated words (SemEval2010 F1@10 22.92 → 20.50
    with it).
    """

    semantic: float
    statistical: tuple[float, float]
    graph: float = 0.0
    position: tuple[float, float] = (0.0, 0.0)
    frequency: tuple[float, float] = (0.0, 0.6)


@dataclass(frozen=True, slots=True)
class OmniParams:
    """Pool size and weights; (short, long) pairs blend log-linearly with text length.

    In an abstract, term shape and position (statistical) are as telling as meaning;
    in a full paper the statistical pool is noisy and cosine to the paper's opening
    carries most of the signal (SemEval2010: F1@10 13.7 statistical, 19.4 cosine).
    """

    pool: tuple[int, int] = (30, 40)  # candidates embedded: the statistical model's best
    weights: dict[str, Weights] = field(
        default_factory=lambda: {
            "en": Weights(semantic=1.0, statistical=(1.4, 0.3), position=(0.0, 0.6)),
            # With the multilingual USE encoder (MiniLM never ranks pt: any weight of
            # it lowered F1@10). Semantic weight 0.3 / 0.5 / 0.7 / 1.0 beside
            # statistics, F1@10 on 110-PT-BN-KP: 28.62 / 29.16 / 29.00 / 29.01,
            # present-tag R@10 on blogs-pt-dev: 54.3 / 52.9 / 50.0 / 50.0 (no encoder:
            # 28.03 and 51.4). Without a multilingual encoder the weight is unused.
            "pt": Weights(semantic=0.5, statistical=(1.0, 1.0)),
        }
    )
    short_words: int = 200
    long_words: int = 2000

    def blend(self, n_words: int) -> float:
        """0 for a short text, 1 for a long one, log-linear in between."""
        return length_blend(n_words, self.short_words, self.long_words)


def standardise(values: Sequence[float]) -> np.ndarray:
    """z-scores within one document; all zeros when the values do not vary."""
    x = np.asarray(values, dtype=np.float64)
    spread = x.std()
    return (x - x.mean()) / spread if spread > 1e-12 else np.zeros_like(x)


def _log(values: Sequence[float]) -> list[float]:
    return [math.log(max(v, 1e-12)) for v in values]


class OmniModel(EmbeddingModel):
    """Semantic + statistical + graph scores over the statistical model's best terms."""

    name = "omni"
    version = "1.4.0"
    #: MMR on phrase vectors unless the caller sets ``diversity``: near-duplicates
    #: ("wavelet transform", "wavelet transforms compress") waste a short list's
    #: places. F1@5 at 0 / 0.2 / 0.3 / 0.4: Inspec 31.26 / 31.69 / 31.93 / 32.34,
    #: SemEval2010 17.55 / 17.67 / 17.43 / 16.94, SemEval2017 23.27 / 23.53 / 23.59 /
    #: 23.38 (docs/benchmarks.md has F1@10); Portuguese with USE: 110-PT-BN-KP F1@10
    #: 0.2 / 0.4 / 0.6: 28.62 / 29.16 / 29.33, blogs-pt-dev present-tag R@10 51.4 /
    #: 52.9 / 51.4. Texts ranked without an encoder keep no diversity by default.
    default_diversity = 0.4

    def __init__(
        self,
        backend: EmbeddingBackend | None = None,
        params: OmniParams | None = None,
        encoders: Mapping[str, EmbeddingBackend | None] | None = None,
    ) -> None:
        self.params = params or OmniParams()
        super().__init__(backend, pool=max(self.params.pool))
        self.statistical = StatisticalModel()
        self.graph = GraphModel()
        #: Per-language encoders that replace ``backend`` (MiniLM, English-only);
        #: None = no encoder for that language: ranked without semantics.
        self.encoders: dict[str, EmbeddingBackend | None] = (
            {"pt": None} if encoders is None else dict(encoders)
        )
        self._ready: dict[int, bool] = {}

    def load(self) -> None:
        super().load()
        self.statistical.load()
        if tagger_available():
            load_tagger()

    def weights(self, doc: Document) -> Weights:
        return self.params.weights.get(doc.language) or self.params.weights["en"]

    def backend_for(self, doc: Document) -> EmbeddingBackend:
        chosen = self.encoders.get(doc.language, self.backend)
        return self.backend if chosen is None else chosen

    def encoder(self, language: str) -> str | None:
        """The encoder that ranks texts of ``language``, None when none can (then
        statistics alone rank them)."""
        chosen = self.encoders.get(language, self.backend)
        if chosen is None or not self._can_run(chosen):
            return None
        weights = self.params.weights.get(language) or self.params.weights["en"]
        return chosen.name if weights.semantic > 0 else None

    def _can_run(self, backend: EmbeddingBackend) -> bool:
        """Whether ``backend``'s package is installed (asked once: it reads the disk)."""
        ready = self._ready.get(id(backend))
        if ready is None:
            ready = self._ready[id(backend)] = backend.unavailable_reason() is None
        return ready

    def uses_semantics(self, doc: Document) -> bool:
        return self.encoder(doc.language) is not None

    def _words(self, doc: Document) -> int:
        return sum(1 for tok in doc.tokens if tok.kind == WORD)

    def _length(self, doc: Document) -> float:
        return self.params.blend(self._words(doc))

    def make_pool(self, doc: Document, options: ExtractOptions) -> Pool:
        if not self.uses_semantics(doc):
            # Nothing to embed: every candidate stays, as in the non-neural models.
            candidates = extract_candidates(doc, options.max_ngram)
            prior = self.statistical.score(doc, candidates)
            return Pool(*drop_junk(doc, candidates, prior, judged(options.top_n)))
        # Noun-phrase chunks (English, tagger installed): verbs and adverbs that
        # stopwords leave inside a chunk no longer make candidates (Inspec F1@10 +1).
        spans = noun_phrase_chunks(doc)
        if doc.language == "en":
            candidates = term_candidates(doc, options.max_ngram, spans)
        else:  # no noun-phrase tagger: keep every candidate, phrases across "de"/"para" too
            candidates = extract_candidates(doc, options.max_ngram, spans)
        low, high = self.params.pool
        size = round(low + (high - low) * self._length(doc))
        prior = self.statistical.score(doc, candidates, spans)
        candidates, prior = drop_junk(doc, candidates, prior, size + judged(options.top_n))
        return self._cut(candidates, prior, size)

    def combine(self, doc: Document, pool: Pool, similarity: np.ndarray) -> list[float]:
        w = self.weights(doc)
        length = self._length(doc)
        total = w.semantic * standardise(similarity)
        total = total + mix(w.statistical, length) * standardise(_log(pool.prior))
        frequency = mix(w.frequency, length)
        if frequency and self._words(doc) <= ARTICLE_MAX_WORDS:
            counts = [math.log(c.count) for c in pool.candidates]
            total = total + frequency * standardise(counts)
        position = mix(w.position, length)
        if position:
            early = [-math.log1p(c.first) for c in pool.candidates]
            total = total + position * standardise(early)
        if w.graph:
            total = total + w.graph * standardise(_log(self.graph.score(doc, pool.candidates)))
        total = topic_first(doc, pool.candidates, list(total), pool.prior)
        return [round(float(v), 6) for v in total]
