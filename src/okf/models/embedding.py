"""``embedding``: keyphrases ranked by meaning, EmbedRank-style, on MiniLM embeddings.

A phrase is a good keyphrase when its sentence embedding is close to the document's.
Two things make this work better than n-grams scored by cosine (KeyBERT's default):

* candidates are *whole* stopword-bounded chunks (terms such as "linear matrix
  inequalities"), not every slice of them: slices compete with their own term and
  fill the top of the list with near-duplicates; a chunk longer than ``max_ngram``
  contributes its slices of exactly ``max_ngram`` words;
* only the ``pool`` most promising candidates are embedded (a cheap prior chooses
  them), which bounds the cost on long documents.

Batches are embedded together: :meth:`EmbeddingModel.extract_many` sends the phrases of
every document (deduplicated, cached) and the documents to the backend in batches.
Subclasses (``omni``) change the pool and the final score through two hooks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from okf.models._grouping import rank
from okf.models._mmr import order_of, rank_semantic
from okf.models.backend import EmbeddingBackend, default_backend
from okf.models.base import ExtractOptions, Keyword, KeywordModel
from okf.text import Candidate, Document, extract_candidates

SIMILARITY_DECIMALS = 4


@dataclass(slots=True)
class Pool:
    """The candidates of one document that get embedded, with their prior scores."""

    candidates: list[Candidate]
    prior: list[float]


def term_candidates(
    doc: Document, max_ngram: int, spans: list[tuple[int, int]] | None = None
) -> list[Candidate]:
    """Candidates that are a whole chunk somewhere, or a full-size slice of a long one.

    ``spans`` are the chunks to cut from (default: :func:`okf.text.chunks`).
    """
    n_max = max(1, max_ngram)
    out = []
    for cand in extract_candidates(doc, n_max, spans):
        if any(o.size == min(o.chunk, n_max) for o in cand.occurrences):
            out.append(cand)
    return out


def simple_prior(doc: Document, candidates: Sequence[Candidate]) -> list[float]:
    """Frequency times an early-position bonus: what to embed first when there are many."""
    n = max(1, len(doc.tokens))
    return [math.log1p(c.count) + 1.0 / (1.0 + 10.0 * c.first / n) for c in candidates]


def _encode(
    backend: EmbeddingBackend, phrases: list[str], texts: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Both in one call when the backend can (``encode``), else one call each."""
    both = getattr(backend, "encode", None)
    if both is not None:
        return both(phrases, texts)
    return backend.encode_phrases(phrases), backend.encode_documents(texts)


def _by_backend(
    model: EmbeddingModel, docs: Sequence[Document], indices: list[int]
) -> list[tuple[EmbeddingBackend, list[int]]]:
    """``indices`` grouped by the encoder of each document's language, in order."""
    groups: dict[int, tuple[EmbeddingBackend, list[int]]] = {}
    for i in indices:
        backend = model.backend_for(docs[i])
        groups.setdefault(id(backend), (backend, []))[1].append(i)
    return list(groups.values())


class EmbeddingModel(KeywordModel):
    """Document/phrase cosine on sentence embeddings; diversity by MMR on the vectors."""

    name = "embedding"
    version = "1.1.0"
    #: MMR strength used when the caller leaves ``diversity`` unset (None).
    default_diversity = 0.0

    def __init__(self, backend: EmbeddingBackend | None = None, pool: int = 40) -> None:
        self.backend = backend if backend is not None else default_backend()
        self.pool_size = pool
        self._loaded = False

    def unavailable_reason(self) -> str | None:
        return self.backend.unavailable_reason()

    def load(self) -> None:
        if not self._loaded:
            self.backend.load()
            self._loaded = True

    # -- hooks ---------------------------------------------------------------------
    def make_pool(self, doc: Document, options: ExtractOptions) -> Pool:
        """Term candidates; the ``pool`` best by :func:`simple_prior` when too many."""
        candidates = term_candidates(doc, options.max_ngram)
        return self._cut(candidates, simple_prior(doc, candidates))

    def uses_semantics(self, doc: Document) -> bool:
        """Whether this document's score uses the encoder at all (else it is skipped)."""
        return True

    def encoder(self, language: str) -> str | None:
        return self.backend.name

    def backend_for(self, doc: Document) -> EmbeddingBackend:
        """The encoder of this document's language (here: the one backend)."""
        return self.backend

    def combine(self, doc: Document, pool: Pool, similarity: np.ndarray) -> list[float]:
        """Final raw scores of the pool (higher is better): here the cosine alone."""
        return [round(float(s), 6) for s in similarity]

    # -- pipeline ------------------------------------------------------------------
    def _cut(self, candidates: list[Candidate], prior: list[float], size: int = 0) -> Pool:
        """The ``size`` (default: ``pool``) best candidates by prior, in text order."""
        size = size or self.pool_size
        if len(candidates) <= size:
            return Pool(candidates, prior)
        keep = sorted(order_of(candidates, prior)[:size])
        return Pool([candidates[i] for i in keep], [prior[i] for i in keep])

    def extract(self, doc: Document, options: ExtractOptions) -> list[Keyword]:
        return self.extract_many([doc], options)[0]

    def extract_many(
        self, docs: Sequence[Document], options: ExtractOptions
    ) -> list[list[Keyword]]:
        self.load()
        pools = [self.make_pool(doc, options) for doc in docs]
        encoded = [
            i
            for i, (doc, pool) in enumerate(zip(docs, pools, strict=True))
            if pool.candidates and self.uses_semantics(doc)
        ]
        if not encoded:  # nothing for the encoder: no call at all
            return [self._rank_plain(d, p, options) for d, p in zip(docs, pools, strict=True)]
        own: dict[int, np.ndarray] = {}
        doc_vector: dict[int, np.ndarray] = {}
        for backend, group in _by_backend(self, docs, encoded):
            # The whole group in one backend call: every phrase and every document.
            phrases = [c.phrase.lower() for i in group for c in pools[i].candidates]
            vectors, doc_vectors = _encode(backend, phrases, [docs[i].text for i in group])
            offset = 0
            for i in group:
                own[i] = vectors[offset : offset + len(pools[i].candidates)]
                offset += len(pools[i].candidates)
            doc_vector.update(zip(group, doc_vectors, strict=True))
        out: list[list[Keyword]] = []
        for i, (doc, pool) in enumerate(zip(docs, pools, strict=True)):
            if not pool.candidates:
                out.append([])
            elif i in own:
                # Rounded so that float noise of batched matrix products (padding
                # changes the kernels) cannot reorder phrases: batches rank like singles.
                similarity = np.round(own[i] @ doc_vector[i], SIMILARITY_DECIMALS)
                raw = self.combine(doc, pool, similarity)
                ranked = rank_semantic(pool.candidates, raw, own[i], self._options(options))
                out.append(ranked)
            else:
                out.append(self._rank_plain(doc, pool, options))
        return out

    def _options(self, options: ExtractOptions) -> ExtractOptions:
        """The caller's options, with this model's default diversity if none was given."""
        if options.diversity is not None:
            return options
        return replace(options, diversity=self.default_diversity)

    def _rank_plain(self, doc: Document, pool: Pool, options: ExtractOptions) -> list[Keyword]:
        """Rank without the encoder (similarity 0): diversity falls back to shared stems."""
        if not pool.candidates:
            return []
        raw = self.combine(doc, pool, np.zeros(len(pool.candidates)))
        return rank(pool.candidates, raw, options)
