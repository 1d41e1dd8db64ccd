"""From scored candidates to ranked :class:`Keyword` objects, shared by every model.

Candidates are already merged by stems (``okf.text.candidates``); this module orders
them stably, applies the diversity option (MMR-like on shared stems), cuts at
``top_n`` and builds the Keyword (phrase, unit score, count, offsets, variants).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

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
    chosen: list[tuple[int, float]] = []
    penalty = dict.fromkeys(pool, 0.0)
    pool = list(pool)
    while pool and len(chosen) < top_n:
        best_pos, adjusted = 0, float("-inf")
        for pos, i in enumerate(pool):  # strict ">" keeps the earlier one on ties
            value = unit[i] - diversity * penalty[i]
            if value > adjusted:
                best_pos, adjusted = pos, value
        best = pool.pop(best_pos)
        chosen.append((best, min(1.0, max(0.0, round(adjusted, 6)))))
        key = candidates[best].key
        for i in pool:
            overlap = stem_overlap(candidates[i].key, key)
            if overlap > penalty[i]:
                penalty[i] = overlap
    return [to_keyword(candidates[i], score) for i, score in chosen]
