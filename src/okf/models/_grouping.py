"""From scored candidates to ranked :class:`Keyword` objects, shared by every model.

Candidates are already merged by stems (``okf.text.candidates``); this module orders
them stably, applies the diversity option (MMR-like on shared stems), cuts at
``top_n`` and builds the Keyword (phrase, unit score, count, offsets, variants).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

import numpy as np

from okf.models._scoring import unit_scores_of_top
from okf.models.base import ExtractOptions, Keyword
from okf.text import Candidate


def to_keyword(candidate: Candidate, score: float) -> Keyword:
    """The Keyword of one candidate: its text's own most frequent surface form."""
    phrase, variants = candidate.phrase_and_variants()
    return Keyword(
        phrase=phrase,
        score=score,
        count=candidate.count,
        offsets=candidate.offsets,
        variants=variants,
    )


def stem_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Share of the shorter phrase's stems that the other phrase also has (0..1)."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / min(len(sa), len(sb))


def rank(
    candidates: Sequence[Candidate], raw: Sequence[float], options: ExtractOptions
) -> list[Keyword]:
    """Best ``options.top_n`` keywords, best first.

    Equal raw scores keep the input order, which for :func:`extract_candidates` is the
    order of first occurrence, so the output is deterministic. With ``diversity``
    d > 0, each pick maximises ``score - d * max overlap with the phrases already
    picked`` (MMR), and that adjusted score (clipped to 0..1) is the one reported, so
    scores never increase down the list.
    """
    top_n = options.top_n
    diversity = options.mmr_strength
    if not candidates or top_n <= 0:
        return []
    # nlargest(key=...) is documented as sorted(..., reverse=True)[:n]: stable on ties.
    pool_size = top_n if diversity <= 0 else max(50, top_n * 10)
    order = heapq.nlargest(pool_size, range(len(candidates)), key=raw.__getitem__)
    unit = dict(zip(order, unit_scores_of_top(raw, order), strict=True))
    if diversity <= 0:
        return [to_keyword(candidates[i], unit[i]) for i in order]
    return _mmr(candidates, unit, order, diversity, top_n)


def _mmr(
    candidates: Sequence[Candidate],
    unit: dict[int, float],
    pool: list[int],
    diversity: float,
    top_n: int,
) -> list[Keyword]:
    """MMR with redundancy = stem overlap (for models without phrase vectors)."""

    def overlaps(best: int) -> list[float]:
        key = candidates[pool[best]].key
        return [stem_overlap(candidates[i].key, key) for i in pool]

    chosen = mmr([unit[i] for i in pool], overlaps, diversity, top_n)
    return [to_keyword(candidates[pool[pos]], score) for pos, score in chosen]


def mmr(
    scores: Sequence[float],
    similarity: Callable[[int], Sequence[float] | np.ndarray],
    diversity: float,
    top_n: int,
) -> list[tuple[int, float]]:
    """Maximal Marginal Relevance, the one implementation every model uses.

    ``scores`` are unit relevance scores, best first; ``similarity(j)`` gives every
    item's redundancy (0..1) with item ``j``. Each pick maximises ``score - diversity *
    max similarity to the items already picked`` (the first maximum wins ties, so the
    better-ranked item does); that adjusted value, clipped to 0..1 and rounded to 6
    places, is returned with the item's position, so scores never rise down the list.
    """
    values = np.asarray(scores, dtype=np.float64)
    redundancy = np.zeros(len(values))
    free = np.ones(len(values), dtype=bool)
    chosen: list[tuple[int, float]] = []
    while free.any() and len(chosen) < top_n:
        value = np.where(free, values - diversity * redundancy, -np.inf)
        best = int(np.argmax(value))
        free[best] = False
        chosen.append((best, min(1.0, max(0.0, round(float(value[best]), 6)))))
        redundancy = np.maximum(redundancy, similarity(best))
    return chosen
