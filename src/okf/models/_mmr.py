"""Semantic diversity for the neural models: Maximal Marginal Relevance on embeddings.

The shared ranking (``_grouping.rank``) measures redundancy by shared stems, which
misses synonyms and paraphrases ("neural network" / "deep learning model"); with
phrase vectors at hand, redundancy is their cosine similarity instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from okf.models._grouping import mmr, to_keyword
from okf.models._scoring import to_unit
from okf.models.base import ExtractOptions, Keyword
from okf.text import Candidate


def order_of(candidates: Sequence[Candidate], raw: Sequence[float]) -> list[int]:
    """Best first; ties by first occurrence, then fewer words, then stems."""
    return sorted(
        range(len(candidates)),
        key=lambda i: (-raw[i], candidates[i].first, candidates[i].size, candidates[i].key),
    )


def rank_semantic(
    candidates: Sequence[Candidate],
    raw: Sequence[float],
    vectors: np.ndarray,
    options: ExtractOptions,
) -> list[Keyword]:
    """Best ``top_n`` keywords; with ``diversity`` d > 0, MMR on phrase vectors.

    Each pick maximises ``unit score - d * max cosine to the phrases already picked``;
    that adjusted value, clipped to 0..1, is the reported score, so scores never rise
    down the list. ``vectors`` are unit rows parallel to ``candidates``.
    """
    if not candidates or options.top_n <= 0:
        return []
    diversity = options.mmr_strength
    unit = to_unit(raw)
    order = order_of(candidates, raw)
    if diversity <= 0:
        return [to_keyword(candidates[i], unit[i]) for i in order[: options.top_n]]
    pool = order[: max(50, options.top_n * 10)]
    sims = vectors[pool] @ vectors[pool].T
    chosen = mmr([unit[i] for i in pool], sims.__getitem__, diversity, options.top_n)
    return [to_keyword(candidates[pool[pos]], score) for pos, score in chosen]
